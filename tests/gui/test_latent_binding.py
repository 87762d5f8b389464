"""The latent explorer's Follow box and the studio model's `explorer_follows`, bound both ways in the
window: the box clicked writes the model; the model changed ticks the box, and nothing echoes."""
from __future__ import annotations

from PySide6.QtCore import QPoint

from tests.gui.hands import click, click_tab


def test_the_follow_box_goes_through_the_model_and_shows_what_it_says(qtbot, make_window):
    w = make_window("ring-2d-gan")
    qtbot.waitExposed(w)
    click_tab(qtbot, w.tabs.tabBar(), "Latent explorer")
    ex = w.latent_explorer()
    assert ex.following and w.model.explorer_follows
    events = []
    w.model.explorer_changed.connect(events.append)
    click(qtbot, ex.follow, QPoint(8, ex.follow.height() // 2))       # unticked by hand: pinned
    assert not ex.following and not w.model.explorer_follows and len(events) == 1
    chosen = []
    ex.follow_chosen.connect(chosen.append)
    w.model.follow_live_run(True)                                     # the model says follow
    assert ex.following and ex.follow.isChecked() and chosen == [] and len(events) == 2
    w.model.set_explorer_source("checkpoint", "/tmp/x/end_00000005.pt", 5, follow=False)
    assert not ex.following and chosen == [] and len(events) == 3
