"""Where the studio's own files live: the presets folder and the default runs folder."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def presets_dir() -> Path:
    return Path(os.environ.get("GAN_STUDIO_PRESETS", ROOT / "presets"))


def runs_dir() -> Path:
    return Path(os.environ.get("GAN_STUDIO_RUNS", Path.cwd() / "runs"))
