"""Class names and samples as data: `--class` takes a folder's class names (errors list them),
`sample --out DIR/` writes one PNG per sample, `.npy` writes the array (for image models too), and an
exported model carries the class names in its metadata."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from studio.cli import main

TINY = ["--set", "data.image_size=8", "--set", "model.base_channels=8", "--set", "train.batch_size=8",
        "--set", "checkpoint.every=0", "--set", "eval.every=0", "--set", "log.grid_every=0",
        "--set", "model.latent_dim=8", "--device", "cpu", "--quiet"]
CLASSES = ("Ankle boot", "cat", "dog")


@pytest.fixture(scope="module")
def cgan(tmp_path_factory):
    """A conditional GAN trained 2 steps on a folder with three named classes."""
    root = tmp_path_factory.mktemp("pets")
    rng = np.random.default_rng(0)
    for name in CLASSES:
        (root / name).mkdir()
        for i in range(6):
            Image.fromarray(rng.integers(0, 255, (12, 12, 3), dtype=np.uint8)).save(root / name / f"{i}.png")
    out = tmp_path_factory.mktemp("run") / "pets-cgan"
    assert main(["train", "--preset", "fashion-cgan", "--steps", "2", "--out", str(out), *TINY,
                 "--set", "data.kind='image_folder'", "--set", f"data.root='{root}'"]) == 0
    return next((out / "checkpoints").glob("end_*.pt"))


def test_class_by_name_and_errors_that_list_the_names(cgan, tmp_path, capsys):
    by_name, by_number = tmp_path / "a.npy", tmp_path / "b.npy"
    assert main(["sample", "--checkpoint", str(cgan), "-n", "6", "--class", "dog", "--out", str(by_name)]) == 0
    assert main(["sample", "--checkpoint", str(cgan), "-n", "6", "--class", "2", "--out", str(by_number)]) == 0
    np.testing.assert_array_equal(np.load(by_name), np.load(by_number))
    assert (np.load(tmp_path / "a.labels.npy") == 2).all()
    assert main(["sample", "--checkpoint", str(cgan), "-n", "2", "--class", "ANKLE BOOT",
                 "--out", str(tmp_path / "c.npy")]) == 0          # case does not matter
    capsys.readouterr()
    assert main(["sample", "--checkpoint", str(cgan), "--class", "horse", "--out", str(tmp_path / "d.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--class horse" in err and "0 Ankle boot, 1 cat, 2 dog" in err
    assert main(["interpolate", "--checkpoint", str(cgan), "--seeds", "1", "2", "--class", "cat",
                 "--class-b", "dog", "--out", str(tmp_path / "i.png")]) == 0
    assert main(["arithmetic", "--checkpoint", str(cgan), "--a", "class:dog", "--b", "class:cat", "--base", "3",
                 "--class", "cat", "--out", str(tmp_path / "ar.png")]) == 0
    assert "class 2 (dog)" in capsys.readouterr().err
    assert main(["arithmetic", "--checkpoint", str(cgan), "--a", "class:horse", "--b", "1", "--base", "3",
                 "--out", str(tmp_path / "ar.png")]) == 2
    assert "--a class:horse" in capsys.readouterr().err


def test_a_folder_gets_one_png_per_sample(cgan, tmp_path, capsys):
    out = tmp_path / "pngs"
    assert main(["sample", "--checkpoint", str(cgan), "-n", "7", "--out", f"{out}/"]) == 0
    files = sorted(out.glob("*.png"))
    assert [f.name for f in files][:4] == ["sample-0000-Ankle_boot.png", "sample-0001-cat.png",
                                           "sample-0002-dog.png", "sample-0003-Ankle_boot.png"]
    assert len(files) == 7 and len(capsys.readouterr().out.splitlines()) == 7
    a = np.asarray(Image.open(files[0]))
    assert a.shape == (8, 8, 3) and a.dtype == np.uint8          # the model's own size, not enlarged
    grid = np.load(tmp_path / "x.npy") if main(["sample", "--checkpoint", str(cgan), "-n", "7", "--out",
                                                 str(tmp_path / "x.npy")]) == 0 else None
    assert grid.shape == (7, 3, 8, 8) and grid.dtype == np.float32 and -1 <= grid.min() <= grid.max() <= 1
    np.testing.assert_array_equal(a, np.round((grid[0].transpose(1, 2, 0) + 1) * 127.5).astype(np.uint8))
    assert (tmp_path / "x.png").is_file()     # a grid beside, as for 1D/2D data


def test_unconditional_image_samples_as_array_and_folder(tmp_path):
    out = tmp_path / "digits"
    assert main(["train", "--preset", "digits-dcgan", "--steps", "2", "--out", str(out), *TINY]) == 0
    ck = next((out / "checkpoints").glob("end_*.pt"))
    assert main(["sample", "--checkpoint", str(ck), "-n", "5", "--out", str(tmp_path / "s.npy")]) == 0
    x = np.load(tmp_path / "s.npy")
    assert x.shape == (5, 1, 8, 8) and not (tmp_path / "s.labels.npy").exists()
    assert main(["sample", "--checkpoint", str(ck), "-n", "3", "--out", f"{tmp_path / 'each'}/"]) == 0
    names = sorted(p.name for p in (tmp_path / "each").iterdir())
    assert names == ["sample-0000.png", "sample-0001.png", "sample-0002.png"]
    assert np.asarray(Image.open(tmp_path / "each" / names[0])).shape == (8, 8)      # grey stays grey
    assert main(["sample", "--checkpoint", str(ck), "-n", "20000", "--out", str(tmp_path / "big.npy")]) == 2


def test_toy_models_keep_their_formats(tmp_path, capsys):
    out = tmp_path / "toy"
    assert main(["train", "--preset", "toy-1d-shift", "--steps", "2", "--out", str(out), "--quiet"]) == 0
    ck = next((out / "checkpoints").glob("end_*.pt"))
    assert main(["sample", "--checkpoint", str(ck), "-n", "3", "--out", f"{tmp_path / 'dir'}/"]) == 2
    assert "1D/2D samples are written as .npy or .csv" in capsys.readouterr().err


def test_export_carries_the_class_names(cgan, tmp_path):
    out = tmp_path / "g.pt2"
    assert main(["export", "--checkpoint", str(cgan), "--out", str(out)]) == 0
    meta = json.loads(out.with_name(out.name + ".json").read_text())
    assert meta["class_names"] == list(CLASSES) and meta["n_classes"] == 3
