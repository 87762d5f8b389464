"""The toy games behave as the seeds say."""
import math

import numpy as np
import torch

from studio.games import losses
from studio.engine.events import Finished, StepMetrics
from studio.nets.toy import LogisticDiscriminator, ShiftGenerator
from studio.engine.trainer import Trainer
from studio.config.io import apply_override
from studio.config.presets import load_preset


def metrics(trainer):
    return [e.values for e in trainer.run() if isinstance(e, StepMetrics)]


def test_shift_generator_moves_theta_onto_the_real_mean():
    cfg = load_preset("toy-1d-shift")
    vals = metrics(Trainer(cfg, write=False, snapshots=False))
    thetas = [v["theta"] for v in vals]
    assert abs(thetas[0] - 3.0) < 0.1                # starts at θ0 = 3 ...
    assert abs(thetas[-1] - cfg.data.mean) < 0.1     # ... and ends on μ = 6
    assert abs(vals[-1]["d_real"] - 0.5) < 0.05      # D is at chance at the end


def test_one_d_step_per_g_step_rotates_instead_of_settling():
    cfg = load_preset("toy-1d-rotation")
    apply_override(cfg, "train.steps=1000")
    vals = metrics(Trainer(cfg, write=False, snapshots=False))
    th = np.array([v["theta"] for v in vals])
    slope = np.array([v["d_slope"] for v in vals])
    late = th[-300:] - cfg.data.mean
    assert th.max() > cfg.data.mean + 0.1            # overshoots the real mean ...
    assert late.max() > 0.15 and late.min() < -0.15  # ... and still swings around it at the end
    assert slope[-300:].max() > 0 > slope[-300:].min()   # with D's slope turning with it


def radii(cfg):
    return np.array([v["radius"] for v in metrics(Trainer(cfg, write=False, snapshots=False))])


def test_bilinear_saddle_simultaneous_spirals_out_alternating_stays_bounded():
    cfg = load_preset("saddle-bilinear")
    r0 = math.hypot(cfg.variant.theta0, cfg.variant.phi0)
    sim = radii(cfg)
    assert np.all(np.diff(sim) > 0) and sim[-1] > 1.5 * r0
    apply_override(cfg, "variant.mode=alternating")
    alt = radii(cfg)
    assert alt.max() < 1.2 * r0 and alt.min() > 0.8 * r0


def test_quadratic_saddle_converges_to_origin():
    r = radii(load_preset("saddle-quadratic"))
    assert r[-1] < 1e-3


def test_nonsaturating_loss_gives_larger_gradient_at_a_confident_discriminator():
    G, D = ShiftGenerator(3.0), LogisticDiscriminator(1)
    with torch.no_grad():                      # D(x) = sigmoid(2x - 14): D(G(z)) ~ 4e-4 near x = 3
        D.linear.weight.fill_(2.0)
        D.linear.bias.fill_(-14.0)
    z = torch.randn(512, 1, generator=torch.Generator().manual_seed(0))
    grads = {}
    for kind in ("minimax", "nonsaturating"):
        G.zero_grad()
        out = D(G(z))
        assert torch.sigmoid(out).mean() < 0.01
        losses.g_loss(kind, out).backward()
        grads[kind] = G.theta.grad.abs().item()
    assert grads["nonsaturating"] > 50 * grads["minimax"]


def test_losses_are_finite_at_extreme_logits():
    big = torch.tensor([80.0, -80.0], requires_grad=True)
    for kind in ("minimax", "nonsaturating", "least_squares", "hinge"):
        v = losses.g_loss(kind, big)
        (g,) = torch.autograd.grad(v, big)
        assert torch.isfinite(v) and torch.isfinite(g).all()
    assert torch.isfinite(losses.d_loss("bce", big, big))
