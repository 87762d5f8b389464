"""A run directory opened from disk, shown and followed as it grows: its curves, its newest samples
(or else its newest checkpoint), its checkpoints; the timeline scrubs its sample grids. The preset
list chooses nothing meanwhile: the model says a run is shown."""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QObject

from ..app_model import StudioModel
from ..config.presets import load_preset
from ..config.schema import ConfigError
from .panels.status_bar import fmt_time
from .run_follower import RunFollower, is_run_dir, route_records
from .screen import caption, reset_panels


class Following(QObject):
    def __init__(self, model: StudioModel, session, panels, say, *, rewind, load_newest, fit_bottom,
                 shown_state, parent=None):
        """`load_newest()`: load the run's newest checkpoint into the centre; `fit_bottom(reset)`:
        size the checkpoints dock; `shown_state(state)`: tell the controls and the state line."""
        super().__init__(parent)
        self.model, self.session, self.p, self.say = model, session, panels, say
        self.rewind, self.load_newest, self.fit_bottom, self.shown_state = rewind, load_newest, fit_bottom, shown_state
        self.follower: RunFollower | None = None

    def open_run(self, path) -> bool:
        """Show a run directory's curves, samples and checkpoints, following it as it grows. The centre
        shows its newest samples, or else its newest checkpoint."""
        if self.session.live:
            self.say.error("Stop the current run before opening another one.")
            return False
        if not is_run_dir(path):
            self.say.error(f"{path}: not a run directory (no metrics.jsonl, config.toml or checkpoints/)")
            return False
        self.stop()
        p, run = self.p, Path(path)
        self.model.show("run", run.name, str(run))
        reset_panels(p, f"<h3>{html.escape(run.name)}</h3><p>opened from disk: its curves are on the "
                        f"right. It has no samples or checkpoint to show yet; they appear here as "
                        f"the run writes them.</p>")
        cfg = None
        try:
            cfg = load_preset(run / "config.toml")
            p.metrics.set_schedule(cfg.eval.every)
        except ConfigError as e:
            self.say.log(f"config of the run not readable: {e}", "warning")
        self.model.take_config(cfg if cfg is not None else self.model.config(), run.name)
        what = "opened from disk"
        p.game.set_caption(caption(cfg, run.name, what) if cfg is not None else
                           f"<b>{html.escape(run.name)}</b> ({what})")
        p.status.set_shown(f"run {run.name}", "", str(run))
        p.checkpoints.set_run_dir(run)
        self.fit_bottom(True)
        self.follower = f = RunFollower(run, parent=self)
        f.records.connect(self._records)
        f.samples.connect(self._samples)
        f.checkpoints_changed.connect(self._checkpoints)
        f.start()
        self.rewind.follow(f)                  # the timeline scrubs its sample grids
        self.say.log(f"opened run {run}")
        self.model.add_runs_folder(run.parent)     # its neighbours appear in the runs browser
        self.shown_state("viewing")
        if p.game.current_view is None:        # no samples: the newest checkpoint's state
            self.load_newest()
        self.say.flash(f"Opened run {run.name}")
        return True

    def stop(self) -> None:
        if self.follower is not None:
            self.follower.stop()
            self.follower.deleteLater()
            self.follower = None

    def _records(self, recs: list) -> None:
        """Lines of a followed metrics.jsonl."""
        last = route_records(recs, self.p.plot, self.p.metrics)
        if last is not None:
            if self.model.shown.kind != "checkpoint":
                self.p.status.progress(int(last["step"]), float(last.get("t", 0.0)))
            else:     # the step shown is the checkpoint's; the run's time still moves on
                self.p.status["elapsed"].setText(f"elapsed {fmt_time(float(last.get('t', 0.0)))}")

    def _samples(self, png: str) -> None:
        if not self.rewind.live():             # rewound: the timeline's grid stays on screen
            return
        run = self.follower.run_dir if self.follower is not None else Path(".")
        if self.p.game.show_samples(png, f"<b>{html.escape(run.name)}</b> · newest samples ({Path(png).name})"):
            self.model.show("run", run.name, str(run))
            self.p.status.set_shown(f"run {run.name}", Path(png).name, png)

    def _checkpoints(self) -> None:
        self.p.checkpoints.refresh(then=self._listed)     # listed on the job runner

    def _listed(self) -> None:
        self.fit_bottom(False)
        if self.p.game.current_view is None:
            self.load_newest()
