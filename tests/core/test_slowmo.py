"""Slow motion: a SlowStep is exactly one ordinary iteration, and its phases show what that iteration
did (D's batch and outputs, D's change, G's gradient, G's update of the same z)."""
import numpy as np
import pytest
import torch

from studio.engine.commands import Pause, SlowStep, StepOnce, Stop
from studio.engine.events import Message, SlowMotion, Snapshot, StepMetrics
from studio.engine.trainer import Trainer
from studio.inspect.probes import ideal_map, normal_cdf, probe_1d
from tests.core.helpers import tiny

KEYS = ["d_batch", "d_grad", "d_update", "g_grad", "g_update"]


def _trainer(preset, *overrides):
    return Trainer(tiny(preset, "eval.every=0", *overrides), write=False)


def _drive(t, *cmds):
    for c in (Pause(), *cmds, Stop()):
        t.commands.put(c)
    return list(t.run())


def _params(module):
    return torch.cat([p.detach().ravel() for p in module.parameters()])


@pytest.mark.parametrize("preset", ["ring-2d-gan", "toy-1d-mlp", "toy-1d-shift"])
def test_a_slow_step_is_one_ordinary_iteration_with_five_phases(preset):
    slow, plain = _trainer(preset), _trainer(preset)
    evs = _drive(slow, SlowStep())
    _drive(plain, StepOnce("iter"))
    assert slow.step == plain.step == 1
    # the same update as a plain step: slow motion does not touch training's random stream
    assert torch.equal(_params(slow.variant.G), _params(plain.variant.G))
    assert torch.equal(_params(slow.variant.D), _params(plain.variant.D))
    sm = [e for e in evs if isinstance(e, SlowMotion)]
    assert len(sm) == 1 and sm[0].step == 1 and sm[0].view == slow.variant.view
    assert [p["key"] for p in sm[0].phases] == KEYS
    assert all(p["caption"] and p["title"] for p in sm[0].phases)
    i = evs.index(sm[0])
    assert isinstance(evs[i - 1], StepMetrics) and isinstance(evs[i + 1], Snapshot)


def test_the_phases_hold_what_d_and_g_did():
    slow, fresh = _trainer("ring-2d-gan"), _trainer("ring-2d-gan")   # fresh: the models before the step
    evs = _drive(slow, SlowStep())
    metrics = next(e for e in evs if isinstance(e, StepMetrics))
    ph = next(e for e in evs if isinstance(e, SlowMotion)).phases
    first = ph[0]
    n = slow.cfg.train.batch_size
    assert first["batch_real"].shape == first["batch_fake"].shape == (n, 2)
    G0, D0, G1, D1 = fresh.variant.G, fresh.variant.D, slow.variant.G, slow.variant.D
    with torch.no_grad():
        # D's outputs on its batch are the outputs of D before its update; the fakes are G_before(z_D)
        assert np.allclose(first["batch_fake"], G0(torch.from_numpy(first["z_d"])).numpy(), atol=1e-6)
        d_real = torch.sigmoid(D0(torch.from_numpy(first["batch_real"]))).squeeze(-1).numpy()
        d_fake = torch.sigmoid(D0(torch.from_numpy(first["batch_fake"]))).squeeze(-1).numpy()
        assert np.allclose(first["d_real"], d_real, atol=1e-6) and np.allclose(first["d_fake"], d_fake, atol=1e-6)
        # D's loss (k = 1) is the logistic loss of exactly those outputs, and what the metrics say
        logit_r, logit_f = np.log(d_real / (1 - d_real)), np.log(d_fake / (1 - d_fake))
        bce = np.mean(np.log1p(np.exp(-logit_r))) + np.mean(np.log1p(np.exp(logit_f)))
        assert first["loss_d"] == pytest.approx(bce, rel=1e-4)
        assert first["loss_d"] == pytest.approx(metrics.values["loss_d"], rel=1e-6)
        # G's update moves its batch from G_before(z_G) to exactly G_after(z_G)
        last = ph[4]
        z_g = torch.from_numpy(last["z_g"])
        assert np.allclose(last["g_from"], G0(z_g).numpy(), atol=1e-6)
        assert np.allclose(last["g_to"], G1(z_g).numpy(), atol=1e-6)
        assert not np.allclose(last["g_from"], last["g_to"])
        # D's change: the heatmap after minus before, and "after" is the updated D on the same grid
        x0, x1, y0, y1 = ph[1]["before"]["extent"]
        assert ph[1]["after"]["extent"] == (x0, x1, y0, y1)
        assert np.allclose(ph[1]["delta"], ph[1]["after"]["heat"] - ph[1]["before"]["heat"])
        g = 80
        X, Y = torch.meshgrid(torch.linspace(x0, x1, g), torch.linspace(y0, y1, g), indexing="xy")
        grid = torch.stack([X.ravel(), Y.ravel()], 1)
        assert np.allclose(ph[1]["after"]["heat"], torch.sigmoid(D1(grid)).reshape(g, g).numpy(), atol=1e-5)
        assert np.allclose(ph[1]["before"]["heat"], torch.sigmoid(D0(grid)).reshape(g, g).numpy(), atol=1e-5)
    # G's gradient: -dL_G/dx at G's batch against the D just updated (non-saturating: -log D)
    x = torch.from_numpy(ph[3]["g_from"]).requires_grad_(True)
    loss = slow.variant.generator_loss(D1(x)) * len(x)
    (grad,) = torch.autograd.grad(loss, x)
    assert np.allclose(ph[3]["g_grad"], -grad.numpy(), atol=1e-5)


