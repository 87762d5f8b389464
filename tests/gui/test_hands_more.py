"""More of the window driven by hands only (issue 18): the View menu's dock toggles, the shortcuts
Ctrl+Shift+T / Ctrl+Shift+R / Ctrl+Shift+W / F1, the loss plot's log box and smoothing slider, the
Sweep tab's drop-downs and Stop button, the Runs tab (check boxes, curve drop-down, step slider, Open),
slow motion (M, auto, N, →, Next) and the latent explorer's controls; each by real mouse, wheel or key
events in a shown window, each asserting what a person sees change."""
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from tests.gui.hands import click, click_tab, drag_slider, menu_path, pick, shortcut, type_into, wheel


def menu(qtbot, w, *texts):
    """menu_path, then the window active again (offscreen, a closed menu leaves no window active, and
    a shortcut only reaches an active window)."""
    act = menu_path(qtbot, w, *texts)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=2000)
    return act


def test_view_menu_dock_toggles_hide_and_show_each_dock(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    docks = (w.left_dock, w.ck_dock, w.metrics_dock)
    assert w.form.isVisible() and w.checkpoints.isVisible()
    for dock in docks:                                            # each toggle hides its dock
        menu(qtbot, w, "View", dock.toggleViewAction().text().replace("&", ""))
        assert dock.isHidden() and not dock.toggleViewAction().isChecked()
    assert not w.form.isVisible() and not w.checkpoints.isVisible() and not w.metrics.isVisible()
    for dock in docks:                                            # and shows it again
        menu(qtbot, w, "View", dock.toggleViewAction().text().replace("&", ""))
        assert not dock.isHidden() and dock.toggleViewAction().isChecked()
    assert w.form.isVisible() and (w.checkpoints.isVisible() or w.metrics.isVisible())


def test_shortcuts_theme_compare_runs_sweep_and_tour(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    menu(qtbot, w, "View", "Theme", "Light")
    shortcut(qtbot, w, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert w.theme_actions["dark"].isChecked() and w.status.currentMessage() == "Dark theme"
    shortcut(qtbot, w, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert w.theme_actions["light"].isChecked() and w.status.currentMessage() == "Light theme"
    assert w.tabs.currentIndex() == 0
    shortcut(qtbot, w, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert w.tabs.currentWidget() is w.runs and w.runs.isVisible()
    shortcut(qtbot, w, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert w.tabs.currentWidget() is w.sweep and w.sweep.isVisible()
    assert not any(x.isVisible() and "tour" in x.windowTitle().lower() for x in QApplication.topLevelWidgets())
    shortcut(qtbot, w, Qt.Key.Key_F1)
    tour = next(x for x in QApplication.topLevelWidgets() if x.isVisible() and "tour" in x.windowTitle().lower())
    tour.close()


def test_loss_plot_log_box_and_smoothing_slider_by_mouse(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    p = w.plot
    rng = np.random.default_rng(0)
    p.add_records((s, {"loss_d": float(1.0 + v), "loss_g": float(2.0 + v)})
                  for s, v in enumerate(rng.uniform(0, 1, 200)))
    p.redraw()
    QApplication.processEvents()
    plot = next(pw for pw in p.plots if pw.isVisible()).getPlotItem()
    assert not plot.getAxis("left").logMode
    click(qtbot, p.log_box, QPoint(8, p.log_box.height() // 2))            # on its box
    assert p.log_box.isChecked() and plot.getAxis("left").logMode
    click(qtbot, p.log_box, QPoint(8, p.log_box.height() // 2))
    assert not p.log_box.isChecked() and not plot.getAxis("left").logMode
    s = p.series["loss_d"]
    _, raw = s.smooth.getData()
    assert p.smooth_label.text() == "0.00"
    drag_slider(qtbot, p.slider, 80)
    assert abs(p.slider.value() - 80) <= 3 and p.smooth_label.text() == f"{p.slider.value() / 100:.2f}"
    p.redraw()
    _, smooth = s.smooth.getData()
    assert np.std(smooth[50:]) < 0.5 * np.std(raw[50:])                   # the drawn curve is smoother


def test_sweep_sampler_and_metric_drop_downs_by_mouse(qtbot, make_window, tmp_path):
    w = make_window("ring-2d-gan")
    qtbot.waitExposed(w)
    panel = w.sweep
    click_tab(qtbot, w.tabs.tabBar(), "Sweep")
    other = next(panel.sampler.itemText(i) for i in range(panel.sampler.count())
                 if panel.sampler.itemText(i) != panel.sampler.currentText())
    pick(qtbot, panel.sampler, other)
    assert panel.sampler.currentText() == other
    assert panel.arguments(tmp_path / "p.toml", tmp_path)[panel.arguments(tmp_path / "p.toml", tmp_path)
                                                           .index("--sampler") + 1] == other
    metric = next(panel.metric.itemText(i) for i in range(panel.metric.count())
                  if panel.metric.itemText(i) != panel.metric.currentText())
    pick(qtbot, panel.metric, metric)
    assert panel.metric.currentText() == metric
    args = panel.arguments(tmp_path / "p.toml", tmp_path)
    assert args[args.index("--metric") + 1] == metric


def tick(qtbot, tree, item) -> None:
    """Click an item's check box where the style draws it in the tree."""
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem
    tree.scrollToItem(item)
    index = tree.indexFromItem(item, 0)
    opt = QStyleOptionViewItem()
    opt.rect = tree.visualRect(index)
    opt.widget = tree
    tree.itemDelegate().initStyleOption(opt, index)
    box = tree.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, opt, tree)
    assert box.isValid() and tree.viewport().rect().contains(box.center())
    click(qtbot, tree.viewport(), box.center())


def test_runs_tab_ticks_curve_key_step_slider_and_open_by_hand(qtbot, make_window, tmp_path):
    from studio.cli import main
    from studio.config.paths import runs_dir
    tiny = ["--set", "model.hidden=8", "--set", "model.depth=1", "--set", "train.batch_size=16",
            "--set", "eval.every=0", "--set", "checkpoint.every=3", "--set", "checkpoint.keep_last=0", "--quiet"]
    a, b = runs_dir() / "slow", runs_dir() / "fast"
    assert main(["train", "--preset", "toy-1d-shift", "--steps", "6", "--out", str(a), *tiny]) == 0
    assert main(["train", "--preset", "toy-1d-shift", "--steps", "6", "--out", str(b), *tiny,
                 "--set", "optim_g.lr=0.01"]) == 0
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    click_tab(qtbot, w.tabs.tabBar(), "Runs")
    r = w.runs
    click(qtbot, r.refresh_button)
    qtbot.waitUntil(lambda: r.item(a) is not None and r.item(b) is not None, timeout=10_000)
    assert r.legend.text() == "" or "slow" not in r.legend.text()
    tick(qtbot, r.tree, r.item(a))
    tick(qtbot, r.tree, r.item(b))
    r.wait()
    assert {Path(p).name for p in r.ticked()} == {"slow", "fast"}
    assert set(r.curve_items) == {str(a), str(b)} and "optim_g.lr" in r.legend.text()
    # the curve drop-down: another key, other curves drawn
    before = r.key_box.currentText()
    _, ys0 = r.curve_items[str(a)].getData()
    other = next(r.key_box.itemText(i) for i in range(r.key_box.count()) if r.key_box.itemText(i) != before)
    pick(qtbot, r.key_box, other)
    assert r.key_box.currentText() == other
    _, ys1 = r.curve_items[str(a)].getData()
    assert list(ys0) != list(ys1)
    # the smoothing slider dragged to 0: the drawn curve is the raw one, not the smoothed one
    assert r.smooth.value() == 60
    drag_slider(qtbot, r.smooth, 0)
    assert r.smooth.value() == 0
    _, ys2 = r.curve_items[str(a)].getData()
    assert list(ys2) != list(ys1)
    # unticking one leaves one curve
    tick(qtbot, r.tree, r.item(b))
    r.wait()
    assert set(r.curve_items) == {str(a)}
    tick(qtbot, r.tree, r.item(b))
    r.wait()
    # the Samples tab's step slider dragged to its start: the label and the cards follow
    click_tab(qtbot, r.tabs.tabBar(), "Samples")
    assert r.step_slider.maximum() >= 1 and r.step_slider.value() == r.step_slider.maximum()
    end_label = r.step_label.text()
    drag_slider(qtbot, r.step_slider, 0)
    r.wait()
    assert r.step_slider.value() == 0 and r.step_label.text() != end_label
    assert r.step_label.text() == "step 3" and r.run_cards[str(a)].source.endswith("step_00000003.pt")
    # a run clicked in the list, then Open: the Training tab shows it
    rect = r.tree.visualItemRect(r.item(b))
    click(qtbot, r.tree.viewport(), rect.center())
    assert Path(r.current_path()) == b
    click(qtbot, r.open_button)
    assert w.tabs.currentIndex() == 0 and Path(w.checkpoints.run_dir) == b
    assert w.windowTitle().endswith("fast")


def test_slow_motion_m_key_auto_box_n_and_right_keys_and_next_button(qtbot):
    from tests.gui.test_slowmo import _slow_events
    from studio.gui.views.toy1d import View1D
    sm, snap = _slow_events("toy-1d-shift")
    v = View1D()
    qtbot.addWidget(v)
    v.show()
    qtbot.waitExposed(v)
    v.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is v, timeout=2000)
    v.set_snapshot(snap.data, snap.step)
    v.flush()
    asked = []
    v.slow.step_requested.connect(lambda: asked.append(1))
    assert not v.slow.caption.isVisible() and not v.slow.button.isChecked()
    shortcut(qtbot, v, Qt.Key.Key_M)                             # M: slow motion on
    assert v.slow.button.isChecked() and asked == [1] and v.slow.caption.isVisible()
    assert v.slow.auto.isChecked()
    click(qtbot, v.slow.auto, QPoint(8, v.slow.auto.height() // 2))          # auto off by its box
    assert not v.slow.auto.isChecked()
    v.slow.play(sm.step, sm.phases)                               # the iteration's phases arrive
    assert v.slow.index == 0 and "1/5" in v.slow.caption.text()
    assert "N or → for the next phase" in v.slow.caption.text()
    shortcut(qtbot, v, Qt.Key.Key_N)
    assert v.slow.index == 1 and "2/5" in v.slow.caption.text()
    shortcut(qtbot, v, Qt.Key.Key_Right)
    assert v.slow.index == 2 and "3/5" in v.slow.caption.text()
    click(qtbot, v.slow.next_btn)
    assert v.slow.index == 3 and "4/5" in v.slow.caption.text()
    shortcut(qtbot, v, Qt.Key.Key_M)                             # M again: off, the caption goes
    assert not v.slow.button.isChecked() and not v.slow.caption.isVisible()


def test_latent_explorer_by_hand_random_sliders_class_ab_mode_pages_reset_follow(qtbot):
    from studio.gui.panels.latent_explorer import LatentExplorer
    from tests.gui.test_latent import model
    m = model("fashion-cgan", "data.kind=digits", "data.limit=64", "model.base_channels=8",
              "train.batch_size=8")
    ex = LatentExplorer()
    qtbot.addWidget(ex)
    ex.resize(900, 700)
    ex.show()
    qtbot.waitExposed(ex)
    try:
        with qtbot.waitSignal(ex.rendered, timeout=10_000):
            ex.set_source(m)

        def settled():
            qtbot.waitUntil(lambda: ex._shown["image"] >= ex._stamp and not ex._busy, timeout=10_000)
            return ex.image.copy()

        first = settled()
        # Random: a new seed shown in the box, a new picture
        seed = ex.seed.value()
        click(qtbot, ex.random_btn)
        assert ex.seed.value() != seed
        assert not np.array_equal(settled(), first)
        base = ex.image.copy()
        # a principal direction's slider dragged: the picture moves
        s0 = ex.pc_sliders[0]
        drag_slider(qtbot, s0, s0.maximum())
        assert s0.value() > 0
        moved = settled()
        assert not np.array_equal(moved, base)
        # Reset sliders: back to the seed's own picture
        click(qtbot, ex.reset_btn)
        assert s0.value() == 0
        np.testing.assert_array_equal(settled(), base)
        # the truncation slider: its label and the picture
        drag_slider(qtbot, ex.trunc, 30)
        assert ex.trunc.value() < 100 and ex.trunc_label.text() == f"{ex.trunc.value() / 100:.2f}"
        assert not np.array_equal(settled(), base)
        # the class selector, by clicking an entry in its list
        assert ex.cls.isVisible() and ex.cls.count() == 10
        before = settled()
        pick(qtbot, ex.cls, ex.cls.itemText(4))
        assert ex.cls.currentIndex() == 4 and ex.current_class() == 4
        assert not np.array_equal(settled(), before)
        # Set A, another seed, Set B: the hint says so and the strip is drawn
        click(qtbot, ex.set_a)
        assert ex.strip_hint.text().startswith("A is set")
        click(qtbot, ex.random_btn)
        click(qtbot, ex.set_b)
        assert ex.strip_hint.text().startswith("From A")
        qtbot.waitUntil(lambda: ex.strip.img.image is not None and ex._shown["strip"] == ex._stamp
                        and not ex._busy, timeout=10_000)
        linear = ex.strip.img.image.copy()
        pick(qtbot, ex.mode, "spherical")
        assert ex.mode.currentText() == "spherical"
        qtbot.waitUntil(lambda: ex._shown["strip"] == ex._stamp and not ex._busy, timeout=10_000)
        assert not np.array_equal(ex.strip.img.image, linear)
        # the steps box turned with the wheel: one more picture in the strip
        wide = ex.strip.img.image.shape[1]
        wheel(qtbot, ex.n_steps, +1)
        assert ex.n_steps.value() == 9
        qtbot.waitUntil(lambda: ex._shown["strip"] == ex._stamp and not ex._busy, timeout=10_000)
        assert ex.strip.img.image.shape[1] > wide
        # the lower pages: Vector arithmetic, then Interpolation again
        click_tab(qtbot, ex.lower.tabBar(), "Vector arithmetic")
        assert ex.lower.currentWidget() is ex.arith and ex.arith.isVisible()
        click_tab(qtbot, ex.lower.tabBar(), "Interpolation")
        assert ex.strip.isVisible() and not ex.arith.isVisible()
        # Follow the run: unticked by its box
        assert ex.follow.isChecked()
        click(qtbot, ex.follow, QPoint(8, ex.follow.height() // 2))
        assert not ex.follow.isChecked()
    finally:
        assert ex.shutdown(5000)


def test_sweep_stop_button_ends_a_running_sweep(qtbot, make_window):
    w = make_window("toy-1d-shift", model__hidden=8, model__depth=1, train__batch_size=16, eval__every=0)
    qtbot.waitExposed(w)
    panel = w.sweep
    click_tab(qtbot, w.tabs.tabBar(), "Sweep")
    panel.add_axis("optim_g.lr", "1e-3, 2e-3")
    type_into(qtbot, panel.steps, "1000000")
    type_into(qtbot, panel.workers, "1")
    assert not panel.stop_btn.isEnabled()
    click(qtbot, panel.start_btn)
    assert panel.proc is not None and panel.stop_btn.isEnabled() and not panel.start_btn.isEnabled()
    assert "Sweep running" in panel.message.text()
    click(qtbot, panel.stop_btn)
    assert panel.message.text().startswith("Stopping")
    qtbot.waitUntil(lambda: panel.proc is None, timeout=60_000)
    assert panel.start_btn.isEnabled() and not panel.stop_btn.isEnabled()
    # stopped this early (still starting up), the process ends by the signal: "Sweep ended: exit code 2"
    assert "Sweep ended" in panel.message.text() or "Sweep finished" in panel.message.text()
    assert "running" not in panel.message.text()
