"""The latent explorer's class selector names the classes of an image folder (its subfolders), as
`gan-studio sample --class NAME` does, from a checkpoint's metadata, and numbers where the data has no
names; a class picked by name with the mouse changes the sample, also in the window after Load."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.cli import main
from studio.gui.panels.latent_explorer import LatentExplorer
from studio.tools import model_io
from tests.gui.hands import click_tab, pick
from tests.gui.test_latent import model

NAMES = ["cat", "dog", "owl"]


@pytest.fixture(scope="module")
def pets_checkpoint(tmp_path_factory):
    """A conditional GAN trained one step on a folder of three named classes (one colour each), as
    `gan-studio train` leaves it: its end checkpoint."""
    root = tmp_path_factory.mktemp("pets")
    rng = np.random.default_rng(0)
    for i, name in enumerate(NAMES):
        (root / "images" / name).mkdir(parents=True)
        for k in range(6):
            a = np.zeros((16, 16, 3), np.uint8)
            a[..., i] = 200
            a += rng.integers(0, 50, a.shape, dtype=np.uint8)
            Image.fromarray(a).save(root / "images" / name / f"{k}.png")
    sets = [f"data.root={root / 'images'}", "data.kind=image_folder", "data.image_size=16",
            "model.base_channels=8", "train.batch_size=8", "train.augment=none", "eval.every=0",
            "train.threads=1"]
    args = ["train", "--preset", "fashion-cgan", "--steps", "1", "--out", str(root / "run"), "--quiet"]
    assert main(args + [a for kv in sets for a in ("--set", kv)]) == 0
    return next((root / "run" / "checkpoints").glob("end_*.pt"))


@pytest.fixture(scope="module")
def pets(pets_checkpoint):
    """The checkpoint's generator as the studio opens it: the class names come from its metadata."""
    return model_io.latent_model(model_io.open_model(str(pets_checkpoint)))


@pytest.fixture
def explorer(qtbot):
    ex = LatentExplorer()
    qtbot.addWidget(ex)
    ex.resize(900, 700)
    ex.show()
    qtbot.waitExposed(ex)
    yield ex
    assert ex.shutdown(5000)


def settled(qtbot, ex):
    qtbot.waitUntil(lambda: ex._shown["image"] >= ex._stamp and not ex._busy, timeout=10_000)
    return ex.image.copy()


def test_a_class_picked_by_its_folder_name_changes_the_sample(qtbot, explorer, pets):
    ex = explorer
    assert pets.class_names == NAMES
    with qtbot.waitSignal(ex.rendered, timeout=10_000):
        ex.set_source(pets)
    assert ex.cls.isVisible() and [ex.cls.itemText(i) for i in range(ex.cls.count())] == NAMES
    first = settled(qtbot, ex)
    np.testing.assert_array_equal(first, pets.render(ex.current_z(), 0))
    pick(qtbot, ex.cls, "owl")
    assert ex.cls.currentText() == "owl" and ex.current_class() == 2
    owl = settled(qtbot, ex)
    assert not np.array_equal(owl, first)
    np.testing.assert_array_equal(owl, pets.render(ex.current_z(), 2))
    # the interpolation names the classes of its two ends
    ex.set_a.click()
    pick(qtbot, ex.cls, "dog")
    ex.set_b.click()
    assert "class owl (left)" in ex.strip_hint.text() and "class dog (right)" in ex.strip_hint.text()


def test_classes_without_names_are_numbered(qtbot, explorer):
    m = model("fashion-cgan", "data.kind=digits", "data.limit=64", "model.base_channels=8", "train.batch_size=8")
    ex = explorer
    with qtbot.waitSignal(ex.rendered, timeout=10_000):
        ex.set_source(m)
    assert [ex.cls.itemText(i) for i in range(ex.cls.count())] == [str(i) for i in range(10)]
    before = settled(qtbot, ex)
    pick(qtbot, ex.cls, "7")
    assert ex.current_class() == 7 and not np.array_equal(settled(qtbot, ex), before)


def test_in_the_window_a_loaded_checkpoint_offers_its_class_names(qtbot, make_window, pets_checkpoint):
    w = make_window("ring-2d-gan")
    qtbot.waitExposed(w)
    w.ckpt.load(str(pets_checkpoint))                  # what the checkpoints panel's Load does
    click_tab(qtbot, w.tabs.tabBar(), "Latent explorer")
    ex = w.latent_explorer()
    qtbot.waitUntil(lambda: ex.model is not None and ex.image is not None, timeout=20_000)
    assert [ex.cls.itemText(i) for i in range(ex.cls.count())] == NAMES
    before = settled(qtbot, ex)
    pick(qtbot, ex.cls, "dog")
    assert ex.current_class() == 1 and not np.array_equal(settled(qtbot, ex), before)
