"""The 2D view (GAN Lab's picture and more): D(x) as a heatmap, real and generated points, the
generator's image of a regular z-grid as a warped mesh, gradient arrows on generated points, a
toggle per layer, and a "Draw data" mode in which clicks and drags add real points. Real points are
drawn above generated ones; generated points beyond the plotted range sit on its edge as triangles
pointing outwards; the heatmap is interpolated (bilinear). Slow motion plays one iteration in phases."""
from __future__ import annotations

import weakref

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ...config.palette import FAKE, REAL
from .base import RangeKeeper, SnapshotView, palette_colors, segments
from .flow_layout import FlowLayout
from .slow_player import SlowPlayer, lerp

# D(x) colours: purple where D says "generated", neutral at 0.5, green where it says "real"
HEAT = pg.ColorMap(pos=[0.0, 0.5, 1.0], color=["#8a63b3", "#ededed", "#56a864"])
MESH = (40, 40, 40, 150)
PAPER = "#fbfbfb"    # the plot area stays light in both themes, like a picture: the mesh and
                     # the points must read on the heatmap, whose middle is light
ARROW = "#d01c6a"
DEFAULT_RANGE = (-3.0, 3.0)
SMOOTH = 4           # the heatmap is upsampled this many times (bilinear) before it is drawn
EDGE = 0.012         # clamped points sit this share of the range inside its edge


