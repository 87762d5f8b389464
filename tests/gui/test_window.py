"""The main window driven through its real buttons: train, pause, step, stop, live edits, closing."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

LONG = {"train__steps": 1_000_000}


def click(qtbot, window, name: str) -> None:
    button = window.controls.button(name)
    assert button.isEnabled(), f"{name} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_choose_train_pause_step_stop(qtbot, make_window):
    w = make_window("saddle-quadratic", **LONG)
    assert w.presets.select("toy-1d-shift")          # choosing a preset builds the run's config
    assert w.form.config().model.kind == "shift"
    w.form.set_value("train.steps", 1_000_000)
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.session.state == "running" and w.plot.point_count("loss_d") > 0, timeout=40_000)
    assert w.controls.action("train").text() == "Pause"
    assert not w.form.widget("model.theta0").isEnabled()       # locked while live
    assert w.form.widget("optim_g.lr").isEnabled()             # live field
    assert not w.presets.list.isEnabled()
    click(qtbot, w, "train")                                    # Pause
    qtbot.waitUntil(lambda: w.session.state == "paused", timeout=10_000)
    t = w.session.trainer
    s, g = t.step, t.g_updates
    click(qtbot, w, "step")
    qtbot.waitUntil(lambda: t.step == s + 1, timeout=10_000)
    d = t.d_updates
    click(qtbot, w, "step_d")
    qtbot.waitUntil(lambda: t.d_updates == d + 1, timeout=10_000)
    click(qtbot, w, "step_g")
    qtbot.waitUntil(lambda: t.g_updates == g + 2, timeout=10_000)
    assert t.step == s + 1 and w.session.state == "paused"
    qtbot.waitUntil(lambda: w.status["step"].text() == f"step {s + 1:,}", timeout=5_000)
    click(qtbot, w, "stop")
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
    assert w.controls.action("train").text() == "Train" and w.presets.list.isEnabled()
    qtbot.waitUntil(lambda: any("interrupt" in p for p in w.checkpoints.paths()), timeout=5_000)


def test_step_from_idle_starts_paused(qtbot, make_window):
    w = make_window("saddle-bilinear")
    click(qtbot, w, "step")
    qtbot.waitUntil(lambda: w.session.state == "paused" and w.session.trainer is not None
                    and w.session.trainer.step == 1, timeout=40_000)
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
    t = w.session.trainer
    qtbot.waitUntil(lambda: t.cfg.optim_d.lr == pytest.approx(0.01), timeout=10_000)
    assert t.variant.opt_d.param_groups[0]["lr"] == pytest.approx(0.01)
    assert t.cfg.optim_g.lr == pytest.approx(0.05)                  # the other player is untouched
    qtbot.waitUntil(lambda: len(w.plot.markers) == 1, timeout=5_000)
    assert "optim_d.lr" in w.plot.markers[0][1]
    assert any("optim_d.lr" in text for level, text in w.log.lines if level == "change")
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_closing_during_training_saves_a_checkpoint(qtbot, make_window, tmp_path):
    w = make_window("toy-1d-rotation", **LONG)
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.trainer.step > 3, timeout=40_000)
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
    assert "boom in the generator step" in w.banner.label.text()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
    monkeypatch.undo()
    click(qtbot, w, "train")                                  # usable again
    qtbot.waitUntil(lambda: w.session.trainer is not None and w.session.trainer.step > 2, timeout=40_000)
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_bad_config_is_reported_not_raised(qtbot, make_window):
    w = make_window("toy-1d-shift")
    w.form.set_value("data.kind", "image_folder")          # no folder given: the build fails
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.banner.isVisible() and w.session.state == "idle", timeout=40_000)
    assert "failed" in w.banner.label.text()


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
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.trainer.step > 2, timeout=40_000)
    w.tabs.setCurrentIndex(1)
    ex = w.latent
    assert getattr(ex, "model", None) is not None, "the explorer got no generator"
    assert ex.model._source is w.session.trainer
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_divergence_pauses_and_the_banner_rolls_back(qtbot, make_window):
    w = make_window("toy-1d-shift", train__steps=300, optim_g__lr=10.0, optim_d__lr=10.0,
                    variant__g_loss="least_squares", checkpoint__every=1, checkpoint__keep_last=0)
    click(qtbot, w, "train")
    qtbot.waitUntil(lambda: w.session.state == "paused" and w.banner.action.isVisible(), timeout=40_000)
    t = w.session.trainer
    diverged_at = t.step
    assert "diverged" in w.banner.label.text()
    qtbot.mouseClick(w.banner.action, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: t.step < diverged_at, timeout=10_000)
    assert not w.banner.isVisible()
    assert all(math.isfinite(v) for v in t.last_metrics.values())
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
