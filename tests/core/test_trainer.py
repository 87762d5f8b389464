"""The trainer: variants train, commands work between steps, resume is exact, checkpoints are safe."""
import json

import pytest
import torch

from studio.engine import checkpoints
from studio.engine.checkpoints import CheckpointError
from studio.engine.events import CheckpointSaved, Finished, Message, ParamChanged, Snapshot, StateChanged, StepMetrics
from studio.engine.runlog import read_metrics
from studio.engine.trainer import Trainer
from studio.config.presets import load_preset

from .helpers import run_all, tiny


def params(trainer):
    return {f"{k}.{n}": p.detach().clone() for k, m in trainer.variant.modules().items()
            for n, p in m.named_parameters()}


@pytest.mark.parametrize("preset", ["ring-2d-gan", "ring-2d-minimax", "ring-2d-wgan-gp", "toy-1d-mlp",
                                    "toy-1d-shift", "saddle-bilinear"])
def test_each_variant_trains_with_finite_losses_and_moving_parameters(preset):
    t = Trainer(tiny(preset, steps=5), write=False, snapshots=False)
    before = params(t)
    evs = run_all(t)
    steps = [e for e in evs if isinstance(e, StepMetrics)]
    assert len(steps) == 5 and isinstance(evs[-1], Finished) and evs[-1].reason == "done"
    for e in steps:
        assert all(torch.isfinite(torch.tensor(v)) for v in e.values.values())
        assert "loss_d" in e.values and "loss_g" in e.values
    after = params(t)
    moved = {k for k in before if not torch.equal(before[k], after[k])}
    # a critic's output bias cancels in E[f(real)] - E[f(fake)]: it is the one tensor allowed to stay
    frozen = {k for k in before if t.variant.output == "critic" and k == "D.net.4.bias"}
    assert moved == set(before) - frozen, set(before) - moved


def test_wgan_clips_critic_weights():
    t = Trainer(tiny("ring-2d-gan", "variant.name=wgan", "variant.clip=0.005", steps=3), write=False,
                snapshots=False)
    run_all(t)
    assert max(p.abs().max().item() for p in t.variant.D.parameters()) <= 0.005 + 1e-7
    assert t.d_updates == 15 and t.g_updates == 3


def test_resume_equals_uninterrupted_bit_for_bit(tmp_path):
    # the lazy penalty's count of critic steps is part of the state: resumed at step 10 (50 critic
    # steps), the penalty falls on the same steps as in the run that was not interrupted
    for preset, *more in (("ring-2d-wgan-gp",), ("ring-2d-wgan-gp", "variant.gp_every=3"), ("ring-2d-gan",)):
        cfg = tiny(preset, "checkpoint.every=10", "checkpoint.keep_last=0", *more, steps=20)
        name = f"{preset}-{len(more)}"
        full = Trainer(cfg, tmp_path / f"{name}-a", snapshots=False)
        run_all(full)
        ck = tmp_path / f"{name}-a" / "checkpoints" / "step_00000010.pt"
        resumed = Trainer(cfg, tmp_path / f"{name}-b", resume=ck, snapshots=False)
        assert resumed.step == 10
        run_all(resumed)
        a, b = params(full), params(resumed)
        assert all(torch.equal(a[k], b[k]) for k in a)
        la = [r for r in read_metrics(tmp_path / f"{name}-a" / "metrics.jsonl") if r.get("kind") == "iter"]
        lb = [r for r in read_metrics(tmp_path / f"{name}-b" / "metrics.jsonl") if r.get("kind") == "iter"]
        strip = lambda r: {k: v for k, v in r.items() if k != "t"}
        assert [strip(r) for r in la[10:]] == [strip(r) for r in lb]
        sa, sb = full.variant.optimizers()["D"].state_dict(), resumed.variant.optimizers()["D"].state_dict()
        assert all(torch.equal(sa["state"][i]["exp_avg"], sb["state"][i]["exp_avg"]) for i in sa["state"])


