"""The window's pace and rewind: the toolbar's speed control drives the session, the timeline under
the game view scrubs back through the run, and "Branch from here" starts a new run from that moment.

Toy runs (1D, 2D, saddle) keep their full state at every snapshot in the session's RunHistory: the
timeline scrubs those moments, the view redraws what it showed then, and a branch starts from exactly
that state. Image runs, live or opened from disk, scrub the sample grids the run saved
(samples/step_*.png) and branch from the newest checkpoint at or before the step shown. Either way the
new run's metrics.jsonl starts with {"event": "branch", "step", "from_run", "from_step"}.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from ...app_model import StudioModel
from ...config.io import config_from_dict
from ...config.schema import ConfigError
from ...engine import checkpoints
from ...engine.runlog import read_metrics
from ...tools.compare import samples_of
from ..panels.controls import PACE_TIP, pace_text
from ..run_follower import route_records
from ..run_history import RunHistory

STEPS_EVERY = 0.2          # seconds between timeline updates while a run streams snapshots
SAMPLES_EVERY = 1.0        # seconds between looks at a live image run's samples folder


def sample_pngs(run_dir) -> dict[int, Path]:
    """A run's saved sample grids by step."""
    return dict(samples_of(run_dir)) if run_dir else {}


def checkpoint_before(run_dir, step: int):
    """The newest checkpoint of a run at or before `step` (a CheckpointInfo), or None."""
    if not run_dir:
        return None
    good = [c for c in checkpoints.list_checkpoints(run_dir) if c.step <= step]
    return good[-1] if good else None


