"""The status bar: run state, step, elapsed training time, steps per second and device."""
from __future__ import annotations

import collections
import time

from PySide6.QtWidgets import QLabel, QStatusBar


def fmt_time(s: float) -> str:
    s = int(max(s, 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class StatusBar(QStatusBar):
    """`labels[name]` for name in state, step, elapsed, rate, device."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.labels = {k: QLabel(self) for k in ("state", "step", "elapsed", "rate", "device")}
        for w in self.labels.values():
            w.setMinimumWidth(90)
            self.addPermanentWidget(w)
        self.labels["state"].setText("idle")
        self._rate = collections.deque(maxlen=50)      # (wall time, step) over the last ~2 s

    def __getitem__(self, name: str) -> QLabel:
        return self.labels[name]

    def progress(self, step: int, elapsed: float) -> None:
        now = time.perf_counter()
        self._rate.append((now, step))
        while len(self._rate) > 2 and now - self._rate[0][0] > 2.0:
            self._rate.popleft()
        self.labels["step"].setText(f"step {step:,}")
        self.labels["elapsed"].setText(f"elapsed {fmt_time(elapsed)}")
        (t0, s0), (t1, s1) = self._rate[0], self._rate[-1]
        if t1 > t0:
            self.labels["rate"].setText(f"{(s1 - s0) / (t1 - t0):,.1f} steps/s")

    def reset(self) -> None:
        self._rate.clear()
        for k in ("step", "elapsed", "rate"):
            self.labels[k].setText("")
