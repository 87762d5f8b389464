"""The window driven by hands only: mouse clicks at each control's place on screen, typed keys and
shortcuts, in a shown window; each step asserts what a person sees change (the status bar, a button's
text, the form, the caption, the checkpoint strip). One short real run of the 1D game carries it."""
import re
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton, QTabBar, QToolButton

from studio.gui.key_guard import typing_in
from tests.gui.hands import click, click_row, click_tab, click_tool, menu_path, shortcut, type_into, wheel, when_shown

LONG = dict(train__steps=1_000_000, checkpoint__every=0, eval__every=0)


def state(w) -> str:
    """The state the status bar shows, as read (without its markup)."""
    return re.sub(r"<[^>]+>", "", w.status["state"].text())


def test_preset_typed_lr_train_keys_speed_save_stop_load_by_hand(qtbot, make_window):
    w = make_window("saddle-quadratic")
    qtbot.waitExposed(w)
    c = w.controls
    # a preset clicked, a learning rate typed, Train pressed
    click_row(qtbot, w.presets.list, w.presets.item("toy-1d-shift"))
    assert w.windowTitle().endswith("toy-1d-shift") and w.model.preset == "toy-1d-shift"
    w.model.set_value("train.steps", 1_000_000)
    lr = w.form.widget("optim_g.lr")
    w.form_scroll.ensureWidgetVisible(lr)
    type_into(qtbot, lr.lineEdit() if hasattr(lr, "lineEdit") else lr, "0.005")
    assert w.model.get("optim_g.lr") == 0.005 and "0.005" in lr.text()
    click_tool(qtbot, c, c.actions_by_name["train"])
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.step > 3, timeout=30_000)
    assert state(w) == "Training" and c.button("train").text() == "Pause"
    assert w.session.config.optim_g.lr == 0.005                # the run trains with what was typed
    # Space pauses, S steps one iteration, D and G one update each, Space resumes. The learning rate's
    # field may still hold the focus (it stays editable while training), where Space is a typed space:
    # a click on the loss plot takes the focus out of the form, as a person's would
    mid = w.plot.rect().center()
    under = w.plot.childAt(mid)                  # the plot itself, where the pointer lands (Qt delivers it there)
    click(qtbot, under, under.mapFrom(w.plot, mid))
    assert not typing_in(QApplication.focusWidget()), QApplication.focusWidget()
    shortcut(qtbot, w, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: w.session.state == "paused", timeout=10_000)
    assert state(w) == "Paused" and c.button("train").text() == "Resume"
    step = w.session.step
    shortcut(qtbot, w, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: w.session.step == step + 1, timeout=10_000)
    assert f"{step + 1:,}" in w.status["step"].text()
    for key, name in ((Qt.Key.Key_D, "step_d"), (Qt.Key.Key_G, "step_g")):   # each a new point on the curves
        before = w.plot.point_count()
        shortcut(qtbot, w, key)
        qtbot.waitUntil(lambda: w.plot.point_count() > before, timeout=10_000)
        before = w.plot.point_count()
        click_tool(qtbot, c, c.actions_by_name[name])
        qtbot.waitUntil(lambda: w.plot.point_count() > before, timeout=10_000)
    # the speed box: clicked open, an entry above chosen with the arrow key and Enter; then the wheel
    box = c.speed
    was = box.currentIndex()
    click(qtbot, box)
    view = box.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert box.currentIndex() == was - 1 and w.rewind.pace_label.text() == f"pace {box.itemText(was - 1)}"
    assert w.session.pace == box.currentData()
    # Ctrl+S saves a checkpoint: the flash says so and a card appears
    shortcut(qtbot, w, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(w.checkpoints.paths()), timeout=20_000)
    assert "Saved checkpoint" in w.status.currentMessage()
    # Stop: idle, and the strip keeps the checkpoints (the end one too)
    click_tool(qtbot, c, c.actions_by_name["stop"])
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=20_000)
    assert state(w) == "Idle" and c.button("train").text() == "Train"
    qtbot.waitUntil(lambda: len(w.checkpoints.paths()) >= 2, timeout=10_000)
    # a card clicked, then Load: the centre shows it and the status bar names it
    strip = w.checkpoints.list
    card = strip.item(strip.count() - 1)
    click_row(qtbot, strip, card)
    path = w.checkpoints.current()
    click(qtbot, w.checkpoints.buttons["load"])
    qtbot.waitUntil(lambda: w.model.shown_checkpoint == path, timeout=20_000)
    assert "(loaded)" in w.game.caption.text() and Path(path).name in w.status["shown"].full_text()


