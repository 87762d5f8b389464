"""The panels on their own: loss plot, hyperparameter form, metrics panel, session throttling."""
from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtWidgets import QComboBox

from studio.config.presets import load_preset
from studio.gui.panels.game_area import GameArea
from studio.gui.panels.loss_plot import MIN_REDRAW_S, LossPlot, x_end
from studio.gui.panels.metrics_panel import MetricsPanel
from studio.gui.panels.param_form import FloatSpin, ParamForm
from studio.gui.views.saddle import SaddleView


def test_loss_plot_takes_many_points_smoothing_log_and_markers(qtbot):
    p = LossPlot()
    qtbot.addWidget(p)
    p.resize(600, 500)
    p.show()
    n = 150_000
    steps = np.arange(n)
    vals = np.random.default_rng(0).normal(size=n)
    for lo in range(0, n, 5000):
        p.add_records((int(s), {"loss_d": float(v), "loss_g": -float(v), "gn_d": abs(float(v)),
                                "kind": "iter"}) for s, v in zip(steps[lo:lo + 5000], vals[lo:lo + 5000]))
    p.add_marker(1000, "optim_d.lr: 0.0002 → 0.001")
    p.redraw()
    assert p.point_count("loss_d") == n and p.point_count() == 3 * n
    p.slider.setValue(90)
    assert p.alpha == pytest.approx(0.9)
    s = p.series["loss_d"]
    assert np.std(s.s[:s.n]) < np.std(s.y[:s.n]) / 2          # smoothed
    p.log_box.setChecked(True)
    t0 = time.perf_counter()
    p.redraw()
    qtbot.wait(50)
    assert time.perf_counter() - t0 < 5       # generous: a hang would show here, speed is benchmarked
    p.truncate(999)
    assert p.point_count("loss_d") == 1000
    assert p.plots[2].isVisible() and not p.plots[3].isVisible()   # grad norms shown, no parameters
    p.clear()
    assert p.point_count() == 0


def test_loss_plot_step_axis_follows_the_run_in_strides_until_the_user_zooms(qtbot):
    assert [x_end(v) for v in (0, 9, 10, 150, 199, 200, 301, 1000, 81_000)] == \
        [10, 10, 12.5, 200, 250, 250, 400, 1250, 100_000]
    p = LossPlot()
    qtbot.addWidget(p)
    p.resize(600, 500)
    p.show()

    def feed(lo, hi):
        p.add_records((s, {"loss_d": 1.0 + 0.01 * s, "loss_g": 2.0}) for s in range(lo, hi))
        p.redraw()

    def xrange():
        return p.plots[0].getPlotItem().getViewBox().viewRange()[0]

    feed(0, 150)
    x0, x1 = xrange()
    assert x0 <= 0 and 200 <= x1 < 210                 # ends at the next stride, not at 149
    feed(150, 180)
    assert xrange() == [x0, x1]                         # more data inside the stride: no change
    feed(180, 230)
    assert 300 <= xrange()[1] < 310
    vb = p.plots[0].getPlotItem().getViewBox()
    vb.scaleBy(x=0.5)                                   # a zoom: what a wheel turn does
    vb.sigRangeChangedManually.emit([True, False])
    zoomed = xrange()
    feed(230, 400)
    assert not p.follow_x and xrange() == zoomed        # the user's view is left alone
    p.plots[0].getPlotItem().autoBtnClicked()           # the "A" button
    feed(400, 410)
    assert p.follow_x and 500 <= xrange()[1] < 520
    assert not vb.autoRangeEnabled()[0]                 # back to strides, not per-update autorange


def test_loss_plot_redraws_at_most_five_times_a_second_while_data_streams(qtbot):
    p = LossPlot()
    qtbot.addWidget(p)
    p.timer.stop()                                        # drive it by hand

    def drawn():
        return len(p.series["loss_d"].smooth.xData)

    p.add_records([(0, {"loss_d": 1.0})])
    p.redraw(force=False)
    assert drawn() == 1                                   # a lone step after a quiet spell: at once
    p.add_records([(1, {"loss_d": 1.0})])
    p.redraw(force=False)
    assert drawn() == 1                                   # the next batch waits its turn
    p._last_redraw -= MIN_REDRAW_S
    p.redraw(force=False)
    assert drawn() == 2
    p.add_records([(2, {"loss_d": 1.0})])
    p.redraw()                                            # an explicit redraw is never held back
    assert drawn() == 3


