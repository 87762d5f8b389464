"""Checkpoints: atomic writes, `weights_only` loads, a JSON sidecar per file for fast listing."""
from __future__ import annotations

import io
import json
import math
import os
import pickle
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch

from ..config.io import atomic_write_bytes, config_from_dict
from ..config.schema import Config

FORMAT = "gan-studio-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint file is missing, truncated, or not one of ours. The message names the path."""


def save(path: str | os.PathLike, state: dict, meta: dict | None = None) -> Path:
    """Write `state` atomically (temporary file, flush, fsync, rename) plus its .json sidecar."""
    path = Path(path)
    state = {"format": FORMAT, "version": VERSION, **state}
    buf = io.BytesIO()
    torch.save(state, buf)
    atomic_write_bytes(path, buf.getvalue())
    info = {"step": state.get("step"), "time": time.time(), "size": buf.tell(), **(meta or {})}
    atomic_write_bytes(path.with_suffix(".json"), json.dumps(info).encode())
    return path


def load(path: str | os.PathLike, map_location="cpu") -> dict:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path}: checkpoint is empty (an interrupted copy?)")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except (RuntimeError, EOFError, zipfile.BadZipFile, pickle.UnpicklingError, ValueError, OSError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointError(f"{path}: not a readable checkpoint (truncated, corrupt or not a torch file): "
                              f"{first[:200]}") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a GAN Studio checkpoint (no '{FORMAT}' marker)")
    if state.get("version", 0) > VERSION:
        raise CheckpointError(f"{path}: checkpoint version {state['version']} is newer than this studio "
                              f"reads ({VERSION})")
    for key in ("config", "step", "modules", "optimizers", "rng"):
        if key not in state:
            raise CheckpointError(f"{path}: checkpoint lacks '{key}'")
    return state


def config_of(state: dict, source: str) -> Config:
    """The configuration a checkpoint was trained with (checked like a preset)."""
    return config_from_dict(state["config"], f"{source} (stored config)")


@dataclass
class CheckpointInfo:
    path: Path
    step: int
    time: float
    size: int
    reason: str
    metrics: dict
    thumbnail: Path | None


def list_checkpoints(run_dir: str | os.PathLike) -> list[CheckpointInfo]:
    """The checkpoints of a run, oldest step first, from their sidecars (files without one are read)."""
    d = Path(run_dir) / "checkpoints"
    out = []
    for p in sorted(d.glob("*.pt")):
        side = p.with_suffix(".json")
        try:
            info = json.loads(side.read_text())
        except (OSError, ValueError):
            try:
                st = load(p)
            except CheckpointError:
                continue
            info = {"step": st["step"], "time": p.stat().st_mtime, "metrics": st.get("metrics", {})}
        thumb = p.with_suffix(".png")
        out.append(CheckpointInfo(p, int(info.get("step") or 0), float(info.get("time", p.stat().st_mtime)),
                                  p.stat().st_size, info.get("reason", ""), info.get("metrics", {}),
                                  thumb if thumb.exists() else None))
    out.sort(key=lambda c: (c.step, c.time))
    return out


def delete(path: str | os.PathLike) -> None:
    p = Path(path)
    for q in (p, p.with_suffix(".json"), p.with_suffix(".png")):
        q.unlink(missing_ok=True)


def _finite(metrics: dict) -> bool:
    return all(not isinstance(v, (int, float)) or math.isfinite(v) for v in metrics.values())


def last_good(run_dir: str | os.PathLike) -> Path | None:
    """The newest readable checkpoint of a run whose recorded metrics are all finite (for rollback)."""
    for c in reversed(list_checkpoints(run_dir)):
        if c.metrics and not _finite(c.metrics):
            continue
        try:
            st = load(c.path)
        except CheckpointError:
            continue
        if _finite(st.get("metrics", {})):
            return c.path
    return None
