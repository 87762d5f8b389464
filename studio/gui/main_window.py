"""The studio's main window: presets and hyperparameters on the left, the game and the loss curves in
the middle (the latent explorer in its own tab), checkpoints, metrics and the log below.

The window holds no training state and no engine object of its own: a `Session` runs the Trainer,
takes typed commands and its event signals drive the panels; a `RunFollower` does the same for a run
directory opened from disk.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QMainWindow, QScrollArea, QSplitter,
                               QTabWidget, QVBoxLayout, QWidget)

from ..config.paths import runs_dir
from ..config.presets import load_preset
from ..config.schema import ConfigError
from ..engine.commands import Pause, Resume, Rollback, SaveNow, SetParam, StepOnce
from ..engine.events import (CheckpointSaved, Evaluation, Failed, GeneratorCopy, Message, ParamChanged,
                             StateChanged)
from ..engine.runlog import read_metrics
from .actions.checkpoints import CheckpointActions
from .panels.banner import Banner
from .panels.checkpoints import CheckpointsPanel
from .panels.controls import Controls
from .panels.game_area import GameArea
from .panels.latent_explorer import LatentExplorer
from .panels.log_panel import LogPanel
from .panels.loss_plot import LossPlot
from .panels.metrics_panel import MetricsPanel
from .panels.param_form import ParamForm
from .panels.preset_list import PresetList
from .panels.status_bar import StatusBar, fmt_time
from .run_follower import RunFollower, is_run_dir, route_records
from .session import Session


class MainWindow(QMainWindow):
    def __init__(self, preset: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("GAN Studio")
        self.preset_name: str | None = None
        self.follower: RunFollower | None = None
        self.session = Session(self)
        self._build()
        self.ckpt = CheckpointActions(self)
        self._wire()
        self._restore(preset)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.controls = Controls(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.controls)
        self.presets = PresetList(self)
        self.form = ParamForm(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.addWidget(self.presets)
        left.addWidget(scroll)
        self.left_split = left
        self.left_dock = self._dock("Presets and hyperparameters", "dock_left", left,
                                    Qt.DockWidgetArea.LeftDockWidgetArea)
        self.game = GameArea(self)
        self.plot = LossPlot(self)
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.addWidget(self.game)
        self.split.addWidget(self.plot)
        self.split.setSizes([560, 560])
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.split, "Training")
        self.latent_holder = QWidget(self)
        QVBoxLayout(self.latent_holder).setContentsMargins(0, 0, 0, 0)
        self.latent: LatentExplorer | None = None
        self._keep_view: dict[int, bool] = {}      # generator copies asked for, and whether to keep the view
        self._explored_run: str | None = None      # the run whose generator the explorer shows
        self.tabs.addTab(self.latent_holder, "Latent explorer")
        self.tabs.currentChanged.connect(lambda i: i == 1 and self._explore_live())
        self.banner = Banner(self)
        central = QWidget(self)
        v = QVBoxLayout(central)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(0)
        v.addWidget(self.banner)
        v.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.checkpoints = CheckpointsPanel(self)
        self.metrics = MetricsPanel(self)
        self.log = LogPanel(self)
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.ck_dock = self._dock("Checkpoints", "dock_checkpoints", self.checkpoints, bottom)
        self.metrics_dock = self._dock("Metrics", "dock_metrics", self.metrics, bottom)
        self.log_dock = self._dock("Log", "dock_log", self.log, bottom)
        self.tabifyDockWidget(self.ck_dock, self.metrics_dock)
        self.tabifyDockWidget(self.metrics_dock, self.log_dock)
        self.ck_dock.raise_()
        self.resizeDocks([self.left_dock], [300], Qt.Orientation.Horizontal)
        self.resizeDocks([self.ck_dock], [160], Qt.Orientation.Vertical)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.resize(1400, 900)

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        d = QDockWidget(title, self)
        d.setObjectName(name)
        d.setWidget(widget)
        d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                      | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, d)
        return d

    def _wire(self) -> None:
        a = self.controls.actions_by_name
        a["train"].triggered.connect(self.train_or_pause)
        a["step"].triggered.connect(lambda: self.step("iter"))
        a["step_d"].triggered.connect(lambda: self.step("d"))
        a["step_g"].triggered.connect(lambda: self.step("g"))
        a["stop"].triggered.connect(self.session.stop)
        a["save"].triggered.connect(lambda: self.session.send(SaveNow()))
        a["open"].triggered.connect(self.ask_open_run)
        self.presets.chosen.connect(self.choose_preset)
        self.form.edited.connect(self._form_edited)
        s = self.session
        s.started.connect(self._started)
        s.metrics.connect(self._metrics)
        s.snapshot.connect(lambda snap: self.game.show_snapshot(snap.view, snap.data, snap.step))
        s.event.connect(self._event)
        s.state_changed.connect(self._state_changed)
        s.finished.connect(self._finished)
        self.metrics.badge_count_changed.connect(
            lambda n: self.metrics_dock.setWindowTitle(f"Metrics ⚠ {n}" if n else "Metrics"))

    # ------------------------------------------------------------------ presets and runs
    def choose_preset(self, name: str) -> bool:
        if self.session.live:
            return False
        try:
            cfg = load_preset(name)
        except ConfigError as e:
            self.report_error(str(e))
            return False
        self._stop_following()
        self.preset_name = name
        self.form.set_config(cfg)
        self._reset_panels()
        self.game.set_caption(f"<b>{cfg.title}</b>")
        self.setWindowTitle(f"GAN Studio · {name}")
        self._state_changed(self.session.state)
        return True

    def start(self, cfg=None, *, name=None, run_dir=None, resume=None, paused=False) -> None:
        self._stop_following()
        self._reset_panels()
        self.banner.hide()
        cfg = cfg or self.form.config()
        self.game.set_caption(f"<b>{cfg.title or name or self.preset_name}</b>")
        self.session.start(cfg, name=name or self.preset_name or "run",
                           run_dir=run_dir, resume=resume, paused=paused)

    def train_or_pause(self) -> None:
        state = self.session.state
        if state == "running":
            self.session.send(Pause())
        elif state == "paused":
            self.session.send(Resume())
        elif state == "idle":
            self.start()

    def step(self, kind: str) -> None:
        if self.session.state == "idle":
            self.start(paused=True)
        self.session.send(StepOnce(kind))

    def ask_open_run(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open run directory", str(runs_dir()))
        if path:
            self.open_run(path)

    def open_run(self, path) -> bool:
        """Show a run directory's curves, samples and checkpoints, following it as it grows."""
        if self.session.live:
            self.report_error("Stop the current run before opening another one.")
            return False
        if not is_run_dir(path):
            self.report_error(f"{path}: not a run directory (no metrics.jsonl, config.toml or checkpoints/)")
            return False
        self._stop_following()
        self._reset_panels()
        run = Path(path)
        try:
            self.form.set_config(load_preset(run / "config.toml"))
        except ConfigError as e:
            self.log.append(f"config of the run not readable: {e}", "warning")
        self.preset_name = run.name
        self.setWindowTitle(f"GAN Studio · {run}")
        self.game.set_caption(f"<b>{run.name}</b> (opened from disk)")
        self.checkpoints.set_run_dir(run)
        self.follower = RunFollower(run, parent=self)
        self.follower.records.connect(self._records)
        self.follower.samples.connect(lambda p: self.game.show_samples(p, f"<b>{run.name}</b> · {Path(p).name}"))
        self.follower.checkpoints_changed.connect(self.checkpoints.refresh)
        self.follower.start()
        self.log.append(f"opened run {run}")
        self._state_changed("viewing")
        return True

    def _stop_following(self) -> None:
        if self.follower is not None:
            self.follower.stop()
            self.follower.deleteLater()
            self.follower = None

    def _reset_panels(self) -> None:
        self.plot.clear()
        self.game.clear()
        self.metrics.clear()
        self.status.reset()

    # ------------------------------------------------------------------ session signals
    def _started(self, ev) -> None:
        self.checkpoints.set_run_dir(ev.run_dir or None)
        if ev.resumed_from:
            self._history(Path(ev.resumed_from).resolve().parent.parent, ev.step)
        how = f" (resumed from {ev.resumed_from} at step {ev.step})" if ev.resumed_from else ""
        self.log.append(f"training {self.session_name()} on {ev.device}{how} → {ev.run_dir}")
        self.status["device"].setText(ev.device)

    def session_name(self) -> str:
        return self.preset_name or "run"

    def _metrics(self, batch: list) -> None:
        self.plot.add_records((ev.step, ev.values) for ev in batch)
        trace = [(ev.step, ev.values["theta"], ev.values["d_slope"]) for ev in batch
                 if "theta" in ev.values and "d_slope" in ev.values]     # the 1D shift game
        if trace:
            self.game.view("1d").add_trace(trace)
        self.status.progress(batch[-1].step, batch[-1].elapsed)

    def _event(self, ev) -> None:
        if isinstance(ev, CheckpointSaved):
            self.checkpoints.refresh()
            self.log.append(f"checkpoint ({ev.reason}) at step {ev.step:,}: {ev.path}")
        elif isinstance(ev, ParamChanged):
            self.form.set_value(ev.key, ev.new)
            text = f"{ev.key}: {ev.old:g} → {ev.new:g}" if isinstance(ev.new, float) else \
                f"{ev.key}: {ev.old} → {ev.new}"
            self.plot.add_marker(ev.step, text)
            self.log.append(f"step {ev.step:,}: {text}", "change")
        elif isinstance(ev, Message):
            self.metrics.add_message(ev.step, ev.level, ev.text, ev.code)
            self.log.append(f"step {ev.step:,}: {ev.text}", ev.level)
            if ev.code == "diverged":    # the run is paused: offer the way back
                self.banner.show_error(ev.text, "Roll back to last good checkpoint (halves the learning rates)",
                                       lambda: self.session.send(Rollback()))
        elif isinstance(ev, Evaluation):
            self.metrics.add_evaluation(ev.step, ev.values)
        elif isinstance(ev, GeneratorCopy):
            keep = self._keep_view.pop(ev.request, False)
            self._explored_run = self.session.run_dir
            self.latent_explorer().set_source(ev.model, keep_view=keep)
            self.log.append(f"latent explorer: generator copied at step {ev.step:,}")
        elif isinstance(ev, StateChanged):
            self.log.append(f"{ev.state} at step {ev.step:,}")

    def _history(self, run_dir: Path, step: int) -> None:
        """The curves of the run a resumed (or branched) run continues, up to its step."""
        recs = [r for r in read_metrics(run_dir / "metrics.jsonl") if r.get("step", 0) <= step
                and r.get("event") != "resume"]
        route_records(recs, self.plot, self.metrics)
        self.plot.add_marker(step, f"resumed at step {step:,}")

    def _records(self, recs: list) -> None:
        """Lines of a followed metrics.jsonl."""
        last = route_records(recs, self.plot, self.metrics)
        if last is not None:
            self.status.progress(int(last["step"]), float(last.get("t", 0.0)))

    def _state_changed(self, state: str) -> None:
        live = state in ("starting", "running", "paused")
        self.controls.set_state(state, has_config=self.preset_name is not None)
        self.form.set_running(live)
        self.presets.list.setEnabled(not live)
        self.checkpoints.set_live(live)
        if self.latent is not None:
            self.latent.set_live(live)
        self.status["state"].setText(state)

    def _finished(self, ev) -> None:
        if isinstance(ev, Failed):   # a traceback only for a real bug, with a line asking to report it
            bug = " This is a bug in GAN Studio: please report it with the details in the Log tab." if ev.bug else ""
            self.report_error(f"Training failed at step {ev.step}: {ev.message.rstrip('.')}.{bug}",
                              ev.traceback if ev.bug else "")
        else:
            self.log.append(f"{ev.reason} after {ev.step:,} steps ({fmt_time(ev.elapsed)})")
        self.checkpoints.refresh()

    def _form_edited(self, key: str, value) -> None:
        if self.session.live:
            self.session.send(SetParam(key, value))

    def report_error(self, text: str, detail: str = "") -> None:
        self.banner.show_error(text)
        self.log.append(text, "error", detail)

    # ------------------------------------------------------------------ latent explorer
    def latent_explorer(self) -> LatentExplorer:
        if self.latent is None:
            self.latent = LatentExplorer(self.latent_holder)
            self.latent.refresh_requested.connect(lambda: self._ask_generator(keep_view=True))
            self.latent.set_live(self.session.live)
            self.latent_holder.layout().addWidget(self.latent)
        return self.latent

    def _explore_live(self) -> None:
        """Opening the tab during a run explores the running generator: a copy made between two
        steps, asked for once per run (Refresh asks again)."""
        self.latent_explorer()
        if self.session.live and self._explored_run != self.session.run_dir:
            self._ask_generator(keep_view=False)

    def _ask_generator(self, keep_view: bool) -> None:
        if self.session.live:
            self._keep_view[self.session.request_generator_copy()] = keep_view

    # ------------------------------------------------------------------ settings and closing
    def _restore(self, preset: str | None) -> None:
        st = QSettings()
        geo, state = st.value("window/geometry"), st.value("window/state")
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self.plot.log_box.setChecked(st.value("plot/log", False, type=bool))
        self.plot.slider.setValue(st.value("plot/smoothing", 0, type=int))
        name = preset or st.value("last_preset", "", type=str)
        names = self.presets.names()
        if preset and preset not in names:
            self.report_error(f"preset '{preset}' not found; available: {', '.join(names)}")
        if name not in names:
            name = "toy-1d-shift" if "toy-1d-shift" in names else (names[0] if names else "")
        if name:
            self.presets.select(name)

    def showEvent(self, e) -> None:
        super().showEvent(e)
        if not getattr(self, "_sized", False):     # splitter sizes only stick once laid out
            self._sized = True
            h = max(self.left_split.height(), 400)
            self.left_split.setSizes([int(h * 0.42), h - int(h * 0.42)])
            QTimer.singleShot(0, self.presets.scroll_to_current)

    def closeEvent(self, e) -> None:
        self._stop_following()
        if self.session.live:
            self.log.append("closing: stopping the run and saving a checkpoint")
            self.session.shutdown(save=True)
        self.ckpt.jobs.wait()
        if self.latent is not None:
            self.latent.shutdown()
        st = QSettings()
        st.setValue("window/geometry", self.saveGeometry())
        st.setValue("window/state", self.saveState())
        st.setValue("plot/log", self.plot.log)
        st.setValue("plot/smoothing", self.plot.slider.value())
        if self.preset_name in self.presets.names():
            st.setValue("last_preset", self.preset_name)
        super().closeEvent(e)
