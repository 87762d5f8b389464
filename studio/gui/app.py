"""Start the desktop studio: `gan-studio`, `gan-studio gui --preset NAME`, `make run`."""
from __future__ import annotations

import os
import sys

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from .main_window import MainWindow

NO_DISPLAY = ("gan-studio: no display found (DISPLAY and WAYLAND_DISPLAY are not set). Run it under a "
              "virtual X server, e.g. `xvfb-run -a make run` or `Xvfb :99 & DISPLAY=:99 make run`, "
              "or set QT_QPA_PLATFORM=offscreen for a window nobody sees.")


def has_display(env=os.environ) -> bool:
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM"))


def dark_palette():
    p = QPalette()
    R = QPalette.ColorRole
    colors = {R.Window: "#202124", R.WindowText: "#e8eaed", R.Base: "#17181a", R.AlternateBase: "#24262a",
              R.ToolTipBase: "#2d2f33", R.ToolTipText: "#e8eaed", R.Text: "#e8eaed", R.Button: "#2b2d31",
              R.ButtonText: "#e8eaed", R.BrightText: "#ff6b6b", R.Link: "#6ea8fe",
              R.Highlight: "#3d6fd6", R.HighlightedText: "#ffffff", R.PlaceholderText: "#8a8d93",
              R.Mid: "#3a3c40", R.Dark: "#111214", R.Light: "#3f4247", R.Midlight: "#34363a",
              R.Shadow: "#000000"}
    for role, c in colors.items():
        p.setColor(role, QColor(c))
    for role in (R.WindowText, R.Text, R.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#90949a"))
    return p


def system_is_dark(app) -> bool:
    forced = os.environ.get("GAN_STUDIO_THEME", "").lower()
    if forced in ("dark", "light"):
        return forced == "dark"
    scheme = app.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    return app.palette().color(app.palette().ColorRole.Window).lightness() < 128


def apply_theme(app) -> None:
    """Fusion with a dark palette when the system is dark, the standard light one otherwise."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if system_is_dark(app) else app.style().standardPalette())


def make_app(argv=None):
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setOrganizationName("GAN Studio")
    app.setApplicationName("gan-studio")
    app.setApplicationDisplayName("GAN Studio")
    apply_theme(app)
    app.styleHints().colorSchemeChanged.connect(lambda *_: apply_theme(app))
    pg.setConfigOptions(antialias=False, useOpenGL=False)
    return app


def main(preset: str | None = None) -> int:
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    app = make_app()
    win = MainWindow(preset)
    win.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
