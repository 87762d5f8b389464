"""The latent explorer's renders, off the GUI thread, through the studio's latest-wins job runner
(gui.jobs.Jobs(latest=True)).

At most one job is in flight. Requests made meanwhile wait here, the newest of each kind (image,
strip, tiles, arith, prepare) replacing an older one of that kind, and go out together as the next
job when the answer comes back: a slider dragged faster than G renders shows a picture every render,
the last one being the slider's final place. `restart()` (a new source) forgets what waits and lets
the runner drop the answer in flight: what the old source drew never reaches the screen. No stamps
are compared to find stale answers; the runner hands back only the newest job's answer.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6 import QtCore

from ..jobs import Jobs


def _each(batch: dict[str, tuple[int, Callable[[], Any]]]) -> dict[str, tuple[int, Any, str]]:
    """Run every request of a batch; one that fails says why and does not stop the others."""
    out = {}
    for kind, (stamp, fn) in batch.items():
        try:
            out[kind] = (stamp, fn(), "")
        except Exception as e:      # shown in the explorer's status line, not raised
            out[kind] = (stamp, None, f"{type(e).__name__}: {e}")
    return out


class RenderQueue(QtCore.QObject):
    """`ask(kind, fn)` returns the request's stamp (1, 2, ... in the order asked); `show(kind, stamp,
    result, error)` is called on the GUI thread for each answer, in the order asked."""

    def __init__(self, show: Callable[[str, int, Any, str], None], parent=None):
        super().__init__(parent)
        self.jobs = Jobs(self, latest=True)
        self._show = show
        self.stamp = 0                      # the last stamp given
        self.waiting: dict[str, tuple[int, Callable[[], Any]]] = {}
        self.in_flight = 0                  # the runner's id of the job whose answer is awaited (0: none)
        self.shown: dict[str, int] = {"image": 0, "strip": 0, "tiles": 0, "arith": 0}

    @property
    def busy(self) -> bool:
        return bool(self.in_flight)

    def ask(self, kind: str, fn: Callable[[], Any]) -> int:
        self.stamp += 1
        self.waiting[kind] = (self.stamp, fn)
        if not self.in_flight:
            self._send()
        return self.stamp

    def restart(self) -> None:
        """A new source: nothing asked so far is wanted, neither waiting nor in flight."""
        self.waiting.clear()
        self.in_flight = 0
        self.jobs.cancel()

    def _send(self) -> None:
        batch, self.waiting = self.waiting, {}
        self.in_flight = self.jobs.run(lambda: _each(batch), self._done,
                                       lambda e, _tb: self._done({k: (s, None, f"{type(e).__name__}: {e}")
                                                                 for k, (s, _f) in batch.items()}))

    def _done(self, answers: dict[str, tuple[int, Any, str]]) -> None:
        self.in_flight = 0
        if self.waiting:
            self._send()                    # the worker starts on the next batch while this one is drawn
        # a prepared source last: what the old source drew in the same batch must not follow it on screen
        for kind, (stamp, out, err) in sorted(answers.items(), key=lambda kv: kv[0] == "prepare"):
            if not err and kind in self.shown:
                self.shown[kind] = stamp
            self._show(kind, stamp, out, err)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Drop what waits and wait for the job in flight; True when the worker is idle."""
        self.waiting.clear()
        return self.jobs.wait(timeout_ms)
