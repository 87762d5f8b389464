"""Your own image folder in the studio (issue 19): the "…" beside data.root picks it; a line under the
field says what is there (images per class, sizes, modes, files left out: data.scan.glance, from the
listing and a few headers) and the Data tab in the centre shows real images exactly as the GAN will
see them, the count per class and what was skipped (data.preview). Both run off the GUI thread on the
studio's job runner, latest wins (a folder chosen again supersedes the one before); decoding reports
its progress (data.folder.reporting) as a bar in the status bar. A folder that cannot be used is
marked on the field with its one line. The decoded images land in the folder cache, so the run that
follows starts from it."""
from __future__ import annotations

import copy
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ...config.schema import ConfigError
from ...data.base import make_data
from ...data.folder import reporting
from ...data.preview import preview
from ...data.scan import glance
from ...engine.build import cancellable
from ..jobs import Jobs

KEY = "data.root"
FOLDER_KINDS = ("image_folder",)
WATCHED = ("data.root", "data.kind", "data.image_size", "data.background", "data.channels", "data.limit")


class OwnFolder(QObject):
    progressed = Signal(int, int)      # files decoded, of how many (sent from the worker)

    def __init__(self, model, form, tabs, preview_panel, status, say, parent=None):
        super().__init__(parent)
        self.model, self.form, self.tabs, self.panel, self.status, self.say = model, form, tabs, preview_panel, status, say
        self.glances = Jobs(self, latest=True)
        self.previews = Jobs(self, latest=True)
        self._t0 = 0.0
        self._closing = threading.Event()    # shutdown(): a folder still decoding stops
        self.progressed.connect(self._progress)
        form.folder_chosen.connect(self.choose)
        model.config_changed.connect(self._config_changed)

    def choose(self, path: str) -> None:
        """A folder picked with the "…": the next run's data.root; the rest follows its change."""
        if self.model.get("data.kind") not in FOLDER_KINDS:
            self.say.error(f"data.root {path}: the data kind is {self.model.get('data.kind')}; choose a folder "
                           f"preset (folder-dcgan, folder-dcgan-64, folder-wgan-gp) for your own images")
            return
        if self.model.get(KEY) == path:
            self.look()                      # the same folder again: looked at again (files may have changed)
        elif self.model.set_value(KEY, path):
            self.tabs.setCurrentWidget(self.panel)

    def _config_changed(self, keys) -> None:
        if keys is not None and any(k in WATCHED for k in keys) and self.model.get(KEY):
            self.look()

    def look(self) -> None:
        cfg = self.model.config()
        root = cfg.data.root
        if cfg.data.kind not in FOLDER_KINDS or not root:
            return
        self.form.mark_error(KEY, None)
        self.form.set_note(KEY, "looking at the folder…")
        self.panel.show_waiting(root)
        self.glances.run(lambda: glance(Path(root)), lambda line: self.form.set_note(KEY, line),
                         lambda e, tb: self._bad(root, e, tb))
        data = copy.deepcopy(cfg.data)
        self._t0 = time.perf_counter()

        def build():
            with cancellable(self._closing), reporting(progress=self.progressed.emit):
                src = make_data(data, KEY)
            return preview(src)

        self.say.busy(f"Reading {Path(root).name}…")
        self.previews.run(build, lambda out: self._shown(root, *out), lambda e, tb: self._bad(root, e, tb))

    def _progress(self, done: int, total: int) -> None:
        self.status.set_task("decoding images", done, total, time.perf_counter() - self._t0)

    def _shown(self, root: str, grid, lines) -> None:
        self.say.busy("")
        self.status.set_task("")
        self.panel.show_preview(root, grid, lines)

    def _bad(self, root: str, e: Exception, tb: str) -> None:
        self.say.busy("")
        self.status.set_task("")
        text = str(e) if isinstance(e, (ConfigError, OSError, ValueError)) else f"{type(e).__name__}: {e}"
        self.form.set_note(KEY, None)
        self.form.mark_error(KEY, text.splitlines()[0] if text else type(e).__name__)
        self.panel.show_error(root, text)
        if not isinstance(e, (ConfigError, OSError, ValueError)):
            self.say.log(text, "error", tb)

    def shutdown(self) -> None:
        self._closing.set()
        self.glances.cancel()
        self.previews.cancel()
        self.glances.wait()
        self.previews.wait()
