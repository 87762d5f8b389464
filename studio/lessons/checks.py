"""The lessons' library of checks: each reads a RunRecord (or computes on its own) and returns one
number, which the lesson file compares with its threshold. Names and parameters are declared in
format.CHECKS (the loader checks lesson files against that list); a test holds the two together."""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ..inspect import dirac
from . import checks_conditional, probes
from . import checks_images
from .record import RunRecord

NAN = float("nan")


def _pick(x: np.ndarray, at: str) -> float:
    if not len(x):
        return NAN
    return float({"start": x[0], "first": x[0], "end": x[-1], "max": np.max(x), "min": np.min(x)}[at])


def theta_to_mu(rec: RunRecord, at: str = "end") -> float:
    th = rec.values("theta")
    return abs(_pick(th, at) - rec.mu) if rec.mu is not None else NAN


def theta_moved(rec: RunRecord) -> float:
    th = rec.values("theta")
    return float(th[-1] - th[0]) if len(th) else NAN


def _iter_values(rec: RunRecord, name: str) -> np.ndarray:
    """A training series without its repeated probe rows (θ is both reported and probed)."""
    steps, vals = rec.steps_of(name), rec.values(name)
    if not len(steps):
        return vals
    keep = np.ones(len(steps), bool)
    keep[1:] = steps[1:] != steps[:-1]
    return vals[keep]


def theta_spread(rec: RunRecord, last: int | None = None) -> float:
    th = _iter_values(rec, "theta")
    n = last or max(1, len(th) // 2)
    return float(np.std(th[-n:])) if len(th) else NAN


def d_at_chance(rec: RunRecord, last: int = 20) -> float:
    r, f = rec.values("d_real")[-last:], rec.values("d_fake")[-last:]
    if not len(r) or not len(f):
        return NAN
    return float(max(abs(r.mean() - 0.5), abs(f.mean() - 0.5)))


def d_slope_ratio(rec: RunRecord) -> float:
    a = np.abs(rec.values("d_slope"))
    return float(a[-1] / a.max()) if len(a) and a.max() > 0 else NAN


def d_vs_dstar(rec: RunRecord, at: str = "end") -> float:
    return _pick(rec.values("d_vs_dstar"), at)


def value_with_dstar(rec: RunRecord, at: str = "end") -> float:
    return _pick(rec.values("value_dstar"), at)


def radius_ratio(rec: RunRecord, at: str = "end") -> float:
    r = rec.values("radius")
    return _pick(r, at) / r[0] if len(r) and r[0] > 0 else NAN


def dirac_method(method: str, steps: int = 600, lr: float = 0.15) -> float:
    for m in dirac.METHODS:
        if m.name == method:
            path = dirac.trajectory(m, (1.0, 0.0), lr, steps)
            r = np.hypot(path[:, 0], path[:, 1])
            return float(r[-1] / r[0])
    raise ValueError(f"no Dirac-GAN method {method!r}; known: {', '.join(m.name for m in dirac.METHODS)}")


def metric(rec: RunRecord, key: str, at: str = "end") -> float:
    return rec.evaluated(key, at)


def warned(rec: RunRecord, code: str) -> float:
    return 1.0 if any(c == code for _, _, c, _ in rec.messages) else 0.0


def loss_quality_corr(rec: RunRecord, loss: str, quality: str, sign: float = 1.0) -> float:
    """Pearson r between the training loss (its mean since the previous measurement) and a quality
    measure, over the run's evaluations (an evaluated metric) or probes (a probed series such as
    `sw1`), times `sign`."""
    steps, vals = rec.steps_of(loss), rec.values(loss)
    points = [(s, v[quality]) for s, v in rec.evals if quality in v]
    if not points:
        points = [(int(s), float(v)) for s, v in zip(rec.steps_of(quality), rec.values(quality)) if s > 0]
    xs, ys, prev = [], [], 0
    for s, q in points:
        window = vals[(steps > prev) & (steps <= s)]
        if s <= prev or not len(window) or not math.isfinite(q):
            continue
        prev = s
        xs.append(float(window.mean()))
        ys.append(q)
    if len(xs) < 3 or np.std(xs) == 0 or np.std(ys) == 0:
        return NAN
    return float(sign * np.corrcoef(xs, ys)[0, 1])


def g_grad_norm(rec: RunRecord, loss: str, at: str = "end") -> float:
    return _pick(rec.values("gn_g_minimax" if loss == "minimax" else "gn_g_nonsat"), at)


def g_grad_ratio(rec: RunRecord, at: str = "end") -> float:
    ns, sat = g_grad_norm(rec, "nonsaturating", at), g_grad_norm(rec, "minimax", at)
    return ns / sat if sat > 0 else math.inf


def parallel_lines(divergence: str, theta: float, n: int = 4000, seed: int = 0) -> float:
    return probes.parallel_lines(theta, n, seed)[divergence]


def parallel_slope(divergence: str, theta: float, n: int = 4000, seed: int = 0) -> float:
    """|∂/∂θ| of a divergence between the parallel lines, by a central difference (h = 0.05):
    what a generator following it would feel."""
    h = 0.05
    a = probes.parallel_lines(theta + h, n, seed)[divergence]
    b = probes.parallel_lines(theta - h, n, seed)[divergence]
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b) / (2 * h)


CHECKS: dict[str, Callable] = {
    "theta_to_mu": theta_to_mu, "theta_moved": theta_moved, "theta_spread": theta_spread,
    "d_at_chance": d_at_chance, "d_slope_ratio": d_slope_ratio, "d_vs_dstar": d_vs_dstar,
    "value_with_dstar": value_with_dstar, "radius_ratio": radius_ratio, "dirac_method": dirac_method,
    "metric": metric, "warned": warned, "loss_quality_corr": loss_quality_corr, "g_grad_norm": g_grad_norm,
    "g_grad_ratio": g_grad_ratio, "parallel_lines": parallel_lines, "parallel_slope": parallel_slope,
}
CHECKS.update(checks_conditional.CHECKS)       # lessons 11 and 12
CHECKS.update(checks_images.CHECKS)           # lessons 9, 10 and 13
SEEDED = ("parallel_lines", "parallel_slope")   # computed checks that draw samples: the lesson's seed
