"""Where the studio's own files live: presets, assets and the default runs folder."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def presets_dir() -> Path:
    return Path(os.environ.get("GAN_STUDIO_PRESETS", ROOT / "presets"))


def assets_dir() -> Path:
    return ROOT / "assets"


def runs_dir() -> Path:
    return Path(os.environ.get("GAN_STUDIO_RUNS", Path.cwd() / "runs"))
