"""A training session: the core Trainer iterated on a QThread, its events forwarded as Qt signals.

Throttled at the source: step metrics are batched and sent at most every ~100 ms, snapshots are
latest-wins (the thread keeps only the newest until the GUI has taken it), everything else is sent
at once. Commands go straight to the Trainer's thread-safe methods. Closing stops the thread
cleanly, after the Trainer has written its checkpoint.
"""
from __future__ import annotations

import threading
import time
import traceback
import weakref

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.events import Failed, Finished, Snapshot, StateChanged, StepMetrics

METRICS_INTERVAL = 0.1     # seconds between metric batches
_THREADS: "weakref.WeakSet[TrainingThread]" = weakref.WeakSet()


def live_threads() -> list["TrainingThread"]:
    """Training threads still running (the tests fail when one outlives its window)."""
    out = []
    for t in list(_THREADS):
        try:
            if t.isRunning():
                out.append(t)
        except RuntimeError:     # the C++ object is gone, so is its thread
            pass
    return out


class TrainingThread(QThread):
    """Builds the Trainer (data loading can take a while) and iterates `Trainer.run()`."""
    metrics = Signal(list)       # [StepMetrics, ...]
    snapshot_ready = Signal()    # take it with take_snapshot()
    event = Signal(object)       # any other event, in order
    ready = Signal(object)       # the Trainer, once built

    def __init__(self, build, parent=None):
        super().__init__(parent)
        self._build = build
        self.trainer = None
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None
        self._pending: list[tuple] = []     # commands sent before the Trainer existed
        self._cancel = False
        _THREADS.add(self)

    # ------------------------------------------------------------------ commands (GUI thread)
    def command(self, name: str, *args) -> None:
        with self._lock:
            t = self.trainer
            if t is None:
                self._pending.append((name, args))
                return
        getattr(t, name)(*args)

    def request_stop(self) -> None:
        with self._lock:
            self._cancel = True
            t = self.trainer
        if t is not None:
            t.stop()
            t.resume()          # wakes a paused loop so that it sees the stop at once

    def take_snapshot(self) -> Snapshot | None:
        with self._lock:
            s, self._snap = self._snap, None
        return s

    # ------------------------------------------------------------------ the worker
    def run(self) -> None:
        try:
            trainer = self._build()
        except Exception as e:   # bad config, missing data set, unreadable checkpoint
            self.event.emit(Failed(0, f"{type(e).__name__}: {e}", traceback.format_exc()))
            return
        with self._lock:
            self.trainer = trainer
            pending, self._pending = self._pending, []
            cancel = self._cancel
        self.ready.emit(trainer)
        for name, args in pending:
            getattr(trainer, name)(*args)
        if cancel:
            trainer.stop()
        batch: list[StepMetrics] = []
        last = time.perf_counter()
        gen = trainer.run()
        try:
            for ev in gen:
                if isinstance(ev, StepMetrics):
                    batch.append(ev)
                    now = time.perf_counter()
                    # a lone step or a paused trainer may not yield again for a long time: send now
                    if now - last >= METRICS_INTERVAL or ev.kind != "iter" or trainer.paused:
                        self.metrics.emit(batch)
                        batch, last = [], now
                elif isinstance(ev, Snapshot):
                    with self._lock:
                        fresh = self._snap is None
                        self._snap = ev
                    if fresh:
                        self.snapshot_ready.emit()
                else:
                    if batch:
                        self.metrics.emit(batch)
                        batch, last = [], time.perf_counter()
                    self.event.emit(ev)
        except Exception as e:   # an error of this loop itself; Trainer.run() reports its own
            self.event.emit(Failed(trainer.step, f"{type(e).__name__}: {e}", traceback.format_exc()))
        finally:
            gen.close()
            if batch:
                self.metrics.emit(batch)


