"""The 1D view (the seeds' figure 15.1): densities, samples, D(x) and the optimal D*(x); for the shift
generator also θ over training and the phase portrait of θ against the discriminator's slope."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ...config.palette import ACCENT, DISC, FAKE, REAL
from .base import RangeKeeper, SnapshotView, light_grid, palette_colors


def _alpha(color: str, a: int) -> pg.QtGui.QColor:
    c = pg.mkColor(color)
    c.setAlpha(a)
    return c


class View1D(SnapshotView):
    MAX_HISTORY = 200_000

    def __init__(self, parent=None):
        super().__init__(parent)
        self.legend = QtWidgets.QLabel(self)
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.gw = pg.GraphicsLayoutWidget(self)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.legend)
        lay.addWidget(self.gw, 1)

        p = self.main = self._add_plot(self.gw.addPlot(row=0, col=0, colspan=2))
        p.setLabel("bottom", "x")
        p.setLabel("left", "density, D(x)")
        light_grid(p, 0.15)
        p.setMenuEnabled(False)
        self.c_real = p.plot(pen=pg.mkPen(REAL, width=2), fillLevel=0, brush=_alpha(REAL, 60))
        self.c_gen = p.plot(pen=pg.mkPen(FAKE, width=2), fillLevel=0, brush=_alpha(FAKE, 60))
        self.c_dstar = p.plot(pen=pg.mkPen(DISC, width=2, style=QtCore.Qt.PenStyle.DashLine))
        self.c_d = p.plot(pen=pg.mkPen(DISC, width=3))
        self.s_real = pg.ScatterPlotItem(symbol="|", size=11, pen=pg.mkPen(REAL, width=1.5), brush=None)
        self.s_fake = pg.ScatterPlotItem(symbol="|", size=11, pen=pg.mkPen(FAKE, width=1.5), brush=None)
        p.addItem(self.s_real)
        p.addItem(self.s_fake)
        self.half = pg.InfiniteLine(pos=0.5, angle=0, pen=pg.mkPen((128, 128, 128, 110), width=1,
                                                                   style=QtCore.Qt.PenStyle.DotLine))
        p.addItem(self.half)
        self.xr = RangeKeeper(0.05)
        self.yr = RangeKeeper(0.0)
        self.ytop = 1.08

        self.th = self._add_plot(self.gw.addPlot(row=1, col=0))
        self.th.setTitle("θ over training")
        self.th.setLabel("bottom", "step")
        self.th.setLabel("left", "θ")
        light_grid(self.th, 0.15)
        self.th.setClipToView(True)
        self.th.setDownsampling(auto=True, mode="peak")
        self.c_theta = self.th.plot(pen=pg.mkPen(FAKE, width=2))
        self.target = pg.InfiniteLine(angle=0, pen=pg.mkPen(REAL, width=1.5, style=QtCore.Qt.PenStyle.DashLine),
                                      label="real mean μ", labelOpts={"position": 0.97, "color": REAL,
                                                                       "anchors": [(1, 1), (1, 1)]})
        self.th.addItem(self.target)
        self.th_anchor = pg.ScatterPlotItem(size=1, pen=None, brush=(0, 0, 0, 0))   # keeps μ in range
        self.th.addItem(self.th_anchor)
        self.th_now = pg.ScatterPlotItem(size=8, brush=FAKE, pen=None)     # θ now (also a lone start)
        self.th.addItem(self.th_now)

        self.ph = self._add_plot(self.gw.addPlot(row=1, col=1))
        self.ph.setTitle("phase portrait")
        self.ph.setLabel("bottom", "θ (generator)")
        self.ph.setLabel("left", "w (D slope)")
        light_grid(self.ph, 0.15)
        self.c_phase = self.ph.plot(pen=pg.mkPen(DISC, width=1.5))
        self.p_start = pg.ScatterPlotItem(size=10, brush=ACCENT, pen=None)
        self.p_eq = pg.ScatterPlotItem(size=14, symbol="+", brush=REAL, pen=pg.mkPen(REAL, width=2))
        self.p_now = pg.ScatterPlotItem(size=12, brush=FAKE, pen=pg.mkPen("k", width=1))
        for it in (self.p_start, self.p_eq, self.p_now):
            self.ph.addItem(it)
        self.gw.ci.layout.setRowStretchFactor(0, 3)
        self.gw.ci.layout.setRowStretchFactor(1, 2)
        self._hist = np.zeros((0, 3))     # step, θ, w
        self._traced = False              # the history comes from add_trace (metrics)
        self._count = 0
        self._set_history_visible(False)
        self._restyle()

    # ------------------------------------------------------------------ drawing
    def _restyle(self) -> None:
        super()._restyle()
        bg, fg, _ = palette_colors(self)
        dash = pg.mkPen(fg, width=1.5, style=QtCore.Qt.PenStyle.DashLine)
        self.c_dstar.setPen(dash)
        self.p_now.setPen(pg.mkPen(fg, width=1))
        self._legend_html()

    def _legend_html(self, critic: bool = False, exact: bool = True) -> None:
        _, fg, _ = palette_colors(self)
        def sw(c, t):   # a legend entry: coloured, and never broken across lines
            return f'<span style="color:{c}; font-weight:bold; white-space:nowrap">{t.replace(" ", "&nbsp;")}</span>'
        d = "critic f(x), rescaled to [0, 1]" if critic else "D(x)"
        parts = [sw(REAL, "▇ real p<sub>r</sub>"), sw(FAKE, "▇ generated p<sub>g</sub>"),
                 sw(DISC, f"━ {d}")]
        if not critic:
            parts.append(sw(fg.name(), "╌ optimal D* = p<sub>r</sub>/(p<sub>r</sub>+p<sub>g</sub>)"
                            + ("" if exact else " (estimated)")))
        parts.append(f'<span style="color:{fg.name()}">(ticks&nbsp;below:&nbsp;samples)</span>')
        self.legend.setText("&nbsp;&nbsp; ".join(parts))

    def _set_history_visible(self, on: bool) -> None:
        self.th.setVisible(on)
        self.ph.setVisible(on)
        self.gw.ci.layout.setRowStretchFactor(1, 2 if on else 0)
        self.gw.ci.layout.setRowMaximumHeight(1, 1e6 if on else 0)

    def _draw(self, d: dict) -> None:
        x = np.asarray(d["x"], float)
        p_real, p_gen = np.asarray(d["p_real"], float), np.asarray(d["p_gen"], float)
        critic = d.get("output") == "critic"
        dv = np.asarray(d["d"], float)
        if critic:   # a critic has no fixed scale: show its shape on the same [0, 1] axis
            lo, hi = float(np.nanmin(dv)), float(np.nanmax(dv))
            dv = (dv - lo) / (hi - lo) if hi > lo else np.full_like(dv, 0.5)
        self.c_real.setData(x, p_real)
        self.c_gen.setData(x, p_gen)
        self.c_d.setData(x, dv)
        if critic or "d_star" not in d:
            self.c_dstar.setData([], [])
        else:
            self.c_dstar.setData(x, np.asarray(d["d_star"], float))
        self._legend_html(critic, bool(d.get("d_star_exact", True)))
        peak = float(max(np.nanmax(p_real), np.nanmax(p_gen), 1.0))
        if self.yr.need([0.0], [peak * 1.08]):
            self.ytop = float(self.yr.hi[0])
        real = np.asarray(d.get("real", []), float).ravel()
        fake = np.asarray(d.get("fake", []), float).ravel()
        self.s_real.setData(real, np.full(len(real), -0.05 * self.ytop))
        self.s_fake.setData(fake, np.full(len(fake), -0.11 * self.ytop))
        if self.xr.need([x.min()], [x.max()]):
            self.xr.apply(self.main.vb)
        self.main.setYRange(-0.16 * self.ytop, self.ytop, padding=0)

        if "theta" in d:
            self._count += 1
            step = float(d.get("step", self._count))
            if len(self._hist) and step < self._hist[-1, 0] and not self._traced:
                self._hist = np.zeros((0, 3))        # a new run or an earlier checkpoint
            if not self._traced:                     # no metrics stream: one point a snapshot
                row = np.array([[step, float(d["theta"]), float(d.get("d_slope", np.nan))]])
                self._hist = np.concatenate([self._hist, row])[-self.MAX_HISTORY:]
            if not len(self._hist):
                return
            self._set_history_visible(True)
            h = self._hist
            self.c_theta.setData(h[:, 0], h[:, 1])
            mu = float(x[np.argmax(p_real)])
            self.target.setPos(mu)
            # keep μ and its label inside the θ plot, with room above and below the curve
            span = max(float(np.ptp(np.append(h[:, 1], mu))), 1.0)
            lo, hi = min(float(h[:, 1].min()), mu) - 0.1 * span, max(float(h[:, 1].max()), mu) + 0.2 * span
            self.th_anchor.setData([h[0, 0], h[0, 0]], [lo, hi])
            if h[-1, 0] - h[0, 0] < 10:          # a lone point (the game before training): a short axis
                self.th.setXRange(h[0, 0], h[0, 0] + 10, padding=0.02)
            else:
                self.th.enableAutoRange(x=True)
            self.c_phase.setData(h[:, 1], h[:, 2])
            self.p_start.setData([h[0, 1]], [h[0, 2]])
            self.p_now.setData([h[-1, 1]], [h[-1, 2]])
            self.th_now.setData([h[-1, 0]], [h[-1, 1]])
            slopes = h[:, 2][np.isfinite(h[:, 2])]
            if len(slopes) and np.ptp(slopes) < 1e-9:     # one slope so far: a readable axis around it
                self.ph.setYRange(float(slopes[0]) - 1, float(slopes[0]) + 1, padding=0)
            else:
                self.ph.enableAutoRange(y=True)
            self.p_eq.setData([mu], [0.0])
        else:
            self._set_history_visible(False)

    def add_trace(self, rows) -> None:
        """(step, θ, D slope) rows of every iteration, from the run's metrics: the θ plot and the
        phase portrait then show each step, also those whose snapshots were never drawn (latest
        wins, and frames thin out under load). Drawn with the next snapshot."""
        rows = np.asarray(rows, float).reshape(-1, 3)
        rows = rows[np.isfinite(rows).all(1)]       # a diverged θ has nothing to draw
        if not len(rows):
            return
        if len(self._hist) and rows[0, 0] < self._hist[-1, 0] and self._traced:
            self._hist = np.zeros((0, 3))            # a new run or an earlier checkpoint
        if not self._traced:                         # keep snapshot points from before the stream
            self._hist = self._hist[self._hist[:, 0] < rows[0, 0]]
            self._traced = True
        self._hist = np.concatenate([self._hist, rows])[-self.MAX_HISTORY:]

    def _clear(self) -> None:
        for c in (self.c_real, self.c_gen, self.c_d, self.c_dstar, self.c_theta, self.c_phase):
            c.setData([], [])
        for s in (self.s_real, self.s_fake, self.p_start, self.p_now, self.p_eq, self.th_anchor, self.th_now):
            s.setData([], [])
        self._hist = np.zeros((0, 3))
        self._count = 0
        self._traced = False
        self.xr.reset()
        self.yr.reset()
        self.ytop = 1.08
        self._set_history_visible(False)

    @property
    def history(self) -> np.ndarray:
        """(step, θ, w) rows collected from successive snapshots."""
        return self._hist.copy()
