"""Presets: TOML files in `presets/` (or any path), loaded strictly into a `Config`, saved atomically."""
from __future__ import annotations

import os
from pathlib import Path

from .io import atomic_write_bytes, config_from_dict, dumps, read_toml
from .paths import presets_dir
from .schema import Config, ConfigError


def load_preset(name_or_path: str | os.PathLike) -> Config:
    """Load a preset by name (a file in presets/) or by path."""
    path = resolve_preset(name_or_path)
    return config_from_dict(read_toml(path), str(path))


def resolve_preset(name_or_path: str | os.PathLike) -> Path:
    p = Path(name_or_path)
    if p.suffix == ".toml" or os.sep in str(name_or_path) or p.exists():
        if p.is_dir():
            raise ConfigError(f"{p}: is a folder; --preset takes a preset name or a .toml file")
        if not p.is_file():
            raise ConfigError(f"{p}: preset file not found")
        return p
    cand = presets_dir() / f"{name_or_path}.toml"
    if not cand.is_file():
        names = ", ".join(sorted(x.stem for x in presets_dir().glob("*.toml")))
        raise ConfigError(f"preset '{name_or_path}' not found in {presets_dir()}; available: {names}")
    return cand


def save_preset(cfg: Config, path: str | os.PathLike) -> None:
    atomic_write_bytes(path, dumps(cfg).encode("utf-8"))


def list_presets() -> list[tuple[str, Config]]:
    """(name, config) of every preset in presets/, sorted by name; broken files raise."""
    return [(p.stem, load_preset(p)) for p in sorted(presets_dir().glob("*.toml"))]
