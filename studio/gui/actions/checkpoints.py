"""What the window does with a checkpoint chosen in the panel: load, resume, branch, export.

Load opens the checkpoint on a worker thread (its config and its game: no trainer, no image data
set) and, once there, shows its state in the game area and hands its latent model to the explorer.
Export runs on the same worker. Resume continues the same run directory; branch starts a new run from
the checkpoint with hyperparameters edited in a dialog (model and data stay those of the
checkpoint, so the weights still fit).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout

from ...app_model import StudioModel
from ...config.schema import Config, ConfigError
from ...engine import checkpoints
from ...tools import model_io
from ...tools.export import export
from ..panels.param_form import ParamForm
from ..jobs import Jobs


def one_reason(text: str, path: str) -> str:
    """An error message without the path it starts with (the banner names the file), as one
    sentence ending in a full stop."""
    text = " ".join(text.split())
    for prefix in (str(path), str(Path(path).resolve()), f"{path} (stored config)"):
        if text.startswith(prefix):
            text = text[len(prefix):].lstrip(" :")
            break
    text = text.replace(f"{path} (stored config): ", "").replace(f"{path}: ", "")
    if not text:
        return "unknown error."
    return text if text.endswith((".", "!", "?")) else text + "."


def open_for_studio(path: str) -> tuple[int, str, dict, object]:
    """(step, view, view data, latent model or None) of a checkpoint: one read, for both tabs."""
    model = model_io.open_model(path)
    view, data = model_io.snapshot(model)
    return model.step, view, data, model_io.latent_model(model)


class BranchDialog(QDialog):
    """The checkpoint's hyperparameters in an editable form; model and data are locked."""

    def __init__(self, cfg, source: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Branch a new run")
        lay = QVBoxLayout(self)
        info = QLabel(f"A new run starts from <b>{Path(source).name}</b> with these settings. "
                      "Model and data stay as in the checkpoint.", self)
        info.setWordWrap(True)
        lay.addWidget(info)
        self.form = ParamForm(self)
        self.form.set_config(cfg)
        self.form.lock_sections(("model", "data"))
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        lay.addWidget(scroll, 1)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("Start branch")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.resize(460, 640)


class CheckpointActions(QObject):
    """Load, export, resume and branch from a checkpoint chosen in the checkpoints panel; `start` is
    the run control's, `show(path, step, view, data)` puts a state in the centre, `explore(path,
    step, model)` hands a generator to the latent explorer."""

    def __init__(self, model: StudioModel, session, panel, say, *, start, show, explore, parent=None):
        super().__init__(parent)
        self.model, self.session, self.say = model, session, say
        self.start, self.show, self.explore = start, show, explore
        self.jobs = Jobs(self)
        self.loaded: str | None = None
        self.generator = None
        self._pending = 0
        panel.load_requested.connect(self.load)
        panel.resume_requested.connect(self.resume)
        panel.branch_requested.connect(self.branch)
        panel.export_requested.connect(self.export)
        panel.message.connect(lambda level, text: say.log(text, level))

    def _config(self, path: str) -> Config:
        return checkpoints.config_of(checkpoints.load(path), path)

    # ------------------------------------------------------------------ off the GUI thread
    def load(self, path: str, quiet: bool = False) -> None:
        """Open the checkpoint on the worker; the view and the explorer follow when it is open."""
        self.say.log(f"opening checkpoint {path} …")
        self._busy(f"Loading {Path(path).name}…")
        self.jobs.run(lambda: open_for_studio(path), lambda out: self._loaded(path, *out, quiet=quiet),
                      lambda e, tb: self._failed("Cannot load", path, e, tb))

    def _busy(self, text: str) -> None:
        self._pending += 1
        self.say.busy(text)

    def _idle(self) -> None:
        self._pending = max(self._pending - 1, 0)
        if not self._pending:
            self.say.busy("")

    def _loaded(self, path: str, step: int, view: str, data: dict, model, quiet: bool = False) -> None:
        self.loaded, self.generator = path, model
        self._idle()
        name = Path(path).name
        if not self.session.live:
            self.show(path, step, view, data)
            if not quiet:
                self.say.flash(f"Loaded {name} (step {step:,})" + ("; its generator is in the latent explorer"
                                                                   if model is not None else ""))
        elif not quiet:
            self.say.flash(f"Loaded {name} (step {step:,}) into the latent explorer; the run keeps training")
        self.say.log(f"loaded checkpoint {path} (step {step:,})")
        if model is not None:
            self.explore(path, step, model)

    def export(self, path: str, out: str, fmt: str) -> None:
        self.say.log(f"exporting the generator of {Path(path).name} to {out} …")
        self._busy(f"Exporting {Path(out).name}…")
        self.jobs.run(lambda: export(path, fmt, out), self._exported,
                      lambda e, tb: self._failed("Cannot export", path, e, tb))

    def _exported(self, result) -> None:
        self._idle()
        path, usage = result
        self.say.log(f"exported the generator to {path}: {usage}")
        self.say.flash(f"Exported the generator to {Path(path).name} ({Path(path).parent})")

    def _failed(self, what: str, path: str, e: Exception, tb: str) -> None:
        """One readable line in the banner: the file's name once, then what is wrong with it; the
        full path and message go to the log (and the banner's tooltip holds all of its text)."""
        self._idle()
        name = Path(path).name
        if isinstance(e, (ConfigError, checkpoints.CheckpointError)):
            reason = one_reason(str(e), path)
            self.say.banner.show_error(f"{what} {name}: {reason}")
            self.say.log(f"{what.lower()} {path}: {e}", "error")
        else:   # a bug: the traceback goes to the log
            self.say.banner.show_error(f"{what} {name}: {type(e).__name__}: {one_reason(str(e), path)} "
                                       f"This is a bug in GAN Studio: please report it with the details in the Log tab.")
            self.say.log(f"{what.lower()} {path}: {type(e).__name__}: {e}", "error", tb)

    # ------------------------------------------------------------------ new runs
    def resume(self, path: str, steps: int | None = None) -> bool:
        """Continue the checkpoint's run in its own directory (to `steps` iterations if given)."""
        if self.session.live:
            return False
        try:
            cfg = self._config(path)
            if steps is not None:
                cfg.train.steps = max(cfg.train.steps, steps)
        except (ConfigError, checkpoints.CheckpointError) as e:
            self.say.error(f"cannot resume from {path}: {e}")
            return False
        run_dir = Path(path).resolve().parent.parent
        self.model.take_config(cfg, run_dir.name)
        self.start(cfg, name=run_dir.name, run_dir=run_dir, resume=path)
        return True

    def branch(self, path: str, cfg: Config | None = None, parent=None) -> bool:
        """Start a new run from `path`; asks for the settings unless `cfg` is given."""
        if self.session.live:
            return False
        try:
            base = self._config(path)
        except (ConfigError, checkpoints.CheckpointError) as e:
            self.say.error(f"cannot branch from {path}: {e}")
            return False
        if cfg is None:
            dlg = BranchDialog(base, path, parent or self.parent())
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return False
            cfg = dlg.form.config()
        run_name = Path(path).resolve().parent.parent.name
        name = f"{run_name.split('-branch')[0]}-branch"
        self.model.take_config(cfg, name)
        self.start(cfg, name=name, resume=path)
        return True
