"""Adversarial losses on raw discriminator outputs (logits), numerically stable.

For the logistic losses D(x) = sigmoid(l), so log D = -softplus(-l) and log(1 - D) = -softplus(l);
working on logits keeps the gradient finite when D is confident.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

G_LOSSES = ("nonsaturating", "minimax", "least_squares", "hinge")   # the generator losses a game offers
D_LOSSES = ("bce", "least_squares", "hinge")


def d_loss(kind: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Discriminator loss for real and fake outputs; lower is better for D."""
    if kind == "bce":  # -log D(x) - log(1 - D(G(z)))
        return F.softplus(-real).mean() + F.softplus(fake).mean()
    if kind == "least_squares":
        return 0.5 * ((real - 1).pow(2).mean() + fake.pow(2).mean())
    if kind == "hinge":
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    if kind == "wasserstein":  # the critic maximises E[f(x)] - E[f(G(z))]
        return fake.mean() - real.mean()
    raise ValueError(f"unknown discriminator loss {kind!r}")


def g_loss(kind: str, fake: torch.Tensor) -> torch.Tensor:
    """Generator loss on D's outputs for generated samples; lower is better for G."""
    if kind == "minimax":  # saturating: minimise log(1 - D(G(z)))
        return -F.softplus(fake).mean()
    if kind == "nonsaturating":  # minimise -log D(G(z))
        return F.softplus(-fake).mean()
    if kind == "least_squares":
        return 0.5 * (fake - 1).pow(2).mean()
    if kind in ("hinge", "wasserstein"):
        return -fake.mean()
    raise ValueError(f"unknown generator loss {kind!r}")


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, gen: torch.Generator,
                     *cond) -> tuple[torch.Tensor, torch.Tensor]:
    """WGAN-GP penalty E[(||grad f(x_hat)|| - 1)^2] at random interpolates; also returns the norms."""
    shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    eps = torch.rand(shape, generator=gen, device=real.device, dtype=real.dtype)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    out = critic(x_hat, *cond)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    norms = grad.flatten(1).norm(dim=1)
    return (norms - 1).pow(2).mean(), norms.detach()


def r1_penalty(disc, real: torch.Tensor, *cond) -> torch.Tensor:
    """R1 regulariser 0.5 * E[||grad D(x)||^2] at real data (Mescheder et al. 2018)."""
    x = real.detach().requires_grad_(True)
    out = disc(x, *cond)
    (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    return 0.5 * grad.flatten(1).pow(2).sum(1).mean()
