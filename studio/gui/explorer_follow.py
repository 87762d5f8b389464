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
from ..engine.events import GeneratorCopy
from .panels.latent_explorer import LatentExplorer


class ExplorerFollow(QObject):
    def __init__(self, model: StudioModel, session, holder: QWidget, say, parent=None):
        super().__init__(parent)
        self.model, self.session, self.holder, self.say = model, session, holder, say
        QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
        self.latent: LatentExplorer | None = None
        self.asked: dict[int, tuple] = {}     # generator copies asked for: (keep the view, asked by hand)
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
        if not self.session.live or not ex.following or self.asked or ex.preparing:
            return
        src = self.model.explorer_source
        same = (src is not None and src.kind == "live" and src.where == str(self.session.run_dir)
                and ex.model is not None and not ex.model.source)
        if not same or ex.model.step < self.session.step:
            self.ask(keep_view=same, manual=False)

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

    def shutdown(self) -> None:
        if self.latent is not None:
            self.latent.shutdown()
