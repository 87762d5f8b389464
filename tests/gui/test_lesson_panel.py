"""The lesson panel driven by the mouse: a student finishes lesson 1 with clicks only (radio button,
Next, Replay, Finish), the outcome comes from synthetic check results, and the progress is there
when the panel is opened again."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QRadioButton

from studio.gui.panels.lesson_panel import LessonPanel
from studio.lessons.format import load_lesson
from studio.lessons.outcome import CheckResult
from studio.lessons.progress import DONE, IN_PROGRESS, ProgressStore


def click(qtbot, w):
    """A click where a person would click: a button's centre, a radio button's circle (a wide radio
    button takes clicks on its circle and text only); apart from the last click, which it would
    otherwise join in a double click."""
    qtbot.wait(QApplication.doubleClickInterval() + 20)
    pos = QPoint(8, w.height() // 2) if isinstance(w, QRadioButton) else w.rect().center()
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=pos)


def results(page, ok=True):
    return [CheckResult(c, 0.01 if ok else 9.0, ok) for c in page.checks]


def test_a_student_finishes_lesson_1_with_the_mouse(qtbot, tmp_path):
    lesson = load_lesson("gan-in-1d")
    store = ProgressStore(tmp_path / "lessons.json")
    panel = LessonPanel(lesson, store)
    qtbot.addWidget(panel)
    panel.resize(420, 700)
    panel.show()
    qtbot.waitExposed(panel)
    shown, replays, predictions = [], [], []
    panel.page_shown.connect(shown.append)
    panel.replay_requested.connect(replays.append)
    panel.prediction_made.connect(lambda i, c: predictions.append((i, c)))

    assert "page 1 of 2" in panel.heading.text() and not panel.back.isEnabled()
    assert not panel.predict_box.isVisible()          # page 1 asks nothing
    panel.show_outcome(results(lesson.pages[0]))      # the window's run of page 1 has finished
    assert "matches the notes" in panel.outcome.text()
    click(qtbot, panel.next)
    assert shown == [1] and "page 2 of 2" in panel.heading.text() and panel.next.text().startswith("Finish")

    choice = panel.findChild(QRadioButton, "lesson_choice_2")
    qtbot.waitUntil(choice.isVisible)
    click(qtbot, choice)                               # predict "beyond 6"
    assert predictions == [(1, 2)] and panel.prediction() == 2
    click(qtbot, panel.replay)
    assert replays == [1]
    panel.show_outcome(results(lesson.pages[1]))
    assert "the notes expect “On the real mean" in panel.outcome.text()
    click(qtbot, panel.findChild(QRadioButton, "lesson_choice_0"))   # changes their mind after the run
    assert "that is what the notes expect" in panel.outcome.text()
    assert store.state("gan-in-1d") == IN_PROGRESS
    click(qtbot, panel.next)                           # Finish
    assert store.state("gan-in-1d") == DONE and "Lesson done" in panel.outcome.text()

    again = LessonPanel(lesson, ProgressStore(tmp_path / "lessons.json"))   # the studio opened again
    qtbot.addWidget(again)
    assert again.index == 1 and again.prediction() == 0
    again.show()
    click(qtbot, again.back)
    assert again.index == 0


def test_a_failed_check_is_said_in_red_words(qtbot, tmp_path):
    lesson = load_lesson("gan-in-1d")
    panel = LessonPanel(lesson, ProgressStore(tmp_path / "p.json"))
    qtbot.addWidget(panel)
    panel.show()
    panel.show_page(1)
    panel.show_outcome(results(lesson.pages[1], ok=False))
    assert "does not match the notes" in panel.outcome.text() and "NOT as the notes say" in panel.outcome.text()
    assert "b3261e" in panel.outcome.styleSheet()
