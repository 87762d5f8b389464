"""One fact, one place (issue 18): which metrics a run evaluates comes from the data registry (the data
kind's family, whether it has modes) and the metric catalogue, and is what an evaluation really reports.
The sweep's metric list, its default ranking and the mode-collapse detector ask them; none of them
lists data kinds of its own."""
from __future__ import annotations

import inspect

import pytest

from studio.config.presets import load_preset
from studio.config.schema import DATA_KINDS
from studio.data.base import family_of, has_modes
from studio.engine.events import Evaluation
from studio.engine.trainer import Trainer
from studio.quality import catalogue, diagnostics
from studio.tools import sweep

from .helpers import run_all, tiny


@pytest.mark.parametrize("preset,rank_by", [("ring-2d-gan", "modes"), ("grid-2d-wgan-gp", "modes"),
                                            ("toy-1d-shift", "w1"), ("toy-1d-mlp", "w1")])
def test_the_metrics_a_sweep_offers_are_those_an_evaluation_reports(tmp_path, preset, rank_by):
    cfg = tiny(preset, "eval.every=4", "eval.n_samples=400", steps=4)
    evs = [e for e in run_all(Trainer(cfg, tmp_path / "run", snapshots=False)) if isinstance(e, Evaluation)]
    assert evs, "no evaluation ran"
    names, default = sweep.metrics_of(cfg)
    assert names == list(evs[-1].values), (names, list(evs[-1].values))     # the same names, in order
    assert default == rank_by


def test_points_drawn_by_hand_have_no_modes_to_count_and_rank_by_recall():
    cfg = load_preset("ring-2d-gan")
    cfg.data.kind = "points2d"
    names, default = sweep.metrics_of(cfg)
    assert "modes" not in names and default == "recall"


def test_an_image_run_and_a_game_without_samples():
    names, default = sweep.metrics_of(load_preset("fashion-cgan"))
    assert default == "fid" and names[:6] == ["fid", "kid", "kid_se", "precision", "recall", "diversity"]
    assert {"acc_cond", "diversity_class"} <= set(names)                     # a conditional game
    gp, clipped = sweep.metrics_of(load_preset("fashion-wgan-gp"))[0], sweep.metrics_of(load_preset("fashion-wgan"))[0]
    assert "gnorm_mean" in gp and "clip_frac" not in gp                     # a critic's health
    assert {"gnorm_mean", "clip_frac"} <= set(clipped)                      # and its clipped weights
    assert sweep.metrics_of(load_preset("saddle-bilinear")) == ([], None)


def test_every_registered_kind_has_a_family_and_only_the_ring_and_grid_have_modes():
    assert all(family_of(k) in ("1d", "2d", "image", "none") for k in DATA_KINDS)
    assert {k for k in DATA_KINDS if has_modes(k)} == {"ring2d", "grid2d"}
    for family in ("1d", "2d", "image"):
        names, default = catalogue.measured(family, {"modes"})
        assert names and default in names and all(n in catalogue.METRICS for n in names)


def test_the_sweep_and_the_diagnostics_name_no_data_kind():
    for module in (sweep, diagnostics):
        src = inspect.getsource(module)
        named = [k for k in DATA_KINDS if f'"{k}"' in src and k != "gaussian1d"]
        assert not named, f"{module.__name__} codes data kinds itself: {named}"
