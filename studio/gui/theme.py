"""Light and dark: Fusion with a dark palette, or the standard light one.

The choice is "system" (follow the desktop's colour scheme), "light" or "dark"; the View menu sets it
and QSettings remembers it ("view/theme"). The GAN_STUDIO_THEME environment variable, when set to
"light" or "dark", wins over the remembered choice (scripts, screenshots).
"""
from __future__ import annotations

import os

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

CHOICES = ("system", "light", "dark")
KEY = "view/theme"


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


def saved_choice() -> str:
    """The remembered choice ("system" when none)."""
    v = QSettings().value(KEY, "system", type=str)
    return v if v in CHOICES else "system"


def effective_choice() -> str:
    """What applies now: GAN_STUDIO_THEME when it says light or dark, else the remembered choice."""
    forced = os.environ.get("GAN_STUDIO_THEME", "").lower()
    return forced if forced in ("dark", "light") else saved_choice()


def system_is_dark(app) -> bool:
    choice = effective_choice()
    if choice in ("dark", "light"):
        return choice == "dark"
    scheme = app.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    global _PLATFORM_DARK
    if _PLATFORM_DARK is None:      # the desktop's palette, read before the studio sets its own
        _PLATFORM_DARK = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return _PLATFORM_DARK


_PLATFORM_DARK: bool | None = None


def is_dark(app=None) -> bool:
    app = app or QApplication.instance()
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


def apply_theme(app) -> None:
    """Fusion with a dark palette when the choice (or the system) is dark, the standard light one
    otherwise."""
    global _PLATFORM_DARK
    if _PLATFORM_DARK is None:
        _PLATFORM_DARK = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if system_is_dark(app) else app.style().standardPalette())


def set_theme(choice: str, app=None) -> None:
    """Remember `choice` ("system", "light" or "dark") and apply it now."""
    if choice not in CHOICES:
        raise ValueError(f"theme must be one of {', '.join(CHOICES)} (got {choice!r})")
    QSettings().setValue(KEY, choice)
    apply_theme(app or QApplication.instance())
