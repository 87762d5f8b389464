"""A layout that wraps its widgets onto the next line when a row is full (the views' toolbars)."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class FlowLayout(QtWidgets.QLayout):
    """Widgets left to right, wrapping onto the next line when the row is full (Qt's flow layout
    example): a toolbar that stays whole in a narrow view instead of forcing the view wider."""

    def __init__(self, parent=None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QtWidgets.QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, i: int):
        return self._items[i] if 0 <= i < len(self._items) else None

    def takeAt(self, i: int):
        return self._items.pop(i) if 0 <= i < len(self._items) else None

    def expandingDirections(self):
        return QtCore.Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QtCore.QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self):
        w = sum(it.sizeHint().width() + self._spacing for it in self._items if not it.isEmpty())
        h = max((it.sizeHint().height() for it in self._items if not it.isEmpty()), default=0)
        return QtCore.QSize(w, h)

    def minimumSize(self):
        size = QtCore.QSize()
        for it in self._items:
            if not it.isEmpty():
                size = size.expandedTo(it.minimumSize())
        m = self.contentsMargins()
        return size + QtCore.QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(self, rect, move: bool) -> int:
        m = self.contentsMargins()
        r = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = r.x(), r.y(), 0
        for it in self._items:
            if it.isEmpty():
                continue
            hint = it.sizeHint()
            if it.expandingDirections() & QtCore.Qt.Orientation.Horizontal:    # a stretchy item
                hint = QtCore.QSize(max(it.minimumSize().width(), 40), hint.height())
            nx = x + hint.width() + self._spacing
            if nx - self._spacing > r.right() + 1 and line > 0:
                x, y, line = r.x(), y + line + self._spacing, 0
                nx = x + hint.width() + self._spacing
            if move:
                it.setGeometry(QtCore.QRect(QtCore.QPoint(x, y), hint))
            x, line = nx, max(line, hint.height())
        return y + line - r.y() + m.top() + m.bottom()
