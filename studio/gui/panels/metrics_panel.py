"""Quality metrics over time and diagnostic badges.

A table of Evaluation events (or "eval" records of a metrics.jsonl), newest first, one column per
metric; above it, one badge per diagnostic (Message events of level warning or error), counting
repeats, with its advice in the tooltip. `badge_count_changed(n)` lets the window mark its tab.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget, QHeaderView)

STYLE = {"warning": ("#8a6d00", "#fff3bf", "⚠"), "error": ("#a4161a", "#ffe3e3", "✖")}


class _Badge(QLabel):
    def __init__(self, level: str, code: str, text: str, step: int, parent=None):
        super().__init__(parent)
        self.level, self.code, self.count, self.first = level, code, 1, step
        fg, bg, _ = STYLE[level]
        self.setStyleSheet(f"QLabel {{ color: {fg}; background: {bg}; border: 1px solid {fg};"
                           f" border-radius: 8px; padding: 2px 8px; }}")
        self.setWordWrap(True)
        self.update_text(text, step)

    def update_text(self, text: str, step: int) -> None:
        icon = STYLE[self.level][2]
        title = self.code.replace("_", " ") if self.code else self.level
        times = f" ×{self.count}" if self.count > 1 else ""
        self.setText(f"{icon} <b>{title}</b>{times} · step {step:,}<br>{text}")
        self.setToolTip(f"{self.level} since step {self.first:,}: {text}")


class MetricsPanel(QWidget):
    badge_count_changed = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QVBoxLayout(self)           # in a scroll area: the dock may be one line high
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setMinimumSize(200, 30)
        outer.addWidget(self.scroll)
        inner = QWidget(self.scroll)
        self.scroll.setWidget(inner)
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(4, 2, 4, 4)
        head = QHBoxLayout()
        self.title = QLabel("Diagnostics: none so far", self)
        head.addWidget(self.title, 1)
        self.clear_button = QPushButton("Dismiss", self)
        self.clear_button.setToolTip("Dismiss the diagnostics shown (new ones still appear)")
        self.clear_button.clicked.connect(self.clear_badges)
        head.addWidget(self.clear_button)
        lay.addLayout(head)
        self.badge_box = QVBoxLayout()
        self.badge_box.setSpacing(4)
        lay.addLayout(self.badge_box)
        lay.addWidget(QLabel("Evaluations", self))
        self.table = QTableWidget(0, 1, self)
        self.table.setHorizontalHeaderLabels(["step"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAlternatingRowColors(True)
        self.table.setMinimumHeight(90)
        lay.addWidget(self.table, 1)
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.empty)
        self.badges: dict[tuple[str, str], _Badge] = {}
        self.columns: list[str] = ["step"]
        self.every = 0
        self.note = ""                 # why evaluations stopped or were skipped (from the run)
        self.set_schedule(0)

    # ------------------------------------------------------------------ what the empty table says
    def set_schedule(self, every: int, step: int = 0) -> None:
        """The run's eval.every (and its step): the empty table says when the first evaluation comes."""
        self.every, self._step = int(every), int(step)
        self._empty_text()

    def set_evaluating(self, step: int) -> None:
        self.empty.setText(f"Evaluating at step {step:,}…")

    def set_note(self, text: str) -> None:
        """An evaluation could not run (no labels, too few images, a failure): say so."""
        self.note = text
        self._empty_text()

    def _empty_text(self) -> None:
        if self.note:
            text = f"No evaluations: {self.note}"
        elif self.every <= 0:
            text = ("Quality evaluations are off (eval.every = 0): set eval.every in the form, "
                    "or run `gan-studio eval --checkpoint CKPT`.")
        else:
            first = (self._step // self.every + 1) * self.every
            text = f"No evaluations yet: the next is at step {first:,} (eval.every = {self.every:,})."
        self.empty.setText(text)

    # ------------------------------------------------------------------ evaluations
    def add_evaluation(self, step: int, values: dict) -> None:
        nums = {k: v for k, v in values.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
                and k not in ("step", "event")}
        for k in nums:
            if k not in self.columns:
                self.columns.append(k)
                self.table.setColumnCount(len(self.columns))
                self.table.setHorizontalHeaderLabels(self.columns)
        self.table.insertRow(0)
        self.table.setItem(0, 0, QTableWidgetItem(f"{step:,}"))
        for k, v in nums.items():
            item = QTableWidgetItem(f"{v:.4g}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(0, self.columns.index(k), item)
        self.empty.hide()

    def evaluation_count(self) -> int:
        return self.table.rowCount()

    # ------------------------------------------------------------------ diagnostics
    def add_message(self, step: int, level: str, text: str, code: str = "") -> bool:
        """Show a warning or error as a badge (repeats of one code update it). False for info."""
        if level not in STYLE:
            return False
        key = (level, code or text)
        b = self.badges.get(key)
        if b is None:
            b = _Badge(level, code, text, step, self)
            self.badges[key] = b
            self.badge_box.addWidget(b)
        else:
            b.count += 1
            b.update_text(text, step)
        self._update_title()
        return True

    def clear_badges(self) -> None:
        for b in self.badges.values():
            b.setParent(None)
            b.deleteLater()
        self.badges.clear()
        self._update_title()

    def clear(self) -> None:
        self.note = ""
        self._step = 0
        self._empty_text()
        self.clear_badges()
        self.table.setRowCount(0)
        self.columns = ["step"]
        self.table.setColumnCount(1)
        self.table.setHorizontalHeaderLabels(self.columns)
        self.empty.show()

    def _update_title(self) -> None:
        n = len(self.badges)
        errors = sum(1 for (lvl, _) in self.badges if lvl == "error")
        if n == 0:
            self.title.setText("Diagnostics: none so far")
        else:
            self.title.setText(f"Diagnostics: {n - errors} warning{'s' * (n - errors != 1)}, "
                               f"{errors} error{'s' * (errors != 1)}")
        self.clear_button.setEnabled(n > 0)
        self.badge_count_changed.emit(n)
