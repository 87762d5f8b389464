"""Presets: TOML files that ship with the studio or sit in the user's preset folders (or any path),
loaded strictly into a `Config`, saved atomically."""
from __future__ import annotations

import os
from pathlib import Path

from .io import atomic_write_bytes, config_from_dict, dumps, read_toml
from .paths import preset_files, user_presets_dirs
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
    files = preset_files()
    if str(name_or_path) not in files:
        raise ConfigError(f"preset '{name_or_path}' not found (your own go in {user_presets_dirs()[0]}); "
                          f"available: {', '.join(files)}")
    return files[str(name_or_path)]


def save_preset(cfg: Config, path: str | os.PathLike) -> None:
    atomic_write_bytes(path, dumps(cfg).encode("utf-8"))


def list_presets() -> list[tuple[str, Config]]:
    """(name, config) of every preset (shipped and the user's), sorted by name; broken files raise."""
    return [(name, load_preset(p)) for name, p in preset_files().items()]
