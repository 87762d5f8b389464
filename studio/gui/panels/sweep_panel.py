"""The sweep tab: settings of the form become sweep axes, the trials train in background processes
(`gan-studio sweep` as a child process, sweep_process.py) and arrive live as small multiples, best
first by the chosen metric: each with its samples picture, its loss curves and "Open". "Branch
from best" starts a new run in the main window from the best trial's end checkpoint.

The panel learns everything from the sweep folder: DIR/sweep.json (the study's trials, written by
the sweep process at every change) and each trial's run directory (metrics.jsonl, samples). So a
finished sweep can be opened from disk as well (Open sweep…).
"""
from __future__ import annotations

import html
import os
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPushButton, QScrollArea, QSpinBox, QSplitter, QVBoxLayout, QWidget)

from ...app_model import StudioModel
from ...config.io import dumps
from ...config.paths import runs_dir
from ...config.presets import load_preset
from ...config.schema import ConfigError
from ...tools import sweep as sw
from .sweep_cards import CARD_W, CURVES, LABEL, AxisRow, TrialCard, share_y_range, suggested_values
from .sweep_process import SweepProcess


class SweepPanel(QWidget):
    open_requested = Signal(str)       # a trial's run directory
    branch_requested = Signal(str)     # the best trial's end checkpoint

    def __init__(self, base_config=None, parent=None):
        super().__init__(parent)
        self.base_config = base_config or (lambda: (None, "sweep"))   # () -> (Config, name)
        self.proc: SweepProcess | None = None
        self.out_dir: Path | None = None
        self.data: dict | None = None
        self.cards: dict[int, TrialCard] = {}
        self.order: list[int] = []
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.refresh)

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        setup = QGroupBox("New sweep of the form's settings", self)
        setup.setMinimumWidth(300)
        setup.setMaximumWidth(400)
        sv = QVBoxLayout(setup)
        self.axes_box = QVBoxLayout()
        sv.addWidget(QLabel("Axes: a setting and its values", setup))
        sv.addLayout(self.axes_box)
        add_row = QHBoxLayout()
        self.add_key = QComboBox(setup)
        self.add_key.setToolTip("A setting of the form to sweep over; it starts around the form's value")
        add = QPushButton("Add axis", setup)
        add.clicked.connect(lambda: self.add_axis(self.add_key.currentText()))
        add_row.addWidget(self.add_key, 1)
        add_row.addWidget(add)
        sv.addLayout(add_row)
        form = QFormLayout()
        self.steps = QSpinBox(setup)
        self.steps.setRange(1, 10_000_000)
        self.steps.setValue(1000)
        self.steps.setToolTip("Training iterations of each trial")
        self.workers = QSpinBox(setup)
        self.workers.setRange(1, 64)
        self.workers.setValue(min(2, os.cpu_count() or 1))
        self.workers.setToolTip("Trials trained at a time, each in its own process with its share of the CPU")
        self.sampler = QComboBox(setup)
        self.sampler.addItems(sw.SAMPLERS)
        self.trials = QSpinBox(setup)
        self.trials.setRange(0, 10_000)
        self.trials.setSpecialValueText("whole grid / 10")
        self.trials.setToolTip("Trials to run (0: the whole grid; 10 for random and TPE)")
        self.metric = QComboBox(setup)
        self.metric.setToolTip("The quality metric the trials are ranked and pruned by")
        form.addRow("Steps per trial", self.steps)
        form.addRow("At a time", self.workers)
        form.addRow("Sampler", self.sampler)
        form.addRow("Trials", self.trials)
        form.addRow("Rank by", self.metric)
        sv.addLayout(form)
        buttons = QHBoxLayout()
        self.start_btn = QPushButton("Start sweep", setup)
        self.start_btn.clicked.connect(self.start)
        self.stop_btn = QPushButton("Stop", setup)
        self.stop_btn.setEnabled(False)
        self.stop_btn.setToolTip("Stop the running trials (each saves a checkpoint); finished ones stay")
        self.stop_btn.clicked.connect(self.stop)
        open_btn = QPushButton("Open sweep…", setup)
        open_btn.setToolTip("Show a sweep folder from disk")
        open_btn.clicked.connect(self.ask_open)
        for b in (self.start_btn, self.stop_btn, open_btn):
            buttons.addWidget(b)
        sv.addLayout(buttons)
        self.message = QLabel(setup)
        self.message.setTextFormat(Qt.TextFormat.RichText)   # always: escaped text, never a literal &gt;
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        sv.addWidget(self.message)
        sv.addStretch(1)
        split.addWidget(setup)

        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(4, 0, 0, 0)
        top = QHBoxLayout()
        self.summary = QLabel("No sweep yet: add axes on the left and start one, or open a sweep folder.", right)
        self.summary.setWordWrap(True)
        self.branch_btn = QPushButton("Branch from best", right)
        self.branch_btn.setToolTip("Start a new run in the Training tab from the best trial's end checkpoint")
        self.branch_btn.setEnabled(False)
        self.branch_btn.clicked.connect(self.branch_best)
        top.addWidget(self.summary, 1)
        top.addWidget(self.branch_btn)
        rv.addLayout(top)
        self.scroll = QScrollArea(right)
        self.scroll.setWidgetResizable(True)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.grid.setSpacing(8)
        self.scroll.setWidget(self.grid_host)
        rv.addWidget(self.scroll, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(split)
        self.rows: list[AxisRow] = []

    # ---------------------------------------------------------------- setup
    def showEvent(self, e) -> None:
        super().showEvent(e)
        self.sync_with_form()

    def sync_with_form(self) -> None:
        """Keys, metrics and steps follow the form's configuration (the one the sweep starts from)."""
        cfg, _ = self.base_config()
        if cfg is None:
            return
        keys = sw.field_names(cfg)
        if [self.add_key.itemText(i) for i in range(self.add_key.count())] != keys:
            cur = self.add_key.currentText() or "optim_g.lr"
            self.add_key.clear()
            self.add_key.addItems(keys)
            self.add_key.setCurrentText(cur if cur in keys else keys[0])
        names, default = sw.metrics_of(cfg)
        if [self.metric.itemText(i) for i in range(self.metric.count())] != names:
            self.metric.clear()
            self.metric.addItems(names)
            if default:
                self.metric.setCurrentText(default)
        if not self.rows and self.proc is None:
            self.steps.setValue(cfg.train.steps)
        self.start_btn.setEnabled(bool(names) and self.proc is None)
        if not names:
            self.message.setText(f"The {html.escape(cfg.variant.name)} game on {cfg.data.kind} data measures no "
                                 f"quality metric, so there is nothing to rank a sweep by.")

    def add_axis(self, key: str, values: str | None = None) -> AxisRow:
        cfg, _ = self.base_config()
        keys = sw.field_names(cfg) if cfg is not None else [key]
        if values is None:
            values = suggested_values(cfg, key) if cfg is not None else ""
        row = AxisRow(keys, key, values, self)
        row.removed.connect(self._remove_axis)
        self.rows.append(row)
        self.axes_box.addWidget(row)
        return row

    def _remove_axis(self, row: AxisRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()

    def arguments(self, preset_file: Path, out: Path) -> list[str]:
        args = ["sweep", "--preset", str(preset_file), "--out", str(out), "--steps", str(self.steps.value()),
                "--workers", str(self.workers.value()), "--sampler", self.sampler.currentText()]
        for r in self.rows:
            args += ["--param", r.param()]
        if self.trials.value():
            args += ["--trials", str(self.trials.value())]
        if self.metric.currentText():
            args += ["--metric", self.metric.currentText()]
        return args

    def check(self, cfg) -> None:
        """The sweep's own checks, here, before a process starts: a bad axis is one line at once."""
        axes = [sw.parse_axis(cfg, r.param()) for r in self.rows]
        spec = sw.SweepSpec(preset="", axes=axes, out=Path("."), steps=self.steps.value(),
                            workers=self.workers.value(), sampler=self.sampler.currentText(),
                            trials=self.trials.value() or None, metric=self.metric.currentText() or None)
        sw.check_spec(spec, cfg, "the form's settings")

    # ---------------------------------------------------------------- running
    def start(self, out: str | None = None) -> bool:
        if self.proc is not None:
            return False
        cfg, name = self.base_config()
        if cfg is None:
            self._say("Choose a preset first.", error=True)
            return False
        try:
            self.check(cfg)
        except ConfigError as e:
            self._say(html.escape(str(e)), error=True)
            return False
        out_dir = Path(out) if out else sw.default_out(name)
        out_dir.mkdir(parents=True, exist_ok=True)
        preset_file = out_dir / f"{name}.toml"
        sw.atomic_write_bytes(preset_file, dumps(cfg).encode())
        self.show_sweep(out_dir)
        self.proc = SweepProcess(self.arguments(preset_file, out_dir), self)
        self.proc.said.connect(lambda line: self._say(html.escape(line)))
        self.proc.ended.connect(self._ended)
        self.proc.start()
        self.start_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)
        self._say(f"Sweep running in {html.escape(str(out_dir))}")
        return True

    def stop(self) -> None:
        """Ctrl+C for the sweep process: it stops its trials cleanly and writes its table."""
        if self.proc is not None:
            self.proc.stop()
            self._say("Stopping: the running trials save a checkpoint and end…")

    def shutdown(self) -> None:
        """The window closes: stop the sweep and wait for it (a minute at most)."""
        if self.proc is not None:
            self.stop()
            self.proc.wait(60_000)

    def _ended(self, code: int, last_line: str) -> None:
        self.proc = None
        self.stop_btn.setEnabled(False)
        self.start_btn.setEnabled(True)
        self.refresh()
        if code == 0:
            self._say("Sweep finished.")
        else:
            self._say(f"Sweep ended: {html.escape(last_line or f'exit code {code}')}", error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(f"<span style='color:#e5534b'>{text}</span>" if error else text)

    # ---------------------------------------------------------------- results
    def ask_open(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open sweep folder", str(runs_dir()))
        if path:
            self.show_sweep(Path(path))

    def show_sweep(self, out_dir: Path) -> bool:
        """Show the trials of a sweep folder, following it while it grows."""
        self.out_dir = Path(out_dir)
        for c in self.cards.values():
            c.setParent(None)
            c.deleteLater()
        self.cards, self.order, self.data = {}, [], None
        self.refresh()
        self.timer.start()
        if self.data is None and self.proc is None:
            self._say(f"{html.escape(str(out_dir))}: no sweep.json there (not a sweep folder)", error=True)
            return False
        return True

    def refresh(self) -> None:
        if self.out_dir is None:
            return
        d = sw.read_sweep(self.out_dir)
        if d is None:
            return
        self.data = d
        maximize = bool(d.get("maximize"))
        recs = sw.ranked(d["trials"], maximize)
        resumed_by = {r["resumes"]: r for r in recs if isinstance(r.get("resumes"), int)}
        for rank, rec in enumerate(recs, 1):
            card = self.cards.get(rec["number"])
            if card is None:
                card = self.cards[rec["number"]] = TrialCard(self.grid_host)
                card.open_requested.connect(self.open_requested)
            card.update_from(rank, rec, sw.ranked_as(d["metric"]), d.get("steps"), resumed_by.get(rec["number"]))
        share_y_range(self.cards.values())      # the trials' losses compare by eye
        order = [r["number"] for r in recs]
        if order != self.order:
            self.order = order
            self._layout_cards()
        done = [r for r in recs if r["state"] == "COMPLETE"]
        counts = {s: sum(r["state"] == s for r in recs) for s in ("COMPLETE", "RUNNING", "PRUNED", "FAIL")}
        parts = [f"{n} {s.lower()}" for s, n in counts.items() if n]
        best = (f" · best: trial {done[0]['number']}, {sw.ranked_as(d['metric'])} {sw.fmt_value(done[0]['value'])}"
                if done else "")
        running = [f"trial {r['number']}: {self.cards[r['number']].progress.text()}" for r in recs
                   if r["state"] == "RUNNING" and self.cards[r["number"]].step is not None]
        steps = f" · {', '.join(running)}" if running else ""     # where each running trial is
        # a space after each comma: a long list of values wraps there instead of widening the tab
        axes = " ".join(f"{k}={str(v).replace(',', ', ')}" for k, v in (d.get("axes_text") or {}).items())
        self.summary.setText(f"<b>{html.escape(Path(d.get('preset', '')).stem)}</b> over {html.escape(axes)}: "
                             f"{', '.join(parts) or 'starting'}{html.escape(steps)}{best} · ranked by {sw.ranked_as(d['metric'])} "
                             f"({'higher' if maximize else 'lower'} is better) · curves: "
                             + " ".join(f"<span style='color:{c}'>■ {LABEL[k]}</span>" for k, c in CURVES))
        self.branch_btn.setEnabled(bool(done) and self.best_checkpoint() is not None)
        if d.get("done") and self.proc is None:
            self.timer.stop()

    def _columns(self) -> int:
        return max(1, (self.scroll.viewport().width() - 8) // (CARD_W + self.grid.spacing()))

    def _layout_cards(self) -> None:
        cols = self._columns()
        for c in self.cards.values():
            self.grid.removeWidget(c)
        for i, n in enumerate(self.order):
            self.grid.addWidget(self.cards[n], i // cols, i % cols)
        self._cols = cols

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        if self.order and self._columns() != getattr(self, "_cols", 0):
            self._layout_cards()

    def best_checkpoint(self) -> str | None:
        """The end checkpoint (else the newest) of the best complete trial."""
        if not self.data:
            return None
        recs = [r for r in sw.ranked(self.data["trials"], bool(self.data.get("maximize"))) if r["state"] == "COMPLETE"]
        if not recs or not recs[0].get("run_dir"):
            return None
        ck = Path(recs[0]["run_dir"]) / "checkpoints"
        found = sorted(ck.glob("end_*.pt")) or sorted(ck.glob("*.pt"), key=lambda p: p.stat().st_mtime)
        return str(found[-1]) if found else None

    def branch_best(self) -> None:
        path = self.best_checkpoint()
        if path is not None:
            self.branch_requested.emit(path)


def install(model: StudioModel, tabs, menu_bar, say, *, open_run, branch) -> SweepPanel:
    """The sweep tab and Run › New sweep… (`panel.action`): the model's next-run configuration is the
    sweep's base; Open shows a trial in the Training tab (`open_run(path)`, True when shown), Branch
    from best starts a run there (`branch(path, cfg)`, the checkpoint actions')."""
    panel = SweepPanel(lambda: (model.config(), model.name or "sweep"), tabs)
    tabs.addTab(panel, "Sweep")

    def show_training():
        tabs.setCurrentIndex(0)

    def open_trial(path: str) -> None:
        if open_run(path):
            show_training()

    def best(path: str) -> None:
        try:   # the best trial's own settings, as its run directory keeps them
            cfg = load_preset(Path(path).parent.parent / "config.toml")
        except ConfigError as e:
            say.error(f"cannot branch from {path}: {e}")
            return
        if branch(path, cfg):
            show_training()

    panel.open_requested.connect(open_trial)
    panel.branch_requested.connect(best)
    menu = next((a.menu() for a in menu_bar.actions() if a.text().replace("&", "") == "Run"), None)
    if menu is None:
        menu = menu_bar.addMenu("&Run")
        menu_bar.insertMenu(menu_bar.actions()[0], menu)
    act = QAction("New &sweep…", menu)
    act.setShortcut(QKeySequence("Ctrl+Shift+W"))
    act.triggered.connect(lambda: tabs.setCurrentWidget(panel))
    menu.addAction(act)
    panel.action = act
    return panel
