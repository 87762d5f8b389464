"""The latent explorer: sliders along principal directions and raw dimensions, seed and "random",
truncation, class selector, and an interpolation strip (linear or spherical) between two chosen
points. Rendering runs on a private one-thread QThreadPool; every request carries a stamp, at most
one render is in flight with the newest waiting request behind it (latest wins), and a reply older
than the picture on screen, or made for an earlier source, is dropped.

The source is a latent model with a numpy API (numpy in, numpy out); this module never imports
torch and never reaches into training: "Refresh from training" only emits `refresh_requested`, and
the window answers with `set_source(new_model, keep_view=True)`, which keeps the seed, the sliders
and the interpolation ends when the new model has the same family and latent dimension.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

SLIDER_STEPS = 100          # slider ticks per unit of z
SLIDER_RANGE = 3.0          # sliders span [-3, 3]
MAX_RAW = 16                # raw dimensions offered as sliders


class _Relay(QtCore.QObject):
    """Lives on the GUI thread; the worker emits through it, so replies arrive queued."""
    done = QtCore.Signal(str, int, object, str)


class _Job(QtCore.QRunnable):
    def __init__(self, relay: _Relay, kind: str, stamp: int, fn):
        super().__init__()
        self.relay, self.kind, self.stamp, self.fn = relay, kind, stamp, fn
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            out, err = self.fn(), ""
        except Exception as e:   # shown in the explorer, never raised on the worker
            out, err = None, f"{type(e).__name__}: {e}"
        self.relay.done.emit(self.kind, self.stamp, out, err)


class _Picture(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.vb = self.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.img = pg.ImageItem(axisOrder="row-major")
        self.vb.addItem(self.img)

    def show_image(self, im: np.ndarray) -> None:
        new = self.img.image is None or self.img.image.shape[:2] != im.shape[:2]
        self.img.setImage(im, autoLevels=False, levels=(0, 255))
        if new:
            self.vb.setRange(xRange=(0, im.shape[1]), yRange=(0, im.shape[0]), padding=0.02)


def _slider(parent) -> QtWidgets.QSlider:
    s = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, parent)
    r = int(SLIDER_RANGE * SLIDER_STEPS)
    s.setRange(-r, r)
    s.setPageStep(SLIDER_STEPS // 2)
    return s


class LatentExplorer(QtWidgets.QWidget):
    rendered = QtCore.Signal(int)           # stamp of each picture put on screen (tests, benches)
    refresh_requested = QtCore.Signal()     # "Refresh from training": the window sends a new source

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = None
        self._live = False                    # a run is training (refresh is possible)
        self._pool = QtCore.QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_reply)
        self._stamp = 0                       # last stamp issued
        self._floor = 0                       # replies below this were made for an older source
        self._shown = {"image": 0, "strip": 0}
        self._busy = False
        self._pending: dict[str, tuple] = {}  # kind -> (stamp, fn), the newest waiting request
        self._base = np.zeros(0, np.float32)
        self._a = self._b = None
        self._class_names: list[str] = []
        self.dropped = 0                      # stale replies dropped so far
        self._build()
        self._enable(False)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.picture = _Picture(self)
        self.picture.setMinimumSize(160, 160)
        self.strip = _Picture(self)
        self.strip.setMinimumHeight(80)           # 130 where there is room; less in a small window
        self.strip.setMaximumHeight(130)
        self.strip.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Preferred)
        self.status = QtWidgets.QLabel("No generator loaded: train a run or load a checkpoint.", self)
        self.status.setWordWrap(True)

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
        self.cls.currentIndexChanged.connect(lambda _: self.request())
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
        irow = QtWidgets.QHBoxLayout()
        for w in (QtWidgets.QLabel("Interpolate", self), self.set_a, self.set_b, self.mode,
                  QtWidgets.QLabel("steps", self), self.n_steps):
            irow.addWidget(w)
        irow.addSpacing(12)
        irow.addWidget(self.strip_hint, 1)

        right = QtWidgets.QVBoxLayout()
        right.addLayout(top)
        right.addWidget(scroll, 1)
        brow = QtWidgets.QHBoxLayout()
        brow.addWidget(self.reset_btn)
        brow.addWidget(self.refresh_btn)
        right.addLayout(brow)
        upper = QtWidgets.QHBoxLayout()
        upper.addWidget(self.picture, 3)
        upper.addLayout(right, 2)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.status)
        lay.addLayout(upper, 1)
        lay.addLayout(irow)
        lay.addWidget(self.strip)

    def _enable(self, on: bool) -> None:
        for w in (self.seed, self.random_btn, self.trunc, self.cls, self.reset_btn,
                  self.set_a, self.set_b, self.mode, self.n_steps, self.pc_box, self.raw_box):
            w.setEnabled(on)
        self.refresh_btn.setEnabled(on and self._live)

    # ------------------------------------------------------------------ the source
    def set_live(self, live: bool) -> None:
        """Whether a run is training: "Refresh from training" is enabled only then (with a model)."""
        self._live = bool(live)
        self.refresh_btn.setEnabled(self._live and self.model is not None)

    def set_source(self, source, keep_view: bool = False) -> None:
        """Explore `source` (a latent model; None empties the explorer). With `keep_view` and a
        source of the same family and latent dimension as the current one, the seed, the sliders,
        the truncation, the class and the interpolation ends A/B stay and the picture and strip are
        rendered again from the new source; otherwise the explorer starts afresh."""
        old = self.model
        keep = (keep_view and old is not None and source is not None
                and source.family == old.family and source.latent_dim == old.latent_dim)
        self.model = source
        self._floor = self._stamp + 1       # replies for the previous source are stale now
        self._pending.clear()
        if keep:
            self._swap_source(source)
            return
        self._a = self._b = None
        self.strip.img.clear()
        self._enable(source is not None)
        self._hint()
        if source is None:
            self.picture.img.clear()
            self.status.setText("No generator loaded: train a run or load a checkpoint.")
            return
        m = source
        self._fill_classes(m)
        with QtCore.QSignalBlocker(self.trunc):
            self.trunc.setValue(int(round(min(max(m.truncation, 0.05), 2.0) * 100)))
        self.trunc_label.setText(f"{self.trunc.value() / 100:.2f}")
        self._make_sliders()
        self._show_status(m)
        self._seed_changed(self.seed.value())

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

    def _fill_classes(self, m) -> None:
        self._class_names = list(m.class_names)
        with QtCore.QSignalBlocker(self.cls):
            self.cls.clear()
            self.cls.addItems([f"{i}: {n}" if n != str(i) else str(i) for i, n in enumerate(m.class_names)])
        self.cls.setVisible(m.n_classes > 0)
        self.cls_label.setVisible(m.n_classes > 0)

    def _show_status(self, m) -> None:
        origin = f"checkpoint {m.source}" if m.source else "a copy of the running generator"
        self.status.setText(f"{m.family} generator, latent dimension {m.latent_dim}"
                            + (f", {m.n_classes} classes" if m.n_classes else "")
                            + f" · {origin} at step {m.step:,}")

    def _make_sliders(self) -> None:
        for form, sliders in ((self.pc_form, self.pc_sliders), (self.raw_form, self.raw_sliders)):
            while form.rowCount():
                form.removeRow(0)
            sliders.clear()
        m = self.model
        for j, share in enumerate(m.explained):
            s = _slider(self)
            s.setToolTip("Move z along the j-th principal direction of G's output, mapped back to z")
            s.valueChanged.connect(lambda _: self.request())
            self.pc_form.addRow(f"PC{j + 1} ({100 * share:.0f}%)", s)
            self.pc_sliders.append(s)
        for i in range(min(m.latent_dim, MAX_RAW)):
            s = _slider(self)
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
        self._submit("image", self._stamp, lambda: m.render(z, y))
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
        self.strip_hint.setText(text)

    def request_strip(self) -> int:
        if self.model is None or self._a is None:
            return 0
        m = self.model
        (za, ya), (zb, _) = self._a, self._b or self._a
        n, mode = self.n_steps.value(), self.mode.currentText()
        self._stamp += 1
        self._submit("strip", self._stamp, lambda: m.strip(za, zb, n, mode, ya))
        return self._stamp

    def _submit(self, kind: str, stamp: int, fn) -> None:
        if self._busy:
            self._pending[kind] = (stamp, fn)     # replaces an older waiting request of this kind
            return
        self._busy = True
        self._pool.start(_Job(self._relay, kind, stamp, fn))

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
        self._shown[kind] = stamp
        (self.picture if kind == "image" else self.strip).show_image(np.asarray(out))
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
        return self._pool.waitForDone(timeout_ms)

    def _restyle(self) -> None:
        bg = self.palette().color(QtGui.QPalette.ColorRole.Window)
        for p in (self.picture, self.strip):
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
