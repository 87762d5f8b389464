"""`gan-studio checkpoints RUN_DIR`: a run's checkpoints with the quality metrics evaluated at their
steps (the "eval" lines of metrics.jsonl; the sidecars' values where the log has none), the best one
marked by the metric the run is ranked by, and the files that are one file (keep-best links a best
checkpoint to the periodic or end checkpoint of the same step instead of writing it twice)."""
from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config.presets import load_preset
from ..config.schema import ConfigError
from ..engine.checkpoints import CheckpointInfo, list_checkpoints
from .compare import CLOSEST_TO_ONE, NOT_A_QUALITY, EvalReader, fmt_value, is_better
from .sweep import metrics_of

MAX_COLUMNS = 6      # quality metrics shown side by side


@dataclass
class Listing:
    run: Path
    items: list[CheckpointInfo]
    quality: list[dict]                  # per checkpoint: the metrics evaluated at its step
    metric: str | None = None            # the metric the best is chosen by
    best: set[int] = field(default_factory=set)     # indices into items
    twins: dict[int, str] = field(default_factory=dict)   # index -> name of a listed file it is one with
    notes: list[str] = field(default_factory=list)      # files that could not be listed, one line each


def direction(metric: str) -> str:
    if metric in CLOSEST_TO_ONE:
        return "closest to 1 is best"
    return "higher is better" if is_better(metric, 2.0, 1.0) else "lower is better"


def _ranking_metric(run: Path, names: list[str]) -> str | None:
    """checkpoint.keep_best when the run evaluates it, else the metric a sweep of the run would rank
    by (fid for images, modes for the ring and the grid, w1 for 1D), else the first one evaluated."""
    candidates = []
    if (run / "config.toml").is_file():
        cfg = load_preset(run / "config.toml")
        candidates = [cfg.checkpoint.keep_best, metrics_of(cfg)[1]]
    for name in [*candidates, *names]:
        if name and name in names:
            return name
    return None


def list_run(run_dir: str | os.PathLike) -> Listing:
    run = Path(run_dir)
    if not (run / "checkpoints").is_dir():
        raise ConfigError(f"{run}: not a run directory (no checkpoints/ folder)")
    problems: list[str] = []
    items = list_checkpoints(run, problems)
    evals = dict(EvalReader(run / "metrics.jsonl").poll())
    quality = []
    for c in items:
        vals = evals.get(c.step)
        if vals is None:
            vals = _own_eval(c)
        quality.append({k: float(v) for k, v in vals.items() if k not in NOT_A_QUALITY
                        and isinstance(v, (int, float)) and math.isfinite(v)})
    out = Listing(run, items, quality, notes=problems)
    names: list[str] = []
    for q in quality:
        names += [k for k in q if k not in names]
    out.metric = _ranking_metric(run, names)
    if out.metric is not None:
        best_value = None
        for q in quality:
            v = q.get(out.metric)
            if v is not None and (best_value is None or is_better(out.metric, v, best_value)):
                best_value = v
        out.best = {i for i, q in enumerate(quality) if q.get(out.metric) == best_value}
    inodes: dict[tuple[int, int], int] = {}
    for i, c in enumerate(items):
        try:
            st = c.path.stat()
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in inodes:
            out.twins[i] = items[inodes[key]].path.name
            out.twins.setdefault(inodes[key], c.path.name)
        else:
            inodes[key] = i
    return out


def _own_eval(c: CheckpointInfo) -> dict:
    """The evaluation in a checkpoint's sidecar when it is the checkpoint's own: a best checkpoint is
    saved right after the evaluation at its step (other sidecars hold the last one before theirs)."""
    if c.reason != "best":
        return {}
    try:
        info = json.loads(c.path.with_suffix(".json").read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    vals = info.get("eval") if isinstance(info, dict) else None
    return vals if isinstance(vals, dict) else {}


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def text(listing: Listing) -> str:
    """The table and, under it, which checkpoint is best by what."""
    items, quality = listing.items, listing.quality
    if not items:
        return f"{listing.run}: no checkpoints yet"
    names: list[str] = []
    for q in quality:
        names += [k for k in q if k not in names]
    if listing.metric in names:         # the ranking metric first
        names.remove(listing.metric)
        names.insert(0, listing.metric)
    names = names[:MAX_COLUMNS]
    head = ["", "step", "time", "size", "reason", *names, "file"]
    rows = []
    for i, c in enumerate(items):
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(c.time))
        vals = [fmt_value(quality[i][k]) if k in quality[i] else "-" for k in names]
        if not names:      # nothing evaluated: the last step's values, as before
            vals = []
        twin = f"  (one file with {listing.twins[i]})" if i in listing.twins else ""
        rows.append(["*" if i in listing.best else "", f"{c.step:,}", when, _size(c.size),
                     c.reason or "-", *vals, c.path.name + twin])
    if not names:
        head.insert(-1, "losses")
        for row, c in zip(rows, items):
            row.insert(-1, " ".join(f"{k}={v:.4g}" for k, v in list(c.metrics.items())[:4]) or "-")
    widths = [max(len(r[j]) for r in [head, *rows]) for j in range(len(head))]
    left = {0, 2, 4, len(head) - 1}
    lines = ["  ".join(cell.ljust(w) if j in left else cell.rjust(w)
                       for j, (cell, w) in enumerate(zip(row, widths))).rstrip() for row in [head, *rows]]
    if listing.metric is not None and listing.best:
        first = min(listing.best)
        value = quality[first][listing.metric]
        files = ", ".join(items[i].path.name for i in sorted(listing.best))
        lines.append(f"* best by {listing.metric} ({direction(listing.metric)}): {files} at step "
                     f"{items[first].step:,} ({listing.metric} {fmt_value(value)})")
    elif not names:
        lines.append("no quality metrics were evaluated at these steps (eval.every sets how often a run is "
                     "evaluated; gan-studio eval --checkpoint CKPT measures one)")
    return "\n".join(lines)
