"""The central "game" area: the view that matches each snapshot, made on first use.

Views come from `views.make_view(name)`; a run directory opened from disk shows its newest samples
PNG instead. Before training the window shows the chosen preset's game as it starts (a preview);
while there is nothing to draw, a short message says what is coming or what to do. Under the view,
the rewind timeline (`timeline`, shown once a run has a history to scrub).
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from ..views import make_view
from .timeline import Timeline

HINT = ("<h3>Pick a preset and press <i>Train</i> (Space)</h3>"
        "<p>or <i>Step</i> (S) to play one iteration at a time.<br>"
        "The game between generator and discriminator appears here.</p>")
MIN_WIDTH = 320
PREPARING = "<p>Preparing the game of <b>{}</b>…</p>"


class _Samples(QLabel):
    """A PNG scaled to fit, kept sharp (nearest neighbour for small sample grids)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._pix = QPixmap()
        self.path = ""

    def show_png(self, path: str) -> bool:
        pix = QPixmap(path)
        if pix.isNull():
            return False
        self._pix, self.path = pix, path
        self._fit()
        return True

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        self._fit()

    def _fit(self) -> None:
        if self._pix.isNull():
            return
        dpr = self.devicePixelRatioF()
        box = self.size() * dpr                  # device pixels: sharp on high-DPI screens
        small = self._pix.width() < box.width() // 2
        mode = (Qt.TransformationMode.FastTransformation if small
                else Qt.TransformationMode.SmoothTransformation)
        pix = self._pix.scaled(box, Qt.AspectRatioMode.KeepAspectRatio, mode)
        pix.setDevicePixelRatio(dpr)
        self.setPixmap(pix)


class GameArea(QWidget):
    """`show_snapshot(view, data, step)`; `show_samples(png)`; `clear()` for a new run."""
    view_made = Signal(str, object)     # a view's name and widget, when it is made (first use)

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel(self)
        self.caption.setContentsMargins(6, 2, 6, 2)
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.caption)
        self.stack = QStackedWidget(self)
        lay.addWidget(self.stack, 1)
        self.hint = QLabel(HINT, self)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.stack.addWidget(self.hint)
        self.samples = _Samples(self)
        self.stack.addWidget(self.samples)
        self.timeline = Timeline(self)
        lay.addWidget(self.timeline)
        self.views: dict[str, QWidget] = {}
        self.current_view: str | None = None

    def view(self, name: str) -> QWidget:
        """The widget for a view name, made on first use (ValueError for an unknown name)."""
        w = self.views.get(name)
        if w is None:
            w = make_view(name, self)
            self.views[name] = w
            self.stack.addWidget(w)
            self.view_made.emit(name, w)
        return w

    def show_snapshot(self, name: str, data: dict, step: int | None = None) -> None:
        w = self.view(name)
        w.set_snapshot(data, step)
        if self.stack.currentWidget() is not w:
            self.stack.setCurrentWidget(w)
        self.current_view = name

    def show_samples(self, png: str, caption: str = "") -> bool:
        if not self.samples.show_png(png):
            return False
        if self.stack.currentWidget() is not self.samples:
            self.stack.setCurrentWidget(self.samples)
        self.current_view = "samples"
        if caption:
            self.caption.setText(caption)
        return True

    def set_caption(self, text: str) -> None:
        self.caption.setText(text)

    def show_message(self, html: str = HINT) -> None:
        """Nothing to draw: say what is coming or what to do."""
        self.hint.setText(html)
        self.stack.setCurrentWidget(self.hint)
        self.current_view = None

    def message(self) -> str:
        return self.hint.text() if self.stack.currentWidget() is self.hint else ""

    def clear(self, message: str = HINT) -> None:
        for w in self.views.values():
            w.clear()
        self.show_message(message)

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        return hint.expandedTo(QSize(MIN_WIDTH, 200))
