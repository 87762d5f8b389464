"""The 1D view (the seeds' figure 15.1): densities, samples, D(x) and the optimal D*(x), and the z → x
lines (latent samples on a z axis below, each joined to the G(z) it becomes); for the shift generator
also θ over training and the phase portrait of θ against the discriminator's slope, for a learnt
generator G(z) against the ideal monotone map F⁻¹(Φ(z)). Slow motion plays one iteration in phases."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ...config.palette import ACCENT, DISC, FAKE, REAL
from .base import RangeKeeper, SnapshotView, light_grid, palette_colors
from .flow_layout import FlowLayout
from .slow_player import SlowPlayer
from .toy1d_slow import ARROW, draw_phase

Z_ROW = -0.34           # the z axis, in units of the plot's top (the sample ticks are at -0.05 and -0.11)


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
        self.slow = SlowPlayer(self, self._draw_phase, self._slow_done)
        bar = FlowLayout(spacing=8)
        for w in (self.slow.button, self.slow.next_btn, self.slow.auto):
            bar.addWidget(w)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(self.slow.caption)
        lay.addWidget(self.legend)
        lay.addWidget(self.gw, 1)

        p = self.main = self._add_plot(self.gw.addPlot(row=0, col=0, colspan=2))
        p.setLabel("bottom", "x")
        p.setLabel("left", "density, D(x)")
        light_grid(p, 0.15)
        p.setMenuEnabled(False)
        # generated below real: where p_g covers p_r the real density still shows through
        self.c_gen = p.plot(pen=pg.mkPen(FAKE, width=2), fillLevel=0, brush=_alpha(FAKE, 55))
        self.c_real = p.plot(pen=pg.mkPen(REAL, width=2.5), fillLevel=0, brush=_alpha(REAL, 45))
        self.c_dstar = p.plot(pen=pg.mkPen(DISC, width=2, style=QtCore.Qt.PenStyle.DashLine))
        self.c_d = p.plot(pen=pg.mkPen(DISC, width=3))
        self.s_real = pg.ScatterPlotItem(symbol="|", size=11, pen=pg.mkPen(REAL, width=1.5), brush=None)
        self.s_fake = pg.ScatterPlotItem(symbol="|", size=11, pen=pg.mkPen(FAKE, width=1.5), brush=None)
        p.addItem(self.s_fake)
        p.addItem(self.s_real)
        # z -> x: a z axis below, lines from each z to G(z) on the generated ticks
        grey = (128, 128, 128)
        self.z_axis = p.plot(pen=pg.mkPen(grey + (170,), width=1))
        self.zx = pg.PlotDataItem(pen=pg.mkPen(FAKE + "70", width=1), connect="pairs")
        self.s_z = pg.ScatterPlotItem(size=5, brush=pg.mkBrush(grey), pen=None)
        self.z_label = pg.TextItem("z", anchor=(0, 0), color=grey)
        for it in (self.zx, self.s_z, self.z_label):
            p.addItem(it)
        # slow motion's overlays
        self.c_d_before = p.plot(pen=pg.mkPen(DISC, width=1.5, style=QtCore.Qt.PenStyle.DashLine))
        self.sl_arrows = pg.PlotDataItem(pen=pg.mkPen(ARROW, width=1.4), connect="pairs")
        self.sl_real = pg.ScatterPlotItem(size=7, brush=REAL, pen=pg.mkPen((20, 20, 20, 160), width=0.8))
        self.sl_fake = pg.ScatterPlotItem(size=7, brush=FAKE, pen=pg.mkPen((20, 20, 20, 160), width=0.8))
        self.sl_note = pg.TextItem("", anchor=(1, 0), color=ARROW)
        for it in (self.sl_arrows, self.sl_fake, self.sl_real, self.sl_note):
            p.addItem(it)
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
        self.mp = self._add_plot(self.gw.addPlot(row=2, col=0, colspan=2))
        self.mp.setTitle("G(z) and the ideal monotone map F⁻¹(Φ(z))")
        self.mp.setLabel("bottom", "z")
        self.mp.setLabel("left", "x")
        light_grid(self.mp, 0.15)
        self.mp.setMenuEnabled(False)
        self.mp_leg = self.mp.addLegend(offset=(8, 4), labelTextSize="8pt")
        self.c_ideal = self.mp.plot(pen=pg.mkPen(REAL, width=2, style=QtCore.Qt.PenStyle.DashLine),
                                    name="ideal F⁻¹(Φ(z))")
        self.c_map = self.mp.plot(pen=pg.mkPen(FAKE, width=2.5), name="G(z)")
        self.gw.ci.layout.setRowStretchFactor(0, 3)
        self.gw.ci.layout.setRowStretchFactor(1, 2)
        self.gw.ci.layout.setRowStretchFactor(2, 2)
        self._set_map_visible(False)
        self._hist = np.zeros((0, 3))     # step, θ, w
        self._mu: float | None = None     # the real mean the θ plot marks
        self._traced = False              # the history comes from add_trace (metrics)
        self._count = 0
        self._curve = (np.zeros(0), np.zeros(0))
        self._dscale = (0.0, 1.0)
        self._set_history_visible(False)
        self.gw.installEventFilter(self)      # the densities keep their share of a short view
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

    MAIN_SHARE = 0.42         # of the plots' height, at least, for the densities when rows share it
    SHORT = 330               # plots shorter than this: the small plots' titles make room (axes name them)
    TITLES = {"th": "θ over training", "ph": "phase portrait", "mp": "G(z) and the ideal monotone map F⁻¹(Φ(z))"}

    def _set_map_visible(self, on: bool) -> None:
        self.mp.setVisible(on)
        self.gw.ci.layout.setRowStretchFactor(2, 2 if on else 0)
        self.gw.ci.layout.setRowMaximumHeight(2, 1e6 if on else 0)
        self._keep_main_share()

    def _set_history_visible(self, on: bool) -> None:
        was = self.th.isVisible()
        self.th.setVisible(on)
        self.ph.setVisible(on)
        self.gw.ci.layout.setRowStretchFactor(1, 2 if on else 0)
        self.gw.ci.layout.setRowMaximumHeight(1, 1e6 if on else 0)
        self._keep_main_share()
        if on != was:
            self.updateGeometry()          # the θ plot and phase portrait side by side need more width

    def minimumSizeHint(self):
        """At least as wide as the plots' own minimum (axes, their labels): narrower, the figure was
        cut at its right edge (the phase portrait's θ axis at 1024x700) instead of the pane growing."""
        hint = super().minimumSizeHint()
        m = self.layout().contentsMargins()
        need = self.gw.ci.effectiveSizeHint(QtCore.Qt.SizeHint.MinimumSize).width()
        return hint.expandedTo(QtCore.QSize(int(need) + 2 * self.gw.frameWidth() + m.left() + m.right() + 1,
                                            hint.height()))

    def _keep_main_share(self) -> None:
        """Stretch factors only share the height beyond the plots' preferred sizes: in a short view
        the titled plots below would squeeze the densities to a strip, so the main plot gets at
        least MAIN_SHARE of the height whenever another row is shown."""
        shared = self.th.isVisible() or self.mp.isVisible()
        self.gw.ci.layout.setRowMinimumHeight(0, int(self.gw.height() * self.MAIN_SHARE) if shared else 0)
        short = self.gw.height() < self.SHORT
        if short != getattr(self, "_short", None):
            self._short = short
            for name, title in self.TITLES.items():
                getattr(self, name).setTitle(None if short else title)

    def eventFilter(self, obj, ev) -> bool:
        if obj is self.gw and ev.type() == QtCore.QEvent.Type.Resize:
            self._keep_main_share()
            QtCore.QTimer.singleShot(0, self, self._refit)     # once the plots have their new sizes
        return super().eventFilter(obj, ev)

    def _draw(self, d: dict) -> None:
        self._draw_main(d)
        self._draw_history(d)

    def _draw_main(self, d: dict) -> None:
        x = np.asarray(d["x"], float)
        p_real, p_gen = np.asarray(d["p_real"], float), np.asarray(d["p_gen"], float)
        critic = d.get("output") == "critic"
        dv = np.asarray(d["d"], float)
        self._dscale = (0.0, 1.0)
        if critic:   # a critic has no fixed scale: show its shape on the same [0, 1] axis
            lo, hi = d.get("d_range") or (float(np.nanmin(dv)), float(np.nanmax(dv)))
            self._dscale = (lo, hi - lo if hi > lo else 1.0)
            dv = (dv - lo) / (hi - lo) if hi > lo else np.full_like(dv, 0.5)
        self._curve = (x, dv)
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
        self._draw_z_lines(d)
        self._draw_map(d)

    def _draw_z_lines(self, d: dict) -> None:
        zl, xl = d.get("z_line"), d.get("x_line")
        bottom = (Z_ROW - 0.08) if zl is not None else -0.16
        if zl is not None:     # a short plot: room under the z axis for its label, in pixels
            k = (self.z_label.textItem.boundingRect().height() + 2) / max(self.main.vb.height(), 1.0)
            if k < 0.5:
                bottom = min(bottom, (Z_ROW - k) / (1 - k))
        self.main.setYRange(bottom * self.ytop, self.ytop, padding=0)
        if zl is None or xl is None:
            for it in (self.z_axis, self.zx, self.s_z):
                it.setData([], [])
            self.z_label.setText("")
            return
        zl, xl = np.asarray(zl, float), np.asarray(xl, float)
        yz, yx = Z_ROW * self.ytop, -0.11 * self.ytop
        lo, hi = float(self.xr.lo[0]), float(self.xr.hi[0])
        self.z_axis.setData([lo, hi], [yz, yz])
        self.s_z.setData(zl, np.full(len(zl), yz))
        xs = np.stack([zl, xl], 1).ravel()
        ys = np.tile([yz, yx], len(zl))
        self.zx.setData(xs, ys)
        k = int(d.get("latent_dim", 1))
        self.z_label.setText("z ~ N(0, 1)" if k == 1 else f"z₁ (first of {k} latent coordinates)")
        self.z_label.setPos(lo, yz)          # under the z axis (anchored at its top left)

    def _draw_map(self, d: dict) -> None:
        if "map_ideal" not in d:
            self._set_map_visible(False)
            return
        self._set_map_visible(True)
        zs = np.asarray(d["map_z"], float)
        self.c_ideal.setData(zs, np.asarray(d["map_ideal"], float))
        self.c_map.setData(zs, np.asarray(d["map_g"], float))
        quant = d.get("map_kind") == "quantiles"
        self.mp_leg.getLabel(self.c_map).setText("G's quantiles at Φ(z) (z has more than one coordinate)"
                                                 if quant else "G(z)")

    def _draw_history(self, d: dict) -> None:
        if d.get("keep_history"):
            return
        x = np.asarray(d["x"], float)
        p_real = np.asarray(d["p_real"], float)
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
            mu = self._mu = float(x[np.argmax(p_real)])
            self.target.setPos(mu)
            self._theta_range()
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

    def _theta_range(self) -> None:
        """Keep μ and its label inside the θ plot, with room above and below the curve; in a short
        plot, room above μ for its label in pixels (the label sits on the line)."""
        h, mu = self._hist, self._mu
        if not len(h) or mu is None:
            return
        span = max(float(np.ptp(np.append(h[:, 1], mu))), 1.0)
        lo, hi = min(float(h[:, 1].min()), mu) - 0.1 * span, max(float(h[:, 1].max()), mu) + 0.2 * span
        k = (self.fontMetrics().height() + 6) / max(self.th.vb.height(), 1.0)
        if k < 0.6:
            hi = max(hi, (mu - k * lo) / (1 - k))
        self.th_anchor.setData([h[0, 0], h[0, 0]], [lo, hi])

    def _refit(self) -> None:
        """After a resize: the ranges that keep room in pixels (the z label, μ's label)."""
        drawn = self.xr.lo is not None and not self._dirty      # what is on screen, not a pending snapshot
        if drawn and self._data is not None and not (self.slow is not None and self.slow.active):
            self._draw_z_lines(self._data)
            if self.th.isVisible():
                self._theta_range()

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

    # ------------------------------------------------------------------ slow motion
    def _draw_phase(self, ph: dict, t: float) -> None:
        """One phase of a slow-motion iteration, t in [0, 1] along its animation (toy1d_slow)."""
        draw_phase(self, ph, t)

    def _slow_done(self) -> None:
        for it in (self.c_d_before, self.sl_arrows, self.sl_real, self.sl_fake):
            it.setData([], [])
        self.sl_note.setText("")
        self._dirty = self._data is not None
        self.flush()

    def _clear(self) -> None:
        self._slow_done()
        for c in (self.c_real, self.c_gen, self.c_d, self.c_dstar, self.c_theta, self.c_phase, self.z_axis,
                  self.zx, self.c_ideal, self.c_map):
            c.setData([], [])
        self.s_z.setData([], [])
        self.z_label.setText("")
        self._set_map_visible(False)
        for s in (self.s_real, self.s_fake, self.p_start, self.p_now, self.p_eq, self.th_anchor, self.th_now):
            s.setData([], [])
        self._hist = np.zeros((0, 3))
        self._mu = None
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
