"""The Lessons tab, the studio's first screen (issue 21): a studio opened with nothing chosen shows it;
a lesson clicked there opens beside the game at its first page; a preset clicked goes straight to the
game; a lesson left half way says so; a page without a run shows its curves in the panel. All by mouse."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from studio.gui.panels.lessons_home import NAME_ROLE
from studio.lessons.progress import ProgressStore
from tests.gui.hands import click, click_row, click_tab, menu_path


@pytest.fixture(autouse=True)
def own_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_SETTINGS", str(tmp_path / "settings"))


def row_text(w, name: str) -> str:
    return w.lessons.home.item(name).text()


def test_a_first_start_shows_the_lessons_and_a_click_opens_one_at_page_1(make_window, qtbot):
    w = make_window(None)                     # nothing asked for, nothing remembered: a first start
    qtbot.waitExposed(w)
    home = w.lessons.home
    assert w.tabs.currentWidget() is home and home.list.isVisible()
    names = [home.list.item(i).data(NAME_ROLE) for i in range(home.list.count())]
    assert names[0] == "gan-in-1d" and len(names) >= 8
    assert "A GAN in one dimension" in row_text(w, "gan-in-1d") and "not started" in row_text(w, "gan-in-1d")
    assert w.lessons.panel is None
    click_row(qtbot, home.list, home.item("gan-in-1d"))
    panel = w.lessons.panel
    assert panel is not None and w.lessons.dock.isVisible() and panel.isVisible()
    assert "page 1 of 2" in panel.heading.text() and panel.title.text() == "Two players on a line"
    assert w.tabs.currentWidget() is w.split and w.game.isVisible()        # the game beside the lesson
    assert w.model.run_name == "gan-in-1d-p1" and "press Step D (10 more)" in panel.todo.text()
    click_tab(qtbot, w.tabs.tabBar(), "Lessons")                             # the list again, the lesson open
    assert home.isVisible() and w.lessons.dock.isVisible()


def test_a_preset_clicked_on_the_first_screen_goes_straight_to_the_game(make_window, qtbot):
    w = make_window(None)
    qtbot.waitExposed(w)
    assert w.tabs.currentWidget() is w.lessons.home
    click_row(qtbot, w.presets.list, w.presets.item("ring-2d-gan"))
    assert w.model.preset == "ring-2d-gan" and w.tabs.currentWidget() is w.split and w.game.isVisible()
    assert w.lessons.panel is None                                           # no lesson was started


def test_a_preset_asked_for_or_remembered_opens_on_the_game(make_window, qtbot):
    w = make_window("saddle-bilinear")
    assert w.tabs.currentWidget() is w.split
    w.close()
    again = make_window(None)                 # the preset remembered from the last session
    assert again.tabs.currentWidget() is again.split and again.preset_name == "saddle-bilinear"
    menu_path(qtbot, again, "Lessons", "All lessons (the Lessons tab)")
    assert again.tabs.currentWidget() is again.lessons.home


def test_the_list_says_where_a_lesson_was_left_and_which_are_done(make_window, qtbot):
    store = ProgressStore()
    store.set_page("minimax-saddle", 1)
    store.set_page("gan-in-1d", 1)
    store.finish("gan-in-1d")
    w = make_window(None)
    assert "in progress, page 2 of 3" in row_text(w, "minimax-saddle")
    assert "✓ done" in row_text(w, "gan-in-1d") and "not started" in row_text(w, "mode-collapse")
    click_row(qtbot, w.lessons.home.list, w.lessons.home.item("minimax-saddle"))
    assert "page 2 of 3" in w.lessons.panel.heading.text()                 # taken up where it was left


def test_a_page_without_a_run_shows_its_curves_in_the_panel(make_window, qtbot):
    """js-vs-wasserstein page 1 sweeps θ without training: the KL/JS/W₁ chart is in the panel."""
    w = make_window(None)
    w.resize(1600, 1000)
    click_row(qtbot, w.lessons.home.list, w.lessons.home.item("js-vs-wasserstein"))
    panel = w.lessons.panel
    qtbot.waitUntil(lambda: "matches the notes" in panel.outcome.text(), timeout=10_000)
    qtbot.waitUntil(panel.figures.isVisible, timeout=5_000)
    figs = [f for f in panel.findChildren(QLabel, "lesson_figure") if f.isVisible()]
    assert len(figs) == 1
    pix = figs[0].pixmap()
    assert not pix.isNull() and pix.width() >= 250 and pix.height() >= 140
    img = pix.toImage()
    colours = {img.pixelColor(x, y).name() for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert len(colours) > 5                                                   # a chart, not a blank
    assert w.game.stack.currentWidget() is w.game.samples and "computed without training" in w.game.caption.text()
    click(qtbot, panel.next)                                                  # page 2: its own chart
    QApplication.processEvents()
    assert "page 2 of 2" in panel.heading.text()
    qtbot.waitUntil(lambda: "matches the notes" in panel.outcome.text(), timeout=10_000)
    assert panel.figures.isVisible()


def test_a_lesson_opened_wide_moves_beside_the_presets_when_the_window_narrows(make_window, qtbot):
    w = make_window("toy-1d-shift")
    w.resize(1600, 1000)
    qtbot.wait(100)
    menu_path(qtbot, w, "Lessons", "All lessons (the Lessons tab)")
    click_row(qtbot, w.lessons.home.list, w.lessons.home.item("conditional-generation"))
    dock = w.lessons.dock
    assert not w.tabifiedDockWidgets(dock)                      # wide: a third column
    assert "on data.kind = digits" in w.game.caption.text() and "This page sets" in w.game.caption.text()
    for _ in range(2):                                          # the first resize may stop at the column's width
        w.resize(1024, 700)
        qtbot.wait(100)
    assert w.width() == 1024 and w.left_dock in w.tabifiedDockWidgets(dock)
    assert dock.isVisible() and w.lessons.panel.isVisible()    # still the tab shown
