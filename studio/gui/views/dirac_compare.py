"""Training methods compared on the Dirac-GAN (Mescheder et al. 2018), as small multiples: one panel
per method (unregularised GAN with alternating and with simultaneous steps, non-saturating GAN, WGAN,
WGAN-GP, R1, consensus optimisation), each the method's update field over (θ, ψ) as arrows, the
trajectory of its gradient steps from one starting point, the start and end marked, and the
equilibrium (0, 0) marked. The view draws what `tools.plots.dirac_compare` computed (numpy, on a
worker thread); it computes nothing itself.
"""
from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ...config.palette import ACCENT, DISC, FAKE
from .base import palette_colors, segments, style_plot

PAPER = "#fbfbfb"        # the panels stay light in both themes, like the 2D view's plot
ARROWS = (120, 120, 140)
EQUILIBRIUM = "#222222"
VERDICT_COLOURS = {"converges": ACCENT, "does not converge": "#8a6d00", "moves away": "#c62828"}
PANEL_MIN = 230          # a panel's smallest side in pixels: below it the columns drop


def columns_for(width: int, n: int) -> int:
    """How many panels side by side fit `width` (4 at most, so 7 methods make two rows)."""
    return max(1, min(4, n, width // PANEL_MIN))


class DiracCompareView(QtWidgets.QWidget):
    """`set_results(results, start, lr, steps)` draws a comparison; `show_busy(text)` says one is
    being computed; `show_error(text)` says why none could be."""

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.header = QtWidgets.QLabel(self)
        self.header.setWordWrap(True)
        self.header.setTextFormat(QtCore.Qt.TextFormat.RichText)
        lay.addWidget(self.header)
        self.gw = pg.GraphicsLayoutWidget(self)
        lay.addWidget(self.gw, 1)
        self.legend = QtWidgets.QLabel(self)
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        lay.addWidget(self.legend)
        self.plots: list[pg.PlotItem] = []
        self.results: list[dict] = []
        self._cols = 0
        self.header.setText("The comparison is being computed…")
        self._set_legend()

    # ------------------------------------------------------------------ public
    def show_busy(self, text: str) -> None:
        self.header.setText(html.escape(text))

    def show_error(self, text: str) -> None:
        self.header.setText(f"<span style='color:#c62828'>{html.escape(text)}</span>")

    def set_results(self, results: list[dict], start, lr: float, steps: int) -> None:
        self.results = results
        th, ps = start
        self.header.setText(
            f"<b>Dirac-GAN: training methods compared</b> · every panel starts at "
            f"(θ, ψ) = ({th:g}, {ps:g}) and takes {steps:,} steps of size {lr:g}; the equilibrium is "
            f"(0, 0), and under each title is the distance from it at the start → at the end. Real data "
            f"sit at 0, the generator is x = θ, the discriminator D(x) = ψ·x.")
        self._layout(force=True)

    # ------------------------------------------------------------------ drawing
    def _set_legend(self) -> None:
        def sw(colour, text, shape="●"):
            return f"<span style='color:{colour}'>{shape}</span>&nbsp;{text}"
        self.legend.setText(" &nbsp; ".join([
            sw(ACCENT, "start"), sw(FAKE, "end"), sw(DISC, "trajectory", "━"),
            sw("#777788", "update direction", "→"), sw(EQUILIBRIUM, "equilibrium (0, 0)", "✚")]))

    def _layout(self, force: bool = False) -> None:
        cols = columns_for(self.gw.width(), max(len(self.results), 1))
        if not self.results or (cols == self._cols and not force):
            return
        self._cols = cols
        self.gw.clear()
        bg, _, _ = palette_colors(self)
        self.gw.setBackground(self.palette().color(self.backgroundRole()) if bg is None else bg)
        self.plots = []
        for i, res in enumerate(self.results):
            p = self.gw.addPlot(row=i // cols, col=i % cols)
            self._panel(p, res)
            self.plots.append(p)

    def _panel(self, p: pg.PlotItem, res: dict) -> None:
        f = res["field"]
        lim = float(np.abs(f["theta"]).max())
        p.setMenuEnabled(False)
        p.setMouseEnabled(False, False)
        p.hideButtons()
        p.setAspectLocked(True)
        p.getViewBox().setBackgroundColor(PAPER)
        colour = VERDICT_COLOURS.get(res.get("verdict", ""), "#555555")
        _, fg, _ = palette_colors(self)
        p.setTitle(f"<span style='color:{fg.name()}; font-weight:bold'>{html.escape(res['name'])}</span><br>"
                   f"<span style='color:{colour}; font-size:9pt'>{html.escape(res.get('verdict', ''))}: "
                   f"{res['r_start']:.2f} → {res['r_end']:.2g}</span>", size="10pt")
        p.setLabel("bottom", "θ")
        p.setLabel("left", "ψ")
        p.getAxis("left").label.setRotation(0)        # ψ upright, as θ below
        # arrows of equal length (the direction; the speed would hide the slow parts of the field)
        d = np.stack([f["d_theta"].ravel(), f["d_psi"].ravel()], 1)
        n = np.hypot(d[:, 0], d[:, 1])
        keep = n > 1e-9
        starts = np.stack([f["theta"].ravel(), f["psi"].ravel()], 1)[keep]
        step = 2 * lim / max(f["theta"].shape[1] - 1, 1)
        vecs = d[keep] / n[keep, None] * 0.6 * step
        x, y = segments(starts - vecs / 2, vecs, head=0.35)
        p.addItem(pg.PlotDataItem(x, y, pen=pg.mkPen(ARROWS, width=1), connect="pairs"))
        axis_pen = pg.mkPen((200, 200, 200), width=1)
        p.addItem(pg.InfiniteLine(0, angle=90, pen=axis_pen))
        p.addItem(pg.InfiniteLine(0, angle=0, pen=axis_pen))
        path = np.asarray(res["path"], np.float64)
        finite = np.all(np.isfinite(path), 1)
        path = np.clip(path[finite], -lim, lim)        # what leaves the panel stays on its edge
        p.addItem(pg.PlotDataItem(path[:, 0], path[:, 1], pen=pg.mkPen(DISC, width=2)))
        p.addItem(pg.ScatterPlotItem([0.0], [0.0], symbol="+", size=16, brush=EQUILIBRIUM,
                                     pen=pg.mkPen(EQUILIBRIUM, width=2)))
        dark = pg.mkPen((30, 30, 30), width=1)
        p.addItem(pg.ScatterPlotItem([path[0, 0]], [path[0, 1]], size=11, brush=ACCENT, pen=dark))
        p.addItem(pg.ScatterPlotItem([path[-1, 0]], [path[-1, 1]], size=11, brush=FAKE, pen=dark,
                                     symbol="s"))
        p.setRange(xRange=(-lim, lim), yRange=(-lim, lim), padding=0.02)
        style_plot(p, self)

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        QtCore.QTimer.singleShot(0, self._layout)      # the panels re-flow once the size settled


class DiracCompareWindow(QtWidgets.QWidget):
    """The comparison in a window of its own (View › Dirac-GAN: compare training methods)."""

    def __init__(self, parent=None):
        super().__init__(parent, QtCore.Qt.WindowType.Window)
        self.setWindowTitle("Dirac-GAN: compare training methods")
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.view = DiracCompareView(self)
        lay.addWidget(self.view)
        w, h = 1100, 700                    # within a small screen's free area (the panels re-flow)
        screen = (parent.screen() if parent is not None else None) or QtWidgets.QApplication.primaryScreen()
        if screen is not None:
            avail = screen.availableGeometry()
            w, h = min(w, int(avail.width() * 0.95)), min(h, int(avail.height() * 0.9))
        self.resize(w, h)
