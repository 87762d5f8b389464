"""More of the window driven by hands only (issue 18): the View menu's dock toggles, the shortcuts
Ctrl+Shift+T / Ctrl+Shift+R / Ctrl+Shift+W / F1, the loss plot's log box and smoothing slider, and the
Sweep tab's drop-downs and Stop button; each by real mouse or key events in a shown window, each
asserting what a person sees change."""
import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QComboBox

from tests.gui.hands import click, click_tab, drag_slider, menu_path, shortcut


def pick(qtbot, box: QComboBox, text: str) -> None:
    """Open a drop-down with a click and click the entry `text` where it is drawn in its list."""
    click(qtbot, box)
    view = box.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    idx = box.findText(text)
    assert idx >= 0, f"{text!r} not in the drop-down"
    mi = box.model().index(idx, 0)
    view.scrollTo(mi)
    rect = view.visualRect(mi)
    assert view.viewport().rect().contains(rect.center())
    qtbot.mouseMove(view.viewport(), rect.center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QApplication.processEvents()
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=2000)


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
