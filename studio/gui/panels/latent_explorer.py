"""The latent explorer: sliders along principal directions and raw dimensions, seed and "random",
truncation, class selector, and an interpolation strip (linear or spherical) between two chosen
points. Rendering runs on the studio's job runner (gui.jobs); every request carries a stamp, at most
one render is in flight with the newest waiting request behind it (latest wins), and a reply older
than the picture on screen, or made for an earlier source, is dropped.

The source is a latent model with a numpy API (numpy in, numpy out); this module never imports
torch and never reaches into training: "Refresh from training" only emits `refresh_requested`, and
the window answers with `set_source(new_model, keep_view=True)`, which keeps the seed, the sliders
and the interpolation ends when the new model has the same family and latent dimension.

Following the run: while a run trains, "Follow the run" is ticked and the tab is visible, the
explorer emits `follow_requested` every FOLLOW_MS; the window answers with a fresh copy of the
running generator (only when the run has moved on). Loading a checkpoint during a run unticks it
(the checkpoint is pinned); a new run is followed again as soon as the box is ticked. The caption
above the picture always says what is shown: "run NAME · step N (live | checkpoint FILE)".

Vector arithmetic (the Arithmetic tab below): a grid of samples (seeds), clicked into set A or set
B (or, for a conditional model, a whole class for either set); the panel shows the decoded mean of
each set, the base (the sample above) and base + s·(mean_A − mean_B) for the strength slider s.
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from ..jobs import Jobs

from .latent_pages import (SET_COLOURS, SLIDER_RANGE, SLIDER_STEPS, TILE_COLS, TILE_ROWS,  # noqa: F401
                           ArithmeticPage, Picture, latent_slider, tile_grid)   # (the constants: re-exported)

MAX_RAW = 16                # raw dimensions offered as sliders
FOLLOW_MS = 2000            # how often a followed run is copied again (tab visible only)


class LatentExplorer(QtWidgets.QWidget):
    rendered = QtCore.Signal(int)           # stamp of each picture put on screen (tests, benches)
    refresh_requested = QtCore.Signal()     # "Refresh from training": the window sends a new source
    follow_requested = QtCore.Signal()      # following a live run: time for a new copy, if it moved on

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = None
        self._live = False                    # a run is training (refresh is possible)
        self.jobs = Jobs(self)                # the studio's job runner; one render in flight at a time
        self._stamp = 0                       # last stamp issued
        self._floor = 0                       # replies below this were made for an older source
        self._shown = {"image": 0, "strip": 0, "tiles": 0, "arith": 0}
        self._busy = False
        self._pending: dict[str, tuple] = {}  # kind -> (stamp, fn), the newest waiting request
        self._preparing = 0                   # stamp of the source being prepared (0: none)
        self._base = np.zeros(0, np.float32)
        self._a = self._b = None
        self._class_names: list[str] = []
        self.dropped = 0                      # stale replies dropped so far
        self._follow_timer = QtCore.QTimer(self)
        self._follow_timer.setInterval(FOLLOW_MS)
        self._follow_timer.timeout.connect(self._tick)
        self._build()
        self._enable(False)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.picture = Picture(self)
        self.picture.setMinimumSize(160, 160)
        self.strip = Picture(self)
        self.strip.setMinimumHeight(70)           # up to 220 where there is room; less in a small window
        self.strip.setMaximumHeight(220)
        self.strip.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Preferred)
        self.caption = QtWidgets.QLabel("", self)
        font = self.caption.font()
        font.setBold(True)
        self.caption.setFont(font)
        self.caption.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QtWidgets.QLabel("No generator loaded: train a run or load a checkpoint.", self)
        self.status.setWordWrap(True)
        self.follow = QtWidgets.QCheckBox("Follow the run", self)
        self.follow.setChecked(True)
        self.follow.setToolTip("Ticked: while a run trains, the explorer shows its generator, copied again every "
                               f"{FOLLOW_MS / 1000:g} s while this tab is visible, and a new run replaces what is "
                               "shown. Unticked: what is shown stays (pinned) until you refresh or load another.")
        self.follow.toggled.connect(self._follow_toggled)

        self.seed = QtWidgets.QSpinBox(self)
        self.seed.setRange(0, 2**31 - 1)
        self.seed.valueChanged.connect(self._seed_changed)
        self.random_btn = QtWidgets.QPushButton("Random", self)
        self.random_btn.clicked.connect(self.randomize)
        self.trunc = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, self)
        self.trunc.setRange(5, 200)
        self.trunc.setValue(100)
        self.trunc_label = QtWidgets.QLabel("1.00", self)
        self.trunc.valueChanged.connect(self._trunc_changed)
        self.trunc.setToolTip("Truncation: z is scaled by this factor (smaller: typical, less varied samples)")
        self.cls = QtWidgets.QComboBox(self)
        self.cls.currentIndexChanged.connect(lambda _: (self.request(), self.request_tiles()))
        self.reset_btn = QtWidgets.QPushButton("Reset sliders", self)
        self.reset_btn.clicked.connect(self.reset_sliders)
        self.refresh_btn = QtWidgets.QPushButton("Refresh from training", self)
        self.refresh_btn.setToolTip("Copy the generator again from the running trainer")
        self.refresh_btn.clicked.connect(self.refresh_requested)

        top = QtWidgets.QFormLayout()
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.seed, 1)
        row.addWidget(self.random_btn)
        top.addRow("Seed", row)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.trunc, 1)
        row.addWidget(self.trunc_label)
        top.addRow("Truncation", row)
        self.cls_label = QtWidgets.QLabel("Class", self)
        top.addRow(self.cls_label, self.cls)

        self.pc_box = QtWidgets.QGroupBox("Principal directions", self)
        self.pc_form = QtWidgets.QFormLayout(self.pc_box)
        self.raw_box = QtWidgets.QGroupBox("Raw dimensions", self)
        self.raw_form = QtWidgets.QFormLayout(self.raw_box)
        self.pc_sliders: list[QtWidgets.QSlider] = []
        self.raw_sliders: list[QtWidgets.QSlider] = []
        sliders = QtWidgets.QWidget(self)
        sl = QtWidgets.QVBoxLayout(sliders)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.pc_box)
        sl.addWidget(self.raw_box)
        sl.addStretch(1)
        scroll = QtWidgets.QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(sliders)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.set_a = QtWidgets.QPushButton("Set A", self)
        self.set_b = QtWidgets.QPushButton("Set B", self)
        self.set_a.setToolTip("Use the current sample as the start of the interpolation")
        self.set_b.setToolTip("Use the current sample as the end of the interpolation")
        self.set_a.clicked.connect(lambda: self._set_end("a"))
        self.set_b.clicked.connect(lambda: self._set_end("b"))
        self.mode = QtWidgets.QComboBox(self)
        self.mode.addItems(["linear", "spherical"])
        self.mode.currentIndexChanged.connect(lambda _: self.request_strip())
        self.n_steps = QtWidgets.QSpinBox(self)
        self.n_steps.setRange(3, 16)
        self.n_steps.setValue(8)
        self.n_steps.valueChanged.connect(lambda _: self.request_strip())
        self.strip_hint = QtWidgets.QLabel(self)
        self.strip_hint.setWordWrap(True)          # a long hint wraps instead of widening the window
        font = self.strip_hint.font()
        font.setItalic(True)
        self.strip_hint.setFont(font)
        interp = QtWidgets.QWidget(self)
        ilay = QtWidgets.QVBoxLayout(interp)
        ilay.setContentsMargins(2, 2, 2, 2)
        irow = QtWidgets.QHBoxLayout()
        for w in (self.set_a, self.set_b, self.mode, QtWidgets.QLabel("steps", self), self.n_steps):
            irow.addWidget(w)
        irow.addSpacing(12)
        irow.addWidget(self.strip_hint, 1)
        ilay.addLayout(irow)
        ilay.addWidget(self.strip, 1)
        ilay.addStretch(0)
        self.arith = ArithmeticPage(self)
        self.arith.changed.connect(self.request_arith)
        self.arith.tiles_changed.connect(self.request_tiles)
        self.lower = QtWidgets.QTabWidget(self)
        self.lower.setDocumentMode(True)
        self.lower.addTab(interp, "Interpolation")
        self.lower.addTab(self.arith, "Vector arithmetic")
        self.lower.currentChanged.connect(self._lower_changed)

        right = QtWidgets.QVBoxLayout()
        right.addLayout(top)
        right.addWidget(scroll, 1)
        brow = QtWidgets.QHBoxLayout()
        brow.addWidget(self.reset_btn)
        brow.addWidget(self.refresh_btn)
        right.addLayout(brow)
        right.addWidget(self.follow)
        upper = QtWidgets.QHBoxLayout()
        upper.addWidget(self.picture, 3)
        upper.addLayout(right, 2)
        head = QtWidgets.QVBoxLayout()
        head.setSpacing(0)
        head.addWidget(self.caption)
        head.addWidget(self.status)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(head)
        lay.addLayout(upper, 3)
        lay.addWidget(self.lower, 2)

    def _enable(self, on: bool) -> None:
        for w in (self.seed, self.random_btn, self.trunc, self.cls, self.reset_btn,
                  self.set_a, self.set_b, self.mode, self.n_steps, self.pc_box, self.raw_box, self.arith):
            w.setEnabled(on)
        self.refresh_btn.setEnabled(on and self._live)

    # ------------------------------------------------------------------ following the run
    @property
    def preparing(self) -> bool:
        """A new source is being prepared (its directions fitted) on the worker."""
        return bool(self._preparing)

    @property
    def following(self) -> bool:
        """Whether the explorer follows the live run (else what it shows is pinned)."""
        return self.follow.isChecked()

    def _tick(self) -> None:
        if self._live and self.following and self.isVisible():
            self.follow_requested.emit()

    def _follow_toggled(self, on: bool) -> None:
        self._show_caption()
        if on:
            self._tick()

    def set_live(self, live: bool) -> None:
        """Whether a run is training: "Refresh from training" is enabled only then (with a model),
        and a followed run is asked for a new copy every FOLLOW_MS while the tab is visible."""
        self._live = bool(live)
        self.refresh_btn.setEnabled(self._live and self.model is not None)
        if self._live:
            self._follow_timer.start()
        else:
            self._follow_timer.stop()
        self._show_caption()

    def set_source(self, source, keep_view: bool = False) -> None:
        """Explore `source` (a latent model; None empties the explorer). With `keep_view` and a
        source of the same family and latent dimension as the current one, the seed, the sliders,
        the truncation, the class and the interpolation ends A/B stay and the picture and strip are
        rendered again from the new source; otherwise the explorer starts afresh."""
        if source is not None and not getattr(source, "ready", True):
            self._stamp += 1                # fit its directions on the worker first, then come back
            self._preparing = self._stamp
            self._submit("prepare", self._stamp, lambda: (source.prepare(), (source, keep_view))[1])
            return
        self._preparing = 0
        old = self.model
        keep = (keep_view and old is not None and source is not None
                and source.family == old.family and source.latent_dim == old.latent_dim)
        self.model = source
        self._floor = self._stamp + 1       # replies for the previous source are stale now
        self._pending.clear()
        if source is not None and source.source and self._live and self.following:
            with QtCore.QSignalBlocker(self.follow):
                self.follow.setChecked(False)   # a checkpoint opened during a run stays: pinned
        self.arith.set_model(source, keep)
        if keep:
            self._swap_source(source)
            return
        self._a = self._b = None
        self.strip.img.clear()
        self.arith.grid.img.clear()
        self.arith.clear_result()
        self._enable(source is not None)
        self._hint()
        if source is None:
            self.picture.img.clear()
            self.status.setText("No generator loaded: train a run or load a checkpoint.")
            self._show_caption()
            return
        m = source
        self._fill_classes(m)
        with QtCore.QSignalBlocker(self.trunc):
            self.trunc.setValue(int(round(min(max(m.truncation, 0.05), 2.0) * 100)))
        self.trunc_label.setText(f"{self.trunc.value() / 100:.2f}")
        self._make_sliders()
        self._show_status(m)
        self._seed_changed(self.seed.value())
        self.request_tiles()

    def _swap_source(self, m) -> None:
        """The same view on a new source: slider values carried over, picture and strip redrawn."""
        pcs = [s.value() for s in self.pc_sliders]
        cls = self.cls.currentIndex()
        if list(m.class_names) != self._class_names:
            self._fill_classes(m)
        with QtCore.QSignalBlocker(self.cls):
            self.cls.setCurrentIndex(min(max(cls, 0), self.cls.count() - 1))
        self._make_sliders()                # the principal directions (and their shares) are new
        for s, v in zip(self.pc_sliders, pcs):
            with QtCore.QSignalBlocker(s):
                s.setValue(v)
        self._sync_raw()
        self._show_status(m)
        self.request()
        self.request_strip()
        self.request_tiles()

    def _fill_classes(self, m) -> None:
        self._class_names = list(m.class_names)
        with QtCore.QSignalBlocker(self.cls):
            self.cls.clear()
            self.cls.addItems([f"{i}: {n}" if n != str(i) else str(i) for i, n in enumerate(m.class_names)])
        self.cls.setVisible(m.n_classes > 0)
        self.cls_label.setVisible(m.n_classes > 0)

    def _show_status(self, m) -> None:
        self.status.setText(f"{m.family} generator, latent dimension {m.latent_dim}"
                            + (f", {m.n_classes} classes" if m.n_classes else ""))
        self._show_caption()

    def caption_text(self) -> str:
        """What is shown: "run NAME · step N (live | checkpoint FILE)", and whether it is pinned."""
        m = self.model
        if m is None:
            return "Waiting for a copy of the running generator…" if self._live and self.following else ""
        origin = f"checkpoint {m.source}" if m.source else ("live" if self._live else "copied from the run")
        text = f"run {m.run or '?'} · step {m.step:,} ({origin})"
        if self._live and not self.following:
            text += " · pinned: tick Follow the run to show the training run"
        return text

    def _show_caption(self) -> None:
        self.caption.setText(self.caption_text())

    def _make_sliders(self) -> None:
        for form, sliders in ((self.pc_form, self.pc_sliders), (self.raw_form, self.raw_sliders)):
            while form.rowCount():
                form.removeRow(0)
            sliders.clear()
        m = self.model
        for j, share in enumerate(m.explained):
            s = latent_slider(self)
            s.setToolTip("Move z along the j-th principal direction of G's output, mapped back to z")
            s.valueChanged.connect(lambda _: self.request())
            self.pc_form.addRow(f"PC{j + 1} ({100 * share:.0f}%)", s)
            self.pc_sliders.append(s)
        for i in range(min(m.latent_dim, MAX_RAW)):
            s = latent_slider(self)
            s.valueChanged.connect(lambda v, i=i: self._raw_changed(i, v))
            self.raw_form.addRow(f"z[{i}]", s)
            self.raw_sliders.append(s)
        more = m.latent_dim - len(self.raw_sliders)
        self.raw_box.setTitle("Raw dimensions" + (f" (first {MAX_RAW} of {m.latent_dim})" if more > 0 else ""))

    # ------------------------------------------------------------------ state -> z
    def _seed_changed(self, seed: int) -> None:
        if self.model is None:
            return
        self._base = self.model.z_for_seed(seed)
        self._sync_raw()
        for s in self.pc_sliders:
            with QtCore.QSignalBlocker(s):
                s.setValue(0)
        self.request()

    def _sync_raw(self) -> None:
        for i, s in enumerate(self.raw_sliders):
            with QtCore.QSignalBlocker(s):
                s.setValue(int(round(float(np.clip(self._base[i], -SLIDER_RANGE, SLIDER_RANGE)) * SLIDER_STEPS)))

    def _raw_changed(self, i: int, v: int) -> None:
        self._base[i] = v / SLIDER_STEPS
        self.request()

    def _trunc_changed(self, v: int) -> None:
        self.trunc_label.setText(f"{v / 100:.2f}")
        self.request()
        self.request_tiles()

    def randomize(self) -> None:
        self.seed.setValue(int(np.random.default_rng().integers(0, 2**31 - 1)))

    def reset_sliders(self) -> None:
        for s in self.pc_sliders:
            with QtCore.QSignalBlocker(s):
                s.setValue(0)
        self._seed_changed(self.seed.value())

    def current_z(self) -> np.ndarray:
        offsets = np.array([s.value() / SLIDER_STEPS for s in self.pc_sliders], np.float32)
        return self.model.compose(self._base, offsets, self.trunc.value() / 100)

    def current_class(self) -> int | None:
        return self.cls.currentIndex() if self.model is not None and self.model.n_classes else None

    # ------------------------------------------------------------------ requests
    def request(self) -> int:
        """Ask for the picture of the current state; returns its stamp (0 without a source)."""
        if self.model is None:
            return 0
        m, z, y = self.model, self.current_z(), self.current_class()
        self._stamp += 1
        stamp = self._stamp
        self._submit("image", stamp, lambda: m.render(z, y))
        self.request_arith()                  # the base of the arithmetic is this sample
        return stamp

    def _arith_shown(self) -> bool:
        return self.lower.currentWidget() is self.arith

    def _lower_changed(self, _i: int) -> None:
        if self._arith_shown():
            self.request_tiles()
            self.request_arith()

    def tile_points(self) -> tuple[np.ndarray, int | None]:
        """The arithmetic grid's latent vectors (truncated as the sample above) and their class."""
        m, tr = self.model, self.trunc.value() / 100
        zs = np.stack([m.compose(m.z_for_seed(s), None, tr) for s in self.arith.seeds()])
        return zs, self.current_class()

    def request_tiles(self) -> int:
        """Draw the arithmetic grid (only while its tab is shown)."""
        if self.model is None or not self._arith_shown():
            return 0
        m, (zs, y), marks = self.model, self.tile_points(), self.arith.marks()
        self._stamp += 1
        self._submit("tiles", self._stamp, lambda: tile_grid(m.render_many(zs, y), TILE_COLS, marks))
        return self._stamp

    def arithmetic_points(self):
        """(mean A, mean B, base) as points (z, c) of G's input, or None while a set is empty."""
        m, ar = self.model, self.arith
        if m is None or not ar.ready():
            return None
        zs, y = self.tile_points()

        def mean(key):
            cls = ar.chosen_class(key)
            if cls is not None:
                return m.set_mean(cls=cls)
            idx = sorted(ar.members[key])
            return m.set_mean(zs[idx], y)

        return mean("a"), mean("b"), m.point(self.current_z(), self.current_class())

    def request_arith(self) -> int:
        """Draw mean A, mean B, the base and base + s·(A − B) (only while the tab is shown)."""
        if self.model is None or not self._arith_shown():
            return 0
        self.arith.hint.setText(self.arith.describe())
        pts = self.arithmetic_points()
        self.arith.hint.setVisible(pts is None)     # once both sets are chosen the titles say it all
        if pts is None:
            self.arith.clear_result()
            return 0
        m, s = self.model, self.arith.s()
        (ma, mb, base) = pts
        self._stamp += 1
        self._submit("arith", self._stamp,
                     lambda: m.render_points([ma, mb, base, m.arithmetic(base, ma, mb, [s])[0]]))
        return self._stamp

    def _set_end(self, which: str) -> None:
        if self.model is None:
            return
        point = (self.current_z(), self.current_class())
        if which == "a":
            self._a = point
        else:
            self._b = point
        self._hint()
        self.request_strip()

    def _hint(self) -> None:
        """Say what the strip below shows, or how to get one."""
        if self.model is None:
            text = ""
        elif self._a is None:
            text = "Set A on one sample, move to another and set B: the strip walks from A to B."
        elif self._b is None:
            text = "A is set: move to another sample and set B."
        else:
            text = "From A (left) to B (right); set either again to change it."
            ya, yb = self._a[1], self._b[1]
            if ya is not None and yb is not None and ya != yb:
                names = self._class_names
                text = (f"From A, class {names[ya]} (left), to B, class {names[yb]} (right): z and the "
                        f"class (a soft one-hot) walk together.")
        self.strip_hint.setText(text)

    def request_strip(self) -> int:
        if self.model is None or self._a is None:
            return 0
        m = self.model
        (za, ya), (zb, yb) = self._a, self._b or self._a
        n, mode = self.n_steps.value(), self.mode.currentText()
        self._stamp += 1
        self._submit("strip", self._stamp, lambda: m.strip(za, zb, n, mode, ya, y1=yb))
        return self._stamp

    def _submit(self, kind: str, stamp: int, fn) -> None:
        if self._busy:
            self._pending[kind] = (stamp, fn)     # replaces an older waiting request of this kind
            return
        self._busy = True
        self.jobs.run(fn, lambda out: self._on_reply(kind, stamp, out, ""),     # an error is shown, not raised
                      lambda e, _tb: self._on_reply(kind, stamp, None, f"{type(e).__name__}: {e}"))

    def _on_reply(self, kind: str, stamp: int, out, err: str) -> None:
        self._busy = False
        if self._pending:
            k = next(iter(self._pending))
            s, fn = self._pending.pop(k)
            self._submit(k, s, fn)
        self.accept_reply(kind, stamp, out, err)

    def accept_reply(self, kind: str, stamp: int, out, err: str = "") -> bool:
        """Put a reply on screen unless it is stale; True when shown."""
        if stamp < self._floor or stamp <= self._shown.get(kind, 0):
            self.dropped += 1
            return False
        if err:
            self.status.setText(f"Rendering failed: {err}")
            return False
        if kind == "prepare":
            if stamp != self._preparing:    # another source was set meanwhile
                self.dropped += 1
                return False
            if self._follow_timer.isActive():
                self._follow_timer.start()  # the next copy no sooner than FOLLOW_MS after this fit
            self.set_source(*out)
            return True
        self._shown[kind] = stamp
        if kind == "arith":
            self.arith.show_result([np.asarray(im) for im in out])
        else:
            {"image": self.picture, "strip": self.strip, "tiles": self.arith.grid}[kind].show_image(np.asarray(out))
        self.rendered.emit(stamp)
        return True

    @property
    def image(self) -> np.ndarray | None:
        """The picture on screen."""
        return self.picture.img.image

    # ------------------------------------------------------------------ lifetime
    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Drop waiting requests and wait for the render in flight; True when the pool is idle."""
        self._pending.clear()
        return self.jobs.wait(timeout_ms)

    def _restyle(self) -> None:
        bg = self.palette().color(QtGui.QPalette.ColorRole.Window)
        for p in (self.picture, self.strip, self.arith.grid, *self.arith.pics.values()):
            p.setBackground(bg)

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        self._restyle()

    def changeEvent(self, ev) -> None:
        super().changeEvent(ev)
        if ev.type() in (QtCore.QEvent.Type.PaletteChange, QtCore.QEvent.Type.ApplicationPaletteChange):
            self._restyle()

    def closeEvent(self, ev) -> None:
        self.shutdown()
        super().closeEvent(ev)
