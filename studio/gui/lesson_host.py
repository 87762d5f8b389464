"""Lessons in the studio (issue 21): the Lessons menu, the lesson panel in a right-hand dock, and each
page's runs played on the studio's own session with the student's hands.

A page with runs puts its first run's configuration (the preset with the page's settings and the
lesson's seed) into the studio model; the student presses what the page asks (Step D, Train) on the
toolbar as for any run. While a page waits for its run, the session gives each run it starts a
`RunWatcher` (studio.lessons.record), fed on the worker thread between two steps; its record (numbers
and numpy) comes back just before Finished. An `ActionTracker` follows the same run's events here and
says what is left; when the page's steps are done the run is stopped (a `train` action ends with the
run itself). With every run of the page recorded, `page_outcome` measures the checks and the panel
shows them. A page without runs is measured at once. The window's run control starts the runs; this
module only sets up and listens.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, QTemporaryDir, Qt
from PySide6.QtWidgets import QDockWidget, QMenu, QPushButton, QVBoxLayout, QWidget

from ..config.schema import ConfigError
from ..engine.commands import Resume, StepOnce
from ..engine.events import Failed
from ..inspect.grids import save_png
from ..lessons.figures import page_figures, tile
from ..lessons.format import load_lesson
from ..lessons.play import ACTION_KINDS, PROBES_PER_RUN, ActionTracker, page_outcome, run_config
from ..lessons.progress import ProgressStore, catalogue
from ..lessons.record import RunRecord, RunWatcher
from .panels.game_area import PREPARING
from .panels.lesson_panel import LessonPanel
from .panels.lessons_home import LessonsHome
from .screen import caption, reset_panels

WIDE = 1280       # narrower windows get the lesson as a tab of the left dock, not a third column
SEED = 0          # the seed the lessons' checks were tuned on (bench/lessons.py holds them on 0-4)
PANEL_FIGURES = ("samples", "interpolation", "arithmetic", "nearest", "classes")   # shown in the panel once a page ran


class LessonHost(QObject):
    def __init__(self, window, model, session, say, *, before, parent=None):
        """`window`: the panels (game, plot, metrics, status, follow, preview); `before`: the menu the
        Lessons menu goes in front of (Help)."""
        super().__init__(parent)
        self.w, self.model, self.session, self.say = window, model, session, say
        self.menu = QMenu("&Lessons", window)
        self.menu.setObjectName("lessons_menu")
        window.menuBar().insertMenu(before.menuAction(), self.menu)
        self.menu.aboutToShow.connect(self.fill_menu)
        self.home = LessonsHome(window)          # the first screen: a tab of the centre (issue 21)
        window.tabs.addTab(self.home, "Lessons")
        self.home.start_requested.connect(self.start_from_home)
        window.tabs.currentChanged.connect(lambda i: window.tabs.widget(i) is self.home and self.fill_home())
        window.presets.chosen.connect(self._to_the_game)
        self.fill_menu()
        self.fill_home()
        window.installEventFilter(self)       # a window narrowed under WIDE: the lesson joins the left dock
        self._figure_dir = QTemporaryDir()     # the centre's copy of a page's figures (a PNG it can scale)
        self.dock: QDockWidget | None = None
        self.panel: LessonPanel | None = None
        self.page_i: int | None = None     # the page whose runs are awaited
        self.run_i = 0
        self.records: dict[str, RunRecord] = {}
        self.tracker: ActionTracker | None = None
        self.watching = False              # the live run is the page's run
        self.record: RunRecord | None = None
        self.pending = False               # set the run up once the live run has stopped
        self.stopping = False
        self.autoplay = self.playing = False    # Play pressed: the page's actions are sent once the run is paused
        session.watch = self._watch
        session.watched.connect(self._record)
        session.metrics.connect(self._metrics)
        session.finished.connect(self._finished)
        session.state_changed.connect(self._state)
        model.preset_changed.connect(self._preset_chosen)

    # ------------------------------------------------------------------ the menu and the dock
    def fill_menu(self) -> None:
        """Every lesson with its pages and the student's state; a broken file is its one line."""
        self.menu.clear()
        for i, e in enumerate(catalogue(ProgressStore()), 1):
            if e.state == "broken":
                a = self.menu.addAction(f"{e.name}: does not load")
                a.setToolTip(e.error)
                a.setStatusTip(e.error)
                a.setEnabled(False)
            else:
                a = self.menu.addAction(f"{i}. {e.title} · {e.pages} page{'s' * (e.pages != 1)} · {e.state}")
                a.triggered.connect(lambda _=False, n=e.name: self.open(n))
            a.setObjectName(f"lesson_{e.name}")
        self.menu.addSeparator()
        home = self.menu.addAction("All lessons (the Lessons tab)")
        home.setObjectName("lessons_home")
        home.triggered.connect(self.show_home)
        self.menu.setToolTipsVisible(True)

    def fill_home(self) -> None:
        store = ProgressStore()
        entries = catalogue(store)
        self.home.show_lessons(entries, {e.name: store.get(e.name).page for e in entries if e.state == "in progress"})

    def show_home(self) -> None:
        self.fill_home()
        self.w.tabs.setCurrentWidget(self.home)

    def first_screen(self, show: bool) -> None:
        """The studio opened with nothing chosen yet (no preset asked for, none remembered): the Lessons tab."""
        if show:
            self.show_home()

    def start_from_home(self, name: str) -> None:
        """A lesson clicked on the Lessons tab: it opens beside the game, which the centre shows."""
        if self.session.live:
            self.say.flash("A run is live: the lesson opens, and its page waits for the run to stop.")
        if self.open(name) is not None:
            self.w.tabs.setCurrentWidget(self.w.split)

    def _to_the_game(self, _name: str) -> None:
        """A preset chosen while the Lessons tab is shown: straight to the game."""
        if self.w.tabs.currentWidget() is self.home:
            self.w.tabs.setCurrentWidget(self.w.split)

    def open(self, name: str) -> LessonPanel | None:
        """The lesson in the right-hand dock, on the page the student left it."""
        try:
            lesson = load_lesson(name)
        except ConfigError as e:
            self.say.error(str(e))
            return None
        if self.panel is not None:
            self.panel.deleteLater()
        self.panel = panel = LessonPanel(lesson, ProgressStore())
        panel.page_shown.connect(self._page)
        panel.replay_requested.connect(panel.show_page)     # the page again from the start
        holder = QWidget()
        col = QVBoxLayout(holder)
        col.setContentsMargins(0, 0, 0, 4)
        col.addWidget(panel, 1)
        self.play = QPushButton("▶▶ Play the page's steps for me", objectName="lesson_play")
        self.play.setToolTip("Start the page's run and press what it asks (Step D 500 times is a lot of clicks)")
        self.play.clicked.connect(self.play_page)
        col.addWidget(self.play)
        if self.dock is None:
            self.dock = QDockWidget("Lesson", self.w)
            self.dock.setObjectName("dock_lesson")
            self.dock.setMinimumWidth(320)
            self.w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
            if self.w.width() < WIDE:       # no room for a third column: a tab beside the presets
                self.w.tabifyDockWidget(self.w.left_dock, self.dock)
        self.dock.setWindowTitle(f"Lesson · {lesson.title}")
        self.dock.setWidget(holder)
        self.dock.show()
        self.dock.raise_()
        self._page(panel.index)              # the panel showed its saved page before it was connected
        return panel

    def eventFilter(self, obj, ev) -> bool:
        """A lesson opened in a wide window is a third column; narrowed below WIDE (to 1024 px, say)
        that column would hold the window wider than asked: it becomes a tab beside the presets."""
        if (obj is self.w and ev.type() == QEvent.Type.Resize and self.dock is not None and self.dock.isVisible()
                and not self.dock.isFloating() and self.w.width() < WIDE and not self.w.tabifiedDockWidgets(self.dock)):
            self.w.tabifyDockWidget(self.w.left_dock, self.dock)
            self.dock.raise_()
        return False

    # ------------------------------------------------------------------ a page
    def _page(self, index: int) -> None:
        panel = self.panel
        page = panel.lesson.pages[index]
        self.page_i, self.run_i, self.records = index, 0, {}
        self.watching = self.pending = False
        self.tracker = None
        self.autoplay = self.playing = False
        self.play.setEnabled(bool(page.runs))
        if not page.runs:
            self.page_i = None
            res = page_outcome(index, page, {}, SEED, panel.prediction())
            panel.show_outcome(res.checks)
            figs = list(page_figures(res, SEED).values())      # a page without a run: its curves, in the panel
            panel.show_figures(figs)
            if figs and not self.session.live:                  # and where the game would be
                path = self._figure_dir.filePath(f"{panel.lesson.name}-p{index + 1}.png")
                save_png(tile(figs, cols=1), path)
                self.w.preview.cancel()                         # a preview on its way would draw over it
                self.w.game.show_samples(path, f"<b>{html.escape(panel.lesson.title)}</b> · page {index + 1}: "
                                               f"computed without training")
            return
        if self.session.live:              # the page's run takes the studio: stop what runs first
            self.pending = True
            self.say.flash("Stopping the live run for the lesson's page…")
            self.session.stop()
            return
        self._set_up()

    def _set_up(self) -> None:
        """The page's next run becomes the studio's next run; the student starts it."""
        panel, i = self.panel, self.page_i
        spec = panel.lesson.pages[i].runs[self.run_i]
        cfg = run_config(spec, SEED)
        if any(k.startswith("data.") for k in spec.settings):   # the preset's title names data the page replaced
            cfg.title = f"{spec.label}: the preset {spec.preset} on data.kind = {cfg.data.kind}"
        if spec.settings:                  # the preset's words describe its own settings: say what the page set
            cfg.description = (f"{cfg.description} This page sets "
                               + ", ".join(f"{k} = {v}" for k, v in spec.settings.items()) + ".").strip()
        name = f"{panel.lesson.name}-p{i + 1}" + (f"-{self.run_i + 1}" if len(panel.page.runs) > 1 else "")
        w = self.w
        w.follow.stop()
        self.model.take_config(cfg, name)
        reset_panels(w, PREPARING.format(html.escape(cfg.title or name)))
        w.game.set_caption(caption(cfg, name, f"lesson page {i + 1}: {spec.label}"))
        w.status.set_shown(f"lesson {panel.lesson.title}", "", f"page {i + 1}, run {spec.label}: not started")
        w.metrics.set_schedule(cfg.eval.every)
        w.preview.request()
        self.tracker = ActionTracker(spec)
        self.play.setEnabled(True)
        self._hint()
        if self.playing:                   # Play pressed on an earlier run of this page: this one too
            self.play_page()

    def play_page(self) -> None:
        """The page's actions sent for the student: its run started paused, then what is left of them."""
        if self.tracker is None or self.tracker.done:
            return
        self.play.setEnabled(False)
        self.autoplay = self.playing = True
        if self.session.state == "paused" and self.watching:
            self._send_left()
        elif not self.session.live:
            self.w.runs_ctl.start(paused=True)

    def _send_left(self) -> None:
        self.autoplay = False
        for name, n in self.tracker.left:
            if name == "train":
                self.session.send(Resume())
                return
            for _ in range(n):
                self.session.send(StepOnce(ACTION_KINDS[name]))

    def _hint(self) -> None:
        runs = self.panel.page.runs
        which = f"Run {self.run_i + 1} of {len(runs)} ({runs[self.run_i].label}): " if len(runs) > 1 else ""
        self.panel.show_hint(which + ("done" if self.tracker.done else self.tracker.hint()))

    def _watch(self, cfg):
        """The session asks for an observer as a run starts: the page's run gets one."""
        if self.tracker is None or self.panel is None or self.page_i is None or self.watching:
            return None
        spec = self.panel.lesson.pages[self.page_i].runs[self.run_i]
        self.watching, self.record, self.stopping = True, None, False
        return RunWatcher(spec.label, max(1, cfg.train.steps // PROBES_PER_RUN), SEED)

    # ------------------------------------------------------------------ the run's events
    def _record(self, record) -> None:
        if self.watching:
            self.record = record

    def _metrics(self, batch: list) -> None:
        if not self.watching or self.tracker is None:
            return
        for ev in batch:
            self.tracker.observe(ev)
        self._hint()
        if self.tracker.done and not self.stopping:      # the page's steps are done: its run ends here
            self.stopping = True
            self.session.stop()

    def _finished(self, ev) -> None:
        if not self.watching:
            return
        self.watching = False
        self.tracker.observe(ev)
        panel = self.panel
        spec = panel.page.runs[self.run_i]
        if isinstance(ev, Failed) or not self.tracker.done:
            why = ev.message if isinstance(ev, Failed) else f"still to do: {self.tracker.hint()}"
            panel.show_hint(f"The run ended before the page was played ({why}). Press Replay to start again.")
            self.tracker = None
            self.play.setEnabled(False)
            return
        self.records[spec.label] = self.record if self.record is not None else RunRecord(spec.label)
        self.run_i += 1
        if self.run_i < len(panel.page.runs):
            self.pending = True             # the next run once this one's thread is done
            return
        res = page_outcome(self.page_i, panel.page, self.records, SEED, panel.prediction())
        self.page_i, self.tracker = None, None
        self.play.setEnabled(False)
        panel.show_hint("done")
        panel.show_outcome(res.checks)
        figs = page_figures(res, SEED)                 # image runs: their grids side by side, and the like
        panel.show_figures([figs[k] for k in PANEL_FIGURES if k in figs])

    def _preset_chosen(self, name) -> None:
        """A preset chosen by hand replaces the page's run: the page waits for Replay."""
        if name is None or self.tracker is None or self.watching:
            return
        self.tracker, self.pending = None, False
        self.play.setEnabled(False)
        self.panel.show_hint(f"the next run is the preset {name} now, not this page's: press Replay to set the "
                             f"page up again")

    def _state(self, state: str) -> None:
        if state == "paused" and self.autoplay and self.watching:
            self._send_left()
        if state == "idle" and self.pending and self.panel is not None and self.page_i is not None:
            self.pending = False
            self._set_up()