def test_the_lazy_penalty_falls_on_every_kth_critic_step_weighted_k_times(monkeypatch):
    """variant.gp_every = k: the gradient penalty on critic steps 1, k + 1, 2k + 1, ..., weighted k
    times, so that on average the critic is penalised as much as with the penalty on every step."""
    from studio.games import losses, wgan
    calls, penalty = [], losses.gradient_penalty

    def counted(*a, **kw):
        calls.append(1)
        return penalty(*a, **kw)
    monkeypatch.setattr(wgan.losses, "gradient_penalty", counted, raising=True)
    t = Trainer(tiny("ring-2d-wgan-gp", "variant.n_critic=5", "variant.gp_every=3", "eval.every=0", steps=4),
                write=False, snapshots=False)
    seen = []
    real_loss = t.variant.critic_loss

    def loss_of(*a):
        loss, extra = real_loss(*a)
        w = losses.d_loss("wasserstein", a[1], a[3])
        seen.append(float((loss - w).detach()) / float(extra["gp"]))       # the penalty's weight on this step
        return loss, extra
    t.variant.critic_loss = loss_of
    run_all(t)
    assert len(calls) == 7 and t.variant.critic_steps == 20      # 20 critic steps: 1, 4, 7, ..., 19
    lam = t.cfg.variant.gp_weight
    assert seen == pytest.approx([3 * lam if i % 3 == 0 else 0 for i in range(20)], rel=1e-4, abs=1e-6)


def test_commands_pause_step_set_save_stop(tmp_path):
    t = Trainer(tiny("ring-2d-gan", steps=1000), tmp_path / "run", snapshots=True, interactive=True)
    t.pause()
    t.step_once("d")
    t.step_once("g")
    t.step_once("iter")
    t.set_param("optim_d.lr", 0.01)
    t.set_param("model.hidden", 32)          # not live: refused with a message
    t.save_now()
    t.stop()
    evs = run_all(t)
    kinds = [e.kind for e in evs if isinstance(e, StepMetrics)]
    assert kinds == ["d", "g", "iter"]
    assert t.step == 1 and t.d_updates == 2 and t.g_updates == 2
    assert any(isinstance(e, StateChanged) and e.state == "paused" for e in evs)
    changed = [e for e in evs if isinstance(e, ParamChanged)]
    assert len(changed) == 1 and changed[0].key == "optim_d.lr" and changed[0].new == 0.01
    assert all(g["lr"] == 0.01 for g in t.variant.opt_d.param_groups)
    msgs = [e for e in evs if isinstance(e, Message)]
    assert any("model.hidden" in m.text and "cannot change" in m.text for m in msgs)
    saved = [e for e in evs if isinstance(e, CheckpointSaved)]
    assert [s.reason for s in saved] == ["manual", "interrupt"]
    assert sum(isinstance(e, Snapshot) for e in evs) >= 4
    assert evs[-1].reason == "stopped"
    log = read_metrics(tmp_path / "run" / "metrics.jsonl")
    assert any(r.get("event") == "set" and r["key"] == "optim_d.lr" and r["new"] == 0.01 for r in log)
    assert load_preset(tmp_path / "run" / "config.toml").optim_d.lr == 0.01


def test_live_loss_switch_changes_the_generator_objective():
    t = Trainer(tiny("ring-2d-gan", steps=2), write=False, snapshots=False)
    t.set_param("variant.g_loss", "minimax")
    run_all(t)
    assert t.cfg.variant.g_loss == "minimax"
    assert t.variant.p.g_loss == "minimax"


def test_checkpoints_keep_last_and_sidecars(tmp_path):
    cfg = tiny("ring-2d-gan", "checkpoint.every=5", "checkpoint.keep_last=2", steps=30)
    run_all(Trainer(cfg, tmp_path / "r", snapshots=False))
    items = checkpoints.list_checkpoints(tmp_path / "r")
    assert [(c.step, c.reason) for c in items] == [(20, "periodic"), (25, "periodic"), (30, "end")]
    assert all(c.size > 0 and "loss_d" in c.metrics for c in items)
    assert not list((tmp_path / "r" / "checkpoints").glob("*.tmp"))


