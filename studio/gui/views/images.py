"""Image views: the fixed-noise sample grid (labelled by class for conditional models) and the
CycleGAN view (input, translation and reconstruction side by side, for both directions).

Accepted snapshot keys (numpy): either `grid`, one uint8 (H, W[, C]) picture of tiles with its
`layout` as the engine made it ({rows, cols, padding, classes}: classes[row][col] is each tile's
class, -1 for none, or None when the samples have no class), or `images`, a batch (N, H, W[, C]) or
(N, C, H, W), uint8 or floats in [-1, 1], with optional `labels` (the class of each image). Also
`n_classes`, `class_names`, `step`. Nothing is inferred from the pixels: a grid of one class a column
is shown as one class a row because its layout says so. Images are shown with fixed levels 0..255
and a locked aspect ratio.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets
from PySide6.QtCore import Qt

from .base import SnapshotView, palette_colors


def to_uint8(a) -> np.ndarray:
    """(H, W), (H, W, C) or (C, H, W) as uint8 (H, W, C); floats are read as [-1, 1]."""
    a = np.asarray(a)
    if a.ndim == 3 and a.shape[0] in (1, 3, 4) and a.shape[-1] not in (1, 3, 4):
        a = a.transpose(1, 2, 0)
    if a.dtype != np.uint8:
        a = np.clip((a.astype(np.float32) + 1.0) * 127.5, 0, 255).round().astype(np.uint8)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    return a


def batch_uint8(b) -> list[np.ndarray]:
    b = np.asarray(b)
    if b.ndim == 2 or (b.ndim == 3 and b.shape[-1] in (3, 4)):
        return [to_uint8(b)]
    return [to_uint8(x) for x in b]


def tile(images: list[np.ndarray], rows: list[list[int]], pad: int = 2) -> np.ndarray:
    """Place images[i] for i in each row; returns the picture (white-free dark padding)."""
    h, w = images[0].shape[:2]
    ch = 3 if any(im.ndim == 3 for im in images) else 0
    ncol = max((len(r) for r in rows), default=1)
    shape = (len(rows) * (h + pad) + pad, ncol * (w + pad) + pad) + ((ch,) if ch else ())
    out = np.zeros(shape, np.uint8)
    for r, idx in enumerate(rows):
        for c, i in enumerate(idx):
            im = images[i]
            if ch and im.ndim == 2:
                im = np.repeat(im[..., None], 3, -1)
            y, x = pad + r * (h + pad), pad + c * (w + pad)
            out[y:y + h, x:x + w] = im[..., :3] if ch else im
    return out


def transpose_tiles(pic: np.ndarray, rows: int, cols: int, pad: int = 2) -> np.ndarray:
    """A make_grid picture of rows x cols tiles rearranged as cols x rows (tile (r, c) goes to
    (c, r)); each cell is its leading padding and its image, and one padding closes the picture."""
    th, tw = (pic.shape[0] - pad) // rows, (pic.shape[1] - pad) // cols
    cells = pic[:rows * th, :cols * tw].reshape((rows, th, cols, tw) + pic.shape[2:])
    out = np.empty((cols * th + pad, rows * tw + pad) + pic.shape[2:], pic.dtype)
    out[...] = pic[-1, -1]                                         # the padding's colour
    out[:cols * th, :rows * tw] = cells.transpose((2, 1, 0, 3) + tuple(range(4, cells.ndim))).reshape(
        (cols * th, rows * tw) + pic.shape[2:])
    return out


class _Picture:
    """A ViewBox showing one uint8 picture, y down, aspect locked, with optional axis labels."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        plot.setAspectLocked(True)
        plot.invertY(True)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        for ax in ("left", "bottom"):
            plot.hideAxis(ax)
        self.img = pg.ImageItem(axisOrder="row-major")
        self.img.setLevels((0, 255))
        plot.addItem(self.img)

    def show(self, pic: np.ndarray) -> None:
        first = self.img.image is None or self.img.image.shape[:2] != pic.shape[:2]
        self.img.setImage(pic, autoLevels=False, levels=(0, 255))
        if first:
            self.plot.vb.setRange(xRange=(0, pic.shape[1]), yRange=(0, pic.shape[0]), padding=0.01)

    def clear(self) -> None:
        self.img.clear()


