"""The image commands end to end on tiny runs: train, sample (with --class), interpolate, translate,
export."""
import numpy as np
import pytest
from PIL import Image

from studio.cli import main

TINY = ["--set", "data.image_size=8", "--set", "model.base_channels=8", "--set", "train.batch_size=8",
        "--set", "checkpoint.every=0", "--set", "eval.every=0", "--set", "log.grid_every=1",
        "--device", "cpu", "--quiet"]


def train(tmp_path, preset, *extra):
    out = tmp_path / preset
    assert main(["train", "--preset", preset, "--steps", "2", "--out", str(out), *TINY, *extra]) == 0
    cks = sorted((out / "checkpoints").glob("end_*.pt"))
    assert cks and cks[0].with_suffix(".png").is_file()
    assert sorted((out / "samples").glob("step_*.png"))          # PNG grids in the run directory
    return cks[0]


def test_sample_writes_a_png_grid_and_honours_class(tmp_path, capsys):
    ck = train(tmp_path, "fashion-cgan", "--set", "data.kind='digits'", "--set", "model.latent_dim=8")
    png = tmp_path / "s.png"
    assert main(["sample", "--checkpoint", str(ck), "--out", str(png), "-n", "20", "--class", "3",
                 "--truncation", "0.7", "--seed", "5"]) == 0
    a = np.asarray(Image.open(png))
    assert a.ndim == 3 and a.shape[2] == 3 and a.dtype == np.uint8
    assert main(["sample", "--checkpoint", str(ck), "--out", str(png), "--class", "10"]) == 2
    assert "classes 0..9" in capsys.readouterr().err
    assert main(["sample", "--checkpoint", str(ck), "--out", str(tmp_path / "s.csv")]) == 2   # .npy works now
    assert ".npy array" in capsys.readouterr().err


def test_interpolate_writes_the_explorers_strip(tmp_path, capsys):
    from studio.tools.model_io import latent_model, open_model
    ck = train(tmp_path, "fashion-cgan", "--set", "data.kind='digits'", "--set", "model.latent_dim=8")
    png = tmp_path / "strip.png"
    assert main(["interpolate", "--checkpoint", str(ck), "--seeds", "1", "2", "--steps", "5",
                 "--mode", "spherical", "--class", "4", "--out", str(png)]) == 0
    m = latent_model(open_model(ck))
    za, zb = (m.compose(m.z_for_seed(s), None, m.truncation) for s in (1, 2))
    np.testing.assert_array_equal(np.asarray(Image.open(png)), m.strip(za, zb, 5, "spherical", 4))
    assert main(["interpolate", "--checkpoint", str(ck), "--seeds", "1", "2", "--class", "10",
                 "--out", str(png)]) == 2
    assert "--class 10" in capsys.readouterr().err
    assert main(["interpolate", "--checkpoint", str(ck), "--seeds", "1", "2", "--steps", "1",
                 "--out", str(png)]) == 2
    assert "--steps" in capsys.readouterr().err
    cyc = train(tmp_path, "digits-cyclegan", "--set", "variant.n_res=1")
    assert main(["interpolate", "--checkpoint", str(cyc), "--seeds", "1", "2", "--out", str(png)]) == 2
    assert "no latent space" in capsys.readouterr().err


def test_translate_a_folder_with_cyclegan(tmp_path):
    ck = train(tmp_path, "digits-cyclegan", "--set", "variant.n_res=1")
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        Image.fromarray((np.random.default_rng(i).random((20, 20)) * 255).astype(np.uint8)).save(src / f"d{i}.png")
    dst = tmp_path / "out"
    assert main(["translate", "--checkpoint", str(ck), "--input", str(src), "--out", str(dst)]) == 0
    outs = sorted(dst.glob("*.png"))
    assert [p.name for p in outs] == ["d0.png", "d1.png", "d2.png"]
    assert np.asarray(Image.open(outs[0])).shape == (8, 8, 3)
    png = tmp_path / "grid.png"
    assert main(["sample", "--checkpoint", str(ck), "--out", str(png)]) == 0 and png.is_file()


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_translate_and_export_errors(tmp_path, capsys):
    ck = train(tmp_path, "digits-dcgan")
    assert main(["translate", "--checkpoint", str(ck), "--input", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "CycleGAN checkpoint" in capsys.readouterr().err
    out = tmp_path / "g.pt"
    assert main(["export", "--checkpoint", str(ck), "--format", "torchscript", "--out", str(out)]) == 0
    import torch
    g = torch.jit.load(str(out))
    assert g(torch.randn(3, 32)).shape == (3, 1, 8, 8)
    import importlib.util
    if importlib.util.find_spec("onnx") is None:
        assert main(["export", "--checkpoint", str(ck), "--format", "onnx", "--out", str(tmp_path / "g.onnx")]) == 2
        assert "onnx package" in capsys.readouterr().err


def test_folder_template_names_what_to_set(tmp_path, capsys):
    assert main(["train", "--preset", "folder-dcgan", "--steps", "1", "--out", str(tmp_path / "r"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "data.root" in err and "subfolder" in err and "Traceback" not in err
