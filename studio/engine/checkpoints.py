"""Checkpoints: atomic writes, `weights_only` loads, a JSON sidecar per file for fast listing."""
from __future__ import annotations

import io
import json
import math
import os
import pickle
import re
import time
import zipfile
from dataclasses import dataclass
from stat import S_ISREG
from pathlib import Path

import torch

from ..config.io import atomic_write_bytes, config_from_dict
from ..config.schema import Config

FORMAT = "gan-studio-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint file is missing, truncated, or not one of ours. The message names the path."""


def save(path: str | os.PathLike, state: dict, meta: dict | None = None) -> Path:
    """Write `state` atomically (temporary file, flush, fsync, rename) plus its .json sidecar. When a
    checkpoint of the same step beside it holds this state (keep-best's checkpoint and the periodic or
    end one of that step), the file is a hard link to it, not a second copy; the sidecar says so."""
    path = Path(path)
    state = {"format": FORMAT, "version": VERSION, **state}
    buf = io.BytesIO()
    torch.save(state, buf)
    data = buf.getvalue()
    same = _same_state(path, state, data)
    linked = same is not None and _link(same[0], path)
    if not linked:
        atomic_write_bytes(path, data)
    info = {"step": state.get("step"), "time": time.time(), "size": len(data), **(meta or {})}
    if linked:
        info["same_file_as"] = same[0].name
    atomic_write_bytes(path.with_suffix(".json"), json.dumps(info).encode())
    return path


def _same_state(path: Path, state: dict, data: bytes) -> tuple[Path, bytes] | None:
    """A checkpoint of the same step in path's folder (NAME_<step>.pt) that holds this state: the same
    bytes, or the same but for the training time (`elapsed`, a few microseconds later at the end of a
    run than at its last evaluation). Returns it and its bytes."""
    step = state.get("step")
    if not isinstance(step, int) or not path.parent.is_dir():
        return None
    for other in sorted(path.parent.glob(f"*_{step:08d}.pt")):
        try:
            if other.name == path.name or other.stat().st_size != len(data):
                continue
            theirs = other.read_bytes()
            if theirs == data:
                return other, theirs
            old = torch.load(io.BytesIO(theirs), map_location="cpu", weights_only=True)
        except Exception:     # noqa: BLE001 - unreadable: not a twin, this one is written in full
            continue
        t = old.get("elapsed") if isinstance(old, dict) else None
        if isinstance(t, float) and isinstance(state.get("elapsed"), float) and abs(t - state["elapsed"]) < 1.0:
            buf = io.BytesIO()
            torch.save({**state, "elapsed": t}, buf)
            if buf.getvalue() == theirs:
                return other, theirs
    return None


def _link(existing: Path, path: Path) -> bool:
    """Make `path` a hard link to `existing` (atomically, over any file there); False where the file
    system has no hard links (then the caller writes a copy)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.link")
    try:
        tmp.unlink(missing_ok=True)
        os.link(existing, tmp)
        os.replace(tmp, path)
        return True
    except OSError:
        tmp.unlink(missing_ok=True)
        return False


def _first_sentence(e: Exception) -> str:
    """The first sentence of an exception's message, whole (no cut mid-word), at most ~160 characters."""
    text = " ".join(str(e).split()) or type(e).__name__
    m = re.match(r"(.{20,160}?[.;:])(\s|$)", text)
    return (m.group(1) if m else text[:160]).rstrip(".;:")


# What a checkpoint may declare before any of it is read (torch.save writes an uncompressed zip: its
# contents are the size of the file). A file that declares much more (a zip bomb: 2 MB unpacking to
# 5 GB) or a pickle larger than any configuration and state dict is refused, not unpacked.
MAX_RATIO = 2.0                 # declared contents / file size (compressed entries beyond this)
MAX_SLACK = 1 << 20             # ... plus this much, for a tiny file
MAX_DECLARED = 16 << 30         # bytes of contents at most, whatever the file's size
MAX_PICKLE = 64 << 20           # the pickle (data.pkl): configuration, names, small numbers
MAX_ENTRIES = 100_000


