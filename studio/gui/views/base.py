"""The base of the training views: latest-wins snapshots drawn from a ~30 Hz timer, and helpers.

Every view takes the numpy dict of an engine `Snapshot` through `set_snapshot(data)`; only the newest
dict is kept and drawn on the next timer tick, and only while the view is visible. `clear()` forgets
everything (a new run). Colours are picked to read on both dark and light palettes and the plot
background follows the widget's palette; the colours of real and generated data come from
`studio.config.palette`.
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

FRAME_MS = 33          # ~30 Hz


def palette_colors(widget: QtWidgets.QWidget) -> tuple[QtGui.QColor, QtGui.QColor, QtGui.QColor]:
    """(background, foreground, muted foreground) of a widget's palette."""
    pal = widget.palette()
    bg = pal.color(QtGui.QPalette.ColorRole.Base)
    fg = pal.color(QtGui.QPalette.ColorRole.Text)
    muted = QtGui.QColor(fg)
    muted.setAlphaF(0.45)
    return bg, fg, muted


def style_plot(plot: pg.PlotItem, widget: QtWidgets.QWidget) -> None:
    """Axis pens and label colours from the palette."""
    _, fg, _ = palette_colors(widget)
    for name in ("left", "bottom", "right", "top"):
        ax = plot.getAxis(name)
        ax.setPen(pg.mkPen(fg))
        ax.setTextPen(pg.mkPen(fg))
    t = plot.titleLabel
    if t.text:
        t.setText(t.text, color=fg.name())


def light_grid(plot: pg.PlotItem, alpha: float) -> None:
    """Faint grid lines at the major ticks only. pyqtgraph's default also draws the minor and
    sub-minor levels, which makes every repaint of a plot several times slower (3 to 12 ms at
    900x220, measured) for lines that can hardly be seen."""
    plot.showGrid(x=True, y=True, alpha=alpha)
    for name in ("left", "bottom"):
        ax = plot.getAxis(name)
        ax.setStyle(maxTickLevel=0)
        # the axis item spans the plot (it draws the grid): keep it as a pixmap between range
        # changes instead of replaying its drawing whenever a curve in the plot changes
        ax.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)


def segments(starts: np.ndarray, vecs: np.ndarray, head: float = 0.28) -> tuple[np.ndarray, np.ndarray]:
    """x, y arrays for arrows drawn with connect='pairs': a shaft and two head strokes per arrow."""
    starts = np.asarray(starts, np.float64).reshape(-1, 2)
    vecs = np.asarray(vecs, np.float64).reshape(-1, 2)
    ends = starts + vecs
    c, s = np.cos(np.deg2rad(150)), np.sin(np.deg2rad(150))
    back = vecs * head
    left = ends + np.stack([c * back[:, 0] - s * back[:, 1], s * back[:, 0] + c * back[:, 1]], 1)
    right = ends + np.stack([c * back[:, 0] + s * back[:, 1], -s * back[:, 0] + c * back[:, 1]], 1)
    pts = np.stack([starts, ends, ends, left, ends, right], 1).reshape(-1, 2)
    return pts[:, 0], pts[:, 1]


class FlowLayout(QtWidgets.QLayout):
    """Widgets left to right, wrapping onto the next line when the row is full (Qt's flow layout
    example): a toolbar that stays whole in a narrow view instead of forcing the view wider."""

    def __init__(self, parent=None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QtWidgets.QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, i: int):
        return self._items[i] if 0 <= i < len(self._items) else None

    def takeAt(self, i: int):
        return self._items.pop(i) if 0 <= i < len(self._items) else None

    def expandingDirections(self):
        return QtCore.Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QtCore.QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self):
        w = sum(it.sizeHint().width() + self._spacing for it in self._items if not it.isEmpty())
        h = max((it.sizeHint().height() for it in self._items if not it.isEmpty()), default=0)
        return QtCore.QSize(w, h)

    def minimumSize(self):
        size = QtCore.QSize()
        for it in self._items:
            if not it.isEmpty():
                size = size.expandedTo(it.minimumSize())
        m = self.contentsMargins()
        return size + QtCore.QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(self, rect, move: bool) -> int:
        m = self.contentsMargins()
        r = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = r.x(), r.y(), 0
        for it in self._items:
            if it.isEmpty():
                continue
            hint = it.sizeHint()
            if it.expandingDirections() & QtCore.Qt.Orientation.Horizontal:    # a stretchy item
                hint = QtCore.QSize(max(it.minimumSize().width(), 40), hint.height())
            nx = x + hint.width() + self._spacing
            if nx - self._spacing > r.right() + 1 and line > 0:
                x, y, line = r.x(), y + line + self._spacing, 0
                nx = x + hint.width() + self._spacing
            if move:
                it.setGeometry(QtCore.QRect(QtCore.QPoint(x, y), hint))
            x, line = nx, max(line, hint.height())
        return y + line - r.y() + m.top() + m.bottom()


