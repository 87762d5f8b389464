"""The latent explorer in the window at 1024x700 and 1600x1000: every principal direction's slider
can be scrolled to and dragged by hand, and the vector-arithmetic page shows its grid, its four
pictures and its strength slider whole (issue 20: at 1024x700 only PC1 showed and the grid was cut)."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint

from tests.gui.hands import click, click_tab, drag_slider
from tests.gui.test_latent import digits  # noqa: F401  (the fixture: a small digits generator)


def whole(widget) -> bool:
    """Drawn in full: its rectangle inside every ancestor's (the scroll areas' viewports, the
    splitter's panes, the window), as a person would see all of it."""
    if not widget.isVisible():
        return False
    parent = widget.parentWidget()
    while parent is not None:
        top_left = widget.mapTo(parent, QPoint(0, 0))
        if not parent.rect().contains(top_left) or \
                not parent.rect().contains(top_left + QPoint(widget.width() - 1, widget.height() - 1)):
            return False
        parent = parent.parentWidget()
    return True


@pytest.mark.parametrize("size", [(1024, 700), (1600, 1000)])
def test_every_direction_reachable_and_the_arithmetic_page_whole(qtbot, make_window, digits, size):  # noqa: F811
    w = make_window("ring-2d-gan")
    w.resize(*size)
    qtbot.waitExposed(w)
    click_tab(qtbot, w.tabs.tabBar(), "Latent explorer")
    ex = w.latent_explorer()
    with qtbot.waitSignal(ex.rendered, timeout=10_000):
        ex.set_source(digits)
    assert (w.width(), w.height()) == size
    assert len(ex.pc_sliders) >= 4
    scroll = ex.controls.scroll
    bar = scroll.verticalScrollBar()
    for s in ex.pc_sliders:                   # each one: scrolled to by clicks on the bar's down arrow
        for _ in range(80):
            top = s.mapTo(scroll.viewport(), QPoint(0, 0)).y()
            if 0 <= top and top + s.height() <= scroll.viewport().height():
                break
            assert bar.isVisible() and bar.value() < bar.maximum(), "a slider cannot be scrolled to"
            # the arrow steps a line at a time (a click in the trough pages past a slider near the edge)
            click(qtbot, bar, QPoint(bar.width() // 2, bar.height() - bar.width() // 2))
        assert whole(s)
    last = ex.pc_sliders[-1]
    before = ex.image.copy()
    drag_slider(qtbot, last, last.maximum())
    assert last.value() > 0
    qtbot.waitUntil(lambda: ex._shown["image"] >= ex._stamp and not ex._busy, timeout=10_000)
    assert not np.array_equal(ex.image, before)
    click_tab(qtbot, ex.lower.tabBar(), "Vector arithmetic")
    ar = ex.arith
    qtbot.waitUntil(lambda: ar.grid.img.image is not None, timeout=10_000)
    qtbot.wait(50)
    for part in (ar.grid, *ar.pics.values(), ar.strength, ar.clear_btn):
        assert whole(part), f"{type(part).__name__} is cut at {size}"
    assert whole(ex.picture) and ex.picture.height() >= 160