def test_bad_checkpoints_get_clear_errors(tmp_path):
    run_all(Trainer(tiny("ring-2d-gan", steps=2), tmp_path / "r", snapshots=False))
    good = next((tmp_path / "r" / "checkpoints").glob("*.pt"))
    data = good.read_bytes()
    cases = {"truncated.pt": data[: len(data) // 2], "empty.pt": b"", "noise.pt": b"\x00garbage" * 50}
    for name, blob in cases.items():
        (tmp_path / name).write_bytes(blob)
    torch.save({"weights": torch.zeros(3)}, tmp_path / "foreign.pt")
    expect = {"truncated.pt": "not a readable checkpoint", "empty.pt": "empty",
              "noise.pt": "not a readable checkpoint", "foreign.pt": "not a GAN Studio checkpoint",
              "missing.pt": "not found"}
    for name, part in expect.items():
        with pytest.raises(CheckpointError, match=part) as e:
            checkpoints.load(tmp_path / name)
        assert name in str(e.value)
    other = tiny("ring-2d-gan", "model.hidden=8", steps=2)
    with pytest.raises(CheckpointError, match="does not fit"):
        Trainer(other, write=False, resume=good)


def test_divergence_ends_a_headless_run_and_pauses_an_interactive_one():
    cfg = tiny("toy-1d-shift", "optim_g.lr=10.0", "optim_d.lr=10.0", "variant.g_loss=least_squares",
               steps=300)
    evs = run_all(Trainer(cfg, write=False, snapshots=False))
    assert evs[-1].reason == "diverged"
    assert [e.kind for e in evs if isinstance(e, StepMetrics)][-1] == "diverged"
    assert isinstance(evs[-2], Message) and evs[-2].code == "diverged"   # the diagnostics' word on it
    t = Trainer(cfg, write=False, snapshots=False, interactive=True)
    seen = []
    for ev in t.run():
        seen.append(ev)
        if isinstance(ev, StateChanged) and ev.state == "paused":
            assert t.paused
            t.stop()                        # the person looks, then stops (or rolls back)
    kinds = [e.kind for e in seen if isinstance(e, StepMetrics)]
    assert kinds[-1] == "diverged" and seen[-1].reason == "diverged"
    assert any(isinstance(e, StateChanged) and e.state == "paused" for e in seen)


def test_snapshots_have_the_view_contracts():
    views = {}
    for preset in ("toy-1d-shift", "toy-1d-mlp", "ring-2d-gan", "saddle-bilinear"):
        t = Trainer(tiny(preset, steps=2), write=False, snapshots=True)
        snaps = [e for e in run_all(t) if isinstance(e, Snapshot)]
        views[preset] = snaps[-1]
    d1 = views["toy-1d-shift"].data
    assert views["toy-1d-shift"].view == "1d" and d1["d_star_exact"]
    assert d1["x"].shape == d1["d"].shape == d1["p_real"].shape == d1["d_star"].shape
    assert 0 <= d1["d"].min() and d1["d"].max() <= 1 and "theta" in d1
    d2 = views["ring-2d-gan"].data
    assert d2["heat"].shape == (80, 80) and d2["real"].shape[1] == 2 and d2["zgrid"].shape == (15, 15, 2)
    assert d2["arrows"].shape == d2["arrows_from"].shape and len(d2["centers"]) == 8
    ds = views["saddle-bilinear"].data
    assert ds["trajectory"].shape == (3, 2) and ds["theta"].shape == ds["d_theta"].shape


def test_run_directory_layout(tmp_path):
    run_all(Trainer(tiny("ring-2d-gan", steps=3), tmp_path / "r", snapshots=False))
    d = tmp_path / "r"
    assert load_preset(d / "config.toml").train.steps == 3
    lines = [json.loads(x) for x in (d / "metrics.jsonl").read_text().splitlines()]
    assert [x["step"] for x in lines if x.get("kind") == "iter"] == [1, 2, 3]
    assert any(x.get("event") == "checkpoint" for x in lines)


def test_a_checkpoint_of_another_devices_generator_resumes_with_a_note(tmp_path):
    first = Trainer(tiny("ring-2d-gan", steps=2), tmp_path / "r", snapshots=False)
    run_all(first)
    st = checkpoints.load(next((tmp_path / "r" / "checkpoints").glob("end_*.pt")))
    st["rng"]["gen"] = torch.zeros(16, dtype=torch.uint8)     # the shape of a CUDA generator's state
    cfg = tiny("ring-2d-gan", steps=4)
    t = Trainer(cfg, tmp_path / "r2", snapshots=False, resume=st)
    events = run_all(t)
    notes = [e.text for e in events if isinstance(e, Message) and "another device" in e.text]
    assert len(notes) == 1 and t.step == 4
