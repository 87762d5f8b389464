"""Work that can take longer than a frame (building a preview, opening a checkpoint, exporting, a
comparison, a picture of a run), run on one worker thread; the result or the error comes back on the
GUI thread, in the order the jobs were started.

`Jobs(latest=True)` is the "latest request wins" runner every off-thread job of the GUI goes through
when only the newest answer matters (stylegan3's AsyncRenderer): a newer `run` supersedes an older
one, so a job still waiting is skipped, and the answer of a superseded or `cancel`led job is dropped
instead of handed back. No panel keeps its own stale-reply counter."""
from __future__ import annotations

import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

SKIPPED = object()      # what a superseded job "returns": it never ran


class _Job(QRunnable):
    def __init__(self, relay: "Jobs", job_id: int, fn: Callable[[], Any]):
        super().__init__()
        self.relay, self.job_id, self.fn = relay, job_id, fn
        self.setAutoDelete(True)

    def run(self) -> None:
        if self.relay.superseded(self.job_id):
            out, err = SKIPPED, None
        else:
            try:
                out, err = self.fn(), None
            except Exception as e:   # handed to the GUI thread, which reports it
                out, err = None, (e, traceback.format_exc())
        try:
            self.relay.done.emit(self.job_id, out, err)
        except RuntimeError:      # the widget that asked was closed meanwhile: nobody to tell
            pass


class Jobs(QObject):
    """One worker thread; `run(fn, on_done, on_error)` returns the job's id at once."""
    done = Signal(int, object, object)      # job id, result, (exception, traceback) or None

    def __init__(self, parent=None, *, latest: bool = False):
        super().__init__(parent)
        self.latest = latest
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._next = 0
        self._wanted = 0                     # latest: the one job whose answer is still wanted
        self._callbacks: dict[int, tuple] = {}
        self.done.connect(self._finish)

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[Exception, str], None]) -> int:
        self._next += 1
        self._wanted = self._next
        self._callbacks[self._next] = (on_done, on_error)
        self._pool.start(_Job(self, self._next, fn))
        return self._next

    def cancel(self) -> None:
        """Latest-wins: no answer of the jobs started so far is wanted any more."""
        self._wanted = 0

    def superseded(self, job_id: int) -> bool:
        """Whether a job's answer is no longer wanted (always False for an ordered runner)."""
        return self.latest and job_id != self._wanted

    @property
    def busy(self) -> bool:
        """A job started whose answer has not come back yet."""
        return bool(self._callbacks)

    @property
    def running(self) -> bool:
        """A job is running (or waiting) on the worker now."""
        return self._pool.activeThreadCount() > 0

    def wait(self, ms: int = 60_000) -> bool:
        """Block until every job has run (closing the window, tests)."""
        return self._pool.waitForDone(ms)

    def _finish(self, job_id: int, out, err) -> None:
        on_done, on_error = self._callbacks.pop(job_id)
        if out is SKIPPED or self.superseded(job_id):
            return
        if err is None:
            on_done(out)
        else:
            on_error(*err)
