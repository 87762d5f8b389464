"""The runs browser's Samples tab: the compared runs side by side at one step chosen with a slider,
each showing the newest sample grid at or before it, else the checkpoint's thumbnail, else (the toy
problems, which save no pictures) the checkpoint's real-against-generated plot, drawn once on the
browser's worker thread and kept."""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QSlider, QVBoxLayout, QWidget

from ...tools.compare import RunSummary, nearest_at_or_before
from .runs_cards import RunCard, draw_or_why, qimage


class SamplesPage(QWidget):
    message = Signal(str, str)           # level, text

    def __init__(self, jobs, parent=None):
        super().__init__(parent)
        self.jobs = jobs                                  # the browser's runner (it opens checkpoints)
        self._steps: list[int] = []
        self._pictures: dict[str, QPixmap | None] = {}    # checkpoint path -> its drawn picture
        self.drawing: set[str] = set()                    # checkpoints being drawn on the worker
        self._picture_notes: dict[str, str] = {}          # why a checkpoint has no picture
        self.run_cards: dict[str, RunCard] = {}
        self._runs: list[RunSummary] = []
        self._describe = lambda r: ("", "", "")
        sv = QVBoxLayout(self)
        sv.setContentsMargins(2, 2, 2, 2)
        srow = QHBoxLayout()
        srow.addWidget(QLabel("Step", self))
        self.step_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.step_slider.setObjectName("runs_step_slider")
        self.step_slider.setToolTip("The step to compare at: each run shows its newest picture at or "
                                    "before it")
        self.step_slider.valueChanged.connect(lambda _: self.redraw())
        srow.addWidget(self.step_slider, 1)
        self.step_label = QLabel("", self)
        self.step_label.setMinimumWidth(90)
        srow.addWidget(self.step_label)
        sv.addLayout(srow)
        self.cards_box = QWidget(self)
        self.cards = QHBoxLayout(self.cards_box)
        self.cards.setContentsMargins(0, 0, 0, 0)
        self.cards.addStretch(1)
        self.cards_scroll = scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.cards_box)
        sv.addWidget(scroll, 1)

    # ------------------------------------------------------------------ the step
    def fill_steps(self, runs: list[RunSummary]) -> None:
        steps = sorted({s for r in runs for s, _ in r.samples} | {c.step for r in runs for c in r.checkpoints})
        old = self._steps[self.step_slider.value()] if self._steps and \
            0 <= self.step_slider.value() < len(self._steps) else None
        self._steps = steps
        self.step_slider.blockSignals(True)
        self.step_slider.setRange(0, max(len(steps) - 1, 0))
        if old is not None and steps:
            self.step_slider.setValue(max(i for i, s in enumerate(steps) if s <= old) if old >= steps[0] else 0)
        else:
            self.step_slider.setValue(len(steps) - 1 if steps else 0)
        self.step_slider.setEnabled(len(steps) > 1)
        self.step_slider.blockSignals(False)

    def chosen_step(self) -> int | None:
        if not self._steps:
            return None
        return self._steps[min(self.step_slider.value(), len(self._steps) - 1)]

    def set_step(self, step: int) -> None:
        """Move the slider to the newest step at or before `step`."""
        idx = [i for i, s in enumerate(self._steps) if s <= step]
        self.step_slider.setValue(idx[-1] if idx else 0)

    # ------------------------------------------------------------------ the cards
    def draw(self, runs: list[RunSummary], describe) -> None:
        """One card per run; describe(run) -> (colour, title, the differing values)."""
        self._runs, self._describe = list(runs), describe
        self.redraw()

    def redraw(self) -> None:
        want = [str(r.path) for r in self._runs]
        for key in list(self.run_cards):
            if key not in want:
                card = self.run_cards.pop(key)
                card.setParent(None)
                card.deleteLater()
        step = self.chosen_step()
        self.step_label.setText(f"step {step:,}" if step is not None else "no pictures")
        for i, r in enumerate(self._runs):
            key = str(r.path)
            colour, title, values = self._describe(r)
            card = self.run_cards.get(key)
            if card is None:
                card = RunCard(colour, html.escape(title), self.cards_box)
                self.run_cards[key] = card
            self.cards.insertWidget(i, card, 0, Qt.AlignmentFlag.AlignTop)
            card.set_title(colour, title, values)
            card.setToolTip(str(r.path))
            pix, caption, source = self._picture(r, step)
            if r.branch is not None and pix is not None:
                caption += f"\n↳ branched from {r.branch.parent_name} at {r.branch.from_step:,}"
            card.show_picture(pix, caption, source)
        self.fit_cards()

    def fit_cards(self) -> None:
        """Pictures as large as the room allows: all runs side by side, none larger than 400 px."""
        n = len(self.run_cards)
        if not n:
            return
        vp = self.cards_scroll.viewport()
        fm = self.fontMetrics()
        # room for the scroll bar that appears if the cards end up taller than the view
        bar = self.cards_scroll.verticalScrollBar().sizeHint().width()
        side = min((vp.width() - bar - 8 * n) // n - 16, vp.height() - 8 * fm.lineSpacing() - 20, 400)
        side = max(side, 110)
        room = min(max((vp.width() - bar - 8 * n) // n - 16, side), max(side, 300))
        for card in self.run_cards.values():
            if card.side != side or getattr(card, "room", side) != room or \
                    card.picture.pixmap().isNull() != (card.pix is None):
                card.fit(side, room)

    def _picture(self, r: RunSummary, step: int | None) -> tuple[QPixmap | None, str, str]:
        if step is None:
            return None, "no sample grids or checkpoints", ""
        if r.branch is not None and step < r.branch.step:
            return None, (f"starts at step {r.branch.step:,} (branched from {r.branch.parent_name} at "
                          f"{r.branch.from_step:,})"), ""
        sample = nearest_at_or_before(r.samples, step)
        ck = nearest_at_or_before([(c.step, c) for c in r.checkpoints], step)
        if sample is not None and (ck is None or sample[0] >= ck[0] or ck[1].thumbnail is None):
            return QPixmap(str(sample[1])), f"samples, step {sample[0]:,}", str(sample[1])
        if ck is None:
            first = min([s for s, _ in r.samples] + [c.step for c in r.checkpoints], default=None)
            return None, (f"nothing saved yet at step {step:,}" +
                          (f" (first picture at {first:,})" if first is not None else
                           ": this run saved no sample grids or checkpoints")), ""
        c = ck[1]
        if c.thumbnail is not None:
            return QPixmap(str(c.thumbnail)), f"checkpoint, step {c.step:,}", str(c.thumbnail)
        key = str(c.path)
        if key not in self._pictures:          # drawn on the worker thread (it opens the checkpoint)
            if key not in self.drawing:
                self.drawing.add(key)
                self.jobs.run(lambda: draw_or_why(key), lambda out: self._drawn(key, out),
                              lambda e, _tb: self._drawn(key, f"{key}: could not be drawn ({type(e).__name__}: {e})"))
            return None, f"checkpoint, step {c.step:,}: drawing…", key
        pix = self._pictures[key]
        if pix is None:
            return None, f"checkpoint, step {c.step:,}: {self._picture_notes.get(key, 'nothing to draw')}", key
        return pix, f"checkpoint, step {c.step:,}: real (cyan), generated (orange)", key

    def _drawn(self, key: str, out) -> None:
        self.drawing.discard(key)
        if isinstance(out, np.ndarray):
            self._pictures[key] = QPixmap.fromImage(qimage(out))
        else:
            self._pictures[key] = None
            self._picture_notes[key] = out or "this game has no samples to draw"
            if out:
                self.message.emit("warning", f"runs browser: {out}")
        self.redraw()

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        QTimer.singleShot(0, self.fit_cards)

    def showEvent(self, e) -> None:
        # cards drawn while the tab was hidden were sized for a viewport not yet laid out
        super().showEvent(e)
        QTimer.singleShot(0, self.fit_cards)
