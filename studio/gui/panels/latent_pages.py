"""The latent explorer's vector-arithmetic page: two sets of samples picked on a grid (or whole
classes), their mean latents, and base + s·(A − B). The interpolation page is latent_interp."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from .latent_picture import (SET_COLOURS, SLIDER_RANGE, SLIDER_STEPS, TILE_COLS, TILE_ROWS,  # noqa: F401
                             Picture, latent_slider, tile_grid)    # (re-exported)


class ArithmeticPage(QtWidgets.QWidget):
    """Sets A and B (tiles of a grid of seeds, or a class), their decoded means, the base and
    base + s·(mean_A − mean_B). The explorer renders; this widget keeps the choices."""
    changed = QtCore.Signal()              # the result needs drawing again
    tiles_changed = QtCore.Signal()        # the grid needs drawing again

    def __init__(self, parent=None):
        super().__init__(parent)
        self.members: dict[str, set[int]] = {"a": set(), "b": set()}
        self.grid = Picture(self)
        self.grid.setMinimumSize(200, 120)        # three rows of tiles a person can tell apart
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
            self.pics[k].setMinimumSize(64, 64)
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
        # in a small window the page scrolls rather than squeezing the grid and the four pictures away
        inner = QtWidgets.QWidget(self)
        lay = QtWidgets.QHBoxLayout(inner)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(left, 5)
        lay.addLayout(right, 6)
        self.scroll = QtWidgets.QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll.setWidget(inner)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
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

    def tile_points(self, m, truncation: float) -> np.ndarray:
        """The grid's latent vectors of model m, truncated as the sample above."""
        return np.stack([m.compose(m.z_for_seed(s), None, truncation) for s in self.seeds()])

    def means(self, m, zs: np.ndarray, y) -> tuple:
        """(mean A, mean B) as points of G's input: a whole class's, or the mean of the tiles clicked
        (zs, drawn with class y)."""
        def mean(key):
            cls = self.chosen_class(key)
            return m.set_mean(cls=cls) if cls is not None else m.set_mean(zs[sorted(self.members[key])], y)
        return mean("a"), mean("b")

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
