"""The studio's main window: presets and hyperparameters on the left, the game and the loss curves in
the middle (the latent explorer in its own tab), checkpoints, metrics and the log below.

The window holds no training state and no engine object of its own: a `Session` runs the Trainer,
takes typed commands and its event signals drive the panels; a `RunFollower` does the same for a run
directory opened from disk. Before a run, the centre shows the chosen preset's game as it starts,
built on a worker thread (`tools.model_io.preview`); a newer choice supersedes a pending one.

Layout: the left dock is as wide as the form needs (the form scrolls rather than squeezing), the
checkpoints dock is one line until there are checkpoints, and the window fits 1024x700 with nothing
cut; splitter and dock sizes are remembered, within sensible bounds. The status bar says at every
moment what is going on, which run and checkpoint are on screen, the step and the speed.
"""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QApplication, QDockWidget, QFileDialog, QFrame, QMainWindow, QMessageBox,
                               QScrollArea, QSplitter, QStyle, QTabWidget, QVBoxLayout, QWidget)

from ..config.paths import runs_dir
from ..config.presets import load_preset
from ..config.schema import ConfigError
from ..engine.commands import Pause, Resume, Rollback, SaveNow, SetParam, SlowStep, StepOnce
from ..engine.events import (CheckpointSaved, Evaluation, Failed, GeneratorCopy, Message, ParamChanged,
                             Progress, SlowMotion, StateChanged)
from ..engine.runlog import read_metrics
from ..tools import model_io
from . import theme
from .actions.checkpoints import CheckpointActions
from .actions.dirac_compare import LINK as DIRAC_LINK
from .actions.dirac_compare import DiracCompare
from .actions.jobs import Jobs
from .actions.memorisation import MemorisationActions
from .actions.own_data import OwnData, data_note
from .actions.rewind import Rewind
from .help import ShortcutsDialog, TourDialog
from .panels.banner import Banner
from .panels.checkpoints import CheckpointsPanel
from .panels.controls import Controls
from .panels.game_area import PREPARING, GameArea
from .panels.latent_explorer import LatentExplorer
from .panels.log_panel import LogPanel
from .panels.loss_plot import LossPlot
from .panels.metrics_panel import MetricsPanel
from .panels.param_form import ParamForm
from .panels.preset_list import PresetList
from .panels.runs_browser import RunsBrowser
from .panels.status_bar import StatusBar, fmt_time
from .panels.sweep_panel import install as install_sweep
from .run_follower import RunFollower, is_run_dir, route_records
from .session import Session

APP = "GAN Studio"
LAYOUT_VERSION = 2            # saved window states of older layouts are not restored
LEFT_MAX = 440                # the left dock's width never needs more; the form scrolls beyond
BOTTOM_SHARE = 0.3            # the checkpoints dock never takes more of the window's height
PREVIEW_KEYS = ("data.", "model.", "variant.", "train.seed")   # edits that change the game's start
STATE_TEXT = {"starting": "Starting…", "running": "Training", "paused": "Paused", "idle": "Idle",
              "viewing": "Viewing a run"}


