"""The latent explorer's tab and its "follow the live run" policy.

The explorer is made the first time it is needed. Opening its tab, and every few seconds while it is
open during a run, it follows the running generator (unless pinned) with a copy the trainer makes
between two steps: asked for only when the run has moved on and no copy is on its way; a new run
starts afresh. A loaded checkpoint's generator is a source too. Where the explorer's generator comes
from is the model's `explorer_source`, and whether it follows the live run is the model's
`explorer_follows`: the explorer's Follow box writes it (`follow_live_run`), a checkpoint opened
during a run pins it, and the box shows what the model says (`explorer_changed`) without echo."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..app_model import StudioModel
from ..engine.checkpoints import list_checkpoints
from ..engine.events import GeneratorCopy
from ..tools import model_io
from .jobs import Jobs
from .panels.latent_explorer import LatentExplorer


def run_end_generator(run_dir: str):
    """(path, step, latent model) of a finished run's newest checkpoint, or None when it has none."""
    items = list_checkpoints(run_dir)
    if not items:
        return None
    model = model_io.open_model(items[-1].path)
    latent = model_io.latent_model(model)
    return None if latent is None else (str(items[-1].path), model.step, latent)


class ExplorerFollow(QObject):
    def __init__(self, model: StudioModel, session, holder: QWidget, say, parent=None):
        super().__init__(parent)
        self.model, self.session, self.holder, self.say = model, session, holder, say
        QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
        self.latent: LatentExplorer | None = None
        self.asked: dict[int, tuple] = {}     # generator copies asked for: (keep the view, asked by hand)
        self.jobs = Jobs(self, latest=True)   # a finished run's last generator, read from its checkpoint
        self.ended_run: str | None = None     # the run whose end the explorer shows or is reading
        session.event.connect(self._event)
        session.state_changed.connect(self._state_changed)
        model.explorer_changed.connect(self._source_changed)

    def explorer(self) -> LatentExplorer:
        if self.latent is None:
            self.latent = LatentExplorer(self.holder)
            self.latent.refresh_requested.connect(lambda: self.ask(keep_view=True))
            self.latent.follow_requested.connect(self.follow_live)
            self.latent.follow_chosen.connect(self.model.follow_live_run)
            self.latent.show_following(self.model.explorer_follows)
            self.latent.set_live(self.session.live)
            self.holder.layout().addWidget(self.latent)
        return self.latent

    def follow_live(self) -> None:
        ex = self.explorer()
        if not self.session.live:
            self._follow_ended(ex)
            return
        if not ex.following or self.asked or ex.preparing:
            return
        src = self.model.explorer_source
        same = (src is not None and src.kind == "live" and src.where == str(self.session.run_dir)
                and ex.model is not None and not ex.model.source)
        if not same or ex.model.step < self.session.step:
            self.ask(keep_view=same, manual=False)

    def _follow_ended(self, ex: LatentExplorer) -> None:
        """Following a run that has ended (the tab opened after it, or open as it ends): its newest
        checkpoint's generator, read once on the worker, instead of "No generator loaded"."""
        run_dir = self.session.run_dir
        src = self.model.explorer_source
        if (not ex.following or not run_dir or run_dir == self.ended_run
                or (src is not None and src.kind == "live" and src.where == str(run_dir)
                    and ex.model is not None and ex.model.step >= self.session.step)):
            return
        self.ended_run = run_dir
        self.jobs.run(lambda: run_end_generator(run_dir), lambda out: self._ended_read(run_dir, out),
                      lambda e, tb: self.say.log(f"latent explorer: cannot read the run's last generator: {e}"))

    def _ended_read(self, run_dir: str, out) -> None:
        if out is None or self.session.live or self.session.run_dir != run_dir or not self.explorer().following:
            return
        path, step, latent = out
        self.model.set_explorer_source("checkpoint", path, step)
        self.explorer().set_source(latent)
        self.say.log(f"latent explorer: the ended run's generator at step {step:,} ({Path(path).name})")

    def ask(self, keep_view: bool, manual: bool = True) -> None:
        if self.session.live:
            self.asked[self.session.request_generator_copy()] = (keep_view, manual)

    def show_checkpoint(self, path: str, step: int, model) -> None:
        """A loaded checkpoint's generator in the explorer."""
        ex = self.explorer()
        # opened while a run trains, the checkpoint stays on screen: the explorer is pinned to it
        self.model.set_explorer_source("checkpoint", path, step, follow=False if self.session.live else None)
        ex.set_source(model)

    def _source_changed(self, _source) -> None:
        if self.latent is not None:
            self.latent.show_following(self.model.explorer_follows)

    def _event(self, ev) -> None:
        if not isinstance(ev, GeneratorCopy):
            return
        keep, manual = self.asked.pop(ev.request, (False, True))
        if manual or self.explorer().following:    # pinned since an automatic ask: dropped
            run_dir = self.session.run_dir
            ev.model.run = Path(run_dir).name if run_dir else self.model.run_name
            self.model.set_explorer_source("live", str(run_dir), ev.step)
            self.explorer().set_source(ev.model, keep_view=keep)
            if manual or not keep:
                self.say.log(f"latent explorer: generator copied at step {ev.step:,}")

    def _state_changed(self, state: str) -> None:
        live = state in ("starting", "running", "paused")
        if self.latent is not None:
            self.latent.set_live(live)
        if not live:
            self.asked.clear()           # copies asked of a run that has ended never come
            if state == "idle" and self.latent is not None and self.holder.isVisible():
                self.follow_live()       # open as the run ends: its last checkpoint's generator
        else:
            self.ended_run = None

    def shutdown(self) -> None:
        self.jobs.cancel()
        self.jobs.wait()                 # a checkpoint being read finishes before the window goes
        if self.latent is not None:
            self.latent.shutdown()
