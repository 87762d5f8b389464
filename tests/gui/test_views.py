"""The training views take real snapshots from the core trainer and show their data."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from studio.config.io import apply_override
from studio.config.presets import load_preset
from studio.data.images import FASHION_CLASSES
from studio.engine.events import Snapshot
from studio.engine.trainer import Trainer
from studio.gui.views import base, make_view
from studio.gui.views.base import RangeKeeper
from studio.gui.views.images import CycleGanView, ImageView
from studio.gui.views.saddle import SaddleView
from studio.gui.views.toy1d import View1D
from studio.gui.views.toy2d import SMOOTH, View2D

TINY = {
    "shift": ("toy-1d-shift", 6, ["log.snapshot_every=2"]),
    "wgan": ("ring-2d-wgan-gp", 1, ["model.hidden=16", "model.depth=2", "train.batch_size=32",
                                    "variant.n_critic=1"]),
    "gan": ("ring-2d-gan", 1, ["model.hidden=16", "model.depth=2", "train.batch_size=32"]),
    "saddle": ("saddle-bilinear", 12, ["log.snapshot_every=3"]),
    "cgan": ("fashion-cgan", 0, ["data.kind=digits", "data.limit=64", "model.base_channels=8",
                                 "log.grid_samples=20"]),
    "cycle": ("digits-cyclegan", 0, ["data.limit=64", "model.base_channels=4", "log.grid_samples=3"]),
}


def snapshots(key: str) -> list[Snapshot]:
    """Snapshots of a tiny run (steps = 0: only the one taken before training)."""
    preset, steps, over = TINY[key]
    cfg = load_preset(preset)
    for o in over + ["train.device=cpu", "checkpoint.every=0", "log.grid_every=0",
                     f"train.steps={max(steps, 1)}"]:
        apply_override(cfg, o)
    run = Trainer(cfg, write=False).run()
    out = []
    for ev in run:
        if isinstance(ev, Snapshot):
            out.append(ev)
            if steps == 0:
                run.close()
                break
    return out


@pytest.fixture(scope="module")
def snaps():
    cache: dict[str, list[Snapshot]] = {}

    def get(key):
        if key not in cache:
            cache[key] = snapshots(key)
        return cache[key]
    return get


def shown(qtbot, view):
    qtbot.addWidget(view)
    view.resize(700, 520)
    view.show()
    qtbot.waitExposed(view)
    return view


def feed(view, snaps):
    for s in snaps:
        view.set_snapshot(s.data, step=s.step)
        view.flush()


def test_make_view_names(qtbot):
    kinds = {"1d": View1D, "2d": View2D, "saddle": SaddleView, "image": ImageView, "cyclegan": CycleGanView}
    for name, cls in kinds.items():
        v = make_view(name)
        qtbot.addWidget(v)
        assert isinstance(v, cls)
        assert hasattr(v, "set_snapshot") and hasattr(v, "clear")
    with pytest.raises(ValueError, match="unknown view"):
        make_view("3d")


def test_1d_view_shows_densities_d_and_history(qtbot, snaps):
    ss = snaps("shift")
    assert all(s.view == "1d" for s in ss) and len(ss) >= 3
    v = shown(qtbot, View1D())
    feed(v, ss)
    d = ss[-1].data
    x, y = v.c_d.getData()
    np.testing.assert_allclose(x, d["x"], rtol=1e-6)
    np.testing.assert_allclose(y, d["d"], rtol=1e-6)
    np.testing.assert_allclose(v.c_real.getData()[1], d["p_real"], rtol=1e-6)
    np.testing.assert_allclose(v.c_gen.getData()[1], d["p_gen"], rtol=1e-6)
    np.testing.assert_allclose(v.c_dstar.getData()[1], d["d_star"], rtol=1e-6)
    assert len(v.s_real.data) == len(d["real"]) and len(v.s_fake.data) == len(d["fake"])
    # θ over time and the phase portrait come from successive snapshots
    h = v.history
    assert len(h) == len(ss)
    np.testing.assert_allclose(h[:, 1], [s.data["theta"] for s in ss], rtol=1e-6)
    np.testing.assert_allclose(h[:, 2], [s.data["d_slope"] for s in ss], rtol=1e-6)
    assert v.th.isVisible() and v.ph.isVisible()
    np.testing.assert_allclose(v.c_phase.getData()[0], h[:, 1])
    assert h[-1, 1] != pytest.approx(h[0, 1])          # θ moved
    # an earlier step (a new run) restarts the history; clear() empties everything
    v.set_snapshot(ss[0].data, step=0)
    v.flush()
    assert len(v.history) == 1
    v.clear()
    assert v.c_d.getData()[0] is None or len(v.c_d.getData()[0]) == 0
    assert len(v.history) == 0 and not v.th.isVisible()


def test_1d_view_history_from_a_metrics_trace(qtbot, snaps):
    ss = snaps("shift")                        # snapshots at steps 0, 2, 4, 6
    v = shown(qtbot, View1D())
    feed(v, ss[:1])                            # the start, before any metrics
    trace = np.array([[s, 3.0 + 0.1 * s, -0.01 * s] for s in range(1, 7)])
    v.add_trace(trace[:3])
    feed(v, ss[1:])
    v.add_trace(trace[3:])
    feed(v, ss[-1:])
    h = v.history
    np.testing.assert_array_equal(h[:, 0], np.arange(7))       # every step, not every other one
    np.testing.assert_allclose(h[1:], trace)
    np.testing.assert_allclose(v.c_theta.getData()[1], h[:, 1])
    v.add_trace([[1, 3.0, 0.0]])               # an earlier step: another run starts over
    assert len(v.history) == 1
    v.clear()
    feed(v, ss)                                # no trace: one point a snapshot again
    assert len(v.history) == len(ss)


def test_1d_view_draws_from_timer_latest_wins(qtbot, snaps):
    ss = snaps("shift")
    v = shown(qtbot, View1D())
    drawn = []
    orig = v._draw
    v._draw = lambda d: (drawn.append(d), orig(d))
    for s in ss:                 # many snapshots between two ticks: only the newest is drawn
        v.set_snapshot(s.data, step=s.step)
    qtbot.waitUntil(lambda: len(drawn) > 0, timeout=2000)
    qtbot.wait(80)
    assert len(drawn) == 1 and drawn[0]["step"] == ss[-1].step
    np.testing.assert_allclose(v.c_d.getData()[1], ss[-1].data["d"], rtol=1e-6)


def test_1d_axes_do_not_jump(qtbot, snaps):
    ss = snaps("shift")
    v = shown(qtbot, View1D())
    feed(v, ss[-1:])
    r0 = v.main.vb.viewRange()[0]
    d = dict(ss[-1].data)
    d["x"] = d["x"] * 0.95 + 0.02 * float(d["x"].mean())   # a slightly different grid, inside
    v.set_snapshot(d)
    v.flush()
    assert v.main.vb.viewRange()[0] == pytest.approx(r0)


def test_range_keeper_grows_at_once_and_shrinks_gently():
    r = RangeKeeper(0.0)
    assert r.need([0.0], [10.0])
    assert not r.need([1.0], [9.0])
    assert r.need([-5.0], [10.0]) and r.lo[0] == -5.0
    assert r.need([0.0], [1.0])                 # far smaller: a quarter of the way
    assert -5.0 < r.lo[0] < 0.0 and 1.0 < r.hi[0] < 10.0


def test_2d_view_heatmap_points_mesh_arrows(qtbot, snaps):
    s = snaps("wgan")[-1]
    assert s.view == "2d" and s.data["output"] == "critic"
    v = shown(qtbot, View2D())
    feed(v, [s])
    d = s.data
    np.testing.assert_allclose(v.img.image[::SMOOTH, ::SMOOTH], d["heat"], atol=1e-6)   # smooth, nodes kept
    lo, hi = v.bar.levels()
    c = float(np.median(d["heat"]))
    assert hi - c == pytest.approx(c - lo) and hi > lo          # symmetric levels for a critic
    rect = v.img.mapRectToParent(v.img.boundingRect())
    half = rect.width() / v.img.image.shape[1] / 2        # the pixel centres sit on the probe's grid nodes
    assert rect.left() + half == pytest.approx(d["extent"][0], abs=1e-4)
    assert rect.right() - half == pytest.approx(d["extent"][1], abs=1e-4)
    np.testing.assert_allclose(np.column_stack(v.s_real.getData()), d["real"], rtol=1e-6)
    np.testing.assert_allclose(np.column_stack(v.s_fake.getData()), d["fake"], rtol=1e-6)
    mx, my = v.mesh.getData()
    zg = d["zgrid"]
    assert np.isfinite(mx).sum() == 2 * zg.shape[0] * zg.shape[1]
    np.testing.assert_allclose(mx[: zg.shape[1]], zg[0, :, 0], rtol=1e-6)
    ax, _ = v.arrows.getData()
    assert len(ax) == 6 * len(d["arrows"])                   # shaft and two head strokes each
    np.testing.assert_allclose(ax[0::6], d["arrows_from"][:, 0], rtol=1e-6)
    # the layer toggles
    for name, items in v.layer_items.items():
        v.toggles[name].setChecked(False)
        assert not any(it.isVisible() for it in items)
        v.toggles[name].setChecked(True)
        assert all(it.isVisible() for it in items)


def test_2d_view_probability_levels_are_fixed(qtbot, snaps):
    s = snaps("gan")[-1]
    assert s.data["output"] == "prob"
    v = shown(qtbot, View2D())
    feed(v, [s])
    assert tuple(v.bar.levels()) == (0.0, 1.0)
    assert tuple(v.img.levels) == (0.0, 1.0)


def _viewport_pos(v: View2D, x: float, y: float) -> QtCore.QPoint:
    scene = v.vb.mapViewToScene(QtCore.QPointF(x, y))
    return v.gw.mapFromScene(scene)


def _move(widget, pos: QtCore.QPoint, buttons) -> None:
    ev = QtGui.QMouseEvent(QtCore.QEvent.Type.MouseMove, QtCore.QPointF(pos),
                           QtCore.QPointF(widget.mapToGlobal(pos)), QtCore.Qt.MouseButton.NoButton,
                           buttons, QtCore.Qt.KeyboardModifier.NoModifier)
    QtWidgets.QApplication.sendEvent(widget, ev)


def test_2d_draw_data_with_the_mouse(qtbot, snaps):
    v = shown(qtbot, View2D())
    feed(v, snaps("gan")[-1:])
    vp = v.gw.viewport()
    v.draw_btn.click()                                  # "Draw data" on
    assert v.vb.drawing
    qtbot.wait(60)                                      # let the layout settle after the first draw
    r0 = np.array(v.vb.viewRange())
    with qtbot.waitSignal(v.points_drawn, timeout=2000) as sig:
        qtbot.mouseClick(vp, QtCore.Qt.MouseButton.LeftButton, pos=_viewport_pos(v, 1.0, -0.5))
    pts = sig.args[0]
    assert len(pts) == 1
    assert pts[0] == pytest.approx([1.0, -0.5], abs=0.05)

    # a drag adds a stroke of points along the way
    left = QtCore.Qt.MouseButton.LeftButton
    path = [_viewport_pos(v, -1.5 + 0.1 * i, 1.0 + 0.05 * i) for i in range(21)]
    with qtbot.waitSignal(v.points_drawn, timeout=2000) as sig:
        qtbot.mousePress(vp, left, pos=path[0])
        for p in path[1:]:
            qtbot.wait(12)                              # pyqtgraph drops moves closer than 10 ms
            _move(vp, p, left)
        qtbot.mouseRelease(vp, left, pos=path[-1])
    pts = np.asarray(sig.args[0])
    assert len(pts) > 8
    stroke = pts[1:]                                     # after the first click
    np.testing.assert_allclose(stroke[:, 1], 1.0 + 0.5 * (stroke[:, 0] + 1.5), atol=0.05)
    assert stroke[:, 0].min() < -1.3 and stroke[-1] == pytest.approx([0.5, 2.0], abs=0.05)
    np.testing.assert_allclose(v.vb.viewRange(), r0)      # drawing does not pan
    assert len(v.s_drawn.data) == len(pts)

    with qtbot.waitSignal(v.drawing_cleared, timeout=1000):
        v.clear_btn.click()
    assert v.drawn_points == [] and len(v.s_drawn.data) == 0
    v.draw_btn.click()
    assert not v.vb.drawing


def test_saddle_view_trajectory_and_field(qtbot, snaps):
    ss = snaps("saddle")
    assert ss[-1].view == "saddle"
    v = shown(qtbot, SaddleView())
    feed(v, ss)
    d = ss[-1].data
    traj = d["trajectory"]
    assert len(traj) > 5
    np.testing.assert_allclose(np.column_stack(v.path.getData()), traj)
    np.testing.assert_allclose(np.column_stack(v.start.getData()), traj[:1])
    np.testing.assert_allclose(np.column_stack(v.now.getData()), traj[-1:])
    fx, _ = v.field.getData()
    assert len(fx) == 6 * d["theta"].size
    np.testing.assert_allclose(fx[0::6], d["theta"].ravel())
    assert v.saddle.getData()[0][0] == 0.0
    assert "θ·φ" in v.caption.text()
    (x0, x1), _ = v.plot.vb.viewRange()
    assert x0 <= -d["lim"] and x1 >= d["lim"]


def test_image_view_grid_by_class(qtbot, snaps):
    s = snaps("cgan")[-1]
    assert s.view == "image" and s.data["n_classes"] == 10
    v = shown(qtbot, ImageView())
    feed(v, [s])
    grid = s.data["grid"]                     # 2 rows of 10 columns, one class a column
    pic = v.pic.img.image                     # shown as 10 rows of 2, one class a row
    t = (grid.shape[1] - 2) // 10             # tile pitch: 2 px of padding and the image
    assert pic.shape[:2] == (10 * t + 2, 2 * t + 2)
    for r, c in ((0, 0), (1, 3), (0, 9), (1, 9)):
        np.testing.assert_array_equal(pic[c * t:(c + 1) * t, r * t:(r + 1) * t],
                                      grid[r * t:(r + 1) * t, c * t:(c + 1) * t])
    assert tuple(v.pic.img.levels) == (0, 255)
    assert v.pic.plot.vb.state["aspectLocked"]
    assert s.data["class_names"] == [str(i) for i in range(10)]        # digits: plain numbers
    assert len(v.row_labels) == 10 and v.row_labels[3] == "class 3"
    feed(v, [Snapshot(s.step, s.view, dict(s.data, class_names=FASHION_CLASSES))])
    assert v.row_labels[7] == "Sneaker" and v.row_labels[9] == "Ankle boot"
    v.clear()
    assert v.pic.img.image is None


def test_cyclegan_view_six_panels(qtbot, snaps):
    s = snaps("cycle")[-1]
    assert s.view == "cyclegan"
    v = shown(qtbot, CycleGanView())
    feed(v, [s])
    for key, panel in v.panels.items():
        im = panel.img.image
        assert im is not None and im.dtype == np.uint8
        assert im.shape[0] > im.shape[1]                     # a strip turned into a column
    strip = s.data["a"]
    h = strip.shape[0]
    col = v.panels["a"].img.image
    np.testing.assert_array_equal(col[:h], strip[:, :h])            # sample 0 on top
    np.testing.assert_array_equal(col[-h:], strip[:, -h:])          # the last one at the bottom
    for width in (380, 700):            # equal columns: a longer title does not draw its images larger
        v.resize(width, 500)
        qtbot.wait(50)
        widths = [round(p.plot.width()) for p in v.panels.values()]
        assert max(widths) - min(widths) <= 2, widths
        assert [v.heads[k].text() for k in ("a", "aba")] == ["A", "A → B → A"] and v.heads["bab"].isVisible()



def test_views_ease_their_frame_rate_when_the_gui_thread_is_busy(qtbot, snaps, monkeypatch):
    load = base.GuiLoad()
    assert load.interval() == pytest.approx(base.FRAME_MS / 1000)
    load._t -= 0.5
    load._cpu -= 0.4                      # as if 0.4 s of CPU went by in 0.5 s
    load.sample()
    assert load.busy == pytest.approx(0.4 * 0.8, abs=0.05)    # smoothed from 0
    load.busy = 0.6
    assert load.interval() == pytest.approx(2 * base.FRAME_MS / 1000)
    load.busy = 1.0
    assert load.interval() == pytest.approx(1 / 0.3 * base.FRAME_MS / 1000)
    load._t -= 5
    load.sample()                         # after a quiet spell the new share counts alone
    assert load.busy < 0.1

    monkeypatch.setattr(base, "LOAD", load)
    load.sample = lambda: None
    load.busy = 1.0                       # frames at least ~110 ms apart
    ss = snaps("shift")
    v = shown(qtbot, View1D())
    v._timer.stop()
    drawn = []
    monkeypatch.setattr(v, "_draw", lambda d: drawn.append(d["step"]))
    for s in ss[:3]:
        v.set_snapshot(s.data, step=s.step)
        v._tick()
    assert drawn == [ss[0].step]          # the first at once, the next two held back
    v._last_frame -= 1.0
    v._tick()
    assert drawn == [ss[0].step, ss[2].step]                   # then the newest one


def test_image_view_lays_out_what_the_layout_says_and_infers_nothing(qtbot):
    v = shown(qtbot, ImageView())
    t, pad = 8, 2
    grid = np.zeros((2 * (t + pad) + pad, 3 * (t + pad) + pad, 3), np.uint8)   # 2 rows of 3 tiles
    for r in range(2):
        for c in range(3):
            grid[pad + r * (t + pad):pad + r * (t + pad) + t, pad + c * (t + pad):pad + c * (t + pad) + t] = 40 * r + 10 * c
    unlabelled = {"grid": grid, "layout": {"rows": 2, "cols": 3, "padding": pad, "classes": None}, "n_classes": 10}
    feed(v, [Snapshot(5, "image", unlabelled)])          # samples of a labelled data set, no class each
    assert v.pic.img.image.shape[:2] == grid.shape[:2] and v.row_labels == []
    by_row = dict(unlabelled, layout={"rows": 2, "cols": 3, "padding": pad, "classes": [[4, 4, 4], [7, 7, -1]]})
    feed(v, [Snapshot(6, "image", by_row)])              # one class a row: shown as it is, rows named
    assert v.pic.img.image.shape[:2] == grid.shape[:2] and v.row_labels == ["class 4", "class 7"]
    by_col = dict(unlabelled, layout={"rows": 2, "cols": 3, "padding": pad, "classes": [[1, 2, 3], [1, 2, 3]]})
    feed(v, [Snapshot(7, "image", by_col)])              # one class a column: turned into rows
    pic = v.pic.img.image
    assert pic.shape[:2] == grid.shape[:2][::-1] and v.row_labels == ["class 1", "class 2", "class 3"]
    assert pic[pad + 2 * (t + pad), pad + 1 * (t + pad)][0] == 40 * 1 + 10 * 2       # tile (1, 2) -> (2, 1)
