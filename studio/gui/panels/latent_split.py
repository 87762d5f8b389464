"""The latent explorer's two halves, one above the other: the sample with its controls, and the pages
below (interpolation, vector arithmetic). The line between them can be dragged; on a resize or a page
change the page below gets the height it asks for (the arithmetic grid, its pictures and its slider
whole at 1024x700) while the sample keeps its own minimum, and at least two fifths where there is room."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class LatentSplit(QtWidgets.QSplitter):
    def __init__(self, upper: QtWidgets.QWidget, lower: QtWidgets.QTabWidget, wanted, parent=None):
        """wanted() -> the height the page shown below asks for."""
        super().__init__(QtCore.Qt.Orientation.Vertical, parent)
        self.setObjectName("latent_split")
        self.lower, self.wanted = lower, wanted
        self.addWidget(upper)
        self.addWidget(lower)
        self.setChildrenCollapsible(False)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        lower.currentChanged.connect(lambda _i: self.fit())

    def fit(self) -> None:
        total = sum(self.sizes())
        if total <= 0:
            return
        want = self.wanted() + self.lower.tabBar().sizeHint().height() + 8
        low = min(max(want, int(total * 0.4)), total - self.widget(0).minimumSizeHint().height())
        self.setSizes([total - low, low])

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        QtCore.QTimer.singleShot(0, self.fit)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        if ev.oldSize().height() != ev.size().height():
            QtCore.QTimer.singleShot(0, self.fit)