def _size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def check_archive(path: str | os.PathLike) -> None:
    """Refuse (CheckpointError, one line) a checkpoint whose zip declares more than it may hold, before
    a byte of it is unpacked: the declared sizes against the file's size and against fixed limits. A
    file that is not a zip (torch's legacy format) is left to the reader: it cannot unpack to more
    than the file."""
    path = Path(path)
    size = path.stat().st_size
    try:
        if not zipfile.is_zipfile(path):
            return
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise CheckpointError(f"{path}: not a readable checkpoint (a damaged archive: {_first_sentence(e)})") from None
    if len(infos) > MAX_ENTRIES:
        raise CheckpointError(f"{path}: the archive lists {len(infos):,} entries (at most {MAX_ENTRIES:,}); "
                              f"not a GAN Studio checkpoint, not opened")
    declared = sum(max(i.file_size, 0) for i in infos)
    if declared > min(MAX_RATIO * size + MAX_SLACK, MAX_DECLARED):
        big = max(infos, key=lambda i: i.file_size)
        raise CheckpointError(f"{path}: declares {_size(declared)} of contents in a {_size(size)} file "
                              f"({big.filename}: {_size(big.file_size)}); a checkpoint unpacks to about its "
                              f"own size, so this one is not opened (a zip bomb, or not a checkpoint)")
    pkl = [i for i in infos if i.filename.endswith("data.pkl")]
    if pkl and max(i.file_size for i in pkl) > MAX_PICKLE:
        raise CheckpointError(f"{path}: its pickle declares {_size(max(i.file_size for i in pkl))} (at most "
                              f"{_size(MAX_PICKLE)} for a configuration and state dicts); not opened")


def load(path: str | os.PathLike, map_location="cpu") -> dict:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: " + ("not a regular file (a folder, a FIFO or a device), not a checkpoint"
                                             if path.exists() else "checkpoint not found"))
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path}: checkpoint is empty (an interrupted copy?)")
    check_archive(path)
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        blocked = re.search(r"unsupported GLOBAL (\S+)", str(e))
        if blocked is None:          # garbage that pickle could not read, not an object it refused
            raise CheckpointError(f"{path}: not a readable checkpoint (truncated, corrupt or not a torch "
                                  f"file)") from None
        # PyTorch's own message suggests weights_only=False, which would run the file's code: never
        raise CheckpointError(f"{path}: holds Python objects other than tensors and plain data "
                              f"({blocked.group(1)}); GAN Studio "
                              f"never runs code from a checkpoint, so it will not open this file") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError) as e:
        raise CheckpointError(f"{path}: not a readable checkpoint (truncated, corrupt or not a torch file: "
                              f"{_first_sentence(e)})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a GAN Studio checkpoint (no '{FORMAT}' marker)")
    version = state.get("version", 0)
    if type(version) is not int:
        raise CheckpointError(f"{path}: checkpoint key 'version' must be an integer (got {_shown(version)})")
    if version > VERSION:
        raise CheckpointError(f"{path}: checkpoint version {state['version']} is newer than this studio "
                              f"reads ({VERSION})")
    for key in ("config", "step", "modules", "optimizers", "rng"):
        if key not in state:
            raise CheckpointError(f"{path}: checkpoint lacks '{key}'")
    _check_structure(state, path)
    return state


def _shown(value) -> str:
    """A value for an error message: tensors by dtype and shape, the rest as a short one-line repr."""
    if isinstance(value, torch.Tensor):
        return f"a {str(value.dtype).removeprefix('torch.')} tensor of shape {tuple(value.shape)}"
    text = " ".join(repr(value).split())        # one line: the repr of a dict holding tensors spans many
    return text if len(text) <= 60 else f"{type(value).__name__} {text[:50]}..."


