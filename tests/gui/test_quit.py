"""File › Quit (Ctrl+Q): the window closes, a live run stops with its checkpoint, no thread is left
(issue 20: there was no Quit, and Ctrl+Q did nothing)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from studio.gui.session import live_threads
from tests.gui.hands import click_tool, menu_path

LONG = dict(train__steps=1_000_000, checkpoint__every=0, eval__every=0)


def test_ctrl_q_stops_the_live_run_with_its_checkpoint_and_closes(qtbot, make_window):
    w = make_window("toy-1d-shift", **LONG)
    qtbot.waitExposed(w)
    assert [a.text().replace("&", "") for a in w.menuBar().actions()][0] == "File"
    c = w.controls
    click_tool(qtbot, c, c.actions_by_name["train"])
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.step > 3, timeout=30_000)
    run_dir = Path(w.session.run_dir)
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert not w.isVisible(), "Ctrl+Q left the window open"
    assert not w.session.live and not live_threads()
    assert list((run_dir / "checkpoints").glob("*.pt")), "no checkpoint saved on quit"


def test_file_quit_by_mouse_closes_an_idle_window(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    act = menu_path(qtbot, w, "File", "Quit")
    assert act.shortcut().toString() == "Ctrl+Q"
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=5000)