def test_every_tab_and_the_menus_by_mouse(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    bar = w.tabs.tabBar()
    for i in range(bar.count()):
        text = bar.tabText(i).replace("&", "")
        click_tab(qtbot, bar, text)
        assert w.tabs.currentIndex() == i and w.tabs.currentWidget().isVisible()
    click_tab(qtbot, bar, "Training")
    menu_path(qtbot, w, "View", "Theme", "Dark")
    assert w.theme_actions["dark"].isChecked() and w.status.currentMessage() == "Dark theme"
    menu_path(qtbot, w, "View", "Theme", "Light")
    assert w.theme_actions["light"].isChecked()
    menu_path(qtbot, w, "View", "Theme", "Follow the system")
    assert w.theme_actions["system"].isChecked()
    menu_path(qtbot, w, "View", "Compare runs")
    assert w.tabs.currentWidget() is w.runs
    menu_path(qtbot, w, "View", "Memorisation check…")
    assert w.tabs.currentWidget() is w.memo.view and w.memo.view.isVisible()
    menu_path(qtbot, w, "Run", "New sweep…")
    assert w.tabs.currentWidget() is w.sweep
    menu_path(qtbot, w, "View", "Log")                          # a dock's toggle hides it
    assert w.log_dock.isHidden()
    w.metrics_dock.setFloating(True)
    menu_path(qtbot, w, "View", "Reset layout")                 # every dock back in its place
    assert not w.log_dock.isHidden() and not w.metrics_dock.isFloating()
    menu_path(qtbot, w, "Help", "Keyboard shortcuts…")
    dlg = next(x for x in QApplication.topLevelWidgets() if x.isVisible() and x.windowTitle().startswith("Keyboard"))
    dlg.close()
    menu_path(qtbot, w, "Help", "Guided tour…")
    tour = next(x for x in QApplication.topLevelWidgets() if x.isVisible() and "tour" in x.windowTitle().lower())
    tour.close()


def test_open_run_by_shortcut_and_the_runs_tab_buttons(qtbot, make_window, tmp_path, monkeypatch):
    # a finished run to open: trained here first, quickly
    w = make_window("toy-1d-shift", train__steps=30, checkpoint__every=0)
    qtbot.waitExposed(w)
    click_tool(qtbot, w.controls, w.controls.actions_by_name["train"])
    qtbot.waitUntil(lambda: w.session.state == "idle" and bool(w.session.run_dir), timeout=40_000)
    run = Path(w.session.run_dir)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(run))
    shortcut(qtbot, w, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert w.follower is not None and w.windowTitle().endswith(run.name)
    assert state(w) == "Viewing a run" and w.presets.current() is None
    click_tab(qtbot, w.tabs.tabBar(), "Runs")
    click(qtbot, w.runs.refresh_button)
    qtbot.waitUntil(lambda: w.runs.tree.topLevelItemCount() > 0, timeout=10_000)
    other = tmp_path / "more-runs"
    other.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(other))
    click(qtbot, w.runs.add_button)                              # another folder of runs is listed too
    assert any(Path(f) == other for f in w.runs.folders)
    # back to a preset by clicking it: the run is no longer followed
    click_tab(qtbot, w.tabs.tabBar(), "Training")
    click_row(qtbot, w.presets.list, w.presets.item("ring-2d-gan"))
    assert w.follower is None and w.windowTitle().endswith("ring-2d-gan") and state(w) == "Idle"


