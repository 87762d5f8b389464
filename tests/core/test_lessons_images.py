"""Lessons 9, 10 and 13 (issue 21): the DCGAN guidelines that can be switched off (model.d_activation,
model.resample), the image probes (interpolation, arithmetic on class means, nearest training images)
on generators whose answer is known, the checks that compare two runs, and each lesson's first page
played scaled down."""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
from torch import nn

from studio.config.io import apply_override
from studio.config.schema import ConfigError
from studio.engine.build import build_game
from studio.nets.build import build_nets
from studio.lessons import checks, checks_images, format as lesson_format
from studio.lessons.figures import page_figures
from studio.lessons.format import load_lesson, parse_lesson
from studio.lessons.play import play_page
from tests.core.helpers import tiny

LESSONS = ["dcgan-guidelines", "latent-space", "did-it-copy"]


def digits_game(*overrides: str):
    cfg = tiny("digits-dcgan", "data.image_size=8", "eval.every=0", *overrides)
    return build_game(cfg).game


def test_the_image_lessons_load_and_their_checks_are_declared_alike():
    for name in LESSONS:
        les = load_lesson(name)
        assert les.pages and all(p.checks for p in les.pages), name
    for name, params in checks_images.PARAMS.items():
        assert lesson_format.CHECKS[name] == params and checks.CHECKS[name] is checks_images.CHECKS[name]


class Digits8:
    """What build_nets asks of a data set: 8x8 grey images with ten classes."""
    family, shape, n_classes = "image", (1, 8, 8), 10


def nets(*overrides: str):
    cfg = tiny("digits-dcgan", "data.image_size=8", *overrides)
    return build_nets(cfg, Digits8(), "cpu")


def test_the_guidelines_switched_off_build_other_layers_and_train():
    G, D = nets()
    kinds = {type(m) for m in D.modules()}
    assert nn.LeakyReLU in kinds and nn.AvgPool2d not in kinds and nn.ReLU not in kinds
    G_off, D_off = nets("model.d_activation=relu", "model.resample=pool")
    kinds = {type(m) for m in D_off.modules()}
    assert nn.ReLU in kinds and nn.AvgPool2d in kinds and nn.LeakyReLU not in kinds
    assert nn.Upsample in {type(m) for m in G_off.modules()}
    assert not any(isinstance(m, nn.ConvTranspose2d) and m.stride == (2, 2) for m in G_off.modules())
    x = G_off(torch.randn(5, 32))
    assert x.shape == (5, 1, 8, 8) and D_off(x).shape == (5, 1)
    opt = torch.optim.Adam(list(G_off.parameters()), 1e-2)
    before = D_off(G_off(torch.randn(64, 32))).mean().item()
    for _ in range(5):                                    # G learns through the pooled D
        loss = -D_off(G_off(torch.randn(64, 32))).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert D_off(G_off(torch.randn(64, 32))).mean().item() > before
    # the default keeps the parameter names (and so old checkpoints) of the strided DCGAN
    assert list(D.state_dict()) == list(nets("model.resample=strided")[1].state_dict())
    assert [k for k in G.state_dict()] == [k for k in nets("model.d_activation=relu")[0].state_dict()]
    cfg = tiny("digits-dcgan")
    with pytest.raises(ConfigError, match="model.resample"):
        apply_override(cfg, "model.resample=maxpool")


class Linear(nn.Module):
    """G(z) = A z, an image: every interpolation's steps are equal."""

    def __init__(self, d, side=8):
        super().__init__()
        self.side = side
        self.a = nn.Linear(d, side * side, bias=False)

    def forward(self, z, y=None):
        return torch.tanh(0.01 * self.a(z)).view(-1, 1, self.side, self.side)


class Switch(nn.Module):
    """G(z) = one of two images by the sign of z₀: every interpolation that crosses 0 jumps."""

    def __init__(self, side=8):
        super().__init__()
        self.side = side
        self.register_buffer("ims", torch.stack([-torch.ones(side * side), torch.ones(side * side)]))

    def forward(self, z, y=None):
        return self.ims[(z[:, 0] > 0).long()].view(-1, 1, self.side, self.side)


