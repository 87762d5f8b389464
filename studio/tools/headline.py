"""A run's headline quality: the one metric a runs list shows for every run, and its best value.

The headline metric is the one a sweep of the run ranks by (`sweep.metrics_of`): FID for images, the
modes covered (or recall) for 2D points, W1 for 1D data. Its best value over the run's evaluations
follows the metric catalogue's direction (lower, higher, closest to one). Reading a run's log for it
parses only its evaluation lines (`compare.EvalReader`).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from ..config.presets import load_preset
from ..config.schema import ConfigError
from ..quality import catalogue
from .compare import EvalReader
from .sweep import metrics_of


@dataclass(frozen=True)
class Headline:
    metric: str                    # the catalogue's name: "fid", "modes", "w1", ...
    value: float | None = None     # its best value; None when the run has not evaluated it
    step: int | None = None        # the first step reaching it

    @property
    def label(self) -> str:
        return catalogue.label(self.metric)

    def rank_key(self) -> tuple:
        """Sort key, best first: a missing value after every value."""
        if self.value is None:
            return (1, 0.0)
        return (0, catalogue.metric(self.metric).rank_key(self.value))


def headline_metric(run: str | os.PathLike) -> str | None:
    """The run's headline metric from its config.toml; None when it has no quality metric or no
    readable config."""
    try:
        cfg = load_preset(Path(run) / "config.toml")
    except (ConfigError, OSError):        # the list says why elsewhere (the run's row is "unreadable")
        return None
    try:
        return metrics_of(cfg)[1]
    except (ConfigError, KeyError, ValueError):    # a game or data kind this version does not know
        return None


def best_headline(run: str | os.PathLike) -> Headline | None:
    """The best value of the run's headline metric over its evaluations (never raises)."""
    name = headline_metric(run)
    if name is None:
        return None
    best: tuple[float, int] | None = None
    for step, vals in EvalReader(Path(run) / "metrics.jsonl").poll():
        v = vals.get(name)
        if v is None or not math.isfinite(v):
            continue
        if best is None or catalogue.better(name, v, best[0]):
            best = (float(v), int(step))
    return Headline(name, *best) if best else Headline(name)
