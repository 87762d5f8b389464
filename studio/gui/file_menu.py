"""File › Open run… (Ctrl+O, the toolbar's action) and File › Quit (Ctrl+Q).

Quit closes the window as its close button does: a live run is stopped and saves its checkpoint
first (MainWindow.closeEvent), every worker is waited for, and the application then ends."""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu


def install(window: QMainWindow, open_run: QAction) -> QMenu:
    """The File menu, first on the menu bar."""
    bar = window.menuBar()
    menu = QMenu("&File", window)
    menu.setObjectName("file_menu")
    menu.addAction(open_run)
    menu.addSeparator()
    quit_ = QAction("&Quit", window)
    quit_.setObjectName("quit")
    quit_.setShortcut(QKeySequence("Ctrl+Q"))
    quit_.setMenuRole(QAction.MenuRole.QuitRole)
    quit_.setToolTip("Close GAN Studio; a live run stops and saves a checkpoint first (Ctrl+Q)")
    quit_.triggered.connect(window.close)
    menu.addAction(quit_)
    first = bar.actions()[0] if bar.actions() else None
    if first is not None:
        bar.insertMenu(first, menu)
    else:
        bar.addMenu(menu)
    menu.quit_action = quit_
    return menu
