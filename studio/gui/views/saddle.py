"""The saddle view: the (θ, φ) trajectory of gradient play over the game's vector field, with the
start, the current point and the saddle at (0, 0) marked."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ...config.palette import ACCENT, DISC, FAKE
from .base import RangeKeeper, SnapshotView, light_grid, palette_colors, segments

GAMES = {"bilinear": "L(θ, φ) = θ·φ", "quadratic": "L(θ, φ) = −θ² + φ²"}


class SaddleView(SnapshotView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.caption = QtWidgets.QLabel(self)
        self.caption.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.caption.setWordWrap(True)
        self.gw = pg.GraphicsLayoutWidget(self)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.caption)
        lay.addWidget(self.gw, 1)
        p = self.plot = self._add_plot(self.gw.addPlot())
        p.setAspectLocked(True)
        p.setMenuEnabled(False)
        light_grid(p, 0.12)
        p.setLabel("bottom", "θ (maximises L)")
        p.setLabel("left", "φ (minimises L)")
        self.field = pg.PlotDataItem(connect="pairs")
        self.path = pg.PlotDataItem(pen=pg.mkPen(DISC, width=2.5))
        self.dots = pg.ScatterPlotItem(size=4, brush=DISC, pen=None)
        self.start = pg.ScatterPlotItem(size=13, brush=ACCENT, pen=pg.mkPen("w", width=1.5))
        self.now = pg.ScatterPlotItem(size=20, symbol="star", brush=FAKE, pen=pg.mkPen("k", width=1))
        self.saddle = pg.ScatterPlotItem(size=16, symbol="x", pen=None)
        for it in (self.field, self.path, self.dots, self.saddle, self.start, self.now):
            p.addItem(it)
        self.range = RangeKeeper(0.0)
        self._restyle()

    def _restyle(self) -> None:
        super()._restyle()
        _, fg, muted = palette_colors(self)
        self.field.setPen(pg.mkPen(muted, width=1.2))
        self.saddle.setBrush(pg.mkBrush(fg))
        self.now.setPen(pg.mkPen(fg, width=1))
        self.saddle.setData([0.0], [0.0])
        self._caption()

    def _caption(self, d: dict | None = None) -> None:
        sw = lambda c, t: f'<span style="color:{c}; font-weight:bold">{t}</span>'  # noqa: E731
        _, fg, _ = palette_colors(self)
        head = ""
        if d is not None:
            game = GAMES.get(d.get("game", ""), str(d.get("game", "")))
            traj = np.asarray(d.get("trajectory", np.zeros((0, 2))))
            r = float(np.hypot(*traj[-1])) if len(traj) else float("nan")
            head = (f"<b>{game}</b>, {d.get('mode', '')} steps, {max(len(traj) - 1, 0)} updates, "
                    f"distance to the saddle {r:.3g}<br>")
        self.caption.setText(head + "&nbsp;&nbsp; ".join([
            sw(fg.name(), "→ direction of gradient play"), sw(DISC, "━ trajectory"),
            sw(ACCENT, "● start"), sw(FAKE, "★ now"), sw(fg.name(), "✕ saddle (0, 0)")]))

    def _draw(self, d: dict) -> None:
        T, F = np.asarray(d["theta"], float), np.asarray(d["phi"], float)
        dT, dF = np.asarray(d["d_theta"], float), np.asarray(d["d_phi"], float)
        vec = np.stack([dT.ravel(), dF.ravel()], 1)
        mag = np.linalg.norm(vec, axis=1, keepdims=True)
        cell = float(T[0, 1] - T[0, 0]) if T.shape[1] > 1 else 1.0
        unit = np.where(mag > 0, vec / np.maximum(mag, 1e-12), 0.0)
        # arrow length grows with the field's strength but stays inside its cell
        rel = np.sqrt(mag / max(float(mag.max()), 1e-12))
        fx, fy = segments(np.stack([T.ravel(), F.ravel()], 1), unit * cell * (0.3 + 0.55 * rel))
        self.field.setData(fx, fy)
        traj = np.asarray(d.get("trajectory", np.zeros((0, 2))), float).reshape(-1, 2)
        if len(traj):
            self.path.setData(traj[:, 0], traj[:, 1])
            self.dots.setData(traj[:, 0], traj[:, 1])
            self.start.setData([traj[0, 0]], [traj[0, 1]])
            self.now.setData([traj[-1, 0]], [traj[-1, 1]])
        lim = float(d.get("lim", np.abs(T).max()))
        if self.range.need([-lim, -lim], [lim, lim]):
            self.range.apply(self.plot.vb)
        self._caption(d)

    def _clear(self) -> None:
        for it in (self.field, self.path):
            it.setData([], [])
        for it in (self.dots, self.start, self.now):
            it.setData([], [])
        self.range.reset()
        self._caption()
