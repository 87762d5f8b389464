"""Hyperparameter sweeps on Optuna: `gan-studio sweep` and the studio's sweep panel.

Each trial is an ordinary run directory (DIR/trial-NNN), trained by an ordinary `gan-studio train`
in its own process, K processes at a time, each with its share of the CPU threads (or one GPU each
where there are several). The trials are ranked by one quality metric that the runs evaluate.

Design: the parent process holds the Optuna study and does every ask / report / tell; the children
only train. Why: a child is then exactly `gan-studio train` on a config file (nothing sweep-specific
inside a run, so a trial can be opened, resumed or branched like any run), and the parent already
reads each child's metrics.jsonl as it grows (the "eval" lines) to report intermediate values and to
prune a hopeless trial (MedianPruner) by sending it Ctrl+C, which stops it cleanly with a checkpoint.
The study lives in a storage (default: DIR/sweep.db, SQLite), so a second `sweep` on the same
--storage and --study continues it, and processes on several machines can share one study through a
database URL that all of them reach.

The parent also writes DIR/sweep.json (atomically, at every change): the study's trials with their
parameters, state, value, intermediate values and run directories. The studio's sweep panel reads it;
it imports nothing of Optuna.
"""
from __future__ import annotations

import copy
import ctypes
import dataclasses
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

from ..config.extras import missing_extra
from ..config.io import atomic_write_bytes, dumps, parse_override, set_value, shown
from ..config.presets import load_preset, resolve_preset
from ..config.schema import Config, ConfigError, field_meta
from ..data.base import family_of, has_modes
from ..engine import rundir
from ..engine.checkpoints import list_checkpoints
from ..engine.runlog import MetricsFollower, pid_alive, process_start
from ..engine.stop_signals import StopSignals
from ..engine.trainer import new_run_dir
from ..games import game_class
from ..games.base import Variant
from ..quality import catalogue
from .sample import sample_to_file

SAMPLERS = ("grid", "random", "tpe")
SWEEP_JSON = "sweep.json"
TRIAL_LOG = "sweep-trial.log"
TRIAL_PICTURE = "sweep-samples.png"    # a toy trial's final samples (image runs have samples/*.png)
STATES_DONE = ("COMPLETE", "PRUNED", "FAIL")


# ------------------------------------------------------------------------------------------ metrics
def metrics_of(cfg: Config) -> tuple[list[str], str | None]:
    """(the quality metrics a run of `cfg` evaluates, the default one to rank a sweep by): the data
    registry says the data's family and whether it has modes, the game what else it measures, and the
    metric catalogue which metrics that makes (quality.catalogue.measured)."""
    game = game_class(cfg.variant.name)
    family = family_of(cfg.data.kind)
    if family == "image" and not game.makes_samples:
        return [], None
    when = {c for c, on in (("modes", has_modes(cfg.data.kind)), ("conditional", game.conditional),
                            ("inception", cfg.eval.inception), ("dirac", cfg.model.kind in ("shift", "dirac")),
                            ("critic", game.watches_critic),
                            ("clipped", game.weight_clip is not Variant.weight_clip)) if on}
    return catalogue.measured(family, when)


def toy(cfg: Config) -> bool:
    """A 1D or 2D run (one CPU thread is plenty; its final samples make a picture)."""
    return family_of(cfg.data.kind) in ("1d", "2d")


def direction(metric: str) -> str:
    """The study's direction: a closest-to-one metric (diversity) is ranked by |value − 1|, minimised,
    so that a collapsed generator never ranks best (quality.catalogue)."""
    return "maximize" if catalogue.metric(metric).maximize else "minimize"


def objective(metric: str, value: float) -> float:
    """What a trial reports to the study for a measured value of `metric`."""
    return catalogue.metric(metric).objective(value)


def ranked_as(metric: str) -> str:
    """How the sweep's value column is named: the metric, or |metric − 1| for a closest-to-one one."""
    return f"|{metric} − 1|" if catalogue.metric(metric).direction == catalogue.ONE else metric


# ------------------------------------------------------------------------------------------ axes
@dataclass
class Axis:
    """One swept setting: a list of values, or a range [low, high] (log-scaled or not)."""
    key: str
    values: list | None = None
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False

    @property
    def is_range(self) -> bool:
        return self.values is None

    def describe(self) -> str:
        if self.values is not None:
            return ",".join(literal(v) for v in self.values)
        return f"{'log' if self.log else 'range'}:{literal(self.low)}:{literal(self.high)}"