def _is_count(v) -> bool:
    return type(v) is int and v >= 0


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_structure(state: dict, path: Path) -> None:
    """The types of everything the trainer, the games and the tools take from a checkpoint: a file of
    the right format whose contents were damaged or edited gets one line naming the key, not a crash
    in the code that reads it later."""
    def need(ok: bool, key: str, what: str, value) -> None:
        if not ok:
            raise CheckpointError(f"{path}: checkpoint key '{key}' must be {what} (got {_shown(value)})")

    def tensors(d, key: str, loose: bool = False) -> None:   # a state dict: names -> tensors
        need(isinstance(d, dict), key, "a dict of tensors", d)
        for name, t in d.items():        # (an optimiser's per-parameter state may hold None or a number)
            ok = isinstance(t, torch.Tensor) or (loose and (t is None or _is_number(t)))
            need(isinstance(name, str) and ok, f"{key}.{name}", "a tensor", t)

    cfg = state["config"]
    need(isinstance(cfg, dict), "config", "a table of settings", cfg)
    need(_is_count(state["step"]), "step", "a non-negative integer", state["step"])
    for key in ("d_updates", "g_updates"):
        if key in state:
            need(_is_count(state[key]), key, "a non-negative integer", state[key])
    if "elapsed" in state:
        v = state["elapsed"]
        need(_is_number(v) and math.isfinite(v) and v >= 0, "elapsed", "a non-negative number of seconds", v)
    modules = state["modules"]
    need(isinstance(modules, dict) and modules, "modules", "a dict of networks' state dicts", modules)
    for name, sd in modules.items():
        tensors(sd, f"modules.{name}")
    opts = state["optimizers"]
    need(isinstance(opts, dict), "optimizers", "a dict of optimisers' state dicts", opts)
    for name, sd in opts.items():
        key = f"optimizers.{name}"
        need(isinstance(sd, dict) and isinstance(sd.get("state"), dict) and isinstance(sd.get("param_groups"), list),
             key, "an optimiser state dict (state, param_groups)", sd)
        for i, g in enumerate(sd["param_groups"]):
            need(isinstance(g, dict) and isinstance(g.get("params"), list)
                 and all(type(p) is int for p in g["params"]), f"{key}.param_groups.{i}",
                 "a parameter group (a dict with a list of parameter ids)", g)
            for k, v in g.items():
                ok = v is None or isinstance(v, (bool, int, float, str)) or (
                    isinstance(v, (list, tuple)) and all(_is_number(x) for x in v)) or k == "params"
                need(ok, f"{key}.param_groups.{i}.{k}", "a number, a flag or a list of numbers", v)
        for pid, ps in sd["state"].items():
            tensors(ps, f"{key}.state.{pid}", loose=True)
    rng = state["rng"]
    need(isinstance(rng, dict), "rng", "a dict of random generator states", rng)
    cpu_state = torch.get_rng_state()
    for key in ("gen", "torch", "cuda"):
        if key == "cuda" and key not in rng:
            continue
        v = rng.get(key)
        need(isinstance(v, torch.Tensor) and v.dtype == torch.uint8 and v.dim() == 1, f"rng.{key}",
             "a random generator state (a 1-D uint8 tensor)", v)
        if key == "torch" or (key == "gen" and v.numel() != 16):    # 16 bytes: a CUDA generator's state
            try:
                torch.Generator().set_state(v)
            except RuntimeError:
                need(False, f"rng.{key}", f"a CPU random generator state ({cpu_state.numel()} valid bytes)", v)
    spec = state.get("data_spec")
    need(spec is None or isinstance(spec, dict), "data_spec", "a description of the data (a dict)", spec)
    if "metrics" in state:
        m = state["metrics"]
        need(isinstance(m, dict) and all(isinstance(k, str) and _is_number(v) for k, v in m.items()),
             "metrics", "a dict of numbers", m)
    if state.get("best") is not None:
        need(_is_number(state["best"]), "best", "a number or None", state["best"])
    fixed = state.get("fixed")
    need(fixed is None or isinstance(fixed, dict), "fixed", "a dict of the sample grid's fixed noise", fixed)
    if fixed:
        z, y = fixed.get("z"), fixed.get("y")
        latent = (cfg.get("model") or {}).get("latent_dim") if isinstance(cfg.get("model"), dict) else None
        need(z is None or (isinstance(z, torch.Tensor) and z.is_floating_point() and z.dim() == 2
                           and z.shape[0] > 0 and (type(latent) is not int or z.shape[1] == latent)),
             "fixed.z", f"a float tensor of shape (N, {latent if type(latent) is int else 'model.latent_dim'})", z)
        need(y is None or (isinstance(y, torch.Tensor) and not y.is_floating_point() and not y.is_complex()
                           and y.dtype != torch.bool and y.dim() == 1 and (y.numel() == 0 or y.min() >= 0)
                           and (z is None or y.shape[0] == z.shape[0])),
             "fixed.y", "None or a 1-D tensor of class labels, one per row of fixed.z", y)
    extra = state.get("extra")
    need(extra is None or (isinstance(extra, dict) and all(v is None or isinstance(v, torch.Tensor)
                                                            for v in extra.values())),
         "extra", "a dict of tensors", extra)


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


