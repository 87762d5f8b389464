"""The form's field editors: number boxes that take any text and check it where it is typed (arrows
and the wheel step 1-2-5 on log fields), text fields for lists, the points file field with its "…"
button, and the cell that frames a rejected value in red with the reason on a line under it."""
from __future__ import annotations

import math
import re

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QHBoxLayout, QLabel, QLineEdit, QSizePolicy,
                               QStyle, QStyleOptionSpinBox, QToolButton, QVBoxLayout, QWidget)


class NumberSpin(QAbstractSpinBox):
    """A spin box that takes any text. Arrows and the wheel (only when focused, so scrolling the
    form never edits it) step within the field's range; Return or leaving the box commits the
    text: `committed` carries the number, or the text itself when it is not one, and the owner
    checks it and shows an accepted value with `setValue`. Nothing is clamped or reverted here."""
    valueChanged = Signal(object)       # setValue, arrows, wheel
    committed = Signal(object)          # typed text: a number, or the text when it is not one

    def __init__(self, is_int: bool, lo=None, hi=None, *, log: bool = False, step=None, zero=None,
                 parent=None):
        super().__init__(parent)
        self.is_int, self.lo, self.hi, self.log = is_int, lo, hi, log
        self.zero = zero if zero and (lo is None or lo <= 0) else None
        self._step = step or (1 if is_int else _nice_step(lo, hi))
        self._value = 0 if lo is None else lo
        self._shown = ""
        self.invalid = False           # set by the owner while the typed text is rejected
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._set_text(self._value)

    # -- the QSpinBox-like interface
    def value(self):
        return self._value

    def setValue(self, v) -> None:
        v = int(v) if self.is_int else float(v)
        changed = v != self._value or self.lineEdit().text() != self.textFromValue(v)
        self._value = v
        self._set_text(v)
        self.update()
        if changed:
            self.valueChanged.emit(v)

    def minimum(self):
        return self.lo

    def maximum(self):
        return self.hi

    def singleStep(self):
        return self._step

    def setSingleStep(self, step) -> None:
        self._step = step

    def textFromValue(self, v) -> str:
        if self.zero and v == 0:
            return self.zero
        return str(int(v)) if self.is_int else f"{v:.6g}"

    def valueFromText(self, text: str):
        """The number in `text`; ValueError when there is none. Out-of-range numbers come back as
        they are, and so does a fraction typed into a whole-number box (the owner says why not)."""
        t = text.strip().replace("_", "")
        if self.zero and t.lower() == self.zero.lower():
            return 0
        if self.is_int:
            try:
                return int(t)
            except ValueError:
                v = float(t)        # 1e6 is a whole number too
                return int(v) if math.isfinite(v) and v.is_integer() else v
        return float(t)

    # -- stepping
    def stepBy(self, steps: int) -> None:
        v = self._value
        if self.log and not self.is_int:
            v = max(v, self.lo or 0, 1e-12)
            for _ in range(abs(steps)):
                v = _next_125(v, up=steps > 0)
        else:
            v = v + steps * self._step
        if self.lo is not None:
            v = max(v, self.lo)
        if self.hi is not None:
            v = min(v, self.hi)
        if self.is_int:
            v = int(round(v))
        self.setValue(v)            # also over rejected text: the text differs, so it is emitted

    def stepEnabled(self):
        F = QAbstractSpinBox.StepEnabledFlag
        flags = F.StepNone
        if self.isReadOnly() or not self.isEnabled():
            return flags
        if self.hi is None or self._value < self.hi:
            flags |= F.StepUpEnabled
        if self.lo is None or self._value > self.lo:
            flags |= F.StepDownEnabled
        return flags

    # -- committing typed text
    def _set_text(self, v) -> None:
        self._shown = self.textFromValue(v)
        self.lineEdit().setText(self._shown)

    def commit(self) -> bool:
        """Hand typed text to the owner; False while it is rejected."""
        text = self.lineEdit().text()
        if text == self._shown and not self.invalid:
            return True
        try:
            value = self.valueFromText(text)
        except ValueError:
            value = text
        self.committed.emit(value)
        return not self.invalid

    def keyPressEvent(self, e) -> None:
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.commit():
            self.selectAll()
            e.accept()              # rejected: stay here (a dialog's default button does not fire)
            return
        super().keyPressEvent(e)

    def focusOutEvent(self, e) -> None:
        self.commit()
        super().focusOutEvent(e)

    def wheelEvent(self, e) -> None:
        if not self.hasFocus():
            e.ignore()              # the scroll area scrolls instead
            return
        super().wheelEvent(e)

    # -- size: the widest value of the range (or what 0 means) and the arrows
    def _size(self, samples) -> QSize:
        fm = self.fontMetrics()
        texts = [self.textFromValue(v) for v in (self.lo, self.hi) if v is not None]
        w = max(fm.horizontalAdvance(s + " ") for s in [*texts, *samples, self.zero or ""]) + 2
        h = self.lineEdit().minimumSizeHint().height()
        opt = QStyleOptionSpinBox()
        self.initStyleOption(opt)
        return self.style().sizeFromContents(QStyle.ContentsType.CT_SpinBox, opt, QSize(w, h), self)

    def minimumSizeHint(self) -> QSize:
        return self._size(["0000"] if self.is_int else ["0.0005"])

    def sizeHint(self) -> QSize:
        return self._size(["000000"] if self.is_int else ["-0.000125"])


