"""The studio's main window, a composition root: it builds the panels, lays them out and connects
them to the studio model and to each other. Presets and hyperparameters on the left, the game and the
loss curves in the middle (the latent explorer, the runs, the sweep and the memorisation check in
their own tabs), checkpoints, metrics and the log below.

What the user works on is the Qt-free `StudioModel` (`studio.app_model`); the form and the preset
list are bound to it (`binding`). A `Session` runs the Trainer and its events drive the panels
(`live_run`); `RunControl` starts runs, `Following` shows a run directory opened from disk, `Preview`
shows the game a configuration starts with, `ExplorerFollow` keeps the latent explorer on the live
generator, `Sizing` keeps the layout sensible and remembered, `Menus` holds the menus. The actions
(`actions/`) get the model and the collaborators they need, never the window.
"""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QFrame, QMainWindow, QScrollArea, QSplitter,
                               QTabWidget, QVBoxLayout, QWidget)

from ..app_model import StudioModel, drawn
from ..config.paths import runs_dir
from ..config.schema import ConfigError
from ..engine.commands import SaveNow, SetParam, SlowStep
from .actions.checkpoints import CheckpointActions
from .actions.dirac_compare import DiracCompare
from .actions.memorisation import MemorisationActions
from .actions.own_data import OwnData
from .actions.own_folder import OwnFolder
from .actions.rewind import Rewind
from .binding import ChoiceBinding, FormBinding
from .explorer_follow import ExplorerFollow
from .feedback import Say
from .file_menu import install as install_file_menu
from .following import Following
from .layout import Sizing
from .lesson_host import LessonHost
from .live_run import LiveRun
from .menus import Menus
from .panels.banner import Banner
from .panels.checkpoints import CheckpointsPanel
from .panels.controls import Controls
from .panels.data_preview import DataPreview
from .panels.game_area import PREPARING, GameArea
from .panels.log_panel import LogPanel
from .panels.loss_plot import LossPlot
from .panels.metrics_panel import MetricsPanel
from .panels.param_form import ParamForm
from .panels.preset_list import PresetList
from .panels.runs_browser import RunsBrowser
from .panels.status_bar import StatusBar
from .panels.sweep_panel import install as install_sweep
from .preset_diff import PresetDiff
from .preview import Preview
from .run_control import RunControl
from .screen import caption, reset_panels
from .session import Session

APP = "GAN Studio"


