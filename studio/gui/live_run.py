"""What the window shows of the live run: the session's events routed to the panels.

Metrics go to the loss plot (and the 1D game's trace) and the status bar; snapshots to the game area
unless the timeline is rewound; checkpoints, hyperparameter changes, messages and evaluations to the
checkpoints panel, the model (a value the trainer changed is the next run's too), the plot's markers,
the metrics panel and the log; a divergence offers the way back. Nothing here starts or stops a run.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from ..app_model import StudioModel
from ..config.schema import ConfigError
from ..engine.commands import Pause, Rollback, SlowStep
from ..engine.events import (CheckpointSaved, Evaluation, Failed, Message, ParamChanged, Progress, SlowMotion,
                             StateChanged)
from ..engine.rundir import is_run_dir
from ..engine.runlog import read_metrics
from .panels.status_bar import fmt_time
from .run_follower import route_records

STATE_TEXT = {"starting": "Starting…", "running": "Training", "paused": "Paused", "idle": "Idle",
              "viewing": "Viewing a run"}


class LiveRun(QObject):
    def __init__(self, model: StudioModel, session, panels, say, *, rewind_live, fit_bottom, start_slow,
                 viewing, parent=None):
        """`panels`: an object with game, plot, metrics, status, checkpoints, banner, controls, form,
        presets; `rewind_live()`: whether the view follows the run; `fit_bottom()`: size the
        checkpoints dock to what it holds; `start_slow()`: start a run paused with one slow step;
        `viewing()`: whether a run opened from disk is shown."""
        super().__init__(parent)
        self.model, self.session, self.p, self.say = model, session, panels, say
        self.rewind_live, self.fit_bottom, self.start_slow, self.viewing = rewind_live, fit_bottom, start_slow, viewing
        self.evaluating: int | None = None    # the step after which the run is measuring quality
        s = session
        s.started.connect(self._started)
        s.metrics.connect(self._metrics)
        s.snapshot.connect(self._snapshot)
        s.event.connect(self._event)
        s.state_changed.connect(self.state_changed)
        s.evaluating.connect(self._evaluation_starts)
        s.finished.connect(self._finished)
        panels.game.view_made.connect(self._wire_view)
        panels.checkpoints.listed.connect(lambda: self.fit_bottom())    # the cards come off the job runner
        for name, view in panels.game.views.items():     # views made before (the 2D view's drawing)
            self._wire_view(name, view)

    # ------------------------------------------------------------------ the state line
    def show_state(self) -> None:
        state = self.session.state
        if state == "idle" and self.viewing():
            state = "viewing"
        text = STATE_TEXT.get(state, state)
        if self.evaluating is not None and self.session.live:
            text = f"Evaluating at step {self.evaluating:,}…"
        self.p.status.set_state(text)

    def state_changed(self, state: str) -> None:
        p = self.p
        live = state in ("starting", "running", "paused")
        p.controls.set_state(state, has_config=self.model.name is not None)
        p.form.set_running(live)
        p.presets.list.setEnabled(not live)
        p.checkpoints.set_live(live)
        p.status.set_running(state == "running")
        if state in ("paused", "idle"):
            self.evaluating = None
        self.show_state()

    # ------------------------------------------------------------------ session signals
    def _started(self, ev) -> None:
        p = self.p
        p.checkpoints.set_run_dir(ev.run_dir or None)
        self.fit_bottom()
        if ev.resumed_from:
            # the run directory is the one the engine chose (Started.run_dir): a checkpoint from outside a
            # run, or of another game than its run's, resumes into a new folder; the curves before the
            # resume come from the checkpoint's own run, and only when that is a run directory
            if ev.run_dir:
                self.model.show("live", Path(ev.run_dir).name, ev.run_dir)
            source = Path(ev.resumed_from).resolve().parent.parent
            if is_run_dir(source):
                self._history(source, ev.step)
        how = f" (resumed from {ev.resumed_from} at step {ev.step})" if ev.resumed_from else ""
        self.say.log(f"training {self.model.run_name} on {ev.device}{how} → {ev.run_dir}")
        p.status.set_device(ev.device)
        run = Path(ev.run_dir).name if ev.run_dir else self.model.run_name
        p.status.set_shown(f"run {run}", "", ev.run_dir or "")
        p.status.show_step(ev.step, "the run's newest step")
        p.metrics.set_schedule(self.session.config.eval.every if self.session.config else 0, ev.step)

    def _history(self, run_dir: Path, step: int) -> None:
        """The curves of the run a resumed run continues, up to its step."""
        recs = [r for r in read_metrics(run_dir / "metrics.jsonl") if r.get("step", 0) <= step
                and r.get("event") != "resume"]
        route_records(recs, self.p.plot, self.p.metrics)
        self.p.plot.add_marker(step, f"resumed at step {step:,}")

    def _snapshot(self, snap) -> None:
        if self.rewind_live():               # rewound: the view holds the step chosen on the timeline
            self.p.game.show_snapshot(snap.view, snap.data, snap.step)

    def _metrics(self, batch: list) -> None:
        p = self.p
        p.plot.add_records((ev.step, ev.values) for ev in batch)
        trace = [(ev.step, ev.values["theta"], ev.values["d_slope"]) for ev in batch
                 if "theta" in ev.values and "d_slope" in ev.values]     # the 1D shift game
        if trace:
            p.game.view("1d").add_trace(trace)
        last = batch[-1]
        if self.evaluating is not None and last.step > self.evaluating:
            self._evaluation_ends()
        cfg = self.session.config
        p.status.progress(last.step, last.elapsed, cfg.train.steps if cfg is not None else None)

    def _evaluation_starts(self, step: int) -> None:
        self.evaluating = step
        self.p.metrics.set_evaluating(step)
        self.show_state()

    def _evaluation_ends(self) -> None:
        self.p.status.set_task("")
        if self.evaluating is not None:
            self.evaluating = None
            self.p.metrics.set_schedule(self.p.metrics.every, self.session.step)
            self.show_state()

    def _wire_view(self, name: str, view) -> None:
        """Slow motion (the 1D and 2D views): it pauses the run and asks for one SlowStep at a time."""
        slow = getattr(view, "slow", None)
        if slow is None:
            return
        controls = self.p.controls
        slow.set_pace(controls.pace())
        controls.pace_changed.connect(slow.set_pace)
        slow.toggled.connect(lambda on: on and self.session.state == "running" and self.session.send(Pause()))
        slow.step_requested.connect(lambda: self.start_slow() if self.session.state == "idle"
                                    else self.session.send(SlowStep()))

    def _event(self, ev) -> None:
        p = self.p
        if isinstance(ev, SlowMotion):
            p.game.view(ev.view).slow.play(ev.step, ev.phases)
        elif isinstance(ev, CheckpointSaved):
            p.checkpoints.refresh()
            self.fit_bottom()
            self.say.log(f"checkpoint ({ev.reason}) at step {ev.step:,}: {ev.path}")
            if ev.reason == "manual":
                self.say.flash(f"Saved checkpoint {Path(ev.path).name} (step {ev.step:,})")
        elif isinstance(ev, ParamChanged):
            try:                                   # the next run starts from it too
                self.model.set_value(ev.key, ev.new)
            except ConfigError as e:               # a value the trainer took fits; said should it not
                self.say.log(f"{ev.key}: {e}", "warning")
            text = f"{ev.key}: {ev.old:g} → {ev.new:g}" if isinstance(ev.new, float) else \
                f"{ev.key}: {ev.old} → {ev.new}"
            p.plot.add_marker(ev.step, text)
            self.say.log(f"step {ev.step:,}: {text}", "change")
            if ev.key == "eval.every":
                p.metrics.set_schedule(int(ev.new), ev.step)
        elif isinstance(ev, Message):
            p.metrics.add_message(ev.step, ev.level, ev.text, ev.code)
            self.say.log(f"step {ev.step:,}: {ev.text}", ev.level)
            if ev.code == "eval":
                p.metrics.set_note(ev.text)
                self._evaluation_ends()
            elif ev.code == "diverged":    # the run is paused: offer the way back when there is one
                self._offer_rollback(ev.text)
            elif ev.code == "rollback":
                if ev.level == "error":
                    self.say.error(ev.text)
                else:
                    self.say.flash(ev.text[:1].upper() + ev.text[1:])
        elif isinstance(ev, Evaluation):
            p.metrics.add_evaluation(ev.step, ev.values)
            self._evaluation_ends()
        elif isinstance(ev, StateChanged):
            self.say.log(f"{ev.state} at step {ev.step:,}")
            if ev.state == "running":       # resumed: slow motion ends
                for v in p.game.views.values():
                    if getattr(v, "slow", None) is not None:
                        v.slow.set_on(False)
        elif isinstance(ev, Progress):      # the feature classifier trains during an evaluation
            p.status.set_task(ev.text if ev.done < ev.total else "", ev.done, ev.total, ev.seconds)

    def _offer_rollback(self, text: str) -> None:
        """Roll back only when it can work: the run has a checkpoint with finite metrics (asked of the
        panel's listing once it is back from the job runner)."""
        self.p.checkpoints.refresh(then=lambda: self._rollback_banner(text))

    def _rollback_banner(self, text: str) -> None:
        p, s = self.p, self.session
        good = p.checkpoints.good_checkpoint() if p.checkpoints.run_dir is not None and \
            s.run_dir and Path(p.checkpoints.run_dir) == Path(s.run_dir) else None
        if good is not None:
            p.banner.show_error(text, "Roll back", lambda: s.send(Rollback()),
                                tip=f"Go back to {Path(good).name}, the last checkpoint with finite "
                                    f"metrics, with both learning rates halved")
        else:
            every = s.config.checkpoint.every if s.config else 0
            how = (f"checkpoint.every = {every:,}" if every else "checkpoint.every = 0: at the end only")
            p.banner.show_error(text, "Roll back", None,
                                disabled_because=f"Rollback is not possible: this run has no checkpoint "
                                                 f"with finite metrics yet ({how}).")

    def _finished(self, ev) -> None:
        if isinstance(ev, Failed):   # a traceback only for a real bug, with a line asking to report it
            bug = " This is a bug in GAN Studio: please report it with the details in the Log tab." if ev.bug else ""
            self.say.error(f"Training failed at step {ev.step}: {ev.message.rstrip('.')}.{bug}",
                           ev.traceback if ev.bug else "")
        else:
            self.say.log(f"{ev.reason} after {ev.step:,} steps ({fmt_time(ev.elapsed)})")
            self.say.flash(f"Run {ev.reason} at step {ev.step:,} after {fmt_time(ev.elapsed)}")
        self.evaluating = None
        self.p.status.set_task("")
        self.p.checkpoints.refresh()
        self.fit_bottom()