class RangeKeeper:
    """Ranges that do not jump: a new view range is set when the data leaves the current one (at
    once, with a margin); when the data has shrunk to under 70% of the range, the range follows it
    a quarter of the way per snapshot, so an early outlier does not squash the picture forever."""

    def __init__(self, margin: float = 0.1, shrink: bool = True):
        self.margin = margin
        self.shrink = shrink
        self.lo: np.ndarray | None = None
        self.hi: np.ndarray | None = None

    def reset(self) -> None:
        self.lo = self.hi = None

    def need(self, lo, hi) -> bool:
        """Take the box [lo, hi] the data needs; True when the kept range changed."""
        lo, hi = np.asarray(lo, float), np.asarray(hi, float)
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            return False
        span = np.maximum(hi - lo, 1e-6)
        lo2, hi2 = lo - self.margin * span, hi + self.margin * span
        if self.lo is None:
            self.lo, self.hi = lo2, hi2
            return True
        inside = np.all(lo >= self.lo) and np.all(hi <= self.hi)
        if not inside:
            self.lo, self.hi = np.minimum(lo2, self.lo), np.maximum(hi2, self.hi)
            return True
        if self.shrink and np.any(hi2 - lo2 < 0.7 * (self.hi - self.lo)):
            self.lo = self.lo + 0.25 * (lo2 - self.lo)
            self.hi = self.hi + 0.25 * (hi2 - self.hi)
            return True
        return False

    def apply(self, vb: pg.ViewBox) -> None:
        if self.lo is None:
            return
        if len(self.lo) == 1:
            vb.setXRange(self.lo[0], self.hi[0], padding=0)
        else:
            vb.setRange(xRange=(self.lo[0], self.hi[0]), yRange=(self.lo[1], self.hi[1]), padding=0)


class GuiLoad:
    """How busy the GUI thread is (share of one core, smoothed over about a second), and the frame
    interval the views should keep to: FRAME_MS while the thread is below BUSY, then longer in
    proportion, up to 4x (7.5 Hz). On the toy presets a frame of the 1D view costs ~13 ms of
    pyqtgraph, and every millisecond of Python drawn on the GUI thread is a millisecond the
    training thread waits for the GIL; easing the frame rate under load gives it back."""
    BUSY = 0.3
    MAX_STRETCH = 4.0

    def __init__(self) -> None:
        self.busy = 0.0
        self._t = time.monotonic()
        self._cpu = time.thread_time()

    def sample(self) -> None:
        """Call from the GUI thread (the views' timers do)."""
        now, cpu = time.monotonic(), time.thread_time()
        dt = now - self._t
        if dt >= 0.25:
            share = min(max((cpu - self._cpu) / dt, 0.0), 1.0)
            self.busy = share if dt > 2.0 else 0.6 * self.busy + 0.4 * share   # after idle: fresh
            self._t, self._cpu = now, cpu

    def interval(self) -> float:
        """Seconds between frames of a view."""
        return FRAME_MS / 1000 * min(max(self.busy / self.BUSY, 1.0), self.MAX_STRETCH)


LOAD = GuiLoad()


class SnapshotView(QtWidgets.QWidget):
    """Base of the views: keeps the latest snapshot and draws it from a timer when it changed."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._data: dict | None = None
        self._dirty = False
        self._plots: list[pg.PlotItem] = []
        self._last_frame = 0.0
        self.slow: SlowPlayer | None = None      # the 1D and 2D views' slow motion
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    # ------------------------------------------------------------------ public
    def set_snapshot(self, data: dict, step: int | None = None) -> None:
        """Keep `data` (latest wins); drawn on the next tick. `step` may also come as data['step']."""
        if step is not None:
            data = {**data, "step": step}
        self._data = data
        self._dirty = True

    def clear(self) -> None:
        self._data = None
        self._dirty = False
        self._clear()

    def flush(self) -> None:
        """Draw the pending snapshot now (tests and screenshots); not while slow motion plays."""
        if self.slow is not None and self.slow.active:
            return
        if self._dirty and self._data is not None:
            self._dirty = False
            self._draw(self._data)

    @property
    def data(self) -> dict | None:
        return self._data

    # ------------------------------------------------------------------ for subclasses
    def _draw(self, data: dict) -> None:
        raise NotImplementedError

    def _clear(self) -> None:
        pass

    def _add_plot(self, plot: pg.PlotItem) -> pg.PlotItem:
        self._plots.append(plot)
        style_plot(plot, self)
        return plot

    def _restyle(self) -> None:
        """Called when the palette changes (dark/light theme)."""
        bg, _, _ = palette_colors(self)
        for w in self.findChildren(pg.GraphicsView):
            w.setBackground(bg)
        for p in self._plots:
            style_plot(p, self)

    # ------------------------------------------------------------------ Qt
    def _tick(self) -> None:
        LOAD.sample()
        if self._dirty and self.isVisible():
            now = time.monotonic()
            if now - self._last_frame >= LOAD.interval() - 0.002:
                self._last_frame = now
                self.flush()

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        self._restyle()
        self.flush()

    def changeEvent(self, ev) -> None:
        super().changeEvent(ev)
        if ev.type() in (QtCore.QEvent.Type.PaletteChange, QtCore.QEvent.Type.ApplicationPaletteChange):
            self._restyle()



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
        self.next_btn.setEnabled(self.on)
        self.auto.setEnabled(self.on)
        self.caption.setVisible(self.on)
        if not self.on:
            self.caption.setMinimumHeight(0)
            return
        if self.waiting or self.index < 0:
            self.caption.setText("<b>Slow motion</b> · waiting for the next iteration…")
            return
        self.caption.setText(self._text(self.index))
        self._reserve()
