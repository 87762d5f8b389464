"""The run's checkpoints: thumbnail, step, time, reason and metrics; load, resume, branch, delete, export.

A strip of cards, newest first: the thumbnail of an image model (128 px, sharp: small pictures are
enlarged by whole pixels, and drawn at the screen's pixel density; the tooltip shows it full size),
then step, reason, time, the losses at that step and the quality metrics of the evaluation nearest
at or before it (read from the run's metrics.jsonl, incrementally). With no checkpoint the panel is one line, so that its dock
stays small. The panel lists and deletes files itself; loading, resuming, branching and exporting are the
window's business and leave as signals carrying the checkpoint path (and, for export, the output
path and format picked here).
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QIcon, QPixmap
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QMessageBox, QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from ...engine.checkpoints import CheckpointInfo, delete, finite_metrics
from ...tools.compare import EvalReader
from ..jobs import Jobs
from .checkpoint_cards import THUMB, Card, Listing, list_cards
from .metrics_panel import METRIC_NAMES

PATH_ROLE = Qt.ItemDataRole.UserRole
EMPTY = "No checkpoints yet; a run saves them as it trains (Ctrl+S saves one now)."


class CheckpointsPanel(QWidget):
    load_requested = Signal(str)
    resume_requested = Signal(str)
    branch_requested = Signal(str)
    export_requested = Signal(str, str, str)    # checkpoint path, output path, "pt2" | "onnx" | "torchscript"
    message = Signal(str, str)        # level, text
    listed = Signal()                 # a refresh's cards are shown

    def __init__(self, parent=None):
        super().__init__(parent)
        self.run_dir: Path | None = None
        self.infos: list[CheckpointInfo] = []
        self.evals = None                 # EvalReader of the run's metrics.jsonl
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 4)
        lay.setSpacing(3)
        row = QHBoxLayout()
        self.header = QLabel(EMPTY, self)
        self.header.setWordWrap(True)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # a wrapped label in a row gets one line's height from the layout: two lines were cut at the top
        # in a narrow window (1024 px); room for two is kept
        self.header.setMinimumHeight(2 * self.header.fontMetrics().lineSpacing() + 2)
        row.addWidget(self.header, 1)
        self.list = QListWidget(self)
        self.list.setObjectName("checkpoint_strip")
        self.list.setFlow(QListWidget.Flow.LeftToRight)     # a strip of cards, newest on the left
        self.list.setWrapping(False)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setHorizontalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.list.itemDoubleClicked.connect(lambda *_: self._emit(self.load_requested))
        self.list.hide()
        self.buttons: dict[str, QPushButton] = {}
        specs = [("load", "Load", "Explore this checkpoint's generator and show its state"),
                 ("resume", "Resume", "Continue training from this checkpoint in the same run"),
                 ("branch", "Branch…", "Start a new run from this checkpoint with changed hyperparameters"),
                 ("delete", "Delete…", "Delete this checkpoint (asks first)"),
                 ("export", "Export…", "Export the generator (TorchScript or ONNX)")]
        for name, text, tip in specs:
            b = QPushButton(text, self)
            b.setToolTip(tip)
            b.setObjectName(f"ckpt_{name}")
            row.addWidget(b)
            self.buttons[name] = b
        lay.addLayout(row)
        lay.addWidget(self.list)
        lay.addStretch(1)                 # the row stays at the top of a taller dock
        self.buttons["load"].clicked.connect(lambda: self._emit(self.load_requested))
        self.buttons["resume"].clicked.connect(lambda: self._emit(self.resume_requested))
        self.buttons["branch"].clicked.connect(lambda: self._emit(self.branch_requested))
        self.buttons["delete"].clicked.connect(self._delete)
        self.buttons["export"].clicked.connect(self._export)
        self.live = False
        self.quality: dict[str, tuple[int, dict]] = {}
        self.best: set[str] = set()       # the best checkpoints' paths (★ on their cards)
        self.best_metric: str | None = None
        self.problems: list[str] = []     # why files of the run's checkpoints/ are not listed, one line each
        self._cache: dict = {}            # list_checkpoints' cache: unchanged files are not read again
        self._thumbs: dict = {}           # path -> ((mtime, size, dpr), QImage): thumbnails decoded once
        self._then: list = []             # refresh(then=...) callbacks waiting for the listing
        self._keys: list[tuple] = []      # what each card of the strip shows, in its order
        self.jobs = Jobs(self, latest=True)    # listing runs off the GUI thread, the newest request wins
        self._update_buttons()

    # ------------------------------------------------------------------ public
    def set_run_dir(self, run_dir) -> None:
        self.run_dir = Path(run_dir) if run_dir else None
        self._cache = {}
        self.evals = EvalReader(self.run_dir / "metrics.jsonl") if self.run_dir is not None else None
        self.refresh()

    def set_live(self, live: bool) -> None:
        """While a run trains, resume and branch wait (the checkpoint list still updates)."""
        self.live = live
        self._update_buttons()

    @property
    def busy(self) -> bool:
        """A listing is on its way (the cards shown may be a refresh behind)."""
        return self.jobs.busy

    def refresh(self, then: Callable[[], None] | None = None) -> None:
        """List the run's checkpoints again. The files are read on the studio's latest-wins job runner
        (a newer refresh supersedes one still waiting); the cards are made on the GUI thread when the
        listing is back, then `listed` is emitted and `then()` called. With no run the panel empties at once."""
        if then is not None:
            self._then.append(then)
        if self.run_dir is None:
            self.jobs.cancel()
            self._show_listing(Listing(None, [], [], {}, set(), None, []))
            return
        args = (self.run_dir, self._cache, self.evals, self._thumbs, self.devicePixelRatioF())
        self.jobs.run(lambda: list_cards(*args), self._show_listing, self._listing_failed)

    def _listing_failed(self, e: Exception, tb: str) -> None:
        self.message.emit("error", f"cannot list the checkpoints of {self.run_dir}: {type(e).__name__}: {e}")
        self._call_then()

    def _call_then(self) -> None:
        then, self._then = self._then, []
        self.listed.emit()
        for f in then:
            f()

    def _show_listing(self, listing: "Listing") -> None:
        """The cards of a listing made off the GUI thread: only Qt items are made here."""
        if listing.run_dir != self.run_dir:          # another run was chosen meanwhile: its own listing follows
            return
        keep = self.current()
        self.infos, self.problems, self.quality = listing.infos, listing.problems, listing.quality
        self.best, self.best_metric = listing.best, listing.best_metric
        items = self.infos
        left = (f" · <span style='color:#b3261e'>{len(self.problems)} file{'s' * (len(self.problems) != 1)} "
                f"left out: {html.escape(self.problems[0])}</span>") if self.problems else ""
        if self.run_dir is None:
            self.header.setText(EMPTY)
        elif not items:
            self.header.setText(f"<b>{html.escape(self.run_dir.name)}</b>: no checkpoints yet{left}")
        else:
            text = (f"<b>{html.escape(self.run_dir.name)}</b>: {len(items)} "
                    f"checkpoint{'s' * (len(items) != 1)}{left}")
            if self.best and self.best_metric:
                steps = sorted({c.step for c in items if str(c.path) in self.best})
                name = METRIC_NAMES.get(self.best_metric, self.best_metric)
                text += f" · ★ best by {html.escape(name)}: step " + ", ".join(f"{s:,}" for s in steps)
            self.header.setText(text)
        self.header.setToolTip("<br>".join([html.escape(str(self.run_dir or ""))]
                                           + [html.escape(x) for x in self.problems]))
        thumbs = any(c.thumbnail is not None for c in items)
        rated = bool(self.quality)
        size = self._card_size(thumbs, rated)
        lst = self.list
        lst.setUpdatesEnabled(False)
        try:
            lst.setIconSize(QSize(THUMB, THUMB) if thumbs else QSize(0, 0))
            self._update_items(listing.cards, size)
            rows = {k[0]: i for i, k in enumerate(self._keys)}
            current = lst.item(rows[keep]) if keep in rows else None
            if current is not None:
                if lst.currentItem() is not current:
                    lst.setCurrentItem(current)
            elif lst.count():
                lst.setCurrentRow(0)
        finally:
            lst.setUpdatesEnabled(True)
        lst.setVisible(bool(items))
        if items:
            lst.setFixedHeight(size.height() + self._scroll_room())
        self._update_buttons()
        self.updateGeometry()
        self._call_then()

    @staticmethod
    def _fill(item: QListWidgetItem, card: Card, size: QSize) -> None:
        item.setText(card.text)
        item.setData(PATH_ROLE, card.path)
        font = item.font()
        font.setBold(card.bold)
        item.setFont(font)
        item.setIcon(QIcon(QPixmap.fromImage(card.image)) if card.image is not None else QIcon())
        item.setToolTip(card.tip)
        item.setSizeHint(size)

    def _update_items(self, cards: list[Card], size: QSize) -> None:
        """Make the strip show `cards` (newest first), touching only what changed: a refresh after a
        save adds one card (and a keep_last prune removes one) instead of remaking 2,000."""
        lst = self.list
        keys = [(c.path, c.text, c.tip, c.bold, id(c.image), size.width(), size.height()) for c in cards]
        wanted = {c.path for c in cards}
        old = self._keys
        for row in range(len(old) - 1, -1, -1):          # cards of files gone
            if old[row][0] not in wanted:
                lst.takeItem(row)
                del old[row]
        kept = {k[0] for k in old}
        if [k[0] for k in old] != [c.path for c in cards if c.path in kept]:
            lst.clear()                                   # another order (not expected): all anew
            old.clear()
        for i, (card, key) in enumerate(zip(cards, keys)):
            if i < len(old) and old[i][0] == card.path:
                if old[i] != key:
                    self._fill(lst.item(i), card, size)
                    old[i] = key
            else:
                item = QListWidgetItem()
                self._fill(item, card, size)
                lst.insertItem(i, item)
                old.insert(i, key)

    def _card_size(self, thumbs: bool, rated: bool = False) -> QSize:
        """A card's size: four lines of text, six with quality metrics; wide enough for the best card's
        bold text (measured in the regular font, its lines wrapped)."""
        bold = QFont(self.list.font())
        bold.setBold(True)
        fm = QFontMetrics(bold)
        text_w = max(fm.horizontalAdvance("loss_d 0.693  loss_g 0.693"),
                     fm.horizontalAdvance("FID 12,345  KID 0.0123") if rated else 0) + 12
        text_h = (6 if rated else 4) * fm.lineSpacing() + 10
        if thumbs:
            return QSize(THUMB + 10 + text_w, max(THUMB + 8, text_h))
        return QSize(text_w + 8, text_h)

    def _scroll_room(self) -> int:
        return self.list.style().pixelMetric(self.list.style().PixelMetric.PM_ScrollBarExtent) + \
            2 * self.list.frameWidth() + 4

    def preferred_height(self) -> int:
        """The height the panel wants: one line without checkpoints, the strip with them."""
        return self.sizeHint().height()

    def good_checkpoint(self) -> str | None:
        """The newest checkpoint whose recorded metrics are all finite (what a rollback goes back to),
        as the panel lists them; None when there is none."""
        for c in reversed(self.infos):
            if finite_metrics(c.metrics):
                return str(c.path)
        return None

    def quality_of(self, path: str) -> tuple[int, dict] | None:
        """(step, metrics) of the evaluation a checkpoint's card shows; None when there is none."""
        return self.quality.get(str(path))

    def paths(self) -> list[str]:
        return [self.list.item(i).data(PATH_ROLE) for i in range(self.list.count())]

    def current(self) -> str | None:
        item = self.list.currentItem()
        return item.data(PATH_ROLE) if item is not None else None

    def select(self, path: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(PATH_ROLE) == str(path):
                self.list.setCurrentRow(i)

    # ------------------------------------------------------------------ actions
    def _emit(self, signal) -> None:
        p = self.current()
        if p is not None:
            signal.emit(p)

    def _delete(self) -> None:
        p = self.current()
        if p is None:
            return
        answer = QMessageBox.question(self, "Delete checkpoint",
                                      f"Delete {Path(p).name} and its thumbnail? This cannot be undone.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        delete(p)
        self.message.emit("info", f"deleted checkpoint {p}")
        self.refresh()

    def _export(self) -> None:
        p = self.current()
        if p is None:
            return
        out, _ = QFileDialog.getSaveFileName(self, "Export generator", str(Path(p).with_suffix(".pt2")),
                                             "torch.export (*.pt2);;ONNX (*.onnx);;TorchScript, deprecated (*.ts *.pt)")
        if not out:
            return
        low = out.lower()
        fmt = "onnx" if low.endswith(".onnx") else "pt2" if low.endswith(".pt2") else "torchscript"
        self.export_requested.emit(p, out, fmt)

    def _update_buttons(self) -> None:
        has = self.current() is not None
        self.buttons["load"].setEnabled(has)
        self.buttons["resume"].setEnabled(has and not self.live)
        self.buttons["branch"].setEnabled(has and not self.live)
        self.buttons["delete"].setEnabled(has)
        self.buttons["export"].setEnabled(has)