def test_several_d_updates_and_a_critic_are_said_so():
    t = _trainer("ring-2d-wgan-gp")
    ph = next(e for e in _drive(t, SlowStep()) if isinstance(e, SlowMotion)).phases
    assert ph[0]["n_d"] == t.variant.d_steps() > 1
    assert f"first of its {t.variant.d_steps()} updates" in ph[0]["caption"]
    assert "f(x)" in ph[0]["caption"] and ph[0]["output"] == "critic"


def test_a_game_without_a_1d_or_2d_view_says_why():
    t = Trainer(tiny("saddle-bilinear", "eval.every=0"), write=False)
    evs = _drive(t, SlowStep())
    assert t.step == 0
    assert any(isinstance(e, Message) and e.code == "slowmo" and "1D and 2D" in e.text for e in evs)


def test_the_1d_probe_carries_z_to_x_and_the_ideal_map():
    shift = _trainer("toy-1d-shift").variant
    d = probe_1d(shift, torch.Generator().manual_seed(0))
    theta = float(shift.G.theta.detach()[0])
    assert np.allclose(d["x_line"], d["z_line"] + theta, atol=1e-5)     # x = z + θ
    assert "map_ideal" not in d                                         # the shift game: θ plots instead
    mlp = _trainer("toy-1d-mlp").variant
    d = probe_1d(mlp, torch.Generator().manual_seed(0))
    assert len(d["z_line"]) == len(d["x_line"]) == 40 and d["latent_dim"] == mlp.cfg.model.latent_dim
    zs, ideal = d["map_z"], d["map_ideal"]
    assert np.all(np.diff(ideal) >= 0) and abs(ideal[len(zs) // 2]) < 1e-3   # symmetric mixture: median 0
    # F(F^-1(Phi(z))) = Phi(z)
    assert np.allclose(mlp.data.cdf(ideal.astype(float)), normal_cdf(zs), atol=2e-3)
    assert d["map_kind"] == "quantiles" and len(d["map_g"]) == len(zs)


def test_the_ideal_map_of_a_gaussian_is_affine():
    from studio.data.toy import Gaussian1D
    zs = np.linspace(-2.5, 2.5, 11)
    assert np.allclose(ideal_map(Gaussian1D([1.5], [0.7], [1.0]), zs), 1.5 + 0.7 * zs, atol=2e-3)
