"""The lesson file: a readable TOML a teacher writes without Python, loaded strictly.

    schema_version = 1
    title = "A GAN in one dimension"
    source = "seed 000, fig. 15.1"
    summary = "..."

    [[page]]
    title = "θ slides to the data"
    text = "..."                       # the page's prose
    formula = "x = z + θ"              # Unicode, shown as it is
    do = "Press Train."                # what the student does
    [[page.run]]                       # the games the page plays (none: a page of computed checks)
    label = "k = 10"
    preset = "toy-1d-shift"
    set = { "variant.k" = 10 }         # settings, as `--set` takes them
    actions = ["train"]                # train | step | step_d | step_g, optionally " xN"
    watch = ["theta"]                  # the series its curve shows
    [page.predict]
    question = "..."
    choices = ["...", "..."]
    answer = 0                         # the choice the notes support (0-based)
    [[page.check]]
    name = "theta_to_mu"               # one of CHECKS
    run = "k = 10"                     # a run's label (default: the page's first run)
    with = { at = "end" }              # the check's parameters
    below = 0.2                        # or above = ..., or near = ... with within = ...
    claim = "θ ends on μ"              # what the notes say

A mistake gets one line naming the file and the place (page, run, check, key).
"""
from __future__ import annotations

import copy
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config.io import set_value, shown
from ..config.paths import presets_dir
from ..config.presets import load_preset
from ..config.schema import Config, ConfigError

SCHEMA_VERSION = 1
ACTIONS = ("train", "step", "step_d", "step_g")
FIGURES = ("curves", "end", "parallel_lines", "dirac_methods",
           "samples", "interpolation", "arithmetic", "nearest",   # image runs: grids, and record.pictures
           "classes")                                            # per class: samples classified as their class
MAX_REPEAT = 10_000

# Every check of the library (checks.py) with its parameters: name -> {parameter: allowed values
# (a tuple of choices), or a type}. The loader checks lesson files against it without importing torch.
CHECKS: dict[str, dict[str, Any]] = {
    "theta_to_mu": {"at": ("start", "end")},            # |θ − μ| of the shift/Dirac generator
    "theta_moved": {},                                  # θ at the end − θ at the start
    "theta_spread": {"last": int},                      # std of θ over the last N iterations
    "d_at_chance": {"last": int},                       # max(|D(real) − ½|, |D(fake) − ½|), mean of the last N
    "d_slope_ratio": {},                                # |slope of D| at the end / its largest value
    "d_vs_dstar": {"at": ("start", "end", "max")},      # weighted mean |D(x) − D*(x)| (1D)
    "value_with_dstar": {"at": ("start", "end")},       # V(D*, G) = E_r log D* + E_g log(1 − D*) (1D)
    "radius_ratio": {"at": ("end", "max")},             # saddle / Dirac: |(θ, φ)| end (or max) over start
    "dirac_method": {"method": str, "steps": int, "lr": float},   # |(θ, ψ)| end over start, inspect.dirac
    "metric": {"key": str, "at": ("end", "best", "first")},       # an evaluated quality metric
    "warned": {"code": str},                            # 1 when the diagnostics raised that warning
    "loss_quality_corr": {"loss": str, "quality": str, "sign": float},   # Pearson r over the evaluations
    "g_grad_norm": {"loss": ("minimax", "nonsaturating"), "at": ("start", "end")},
    "g_grad_ratio": {"at": ("start", "end")},           # |∇ non-saturating| / |∇ minimax|, same state
    "parallel_lines": {"divergence": ("kl", "js", "w1"), "theta": float, "n": int},
    "parallel_slope": {"divergence": ("kl", "js", "w1"), "theta": float, "n": int},
}
CHECKS.update({   # lessons 11 and 12 (checks_conditional.py)
    "class_acc": {"at": ("start", "end", "max"), "which": ("mean", "min")},   # samples of c classified as c
    "cycle_err": {"at": ("start", "end", "min")},       # |F(G(a)) − a|, |G(F(b)) − b| on fixed images
    "cycle_err_ratio": {},                              # the round trip's error at the end over the start
})
CHECKS.update({   # lessons 9, 10 and 13 (checks_images.py); "run": the parameter names another run of the page
    "interp_step": {},                                 # largest step of an interpolation over its ends' distance
    "arith_hit": {"which": ("mean", "worst", "centres")},   # z − z̄_a + z̄_b classified as b; G(z̄_c) as c
    "copy_ratio": {},                                  # sample-to-training over held-out-to-training distance
    "copy_close": {},                                  # share of samples closer than 95% of held-out images
    "copy_side": {},                                   # to m training over to m held-out images (samples)
    "metric_ratio": {"key": str, "other": "run", "at": ("end", "best", "first")},   # this run's metric / other's
})
NEEDS_RUN = {n for n in CHECKS if n not in ("dirac_method", "parallel_lines", "parallel_slope")}