def test_param_form_types_ranges_live_and_locking(qtbot):
    f = ParamForm()
    qtbot.addWidget(f)
    f.set_config(load_preset("ring-2d-wgan-gp"))
    f.show()
    assert not f.widget("data.mean").isVisible() and f.widget("data.n_modes").isVisible()
    assert not f.widget("optim_d.alpha").isVisible()             # RMSProp only; this is Adam
    lr = f.widget("optim_d.lr")
    assert isinstance(lr, FloatSpin) and lr.log and lr.minimum() == pytest.approx(1e-7)
    assert "Learning rate" in lr.toolTip()
    assert isinstance(f.widget("optim_d.kind"), QComboBox)
    assert f.widget("variant.n_critic").maximum() == 100
    every = f.widget("checkpoint.every")                        # 0 is shown as what it means
    every.setValue(0)
    assert every.text() == "at end only" and f.config().checkpoint.every == 0
    every.setValue(500)
    assert every.text() == "500"
    lr.setValue(1e-4)
    lr.stepBy(1)
    assert lr.value() == pytest.approx(2e-4)
    lr.stepBy(1)
    assert lr.value() == pytest.approx(5e-4)
    lr.stepBy(-2)
    assert lr.value() == pytest.approx(1e-4)
    got = []
    f.edited.connect(lambda k, v: got.append((k, v)))
    f.widget("variant.n_critic").setValue(3)
    assert got[-1] == ("variant.n_critic", 3) and f.config().variant.n_critic == 3
    n = len(got)
    f.set_value("variant.n_critic", 7)            # model -> widget: no echo
    assert len(got) == n and f.widget("variant.n_critic").value() == 7
    f.set_running(True)
    assert f.widget("optim_d.lr").isEnabled() and f.widget("variant.gp_weight").isEnabled()
    assert not f.widget("model.hidden").isEnabled() and not f.widget("data.kind").isEnabled()
    assert f.widget("train.steps").isEnabled()                # live in the schema: a new total
    f.set_running(False)
    assert f.widget("model.hidden").isEnabled()
    f.widget("variant.name").setCurrentText("gan")      # switching variant rebuilds its section
    assert f.config().variant.name == "gan" and f.widget("variant.g_loss").currentText() == "nonsaturating"


def test_metrics_panel_badges_and_evaluations(qtbot):
    m = MetricsPanel()
    qtbot.addWidget(m)
    assert not m.add_message(1, "info", "hello")
    assert m.add_message(5, "warning", "D wins too fast", "d_too_strong")
    assert m.add_message(9, "warning", "D wins too fast", "d_too_strong")     # repeats update one badge
    assert m.add_message(9, "error", "diverged", "diverged")
    assert len(m.badges) == 2 and "×2" in m.badges[("warning", "d_too_strong")].text()
    m.add_evaluation(100, {"fd": 2.5, "coverage": 0.5})
    m.add_evaluation(200, {"fd": 1.5, "coverage": 0.875})
    assert m.evaluation_count() == 2 and m.columns == ["step", "fd", "coverage"]
    assert m.table.item(0, 0).text() == "200"


def test_game_area_makes_views_and_passes_the_step(qtbot, monkeypatch):
    g = GameArea()
    qtbot.addWidget(g)
    v = g.view("saddle")
    assert isinstance(v, SaddleView) and g.view("saddle") is v          # made once
    got = []
    monkeypatch.setattr(v, "set_snapshot", lambda data, step=None: got.append((data, step)))
    g.show_snapshot("saddle", {"x": 1}, 7)
    assert got == [({"x": 1}, 7)]
    assert g.current_view == "saddle" and g.stack.currentWidget() is v
    with pytest.raises(ValueError, match="unknown view"):
        g.show_snapshot("3d", {}, 1)

    def broken(data, step=None):
        raise RuntimeError("broken view")

    monkeypatch.setattr(v, "set_snapshot", broken)
    with pytest.raises(RuntimeError, match="broken view"):              # not hidden
        g.show_snapshot("saddle", {}, 8)
    g.clear()
    assert g.current_view is None and g.stack.currentWidget() is g.hint


