"""The runs browser: the runs of the runs folder (and of any folder opened), several compared at once.

Left, the runs found, newest first: a run branched from another one in the list sits under it, one
whose parent is not listed says where it came from. Tick runs to compare them; on the right:

- Curves: one training curve (the key picked: D loss, G loss, ...) of every ticked run overlaid, one
  colour per run, the hyperparameters that differ between the runs in the legend; a branched run
  has a dashed line where it left its parent, and the parent's name in its legend entry.
- Metrics: each evaluated metric against the step, the runs overlaid (small multiples).
- Samples: the runs side by side at one step chosen with a slider: the newest sample grid at or
  before it, else the checkpoint's thumbnail, else (the toy problems, which save no pictures) the
  checkpoint's real-against-generated plot, drawn once and kept.

A sweep's folder inside a listed folder is a group of its trials. Reading is done by
studio.tools.compare: the list peeks at each run (config.toml, the head and tail of metrics.jsonl);
a ticked run is read whole on a worker thread (a 100,000-step log takes about a second), again only
when its files have changed, and so are the toy checkpoints' pictures.
"""
from __future__ import annotations

import html
import os
import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPalette, QPixmap
from PySide6.QtWidgets import (QApplication, QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSlider, QSplitter, QTabWidget, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget, QHeaderView, QFrame)

from ...config.paths import run_folders, runs_dir
from ...tools.compare import (LOSS_KEYS, RunInfo, RunSummary, differing, find_runs, is_run_dir,
                              nearest_at_or_before, peek_run, same_dir)
from ..jobs import Jobs
from ..views.base import light_grid
from .loss_plot import NAMES
from .metrics_panel import MetricGrid
from .runs_cards import (RunCard, draw_or_why, folders_of_runs, qimage, read_or_why, short_value, signature,
                         smooth)

# one colour per compared run, distinct on light and dark backgrounds (Tableau 10, reordered)
RUN_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
               "#ff9da7", "#8cd17d"]
PATH_ROLE = Qt.ItemDataRole.UserRole
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1


