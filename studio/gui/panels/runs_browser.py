"""The runs browser: the runs of the runs folder (and of any folder opened), several compared at once.

Left, the runs found (runs_list): newest first, a run branched from another one under it, each with
its best value of its headline quality metric (a click on a header sorts). The folders listed are
the studio model's (`runs_folders`): "Add folder…" adds one through `add_runs_folder`, and the list
is read again on its `runs_changed` event, whoever added the folder (opening a run adds its parent).
Tick runs to compare them; on the right:

- Curves (runs_curves): one training curve of every ticked run overlaid, one colour per run, the
  hyperparameters that differ between the runs in the legend; a branched run has a dashed line where
  it left its parent, and the parent's name in its legend entry.
- Metrics: each evaluated metric against the step, the runs overlaid (small multiples).
- Samples (runs_samples): the runs side by side at one step chosen with a slider.

Reading is done by studio.tools.compare: the list peeks at each run (config.toml, the head and tail
of metrics.jsonl); a ticked run is read whole on the worker thread (a 100,000-step log takes about a
second), again only when its files have changed; the headline metric's best value is read there too
(tools.headline). The worker is the studio's job runner (gui.jobs) in its ordered mode: every run
asked for is wanted, none supersedes another.
"""
from __future__ import annotations

import html
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from ...app_model import StudioModel
from ...config.paths import run_folders, runs_dir
from ...tools.compare import RunInfo, RunSummary, find_runs, is_run_dir, peek_run, same_dir
from ...tools.headline import best_headline
from ..jobs import Jobs
from .runs_cards import folders_of_runs, signature
from .runs_compare import RUN_COLOURS, RunsComparison  # noqa: F401  (re-exported)
from .runs_list import GROUP_ROLE, PATH_ROLE, RunsList  # noqa: F401  (re-exported)



