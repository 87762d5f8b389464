"""Quality metrics over time and diagnostic badges.

Evaluation events (or "eval" records of a metrics.jsonl) as plots, one small plot per metric against
the step (`MetricGrid`, which the runs browser also uses to overlay several runs), and as a table,
newest first, one column per metric; above them, one badge per diagnostic (Message events of level
warning or error), counting repeats, with its advice in the tooltip. `badge_count_changed(n)` lets
the window mark its tab.
"""
from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
                               QHeaderView)

from ...quality import catalogue
from ..views.base import light_grid

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


# the metrics in the order their plots come, with the names the plots give them
METRIC_NAMES = {name: m.label for name, m in catalogue.METRICS.items() if name != "kid_se"}
ERROR_BARS = {"kid": "kid_se"}            # drawn as error bars on their metric, not as plots of their own
CELL_W, CELL_H = 230, 120                 # the smallest plot the grid draws
SINGLE = "#4e8df5"                        # the colour of a lone run's points


def metric_title(name: str) -> str:
    """A plot's title: the metric's name and which way is better."""
    m = catalogue.metric(name)
    arrow = "" if name.startswith(("gnorm_", "clip_")) else m.arrow     # the critic's: diagnostics
    return f"{m.label} {arrow}".strip()


class MetricGrid(QWidget):
    """Small multiples: one plot per evaluated metric against the step, every series (a run) in its
    colour on each plot, points joined by lines; vertical markers (a branch point) per series. The
    plots share the step axis and reflow into as many columns as fit."""

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.view = pg.GraphicsLayoutWidget(self)
        self.view.ci.setContentsMargins(2, 2, 2, 2)
        self.view.ci.setSpacing(4)
        lay.addWidget(self.view)
        self.series: dict[str, dict] = {}     # key -> {"colour", "name", "points": {metric: {step: value}}}
        self.markers: list[tuple[str, int, str]] = []     # (series key, step, text)
        self.plots: dict[str, pg.PlotItem] = {}
        self.metrics: list[str] = []
        self._items: dict[tuple[str, str], tuple] = {}     # (metric, series) -> (curve, error bars)
        self._layout: tuple = ()
        self._cols = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(40)           # a history of evaluations arrives as many calls: draw once
        self._timer.timeout.connect(self.redraw)
        self._apply_palette()

    # ------------------------------------------------------------------ data in
    def set_series(self, key: str, colour: str, name: str = "") -> None:
        s = self.series.setdefault(key, {"points": {}})
        s["colour"], s["name"] = colour, name or key
        self._later()

    def add(self, key: str, step: int, values: dict) -> None:
        """One evaluation of series `key` (made with SINGLE as its colour when new)."""
        s = self.series.get(key)
        if s is None:
            self.set_series(key, SINGLE)
            s = self.series[key]
        for k, v in values.items():
            if k in ("step", "event") or isinstance(v, bool) or not isinstance(v, (int, float)):
                continue
            s["points"].setdefault(k, {})[int(step)] = float(v)
            if k not in self.metrics and k not in ERROR_BARS.values():
                self.metrics.append(k)
        self._later()

    def add_marker(self, key: str, step: int, text: str) -> None:
        self.markers.append((key, int(step), text))
        self._later()

    def clear(self) -> None:
        self.series.clear()
        self.markers.clear()
        self.metrics = []
        self.redraw()

    def count(self) -> int:
        """Evaluations held, over all series."""
        return sum(len(p) for s in self.series.values() for p in list(s["points"].values())[:1])

    def order(self) -> list[str]:
        known = [m for m in METRIC_NAMES if m in self.metrics]
        return known + [m for m in self.metrics if m not in known]

    def _later(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    # ------------------------------------------------------------------ drawing
    def _columns(self) -> int:
        return max(1, min(len(self.metrics) or 1, self.width() // CELL_W))

    def _xy(self, key: str, m: str):
        """The finite points of series `key` for metric `m`, and their error bars (or None)."""
        pts = self.series[key]["points"].get(m) or {}
        xs = np.array(sorted(pts), np.float64)
        ys = np.array([pts[int(x)] for x in xs], np.float64)
        ok = np.isfinite(ys)
        se = self.series[key]["points"].get(ERROR_BARS.get(m, ""), {})
        err = None
        if se:
            e = np.array([se.get(int(x), 0.0) for x in xs], np.float64)
            ok &= np.isfinite(e)
            err = e[ok]
        return xs[ok], ys[ok], err

    def redraw(self) -> None:
        """Draw the plots. New points of the same metrics and series only move the curves (an
        evaluation during training costs ~1 ms); a new metric, series, marker, colour or column
        count lays the grid out again."""
        self._timer.stop()
        order = self.order()
        cols = self._columns()
        layout = (tuple(order), cols, self._fg,
                  tuple((k, s["colour"], s["name"], tuple(m for m in order if s["points"].get(m)))
                        for k, s in self.series.items()),
                  tuple(self.markers))
        if layout == self._layout:
            for (m, key), (item, bars) in self._items.items():
                xs, ys, err = self._xy(key, m)
                item.setData(xs, ys)
                if bars is not None and err is not None:
                    bars.setData(x=xs, y=ys, height=2 * err)
            return
        self._layout = layout
        self.view.clear()
        self.plots, self._items = {}, {}
        self._cols = cols
        first = None
        for i, m in enumerate(order):
            p = self.view.addPlot(row=i // cols, col=i % cols)
            p.setTitle(html.escape(metric_title(m)), size="9pt", color=self._fg)
            light_grid(p, 0.2)
            p.setMenuEnabled(False)
            p.getAxis("left").setWidth(44)
            for name in ("left", "bottom"):
                ax = p.getAxis(name)
                ax.setPen(pg.mkPen(self._fg))
                ax.setTextPen(pg.mkPen(self._fg))
            if first is None:
                first = p
            else:
                p.setXLink(first)
            self.plots[m] = p
            for key, s in self.series.items():
                if not s["points"].get(m):
                    continue
                xs, ys, err = self._xy(key, m)
                item = p.plot(xs, ys, pen=pg.mkPen(s["colour"], width=1.5), symbol="o", symbolSize=5,
                              symbolBrush=s["colour"], symbolPen=None, name=s["name"])
                bars = None
                if err is not None:
                    bars = pg.ErrorBarItem(x=xs, y=ys, height=2 * err, pen=pg.mkPen(s["colour"], width=1))
                    p.addItem(bars)
                self._items[(m, key)] = (item, bars)
            for key, step, text in self.markers:
                s = self.series.get(key)
                if s is None:
                    continue
                line = pg.InfiniteLine(step, angle=90, pen=pg.mkPen(s["colour"], width=1,
                                                                    style=Qt.PenStyle.DashLine))
                line.setToolTip(text)
                p.addItem(line)
        rows = math.ceil(len(order) / cols) if order else 0
        self.view.setMinimumHeight(rows * CELL_H)
        self.setMinimumHeight(rows * CELL_H)

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        if self.metrics and self._columns() != self._cols:
            self._later()

    def changeEvent(self, e) -> None:
        super().changeEvent(e)
        if e.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
            self._later()

    def _apply_palette(self) -> None:
        pal = QApplication.palette()
        self.view.setBackground(pal.color(QPalette.ColorRole.Base))
        self._fg = pal.color(QPalette.ColorRole.Text).name()


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
        self.views = QTabWidget(self)          # the evaluations as plots over time, and as a table
        self.views.setDocumentMode(True)
        self.grid = MetricGrid(self)
        self.grid.setToolTip("Each evaluated metric against the step (↑ higher is better, ↓ lower, "
                             "→ 1 closest to one); KID with its standard error")
        self.table = QTableWidget(0, 1, self)
        self.table.setHorizontalHeaderLabels(["step"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAlternatingRowColors(True)
        self.table.setMinimumHeight(90)
        self.views.addTab(self.grid, "Plots")
        self.views.addTab(self.table, "Table")
        self.views.hide()
        lay.addWidget(self.views, 1)
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
        self.grid.add("run", step, nums)
        self.empty.hide()
        self.views.show()

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
        self.grid.clear()
        self.views.hide()
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
