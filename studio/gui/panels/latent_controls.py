"""The latent explorer's controls beside the picture: seed and Random, truncation, the class (by its
name where the data names its classes, else its number), a slider per principal direction and per
raw dimension of z (in a scroll area of their own, so that every one is reachable in a small
window), Reset sliders, Refresh from training and Follow the run. It holds the widgets; the explorer
reads them and reacts to their signals."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from .latent_picture import SLIDER_RANGE, SLIDER_STEPS, latent_slider

MAX_RAW = 16                # raw dimensions offered as sliders
FOLLOW_MS = 2000            # how often a followed run is copied again (tab visible only)


def class_label(i: int, name: str) -> str:
    """What the class selector shows: the data set's name for the class, or its number."""
    return str(name) if str(name) and str(name) != str(i) else str(i)


class LatentControls(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.seed = QtWidgets.QSpinBox(self)
        self.seed.setRange(0, 2**31 - 1)
        self.random_btn = QtWidgets.QPushButton("Random", self)
        self.trunc = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, self)
        self.trunc.setRange(5, 200)
        self.trunc.setValue(100)
        self.trunc_label = QtWidgets.QLabel("1.00", self)
        self.trunc.setToolTip("Truncation: z is scaled by this factor (smaller: typical, less varied samples)")
        self.cls = QtWidgets.QComboBox(self)
        self.cls.setObjectName("latent_class")
        self.cls.setToolTip("The class G draws (a conditional model): the data set's class names, or numbers "
                            "where it has none")
        # long class names would widen the whole window's minimum
        self.cls.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.cls.setMinimumContentsLength(10)
        self.reset_btn = QtWidgets.QPushButton("Reset sliders", self)
        self.refresh_btn = QtWidgets.QPushButton("Refresh from training", self)
        self.refresh_btn.setToolTip("Copy the generator again from the running trainer")
        self.follow = QtWidgets.QCheckBox("Follow the run", self)
        self.follow.setChecked(True)
        self.follow.setToolTip("Ticked: while a run trains, the explorer shows its generator, copied again every "
                               f"{FOLLOW_MS / 1000:g} s while this tab is visible, and a new run replaces what is "
                               "shown. Unticked: what is shown stays (pinned) until you refresh or load another.")

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
        for form in (self.pc_form, self.raw_form):
            form.setVerticalSpacing(2)
        self.pc_sliders: list[QtWidgets.QSlider] = []
        self.raw_sliders: list[QtWidgets.QSlider] = []
        sliders = QtWidgets.QWidget(self)
        sl = QtWidgets.QVBoxLayout(sliders)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.pc_box)
        sl.addWidget(self.raw_box)
        sl.addStretch(1)
        self.scroll = QtWidgets.QScrollArea(self)
        self.scroll.setObjectName("latent_sliders")
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(sliders)
        self.scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setMinimumHeight(70)          # a few sliders at least; the rest by scrolling

        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.scroll, 1)
        brow = QtWidgets.QHBoxLayout()
        brow.addWidget(self.reset_btn)
        brow.addWidget(self.refresh_btn)
        lay.addLayout(brow)
        lay.addWidget(self.follow)

    def widgets(self) -> tuple[QtWidgets.QWidget, ...]:
        """The controls greyed while there is no generator."""
        return self.seed, self.random_btn, self.trunc, self.cls, self.reset_btn, self.pc_box, self.raw_box

    # ------------------------------------------------------------------ filled from a model
    def fill_classes(self, m) -> None:
        names = list(m.class_names) if m.n_classes else []
        with QtCore.QSignalBlocker(self.cls):
            self.cls.clear()
            for i, n in enumerate(names):
                self.cls.addItem(class_label(i, n), i)
                self.cls.setItemData(i, f"class {i}" + (f": {n}" if class_label(i, n) != str(i) else ""),
                                     QtCore.Qt.ItemDataRole.ToolTipRole)
        self.cls.setVisible(m.n_classes > 0)
        self.cls_label.setVisible(m.n_classes > 0)

    def make_sliders(self, m, on_pc, on_raw) -> None:
        """A slider per principal direction (with its share of the variance) and per raw dimension
        (the first MAX_RAW); `on_pc()` and `on_raw(i, value)` are called when one moves."""
        for form, sliders in ((self.pc_form, self.pc_sliders), (self.raw_form, self.raw_sliders)):
            while form.rowCount():
                form.removeRow(0)
            sliders.clear()
        for j, share in enumerate(m.explained):
            s = latent_slider(self)
            s.setToolTip("Move z along the j-th principal direction of G's output, mapped back to z")
            s.valueChanged.connect(lambda _: on_pc())
            self.pc_form.addRow(f"PC{j + 1} ({100 * share:.0f}%)", s)
            self.pc_sliders.append(s)
        for i in range(min(m.latent_dim, MAX_RAW)):
            s = latent_slider(self)
            s.valueChanged.connect(lambda v, i=i: on_raw(i, v))
            self.raw_form.addRow(f"z[{i}]", s)
            self.raw_sliders.append(s)
        more = m.latent_dim - len(self.raw_sliders)
        self.raw_box.setTitle("Raw dimensions" + (f" (first {MAX_RAW} of {m.latent_dim})" if more > 0 else ""))

    def sync_raw(self, base: np.ndarray) -> None:
        """The raw sliders at z's values (clipped to their range), quietly."""
        for i, s in enumerate(self.raw_sliders):
            with QtCore.QSignalBlocker(s):
                s.setValue(int(round(float(np.clip(base[i], -SLIDER_RANGE, SLIDER_RANGE)) * SLIDER_STEPS)))

    def zero_pcs(self) -> None:
        for s in self.pc_sliders:
            with QtCore.QSignalBlocker(s):
                s.setValue(0)

    def set_pcs(self, values: list[int]) -> None:
        for s, v in zip(self.pc_sliders, values):
            with QtCore.QSignalBlocker(s):
                s.setValue(v)

    def offsets(self) -> np.ndarray:
        return np.array([s.value() / SLIDER_STEPS for s in self.pc_sliders], np.float32)

    def truncation(self) -> float:
        return self.trunc.value() / 100

    def set_truncation(self, t: float) -> None:
        with QtCore.QSignalBlocker(self.trunc):
            self.trunc.setValue(int(round(min(max(t, 0.05), 2.0) * 100)))
        self.trunc_label.setText(f"{self.trunc.value() / 100:.2f}")
