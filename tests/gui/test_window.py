"""The main window driven through its real buttons: train, pause, step, stop, live edits, closing."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from studio.config.presets import load_preset

LONG = {"train__steps": 1_000_000}


def click(qtbot, window, name: str) -> None:
    button = window.controls.button(name)
    assert button.isEnabled(), f"{name} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_choose_train_pause_step_stop(qtbot, make_window):
    w = make_window("saddle-quadratic", **LONG)
    assert w.presets.select("toy-1d-shift")          # choosing a preset builds the run's config
    assert w.form.config().model.kind == "shift"
    w.model.set_value("train.steps", 1_000_000)
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.session.state == "running" and w.plot.point_count("loss_d") > 0, timeout=40_000)
    assert w.controls.action("train").text() == "Pause"
    assert not w.form.widget("model.theta0").isEnabled()       # locked while live
    assert w.form.widget("optim_g.lr").isEnabled()             # live field
    assert not w.presets.list.isEnabled()
    click(qtbot, w, "train")                                    # Pause
    qtbot.waitUntil(lambda: w.session.state == "paused", timeout=10_000)
    seen = []                                                   # what the engine reports, no engine object
    w.session.metrics.connect(lambda batch: seen.extend((ev.kind, ev.step) for ev in batch))
    qtbot.wait(300)
    s = w.session.step
    click(qtbot, w, "step")
    qtbot.waitUntil(lambda: ("iter", s + 1) in seen, timeout=10_000)
    click(qtbot, w, "step_d")
    qtbot.waitUntil(lambda: ("d", s + 1) in seen, timeout=10_000)
    click(qtbot, w, "step_g")
    qtbot.waitUntil(lambda: ("g", s + 1) in seen, timeout=10_000)
    assert seen[-3:] == [("iter", s + 1), ("d", s + 1), ("g", s + 1)]
    assert w.session.step == s + 1 and w.session.state == "paused"
    qtbot.waitUntil(lambda: w.status["step"].text().startswith(f"step {s + 1:,} of "), timeout=5_000)
    click(qtbot, w, "stop")
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
    assert w.controls.action("train").text() == "Train" and w.presets.list.isEnabled()
    qtbot.waitUntil(lambda: any("interrupt" in p for p in w.checkpoints.paths()), timeout=5_000)


def test_step_from_idle_starts_paused(qtbot, make_window):
    w = make_window("saddle-bilinear")
    click(qtbot, w, "step")
    qtbot.waitUntil(lambda: w.session.state == "paused" and w.session.step == 1, timeout=40_000)
    qtbot.waitUntil(lambda: w.game.current_view == "saddle", timeout=5_000)
    click(qtbot, w, "stop")
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_1d_history_has_every_step_from_the_metrics_not_only_the_snapshots(qtbot, make_window):
    w = make_window("toy-1d-shift", train__steps=120, log__snapshot_every=40)
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.session.state == "idle" and w.plot.point_count("theta") == 120,
                    timeout=40_000)
    v = w.game.views["1d"]
    v.flush()
    h = v.history
    np.testing.assert_array_equal(h[:, 0], np.arange(121))    # the start, then every iteration
    np.testing.assert_allclose(h[1:, 1], w.plot.series["theta"].y[:120])
    np.testing.assert_allclose(v.c_phase.getData()[0], h[:, 1])


def test_form_edit_changes_running_learning_rate(qtbot, make_window):
    w = make_window("saddle-bilinear", **LONG)
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.session.state == "running", timeout=40_000)
    spin = w.form.widget("optim_d.lr")
    edit = spin.lineEdit()
    edit.selectAll()
    qtbot.keyClicks(edit, "0.01")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(w.plot.markers) == 1, timeout=10_000)
    assert "optim_d.lr" in w.plot.markers[0][1] and "0.01" in w.plot.markers[0][1]
    live = load_preset(Path(w.session.run_dir) / "config.toml")     # the trainer rewrites it on a change
    assert live.optim_d.lr == pytest.approx(0.01)
    assert live.optim_g.lr == pytest.approx(0.05)                  # the other player is untouched
    assert any("optim_d.lr" in text for level, text in w.log.lines if level == "change")
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_closing_during_training_saves_a_checkpoint(qtbot, make_window, tmp_path):
    w = make_window("toy-1d-rotation", **LONG)
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.step > 3, timeout=40_000)
    run_dir = Path(w.session.run_dir)
    w.close()
    assert not w.session.live
    saved = list((run_dir / "checkpoints").glob("interrupt_*.pt"))
    assert len(saved) == 1


def test_worker_exception_is_shown_and_app_stays_usable(qtbot, make_window, monkeypatch):
    from studio.games.saddle import Saddle

    def boom(self):
        raise RuntimeError("boom in the generator step")

    monkeypatch.setattr(Saddle, "iteration", boom)
    w = make_window("saddle-bilinear", **LONG)
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=40_000)
    assert "boom in the generator step" in w.banner.text()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
    monkeypatch.undo()
    click(qtbot, w, "train")                                  # usable again
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.step > 2, timeout=40_000)
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_bad_config_is_reported_not_raised(qtbot, make_window):
    w = make_window("toy-1d-shift")
    w.model.set_value("data.kind", "image_folder")          # no folder given: the build fails
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.banner.isVisible() and w.session.state == "idle", timeout=40_000)
    assert "failed" in w.banner.text() and "data.root" in w.banner.text()
    log = w.log.view.toPlainText()
    assert "Traceback" not in log and "report" not in log      # an input error, not a bug


def test_a_bug_in_training_is_reported_with_its_traceback(qtbot, make_window, monkeypatch):
    from studio.games.saddle import Saddle

    def broken(self):
        raise KeyError("a bug")
    monkeypatch.setattr(Saddle, "iteration", broken)
    w = make_window("saddle-bilinear")
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.banner.isVisible() and w.session.state == "idle", timeout=40_000)
    assert "please report" in w.banner.text()
    log = w.log.view.toPlainText()
    assert "Traceback" in log and "KeyError: 'a bug'" in log


def test_window_remembers_last_preset(qtbot, make_window):
    w = make_window("saddle-bilinear")
    assert w.presets.current() == "saddle-bilinear"
    w.close()
    w2 = make_window(None)
    assert w2.presets.current() == "saddle-bilinear"
    assert w2.preset_name == "saddle-bilinear"


def test_no_display_prints_one_line(monkeypatch, capsys):
    from studio.gui import app
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    assert app.main(None) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "xvfb-run" in err[0]


def test_latent_tab_explores_the_running_generator(qtbot, make_window):
    w = make_window("ring-2d-gan", model__hidden=16, train__batch_size=32, **LONG)
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.step > 2, timeout=40_000)
    w.tabs.setCurrentIndex(1)
    ex = w.latent
    qtbot.waitUntil(lambda: ex.model is not None, timeout=10_000)   # a copy, answered between two steps
    first = ex.model
    assert 0 < first.step <= w.session.step and ex.refresh_btn.isEnabled()
    assert ex.caption.text() == f"run {Path(w.session.run_dir).name} · step {ex.model.step:,} (live)"
    ex.seed.setValue(11)
    qtbot.waitUntil(lambda: w.session.step > first.step + 5, timeout=20_000)
    ex.refresh_btn.click()                                  # a new copy, the view kept
    qtbot.waitUntil(lambda: ex.model is not first, timeout=10_000)
    assert ex.model.step > first.step and ex.seed.value() == 11
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_divergence_pauses_and_the_banner_rolls_back(qtbot, make_window):
    w = make_window("toy-1d-shift", train__steps=300, optim_g__lr=10.0, optim_d__lr=10.0,
                    variant__g_loss="least_squares", checkpoint__every=1, checkpoint__keep_last=0)
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.session.state == "paused" and w.banner.action.isVisible(), timeout=40_000)
    diverged_at = w.session.step
    assert "diverged" in w.banner.text()
    qtbot.mouseClick(w.banner.action, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.session.step < diverged_at, timeout=10_000)
    assert not w.banner.isVisible()
    qtbot.waitUntil(lambda: any("rolled back" in text for _, text in w.log.lines), timeout=5_000)
    halved = [text for _, text in w.plot.markers if text.startswith("optim_")]
    assert halved == ["optim_d.lr: 10 → 5", "optim_g.lr: 10 → 5"]     # the one rollback policy
    ckpts = sorted((Path(w.session.run_dir) / "checkpoints").glob("step_*.pt"))
    assert ckpts and all(math.isfinite(v) for v in json.loads(
        ckpts[0].with_suffix(".json").read_text())["metrics"].values())
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_train_refuses_a_form_with_a_rejected_value_and_waits_for_a_preview_without_blocking(qtbot, make_window):
    w = make_window("toy-1d-shift")
    spin = w.form.widget("data.std")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "abc")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert "data.std" in w.form.errors()
    click(qtbot, w, "train")
    assert w.session.state == "idle" and "Fix the marked field" in w.banner.text()
    w.form.set_value("data.std", 1.0)
    assert not w.form.errors()
    w.request_preview()                      # a preview in flight: Train is queued behind it, not blocking
    w.model.set_value("train.steps", 1_000_000)
    click(qtbot, w, "step")                  # Step from idle: starts paused and takes one step
    qtbot.waitUntil(lambda: w.session.state == "paused" and w.session.step == 1, timeout=40_000)
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
