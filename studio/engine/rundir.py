"""What a run directory is, and which one a resumed run writes into.

A run directory is a folder the studio created: it holds the marker file `.gan-studio-run` (written
when a run first opens it), or, for runs older than the marker, both config.toml and metrics.jsonl as
regular files. A checkpoint resumed from anywhere else (a copy in ~/Downloads, a file two levels
below the home folder) never makes that folder a run: the resumed run gets a new run directory
beside the runs, and the folder is left as it was. A checkpoint whose game (variant, data kind,
network shape) differs from the one its run directory's config.toml records is resumed into a new
run directory beside that one, so that the run's config.toml and its logged steps stay. A run
directory deleted (or replaced) while a run writes into it is noticed at the next step
(`RunDirGone`), and the run stops with an emergency checkpoint in a new folder.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import time
import tomllib
from pathlib import Path

from ..config.io import atomic_write_bytes, dumps
from ..config.paths import runs_dir
from ..config.schema import Config, ConfigError

MARKER = ".gan-studio-run"
MAX_CONFIG_BYTES = 1 << 20       # a config.toml is a few kB; a larger "config" is not ours to parse
# What makes two configurations the same game: a checkpoint of another preset differs in one of these.
# (Live settings such as learning rates change within a run, and train.steps with --steps.)
GAME_KEYS = ("variant.name", "data.kind", "model.kind", "model.latent_dim", "model.hidden", "model.depth",
             "model.base_channels")


class RunDirGone(ConfigError):
    """The run directory (or its metrics.jsonl) was deleted or replaced while the run wrote into it."""


def _regular(p: Path) -> bool:
    try:
        return stat.S_ISREG(p.lstat().st_mode)
    except OSError:
        return False


def is_run_dir(path: str | os.PathLike) -> bool:
    """A folder the studio made: its marker, or config.toml and metrics.jsonl (runs older than the marker)."""
    d = Path(path)
    try:
        if not d.is_dir():
            return False
    except OSError:
        return False
    return _regular(d / MARKER) or (_regular(d / "config.toml") and _regular(d / "metrics.jsonl"))


def _empty_or_absent(d: Path) -> bool:
    try:
        if not d.exists():
            return True
        if not d.is_dir():
            return False
        with os.scandir(d) as it:
            return next(it, None) is None
    except OSError:
        return False


def mark(path: str | os.PathLike, name: str = "") -> None:
    """Write the marker of a run directory (once; an existing marker is kept)."""
    p = Path(path) / MARKER
    if not _regular(p):
        atomic_write_bytes(p, json.dumps({"format": "gan-studio-run", "version": 1, "name": name,
                                          "created": time.time()}).encode())


def stored_config(run_dir: str | os.PathLike) -> dict | None:
    """The raw table of a run directory's config.toml; None when missing, unreadable, not a regular
    file, too large or not TOML (nothing is validated: only compared)."""
    p = Path(run_dir) / "config.toml"
    if not _regular(p):
        return None
    try:
        with open(p, "rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            return None
        return tomllib.loads(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def _get(table, dotted: str):
    for part in dotted.split("."):
        if not isinstance(table, dict):
            return None
        table = table.get(part)
    return table


def game_difference(run_cfg: dict | None, ckpt_cfg: dict) -> str | None:
    """How a checkpoint's configuration differs from its run's in what makes the game ('variant.name:
    run 'gan', checkpoint 'wgan_gp''), or None when they are the same game. A run whose config.toml
    cannot be read counts as different (nothing proves the checkpoint belongs there)."""
    if run_cfg is None:
        return "the run's config.toml cannot be read"
    diffs = [f"{k}: run {_get(run_cfg, k)!r}, checkpoint {_get(ckpt_cfg, k)!r}" for k in GAME_KEYS
             if _get(run_cfg, k) != _get(ckpt_cfg, k)]
    return "; ".join(diffs[:3]) if diffs else None


def fresh_dir(parent: Path, name: str) -> Path:
    """A new, unused folder NAME-TIMESTAMP (-2, -3, ...) in `parent`."""
    base = parent / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, i = base, 1
    while path.exists():
        i += 1
        path = Path(f"{base}-{i}")
    return path


def check_new(requested: str | os.PathLike, key: str = "--out") -> None:
    """Refuse (ConfigError, one line) to start a new run in `requested` when it is an existing folder
    the studio did not make and that holds something (or is not a folder): a user's folder is never
    written into. A new or empty folder, or a run directory, is fine."""
    req = Path(requested)
    if _empty_or_absent(req) or is_run_dir(req):
        return
    if not req.is_dir():
        raise ConfigError(f"{key} {req}: exists and is not a folder; give a new folder for the run directory")
    raise ConfigError(f"{key} {req}: is a folder that holds other files and is not a GAN Studio run directory "
                      f"(no {MARKER}); nothing was written there. Give a new or empty folder, or leave "
                      f"{key} out for a new run directory in the runs folder")


def for_resume(requested: str | os.PathLike, ckpt_cfg: dict, checkpoint: str, name: str) -> tuple[Path, str | None]:
    """The run directory a resumed run writes into, and a line for the user when it is not `requested`.
    `requested` is kept when it is new or empty (--out NEWDIR), or a run directory of the same game;
    a run directory of another game gets a new one beside it; any other folder (not the studio's) a new
    one in the runs folder."""
    req = Path(requested)
    if _empty_or_absent(req):
        return req, None
    if is_run_dir(req):
        diff = game_difference(stored_config(req), ckpt_cfg)
        if diff is None:
            return req, None
        new = fresh_dir(req.parent, req.name)
        return new, (f"{checkpoint}: its configuration does not match its run directory {req} ({diff}); "
                     f"the resumed run goes to a new run directory {new}, and {req} is left as it was")
    new = fresh_dir(runs_dir(), name)
    return new, (f"{checkpoint}: {req} is not a GAN Studio run directory (no {MARKER}, config.toml or "
                 f"metrics.jsonl), so nothing there is changed; the resumed run goes to a new run directory {new}")


def identity(run_dir: Path) -> tuple:
    """What `check` compares: the device and inode of the run directory and of its metrics.jsonl."""
    out = []
    for p in (run_dir, run_dir / "metrics.jsonl"):
        try:
            st = os.stat(p)
            out.append((st.st_dev, st.st_ino))
        except OSError:
            out.append(None)
    return tuple(out)


def check(run_dir: Path, ident: tuple) -> str | None:
    """Why the run directory is no longer the one the run opened (deleted, replaced), or None."""
    now = identity(run_dir)
    if now == ident:
        return None
    if now[0] is None:
        return f"{run_dir}: the run directory was deleted during the run"
    if now[0] != ident[0]:
        return f"{run_dir}: the run directory was replaced by another folder during the run"
    return f"{run_dir}: the run directory's metrics.jsonl was deleted or replaced during the run"


def rescue_dir(old: Path, name: str, cfg: Config) -> Path:
    """A new run directory for the state of a run whose directory went away: beside it when its parent
    is still there, else in the runs folder; marked, with the run's config.toml."""
    parent = old.parent if old.parent.is_dir() else runs_dir()
    new = fresh_dir(parent, f"{old.name}-rescued")
    new.mkdir(parents=True)
    mark(new, name)
    atomic_write_bytes(new / "config.toml", dumps(cfg).encode())
    return new


UNUSED_FILES = (MARKER, "config.toml", "metrics.jsonl")
UNUSED_TREES = ("tb", "checkpoints", "samples", "data")


def remove_unused(run_dir: str | os.PathLike) -> bool:
    """Remove a run directory this run made and never trained in (a studio's Step that never ran, a
    run stopped while its data loaded), so that it is not listed among the runs. Only what the studio
    writes there goes; a folder holding anything else is left (False)."""
    d = Path(run_dir)
    try:
        names = {p.name for p in d.iterdir()}
    except OSError:
        return False
    if names - set(UNUSED_FILES) - set(UNUSED_TREES):
        return False
    try:
        for name in UNUSED_TREES:
            if (d / name).is_dir() and not (d / name).is_symlink():
                shutil.rmtree(d / name)
        for name in UNUSED_FILES:
            (d / name).unlink(missing_ok=True)
        d.rmdir()
    except OSError:
        return False
    return True
