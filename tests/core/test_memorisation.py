"""The memorisation check: its verdict, its numbers on a real checkpoint, its picture and the CLI."""
import numpy as np
import pytest
from PIL import Image

from studio.cli import main
from studio.engine.trainer import Trainer
from studio.tools import memorisation
from tests.core.helpers import run_all, tiny


def test_the_verdict_tells_copying_from_generalising():
    held = np.random.default_rng(0).uniform(2, 4, 500)
    ratio, close, line = memorisation.verdict(held * 1.9, held)
    assert ratio == pytest.approx(1.9) and close == 0 and "no sign of copying" in line and "1.9×" in line
    copies = np.r_[np.zeros(40), np.sort(held)[-24:]]
    ratio, close, line = memorisation.verdict(copies, held)
    assert ratio < 0.5 and close == 40 and "looks like copying" in line and "40 of 64" in line
    ratio, _, line = memorisation.verdict(held * 0.7, held)
    assert 0.5 < ratio < 0.8 and "closest pairs" in line


@pytest.fixture(scope="module")
def digits_checkpoint(tmp_path_factory):
    out = tmp_path_factory.mktemp("memo") / "run"
    cfg = tiny("digits-dcgan", "data.image_size=0", "model.base_channels=8", "log.grid_samples=12",
               "log.grid_every=0", "eval.every=0", "train.batch_size=16", steps=4)
    run_all(Trainer(cfg, out, snapshots=False))
    return out / "checkpoints" / "end_00000004.pt"


def test_compute_pairs_each_sample_with_its_nearest_training_image(digits_checkpoint):
    m = memorisation.compute(digits_checkpoint, "pixel")
    assert m["samples"].shape == m["nearest"].shape == (12, 1, 8, 8) and m["step"] == 4
    # the distance is the pixel distance to the image shown beside the sample, and no training image is closer
    d = np.linalg.norm((m["samples"] - m["nearest"]).reshape(12, -1), axis=1)
    assert np.allclose(d, m["distance"], atol=1e-4)
    assert len(m["held"]) > 100 and m["reference"] == pytest.approx(np.median(m["held"]))
    assert m["ratio"] == pytest.approx(np.median(m["distance"]) / np.median(m["held"]))
    assert m["ratio"] > 1 and "no sign of copying" in m["verdict"]    # 4 steps: noise, not copies
    pic = memorisation.picture(m, cols=4)
    assert pic.dtype == np.uint8 and pic.shape[2] == 3 and pic.shape[1] >= 760 and pic.shape[0] > 3 * 48


def test_eval_nearest_writes_the_picture_and_says_the_verdict(digits_checkpoint, tmp_path, capsys):
    out = tmp_path / "nearest.png"
    assert main(["eval", "--checkpoint", str(digits_checkpoint), "--nearest", str(out), "--space", "pixel"]) == 0
    cap = capsys.readouterr()
    assert "memorisation (pixel space, 12 samples): median sample distance" in cap.out and str(out) in cap.out
    assert Image.open(out).size[0] >= 760
    assert main(["eval", "--checkpoint", str(digits_checkpoint), "--nearest", str(tmp_path / "x.jpg")]) == 2
    assert "--nearest" in capsys.readouterr().err


def test_eval_nearest_on_a_toy_checkpoint_says_why_not(tmp_path, capsys):
    run = tmp_path / "ring"
    assert main(["train", "--preset", "ring-2d-gan", "--steps", "2", "--out", str(run), "--quiet",
                 "--set", "model.hidden=8"]) == 0
    assert main(["eval", "--checkpoint", str(run / "checkpoints" / "end_00000002.pt"),
                 "--nearest", str(tmp_path / "n.png")]) == 2
    err = capsys.readouterr().err
    assert "needs an image generator" in err and "Traceback" not in err