def test_own_data_by_hand_draw_clear_and_a_points_file(qtbot, make_window, tmp_path, monkeypatch):
    w = make_window("ring-2d-gan")
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.game.current_view == "2d", timeout=20_000)     # the preview
    v = w.game.view("2d")
    click(qtbot, v.draw_btn)
    assert v.vb.drawing
    qtbot.wait(60)
    for x, y in ((1.0, -0.5), (-1.0, 0.5), (0.5, 1.5)):          # three clicks on the plot
        scene = v.vb.mapViewToScene(QPointF(x, y))
        click(qtbot, v.gw.viewport(), v.gw.mapFromScene(scene))
    assert w.model.config().data.kind == "points2d" and len(w.model.drawn_points) == 3
    assert w.form.widget("data.points").text() == "3 drawn points"
    assert "Trains on your 3 drawn points" in w.game.caption.text()
    assert "The next run trains on your 3 drawn points" in w.status.currentMessage()
    click(qtbot, v.clear_btn)
    assert w.model.config().data.kind == "ring2d" and w.form.widget("data.kind").currentText() == "ring2d"
    assert "drawn points" not in w.game.caption.text()
    # the "…" beside data.file picks a points file: the kind follows its columns, its count is shown
    pts = tmp_path / "pts.csv"
    pts.write_text("x,y\n" + "\n".join(f"{i * 0.1:.2f},{(i % 7) * 0.3:.2f}" for i in range(30)) + "\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(pts), ""))
    w.form.widget("data.kind").setCurrentText("points2d")      # the field and its button are shown then
    button = w.form.findChild(QToolButton, "pick_file")
    w.form_scroll.ensureWidgetVisible(button)
    click(qtbot, button)
    assert w.model.config().data.file == str(pts) and w.form.note("data.file").startswith("30 points")
    assert "30 points of pts.csv" in w.status.currentMessage()


def test_the_rest_by_hand_open_button_docks_about_dirac_and_the_explorer(qtbot, make_window, monkeypatch, tmp_path):
    w = make_window("toy-1d-rotation", train__steps=1_000_000, checkpoint__every=0, eval__every=0)
    qtbot.waitExposed(w)
    # the toolbar's Open run… asks for a folder (cancelled here: nothing changes)
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: asked.append(1) or "")
    click_tool(qtbot, w.controls, w.controls.actions_by_name["open"])
    assert asked and w.follower is None and w.windowTitle().endswith("toy-1d-rotation")
    # the bottom docks' tabs: Metrics, Log, back to Checkpoints
    bar = next(b for b in w.findChildren(QTabBar) if b.count() == 3 and b.tabText(1) == "Metrics")
    for name, panel in (("Log", w.log), ("Metrics", w.metrics), ("Checkpoints", w.checkpoints)):
        click_tab(qtbot, bar, name)
        assert bar.tabText(bar.currentIndex()) == name and panel.isVisible()
    # Help › About shows its box (closed again by hand)
    seen = []
    when_shown(QMessageBox, lambda box: (seen.append(box.text()), click(qtbot, box.findChild(QPushButton))))
    menu_path(qtbot, w, "Help", "About GAN Studio")
    assert seen and "gan-studio train" in seen[0]
    # View › Dirac-GAN opens the comparison of this preset's game
    menu_path(qtbot, w, "View", "Dirac-GAN: compare training methods…")
    qtbot.waitUntil(lambda: w.dirac.window is not None and len(w.dirac.window.view.plots) == 7, timeout=30_000)
    assert w.dirac.window.isVisible()
    w.dirac.window.close()
    # a run, then the latent explorer's tab: its seed box turned with the wheel changes the picture
    click_tool(qtbot, w.controls, w.controls.actions_by_name["train"])
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.step > 3, timeout=30_000)
    click_tab(qtbot, w.tabs.tabBar(), "Latent explorer")
    ex = w.latent_explorer()
    qtbot.waitUntil(lambda: ex.model is not None and ex.image is not None, timeout=30_000)
    seed = ex.seed.value()
    wheel(qtbot, ex.seed, +1)
    assert ex.seed.value() == seed + 1
    click_tool(qtbot, w.controls, w.controls.actions_by_name["stop"])
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=20_000)
