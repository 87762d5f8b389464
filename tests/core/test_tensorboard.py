"""A short run writes TensorBoard events that TensorBoard itself reads back: scalars of every step,
the sample grid as an image whenever the PNG grid is written, and weight and gradient histograms."""
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from studio.engine.trainer import Trainer
from tests.core.helpers import run_all, tiny


def test_a_short_run_writes_scalars_images_and_histograms(tmp_path):
    cfg = tiny("digits-dcgan", "data.image_size=0", "model.base_channels=8", "log.grid_samples=4",
               "log.grid_every=2", "log.histogram_every=3", "eval.every=0", "train.batch_size=8", steps=6)
    run_all(Trainer(cfg, tmp_path / "run", snapshots=False))
    acc = EventAccumulator(str(tmp_path / "run" / "tb"), size_guidance={"images": 0, "histograms": 0,
                                                                          "scalars": 0})
    acc.Reload()
    tags = acc.Tags()
    assert "loss_d" in tags["scalars"] and [e.step for e in acc.Scalars("loss_d")] == [1, 2, 3, 4, 5, 6]
    assert tags["images"] == ["samples"]
    imgs = acc.Images("samples")
    assert [e.step for e in imgs] == [2, 4, 6] and imgs[0].width > 8 and imgs[0].height > 8
    assert (tmp_path / "run" / "samples" / "step_00000002.png").is_file()     # the PNG is still written
    weights = [t for t in tags["histograms"] if t.startswith("weights/")]
    grads = [t for t in tags["histograms"] if t.startswith("grads/")]
    assert any(t.startswith("weights/G/") for t in weights) and any(t.startswith("weights/D/") for t in weights)
    assert grads and all(("weights/" + t[len("grads/"):]) in weights for t in grads)
    h = acc.Histograms(weights[0])
    assert [e.step for e in h] == [3, 6] and h[0].histogram_value.num > 0


def test_histograms_can_be_turned_off(tmp_path):
    cfg = tiny("digits-dcgan", "data.image_size=0", "model.base_channels=8", "log.grid_samples=4",
               "log.grid_every=0", "log.histogram_every=0", "eval.every=0", "train.batch_size=8", steps=3)
    run_all(Trainer(cfg, tmp_path / "run", snapshots=False))
    acc = EventAccumulator(str(tmp_path / "run" / "tb"))
    acc.Reload()
    assert acc.Tags()["histograms"] == [] and acc.Tags()["images"] == [] and acc.Tags()["scalars"]
