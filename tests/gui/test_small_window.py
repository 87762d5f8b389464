"""A 1024x700 window (issue 20: the first resize to 1024x700 left the window 1024x746 with the status
bar off-screen, and the status bar's left message ran under its fields): for a game of each kind (1D,
2D, images, Dirac) and every tab clicked, the window stays 1024x700 with its status bar inside; a long
run name in the status bar's message is elided in the middle, the whole of it in the tooltip."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog, QTabBar

from studio.config.presets import load_preset
from studio.engine.trainer import Trainer
from tests.gui.hands import click_tab, click_tool

SIZE = (1024, 700)


def bottom_bar(w) -> QTabBar:
    return next(b for b in w.findChildren(QTabBar) if b.isVisible() and b.count() >= 3
                and b.tabText(0) == "Checkpoints")


def fits(w, where: str) -> None:
    assert (w.width(), w.height()) == SIZE, f"{where}: {w.width()}x{w.height()}"
    hint = w.minimumSizeHint()
    assert hint.width() <= SIZE[0] and hint.height() <= SIZE[1], f"{where}: minimum {hint.width()}x{hint.height()}"
    st = w.status.geometry()
    assert w.status.isVisible() and st.top() >= 0 and st.bottom() < w.height(), f"{where}: status bar at {st}"


@pytest.mark.parametrize("preset", ["toy-1d-shift", "ring-2d-gan", "digits-dcgan", "toy-1d-rotation"])
def test_1024x700_holds_for_each_game_and_every_tab(qtbot, make_window, preset):
    w = make_window(preset)
    qtbot.waitExposed(w)
    w.resize(*SIZE)                                       # the first resize
    qtbot.wait(150)
    fits(w, "first resize")
    head = w.checkpoints.header       # the empty dock's two lines, whole (they were cut at the top)
    assert head.height() >= head.heightForWidth(head.width()), (head.height(), head.heightForWidth(head.width()))
    tabs = w.tabs.tabBar()
    for i in range(tabs.count()):
        name = tabs.tabText(i).replace("&", "")
        click_tab(qtbot, tabs, name)
        assert w.tabs.currentIndex() == i
        for dock in ("Metrics", "Log", "Checkpoints"):
            click_tab(qtbot, bottom_bar(w), dock)
            qtbot.wait(30)
            fits(w, f"{preset}, {name} tab, {dock}")
    click_tab(qtbot, tabs, "Training")


def test_a_long_run_name_in_the_status_message_is_elided_in_the_middle(qtbot, make_window, tmp_path, monkeypatch):
    cfg = load_preset("saddle-bilinear")
    cfg.train.steps = 5
    run = tmp_path / "saddle-bilinear-a-long-descriptive-name-for-this-run-20261205-072734"
    for _ in Trainer(cfg, run, snapshots=False).run():
        pass
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    w.resize(*SIZE)
    qtbot.wait(100)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(run))
    monkeypatch.setattr(w.follow, "load_newest", lambda: None)   # no "Loaded …" flash racing this one
    click_tool(qtbot, w.controls, w.controls.actions_by_name["open"])       # Open run…, the folder chosen
    qtbot.waitUntil(lambda: w.status.currentMessage() == f"Opened run {run.name}", timeout=10_000)
    qtbot.wait(50)
    s = w.status
    drawn = super(type(s), s).currentMessage()                              # what QStatusBar draws
    assert "…" in drawn and drawn.startswith("Op") and drawn.endswith("4")
    assert s.fontMetrics().horizontalAdvance(drawn) <= s.message_room()    # left of the fields
    fields = [lab.geometry().x() for lab in s.labels.values() if lab.isVisible()]
    assert 15 + s.fontMetrics().horizontalAdvance(drawn) < min(fields)
    assert s.toolTip() == f"Opened run {run.name}"                         # the whole name
    shown = s["shown"]                                                     # the run shown, elided too
    assert run.name in shown.toolTip() and shown.fontMetrics().horizontalAdvance(shown.text()) <= shown.width()
    w.resize(1600, 1000)                                                   # room again: all of it
    qtbot.wait(100)
    assert super(type(s), s).currentMessage() == f"Opened run {run.name}" and s.toolTip() == ""


def test_after_a_run_of_1500_steps_with_checkpoints_1024x700_still_holds(qtbot, make_window):
    """The rewind row ('1,500 / 1,500', Live, Branch from here) and the checkpoint cards made the
    window 1026 px wide and the checkpoints dock a third of its height after such a run."""
    w = make_window("ring-2d-gan", train__steps=1500, checkpoint__every=500, eval__every=0, model__hidden=16,
                    model__depth=2, train__batch_size=32)
    qtbot.waitExposed(w)
    w.resize(1600, 1000)
    qtbot.wait(100)
    click_tool(qtbot, w.controls, w.controls.actions_by_name["train"])
    qtbot.waitUntil(lambda: w.session.state == "idle" and w.session.step == 1500, timeout=60_000)
    qtbot.waitUntil(lambda: len(w.checkpoints.paths()) >= 3, timeout=10_000)
    tl = w.rewind.timeline
    assert tl.isVisible() and "1,500" in tl.label.text()
    w.resize(*SIZE)
    qtbot.wait(200)
    fits(w, "after the run")
    assert w.ck_dock.height() <= 0.24 * SIZE[1] + 8, w.ck_dock.height()       # the game keeps its room
    right = tl.branch_button.mapTo(w.game, tl.branch_button.rect().topRight()).x()
    assert tl.branch_button.isVisible() and right < w.game.width()        # the row whole, Branch on screen
    w.resize(1600, 1000)
    qtbot.wait(200)
    assert tl.title.isVisible()                                            # "Rewind" where there is room