@dataclass
class RunSpec:
    label: str
    preset: str
    settings: dict[str, Any] = field(default_factory=dict)
    actions: list[tuple[str, int]] = field(default_factory=lambda: [("train", 1)])
    watch: list[str] = field(default_factory=list)
    config: Config | None = None         # the preset with the settings applied (seed not yet)


@dataclass
class Prediction:
    question: str
    choices: list[str]
    answer: int


@dataclass
class CheckSpec:
    name: str
    run: str | None
    params: dict[str, Any]
    below: float | None = None
    above: float | None = None
    near: float | None = None
    within: float | None = None
    claim: str = ""

    def passes(self, value: float) -> bool:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        if self.below is not None and not value < self.below:
            return False
        if self.above is not None and not value > self.above:
            return False
        if self.near is not None and not abs(value - self.near) <= self.within:
            return False
        return True

    def threshold(self) -> str:
        """The condition in words: '< 0.2', '> 5', '−1.386 ± 0.01'."""
        parts = []
        if self.below is not None:
            parts.append(f"< {self.below:g}")
        if self.above is not None:
            parts.append(f"> {self.above:g}")
        if self.near is not None:
            parts.append(f"{self.near:g} ± {self.within:g}")
        return " and ".join(parts)


@dataclass
class Page:
    title: str
    text: str
    formula: str = ""
    do: str = ""
    runs: list[RunSpec] = field(default_factory=list)
    predict: Prediction | None = None
    checks: list[CheckSpec] = field(default_factory=list)
    figures: list[str] = field(default_factory=lambda: ["curves", "end"])


@dataclass
class Lesson:
    name: str
    path: Path
    title: str
    source: str
    summary: str
    pages: list[Page]
    order: int = 0


def lessons_dir() -> Path:
    """presets/lessons: the lessons travel with the presets."""
    return presets_dir() / "lessons"


def _expect(table: dict, key: str, kind, where: str, *, required: bool = True, default=None):
    if key not in table:
        if required:
            raise ConfigError(f"{where}: missing key '{key}'")
        return default
    value = table[key]
    ok = isinstance(value, kind) and not (kind in (int, float, (int, float)) and isinstance(value, bool))
    if not ok:
        names = {str: "a string", int: "an integer", list: "a list", dict: "a table",
                 (int, float): "a number"}
        raise ConfigError(f"{where}: '{key}' must be {names.get(kind, kind)} (got {shown(value)})")
    if kind is str and required and not value.strip():
        raise ConfigError(f"{where}: '{key}' is empty")
    return value


def _no_extra(table: dict, allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown key '{key}'; expected {', '.join(allowed)}")


_ACTION = re.compile(r"^\s*([a-z_]+)\s*(?:x\s*(\d+))?\s*$")


def _actions(raw, where: str) -> list[tuple[str, int]]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}: 'actions' must be a non-empty list of strings (got {shown(raw)})")
    out = []
    for a in raw:
        m = _ACTION.match(a) if isinstance(a, str) else None
        if m is None or m.group(1) not in ACTIONS:
            raise ConfigError(f"{where}: action {shown(a)}: expected one of {', '.join(ACTIONS)}, "
                              f"optionally followed by ' xN'")
        n = int(m.group(2) or 1)
        if not 1 <= n <= MAX_REPEAT:
            raise ConfigError(f"{where}: action {shown(a)}: repeat between 1 and {MAX_REPEAT}")
        if m.group(1) == "train" and n != 1:
            raise ConfigError(f"{where}: action {shown(a)}: 'train' runs to train.steps, it takes no ' xN'")
        out.append((m.group(1), n))
    return out


