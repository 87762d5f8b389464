"""The base of the training views: latest-wins snapshots drawn from a ~30 Hz timer, and helpers.

Every view takes the numpy dict of an engine `Snapshot` through `set_snapshot(data)`; only the newest
dict is kept and drawn on the next timer tick, and only while the view is visible. `clear()` forgets
everything (a new run). Colours are picked to read on both dark and light palettes and the plot
background follows the widget's palette; the colours of real and generated data come from
`studio.config.palette`.
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

FRAME_MS = 33          # ~30 Hz


def palette_colors(widget: QtWidgets.QWidget) -> tuple[QtGui.QColor, QtGui.QColor, QtGui.QColor]:
    """(background, foreground, muted foreground) of a widget's palette."""
    pal = widget.palette()
    bg = pal.color(QtGui.QPalette.ColorRole.Base)
    fg = pal.color(QtGui.QPalette.ColorRole.Text)
    muted = QtGui.QColor(fg)
    muted.setAlphaF(0.45)
    return bg, fg, muted


def style_plot(plot: pg.PlotItem, widget: QtWidgets.QWidget) -> None:
    """Axis pens and label colours from the palette."""
    _, fg, _ = palette_colors(widget)
    for name in ("left", "bottom", "right", "top"):
        ax = plot.getAxis(name)
        ax.setPen(pg.mkPen(fg))
        ax.setTextPen(pg.mkPen(fg))
    t = plot.titleLabel
    if t.text:
        t.setText(t.text, color=fg.name())


def light_grid(plot: pg.PlotItem, alpha: float) -> None:
    """Faint grid lines at the major ticks only. pyqtgraph's default also draws the minor and
    sub-minor levels, which makes every repaint of a plot several times slower (3 to 12 ms at
    900x220, measured) for lines that can hardly be seen."""
    plot.showGrid(x=True, y=True, alpha=alpha)
    for name in ("left", "bottom"):
        ax = plot.getAxis(name)
        ax.setStyle(maxTickLevel=0)
        # the axis item spans the plot (it draws the grid): keep it as a pixmap between range
        # changes instead of replaying its drawing whenever a curve in the plot changes
        ax.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)


def segments(starts: np.ndarray, vecs: np.ndarray, head: float = 0.28) -> tuple[np.ndarray, np.ndarray]:
    """x, y arrays for arrows drawn with connect='pairs': a shaft and two head strokes per arrow."""
    starts = np.asarray(starts, np.float64).reshape(-1, 2)
    vecs = np.asarray(vecs, np.float64).reshape(-1, 2)
    ends = starts + vecs
    c, s = np.cos(np.deg2rad(150)), np.sin(np.deg2rad(150))
    back = vecs * head
    left = ends + np.stack([c * back[:, 0] - s * back[:, 1], s * back[:, 0] + c * back[:, 1]], 1)
    right = ends + np.stack([c * back[:, 0] + s * back[:, 1], -s * back[:, 0] + c * back[:, 1]], 1)
    pts = np.stack([starts, ends, ends, left, ends, right], 1).reshape(-1, 2)
    return pts[:, 0], pts[:, 1]


class RangeKeeper:
    """Ranges that do not jump: a new view range is set when the data leaves the current one (at
    once, with a margin); when the data has shrunk to under 70% of the range, the range follows it
    a quarter of the way per snapshot, so an early outlier does not squash the picture forever."""

    def __init__(self, margin: float = 0.1, shrink: bool = True):
        self.margin = margin
        self.shrink = shrink
        self.lo: np.ndarray | None = None
        self.hi: np.ndarray | None = None

    def reset(self) -> None:
        self.lo = self.hi = None

    def need(self, lo, hi) -> bool:
        """Take the box [lo, hi] the data needs; True when the kept range changed."""
        lo, hi = np.asarray(lo, float), np.asarray(hi, float)
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            return False
        span = np.maximum(hi - lo, 1e-6)
        lo2, hi2 = lo - self.margin * span, hi + self.margin * span
        if self.lo is None:
            self.lo, self.hi = lo2, hi2
            return True
        inside = np.all(lo >= self.lo) and np.all(hi <= self.hi)
        if not inside:
            self.lo, self.hi = np.minimum(lo2, self.lo), np.maximum(hi2, self.hi)
            return True
        if self.shrink and np.any(hi2 - lo2 < 0.7 * (self.hi - self.lo)):
            self.lo = self.lo + 0.25 * (lo2 - self.lo)
            self.hi = self.hi + 0.25 * (hi2 - self.hi)
            return True
        return False

    def apply(self, vb: pg.ViewBox) -> None:
        if self.lo is None:
            return
        if len(self.lo) == 1:
            vb.setXRange(self.lo[0], self.hi[0], padding=0)
        else:
            vb.setRange(xRange=(self.lo[0], self.hi[0]), yRange=(self.lo[1], self.hi[1]), padding=0)


