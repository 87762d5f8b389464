"""Slow motion in the 1D and 2D views: a toggle, Next and auto, and the phases of one SlowStep played
in turn (interpolated with `lerp`)."""
from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from .base import FRAME_MS


def lerp(a, b, t: float):
    """a → b at t in [0, 1] (arrays of one shape)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a + (b - a) * t


class SlowPlayer(QtCore.QObject):
    """GAN Lab's slow motion in a view: a "Slow motion" toggle (M), "Next" (N or →) and "auto"
    (advance on its own). While on, the view asks for one SlowStep at a time (`step_requested`) and
    plays its phases: each lasts one iteration's time at the chosen pace spread over the phases, at
    least `min_phase` seconds so that it can be read; updates are animated from before to after.
    The view draws a phase with `draw(phase, t)` (t from 0 to 1 along an animated phase) and returns
    to its ordinary drawing with `done()`."""
    toggled = QtCore.Signal(bool)
    step_requested = QtCore.Signal()
    ANIMATE = 0.75              # share of a phase spent moving; the rest holds the end state

    def __init__(self, view: QtWidgets.QWidget, draw, done):
        super().__init__(view)
        self.view, self._draw_phase, self._done = view, draw, done
        self.pace: float | None = 1.0       # iterations per second (the toolbar's pace; None: full speed)
        self.min_phase = 0.6
        self.phases: list[dict] = []
        self.index = -1
        self.step = 0
        self.waiting = False
        self.played = 0                     # iterations played to their end (tests)
        self.button = QtWidgets.QPushButton("Slow motion", view)
        self.button.setCheckable(True)
        self.button.setToolTip("Play one iteration at a time in phases, as GAN Lab does: D's batch, its "
                               "gradient and update, then G's gradient and update (M). Pauses the run.")
        self.button.toggled.connect(self._toggled)
        self.next_btn = QtWidgets.QPushButton("Next ▸", view)
        self.next_btn.setToolTip("The next phase (N or →)")
        self.next_btn.clicked.connect(self.advance)
        self.auto = QtWidgets.QCheckBox("auto", view)
        self.auto.setChecked(True)
        self.auto.setToolTip("Advance on its own at the toolbar's pace; off: N or → advances")
        self.auto.toggled.connect(self._auto_toggled)
        self.caption = QtWidgets.QLabel(view)
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.caption.setContentsMargins(4, 2, 4, 2)
        self.caption.setAutoFillBackground(True)
        self.caption.setVisible(False)
        self.caption.installEventFilter(self)               # a new width: its height is reserved again
        ctx = QtCore.Qt.ShortcutContext.WindowShortcut      # hidden views' keys do not fire
        for key, slot in (("M", self.button.toggle), ("N", self.advance), ("Right", self.advance)):
            sc = QtGui.QShortcut(QtGui.QKeySequence(key), view, context=ctx)
            sc.activated.connect(slot)
        self._hold = QtCore.QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.timeout.connect(self._phase_over)
        self._anim = QtCore.QTimer(self)
        self._anim.setInterval(FRAME_MS)
        self._anim.timeout.connect(self._frame)
        self._t0 = 0.0
        self._sync()

    # ------------------------------------------------------------------ state
    @property
    def on(self) -> bool:
        return self.button.isChecked()

    @property
    def active(self) -> bool:
        """Whether the view shows slow motion (its ordinary snapshots wait)."""
        return self.on

    def set_on(self, on: bool) -> None:
        self.button.setChecked(on)

    def set_pace(self, per_second: float | None) -> None:
        self.pace = per_second

    def phase_seconds(self) -> float:
        n = max(len(self.phases), 1)
        per = 1.0 / (self.pace * n) if self.pace else 0.0
        return max(per, self.min_phase)

    def _toggled(self, on: bool) -> None:
        self._hold.stop()
        self._anim.stop()
        self.phases, self.index, self.waiting = [], -1, False
        self.toggled.emit(on)
        if on:
            self._request()
        else:
            self._done()
        self._sync()

    def _auto_toggled(self, on: bool) -> None:
        if on and self.on and not self._hold.isActive() and not self.waiting:
            self._phase_over()

    def _request(self) -> None:
        self.waiting = True
        self.step_requested.emit()
        self._sync()

    # ------------------------------------------------------------------ playing
    def play(self, step: int, phases: list[dict]) -> None:
        """The phases of a SlowMotion event (ignored when slow motion is off)."""
        if not self.on or not phases:
            return
        self.step, self.phases, self.waiting = step, phases, False
        self._show(0)

    def _show(self, i: int) -> None:
        self.index = i
        self._t0 = time.monotonic()
        ph = self.phases[i]
        self._draw_phase(ph, 0.0)
        if ph.get("animate"):
            self._anim.start()
        if self.auto.isChecked():
            self._hold.start(int(self.phase_seconds() * 1000))
        self._sync()

    def _frame(self) -> None:
        if self.index < 0:
            self._anim.stop()
            return
        t = (time.monotonic() - self._t0) / (self.ANIMATE * self.phase_seconds())
        self._draw_phase(self.phases[self.index], min(t, 1.0))
        if t >= 1.0:
            self._anim.stop()

    def _phase_over(self) -> None:
        if not self.on or self.waiting or self.index < 0:
            return
        if self._anim.isActive():                  # an animation ends on its final state
            self._anim.stop()
            self._draw_phase(self.phases[self.index], 1.0)
        if self.index + 1 < len(self.phases):
            self._show(self.index + 1)
        else:
            self.played += 1
            self._request()

    def advance(self) -> None:
        """The next phase now (the key): also while auto-advancing."""
        if not self.on:
            return
        self._hold.stop()
        self._phase_over()

    def _text(self, i: int) -> str:
        ph = self.phases[i]
        colour = "#3f9a4e" if ph["turn"] == "D" else "#9a6cc9"   # read on dark and light
        how = "" if self.auto.isChecked() else " · N or → for the next phase"
        return (f"<b>Slow motion</b> · iteration {self.step:,} · "
                f"<b style='color:{colour}'>{i + 1}/{len(self.phases)} {ph['title']}</b>: {ph['caption']}{how}")

    def _reserve(self) -> None:
        """The caption keeps the height of its longest phase at its width, so that the plots below do
        not jump from one phase to the next."""
        width = self.caption.width()
        if not self.on or not self.phases or width < 80:
            self.caption.setMinimumHeight(0)
            return
        shown = self.caption.text()
        tallest = 0
        for i in range(len(self.phases)):
            self.caption.setText(self._text(i))
            tallest = max(tallest, self.caption.heightForWidth(width))
        self.caption.setText(shown)
        if tallest != self.caption.minimumHeight():
            self.caption.setMinimumHeight(tallest)

    def eventFilter(self, obj, ev) -> bool:
        if obj is self.caption and ev.type() == QtCore.QEvent.Type.Resize and ev.oldSize().width() != ev.size().width():
            self._reserve()
        return False

    def _sync(self) -> None:
        # shown only while slow motion is on, as its caption is: off they did nothing, and at 1024 px
        # they took the 2D toolbar's third row from the plot
        self.next_btn.setVisible(self.on)
        self.auto.setVisible(self.on)
        self.caption.setVisible(self.on)
        if not self.on:
            self.caption.setMinimumHeight(0)
            return
        if self.waiting or self.index < 0:
            self.caption.setText("<b>Slow motion</b> · waiting for the next iteration…")
            return
        self.caption.setText(self._text(self.index))
        self._reserve()
