"""What the window does with a checkpoint chosen in the panel: load, resume, branch.

Load restores a Trainer that writes nothing, shows the checkpoint's state in the game area and
hands a `core.latent.LatentModel` to the latent explorer. Resume continues the same run directory;
branch starts a new run from the checkpoint with hyperparameters edited in a dialog (model and data
stay those of the checkpoint, so the weights still fit).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout

from .panels.param_form import ParamForm


def latent_model(path: str):
    """A LatentModel for a checkpoint, from core.latent (None when that module is not there)."""
    try:
        from ..core.latent import LatentModel
    except ImportError:
        return None
    for name in ("from_checkpoint", "load"):
        fn = getattr(LatentModel, name, None)
        if fn is not None:
            return fn(path)
    return LatentModel(path)


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
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.loaded: str | None = None
        self.model = None
        p = window.checkpoints
        p.load_requested.connect(self.load)
        p.resume_requested.connect(self.resume)
        p.branch_requested.connect(self.branch)
        p.message.connect(lambda level, text: window.log.append(text, level))

    def _config(self, path: str):
        from ..core import checkpoints
        from ..core.trainer import config_of_checkpoint
        return config_of_checkpoint(checkpoints.load(path), path)

    def load(self, path: str) -> bool:
        from ..core import probes
        from ..core.sampling import load_trainer
        try:
            t = load_trainer(path)
            view, data = probes.snapshot(t.variant, t.probe_gen)
        except Exception as e:
            self.w.report_error(f"cannot load {path}: {type(e).__name__}: {e}")
            return False
        self.loaded = path
        if not self.w.session.live:
            shown = self.w.game.view(view)
            if hasattr(shown, "clear"):          # another state: no history carried over
                shown.clear()
            self.w.game.show_snapshot(view, data, t.step)
            self.w.game.set_caption(f"<b>{Path(path).name}</b> · step {t.step:,} (loaded)")
        self.w.log.append(f"loaded checkpoint {path} (step {t.step:,})")
        try:
            self.model = latent_model(path)
        except Exception as e:
            self.model = None
            self.w.log.append(f"latent explorer cannot use {Path(path).name}: {type(e).__name__}: {e}",
                              "warning")
        if self.model is not None:
            ex = self.w.latent_explorer()
            if hasattr(ex, "set_source"):
                ex.set_source(self.model)
        return True

    def resume(self, path: str, steps: int | None = None) -> bool:
        """Continue the checkpoint's run in its own directory (to `steps` iterations if given)."""
        if self.w.session.live:
            return False
        try:
            cfg = self._config(path)
            if steps is not None:
                cfg.train.steps = max(cfg.train.steps, steps)
        except Exception as e:
            self.w.report_error(f"cannot resume from {path}: {e}")
            return False
        run_dir = Path(path).resolve().parent.parent
        self.w.preset_name = run_dir.name
        self.w.form.set_config(cfg)
        self.w.start(cfg, name=run_dir.name, run_dir=run_dir, resume=path)
        return True

    def branch(self, path: str, cfg=None) -> bool:
        """Start a new run from `path`; asks for the settings unless `cfg` is given."""
        if self.w.session.live:
            return False
        try:
            base = self._config(path)
        except Exception as e:
            self.w.report_error(f"cannot branch from {path}: {e}")
            return False
        if cfg is None:
            dlg = BranchDialog(base, path, self.w)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return False
            cfg = dlg.form.config()
        run_name = Path(path).resolve().parent.parent.name
        name = f"{run_name.split('-branch')[0]}-branch"
        self.w.form.set_config(cfg)
        self.w.start(cfg, name=name, resume=path)
        return True