def literal(v: Any) -> str:
    """A value as TOML (what --set reads back as the same value)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    return repr(v)


def parse_axis(cfg: Config, text: str) -> Axis:
    """'KEY=V1,V2,...', 'KEY=log:LO:HI' or 'KEY=range:LO:HI', every value checked against the field."""
    key, sep, rhs = text.partition("=")
    key, rhs = key.strip(), rhs.strip()
    where = f"--param {text}"
    if not sep or not key or not rhs or not text.isprintable():
        raise ConfigError(f"--param {text!r}: expected KEY=V1,V2,... or KEY=log:LOW:HIGH")
    if key == "variant.name":
        raise ConfigError(f"{where}: the game cannot be a sweep axis (each game has its own parameters); "
                          f"sweep each game's preset on its own")
    try:
        f = field_meta(cfg, key)
    except ConfigError as e:
        raise ConfigError(f"--param {key}: {e}") from None
    ftype = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    if ftype.startswith("list"):
        raise ConfigError(f"{where}: {key} holds a list; only single values can be swept")

    def checked(value):
        probe = copy.deepcopy(cfg)
        set_value(probe, key, value, f"--param {key}")
        return getattr(getattr(probe, key.split(".")[0]), key.split(".", 1)[1])

    head = rhs.split(":", 1)[0].strip().lower()
    if head in ("log", "range"):
        parts = rhs.split(":")
        if len(parts) != 3:
            raise ConfigError(f"{where}: a range is {head}:LOW:HIGH")
        if ftype not in ("int", "float"):
            raise ConfigError(f"{where}: {key} is not a number; give a list of values instead")
        lo, hi = (checked(parse_override(f"{key}={p}")[1]) for p in parts[1:])
        if not lo < hi:
            raise ConfigError(f"{where}: LOW must be below HIGH (got {lo} and {hi})")
        if head == "log" and lo <= 0:
            raise ConfigError(f"{where}: a log range needs LOW > 0 (got {lo})")
        return Axis(key, low=lo, high=hi, log=head == "log", integer=ftype == "int")
    values = []
    for raw in rhs.split(","):
        if not raw.strip():
            raise ConfigError(f"{where}: an empty value in the list")
        v = checked(parse_override(f"{key}={raw}")[1])
        if v in values:
            raise ConfigError(f"{where}: the value {shown(v)} is given twice")
        values.append(v)
    return Axis(key, values=values)


# ------------------------------------------------------------------------------------------ the spec
@dataclass
class SweepSpec:
    preset: str
    axes: list[Axis]
    out: Path
    steps: int | None = None
    workers: int = 2
    sampler: str = "grid"
    trials: int | None = None
    metric: str | None = None
    storage: str | None = None
    study: str | None = None
    sets: list[str] = field(default_factory=list)
    prune: bool = True
    base: Config | None = None          # filled by prepare()
    notes: list[str] = field(default_factory=list)


def prepare(spec: SweepSpec) -> SweepSpec:
    """Check everything before any process starts: preset, overrides, axes, metric, sampler, counts."""
    path = resolve_preset(spec.preset)
    cfg = load_preset(path)
    for text in spec.sets:
        key, value = parse_override(text)
        set_value(cfg, key, value, f"--set {key}")
    if spec.steps is not None:
        set_value(cfg, "train.steps", spec.steps, "--steps")
    check_spec(spec, cfg, path.stem)
    spec.preset = str(path)
    spec.study = spec.study or path.stem
    spec.out = Path(spec.out)
    return spec


def check_spec(spec: SweepSpec, cfg: Config, name: str) -> None:
    """The checks of a sweep on its base config `cfg` (named `name` in messages); sets spec.base, the
    metric (the default for the preset when none is given) and eval.every where no evaluation would run."""
    if spec.steps is not None:
        set_value(cfg, "train.steps", spec.steps, "--steps")
    if spec.sampler not in SAMPLERS:
        raise ConfigError(f"--sampler {spec.sampler!r}: expected one of {', '.join(SAMPLERS)}")
    if not spec.axes:
        raise ConfigError("sweep needs at least one --param KEY=V1,V2,...")
    keys = [a.key for a in spec.axes]
    for k in keys:
        if keys.count(k) > 1:
            raise ConfigError(f"--param {k}: given twice; list all its values in one --param")
    if spec.sampler == "grid":
        for a in spec.axes:
            if a.is_range:
                raise ConfigError(f"--param {a.key}={a.describe()}: the grid sampler needs a list of values; "
                                  f"a range needs --sampler random or tpe")
    if not 1 <= spec.workers <= 64:
        raise ConfigError(f"--workers must be between 1 and 64 (got {spec.workers})")
    if spec.trials is not None and not 1 <= spec.trials <= 10_000:
        raise ConfigError(f"--trials must be between 1 and 10000 (got {spec.trials})")
    names, default = metrics_of(cfg)
    if not names:
        raise ConfigError(f"{name}: this preset measures no quality metric ({cfg.variant.name} game on "
                          f"{cfg.data.kind} data), so there is nothing to rank the trials by")
    spec.metric = spec.metric or default
    if spec.metric not in names:
        raise ConfigError(f"--metric {spec.metric!r}: not measured by {name}; it measures {', '.join(names)}")
    steps = cfg.train.steps
    if "eval.every" not in keys and not 0 < cfg.eval.every <= steps:
        cfg.eval.every = max(1, steps // 4)
        spec.notes.append(f"eval.every set to {cfg.eval.every} (evaluations are what the trials are ranked "
                          f"and pruned by)")
    spec.base = cfg


def grid_size(axes: list[Axis]) -> int:
    return math.prod(len(a.values) for a in axes)


def default_out(preset: str) -> Path:
    return new_run_dir(f"sweep-{Path(preset).stem}")     # runs/sweep-NAME-STAMP, never an existing one


# ------------------------------------------------------------------------------------------ the study
def _optuna():
    """Optuna, imported here and only when a sweep runs (the optional extra 'sweep'): every other
    command, and the studio, work without it."""
    try:
        import optuna        # the optional extra "sweep": only a sweep needs it
    except ModuleNotFoundError as e:
        if e.name != "optuna":      # Optuna is there but broken: that is not a missing extra
            raise
        raise ConfigError(missing_extra("sweep", "gan-studio sweep needs Optuna")) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def open_study(spec: SweepSpec):
    optuna = _optuna()
    url = spec.storage or f"sqlite:///{(spec.out / 'sweep.db').resolve()}"
    spec.storage = url
    if spec.sampler == "grid":
        sampler = _grid_sampler(optuna, {a.key: list(a.values) for a in spec.axes})
    elif spec.sampler == "random":
        sampler = optuna.samplers.RandomSampler()
    else:
        sampler = optuna.samplers.TPESampler(n_startup_trials=min(10, max(2, (spec.trials or 10) // 3)))
    steps = spec.base.train.steps
    pruner = (optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=steps // 3) if spec.prune
              else optuna.pruners.NopPruner())
    for attempt in range(5):
        try:
            study = optuna.create_study(storage=url, study_name=spec.study, sampler=sampler, pruner=pruner,
                                        direction=direction(spec.metric), load_if_exists=True)
            break
        except Exception as e:   # a malformed URL, a database that cannot be opened or created
            # two sweeps creating one new database at once: the loser's schema insert fails; again
            # (or both create the tables: "table trial_values already exists", seen once in a full run)
            race = type(e).__name__ in ("IntegrityError", "DuplicatedStudyError") or (
                type(e).__name__ == "OperationalError" and ("locked" in str(e) or "already exists" in str(e)))
            if attempt < 4 and race:
                time.sleep(0.2 + 0.3 * attempt)
                continue
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ConfigError(f"--storage {url}: cannot open the study ({first[:200]})") from None
    mine = {"metric": spec.metric, "axes": {a.key: a.describe() for a in spec.axes}, "preset": Path(spec.preset).stem}
    theirs = _study_spec(study)
    if theirs is None:
        # one attribute, written in one insert: a second sweep opening the study meanwhile sees all of it
        # or none of it (three attributes written one by one were once read half-written by the other)
        study.set_user_attr("sweep", mine)
        theirs = _study_spec(study)      # read back from the storage (not cached): two creators, one wins
    if theirs.get("metric") != spec.metric:
        raise ConfigError(f"--study {spec.study}: that study in {url} ranks by {theirs.get('metric')!r}, "
                          f"not {spec.metric!r}; pass --metric {theirs.get('metric')} or another --study name")
    if theirs.get("axes") != mine["axes"] or theirs.get("preset") != mine["preset"]:
        raise ConfigError(f"--study {spec.study}: that study in {url} sweeps {theirs.get('preset')} over "
                          f"{_axes_text(theirs.get('axes') or {})}; this command asks for {mine['preset']} "
                          f"over {_axes_text(mine['axes'])}: pass those or another --study name")
    return study


def _study_spec(study) -> dict | None:
    """What the study sweeps (metric, axes, preset), or None for a study nobody has described yet. Studies
    written before the single "sweep" attribute keep three attributes of their own; they are read as one."""
    attrs = study.user_attrs
    if isinstance(attrs.get("sweep"), dict):
        return attrs["sweep"]
    if "metric" in attrs:
        return {k: attrs.get(k) for k in ("metric", "axes", "preset")}
    return None


def _grid_sampler(optuna, space: dict):
    class _Grid(optuna.samplers.GridSampler):
        """Optuna's grid sampler, less its call of study.stop() when the grid is used up: that works only
        inside study.optimize(), and this sweep asks and tells; Sweep.budget() counts the grid instead."""

        def after_trial(self, study, trial, state, values) -> None:
            pass

    return _Grid(space)


def _axes_text(axes: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in axes.items()) or "nothing"


def _suggest(trial, axis: Axis):
    if axis.values is not None:
        return trial.suggest_categorical(axis.key, axis.values)
    if axis.integer:
        return trial.suggest_int(axis.key, int(axis.low), int(axis.high), log=axis.log)
    return trial.suggest_float(axis.key, float(axis.low), float(axis.high), log=axis.log)


# ------------------------------------------------------------------------------------------ records
def trial_records(study, metric: str) -> list[dict]:
    """Every trial of the study as a plain dict (what sweep.json and the table show)."""
    out = []
    for t in study.get_trials(deepcopy=False):
        inter = {int(k): float(v) for k, v in sorted(t.intermediate_values.items())}
        value = t.value if t.state.name == "COMPLETE" else (list(inter.values())[-1] if inter else None)
        secs = (t.datetime_complete - t.datetime_start).total_seconds() if (
            t.datetime_complete and t.datetime_start) else None
        out.append({"number": t.number, "state": t.state.name, "params": dict(t.params), "value": value,
                    "intermediate": inter, "run_dir": t.user_attrs.get("run_dir", ""),
                    "host": t.user_attrs.get("host", ""), "seconds": secs,
                    "reason": t.user_attrs.get("reason", ""),
                    "resumes": t.user_attrs.get("resumes"), "from_step": t.user_attrs.get("from_step")})
    return out


def ranked(records: list[dict], maximize: bool) -> list[dict]:
    """Complete trials best first, then pruned ones by their last reported value, then the rest."""
    order = {"COMPLETE": 0, "PRUNED": 1, "RUNNING": 2, "WAITING": 3, "FAIL": 4}

    def key(r):
        v = r.get("value")
        ok = isinstance(v, (int, float)) and math.isfinite(v)
        return (order.get(r["state"], 5), 0 if ok else 1, (-v if maximize else v) if ok else 0.0, r["number"])
    return sorted(records, key=key)


def read_sweep(out_dir: str | os.PathLike) -> dict | None:
    """DIR/sweep.json, or None while there is none (or it cannot be read)."""
    try:
        d = json.loads((Path(out_dir) / SWEEP_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(d, dict) or not isinstance(d.get("trials"), list):
        return None
    for t in d["trials"]:   # JSON keys are strings: the steps back as numbers
        t["intermediate"] = {int(k): v for k, v in (t.get("intermediate") or {}).items()}
    return d


def fmt_value(v) -> str:
    return f"{v:.4g}" if isinstance(v, (int, float)) and math.isfinite(v) else "-"


def table(records: list[dict], metric: str, maximize: bool, axes: list[str]) -> str:
    rows = [["rank", "trial", "state", f"{ranked_as(metric)} ({'max' if maximize else 'min'})", *axes, "time", "run"]]
    for i, r in enumerate(ranked(records, maximize), 1):
        secs = r.get("seconds")
        rows.append([str(i), str(r["number"]), r["state"].lower(), fmt_value(r.get("value")),
                     *[literal(r["params"][k]) if k in r["params"] else "-" for k in axes],
                     f"{secs:.1f}s" if secs is not None else "-", r.get("run_dir") or "-"])
    w = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w[c]) for c, cell in enumerate(row)).rstrip() for row in rows)


# ------------------------------------------------------------------------------------------ running
@dataclass
class Running:
    trial: Any
    proc: subprocess.Popen
    run_dir: Path
    log: Any
    follower: MetricsFollower
    t0: float
    last: float | None = None          # the newest value of the metric
    pruned: bool = False
    slot: int = 0
    reported: set = field(default_factory=set)     # the steps whose evaluation the study has heard


def _env_for(spec: SweepSpec, slot: int, gpus: int) -> dict:
    """Each worker's share of the machine: CPU threads (image runs; toy runs use one thread anyway)
    and, where there are several GPUs, one of them."""
    env = dict(os.environ)
    share = max(1, (os.cpu_count() or 1) // spec.workers)
    env.setdefault("OMP_NUM_THREADS", str(share))
    if spec.base.train.threads == 0:
        env["GAN_STUDIO_THREADS"] = str(1 if toy(spec.base) else share)
    if gpus > 1:
        env["CUDA_VISIBLE_DEVICES"] = str(slot % gpus)
    return env


def _gpu_count() -> int:
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def _last_error(log_path: Path) -> str:
    try:
        lines = [ln.strip() for ln in log_path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "no log"
    errs = [ln for ln in lines if ln.startswith("error:")]
    return (errs[-1] if errs else lines[-1] if lines else "no output")[:300]


class Sweep:
    """Runs one sweep in this process; `say` gets one line per thing that happens."""

    def __init__(self, spec: SweepSpec, say: Callable[[str], None] = lambda s: None, poll: float = 0.25):
        self.spec, self.say, self.poll = spec, say, poll
        self.study = None
        self.running: list[Running] = []
        self.started = 0
        self.seconds: list[float] = []
        self._stop = False
        self.stops = StopSignals(lambda signum: self.stop(), "sweep aborted")

    def stop(self) -> None:
        self._stop = True

    @property
    def maximize(self) -> bool:
        return direction(self.spec.metric) == "maximize"

    def budget(self) -> int:
        """How many more trials this process may start. A grid counts its points that a trial covers
        (done, pruned, failed or running); a point whose trial was interrupted is open again, and a
        queued one (recover) is still to start."""
        spec = self.spec
        if spec.sampler == "grid":
            covered = {_point(t) for t in self.study.get_trials(deepcopy=False)
                       if t.state.name != "WAITING" and (t.state.name != "FAIL" or not _interrupted(t))}
            left = grid_size(spec.axes) - len(covered - {None})
            return max(0, min(left, spec.trials - self.started) if spec.trials else left)
        return (spec.trials or 10) - self.started

    def recover(self) -> None:
        """Trials that a sweep process which is gone left RUNNING (killed, or its machine rebooted) are
        marked failed ("interrupted"); each interrupted grid point, or a random or TPE trial's values,
        is queued to run again (its run resumes from its newest checkpoint)."""
        TS = _optuna().trial.TrialState
        host = platform.node()
        for t in self.study.get_trials(deepcopy=False, states=(TS.RUNNING,)):
            pid, start = t.user_attrs.get("pid"), t.user_attrs.get("pid_start")
            if t.user_attrs.get("host") != host or type(pid) is not int or pid_alive(
                    pid, start if type(start) is int else None):
                continue            # another machine's, or a sweep still running here: not ours to judge
            why = f"interrupted (its sweep process {pid} ended)"
            try:
                self.study._storage.set_trial_user_attr(t._trial_id, "reason", why)
                self.study.tell(t.number, state=TS.FAIL)
            except Exception:       # noqa: BLE001 - another process marked it meanwhile
                continue
            self.say(f"trial {t.number} was left running by a sweep process that ended (pid {pid}): marked "
                     f"failed (interrupted); its run is {t.user_attrs.get('run_dir') or '-'}")
        trials = self.study.get_trials(deepcopy=False)
        if self.spec.sampler != "grid":
            # random and TPE: an interrupted trial's values run again first (its run resumed from its
            # checkpoint, as on a grid), once; it counts as one of this process's --trials
            again = {t.user_attrs.get("rerun_of") for t in trials}
            for t in trials:
                if t.state.name == "FAIL" and _interrupted(t) and t.params and t.number not in again:
                    self.study.enqueue_trial(dict(t.params), user_attrs={"rerun_of": t.number})
                    self.say(f"interrupted trial {t.number} "
                             f"({' '.join(f'{k}={literal(v)}' for k, v in t.params.items())}) runs again")
            return
        covered = {_point(t) for t in trials if t.state.name != "FAIL" or not _interrupted(t)}
        for t in trials:
            p = _point(t)
            if t.state.name == "FAIL" and _interrupted(t) and p is not None and p not in covered:
                covered.add(p)
                self.study.enqueue_trial(dict(t.params), user_attrs={"rerun_of": t.number})
                self.say(f"the grid point of interrupted trial {t.number} "
                         f"({' '.join(f'{k}={literal(v)}' for k, v in t.params.items())}) runs again")

    def write_json(self, done: bool = False) -> None:
        spec = self.spec
        d = {"study": spec.study, "storage": spec.storage, "preset": spec.preset, "metric": spec.metric,
             "maximize": self.maximize, "axes": [a.key for a in spec.axes],
             "axes_text": {a.key: a.describe() for a in spec.axes}, "steps": spec.base.train.steps,
             "sampler": spec.sampler, "workers": spec.workers, "done": done,
             "trials": trial_records(self.study, spec.metric)}
        atomic_write_bytes(spec.out / SWEEP_JSON, json.dumps(d, indent=1).encode())

    def run(self) -> list[dict]:
        spec = self.spec
        spec.out.mkdir(parents=True, exist_ok=True)
        self.study = open_study(spec)
        gpus = _gpu_count()
        for n in spec.notes:
            self.say(f"note: {n}")
        self.say(f"sweep {spec.study}: {Path(spec.preset).stem} over {_axes_text({a.key: a.describe() for a in spec.axes})}, "
                 f"{spec.base.train.steps} steps a trial, {spec.workers} at a time, ranked by {spec.metric} "
                 f"({'higher' if self.maximize else 'lower'} is better); study in {spec.storage}")
        t0 = time.perf_counter()
        self.recover()
        self.write_json()
        # Ctrl+C, SIGTERM, SIGHUP: stop the running trials, each with a checkpoint; a second one aborts
        # (the trials then stop on their own: they get SIGTERM when this process ends)
        with self.stops:
            try:
                while True:
                    while not self._stop and len(self.running) < spec.workers and self.budget() > 0:
                        free = min(set(range(spec.workers)) - {r.slot for r in self.running})
                        self._start(free, gpus)
                    self.write_json()
                    if not self.running:
                        break
                    if self._stop:
                        raise KeyboardInterrupt
                    time.sleep(self.poll)
                    self._watch()
            except KeyboardInterrupt:
                by = f" ({self.stops.name})" if self.stops.received is not None else ""
                self.say(f"interrupted{by}: stopping the running trials (each saves a checkpoint)")
                self._interrupt()
        self.write_json(done=True)
        records = trial_records(self.study, spec.metric)
        wall = time.perf_counter() - t0
        if self.seconds:
            self.say(f"{len(self.seconds)} trial(s) in {wall:.1f}s with {spec.workers} worker(s); one trial took "
                     f"{statistics.median(self.seconds):.1f}s (median)")
        return records

    def trial_command(self, cfg_path: Path, run_dir: Path) -> list[str]:
        """The process that trains one trial: an ordinary headless run of the trial's config."""
        return [sys.executable, "-m", "studio.cli", "train", "--preset", str(cfg_path), "--out", str(run_dir),
                "--quiet"]

    def _start(self, slot: int, gpus: int) -> None:
        spec = self.spec
        trial = self.study.ask()
        self.started += 1
        cfg = copy.deepcopy(spec.base)
        params = {}
        for a in spec.axes:
            v = _suggest(trial, a)
            set_value(cfg, a.key, v, f"--param {a.key}")
            params[a.key] = v
        label = " ".join(f"{k}={literal(v)}" for k, v in params.items())
        cfg.title = f"{cfg.title or Path(spec.preset).stem} · sweep trial {trial.number} ({label})"
        resume = self._resumable(trial)
        if resume is not None:     # an interrupted trial's grid point: its run goes on from its checkpoint
            run_dir, ckpt = resume
            cmd = (self.resume_command(ckpt.path) if ckpt.step < spec.base.train.steps else
                   [sys.executable, "-c", ""])     # it had finished: its log holds the result, nothing to train
        else:
            run_dir = (spec.out / f"trial-{trial.number:03d}").resolve()
            if run_dir.exists() and any(run_dir.iterdir()):   # another process's trial of that number: keep it
                run_dir = run_dir.with_name(f"{run_dir.name}-{platform.node() or 'host'}-{os.getpid()}")
            run_dir.mkdir(parents=True, exist_ok=True)
            rundir.mark(run_dir, run_dir.name)     # a run directory the studio made: train --out writes into it
            cfg_path = run_dir / "config.toml"
            atomic_write_bytes(cfg_path, dumps(cfg).encode())
            cmd = self.trial_command(cfg_path, run_dir)
        trial.set_user_attr("run_dir", str(run_dir))
        if resume is not None:                # which trial's run it continues, and from where
            trial.set_user_attr("resumes", trial.user_attrs["rerun_of"])
            trial.set_user_attr("from_step", resume[1].step)
        trial.set_user_attr("host", platform.node())
        trial.set_user_attr("pid", os.getpid())           # whose trial it is (recover() judges by it)
        trial.set_user_attr("pid_start", process_start(os.getpid()))   # that very process, not a reuse of its pid
        log = open(run_dir / TRIAL_LOG, "ab" if resume else "wb")
        try:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=_env_for(spec, slot, gpus), start_new_session=True,
                                    preexec_fn=_die_with_parent(os.getpid()))
        except OSError as e:
            log.close()
            self.study.tell(trial, state=_optuna().trial.TrialState.FAIL)
            raise ConfigError(f"cannot start a trial process ({e})") from None
        self.running.append(Running(trial, proc, run_dir, log, MetricsFollower(run_dir / "metrics.jsonl"),
                                    time.perf_counter(), slot=slot))
        if resume is None:
            self.say(f"trial {trial.number} started: {label} -> {run_dir}")
        elif resume[1].step < spec.base.train.steps:
            self.say(f"trial {trial.number} resumes interrupted trial {trial.user_attrs['rerun_of']} ({label}) from "
                     f"its checkpoint at step {resume[1].step}: {resume[1].path}")
        else:
            self.say(f"trial {trial.number}: interrupted trial {trial.user_attrs['rerun_of']} ({label}) had finished "
                     f"(checkpoint {resume[1].path}); its result is read from its log")

    def _resumable(self, trial) -> tuple[Path, Any] | None:
        """(the run directory, its newest checkpoint) of the interrupted trial that `trial` runs again
        (recover() queued it), where that run exists here and saved a checkpoint; else None (the
        point starts over)."""
        of = trial.user_attrs.get("rerun_of")
        if type(of) is not int:
            return None
        old = next((t for t in self.study.get_trials(deepcopy=False) if t.number == of), None)
        run_dir = Path(str(old.user_attrs.get("run_dir") or "")) if old is not None else None
        if run_dir is None or not run_dir.is_absolute() or not (run_dir / "metrics.jsonl").is_file():
            return None
        saved = [c for c in list_checkpoints(run_dir) if c.reason != "best"]     # a best copy is an older step
        if not saved:
            return None
        return run_dir, max(saved, key=lambda c: (c.step, c.time))

    def resume_command(self, checkpoint: Path) -> list[str]:
        """The process that continues an interrupted trial: `gan-studio train --resume` of its newest
        checkpoint, into its own run directory, exactly as a person would resume it."""
        return [sys.executable, "-m", "studio.cli", "train", "--resume", str(checkpoint), "--quiet"]

    def _read(self, r: Running) -> None:
        for rec in r.follower.poll():
            if rec.get("event") != "eval" or self.spec.metric not in rec:
                continue
            v = rec[self.spec.metric]
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                continue
            r.last = objective(self.spec.metric, float(v))
            step = int(rec.get("step", 0))
            if r.pruned or step in r.reported:    # a resumed run evaluates again the steps after its checkpoint
                continue
            r.reported.add(step)
            r.trial.report(r.last, step)
            if step < self.spec.base.train.steps and r.trial.should_prune():
                r.pruned = True
                self.say(f"trial {r.trial.number} pruned at step {step}: {ranked_as(self.spec.metric)} {r.last:.4g} "
                         f"is worse than the median of the other trials there")
                _interrupt(r.proc)

    def _watch(self) -> None:
        TS = _optuna().trial.TrialState
        for r in list(self.running):
            self._read(r)
            rc = r.proc.poll()
            if rc is None:
                continue
            self._read(r)
            r.log.close()
            self.running.remove(r)
            secs = time.perf_counter() - r.t0
            n = r.trial.number
            if r.pruned:
                self.study.tell(r.trial, state=TS.PRUNED)
            elif rc == 0 and r.last is not None:
                self.study.tell(r.trial, r.last)
                self.seconds.append(secs)
                self.say(f"trial {n} done in {secs:.1f}s: {ranked_as(self.spec.metric)} {r.last:.4g}")
            else:
                why = (_last_error(r.run_dir / TRIAL_LOG) if rc != 0 else
                       f"no {self.spec.metric} was measured (see {r.run_dir / 'metrics.jsonl'})")
                r.trial.set_user_attr("reason", why)
                self.study.tell(r.trial, state=TS.FAIL)
                self.say(f"trial {n} failed ({why}); its log: {r.run_dir / TRIAL_LOG}")
            if rc == 0 or r.pruned:
                self._picture(r.run_dir)

    def _picture(self, run_dir: Path) -> None:
        """A toy trial's final samples as a PNG beside its run (image runs write sample grids)."""
        if not toy(self.spec.base):
            return
        ends = sorted((run_dir / "checkpoints").glob("*.pt"), key=lambda p: p.stat().st_mtime)
        if not ends:
            return
        try:
            tmp = run_dir / ".sweep-samples.npy"
            out = sample_to_file(str(ends[-1]), str(tmp), n=500)
            os.replace(out[1], run_dir / TRIAL_PICTURE)
            tmp.unlink(missing_ok=True)
        except Exception as e:   # a picture is a nicety: say so, never stop the sweep for it
            self.say(f"note: no picture of {run_dir.name} ({type(e).__name__}: {e})")

    def _interrupt(self) -> None:
        for r in self.running:
            _interrupt(r.proc)
        for r in self.running:
            try:
                r.proc.wait(60)
            except subprocess.TimeoutExpired:
                r.proc.kill()
                r.proc.wait()
            r.log.close()
            r.trial.set_user_attr("reason", "interrupted")
            self.study.tell(r.trial, state=_optuna().trial.TrialState.FAIL)
        self.running.clear()


