"""Live training curves with pyqtgraph: losses, D outputs, gradient norms and game parameters.

Growing numpy buffers (capacity doubles), a ~30 Hz QTimer that redraws only the curves that
changed and at most five times a second while data keeps coming (a lone step shows at once),
clip-to-view and peak downsampling so 100k+ points stay smooth, an exponential-moving-
average smoothing slider computed incrementally, a log-scale toggle, and vertical markers where a
hyperparameter changed. Plots share the step axis and have fixed-width y axes so nothing jumps.
`set_cursor(step)` draws a solid vertical line at the step the rewind timeline shows (None removes it).

The step axis follows the run in strides: its end moves to the first of 1, 1.25, 1.5, 2, 2.5, 3,
4, 5, 6, 8 x 10^k at least 10% past the newest step, instead of growing with every batch of
metrics. A range change regenerates and repaints every axis and grid of the linked plots, which
made the plots the costliest part of the studio while training (bench/gui_latency.py). Panning or
zooming the step axis stops the following; a plot's auto-range button starts it again.
"""
from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (QApplication, QCheckBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout,
                               QWidget)

from ..views.base import light_grid
from .loss_series import Series, x_end

GROUPS = [   # plot title, keys (in legend order); anything else goes to the last plot
    ("Losses", ("loss_d", "loss_g", "wdist", "gp", "cls_d", "cls_g", "loss_d_a", "loss_d_b", "adv_g",
                "cycle", "identity")),
    ("D(real) and D(fake) means", ("d_real", "d_fake", "acc_real", "acc_fake")),
    ("Gradient norms", ("gn_d", "gn_g", "gp_norm")),
    ("Game parameters", ()),
]
NAMES = {"loss_d": "D loss", "loss_g": "G loss", "wdist": "critic W estimate", "gp": "gradient penalty",
         "d_real": "D(real)", "d_fake": "D(fake)", "gn_d": "‖∇D‖", "gn_g": "‖∇G‖", "gp_norm": "‖∇D(x̂)‖",
         "theta": "θ", "phi": "φ", "d_slope": "D slope", "L": "L(θ, φ)", "radius": "radius",
         "cls_d": "D class", "cls_g": "G class", "acc_real": "class acc. real",
         "acc_fake": "class acc. fake", "loss_d_a": "D_A loss", "loss_d_b": "D_B loss",
         "adv_g": "G adversarial", "cycle": "cycle loss", "identity": "identity loss"}
COLORS = {"loss_d": "#4e8df5", "loss_g": "#f0843c", "wdist": "#3fb950", "gp": "#b07aa1",
          "cls_d": "#22b8cf", "cls_g": "#e5534b", "acc_real": "#3fb950", "acc_fake": "#b07aa1", "loss_d_a": "#22b8cf", "loss_d_b": "#9c755f",
          "adv_g": "#e5534b", "cycle": "#3fb950", "identity": "#c69026",
          "d_real": "#22b8cf", "d_fake": "#f0843c", "gn_d": "#4e8df5", "gn_g": "#f0843c",
          "gp_norm": "#b07aa1", "theta": "#e5534b", "phi": "#4e8df5", "d_slope": "#3fb950",
          "L": "#b07aa1", "radius": "#c69026"}
EXTRA = ["#e5534b", "#3fb950", "#c69026", "#b07aa1", "#22b8cf", "#9c755f", "#8d6cf0", "#1f9e89",
         "#ff6f91", "#6b7f99", "#a0c334", "#d98b2b"]
SKIP = {"step", "kind", "t", "event"}
CURSOR = "#d6336c"      # the rewind cursor: apart from every curve colour
AXIS_WIDTH = 58
PLOT_MIN_HEIGHT = 72
MIN_WIDTH = 300         # the legends wrap and the axes stay down to this width
MIN_REDRAW_S = 0.2      # while a run streams metrics; each redraw costs the GUI thread ~4 ms


