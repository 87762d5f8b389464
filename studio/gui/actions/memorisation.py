"""The memorisation check in the studio: which checkpoint it looks at, and running it off the GUI thread.

The check works on a checkpoint of an image run: the one loaded on screen, else the newest of the
live run (when it has none yet, a checkpoint is saved now and the check follows it), else the newest
of the run the checkpoints panel shows. `tools.memorisation.compute` runs on a worker (Jobs); when
it has to train the feature classifier first, its progress reaches the status bar through a signal.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from ...config.schema import ConfigError
from ...engine import checkpoints
from ...engine.commands import SaveNow
from ...engine.events import CheckpointSaved
from ...tools.memorisation import compute
from ..views.memorisation import MemorisationView
from ..jobs import Jobs


class MemorisationActions(QObject):
    progress = Signal(int, int, float)      # from the worker: classifier steps done, in all, seconds

    def __init__(self, model, session, game, checkpoints, say, tabs, parent=None):
        """`tabs`: the window's tab widget; the check's view becomes its Memorisation tab."""
        super().__init__(parent)
        self.model, self.session, self.game, self.checkpoints, self.say = model, session, game, checkpoints, say
        self.tabs = tabs
        self.jobs = Jobs(self)
        self.view = MemorisationView()
        self.view.check_requested.connect(self.check)
        self._pending_space: str | None = None    # waiting for the live run's checkpoint
        self.progress.connect(self._progress)
        session.event.connect(self._session_event)
        self.action = QAction("&Memorisation check…", parent)
        self.action.setObjectName("memorisation")
        self.action.setStatusTip("Each sample beside its nearest training image, against held-out real images")
        self.action.triggered.connect(lambda: self.check(self.view.space.currentData()))
        tabs.addTab(self.view, "Memorisation")
        tabs.currentChanged.connect(lambda i: tabs.widget(i) is self.view and self.refresh_target())

    def show(self) -> None:
        """The Memorisation tab, in front."""
        self.tabs.setCurrentWidget(self.view)
        self.refresh_target()

    # ------------------------------------------------------------------ what to check
    def target(self) -> tuple[str | None, str]:
        """(checkpoint path, or "" for 'save one of the live run now'; None and why not). Whether the
        run is an image run, the view on screen says (only the games know their game)."""
        if self.game.current_view not in ("image", "samples"):
            return None, "The memorisation check is for image generators: load a checkpoint of an image run " \
                         "or train an image preset (digits, Fashion-MNIST)."
        if self.session.live:
            run = self.session.run_dir
            items = checkpoints.list_checkpoints(run) if run else []
            return (str(items[-1].path) if items else ""), ""
        if self.model.shown_checkpoint:
            return self.model.shown_checkpoint, ""
        run = self.checkpoints.run_dir
        items = checkpoints.list_checkpoints(run) if run is not None else []
        if items:
            return str(items[-1].path), ""
        return None, "Load a checkpoint of an image run (or train an image preset) to check it."

    def refresh_target(self) -> None:
        path, why = self.target()
        if path is None:
            self.view.set_target("", False, why)
        else:
            self.view.set_target(Path(path).name if path else "a checkpoint of the live run, saved now", True)

    # ------------------------------------------------------------------ running it
    def check(self, space: str = "feature") -> None:
        self.show()
        if self.jobs.busy:
            return
        path, why = self.target()
        if path is None:
            self.say.flash(why)
            self.view.set_target("", False, why)
            return
        if path == "":      # the live run has no checkpoint yet: save one, check it when it is there
            self._pending_space = space
            self.view.set_busy(True)
            self.self.session.send(SaveNow())
            return
        self._run(path, space)

    def _session_event(self, ev) -> None:
        if isinstance(ev, CheckpointSaved) and self._pending_space is not None:
            space, self._pending_space = self._pending_space, None
            self._run(ev.path, space)

    def _run(self, path: str, space: str) -> None:
        self.view.set_busy(True)
        self.say.busy(f"Memorisation check of {Path(path).name}…")
        self.say.log(f"memorisation check of {path} ({space} space) …")
        t0 = time.perf_counter()

        def work():
            return compute(path, space, lambda done, total: self.progress.emit(done, total,
                                                                                 time.perf_counter() - t0))

        self.jobs.run(work, self._done, lambda e, tb: self._failed(path, e, tb))

    def _progress(self, done: int, total: int, seconds: float) -> None:
        self.say.status.set_task("training the feature classifier" if done < total else "", done, total, seconds)

    def _finish(self) -> None:
        self.view.set_busy(False)
        self.say.busy("")
        self.say.status.set_task("")

    def _done(self, m: dict) -> None:
        self._finish()
        self.view.show_result(m)
        for text in m["notes"]:
            self.say.log(f"memorisation: {text}")
        self.say.log(f"memorisation of {m['path']} (step {m['step']:,}): {m['verdict']}")
        self.say.flash(f"Memorisation check done: {m['verdict'].split(':')[-1].split('(')[0].strip()}")

    def _failed(self, path: str, e: Exception, tb: str) -> None:
        self._finish()
        if isinstance(e, (ConfigError, checkpoints.CheckpointError)):
            self.say.error(f"Memorisation check of {Path(path).name}: {e}")
        else:
            self.say.error(f"Memorisation check of {Path(path).name} failed: {type(e).__name__}: {e}. This is "
                                f"a bug in GAN Studio: please report it with the details in the Log tab.", tb)
