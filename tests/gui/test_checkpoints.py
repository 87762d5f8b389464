"""Checkpoints through the panel: save, list, load, delete, resume, branch; export asks for a file."""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton, QScrollArea

from studio.config.presets import load_preset
from studio.gui.actions.checkpoints import BranchDialog
from studio.gui.panels.checkpoints import CheckpointsPanel
from tests.gui.hands import click, click_row, type_into


def test_save_list_load_delete_resume(qtbot, make_window, monkeypatch):
    w = make_window("toy-1d-shift", train__steps=1_000_000)
    click(qtbot, w.controls.button("step"))
    qtbot.waitUntil(lambda: w.session.state == "paused" and w.session.step == 1, timeout=40_000)
    click(qtbot, w.controls.button("save"))
    qtbot.waitUntil(lambda: len(w.checkpoints.paths()) == 1, timeout=10_000)
    path = w.checkpoints.paths()[0]
    assert Path(path).name == "manual_00000001.pt"
    assert "step 1" in w.checkpoints.list.item(0).text()
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
    qtbot.waitUntil(lambda: len(w.checkpoints.paths()) == 2, timeout=10_000)   # + the one written on stop
    w.checkpoints.select(path)
    click(qtbot, w.checkpoints.buttons["load"])             # opened on a worker thread
    qtbot.waitUntil(lambda: w.ckpt.loaded == path, timeout=20_000)
    assert w.game.current_view == "1d"
    assert "step 1 (loaded)" in w.game.caption.text()
    assert w.ckpt.generator is not None and w.latent_explorer().model is w.ckpt.generator
    assert w.ckpt.generator.step == 1
    assert w.latent_explorer().caption.text().endswith("step 1 (checkpoint manual_00000001.pt)")
    # delete asks first
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    click(qtbot, w.checkpoints.buttons["delete"])
    assert Path(path).exists()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    click(qtbot, w.checkpoints.buttons["delete"])
    assert not Path(path).exists()
    qtbot.waitUntil(lambda: path not in w.checkpoints.paths(), timeout=10_000)   # listed again off the GUI thread
    # resume the remaining (interrupt) checkpoint in the same run directory
    remaining = w.checkpoints.paths()[0]
    w.checkpoints.select(remaining)
    click(qtbot, w.checkpoints.buttons["resume"])
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.step > 1, timeout=40_000)
    assert w.session.resumed_from == remaining
    assert any("resumed" in text for _, text in w.plot.markers)      # the run's history, then more
    assert Path(w.session.run_dir) == Path(remaining).parent.parent
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_branch_starts_a_new_run_with_changed_settings(qtbot, make_window):
    w = make_window("saddle-bilinear", train__steps=3)
    qtbot.waitExposed(w)
    click(qtbot, w.controls.button("train"))
    qtbot.waitUntil(lambda: w.session.state == "idle" and bool(w.checkpoints.paths()), timeout=40_000)
    src = w.checkpoints.paths()[0]
    click_row(qtbot, w.checkpoints.list, w.checkpoints.list.item(0))
    filled = []

    def fill_in_the_dialog():       # the Branch… dialog is modal: a hand types into it and starts it
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, BranchDialog)
        assert not dlg.form.widget("data.kind").isEnabled()        # model and data stay the checkpoint's
        for key, text in (("optim_d.lr", "0.02"), ("train.steps", "1000000")):   # Enter would start it
            field = dlg.form.widget(key)
            dlg.findChild(QScrollArea).ensureWidgetVisible(field)
            type_into(qtbot, field.lineEdit(), text, enter=False)
            qtbot.keyClick(field.lineEdit(), Qt.Key.Key_Tab)
        ok = next(b for b in dlg.findChildren(QPushButton) if b.text() == "Start branch")
        filled.append(dlg.form.config())
        click(qtbot, ok)

    QTimer.singleShot(200, fill_in_the_dialog)
    click(qtbot, w.checkpoints.buttons["branch"])
    assert filled and filled[0].optim_d.lr == 0.02
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.step > 3, timeout=40_000)
    assert w.session.resumed_from == src
    assert load_preset(Path(w.session.run_dir) / "config.toml").optim_d.lr == 0.02
    assert Path(w.session.run_dir) != Path(src).parent.parent
    assert "branch" in Path(w.session.run_dir).name and w.windowTitle().endswith("-branch")
    assert w.presets.current() is None                               # a branch, not the preset
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_export_asks_for_a_file_and_emits_export_requested(qtbot, monkeypatch, tmp_path):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    for step in (1, 2):
        ckpt = run / "checkpoints" / f"step_{step:08d}.pt"
        ckpt.write_bytes(b"not read: the sidecar describes it")
        ckpt.with_suffix(".json").write_text(json.dumps({"step": step, "time": 1.0e9 + step,
                                                         "reason": "periodic", "metrics": {}}))
    panel = CheckpointsPanel()
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.buttons["export"].isEnabled()         # nothing selected
    panel.set_run_dir(run)
    qtbot.waitUntil(lambda: len(panel.paths()) == 2, timeout=5_000)     # listed on the job runner
    panel.list.setCurrentRow(-1)
    assert panel.current() is None and not panel.buttons["export"].isEnabled()
    ckpt = panel.paths()[-1]
    panel.select(ckpt)
    assert panel.current() == ckpt and panel.buttons["export"].isEnabled()
    asked = []

    def save_as(parent, title, start, filters):
        asked.append((title, start, filters))
        return answer, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    got = []
    panel.export_requested.connect(lambda *args: got.append(args))
    answer = ""                                             # cancelled: nothing is emitted
    click(qtbot, panel.buttons["export"])
    assert got == [] and len(asked) == 1
    assert asked[0][1] == str(Path(ckpt).with_suffix(".pt2"))
    assert "torch.export" in asked[0][2] and "TorchScript" in asked[0][2] and "ONNX" in asked[0][2]
    answer = str(tmp_path / "g.ts")
    with qtbot.waitSignal(panel.export_requested, timeout=1_000) as blocker:
        click(qtbot, panel.buttons["export"])
    assert blocker.args == [ckpt, answer, "torchscript"]
    answer = str(tmp_path / "g.onnx")
    click(qtbot, panel.buttons["export"])
    assert got[-1] == (ckpt, answer, "onnx") and len(got) == 2
    answer = str(tmp_path / "g.pt2")
    click(qtbot, panel.buttons["export"])
    assert got[-1] == (ckpt, answer, "pt2") and len(got) == 3
    panel.set_live(True)                                    # export does not wait for the run
    assert panel.buttons["export"].isEnabled() and not panel.buttons["resume"].isEnabled()