def _run(t, where: str) -> RunSpec:
    if not isinstance(t, dict):
        raise ConfigError(f"{where}: must be a table (got {shown(t)})")
    _no_extra(t, ("label", "preset", "set", "actions", "watch"), where)
    preset = _expect(t, "preset", str, where)
    label = _expect(t, "label", str, where, required=False, default=preset)
    settings = _expect(t, "set", dict, where, required=False, default={})
    watch = _expect(t, "watch", list, where, required=False, default=[])
    if not all(isinstance(w, str) and w for w in watch):
        raise ConfigError(f"{where}: 'watch' must be a list of series names (got {shown(watch)})")
    actions = _actions(t["actions"], where) if "actions" in t else [("train", 1)]
    try:
        cfg = load_preset(preset)
    except ConfigError as e:
        raise ConfigError(f"{where}: preset: {e}") from None
    for key, value in settings.items():
        set_value(cfg, key, value, f"{where}: set.{key}")   # checked as `--set` checks it
    cfg.source = f"{where} (preset {preset})"
    return RunSpec(label, preset, dict(settings), actions, list(watch), cfg)


def _param(name: str, key: str, value, want, where: str):
    if isinstance(want, tuple):
        if value not in want:
            raise ConfigError(f"{where}: with.{key}: expected one of {', '.join(want)} (got {shown(value)})")
        return value
    if want is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"{where}: with.{key}: expected a finite number (got {shown(value)})")
        return float(value)
    if want is int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
            raise ConfigError(f"{where}: with.{key}: expected a whole number from 1 to 1000000 (got {shown(value)})")
        return value
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: with.{key}: expected a non-empty string (got {shown(value)})")
    return value


def _check(t, where: str, labels: list[str]) -> CheckSpec:
    if not isinstance(t, dict):
        raise ConfigError(f"{where}: must be a table (got {shown(t)})")
    _no_extra(t, ("name", "run", "with", "below", "above", "near", "within", "claim"), where)
    name = _expect(t, "name", str, where)
    if name not in CHECKS:
        raise ConfigError(f"{where}: unknown check {name!r}; known: {', '.join(CHECKS)}")
    where = f"{where} ({name})"
    run = _expect(t, "run", str, where, required=False)
    if name in NEEDS_RUN:
        if not labels:
            raise ConfigError(f"{where}: needs a run, and the page has none")
        if run is not None and run not in labels:
            raise ConfigError(f"{where}: run {run!r} is not one of the page's runs ({', '.join(labels)})")
        run = run or labels[0]
    elif run is not None:
        raise ConfigError(f"{where}: computes without a run; remove 'run'")
    raw = _expect(t, "with", dict, where, required=False, default={})
    params = {}
    for key, value in raw.items():
        if key not in CHECKS[name]:
            allowed = ", ".join(CHECKS[name]) or "none"
            raise ConfigError(f"{where}: unknown parameter with.{key}; this check takes {allowed}")
        params[key] = _param(name, key, value, CHECKS[name][key], where)
        if CHECKS[name][key] == "run" and value not in labels:
            raise ConfigError(f"{where}: with.{key}: {value!r} is not one of the page's runs ({', '.join(labels)})")
    for key, want in CHECKS[name].items():
        if want == "run" and key not in params:
            raise ConfigError(f"{where}: needs with.{key}, the label of the run to compare with")
    bounds = {}
    for key in ("below", "above", "near", "within"):
        v = _expect(t, key, (int, float), where, required=False)
        if v is not None and not math.isfinite(v):
            raise ConfigError(f"{where}: '{key}' must be finite (got {shown(v)})")
        bounds[key] = None if v is None else float(v)
    if all(bounds[k] is None for k in ("below", "above", "near")):
        raise ConfigError(f"{where}: give a threshold: below, above, or near with within")
    if (bounds["near"] is None) != (bounds["within"] is None):
        raise ConfigError(f"{where}: 'near' and 'within' go together")
    if bounds["within"] is not None and bounds["within"] < 0:
        raise ConfigError(f"{where}: 'within' must be at least 0 (got {bounds['within']:g})")
    claim = _expect(t, "claim", str, where, required=False, default="")
    return CheckSpec(name, run, params, claim=claim, **bounds)


def _predict(t, where: str) -> Prediction:
    if not isinstance(t, dict):
        raise ConfigError(f"{where}: must be a table (got {shown(t)})")
    _no_extra(t, ("question", "choices", "answer"), where)
    q = _expect(t, "question", str, where)
    choices = _expect(t, "choices", list, where)
    if len(choices) < 2 or not all(isinstance(c, str) and c.strip() for c in choices):
        raise ConfigError(f"{where}: 'choices' must be at least two non-empty strings (got {shown(choices)})")
    answer = _expect(t, "answer", int, where)
    if not 0 <= answer < len(choices):
        raise ConfigError(f"{where}: 'answer' must index a choice, 0 to {len(choices) - 1} (got {answer})")
    return Prediction(q, list(choices), answer)


