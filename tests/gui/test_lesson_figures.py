"""The lesson panel's pictures (lessons 9, 10 and 13): a page's sample grids side by side appear under
the outcome, shrunk to the dock's width with their shape kept, and the page scrolls to the outcome; widening the panel shows them larger;
a click shows one at full size; Next (clicked) opens a page without them."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from studio.gui.panels.lesson_panel import Figure, LessonPanel
from studio.lessons.format import load_lesson
from studio.lessons.outcome import CheckResult
from studio.lessons.progress import ProgressStore
from tests.gui.test_lesson_panel import click


def test_the_pages_pictures_fit_the_panel_and_go_with_the_page(qtbot, tmp_path):
    lesson = load_lesson("dcgan-guidelines")
    panel = LessonPanel(lesson, ProgressStore(tmp_path / "lessons.json"))
    qtbot.addWidget(panel)
    panel.resize(380, 700)
    panel.show()
    qtbot.waitExposed(panel)
    assert not panel.figures.isVisible()
    img = np.zeros((300, 900, 3), np.uint8)
    img[:, :450] = 255                                     # left half white: a shape to recognise
    panel.resize(380, 420)                    # the page's text is longer than the panel: the outcome below
    qtbot.waitUntil(lambda: panel.outcome.visibleRegion().isEmpty())
    panel.show_outcome([CheckResult(c, 1.0, True) for c in panel.page.checks])
    panel.show_figures([img])
    qtbot.waitUntil(lambda: not panel.outcome.visibleRegion().isEmpty())     # scrolled to the outcome
    assert panel.scroll.verticalScrollBar().value() > 0
    panel.resize(380, 700)
    qtbot.waitUntil(lambda: panel.figures.isVisible())
    fig = panel.findChildren(Figure)[0]
    pm = fig.pixmap()
    assert fig.isVisible() and pm.width() <= panel.outcome.width() and pm.width() >= 200
    assert abs(pm.height() / pm.width() - 300 / 900) < 0.02
    shown = fig.grab().toImage()
    assert shown.pixelColor(pm.width() // 4, pm.height() // 2).lightness() > 200      # white on the left
    assert shown.pixelColor(3 * pm.width() // 4, pm.height() // 2).lightness() < 50   # black on the right
    qtbot.mouseClick(fig, Qt.MouseButton.LeftButton, pos=fig.rect().center())     # full size, in a window
    qtbot.waitUntil(lambda: fig.full is not None and fig.full.isVisible())
    assert fig.full.widget().pixmap().width() == 900
    fig.full.close()
    narrow = pm.width()
    panel.resize(700, 700)
    qtbot.waitUntil(lambda: fig.pixmap().width() > narrow)
    click(qtbot, panel.next)
    assert panel.index == 1 and not panel.figures.isVisible()
