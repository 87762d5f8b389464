"""Slow motion in the window, and the 1D and 2D views' drawing: z → x lines, the ideal-map panel,
clamped points, axes that keep still when a layer is toggled, real points above generated ones."""
import numpy as np
import pytest
import torch
from PySide6.QtCore import QPoint

from studio.engine.commands import Pause, SlowStep, Stop
from studio.engine.events import SlowMotion, Snapshot
from studio.engine.trainer import Trainer
from studio.gui.views.toy1d import View1D
from studio.gui.views.toy2d import View2D, bilinear, clamp_to
from tests.core.helpers import tiny
from tests.gui.hands import click


def _slow_events(preset):
    t = Trainer(tiny(preset, "eval.every=0"), write=False)
    for c in (Pause(), SlowStep(), Stop()):
        t.commands.put(c)
    evs = list(t.run())
    return next(e for e in evs if isinstance(e, SlowMotion)), [e for e in evs if isinstance(e, Snapshot)][-1]


def test_slow_motion_plays_every_phase_and_the_model_is_one_step_further(qtbot, make_window):
    w = make_window("ring-2d-gan", train__steps=1000)
    view = w.game.view("2d")
    view.slow.min_phase = 0.02
    w.controls.set_pace(None)                        # full speed: each phase lasts min_phase
    assert view.slow.pace is None
    shown = []
    orig = view.slow._draw_phase
    view.slow._draw_phase = lambda ph, t: (shown.append((view.slow.step, ph["key"], t)), orig(ph, t))[1]
    qtbot.waitUntil(view.slow.button.isVisible, timeout=20_000)
    click(qtbot, view.slow.button)                  # from idle: starts the run paused and asks for a step
    qtbot.waitUntil(lambda: view.slow.played >= 1, timeout=40_000)
    view.slow.set_on(False)
    keys = [k for s, k, _ in shown if s == 1]
    assert [k for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k] == \
        ["d_batch", "d_grad", "d_update", "g_grad", "g_update"]
    assert any(k == "g_update" and t == 1.0 for s, k, t in shown)        # the animation ends on "after"
    qtbot.waitUntil(lambda: w.session.state == "paused", timeout=10_000)
    assert w.session.step >= 1 and not view.slow.caption.isVisible()
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=20_000)