def test_cards_show_the_evaluation_nearest_at_or_before_each_checkpoint(qtbot, tmp_path):
    """Quality metrics come from metrics.jsonl (read incrementally); a resume drops superseded ones."""
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    for step in (1, 4, 6):
        ckpt = run / "checkpoints" / f"step_{step:08d}.pt"
        ckpt.write_bytes(b"not read: the sidecar describes it")
        ckpt.with_suffix(".json").write_text(json.dumps({"step": step, "time": 1.0e9 + step,
                                                         "reason": "periodic", "metrics": {"loss_d": 1.0}}))
    log = run / "metrics.jsonl"
    lines = [{"step": 1, "kind": "iter", "t": 0.0, "loss_d": 1.0},
             {"event": "eval", "step": 2, "fid": 40.0, "precision": 0.25},
             {"event": "eval", "step": 4, "fid": 30.0, "precision": 0.5}]
    log.write_text("".join(json.dumps(x) + "\n" for x in lines))
    panel = CheckpointsPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_run_dir(run)
    qtbot.waitUntil(lambda: not panel.busy and len(panel.paths()) == 3, timeout=5_000)
    ck = {int(Path(p).stem[-8:]): p for p in panel.paths()}
    assert panel.quality_of(ck[1]) is None
    assert panel.quality_of(ck[4]) == (4, {"fid": 30.0, "precision": 0.5})
    assert panel.quality_of(ck[6])[0] == 4                    # nearest before
    card = {panel.list.item(i).data(Qt.ItemDataRole.UserRole): panel.list.item(i) for i in range(3)}
    assert "FID 30  prec 0.5" in card[ck[6]].text()
    assert "FID" not in card[ck[1]].text()
    assert "at step 4, the evaluation nearest before this checkpoint" in card[ck[6]].toolTip()
    # new lines: a resume at step 3 supersedes the evaluation at 4, then a new one at 5
    with open(log, "a") as fh:
        for x in ({"event": "resume", "step": 3, "checkpoint": "elsewhere.pt"},
                  {"event": "eval", "step": 5, "fid": 10.0, "precision": 0.75}):
            fh.write(json.dumps(x) + "\n")
    with qtbot.waitSignal(panel.listed, timeout=5_000):
        panel.refresh()
    assert panel.quality_of(ck[4]) == (2, {"fid": 40.0, "precision": 0.25})
    assert panel.quality_of(ck[6]) == (5, {"fid": 10.0, "precision": 0.75})


