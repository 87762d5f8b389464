"""The game a configuration starts with, before any run: built on a worker thread from the model's
next-run configuration (`tools.model_io.preview`) and shown in the game area.

A newer request supersedes an older one (the latest-wins job runner): one still waiting never runs,
a late answer is dropped. Edits that change the game's start (data, model, variant, seed) ask for a
new picture after a short pause, keeping the old one on screen until the new one is there. The
preview is wanted only while the centre shows the next run's game (not a run, a checkpoint or a
run opened from disk).

The preview's build (data set, networks at their initial weights: engine.build) is kept for Train:
a run of the same configuration starts from it instead of building it again. Building never moves
torch's global random generator, so a preview may be built while a run trains."""
from __future__ import annotations

import html
import threading

from PySide6.QtCore import QObject, QTimer

from ..app_model import StudioModel
from ..config.schema import ConfigError
from ..engine.build import Cancelled, cancellable
from ..tools import model_io
from .jobs import Jobs

PREVIEW_KEYS = ("data.", "model.", "variant.", "train.seed")   # edits that change the game's start
DEBOUNCE_MS = 350


class Preview(QObject):
    def __init__(self, model: StudioModel, session, game, say, canvas, parent=None):
        """`canvas(cfg)` shows the empty 2D view for drawing when there is nothing to train on yet
        (True then)."""
        super().__init__(parent)
        self.model, self.session, self.game, self.say, self.canvas = model, session, game, say, canvas
        self.jobs = Jobs(self, latest=True)
        self._built = None               # the last build, for Train to take
        self._closing = threading.Event()    # shutdown(): a build still loading its data stops
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(lambda: self.request(keep=True))
        model.config_changed.connect(self._config_changed)

    @property
    def busy(self) -> bool:
        return self.jobs.busy

    def wanted(self) -> bool:
        return not self.session.live and self.model.shown.kind == "preset"

    def _config_changed(self, keys) -> None:
        if keys is not None and self.wanted() and any(k.startswith(PREVIEW_KEYS) for k in keys):
            self.timer.start()          # the picture follows the edit (debounced)

    def cancel(self) -> None:
        """No preview on its way is wanted any more (a run starts, a run or checkpoint is shown)."""
        self.timer.stop()
        self.jobs.cancel()

    def shutdown(self) -> None:
        """The window closes: no preview is wanted, and one still loading its data set stops
        (engine.build.cancellable) instead of holding the close until it is done."""
        self._closing.set()
        self.cancel()

    def request(self, keep: bool = False) -> None:
        """With `keep`, the view on screen stays until the new picture is there (an edit)."""
        if not self.wanted():
            return
        cfg = self.model.config()
        self.jobs.run(lambda: self._build(cfg), lambda out: self._done(out, keep),
                      lambda e, tb: self._failed(cfg, e, tb))

    def _build(self, cfg):
        """On the worker: the game and its picture; the build is kept for Train (`take`)."""
        with cancellable(self._closing):
            built, view, data = model_io.preview_build(cfg)
        self._built = built          # one assignment, after the last use of the game here
        return view, data

    def take(self):
        """The newest build (an engine.build.Built, or None), given away once: a Train of the same
        configuration starts from it (the Trainer checks that it fits), and it is let go either way."""
        built, self._built = self._built, None
        return built

    def _done(self, out, keep: bool) -> None:
        if not self.wanted():
            return
        view, data = out
        shown = self.game.view(view)
        shown.clear()                       # a new start: no history carried over
        self.game.show_snapshot(view, data, 0)
        if keep or self.game.isVisible():
            shown.flush()

    def _failed(self, cfg, e: Exception, tb: str) -> None:
        if isinstance(e, Cancelled) or not self.wanted() or self.canvas(cfg):
            return
        title = html.escape(cfg.title or self.model.name or "this configuration")
        if isinstance(e, (ConfigError, OSError)):
            text = str(e)
            src = str(getattr(cfg, "source", ""))
            if src and text.startswith(src):
                text = text[len(src):].lstrip(": ")
            self.game.show_message(f"<h3>{title}</h3><p>Its game cannot be built yet: "
                                   f"{html.escape(text)}</p><p>Fix it in the form on the left; "
                                   f"the picture follows.</p>")
        else:   # a bug: the traceback goes to the log
            self.game.show_message(f"<h3>{title}</h3><p>The preview failed ({html.escape(type(e).__name__)}); "
                                   f"the Log tab has the details.</p>")
            self.say.log(f"preview of {cfg.title or self.model.name} failed: {type(e).__name__}: {e}",
                         "error", tb)
