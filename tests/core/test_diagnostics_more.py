"""Detectors for what went unseen (issues 20 and 26): collapse within each class of a conditional
game, an FID several-fold over the run's best, and losses that explode without becoming NaN."""
import json

import numpy as np
import torch
from PIL import Image

from studio.config.presets import load_preset
from studio.engine import checkpoints
from studio.engine.events import Message
from studio.engine.trainer import Trainer, past_evaluations
from studio.quality.diagnostics import Diagnostics
from studio.quality.evaluate import Evaluator

from tests.core.test_diagnostics import SMALL, cfg_of


def test_a_learning_rate_of_ten_is_reported_though_no_loss_is_nan():
    cfg = cfg_of("ring-2d-gan", *SMALL, "train.steps=60", "eval.every=0", "optim_d.lr=10", "optim_g.lr=10")
    msgs = [ev for ev in Trainer(cfg, write=False, snapshots=False).run()
            if isinstance(ev, Message) and ev.level in ("warning", "error")]
    assert [m.code for m in msgs] == ["exploding"]
    assert "optim_d.lr = 10" in msgs[0].text and "without turning NaN" in msgs[0].text


def test_ordinary_losses_and_a_short_spike_are_not_an_explosion():
    d = Diagnostics(load_preset("ring-2d-gan"), "prob")
    found = []
    for s in range(1, 300):
        loss = 5e4 if s % 50 == 0 else 1.4 + 0.1 * np.sin(s)        # one-step spikes only
        found += d.on_step(s, "iter", {"loss_d": loss, "loss_g": 0.7})
    assert found == []
    w = Diagnostics(load_preset("ring-2d-wgan-gp"), "critic")       # a critic's loss of hundreds is fine
    assert all(w.on_step(s, "iter", {"loss_d": -300.0, "loss_g": 250.0}) == [] for s in range(1, 100))


def test_fid_rising_several_fold_over_its_best_warns_once():
    d = Diagnostics(load_preset("fashion-cgan"), "prob")
    fids = [44, 40, 90, 300, 514, 1026, 100, 35, 150]      # issue 20's run, then a recovery and a second fall
    fired = [[f.code for f in d.on_eval(500 * (i + 1), {"fid": x})] for i, x in enumerate(fids)]
    assert fired == [[], [], [], ["quality_regression"], [], [], [], [], ["quality_regression"]]
    text = Diagnostics(load_preset("fashion-cgan"), "prob")
    for i, x in enumerate([44, 300]):
        out = text.on_eval(500 * (i + 1), {"fid": x})
    assert "6.8x its best (44 at step 500)" in out[0].text


def test_collapse_within_each_class_is_mode_collapse_though_diversity_across_classes_is_high():
    d = Diagnostics(load_preset("fashion-cgan"), "prob")
    seq = [(1.0, 0.9), (1.05, 0.8), (1.07, 0.05)]            # (diversity, diversity_class)
    out = [d.on_eval(500 * (i + 1), {"fid": 44.0, "diversity": a, "diversity_class": b}) for i, (a, b) in enumerate(seq)]
    assert [[f.code for f in o] for o in out] == [[], [], ["mode_collapse"]]
    assert "within each class" in out[-1][0].text and "across classes it is 1.07" in out[-1][0].text


class _Data:
    def __init__(self, y):
        self.y = torch.as_tensor(y)
        self.x = torch.zeros(len(y), 1)

    def __len__(self) -> int:          # the evaluator counts the data set's images (a folder's in its cache)
        return len(self.y)


def test_within_class_diversity_sees_one_image_per_class():
    rng = np.random.default_rng(0)
    n, k = 400, 4
    y = np.arange(n) % k
    real = rng.normal(size=(n, 8)) + 5 * y[:, None]
    ev = Evaluator.__new__(Evaluator)
    ev.data, ev.cfg = _Data(y), type("C", (), {"eval": type("E", (), {"n_samples": n})()})()
    idx = ev._real_index().numpy()
    rf, ry = real[idx], y[idx]
    collapsed = 5.0 * y[:, None] + 1e-3 * rng.normal(size=(n, 8))        # one image per class
    healthy = rng.normal(size=(n, 8)) + 5 * y[:, None]
    assert ev._within_class(rf, collapsed, y) < 0.01
    assert 0.8 < ev._within_class(rf, healthy, y) < 1.2
    assert (ry == y[idx]).all()


def test_image_metrics_on_a_small_folder_say_they_are_rough_and_the_size_needed(tmp_path):
    for c in ("a", "b"):
        (tmp_path / "imgs" / c).mkdir(parents=True)
        for i in range(30):
            Image.fromarray((np.random.default_rng(i).random((8, 8, 3)) * 255).astype("uint8")).save(
                tmp_path / "imgs" / c / f"{i}.png")
    cfg = cfg_of("folder-dcgan", f"data.root='{tmp_path / 'imgs'}'", "data.image_size=8", "train.steps=1",
                 "eval.n_samples=200", "train.device='cpu'")
    t = Trainer(cfg, write=False, snapshots=False)
    values = t.evaluator.evaluate()
    assert "fid" in values
    note = next(n for n in t.evaluator.notes if "treat them as rough" in n)
    assert "compare 60 real images with 200 generated" in note
    assert "a data set of at least 1,000 images" in note and "eval.n_samples >= 1,000" in note


def test_a_resumed_run_measures_a_fid_rise_against_its_best_before_the_resume(tmp_path):
    """The issue-20 run resumed: FID 34 before the resume, 1710 after it; the fresh detectors of the
    resumed run knew only the 1710 and stayed quiet."""
    run = tmp_path / "run"
    first = Trainer(cfg_of("ring-2d-gan", *SMALL, "train.steps=20", "eval.every=0", "checkpoint.every=0"), run,
                    snapshots=False)
    list(first.run())
    with open(run / "metrics.jsonl", "a") as fh:              # the evaluations of the run so far
        for step, fid in ((5, 300.0), (10, 40.0), (15, 34.0), (30, 20.0)):   # step 30: past the checkpoint
            fh.write(json.dumps({"event": "eval", "step": step, "fid": fid}) + "\n")
    assert past_evaluations(run / "metrics.jsonl", 20) == [(5, {"fid": 300.0}), (10, {"fid": 40.0}),
                                                          (15, {"fid": 34.0})]
    ck = run / "checkpoints" / "end_00000020.pt"
    cfg = checkpoints.config_of(checkpoints.load(ck), str(ck))
    cfg.train.steps = 21
    t = Trainer(cfg, run, resume=ck, snapshots=False)
    t.evaluator.evaluate = lambda: {"fid": 1710.0}
    t.evaluator.due = lambda step: step == 21
    codes = [ev.code for ev in t.run() if isinstance(ev, Message) and ev.level == "warning"]
    assert "quality_regression" in codes
