"""A quiet console: training in the window, switching presets (which clears every plot and its
markers), pausing, stepping and stopping emit no Qt warning. The "QGraphicsScene::removeItem: item's
scene is different" warnings (about 280 a session) came from LossPlot.clear removing each curve from
its ViewBox and then again through PlotItem.clear."""
from __future__ import annotations

import numpy as np

from studio.gui.panels.loss_plot import LossPlot

# what the offscreen test platform itself says whenever a top-level window gets a minimum size; a
# real display's platform does not emit it
PLATFORM_NOISE = ("This plugin does not support propagateSizeHints()",)


def warnings(qtlog) -> list[str]:
    return [r.message for r in qtlog.records if r.message not in PLATFORM_NOISE]


def test_training_and_switching_presets_emit_no_qt_warning(qtbot, qtlog, make_window):
    w = make_window("ring-2d-gan", train__steps=1_000_000, model__hidden=16, train__batch_size=32)
    for preset in ("ring-2d-gan", "toy-1d-shift", "saddle-bilinear"):
        assert w.presets.select(preset) or w.preset_name == preset
        w.model.set_value("train.steps", 1_000_000)
        w.train_or_pause()
        qtbot.waitUntil(lambda: w.session.state == "running" and w.plot.point_count() > 0, timeout=40_000)
        w.form.widget("optim_d.lr").setValue(w.form.config().optim_d.lr * 2)   # a marker on every plot
        qtbot.waitUntil(lambda: len(w.plot.markers) == 1, timeout=10_000)
        qtbot.wait(1_000)
        w.train_or_pause()
        qtbot.waitUntil(lambda: w.session.state == "paused", timeout=10_000)
        w.step("iter")
        qtbot.wait(100)
        w.session.stop()
        qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
    w.presets.select("toy-1d-rotation")                # clears the plots of the last run
    qtbot.waitUntil(lambda: w.game.current_view == "1d", timeout=20_000)
    assert w.plot.point_count() == 0
    assert warnings(qtlog) == []


def test_loss_plot_clear_is_quiet(qtbot, qtlog):
    p = LossPlot()
    qtbot.addWidget(p)
    p.show()
    for _ in range(3):
        p.add_records((s, {"loss_d": float(v), "loss_g": -float(v), "theta": 1.0})
                      for s, v in enumerate(np.linspace(0, 1, 50)))
        p.add_marker(10, "optim_d.lr: 0.1 → 0.2")
        p.set_smoothing(0.5)
        p.redraw()
        p.clear()
    assert p.point_count() == 0 and not any(w.isVisible() for w in p.plots)
    assert warnings(qtlog) == []
