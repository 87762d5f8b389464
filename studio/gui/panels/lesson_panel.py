"""The lesson panel: one page of a lesson beside the game (issue 21). It shows the page's title,
formula, text and what to do, the prediction as radio buttons, and after the run the outcome (the
checks against the notes and the student's prediction), with Back, Replay and Next.

The panel owns no run. It says what the student wants through signals: `page_shown(index)` when a
page opens (the window sets up that page's runs from `lesson.pages[index].runs`, their configs
ready in `RunSpec.config`), `replay_requested(index)` (the same again from the start) and
`prediction_made(index, choice)`. The window gives it the measured checks with `show_outcome`
(studio.lessons.outcome.CheckResult, plain numbers). Progress (page, predictions, pages seen) is
kept in a Qt-free ProgressStore, so a lesson reopens where it was left.
"""
from __future__ import annotations

import textwrap
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QImage, QPixmap
from PySide6.QtWidgets import (QButtonGroup, QFrame, QGroupBox, QHBoxLayout, QLabel, QPushButton, QRadioButton,
                               QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from ...lessons.format import Lesson
from ...lessons.outcome import CheckResult, outcome_text
from ...lessons.progress import ProgressStore

GOOD, BAD, WAIT = "#1d7f3c", "#b3261e", "#555555"
CHOICE_CHARS = 32        # a prediction's choice wraps here, so the panel fits a narrow dock


class Figure(QLabel):
    """A picture (uint8 numpy) fitted to the panel's width (see fit)."""

    def __init__(self, img, parent=None):
        super().__init__(parent)
        h, w = img.shape[:2]
        rgb = img[..., :3].copy(order="C") if img.ndim == 3 else img[..., None].repeat(3, 2).copy(order="C")
        self.image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.setObjectName("lesson_figure")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to see it at full size")
        self.full: QScrollArea | None = None

    def mouseReleaseEvent(self, ev) -> None:
        """A click opens the picture at its own size in a window of its own (a narrow dock shrinks it)."""
        if ev.button() != Qt.MouseButton.LeftButton:
            return super().mouseReleaseEvent(ev)
        if self.full is None:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(self.image))
            self.full = QScrollArea(self)
            self.full.setWindowFlag(Qt.WindowType.Window)
            self.full.setObjectName("lesson_figure_full")
            self.full.setWindowTitle("Lesson figure")
            self.full.setWidget(label)
            self.full.resize(min(self.image.width() + 24, 1400), min(self.image.height() + 24, 900))
        self.full.show()
        self.full.raise_()

    def fit(self, width: int) -> None:
        """As wide as `width`: shrunk smoothly, or enlarged by whole pixels (up to twice) so that small
        sample grids stay crisp."""
        pm = QPixmap.fromImage(self.image)
        if pm.width() > width:
            pm = pm.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        elif pm.width() * 2 <= width:
            pm = pm.scaledToWidth(pm.width() * 2, Qt.TransformationMode.FastTransformation)
        self.setPixmap(pm)
        self.setFixedHeight(pm.height())