class LossPlot(QWidget):
    """Feed it with `add_records([(step, {key: value}), ...])`; it redraws itself on a timer."""

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(2)
        bar = QHBoxLayout()
        self.log_box = QCheckBox("Log scale", self)
        self.log_box.setToolTip("Logarithmic y axes (negative values are not drawn)")
        self.log_box.toggled.connect(self.set_log)
        bar.addWidget(self.log_box)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Smoothing", self))
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, 99)
        self.slider.setMaximumWidth(200)
        self.slider.setToolTip("Exponential moving average of the curves; the raw values stay faint")
        self.slider.valueChanged.connect(lambda v: self.set_smoothing(v / 100))
        bar.addWidget(self.slider)
        self.smooth_label = QLabel("0.00", self)
        self.smooth_label.setMinimumWidth(32)
        bar.addWidget(self.smooth_label)
        bar.addStretch(1)
        self.count_label = QLabel("", self)
        bar.addWidget(self.count_label)
        lay.addLayout(bar)
        self.placeholder = QLabel("The curves appear here once training starts: losses, D(real) and "
                                  "D(fake), gradient norms and the game's parameters.", self)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)          # drawn muted
        lay.addWidget(self.placeholder, 1)
        self.plots: list[pg.PlotWidget] = []
        for i, (title, _keys) in enumerate(GROUPS):
            w = pg.PlotWidget(self)
            p = w.getPlotItem()
            p.setTitle(title, size="9pt")
            light_grid(p, 0.2)
            p.getAxis("left").setWidth(AXIS_WIDTH)
            p.setClipToView(True)
            p.setDownsampling(auto=True, mode="peak")
            p.getViewBox().setAutoVisible(y=True)
            if i:
                p.setXLink(self.plots[0].getPlotItem())
            p.enableAutoRange(x=False)
            p.getViewBox().sigRangeChangedManually.connect(self._x_moved_by_user)
            p.setLabel("bottom", "step") if i == len(GROUPS) - 1 else None
            w.setMinimumHeight(PLOT_MIN_HEIGHT)
            w.hide()
            lay.addWidget(w, 1)
            self.plots.append(w)
        self.series: dict[str, Series] = {}
        self.markers: list[tuple[float, str]] = []
        self._marker_items: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self.cursor: float | None = None           # the step the rewind timeline shows
        self._cursor_items: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self.alpha = 0.0
        self.log = False
        self.follow_x = True         # the step axis follows the run (until the user pans or zooms)
        self._x_range: tuple[float, float] | None = None
        self.timer = QTimer(self)
        self._last_redraw = 0.0
        self.timer.setInterval(33)
        self.timer.timeout.connect(lambda: self.redraw(force=False))
        self.timer.start()
        self.apply_palette()

    # ------------------------------------------------------------------ data in
    def add_records(self, records) -> None:
        """records: iterable of (step, {key: value}); non-finite values are left out."""
        cols: dict[str, tuple[list, list]] = {}
        for step, values in records:
            for k, v in values.items():
                if k in SKIP or not isinstance(v, (int, float)) or isinstance(v, bool):
                    continue
                if not math.isfinite(v):
                    continue
                xs, ys = cols.setdefault(k, ([], []))
                xs.append(step)
                ys.append(v)
        for k, (xs, ys) in cols.items():
            self._series(k).extend(np.asarray(xs, np.float64), np.asarray(ys, np.float64), self.alpha)

    def add_marker(self, step: float, text: str) -> None:
        """A vertical line on every plot, labelled on the first one."""
        self.markers.append((step, text))
        for i, w in enumerate(self.plots):
            line = pg.InfiniteLine(pos=step, angle=90, movable=False,
                                   pen=pg.mkPen("#c69026", style=Qt.PenStyle.DashLine),
                                   label=text if i == 0 else None,
                                   labelOpts={"position": 0.97, "color": "#c69026",
                                              "anchors": [(1, 0), (1, 0)],   # left of the line
                                              "fill": pg.mkBrush(128, 128, 128, 50)})
            line.setToolTip(text)
            w.getPlotItem().addItem(line, ignoreBounds=True)
            self._marker_items.append((w.getPlotItem(), line))

    def set_cursor(self, step: float | None) -> None:
        """A vertical line at `step` on every plot, labelled on the first (None: no cursor)."""
        self.cursor = None if step is None else float(step)
        if step is None:
            for item, line in self._cursor_items:
                item.removeItem(line)
            self._cursor_items.clear()
            return
        if not self._cursor_items:
            for i, w in enumerate(self.plots):
                line = pg.InfiniteLine(pos=step, angle=90, movable=False, pen=pg.mkPen(CURSOR, width=2),
                                       label="step {value:,.0f}" if i == 0 else None,
                                       labelOpts={"position": 0.08, "color": CURSOR, "anchors": [(0, 1), (0, 1)],
                                                  "fill": pg.mkBrush(128, 128, 128, 60)})
                line.setZValue(20)
                w.getPlotItem().addItem(line, ignoreBounds=True)
                self._cursor_items.append((w.getPlotItem(), line))
        for _item, line in self._cursor_items:
            line.setValue(step)

    def truncate(self, step: float) -> None:
        """Drop points after `step` (a run resumed from an earlier checkpoint)."""
        for s in self.series.values():
            s.truncate(step)

    def clear(self) -> None:
        # PlotItem.clear() removes every item it was given (curves and marker lines) from its scene,
        # once: removing them from the ViewBox first as well made Qt warn "QGraphicsScene::removeItem:
        # item's scene is different from this scene" twice per curve on every new run
        for w in self.plots:
            w.getPlotItem().clear()
            w.hide()
        self.placeholder.show()
        self.series.clear()
        self.markers.clear()
        self._marker_items.clear()
        self._cursor_items.clear()
        self.cursor = None
        self.count_label.setText("")
        self.follow_x, self._x_range = True, None
        self._titles()

    def point_count(self, key: str | None = None) -> int:
        if key is not None:
            return self.series[key].n if key in self.series else 0
        return sum(s.n for s in self.series.values())

    # ------------------------------------------------------------------ display
    def set_log(self, on: bool) -> None:
        self.log = bool(on)
        for w in self.plots:
            w.getPlotItem().setLogMode(False, self.log)

    def set_smoothing(self, alpha: float) -> None:
        self.alpha = min(max(alpha, 0.0), 0.99)
        self.smooth_label.setText(f"{self.alpha:.2f}")
        for s in self.series.values():
            s.resmooth(self.alpha)

    def redraw(self, force: bool = True) -> None:
        if not any(s.dirty for s in self.series.values()):
            return
        now = time.monotonic()
        if not force and now - self._last_redraw < MIN_REDRAW_S:
            return
        self._last_redraw = now
        total = 0
        first, last = math.inf, -math.inf
        changed = False
        for s in self.series.values():
            total += s.n
            if s.n:
                first, last = min(first, s.x[0]), max(last, s.x[s.n - 1])
            if not s.dirty:
                continue
            changed = True
            s.dirty = False
            x = s.x[:s.n]
            if self.alpha > 0:
                s.raw.setData(x, s.y[:s.n])
                s.smooth.setData(x, s.s[:s.n])
            else:
                if s.raw.xData is not None and len(s.raw.xData):
                    s.raw.setData([], [])
                s.smooth.setData(x, s.y[:s.n])
        if total:
            self.count_label.setText(f"{total:,} points")
        if changed and total:
            self._follow(first, last)

    def _follow(self, first: float, last: float) -> None:
        boxes = [w.getPlotItem().getViewBox() for w in self.plots]
        if any(vb.state["autoRange"][0] for vb in boxes):   # an auto-range button: follow again
            for vb in boxes:
                vb.enableAutoRange(x=False)
            self.follow_x, self._x_range = True, None
        if not self.follow_x:
            return
        want = (first, max(x_end(last), first + 10))
        if want != self._x_range:
            self._x_range = want
            boxes[0].setXRange(*want, padding=0.02)

    def _x_moved_by_user(self, mask) -> None:
        if mask[0]:
            self.follow_x = False

    def apply_palette(self) -> None:
        pal = QApplication.palette()
        bg, fg = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        for w in self.plots:
            w.setBackground(bg)
            p = w.getPlotItem()
            for name in ("left", "bottom"):
                ax = p.getAxis(name)
                ax.setPen(pg.mkPen(fg))
                ax.setTextPen(pg.mkPen(fg))
        self._fg = fg.name()
        for s in self.series.values():
            self._style(s)
        self._titles()

    def _titles(self) -> None:
        """Each plot's title doubles as its legend: coloured names, nothing drawn over the data. The
        entries wrap onto more lines when the plot is narrow, so that none is cut off."""
        fg = getattr(self, "_fg", "#888888")
        font = QFont(self.font())
        font.setPointSizeF(9)
        fm = QFontMetrics(font)
        for gi, (title, _) in enumerate(GROUPS):
            # the title sits over the data area, right of the fixed-width left axis
            avail = max(self.plots[gi].width(), MIN_WIDTH) - AXIS_WIDTH - 16
            keys = [k for k, s in self.series.items() if s.group == gi]
            parts = [(title, f"<span style='color:{fg}'>{title}</span>")]
            parts += [(f"■ {NAMES.get(k, k)}", f"<span style='color:{self.series[k].color}'>■ {NAMES.get(k, k)}</span>")
                      for k in keys]
            lines, width = [[]], 0
            for plain, rich in parts:
                w = fm.horizontalAdvance(plain + "   ")
                if lines[-1] and width + w > avail:
                    lines.append([])
                    width = 0
                lines[-1].append(rich)
                width += w
            text = "<br>".join("&nbsp;&nbsp; ".join(line) for line in lines)
            item = self.plots[gi].getPlotItem()
            if getattr(item, "_legend_text", None) != text:
                item._legend_text = text
                item.setTitle(text, size="9pt")
                h = max(30, len(lines) * fm.lineSpacing() + 12)      # pyqtgraph fixes one line's 30 px
                item.titleLabel.setMaximumHeight(h)
                item.layout.setRowFixedHeight(0, h)

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        self._titles()

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), MIN_WIDTH), hint.height())

    def changeEvent(self, e) -> None:
        if e.type() == QEvent.Type.PaletteChange:
            self.apply_palette()
        super().changeEvent(e)

    # ------------------------------------------------------------------ helpers
    def _series(self, key: str) -> Series:
        s = self.series.get(key)
        if s is None:
            gi = next((i for i, (_, keys) in enumerate(GROUPS) if key in keys), len(GROUPS) - 1)
            taken = {t.color for t in self.series.values() if t.group == gi}
            color = COLORS.get(key)
            if color is None or color in taken:      # no two curves of one plot in one colour
                color = next((c for c in list(COLORS.values()) + EXTRA if c not in taken), EXTRA[0])
            s = Series(key, self.plots[gi].getPlotItem(), color)
            s.group = gi
            self._style(s)
            self.plots[gi].show()
            self.placeholder.hide()
            self.series[key] = s
            self._titles()
        return s

    def _style(self, s: Series) -> None:
        c = pg.mkColor(s.color)
        faint = pg.mkColor(s.color)
        faint.setAlpha(70)
        s.raw.setPen(pg.mkPen(faint))
        s.smooth.setPen(pg.mkPen(c, width=1))
