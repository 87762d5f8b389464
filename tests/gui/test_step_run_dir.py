"""Step makes a run directory only when a step is taken (issue 20): Step D pressed on the toolbar with
the mouse makes one folder holding that one D update; a "d" typed into a text field makes none; a run
started paused (a lesson's Play) has its folder's path but no folder until its first step."""
from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import Qt

from studio.config.paths import runs_dir
from studio.engine.commands import StepOnce
from studio.engine.rundir import is_run_dir
from tests.gui.hands import click_tool, type_into


def folders() -> list[Path]:
    return sorted(p for p in runs_dir().iterdir() if p.is_dir()) if runs_dir().exists() else []


def kinds(run: Path) -> list[str]:
    lines = (run / "metrics.jsonl").read_text().splitlines()
    return [r["kind"] for r in map(json.loads, lines) if "kind" in r]


def test_step_d_by_mouse_makes_one_folder_holding_one_d_update(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    # a "d" typed into a text field (checkpoint.keep_best) is a "d" in the field: no step, no folder
    field = w.form.widget("checkpoint.keep_best")
    w.form_scroll.ensureWidgetVisible(field)
    was = field.text()
    type_into(qtbot, field, "", enter=False)
    qtbot.keyClick(field, Qt.Key.Key_End)
    qtbot.keyClick(field, Qt.Key.Key_D)
    assert field.text() == was + "d"
    qtbot.wait(400)                   # a run would be starting by now
    assert w.session.state == "idle" and folders() == [] and w.plot.point_count() == 0
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    # Step D on the toolbar, clicked
    c = w.controls
    click_tool(qtbot, c, c.actions_by_name["step_d"])
    qtbot.waitUntil(lambda: w.session.state == "paused" and w.plot.point_count() > 0, timeout=20_000)
    [run] = folders()
    assert is_run_dir(run) and str(run) == w.session.run_dir
    click_tool(qtbot, c, c.actions_by_name["stop"])
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=20_000)
    assert folders() == [run] and kinds(run) == ["d"]    # kept, holding one D update (no full iteration)


def test_a_run_started_paused_makes_its_folder_at_the_first_step(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    s = w.session
    s.start(w.model.config(), name="paused-run", paused=True)      # what a lesson's Play does
    qtbot.waitUntil(lambda: s.state == "paused" and bool(s.run_dir), timeout=20_000)
    qtbot.wait(300)
    planned = Path(s.run_dir)
    assert planned.parent == runs_dir() and not planned.exists() and folders() == []
    s.send(StepOnce("g"))
    qtbot.waitUntil(lambda: planned.exists(), timeout=10_000)
    s.stop()                                                     # Stop (Session.shutdown is the window closing)
    qtbot.waitUntil(lambda: s.state == "idle", timeout=20_000)
    assert folders() == [planned] and kinds(planned) == ["g"]
    # paused again, stopped with no step: nothing left behind, nothing listed
    s.start(w.model.config(), name="never-stepped", paused=True)
    qtbot.waitUntil(lambda: s.state == "paused" and bool(s.run_dir), timeout=20_000)
    other = Path(s.run_dir)
    s.stop()
    qtbot.waitUntil(lambda: s.state == "idle", timeout=20_000)
    assert not other.exists() and folders() == [planned] and not os.path.exists(other)