def test_session_batches_metrics_and_stops(qtbot):
    from studio.gui.session import Session
    cfg = load_preset("saddle-bilinear")
    cfg.train.steps = 1_000_000
    s = Session()
    batches, snaps = [], []
    s.metrics.connect(batches.append)
    s.snapshot.connect(snaps.append)
    s.start(cfg, name="batching")
    qtbot.waitUntil(lambda: s.step > 2000, timeout=30_000)
    s.stop()
    qtbot.waitUntil(lambda: not s.live, timeout=10_000)
    qtbot.wait(50)
    steps = sum(len(b) for b in batches)
    assert steps > 2000 and len(batches) < steps / 10       # batched, not one signal per step
    # one snapshot every 5 steps at most (latest wins), plus the first and the last
    assert snaps and len(snaps) <= steps / 5 + 2


def test_a_run_on_a_cold_folder_reports_its_decoding_before_its_first_step(qtbot, tmp_path, monkeypatch):
    """Train pressed on a folder no preview has decoded: the run's own decoding goes to the status bar
    (Progress events, task "decode") from 0 to the folder's file count, before the run starts."""
    from PIL import Image

    from studio.config.io import apply_override
    from studio.engine.events import Progress, Started
    from studio.gui.session import Session
    monkeypatch.setenv("GAN_STUDIO_CACHE", str(tmp_path / "cache"))
    for i in range(40):
        d = tmp_path / "imgs" / f"c{i % 2}"
        d.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (20, 20), (6 * i, 255 - 6 * i, 0)).save(d / f"{i}.png")
    cfg = load_preset("folder-dcgan")
    for o in (f"data.root='{tmp_path / 'imgs'}'", "data.image_size=16", "model.base_channels=8", "train.steps=3",
              "eval.every=0", "train.batch_size=8"):
        apply_override(cfg, o)
    s = Session()
    seen = []
    s.event.connect(lambda ev: seen.append(ev) if isinstance(ev, Progress) else None)
    s.started.connect(lambda ev: seen.append(ev))
    s.start(cfg, name="cold")
    qtbot.waitUntil(lambda: any(isinstance(e, Started) for e in seen), timeout=60_000)
    s.stop()
    qtbot.waitUntil(lambda: not s.live, timeout=30_000)
    first = next(i for i, e in enumerate(seen) if isinstance(e, Started))
    decoding = [(e.done, e.total) for e in seen[:first] if isinstance(e, Progress) and e.task == "decode"]
    assert decoding[0] == (0, 40) and decoding[-1] == (40, 40), decoding
    assert all(isinstance(e, Progress) and e.text == "decoding images" for e in seen[:first])


def test_loss_plot_gives_each_curve_of_a_plot_its_own_colour(qtbot):
    p = LossPlot()
    qtbot.addWidget(p)
    p.resize(320, 600)
    p.show()
    acgan = ["loss_d", "cls_d", "d_real", "d_fake", "loss_g", "cls_g", "gn_d", "gn_g"]
    extra = [f"extra_{i}" for i in range(9)]              # more unknown keys than spare colours
    p.add_records([(1, {k: 1.0 for k in acgan + extra})])
    assert p.series["cls_d"].group == p.series["cls_g"].group == 0       # class losses with the losses
    assert p.series["cls_d"].color != p.series["cls_g"].color
    for gi in range(len(p.plots)):
        colours = [s.color for s in p.series.values() if s.group == gi]
        assert len(colours) == len(set(colours)), f"plot {gi} repeats a colour"
    title = p.plots[0].getPlotItem().titleLabel.text
    assert "D class" in title and "G class" in title
    assert "<br>" in title                                 # a narrow plot wraps its legend, not cuts it


