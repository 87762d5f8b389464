"""The rewind timeline under the game view: a scrubber over the steps of the run's history.

It knows steps only (no engine, no torch): the window gives it the steps it can show (`set_steps`),
and it says which one the user wants (`moved(step)`), when to follow the run again
(`live_requested`) and where to branch (`branch_requested(step)`). While it is live the slider sits
at the newest step and follows the run; moving it back holds the picture there, and new steps only
lengthen the slider. Keys when it has focus: Left/Right one moment, PageUp/PageDown ten, End live.
"""
from __future__ import annotations

import bisect

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSlider, QWidget


class Timeline(QWidget):
    moved = Signal(int)               # the user scrubbed to this step
    live_requested = Signal()         # back to following the run
    branch_requested = Signal(int)    # start a new run from this step

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("timeline")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.setSpacing(6)
        self.title = QLabel("Rewind", self)
        lay.addWidget(self.title)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("timeline_slider")
        self.slider.setRange(0, 0)
        self.slider.setPageStep(10)
        self.slider.setMinimumWidth(80)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.slider.valueChanged.connect(self._slid)
        lay.addWidget(self.slider, 1)
        self.label = QLabel("", self)
        self.label.setObjectName("timeline_step")
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        lay.addWidget(self.label)
        self.live_button = QPushButton("Live", self)
        self.live_button.setObjectName("timeline_live")
        self.live_button.setToolTip("Follow the run again: the view shows its newest step (End)")
        self.live_button.clicked.connect(self.go_live)
        self.live_button.setFixedWidth(self.live_button.fontMetrics().horizontalAdvance("Live") + 28)
        lay.addWidget(self.live_button)
        self.branch_button = QPushButton("Branch from here", self)
        self.branch_button.setObjectName("timeline_branch")
        self.branch_button.clicked.connect(lambda: self.branch_requested.emit(self.step()))
        lay.addWidget(self.branch_button)
        for b in (self.live_button, self.branch_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)     # Space stays the toolbar's Train / Pause
        self.steps: list[int] = []
        self.live = True
        self.live_step = 0                              # the step the live view shows
        self._quiet = False
        self.what = ""                                  # "moments" (kept in memory) or "sample grids"
        self.reset()

    # ------------------------------------------------------------------ the window's side
    def reset(self, what: str = "") -> None:
        """A new run (or none): nothing to scrub; `what` names what its steps will be."""
        self.what = what
        self.steps = []
        self.live_step = 0
        self.live = True
        self._set_range()
        self._update_label()
        self.set_branch(False, "")
        self.hide()

    def set_steps(self, steps: list[int]) -> None:
        """The steps that can be shown, oldest first. Live: the slider follows the newest."""
        if steps == self.steps:
            return
        held = None if self.live else self.step()
        self.steps = list(steps)
        self._set_range()
        if held is not None:
            i = bisect.bisect_right(self.steps, held) - 1
            self._set_index(max(i, 0))
        self._update_label()
        self.setVisible(len(self.steps) > 1)

    def set_live_step(self, step: int) -> None:
        """The step the live view shows now (its list of kept steps is refreshed less often), so that
        the label never names an older step than the picture."""
        if step != self.live_step:
            self.live_step = step
            if self.live:
                self._update_label()

    def set_branch(self, enabled: bool, tip: str) -> None:
        """Whether "Branch from here" can work at the step shown, and what it would do (or why not)."""
        self.branch_button.setEnabled(enabled)
        self.branch_button.setToolTip(tip)

    def step(self) -> int:
        """The step the timeline shows (the newest when live)."""
        if not self.steps:
            return 0
        return self.steps[min(max(self.slider.value(), 0), len(self.steps) - 1)]

    def scrub_to(self, step: int) -> None:
        """Show the newest kept step at or before `step` (as if the user had moved there)."""
        if not self.steps:
            return
        i = max(bisect.bisect_right(self.steps, step) - 1, 0)
        if i == self.slider.value() and not self.live:
            return
        self.slider.setValue(i) if i != self.slider.value() else self._slid(i)

    def go_live(self) -> None:
        was = self.live
        self.live = True
        self._set_index(len(self.steps) - 1)
        self._update_label()
        if not was:
            self.live_requested.emit()

    # ------------------------------------------------------------------ internals
    def _set_range(self) -> None:
        self._quiet = True
        self.slider.setRange(0, max(len(self.steps) - 1, 0))
        if self.live:
            self.slider.setValue(self.slider.maximum())
        self._quiet = False

    def _set_index(self, i: int) -> None:
        self._quiet = True
        self.slider.setValue(i)
        self._quiet = False

    def _slid(self, _i: int) -> None:
        if self._quiet or not self.steps:
            return
        self.live = False
        self._update_label()
        self.moved.emit(self.step())

    def _update_label(self) -> None:
        if not self.steps:
            self.label.setText("")
            self.live_button.setEnabled(False)
            return
        newest = self.steps[-1]
        # as wide as the longest text of this run, so that the slider does not jump while scrubbing
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance(f"{newest:,} / {newest:,}") + 6)
        live = max(newest, self.live_step)
        self.label.setText(f"live {live:,}" if self.live else f"{self.step():,} / {newest:,}")
        self.label.setToolTip("following the run's newest step" if self.live else
                              f"the view shows step {self.step():,}; the run is at step {newest:,}")
        self.live_button.setEnabled(not self.live)
        n = len(self.steps)
        self.slider.setToolTip(f"Drag back through the run: {n:,} {self.what or 'moments'} from step "
                               f"{self.steps[0]:,} to {newest:,}. The view and a cursor in the curves "
                               f"show the step chosen; Live follows the run again.")

    # The row's minimum is not the game's: without its "Rewind" title it is 56 px narrower, and the
    # title goes when the row is narrower than all of it (at 1024x700 after a run of 1,500 steps the
    # row's minimum made the window 1026 px wide).
    def _title_room(self) -> int:
        return self.title.sizeHint().width() + self.layout().spacing()

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        if self.title.isVisibleTo(self):
            hint.setWidth(hint.width() - self._title_room())
        return hint

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        full = self.minimumSizeHint().width() + self._title_room()
        if self.title.isVisibleTo(self) != (self.width() >= full):
            self.title.setVisible(self.width() >= full)

    def keyPressEvent(self, e) -> None:
        if e.key() == Qt.Key.Key_End:
            self.go_live()
            return
        super().keyPressEvent(e)
