"""What a lesson remembers of one run: the series of every number the trainer reported and the
lesson's probes measured, the evaluations, the warnings, and the game's picture at the start and
the end. `RunWatcher.observe(event, game)` builds it from the trainer's events; the headless player
and the studio call it the same way (the studio from its worker thread, between two steps)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..engine.events import Evaluation, Failed, Finished, Message, Started, StepMetrics
from ..inspect.probes import snapshot
from ..quality import catalogue
from . import checks_images
from . import checks_conditional, probes

LONE_PROBE_EVERY = 10     # lone D or G updates between two probes


@dataclass
class RunRecord:
    label: str
    series: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    evals: list[tuple[int, dict[str, float]]] = field(default_factory=list)
    messages: list[tuple[int, str, str, str]] = field(default_factory=list)   # step, level, code, text
    views: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # "start"/"end" -> (view, data)
    pictures: dict[str, np.ndarray] = field(default_factory=dict)   # uint8 figures measured at the end (images)
    mu: float | None = None          # the real data's mean (1D), for |θ − μ|
    steps: int = 0
    seconds: float = 0.0
    reason: str = ""
    failed: str = ""

    def add(self, step: int, values: dict[str, float]) -> None:
        for k, v in values.items():
            self.series.setdefault(k, []).append((int(step), float(v)))

    def values(self, name: str) -> np.ndarray:
        return np.array([v for _, v in self.series.get(name, [])], np.float64)

    def steps_of(self, name: str) -> np.ndarray:
        return np.array([s for s, _ in self.series.get(name, [])], np.float64)

    def evaluated(self, key: str, at: str = "end") -> float:
        """An evaluated metric: its last ("end"), first, or best evaluation, best as the metric
        catalogue ranks it (lower, higher or closest to one); NaN when it was never evaluated."""
        vals = [v[key] for _, v in self.evals if key in v]
        if not vals:
            return float("nan")
        if at == "best":
            return float(min(vals, key=catalogue.metric(key).rank_key))
        return float(vals[-1] if at == "end" else vals[0])

    def has(self, name: str) -> bool:
        return bool(self.series.get(name))


class RunWatcher:
    """Feeds a RunRecord from a live run's events. `every`: iterations between two probes."""

    def __init__(self, label: str, every: int = 10, seed: int = 0):
        self.record = RunRecord(label)
        self.every = max(1, int(every))
        self.gen = torch.Generator().manual_seed(seed + 4242)   # the probes' own noise
        self._lone = 0

    def probe(self, step: int, game) -> None:
        gen = torch.Generator(device=game.device).manual_seed(int(self.gen.initial_seed()))
        values = {**probes.dirac_values(game), **probes.dstar_values(game, gen), **probes.g_grad_norms(game, gen),
                  **probes.sample_distance(game, gen), **checks_conditional.probe(game, gen)}
        self.record.add(step, values)

    def _picture(self, key: str, game) -> None:
        gen = torch.Generator(device=game.device).manual_seed(int(self.gen.initial_seed()) + 1)
        try:
            self.record.views[key] = snapshot(game, gen)
        except ValueError:       # a game without a view: no picture
            pass

    def observe(self, ev, game) -> None:
        r = self.record
        if isinstance(ev, Started):
            data = game.data
            if getattr(data, "means", None) is not None and getattr(data, "weights", None) is not None:
                r.mu = float(np.sum(np.asarray(data.weights) * np.asarray(data.means)))
            self.probe(ev.step, game)
            self._picture("start", game)
            if game.view == "saddle":   # the saddle reports (θ, φ) after each step: add where it started
                t, f = self.record_start_saddle(game)
                r.add(ev.step, {"theta": t, "phi": f, "radius": float(np.hypot(t, f))})
        elif isinstance(ev, StepMetrics):
            r.add(ev.step, ev.values)
            r.steps = ev.step
            r.seconds = ev.elapsed
            lone = ev.kind in ("d", "g")
            self._lone = self._lone + 1 if lone else 0
            if (not lone and ev.step % self.every == 0) or (lone and self._lone % LONE_PROBE_EVERY == 0):
                self.probe(ev.step, game)
        elif isinstance(ev, Evaluation):
            r.evals.append((ev.step, dict(ev.values)))
        elif isinstance(ev, Message):
            r.messages.append((ev.step, ev.level, ev.code, ev.text))
        elif isinstance(ev, Finished):
            r.reason, r.seconds, r.steps = ev.reason, ev.elapsed, ev.step
            self.probe(ev.step, game)
            self._picture("end", game)
            self._end_probe(ev.step, game)
        elif isinstance(ev, Failed):
            r.failed = ev.message

    def _end_probe(self, step: int, game) -> None:
        """What an image generator's latent space and nearest training images say once it has finished
        (checks_images): numbers into the series, pictures for the page's figures."""
        gen = torch.Generator().manual_seed(int(self.gen.initial_seed()) + 2)
        values, pictures = checks_images.end_probe(game, gen)
        self.record.add(step, values)
        self.record.pictures.update(pictures)

    @staticmethod
    def record_start_saddle(game) -> tuple[float, float]:
        view = snapshot(game, torch.Generator())[1]
        t, f = view["trajectory"][0]
        return float(t), float(f)