def test_listing_runs_off_the_gui_thread_and_the_newest_refresh_wins(qtbot, tmp_path, monkeypatch):
    """Issue 26: 2,000 checkpoints took 1.8 s of the GUI thread per refresh (bench/checkpoints_panel.py:
    78 ms now). The files are read on the job runner: a slow listing leaves the GUI thread free, and of
    refreshes asked while one runs, only the newest answer is shown."""
    import threading
    import time
    from studio.gui.panels import checkpoint_cards as mod
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)

    def add(step):
        ckpt = run / "checkpoints" / f"step_{step:08d}.pt"
        ckpt.write_bytes(b"not read: the sidecar describes it")
        ckpt.with_suffix(".json").write_text(json.dumps({"step": step, "time": 1.0e9 + step, "metrics": {}}))

    add(1)
    real, where = mod.list_checkpoints, []

    def slow(*a, **k):
        where.append(threading.current_thread() is threading.main_thread())
        time.sleep(0.4)
        return real(*a, **k)

    monkeypatch.setattr(mod, "list_checkpoints", slow)
    panel = CheckpointsPanel()
    qtbot.addWidget(panel)
    panel.show()
    ticks = []
    timer = QTimer(panel)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    t0 = time.perf_counter()
    panel.set_run_dir(run)
    assert time.perf_counter() - t0 < 0.2 and panel.paths() == []     # returned at once, nothing yet
    qtbot.waitUntil(lambda: bool(where), timeout=5_000)                # the first listing is running
    add(2)
    panel.refresh()                  # asked while the first listing runs: it waits, and a third supersedes it
    add(3)
    panel.refresh()
    qtbot.waitUntil(lambda: len(panel.paths()) == 3 and not panel.busy, timeout=10_000)
    assert where and not any(where), "the checkpoints were listed on the GUI thread"
    assert len(where) == 2            # the first listing and the newest; the one in between never ran
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) > 20 and max(gaps) < 0.3, f"the GUI thread stalled {max(gaps):.2f} s"
    assert [Path(p).name for p in panel.paths()] == [f"step_{s:08d}.pt" for s in (3, 2, 1)]
    # a save adds one card: the others are kept as they are (not remade), the choice stays
    monkeypatch.setattr(mod, "list_checkpoints", real)
    click_row(qtbot, panel.list, panel.list.item(1))
    cards = [panel.list.item(i) for i in range(3)]
    add(4)
    with qtbot.waitSignal(panel.listed, timeout=5_000):
        panel.refresh()
    assert [Path(p).name for p in panel.paths()] == [f"step_{s:08d}.pt" for s in (4, 3, 2, 1)]
    assert all(panel.list.item(i + 1) is cards[i] for i in range(3))
    assert panel.current().endswith("step_00000002.pt") and panel.list.item(0).text().startswith("step 4")
