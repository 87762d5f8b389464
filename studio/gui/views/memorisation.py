"""The Memorisation tab: did the generator just copy the training set?

It draws what `tools.memorisation.compute` returns (numpy only, computed on a worker thread): every
sample of the fixed-noise grid beside its nearest training image with the distance under the pair,
closest first (a red distance: closer than 95% of held-out real images come), the histogram of
sample distances against those of held-out real images with both medians, and the verdict line.
The same picture, drawn with Pillow, is `gan-studio eval --checkpoint CKPT --nearest OUT.png`.
"""
from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ...config import palette
from .base import light_grid, palette_colors, style_plot

CLOSE_QUANTILE = 0.05       # as tools.memorisation: closer than 95% of held-out real images
WARN = QtGui.QColor(215, 60, 60)


def to_rgb(x: np.ndarray) -> np.ndarray:
    """(C, H, W) floats in [-1, 1] -> (H, W, 3) uint8, C-contiguous."""
    a = np.clip((np.asarray(x, np.float32) + 1) * 127.5, 0, 255).round().astype(np.uint8)
    a = np.repeat(a, 3, 0) if a.shape[0] == 1 else a[:3]
    return np.ascontiguousarray(a.transpose(1, 2, 0))


def qimage(a: np.ndarray) -> QtGui.QImage:
    h, w = a.shape[:2]
    return QtGui.QImage(a.data, w, h, 3 * w, QtGui.QImage.Format.Format_RGB888).copy()


