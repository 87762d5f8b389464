"""toy-1d-rotation is the Dirac-GAN of Mescheder et al. (2018): real data at one point, a generator
that is one number, a linear discriminator without bias. Alternating steps circle, simultaneous steps
spiral outwards, a regularised D converges."""
from __future__ import annotations

import math

import numpy as np
import pytest

from studio.engine.events import Message, StepMetrics
from studio.engine.trainer import Trainer
from studio.nets.toy import DiracGenerator, LogisticDiscriminator

from .helpers import run_all
from .test_diagnostics import cfg_of


def play(*overrides):
    t = Trainer(cfg_of("toy-1d-rotation", "eval.every=0", *overrides), write=False, snapshots=False)
    events = run_all(t)
    rows = np.array([(e.values["theta"], e.values["d_slope"]) for e in events
                     if isinstance(e, StepMetrics) and e.kind == "iter"])
    warnings = [e.code for e in events if isinstance(e, Message) and e.level == "warning"]
    return t, rows, warnings


def turns(rows) -> float:
    return abs(np.diff(np.unwrap(np.arctan2(rows[:, 1], rows[:, 0]))).sum()) / (2 * math.pi)


def test_the_game_is_set_up_as_the_dirac_gan():
    t, rows, _ = play("train.steps=1")
    assert isinstance(t.variant.G, DiracGenerator) and isinstance(t.variant.D, LogisticDiscriminator)
    assert t.variant.D.linear.bias is None and t.data.sample(4, t.gen, t.device).x.unique().tolist() == [0.0]


def test_alternating_steps_circle_and_the_detector_says_so():
    _, rows, warnings = play()
    r = np.hypot(rows[:, 0], rows[:, 1])
    flips = np.mean(np.sign(rows[1:, 1]) != np.sign(rows[:-1, 1]))
    assert flips < 0.05 and turns(rows) >= 1.0
    assert r.max() < 1.1 and r[-1] > 0.9                  # a circle, neither in nor out
    assert warnings == ["oscillation"]


def test_simultaneous_steps_spiral_outwards():
    _, rows, _ = play("variant.updates=simultaneous")
    r = np.hypot(rows[:, 0], rows[:, 1])
    assert r[-1] > 2 * r[0] and np.all(np.diff(r) > -1e-6)   # out, every step


@pytest.mark.parametrize("overrides", [["variant.r1_weight=1.0"], ["variant.r1_weight=0.3"]])
def test_a_regularised_discriminator_brings_it_to_the_equilibrium(overrides):
    _, rows, _ = play(*overrides)
    assert np.hypot(*rows[-1]) < 0.05


def test_the_comparison_uses_the_games_own_field_and_tells_the_methods_apart(tmp_path, capsys):
    import torch
    from studio.cli import main
    from studio.inspect import dirac
    t, _, _ = play("train.steps=1")
    game = t.variant
    for th, ps in [(1.0, 0.0), (0.7, -1.2), (-1.5, 0.4)]:
        with torch.no_grad():
            game.G.theta.fill_(th)
            game.D.linear.weight.fill_(ps)
        d_loss, _ = game.d_loss(game.real())
        (g_psi,) = torch.autograd.grad(d_loss, game.D.linear.weight)
        (g_theta,) = torch.autograd.grad(game.g_loss(), game.G.theta)
        want = dirac.grad_minimax(th, ps)
        assert abs(float(g_theta) - want[0]) < 1e-5 and abs(float(g_psi) - want[1]) < 1e-5
    ends = {r["name"]: r for r in dirac.compare()}
    assert 0.9 < ends["GAN, alternating"]["r_end"] < 1.1 and ends["GAN, simultaneous"]["r_end"] > 2
    assert ends["R1 (γ = 0.3)"]["r_end"] < 0.05 and ends["consensus (γ = 0.3)"]["r_end"] < 0.05
    png = tmp_path / "methods.png"
    assert main(["dirac", "--out", str(png)]) == 0
    out = capsys.readouterr().out
    assert str(png) in out and "consensus" in out
    from PIL import Image
    assert Image.open(png).size == (4 * 260, 2 * (260 + 34))
    assert main(["dirac", "--out", str(tmp_path / "x.jpg")]) == 2