class Session(QObject):
    """One run at a time: start it, send it commands, stop it. Signals arrive on the GUI thread."""
    started = Signal(object)          # core.events.Started
    metrics = Signal(list)            # [StepMetrics, ...] at most every ~100 ms
    snapshot = Signal(object)         # core.events.Snapshot (latest wins)
    event = Signal(object)            # CheckpointSaved, ParamChanged, Message, Evaluation, ...
    state_changed = Signal(str)       # "starting", "running", "paused", "idle"
    finished = Signal(object)         # Finished or Failed

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread: TrainingThread | None = None
        self.state = "idle"
        self.trainer = None
        self.run_dir: str | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def live(self) -> bool:
        return self._thread is not None

    def start(self, cfg, *, name: str = "run", run_dir=None, resume=None, paused: bool = False) -> None:
        """Build a Trainer for `cfg` on a new thread and start it (paused when asked)."""
        if self.live:
            raise RuntimeError("a run is already live; stop it first")
        from ..core.trainer import Trainer

        def build():
            return Trainer(cfg, run_dir, name=name, resume=resume, snapshots=True, interactive=True)

        th = TrainingThread(build, self)
        # bound methods of this QObject: queued onto the GUI thread
        th.metrics.connect(self._on_metrics)
        th.snapshot_ready.connect(self._on_snapshot)
        th.event.connect(self._on_event)
        th.ready.connect(self._on_ready)
        th.finished.connect(self._on_finished)
        self._thread = th
        self.trainer = None
        if paused:
            th.command("pause")
        self._set_state("starting")
        th.start()

    def stop(self) -> None:
        """Ask the run to stop; it saves its end checkpoint and the thread ends soon after."""
        if self._thread is not None:
            self._thread.request_stop()

    def shutdown(self, save: bool = True, timeout: float = 60.0) -> bool:
        """Stop and wait for the thread (the window is closing). True when it ended in time."""
        th = self._thread
        if th is None:
            return True
        t = th.trainer
        if save and t is not None and not t.cfg.checkpoint.at_end:
            t.save_now()
        th.request_stop()
        ok = th.wait(int(timeout * 1000))
        self._on_thread_done(th)
        return ok

    # ------------------------------------------------------------------ commands
    def _cmd(self, name: str, *args) -> None:
        if self._thread is not None:
            self._thread.command(name, *args)

    def pause(self) -> None:
        self._cmd("pause")

    def resume(self) -> None:
        self._cmd("resume")

    def step_once(self, kind: str = "iter") -> None:
        self._cmd("step_once", kind)

    def set_param(self, key: str, value) -> None:
        self._cmd("set_param", key, value)

    def save_now(self) -> None:
        self._cmd("save_now")

    def rollback(self) -> None:
        """Load the run's newest checkpoint with finite metrics (after a divergence)."""
        self._cmd("rollback")

    # ------------------------------------------------------------------ from the thread
    @Slot(list)
    def _on_metrics(self, batch: list) -> None:
        self.metrics.emit(batch)

    @Slot()
    def _on_finished(self) -> None:
        th = self.sender()
        if isinstance(th, TrainingThread):
            self._on_thread_done(th)

    @Slot(object)
    def _on_ready(self, trainer) -> None:
        self.trainer = trainer

    @Slot()
    def _on_snapshot(self) -> None:
        if self._thread is not None:
            snap = self._thread.take_snapshot()
            if snap is not None:
                self.snapshot.emit(snap)

    @Slot(object)
    def _on_event(self, ev) -> None:
        name = type(ev).__name__
        if name == "Started":
            self.run_dir = ev.run_dir or None
            self._set_state("paused" if self.trainer is not None and self.trainer.paused else "running")
            self.started.emit(ev)
        elif isinstance(ev, StateChanged):
            if self._thread is not None:     # a late "running" after the stop means nothing
                self._set_state(ev.state)
            self.event.emit(ev)
        elif isinstance(ev, (Finished, Failed)):
            self.finished.emit(ev)
        else:
            self.event.emit(ev)

    def _on_thread_done(self, th: TrainingThread) -> None:
        if th is not self._thread:
            return
        th.wait()
        self._on_snapshot()
        self._thread = None
        self.trainer = None
        self._set_state("idle")
        th.deleteLater()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
