"""The lesson player, headless and Qt-free: for one page, set up each run from its preset and
settings (and the seed), drive the trainer's generator of events performing the page's actions,
record what the checks need (record.RunWatcher), then measure the checks and compare the student's
prediction. The CLI, the benchmark and the tests use it as it is; the studio feeds a RunWatcher from
its own worker and calls `page_outcome` with the records."""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Callable

from ..config.schema import Config
from ..engine.commands import CommandQueue, Pause, Resume, StepOnce, Stop
from ..engine.events import Finished, StepMetrics
from ..engine.trainer import Trainer
from . import checks
from .format import CHECKS as CHECK_PARAMS
from .format import CheckSpec, Lesson, Page, RunSpec
from .outcome import CheckResult, outcome_text
from .record import RunRecord, RunWatcher

PROBES_PER_RUN = 60       # probes (D*, both G gradients) spread over a run's iterations


@dataclass
class PageResult:
    index: int
    page: Page
    records: dict[str, RunRecord] = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)
    prediction: int | None = None
    seconds: float = 0.0

    @property
    def matched_notes(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def prediction_right(self) -> bool | None:
        if self.page.predict is None or self.prediction is None:
            return None
        return self.prediction == self.page.predict.answer

    def outcome(self) -> str:
        """What happened, in two or three sentences: the checks against the notes, then the prediction."""
        return outcome_text(self.page, self.checks, self.prediction)


def run_config(spec: RunSpec, seed: int, steps: int | None = None) -> Config:
    """The run's configuration for a lesson: the preset with the page's settings, this seed, and no
    files (a lesson's runs are not run directories). `steps` caps train.steps (a quick preview; the
    tests), and the evaluations come at least twice in that many."""
    cfg = copy.deepcopy(spec.config)
    cfg.train.seed = int(seed)
    if steps is not None and steps < cfg.train.steps:
        cfg.train.steps = max(1, int(steps))
        if cfg.eval.every:
            cfg.eval.every = max(1, min(cfg.eval.every, cfg.train.steps // 2))
    cfg.checkpoint.every = 0
    cfg.checkpoint.at_end = False
    cfg.log.tensorboard = False
    return cfg


def queue_actions(spec: RunSpec) -> CommandQueue:
    """The page's actions as the studio's buttons would send them. Lone steps come first, on a
    paused trainer; 'train' resumes it to train.steps; without 'train' the run stops after them."""
    q = CommandQueue()
    q.put(Pause())
    trains = False
    for name, n in spec.actions:
        if name == "train":
            q.put(Resume())
            trains = True
            continue
        kind = {"step": "iter", "step_d": "d", "step_g": "g"}[name]
        for _ in range(n):
            q.put(StepOnce(kind))
    if not trains:
        q.put(Stop())
    return q


ACTION_WORDS = {"train": "press Train", "step": "press Step", "step_d": "press Step D", "step_g": "press Step G"}
ACTION_KINDS = {"step": "iter", "step_d": "d", "step_g": "g"}


class ActionTracker:
    """Which of a run's actions the student has done, from the run's events (the studio feeds it the
    events of the live run): a lone D update counts for `step_d`, a full iteration for `step`, a run
    that finished its steps for `train`. `done` when all are; `hint()` says what is left."""

    def __init__(self, spec: RunSpec):
        self.left = [[name, n] for name, n in spec.actions]

    @property
    def done(self) -> bool:
        return not self.left

    def observe(self, ev) -> None:
        if not self.left:
            return
        name = self.left[0][0]
        hit = (isinstance(ev, StepMetrics) and ACTION_KINDS.get(name) == ev.kind) or (
            isinstance(ev, Finished) and name == "train" and ev.reason == "done")
        if hit:
            self.left[0][1] -= 1
            if self.left[0][1] <= 0:
                self.left.pop(0)

    def hint(self) -> str:
        if not self.left:
            return "done"
        name, n = self.left[0]
        return ACTION_WORDS[name] + (f" ({n} more)" if n > 1 else "")


def play_run(spec: RunSpec, seed: int = 0, on_event: Callable | None = None, steps: int | None = None) -> RunRecord:
    cfg = run_config(spec, seed, steps)
    every = max(1, cfg.train.steps // PROBES_PER_RUN)
    watcher = RunWatcher(spec.label, every, seed)
    trainer = Trainer(cfg, write=False, snapshots=False, commands=queue_actions(spec), name=spec.label)
    t0 = time.perf_counter()
    for ev in trainer.run():
        watcher.observe(ev, trainer.variant)
        if on_event is not None:
            on_event(spec.label, ev)
    watcher.record.seconds = time.perf_counter() - t0
    return watcher.record


def measure(spec: CheckSpec, records: dict[str, RunRecord], seed: int) -> CheckResult:
    fn = checks.CHECKS[spec.name]
    params = dict(spec.params)
    for key, want in CHECK_PARAMS.get(spec.name, {}).items():   # a parameter naming another run: its record
        if want == "run" and key in params:
            params[key] = records[params[key]]
    if spec.name in checks.SEEDED:
        params["seed"] = seed
    try:
        if spec.run is not None:
            rec = records[spec.run]
            if rec.failed:
                return CheckResult(spec, math.nan, False, f"the run failed: {rec.failed}")
            value = fn(rec, **params)
        else:
            value = fn(**params)
    except ValueError as e:
        return CheckResult(spec, math.nan, False, str(e))
    if isinstance(value, float) and math.isnan(value):
        return CheckResult(spec, value, False, "not measured in this run")
    return CheckResult(spec, float(value), spec.passes(float(value)))


def page_outcome(index: int, page: Page, records: dict[str, RunRecord], seed: int = 0,
                 prediction: int | None = None) -> PageResult:
    res = PageResult(index, page, records, [measure(c, records, seed) for c in page.checks], prediction)
    res.seconds = sum(r.seconds for r in records.values())
    return res


def play_page(lesson: Lesson, index: int, seed: int = 0, prediction: int | None = None,
              on_event: Callable | None = None, steps: int | None = None) -> PageResult:
    page = lesson.pages[index]
    t0 = time.perf_counter()
    records = {spec.label: play_run(spec, seed, on_event, steps) for spec in page.runs}
    res = page_outcome(index, page, records, seed, prediction)
    res.seconds = time.perf_counter() - t0
    return res


def play_lesson(lesson: Lesson, seed: int = 0, on_page: Callable[[PageResult], None] | None = None,
                pages: list[int] | None = None) -> list[PageResult]:
    out = []
    for i in (range(len(lesson.pages)) if pages is None else pages):
        res = play_page(lesson, i, seed)
        out.append(res)
        if on_page is not None:
            on_page(res)
    return out
