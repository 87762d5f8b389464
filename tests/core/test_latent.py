"""LatentModel: a frozen copy of G, principal directions, rendering, interpolation (no Qt)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from studio.inspect.latent import LatentModel, lerp, slerp
from studio.tools.model_io import latent_model, open_model
from studio.engine.trainer import Trainer
from studio.config.io import apply_override
from studio.config.presets import load_preset


def trainer(preset: str, *over: str, steps: int = 2, **kw) -> Trainer:
    cfg = load_preset(preset)
    for o in ["train.device=cpu", "checkpoint.every=0", "log.grid_every=0", f"train.steps={steps}",
              *over]:
        apply_override(cfg, o)
    t = Trainer(cfg, snapshots=False, **kw)
    return t


def run(t: Trainer) -> Trainer:
    for _ in t.run():
        pass
    return t


RING = ("ring-2d-gan", "model.hidden=16", "model.depth=2", "train.batch_size=32")
DIGITS = ("digits-dcgan", "data.limit=64", "model.base_channels=8", "train.batch_size=8")


@pytest.fixture(scope="module")
def ring():
    return run(trainer(*RING, write=False))


@pytest.fixture(scope="module")
def digits():
    return run(trainer(*DIGITS, write=False))


def test_toy_model_renders_points(ring):
    m = LatentModel(ring.variant)
    assert m.family == "2d" and m.latent_dim == 2 and m.n_classes == 0
    assert m.directions.shape == (2, 2)
    np.testing.assert_allclose(np.linalg.norm(m.directions, axis=1), 1.0, rtol=1e-5)
    assert m.explained.sum() == pytest.approx(1.0, abs=1e-5)
    im = m.render(m.z_for_seed(0))
    assert im.dtype == np.uint8 and im.shape == (240, 240, 3)
    assert not np.array_equal(im, m.render(m.z_for_seed(0) + 2.0))


def test_image_model_directions_and_render(digits):
    m = LatentModel(digits.variant)
    assert m.family == "image" and m.latent_dim == 32
    k = m.directions.shape[0]
    assert m.directions.shape == (k, 32) and 1 <= k <= 8
    assert np.all(np.diff(m.explained) <= 1e-6)                  # sorted by explained variance
    z = m.z_for_seed(5)
    np.testing.assert_array_equal(z, m.z_for_seed(5))
    im = m.render(z)
    assert im.dtype == np.uint8 and im.shape == (16, 16, 3)
    moved = m.render(m.compose(z, [3.0]))
    assert np.abs(moved.astype(int) - im.astype(int)).sum() > 0
    np.testing.assert_allclose(m.compose(z, None, 0.5), z * 0.5)
    # the exact images the variant's own generator makes from the same z
    G = digits.variant.G
    was = G.training
    G.eval()
    with torch.no_grad():
        ref = digits.variant.generate(torch.from_numpy(z[None]))[0]
    G.train(was)
    np.testing.assert_array_equal(im, LatentModel._to_uint8(ref.numpy()))


def test_copy_is_frozen_and_a_new_one_is_asked_of_the_trainer():
    from studio.engine.commands import CopyGenerator
    from studio.engine.events import GeneratorCopy
    t = trainer(*RING, steps=3, write=False)
    m = LatentModel(t.variant)
    z = m.z_for_seed(1)
    before = m.render(z)
    run(t)                                        # training changes the trainer's G ...
    np.testing.assert_array_equal(m.render(z), before)   # ... not the explorer's copy
    t.cfg.train.steps = 5
    t.send(CopyGenerator(request=7))              # answered between two steps, as the studio asks
    copies = [e for e in t.run() if isinstance(e, GeneratorCopy)]
    assert [(c.request, c.step) for c in copies] == [(7, 3)]
    fresh = copies[0].model
    assert fresh.step == 3 and not np.array_equal(fresh.render(z), before)


def test_interpolation_linear_and_spherical(digits):
    m = LatentModel(digits.variant)
    z0, z1 = m.z_for_seed(1), m.z_for_seed(2)
    for mode in ("linear", "spherical"):
        zs = m.interpolate(z0, z1, 6, mode)
        assert zs.shape == (6, 32)
        np.testing.assert_allclose(zs[0], z0, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(zs[-1], z1, rtol=1e-5, atol=1e-6)
    # spherical keeps the norm between the end norms (linear dips towards the origin)
    s = slerp(z0.astype(float), z1.astype(float), 9)
    l = lerp(z0.astype(float), z1.astype(float), 9)
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    assert np.all(np.linalg.norm(s, axis=1) >= min(n0, n1) - 1e-6)
    assert np.linalg.norm(l[4]) < np.linalg.norm(s[4])
    strip = m.strip(z0, z1, 5, "spherical")
    assert strip.dtype == np.uint8 and strip.shape == (20, 5 * 18 + 2, 3)
    with pytest.raises(ValueError, match="linear"):
        m.interpolate(z0, z1, 3, "cubic")


def test_conditional_class_changes_the_image():
    t = trainer("fashion-cgan", "data.kind=digits", "data.limit=64", "model.base_channels=8",
                "train.batch_size=8", steps=1, write=False)
    m = LatentModel(t.variant)
    assert m.conditional and m.n_classes == 10 and len(m.class_names) == 10
    z = m.z_for_seed(0)
    assert not np.array_equal(m.render(z, 0), m.render(z, 7))


def test_from_checkpoint(tmp_path):
    from studio.engine.events import CheckpointSaved
    t = trainer(*RING, run_dir=tmp_path / "run")
    saved = [e.path for e in t.run() if isinstance(e, CheckpointSaved)]
    path = saved[-1]                                  # the checkpoint written at the end
    m = latent_model(open_model(path))
    live = LatentModel(t.variant)
    z = m.z_for_seed(3)
    np.testing.assert_array_equal(m.render(z), live.render(z))
    assert m.source == Path(path).name and m.step == t.step


def test_no_latent_space_for_saddle():
    t = trainer("saddle-bilinear", steps=1, write=False)
    with pytest.raises(ValueError, match="no latent space"):
        LatentModel(t.variant)


@pytest.fixture(scope="module")
def cgan():
    return trainer("fashion-cgan", "data.kind=digits", "data.limit=64", "model.base_channels=8",
                   "train.batch_size=8", steps=1, write=False)


def test_class_to_class_interpolation_walks_the_one_hot(cgan):
    """A strip from class 2 to class 7 starts as class 2 and ends as class 7 (not eight 2s); the
    middle is G on the soft one-hot halfway, which differs from both ends' classes."""
    m = LatentModel(cgan.variant)
    z0, z1 = m.z_for_seed(1), m.z_for_seed(2)
    ys = m.class_path(2, 7, 5)
    assert ys.shape == (5, 10)
    np.testing.assert_allclose(ys[0], np.eye(10)[2])
    np.testing.assert_allclose(ys[-1], np.eye(10)[7])
    np.testing.assert_allclose(ys[2], 0.5 * (np.eye(10)[2] + np.eye(10)[7]))
    assert m.class_path(3, 3, 5) == 3 and m.class_path(3, None, 5) == 3
    strip = m.strip(z0, z1, 5, "linear", 2, y1=7)
    h = strip.shape[0] - 4                       # the side of one image; tiles are h + 2 apart
    w = strip.shape[1] // 5
    first, last = strip[2:-2, 2:2 + h], strip[2:-2, 2 + 4 * (h + 2):2 + 4 * (h + 2) + h]
    np.testing.assert_array_equal(first, m.render(z0, 2))
    np.testing.assert_array_equal(last, m.render(z1, 7))
    assert not np.array_equal(last, m.render(z1, 2))      # the old strip stayed on class 2
    same = m.strip(z0, z1, 5, "linear", 2)
    assert np.array_equal(same[:, :w], strip[:, :w]) and not np.array_equal(same, strip)