def test_checkpoint_thumbnails_are_large_and_sharp(qtbot, tmp_path):
    from PySide6.QtGui import QImage
    from studio.gui.panels.checkpoint_cards import THUMB, sharp_pixmap
    from studio.gui.panels.checkpoints import CheckpointsPanel
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    img = QImage(16, 16, QImage.Format.Format_RGB32)
    for y in range(16):
        for x in range(16):
            img.setPixel(x, y, 0xFFFFFF if (x + y) % 2 else 0x000000)     # a checkerboard: blur shows
    ckpt = run / "checkpoints" / "step_00000005.pt"
    ckpt.write_bytes(b"listed from its sidecar")
    ckpt.with_suffix(".json").write_text('{"step": 5, "time": 1000000000.0, "metrics": {"loss_d": 0.5}}')
    assert img.save(str(ckpt.with_suffix(".png")))
    panel = CheckpointsPanel()
    qtbot.addWidget(panel)
    panel.show()
    empty = panel.sizeHint().height()
    assert not panel.list.isVisible() and empty < 60          # one line while there is nothing
    panel.set_run_dir(run)
    qtbot.waitUntil(lambda: panel.list.isVisible(), timeout=5_000)     # listed on the job runner
    assert panel.list.isVisible() and panel.sizeHint().height() >= THUMB
    assert THUMB >= 120 and panel.list.iconSize().width() == THUMB
    pix = panel.list.item(0).icon().pixmap(panel.list.iconSize())
    assert pix.width() / pix.devicePixelRatio() >= 120
    big = sharp_pixmap(ckpt.with_suffix(".png"), THUMB, 1.0).toImage()
    k = big.width() // 16
    assert k >= 7 and big.width() == 16 * k                  # enlarged by whole pixels
    assert {big.pixel(x, 0) & 0xFFFFFF for x in range(k)} == {0x000000}      # no grey: not blurred
    hi = sharp_pixmap(ckpt.with_suffix(".png"), THUMB, 2.0)  # a high-DPI screen: twice the pixels
    assert hi.devicePixelRatio() == 2.0 and hi.width() >= 2 * 120
    assert panel.good_checkpoint() == str(ckpt)
    ckpt.with_suffix(".json").write_text('{"step": 5, "time": 1000000000.0, "metrics": {"loss_d": NaN}}')
    with qtbot.waitSignal(panel.listed, timeout=5_000):
        panel.refresh()
    assert panel.good_checkpoint() is None                   # nothing to roll back to


def test_banner_is_one_line_and_elides(qtbot):
    from studio.gui.panels.banner import Banner
    b = Banner()
    qtbot.addWidget(b)
    b.resize(400, 40)
    b.show()
    long = "Cannot load step_00000010.pt: " + "a very long reason, " * 12 + "and its end."
    b.show_error(long)
    assert b.text() == " ".join(long.split()) and b.label.toolTip() == b.text()
    assert b.label.text().endswith("…") and len(b.label.text()) < len(long)
    got = []
    b.show_error("It diverged.", "Roll back", lambda: got.append(1),
                 disabled_because="Rollback is not possible: this run has no checkpoint.")
    assert not b.action.isEnabled() and b.text().endswith("this run has no checkpoint.")
    b.show_error("It diverged.", "Roll back", lambda: got.append(1))
    assert b.action.isEnabled()
    b.action.click()
    assert got == [1] and not b.isVisible()


def test_status_bar_rate_only_while_running(qtbot):
    from studio.gui.panels.status_bar import StatusBar
    s = StatusBar()
    qtbot.addWidget(s)
    s.set_running(True)
    s.progress(10, 1.0)
    time.sleep(0.05)
    s.progress(20, 1.1)
    assert s["rate"].text().endswith("steps/s") and s["step"].text() == "step 20"
    s.set_running(False)
    assert s["rate"].text() == ""
    s.progress(21, 1.2)                                       # a lone step while paused
    assert s["rate"].text() == "" and s["step"].text() == "step 21"
    s.set_shown("run r", "step_00000021.pt")
    assert s.shown() == "run r · step_00000021.pt"