def test_interpolation_measures_an_even_pace_and_a_jump():
    game = digits_game()
    game.G = Linear(game.cfg.model.latent_dim)
    with torch.no_grad():
        game.G.a.weight.normal_()
    v, pics = checks_images.interpolation(game, torch.Generator().manual_seed(0))
    assert v["interp_step"] == pytest.approx(1 / 8, rel=0.02)     # tanh of small values: nearly linear
    assert pics["interpolation"].dtype == np.uint8 and pics["interpolation"].shape[0] > 100
    game.G = Switch()
    v, _ = checks_images.interpolation(game, torch.Generator().manual_seed(0))
    assert v["interp_step"] == pytest.approx(1.0)                # pairs on one side have no distance: left out


class Copier(nn.Module):
    """G(z) = one of the training images, chosen by z: a generator that memorised them."""

    def __init__(self, images):
        super().__init__()
        self.register_buffer("ims", images.float())

    def forward(self, z, y=None):
        i = (z[:, 0].abs() * 1000).long() % len(self.ims)
        return self.ims[i]


def test_nearest_training_images_tell_a_copier_from_new_images():
    game = digits_game("data.limit=50")
    assert len(game.data.x) == 50
    game.G = Copier(game.data.x)
    v, pics = checks_images.memorisation(game, torch.Generator().manual_seed(0))
    assert v["copy_ratio"] == 0.0 and v["copy_close"] == 1.0 and "nearest" in pics
    held = checks_images.held_out(game)
    game.G = Copier(held[:200])       # real digits it never trained on: as far as held-out images are
    v, _ = checks_images.memorisation(game, torch.Generator().manual_seed(0))
    assert 0.7 < v["copy_ratio"] < 1.3
    assert checks_images.held_out(digits_game()) is None     # trained on every image: nothing held out


def test_metric_ratio_names_another_run_of_the_page(tmp_path):
    page = {"title": "p", "text": "x",
            "run": [{"label": "a", "preset": "toy-1d-shift"}, {"label": "b", "preset": "toy-1d-shift"}],
            "check": [{"name": "metric_ratio", "run": "b", "with": {"key": "w1", "other": "a"}, "above": 1.0}]}
    data = {"schema_version": 1, "title": "t", "page": [page]}
    les = parse_lesson(data, tmp_path / "l.toml")
    assert les.pages[0].checks[0].params["other"] == "a"
    bad = copy.deepcopy(data)
    bad["page"][0]["check"][0]["with"]["other"] = "c"
    with pytest.raises(ConfigError, match=r"l.toml: page 1 \('p'\): check 1 \(metric_ratio\): with.other: 'c' is not"):
        parse_lesson(bad, tmp_path / "l.toml")
    del bad["page"][0]["check"][0]["with"]["other"]
    with pytest.raises(ConfigError, match="needs with.other"):
        parse_lesson(bad, tmp_path / "l.toml")


@pytest.mark.parametrize("name, steps", [("dcgan-guidelines", 20), ("latent-space", 40), ("did-it-copy", 40)])
def test_each_image_lessons_first_page_plays_scaled_down_and_measures(name, steps):
    les = load_lesson(name)
    for spec in les.pages[0].runs:        # one small evaluation at the end: FID on 200 images is rough, but a number
        spec.config.eval.every = min(spec.config.eval.every, steps) if spec.config.eval.every else 0
        spec.config.eval.n_samples = 200
    res = play_page(les, 0, seed=0, steps=steps)
    assert res.checks and all(math.isfinite(c.value) for c in res.checks), [(c.label, c.error) for c in res.checks]
    figs = page_figures(res, 0)
    assert set(figs) == set(les.pages[0].figures)
    for img in figs.values():
        assert img.dtype == np.uint8 and img.ndim == 3 and img.std() > 5


def test_the_end_probe_measures_what_the_data_allows():
    game = digits_game("data.limit=50")
    values, pictures = checks_images.end_probe(game, torch.Generator().manual_seed(0))
    # untrained: too few confident samples per class for class means, but the classes were counted
    assert {"interp_step", "arith_classes", "copy_ratio", "copy_side"} <= set(values)
    assert {"interpolation", "nearest"} <= set(pictures)
    game.data.x = None                       # a data set whose images are not held in memory (read in chunks)
    values, pictures = checks_images.end_probe(game, torch.Generator().manual_seed(0))
    assert "interp_step" in values and "copy_ratio" not in values and "arith_classes" not in values
