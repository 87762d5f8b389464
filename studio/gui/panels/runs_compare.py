"""The runs browser's comparison (the right side): a summary of what differs between the runs ticked,
and three tabs, Curves (runs_curves), Metrics (the metrics panel's small multiples, the runs
overlaid) and Samples (runs_samples). A run is read whole on the browser's worker thread (a
100,000-step log takes about a second), again only when its files have changed (their signature)."""
from __future__ import annotations

import html
import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from ...tools.compare import RunSummary, differing
from .metrics_panel import MetricGrid
from .runs_cards import read_or_why, short_value, signature
from .runs_curves import CurvesPage
from .runs_samples import SamplesPage

# one colour per compared run, distinct on light and dark backgrounds (Tableau 10, reordered)
RUN_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
               "#ff9da7", "#8cd17d"]


class RunsComparison(QWidget):
    message = Signal(str, str)           # level, text
    drawn = Signal(int)                  # the comparison was drawn again, of this many runs

    def __init__(self, jobs, parent=None):
        super().__init__(parent)
        self.jobs = jobs
        self.loaded: dict[str, tuple[tuple, RunSummary]] = {}     # str(path) -> (signature, summary)
        self.compared: list[RunSummary] = []
        self.colours: dict[str, str] = {}
        self.keys: list[str] = []
        self.errors: dict[str, str] = {}             # runs ticked but unreadable: why
        self._want: list[str] = []                   # the runs ticked, in the list's order
        self._pending: dict[str, tuple] = {}         # runs being read on the worker: their signature
        self._error_sig: dict[str, tuple] = {}
        self._shown: tuple = ()                      # what the comparison on screen was drawn from
        rv = QVBoxLayout(self)
        rv.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        rv.addWidget(self.summary)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        rv.addWidget(self.tabs, 1)

        self.curves = CurvesPage(self)
        self.tabs.addTab(self.curves, "Curves")

        self.metric_grid = MetricGrid(self)
        self.metric_scroll = QScrollArea(self)
        self.metric_scroll.setWidgetResizable(True)
        self.metric_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.metric_scroll.setWidget(self.metric_grid)
        self.metrics_empty = QLabel("", self)
        self.metrics_empty.setWordWrap(True)
        holder = QWidget(self)
        hv = QVBoxLayout(holder)
        hv.setContentsMargins(2, 2, 2, 2)
        hv.addWidget(self.metrics_empty)
        hv.addWidget(self.metric_scroll, 1)
        self.tabs.addTab(holder, "Metrics")

        self.samples = SamplesPage(jobs, self)
        self.samples.message.connect(self.message)
        self.tabs.addTab(self.samples, "Samples")

        self._show_summary()

    # ------------------------------------------------------------------ reading
    def compare(self, paths: list[str]) -> None:
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
        return bool(self._pending) or bool(self.samples.drawing)

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
        self.curves.fill_keys(runs)
        self._show_summary()
        self.draw_curves()
        self.draw_metrics()
        self.samples.fill_steps(runs)
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
            if p in self._want:
                text += f"<br><span style='color:#c0392b'>{html.escape(Path(p).name)}: {html.escape(e)}</span>"
        self.summary.setText(text)
        self.drawn.emit(len(runs))

    def draw_curves(self) -> None:
        self.curves.draw(self.compared, self.colours, self.legend_label, self.legend_html())

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

    # ------------------------------------------------------------------ samples side by side
    def chosen_step(self) -> int | None:
        return self.samples.chosen_step()

    def set_step(self, step: int) -> None:
        """Move the slider to the newest step at or before `step`."""
        self.samples.set_step(step)

    def draw_samples(self) -> None:
        self.samples.draw(self.compared, lambda r: (self.colours[str(r.path)], self.short_name(r), ", ".join(
            f"{k}={short_value(r.config.get(k))}" for k in self.keys[:4])))

