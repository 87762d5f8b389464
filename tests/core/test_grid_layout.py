"""An image snapshot says where each sample and its class sit in its grid (the view infers nothing
from the pixels): a conditional game's fixed labels, one class a column; none for an unconditional
game on labelled data."""
import numpy as np

from studio.config.io import apply_override
from studio.config.presets import load_preset
from studio.engine.trainer import Trainer
from studio.inspect.grids import GRID_PADDING, image_snapshot

SMALL = ["data.kind='digits'", "data.image_size=8", "model.latent_dim=8", "model.base_channels=8",
         "train.batch_size=16", "train.steps=1", "eval.every=0", "log.grid_samples=20",
         "train.device='cpu'", "checkpoint.every=0"]


def snap_of(preset: str) -> dict:
    cfg = load_preset(preset)
    for o in SMALL:
        apply_override(cfg, o)
    return image_snapshot(Trainer(cfg, write=False).variant)


def test_conditional_grids_carry_each_tiles_class():
    d = snap_of("fashion-cgan")
    lay = d["layout"]
    assert (lay["rows"], lay["cols"], lay["padding"]) == (2, 10, GRID_PADDING)
    classes = np.asarray(lay["classes"])
    assert classes.shape == (2, 10) and (classes == np.arange(10)).all()       # one class a column
    t = (d["grid"].shape[1] - GRID_PADDING) // lay["cols"]
    assert d["grid"].shape[0] == lay["rows"] * t + GRID_PADDING


def test_unconditional_grids_on_labelled_data_name_no_class():
    d = snap_of("digits-dcgan")
    assert d["n_classes"] == 10 and d["layout"]["classes"] is None
    assert d["layout"]["rows"] * d["layout"]["cols"] >= 20