def _point(t) -> tuple | None:
    """A trial's grid point: its parameters, or a queued trial's fixed ones; None before it has any."""
    params = t.params or t.system_attrs.get("fixed_params") or {}
    return tuple(sorted((k, json.dumps(v)) for k, v in params.items())) or None


def _interrupted(t) -> bool:
    return str(t.user_attrs.get("reason", "")).startswith("interrupted")


_libc = None


def _die_with_parent(parent: int):
    """For Popen(preexec_fn=...): on Linux the trial gets SIGTERM when the sweep process ends, even by
    SIGKILL, and stops with a checkpoint like after Ctrl+C, so that no trial trains on as an orphan.
    None elsewhere."""
    global _libc
    if not sys.platform.startswith("linux"):
        return None
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    prctl = _libc.prctl

    def arm() -> None:          # runs in the child between fork and exec: no imports, no locks
        prctl(1, signal.SIGTERM, 0, 0, 0)       # PR_SET_PDEATHSIG
        if os.getppid() != parent:              # the parent died before that: stop now
            os.kill(os.getpid(), signal.SIGTERM)
    return arm


def _interrupt(proc: subprocess.Popen) -> None:
    """Ctrl+C for a trial: it stops between two steps and saves a checkpoint."""
    if proc.poll() is not None:
        return
    if os.name == "posix":
        proc.send_signal(signal.SIGINT)
    else:   # pragma: no cover - Windows has no SIGINT for another process group
        proc.terminate()


