"""Opening a checkpoint is not training it: no Trainer, the file read once, no image data loaded
unless the job needs it, and the process's torch state (threads, global random state) untouched."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.config.schema import ConfigError
from studio.data.base import SpecOnly
from studio.engine import checkpoints
from studio.engine import trainer as trainer_module
from studio.engine.trainer import Trainer
from studio.tools import model_io
from studio.tools.export import export
from studio.tools.sample import interpolation_png, sample_to_file

from .helpers import tiny
from .test_images import tiny_image


def _checkpoint(tmp_path, cfg):
    t = Trainer(cfg, tmp_path / "run", snapshots=False)
    list(t.run())
    return t, next((tmp_path / "run" / "checkpoints").glob("end_*.pt"))


@pytest.fixture
def watched(monkeypatch):
    """Counts Trainer constructions, checkpoint reads and image data sets built."""
    seen = {"trainers": 0, "loads": 0, "data": []}
    real_init, real_load, real_make = Trainer.__init__, checkpoints.load, model_io.make_data

    def init(self, *a, **k):
        seen["trainers"] += 1
        real_init(self, *a, **k)

    def load(path, *a, **k):
        seen["loads"] += 1
        return real_load(path, *a, **k)

    def make(d, *a, **k):
        seen["data"].append(d.kind)
        return real_make(d, *a, **k)

    monkeypatch.setattr(trainer_module.Trainer, "__init__", init)
    monkeypatch.setattr(checkpoints, "load", load)
    monkeypatch.setattr(model_io, "make_data", make)
    return seen


def test_sample_and_export_build_no_trainer_and_leave_torch_state_alone(tmp_path, watched):
    _, ck = _checkpoint(tmp_path, tiny_image("digits-dcgan", steps=2))
    watched.update(trainers=0, loads=0, data=[])
    torch.set_num_threads(2)
    torch.manual_seed(1234)
    rng = torch.get_rng_state()
    sample_to_file(str(ck), str(tmp_path / "s.png"), n=16)
    assert watched == {"trainers": 0, "loads": 1, "data": []}     # one read, no image data set
    export(str(ck), "torchscript", str(tmp_path / "g.pt"))
    interpolation_png(str(ck), str(tmp_path / "strip.png"), 1, 2, 4)
    assert watched == {"trainers": 0, "loads": 3, "data": []}
    assert torch.get_num_threads() == 2
    assert torch.equal(torch.get_rng_state(), rng)
    torch.set_num_threads(1)


def test_opened_image_model_matches_the_trainers_generator_without_its_data(tmp_path):
    t, ck = _checkpoint(tmp_path, tiny_image("fashion-cgan", steps=2))
    m = model_io.open_model(ck)
    assert isinstance(m.data, SpecOnly) and m.data.n_classes == 10 and m.step == 2
    assert m.game.class_names == t.variant.class_names
    with pytest.raises(ConfigError, match="without its data"):
        m.data.sample(4, torch.Generator(), torch.device("cpu"))
    z = torch.randn(4, m.cfg.model.latent_dim, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 3, 5, 9])
    for g in (m.game.G, t.variant.G):
        g.eval()
    with torch.no_grad():
        assert torch.equal(m.game.generate(z, y), t.variant.generate(z, y))
    with_data = model_io.open_model(ck, with_data=True)
    assert not isinstance(with_data.data, SpecOnly) and len(with_data.data) > 0


def test_opened_toy_model_has_its_data_and_samples_like_the_run(tmp_path, watched):
    t, ck = _checkpoint(tmp_path, tiny("ring-2d-gan", steps=5))
    watched.update(trainers=0, loads=0, data=[])
    out = sample_to_file(str(ck), str(tmp_path / "s.npy"), n=50, seed=3)
    assert watched["trainers"] == 0 and watched["data"] == ["ring2d"]
    x = np.load(out[0])
    assert x.shape == (50, 2) and np.isfinite(x).all()
