"""Compare run directories: what each run is, what differs between them, how far each got.

Pure functions over run directories (config.toml, metrics.jsonl, samples/, checkpoints/), shared by
`gan-studio compare` and the studio's runs browser:

- `load_run(path)` reads one run into a `RunSummary`: its preset, variant, configuration (flattened to
  dotted keys), the step reached, the last losses, the curves, the evaluations and the best value of
  each metric, the sample grids and checkpoints on disk, and where it branched from another run.
- `differing(runs)` lists the hyperparameters whose values are not the same in every run.
- `format_table(runs)` is the command's table.

A run branched from another says so in its metrics.jsonl: a {"event": "branch", "step": S,
"from_run": DIR, "from_step": N} line, or a "resume" line whose checkpoint lies in another run
directory (resuming from that run's checkpoint at its step).
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from ..config import palette
from ..config.palette import rgb
from ..config.presets import list_presets, load_preset
from ..config.schema import ConfigError, to_dict
from ..engine.checkpoints import CheckpointInfo, list_checkpoints
from ..engine.runlog import parse_lines, read_metrics, record_problem
from ..quality import catalogue
from .model_io import open_model
from .plots import histogram_png
from .sample import draw

NOT_CONFIG = ("schema_version", "title", "description")     # words about a preset, not settings
LOSS_KEYS = ("loss_d", "loss_g", "wdist")
NOT_A_QUALITY = frozenset(n for n, m in catalogue.METRICS.items() if not m.quality)   # the catalogue's
CLOSEST_TO_ONE = catalogue.names(catalogue.ONE)
STAMP = re.compile(r"^(?P<name>.+)-\d{8}-\d{6}(-\d+)?$")      # NAME-YYYYmmdd-HHMMSS[-i]
SAMPLE = re.compile(r"^step_(\d+)\.png$")


@dataclass
class Branch:
    """Where a run left its parent: `from_run` (a run directory) at `from_step`; the child's own
    lines start at `step`."""
    from_run: Path
    from_step: int
    step: int

    @property
    def parent_name(self) -> str:
        return self.from_run.name


@dataclass
class RunSummary:
    path: Path
    preset: str
    variant: str
    config: dict                      # dotted key -> value, without title and description
    title: str = ""
    step: int = 0                     # the last iteration logged
    target: int = 0                   # train.steps
    last: dict = field(default_factory=dict)          # the last iteration's values
    curves: dict = field(default_factory=dict)        # key -> (steps, values) as numpy arrays
    evals: list = field(default_factory=list)         # (step, {metric: value}), oldest first
    changes: list = field(default_factory=list)       # (step, key, old, new): live changes
    branch: Branch | None = None
    samples: list = field(default_factory=list)       # (step, Path) of samples/step_*.png, oldest first
    checkpoints: list[CheckpointInfo] = field(default_factory=list)   # oldest first

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def metric_names(self) -> list[str]:
        names: list[str] = []
        for _, vals in self.evals:
            names += [k for k in vals if k not in names]
        return names

    def best(self) -> dict[str, tuple[float, int]]:
        """The best value of each quality metric evaluated, with its step (the first step reaching it)."""
        out: dict[str, tuple[float, int]] = {}
        for step, vals in self.evals:
            for k, v in vals.items():
                if not catalogue.is_quality(k) or not math.isfinite(v):
                    continue
                if k not in out or is_better(k, v, out[k][0]):
                    out[k] = (v, step)
        return out


def is_better(name: str, new: float, old: float) -> bool:
    return catalogue.better(name, new, old)


def is_run_dir(path: str | os.PathLike) -> bool:
    p = Path(path)
    return p.is_dir() and ((p / "config.toml").is_file() or (p / "metrics.jsonl").is_file())


def find_runs(folder: str | os.PathLike) -> list[Path]:
    """The run directories directly inside `folder` (not recursing into them), sorted by name."""
    try:
        kids = sorted(p for p in Path(folder).iterdir() if p.is_dir())
    except OSError:
        return []
    return [p for p in kids if is_run_dir(p)]


def expand(paths: list[str | os.PathLike]) -> list[Path]:
    """Run directories named on the command line; a folder of runs (a runs/ folder, a sweep's output)
    stands for the runs inside it. A path that is neither raises ConfigError naming it."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise ConfigError(f"{p}: no such folder")
        if not p.is_dir():
            raise ConfigError(f"{p}: not a run directory (a file; a run directory holds config.toml "
                              f"and metrics.jsonl)")
        if is_run_dir(p):
            out.append(p)
            continue
        inside = find_runs(p)
        if not inside:
            raise ConfigError(f"{p}: not a run directory (no config.toml or metrics.jsonl), and no run "
                              f"directories inside it")
        out += inside
    return out


NON_FINITE = ("nan", "inf", "-inf")          # how runlog writes non-finite values
NOT_A_CURVE = frozenset({"step", "kind", "t"})


def _number(v) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str) and v in NON_FINITE:
        return float(v)
    return None


def flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        elif key not in NOT_CONFIG:
            out[key] = v
    return out


def preset_of(run: Path, title: str) -> str:
    """The preset a run was made from: the one with the run's title, else the name its folder was
    given (NAME-YYYYmmdd-HHMMSS), else "?"."""
    stem = STAMP.match(run.name)
    titled = [name for name, cfg in _presets() if title and cfg.title == title]
    if stem and stem.group("name") in titled:
        return stem.group("name")
    if titled:
        return titled[0]
    return stem.group("name") if stem else "?"


_PRESETS: list | None = None


def _presets() -> list:
    global _PRESETS
    if _PRESETS is None:
        try:
            _PRESETS = list_presets()
        except (ConfigError, OSError):      # a broken preset folder must not stop a comparison
            _PRESETS = []
    return _PRESETS


def branch_of(run: Path, records: list[dict]) -> Branch | None:
    """Where `run` left another run: its "branch" line, or a resume from a checkpoint of another run."""
    here = _resolved(run)
    for r in records:
        ev = r.get("event")
        if ev == "branch" and isinstance(r.get("from_run"), str):
            return Branch(Path(r["from_run"]), int(_number(r.get("from_step")) or 0),
                          int(_number(r.get("step")) or 0))
        if ev == "resume" and isinstance(r.get("checkpoint"), str) and not r.get("rollback"):
            ck = Path(r["checkpoint"])
            parent = ck.parent.parent if ck.parent.name == "checkpoints" else ck.parent
            moved = parent.name == run.name and not parent.exists()    # this run, copied or moved
            if _resolved(parent) != here and not moved:
                step = int(_number(r.get("step")) or 0)
                return Branch(parent, step, step)
    return None


def _resolved(p: Path) -> Path:
    try:
        return p.resolve()
    except OSError:
        return p.absolute()


def load_run(path: str | os.PathLike) -> RunSummary:
    """One run directory read into a RunSummary. Not a run directory, or an unreadable config.toml:
    ConfigError naming the path."""
    run = Path(path)
    if not is_run_dir(run):
        raise ConfigError(f"{run}: not a run directory (no config.toml or metrics.jsonl)")
    cfg_path = run / "config.toml"
    if not cfg_path.is_file():
        raise ConfigError(f"{cfg_path}: missing; without its configuration the run cannot be compared")
    cfg = load_preset(cfg_path)              # strict: a bad key or value names the file, key and value
    flat = flatten(to_dict(cfg))
    records = read_metrics(run / "metrics.jsonl")
    s = RunSummary(run, preset_of(run, cfg.title), cfg.variant.name, flat, cfg.title,
                   target=cfg.train.steps)
    cols: dict[str, tuple[list, list]] = {}
    last = None
    for r in records:                 # the hot loop of a long run: plain types checked inline
        ev = r.get("event")
        step = r.get("step")
        if type(step) is not int:
            step = _number(step)
            if step is None:
                continue
            step = int(step)
        if ev is None and r.get("kind") == "iter":
            last = r
            for k, v in r.items():
                t = type(v)
                if t is float or t is int:
                    x = float(v)
                elif t is str and v in NON_FINITE:
                    x = float(v)
                else:
                    continue
                if k in NOT_A_CURVE:
                    continue
                c = cols.get(k)
                if c is None:
                    c = cols[k] = ([], [])
                c[0].append(step)
                c[1].append(x)
        elif ev == "eval":
            vals = {k: x for k, v in r.items() if k not in ("step", "event") and (x := _number(v)) is not None}
            if vals:
                s.evals.append((step, vals))
        elif ev == "set":
            s.changes.append((step, str(r.get("key")), r.get("old"), r.get("new")))
    if last is not None:
        s.step = int(last["step"])
        s.last = {k: x for k, v in last.items() if k not in NOT_A_CURVE and (x := _number(v)) is not None}
    s.curves = {k: (np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.float64)) for k, (a, b) in cols.items()}
    s.branch = branch_of(run, records)
    s.samples = samples_of(run)
    s.checkpoints = list_checkpoints(run)
    return s


def samples_of(run: str | os.PathLike) -> list[tuple[int, Path]]:
    """A run's saved sample grids, (step, path), oldest first: the one reader of a run's pictures
    (the runs browser, the rewind timeline, a followed run, the sweep's cards)."""
    out = []
    for p in (Path(run) / "samples").glob("step_*.png"):
        m = SAMPLE.match(p.name)
        if m:
            out.append((int(m.group(1)), p))
    return sorted(out)