def bilinear(heat: np.ndarray, k: int = SMOOTH) -> np.ndarray:
    """An (n, m) grid of values at its nodes upsampled k times by bilinear interpolation: the new grid
    keeps the old nodes ((n - 1) * k + 1 points a side)."""
    heat = np.asarray(heat, np.float32)
    n, m = heat.shape
    if k <= 1 or n < 2 or m < 2:
        return heat
    yi, xi = np.linspace(0, n - 1, (n - 1) * k + 1), np.linspace(0, m - 1, (m - 1) * k + 1)
    y0, x0 = np.minimum(yi.astype(int), n - 2), np.minimum(xi.astype(int), m - 2)
    fy, fx = (yi - y0)[:, None].astype(np.float32), (xi - x0)[None, :].astype(np.float32)
    a, b = heat[y0][:, x0], heat[y0][:, x0 + 1]
    c, d = heat[y0 + 1][:, x0], heat[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def clamp_to(points: np.ndarray, lo, hi) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(inside points, clamped points on the box's edge, mask of the outside ones, a triangle symbol
    per clamped point pointing outwards: the side the point left by most)."""
    pts = np.asarray(points, float).reshape(-1, 2)
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    m = EDGE * (hi - lo)
    out = np.any((pts < lo) | (pts > hi), axis=1)
    clamped = np.clip(pts[out], lo + m, hi - m)
    over = np.maximum(lo - pts[out], 0) - np.maximum(pts[out] - hi, 0)     # >0: below lo; <0: above hi
    span = np.maximum(hi - lo, 1e-9)
    symbols = []
    for ox, oy in over / span:
        if abs(ox) >= abs(oy):
            symbols.append("t3" if ox > 0 else "t2")      # left or right
        else:
            symbols.append("t" if oy > 0 else "t1")       # down or up
    return pts[~out], clamped, out, symbols


class _DrawBox(pg.ViewBox):
    """A ViewBox that, while drawing, turns left clicks and drags into points instead of panning."""

    def __init__(self, view: "View2D"):
        super().__init__()
        self._view_ref = weakref.ref(view)   # no reference cycle through Qt wrappers
        self.drawing = False

    @property
    def _view(self) -> "View2D":
        return self._view_ref()

    def mouseClickEvent(self, ev):
        if self.drawing and ev.button() == QtCore.Qt.MouseButton.LeftButton:
            ev.accept()
            self._view._add_point(self.mapSceneToView(ev.scenePos()), force=True)
            self._view._stroke_done()
            return
        super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):
        if self.drawing and ev.button() == QtCore.Qt.MouseButton.LeftButton:
            ev.accept()
            if ev.isStart():
                self._view._add_point(self.mapSceneToView(ev.buttonDownScenePos()), force=True)
            self._view._add_point(self.mapSceneToView(ev.scenePos()))
            if ev.isFinish():
                self._view._stroke_done()
            return
        super().mouseDragEvent(ev, axis)


class View2D(SnapshotView):
    points_drawn = QtCore.Signal(list)      # all drawn points so far, [[x, y], ...], after each stroke
    drawing_cleared = QtCore.Signal()

    LAYERS = ("heatmap", "real", "generated", "z-grid", "gradients")

    def __init__(self, parent=None):
        super().__init__(parent)
        bar = FlowLayout(spacing=8)            # wraps in a narrow window instead of widening it
        self.toggles: dict[str, QtWidgets.QCheckBox] = {}
        for name in self.LAYERS:
            cb = QtWidgets.QCheckBox(name, self)
            cb.setChecked(True)
            cb.toggled.connect(self._apply_layers)
            bar.addWidget(cb)
            self.toggles[name] = cb
        self.hint = QtWidgets.QLabel(self)      # a fixed width: its text never reflows the toolbar
        self.hint.setFixedWidth(self.hint.fontMetrics().horizontalAdvance("click or drag to add real points (0000)"))
        self.draw_btn = QtWidgets.QPushButton("Draw data", self)
        self.draw_btn.setCheckable(True)
        self.draw_btn.setToolTip("Click or drag on the plot to add points of your own real distribution")
        self.draw_btn.toggled.connect(self.set_drawing)
        self.clear_btn = QtWidgets.QPushButton("Clear drawn", self)
        self.clear_btn.clicked.connect(self.clear_drawn)
        bar.addWidget(self.draw_btn)
        bar.addWidget(self.clear_btn)
        bar.addWidget(self.hint)
        self.slow = SlowPlayer(self, self._draw_phase, self._slow_done)
        for w in (self.slow.button, self.slow.next_btn, self.slow.auto):
            bar.addWidget(w)

        self.gw = pg.GraphicsLayoutWidget(self)
        self.vb = _DrawBox(self)
        p = self.plot = self._add_plot(self.gw.addPlot(row=0, col=0, viewBox=self.vb))
        p.setAspectLocked(True)
        p.setMenuEnabled(False)
        p.setLabel("bottom", "x₁")
        p.setLabel("left", "x₂")
        self.vb.setBackgroundColor(PAPER)
        self.img = pg.ImageItem(axisOrder="row-major")
        p.addItem(self.img)
        self.frame = QtWidgets.QGraphicsRectItem()
        self.frame.setPen(pg.mkPen((120, 120, 120), width=1, cosmetic=True))
        p.addItem(self.frame)
        self.bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=HEAT, interactive=False, width=14)
        self.bar.setImageItem(self.img, insert_in=p)
        self.mesh = pg.PlotDataItem(pen=pg.mkPen(MESH, width=1), connect="finite")
        self.arrows = pg.PlotDataItem(pen=pg.mkPen(ARROW, width=1.2), connect="pairs")
        dark = pg.mkPen((20, 20, 20, 140), width=0.8)
        self.s_real = pg.ScatterPlotItem(size=6, brush=REAL, pen=dark)
        self.s_fake = pg.ScatterPlotItem(size=6, brush=FAKE, pen=dark)
        self.s_out = pg.ScatterPlotItem(size=11, brush=FAKE, pen=pg.mkPen((20, 20, 20, 200), width=1))
        self.s_drawn = pg.ScatterPlotItem(size=9, brush=REAL, pen=pg.mkPen("w", width=2))
        for it in (self.mesh, self.s_fake, self.s_out, self.s_real, self.arrows, self.s_drawn):   # real on top
            p.addItem(it)
        self.layer_items = {"heatmap": [self.img, self.frame], "real": [self.s_real],
                            "generated": [self.s_fake, self.s_out],
                            "z-grid": [self.mesh], "gradients": [self.arrows]}
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(self.slow.caption)
        lay.addWidget(self.gw, 1)
        self.range = RangeKeeper(0.0, shrink=False)
        self._drawn: list[list[float]] = []
        self._crit = None          # smoothed (centre, half-width) of the critic's colour levels
        self.clamped = np.zeros((0, 2))   # generated points drawn on the edge (beyond the range)
        self._reset_range()
        self._update_hint()
        self._bar_label("D(x)")

    # ------------------------------------------------------------------ drawing data by hand
    @property
    def drawn_points(self) -> list[list[float]]:
        return [list(p) for p in self._drawn]

    def set_drawing(self, on: bool) -> None:
        if self.draw_btn.isChecked() != on:
            self.draw_btn.setChecked(on)   # re-enters through toggled
            return
        self.vb.drawing = on
        self.vb.setMouseEnabled(not on, not on)
        self._update_hint()

    def clear_drawn(self) -> None:
        self._drawn = []
        self.s_drawn.setData([], [])
        self._update_hint()
        self.drawing_cleared.emit()

    def _add_point(self, pos, force: bool = False) -> None:
        x, y = float(pos.x()), float(pos.y())
        if self._drawn and not force:
            (vx0, vx1), _ = self.vb.viewRange()
            lx, ly = self._drawn[-1]
            if np.hypot(x - lx, y - ly) < 0.015 * (vx1 - vx0):
                return
        self._drawn.append([x, y])
        pts = np.asarray(self._drawn)
        self.s_drawn.setData(pts[:, 0], pts[:, 1])

    def _stroke_done(self) -> None:
        self._update_hint()
        if self._drawn:
            self.points_drawn.emit(self.drawn_points)

    def _update_hint(self) -> None:
        n = len(self._drawn)
        if self.vb.drawing:
            text = f"click or drag to add real points ({n})"
        elif n:
            text = f"{n} drawn points (white rings)"
        else:
            text = ""
        self.hint.setText(text)
        self.hint.setToolTip(text)
        self.hint.setVisible(bool(text))           # shown when it says something: a short toolbar
        self.clear_btn.setEnabled(n > 0)
        self.clear_btn.setVisible(n > 0 or self.vb.drawing)

    # ------------------------------------------------------------------ layers and ranges
    def _apply_layers(self) -> None:
        for name, items in self.layer_items.items():
            for it in items:
                it.setVisible(self.toggles[name].isChecked())
        # the colour bar keeps its place when hidden: the plot keeps its width, so the aspect-locked
        # axes do not jump when a layer is toggled
        self.bar.setOpacity(1.0 if self.toggles["heatmap"].isChecked() else 0.0)

    def _bar_label(self, text: str) -> None:
        _, fg, _ = palette_colors(self)
        ax = self.bar.axis
        ax.setPen(pg.mkPen(fg))
        ax.setTextPen(pg.mkPen(fg))
        ax.setLabel(text, color=fg.name())

    def _restyle(self) -> None:
        super()._restyle()
        if hasattr(self, "bar"):
            out = (self._data or {}).get("output", "prob")
            self._bar_label("critic f(x)" if out == "critic" else "D(x)")

    def _reset_range(self) -> None:
        self.range.reset()
        lo, hi = DEFAULT_RANGE
        self.range.need([lo, lo], [hi, hi])
        self.range.apply(self.vb)

    def _levels(self, heat: np.ndarray, output: str) -> tuple[float, float]:
        if output != "critic":
            return 0.0, 1.0
        c = float(np.median(heat))
        half = float(np.percentile(np.abs(heat - c), 99)) or 1e-3
        if self._crit is None:
            self._crit = (c, half)
        else:   # grow at once, shrink slowly: the colours do not flicker between snapshots
            c0, h0 = self._crit
            self._crit = (0.7 * c0 + 0.3 * c, half if half > h0 else 0.9 * h0 + 0.1 * half)
        c, half = self._crit
        return c - half, c + half

    # ------------------------------------------------------------------ drawing a snapshot
    def _set_heat(self, heat: np.ndarray, extent, levels: tuple[float, float], label: str) -> None:
        x0, x1, y0, y1 = (float(v) for v in extent)
        smooth = bilinear(heat)
        n, m = smooth.shape
        hx, hy = (x1 - x0) / max(m - 1, 1) / 2, (y1 - y0) / max(n - 1, 1) / 2   # pixel centres on the nodes
        self.img.setImage(smooth, autoLevels=False)
        rect = QtCore.QRectF(x0 - hx, y0 - hy, x1 - x0 + 2 * hx, y1 - y0 + 2 * hy)
        self.img.setRect(rect)
        self.frame.setRect(rect)
        self.bar.setLevels(levels)
        self._bar_label(label)

    def _set_points(self, real: np.ndarray, fake: np.ndarray) -> None:
        """Real and generated points; generated ones beyond the plotted range on its edge, as triangles."""
        self.s_real.setData(real[:, 0], real[:, 1])
        lo, hi = self.range.lo, self.range.hi
        inside, clamped, _, symbols = clamp_to(fake, lo, hi)
        self.s_fake.setData(inside[:, 0], inside[:, 1])
        self.s_out.setData(clamped[:, 0], clamped[:, 1], symbol=symbols) if len(clamped) else self.s_out.setData([], [])
        self.clamped = clamped

    def _set_arrows(self, a0, av, extent) -> None:
        x0, x1, y0, y1 = extent
        if a0 is None or av is None or not len(av):
            self.arrows.setData([], [])
            return
        av = np.asarray(av, np.float64).reshape(-1, 2)
        a0 = np.asarray(a0, np.float64).reshape(-1, 2)
        top = float(np.percentile(np.linalg.norm(av, axis=1), 95))
        if top > 0 and np.isfinite(top):
            lo, hi = self.range.lo, self.range.hi
            a0 = np.clip(a0, lo + EDGE * (hi - lo), hi - EDGE * (hi - lo))   # from a clamped point's marker
            scale = 0.06 * max(x1 - x0, y1 - y0) / top
            ax, ay = segments(a0, np.clip(av * scale, -0.2 * (x1 - x0), 0.2 * (x1 - x0)))
            self.arrows.setData(ax, ay)
        else:
            self.arrows.setData([], [])

    def _set_mesh(self, zg) -> None:
        if zg is None:
            self.mesh.setData([], [])
            return
        zg = np.asarray(zg, np.float64)
        nan = np.full((zg.shape[0], 1, 2), np.nan)
        rows = np.concatenate([zg, nan], 1).reshape(-1, 2)
        cols = np.concatenate([zg.transpose(1, 0, 2), nan], 1).reshape(-1, 2)
        m = np.concatenate([rows, cols])
        self.mesh.setData(m[:, 0], m[:, 1])

    def _keep_range(self, extent, real: np.ndarray) -> None:
        x0, x1, y0, y1 = extent
        lo = [min(x0, real[:, 0].min()), min(y0, real[:, 1].min())]
        hi = [max(x1, real[:, 0].max()), max(y1, real[:, 1].max())]
        if self.range.need(lo, hi):
            self.range.apply(self.vb)

    def _draw(self, d: dict) -> None:
        extent = tuple(float(v) for v in d["extent"])
        heat = np.asarray(d["heat"], np.float32)
        output = d.get("output", "prob")
        self._set_heat(heat, extent, self._levels(heat, output), "critic f(x)" if output == "critic" else "D(x)")
        real, fake = np.asarray(d["real"]).reshape(-1, 2), np.asarray(d["fake"]).reshape(-1, 2)
        self._keep_range(extent, real)
        self._set_points(real, fake)
        self._set_mesh(d.get("zgrid"))
        self._set_arrows(d.get("arrows_from"), d.get("arrows"), extent)

    # ------------------------------------------------------------------ slow motion
    def _draw_phase(self, ph: dict, t: float) -> None:
        """One phase of a slow-motion iteration (inspect.slowmo), t in [0, 1] along its animation."""
        b, a = ph["before"], ph["after"]
        key = ph["key"]
        extent = tuple(float(v) for v in b["extent"])
        crit = ph["output"] == "critic"
        what = "critic f(x)" if crit else "D(x)"
        if crit:   # one scale for before and after: the colours' change is the update
            both = np.concatenate([np.ravel(b["heat"]), np.ravel(a["heat"])])
            c = float(np.median(both))
            half = float(np.percentile(np.abs(both - c), 99)) or 1e-3
            levels = (c - half, c + half)
        else:
            levels = (0.0, 1.0)
        if key == "d_grad":
            top = float(ph["delta_max"]) or 1e-6
            self._set_heat(ph["delta"], extent, (-top, top), f"Δ{what}")     # Δ: its change (short: the bar is narrow)
        elif key == "d_update":
            self._set_heat(lerp(b["heat"], a["heat"], t), extent, levels, what)
        elif key in ("d_batch",):
            self._set_heat(b["heat"], extent, levels, what)
        else:
            self._set_heat(a["heat"], extent, levels, what)
        real = np.asarray(ph["batch_real"]).reshape(-1, 2)
        self._keep_range(extent, real)
        if key in ("d_batch", "d_grad", "d_update"):
            fake = ph["batch_fake"]
        elif key == "g_grad":
            fake = ph["g_from"]
        else:
            fake = lerp(ph["g_from"], ph["g_to"], t)
        self._set_points(real, np.asarray(fake).reshape(-1, 2))
        zb, za = b.get("zgrid"), a.get("zgrid")
        self._set_mesh(lerp(zb, za, t) if key == "g_update" and zb is not None and za is not None
                       else (za if key == "g_update" else zb))
        self._set_arrows(ph["g_from"], ph["g_grad"], extent) if key == "g_grad" else self.arrows.setData([], [])

    def _slow_done(self) -> None:
        self._dirty = self._data is not None
        self.flush()

    def _clear(self) -> None:
        self.img.clear()
        self.frame.setRect(QtCore.QRectF())
        for it in (self.s_real, self.s_fake, self.s_out, self.mesh, self.arrows):
            it.setData([], [])
        self.clamped = np.zeros((0, 2))
        self._crit = None
        self._reset_range()
