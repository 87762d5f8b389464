"""A student plays lesson 1 in the studio with the mouse only: Lessons › "A GAN in one dimension",
Step D ten times on the toolbar, the outcome; Next, a prediction, Train, the outcome; Finish, and the
menu says the lesson is done (issue 21)."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from studio.lessons.progress import ProgressStore
from tests.gui.hands import click, click_row, click_tool, menu_path


@pytest.fixture(autouse=True)
def own_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_SETTINGS", str(tmp_path / "settings"))


def lesson_entry(w, name: str) -> str:
    return next(a.text() for a in w.lessons.menu.actions() if a.objectName() == f"lesson_{name}").replace("&", "")


def test_a_student_plays_lesson_one_with_the_mouse(make_window, qtbot):
    w = make_window("toy-1d-shift")
    entry = lesson_entry(w, "gan-in-1d")
    assert "A GAN in one dimension" in entry and "2 pages" in entry and "not started" in entry
    menu_path(qtbot, w, "Lessons", entry)
    panel = w.lessons.panel
    assert panel is not None and w.lessons.dock.isVisible()
    assert panel.title.text() == "Two players on a line"
    assert "press Step D (10 more)" in panel.todo.text()
    assert w.model.run_name == "gan-in-1d-p1" and w.model.config().data.kind == "gaussian1d"

    step_d = w.controls.actions_by_name["step_d"]
    for n in range(10):
        click_tool(qtbot, w.controls, step_d)
        qtbot.waitUntil(lambda n=n: w.session.state == "paused" and w.session.step >= 0, timeout=10_000)
        if n == 4:
            qtbot.waitUntil(lambda: "press Step D (5 more)" in panel.todo.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "matches the notes" in panel.outcome.text(), timeout=20_000)
    assert "θ has not moved" in panel.outcome.text()
    qtbot.waitUntil(lambda: not w.session.live, timeout=10_000)    # the page's run was stopped for it

    click(qtbot, panel.next)
    assert panel.title.text() == "θ slides to the data" and "press Train" in panel.todo.text()
    click(qtbot, panel.choices.button(0))
    assert panel.prediction() == 0
    click_tool(qtbot, w.controls, w.controls.actions_by_name["train"])
    qtbot.waitUntil(lambda: "notes" in panel.outcome.text(), timeout=60_000)
    text = panel.outcome.text()
    assert "matches the notes" in text, text
    assert "θ ends within 0.1 of μ" in text
    qtbot.waitUntil(lambda: not w.session.live, timeout=10_000)

    click(qtbot, panel.next)          # "Finish ✓"
    assert "Lesson done" in panel.outcome.text()
    QApplication.processEvents()
    assert ProgressStore().state("gan-in-1d") == "done"
    w.lessons.fill_menu()
    assert lesson_entry(w, "gan-in-1d").endswith("done")


def test_the_menu_lists_every_lesson_with_its_state(make_window):
    w = make_window("toy-1d-shift")
    texts = [a.text() for a in w.lessons.menu.actions() if a.objectName().startswith("lesson_")]
    assert len(texts) >= 8 and texts[0].startswith("1. A GAN in one dimension")
    assert all("not started" in t for t in texts)


def test_a_preset_chosen_by_hand_leaves_the_page_until_replay(make_window, qtbot):
    w = make_window("toy-1d-shift")
    menu_path(qtbot, w, "Lessons", lesson_entry(w, "best-discriminator"))
    panel = w.lessons.panel
    click_row(qtbot, w.presets.list, w.presets.item("ring-2d-gan"))
    assert w.model.preset == "ring-2d-gan" and "press Replay" in panel.todo.text()
    assert not w.lessons.play.isEnabled()
    click(qtbot, panel.replay)
    assert w.model.run_name == "best-discriminator-p1" and "press Step D (500 more)" in panel.todo.text()
    assert w.lessons.play.isEnabled()


def test_play_does_a_pages_many_steps_and_every_run(make_window, qtbot):
    """Saturating loss: page 1 asks for Step D 300 times, page 2 has two runs; Play does them."""
    w = make_window("toy-1d-shift")
    menu_path(qtbot, w, "Lessons", lesson_entry(w, "saturating-loss"))
    panel, play = w.lessons.panel, w.lessons.play
    assert "press Step D (300 more)" in panel.todo.text()
    click(qtbot, play)
    qtbot.waitUntil(lambda: "notes" in panel.outcome.text(), timeout=60_000)
    assert "matches the notes" in panel.outcome.text(), panel.outcome.text()
    assert not play.isEnabled()
    qtbot.waitUntil(lambda: not w.session.live, timeout=10_000)
    click(qtbot, panel.next)
    assert "Run 1 of 2" in panel.todo.text()
    click(qtbot, play)
    qtbot.waitUntil(lambda: "Run 2 of 2" in panel.todo.text(), timeout=60_000)
    qtbot.waitUntil(lambda: "notes" in panel.outcome.text(), timeout=60_000)
    assert "✓" in panel.outcome.text() or "✗" in panel.outcome.text()
    qtbot.waitUntil(lambda: not w.session.live, timeout=10_000)
