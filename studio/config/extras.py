"""The optional parts of GAN Studio (the extras in pyproject.toml) and the one line that says which to
install when a command needs one that is missing."""
from __future__ import annotations

EXTRAS = {
    "sweep": "optuna",                          # gan-studio sweep, the studio's Sweep tab
    "export": "onnx, onnxscript, onnxruntime",  # gan-studio export --format onnx
    "tensorboard": "tensorboard",               # log.tensorboard = true
}


def missing_extra(extra: str, what: str) -> str:
    """`what` (e.g. "gan-studio sweep needs Optuna") and the command that installs it, in one line."""
    return f"{what}, which is not installed: pip install 'gan-studio[{extra}]' (or pip install {EXTRAS[extra]})"
