"""The latent explorer: a sample of G and its controls (latent_controls: seed, truncation, class,
principal and raw sliders), with the interpolation strip (latent_interp) and vector arithmetic
(latent_pages) below.
Renders run off the GUI thread through the studio's latest-wins job runner (latent_render): one in
flight, the newest waiting request of each kind behind it; nothing drawn for an earlier source is shown.

The source is a latent model with a numpy API; this module never imports torch nor reaches into
training: "Refresh from training" emits `refresh_requested`, and the window answers with
`set_source(new_model, keep_view=True)`, which keeps the seed, the sliders and the interpolation ends
when the new model has the same family and latent dimension.

Following the run: while a run trains, "Follow the run" is ticked and the tab is visible, the
explorer emits `follow_requested` every FOLLOW_MS (the window answers with a fresh copy when the run
has moved on). The box ticked by hand emits `follow_chosen`; the studio model decides
(gui.explorer_follow) and `show_following` shows its answer without echo. The caption always says
what is shown: "run NAME · step N (live | checkpoint FILE)".
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from .latent_controls import FOLLOW_MS, MAX_RAW, LatentControls, class_label  # noqa: F401  (re-exported)
from .latent_interp import InterpolationPage
from .latent_pages import (SET_COLOURS, SLIDER_RANGE, SLIDER_STEPS, TILE_COLS, TILE_ROWS,  # noqa: F401
                           ArithmeticPage, Picture, tile_grid)   # (the constants: re-exported)
from .latent_render import RenderQueue
from .latent_split import LatentSplit


class LatentExplorer(QtWidgets.QWidget):
    rendered = QtCore.Signal(int)           # stamp of each picture put on screen (tests, benches)
    refresh_requested = QtCore.Signal()     # "Refresh from training": the window sends a new source
    follow_requested = QtCore.Signal()      # following a live run: time for a new copy, if it moved on
    follow_chosen = QtCore.Signal(bool)     # the Follow box ticked (True) or unticked by hand

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = None
        self._live = False                    # a run is training (refresh is possible)
        self.renders = RenderQueue(self._show_reply, self)
        self.jobs = self.renders.jobs         # the studio's latest-wins runner (tests wait on it)
        self._preparing = 0                   # stamp of the source being prepared (0: none)
        self._base = np.zeros(0, np.float32)
        self._a = self._b = None
        self._class_names: list[str] = []
        self._follow_timer = QtCore.QTimer(self)
        self._follow_timer.setInterval(FOLLOW_MS)
        self._follow_timer.timeout.connect(self._tick)
        self._build()
        self._enable(False)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.picture = Picture(self)
        self.picture.setMinimumSize(160, 160)
        self.caption = QtWidgets.QLabel("", self)
        font = self.caption.font()
        font.setBold(True)
        self.caption.setFont(font)
        self.caption.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QtWidgets.QLabel("No generator loaded: train a run or load a checkpoint.", self)
        self.status.setWordWrap(True)

        c = self.controls = LatentControls(self)
        # the controls by their old names (the window, tests and benches use them)
        self.seed, self.random_btn, self.trunc, self.trunc_label = c.seed, c.random_btn, c.trunc, c.trunc_label
        self.cls, self.cls_label, self.reset_btn, self.refresh_btn = c.cls, c.cls_label, c.reset_btn, c.refresh_btn
        self.follow, self.pc_box, self.raw_box = c.follow, c.pc_box, c.raw_box
        self.pc_sliders, self.raw_sliders = c.pc_sliders, c.raw_sliders
        c.seed.valueChanged.connect(self._seed_changed)
        c.random_btn.clicked.connect(self.randomize)
        c.trunc.valueChanged.connect(self._trunc_changed)
        c.cls.currentIndexChanged.connect(lambda _: (self.request(), self.request_tiles()))
        c.reset_btn.clicked.connect(self.reset_sliders)
        c.refresh_btn.clicked.connect(self.refresh_requested)
        c.follow.toggled.connect(self._follow_toggled)

        self.interp = InterpolationPage(self)
        self.interp.end_set.connect(self._set_end)
        self.interp.changed.connect(self.request_strip)
        self.strip, self.strip_hint = self.interp.strip, self.interp.hint
        self.set_a, self.set_b, self.mode, self.n_steps = (self.interp.set_a, self.interp.set_b,
                                                           self.interp.mode, self.interp.n_steps)
        self.arith = ArithmeticPage(self)
        self.arith.changed.connect(self.request_arith)
        self.arith.tiles_changed.connect(self.request_tiles)
        self.lower = QtWidgets.QTabWidget(self)
        self.lower.setDocumentMode(True)
        self.lower.addTab(self.interp, "Interpolation")
        self.lower.addTab(self.arith, "Vector arithmetic")
        self.lower.currentChanged.connect(self._lower_changed)

        upper = QtWidgets.QWidget(self)
        ul = QtWidgets.QHBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.addWidget(self.picture, 3)
        ul.addWidget(self.controls, 2)
        self.split = LatentSplit(upper, self.lower, lambda: (self.arith.scroll.widget() if self._arith_shown()
                                                             else self.interp).sizeHint().height(), self)
        head = QtWidgets.QVBoxLayout()
        head.setSpacing(0)
        head.addWidget(self.caption)
        head.addWidget(self.status)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(head)
        lay.addWidget(self.split, 1)

    def _enable(self, on: bool) -> None:
        for w in (*self.controls.widgets(), *self.interp.widgets(), self.arith):
            w.setEnabled(on)
        self.refresh_btn.setEnabled(on and self._live)

    # the render queue's state, read by tests: the last stamp asked, the stamps shown, in flight, waiting
    _stamp = property(lambda self: self.renders.stamp)
    _shown = property(lambda self: self.renders.shown)
    _busy = property(lambda self: self.renders.busy)
    _pending = property(lambda self: self.renders.waiting)

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
        self.follow_chosen.emit(on)
        if on:
            self._tick()

    def show_following(self, on: bool) -> None:
        """Tick or untick Follow the run from outside (the studio model), without `follow_chosen`."""
        if self.follow.isChecked() != bool(on):
            with QtCore.QSignalBlocker(self.follow):
                self.follow.setChecked(bool(on))
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
        self.renders.restart()              # nothing drawn for the previous source is wanted now
        if source is not None and not getattr(source, "ready", True):
            # fit its directions on the worker first, then come back
            self._preparing = self.renders.ask("prepare", lambda: (source.prepare(), (source, keep_view))[1])
            return
        self._preparing = 0
        old = self.model
        keep = (keep_view and old is not None and source is not None
                and source.family == old.family and source.latent_dim == old.latent_dim)
        self.model = source
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
        self.controls.set_truncation(m.truncation)
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
        self.controls.set_pcs(pcs)
        self.controls.sync_raw(self._base)
        self._show_status(m)
        self.request()
        self.request_strip()
        self.request_tiles()

    def _fill_classes(self, m) -> None:
        self._class_names = list(m.class_names)
        self.controls.fill_classes(m)

    def _make_sliders(self) -> None:
        self.controls.make_sliders(self.model, self.request, self._raw_changed)

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

    # ------------------------------------------------------------------ state -> z
    def _seed_changed(self, seed: int) -> None:
        if self.model is None:
            return
        self._base = self.model.z_for_seed(seed)
        self.controls.sync_raw(self._base)
        self.controls.zero_pcs()
        self.request()

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
        self.controls.zero_pcs()
        self._seed_changed(self.seed.value())

    def current_z(self) -> np.ndarray:
        return self.model.compose(self._base, self.controls.offsets(), self.controls.truncation())

    def current_class(self) -> int | None:
        return self.cls.currentIndex() if self.model is not None and self.model.n_classes else None

    # ------------------------------------------------------------------ requests
    def request(self) -> int:
        """Ask for the picture of the current state; returns its stamp (0 without a source)."""
        if self.model is None:
            return 0
        m, z, y = self.model, self.current_z(), self.current_class()
        stamp = self.renders.ask("image", lambda: m.render(z, y))
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
        return self.arith.tile_points(self.model, self.controls.truncation()), self.current_class()

    def request_tiles(self) -> int:
        """Draw the arithmetic grid (only while its tab is shown)."""
        if self.model is None or not self._arith_shown():
            return 0
        m, (zs, y), marks = self.model, self.tile_points(), self.arith.marks()
        return self.renders.ask("tiles", lambda: tile_grid(m.render_many(zs, y), TILE_COLS, marks))

    def arithmetic_points(self):
        """(mean A, mean B, base) as points (z, c) of G's input, or None while a set is empty."""
        if self.model is None or not self.arith.ready():
            return None
        zs, y = self.tile_points()
        return self.arith.means(self.model, zs, y) + (self.model.point(self.current_z(), y),)

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
        return self.renders.ask("arith", lambda: m.render_points([ma, mb, base, m.arithmetic(base, ma, mb, [s])[0]]))

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
        names = [class_label(i, n) for i, n in enumerate(self._class_names)]
        self.interp.describe(self.model, self._a, self._b, names)

    def request_strip(self) -> int:
        if self.model is None or self._a is None:
            return 0
        m = self.model
        (za, ya), (zb, yb) = self._a, self._b or self._a
        n, mode = self.n_steps.value(), self.mode.currentText()
        return self.renders.ask("strip", lambda: m.strip(za, zb, n, mode, ya, y1=yb))

    def _show_reply(self, kind: str, stamp: int, out, err: str) -> None:
        """An answer of the render queue (only answers made for the source shown come back)."""
        if err:
            if kind == "prepare":
                self._preparing = 0
            self.status.setText(f"Rendering failed: {err}")
            return
        if kind == "prepare":
            self._preparing = 0
            if self._follow_timer.isActive():
                self._follow_timer.start()  # the next copy no sooner than FOLLOW_MS after this fit
            self.set_source(*out)
            return
        if kind == "arith":
            self.arith.show_result([np.asarray(im) for im in out])
        else:
            {"image": self.picture, "strip": self.strip, "tiles": self.arith.grid}[kind].show_image(np.asarray(out))
        self.rendered.emit(stamp)

    @property
    def image(self) -> np.ndarray | None:
        """The picture on screen."""
        return self.picture.img.image

    # ------------------------------------------------------------------ lifetime
    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Drop waiting requests and wait for the render in flight; True when the worker is idle."""
        return self.renders.shutdown(timeout_ms)

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
