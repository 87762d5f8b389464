"""Single-key shortcuts (Space, S, D, G, [ and ]) act on the run only while no field is being typed in.

A stray "d" typed while a text field, a number box, a drop-down or a list had focus ran Step D and
started a run. While such a widget has focus, a key without Ctrl, Alt or Meta goes to that widget
(a letter typed, a list's type-ahead) and the window's single-key shortcuts stay quiet; shortcuts with
a modifier (Ctrl+S) work from anywhere, and the single keys work again once focus leaves the field
(a click on a plot or the game's figure, which take the focus; Esc in a list)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox, QLineEdit,
                               QPlainTextEdit, QTextEdit, QWidget)

EDITORS = (QLineEdit, QAbstractSpinBox, QComboBox, QAbstractItemView, QTextEdit, QPlainTextEdit)
MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
             | Qt.KeyboardModifier.MetaModifier)


def typing_in(widget: QWidget | None) -> bool:
    """True when `widget` (the focus widget) or one of its parents takes typed keys."""
    while widget is not None:
        if isinstance(widget, EDITORS):
            return True
        if widget.isWindow():
            return False
        widget = widget.parentWidget()
    return False


class KeyGuard(QObject):
    """A ShortcutOverride for one of `keys` (Qt.Key values) sent to a focused editor of `window` is
    accepted, so the key goes to the editor, not to the shortcut. The filter sits on the focused editor
    only, moved as the focus moves: an application-wide filter ran Python for every event of the
    studio (180,000 while one window was built and shown; 0.4 s)."""

    def __init__(self, window: QWidget, keys):
        super().__init__(window)
        self.window, self.keys = window, set(keys)
        self.watched: QWidget | None = None
        app = QApplication.instance()
        app.focusChanged.connect(self._focus)
        self._focus(None, app.focusWidget())

    def _focus(self, old, new) -> None:
        if self.watched is not None:
            try:
                self.watched.removeEventFilter(self)
            except RuntimeError:    # the widget is gone, and its filters with it
                pass
            self.watched = None
        try:
            if isinstance(new, QWidget) and new.window() is self.window and typing_in(new):
                new.installEventFilter(self)
                self.watched = new
        except RuntimeError:        # the window is being destroyed
            pass

    def eventFilter(self, obj, e) -> bool:
        if (e.type() == QEvent.Type.ShortcutOverride and e.key() in self.keys
                and not e.modifiers() & MODIFIERS):
            e.accept()              # the editor gets the key as a key press; no shortcut fires
        return False
