"""Stop signals: SIGINT (Ctrl+C), SIGTERM (`kill`, systemd, Docker, Slurm before they stop a job) and
SIGHUP (a closed terminal or SSH session) all mean "stop now, keep the work". The first one calls
`on_stop` (which asks the run to stop between two steps and save a checkpoint); a second one aborts at
once with one line and the conventional status 128 + N, without a traceback.

Python runs signal handlers in the main thread only, so off it (the studio's sweep thread, a test's
worker) `StopSignals` installs nothing and leaves the process's handlers alone.
"""
from __future__ import annotations

import os
import signal
import threading
from typing import Callable

NAMES = ("SIGINT", "SIGTERM", "SIGHUP")
STOP_SIGNALS = tuple(getattr(signal, n) for n in NAMES if hasattr(signal, n))


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


class StopSignals:
    """`with StopSignals(on_stop) as stops:` ... `stops.received` is the first signal's number (or None)
    and `stops.exit_code` the status to end with: 0 after Ctrl+C (a stop the user asked for at the
    keyboard, as before), 128 + N after SIGTERM or SIGHUP (as a shell reports a process a signal ended)."""

    def __init__(self, on_stop: Callable[[int], None], abort_text: str = "aborted"):
        self.on_stop = on_stop
        self.abort_text = abort_text
        self.received: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            for s in STOP_SIGNALS:
                self._previous[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for s, h in self._previous.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)
        self._previous.clear()

    @property
    def name(self) -> str | None:
        return signal_name(self.received) if self.received is not None else None

    @property
    def exit_code(self) -> int:
        if self.received is None or self.received == signal.SIGINT:
            return 0
        return 128 + self.received

    def _handle(self, signum, frame) -> None:
        if self.received is None:
            self.received = signum
            self.on_stop(signum)
            return
        # a second signal: the user (or the scheduler) will not wait for the checkpoint
        try:
            os.write(2, f"\n{self.abort_text}: a second stop signal ({signal_name(signum)}); nothing more "
                        f"was saved\n".encode())
        finally:
            os._exit(128 + signum)