def field_names(cfg: Config) -> list[str]:
    """Dotted keys a sweep can vary (single numbers, integers, booleans, choices and strings)."""
    out = []
    for section in ("optim_d", "optim_g", "variant", "model", "train", "data", "eval"):
        for f in dataclasses.fields(getattr(cfg, section)):
            t = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
            if t in ("int", "float", "bool") or (t == "str" and f.metadata.get("choices")):
                if f"{section}.{f.name}" != "variant.name":
                    out.append(f"{section}.{f.name}")
    return out


# ------------------------------------------------------------------------------------------ the command
def sweep_arguments(p) -> None:
    """The options of `gan-studio sweep` (an argparse parser)."""
    p.add_argument("--preset", required=True, help="preset name (see `gan-studio presets`) or .toml file")
    p.add_argument("--param", action="append", default=[], metavar="KEY=V1,V2",
                   help="a sweep axis: a list of values (optim_g.lr=1e-4,1e-3), or for the random and tpe "
                        "samplers a range: KEY=log:LOW:HIGH or KEY=range:LOW:HIGH; repeat for more axes")
    p.add_argument("--steps", type=int, help="training iterations of each trial (train.steps)")
    p.add_argument("--workers", type=int, default=2, help="trials trained at a time, each in its own process "
                                                          "with its share of the CPU threads (default 2)")
    p.add_argument("--out", help="folder of the sweep: one run directory per trial (default: runs/sweep-NAME-TIME)")
    p.add_argument("--sampler", default="grid", choices=SAMPLERS, help="grid (every combination, the default), "
                                                                       "random or tpe (Optuna's TPE)")
    p.add_argument("--trials", type=int, help="trials to run (default: the whole grid; 10 for random and tpe)")
    p.add_argument("--metric", help="quality metric to rank by (default per preset: modes for the ring and "
                                    "grid, w1 for 1D, fid for images)")
    p.add_argument("--storage", help="Optuna storage URL of the study, e.g. sqlite:///sweep.db; processes on "
                                     "several machines sharing one database work on one sweep "
                                     "(default: sqlite in the sweep folder)")
    p.add_argument("--study", help="study name in the storage (default: the preset's name); a study that "
                                   "exists is continued")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a fixed override for every trial, e.g. model.hidden=64")
    p.add_argument("--no-prune", dest="prune", action="store_false",
                   help="never stop a trial early (by default a trial whose metric is worse than the median "
                        "of the others at the same step is pruned)")


