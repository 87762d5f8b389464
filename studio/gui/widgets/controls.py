"""The training controls: a toolbar of actions with keyboard shortcuts.

Train/Pause (Space), Step (S), Step D, Step G, Stop, Save checkpoint (Ctrl+S), Open run (Ctrl+O).
The window connects the `triggered` signal of each action and calls `set_state` as the run moves.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QToolBar, QToolButton

SPECS = [   # name, text, shortcut, icon, tooltip
    ("train", "Train", "Space", "SP_MediaPlay", "Start or resume training (Space)"),
    ("step", "Step", "S", "SP_MediaSkipForward", "Run one iteration: the D steps and one G step (S)"),
    ("step_d", "Step D", "D", "SP_ArrowRight", "One discriminator update only (D)"),
    ("step_g", "Step G", "G", "SP_ArrowRight", "One generator update only (G)"),
    ("stop", "Stop", "", "SP_MediaStop", "Stop the run and save a checkpoint"),
    (None, None, None, None, None),
    ("save", "Save checkpoint", "Ctrl+S", "SP_DialogSaveButton", "Save a checkpoint now (Ctrl+S)"),
    ("open", "Open run…", "Ctrl+O", "SP_DirOpenIcon",
     "Open a run directory written by the studio or the headless CLI (Ctrl+O)"),
]


class Controls(QToolBar):
    """`actions_by_name[name]` is the QAction; `button(name)` the tool button that shows it."""

    def __init__(self, parent=None):
        super().__init__("Controls", parent)
        self.setObjectName("controls")
        self.setMovable(False)
        self.setIconSize(QSize(18, 18))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.actions_by_name: dict[str, QAction] = {}
        style = self.style()
        for name, text, key, icon, tip in SPECS:
            if name is None:
                self.addSeparator()
                continue
            a = QAction(style.standardIcon(getattr(QStyle.StandardPixmap, icon)), text, self)
            a.setObjectName(f"action_{name}")
            if key:
                a.setShortcut(QKeySequence(key))
                a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.setToolTip(tip)
            self.addAction(a)
            self.actions_by_name[name] = a
        self.set_state("idle")

    def action(self, name: str) -> QAction:
        return self.actions_by_name[name]

    def button(self, name: str) -> QToolButton:
        return self.widgetForAction(self.actions_by_name[name])

    def set_state(self, state: str, has_config: bool = True, has_run: bool = False) -> None:
        """idle / starting / running / paused / viewing (a followed run directory)."""
        a = self.actions_by_name
        style = self.style()
        running = state == "running"
        live = state in ("starting", "running", "paused")
        a["train"].setText("Pause" if running else ("Resume" if state == "paused" else "Train"))
        a["train"].setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPause if running
                                              else QStyle.StandardPixmap.SP_MediaPlay))
        a["train"].setToolTip(("Pause" if running else "Start or resume") + " training (Space)")
        a["train"].setEnabled(has_config and state != "starting")
        for n in ("step", "step_d", "step_g"):
            a[n].setEnabled(has_config and state in ("idle", "paused", "viewing"))
        a["stop"].setEnabled(live)
        a["save"].setEnabled(state in ("running", "paused"))
        a["open"].setEnabled(not live)
