"""Training methods compared on the Dirac-GAN (Mescheder et al. 2018): real data at 0, a generator
that is one number θ, a linear discriminator D(x) = ψ·x. For each method, the update direction of
(θ, ψ) on a grid and the trajectory of gradient steps from one starting point, as numpy.

The fields are written out from each method's losses on this game (with σ the logistic function):
  GAN, minimax       D: min -log(1 - σ(ψθ)) - log σ(0)     G: min log(1 - σ(ψθ))
  GAN, non-sat.      G: min -log σ(ψθ)
  WGAN (clip c)      critic: min ψθ - ψ·0, then ψ clipped to [-c, c]      G: min -ψθ
  WGAN-GP (λ)        critic: min ψθ + λ(|ψ| - 1)²   (∂D/∂x = ψ everywhere)
  R1 (γ)             D: the minimax loss + γ/2 ψ²       (∂D/∂x at the real data = ψ)
  consensus (γ)      both: the minimax field v plus γ ∇(½|v|²) (Mescheder et al. 2017)
and the minimax GAN again with simultaneous instead of alternating steps. The minimax field is the
one the studio's own gan game follows on toy-1d-rotation (a test holds them together).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def _sig(t):
    return 1.0 / (1.0 + np.exp(-np.clip(t, -60, 60)))


def grad_minimax(th, ps):
    """(∂L_G/∂θ, ∂L_D/∂ψ) of the minimax GAN: both players descend their own loss."""
    s = _sig(ps * th)
    return -ps * s, th * s


def grad_nonsat(th, ps):
    return -ps * (1 - _sig(ps * th)), th * _sig(ps * th)


def grad_wgan(th, ps):
    return -ps, th


def grad_wgan_gp(th, ps, lam: float = 1.0):
    return -ps, th + 2 * lam * (np.abs(ps) - 1) * np.sign(ps)


def grad_r1(th, ps, gamma: float = 0.3):
    gt, gp = grad_minimax(th, ps)
    return gt, gp + gamma * ps


def grad_consensus(th, ps, gamma: float = 0.3, eps: float = 1e-4):
    gt, gp = grad_minimax(th, ps)
    half = lambda a, b: 0.5 * sum(g ** 2 for g in grad_minimax(a, b))   # noqa: E731
    dt = (half(th + eps, ps) - half(th - eps, ps)) / (2 * eps)
    dp = (half(th, ps + eps) - half(th, ps - eps)) / (2 * eps)
    return gt + gamma * dt, gp + gamma * dp


@dataclass(frozen=True)
class Method:
    name: str
    grad: Callable
    alternating: bool = True
    clip: float | None = None


METHODS = (
    Method("GAN, alternating", grad_minimax),
    Method("GAN, simultaneous", grad_minimax, alternating=False),
    Method("non-saturating GAN", grad_nonsat),
    Method("WGAN (clip 0.5)", grad_wgan, clip=0.5),
    Method("WGAN-GP (λ = 1)", grad_wgan_gp),
    Method("R1 (γ = 0.3)", grad_r1),
    Method("consensus (γ = 0.3)", grad_consensus),
)


def trajectory(m: Method, start=(1.0, 0.0), lr: float = 0.15, steps: int = 600) -> np.ndarray:
    """(steps + 1, 2) positions (θ, ψ) of gradient steps: D then G (alternating) or both at once."""
    th, ps = start
    out = [(th, ps)]
    for _ in range(steps):
        gt, gp = m.grad(th, ps)
        ps_new = ps - lr * gp
        if m.clip is not None:
            ps_new = float(np.clip(ps_new, -m.clip, m.clip))
        if m.alternating:
            gt, _ = m.grad(th, ps_new)          # G moves against the D just updated
        th, ps = th - lr * gt, ps_new
        out.append((th, ps))
    return np.asarray(out, np.float64)


def field(m: Method, lim: float = 3.0, n: int = 17) -> dict[str, np.ndarray]:
    """The descent direction -(∂θ, ∂ψ) of a method on an n x n grid over [-lim, lim]²."""
    v = np.linspace(-lim, lim, n)
    T, P = np.meshgrid(v, v, indexing="xy")
    gt, gp = m.grad(T, P)
    return {"theta": T, "psi": P, "d_theta": -gt, "d_psi": -gp}


def field_limit(start) -> float:
    """The half-width of the fields' square: 3, or enough to hold a farther start with room round it."""
    return float(max(3.0, np.ceil(1.5 * max(abs(float(start[0])), abs(float(start[1]))))))


def compare(start=(1.0, 0.0), lr: float = 0.15, steps: int = 600, n: int = 17) -> list[dict]:
    """Every method: its name, field (on an n x n grid around the start) and trajectory, and how far
    from the equilibrium it ends."""
    out = []
    lim = field_limit(start)
    for m in METHODS:
        path = trajectory(m, start, lr, steps)
        r = np.hypot(path[:, 0], path[:, 1])
        out.append({"name": m.name, "field": field(m, lim, n), "path": path, "r_start": float(r[0]),
                    "r_end": float(r[-1]), "r_max": float(r.max())})
    return out


def verdict(res: dict) -> str:
    """In words, where a method's trajectory ends: at the equilibrium, away from it, or neither."""
    if not np.isfinite(res["r_end"]) or res["r_end"] > 1.2 * res["r_start"] + 1e-9:
        return "moves away"
    return "converges" if res["r_end"] < 0.05 else "does not converge"
