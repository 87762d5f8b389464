"""Starting, pausing and stepping runs: the toolbar's Train, Step and slow-motion steps, and the runs
that actions start (resume, branch). The configuration is the model's; a branch says so to the
session directly (`branch_of`, the parent's moments), with no state hidden in between.

A preview being built is waited for off the GUI thread: Train then starts as soon as it is done, from
the preview's build when the configuration is the same (the data set is not decoded twice)."""
from __future__ import annotations

import html

from PySide6.QtCore import QObject, QTimer

from ..app_model import StudioModel
from ..engine.commands import Pause, Resume, StepOnce
from .screen import caption, reset_panels

POLL_MS = 25          # how often a queued Train looks whether the preview is done


class RunControl(QObject):
    def __init__(self, model: StudioModel, session, panels, preview, say, *, leave_run_shown, parent=None):
        """`leave_run_shown()`: stop following a run opened from disk (a new run takes the centre)."""
        super().__init__(parent)
        self.model, self.session, self.p, self.preview, self.say = model, session, panels, preview, say
        self.leave_run_shown = leave_run_shown
        self.queued = False                  # Train pressed while a preview was being built
        self.on_start = []                   # callables(cfg) told when a run is about to start

    def start(self, cfg=None, *, name=None, run_dir=None, resume=None, paused=False, first=None,
              branch_of=None, history_seed=()) -> bool:
        """Start a run of `cfg` (the model's next-run configuration by default); `first` is a command
        it gets at once (Step from idle); `branch_of` (parent run directory, step) and the parent's
        `history_seed` make it a branch."""
        if cfg is None:
            bad = {**self.model.problems, **self.p.form.errors()}
            if bad:          # a marked field still shows a value that was not applied
                key, why = next(iter(bad.items()))
                self.say.error(f"Fix the marked field{'s' * (len(bad) > 1)} first: {key}: {why}")
                return False
            cfg = self.model.config()
        self.leave_run_shown()
        self.preview.cancel()                # a preview still on its way is no longer wanted
        if self.queued:
            return True
        args = dict(name=name, run_dir=run_dir, resume=resume, paused=paused, first=first,
                    branch_of=branch_of, history_seed=history_seed)
        if self.preview.busy:
            self.queued = True
            self.p.status.showMessage("Starting as soon as the preview is done…")
            self._when_preview_done(cfg, args)
            return True
        self._start_now(cfg, **args)
        return True

    def _when_preview_done(self, cfg, args) -> None:
        # Polled, not queued on the preview's latest-wins runner: a job queued there is dropped when a
        # newer preview is asked for, which left `queued` set and every later Train doing nothing.
        if self.preview.busy:
            QTimer.singleShot(POLL_MS, lambda: self._when_preview_done(cfg, args))
        else:
            self._start_now(cfg, **args)

    def _start_now(self, cfg, *, name, run_dir, resume, paused, first, branch_of, history_seed) -> None:
        self.queued = False
        if self.session.live:
            return
        p = self.p
        run_name = name or self.model.run_name
        self.model.show("live", run_name, str(run_dir or ""))
        reset_panels(p, f"<p>Starting <b>{html.escape(run_name)}</b>…</p>")
        p.banner.hide()
        for f in self.on_start:
            f(cfg)
        p.game.set_caption(caption(cfg, run_name))
        p.status.set_shown(f"run {run_name}", "", "starting")
        p.metrics.set_schedule(cfg.eval.every)
        built = self.preview.take()          # the Trainer starts from it when it fits `cfg`
        self.session.start(cfg, name=run_name, run_dir=run_dir, resume=resume, paused=paused,
                           branch_of=branch_of, history_seed=history_seed,
                           built=built if resume is None else None)
        if first is not None:
            self.session.send(first)

    def train_or_pause(self) -> None:
        state = self.session.state
        if state == "running":
            self.session.send(Pause())
        elif state == "paused":
            self.session.send(Resume())
        elif state == "idle":
            self.start()

    def step(self, kind: str) -> None:
        if self.session.state == "idle":
            self.start(paused=True, first=StepOnce(kind))
        else:
            self.session.send(StepOnce(kind))
