"""The runs browser's Curves tab: one training curve (the key picked: D loss, G loss, ...) of every
compared run overlaid, one colour per run, smoothed by an exponential moving average with the raw
values faint; the legend above the plot (long names never cover the curves). A branched run has a
dashed line where it left its parent, and a live change of a setting a dotted one."""
from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget
from PySide6.QtGui import QPalette

from ...tools.compare import LOSS_KEYS, RunSummary
from ..views.base import light_grid
from .loss_plot import NAMES
from .loss_series import ema


class CurvesPage(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._runs: list[RunSummary] = []
        self._colours: dict[str, str] = {}
        self._label = lambda r, branch=True: r.name
        self.curve_items: dict[str, pg.PlotDataItem] = {}
        self.branch_lines: dict[str, pg.InfiniteLine] = {}
        cv = QVBoxLayout(self)
        cv.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        row.addWidget(QLabel("Curve", self))
        self.key_box = QComboBox(self)
        self.key_box.setToolTip("The training curve to overlay")
        self.key_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.key_box.currentIndexChanged.connect(lambda _: self.redraw())
        row.addWidget(self.key_box)
        row.addSpacing(12)
        row.addWidget(QLabel("Smoothing", self))
        self.smooth = QSlider(Qt.Orientation.Horizontal, self)
        self.smooth.setRange(0, 99)
        self.smooth.setValue(60)
        self.smooth.setMaximumWidth(160)
        self.smooth.setToolTip("Exponential moving average of the curves; the raw values stay faint")
        self.smooth.valueChanged.connect(lambda _: self.redraw())
        row.addWidget(self.smooth)
        row.addStretch(1)
        cv.addLayout(row)
        self.legend = QLabel(self)        # above the plot, wrapping: long names never cover the curves
        self.legend.setObjectName("runs_legend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        cv.addWidget(self.legend)
        self.curve_plot = pg.PlotWidget(self)
        p = self.curve_plot.getPlotItem()
        light_grid(p, 0.2)
        p.setLabel("bottom", "step")
        p.setClipToView(True)                      # long runs: draw what is in view, one peak per pixel
        p.setDownsampling(auto=True, mode="peak")
        cv.addWidget(self.curve_plot, 1)
        self.apply_palette()

    def fill_keys(self, runs: list[RunSummary]) -> None:
        """The curves the runs have, the losses first; the key chosen stays when it is still there."""
        keys: list[str] = []
        for r in runs:
            keys += [k for k in r.curves if k not in keys]
        first = [k for k in LOSS_KEYS if k in keys]
        keys = first + sorted(k for k in keys if k not in first)
        old = self.key_box.currentData()
        self.key_box.blockSignals(True)
        self.key_box.clear()
        for k in keys:
            self.key_box.addItem(NAMES.get(k, k), k)
        if old in keys:
            self.key_box.setCurrentIndex(keys.index(old))
        self.key_box.blockSignals(False)

    def draw(self, runs: list[RunSummary], colours: dict[str, str], label, legend_html: str) -> None:
        """Overlay the runs; label(run) names a run in the plot, legend_html is the legend above it."""
        self._runs, self._colours, self._label = list(runs), colours, label
        self.legend.setText(legend_html)
        self.redraw()

    def redraw(self) -> None:
        p = self.curve_plot.getPlotItem()
        p.clear()
        key = self.key_box.currentData()
        self.curve_items, self.branch_lines = {}, {}
        if key is None:
            p.setTitle("")
            return
        p.setTitle(html.escape(NAMES.get(key, key)), size="9pt", color=self._fg)
        alpha = self.smooth.value() / 100
        for r in self._runs:
            if key not in r.curves:
                continue
            colour = self._colours[str(r.path)]
            xs, ys = r.curves[key]
            ok = np.isfinite(ys)
            xs, ys = xs[ok], ys[ok]
            if not len(xs):
                continue
            if alpha > 0:
                faint = pg.mkColor(colour)
                faint.setAlpha(60)
                p.plot(xs, ys, pen=pg.mkPen(faint, width=1))
            self.curve_items[str(r.path)] = p.plot(xs, ema(ys, alpha, None), pen=pg.mkPen(colour, width=2),
                                                   name=self._label(r))
            if r.branch is not None:
                line = pg.InfiniteLine(r.branch.from_step, angle=90,
                                       pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine),
                                       label=f"↳ {r.branch.parent_name}",
                                       labelOpts={"position": 0.92, "color": colour, "anchors": [(0, 0), (0, 0)]})
                line.setToolTip(f"{r.name} branched from {r.branch.parent_name} at step {r.branch.from_step:,}")
                p.addItem(line)
                self.branch_lines[str(r.path)] = line
            for step, k, old, new in r.changes:
                mark = pg.InfiniteLine(step, angle=90, pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DotLine))
                mark.setToolTip(f"{r.name}: {k} {old} → {new} at step {step:,}")
                p.addItem(mark)

    def apply_palette(self) -> None:
        pal = QApplication.palette()
        bg, fg = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self._fg = fg.name()
        self.curve_plot.setBackground(bg)
        p = self.curve_plot.getPlotItem()
        for name in ("left", "bottom"):
            ax = p.getAxis(name)
            ax.setPen(pg.mkPen(fg))
            ax.setTextPen(pg.mkPen(fg))
