"""The latent explorer's picture: a clickable image with its aspect locked, the sliders along z, and
the arithmetic page's grid of tiles framed in their set's colour."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

SLIDER_STEPS = 100          # slider ticks per unit of z
SLIDER_RANGE = 3.0          # sliders span [-3, 3]
TILE_ROWS, TILE_COLS = 3, 8  # the arithmetic tab's grid of samples
SET_COLOURS = {"a": (16, 165, 207), "b": (240, 130, 30)}    # set A cyan, set B orange (the palette's)


class Picture(pg.GraphicsLayoutWidget):
    clicked = QtCore.Signal(float, float, object)     # x, y in image pixels, keyboard modifiers

    def __init__(self, parent=None):
        super().__init__(parent)
        self.vb = self.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.img = pg.ImageItem(axisOrder="row-major")
        self.vb.addItem(self.img)
        self.scene().sigMouseClicked.connect(self._click)

    def _click(self, ev) -> None:
        if self.img.image is None:
            return
        p = self.vb.mapSceneToView(ev.scenePos())
        self.clicked.emit(float(p.x()), float(p.y()), ev.modifiers())

    def show_image(self, im: np.ndarray) -> None:
        new = self.img.image is None or self.img.image.shape[:2] != im.shape[:2]
        self.img.setImage(im, autoLevels=False, levels=(0, 255))
        if new:
            self.vb.setRange(xRange=(0, im.shape[1]), yRange=(0, im.shape[0]), padding=0.02)


def latent_slider(parent) -> QtWidgets.QSlider:
    s = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, parent)
    r = int(SLIDER_RANGE * SLIDER_STEPS)
    s.setRange(-r, r)
    s.setPageStep(SLIDER_STEPS // 2)
    return s


def tile_grid(ims: list[np.ndarray], cols: int, marks: dict[int, tuple], pad: int = 3) -> np.ndarray:
    """Tiles in a grid, each framed in its set's colour (marks: index -> RGB) or in grey."""
    h, w = ims[0].shape[:2]
    rows = -(-len(ims) // cols)
    out = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, 3), 110, np.uint8)
    for i, im in enumerate(ims):
        y, x = pad + (i // cols) * (h + pad), pad + (i % cols) * (w + pad)
        if i in marks:
            out[y - pad:y + h + pad, x - pad:x + w + pad] = marks[i]
        out[y:y + h, x:x + w] = im
    return out