class MainWindow(QMainWindow):
    def __init__(self, preset: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(APP)
        self.preset_name: str | None = None
        self.follower: RunFollower | None = None
        self.session = Session(self)
        self.previews = Jobs(self)           # the preset's game before training, off the GUI thread
        self._preview_gen = 0                # the newest preview asked for; older ones are dropped
        self._start_queued = False           # Train pressed while a preview was being built
        self.shown_checkpoint: str | None = None     # a loaded checkpoint the centre shows
        self._evaluating: int | None = None  # the step after which the run is measuring quality
        self._bottom_grown = False
        self._last_width = 0
        self._build()
        self.ckpt = CheckpointActions(self)
        self.memo = MemorisationActions(self)     # the Memorisation tab and its check, off the GUI thread
        self.own_data = OwnData(self)        # drawn points and points files become the run's data
        self.dirac = DiracCompare(self)      # View › Dirac-GAN: compare training methods
        self._menus()
        self._wire()
        self.rewind = Rewind(self)           # the toolbar's speed, the rewind timeline, branching
        self.sweep = install_sweep(self)     # the Sweep tab and Run › New sweep…
        self._restore(preset)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.controls = Controls(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.controls)
        self.presets = PresetList(self)
        self.form = ParamForm(self)
        self.form_scroll = scroll = QScrollArea(self)
        scroll.setObjectName("form_scroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # the form keeps its fields' minimum sizes; the dock is made wide enough for them, and
        # should it still be narrower, the form scrolls sideways instead of being cut
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.setObjectName("left_split")
        left.addWidget(self.presets)
        left.addWidget(scroll)
        left.setChildrenCollapsible(False)
        left.setStretchFactor(0, 4)
        left.setStretchFactor(1, 5)
        self.left_split = left
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.left_dock = self._dock("Presets and hyperparameters", "dock_left", left,
                                    Qt.DockWidgetArea.LeftDockWidgetArea)
        self.game = GameArea(self)
        self.plot = LossPlot(self)
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.setObjectName("centre_split")
        self.split.addWidget(self.game)
        self.split.addWidget(self.plot)
        self.split.setChildrenCollapsible(False)     # neither side shrinks below its legends and axes
        self.split.setStretchFactor(0, 11)
        self.split.setStretchFactor(1, 9)
        self.split.setSizes([560, 460])
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.split, "Training")
        self.latent_holder = QWidget(self)
        QVBoxLayout(self.latent_holder).setContentsMargins(0, 0, 0, 0)
        self.latent: LatentExplorer | None = None
        self._keep_view: dict[int, tuple] = {}     # generator copies asked for: (keep the view, asked by hand)
        self._explored_run: str | None = None      # the run whose generator the explorer shows
        self.tabs.addTab(self.latent_holder, "Latent explorer")
        self.tabs.currentChanged.connect(lambda i: i == 1 and self._explore_live())
        self.runs = RunsBrowser(self)              # compare runs: the runs folder and folders opened
        self.tabs.addTab(self.runs, "Runs")
        self.runs.open_requested.connect(lambda p: self.open_run(p) and self.tabs.setCurrentIndex(0))
        self.runs.message.connect(lambda level, text: self.log.append(text, level))
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
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self._default_size()

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        d = QDockWidget(title, self)
        d.setObjectName(name)
        d.setWidget(widget)
        d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                      | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                      | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, d)
        return d

    def _default_size(self) -> None:
        """1400x900, or nine tenths of a smaller screen."""
        screen = self.screen() or QApplication.primaryScreen()
        w, h = 1400, 900
        if screen is not None:
            avail = screen.availableGeometry()
            w, h = min(w, int(avail.width() * 0.92)), min(h, int(avail.height() * 0.92))
            # a little room around the window where there is room; all of a small screen otherwise
            w = w if w >= 1024 else min(1024, avail.width())
            h = h if h >= 700 else min(700, avail.height())
        self.resize(w, h)

    def _menus(self) -> None:
        bar = self.menuBar()
        view = bar.addMenu("&View")
        themes = view.addMenu("&Theme")
        self.theme_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for choice, text in (("system", "Follow the &system"), ("light", "&Light"), ("dark", "&Dark")):
            a = QAction(text, self, checkable=True)
            a.setObjectName(f"theme_{choice}")
            a.triggered.connect(lambda _=False, c=choice: self.set_theme(c))
            group.addAction(a)
            themes.addAction(a)
            self.theme_actions[choice] = a
        self.theme_actions[theme.saved_choice()].setChecked(True)
        toggle = QAction("Switch light / dark", self)
        toggle.setShortcut(QKeySequence("Ctrl+Shift+T"))
        toggle.triggered.connect(lambda: self.set_theme("light" if theme.is_dark() else "dark"))
        themes.addSeparator()
        themes.addAction(toggle)
        view.addSeparator()
        for d in (self.left_dock, self.ck_dock, self.metrics_dock, self.log_dock):
            view.addAction(d.toggleViewAction())
        view.addSeparator()
        dirac = view.addAction("&Dirac-GAN: compare training methods…")
        dirac.setObjectName("dirac_compare")
        dirac.triggered.connect(self.dirac.open)
        self.game.caption.linkActivated.connect(self.dirac.link)
        view.addAction(self.memo.action)
        runs = view.addAction("&Compare runs")
        runs.setObjectName("compare_runs")
        runs.setShortcut(QKeySequence("Ctrl+Shift+R"))
        runs.triggered.connect(lambda: self.tabs.setCurrentWidget(self.runs))
        view.addSeparator()
        reset = view.addAction("&Reset layout")
        reset.triggered.connect(self.reset_layout)
        helpm = bar.addMenu("&Help")
        tour = helpm.addAction("Guided &tour…")
        tour.setShortcut(QKeySequence("F1"))
        tour.triggered.connect(self.show_tour)
        keys = helpm.addAction("&Keyboard shortcuts…")
        keys.triggered.connect(self.show_shortcuts)
        helpm.addSeparator()
        about = helpm.addAction("&About GAN Studio")
        about.triggered.connect(lambda: QMessageBox.about(
            self, "About GAN Studio", "<b>GAN Studio</b><p>Train generative adversarial networks and "
            "watch the game between generator and discriminator. Every run also works headless: "
            "<code>gan-studio train --preset NAME</code>.</p>"))
        self.help_menu, self.view_menu = helpm, view

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
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(350)
        self._preview_timer.timeout.connect(lambda: self.request_preview(keep=True))
        self.game.view_made.connect(self._wire_view)
        for name, view in self.game.views.items():     # views made before (the 2D view's drawing)
            self._wire_view(name, view)
        s = self.session
        s.started.connect(self._started)
        s.metrics.connect(self._metrics)
        s.snapshot.connect(self._snapshot)
        s.event.connect(self._event)
        s.state_changed.connect(self._state_changed)
        s.evaluating.connect(self._evaluation_starts)
        s.finished.connect(self._finished)
        self.metrics.badge_count_changed.connect(
            lambda n: self.metrics_dock.setWindowTitle(f"Metrics ⚠ {n}" if n else "Metrics"))

    # ------------------------------------------------------------------ what the window says
    def _set_title(self, name: str | None) -> None:
        self.setWindowTitle(f"{APP} · {name}" if name else APP)

    def _show_state(self) -> None:
        state = self.session.state
        if state == "idle" and self.follower is not None:
            state = "viewing"
        text = STATE_TEXT.get(state, state)
        if self._evaluating is not None and self.session.live:
            text = f"Evaluating at step {self._evaluating:,}…"
        self.status.set_state(text)

    def flash(self, text: str) -> None:
        """Confirm an action where the user looks: the status bar (and the log)."""
        self.status.flash(text)

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
        self.shown_checkpoint = None            # the centre shows this preset's game again
        self.preset_name = name
        self.form.set_config(cfg)
        cfg = self.own_data.preset_chosen(cfg)   # points drawn in the 2D view stay the data
        self._fit_left_dock()
        self._reset_panels(PREPARING.format(html.escape(cfg.title or name)))
        self.game.set_caption(self._caption(cfg, name, "the game before training"))
        self._set_title(name)
        self.status.set_shown(f"preset {name}", "", f"{cfg.title}: not trained yet (the centre shows "
                              f"its game as a run would start)")
        self.metrics.set_schedule(cfg.eval.every)
        self._state_changed(self.session.state)
        self.request_preview()
        return True

    def _caption(self, cfg, name: str, what: str = "") -> str:
        title = html.escape(cfg.title or name)
        desc = html.escape(cfg.description or "")
        note = data_note(cfg)                   # the run's own data: the preset's words are not about it
        if note:
            desc = f"<b>{note}</b>"
        if cfg.model.kind == "dirac":
            desc += f" <a href='{DIRAC_LINK}'>Compare training methods on this game…</a>"
        head = f"<b>{title}</b>" + (f" &nbsp;<span style='opacity:0.75'>· {html.escape(what)}</span>" if what else "")
        return head + (f"<br><span style='font-size:small'>{desc}</span>" if desc else "")

    def request_preview(self, keep: bool = False) -> None:
        """Show the game the form's config starts with, built on a worker thread. A newer request
        supersedes an older one: one still waiting never runs, a late answer is dropped. With
        `keep`, the view on screen stays until the new picture is there (an edit in the form)."""
        if self.session.live or self.follower is not None or self.shown_checkpoint is not None:
            return
        self._preview_gen += 1
        gen = self._preview_gen
        cfg = self.form.config()

        def work():
            if gen != self._preview_gen:        # superseded while waiting
                return None
            return model_io.preview(cfg)

        self.previews.run(work, lambda out: self._previewed(gen, out, keep),
                          lambda e, tb: self._preview_failed(gen, cfg, e, tb))

    def _preview_current(self, gen: int) -> bool:
        return (gen == self._preview_gen and not self.session.live and self.follower is None
                and self.shown_checkpoint is None)

    def _previewed(self, gen: int, out, keep: bool) -> None:
        if out is None or not self._preview_current(gen):
            return
        view, data = out
        shown = self.game.view(view)
        shown.clear()                       # a new start: no history carried over
        self.game.show_snapshot(view, data, 0)
        if keep or self.isVisible():
            shown.flush()

    def _preview_failed(self, gen: int, cfg, e: Exception, tb: str) -> None:
        if not self._preview_current(gen) or self.own_data.show_canvas(cfg):
            return
        title = html.escape(cfg.title or self.preset_name or "this configuration")
        if isinstance(e, (ConfigError, OSError)):
            text = str(e)
            src = str(getattr(cfg, "source", ""))
            if src and text.startswith(src):
                text = text[len(src):].lstrip(": ")
            self.game.show_message(f"<h3>{title}</h3><p>Its game cannot be built yet: "
                                   f"{html.escape(text)}</p><p>Fix it in the form on the left; "
                                   f"the picture follows.</p>")
        else:   # a bug: the traceback goes to the log
            self.game.show_message(f"<h3>{title}</h3><p>The preview failed ({html.escape(type(e).__name__)}); "
                                   f"the Log tab has the details.</p>")
            self.log.append(f"preview of {cfg.title or self.preset_name} failed: {type(e).__name__}: {e}",
                            "error", tb)

    def start(self, cfg=None, *, name=None, run_dir=None, resume=None, paused=False, first=None) -> bool:
        """Start a run of `cfg` (the form's by default); `first` is a command it gets at once (Step
        from idle). A preview being built is waited for off the GUI thread: both it and the Trainer
        seed and draw from torch's global generator, and the preview restores it when it ends."""
        if cfg is None:
            bad = self.form.errors()
            if bad:          # a marked field still shows a value that was not applied
                key, why = next(iter(bad.items()))
                self.report_error(f"Fix the marked field{'s' * (len(bad) > 1)} first: {key}: {why}")
                return False
            cfg = self.form.config()
        self._stop_following()
        self._preview_gen += 1                  # a preview still on its way is no longer wanted
        if self._start_queued:
            return True
        args = dict(name=name, run_dir=run_dir, resume=resume, paused=paused, first=first)
        if self.previews.busy:
            self._start_queued = True
            self.status.showMessage("Starting as soon as the preview is done…")
            self.previews.run(lambda: None, lambda _: self._start_now(cfg, **args),
                              lambda e, tb: self._start_now(cfg, **args))
            return True
        self._start_now(cfg, **args)
        return True

    def _start_now(self, cfg, *, name, run_dir, resume, paused, first) -> None:
        self._start_queued = False
        if self.session.live:
            return
        self.shown_checkpoint = None
        run_name = name or self.preset_name or "run"
        self._reset_panels(f"<p>Starting <b>{html.escape(run_name)}</b>…</p>")
        self.banner.hide()
        if self.presets.current() != run_name:       # a resumed or branched run, not the preset chosen
            self.presets.clear_choice()
        self._set_title(run_name)
        self.game.set_caption(self._caption(cfg, run_name))
        self.status.set_shown(f"run {run_name}", "", "starting")
        self.metrics.set_schedule(cfg.eval.every)
        self._bottom_grown = False
        self.session.start(cfg, name=run_name, run_dir=run_dir, resume=resume, paused=paused)
        if first is not None:
            self.session.send(first)

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
            self.start(paused=True, first=StepOnce(kind))
        else:
            self.session.send(StepOnce(kind))

    def ask_open_run(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open run directory", str(runs_dir()))
        if path:
            self.open_run(path)

    def open_run(self, path) -> bool:
        """Show a run directory's curves, samples and checkpoints, following it as it grows. The centre
        shows its newest samples, or else its newest checkpoint; the preset list chooses nothing."""
        if self.session.live:
            self.report_error("Stop the current run before opening another one.")
            return False
        if not is_run_dir(path):
            self.report_error(f"{path}: not a run directory (no metrics.jsonl, config.toml or checkpoints/)")
            return False
        self._stop_following()
        self._preview_gen += 1
        self.shown_checkpoint = None
        run = Path(path)
        self._reset_panels(f"<h3>{html.escape(run.name)}</h3><p>opened from disk: its curves are on the "
                           f"right. It has no samples or checkpoint to show yet; they appear here as "
                           f"the run writes them.</p>")
        cfg = None
        try:
            cfg = load_preset(run / "config.toml")
            self.form.set_config(cfg)
            self._fit_left_dock()
            self.metrics.set_schedule(cfg.eval.every)
        except ConfigError as e:
            self.log.append(f"config of the run not readable: {e}", "warning")
        self.presets.clear_choice()            # no preset is chosen: a run is
        self.preset_name = run.name
        self._set_title(run.name)
        what = "opened from disk"
        self.game.set_caption(self._caption(cfg, run.name, what) if cfg is not None else
                              f"<b>{html.escape(run.name)}</b> ({what})")
        self.status.set_shown(f"run {run.name}", "", str(run))
        self.checkpoints.set_run_dir(run)
        self._bottom_grown = False
        self._fit_bottom_dock()
        self.follower = RunFollower(run, parent=self)
        self.follower.records.connect(self._records)
        self.follower.samples.connect(self._followed_samples)
        self.follower.checkpoints_changed.connect(self._followed_checkpoints)
        self.follower.start()
        self.rewind.follow(self.follower)      # the timeline scrubs its sample grids
        self.log.append(f"opened run {run}")
        self.runs.add_folder(run.parent, announce=False)   # its neighbours appear in the runs browser
        self._state_changed("viewing")
        if self.game.current_view is None:     # no samples: the newest checkpoint's state
            self._show_newest_checkpoint()
        self.flash(f"Opened run {run.name}")
        return True

    def _followed_samples(self, png: str) -> None:
        if not self.rewind.live():             # rewound: the timeline's grid stays on screen
            return
        run = self.follower.run_dir.name if self.follower is not None else ""
        if self.game.show_samples(png, f"<b>{html.escape(run)}</b> · newest samples ({Path(png).name})"):
            self.shown_checkpoint = None
            self.status.set_shown(f"run {run}", Path(png).name, png)

    def _followed_checkpoints(self) -> None:
        self.checkpoints.refresh()
        self._fit_bottom_dock()
        if self.game.current_view is None:
            self._show_newest_checkpoint()

    def _show_newest_checkpoint(self) -> None:
        paths = self.checkpoints.paths()
        if paths and not self.ckpt.jobs.busy:
            self.ckpt.load(paths[0], quiet=True)

    def _stop_following(self) -> None:
        if self.follower is not None:
            self.follower.stop()
            self.follower.deleteLater()
            self.follower = None

    def _reset_panels(self, message: str | None = None) -> None:
        self.plot.clear()
        if message is None:
            self.game.clear()
        else:
            self.game.clear(message)
        self.metrics.clear()
        self.status.reset()
        self._evaluating = None

    # ------------------------------------------------------------------ session signals
    def _started(self, ev) -> None:
        self.checkpoints.set_run_dir(ev.run_dir or None)
        self._fit_bottom_dock()
        if ev.resumed_from:
            self._history(Path(ev.resumed_from).resolve().parent.parent, ev.step)
        how = f" (resumed from {ev.resumed_from} at step {ev.step})" if ev.resumed_from else ""
        self.log.append(f"training {self.session_name()} on {ev.device}{how} → {ev.run_dir}")
        self.status.set_device(ev.device)
        run = Path(ev.run_dir).name if ev.run_dir else self.session_name()
        self.status.set_shown(f"run {run}", "", ev.run_dir or "")
        self.status.show_step(ev.step, "the run's newest step")
        self.metrics.set_schedule(self.session.config.eval.every if self.session.config else 0, ev.step)

    def session_name(self) -> str:
        return self.preset_name or "run"

    def _snapshot(self, snap) -> None:
        if self.rewind.live():               # rewound: the view holds the step chosen on the timeline
            self.game.show_snapshot(snap.view, snap.data, snap.step)

    def _metrics(self, batch: list) -> None:
        self.plot.add_records((ev.step, ev.values) for ev in batch)
        trace = [(ev.step, ev.values["theta"], ev.values["d_slope"]) for ev in batch
                 if "theta" in ev.values and "d_slope" in ev.values]     # the 1D shift game
        if trace:
            self.game.view("1d").add_trace(trace)
        last = batch[-1]
        if self._evaluating is not None and last.step > self._evaluating:
            self._evaluation_ends()
        self.status.progress(last.step, last.elapsed)

    def _evaluation_starts(self, step: int) -> None:
        self._evaluating = step
        self.metrics.set_evaluating(step)
        self._show_state()

    def _evaluation_ends(self) -> None:
        self.status.set_task("")
        if self._evaluating is not None:
            self._evaluating = None
            self.metrics.set_schedule(self.metrics.every, self.session.step)
            self._show_state()

    def _wire_view(self, name: str, view) -> None:
        """Slow motion (the 1D and 2D views): it pauses the run and asks for one SlowStep at a time."""
        slow = getattr(view, "slow", None)
        if slow is None:
            return
        slow.set_pace(self.controls.pace())
        self.controls.pace_changed.connect(slow.set_pace)
        slow.toggled.connect(lambda on: on and self.session.state == "running" and self.session.send(Pause()))
        slow.step_requested.connect(lambda: self.start(paused=True, first=SlowStep())
                                    if self.session.state == "idle" else self.session.send(SlowStep()))

    def _event(self, ev) -> None:
        if isinstance(ev, SlowMotion):
            self.game.view(ev.view).slow.play(ev.step, ev.phases)
        elif isinstance(ev, CheckpointSaved):
            self.checkpoints.refresh()
            self._fit_bottom_dock()
            self.log.append(f"checkpoint ({ev.reason}) at step {ev.step:,}: {ev.path}")
            if ev.reason == "manual":
                self.flash(f"Saved checkpoint {Path(ev.path).name} (step {ev.step:,})")
        elif isinstance(ev, ParamChanged):
            self.form.set_value(ev.key, ev.new)
            text = f"{ev.key}: {ev.old:g} → {ev.new:g}" if isinstance(ev.new, float) else \
                f"{ev.key}: {ev.old} → {ev.new}"
            self.plot.add_marker(ev.step, text)
            self.log.append(f"step {ev.step:,}: {text}", "change")
            if ev.key == "eval.every":
                self.metrics.set_schedule(int(ev.new), ev.step)
        elif isinstance(ev, Message):
            self.metrics.add_message(ev.step, ev.level, ev.text, ev.code)
            self.log.append(f"step {ev.step:,}: {ev.text}", ev.level)
            if ev.code == "eval":
                self.metrics.set_note(ev.text)
                self._evaluation_ends()
            elif ev.code == "diverged":    # the run is paused: offer the way back when there is one
                self._offer_rollback(ev.text)
            elif ev.code == "rollback":
                if ev.level == "error":
                    self.report_error(ev.text)
                else:
                    self.flash(ev.text[:1].upper() + ev.text[1:])
        elif isinstance(ev, Evaluation):
            self.metrics.add_evaluation(ev.step, ev.values)
            self._evaluation_ends()
        elif isinstance(ev, GeneratorCopy):
            keep, manual = self._keep_view.pop(ev.request, (False, True))
            if manual or self.latent_explorer().following:    # pinned since an automatic ask: dropped
                ev.model.run = Path(self.session.run_dir).name if self.session.run_dir else self.session_name()
                self._explored_run = self.session.run_dir
                self.latent_explorer().set_source(ev.model, keep_view=keep)
                if manual or not keep:
                    self.log.append(f"latent explorer: generator copied at step {ev.step:,}")
        elif isinstance(ev, StateChanged):
            self.log.append(f"{ev.state} at step {ev.step:,}")
            if ev.state == "running":       # resumed: slow motion ends
                for v in self.game.views.values():
                    if getattr(v, "slow", None) is not None:
                        v.slow.set_on(False)
        elif isinstance(ev, Progress):      # the feature classifier trains during an evaluation
            self.status.set_task(ev.text if ev.done < ev.total else "", ev.done, ev.total, ev.seconds)

    def _offer_rollback(self, text: str) -> None:
        """Roll back only when it can work: the run has a checkpoint with finite metrics."""
        self.checkpoints.refresh()
        good = self.checkpoints.good_checkpoint() if self.checkpoints.run_dir is not None and \
            self.session.run_dir and Path(self.checkpoints.run_dir) == Path(self.session.run_dir) else None
        if good is not None:
            self.banner.show_error(text, "Roll back", lambda: self.session.send(Rollback()),
                                   tip=f"Go back to {Path(good).name}, the last checkpoint with finite "
                                       f"metrics, with both learning rates halved")
        else:
            every = self.session.config.checkpoint.every if self.session.config else 0
            how = (f"checkpoint.every = {every:,}" if every else "checkpoint.every = 0: at the end only")
            self.banner.show_error(text, "Roll back", None,
                                   disabled_because=f"Rollback is not possible: this run has no checkpoint "
                                                    f"with finite metrics yet ({how}).")

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
            if self.shown_checkpoint is None:
                self.status.progress(int(last["step"]), float(last.get("t", 0.0)))
            else:     # the step shown is the checkpoint's; the run's time still moves on
                self.status["elapsed"].setText(f"elapsed {fmt_time(float(last.get('t', 0.0)))}")

    def _state_changed(self, state: str) -> None:
        live = state in ("starting", "running", "paused")
        self.controls.set_state(state, has_config=self.preset_name is not None)
        self.form.set_running(live)
        self.presets.list.setEnabled(not live)
        self.checkpoints.set_live(live)
        if self.latent is not None:
            self.latent.set_live(live)
        if not live:
            self._keep_view.clear()           # copies asked of a run that has ended never come
        self.status.set_running(state == "running")
        if state in ("paused", "idle"):
            self._evaluating = None
        self._show_state()

    def _finished(self, ev) -> None:
        if isinstance(ev, Failed):   # a traceback only for a real bug, with a line asking to report it
            bug = " This is a bug in GAN Studio: please report it with the details in the Log tab." if ev.bug else ""
            self.report_error(f"Training failed at step {ev.step}: {ev.message.rstrip('.')}.{bug}",
                              ev.traceback if ev.bug else "")
        else:
            self.log.append(f"{ev.reason} after {ev.step:,} steps ({fmt_time(ev.elapsed)})")
            self.flash(f"Run {ev.reason} at step {ev.step:,} after {fmt_time(ev.elapsed)}")
        self._evaluating = None
        self.status.set_task("")
        self.checkpoints.refresh()
        self._fit_bottom_dock()

    def _form_edited(self, key: str, value) -> None:
        if self.session.live:
            self.session.send(SetParam(key, value))
        elif key.startswith(PREVIEW_KEYS):
            self._preview_timer.start()        # the picture follows the edit (debounced)
        if key == "eval.every":
            self.metrics.set_schedule(int(value), self.session.step if self.session.live else 0)

    def report_error(self, text: str, detail: str = "") -> None:
        self.banner.show_error(text)
        self.log.append(text, "error", detail)

    # ------------------------------------------------------------------ checkpoints on screen
    def show_checkpoint(self, path: str, step: int, view: str, data: dict) -> None:
        """A loaded checkpoint's state in the centre (only while no run is live); the status bar
        says which run and which checkpoint, and the step is the checkpoint's."""
        self._preview_gen += 1
        self.shown_checkpoint = path
        shown = self.game.view(view)
        shown.clear()                        # another state: no history carried over
        self.game.show_snapshot(view, data, step)
        run = Path(path).resolve().parent.parent.name
        self.game.set_caption(f"<b>{html.escape(Path(path).name)}</b> · step {step:,} (loaded) · "
                              f"run {html.escape(run)}")
        self.status.set_shown(f"run {run}", Path(path).name, path)
        self.status.show_step(step, f"the step of the loaded checkpoint {Path(path).name}")

    # ------------------------------------------------------------------ sizes
    def _fit_left_dock(self) -> None:
        """The left dock as wide as the form's fields need (up to LEFT_MAX; beyond, the form scrolls
        sideways), and never narrower than that, whatever a saved state says."""
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        need = self.form.minimumSizeHint().width() + bar + 2 * self.form_scroll.frameWidth() + 4
        need = max(need, self.presets.minimumSizeHint().width(), 260)
        self.left_split.setMinimumWidth(min(need, LEFT_MAX))
        self._left_need = min(max(need, 320), LEFT_MAX)
        if self.left_dock.width() < self._left_need and self.isVisible():
            self.resizeDocks([self.left_dock], [self._left_need], Qt.Orientation.Horizontal)

    def _fit_bottom_dock(self) -> None:
        """One line for the checkpoints dock until the run has checkpoints; then room for the strip
        (once per run, so that a size the user chose stays)."""
        if not self.isVisible() or self.ck_dock.isFloating():
            return
        has = bool(self.checkpoints.paths())
        if has and self._bottom_grown:
            return
        self._bottom_grown = has
        want = self.checkpoints.sizeHint().height() + 8
        want = min(want, int(self.height() * BOTTOM_SHARE))
        self.resizeDocks([self.ck_dock], [max(want, 40)], Qt.Orientation.Vertical)

    def reset_layout(self) -> None:
        for d in (self.left_dock, self.ck_dock, self.metrics_dock, self.log_dock):
            d.setFloating(False)
            d.show()
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.left_dock)
        for d in (self.ck_dock, self.metrics_dock, self.log_dock):
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, d)
        self.tabifyDockWidget(self.ck_dock, self.metrics_dock)
        self.tabifyDockWidget(self.metrics_dock, self.log_dock)
        self.ck_dock.raise_()
        self._initial_sizes()

    def _initial_sizes(self) -> None:
        self._fit_left_dock()
        self.resizeDocks([self.left_dock], [self._left_want()], Qt.Orientation.Horizontal)
        self._bottom_grown = False
        self._fit_bottom_dock()
        h = max(self.left_split.height(), 400)
        self.left_split.setSizes([int(h * 0.46), h - int(h * 0.46)])
        w = max(self.split.width(), 600)
        self.split.setSizes([int(w * 0.55), w - int(w * 0.55)])

    def _left_want(self) -> int:
        """The left dock's comfortable width: a quarter of the window, within what the form needs
        and LEFT_MAX."""
        need = getattr(self, "_left_need", 320)
        return int(min(max(self.width() * 0.25, need), LEFT_MAX))

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        grew = self.width() > self._last_width
        self._last_width = self.width()
        if grew and getattr(self, "_sized", False) and self.left_dock.width() < self._left_want() \
                and not self.left_dock.isFloating():
            # a window made larger again gives the dock back its width, not all of it to the centre
            self.resizeDocks([self.left_dock], [self._left_want()], Qt.Orientation.Horizontal)

    # ------------------------------------------------------------------ menus
    def set_theme(self, choice: str) -> None:
        theme.set_theme(choice)
        a = self.theme_actions.get(choice)
        if a is not None:
            a.setChecked(True)
        self.flash({"system": "Following the system's light or dark theme", "light": "Light theme",
                    "dark": "Dark theme"}[choice])

    def show_tour(self) -> TourDialog:
        QSettings().setValue("help/tour_seen", True)
        dlg = TourDialog(self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()
        return dlg

    def show_shortcuts(self) -> ShortcutsDialog:
        dlg = ShortcutsDialog(self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()
        return dlg

    # ------------------------------------------------------------------ latent explorer
    def latent_explorer(self) -> LatentExplorer:
        if self.latent is None:
            self.latent = LatentExplorer(self.latent_holder)
            self.latent.refresh_requested.connect(lambda: self._ask_generator(keep_view=True))
            self.latent.follow_requested.connect(self._explore_live)
            self.latent.set_live(self.session.live)
            self.latent_holder.layout().addWidget(self.latent)
        return self.latent

    def _explore_live(self) -> None:
        """Opening the tab, and every few seconds while it is open, during a run: the explorer
        follows the running generator (unless pinned) with a copy made between two steps, asked for
        only when the run has moved on and no copy is on its way (a new run starts afresh)."""
        ex = self.latent_explorer()
        if not self.session.live or not ex.following or self._keep_view or ex.preparing:
            return
        same = self._explored_run == self.session.run_dir and ex.model is not None and not ex.model.source
        if not same or ex.model.step < self.session.step:
            self._ask_generator(keep_view=same, manual=False)

    def _ask_generator(self, keep_view: bool, manual: bool = True) -> None:
        if self.session.live:
            self._keep_view[self.session.request_generator_copy()] = (keep_view, manual)

    # ------------------------------------------------------------------ settings and closing
    def _restore(self, preset: str | None) -> None:
        st = QSettings()
        geo = st.value("window/geometry")
        self._restored_state = False
        if isinstance(geo, QByteArray) and st.value("window/layout", 0, type=int) == LAYOUT_VERSION:
            self.restoreGeometry(geo)
            state = st.value("window/state")
            if isinstance(state, QByteArray):
                self._restored_state = self.restoreState(state, LAYOUT_VERSION)
            for key, split in (("window/split", self.split), ("window/left_split", self.left_split)):
                val = st.value(key)
                if isinstance(val, QByteArray):
                    split.restoreState(val)
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
        if not st.value("help/tour_seen", False, type=bool):
            self.status.flash("New here? Help → Guided tour (F1) walks through the window in a minute.", 20_000)

    def showEvent(self, e) -> None:
        super().showEvent(e)
        if not getattr(self, "_sized", False):     # dock and splitter sizes only stick once laid out
            self._sized = True
            self._last_width = self.width()
            if self._restored_state:
                self._sane_sizes()
            else:
                QTimer.singleShot(0, self._initial_sizes)
            QTimer.singleShot(0, self.presets.scroll_to_current)

    def _sane_sizes(self) -> None:
        """A restored layout within bounds: the left dock wide enough for the form, the bottom docks
        no more than a third of the window, neither centre pane collapsed."""
        self._fit_left_dock()
        if self.left_dock.width() < getattr(self, "_left_need", 320):
            self.resizeDocks([self.left_dock], [self._left_want()], Qt.Orientation.Horizontal)
        if self.ck_dock.height() > self.height() * BOTTOM_SHARE + 40:
            self.resizeDocks([self.ck_dock], [int(self.height() * BOTTOM_SHARE)], Qt.Orientation.Vertical)
        sizes = self.split.sizes()
        if len(sizes) == 2 and min(sizes) < 200:
            w = sum(sizes)
            self.split.setSizes([int(w * 0.55), w - int(w * 0.55)])

    def closeEvent(self, e) -> None:
        self._stop_following()
        if self.session.live:
            self.log.append("closing: stopping the run and saving a checkpoint")
            self.session.shutdown(save=True)
        self._preview_gen += 1
        self.previews.wait()
        self.ckpt.jobs.wait()
        self.memo.jobs.wait()
        if self.latent is not None:
            self.latent.shutdown()
        self.sweep.shutdown()
        st = QSettings()
        st.setValue("window/layout", LAYOUT_VERSION)
        st.setValue("window/geometry", self.saveGeometry())
        st.setValue("window/state", self.saveState(LAYOUT_VERSION))
        st.setValue("window/split", self.split.saveState())
        st.setValue("window/left_split", self.left_split.saveState())
        st.setValue("plot/log", self.plot.log)
        st.setValue("plot/smoothing", self.plot.slider.value())
        if self.preset_name in self.presets.names():
            st.setValue("last_preset", self.preset_name)
        super().closeEvent(e)
