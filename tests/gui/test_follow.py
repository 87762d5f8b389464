"""Opening a run directory written by the headless trainer, including one still being written."""
from __future__ import annotations

import json

from studio.config.presets import load_preset
from studio.engine.trainer import Trainer


def headless_run(path, steps=40):
    cfg = load_preset("saddle-bilinear")
    cfg.train.steps = steps
    cfg.log.flush_every = 1
    for ev in Trainer(cfg, path, snapshots=False).run():
        pass
    return path


def test_open_run_shows_and_follows_curves(qtbot, make_window, tmp_path):
    run = headless_run(tmp_path / "headless")
    w = make_window("toy-1d-shift")
    assert w.open_run(run)
    qtbot.waitUntil(lambda: w.plot.point_count("loss_d") == 40, timeout=10_000)
    assert w.form.config().variant.name == "saddle"                 # its config is shown
    qtbot.waitUntil(lambda: bool(w.checkpoints.paths()), timeout=10_000)   # and its checkpoints (listed off the GUI thread)
    assert w.controls.action("train").isEnabled()
    # the file keeps growing: a half-written line waits for its end
    rec = {"step": 41, "kind": "iter", "t": 1.0, "loss_d": 0.5, "loss_g": -0.5}
    line = json.dumps(rec) + "\n"
    with open(run / "metrics.jsonl", "a") as fh:
        fh.write(line[:10])
    w.follower.poll()
    assert w.plot.point_count("loss_d") == 40
    with open(run / "metrics.jsonl", "a") as fh:
        fh.write(line[10:])
        fh.write(json.dumps({"event": "set", "step": 41, "key": "optim_d.lr", "old": 0.05, "new": 0.01}) + "\n")
        fh.write(json.dumps({"event": "eval", "step": 41, "coverage": 0.75, "fd": 1.5}) + "\n")
        fh.write(json.dumps({"event": "message", "step": 41, "level": "warning", "code": "mode_collapse",
                             "text": "generated samples cover 2 of 8 modes"}) + "\n")
    qtbot.waitUntil(lambda: w.plot.point_count("loss_d") == 41, timeout=5_000)
    assert len(w.plot.markers) == 1
    assert w.metrics.evaluation_count() == 1
    assert len(w.metrics.badges) == 1
    # the centre shows the run's newest checkpoint, so the step shown is that checkpoint's
    qtbot.waitUntil(lambda: w.shown_checkpoint is not None, timeout=20_000)
    assert w.status["step"].text() == "step 40" and "end_00000040.pt" in w.status.shown()


def test_open_run_shows_the_run_not_the_previous_preset(qtbot, make_window, tmp_path):
    run = headless_run(tmp_path / "cli-run", steps=20)
    w = make_window("toy-1d-shift")
    assert w.presets.current() == "toy-1d-shift"
    assert w.open_run(run)
    assert w.presets.current() is None                       # no preset pretends to be chosen
    assert w.windowTitle() == "GAN Studio · cli-run"
    assert "Pick a preset" not in w.game.message()
    qtbot.waitUntil(lambda: w.game.current_view == "saddle", timeout=20_000)   # its newest checkpoint
    assert "end_00000020.pt" in w.game.caption.text() and "cli-run" in w.game.caption.text()
    assert w.status.shown() == "run cli-run · end_00000020.pt" and w.status.state_text == "Viewing a run"
    w.presets.list.setFocus()                                # focus alone chooses nothing
    qtbot.wait(50)
    assert w.follower is not None and w.presets.current() is None
    assert w.presets.select("saddle-quadratic")              # choosing a preset leaves the run
    assert w.follower is None and w.windowTitle() == "GAN Studio · saddle-quadratic"


def test_open_rejects_a_folder_that_is_not_a_run(qtbot, make_window, tmp_path):
    w = make_window("toy-1d-shift")
    assert not w.open_run(tmp_path)
    assert w.banner.isVisible()
