"""The training controls: a toolbar of actions with keyboard shortcuts.

Train/Pause (Space), Step (S), Step D, Step G, Stop, Save checkpoint (Ctrl+S), Open run (Ctrl+O),
and the speed control: iterations per second from 1/s to full speed ([ slower, ] faster).
The window connects the `triggered` signal of each action and calls `set_state` as the run moves;
`pace()` is the chosen speed (None: full speed) and `pace_changed(object)` says when it changes.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (QAction, QColor, QIcon, QKeySequence, QPainter, QPalette, QPixmap, QPolygonF,
                           QShortcut)
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QToolBar, QToolButton

from ..key_guard import KeyGuard

SPECS = [   # name, text, shortcut, icon, tooltip
    ("train", "Train", "Space", "play", "Start or resume training (Space)"),
    ("step", "Step", "S", "step", "Run one iteration: the D steps and one G step (S)"),
    ("step_d", "Step D", "D", "step_d", "One discriminator update only (D)"),
    ("step_g", "Step G", "G", "step_g", "One generator update only (G)"),
    ("stop", "Stop", "", "stop", "Stop the run and save a checkpoint"),
    (None, None, None, None, None),
    ("save", "Save checkpoint", "Ctrl+S", "save", "Save a checkpoint now (Ctrl+S)"),
    ("open", "Open run…", "Ctrl+O", "open",
     "Open a run directory written by the studio or the headless CLI (Ctrl+O)"),
]


PACES = (1, 2, 5, 10, 20, 30, 50, 100, 200, 500, None)     # iterations per second; None: full speed
PACE_TIP = ("Training speed in iterations per second, so that the game can be watched: from 1/s to "
            "full speed ([ slower, ] faster). Toy presets open at a pace at which their figure plays in "
            "15 to 30 s, image presets at full speed. Studio only: the headless CLI always trains at "
            "full speed.")


def pace_text(pace: float | None) -> str:
    return "full speed" if not pace else f"{pace:g}/s"


def icon(kind: str, color: QColor, sizes=(18, 36, 54, 72)) -> QIcon:
    """Simple vector icons drawn in the palette's text colour (readable on dark and light), at
    several pixel sizes so that they stay sharp at any screen scale."""
    out = QIcon()
    for size in (sizes if isinstance(sizes, (tuple, list)) else (sizes,)):
        out.addPixmap(_draw(kind, color, size))
    return out


def _draw(kind: str, color: QColor, size: int) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    u = size / 12

    def tri(x0, x1):
        p.drawPolygon(QPolygonF([QPointF(x0 * u, 2 * u), QPointF(x1 * u, 6 * u), QPointF(x0 * u, 10 * u)]))

    if kind == "play":
        tri(3, 10)
    elif kind == "pause":
        p.drawRect(QRectF(3 * u, 2 * u, 2.2 * u, 8 * u))
        p.drawRect(QRectF(6.8 * u, 2 * u, 2.2 * u, 8 * u))
    elif kind == "step":
        tri(2, 8)
        p.drawRect(QRectF(8.5 * u, 2 * u, 1.8 * u, 8 * u))
    elif kind in ("step_d", "step_g"):
        tri(1.5, 6)
        p.setPen(color)
        f = p.font()
        f.setPixelSize(int(7 * u))
        f.setBold(True)
        p.setFont(f)
        p.drawText(QRectF(5.5 * u, 1 * u, 6.5 * u, 10 * u), Qt.AlignmentFlag.AlignCenter, kind[-1].upper())
    elif kind == "stop":
        p.drawRect(QRectF(2.5 * u, 2.5 * u, 7 * u, 7 * u))
    elif kind == "save":
        p.drawRoundedRect(QRectF(2 * u, 2 * u, 8 * u, 8 * u), u, u)
        p.setBrush(QColor(0, 0, 0, 0))
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
        p.drawRect(QRectF(3.5 * u, 2.8 * u, 5 * u, 2.6 * u))
        p.drawEllipse(QPointF(6 * u, 7.4 * u), 1.3 * u, 1.3 * u)
    elif kind == "open":
        p.drawPolygon(QPolygonF([QPointF(1.5 * u, 3 * u), QPointF(5 * u, 3 * u), QPointF(6 * u, 4 * u),
                                 QPointF(10.5 * u, 4 * u), QPointF(10.5 * u, 10 * u), QPointF(1.5 * u, 10 * u)]))
    p.end()
    return pix


class Controls(QToolBar):
    """`actions_by_name[name]` is the QAction; `button(name)` the tool button that shows it; `speed`
    the speed combo box (`pace()`, `set_pace()`, `pace_changed`)."""
    pace_changed = Signal(object)      # iterations per second (float) or None for full speed

    def __init__(self, parent=None):
        super().__init__("Controls", parent)
        self.setObjectName("controls")
        self.setMovable(False)
        self.setIconSize(QSize(18, 18))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.actions_by_name: dict[str, QAction] = {}
        self._state = ("idle", True, False)
        for name, text, key, _icon, tip in SPECS:
            if name is None:
                self.addSeparator()
                continue
            a = QAction(text, self)
            a.setObjectName(f"action_{name}")
            if key:
                a.setShortcut(QKeySequence(key))
                a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.setToolTip(tip)
            self.addAction(a)
            self.actions_by_name[name] = a
        self.addSeparator()
        self.speed_label = QLabel("Speed ", self)
        self.speed_label.setToolTip(PACE_TIP)
        self.addWidget(self.speed_label)
        self.speed = QComboBox(self)
        self.speed.setObjectName("speed")
        self.speed.setToolTip(PACE_TIP)
        self.speed.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)     # Space and the step keys stay the toolbar's
        for p in PACES:
            self.speed.addItem("full" if p is None else f"{p}/s", p)
        self.speed.setCurrentIndex(len(PACES) - 1)
        self.speed.currentIndexChanged.connect(lambda _i: self.pace_changed.emit(self.pace()))
        self.addWidget(self.speed)
        self.pace_keys = {}                   # "[" one stop slower, "]" one stop faster
        for key, delta in (("[", -1), ("]", 1)):
            sc = QShortcut(QKeySequence(key), self, context=Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(lambda d=delta: self.nudge_pace(d))
            self.pace_keys[key] = sc
        self._paint_icons()
        self.set_state("idle")
        single = [QKeySequence(k)[0].key() for _n, _t, k, _i, _tip in SPECS
                  if k and not QKeySequence(k)[0].keyboardModifiers()] + [Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight]
        if parent is not None:        # not while a text field, number box, drop-down or list has focus
            self.key_guard = KeyGuard(parent.window(), single)

    # ------------------------------------------------------------------ speed
    def pace(self) -> float | None:
        """Iterations per second chosen (None: full speed)."""
        p = self.speed.currentData()
        return float(p) if p else None

    def set_pace(self, pace: float | None) -> None:
        """Show `pace` (a value between the stops gets its own entry); emits pace_changed when it changes."""
        pace = float(pace) if pace else None
        for i in range(self.speed.count()):
            d = self.speed.itemData(i)
            if (float(d) if d else None) == pace:
                self.speed.setCurrentIndex(i)
                return
        i = next((i for i in range(self.speed.count())
                  if self.speed.itemData(i) is None or self.speed.itemData(i) > pace), self.speed.count())
        self.speed.insertItem(i, f"{pace:g}/s", pace)
        self.speed.setCurrentIndex(i)

    def nudge_pace(self, delta: int) -> None:
        """One stop slower (-1) or faster (+1)."""
        self.speed.setCurrentIndex(min(max(self.speed.currentIndex() + delta, 0), self.speed.count() - 1))

    def _paint_icons(self) -> None:
        color = QApplication.palette().color(QPalette.ColorRole.WindowText)
        running = self._state[0] == "running"
        for name, _t, _k, kind, _tip in SPECS:
            if name is not None:
                self.actions_by_name[name].setIcon(icon("pause" if name == "train" and running else kind, color))

    def changeEvent(self, e) -> None:
        if e.type() == QEvent.Type.PaletteChange:
            self._paint_icons()
        super().changeEvent(e)

    def action(self, name: str) -> QAction:
        return self.actions_by_name[name]

    def button(self, name: str) -> QToolButton:
        return self.widgetForAction(self.actions_by_name[name])

    def set_state(self, state: str, has_config: bool = True, has_run: bool = False) -> None:
        """idle / starting / running / paused / viewing (a followed run directory)."""
        a = self.actions_by_name
        self._state = (state, has_config, has_run)
        running = state == "running"
        live = state in ("starting", "running", "paused")
        a["train"].setText("Pause" if running else ("Resume" if state == "paused" else "Train"))
        self._paint_icons()
        a["train"].setToolTip(("Pause" if running else "Start or resume") + " training (Space)")
        a["train"].setEnabled(has_config and state != "starting")
        for n in ("step", "step_d", "step_g"):
            a[n].setEnabled(has_config and state in ("idle", "paused", "viewing"))
        a["stop"].setEnabled(live)
        a["save"].setEnabled(state in ("running", "paused"))
        a["open"].setEnabled(not live)
