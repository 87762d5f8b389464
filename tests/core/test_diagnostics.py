"""Each detector provoked on a small toy run, and healthy runs that raise nothing."""
import json
import math

import numpy as np
import pytest
import torch

from studio.quality.diagnostics import Diagnostics
from studio.engine.events import Evaluation, Finished, Message, StepMetrics
from studio.engine.trainer import Trainer
from studio.config.io import apply_override
from studio.config.presets import load_preset

SMALL = ["model.hidden=32", "model.depth=2", "train.batch_size=64", "train.device='cpu'"]


def cfg_of(preset, *overrides):
    cfg = load_preset(preset)
    for o in overrides:
        apply_override(cfg, o)
    return cfg


def messages(trainer, hook=None):
    out = []
    for ev in trainer.run():
        if hook is not None:
            hook(trainer, ev)
        if isinstance(ev, Message) and ev.level in ("warning", "error"):
            out.append(ev)
    return out


def codes(msgs):
    return sorted({m.code for m in msgs})


def test_strong_discriminator_under_the_saturating_loss_is_reported():
    cfg = cfg_of("ring-2d-minimax", *SMALL, "train.steps=200", "eval.every=0", "variant.k=5",
                 "optim_d.lr=1e-3", "optim_g.lr=1e-5")
    msgs = messages(Trainer(cfg, write=False, snapshots=False))
    assert codes(msgs) == ["d_overpowering", "vanishing_gradients"]
    text = next(m.text for m in msgs if m.code == "vanishing_gradients")
    assert "nonsaturating" in text                       # says what to try
    assert all(m.level == "warning" for m in msgs)


def test_rotating_shift_game_is_reported_as_oscillation_and_the_settling_one_is_healthy():
    msgs = messages(Trainer(cfg_of("toy-1d-rotation", "train.steps=600", "eval.every=100"),
                            write=False, snapshots=False))
    assert codes(msgs) == ["oscillation"]
    healthy = Trainer(cfg_of("toy-1d-shift", "eval.every=50"), write=False, snapshots=False)
    evals = []
    assert messages(healthy, lambda t, ev: isinstance(ev, Evaluation) and evals.append(ev)) == []
    assert evals[-1].values["theta_err"] < 0.1 < evals[0].values["theta_err"]


def test_collapsed_generator_is_reported_as_mode_collapse():
    cfg = cfg_of("ring-2d-gan", *SMALL, "train.steps=60", "eval.every=20", "optim_g.lr=1e-7")
    t = Trainer(cfg, write=False, snapshots=False)
    with torch.no_grad():                 # a generator that ignores its noise: one output for every z
        t.variant.G.net[0].weight.zero_()
    evals = []
    msgs = messages(t, lambda t, ev: isinstance(ev, Evaluation) and evals.append(ev))
    assert "mode_collapse" in codes(msgs)
    assert evals[-1].values["diversity"] < 0.01 and evals[-1].values["modes"] <= 1


def test_coverage_falling_from_its_best_is_mode_collapse():
    cfg = load_preset("ring-2d-gan")
    d = Diagnostics(cfg, "prob")
    seq = [(0.5, 0.7), (0.875, 0.9), (1.0, 1.0), (0.5, 0.6), (0.375, 0.55), (1.0, 1.0), (0.5, 0.6)]
    fired = [bool(d.on_eval(500 * (i + 1), {"coverage": c, "modes": 8 * c, "diversity": div}))
             for i, (c, div) in enumerate(seq)]
    assert fired == [False, False, False, True, False, False, True]   # once per episode