def test_the_key_advances_a_phase_when_auto_is_off(qtbot):
    sm, snap = _slow_events("toy-1d-shift")
    v = View1D()
    qtbot.addWidget(v)
    v.show()
    v.set_snapshot(snap.data, snap.step)
    v.flush()
    asked = []
    v.slow.step_requested.connect(lambda: asked.append(1))
    assert not v.slow.auto.isVisible() and not v.slow.next_btn.isVisible()    # shown with slow motion only
    click(qtbot, v.slow.button)
    assert v.slow.auto.isVisible() and v.slow.next_btn.isVisible()
    click(qtbot, v.slow.auto, QPoint(8, v.slow.auto.height() // 2))
    assert not v.slow.auto.isChecked()
    assert asked == [1] and v.slow.caption.isVisible()
    v.slow.play(sm.step, sm.phases)
    assert v.slow.index == 0 and "1/5" in v.slow.caption.text()
    qtbot.wait(50)
    assert v.slow.index == 0                         # no auto-advance
    for i in range(1, 5):
        v.slow.advance()
        assert v.slow.index == i and f"{i + 1}/5" in v.slow.caption.text()
    v.slow.advance()
    assert asked == [1, 1] and v.slow.played == 1    # the last phase done: the next iteration is asked for


def test_the_1d_view_draws_z_to_x_lines_and_the_ideal_map(qtbot):
    _, snap = _slow_events("toy-1d-mlp")
    v = View1D()
    qtbot.addWidget(v)
    v.resize(900, 700)
    v.show()
    v.set_snapshot(snap.data, snap.step)
    v.flush()
    zx, zy = v.zx.getData()
    d = snap.data
    assert len(zx) == 2 * len(d["z_line"])
    assert np.allclose(zx[0::2], d["z_line"]) and np.allclose(zx[1::2], d["x_line"])
    assert np.all(zy[0::2] < zy[1::2])                      # from the z axis below up to the ticks
    assert v.mp.isVisible()
    assert np.allclose(v.c_ideal.getData()[1], d["map_ideal"])
    assert v.c_real.zValue() >= v.c_gen.zValue() and v.main.items.index(v.c_real) > v.main.items.index(v.c_gen)
    _, shift = _slow_events("toy-1d-shift")
    v.set_snapshot(shift.data, shift.step)
    v.flush()
    assert not v.mp.isVisible()                              # the shift game: θ and the phase portrait
    assert v.th.isVisible()


def test_the_2d_view_clamps_far_points_and_keeps_its_axes_when_a_layer_is_toggled(qtbot):
    _, snap = _slow_events("ring-2d-gan")
    data = dict(snap.data)
    far = np.array([[50.0, 0.0], [0.0, -40.0], [-30.0, 1.0]], np.float32)
    data["fake"] = np.concatenate([data["fake"], far])
    v = View2D()
    qtbot.addWidget(v)
    v.resize(800, 600)
    v.show()
    v.set_snapshot(data, snap.step)
    v.flush()
    qtbot.wait(20)
    lo, hi = v.range.lo, v.range.hi
    assert len(v.clamped) == 3
    assert np.all(v.clamped >= lo) and np.all(v.clamped <= hi)
    assert np.isclose(v.clamped[0, 0], hi[0], rtol=0.05) and np.isclose(v.clamped[1, 1], lo[1], rtol=0.05)
    assert [str(s) for s in v.s_out.data["symbol"]] == ["t2", "t", "t3"]    # right, down, left
    assert v.s_fake.data.size == len(snap.data["fake"])
    # real points drawn above generated ones
    items = v.plot.items
    assert items.index(v.s_real) > items.index(v.s_fake)
    qtbot.wait(50)                                   # the layout settled
    before = [list(r) for r in v.vb.viewRange()]
    for name in v.LAYERS:
        v.toggles[name].setChecked(False)
        qtbot.wait(10)
        assert np.allclose(v.vb.viewRange(), before), name
        v.toggles[name].setChecked(True)
    # a smooth heatmap: more pixels than probe points, the nodes kept
    img = v.img.image
    assert img.shape[0] > np.asarray(snap.data["heat"]).shape[0] * 3
    assert np.allclose(img[::4, ::4], snap.data["heat"], atol=1e-6)


def test_bilinear_and_clamp_helpers():
    h = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = bilinear(h, 2)
    assert b.shape == (3, 5) and np.allclose(b[::2, ::2], h) and np.isclose(b[1, 1], (0 + 1 + 3 + 4) / 4)
    inside, clamped, out, sym = clamp_to(np.array([[0, 0], [5, 0.5], [0.2, -9]]), [-1, -1], [1, 1])
    assert out.tolist() == [False, True, True] and sym == ["t2", "t"] and len(inside) == 1
    assert np.all(np.abs(clamped) <= 1)


@pytest.mark.parametrize("preset", ["ring-2d-gan", "toy-1d-mlp"])
def test_every_phase_draws_without_error(qtbot, preset):
    sm, snap = _slow_events(preset)
    v = (View2D if sm.view == "2d" else View1D)()
    qtbot.addWidget(v)
    v.show()
    v.set_snapshot(snap.data, snap.step)
    v.flush()
    v.slow.auto.setChecked(False)
    v.slow.button.setChecked(True)
    v.slow.play(sm.step, sm.phases)
    for i, ph in enumerate(sm.phases):
        for t in (0.0, 0.5, 1.0):
            v._draw_phase(ph, t)
        if ph["key"] == "g_update" and sm.view == "2d":
            inside = len(v.s_fake.data) + len(v.s_out.data)
            assert inside == len(ph["g_to"])
            torch.testing.assert_close(torch.tensor(np.sort(np.concatenate(
                [np.stack([v.s_fake.data["x"], v.s_fake.data["y"]], 1), v.clamped]), 0)),
                torch.tensor(np.sort(np.clip(ph["g_to"], v.range.lo + 0.012 * (v.range.hi - v.range.lo),
                                             v.range.hi - 0.012 * (v.range.hi - v.range.lo))
                                     if len(v.clamped) else ph["g_to"], 0), dtype=torch.float64),
                atol=1e-5, rtol=0)
