"""A training session: the engine's Trainer iterated on a QThread, its events forwarded as Qt signals.

The GUI side holds no engine object. Commands are typed records (engine.commands) put on a queue the
Trainer drains between steps; everything the window knows of the run (step, state, run directory,
where it resumed from) comes from the events. Throttled at the source: step metrics are batched and
sent at most every ~100 ms, snapshots are latest-wins (the thread keeps only the newest until the GUI
has taken it), everything else is sent at once. Closing stops the thread cleanly, after the Trainer
has written its checkpoint.

Rewind: for toy runs the thread records every snapshot with the full training state in a `RunHistory`
(run_history.py) before the latest-wins hand-over.
"""
from __future__ import annotations

import dataclasses
import threading
import time
import traceback
import weakref

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..config.schema import Config, ConfigError
from ..data.folder import reporting
from ..engine.build import Cancelled, cancellable
from ..engine.checkpoints import CheckpointError
from ..engine.commands import Command, CommandQueue, CopyGenerator, Pause, SaveNow, SetPace, Stop
from ..engine.events import Evaluating, Failed, Finished, Progress, Snapshot, Started, StateChanged, StepMetrics
from ..engine.trainer import Trainer
from .run_history import RunHistory

METRICS_INTERVAL = 0.1     # seconds between metric batches
HISTORY_FAMILIES = ("1d", "2d", "none")   # games whose full state is kept at every snapshot
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
    """Builds the Trainer (data loading can take a while) and iterates `Trainer.run()`. The Trainer
    never leaves this thread; commands reach it through the queue it was built with."""
    metrics = Signal(list)       # [StepMetrics, ...]
    snapshot_ready = Signal()    # take it with take_snapshot()
    event = Signal(object)       # any other event, in order
    watched = Signal(object)     # the watcher's record (numbers and numpy), just before Finished or Failed

    def __init__(self, build, commands: CommandQueue, parent=None, history: RunHistory | None = None,
                 watcher=None):
        super().__init__(parent)
        self._build = build
        self.commands = commands
        self.history = history
        self.watcher = watcher       # an observer of every event (a lesson's RunWatcher), on this thread
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None
        _THREADS.add(self)

    def take_snapshot(self) -> Snapshot | None:
        with self._lock:
            s, self._snap = self._snap, None
        return s

    def run(self) -> None:
        try:
            trainer = self._build()
        except Cancelled:      # closed while the data set loaded: nothing was made, nothing to say
            self.event.emit(Finished(0, "cancelled", "", 0.0))
            return
        except (ConfigError, CheckpointError, OSError) as e:   # bad config, missing data, unreadable checkpoint
            self.event.emit(Failed(0, str(e), traceback.format_exc(), bug=False))
            return
        except Exception as e:   # a bug: shown with its traceback
            self.event.emit(Failed(0, f"{type(e).__name__}: {e}", traceback.format_exc()))
            return
        batch: list[StepMetrics] = []
        last = time.perf_counter()
        gen = trainer.run()
        try:
            for ev in gen:
                if self.watcher is not None:
                    self.watcher.observe(ev, trainer.variant)
                    if isinstance(ev, (Finished, Failed)):
                        self.watched.emit(self.watcher.record)
                if isinstance(ev, StepMetrics):
                    batch.append(ev)
                    now = time.perf_counter()
                    # a lone step or a paused trainer may not yield again for a long time: send now
                    if now - last >= METRICS_INTERVAL or ev.kind != "iter" or trainer.paused:
                        self.metrics.emit(batch)
                        batch, last = [], now
                elif isinstance(ev, Snapshot):
                    if ev.state is not None:          # recorded here: the hand-over below is latest-wins
                        if self.history is not None:
                            self.history.add(ev.step, ev.view, ev.data, ev.state)
                        ev = dataclasses.replace(ev, state=None)
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
    started = Signal(object)          # engine.events.Started
    metrics = Signal(list)            # [StepMetrics, ...] at most every ~100 ms
    snapshot = Signal(object)         # engine.events.Snapshot (latest wins)
    event = Signal(object)            # CheckpointSaved, ParamChanged, Message, Evaluation, GeneratorCopy, ...
    state_changed = Signal(str)       # "starting", "running", "paused", "idle"
    finished = Signal(object)         # Finished or Failed
    evaluating = Signal(int)          # the run measures quality after this step (until its next event)
    watched = Signal(object)          # the record of `watch`'s observer, before `finished`

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread: TrainingThread | None = None
        self._commands: CommandQueue | None = None
        self._requests = 0
        self.state = "idle"
        self.config: Config | None = None      # what the run was started with
        self.pace: float | None = None         # iterations per second of the live run (None: full speed)
        self.history = RunHistory()            # the moments of the live (or last) toy run
        self.branch_of: tuple[str, int] | None = None   # (parent run directory, step) of a branched run
        self.watch = None     # callable(cfg) -> an observer of the next run's events (a lesson's), or None
        self.closed = False   # shut down (the window closed): no run starts any more
        self._cancel = threading.Event()
        self._reset_run()

    def _reset_run(self) -> None:
        self.step = 0                          # the newest step an event reported
        self.run_dir: str | None = None
        self.resumed_from: str | None = None
        self.device = ""

    # ------------------------------------------------------------------ lifecycle
    @property
    def live(self) -> bool:
        return self._thread is not None

    def start(self, cfg: Config, *, name: str = "run", run_dir=None, resume=None, paused: bool = False,
              pace=..., branch_of: tuple[str, int] | None = None, history_seed=(), built=None) -> None:
        """Build a Trainer for `cfg` on a new thread and start it (paused when asked) at `pace`
        iterations per second (None: full speed; by default the session's `pace`). `branch_of`:
        (parent run directory, step) of a branch, written to the new run's metrics.jsonl;
        `history_seed`: the parent's moments up to there, so that the branch's timeline reaches back
        into its parent. `built`: the preview's build (engine.build), which the Trainer takes when it
        fits `cfg`."""
        if self.closed:       # the window closed (a Train queued behind a preview comes too late)
            return
        if self.live:
            raise RuntimeError("a run is already live; stop it first")
        pace = self.pace if pace is ... else pace
        commands = CommandQueue()
        if pace is not None:
            commands.put(SetPace(pace))
        if paused:
            commands.put(Pause())
        history = RunHistory()
        history.extend(history_seed)
        cancel = self._cancel = threading.Event()      # set by shutdown: a data set still loading stops

        began = time.perf_counter()
        last = [0.0]

        def decoding(done: int, total: int) -> None:
            """A folder decoded before the first step (a cold cache): its files on the status bar's
            progress bar, at most ten times a second and the last one always."""
            now = time.perf_counter()
            if now - last[0] >= 0.1 or done >= total:
                last[0] = now
                th.event.emit(Progress(0, "decode", "decoding images", done, total, now - began))

        def build():
            with cancellable(cancel), reporting(progress=decoding):
                t = Trainer(cfg, run_dir, name=name, resume=resume, snapshots=True, interactive=True,
                            commands=commands, branch_of=branch_of[0] if branch_of else None, built=built,
                            lazy_dir=True)      # the folder appears with the first step (issue 20)
            t.history = t.data.family in HISTORY_FAMILIES      # tiny networks: keep every moment
            return t

        th = TrainingThread(build, commands, self, history, self.watch(cfg) if self.watch else None)
        self.pace, self.history, self.branch_of = pace, history, branch_of
        # bound methods of this QObject: queued onto the GUI thread
        th.metrics.connect(self._on_metrics)
        th.snapshot_ready.connect(self._on_snapshot)
        th.event.connect(self._on_event)
        th.watched.connect(self.watched)
        th.finished.connect(self._on_finished)
        self._thread, self._commands, self.config = th, commands, cfg
        self._reset_run()
        self._set_state("starting")
        th.start()

    def send(self, cmd: Command) -> None:
        """A command for the live run (handled between two steps); nothing without a run."""
        if self._commands is not None:
            self._commands.put(cmd)

    def stop(self) -> None:
        """Ask the run to stop; it saves its end checkpoint and the thread ends soon after."""
        self.send(Stop())

    def set_pace(self, per_second: float | None) -> None:
        """Iterations per second for the live run (None: full speed) and the runs started next."""
        self.pace = per_second
        self.send(SetPace(per_second))

    def request_generator_copy(self) -> int:
        """Ask the run for a frozen copy of its generator; the GeneratorCopy event carries this number."""
        self._requests += 1
        self.send(CopyGenerator(self._requests))
        return self._requests

    def shutdown(self, save: bool = True, timeout: float = 60.0) -> bool:
        """Stop and wait for the thread (the window is closing): a data set still loading stops
        loading, and no run starts after this. True when it ended in time. A run that has not started
        (still loading) gets no SaveNow: its checkpoint would hold no training."""
        self.closed = True
        th = self._thread
        if th is None:
            return True
        self._cancel.set()
        if save and self.config is not None and not self.config.checkpoint.at_end and self.state != "starting":
            self.send(SaveNow())
        self.stop()
        ok = th.wait(int(timeout * 1000))
        self._on_thread_done(th)
        return ok

    # ------------------------------------------------------------------ from the thread
    @Slot(list)
    def _on_metrics(self, batch: list) -> None:
        self.step = batch[-1].step
        self.metrics.emit(batch)

    @Slot()
    def _on_finished(self) -> None:
        th = self.sender()
        if isinstance(th, TrainingThread):
            self._on_thread_done(th)

    @Slot()
    def _on_snapshot(self) -> None:
        if self._thread is not None:
            snap = self._thread.take_snapshot()
            if snap is not None:
                self.step = snap.step
                self.snapshot.emit(snap)

    @Slot(object)
    def _on_event(self, ev) -> None:
        self.step = getattr(ev, "step", self.step)
        if isinstance(ev, Started):
            self.run_dir = ev.run_dir or None
            self.resumed_from = ev.resumed_from
            self.device = ev.device
            self._set_state("running")
            self.started.emit(ev)
        elif isinstance(ev, StateChanged):
            if self._thread is not None:     # a late "running" after the stop means nothing
                self._set_state(ev.state)
            self.event.emit(ev)
        elif isinstance(ev, (Finished, Failed)):
            self.finished.emit(ev)
        elif isinstance(ev, Evaluating):
            self.evaluating.emit(ev.step)
        else:
            self.event.emit(ev)

    def _on_thread_done(self, th: TrainingThread) -> None:
        if th is not self._thread:
            return
        th.wait()
        self._on_snapshot()
        self._thread = None
        self._commands = None
        self._set_state("idle")
        th.deleteLater()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