class MainWindow(QMainWindow):
    def __init__(self, preset: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(APP)
        self.model = StudioModel()
        self.session = Session(self)
        self.sizing = Sizing(self)
        self._build()
        self.say = Say(self.status, self.banner, self.log)
        self._connect()
        self._restore(preset)

    # ------------------------------------------------------------------ build and lay out
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
        self.left_split = left = QSplitter(Qt.Orientation.Vertical, self)
        left.setObjectName("left_split")
        left.addWidget(self.presets)
        left.addWidget(scroll)
        left.setChildrenCollapsible(False)
        left.setStretchFactor(0, 4)
        left.setStretchFactor(1, 5)
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
        self.tabs.addTab(self.latent_holder, "Latent explorer")
        self.runs = RunsBrowser(self, self.model)  # compare runs: the model's runs folders (it follows runs_changed)
        self.tabs.addTab(self.runs, "Runs")
        self.data_preview = DataPreview(self)      # an image folder as the GAN will see it
        self.tabs.addTab(self.data_preview, "Data")
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
        self.sizing.default_size()

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        d = QDockWidget(title, self)
        d.setObjectName(name)
        d.setWidget(widget)
        d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                      | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                      | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, d)
        return d

    def docks(self) -> tuple[QDockWidget, ...]:
        return self.left_dock, self.ck_dock, self.metrics_dock, self.log_dock

    # ------------------------------------------------------------------ connect
    def _connect(self) -> None:
        m, s, say = self.model, self.session, self.say
        self.form_binding = FormBinding(m, self.form)
        self.preset_diff = PresetDiff(m, self.form)      # bold: differs from the preset; Reset to preset
        self.choice_binding = ChoiceBinding(m, self.presets, self._set_title)
        self.explorer = ExplorerFollow(m, s, self.latent_holder, say, self)
        self.own_data = OwnData(m, s, self.game, self.form, say, viewing=self._viewing, parent=self)
        self.preview = Preview(m, s, self.game, say, self.own_data.show_canvas, self)
        self.own_folder = OwnFolder(m, self.form, self.tabs, self.data_preview, self.status, say, parent=self)
        self.follow = Following(m, s, self, say, rewind=None, load_newest=self._load_newest,
                                fit_bottom=self.sizing.fit_bottom, shown_state=self._shown_state, parent=self)
        self.runs_ctl = RunControl(m, s, self, self.preview, say, leave_run_shown=self.follow.stop, parent=self)
        self.live = LiveRun(m, s, self, say, rewind_live=lambda: self.rewind.live(),
                            fit_bottom=self.sizing.fit_bottom, viewing=self._viewing,
                            start_slow=lambda: self.runs_ctl.start(paused=True, first=SlowStep()), parent=self)
        self.ckpt = CheckpointActions(m, s, self.checkpoints, say, start=self.runs_ctl.start,
                                      show=self.show_checkpoint, explore=self.explorer.show_checkpoint, parent=self)
        self.memo = MemorisationActions(m, s, self.game, self.checkpoints, say, self.tabs, parent=self)
        self.dirac = DiracCompare(self._compared_config, say, parent=self)   # View › Dirac-GAN
        self.menus = Menus(self, dirac=self.dirac, memo=self.memo, runs_tab=self.runs,
                           reset_layout=self.sizing.reset_layout, say=say)
        self.theme_actions, self.view_menu, self.help_menu = (self.menus.theme_actions, self.menus.view_menu,
                                                              self.menus.help_menu)
        self.lessons = LessonHost(self, m, s, say, before=self.help_menu, parent=self)   # Lessons menu, dock
        self.game.caption.linkActivated.connect(self.dirac.link)
        self.rewind = Rewind(m, s, self.game, self.plot, self.metrics, say, status=self.status,
                             controls=self.controls, form=self.form, start=self.runs_ctl.start,
                             parent=self)             # the toolbar's speed, the rewind timeline, branching
        self.follow.rewind = self.rewind
        self.sweep = install_sweep(m, self.tabs, self.menuBar(), say, open_run=self.open_run,
                                   branch=self.ckpt.branch)      # the Sweep tab and Run › New sweep…
        self.sweep_action = self.sweep.action
        self.file_menu = install_file_menu(self, self.controls.actions_by_name["open"])   # File › Quit (Ctrl+Q)
        self.runs_ctl.on_start += [lambda _cfg: self.sizing.fit_bottom(True),
                                   lambda _cfg: setattr(self.live, "evaluating", None)]
        a = self.controls.actions_by_name
        a["train"].triggered.connect(self.runs_ctl.train_or_pause)
        a["step"].triggered.connect(lambda: self.runs_ctl.step("iter"))
        a["step_d"].triggered.connect(lambda: self.runs_ctl.step("d"))
        a["step_g"].triggered.connect(lambda: self.runs_ctl.step("g"))
        a["stop"].triggered.connect(s.stop)
        a["save"].triggered.connect(lambda: s.send(SaveNow()))
        a["open"].triggered.connect(self.ask_open_run)
        self.presets.chosen.connect(self.choose_preset)
        self.form.edited.connect(self._form_edited)
        m.config_changed.connect(self._config_changed)
        self.tabs.currentChanged.connect(lambda i: i == 1 and self.explorer.follow_live())
        self.runs.open_requested.connect(lambda p: self.open_run(p) and self.tabs.setCurrentIndex(0))
        self.runs.message.connect(lambda level, text: say.log(text, level))
        self.metrics.badge_count_changed.connect(
            lambda n: self.metrics_dock.setWindowTitle(f"Metrics ⚠ {n}" if n else "Metrics"))

    # ------------------------------------------------------------------ what the window says
    def _set_title(self, name: str | None) -> None:
        self.setWindowTitle(f"{APP} · {name}" if name else APP)

    def flash(self, text: str) -> None:
        self.say.flash(text)

    def report_error(self, text: str, detail: str = "") -> None:
        self.say.error(text, detail)

    def _compared_config(self):
        """What the Dirac-GAN comparison starts from: the live run's config, else the next run's."""
        s = self.session
        return s.config if s.live and s.config is not None else self.model.config()

    def _viewing(self) -> bool:
        return self.follow.follower is not None

    def _shown_state(self, state: str) -> None:
        self.live.state_changed(state)

    # ------------------------------------------------------------------ presets and the next run
    def choose_preset(self, name: str) -> bool:
        if self.session.live:
            return False
        had_drawn = drawn(self.model.config())
        try:
            cfg = self.model.choose_preset(name)
        except ConfigError as e:
            self.report_error(str(e))
            return False
        self.follow.stop()
        self.sizing.fit_left()
        reset_panels(self, PREPARING.format(html.escape(cfg.title or name)))
        self.checkpoints.set_run_dir(None)       # the last run's checkpoints are not this preset's
        self.sizing.fit_bottom(True)
        self.live.evaluating = None
        self.game.set_caption(caption(cfg, name, "the game before training"))
        self.status.set_shown(f"preset {name}", "", f"{cfg.title}: not trained yet (the centre shows "
                              f"its game as a run would start)")
        self.metrics.set_schedule(cfg.eval.every)
        self.live.state_changed(self.session.state)
        if had_drawn and drawn(cfg):
            self.flash(f"Your {drawn(cfg)} drawn points carry over: the next run trains on them "
                       f"(Clear drawn for the preset's data).")
        self.preview.request()
        return True

    def _config_changed(self, keys) -> None:
        if keys is None:
            self.sizing.fit_left()
        elif self.model.shown.kind == "preset" and not self.session.live and any(k.startswith("data.") for k in keys):
            # the caption says what the next run trains on
            self.game.set_caption(caption(self.model.config(), self.model.run_name, "the game before training"))

    def _form_edited(self, key: str, value) -> None:
        if self.session.live:            # a hand edit of a ● field changes the running trainer
            self.session.send(SetParam(key, value))
        if key == "eval.every":
            self.metrics.set_schedule(int(value), self.session.step if self.session.live else 0)

    # ------------------------------------------------------------------ runs and checkpoints
    def start(self, cfg=None, **kw) -> bool:
        return self.runs_ctl.start(cfg, **kw)

    def train_or_pause(self) -> None:
        self.runs_ctl.train_or_pause()

    def step(self, kind: str) -> None:
        self.runs_ctl.step(kind)

    def request_preview(self, keep: bool = False) -> None:
        self.preview.request(keep)

    def ask_open_run(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open run directory", str(runs_dir()))
        if path:
            self.open_run(path)

    def open_run(self, path) -> bool:
        self.preview.cancel()
        return self.follow.open_run(path)

    def _load_newest(self) -> None:
        paths = self.checkpoints.paths()
        if paths and not self.ckpt.jobs.busy:
            self.ckpt.load(paths[0], quiet=True)

    def show_checkpoint(self, path: str, step: int, view: str, data: dict) -> None:
        """A loaded checkpoint's state in the centre (only while no run is live); the status bar
        says which run and which checkpoint, and the step is the checkpoint's."""
        self.preview.cancel()
        run = Path(path).resolve().parent.parent.name
        self.model.show("checkpoint", run, path, step)
        shown = self.game.view(view)
        shown.clear()                        # another state: no history carried over
        self.game.show_snapshot(view, data, step)
        self.game.set_caption(f"<b>{html.escape(Path(path).name)}</b> · step {step:,} (loaded) · "
                              f"run {html.escape(run)}")
        self.status.set_shown(f"run {run}", Path(path).name, path)
        self.status.show_step(step, f"the step of the loaded checkpoint {Path(path).name}")

    # the names tests and actions read
    @property
    def preset_name(self) -> str | None:
        return self.model.name

    @property
    def shown_checkpoint(self) -> str | None:
        return self.model.shown_checkpoint

    @property
    def follower(self):
        return self.follow.follower

    @property
    def previews(self):
        return self.preview.jobs

    @property
    def latent(self):
        return self.explorer.latent

    def latent_explorer(self):
        return self.explorer.explorer()

    def session_name(self) -> str:
        return self.model.run_name

    def show_tour(self):
        return self.menus.show_tour()

    def show_shortcuts(self):
        return self.menus.show_shortcuts()

    def set_theme(self, choice: str) -> None:
        self.menus.set_theme(choice)

    def reset_layout(self) -> None:
        self.sizing.reset_layout()

    # ------------------------------------------------------------------ settings, showing, closing
    def _restore(self, preset: str | None) -> None:
        self.sizing.restore()
        st = QSettings()
        name = preset or st.value("last_preset", "", type=str)
        names = self.presets.names()
        if preset and preset not in names:
            self.report_error(f"preset '{preset}' not found; available: {', '.join(names)}")
        if name not in names:
            name = "toy-1d-shift" if "toy-1d-shift" in names else (names[0] if names else "")
        if name:
            self.presets.select(name)
        self.lessons.first_screen(not preset and not st.value("last_preset", "", type=str))   # nothing chosen yet
        if not st.value("help/tour_seen", False, type=bool):
            self.status.flash("New here? Help → Guided tour (F1) walks through the window in a minute.", 20_000)

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        self.sizing.resized()

    def showEvent(self, e) -> None:
        super().showEvent(e)
        self.sizing.shown()

    def closeEvent(self, e) -> None:
        self.follow.stop()
        if self.session.live:
            self.log.append("closing: stopping the run and saving a checkpoint")
        self.preview.shutdown()              # data sets still loading stop loading (engine.build.cancellable):
        self.own_folder.shutdown()           # the preview's, the Data tab's, the run's
        self.session.shutdown(save=True)     # and no Train queued behind a preview starts after this
        self.preview.jobs.wait()
        self.ckpt.jobs.wait()
        self.memo.jobs.wait()
        self.explorer.shutdown()
        self.sweep.shutdown()
        self.sizing.save(self.model.preset if self.model.preset in self.presets.names() else None)
        super().closeEvent(e)
