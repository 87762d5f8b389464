"""Checkpoints through the panel: save, list, load, delete, resume."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox


def click(qtbot, widget) -> None:
    assert widget.isEnabled()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_save_list_load_delete_resume(qtbot, make_window, monkeypatch):
    w = make_window("toy-1d-shift", train__steps=1_000_000)
    click(qtbot, w.controls.button("step"))
    qtbot.waitUntil(lambda: w.session.state == "paused" and w.session.trainer.step == 1, timeout=40_000)
    click(qtbot, w.controls.button("save"))
    qtbot.waitUntil(lambda: len(w.checkpoints.paths()) == 1, timeout=10_000)
    path = w.checkpoints.paths()[0]
    assert Path(path).name == "manual_00000001.pt"
    assert "step 1" in w.checkpoints.list.item(0).text()
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
    assert len(w.checkpoints.paths()) == 2                  # + the one written on stop
    w.checkpoints.select(path)
    click(qtbot, w.checkpoints.buttons["load"])
    assert w.ckpt.loaded == path
    assert w.game.current_view == "1d"
    assert "loaded" in w.game.caption.text()
    if w.ckpt.model is not None:                            # core.latent is there: the explorer got it
        assert w.latent_explorer() is not None
    # delete asks first
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    click(qtbot, w.checkpoints.buttons["delete"])
    assert Path(path).exists()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    click(qtbot, w.checkpoints.buttons["delete"])
    assert not Path(path).exists() and path not in w.checkpoints.paths()
    # resume the remaining (interrupt) checkpoint in the same run directory
    remaining = w.checkpoints.paths()[0]
    w.checkpoints.select(remaining)
    click(qtbot, w.checkpoints.buttons["resume"])
    qtbot.waitUntil(lambda: w.session.trainer is not None and w.session.trainer.step > 1, timeout=40_000)
    assert w.session.trainer.resumed_from == remaining
    assert any("resumed" in text for _, text in w.plot.markers)      # the run's history, then more
    assert Path(w.session.run_dir) == Path(remaining).parent.parent
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_branch_starts_a_new_run_with_changed_settings(qtbot, make_window):
    w = make_window("saddle-bilinear", train__steps=3)
    click(qtbot, w.controls.button("train"))
    qtbot.waitUntil(lambda: w.session.state == "idle" and bool(w.checkpoints.paths()), timeout=40_000)
    src = w.checkpoints.paths()[0]
    cfg = w.form.config()
    cfg.optim_d.lr = 0.02
    cfg.train.steps = 1_000_000
    assert w.ckpt.branch(src, cfg)
    qtbot.waitUntil(lambda: w.session.trainer is not None and w.session.trainer.step > 3, timeout=40_000)
    t = w.session.trainer
    assert t.cfg.optim_d.lr == 0.02 and t.variant.opt_d.param_groups[0]["lr"] == 0.02
    assert Path(w.session.run_dir) != Path(src).parent.parent
    assert "branch" in Path(w.session.run_dir).name
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_export_writes_a_torchscript_generator(qtbot, make_window, monkeypatch, tmp_path):
    import torch
    from PySide6.QtWidgets import QFileDialog
    w = make_window("digits-dcgan", train__steps=1, train__batch_size=8, model__base_channels=8)
    click(qtbot, w.controls.button("train"))
    qtbot.waitUntil(lambda: w.session.state == "idle" and bool(w.checkpoints.paths()), timeout=60_000)
    w.checkpoints.select(w.checkpoints.paths()[-1])
    out = tmp_path / "g.ts"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    said = []
    w.checkpoints.message.connect(lambda level, text: said.append((level, text)))
    click(qtbot, w.checkpoints.buttons["export"])
    assert said and said[-1][0] == "info", said
    import json
    extra = {"gan_studio.json": ""}
    g = torch.jit.load(str(out), _extra_files=extra)
    L = json.loads(extra["gan_studio.json"])["latent_dim"]
    assert g(torch.randn(2, L)).shape == (2, 1, 16, 16)
