"""The run's single-key shortcuts (Space, S, D, G) stay quiet while a field, a drop-down or a list has
focus: a "d" typed there is a "d", not Step D, and no run directory appears (issue 20)."""
from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from studio.config.paths import runs_dir
from tests.gui.hands import click, click_row, type_into


def _no_run(qtbot, w) -> None:
    qtbot.wait(400)                  # a run would be starting by now
    assert w.session.state == "idle" and not w.session.live
    assert not runs_dir().exists() or not os.listdir(runs_dir()), "a run directory appeared"
    assert w.plot.point_count() == 0


def test_d_typed_in_a_field_combo_or_list_steps_nothing(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=2000)
    # a drop-down with focus (opened by a click and closed with Escape)
    combo = w.form.widget("optim_d.kind")
    w.form_scroll.ensureWidgetVisible(combo)
    QApplication.processEvents()
    click(qtbot, combo)
    qtbot.waitUntil(combo.view().isVisible, timeout=2000)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not combo.view().isVisible(), timeout=2000)
    assert combo.hasFocus()
    qtbot.keyClick(combo, Qt.Key.Key_D)
    qtbot.keyClick(combo, Qt.Key.Key_Space)
    if combo.view().isVisible():                 # Space opens a focused drop-down's list
        qtbot.keyClick(combo.view(), Qt.Key.Key_Escape)
    _no_run(qtbot, w)
    # the preset list with focus
    click_row(qtbot, w.presets.list, w.presets.item("toy-1d-shift"))
    assert w.presets.list.hasFocus()
    qtbot.keyClick(w.presets.list, Qt.Key.Key_D)
    qtbot.keyClick(w.presets.list, Qt.Key.Key_G)
    _no_run(qtbot, w)
    # last, a number box (the text typed there is marked when it is left, and a run would not start)
    steps = w.form.widget("train.steps")
    w.form_scroll.ensureWidgetVisible(steps)
    type_into(qtbot, steps.lineEdit(), "", enter=False)         # click in, select all
    for key in (Qt.Key.Key_D, Qt.Key.Key_G, Qt.Key.Key_S, Qt.Key.Key_Space):
        qtbot.keyClick(QApplication.focusWidget(), key)
    assert steps.lineEdit().text() == "dgs ", steps.lineEdit().text()   # typed into the field
    _no_run(qtbot, w)
    assert w.controls.actions_by_name["step_d"].isEnabled()     # the shortcut's action is there, idle
