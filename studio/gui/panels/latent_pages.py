"""The latent explorer's pieces: the picture widget (clickable, aspect locked), its sliders, and the
arithmetic page (two sets of samples picked on a grid, their mean latents, A − B + C)."""
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


class ArithmeticPage(QtWidgets.QWidget):
    """Sets A and B (tiles of a grid of seeds, or a class), their decoded means, the base and
    base + s·(mean_A − mean_B). The explorer renders; this widget keeps the choices."""
    changed = QtCore.Signal()              # the result needs drawing again
    tiles_changed = QtCore.Signal()        # the grid needs drawing again

    def __init__(self, parent=None):
        super().__init__(parent)
        self.members: dict[str, set[int]] = {"a": set(), "b": set()}
        self.grid = Picture(self)
        self.grid.setMinimumSize(200, 90)
        self.grid.setToolTip("Click a sample to put it into the active set (A or B); click again to take it "
                             "out. Shift+click puts it into the other set.")
        self.grid.clicked.connect(self._clicked)
        self.first = QtWidgets.QSpinBox(self)
        self.first.setRange(0, 2**31 - 1 - TILE_ROWS * TILE_COLS)
        self.first.setToolTip("The seed of the first sample in the grid (the others follow)")
        self.first.valueChanged.connect(self._first_changed)
        self.pick_a = QtWidgets.QRadioButton("A", self)
        self.pick_b = QtWidgets.QRadioButton("B", self)
        self.pick_a.setChecked(True)
        for b, key in ((self.pick_a, "a"), (self.pick_b, "b")):
            r, g, bl = SET_COLOURS[key]
            b.setStyleSheet(f"QRadioButton {{ color: rgb({r}, {g}, {bl}); font-weight: bold; }}")
        self.src = {k: QtWidgets.QComboBox(self) for k in ("a", "b")}
        for k, c in self.src.items():
            c.setToolTip(f"Set {k.upper()}: the samples clicked in the grid, or a whole class "
                         f"(its one-hot, with the prior's mean 0 for z)")
            c.currentIndexChanged.connect(lambda _: self.changed.emit())
            # long class names ("class 9: ankle boot") would widen the whole window's minimum
            c.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            c.setMinimumContentsLength(8)
        self.clear_btn = QtWidgets.QPushButton("Clear sets", self)
        self.clear_btn.clicked.connect(self.clear)
        self.strength = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, self)
        self.strength.setRange(-300, 300)
        self.strength.setValue(100)
        self.strength.setToolTip("s in base + s·(mean A − mean B)")
        self.s_label = QtWidgets.QLabel(self)
        self.strength.valueChanged.connect(self._strength_changed)
        self.pics = {k: Picture(self) for k in ("a", "b", "base", "result")}
        titles = {"a": "mean of A", "b": "mean of B", "base": "base (above)",
                  "result": "base + s·(A − B)"}
        self.titles = {k: QtWidgets.QLabel(t, self) for k, t in titles.items()}
        self.hint = QtWidgets.QLabel(self)
        self.hint.setWordWrap(True)
        f = self.hint.font()
        f.setItalic(True)
        self.hint.setFont(f)

        left = QtWidgets.QVBoxLayout()
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("Click into", self))
        row.addWidget(self.pick_a)
        row.addWidget(self.pick_b)
        row.addStretch(1)
        row.addWidget(self.clear_btn)
        left.addLayout(row)
        row = QtWidgets.QHBoxLayout()          # a row of its own: one row was too wide for a 1024 window
        row.addWidget(QtWidgets.QLabel("seeds from", self))
        row.addWidget(self.first)
        row.addStretch(1)
        left.addLayout(row)
        left.addWidget(self.grid, 1)
        right = QtWidgets.QGridLayout()
        for j, k in enumerate(("a", "b", "base", "result")):
            self.titles[k].setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
            self.pics[k].setMinimumSize(56, 56)
            right.addWidget(self.titles[k], 0, j)
            right.addWidget(self.pics[k], 1, j)
        right.setRowStretch(1, 1)
        crow = QtWidgets.QHBoxLayout()
        self.set_labels = {k: QtWidgets.QLabel(f"{k.upper()} is", self) for k in ("a", "b")}
        for k in ("a", "b"):
            crow.addWidget(self.set_labels[k])
            crow.addWidget(self.src[k], 1)
        srow = QtWidgets.QHBoxLayout()
        srow.addWidget(QtWidgets.QLabel("strength s", self))
        srow.addWidget(self.strength, 1)
        srow.addWidget(self.s_label)
        right.addLayout(crow, 2, 0, 1, 4)
        right.addLayout(srow, 3, 0, 1, 4)
        right.addWidget(self.hint, 4, 0, 1, 4)
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(left, 5)
        lay.addLayout(right, 6)
        self._strength_changed(self.strength.value())

    # ------------------------------------------------------------------ choices
    def set_model(self, m, keep: bool) -> None:
        """Fill the class choices for model m; keep the sets when `keep`."""
        if not keep:
            self.members = {"a": set(), "b": set()}
        for k, c in self.src.items():
            old = c.currentIndex() if keep else 0
            with QtCore.QSignalBlocker(c):
                c.clear()
                c.addItem("the tiles clicked")
                if m is not None and m.n_classes:
                    c.addItems([f"class {i}" + (f": {n}" if n != str(i) else "") for i, n in enumerate(m.class_names)])
                c.setCurrentIndex(min(max(old, 0), c.count() - 1))
            c.setVisible(m is not None and m.n_classes > 0)
            self.set_labels[k].setVisible(c.isVisibleTo(self))

    def seeds(self) -> list[int]:
        return [self.first.value() + i for i in range(TILE_ROWS * TILE_COLS)]

    def chosen_class(self, key: str) -> int | None:
        i = self.src[key].currentIndex()
        return i - 1 if i > 0 else None

    def ready(self) -> bool:
        return all(self.chosen_class(k) is not None or self.members[k] for k in ("a", "b"))

    def marks(self) -> dict[int, tuple]:
        out = {i: SET_COLOURS["b"] for i in self.members["b"] if self.chosen_class("b") is None}
        out.update({i: SET_COLOURS["a"] for i in self.members["a"] if self.chosen_class("a") is None})
        return out

    def toggle(self, index: int, key: str | None = None) -> None:
        """Put tile `index` into set `key` (default: the active one), or take it out when it is there."""
        key = key or ("a" if self.pick_a.isChecked() else "b")
        other = "b" if key == "a" else "a"
        if index in self.members[key]:
            self.members[key].discard(index)
        else:
            self.members[key].add(index)
            self.members[other].discard(index)
        self.tiles_changed.emit()
        self.changed.emit()

    def clear(self) -> None:
        self.members = {"a": set(), "b": set()}
        self.tiles_changed.emit()
        self.changed.emit()

    def s(self) -> float:
        return self.strength.value() / 100

    def _strength_changed(self, v: int) -> None:
        self.s_label.setText(f"{v / 100:+.2f}")
        self.changed.emit()

    def _first_changed(self, _v: int) -> None:
        self.members = {"a": set(), "b": set()}     # other seeds: the sets no longer mean anything
        self.tiles_changed.emit()
        self.changed.emit()

    def _clicked(self, x: float, y: float, mods) -> None:
        im = self.grid.img.image
        if im is None:
            return
        h = (im.shape[0] - 3) / TILE_ROWS
        w = (im.shape[1] - 3) / TILE_COLS
        r, c = int(y // h), int(x // w)
        if 0 <= r < TILE_ROWS and 0 <= c < TILE_COLS and x >= 0 and y >= 0:
            key = None
            if mods & QtCore.Qt.KeyboardModifier.ShiftModifier:
                key = "b" if self.pick_a.isChecked() else "a"
            self.toggle(r * TILE_COLS + c, key)

    def describe(self) -> str:
        if self.ready():
            return ("Means decoded on the left; the result is base + s·(mean A − mean B). Move the sample "
                    "above to change the base.")
        need = [k.upper() for k in ("a", "b") if self.chosen_class(k) is None and not self.members[k]]
        return (f"Click samples that share an attribute into set A, others into set B "
                f"(still empty: {' and '.join(need)}).")

    def show_result(self, ims: list[np.ndarray]) -> None:
        for k, im in zip(("a", "b", "base", "result"), ims):
            self.pics[k].show_image(im)

    def clear_result(self) -> None:
        for p in self.pics.values():
            p.img.clear()
