"""A dismissable error strip shown at the top of the window (a failed run, a bad file, a divergence).

One line: the text is elided at the right edge when the window is too narrow, and the tooltip (and
the Log tab) hold the whole of it. An optional remedy button ("Roll back …") is offered only when it
can work; otherwise it is shown disabled and the strip says why.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """A one-line label that shows as much of its text as fits, ending in "…"; `full_text()` and the
    tooltip hold all of it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = " ".join(text.split())          # one line
        self.setToolTip(self._full)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        self._elide()

    def _elide(self) -> None:
        fm = QFontMetrics(self.font())
        super().setText(fm.elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 10)))

    def minimumSizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        return QSize(fm.horizontalAdvance("Cannot load …"), fm.height())

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        return QSize(fm.horizontalAdvance(self._full) + 4, fm.height())


class Banner(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.setStyleSheet("#banner { background: #a4161a; } #banner QLabel { color: white; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 3, 8, 3)
        self.label = ElidedLabel(self)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.label, 1)
        self.action = QPushButton(self)      # an optional remedy, e.g. "Roll back"
        self.action.hide()
        self.action.clicked.connect(self._run_action)
        self._on_action = None
        lay.addWidget(self.action)
        self.dismiss = QPushButton("Dismiss", self)
        self.dismiss.clicked.connect(self.hide)
        lay.addWidget(self.dismiss)
        self.hide()

    def show_error(self, text: str, action: str = "", on_action=None, *, tip: str = "",
                   disabled_because: str = "") -> None:
        """Show `text`; with `action`, a button that calls `on_action` and hides the strip. With
        `disabled_because` (a sentence), the button is there but disabled, and the strip and the
        button's tooltip say why."""
        if action and disabled_because:
            text = f"{text.rstrip()} {disabled_because}"
        self.label.set_full_text(text)
        self._on_action = on_action if action else None
        self.action.setVisible(bool(action))
        self.action.setText(action)
        self.action.setEnabled(bool(action) and not disabled_because)
        self.action.setToolTip(disabled_because or tip or action)
        self.show()

    def text(self) -> str:
        """The whole message (the label may show it elided)."""
        return self.label.full_text()

    def _run_action(self) -> None:
        self.hide()
        if self._on_action is not None:
            self._on_action()
