"""The main window's menus: View (theme, docks, Dirac-GAN comparison, memorisation check, compare
runs, reset layout) and Help (guided tour, keyboard shortcuts, about). Run › New sweep… is added by
the Sweep tab."""
from __future__ import annotations

import html

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMessageBox

from ..config.paths import describe
from . import theme
from .help import ShortcutsDialog, TourDialog

THEME_TEXT = {"system": "Following the system's light or dark theme", "light": "Light theme",
              "dark": "Dark theme"}


def where() -> str:
    """paths.describe()'s lines (runs, older runs still listed, presets, cache) for Help › About."""
    return "".join(f"<div style='white-space:pre'><code>{html.escape(line)}</code></div>" for line in describe())


class Menus:
    def __init__(self, window, *, dirac, memo, runs_tab, reset_layout, say):
        self.w, self.say = window, say
        bar = window.menuBar()
        view = bar.addMenu("&View")
        themes = view.addMenu("&Theme")
        self.theme_actions: dict[str, QAction] = {}
        group = QActionGroup(window)
        for choice, text in (("system", "Follow the &system"), ("light", "&Light"), ("dark", "&Dark")):
            a = QAction(text, window, checkable=True)
            a.setObjectName(f"theme_{choice}")
            a.triggered.connect(lambda _=False, c=choice: self.set_theme(c))
            group.addAction(a)
            themes.addAction(a)
            self.theme_actions[choice] = a
        self.theme_actions[theme.saved_choice()].setChecked(True)
        toggle = QAction("Switch light / dark", window)
        toggle.setShortcut(QKeySequence("Ctrl+Shift+T"))
        toggle.triggered.connect(lambda: self.set_theme("light" if theme.is_dark() else "dark"))
        themes.addSeparator()
        themes.addAction(toggle)
        self.toggle_theme = toggle
        view.addSeparator()
        for d in window.docks():
            view.addAction(d.toggleViewAction())
        view.addSeparator()
        d = view.addAction("&Dirac-GAN: compare training methods…")
        d.setObjectName("dirac_compare")
        d.triggered.connect(dirac.open)
        view.addAction(memo.action)
        runs = view.addAction("&Compare runs")
        runs.setObjectName("compare_runs")
        runs.setShortcut(QKeySequence("Ctrl+Shift+R"))
        runs.triggered.connect(lambda: window.tabs.setCurrentWidget(runs_tab))
        view.addSeparator()
        reset = view.addAction("&Reset layout")
        reset.triggered.connect(reset_layout)
        helpm = bar.addMenu("&Help")
        tour = helpm.addAction("Guided &tour…")
        tour.setShortcut(QKeySequence("F1"))
        tour.triggered.connect(self.show_tour)
        keys = helpm.addAction("&Keyboard shortcuts…")
        keys.triggered.connect(self.show_shortcuts)
        helpm.addSeparator()
        about = helpm.addAction("&About GAN Studio")
        about.triggered.connect(lambda: QMessageBox.about(
            window, "About GAN Studio", "<b>GAN Studio</b><p>Train generative adversarial networks and "
            "watch the game between generator and discriminator. Every run also works headless: "
            "<code>gan-studio train --preset NAME</code>.</p><p><b>Where things are</b></p>" + where()))
        self.help_menu, self.view_menu = helpm, view

    def set_theme(self, choice: str) -> None:
        theme.set_theme(choice)
        a = self.theme_actions.get(choice)
        if a is not None:
            a.setChecked(True)
        self.say.flash(THEME_TEXT[choice])

    def show_tour(self) -> TourDialog:
        QSettings().setValue("help/tour_seen", True)
        dlg = TourDialog(self.w)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()
        return dlg

    def show_shortcuts(self) -> ShortcutsDialog:
        dlg = ShortcutsDialog(self.w)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()
        return dlg