def _page(t, where: str) -> Page:
    if not isinstance(t, dict):
        raise ConfigError(f"{where}: must be a table (got {shown(t)})")
    _no_extra(t, ("title", "text", "formula", "do", "run", "predict", "check", "figures"), where)
    title = _expect(t, "title", str, where)
    where = f"{where} ({title!r})"
    text = _expect(t, "text", str, where)
    formula = _expect(t, "formula", str, where, required=False, default="")
    do = _expect(t, "do", str, where, required=False, default="")
    runs_raw = _expect(t, "run", list, where, required=False, default=[])
    runs = [_run(r, f"{where}: run {i + 1}") for i, r in enumerate(runs_raw)]
    labels = [r.label for r in runs]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"{where}: two runs share a label ({', '.join(labels)}); give each its own")
    predict = _predict(t["predict"], f"{where}: predict") if "predict" in t else None
    checks_raw = _expect(t, "check", list, where, required=False, default=[])
    checks = [_check(c, f"{where}: check {i + 1}", labels) for i, c in enumerate(checks_raw)]
    figures = _expect(t, "figures", list, where, required=False, default=["curves", "end"] if runs else [])
    for f in figures:
        if f not in FIGURES:
            raise ConfigError(f"{where}: figures: {shown(f)} is not one of {', '.join(FIGURES)}")
    return Page(title, text, formula, do, runs, predict, checks, list(figures))


def parse_lesson(data: dict, path: Path) -> Lesson:
    where = str(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: not a table")
    _no_extra(data, ("schema_version", "title", "source", "summary", "order", "page"), where)
    version = _expect(data, "schema_version", int, where)
    if version != SCHEMA_VERSION:
        raise ConfigError(f"{where}: schema_version {version} is not {SCHEMA_VERSION}")
    pages_raw = _expect(data, "page", list, where)
    if not pages_raw:
        raise ConfigError(f"{where}: a lesson needs at least one [[page]]")
    order = _expect(data, "order", int, where, required=False, default=0)
    pages = [_page(p, f"{where}: page {i + 1}") for i, p in enumerate(pages_raw)]
    return Lesson(path.stem, path, _expect(data, "title", str, where),
                  _expect(data, "source", str, where, required=False, default=""),
                  _expect(data, "summary", str, where, required=False, default=""), pages, order)


# lessons read, by path, with the text they were read from: the studio lists every lesson for each
# window and each preset chosen, and parsing and checking 13 files each time took 0.3 s (reading the
# text again is cheap, and unlike a modification time it cannot miss a change)
_LOADED: dict[Path, tuple[str, Lesson]] = {}


def load_lesson(name_or_path: str | os.PathLike) -> Lesson:
    """A lesson by name (presets/lessons/NAME.toml) or by path; ConfigError (one line) when malformed.
    Each call returns its own copy."""
    return copy.deepcopy(read_lesson(name_or_path))


def read_lesson(name_or_path: str | os.PathLike) -> Lesson:
    """`load_lesson` without the copy: the one kept for the file, for a caller that only reads it (the
    catalogue reads 13 lessons for each window and preset chosen; copying them took 0.09 s)."""
    path = resolve_lesson(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror or e})") from None
    hit = _LOADED.get(path)
    if hit is not None and hit[0] == text:
        return hit[1]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from None
    lesson = parse_lesson(data, path)
    _LOADED[path] = (text, lesson)
    return lesson


def resolve_lesson(name_or_path: str | os.PathLike) -> Path:
    p = Path(name_or_path)
    if p.suffix == ".toml" or os.sep in str(name_or_path):
        if not p.is_file():
            raise ConfigError(f"{p}: lesson file not found")
        return p
    cand = lessons_dir() / f"{name_or_path}.toml"
    if not cand.is_file():
        names = ", ".join(lesson_names()) or "none"
        raise ConfigError(f"lesson '{name_or_path}' not found in {lessons_dir()}; available: {names}")
    return cand


def lesson_names() -> list[str]:
    return sorted(p.stem for p in lessons_dir().glob("*.toml"))


def list_lessons() -> list[Lesson]:
    """Every lesson, in teaching order (their `order`, then name); a broken file raises."""
    lessons = [load_lesson(lessons_dir() / f"{n}.toml") for n in lesson_names()]
    return sorted(lessons, key=lambda les: (les.order, les.name))