def load_runs(paths: list[str | os.PathLike]) -> list[RunSummary]:
    return [load_run(p) for p in expand(paths)]


def differing(runs: list[RunSummary]) -> list[str]:
    """The configuration keys whose values are not the same in every run (a key that one run lacks,
    another variant's parameter, differs), in the order of the configuration."""
    keys: list[str] = []
    for r in runs:
        keys += [k for k in r.config if k not in keys]
    missing = object()
    return [k for k in keys if len({repr(r.config.get(k, missing)) for r in runs}) > 1]


def fmt_value(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return "[" + ", ".join(fmt_value(x) for x in v) + "]"
    return str(v)


def label(run: RunSummary, keys: list[str]) -> str:
    """A run's name for a legend: its folder's name and its values of the differing keys."""
    parts = [f"{k}={fmt_value(run.config.get(k))}" for k in keys]
    return run.name + (f" ({', '.join(parts)})" if parts else "")


def evaluation_at(evals: list[tuple[int, dict]], step: int) -> tuple[int, dict] | None:
    """The evaluation nearest at or before `step` (evals oldest first); None when there is none."""
    return nearest_at_or_before(evals, step)


def nearest_at_or_before(items: list[tuple[int, object]], step: int):
    """The (step, item) of the largest step <= `step` in a list sorted by step; None if none."""
    found = None
    for s, x in items:
        if s > step:
            break
        found = (s, x)
    return found


def table(runs: list[RunSummary]) -> tuple[list[str], list[list[str]]]:
    """The comparison as header and rows, one row per run."""
    keys = differing(runs)
    losses = [k for k in LOSS_KEYS if any(k in r.last for r in runs)]
    metrics: list[str] = []
    for r in runs:
        metrics += [k for k in r.best() if k not in metrics]
    branched = any(r.branch is not None for r in runs)
    head = ["run", "preset", "variant", "steps"] + (["branched from"] if branched else []) + keys + \
        losses + [f"best {m}" for m in metrics]
    rows = []
    for r in runs:
        best = r.best()
        row = [r.name, r.preset, r.variant,
               f"{r.step:,}" if r.step >= r.target else f"{r.step:,}/{r.target:,}"]
        if branched:
            row.append(f"{r.branch.parent_name} @ {r.branch.from_step:,}" if r.branch else "")
        row += [fmt_value(r.config.get(k)) for k in keys]
        row += [f"{r.last[k]:.4g}" if k in r.last else "—" for k in losses]
        row += [f"{best[m][0]:.4g} @ {best[m][1]:,}" if m in best else "—" for m in metrics]
        rows.append(row)
    return head, rows


def format_table(runs: list[RunSummary], width: int | None = None) -> str:
    """The comparison as aligned text: one row per run; when that is wider than `width`, one row per
    column instead (the runs side by side), which stays readable with many differing settings."""
    head, rows = table(runs)
    text = _aligned(head, rows, right_from=3)
    if width is None or max(len(line) for line in text.splitlines()) <= width:
        return text
    turned = [[h] + [row[i] for row in rows] for i, h in enumerate(head)]
    return _aligned(turned[0], turned[1:], right_from=99)


def _aligned(head: list[str], rows: list[list[str]], right_from: int) -> str:
    """Columns padded to their widest cell, a rule under the header; columns of numbers (from
    `right_from` on) right-aligned."""
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    numeric = [i >= right_from and all(re.match(r"^[-+]?[\d.]", r[i]) or r[i] in ("", "—") for r in rows)
               for i in range(len(head))]
    for r in rows:
        out.append("  ".join(c.rjust(w) if numeric[i] else c.ljust(w)
                             for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    return "\n".join(out)


def checkpoint_picture(path: str | os.PathLike, size: int = 320) -> np.ndarray | None:
    """A picture of a checkpoint's generator for runs that save no sample grids (the toy problems):
    real against generated samples (a histogram in 1D, a scatter plot in 2D), drawn from fixed noise
    in a frame set by the real data alone, so that the pictures of several runs compare at a glance
    (generated points outside it are drawn on its edge). None for a game without a generator to
    sample (the saddle). Bad files raise CheckpointError."""
    model = open_model(path)
    if not model.game.makes_samples or model.data.family not in ("1d", "2d"):
        return None
    fake = draw(model, 1000, seed=0).cpu().numpy().astype(np.float64)
    gen = torch.Generator(device=model.device).manual_seed(1)
    real = model.data.sample(1000, gen, model.device).x.cpu().numpy().astype(np.float64)
    lo, hi = real.min(0), real.max(0)
    centre, half = (lo + hi) / 2, float(max(hi - lo)) / 2 * 1.5 + 1e-6
    fake = np.clip(fake, centre - half, centre + half)
    if model.data.family == "1d":
        return histogram_png(np.append(real[:, 0], [centre[0] - half, centre[0] + half]),
                             np.append(fake[:, 0], [centre[0] - half, centre[0] + half]), size=size)
    return framed_scatter(real, fake, centre, half, size)


def framed_scatter(real: np.ndarray, fake: np.ndarray, centre: np.ndarray, half: float,
                   size: int) -> np.ndarray:
    """Real (cyan) and generated (orange) points in the square centre ± half, as an RGB array."""
    img = Image.new("RGB", (size, size), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, size - 1, size - 1], outline=(180, 180, 180))
    for pts, colour in ((real, rgb(palette.REAL)), (fake, rgb(palette.FAKE))):
        px = (pts - centre) / half * (size / 2 - 6) * np.array([1, -1]) + size / 2
        for x, y in px:
            d.ellipse([x - 1.5, y - 1.5, x + 1.5, y + 1.5], fill=colour)
    d.text((8, 6), "real", fill=rgb(palette.REAL))
    d.text((8, 20), "generated", fill=rgb(palette.FAKE))
    return np.asarray(img)


def compare_text(paths: list[str | os.PathLike], width: int | None = None) -> str:
    """What `gan-studio compare` prints: the table, then one line per branched run and a line on
    the settings all runs share."""
    runs = load_runs(paths)
    lines = [format_table(runs, width)]
    for r in runs:
        if r.branch is not None:
            lines.append(f"{r.name} branched from {r.branch.from_run} at step {r.branch.from_step:,}")
    if len(runs) > 1 and not differing(runs):
        lines.append("the runs' configurations are the same")
    return "\n".join(lines)


class EvalReader:
    """The evaluations of a metrics.jsonl, read incrementally (a run that is still writing): each
    `poll()` reads the complete new lines and returns all evaluations so far, oldest first. Only eval
    and resume lines are parsed, so a long run's log costs little; a resume drops the evaluations it
    supersedes (those after its step), as read_metrics does."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._pos = 0
        self.evals: list[tuple[int, dict]] = []

    def poll(self) -> list[tuple[int, dict]]:
        try:
            with open(self.path, "rb") as fh:
                if os.fstat(fh.fileno()).st_size < self._pos:    # replaced: start over
                    self._pos, self.evals = 0, []
                fh.seek(self._pos)
                data = fh.read()
        except OSError:
            return self.evals
        end = data.rfind(b"\n") + 1
        self._pos += end
        for line in data[:end].split(b"\n"):
            if b'"eval"' not in line and b'"resume"' not in line:
                continue
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if record_problem(r) is not None:     # a malformed line: skipped (the follower counts them)
                continue
            step = r["step"]
            if r.get("event") == "resume":
                self.evals = [e for e in self.evals if e[0] <= step]
            elif r.get("event") == "eval":
                vals = {k: x for k, v in r.items() if k not in ("step", "event") and (x := _number(v)) is not None}
                if vals:
                    self.evals = [e for e in self.evals if e[0] != step] + [(step, vals)]
        self.evals.sort(key=lambda e: e[0])
        return self.evals


@dataclass
class RunInfo:
    """What a runs list shows of a run without reading all its log: name, preset, variant, the step
    reached, where it branched from, when it last changed; `error` when it cannot be read."""
    path: Path
    preset: str = "?"
    variant: str = "?"
    step: int = 0
    branch: Branch | None = None
    mtime: float = 0.0
    error: str = ""

    @property
    def name(self) -> str:
        return self.path.name


HEAD_BYTES = 1 << 16      # a branch or resume line comes at the start of the child's log
TAIL_BYTES = 1 << 14


def peek_run(path: str | os.PathLike) -> RunInfo:
    """A RunInfo from config.toml and the head and tail of metrics.jsonl; never raises."""
    run = Path(path)
    info = RunInfo(run)
    log = run / "metrics.jsonl"
    try:
        info.mtime = max(p.stat().st_mtime for p in (run / "config.toml", log) if p.exists())
    except (OSError, ValueError):
        info.mtime = 0.0
    try:
        cfg = load_preset(run / "config.toml")
        info.preset, info.variant = preset_of(run, cfg.title), cfg.variant.name
    except ConfigError as e:
        info.error = str(e)
    try:
        with open(log, "rb") as fh:
            head = fh.read(HEAD_BYTES)
            size = os.fstat(fh.fileno()).st_size
            fh.seek(max(size - TAIL_BYTES, 0))
            tail = fh.read()
    except OSError:
        return info
    info.branch = branch_of(run, parse_lines(head[:head.rfind(b"\n") + 1]))
    for r in reversed(parse_lines(tail)):
        if r.get("kind") == "iter" and _number(r.get("step")) is not None:
            info.step = int(_number(r["step"]))
            break
    return info


def same_dir(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    return _resolved(Path(a)) == _resolved(Path(b))
