"""The Help menu's dialogs: the keyboard shortcuts and a short guided tour of the window (text only)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton,
                               QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QHeaderView)

SHORTCUTS = [   # keys, what they do
    ("Space", "Train; Pause while training; Resume when paused"),
    ("S", "Step: one iteration (the discriminator's k steps and one generator step)"),
    ("D", "Step D: one discriminator update only"),
    ("G", "Step G: one generator update only"),
    ("[ / ]", "Train slower / faster: the toolbar's speed, one stop at a time (1/s to full speed)"),
    ("M", "Slow motion in the 1D and 2D views: one iteration played in captioned phases"),
    ("N / →", "Slow motion: the next phase (when \"auto\" is off)"),
    ("Ctrl+S", "Save a checkpoint now"),
    ("Ctrl+O", "Open a run directory (also one a headless run is still writing)"),
    ("Ctrl+Shift+R", "The Runs tab: compare runs side by side"),
    ("Ctrl+Shift+W", "The Sweep tab: try several settings at once"),
    ("F1", "The guided tour"),
    ("Ctrl+Shift+T", "Switch between light and dark"),
    ("Double-click a checkpoint", "Load it: its state in the centre, its generator in the latent explorer"),
    ("Mouse wheel / drag on a plot", "Zoom and pan; the plot's A button follows the run again"),
]

TOUR = [   # title, body (rich text)
    ("Welcome",
     "<p>GAN Studio trains generative adversarial networks and shows the game between the two "
     "players as it happens: the <b>generator</b> G turns noise into samples, the "
     "<b>discriminator</b> D (or critic) tells them from the real data, and each improves "
     "against the other.</p><p>This tour takes a minute: seven short pages on what each part of the "
     "window shows. <i>Next</i> (or the arrow keys) moves on.</p>"),
    ("Presets and hyperparameters (left)",
     "<p>Presets are grouped by what they teach: <b>1D games</b> (the textbook figures), "
     "<b>saddle points</b> (gradient play on L(θ, φ)), <b>2D distributions</b> (mode collapse on "
     "rings and grids) and <b>images</b> (DCGAN, Wasserstein critics, conditional models, "
     "CycleGAN).</p><p>Below the list, the chosen preset's settings. Fields marked ● are "
     "<i>live</i>: you can change them while the run trains (learning rates, betas, k / n_critic, "
     "clipping, penalty weight, generator loss), and each change is marked on the curves. The others "
     "are locked while a run is live.</p>"),
    ("The game (centre)",
     "<p>Before you train, the centre already shows the chosen game as it starts: the real data, "
     "the initial generator and the initial decision of D. Press <b>Train</b> (Space) and watch it "
     "move, or <b>Step</b> (S) one iteration at a time.</p><p><b>1D</b>: real and generated "
     "densities, D(x) and the optimal D*. <b>2D</b>: D(x) as a heatmap, real and generated points, "
     "the warped z-grid and gradient arrows (each layer toggles; <i>Draw data</i> lets you draw "
     "your own, and the next run trains on it). <b>Saddle</b>: the trajectory over the gradient field. "
     "<b>Images</b>: samples from fixed noise, one class a row for conditional models.</p>"
     "<p><b>Speed</b> (toolbar, [ and ]) sets how many iterations a second; <b>Slow motion</b> (M) "
     "plays one iteration in phases, D's turn then G's. The <b>timeline</b> under the game rewinds "
     "the run; <i>Branch from here</i> starts a new run from that moment.</p>"),
    ("The curves (right)",
     "<p>Losses (the critic's estimate for WGANs), D(real) and D(fake), gradient norms and the "
     "game's parameters. Each plot's title is its legend. <i>Smoothing</i> averages the curves "
     "(the raw values stay faint); <i>Log scale</i> helps when losses span decades.</p><p>The step "
     "axis follows the run; pan or zoom to look back, and the plot's <b>A</b> button follows "
     "again.</p>"),
    ("Checkpoints, metrics and the log (below)",
     "<p><b>Checkpoints</b>: what the run saved, with thumbnails for image models. Load one to see "
     "its state; resume it, branch a new run from it with changed settings, or export its "
     "generator.</p><p><b>Metrics</b>: quality measured every <i>eval.every</i> steps (FID, "
     "coverage, …) and the diagnostics: mode collapse, a discriminator that wins too fast, "
     "vanishing gradients, divergence, each with what to try. A diverged run pauses and offers to "
     "roll back. <b>Log</b>: everything that happened, with times.</p>"),
    ("Runs, memorisation and sweeps (tabs)",
     "<p><b>Runs</b>: the runs folder and any folder opened; tick several runs to overlay their "
     "curves and metrics and see their samples side by side at one step. <b>Memorisation</b>: each "
     "generated sample beside its nearest training image, against the distances of held-out "
     "images. <b>Sweep</b>: turn settings of the form into axes, train the trials in background "
     "processes and see them ranked by a metric; open one or branch from the best.</p>"),
    ("The latent explorer (tab)",
     "<p>The second tab explores the generator's latent space: sliders along its principal "
     "directions and raw dimensions, a seed, truncation, the class of conditional models, and "
     "interpolation strips (linear or spherical) between two points.</p><p>It follows the "
     "running generator (<i>Follow the run</i>) or shows a loaded checkpoint's, and says which. "
     "<i>Vector arithmetic</i> adds the difference of two sets' mean latent vectors to a sample.</p>"
     "<p>The status bar below always says what is going on, which run and checkpoint you are "
     "looking at, the step and the speed. Help → Keyboard shortcuts lists the keys.</p>"),
]


class ShortcutsDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        lay = QVBoxLayout(self)
        self.table = QTableWidget(len(SHORTCUTS), 2, self)
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        for r, (keys, what) in enumerate(SHORTCUTS):
            self.table.setItem(r, 0, QTableWidgetItem(keys))
            self.table.setItem(r, 1, QTableWidgetItem(what))
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # rows follow their wrapped text as the column widths settle (sized once, before the
        # dialog is shown, they kept the height of text wrapped into a narrow column)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(self.table)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.resize(640, 400)


class TourDialog(QDialog):
    """A few short pages; Back / Next (or the arrow keys), and Close."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("A tour of GAN Studio")
        lay = QVBoxLayout(self)
        self.title = QLabel(self)
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.25)
        f.setBold(True)
        self.title.setFont(f)
        lay.addWidget(self.title)
        self.pages = QStackedWidget(self)
        for _, body in TOUR:
            page = QLabel(body, self)
            page.setWordWrap(True)
            page.setTextFormat(Qt.TextFormat.RichText)
            page.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            self.pages.addWidget(page)
        lay.addWidget(self.pages, 1)
        row = QHBoxLayout()
        self.counter = QLabel(self)
        row.addWidget(self.counter, 1)
        self.back = QPushButton("Back", self)
        self.back.clicked.connect(lambda: self.go(self.pages.currentIndex() - 1))
        self.next = QPushButton("Next", self)
        self.next.setDefault(True)
        self.next.clicked.connect(self._next)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        for b in (self.back, self.next, close):
            row.addWidget(b)
        lay.addLayout(row)
        self.resize(560, 380)
        self.go(0)

    def go(self, i: int) -> None:
        i = max(0, min(i, len(TOUR) - 1))
        self.pages.setCurrentIndex(i)
        self.title.setText(TOUR[i][0])
        self.counter.setText(f"{i + 1} of {len(TOUR)}")
        self.back.setEnabled(i > 0)
        self.next.setText("Done" if i == len(TOUR) - 1 else "Next")

    def _next(self) -> None:
        if self.pages.currentIndex() == len(TOUR) - 1:
            self.accept()
        else:
            self.go(self.pages.currentIndex() + 1)

    def keyPressEvent(self, e) -> None:
        if e.key() == Qt.Key.Key_Right:
            self._next()
        elif e.key() == Qt.Key.Key_Left:
            self.go(self.pages.currentIndex() - 1)
        else:
            super().keyPressEvent(e)