def list_checkpoints(run_dir: str | os.PathLike, problems: list[str] | None = None,
                     cache: dict | None = None) -> list[CheckpointInfo]:
    """The checkpoints of a run, oldest step first, from their sidecars (files without one are read,
    after check_archive). A file that cannot be listed is left out; with `problems`, the one-line
    reason of each is added to it. One listing of the folder, one stat per file; with `cache` (a dict
    the caller keeps between calls, e.g. a panel refreshed after every save) a file whose checkpoint,
    sidecar and thumbnail have not changed is not read again, so a refresh of 2,000 checkpoints costs
    stats only."""
    d = Path(run_dir) / "checkpoints"
    try:
        with os.scandir(d) as it:
            entries = {e.name: e for e in it}
    except OSError:                              # no checkpoints/ folder (yet), or not readable
        return []
    out = []
    for name in sorted(n for n in entries if n.endswith(".pt")):
        p, stem = d / name, name[:-3]
        side, png = entries.get(stem + ".json"), entries.get(stem + ".png")
        try:
            stat = entries[name].stat()
            sst = side.stat() if side is not None else None
        except OSError:                          # deleted meanwhile (a run pruning its checkpoints)
            continue
        sig = (stat.st_mtime_ns, stat.st_size, stat.st_ino, sst and (sst.st_mtime_ns, sst.st_size), png is not None)
        hit = cache.get(name) if cache is not None else None
        if hit is not None and hit[0] == sig:
            if isinstance(hit[1], str):
                if problems is not None:
                    problems.append(hit[1])
            else:
                out.append(hit[1])
            continue
        info = _sidecar(p) if side is not None else {}
        if not _is_count(info.get("step")):    # no sidecar, or a damaged one: read the checkpoint itself
            try:
                if not S_ISREG(stat.st_mode):  # a folder, a FIFO named *.pt: never opened
                    raise CheckpointError(f"{p}: not a regular file")
                st = load(p)
            except (CheckpointError, OSError) as e:
                if problems is not None:
                    problems.append(str(e))
                if cache is not None:
                    cache[name] = (sig, str(e))
                continue
            info = {**info, "step": st["step"]}
            if not isinstance(info.get("metrics"), dict):
                info["metrics"] = st.get("metrics") or {}
        t, reason, metrics = info.get("time"), info.get("reason"), info.get("metrics")
        item = CheckpointInfo(
            p, info["step"], float(t) if _is_number(t) and 0 <= t < _YEAR_10000 else stat.st_mtime,
            stat.st_size, reason if isinstance(reason, str) else "",
            {k: v for k, v in metrics.items() if isinstance(k, str) and _is_number(v)} if isinstance(metrics, dict) else {},
            d / (stem + ".png") if png is not None else None)
        if cache is not None:
            cache[name] = (sig, item)
        out.append(item)
    if cache is not None:
        for gone in [n for n in cache if n not in entries]:
            del cache[gone]
    out.sort(key=lambda c: (c.step, c.time))
    return out


_YEAR_10000 = 253402300800     # seconds: a sidecar time past this (or before 1970) is not a real one


def _sidecar(p: Path) -> dict:
    """The JSON sidecar of a checkpoint as a dict; {} when missing, unreadable or not a JSON object."""
    try:
        info = json.loads(p.with_suffix(".json").read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    return info if isinstance(info, dict) else {}


def delete(path: str | os.PathLike) -> None:
    p = Path(path)
    for q in (p, p.with_suffix(".json"), p.with_suffix(".png")):
        q.unlink(missing_ok=True)


def finite_metrics(metrics: dict) -> bool:
    return all(not isinstance(v, (int, float)) or math.isfinite(v) for v in (metrics or {}).values())


def non_finite(tensors) -> str | None:
    """The name of the first floating-point tensor of a (nested) state dict with a NaN or inf, or None."""
    stack = [("", tensors)]
    while stack:
        prefix, d = stack.pop(0)
        items = d.items() if isinstance(d, dict) else enumerate(d) if isinstance(d, (list, tuple)) else ()
        for k, v in items:
            name = f"{prefix}{k}"
            if isinstance(v, torch.Tensor):
                if v.is_floating_point() and not bool(torch.isfinite(v).all()):
                    return name
            elif isinstance(v, (dict, list, tuple)):
                stack.append((name + ".", v))
    return None


def non_finite_weights(state: dict) -> str | None:
    """The first weight or optimiser buffer of a checkpoint state that is NaN or inf, or None."""
    return non_finite({"modules": state.get("modules", {}), "optimizers": state.get("optimizers", {})})


def last_good(run_dir: str | os.PathLike | None) -> Path | None:
    """The newest checkpoint of a run that loads and whose recorded metrics and weights are all finite
    (for rollback, and to name where a failed run can resume from)."""
    if run_dir is None:
        return None
    try:
        items = list_checkpoints(run_dir)
    except OSError:
        return None
    for c in reversed(items):
        if not finite_metrics(c.metrics):
            continue
        try:
            st = load(c.path)
        except (OSError, CheckpointError):
            continue
        if finite_metrics(st.get("metrics", {})) and non_finite_weights(st) is None:
            return c.path
    return None