def test_divergence_is_an_error_and_the_run_rolls_back_to_the_last_finite_checkpoint(tmp_path):
    cfg = cfg_of("saddle-bilinear", "optim_d.lr=1.0", "optim_g.lr=1.0", "train.steps=400",
                 "checkpoint.every=50", "eval.every=0")
    t = Trainer(cfg, tmp_path / "run", snapshots=False)
    msgs = messages(t)
    assert [m.code for m in msgs] == ["diverged"] and msgs[0].level == "error"
    assert "roll back" in msgs[0].text.lower()
    assert t.diverged and not all(math.isfinite(v) for v in t.last_metrics.values())

    seen = []

    def on_event(tr, ev):            # what the GUI does: the run pauses; roll back with a lower lr
        seen.append(ev)
        if isinstance(ev, StepMetrics) and ev.kind == "diverged":
            tr.set_param("optim_g.lr", 0.01)
            tr.set_param("optim_d.lr", 0.01)
            tr.rollback()
            tr.resume()

    t2 = Trainer(cfg, tmp_path / "run2", snapshots=False, interactive=True)
    messages(t2, on_event)
    rolled = [e for e in seen if isinstance(e, Message) and e.code == "rollback"]
    assert len(rolled) == 1 and "to step" in rolled[0].text
    fin = seen[-1]
    assert isinstance(fin, Finished) and fin.reason == "done" and t2.step == 400
    assert all(math.isfinite(v) for v in t2.last_metrics.values())
    log = [json.loads(line) for line in (tmp_path / "run2" / "metrics.jsonl").read_text().splitlines()]
    assert any(r.get("event") == "resume" and r.get("rollback") for r in log)
    assert any(r.get("event") == "message" and r.get("code") == "diverged" for r in log)


def test_rollback_without_a_checkpoint_says_so(tmp_path):
    cfg = cfg_of("saddle-bilinear", "train.steps=5", "eval.every=0")
    t = Trainer(cfg, tmp_path / "run", snapshots=False)
    t.rollback()
    errors = [m for m in messages(t) if m.code == "rollback"]
    assert len(errors) == 1 and "no checkpoint" in errors[0].text


def test_evaluations_go_to_metrics_jsonl_and_keep_the_best_checkpoint(tmp_path):
    cfg = cfg_of("ring-2d-gan", *SMALL, "train.steps=120", "eval.every=40", "eval.n_samples=200",
                 "checkpoint.keep_best='hq'", "checkpoint.every=0")
    t = Trainer(cfg, tmp_path / "run", snapshots=False)
    evals = []
    messages(t, lambda t, ev: isinstance(ev, Evaluation) and evals.append(ev))
    assert [e.step for e in evals] == [40, 80, 120]
    assert {"modes", "coverage", "hq", "precision", "recall", "diversity"} <= set(evals[0].values)
    log = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    lines = [r for r in log if r.get("event") == "eval"]
    assert [r["step"] for r in lines] == [40, 80, 120] and lines[0]["hq"] == evals[0].values["hq"]
    best = list((tmp_path / "run" / "checkpoints").glob("best_*.pt"))
    assert len(best) == 1
    assert t.best == max(e.values["hq"] for e in evals)       # hq: higher is better


def test_a_settled_theta_that_trembles_is_not_an_oscillation():
    """A raised G learning rate makes θ tremble around μ (by about 0.1 with σ = 1): no warning (the
    previous detector warned every few hundred steps here)."""
    msgs = messages(Trainer(cfg_of("toy-1d-shift", "optim_g.lr=0.6", "train.steps=1500", "eval.every=0"),
                            write=False, snapshots=False))
    assert codes(msgs) == []


def test_advice_fits_the_run_it_is_given_to():
    from studio.quality.diagnostics import advice
    shift = cfg_of("toy-1d-shift")                  # k = 10, Adam, non-saturating
    tip = advice(shift, "more_d", "fewer_d", "nonsaturating", "beta1")
    assert "more D steps" not in tip and "variant.k is 10" in tip and "non-saturating" not in tip
    wgan = cfg_of("ring-2d-wgan-gp")
    assert "variant.n_critic is 5" in advice(wgan, "fewer_d") and advice(wgan, "wgan_gp", "r1") == ""
    import inspect
    from studio.quality import diagnostics
    words = inspect.getsource(diagnostics)          # every text a user reads is written there
    assert "seed 0" not in words and "tanh" not in words