class LessonPanel(QWidget):
    page_shown = Signal(int)
    replay_requested = Signal(int)
    prediction_made = Signal(int, int)
    finished = Signal()

    def __init__(self, lesson: Lesson, store: ProgressStore | None = None, parent=None):
        super().__init__(parent)
        self.lesson = lesson
        self.store = store if store is not None else ProgressStore()
        self.index = 0
        self.results: list[CheckResult] | None = None
        self.setObjectName("lesson_panel")
        self.setMinimumWidth(300)

        self.heading = QLabel(objectName="lesson_heading")
        self.heading.setWordWrap(True)
        self.title = QLabel(objectName="lesson_title")
        self.title.setWordWrap(True)
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.25)
        f.setBold(True)
        self.title.setFont(f)
        self.formula = QLabel(objectName="lesson_formula")
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ff = QFont("DejaVu Serif")
        ff.setStyleHint(QFont.StyleHint.Serif)
        ff.setPointSizeF(self.font().pointSizeF() * 1.15)
        self.formula.setFont(ff)
        self.formula.setFrameShape(QFrame.Shape.StyledPanel)
        self.formula.setMargin(8)
        self.formula.setStyleSheet("QLabel#lesson_formula { background: #f4f1fa; border: 1px solid #d9d0ea; }")
        self.text = QLabel(objectName="lesson_text")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.todo = QLabel(objectName="lesson_todo")
        self.todo.setWordWrap(True)

        self.predict_box = QGroupBox("Predict", objectName="lesson_predict")
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.choices = QButtonGroup(self)
        self.choices.setExclusive(True)
        self.choices.idClicked.connect(self._chosen)
        self.choice_layout = QVBoxLayout(self.predict_box)
        self.choice_layout.addWidget(self.question)

        self.outcome = QLabel(objectName="lesson_outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        self.figures = QWidget(objectName="lesson_figures")      # the runs' pictures, side by side
        self.figure_col = QVBoxLayout(self.figures)
        self.figure_col.setContentsMargins(0, 0, 0, 0)

        body = QWidget()
        col = QVBoxLayout(body)
        for w in (self.heading, self.title, self.formula, self.text, self.todo, self.predict_box, self.outcome,
                  self.figures):
            col.addWidget(w)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)   # the text wraps instead
        scroll.setWidget(body)
        self.scroll = scroll
        self._reveal_until = 0.0
        scroll.verticalScrollBar().rangeChanged.connect(self._reveal_outcome)

        self.back = QPushButton("◀ Back", objectName="lesson_back")
        self.replay = QPushButton("↻ Replay", objectName="lesson_replay")
        self.next = QPushButton("Next ▶", objectName="lesson_next")
        self.back.clicked.connect(self.go_back)
        self.replay.clicked.connect(lambda: self.replay_requested.emit(self.index))
        self.next.clicked.connect(self.go_next)
        buttons = QHBoxLayout()
        for b in (self.back, self.replay, self.next):
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            buttons.addWidget(b)

        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addLayout(buttons)
        start = min(self.store.get(lesson.name).page, len(lesson.pages) - 1)
        self.show_page(start)

    # ------------------------------------------------------------------ pages
    @property
    def page(self):
        return self.lesson.pages[self.index]

    def show_page(self, index: int) -> None:
        self.index = max(0, min(int(index), len(self.lesson.pages) - 1))
        p = self.page
        n = len(self.lesson.pages)
        self.heading.setText(f"{self.lesson.title} · page {self.index + 1} of {n}")
        self.title.setText(p.title)
        self.formula.setText(p.formula)
        self.formula.setVisible(bool(p.formula))
        self.text.setText(p.text.strip())
        self.todo.setText(f"What to do: {p.do}" if p.do else "")
        self.todo.setVisible(bool(p.do))
        self._fill_choices()
        self.results = None
        self._reveal_until = 0.0
        self.show_figures([])
        self._show_waiting()
        self.back.setEnabled(self.index > 0)
        self.next.setText("Finish ✓" if self.index == n - 1 else "Next ▶")
        self.replay.setEnabled(bool(p.runs))
        self.store.set_page(self.lesson.name, self.index)
        self.page_shown.emit(self.index)

    def show_hint(self, left: str) -> None:
        """What the page still waits for, under its 'What to do' ("press Step D (7 more)", "done")."""
        do = self.page.do
        self.todo.setText((f"What to do: {do}\n" if do else "") + f"→ {left}")
        self.todo.setVisible(True)

    def _fill_choices(self) -> None:
        for b in self.choices.buttons():
            self.choices.removeButton(b)
            self.choice_layout.removeWidget(b)
            b.hide()             # gone at once: deleteLater waits for the event loop, and it overlapped the new ones
            b.deleteLater()
        pr = self.page.predict
        self.predict_box.setVisible(pr is not None)
        if pr is None:
            return
        self.question.setText(pr.question)
        saved = self.store.prediction(self.lesson.name, self.index)
        for i, text in enumerate(pr.choices):
            b = QRadioButton(textwrap.fill(text, CHOICE_CHARS))    # a radio button does not wrap by itself
            b.setToolTip(text)
            b.setObjectName(f"lesson_choice_{i}")
            self.choices.addButton(b, i)
            self.choice_layout.addWidget(b)
            b.setChecked(saved == i)
            b.show()             # a child added to a shown box is shown only at the next layout pass

    def _chosen(self, choice: int) -> None:
        self.store.predict(self.lesson.name, self.index, choice)
        self.prediction_made.emit(self.index, choice)
        if self.results is not None:         # chosen after the run: say it at once
            self.show_outcome(self.results)

    def prediction(self) -> int | None:
        i = self.choices.checkedId()
        return None if i < 0 else i

    def _show_waiting(self) -> None:
        p = self.page
        if p.runs:
            text = "The outcome appears here when the page's run has finished."
        else:
            text = "This page computes its checks without training; they appear here."
        self._set_outcome(text, WAIT)

    # ------------------------------------------------------------------ outcome
    def show_outcome(self, results: list[CheckResult]) -> None:
        """The page's measured checks (from the window's run of it): what happened, in words."""
        self.results = list(results)
        ok = all(r.passed for r in self.results)
        text = outcome_text(self.page, self.results, self.prediction())
        head = "What happened matches the notes." if ok else "What happened does not match the notes."
        self._set_outcome(f"{head}\n{text}", GOOD if ok else BAD)
        self.store.seen_page(self.lesson.name, self.index)
        # bring the outcome into view: a narrow dock has the page's text above it
        # (and again while the new text and figures are laid out and the page grows, for a moment)
        self._reveal_until = time.monotonic() + 1.0
        QTimer.singleShot(0, self, self._reveal_outcome)

    def _reveal_outcome(self, *_) -> None:
        """The outcome at the top of the page's view (the figures below it), as far as the page scrolls."""
        if time.monotonic() < self._reveal_until:
            self.scroll.verticalScrollBar().setValue(self.outcome.y() - 8)

    def show_figures(self, images: list) -> None:
        """The page's pictures under the outcome (uint8 (H, W, 3) arrays: the runs' sample grids side by
        side, interpolations, nearest training images), each shrunk to the panel's width."""
        while self.figure_col.count():
            w = self.figure_col.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        for img in images:
            self.figure_col.addWidget(Figure(img))
        self.figures.setVisible(bool(images))
        self._fit_figures()

    def _fit_figures(self) -> None:
        width = max(100, self.outcome.width())
        for i in range(self.figure_col.count()):
            w = self.figure_col.itemAt(i).widget()
            if isinstance(w, Figure):
                w.fit(width)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._fit_figures()

    def _set_outcome(self, text: str, colour: str) -> None:
        self.outcome.setText(text)
        self.outcome.setStyleSheet(f"QLabel#lesson_outcome {{ color: {colour}; border-top: 1px solid #ddd; "
                                   f"padding-top: 6px; }}")

    # ------------------------------------------------------------------ navigation
    def go_back(self) -> None:
        if self.index > 0:
            self.show_page(self.index - 1)

    def go_next(self) -> None:
        if self.index < len(self.lesson.pages) - 1:
            self.show_page(self.index + 1)
        else:
            self.store.finish(self.lesson.name)
            self.finished.emit()
            seen = self.store.get(self.lesson.name).seen
            missing = [str(i + 1) for i in range(len(self.lesson.pages)) if i not in seen]
            self._set_outcome("Lesson done. " + (f"Pages not played yet: {', '.join(missing)} (Back to see them)."
                                                 if missing else "Every page was played."), GOOD)