class ImageView(SnapshotView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.caption = QtWidgets.QLabel(self)
        self.gw = pg.GraphicsLayoutWidget(self)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.caption)
        lay.addWidget(self.gw, 1)
        self.pic = _Picture(self._add_plot(self.gw.addPlot()))
        self.row_labels: list[str] = []

    def _draw(self, d: dict) -> None:
        labels = d.get("labels")
        labels = None if labels is None else np.asarray(labels).astype(int).ravel()
        n_classes = int(d.get("n_classes", 0) or 0)
        names = list(d.get("class_names") or [])
        def name(c: int) -> str:     # "Sneaker"; "class 3" where the names are just numbers
            return names[c] if c < len(names) and names[c] != str(c) else f"class {c}"
        rows_label: list[tuple[float, str]] = []
        cols_label: list[tuple[float, str]] = []
        if "images" in d:
            ims = batch_uint8(d["images"])
            pad = 2
            if n_classes > 0 and labels is not None and len(labels) == len(ims):
                rows = [[i for i in range(len(ims)) if labels[i] == c] for c in range(n_classes)]
                rows = [r for r in rows if r]
                row_cls = [int(labels[r[0]]) for r in rows]
            else:
                ncol = int(d.get("nrow") or math.ceil(math.sqrt(len(ims))))
                rows = [list(range(i, min(i + ncol, len(ims)))) for i in range(0, len(ims), ncol)]
                row_cls = []
            pic = tile(ims, rows, pad)
            h = ims[0].shape[0] + pad
            rows_label = [(pad + r * h + h / 2 - 1, name(c)) for r, c in enumerate(row_cls)]
        else:   # a grid laid out by the engine: its layout says where each tile and its class are
            pic = to_uint8(d["grid"])
            lay = d.get("layout") or {}
            nr, nc = int(lay.get("rows", 1)), int(lay.get("cols", 1))
            pad = int(lay.get("padding", 2))
            classes = lay.get("classes")
            if classes is not None:
                grid = np.asarray(classes, dtype=int).reshape(nr, nc)
                by_row = all(len(set(r[r >= 0])) <= 1 for r in grid)
                by_col = all(len(set(c[c >= 0])) <= 1 for c in grid.T)
                if by_col and not by_row:   # one class a column: shown as one class a row, the names fit
                    pic = transpose_tiles(pic, nr, nc, pad)
                    grid, (nr, nc), by_row = grid.T, (nc, nr), True
                ch, cw = (pic.shape[0] - pad) / nr, (pic.shape[1] - pad) / nc
                if by_row:
                    rows_label = [(pad + (r + 0.5) * ch, name(int(max(grid[r])))) for r in range(nr)]
                elif by_col:
                    cols_label = [(pad + (c + 0.5) * cw, name(int(max(grid[:, c])))) for c in range(nc)]
        self.pic.show(pic)
        self._axis_labels(rows_label, cols_label)
        step = d.get("step")
        what = "by class" if (rows_label or cols_label) else ""
        self.caption.setText(" · ".join(t for t in ("Samples from fixed noise", what,
                                                       f"step {step}" if step is not None else "") if t))

    def _axis_labels(self, rows, cols) -> None:
        p = self.pic.plot
        self.row_labels = [t for _, t in rows] or [t for _, t in cols]
        _, fg, _ = palette_colors(self)
        if rows:
            p.showAxis("left")
            ax = p.getAxis("left")
            ax.setTicks([rows, []])
            ax.setPen(pg.mkPen(None))
            ax.setTextPen(pg.mkPen(fg))
        else:
            p.hideAxis("left")
        if cols:
            p.showAxis("top")
            ax = p.getAxis("top")
            ax.setTicks([cols, []])
            ax.setPen(pg.mkPen(None))
            ax.setTextPen(pg.mkPen(fg))
        else:
            p.hideAxis("top")

    def _restyle(self) -> None:
        super()._restyle()
        _, fg, _ = palette_colors(self)
        for name in ("left", "top"):
            self.pic.plot.getAxis(name).setPen(pg.mkPen(None))
            self.pic.plot.getAxis(name).setTextPen(pg.mkPen(fg))

    def _clear(self) -> None:
        self.pic.clear()
        self._axis_labels([], [])
        self.caption.setText("")