class GuiLoad:
    """How busy the GUI thread is (share of one core, smoothed over about a second), and the frame
    interval the views should keep to: FRAME_MS while the thread is below BUSY, then longer in
    proportion, up to 4x (7.5 Hz). On the toy presets a frame of the 1D view costs ~13 ms of
    pyqtgraph, and every millisecond of Python drawn on the GUI thread is a millisecond the
    training thread waits for the GIL; easing the frame rate under load gives it back."""
    BUSY = 0.3
    MAX_STRETCH = 4.0

    def __init__(self) -> None:
        self.busy = 0.0
        self._t = time.monotonic()
        self._cpu = time.thread_time()

    def sample(self) -> None:
        """Call from the GUI thread (the views' timers do)."""
        now, cpu = time.monotonic(), time.thread_time()
        dt = now - self._t
        if dt >= 0.25:
            share = min(max((cpu - self._cpu) / dt, 0.0), 1.0)
            self.busy = share if dt > 2.0 else 0.6 * self.busy + 0.4 * share   # after idle: fresh
            self._t, self._cpu = now, cpu

    def interval(self) -> float:
        """Seconds between frames of a view."""
        return FRAME_MS / 1000 * min(max(self.busy / self.BUSY, 1.0), self.MAX_STRETCH)


LOAD = GuiLoad()


class SnapshotView(QtWidgets.QWidget):
    """Base of the views: keeps the latest snapshot and draws it from a timer when it changed."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._data: dict | None = None
        self._dirty = False
        self._plots: list[pg.PlotItem] = []
        self._last_frame = 0.0
        self.slow: SlowPlayer | None = None      # the 1D and 2D views' slow motion
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    # ------------------------------------------------------------------ public
    def set_snapshot(self, data: dict, step: int | None = None) -> None:
        """Keep `data` (latest wins); drawn on the next tick. `step` may also come as data['step']."""
        if step is not None:
            data = {**data, "step": step}
        self._data = data
        self._dirty = True

    def clear(self) -> None:
        self._data = None
        self._dirty = False
        self._clear()

    def flush(self) -> None:
        """Draw the pending snapshot now (tests and screenshots); not while slow motion plays."""
        if self.slow is not None and self.slow.active:
            return
        if self._dirty and self._data is not None:
            self._dirty = False
            self._draw(self._data)

    @property
    def data(self) -> dict | None:
        return self._data

    # ------------------------------------------------------------------ for subclasses
    def _draw(self, data: dict) -> None:
        raise NotImplementedError

    def _clear(self) -> None:
        pass

    def _add_plot(self, plot: pg.PlotItem) -> pg.PlotItem:
        self._plots.append(plot)
        style_plot(plot, self)
        return plot

    def _restyle(self) -> None:
        """Called when the palette changes (dark/light theme)."""
        bg, _, _ = palette_colors(self)
        for w in self.findChildren(pg.GraphicsView):
            w.setBackground(bg)
        for p in self._plots:
            style_plot(p, self)

    # ------------------------------------------------------------------ Qt
    def _tick(self) -> None:
        LOAD.sample()
        if self._dirty and self.isVisible():
            now = time.monotonic()
            if now - self._last_frame >= LOAD.interval() - 0.002:
                self._last_frame = now
                self.flush()

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        self._restyle()
        self.flush()

    def changeEvent(self, ev) -> None:
        super().changeEvent(ev)
        if ev.type() in (QtCore.QEvent.Type.PaletteChange, QtCore.QEvent.Type.ApplicationPaletteChange):
            self._restyle()