class Rewind(QObject):
    """The pace box, the timeline and Branch, given the model and the few things they touch: the game
    area (and its timeline), the loss plot and metrics panel (a branch's parent curves), the status
    bar (the pace), the toolbar's pace control, the form (a typed pace), `say`, and the run control's
    `start` (a branch)."""

    def __init__(self, model: StudioModel, session, game, plot, metrics, say, *, status, controls, form,
                 start, parent=None):
        super().__init__(parent)
        self.model, self.session, self.game, self.plot, self.metrics = model, session, game, plot, metrics
        self.say, self.controls, self.start = say, controls, start
        self.timeline = game.timeline
        self.mode = ""                      # "memory" (toy moments), "samples" (PNG grids) or ""
        self.run_dir: str | None = None     # the run the timeline scrubs
        self.pngs: dict[int, Path] = {}
        self._live_snap = None
        self._caption = ""
        self._last_steps = 0.0
        self._last_pngs = 0.0
        self._pending = None                # a branch waiting for the live run to stop
        self.pace_label = QLabel(status)
        self.pace_label.setObjectName("status_pace")
        self.pace_label.setToolTip(PACE_TIP)
        status.addPermanentWidget(self.pace_label)
        controls.pace_changed.connect(self.set_pace)
        model.preset_changed.connect(self._preset_chosen)
        form.edited.connect(self._form_edited)
        s = session
        s.started.connect(self._started)
        s.snapshot.connect(self._snapshot)
        s.state_changed.connect(self._state_changed)
        self.timeline.moved.connect(self.show_step)
        self.timeline.live_requested.connect(self.show_live)
        self.timeline.branch_requested.connect(self.branch)
        self.set_pace(controls.pace())

    # ------------------------------------------------------------------ pace
    def set_pace(self, pace) -> None:
        self.session.set_pace(pace)
        self.pace_label.setText(f"pace {pace_text(pace)}")
        if self.session.live:
            self.say.flash(f"Training at {pace_text(pace)}")

    def _preset_chosen(self, name: str | None) -> None:
        if self.session.live or name is None:     # a run resumed or branched keeps the pace
            return
        self.reset()
        self.session.history = RunHistory()          # the last run's moments are let go
        try:
            pace = self.model.config().train.pace
        except (ConfigError, AttributeError):
            return
        self.controls.set_pace(pace or None)

    def _form_edited(self, key: str, value) -> None:
        if key == "train.pace" and not self.session.live:
            self.controls.set_pace(value or None)

    # ------------------------------------------------------------------ what the timeline scrubs
    def live(self) -> bool:
        """True while the view follows the run (the window then draws new snapshots and samples)."""
        return self.timeline.live

    def reset(self, mode: str = "", run_dir: str | None = None) -> None:
        self.mode, self.run_dir, self.pngs = mode, run_dir, {}
        self._live_snap = None
        self.plot.set_cursor(None)
        self.timeline.reset({"memory": "moments kept in memory", "samples": "saved sample grids"}.get(mode, ""))

    def _started(self, ev) -> None:
        s = self.session
        self.reset("", ev.run_dir or None)
        if s.branch_of is not None and not ev.resumed_from:    # the parent's curves up to the branch
            parent, step = s.branch_of
            recs = [r for r in read_metrics(Path(parent) / "metrics.jsonl") if r.get("step", 0) <= step
                    and r.get("event") not in ("resume", "branch")]
            route_records(recs, self.plot, self.metrics)
            self.plot.add_marker(step, f"branched from {Path(parent).name} at step {step:,}")
        if s.branch_of is not None:
            self.say.log(f"branch of {s.branch_of[0]} at step {s.branch_of[1]:,}")

    def _snapshot(self, snap) -> None:
        self._live_snap = snap
        self.timeline.set_live_step(snap.step)      # the label names the step the picture shows
        s = self.session
        now = time.monotonic()
        if len(s.history):
            self.mode = "memory"
            self.timeline.what = "moments kept in memory"
            if now - self._last_steps >= STEPS_EVERY or not s.live:
                self._last_steps = now
                self.timeline.set_steps(s.history.steps())
        elif snap.view in ("image", "cyclegan") and now - self._last_pngs >= SAMPLES_EVERY:
            self._last_pngs = now
            self._refresh_pngs(s.run_dir)
        self._branch_state()

    def _state_changed(self, state: str) -> None:
        s = self.session
        if state == "idle":
            if len(s.history):
                self.timeline.set_steps(s.history.steps())        # the very last moments too
            elif self.mode in ("", "samples") and self.run_dir:
                self._refresh_pngs(self.run_dir)
            if self._pending is not None:
                pending, self._pending = self._pending, None
                pending()
        self._branch_state()

    def follow(self, follower) -> None:
        """A run directory opened from disk: scrub its sample grids as it writes them."""
        self.reset("samples", str(follower.run_dir))
        self._refresh_pngs(follower.run_dir)
        follower.samples.connect(lambda _png: self._refresh_pngs(follower.run_dir))

    def _refresh_pngs(self, run_dir) -> None:
        pngs = sample_pngs(run_dir)
        if not pngs:
            return
        self.mode, self.run_dir, self.pngs = "samples", str(run_dir), pngs
        self.timeline.what = "saved sample grids"
        self.timeline.set_steps(list(pngs))
        self._branch_state()

    # ------------------------------------------------------------------ scrubbing
    def show_step(self, step: int) -> None:
        g = self.game
        if not self._caption and g.caption.text():
            self._caption = g.caption.text()
        if self.mode == "memory":
            m = self.session.history.at(step)
            if m is None:
                return
            g.show_snapshot(m.view, m.data, m.step)
            g.view(m.view).flush()
            step = m.step
        elif self.mode == "samples":
            png = self.pngs.get(step)
            if png is None or not g.show_samples(str(png)):
                return
        else:
            return
        newest = self.timeline.steps[-1] if self.timeline.steps else step
        what = "sample grid" if self.mode == "samples" else "state"
        g.set_caption(f"<b>rewound</b> to step {step:,} of {newest:,} <span style='opacity:0.75'>· the {what} "
                      f"at that step; <i>Live</i> follows the run again</span>")
        self.plot.set_cursor(step)
        self._branch_state()

    def show_live(self) -> None:
        g = self.game
        self.plot.set_cursor(None)
        if self._caption:
            g.set_caption(self._caption)
            self._caption = ""
        snap = self._live_snap
        if snap is not None and (self.mode == "memory" or self.session.live):
            g.show_snapshot(snap.view, snap.data, snap.step)
            g.view(snap.view).flush()
        elif self.pngs:
            newest = list(self.pngs.values())[-1]
            g.show_samples(str(newest))
        self._branch_state()

    def _branch_state(self) -> None:
        t = self.timeline
        if not t.steps:
            return
        step = t.step()
        if self.mode == "memory":
            m = self.session.history.at(step)
            ok = m is not None and m.state is not None
            t.set_branch(ok, f"Start a new run from exactly step {step:,}: the same weights, optimiser "
                             f"states and random state (the current run stops and keeps its checkpoint)"
                         if ok else "This moment's state is not kept")
        else:
            ck = checkpoint_before(self.run_dir, step)
            t.set_branch(ck is not None,
                         f"Start a new run from {ck.path.name}, the newest checkpoint at or before step "
                         f"{step:,} (step {ck.step:,})" if ck is not None else
                         f"No checkpoint of this run at or before step {step:,} to branch from")

    # ------------------------------------------------------------------ branching
    def branch(self, step: int) -> bool:
        """A new run from the moment shown: the kept state (toy runs) or the newest checkpoint at or
        before it. A live run is stopped first (it saves its checkpoint); the branch starts when it
        has ended."""
        s = self.session
        parent = self.run_dir or s.run_dir
        if not parent:
            self.say.error("cannot branch: this run has no run directory")
            return False
        if self.mode == "memory":
            state = s.history.state_at(step)
            if state is None:
                self.say.error(f"cannot branch at step {step:,}: its state is not kept")
                return False
            try:
                cfg = config_from_dict(state["config"], f"{parent} at step {step}")
            except ConfigError as e:
                self.say.error(f"cannot branch at step {step:,}: {e}")
                return False
            seed = s.history.moments(upto=step)
            resume, from_step = state, step
        else:
            ck = checkpoint_before(parent, step)
            if ck is None:
                self.say.error(f"cannot branch at step {step:,}: {parent} has no checkpoint at or before it")
                return False
            try:
                cfg = checkpoints.config_of(checkpoints.load(ck.path), str(ck.path))
            except (ConfigError, checkpoints.CheckpointError) as e:
                self.say.error(f"cannot branch from {ck.path}: {e}")
                return False
            seed, resume, from_step = [], str(ck.path), ck.step
        name = f"{Path(parent).name.split('-branch')[0].rsplit('-', 2)[0]}-branch"

        def go():
            self.model.take_config(cfg, name)
            self.start(cfg, name=name, resume=resume, branch_of=(str(parent), int(from_step)),
                             history_seed=seed)
            self.say.flash(f"Branched from {Path(parent).name} at step {from_step:,}")

        if s.live:
            self._pending = go
            self.say.log(f"branching at step {from_step:,}: stopping the current run first")
            s.stop()
        else:
            go()
        return True
