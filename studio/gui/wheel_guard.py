"""The mouse wheel scrolls a form; it edits a field only once the field has focus.

Qt's drop-downs, sliders and spin boxes take a wheel turn over them as an edit even when they are
not focused, so scrolling a long form with the wheel changes whatever passes under the pointer (one
notch turned the variant from gan into saddle). `guard(widget)` stops that: a turn over an unfocused
editor goes to the scroll area around it, which scrolls, and the editor stays as it was. Once the
user has clicked or tabbed into the editor, the wheel edits it as usual."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget


def _scroll_area(w: QWidget) -> QAbstractScrollArea | None:
    p = w.parentWidget()
    while p is not None and not isinstance(p, QAbstractScrollArea):
        p = p.parentWidget()
    return p


class WheelGuard(QObject):
    """One event filter for every guarded editor."""

    def eventFilter(self, obj, e) -> bool:
        if e.type() != QEvent.Type.Wheel or not isinstance(obj, QWidget) or obj.hasFocus():
            return False
        area = _scroll_area(obj)
        if area is not None:
            vp = area.viewport()
            pos = QPointF(vp.mapFromGlobal(e.globalPosition().toPoint()))
            fwd = QWheelEvent(pos, e.globalPosition(), e.pixelDelta(), e.angleDelta(), e.buttons(),
                              e.modifiers(), e.phase(), e.inverted())
            QApplication.sendEvent(vp, fwd)      # the scroll area scrolls as over empty space
        e.accept()
        return True           # the editor never sees it


_GUARD: WheelGuard | None = None


def guard(widget: QWidget) -> QWidget:
    """Make `widget` ignore the wheel unless it has focus; returns it."""
    global _GUARD
    if _GUARD is None:
        _GUARD = WheelGuard()
    widget.installEventFilter(_GUARD)
    return widget
