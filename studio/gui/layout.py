"""The main window's sizes and what it remembers.

The left dock is as wide as the form needs (up to LEFT_MAX; the form scrolls rather than squeezing),
the checkpoints dock is one line until there are checkpoints, and the window fits 1024x700 with
nothing cut. Splitter and dock sizes, the plot's log scale and smoothing and the last preset are
remembered (QSettings), and a restored layout is brought back within sensible bounds."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QStyle

LAYOUT_VERSION = 2            # saved window states of older layouts are not restored
LEFT_MAX = 440                # the left dock's width never needs more; the form scrolls beyond
BOTTOM_SHARE = 0.3            # the checkpoints dock never takes more of the window's height
SMALL_SHARE = 0.24            # nor more than this of a window under 900 px (the game's figure needs it)
TAB_SHARE = 0.34              # the Metrics and Log tabs, when raised, get this share of the height


class Sizing:
    def __init__(self, window):
        self.w = window
        self.bottom_grown = False
        self.left_need = 320
        self.sized = False
        self.last_width = 0
        self.last_height = 0
        self.restored_state = False

    def default_size(self) -> None:
        """1400x900, or nine tenths of a smaller screen."""
        w = self.w
        screen = w.screen() or QApplication.primaryScreen()
        width, height = 1400, 900
        if screen is not None:
            avail = screen.availableGeometry()
            width, height = min(width, int(avail.width() * 0.92)), min(height, int(avail.height() * 0.92))
            # a little room around the window where there is room; all of a small screen otherwise
            width = width if width >= 1024 else min(1024, avail.width())
            height = height if height >= 700 else min(700, avail.height())
        w.resize(width, height)

    def fit_left(self) -> None:
        """The left dock as wide as the form's fields need (up to LEFT_MAX; beyond, the form scrolls
        sideways), and never narrower than that, whatever a saved state says."""
        w = self.w
        bar = w.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        need = w.form.minimumSizeHint().width() + bar + 2 * w.form_scroll.frameWidth() + 4
        need = max(need, w.presets.minimumSizeHint().width(), 260)
        w.left_split.setMinimumWidth(min(need, LEFT_MAX))
        self.left_need = min(max(need, 320), LEFT_MAX)
        if w.left_dock.width() < self.left_need and w.isVisible():
            w.resizeDocks([w.left_dock], [self.left_need], Qt.Orientation.Horizontal)

    def fit_bottom(self, reset: bool = False) -> None:
        """One line for the checkpoints dock until the run has checkpoints; then room for the strip
        (once per run, so that a size the user chose stays). `reset`: a new run."""
        w = self.w
        if reset:
            self.bottom_grown = False
        if not w.isVisible() or w.ck_dock.isFloating():
            return
        has = bool(w.checkpoints.paths())
        if has and self.bottom_grown:
            return
        self.bottom_grown = has
        want = min(w.checkpoints.sizeHint().height() + 8, int(w.height() * self.bottom_share()))
        w.resizeDocks([w.ck_dock], [max(want, 40)], Qt.Orientation.Vertical)

    def one_line(self) -> int:
        """The checkpoints dock's height with no checkpoints: its one line of text."""
        return max(self.w.checkpoints.sizeHint().height() + 8, 40)

    def reset_layout(self) -> None:
        w = self.w
        for d in w.docks():
            d.setFloating(False)
            d.show()
        w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, w.left_dock)
        for d in (w.ck_dock, w.metrics_dock, w.log_dock):
            w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, d)
        w.tabifyDockWidget(w.ck_dock, w.metrics_dock)
        w.tabifyDockWidget(w.metrics_dock, w.log_dock)
        w.ck_dock.raise_()
        self.initial_sizes()

    def initial_sizes(self) -> None:
        w = self.w
        self.fit_left()
        w.resizeDocks([w.left_dock], [self.left_want()], Qt.Orientation.Horizontal)
        self.fit_bottom(True)
        h = max(w.left_split.height(), 400)
        w.left_split.setSizes([int(h * 0.46), h - int(h * 0.46)])
        width = max(w.split.width(), 600)
        w.split.setSizes([int(width * 0.55), width - int(width * 0.55)])

    def left_want(self) -> int:
        """The left dock's comfortable width: a quarter of the window, within what the form needs
        and LEFT_MAX."""
        return int(min(max(self.w.width() * 0.25, self.left_need), LEFT_MAX))

    def resized(self) -> None:
        w = self.w
        grew = w.width() > self.last_width
        shorter = w.height() < self.last_height
        self.last_width, self.last_height = w.width(), w.height()
        if shorter and self.sized:       # a window made smaller: the bottom docks give the game its share
            QTimer.singleShot(0, self.cap_bottom)
        if grew and self.sized and w.left_dock.width() < self.left_want() and not w.left_dock.isFloating():
            # a window made larger again gives the dock back its width, not all of it to the centre
            w.resizeDocks([w.left_dock], [self.left_want()], Qt.Orientation.Horizontal)

    def bottom_share(self) -> float:
        return BOTTOM_SHARE if self.w.height() >= 900 else SMALL_SHARE

    def cap_bottom(self) -> None:
        """The bottom docks no taller than their share of the window (a third for a raised Metrics or
        Log tab in a large window, bottom_share() otherwise), so that the game keeps its room."""
        w = self.w
        for dock in (w.ck_dock, w.metrics_dock, w.log_dock):
            if dock.isVisible() and not dock.isFloating() and not dock.visibleRegion().isEmpty():
                share = TAB_SHARE if dock is not w.ck_dock and w.height() >= 900 else self.bottom_share()
                limit = int(w.height() * share)
                if dock is w.ck_dock and not w.checkpoints.paths():
                    # one line until the run has checkpoints: the dock's height read here may be from
                    # before fit_bottom's pending one-line size, which this must not replace by the share
                    limit = min(limit, self.one_line())
                if dock.height() > limit + 8:
                    w.resizeDocks([dock], [limit], Qt.Orientation.Vertical)
                return

    def shown(self) -> None:
        """The first show: dock and splitter sizes only stick once laid out."""
        if self.sized:
            return
        self.sized = True
        self.last_width, self.last_height = self.w.width(), self.w.height()
        self.w.tabifiedDockWidgetActivated.connect(lambda d: QTimer.singleShot(0, lambda: self.tab_raised(d)))
        if self.restored_state:
            self.sane_sizes()
        else:
            QTimer.singleShot(0, self.initial_sizes)
        QTimer.singleShot(0, self.w.presets.scroll_to_current)

    def tab_raised(self, dock) -> None:
        """The Metrics or Log tab raised in a bottom area sized for one line of checkpoints: room for
        its plots and rows (a share of the window); the Checkpoints tab raised again: its own height
        back."""
        w = self.w
        if not w.isVisible() or dock.isFloating() or not dock.isVisible():
            return
        if dock is w.ck_dock:
            self.fit_bottom()
            return
        if dock not in (w.metrics_dock, w.log_dock):
            return
        # a third of a large window; a quarter of a small one, where the game's figure needs the room
        want = int(w.height() * (TAB_SHARE if w.height() >= 900 else SMALL_SHARE))
        if dock.height() < want * 0.8:
            w.resizeDocks([dock], [want], Qt.Orientation.Vertical)

    def sane_sizes(self) -> None:
        """A restored layout within bounds: the left dock wide enough for the form, the bottom docks
        no more than a third of the window, neither centre pane collapsed."""
        w = self.w
        self.fit_left()
        if w.left_dock.width() < self.left_need:
            w.resizeDocks([w.left_dock], [self.left_want()], Qt.Orientation.Horizontal)
        if w.ck_dock.height() > w.height() * BOTTOM_SHARE + 40:
            w.resizeDocks([w.ck_dock], [int(w.height() * BOTTOM_SHARE)], Qt.Orientation.Vertical)
        sizes = w.split.sizes()
        if len(sizes) == 2 and min(sizes) < 200:
            total = sum(sizes)
            w.split.setSizes([int(total * 0.55), total - int(total * 0.55)])

    # ------------------------------------------------------------------ settings
    def restore(self) -> None:
        w, st = self.w, QSettings()
        geo = st.value("window/geometry")
        self.restored_state = False
        if isinstance(geo, QByteArray) and st.value("window/layout", 0, type=int) == LAYOUT_VERSION:
            w.restoreGeometry(geo)
            state = st.value("window/state")
            if isinstance(state, QByteArray):
                self.restored_state = w.restoreState(state, LAYOUT_VERSION)
            for key, split in (("window/split", w.split), ("window/left_split", w.left_split)):
                val = st.value(key)
                if isinstance(val, QByteArray):
                    split.restoreState(val)
        w.plot.log_box.setChecked(st.value("plot/log", False, type=bool))
        w.plot.slider.setValue(st.value("plot/smoothing", 0, type=int))

    def save(self, last_preset: str | None) -> None:
        w, st = self.w, QSettings()
        st.setValue("window/layout", LAYOUT_VERSION)
        st.setValue("window/geometry", w.saveGeometry())
        st.setValue("window/state", w.saveState(LAYOUT_VERSION))
        st.setValue("window/split", w.split.saveState())
        st.setValue("window/left_split", w.left_split.saveState())
        st.setValue("plot/log", w.plot.log)
        st.setValue("plot/smoothing", w.plot.slider.value())
        if last_preset:
            st.setValue("last_preset", last_preset)