def cmd_sweep(args) -> int:
    """`gan-studio sweep`: progress lines on stderr, the ranked table on stdout."""
    _optuna()     # a missing extra is one line, before anything is written
    base = load_preset(resolve_preset(args.preset))
    axes = [parse_axis(base, text) for text in args.param]
    spec = SweepSpec(preset=args.preset, axes=axes, out=Path(args.out) if args.out else default_out(args.preset),
                     steps=args.steps, workers=args.workers, sampler=args.sampler, trials=args.trials,
                     metric=args.metric, storage=args.storage, study=args.study, sets=list(args.set),
                     prune=args.prune)
    prepare(spec)
    # the axes are checked again on the config with the overrides, whose values may differ (variant.k)
    spec.axes = [parse_axis(spec.base, text) for text in args.param]

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    sweep = Sweep(spec, say)
    records = sweep.run()
    print(table(records, spec.metric, sweep.maximize, [a.key for a in spec.axes]))
    best = next((r for r in ranked(records, sweep.maximize) if r["state"] == "COMPLETE"), None)
    if best is None:
        say("no trial completed")
        return sweep.stops.exit_code or 1
    say(f"best: trial {best['number']} ({ranked_as(spec.metric)} {fmt_value(best['value'])}) in {best['run_dir']}")
    return sweep.stops.exit_code     # 0, or 128 + N after SIGTERM / SIGHUP
