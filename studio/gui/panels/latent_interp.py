"""The latent explorer's interpolation page: Set A and Set B on two samples, and the strip walking
from A to B (linear or spherical, in n steps)."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from .latent_picture import Picture


class InterpolationPage(QtWidgets.QWidget):
    """Set A and Set B on two samples; the strip walks from A to B (linear or spherical, in n steps).
    The explorer keeps the two ends and renders; this widget holds the controls and says what the
    strip shows."""
    end_set = QtCore.Signal(str)           # "a" or "b": the current sample is that end now
    changed = QtCore.Signal()              # the strip needs drawing again

    def __init__(self, parent=None):
        super().__init__(parent)
        self.strip = Picture(self)
        self.strip.setMinimumHeight(70)           # up to 220 where there is room; less in a small window
        self.strip.setMaximumHeight(220)
        self.strip.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Preferred)
        self.set_a = QtWidgets.QPushButton("Set A", self)
        self.set_b = QtWidgets.QPushButton("Set B", self)
        self.set_a.setToolTip("Use the current sample as the start of the interpolation")
        self.set_b.setToolTip("Use the current sample as the end of the interpolation")
        self.set_a.clicked.connect(lambda: self.end_set.emit("a"))
        self.set_b.clicked.connect(lambda: self.end_set.emit("b"))
        self.mode = QtWidgets.QComboBox(self)
        self.mode.addItems(["linear", "spherical"])
        self.mode.currentIndexChanged.connect(lambda _: self.changed.emit())
        self.n_steps = QtWidgets.QSpinBox(self)
        self.n_steps.setRange(3, 16)
        self.n_steps.setValue(8)
        self.n_steps.valueChanged.connect(lambda _: self.changed.emit())
        self.hint = QtWidgets.QLabel(self)
        self.hint.setWordWrap(True)          # a long hint wraps instead of widening the window
        font = self.hint.font()
        font.setItalic(True)
        self.hint.setFont(font)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        row = QtWidgets.QHBoxLayout()
        for w in (self.set_a, self.set_b, self.mode, QtWidgets.QLabel("steps", self), self.n_steps):
            row.addWidget(w)
        row.addSpacing(12)
        row.addWidget(self.hint, 1)
        lay.addLayout(row)
        lay.addWidget(self.strip, 1)
        lay.addStretch(0)

    def widgets(self) -> tuple[QtWidgets.QWidget, ...]:
        return self.set_a, self.set_b, self.mode, self.n_steps

    def describe(self, model, a, b, names) -> None:
        """Say what the strip shows, or how to get one (a, b: the ends as (z, class) or None)."""
        if model is None:
            text = ""
        elif a is None:
            text = "Set A on one sample, move to another and set B: the strip walks from A to B."
        elif b is None:
            text = "A is set: move to another sample and set B."
        else:
            text = "From A (left) to B (right); set either again to change it."
            ya, yb = a[1], b[1]
            if ya is not None and yb is not None and ya != yb:
                text = (f"From A, class {names[ya]} (left), to B, class {names[yb]} (right): z and the "
                        f"class (a soft one-hot) walk together.")
        self.hint.setText(text)
