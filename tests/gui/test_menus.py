"""The View menu's light/dark switch (remembered in QSettings) and the Help menu: the keyboard
shortcuts and the guided tour."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from studio.gui import theme
from studio.gui.help import SHORTCUTS, TOUR


def test_theme_switch_is_applied_and_remembered(qtbot, make_window, monkeypatch):
    monkeypatch.delenv("GAN_STUDIO_THEME", raising=False)
    try:
        w = make_window("saddle-bilinear")
        assert w.theme_actions["system"].isChecked()
        w.theme_actions["dark"].trigger()
        assert theme.is_dark() and QSettings().value("view/theme") == "dark"
        assert w.status.currentMessage() == "Dark theme"
        w.theme_actions["light"].trigger()
        assert not theme.is_dark() and QSettings().value("view/theme") == "light"
        w.theme_actions["dark"].trigger()
        w.close()
        w2 = make_window("saddle-bilinear")              # make_app applies the remembered choice
        assert theme.is_dark() and w2.theme_actions["dark"].isChecked()
        monkeypatch.setenv("GAN_STUDIO_THEME", "light")  # the environment wins (scripts, screenshots)
        theme.apply_theme(QApplication.instance())
        assert not theme.is_dark()
    finally:
        QSettings().setValue("view/theme", "light")
        monkeypatch.delenv("GAN_STUDIO_THEME", raising=False)
        theme.apply_theme(QApplication.instance())


def test_help_menu_tour_and_shortcuts(qtbot, make_window):
    w = make_window("saddle-bilinear")
    titles = [a.text().replace("&", "") for a in w.help_menu.actions() if a.text()]
    assert titles[:2] == ["Guided tour…", "Keyboard shortcuts…"]
    tour_action = w.help_menu.actions()[0]
    assert tour_action.shortcut().toString() == "F1"
    tour = w.show_tour()
    qtbot.addWidget(tour)
    assert tour.pages.count() == len(TOUR) >= 5 and tour.counter.text() == f"1 of {len(TOUR)}"
    assert not tour.back.isEnabled()
    for i in range(1, len(TOUR)):
        qtbot.mouseClick(tour.next, Qt.MouseButton.LeftButton)
        assert tour.title.text() == TOUR[i][0]
    assert tour.next.text() == "Done"
    qtbot.mouseClick(tour.next, Qt.MouseButton.LeftButton)
    assert not tour.isVisible() and QSettings().value("help/tour_seen", type=bool)
    keys = w.show_shortcuts()
    qtbot.addWidget(keys)
    listed = [keys.table.item(r, 0).text() for r in range(keys.table.rowCount())]
    assert listed == [k for k, _ in SHORTCUTS] and {"Space", "S", "D", "G", "Ctrl+S", "Ctrl+O", "F1"} <= set(listed)
    for name, key in (("train", "Space"), ("step", "S"), ("save", "Ctrl+S"), ("open", "Ctrl+O")):
        assert w.controls.action(name).shortcut().toString() == key      # the table tells the truth
    keys.close()


def test_first_launch_points_at_the_tour(qtbot, make_window):
    w = make_window("saddle-bilinear")
    assert "Guided tour (F1)" in w.status.currentMessage()
    QSettings().setValue("help/tour_seen", True)
    w.close()
    w2 = make_window("saddle-bilinear")
    assert "Guided tour" not in w2.status.currentMessage()