def test_good_samples_of_few_modes_are_mode_collapse_from_the_third_evaluation_on_two_in_a_row():
    """A generator that never covered many modes has no drop to notice: coverage <= 0.5 while >= 30%
    of the samples lie on a mode warns, from the 3rd evaluation on, once two evaluations agree."""
    cfg = load_preset("ring-2d-gan")
    d = Diagnostics(cfg, "prob")
    few = {"coverage": 0.25, "modes": 2, "hq": 0.6, "diversity": 0.5}
    fired = [[f.code for f in d.on_eval(100 * (i + 1), dict(few))] for i in range(6)]
    assert fired == [[], [], [], ["mode_collapse"], [], []]          # once per episode
    text = Diagnostics(cfg, "prob")
    for i in range(3):
        out = text.on_eval(100 * (i + 1), dict(few))
    out = text.on_eval(400, dict(few))
    assert "on only 2 of the 8 modes" in out[0].text and "60%" in out[0].text
    assert "tanh" not in out[0].text and ".md" not in out[0].text      # advice fits, no file names


@pytest.mark.parametrize("values, why", [
    ({"coverage": 0.25, "modes": 2, "hq": 0.2, "diversity": 0.5}, "samples mostly off the modes: still learning"),
    ({"coverage": 0.625, "modes": 5, "hq": 0.6, "diversity": 0.9}, "more than half the modes"),
])
def test_few_modes_rule_stays_quiet_where_it_should(values, why):
    d = Diagnostics(load_preset("ring-2d-gan"), "prob")
    assert not any(d.on_eval(100 * (i + 1), dict(values)) for i in range(6)), why


def test_few_modes_rule_needs_two_evaluations_in_a_row_and_separate_modes():
    d = Diagnostics(load_preset("grid-2d-wgan-gp"), "critic")
    few = {"coverage": 0.4, "modes": 10, "hq": 0.5, "diversity": 0.8}
    ok = {"coverage": 0.6, "modes": 15, "hq": 0.5, "diversity": 0.8}
    seq = [few, few, few, ok, few, ok, few, few]       # never two in a row after the 3rd until the end
    fired = [bool(d.on_eval(100 * (i + 1), dict(v))) for i, v in enumerate(seq)]
    assert fired == [False, False, False, False, False, False, False, True]
    drawn = cfg_of("ring-2d-gan", "data.kind='points2d'", "data.points=[[0, 0], [1, 1], [2, 2]]")
    d = Diagnostics(drawn, "prob")        # drawn points are one cloud, not modes: no verdict on them
    assert not any(d.on_eval(100 * (i + 1), {"coverage": 0.2, "modes": 1, "hq": 0.9, "diversity": 0.8})
                   for i in range(6))


def _loss_run(amplitude: float, level: float = 0.7, period: int = 40, steps: int = 1200):
    d = Diagnostics(load_preset("ring-2d-gan"), "prob")
    rng = np.random.default_rng(0)
    codes = []
    for s in range(1, steps + 1):
        x = level + amplitude * np.sin(2 * np.pi * s / period) + 1e-4 * rng.standard_normal()
        codes += [f.code for f in d.on_step(s, "iter", {"loss_g": float(x), "loss_d": 1.3})]
    return codes


def test_a_generator_loss_that_wiggles_a_little_is_not_an_oscillation():
    """A clean cycle of the generator loss by ±1e-3 (a healthy run's wiggle) warns of nothing; the
    same cycle by ±0.3 is the oscillation warning."""
    assert _loss_run(1e-3) == []
    assert _loss_run(0.03) == []          # 0.06 swing, below the 0.1 floor
    assert _loss_run(0.3) == ["oscillation"]
    assert _loss_run(0.3, level=5.0) == ["oscillation"]       # 0.6 swing, above 5% of the level 5
    assert _loss_run(0.1, level=5.0) == []                    # 0.2 swing, below 5% of it (0.25)


def test_a_loss_pattern_of_a_few_steps_is_noise_not_a_circling_game():
    """A healthy DCGAN's generator loss shows a period-6 pattern (autocorrelation 0.25 to 0.3, swing
    1.3 on digits-dcgan): minibatch noise, not the game circling. A period of 12 steps or more with
    the same swing is the warning."""
    assert _loss_run(0.65, period=6) == []
    assert _loss_run(0.65, period=8) == []
    assert _loss_run(0.65, period=12) == ["oscillation"]