class PairsWidget(QtWidgets.QWidget):
    """Pairs (sample | nearest training image) in as many columns as fit, the distance under each."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pairs: list[tuple[QtGui.QImage, QtGui.QImage, float]] = []
        self.limit = -math.inf
        self.side = 48

    def set_pairs(self, samples, nearest, distance, limit: float) -> None:
        order = np.argsort(distance, kind="stable")
        self.pairs = [(qimage(to_rgb(samples[i])), qimage(to_rgb(nearest[i])), float(distance[i])) for i in order]
        n = samples.shape[-1]
        self.side = n * max(1, math.ceil(48 / n))
        self.limit = limit
        self._fit_height()
        self.update()

    def cell(self) -> tuple[int, int]:
        fm = self.fontMetrics()
        return 2 * self.side + 3 + 14, self.side + fm.height() + 10

    def columns(self) -> int:
        return max(1, (self.width() - 8) // self.cell()[0])

    def _fit_height(self) -> None:
        rows = math.ceil(len(self.pairs) / self.columns()) if self.pairs else 0
        self.setMinimumHeight(rows * self.cell()[1] + 8)

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        self._fit_height()

    def sizeHint(self) -> QtCore.QSize:
        cw, ch = self.cell()
        return QtCore.QSize(4 * cw + 8, 4 * ch)

    def paintEvent(self, e) -> None:
        p = QtGui.QPainter(self)
        _, fg, _ = palette_colors(self)
        cw, ch = self.cell()
        cols = self.columns()
        ox = max(4, (self.width() - cols * cw) // 2)
        s = self.side
        fake, real = QtGui.QColor(palette.FAKE), QtGui.QColor(palette.REAL)
        for k, (a, b, dist) in enumerate(self.pairs):
            x, y = ox + (k % cols) * cw + 7, 4 + (k // cols) * ch
            for j, (im, col) in enumerate(((a, fake), (b, real))):
                r = QtCore.QRect(x + j * (s + 3), y, s, s)
                p.drawImage(r, im)
                p.setPen(QtGui.QPen(col, 1))
                p.drawRect(r.adjusted(-1, -1, 0, 0))
            p.setPen(WARN if dist < self.limit else fg)
            p.drawText(QtCore.QRect(x, y + s + 2, 2 * s + 3, ch - s - 4),
                       QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignTop, f"{dist:.3g}")
        p.end()


class MemorisationView(QtWidgets.QWidget):
    """The check's result, or what to do to get one. `check_requested(space)` asks for a (new) check."""
    check_requested = QtCore.Signal(str)

    EMPTY = ("<b>Did the generator just copy the training set?</b><br>This check puts each sample of the "
             "fixed-noise grid beside its nearest training image and compares the distances with those of "
             "real images the model never saw. Load a checkpoint of an image run, or train an image preset, "
             "then press <i>Check</i>.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result: dict | None = None
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        top = QtWidgets.QHBoxLayout()
        self.title = QtWidgets.QLabel(self)
        self.title.setObjectName("memo_title")
        self.title.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        self.space = QtWidgets.QComboBox(self)
        self.space.setObjectName("memo_space")
        self.space.addItem("feature space", "feature")
        self.space.addItem("pixels", "pixel")
        self.space.setToolTip("Distances in the feature classifier's space (what the image metrics use) or "
                              "in pixels")
        top.addWidget(self.space)
        self.button = QtWidgets.QPushButton("Check", self)
        self.button.setObjectName("memo_check")
        self.button.clicked.connect(lambda: self.check_requested.emit(self.space.currentData()))
        top.addWidget(self.button)
        lay.addLayout(top)
        self.verdict = QtWidgets.QLabel(self)
        self.verdict.setObjectName("memo_verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.verdict)
        self.split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal, self)
        self.pairs = PairsWidget()
        scroll = QtWidgets.QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.pairs)
        self.scroll = scroll
        self.plot_widget = pg.PlotWidget(self)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "nearest-image distance")      # short: the plot may be 260 px wide
        self.plot.setLabel("left", "density")
        self.plot.getAxis("left").enableAutoSIPrefix(False)       # no "(x0.001)" on a density
        self.plot_widget.setToolTip("Distance of each sample (orange) and each held-out real image (blue) "
                                    "to its nearest training image")
        self.plot.setMouseEnabled(x=False, y=False)
        self.legend = self.plot.addLegend(offset=(-8, 8))
        self.split.addWidget(scroll)
        self.split.addWidget(self.plot_widget)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setChildrenCollapsible(False)
        self.plot_widget.setMinimumWidth(260)
        scroll.setMinimumWidth(2 * self.pairs.cell()[0])
        lay.addWidget(self.split, 1)
        self.clear()

    def set_target(self, text: str, can_check: bool, why_not: str = "") -> None:
        """What a check would look at (shown until a result is there)."""
        self.button.setEnabled(can_check)
        self.button.setToolTip(text if can_check else why_not)
        if self.result is None:
            self.title.setText(self.EMPTY + (f"<br>Next check: {html.escape(text)}" if can_check else
                                             f"<br><i>{html.escape(why_not)}</i>"))

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        self.button.setText("Checking…" if busy else "Check")

    def clear(self) -> None:
        self.result = None
        self.title.setText(self.EMPTY)
        self.verdict.setText("")
        self.verdict.hide()
        self.pairs.set_pairs(np.zeros((0, 1, 8, 8)), np.zeros((0, 1, 8, 8)), np.zeros(0), -math.inf)
        self.plot.clear()
        self.split.hide()

    def show_result(self, m: dict) -> None:
        """Draw a result of tools.memorisation.compute (numpy arrays and plain values)."""
        self.result = m
        space = "classifier feature space" if m["space"] == "feature" else "pixel space"
        self.title.setText(f"<b>Memorisation</b> · {html.escape(Path(m['path']).name)} · step {m['step']:,} · "
                           f"{space} · {len(m['distance'])} samples, closest first (sample | nearest training "
                           f"image)")
        _, fg, _ = palette_colors(self)
        warn = m["ratio"] < 0.8
        self.verdict.setStyleSheet(f"color: {WARN.name() if warn else fg.name()}; font-weight: bold;")
        self.verdict.setText(m["verdict"][:1].upper() + m["verdict"][1:] + ".")
        self.verdict.setToolTip("\n".join(m.get("notes", [])))
        self.verdict.show()
        limit = float(np.quantile(m["held"], CLOSE_QUANTILE))
        self.pairs.set_pairs(m["samples"], m["nearest"], m["distance"], limit)
        self._histogram(m)
        self.split.show()

    def _histogram(self, m: dict) -> None:
        self.plot.clear()
        bg, _, _ = palette_colors(self)
        self.plot_widget.setBackground(bg)
        style_plot(self.plot, self)
        light_grid(self.plot, 0.15)
        d, h = np.asarray(m["distance"]), np.asarray(m["held"])
        hi = float(max(d.max(), h.max())) * 1.05 or 1.0
        edges = np.linspace(0, hi, 31)
        hs, _ = np.histogram(d, edges, density=True)
        hh, _ = np.histogram(h, edges, density=True)
        w = (edges[1] - edges[0]) / 2
        real, fake = QtGui.QColor(palette.REAL), QtGui.QColor(palette.FAKE)
        self.plot.addItem(pg.BarGraphItem(x0=edges[:-1], width=w, height=hh, brush=real, pen=None,
                                          name=f"held-out real ({len(h)})"))
        self.plot.addItem(pg.BarGraphItem(x0=edges[:-1] + w, width=w, height=hs, brush=fake, pen=None,
                                          name=f"samples ({len(d)})"))
        self.legend.clear()
        self.legend.addItem(pg.BarGraphItem(x0=[0], width=1, height=1, brush=real), f"held-out real ({len(h)})")
        self.legend.addItem(pg.BarGraphItem(x0=[0], width=1, height=1, brush=fake), f"samples ({len(d)})")
        for med, col, where in ((float(np.median(h)), real, 0.7), (float(np.median(d)), fake, 0.55)):
            line = pg.InfiniteLine(med, angle=90, pen=pg.mkPen(col, width=2, style=QtCore.Qt.PenStyle.DashLine),
                                   label=f"median {med:.3g}", labelOpts={"position": where, "color": col})
            self.plot.addItem(line)
        self.plot.setXRange(0, hi, padding=0.02)
        # headroom over the tallest bar for the legend (top right), so that it never covers a bar
        self.plot.setYRange(0, max(hs.max(), hh.max()) * 1.7 or 1.0, padding=0)
