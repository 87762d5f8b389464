"""Build once (issue 18): the preview's build of a configuration is the start a Trainer takes, a run
from it is the CLI's run bit for bit, and building never moves torch's global random state."""
import pytest
import torch

from studio.data import base as data_base
from studio.engine.build import build_game
from studio.engine.trainer import Trainer
from studio.tools import model_io

from .helpers import run_all, tiny

CASES = [("ring-2d-gan", ()), ("digits-dcgan", ("model.base_channels=8", "train.batch_size=16"))]


def _weights(trainer) -> dict:
    return {f"{n}.{k}": v.detach().clone() for n, m in trainer.variant.modules().items()
            for k, v in m.state_dict().items()}


@pytest.mark.parametrize("preset,extra", CASES)
def test_run_from_preview_build_is_the_cli_run(preset, extra):
    cfg = tiny(preset, *extra, steps=4)
    cli = Trainer(cfg, write=False, snapshots=False)
    cli_rng = torch.get_rng_state()                       # what its checkpoints would carry
    run_all(cli)
    torch.manual_seed(99)                                 # whatever the studio did meanwhile
    built, view, _ = model_io.preview_build(cfg)          # what the studio's preview draws from
    reused = Trainer(cfg, write=False, snapshots=False, built=built)
    assert reused.reused and reused.variant is built.game and reused.data is built.data
    assert torch.equal(cli_rng, torch.get_rng_state())
    run_all(reused)
    a, b = _weights(cli), _weights(reused)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert torch.equal(cli.gen.get_state(), reused.gen.get_state())


def test_a_build_starts_one_run_and_only_its_own_config():
    cfg = tiny("ring-2d-gan", steps=2)
    built = build_game(cfg)
    other = tiny("ring-2d-gan", "train.seed=5", steps=2)
    assert not Trainer(other, write=False, snapshots=False, built=built).reused
    assert Trainer(cfg, write=False, snapshots=False, built=built).reused
    assert not Trainer(cfg, write=False, snapshots=False, built=built).reused    # already taken


@pytest.mark.parametrize("preset,extra", CASES)
def test_preview_leaves_the_global_generator_alone(preset, extra):
    torch.manual_seed(1234)
    before = torch.get_rng_state()
    model_io.preview(tiny(preset, *extra))
    assert torch.equal(before, torch.get_rng_state())


def test_the_data_set_is_built_once(monkeypatch):
    cfg = tiny("digits-dcgan", "model.base_channels=8", steps=1)
    calls = []
    loader = data_base.KINDS[cfg.data.kind]
    monkeypatch.setitem(data_base.KINDS, cfg.data.kind, lambda d, src: calls.append(src) or loader(d, src))
    built, _, _ = model_io.preview_build(cfg)
    Trainer(cfg, write=False, snapshots=False, built=built)
    assert len(calls) == 1
    Trainer(cfg, write=False, snapshots=False)          # without a build: it builds its own
    assert len(calls) == 2
