"""The toolbar's speed control: stops from 1/s to full speed, keys, the preset's default pace, a
paced run that really trains at that pace, and a toolbar that still fits a 1024 px window."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt

from studio.config.presets import load_preset
from studio.gui.panels.controls import PACES, Controls


def test_the_speed_control_has_labelled_stops_keys_and_a_signal(qtbot):
    c = Controls()
    qtbot.addWidget(c)
    texts = [c.speed.itemText(i) for i in range(c.speed.count())]
    assert texts[0] == "1/s" and texts[-1] == "full" and "10/s" in texts and "100/s" in texts
    assert c.pace() is None                                     # full speed by default
    seen = []
    c.pace_changed.connect(seen.append)
    c.set_pace(10)
    assert c.pace() == 10.0 and seen == [10.0]
    c.nudge_pace(-1)
    assert c.pace() == 5.0
    c.nudge_pace(+1)
    c.nudge_pace(+1)
    assert c.pace() == 20.0
    c.set_pace(15)                                              # between two stops: its own entry
    i = c.speed.currentIndex()
    assert c.speed.itemText(i) == "15/s" and c.speed.itemData(i - 1) == 10 and c.speed.itemData(i + 1) == 20
    c.set_pace(None)
    assert c.pace() is None and seen[-1] is None
    c.nudge_pace(+1)                                            # already the fastest
    assert c.pace() is None
    assert "CLI" in c.speed.toolTip() and "[" in c.speed.toolTip()
    assert len(PACES) >= 7


def test_presets_open_at_their_pace_and_a_paced_run_keeps_it(qtbot, make_window):
    w = make_window("saddle-quadratic")         # the fixture sets full speed: choosing a preset sets its pace
    assert w.presets.select("toy-1d-shift")
    assert w.controls.pace() == load_preset("toy-1d-shift").train.pace > 0
    assert w.presets.select("toy-1d-rotation")
    assert w.controls.pace() == load_preset("toy-1d-rotation").train.pace > 0
    assert w.presets.select("fashion-dcgan")
    assert w.controls.pace() is None                            # image presets: full speed
    assert w.presets.select("ring-2d-gan")
    w.model.set_value("train.steps", 100_000)
    w.controls.set_pace(5)
    assert w.rewind.pace_label.text() == "pace 5/s"
    w.train_or_pause()
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.step >= 1, timeout=40_000)
    s0, t0 = w.session.step, time.perf_counter()
    qtbot.wait(1500)
    rate = (w.session.step - s0) / (time.perf_counter() - t0)
    assert 2 <= rate <= 8, rate                                 # 5/s, not the hundreds of full speed
    sc = w.controls.pace_keys["]"]                              # "]": one stop faster
    assert sc.key().toString() == "]" and sc.context() == Qt.ShortcutContext.WindowShortcut
    sc.activated.emit()
    assert w.controls.pace() == 10.0 and w.session.pace == 10.0
    w.controls.set_pace(None)
    s1 = w.session.step
    qtbot.waitUntil(lambda: w.session.step > s1 + 50, timeout=20_000)   # full speed at once
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=20_000)


def test_the_toolbar_with_the_speed_control_fits_1024_pixels(qtbot, make_window):
    w = make_window("toy-1d-shift")
    w.resize(1024, 700)
    qtbot.wait(50)
    bar = w.controls
    for name in bar.actions_by_name:                            # no button pushed into the overflow menu
        b = bar.button(name)
        assert b is not None and b.isVisible(), name
        assert b.geometry().right() <= bar.width(), name
    assert bar.speed.isVisible() and bar.speed.geometry().right() <= bar.width()