def test_vector_arithmetic_on_means(digits):
    m = LatentModel(digits.variant)
    za = np.stack([m.z_for_seed(s) for s in (1, 2, 3)])
    zb = np.stack([m.z_for_seed(s) for s in (4, 5)])
    ma, mb = m.set_mean(za), m.set_mean(zb)
    assert mb[1] is None
    np.testing.assert_allclose(ma[0], za.mean(0), rtol=1e-6)
    base = m.point(m.z_for_seed(9))
    pts = m.arithmetic(base, ma, mb, [-1, 0, 2])
    np.testing.assert_allclose(pts[1][0], base[0])
    np.testing.assert_allclose(pts[2][0], base[0] + 2 * (za.mean(0) - zb.mean(0)), rtol=1e-5, atol=1e-6)
    ims = m.render_points(pts)
    np.testing.assert_array_equal(ims[1], m.render(base[0]))
    assert not np.array_equal(ims[0], ims[2])
    strip = m.arithmetic_strip(base, ma, mb, [-1, 0, 2])
    assert strip.shape == (20, 2 + 5 * 18 + 10, 3)
    np.testing.assert_array_equal(strip[2:18, 2:18], m.render(ma[0]))
    with pytest.raises(ValueError, match="not conditional"):
        m.set_mean(cls=1)


def test_class_arithmetic_moves_a_sample_to_another_class(cgan):
    """Sets that are whole classes: base (class 3) + 1·(class 5 − class 3) is the same z drawn as a 5."""
    m = LatentModel(cgan.variant)
    base = m.point(m.z_for_seed(4), 3)
    a, b = m.set_mean(cls=5), m.set_mean(cls=3)
    np.testing.assert_array_equal(a[0], 0)
    pts = m.arithmetic(base, a, b, [0, 1, 0.5])
    np.testing.assert_allclose(pts[1][1], np.eye(10)[5])
    ims = m.render_points(pts)
    np.testing.assert_array_equal(ims[0], m.render(base[0], 3))
    np.testing.assert_array_equal(ims[1], m.render(base[0], 5))
    tiles = m.set_mean(np.stack([m.z_for_seed(s) for s in (1, 2)]), [1, 2])
    np.testing.assert_allclose(tiles[1], 0.5 * (np.eye(10)[1] + np.eye(10)[2]))
    with pytest.raises(ValueError, match="0..9"):
        m.set_mean(cls=10)
