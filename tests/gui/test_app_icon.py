"""The studio's window carries the icon that ships in the package (assets/gan-studio.svg as PNG)."""
from __future__ import annotations

from studio.config.paths import icon_file


def test_the_window_uses_the_icon(make_window):
    from PySide6.QtWidgets import QApplication
    w = make_window("toy-1d-shift")
    app = QApplication.instance()
    assert not app.windowIcon().isNull() and not w.windowIcon().isNull()
    assert app.windowIcon().availableSizes() and icon_file().is_file()
    assert app.desktopFileName() == "gan-studio"
