"""Quantities the lessons measure that the rest of the studio does not: the value of the game with the
optimal discriminator D* against the learned D (1D), the gradient norms of both generator losses on
the same state, and the divergences between two parallel lines (the WGAN paper's example 1).

Each reads the game between two steps and never touches training's random streams (its own
torch.Generator) or its gradients (torch.autograd.grad, not backward)."""
from __future__ import annotations

import math

import numpy as np
import torch

from ..games import losses
from ..games.base import Variant, eval_mode
from ..inspect.probes import probe_1d

LOG4 = math.log(4.0)
EPS = 1e-12


def _integral(y: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2)


def dstar_values(variant: Variant, gen: torch.Generator) -> dict[str, float]:
    """For a 1D game whose D reads as a probability: V(D*, G), V(D, G) and the mean |D − D*|
    weighted by (p_r + p_g)/2, on the grid the 1D view draws; {} for other games."""
    if variant.view != "1d" or variant.output != "prob" or not variant.makes_samples:
        return {}
    with eval_mode(*variant.modules().values()):
        p = probe_1d(variant, gen, n=2000, grid=600)
    x = p["x"].astype(np.float64)
    pr, pg = p["p_real"].astype(np.float64), p["p_gen"].astype(np.float64)
    # keep the whole of both densities inside the grid: renormalise what the view's range cut off
    pr, pg = pr / max(_integral(pr, x), EPS), pg / max(_integral(pg, x), EPS)
    ds = np.clip(pr / np.maximum(pr + pg, EPS), EPS, 1 - EPS)
    d = np.clip(p["d"].astype(np.float64), EPS, 1 - EPS)
    w = (pr + pg) / 2
    return {"value_dstar": _integral(pr * np.log(ds) + pg * np.log(1 - ds), x),
            "value_d": _integral(pr * np.log(d) + pg * np.log(1 - d), x),
            "d_vs_dstar": _integral(w * np.abs(d - ds), x) / max(_integral(w, x), EPS)}


def g_grad_norms(variant: Variant, gen: torch.Generator, n: int = 256) -> dict[str, float]:
    """The norm of G's gradient under the saturating loss log(1 − D(G(z))) and under the
    non-saturating −log D(G(z)), on the same noise and the same D; {} where D is not a probability
    or G takes a class (the lessons' games are unconditional)."""
    if variant.output != "prob" or not variant.makes_samples or variant.conditional or variant.translates:
        return {}
    params = [q for q in variant.G.parameters() if q.requires_grad]
    if not params:
        return {}
    z = torch.randn(n, variant.cfg.model.latent_dim, generator=gen, device=variant.device)
    out = {}
    with eval_mode(*variant.modules().values()), torch.enable_grad():
        logits = variant.disc(variant.generate(z))
        for kind, key in (("minimax", "gn_g_minimax"), ("nonsaturating", "gn_g_nonsat")):
            grads = torch.autograd.grad(losses.g_loss(kind, logits), params, retain_graph=True, allow_unused=True)
            out[key] = float(torch.sqrt(sum((g.detach() ** 2).sum() for g in grads if g is not None)))
    return out


@torch.no_grad()
def sample_distance(variant: Variant, gen: torch.Generator, n: int = 1000, projections: int = 64) -> dict[str, float]:
    """`sw1`: the Wasserstein-1 distance between n generated and n real samples: exact in 1D, the
    sliced W₁ (the mean over random directions of the 1D distance of the projections) in 2D; {} for
    other games. A quality measure a loss curve can be held against."""
    if variant.view not in ("1d", "2d") or not variant.makes_samples or variant.conditional:
        return {}
    with eval_mode(*variant.modules().values()):
        real = variant.data.sample(n, gen, variant.device).x.float().cpu().numpy().reshape(n, -1)
        z = torch.randn(n, variant.cfg.model.latent_dim, generator=gen, device=variant.device)
        fake = variant.generate(z).float().cpu().numpy().reshape(n, -1)
    if real.shape[1] == 1:
        return {"sw1": float(np.abs(np.sort(real[:, 0]) - np.sort(fake[:, 0])).mean())}
    rng = np.random.default_rng(int(gen.initial_seed()) % 2**32)
    dirs = rng.normal(size=(real.shape[1], projections))
    dirs /= np.linalg.norm(dirs, axis=0, keepdims=True)
    pr, pf = np.sort(real @ dirs, axis=0), np.sort(fake @ dirs, axis=0)
    return {"sw1": float(np.abs(pr - pf).mean())}


def dirac_values(variant: Variant) -> dict[str, float]:
    """θ and D's slope of the shift or Dirac generator with a logistic D; {} for other networks."""
    st = variant.dirac_state()
    if st is None:
        return {}
    return {"theta": float(st["theta"]), "d_slope": float(st["d_slope"])}


# ----------------------------------------------------------------------------- parallel lines
def parallel_lines(theta: float, n: int = 4000, seed: int = 0) -> dict[str, float]:
    """P₀ = (0, Z) and P_θ = (θ, Z), Z ~ U[0, 1] (Arjovsky et al. 2017, example 1), measured from n
    samples of each: KL(P_θ‖P₀) and JS on a shared 2D histogram, and W₁ from the optimal matching
    of the samples (in 2D both lines are sorted along y, which is optimal for parallel lines).
    The notes' values: KL = ∞ and JS = log 2 for θ ≠ 0, W₁ = |θ|; all three 0 at θ = 0."""
    rng = np.random.default_rng(seed)
    y0, y1 = rng.random(n), rng.random(n)
    a = np.stack([np.zeros(n), y0], 1)
    b = np.stack([np.full(n, float(theta)), y1], 1)
    lo = min(0.0, theta) - 0.5
    hi = max(0.0, theta) + 0.5
    bins = [np.linspace(lo, hi, 41), np.linspace(0, 1, 21)]
    # the x bins are 1/40 of the span wide: any θ beyond a bin's width puts the lines in different bins
    p = np.histogram2d(b[:, 0], b[:, 1], bins)[0].ravel() / n   # P_θ
    q = np.histogram2d(a[:, 0], a[:, 1], bins)[0].ravel() / n   # P₀
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = float(np.sum(np.where(p > 0, p * np.log(p / np.where(q > 0, q, 0)), 0.0)))
        m = (p + q) / 2
        js = float(0.5 * np.sum(np.where(p > 0, p * np.log(p / m), 0.0))
                   + 0.5 * np.sum(np.where(q > 0, q * np.log(q / m), 0.0)))
    w1 = float(np.mean(np.hypot(theta, np.sort(y1) - np.sort(y0))))
    return {"kl": kl if math.isfinite(kl) else math.inf, "js": js, "w1": w1}


def parallel_curve(thetas: np.ndarray, n: int = 4000, seed: int = 0) -> dict[str, np.ndarray]:
    rows = [parallel_lines(float(t), n, seed) for t in thetas]
    return {k: np.array([r[k] for r in rows]) for k in ("kl", "js", "w1")}


LOG2 = math.log(2.0)
