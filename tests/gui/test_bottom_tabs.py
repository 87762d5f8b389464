"""The bottom tabs at a large window (issue 20: at 1600x1000 the Metrics tab showed plots a few
pixels tall in a dock sized for one line of checkpoints): the Metrics tab clicked gets room."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QTabBar

from tests.gui.hands import click_tab


def _bottom_bar(w) -> QTabBar:
    return next(b for b in w.findChildren(QTabBar) if b.isVisible() and b.count() >= 3
                and b.tabText(0) == "Checkpoints")


def test_the_metrics_tab_clicked_gets_room_and_checkpoints_give_it_back(qtbot, make_window):
    w = make_window("toy-1d-shift")
    w.resize(1600, 1000)
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.ck_dock.height() < 120, timeout=3000)       # one line: no checkpoints
    click_tab(qtbot, _bottom_bar(w), "Metrics")
    qtbot.waitUntil(lambda: w.metrics_dock.height() >= 0.3 * w.height(), timeout=3000)
    assert w.metrics.isVisible() and w.height() == 1000
    assert w.status.geometry().bottom() < w.height()                        # the status bar on screen
    w.grab().save("/tmp/g20/metrics_tab_1600.png")
    click_tab(qtbot, _bottom_bar(w), "Checkpoints")
    QApplication.processEvents()
    qtbot.waitUntil(lambda: w.ck_dock.height() < 120, timeout=3000)


def test_a_resize_to_1024x700_keeps_the_status_bar_on_screen(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    w.resize(1024, 700)
    qtbot.wait(100)
    click_tab(qtbot, _bottom_bar(w), "Metrics")
    qtbot.wait(100)
    assert (w.width(), w.height()) == (1024, 700)
    assert 0.2 * 700 <= w.metrics_dock.height() <= 0.3 * 700      # room, and the game keeps its share
    assert w.status.isVisible() and w.status.geometry().bottom() < w.height()
    w.grab().save("/tmp/g20/metrics_tab_1024.png")
