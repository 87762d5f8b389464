"""`gan-studio arithmetic` and class-to-class `interpolate` on a tiny conditional checkpoint: the PNG
is exactly what the latent explorer's model draws, and bad sets, classes and strengths get one line."""
import numpy as np
import pytest
from PIL import Image

from studio.cli import main
from studio.tools.model_io import latent_model, open_model

TINY = ["--set", "data.image_size=8", "--set", "model.base_channels=8", "--set", "train.batch_size=8",
        "--set", "checkpoint.every=0", "--set", "eval.every=0", "--set", "log.grid_every=0",
        "--set", "data.kind='digits'", "--set", "model.latent_dim=8", "--device", "cpu", "--quiet"]


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    out = tmp_path_factory.mktemp("cgan") / "run"
    assert main(["train", "--preset", "fashion-cgan", "--steps", "2", "--out", str(out), *TINY]) == 0
    return sorted((out / "checkpoints").glob("end_*.pt"))[0]


def test_arithmetic_strip_is_the_explorers(ckpt, tmp_path, capsys):
    png = tmp_path / "a.png"
    assert main(["arithmetic", "--checkpoint", str(ckpt), "--a", "1,2,5-7", "--b", "class:3", "--base", "9",
                 "--class", "4", "--strengths", "-1", "0", "1,2", "--out", str(png)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(png)
    assert "seeds 1,2,5-7" in err and "class 3" in err and "seed 9 (class 4)" in err and "-1, 0, 1, 2" in err
    m = latent_model(open_model(ckpt))
    tr = m.truncation
    zs = np.stack([m.compose(m.z_for_seed(s), None, tr) for s in (1, 2, 5, 6, 7)])
    ma, mb = m.set_mean(zs, 4), m.set_mean(cls=3)
    base = m.point(m.compose(m.z_for_seed(9), None, tr), 4)
    want = m.arithmetic_strip(base, ma, mb, [-1, 0, 1, 2])
    got = np.asarray(Image.open(png))
    np.testing.assert_array_equal(got, want)
    assert got.shape == (12, 2 + 6 * 10 + 10, 3)
    # the s = 0 tile is the base sample itself
    np.testing.assert_array_equal(got[2:10, 2 + 3 * 10 + 10:2 + 3 * 10 + 18], m.render(base[0], 4))


def test_arithmetic_errors_are_one_line(ckpt, tmp_path, capsys):
    png = str(tmp_path / "a.png")
    base = ["arithmetic", "--checkpoint", str(ckpt), "--base", "0", "--out", png]
    for extra, words in ((["--a", "1,x", "--b", "2"], "'x' is not a seed"),
                         (["--a", "5-2", "--b", "2"], "A <= B"),
                         (["--a", "class:12", "--b", "2"], "classes 0..9"),
                         (["--a", "class:two", "--b", "2"], "class:N"),
                         (["--a", "1", "--b", "", ], "give seeds"),
                         (["--a", "1", "--b", "2", "--strengths", "1,a"], "--strengths"),
                         (["--a", "1", "--b", "2", "--class", "11"], "--class 11")):
        assert main(base + extra) == 2, extra
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err and err.count("\n") == 1, (extra, err)
    assert main(["arithmetic", "--checkpoint", str(ckpt), "--a", "1", "--b", "2", "--base", "0",
                 "--out", str(tmp_path / "a.jpg")]) == 2
    assert ".png" in capsys.readouterr().err


def test_interpolate_from_one_class_to_another(ckpt, tmp_path, capsys):
    png = tmp_path / "s.png"
    assert main(["interpolate", "--checkpoint", str(ckpt), "--seeds", "1", "2", "--steps", "5",
                 "--class", "7", "--class-b", "1", "--out", str(png)]) == 0
    m = latent_model(open_model(ckpt))
    za, zb = (m.compose(m.z_for_seed(s), None, m.truncation) for s in (1, 2))
    got = np.asarray(Image.open(png))
    np.testing.assert_array_equal(got, m.strip(za, zb, 5, "linear", 7, y1=1))
    np.testing.assert_array_equal(got[2:10, 2 + 4 * 10:2 + 4 * 10 + 8], m.render(zb, 1))   # ends as a 1
    np.testing.assert_array_equal(got[2:10, 2:10], m.render(za, 7))                         # starts as a 7
    assert main(["interpolate", "--checkpoint", str(ckpt), "--seeds", "1", "2", "--class-b", "10",
                 "--out", str(png)]) == 2
    assert "--class-b 10" in capsys.readouterr().err
