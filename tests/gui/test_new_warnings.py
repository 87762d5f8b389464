"""The run's newer warnings (issue 26: losses exploding, a quality that fell back, a slow run) are
shown as the others are: a badge each in the Metrics dock, named, counted in its tab, and a line in
the log."""
from __future__ import annotations

from PySide6.QtWidgets import QTabBar

from studio.engine.events import Message
from tests.gui.hands import click_tab


def test_exploding_regression_and_slow_show_like_other_warnings(make_window, qtbot):
    w = make_window("toy-1d-shift")
    for code, text in (("exploding", "Losses exploding: for 50 steps a loss has been beyond 1e6."),
                       ("quality_regression", "FID is 3x its best (34 at step 200)."),
                       ("slow", "Steps take 2.0 s each.")):
        w.session.event.emit(Message(10, "warning", text, code))
    bar = next(b for b in w.findChildren(QTabBar) if any(b.tabText(i).startswith("Metrics") for i in range(b.count())))
    name = next(bar.tabText(i) for i in range(bar.count()) if bar.tabText(i).startswith("Metrics"))
    assert name == "Metrics ⚠ 3"
    click_tab(qtbot, bar, name)
    badges = {b.code: b for b in w.metrics.badges.values()}
    assert set(badges) == {"exploding", "quality_regression", "slow"}
    assert all(b.isVisible() for b in badges.values())
    assert "<b>quality regression</b>" in badges["quality_regression"].text()
    assert "Losses exploding" in w.log.text() and "Steps take 2.0 s" in w.log.text()
