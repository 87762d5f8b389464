"""The Memorisation tab: a loaded image checkpoint checked off the GUI thread, drawn as pairs, a
histogram and a verdict; the feature classifier's training shows as a progress bar in the status bar."""
import os

import numpy as np

from studio.engine.events import Progress
from studio.engine.trainer import Trainer
from tests.core.helpers import run_all, tiny
from tests.gui.hands import click, pick

SHOTS = os.environ.get("GAN_STUDIO_SHOTS")     # set to a folder to save screenshots of the tab


def _checkpoint(tmp_path):
    cfg = tiny("digits-dcgan", "data.image_size=0", "model.base_channels=8", "log.grid_samples=16",
               "log.grid_every=0", "eval.every=0", "train.batch_size=16", steps=3)
    run_all(Trainer(cfg, tmp_path / "run", snapshots=False))
    return str(tmp_path / "run" / "checkpoints" / "end_00000003.pt")


def test_memorisation_of_a_loaded_checkpoint(make_window, qtbot, tmp_path):
    w = make_window("digits-dcgan")
    memo = w.memo
    path = _checkpoint(tmp_path)
    w.ckpt.load(path)
    qtbot.waitUntil(lambda: w.shown_checkpoint == path, timeout=30_000)
    memo.show()
    assert w.tabs.currentWidget() is memo.view and memo.view.button.isEnabled()
    assert "end_00000003.pt" in memo.view.title.text()              # what a check would look at
    pick(qtbot, memo.view.space, memo.view.space.itemText(memo.view.space.findData("pixel")))
    assert memo.view.space.currentData() == "pixel"
    click(qtbot, memo.view.button)
    assert memo.view.button.text() == "Checking…"                    # the click returns at once
    qtbot.waitUntil(lambda: memo.view.result is not None, timeout=60_000)
    m = memo.view.result
    assert m["space"] == "pixel" and len(memo.view.pairs.pairs) == 16
    assert [p[2] for p in memo.view.pairs.pairs] == sorted(m["distance"].tolist())     # closest first
    assert memo.view.verdict.isVisible() and "held-out median" in memo.view.verdict.text()
    assert len(memo.view.plot.listDataItems()) + len(memo.view.plot.items) > 2          # bars and medians
    assert memo.view.button.isEnabled() and not w.status["busy"].isVisible()
    if SHOTS:
        for size in ((1024, 700), (1600, 1000)):
            w.resize(*size)
            qtbot.wait(300)
            w.grab().save(os.path.join(SHOTS, f"memorisation_tab_{size[0]}x{size[1]}.png"))


def test_classifier_progress_shows_in_the_status_bar(make_window, qtbot):
    w = make_window("digits-dcgan")
    w.session.evaluating.emit(500)                   # what the session says during a real run
    w.session.event.emit(Progress(500, "classifier", "training the feature classifier", 300, 1000, 12.0))
    bar = w.status.task
    assert bar.isVisible() and bar.value() == 300 and bar.maximum() == 1000
    assert bar.text().startswith("training the feature classifier 30%") and "0:28 left" in bar.text()
    if SHOTS:
        w.resize(1024, 700)
        qtbot.wait(200)
        w.grab().save(os.path.join(SHOTS, "status_classifier_progress_1024x700.png"))
    w.session.event.emit(Progress(500, "classifier", "training the feature classifier", 1000, 1000, 40.0))
    assert not bar.isVisible()


def test_without_an_image_run_the_check_says_what_to_do(make_window):
    w = make_window("toy-1d-shift")
    w.memo.show()
    assert not w.memo.view.button.isEnabled()
    assert "image" in w.memo.view.title.text() and np.isfinite(0)
