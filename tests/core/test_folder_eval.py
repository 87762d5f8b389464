"""Quality evaluation on an image folder reads real images from the uint8 cache a chunk at a time:
never the whole folder as floats (issue 19: 50,000 64x64 colour images are 2.4 GB as float32),
with the same figures as on the same pixels held in memory."""
import numpy as np
import pytest
import torch
from PIL import Image

from studio.config.schema import DataConfig
from studio.data import make_data
from studio.data.folder import FolderImages
from studio.data.images import ImageData
from studio.engine.events import Evaluation
from studio.engine.trainer import Trainer
from studio.quality import features
from studio.quality.evaluate import Evaluator
from tests.core.test_images import tiny_image


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """60 colour 8x8 images in two classes (a dark and a light one), a private cache."""
    monkeypatch.setenv("GAN_STUDIO_CACHE", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    for i in range(60):
        c = i % 2
        px = rng.integers(0, 120, (8, 8, 3)) + 120 * c
        p = tmp_path / "im" / f"c{c}" / f"{i}.png"
        p.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(px.astype(np.uint8)).save(p)
    return tmp_path / "im"


def _no_whole_copy(monkeypatch):
    """FolderImages.x (the whole folder as one float tensor) raises: evaluation must not need it."""
    def refuse(self):
        raise AssertionError("evaluation read the whole folder as floats (FolderImages.x)")
    monkeypatch.setattr(FolderImages, "x", property(refuse))


def test_a_run_on_a_folder_evaluates_without_a_float_copy_of_the_folder(folder, tmp_path, monkeypatch):
    cfg = tiny_image("folder-dcgan", f"data.root='{folder}'", "data.kind='image_folder'", "eval.every=2",
                     "eval.n_samples=64", steps=2)
    _no_whole_copy(monkeypatch)
    evs = [e for e in Trainer(cfg, tmp_path / "run", snapshots=False).run() if isinstance(e, Evaluation)]
    assert len(evs) == 1 and np.isfinite(evs[0].values["fid"]) and 0 < evs[0].values["diversity"]


def test_folder_figures_equal_those_on_the_same_pixels_in_memory(folder, tmp_path, monkeypatch):
    """The chunked reads change where pixels come from, not the figures: the evaluator on the folder
    and on an ImageData of the very same pixels agree on FID, KID, precision, recall and the
    memorisation check (feature and pixel space)."""
    cfg = tiny_image("folder-dcgan", f"data.root='{folder}'", "data.kind='image_folder'", "eval.n_samples=64",
                     "train.device='cpu'", steps=1)
    trainer = Trainer(cfg, tmp_path / "run", snapshots=False)
    src = trainer.variant.data
    assert isinstance(src, FolderImages)
    mem = ImageData(src.images(np.arange(len(src))), src.y.clone(), src.n_classes, "same pixels")
    chunks = []
    orig = features.take_images
    with pytest.MonkeyPatch.context() as mp:          # (the fixture's cache folder stays set)
        mp.setattr(features, "take_images", lambda d, idx: chunks.append(len(idx)) or orig(d, idx))
        ev_folder = Evaluator(trainer.variant, cfg)
        ev_folder.data = src
        _no_whole_copy(mp)
        a = ev_folder.evaluate()
        ma, pa = ev_folder.memorisation("feature"), ev_folder.memorisation("pixel")
    ev_mem = Evaluator(trainer.variant, cfg)
    ev_mem.data = mem
    b = ev_mem.evaluate()
    mb, pb = ev_mem.memorisation("feature"), ev_mem.memorisation("pixel")
    assert set(a) == set(b) and "fid" in a
    for k in a:
        assert a[k] == pytest.approx(b[k], rel=1e-4, abs=1e-6), k
    for m1, m2 in ((ma, mb), (pa, pb)):
        assert np.array_equal(m1["index"], m2["index"]) and np.allclose(m1["distance"], m2["distance"])
        assert np.array_equal(m1["nearest"], m2["nearest"]) and np.allclose(m1["held"], m2["held"])
    assert chunks and max(chunks) <= 1024


def test_memorisation_reads_the_training_images_in_chunks(folder, tmp_path, monkeypatch):
    """With a chunk of 7 images, the nearest image is still the closest of all (checked by brute force)."""
    cfg = tiny_image("folder-dcgan", f"data.root='{folder}'", "data.kind='image_folder'", steps=1)
    trainer = Trainer(cfg, tmp_path / "run", snapshots=False)
    orig = features.image_chunks
    monkeypatch.setattr(features, "image_chunks", lambda d, idx, chunk=1024: orig(d, idx, 7))
    m = Evaluator(trainer.variant, cfg).memorisation("pixel")
    src = trainer.variant.data
    tr, _ = features.split(len(src))
    pool = src.images(tr).flatten(1).double()
    q = torch.from_numpy(m["samples"]).flatten(1).double()
    best = torch.cdist(q, pool).min(1)
    assert np.allclose(m["distance"], best.values.numpy()) and np.array_equal(m["index"], tr[best.indices.numpy()])


def test_the_folder_classifier_is_cached_under_the_uint8_pixels(folder, monkeypatch):
    d = make_data(DataConfig(kind="image_folder", root=str(folder)), "p")
    _no_whole_copy(monkeypatch)
    features._MEMO.clear()
    fs = features.classifier_for(d)
    assert fs.trained_now and fs.path.is_file() and fs.data_hash == features.u8_hash(d.u8, d.y)
    features._MEMO.clear()
    again = features.classifier_for(make_data(DataConfig(kind="image_folder", root=str(folder)), "p"))
    assert not again.trained_now and again.path == fs.path