KEYS = {  # panel: accepted snapshot keys
    "a": ("a", "real_a", "input_a", "x_a"), "ab": ("ab", "fake_b", "a2b", "translated_a"),
    "aba": ("aba", "rec_a", "a2b2a", "cycle_a"), "b": ("b", "real_b", "input_b", "x_b"),
    "ba": ("ba", "fake_a", "b2a", "translated_b"), "bab": ("bab", "rec_b", "b2a2b", "cycle_b"),
}
TITLES = {"a": "A", "ab": "A → B", "aba": "A → B → A", "b": "B", "ba": "B → A", "bab": "B → A → B"}


def strip_to_column(pic: np.ndarray, pad: int = 2) -> np.ndarray:
    """A one-row make_grid strip of square tiles turned into a column (sample i stays in row i)."""
    h = pic.shape[0]
    step = h - pad
    n = max(1, round((pic.shape[1] - pad) / step))
    if n == 1:
        return pic
    pieces = [pic[:, i * step:i * step + h] for i in range(n)]
    return np.concatenate([pieces[0]] + [p[pad:] for p in pieces[1:]], 0)


class CycleGanView(SnapshotView):
    """Six columns: A, A→B, A→B→A, then B, B→A, B→A→B; sample i of a direction is in row i, so
    each input, its translation and its reconstruction sit side by side. Each panel takes a
    one-row strip (make_grid with nrow = n), a single image or a batch."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.caption = QtWidgets.QLabel(self)
        self.gw = pg.GraphicsLayoutWidget(self)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        # the column titles are Qt labels that may shrink: a plot's own title would hold its column
        # at the title's width ("A → B → A" wider than "A"), and with the aspect locked the wider
        # columns would draw their images larger than the others'
        heads = QtWidgets.QHBoxLayout()
        heads.setContentsMargins(6, 0, 6, 0)
        heads.setSpacing(0)
        lay.addWidget(self.caption)
        lay.addLayout(heads)
        lay.addWidget(self.gw, 1)
        self.panels: dict[str, _Picture] = {}
        self.heads: dict[str, QtWidgets.QLabel] = {}
        for c, key in enumerate(("a", "ab", "aba", "b", "ba", "bab")):
            head = QtWidgets.QLabel(TITLES[key], self)
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            head.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
            head.setToolTip(TITLES[key])
            heads.addWidget(head, 1)
            self.heads[key] = head
            p = self._add_plot(self.gw.addPlot(row=0, col=c))
            self.panels[key] = _Picture(p)
            self.gw.ci.layout.setColumnStretchFactor(c, 1)
            self.gw.ci.layout.setColumnPreferredWidth(c, 1)
            p.setMinimumWidth(0)
        self.gw.ci.layout.setColumnSpacing(2, 0)

    def _draw(self, d: dict) -> None:
        for key, names in KEYS.items():
            val = next((d[k] for k in names if k in d and d[k] is not None), None)
            if val is None:
                self.panels[key].clear()
                continue
            ims = batch_uint8(val)
            if len(ims) == 1:
                pic = ims[0]
                if pic.shape[1] > 1.5 * pic.shape[0]:
                    pic = strip_to_column(pic)
            else:
                pic = tile(ims, [[i] for i in range(len(ims))])
            self.panels[key].show(pic)
        step = d.get("step")
        self.caption.setText("Input, translation and reconstruction, both directions"
                             + (f" · step {step}" if step is not None else ""))

    def _clear(self) -> None:
        for p in self.panels.values():
            p.clear()
        self.caption.setText("")