class RunsBrowser(QWidget):
    open_requested = Signal(str)         # a run directory to open in the Training tab
    message = Signal(str, str)           # level, text

    def __init__(self, parent=None, model: StudioModel | None = None):
        super().__init__(parent)
        self.model = model if model is not None else StudioModel()
        self.infos: dict[str, RunInfo] = {}          # str(path) -> what the list shows
        self._best_sig: dict[str, tuple] = {}        # runs whose headline was read: their signature then
        self._best_pending = 0                       # headline reads on the worker
        self.jobs = Jobs(self)                       # reading runs and drawing pictures, in order
        self._stale = True                # the list is read when the browser is first shown
        self._listed_at = 0.0
        self._build()
        self.model.runs_changed.connect(self._folders_changed)
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
        self.tree = RunsList(left)
        self.tree.itemChanged.connect(lambda _item, column: column == 0 and self._compare(self.ticked()))
        self.tree.itemDoubleClicked.connect(lambda item, _c: item.data(0, PATH_ROLE) and
                                            self.open_requested.emit(item.data(0, PATH_ROLE)))
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        lv.addWidget(self.tree, 1)
        self.hint = QLabel("Tick runs to compare them.", left)
        self.hint.setWordWrap(True)
        lv.addWidget(self.hint)
        self.split.addWidget(left)

        self.comparison = c = RunsComparison(self.jobs, self)
        c.message.connect(self.message)
        c.drawn.connect(lambda n: self.hint.setVisible(not n))
        self.split.addWidget(c)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 5)
        self.split.setSizes([400, 800])
        # the comparison's pieces by their old names (the window, tests and benches use them)
        self.summary, self.tabs, self.metric_grid, self.samples = c.summary, c.tabs, c.metric_grid, c.samples
        self.key_box, self.smooth, self.legend = c.curves.key_box, c.curves.smooth, c.curves.legend
        self.curve_plot = c.curves.curve_plot
        self.step_slider, self.step_label, self.run_cards = c.samples.step_slider, c.samples.step_label, c.samples.run_cards

        self._update_buttons()

    compared = property(lambda self: self.comparison.compared)
    colours = property(lambda self: self.comparison.colours)
    keys = property(lambda self: self.comparison.keys)
    errors = property(lambda self: self.comparison.errors)
    curve_items = property(lambda self: self.comparison.curves.curve_items)
    branch_lines = property(lambda self: self.comparison.curves.branch_lines)
    _steps = property(lambda self: self.samples._steps)

    # ------------------------------------------------------------------ folders (the studio model's)
    @property
    def folders(self) -> list[Path]:
        return list(self.model.runs_folders)

    def add_folder(self, folder, announce: bool = True) -> None:
        """List the runs of `folder` too (a run directory stands for its parent folder), through the
        studio model; the list follows its `runs_changed`."""
        f = Path(folder)
        if is_run_dir(f) and not find_runs(f):
            f = f.parent
        if any(same_dir(f, g) for g in self.folders):
            return
        if self.model.add_runs_folder(f) and announce:
            self.message.emit("info", f"runs browser: listing {f}")

    def _folders_changed(self, _folders) -> None:
        """Read the list now when the browser is on screen, else when it is next shown."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

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
        self.tree.fill(found, group_of, set(self.ticked()))
        n = len(found)
        where = ", ".join(str(f) for f in self.folders)
        self.folder_label.setText(f"{n} run{'s' * (n != 1)} in {html.escape(where)}" if n else
                                  f"No runs in {html.escape(where)} yet: train one, or add a folder.")
        self.folder_label.setToolTip(where)
        self._read_best(list(found))
        self._compare(self.ticked())
        self._update_buttons()

    def _read_best(self, paths: list[str]) -> None:
        """The headline metric's best value of the runs that are new or changed, on the worker."""
        sigs = {p: signature(Path(p)) for p in paths}
        todo = [p for p in paths if self._best_sig.get(p) != sigs[p]]
        if not todo:
            return
        self._best_pending += 1
        self.jobs.run(lambda: {p: best_headline(p) for p in todo},
                      lambda out: self._got_best(out, sigs),
                      lambda e, _tb: self._got_best({}, {}, f"runs browser: best values not read ({e})"))

    def _got_best(self, out: dict, sigs: dict, error: str = "") -> None:
        self._best_pending -= 1
        self._best_sig.update({p: sigs[p] for p in out})
        self.tree.set_best(out)
        if error:
            self.message.emit("warning", error)

    # ------------------------------------------------------------------ the list
    def run_paths(self) -> list[str]:
        return self.tree.run_paths()

    def item(self, path):
        return self.tree.item(path)

    def ticked(self) -> list[str]:
        return self.tree.ticked()

    def set_ticked(self, paths) -> None:
        """Tick exactly these runs (and compare them)."""
        self.tree.set_ticked(paths)
        self._compare(self.ticked())

    def current_path(self) -> str | None:
        return self.tree.current_path()

    def _open_current(self) -> None:
        p = self.current_path()
        if p:
            self.open_requested.emit(p)

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.current_path() is not None)

    # ------------------------------------------------------------------ comparing
    def _compare(self, paths: list[str]) -> None:
        self.comparison.compare(paths)

    @property
    def loading(self) -> bool:
        """Runs being read, best values or pictures drawn, on the worker thread."""
        return self.comparison.loading or self._best_pending > 0

    def wait(self, ms: int = 30_000) -> None:
        """Block until the runs asked for are read and their pictures drawn, and show them (tests,
        benchmarks)."""
        deadline = time.monotonic() + ms / 1000
        while time.monotonic() < deadline:
            self.jobs.wait(ms)
            QApplication.processEvents()     # the answers arrive queued; they may start more work
            if not self.loading:
                break

    def legend_label(self, run: RunSummary, branch: bool = True) -> str:
        return self.comparison.legend_label(run, branch)

    def legend_entries(self) -> list[tuple[str, str]]:
        return self.comparison.legend_entries()

    def chosen_step(self) -> int | None:
        return self.samples.chosen_step()

    def set_step(self, step: int) -> None:
        """Move the Samples tab's slider to the newest step at or before `step`."""
        self.samples.set_step(step)

    # ------------------------------------------------------------------ look
    def changeEvent(self, e) -> None:
        super().changeEvent(e)
        if e.type() == QEvent.Type.PaletteChange:
            self.comparison.curves.apply_palette()
            self.comparison.curves.redraw()

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        # side by side where there is room; the list above the comparison in a small window
        want = Qt.Orientation.Horizontal if self.width() >= 1000 else Qt.Orientation.Vertical
        if self.split.orientation() != want:
            self.split.setOrientation(want)
            total = self.width() if want == Qt.Orientation.Horizontal else self.height()
            first = min(440, int(total * 0.36)) if want == Qt.Orientation.Horizontal else min(150, total // 3)
            self.split.setSizes([first, total - first])

    def sizeHint(self) -> QSize:
        return QSize(900, 500)
