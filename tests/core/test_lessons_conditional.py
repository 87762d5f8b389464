"""Lessons 11 (conditional generation) and 12 (translation without pairs), and lesson 4's first page:
the probes they read (a classifier of the real digits on a conditional generator's samples; CycleGAN's
round trip on fixed images), each lesson's first page shortened, and their figures."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from studio.config.presets import load_preset
from studio.config.schema import ConfigError
from studio.data import make_data
from studio.lessons import checks_conditional as cc
from studio.lessons.figures import page_figures
from studio.lessons.format import load_lesson, parse_lesson
from studio.lessons.play import play_page


class Drawer:
    """A stand-in conditional generator that draws real digits: of the asked class (shift 0) or of
    the next class (shift 1)."""
    conditional, makes_samples, translates = True, True, False

    def __init__(self, data, shift: int):
        self.data, self.shift, self.n_classes, self.device = data, shift, data.n_classes, torch.device("cpu")
        self.cfg = SimpleNamespace(data=SimpleNamespace(kind="digits"), model=SimpleNamespace(latent_dim=4))
        self.by_class = [torch.nonzero(data.y == c).ravel() for c in range(data.n_classes)]

    def modules(self):
        return {}

    def generate(self, z, y):
        pick = [self.by_class[(int(c) + self.shift) % self.n_classes][i % 100] for i, c in enumerate(y)]
        return self.data.x[torch.stack(pick)]


def digits():
    cfg = load_preset("fashion-cgan")
    cfg.data.kind = "digits"
    return make_data(cfg.data)


def test_the_classifier_says_how_often_a_sample_asked_to_be_c_is_a_c():
    data = digits()
    right = cc.class_accuracy(Drawer(data, 0), torch.Generator().manual_seed(0))
    wrong = cc.class_accuracy(Drawer(data, 1), torch.Generator().manual_seed(0))
    assert right["class_acc"] > 0.95 and min(right[f"class_acc_{c}"] for c in range(10)) > 0.8
    assert wrong["class_acc"] < 0.05
    rec = SimpleNamespace(values=lambda k: np.array([right[k]]) if k in right else np.array([]),
                          series={k: [(0, v)] for k, v in right.items()})
    assert cc.class_acc(rec) == pytest.approx(right["class_acc"])
    assert cc.class_acc(rec, which="min") == pytest.approx(min(right[f"class_acc_{c}"] for c in range(10)))


def test_lesson_11_first_page_shortened_is_near_chance_and_draws_its_figures():
    """30 iterations of the cGAN: its samples are not yet of the asked class, and the checks say so."""
    les = load_lesson("conditional-generation")
    assert [len(p.runs) for p in les.pages] == [1, 1, 2]
    res = play_page(les, 0, seed=1, steps=30)
    acc = res.checks[0].value
    assert 0.0 <= acc < 0.4 and not res.checks[0].passed
    rec = res.records["cGAN"]
    assert len(rec.values("class_acc")) >= 10 and rec.has("class_acc_9")
    figs = page_figures(res, 1)
    assert set(figs) == {"curves", "samples", "classes"}
    assert all(img.dtype == np.uint8 and img.shape[0] > 100 and img.std() > 5 for img in figs.values())


def test_lesson_12_first_page_shortened_the_round_trip_error_falls():
    les = load_lesson("cycle-translation")
    res = play_page(les, 0, seed=2, steps=20)
    by = {c.spec.name: c for c in res.checks}
    err = res.records["λ = 10"].values("cycle_error")
    assert len(err) >= 10 and err[0] > 0.4                      # untrained generators: far from x
    assert 0 < by["cycle_err_ratio"].value < 0.9                # falls within 20 iterations already
    assert math.isfinite(by["cycle_err"].value)
    figs = page_figures(res, 2)
    assert {"curves", "end"} <= set(figs) and figs["end"].shape[0] > 250     # six rows of images


def test_the_new_checks_parameters_are_checked_by_the_loader(tmp_path):
    page = {"title": "p", "text": "x", "run": [{"label": "a", "preset": "fashion-cgan", "set": {"data.kind": "digits"}}],
            "check": [{"name": "class_acc", "with": {"which": "max"}, "above": 0.5}]}
    with pytest.raises(ConfigError, match=r"check 1 \(class_acc\): with.which: expected one of mean, min"):
        parse_lesson({"schema_version": 1, "title": "t", "page": [page]}, tmp_path / "l.toml")
    page["check"][0]["with"] = {"which": "min"}
    page["figures"] = ["classes", "samples"]
    assert parse_lesson({"schema_version": 1, "title": "t", "page": [page]}, tmp_path / "l.toml").pages[0].checks


def test_lesson_4_first_page_shortened_settles_and_k_1_keeps_swinging():
    """Algorithm 1 with k = 10 brings θ onto μ within 150 iterations and keeps it there; k = 1 (the
    second page, as long) leaves θ swinging around μ: ten times the spread."""
    les = load_lesson("algorithm-1-k")
    k10 = play_page(les, 0, seed=4, steps=150)
    assert [c.passed for c in k10.checks] == [True, True], [(c.label, c.value) for c in k10.checks]
    assert k10.checks[0].value < 0.1
    k1 = play_page(les, 1, seed=4, steps=150)
    assert k1.checks[0].passed and k1.checks[0].value > 10 * k10.checks[1].value