class RunsBrowser(QWidget):
    open_requested = Signal(str)         # a run directory to open in the Training tab
    message = Signal(str, str)           # level, text

    def __init__(self, parent=None):
        super().__init__(parent)
        self.folders: list[Path] = []
        self.infos: dict[str, RunInfo] = {}          # str(path) -> what the list shows
        self.loaded: dict[str, tuple[tuple, RunSummary]] = {}     # str(path) -> (signature, summary)
        self.compared: list[RunSummary] = []
        self.colours: dict[str, str] = {}
        self.errors: dict[str, str] = {}             # runs ticked but unreadable: why
        self._pictures: dict[str, QPixmap | None] = {}    # checkpoint path -> its drawn picture
        self._steps: list[int] = []
        self._want: list[str] = []                   # the runs ticked, in the list's order
        self._pending: dict[str, tuple] = {}         # runs being read on the worker: their signature
        self._error_sig: dict[str, tuple] = {}
        self._shown: tuple = ()                      # what the comparison on screen was drawn from
        self.jobs = Jobs(self)                       # reading runs and drawing pictures, in order
        self._drawing: set[str] = set()              # checkpoints being drawn on the worker
        self._picture_notes: dict[str, str] = {}     # why a checkpoint has no picture
        self._stale = True                # the list is read when the browser is first shown
        self._listed_at = 0.0
        self._build()
        for folder in run_folders():      # the runs folder, then a checkout's older ./runs
            self.add_folder(folder, announce=False)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(self.split)

        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.add_button = QPushButton("Add folder…", left)
        self.add_button.setToolTip("List the runs of another folder too (a runs folder, a sweep's output)")
        self.add_button.clicked.connect(self._ask_folder)
        self.refresh_button = QPushButton("Refresh", left)
        self.refresh_button.setToolTip("Look for new runs and read the compared runs again")
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button = QPushButton("Open", left)
        self.open_button.setToolTip("Open the selected run in the Training tab (its curves, samples and "
                                    "checkpoints, followed as it grows)")
        self.open_button.clicked.connect(self._open_current)
        for b in (self.add_button, self.refresh_button, self.open_button):
            bar.addWidget(b)
        bar.addStretch(1)
        lv.addLayout(bar)
        self.folder_label = QLabel(left)
        self.folder_label.setWordWrap(True)
        lv.addWidget(self.folder_label)
        self.tree = QTreeWidget(left)
        self.tree.setObjectName("runs_tree")
        self.tree.setHeaderLabels(["run", "preset", "steps"])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)    # the time stamp ends the name
        self.tree.setAlternatingRowColors(True)
        hdr = self.tree.header()
        hdr.setStretchLastSection(False)
        hdr.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in (1, 2):
            hdr.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemChanged.connect(self._ticked)
        self.tree.itemDoubleClicked.connect(lambda item, _c: item.data(0, PATH_ROLE) and
                                            self.open_requested.emit(item.data(0, PATH_ROLE)))
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        lv.addWidget(self.tree, 1)
        self.hint = QLabel("Tick runs to compare them.", left)
        self.hint.setWordWrap(True)
        lv.addWidget(self.hint)
        self.split.addWidget(left)

        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel(right)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        rv.addWidget(self.summary)
        self.tabs = QTabWidget(right)
        self.tabs.setDocumentMode(True)
        rv.addWidget(self.tabs, 1)
        self.split.addWidget(right)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 5)
        self.split.setSizes([400, 800])

        # curves
        curves = QWidget(self)
        cv = QVBoxLayout(curves)
        cv.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        row.addWidget(QLabel("Curve", curves))
        self.key_box = QComboBox(curves)
        self.key_box.setToolTip("The training curve to overlay")
        self.key_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.key_box.currentIndexChanged.connect(lambda _: self.draw_curves())
        row.addWidget(self.key_box)
        row.addSpacing(12)
        row.addWidget(QLabel("Smoothing", curves))
        self.smooth = QSlider(Qt.Orientation.Horizontal, curves)
        self.smooth.setRange(0, 99)
        self.smooth.setValue(60)
        self.smooth.setMaximumWidth(160)
        self.smooth.setToolTip("Exponential moving average of the curves; the raw values stay faint")
        self.smooth.valueChanged.connect(lambda _: self.draw_curves())
        row.addWidget(self.smooth)
        row.addStretch(1)
        cv.addLayout(row)
        self.legend = QLabel(curves)        # above the plot, wrapping: long names never cover the curves
        self.legend.setObjectName("runs_legend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        cv.addWidget(self.legend)
        self.curve_plot = pg.PlotWidget(curves)
        p = self.curve_plot.getPlotItem()
        light_grid(p, 0.2)
        p.setLabel("bottom", "step")
        p.setClipToView(True)                      # long runs: draw what is in view, one peak per pixel
        p.setDownsampling(auto=True, mode="peak")
        cv.addWidget(self.curve_plot, 1)
        self.tabs.addTab(curves, "Curves")

        # metrics
        self.metric_grid = MetricGrid(self)
        self.metric_scroll = QScrollArea(self)
        self.metric_scroll.setWidgetResizable(True)
        self.metric_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.metric_scroll.setWidget(self.metric_grid)
        self.metrics_empty = QLabel("", self)
        holder = QWidget(self)
        hv = QVBoxLayout(holder)
        hv.setContentsMargins(2, 2, 2, 2)
        hv.addWidget(self.metrics_empty)
        hv.addWidget(self.metric_scroll, 1)
        self.tabs.addTab(holder, "Metrics")

        # samples
        samples = QWidget(self)
        sv = QVBoxLayout(samples)
        sv.setContentsMargins(2, 2, 2, 2)
        srow = QHBoxLayout()
        srow.addWidget(QLabel("Step", samples))
        self.step_slider = QSlider(Qt.Orientation.Horizontal, samples)
        self.step_slider.setObjectName("runs_step_slider")
        self.step_slider.setToolTip("The step to compare at: each run shows its newest picture at or "
                                    "before it")
        self.step_slider.valueChanged.connect(lambda _: self.draw_samples())
        srow.addWidget(self.step_slider, 1)
        self.step_label = QLabel("", samples)
        self.step_label.setMinimumWidth(90)
        srow.addWidget(self.step_label)
        sv.addLayout(srow)
        self.cards_box = QWidget(samples)
        self.cards = QHBoxLayout(self.cards_box)
        self.cards.setContentsMargins(0, 0, 0, 0)
        self.cards.addStretch(1)
        self.cards_scroll = scroll = QScrollArea(samples)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.cards_box)
        sv.addWidget(scroll, 1)
        self.run_cards: dict[str, RunCard] = {}
        self.tabs.addTab(samples, "Samples")
        # cards drawn while the tab was hidden were sized for a viewport not yet laid out
        self.tabs.currentChanged.connect(lambda i: self.tabs.widget(i) is samples and
                                         QTimer.singleShot(0, self._fit_cards))

        self._apply_palette()
        self._update_buttons()
        self._show_summary()

    # ------------------------------------------------------------------ folders and the list
    def add_folder(self, folder, announce: bool = True) -> None:
        """List the runs of `folder` too (a run directory stands for its parent folder). The list is
        read now when the browser is on screen, else when it is next shown."""
        f = Path(folder)
        if is_run_dir(f) and not find_runs(f):
            f = f.parent
        if any(same_dir(f, g) for g in self.folders):
            return
        self.folders.append(f)
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True
        if announce:
            self.message.emit("info", f"runs browser: listing {f}")

    def showEvent(self, e) -> None:
        super().showEvent(e)
        if self._stale or time.monotonic() - self._listed_at > 3.0:   # runs may have come or grown
            self.refresh()

    def _ask_folder(self) -> None:
        start = str(self.folders[-1]) if self.folders else str(runs_dir())
        path = QFileDialog.getExistingDirectory(self, "Add a folder of runs", start)
        if path:
            self.add_folder(path)

    def refresh(self) -> None:
        """Look for runs again and reread the ticked ones that changed."""
        self._stale, self._listed_at = False, time.monotonic()
        ticked = set(self.ticked())
        current = self.current_path()
        found: dict[str, RunInfo] = {}
        group_of: dict[str, Path] = {}       # runs one folder down (a sweep's trials): that folder
        for folder in self.folders:
            for p in find_runs(folder):
                found.setdefault(str(p), peek_run(p))
            for sub in folders_of_runs(folder):
                if any(same_dir(sub, f) for f in self.folders):
                    continue                  # listed on its own
                for p in find_runs(sub):
                    if str(p) not in found:
                        found[str(p)] = peek_run(p)
                        group_of[str(p)] = sub
        self.infos = found
        self.tree.blockSignals(True)
        self.tree.clear()
        items: dict[str, QTreeWidgetItem] = {}
        order = sorted(found.values(), key=lambda r: (-r.mtime, r.name))
        for info in order:
            item = QTreeWidgetItem([info.name, info.preset, f"{info.step:,}"])
            item.setData(0, PATH_ROLE, str(info.path))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            tip = [f"<b>{html.escape(str(info.path))}</b>", f"preset {html.escape(info.preset)}, "
                   f"variant {html.escape(info.variant)}, step {info.step:,}"
                   + (time.strftime(", last written %Y-%m-%d %H:%M", time.localtime(info.mtime)) if info.mtime else "")]
            if info.branch is not None:
                tip.append(f"branched from <b>{html.escape(info.branch.parent_name)}</b> at step "
                           f"{info.branch.from_step:,} ({html.escape(str(info.branch.from_run))})")
            if info.error:
                tip.append(f"<span style='color:#c0392b'>{html.escape(info.error)}</span>")
                item.setForeground(0, self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                item.setText(1, "unreadable")
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, Qt.CheckState.Checked if str(info.path) in ticked else Qt.CheckState.Unchecked)
            item.setToolTip(0, "<br>".join(tip))
            items[str(info.path)] = item
        # a folder of runs inside a listed folder (a sweep) is a group, closed unless a run in it is ticked
        groups: dict[str, QTreeWidgetItem] = {}
        for key, folder in sorted(group_of.items(), key=lambda kv: -found[kv[0]].mtime):
            g = groups.get(str(folder))
            if g is None:
                n = sum(1 for f in group_of.values() if f == folder)
                g = groups[str(folder)] = QTreeWidgetItem([f"{folder.name}  ({n} runs)", "", ""])
                g.setData(0, GROUP_ROLE, str(folder))
                g.setToolTip(0, f"{html.escape(str(folder))}: a folder of runs (a sweep's trials)")
                g.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = g.font(0)
                font.setItalic(True)
                g.setFont(0, font)
        # a branched run under its parent when the parent is listed; else marked with where it came from
        resolved = {str(Path(k).resolve()): k for k in items}
        for info in order:
            item = items[str(info.path)]
            parent_key = resolved.get(str(info.branch.from_run.resolve())) if info.branch else None
            if parent_key is not None and parent_key != str(info.path) and \
                    not self._descends(items, parent_key, str(info.path)):
                items[parent_key].addChild(item)
                item.setText(0, f"↳ {info.name}")
            else:
                if info.branch is not None:
                    item.setText(0, f"↳ {info.name}  (from {info.branch.parent_name} @ {info.branch.from_step:,})")
                group = group_of.get(str(info.path))
                if group is not None:
                    groups[str(group)].addChild(item)
                else:
                    self.tree.addTopLevelItem(item)
        for g in groups.values():
            self.tree.addTopLevelItem(g)
        self.tree.expandAll()
        for g in groups.values():
            inside = [g.child(i).data(0, PATH_ROLE) for i in range(g.childCount())]
            g.setExpanded(any(p in ticked for p in inside))
        self.tree.blockSignals(False)
        if current in items:
            self.tree.setCurrentItem(items[current])
        n = len(found)
        where = ", ".join(str(f) for f in self.folders)
        self.folder_label.setText(f"{n} run{'s' * (n != 1)} in {html.escape(where)}" if n else
                                  f"No runs in {html.escape(where)} yet: train one, or add a folder.")
        self.folder_label.setToolTip(where)
        self._compare([p for p in self.ticked()])
        self._update_buttons()

    def _descends(self, items: dict, key: str, ancestor: str) -> bool:
        """Whether the run `key` already hangs (somewhere) under `ancestor` (no cycles)."""
        item = items[key].parent()
        while item is not None:
            if item.data(0, PATH_ROLE) == ancestor:
                return True
            item = item.parent()
        return False

    def _all_items(self) -> list[QTreeWidgetItem]:
        out, stack = [], [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            it = stack.pop(0)
            out.append(it)
            stack += [it.child(i) for i in range(it.childCount())]
        return out

    def run_paths(self) -> list[str]:
        return [it.data(0, PATH_ROLE) for it in self._all_items() if it.data(0, PATH_ROLE)]

    def item(self, path) -> QTreeWidgetItem | None:
        for it in self._all_items():
            if it.data(0, PATH_ROLE) and same_dir(it.data(0, PATH_ROLE), path):
                return it
        return None

    def ticked(self) -> list[str]:
        return [it.data(0, PATH_ROLE) for it in self._all_items()
                if it.flags() & Qt.ItemFlag.ItemIsUserCheckable and it.checkState(0) == Qt.CheckState.Checked]

    def set_ticked(self, paths) -> None:
        """Tick exactly these runs (and compare them)."""
        want = [str(Path(p)) for p in paths]
        self.tree.blockSignals(True)
        for it in self._all_items():
            if it.data(0, PATH_ROLE) and it.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                on = any(same_dir(it.data(0, PATH_ROLE), p) for p in want)
                it.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)
        self._compare(self.ticked())

    def current_path(self) -> str | None:
        it = self.tree.currentItem()
        return it.data(0, PATH_ROLE) if it is not None else None

    def _ticked(self, item, column) -> None:
        if column == 0:
            self._compare(self.ticked())

    def _open_current(self) -> None:
        p = self.current_path()
        if p:
            self.open_requested.emit(p)

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.current_path() is not None)

    # ------------------------------------------------------------------ comparing
    def _compare(self, paths: list[str]) -> None:
        """Compare these runs: those read already (and unchanged since) at once, the others when a
        worker thread has read them (a long run's log takes a second)."""
        self._want = list(paths)
        self.errors = {p: e for p, e in self.errors.items() if p in paths}
        for p in paths:
            sig = signature(Path(p))
            got = self.loaded.get(p)
            if (got is not None and got[0] == sig) or (p in self.errors and self._error_sig.get(p) == sig):
                continue
            if self._pending.get(p) != sig:
                self._pending[p] = sig
                self.jobs.run(lambda p=p: read_or_why(p), lambda out, p=p, sig=sig: self._loaded(p, sig, out),
                              lambda e, _tb, p=p, sig=sig: self._loaded(   # a bug: said, not lost
                                  p, sig, f"{p}: could not be read ({type(e).__name__}: {e})"))
        self._render()

    @property
    def loading(self) -> bool:
        """Runs being read, or pictures drawn, on the worker thread."""
        return bool(self._pending) or bool(self._drawing)

    def wait(self, ms: int = 30_000) -> None:
        """Block until the runs asked for are read and their pictures drawn, and show them (tests,
        benchmarks)."""
        deadline = time.monotonic() + ms / 1000
        while time.monotonic() < deadline:
            self.jobs.wait(ms)
            QApplication.processEvents()     # the answers arrive queued; they may start more work
            if not self.loading:
                break

    def _loaded(self, path: str, sig: tuple, out) -> None:
        if self._pending.get(path) != sig:      # asked again meanwhile: a newer read is coming
            return
        del self._pending[path]
        if isinstance(out, RunSummary):
            self.loaded[path] = (sig, out)
            self.errors.pop(path, None)
        else:
            self.errors[path], self._error_sig[path] = str(out), sig
        if path in self._want:
            self._render()

    def _render(self) -> None:
        shown = (tuple(self._want), tuple(self.loaded[p][0] if p in self.loaded else None for p in self._want),
                 tuple(self._pending), tuple(self.errors.items()))
        if shown == self._shown:     # nothing new (a refresh of unchanged runs): keep what is drawn
            return
        self._shown = shown
        runs = [self.loaded[p][1] for p in self._want if p in self.loaded and p not in self.errors]
        self.compared = runs
        keep = {str(r.path): self.colours[str(r.path)] for r in runs if str(r.path) in self.colours}
        free = [c for c in RUN_COLOURS if c not in keep.values()]
        for r in runs:
            if str(r.path) not in keep:
                keep[str(r.path)] = free.pop(0) if free else RUN_COLOURS[len(keep) % len(RUN_COLOURS)]
        self.colours = keep
        self.keys = differing(runs) if len(runs) > 1 else []
        self._fill_keys()
        self._show_summary()
        self.draw_curves()
        self.draw_metrics()
        self._fill_steps()
        self.draw_samples()

    def short_name(self, run: RunSummary) -> str:
        """The run's name without the beginning all compared runs share (up to a '-' or '_')."""
        names = [r.name for r in self.compared]
        if len(names) < 2:
            return run.name
        common = os.path.commonprefix(names)
        cut = max(common.rfind("-"), common.rfind("_")) + 1
        rest = run.name[cut:]
        return "…" + rest if cut > 3 and rest else run.name

    def legend_label(self, run: RunSummary, branch: bool = True) -> str:
        """The run's name, its values of the differing hyperparameters, and its parent if branched."""
        parts = [f"{k}={short_value(run.config.get(k))}" for k in self.keys[:4]]
        if len(self.keys) > 4:
            parts.append(f"+{len(self.keys) - 4} more")
        text = self.short_name(run) + (f" ({', '.join(parts)})" if parts else "")
        if branch and run.branch is not None:
            text += f" ↳ from {run.branch.parent_name} @ {run.branch.from_step:,}"
        return text

    def legend_entries(self) -> list[tuple[str, str]]:
        """(colour, label) of each compared run, in the list's order."""
        return [(self.colours[str(r.path)], self.legend_label(r)) for r in self.compared]

    def legend_html(self) -> str:
        return " &nbsp; ".join(f"<span style='color:{c}'>■</span>&nbsp;{html.escape(t)}"
                               for c, t in self.legend_entries())

    def _show_summary(self) -> None:
        runs = self.compared
        if not runs:
            text = "Tick two or more runs on the left to compare their curves, metrics and samples."
        else:
            if len(runs) == 1:
                diff = "one run: tick another to see what differs"
            elif self.keys:
                diff = "differing: " + ", ".join(f"<b>{html.escape(k)}</b>" for k in self.keys[:8]) + \
                    (f" and {len(self.keys) - 8} more" if len(self.keys) > 8 else "")
            else:
                diff = "the same configuration"
            text = f"Comparing {len(runs)} run{'s' * (len(runs) != 1)}: {diff}"
        tip = "<br>".join(f"<b>{html.escape(r.name)}</b>: " + ", ".join(
            f"{html.escape(k)} = {html.escape(short_value(r.config.get(k), 80))}" for k in self.keys) for r in runs)
        self.summary.setToolTip(tip)
        waiting = [p for p in self._want if p in self._pending]
        if waiting:
            text += f" <i>(reading {len(waiting)} run{'s' * (len(waiting) != 1)}…)</i>"
        for p, e in self.errors.items():
            if p not in self._want:
                continue
            text += f"<br><span style='color:#c0392b'>{html.escape(Path(p).name)}: {html.escape(e)}</span>"
        self.summary.setText(text)
        self.hint.setVisible(not runs)

    def _fill_keys(self) -> None:
        keys: list[str] = []
        for r in self.compared:
            keys += [k for k in r.curves if k not in keys]
        first = [k for k in LOSS_KEYS if k in keys]
        keys = first + sorted(k for k in keys if k not in first)
        old = self.key_box.currentData()
        self.key_box.blockSignals(True)
        self.key_box.clear()
        for k in keys:
            self.key_box.addItem(NAMES.get(k, k), k)
        if old in keys:
            self.key_box.setCurrentIndex(keys.index(old))
        self.key_box.blockSignals(False)

    def draw_curves(self) -> None:
        p = self.curve_plot.getPlotItem()
        p.clear()
        self.legend.setText(self.legend_html())
        key = self.key_box.currentData()
        self.curve_items: dict[str, pg.PlotDataItem] = {}
        self.branch_lines: dict[str, pg.InfiniteLine] = {}
        if key is None:
            p.setTitle("")
            return
        p.setTitle(html.escape(NAMES.get(key, key)), size="9pt", color=self._fg)
        alpha = self.smooth.value() / 100
        for r in self.compared:
            if key not in r.curves:
                continue
            colour = self.colours[str(r.path)]
            xs, ys = r.curves[key]
            ok = np.isfinite(ys)
            xs, ys = xs[ok], ys[ok]
            if not len(xs):
                continue
            if alpha > 0:
                faint = pg.mkColor(colour)
                faint.setAlpha(60)
                p.plot(xs, ys, pen=pg.mkPen(faint, width=1))
            item = p.plot(xs, smooth(ys, alpha), pen=pg.mkPen(colour, width=2), name=self.legend_label(r))
            self.curve_items[str(r.path)] = item
            if r.branch is not None:
                line = pg.InfiniteLine(r.branch.from_step, angle=90,
                                       pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine),
                                       label=f"↳ {r.branch.parent_name}",
                                       labelOpts={"position": 0.92, "color": colour, "anchors": [(0, 0), (0, 0)]})
                line.setToolTip(f"{r.name} branched from {r.branch.parent_name} at step {r.branch.from_step:,}")
                p.addItem(line)
                self.branch_lines[str(r.path)] = line
            for step, k, old, new in r.changes:
                mark = pg.InfiniteLine(step, angle=90, pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DotLine))
                mark.setToolTip(f"{r.name}: {k} {old} → {new} at step {step:,}")
                p.addItem(mark)

    def draw_metrics(self) -> None:
        g = self.metric_grid
        g.series.clear()
        g.markers.clear()
        g.metrics = []
        for r in self.compared:
            key = str(r.path)
            g.set_series(key, self.colours[key], self.legend_label(r))
            for step, vals in r.evals:
                g.add(key, step, vals)
            if r.branch is not None:
                g.add_marker(key, r.branch.from_step, f"{r.name} branched from {r.branch.parent_name} "
                                                      f"at step {r.branch.from_step:,}")
        g.redraw()
        if not self.compared:
            self.metrics_empty.setText("")
        elif not g.metrics:
            self.metrics_empty.setText("No evaluations in these runs (eval.every = 0, or they stopped "
                                       "before the first one).")
        else:
            self.metrics_empty.setText(self.legend_html())
        self.metrics_empty.setWordWrap(True)

    # ------------------------------------------------------------------ samples side by side
    def _fill_steps(self) -> None:
        steps = sorted({s for r in self.compared for s, _ in r.samples} |
                       {c.step for r in self.compared for c in r.checkpoints})
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

    def draw_samples(self) -> None:
        want = [str(r.path) for r in self.compared]
        for key in list(self.run_cards):
            if key not in want:
                card = self.run_cards.pop(key)
                card.setParent(None)
                card.deleteLater()
        step = self.chosen_step()
        self.step_label.setText(f"step {step:,}" if step is not None else "no pictures")
        for i, r in enumerate(self.compared):
            key = str(r.path)
            card = self.run_cards.get(key)
            if card is None:
                card = RunCard(self.colours[key], html.escape(self.legend_label(r)), self.cards_box)
                self.run_cards[key] = card
            self.cards.insertWidget(i, card, 0, Qt.AlignmentFlag.AlignTop)
            card.set_title(self.colours[key], self.short_name(r),
                           ", ".join(f"{k}={short_value(r.config.get(k))}" for k in self.keys[:4]))
            card.setToolTip(str(r.path))
            pix, caption, source = self._picture(r, step)
            if r.branch is not None and pix is not None:
                caption += f"\n↳ branched from {r.branch.parent_name} at {r.branch.from_step:,}"
            card.show_picture(pix, caption, source)
        self._fit_cards()

    def _fit_cards(self) -> None:
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
            if key not in self._drawing:
                self._drawing.add(key)
                self.jobs.run(lambda: draw_or_why(key), lambda out: self._drawn(key, out),
                              lambda e, _tb: self._drawn(key, f"{key}: could not be drawn ({type(e).__name__}: {e})"))
            return None, f"checkpoint, step {c.step:,}: drawing…", key
        pix = self._pictures[key]
        if pix is None:
            return None, f"checkpoint, step {c.step:,}: {self._picture_notes.get(key, 'nothing to draw')}", key
        return pix, f"checkpoint, step {c.step:,}: real (cyan), generated (orange)", key

    def _drawn(self, key: str, out) -> None:
        self._drawing.discard(key)
        if isinstance(out, np.ndarray):
            self._pictures[key] = QPixmap.fromImage(qimage(out))
        else:
            self._pictures[key] = None
            self._picture_notes[key] = out or "this game has no samples to draw"
            if out:
                self.message.emit("warning", f"runs browser: {out}")
        self.draw_samples()

    # ------------------------------------------------------------------ look
    def changeEvent(self, e) -> None:
        super().changeEvent(e)
        if e.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
            self.draw_curves()

    def _apply_palette(self) -> None:
        pal = QApplication.palette()
        bg, fg = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self._fg = fg.name()
        self.curve_plot.setBackground(bg)
        p = self.curve_plot.getPlotItem()
        for name in ("left", "bottom"):
            ax = p.getAxis(name)
            ax.setPen(pg.mkPen(fg))
            ax.setTextPen(pg.mkPen(fg))

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        QTimer.singleShot(0, self._fit_cards)
        # side by side where there is room; the list above the comparison in a small window
        want = Qt.Orientation.Horizontal if self.width() >= 1000 else Qt.Orientation.Vertical
        if self.split.orientation() != want:
            self.split.setOrientation(want)
            total = self.width() if want == Qt.Orientation.Horizontal else self.height()
            first = min(440, int(total * 0.36)) if want == Qt.Orientation.Horizontal else min(150, total // 3)
            self.split.setSizes([first, total - first])

    def sizeHint(self) -> QSize:
        return QSize(900, 500)
