"""The loss plot's data: one curve's points in growing numpy buffers with its exponential moving
average kept incrementally, and where the step axis ends (in strides, so it does not move with every
batch of metrics)."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

STRIDES = (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def x_end(last: float) -> float:
    """The end of the step axis for a newest step `last`: the first stride mark at least 10% past
    it, so the newest points are never drawn against the edge."""
    want = 1.1 * last
    if want <= 10:
        return 10.0
    k = 10.0 ** math.floor(math.log10(want))
    return next(m * k for m in STRIDES if m * k >= want)


class Series:
    """One curve's points in growing buffers (capacity doubles), its smoothed copy kept up to date
    incrementally, and the two plot items that draw them."""
    def __init__(self, key: str, plot: pg.PlotItem, color: str):
        self.key, self.color, self.group = key, color, 0
        self.x = np.empty(1024, np.float64)
        self.y = np.empty(1024, np.float64)
        self.s = np.empty(1024, np.float64)
        self.n = 0
        self.dirty = False
        self.raw = plot.plot(pen=pg.mkPen(color))
        self.smooth = plot.plot(pen=pg.mkPen(color))
        for c in (self.raw, self.smooth):
            c.setClipToView(True)
            c.setDownsampling(auto=True, method="peak")
            # one min/max pair per pixel column draws the same envelope as pyqtgraph's default
            # of five, for a fifth of the path (drawing was the largest cost of a long run)
            c.opts["autoDownsampleFactor"] = 1.0
            c.setSkipFiniteCheck(True)

    def extend(self, xs: np.ndarray, ys: np.ndarray, alpha: float) -> None:
        need = self.n + len(xs)
        if need > len(self.x):
            cap = max(need, 2 * len(self.x))
            for name in ("x", "y", "s"):
                a = np.empty(cap, np.float64)
                a[:self.n] = getattr(self, name)[:self.n]
                setattr(self, name, a)
        self.x[self.n:need], self.y[self.n:need] = xs, ys
        self.s[self.n:need] = ema(ys, alpha, self.s[self.n - 1] if self.n else None)
        self.n = need
        self.dirty = True

    def resmooth(self, alpha: float) -> None:
        if self.n:
            self.s[:self.n] = ema(self.y[:self.n], alpha, None)
        self.dirty = True

    def truncate(self, step: float) -> None:
        self.n = int(np.searchsorted(self.x[:self.n], step, side="right"))
        self.dirty = True


def ema(y: np.ndarray, alpha: float, prev: float | None) -> np.ndarray:
    """Exponential moving average with weight `alpha` on the past (0: no smoothing)."""
    if alpha <= 0 or len(y) == 0:
        return y
    p = y[0] if prev is None else prev
    try:
        from scipy.signal import lfilter   # here: scipy.signal takes most of a second at the studio's start
    except ImportError:   # pragma: no cover - scipy comes with scikit-learn
        lfilter = None
    if lfilter is not None:
        out, _ = lfilter([1 - alpha], [1, -alpha], y, zi=[alpha * p])
        return out
    out = np.empty_like(y)
    for i, v in enumerate(y):
        p = alpha * p + (1 - alpha) * v
        out[i] = p
    return out