class FloatSpin(NumberSpin):
    """A number box for a float field; log fields step 1-2-5."""

    def __init__(self, lo=None, hi=None, *, log: bool = False, step=None, parent=None):
        super().__init__(False, lo, hi, log=log, step=step, parent=parent)


class IntSpin(NumberSpin):
    """A number box for an int field; `zero` is shown for 0 (and typed for it)."""

    def __init__(self, lo=None, hi=None, *, zero=None, parent=None):
        super().__init__(True, lo, hi, zero=zero, parent=parent)


class TextEdit(QLineEdit):
    """A line edit for text and lists of numbers that commits like NumberSpin (Return, leaving)."""
    committed = Signal(object)

    def __init__(self, as_list: bool, parent=None):
        super().__init__(parent)
        self.as_list = as_list
        self.invalid = False
        self._shown = ""

    def show_value(self, value) -> None:
        self._shown = ", ".join(f"{v:g}" for v in value) if self.as_list else str(value)
        self.setText(self._shown)

    def parse(self, text: str):
        if not self.as_list:
            return text
        items = [x for x in re.split(r"[,;\s]+", text.strip().strip("[]")) if x]
        try:
            return [float(x) for x in items]
        except ValueError:
            return text

    def commit(self) -> bool:
        if self.text() == self._shown and not self.invalid:
            return True
        self.committed.emit(self.parse(self.text()))
        return not self.invalid

    def keyPressEvent(self, e) -> None:
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.commit():
            self.selectAll()
            e.accept()
            return
        super().keyPressEvent(e)

    def focusOutEvent(self, e) -> None:
        self.commit()
        super().focusOutEvent(e)


POINTS_TIP = ("Choose a points file: a CSV of one or two numeric columns (a header line allowed) or a .npy of "
              "shape (N,) or (N, 2)")


class FileField(QWidget):
    """A path's text box and a "…" button that opens a dialog: data.file's points file (`pick_file`),
    data.root's image folder (`pick_folder`)."""

    def __init__(self, edit: TextEdit, parent=None, *, name: str = "pick_file", tip: str = POINTS_TIP):
        super().__init__(parent)
        self.edit = edit
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        lay.addWidget(edit, 1)
        self.button = QToolButton(self)
        self.button.setText("…")
        self.button.setObjectName(name)
        self.button.setToolTip(tip)
        lay.addWidget(self.button)

    @property
    def invalid(self) -> bool:
        return self.edit.invalid

    @invalid.setter
    def invalid(self, on: bool) -> None:
        self.edit.invalid = on


def _error_color(widget: QWidget) -> QColor:
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ff6b6b" if dark else "#c62828")


class FieldCell(QWidget):
    """A field's editor with the room for its mark: a red frame around it and the reason under it."""

    def __init__(self, editor: QWidget, parent=None):
        super().__init__(parent)
        self.editor = editor
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)      # room for the frame
        lay.setSpacing(2)
        align = Qt.AlignmentFlag.AlignLeft if isinstance(editor, QCheckBox) else Qt.AlignmentFlag(0)
        lay.addWidget(editor, 0, align)
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        # the reason wraps to the width the row has; it never widens the form
        self.reason.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason.hide()
        lay.addWidget(self.reason)
        self.note = QLabel(self)          # what the value amounts to (a file's point count), muted
        self.note.setWordWrap(True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.hide()
        lay.addWidget(self.note)
        self._error: str | None = None

    def set_note(self, text: str | None) -> None:
        self.note.setText(text or "")
        self.note.setToolTip(text or "")
        self.note.setVisible(bool(text) and self._error is None)

    def error(self) -> str | None:
        return self._error

    def set_error(self, text: str | None) -> None:
        self._error = text
        if text is None:
            self.reason.clear()
            self.reason.hide()
        else:
            self.reason.setToolTip(text)
            pal = self.reason.palette()
            pal.setColor(QPalette.ColorRole.WindowText, _error_color(self))
            self.reason.setPalette(pal)
            head, sep, tail = text.rpartition(" (got ")
            if sep and len(tail) <= 30:            # "(got -5.0)" wraps as one piece
                text = head + " " + ("(got " + tail).replace(" ", "\u00a0")
            self.reason.setText(text if len(text) <= 160 else text[:157] + "...")
            self.reason.show()
        self.note.setVisible(bool(self.note.text()) and text is None)
        self.editor.invalid = text is not None
        self.update()

    def paintEvent(self, e) -> None:
        super().paintEvent(e)
        if self._error is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(_error_color(self), 2))
        p.drawRoundedRect(QRectF(self.editor.geometry()).adjusted(-1, -1, 1, 1), 3, 3)



def _next_125(v: float, up: bool) -> float:
    e = math.floor(math.log10(v))
    cands = sorted(m * 10.0 ** k for k in (e - 1, e, e + 1) for m in (1, 2, 5))
    if up:
        return next(c for c in cands if c > v * (1 + 1e-9))
    return next(c for c in reversed(cands) if c < v * (1 - 1e-9))


def _nice_step(lo, hi) -> float:
    if lo is None or hi is None:
        return 0.1
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        return 0.1
    return 10.0 ** math.floor(math.log10(span / 20))
