"""The status bar while training: "step N of M", the time left, an elapsed clock that keeps running
through an evaluation (no steps come in then), and long run names elided in the middle with the
whole name in the tooltip (issue 20)."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from studio.gui.panels.status_bar import StatusBar
from tests.gui.hands import click_tool, shortcut


def test_train_clicked_shows_step_of_total_and_time_left(qtbot, make_window):
    w = make_window("toy-1d-shift", train__steps=1_000_000, checkpoint__every=0, eval__every=0)
    qtbot.waitExposed(w)
    c = w.controls
    # a pace, as a person watches: at full speed on a loaded machine the drawing of every snapshot once
    # kept the Stop click's event processing busy past the suite's 4-minute watchdog
    c.set_pace(200)
    click_tool(qtbot, c, c.actions_by_name["train"])
    qtbot.waitUntil(lambda: " of 1,000,000" in w.status["step"].text(), timeout=30_000)
    assert re.fullmatch(r"step [\d,]+ of 1,000,000", w.status["step"].text())
    qtbot.waitUntil(lambda: "left" in w.status["rate"].text(), timeout=10_000)
    assert re.search(r"steps/s · [\d:]+ left", w.status["rate"].text())
    shortcut(qtbot, w, Qt.Key.Key_Space)                 # paused: no rate, no time left
    qtbot.waitUntil(lambda: w.session.state == "paused", timeout=10_000)
    assert w.status["rate"].text() == ""
    click_tool(qtbot, c, c.actions_by_name["stop"])
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=20_000)


def _seconds(bar) -> int:
    m, s = bar["elapsed"].text().removeprefix("elapsed ").split(":")
    return int(m) * 60 + int(s)


def test_the_clock_runs_on_while_no_step_comes_in_and_stops_when_paused(qtbot):
    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.set_running(True)
    bar.progress(500, 10.0, 2000)                       # then an evaluation: no step for a while
    assert bar["elapsed"].text() == "elapsed 0:10"
    qtbot.waitUntil(lambda: _seconds(bar) >= 12, timeout=5000)       # ticking on
    bar.progress(501, 10.1, 2000)                       # the trainer's own time leaves evaluations out
    assert _seconds(bar) >= 12, "the clock went back"
    bar.set_running(False)
    shown = bar["elapsed"].text()
    qtbot.wait(1300)
    assert bar["elapsed"].text() == shown


def test_a_long_run_name_is_elided_in_the_middle_with_the_whole_name_in_its_tooltip(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    name = "run fashion-cgan-on-my-colour-folder-with-diffaugment-20261205-054432"
    w.status.set_shown(name, "", "/runs/x")
    QApplication.processEvents()
    label = w.status["shown"]
    assert label.text() != name and "…" in label.text()
    assert label.text().startswith("run fashion") and label.text().endswith("054432")
    assert w.status.shown() == name and name in label.toolTip()
