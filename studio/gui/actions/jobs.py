"""Work that can take longer than a frame (opening a checkpoint, exporting), run on a worker thread;
the result or the error comes back on the GUI thread, in the order the jobs were started."""
from __future__ import annotations

import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Job(QRunnable):
    def __init__(self, relay: "Jobs", job_id: int, fn: Callable[[], Any]):
        super().__init__()
        self.relay, self.job_id, self.fn = relay, job_id, fn
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            out, err = self.fn(), None
        except Exception as e:   # handed to the GUI thread, which reports it
            out, err = None, (e, traceback.format_exc())
        self.relay.done.emit(self.job_id, out, err)


class Jobs(QObject):
    """One worker thread; `run(fn, on_done, on_error)` returns at once."""
    done = Signal(int, object, object)      # job id, result, (exception, traceback) or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._next = 0
        self._callbacks: dict[int, tuple] = {}
        self.done.connect(self._finish)

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[Exception, str], None]) -> int:
        self._next += 1
        self._callbacks[self._next] = (on_done, on_error)
        self._pool.start(_Job(self, self._next, fn))
        return self._next

    @property
    def busy(self) -> bool:
        """A job started whose answer has not been handled yet."""
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
        if err is None:
            on_done(out)
        else:
            on_error(*err)
