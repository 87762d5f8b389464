"""The status bar: what is going on, what is on screen, the step, elapsed time, speed and device.

`labels[name]` for name in
- state:   what is going on ("Training", "Paused", "Evaluating at step 500…", "Idle", "Viewing a run")
- busy:    work off the GUI thread ("Loading step_00001000.pt…", "Exporting G.ts…"), hidden when none
- shown:   which run and which checkpoint the centre shows
- step:    "step N of M" of the run, or the step of the loaded checkpoint when one is shown
- elapsed: the run's time while it runs, evaluations included (a clock that ticks on during an
           evaluation, when no step comes in; it stops while paused)
- rate:    steps per second over the last ~2 s and the time left to the last step at that rate, only
           while training (blank while paused or idle)
- device
Transient confirmations ("Exported G.ts") go to the left part, where the eye is after an action.
"""
from __future__ import annotations

import collections
import time

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QStatusBar

FLASH_MS = 8000
MESSAGE_MARGIN = 15       # QStatusBar draws its message this far from its left edge


def fmt_time(s: float) -> str:
    s = int(max(s, 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class _Elided(QLabel):
    """A status field that keeps to its width, eliding in the middle (run names end in a date)."""

    def __init__(self, parent=None, width: int = 220):
        super().__init__(parent)
        self._full = ""
        self._width = width
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str, tip: str = "") -> None:
        self._full = text
        self.setToolTip(text if not tip or tip == text else f"{text}\n{tip}")    # the whole name, always
        fm = QFontMetrics(self.font())
        shown = fm.elidedText(text, Qt.TextElideMode.ElideMiddle, self._width)
        self.setText(shown)
        self.setVisible(bool(text))

    def full_text(self) -> str:
        return self._full


class StatusBar(QStatusBar):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.labels: dict[str, QLabel] = {}
        widths = {"state": 0, "busy": 0, "step": 80, "elapsed": 80, "rate": 90, "device": 40}
        for k in ("state", "busy", "shown", "step", "elapsed", "rate", "device"):
            w = _Elided(self) if k == "shown" else QLabel(self)
            w.setObjectName(f"status_{k}")
            if widths.get(k):
                w.setMinimumWidth(widths[k])
            self.labels[k] = w
            self.addPermanentWidget(w)
        self.labels["state"].setTextFormat(Qt.TextFormat.RichText)
        self.labels["busy"].hide()
        self.labels["shown"].hide()
        self.task = QProgressBar(self)     # long work with a known length (the feature classifier)
        self.task.setObjectName("status_task")
        self.task.setFixedWidth(300)
        self.task.setTextVisible(True)
        self.task.hide()
        self.insertPermanentWidget(1, self.task)
        self._refit_timer = QTimer(self)          # the fields moved or changed: the message fits again
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(0)
        self._refit_timer.timeout.connect(self._refit)
        for w in [*self.labels.values(), self.task]:
            w.installEventFilter(self)
        self._rate = collections.deque(maxlen=50)      # (wall time, step) over the last ~2 s
        self.running = False
        self._base: float | None = None    # the run's time before the clock's running stretches
        self._ran = 0.0                    # seconds the clock ran, up to `_since`
        self._since: float | None = None   # when the clock started running (None: stopped)
        self._tick = QTimer(self)          # the elapsed clock moves on when no step comes in
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_clock)
        self.set_state("Idle")

    def __getitem__(self, name: str) -> QLabel:
        return self.labels[name]

    # ------------------------------------------------------------------ fields
    def set_state(self, text: str) -> None:
        self.labels["state"].setText(f"<b>{text}</b>")
        self.state_text = text

    def set_busy(self, text: str = "") -> None:
        self.labels["busy"].setText(text)
        self.labels["busy"].setVisible(bool(text))

    def set_task(self, text: str = "", done: int = 0, total: int = 0, seconds: float = 0.0) -> None:
        """A progress bar for long work ("training the feature classifier 34% · 0:25 left"); hidden
        with no text."""
        if not text or total <= 0:
            self.task.hide()
            return
        left = f" · {fmt_time(seconds * (total - done) / done)} left" if 0 < done < total and seconds > 1 else ""
        self.task.setRange(0, total)
        self.task.setValue(min(done, total))
        self.task.setFormat(f"{text} %p%{left}")
        self.task.setToolTip(f"{text}: {done:,} of {total:,} ({fmt_time(seconds)} so far)")
        self.task.show()

    def set_shown(self, run: str = "", checkpoint: str = "", tip: str = "") -> None:
        """Which run (and which checkpoint of it) the centre shows."""
        text = run + (f" · {checkpoint}" if checkpoint else "")
        self.labels["shown"].set_full_text(text, tip)

    def shown(self) -> str:
        return self.labels["shown"].full_text()

    def set_device(self, device: str) -> None:
        self.labels["device"].setText(device)

    def set_running(self, running: bool) -> None:
        """Steps per second only mean something while training runs: blank otherwise."""
        if running != self.running:
            self._rate.clear()
        self.running = running
        now = time.perf_counter()
        if running and self._since is None:
            self._since = now
            self._tick.start()
        elif not running and self._since is not None:
            self._ran += now - self._since
            self._since = None
            self._tick.stop()
        if not running:
            self.labels["rate"].setText("")

    def show_step(self, step: int | None, tip: str = "") -> None:
        self.labels["step"].setText("" if step is None else f"step {step:,}")
        self.labels["step"].setToolTip(tip)

    def clock(self) -> float:
        """The run's time as the elapsed field shows it."""
        ran = self._ran + (time.perf_counter() - self._since if self._since is not None else 0.0)
        return (self._base or 0.0) + ran

    def _show_clock(self) -> None:
        if self._base is not None:
            self.labels["elapsed"].setText(f"elapsed {fmt_time(self.clock())}")
            self.labels["elapsed"].setToolTip("The run's time while it runs, evaluations included "
                                              "(not while paused)")

    def progress(self, step: int, elapsed: float | None, total: int | None = None) -> None:
        """A run's newest step (of `total`) and training time; the rate and the time left when it
        is running."""
        self.show_step(step, "the run's newest step")
        if total:
            self.labels["step"].setText(f"step {step:,} of {total:,}")
        if elapsed is not None and self._base is None:
            self._base = 0.0                              # a resumed run: its time before this stretch
            self._base = max(elapsed - self.clock(), 0.0)
        if elapsed is not None and elapsed > self.clock():   # the trainer's time is never behind
            self._base += elapsed - self.clock()
        self._show_clock()
        if not self.running:
            return
        now = time.perf_counter()
        self._rate.append((now, step))
        while len(self._rate) > 2 and now - self._rate[0][0] > 2.0:
            self._rate.popleft()
        (t0, s0), (t1, s1) = self._rate[0], self._rate[-1]
        if t1 > t0 and s1 >= s0:
            rate = (s1 - s0) / (t1 - t0)
            left = f" · {fmt_time((total - step) / rate)} left" if total and rate > 0 and step < total else ""
            self.labels["rate"].setText(f"{rate:,.1f} steps/s{left}")
            self.labels["rate"].setToolTip("Steps per second over the last 2 s" + (
                "; the time left to the last step at this rate (evaluations not counted)" if left else ""))

    def flash(self, text: str, ms: int = FLASH_MS) -> None:
        """A confirmation where the user looks after an action; it goes after `ms`."""
        self.showMessage(text, ms)

    # The left message is drawn by QStatusBar across its whole width, under the fields on the right:
    # at 1024 px a run name ran into "Idle". It is elided in the middle to the room left of the
    # fields (again on every resize), the whole text in the tooltip and in currentMessage().
    def showMessage(self, text: str, timeout: int = 0) -> None:
        self._message = text
        self._until = time.monotonic() + timeout / 1000 if timeout > 0 else None
        super().showMessage(self._fit(text), timeout)
        self.setToolTip(text if text and self._fit(text) != text else "")
        self._refit_timer.start()                # once the fields on the right are laid out

    def currentMessage(self) -> str:
        return getattr(self, "_message", "") if super().currentMessage() else ""

    def clearMessage(self) -> None:
        self._message = ""
        self.setToolTip("")
        super().clearMessage()

    def message_room(self) -> int:
        """Pixels the left message may take: up to the leftmost field shown on the right."""
        fields = [w.geometry().x() for w in [*self.labels.values(), self.task] if w.isVisible()]
        return max(min(fields, default=self.width()) - 2 * MESSAGE_MARGIN, 40)

    def _fit(self, text: str) -> str:
        return self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, self.message_room())

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        self._refit()

    def eventFilter(self, obj, e) -> bool:
        if e.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            self._refit_timer.start()
        return False

    def _refit(self) -> None:
        """The message elided again to the room there is now (a resize, a field shown or hidden)."""
        msg = self.currentMessage()
        if msg and self._fit(msg) != super().currentMessage():    # same time left: re-shown as it was
            until = getattr(self, "_until", None)
            left = 0 if until is None else max(int((until - time.monotonic()) * 1000), 1)
            super().showMessage(self._fit(msg), left)
            self.setToolTip(msg if self._fit(msg) != msg else "")

    def reset(self) -> None:
        self._rate.clear()
        self._base, self._ran = None, 0.0
        self._since = time.perf_counter() if self._since is not None else None
        for k in ("step", "elapsed", "rate"):
            self.labels[k].setText("")
        self.labels["step"].setToolTip("")
