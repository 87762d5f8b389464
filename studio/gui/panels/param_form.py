"""The hyperparameter form, generated from the typed config's dataclass fields.

One group per section; tooltips from the field help; ranges from min/max; choices become combo
boxes; log-scale fields step through 1-2-5 values. While a run is live only the fields the trainer
can change stay enabled. Model-to-widget updates happen under QSignalBlocker so they never echo.
"""
from __future__ import annotations

import copy
import dataclasses
import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget)

from ...config.io import get_value, set_value
from ...config.schema import SECTIONS, VARIANT_PARAMS, Config, ConfigError, live_keys

TITLES = {"data": "Data", "model": "Model", "variant": "Variant", "optim_d": "Optimiser D",
          "optim_g": "Optimiser G", "train": "Training", "checkpoint": "Checkpoints", "log": "Logging",
          "eval": "Evaluation"}
IMAGE_KINDS = ("digits", "fashion_mnist", "mnist", "cifar10", "image_folder", "digits_domains",
               "fashion_domains", "folder_pair")
# which fields mean something for the current choice; the others are hidden, not just greyed out
_DATA = {"mean": ("gaussian1d",), "std": ("gaussian1d",), "means": ("mixture1d",),
         "stds": ("mixture1d",), "weights": ("mixture1d",), "n_modes": ("ring2d",),
         "radius": ("ring2d", "grid2d"), "mode_std": ("ring2d", "grid2d"), "grid_size": ("grid2d",),
         "noise": ("spiral2d", "moons2d"), "points": ("points2d",), "root": IMAGE_KINDS,
         "root_b": ("folder_pair",), "image_size": IMAGE_KINDS, "channels": IMAGE_KINDS,
         "download": ("mnist", "fashion_mnist", "cifar10"), "limit": IMAGE_KINDS}
_MODEL = {"hidden": ("mlp",), "depth": ("mlp",), "theta0": ("shift",), "base_channels": ("dcgan", "resnet"),
          "batchnorm": ("mlp", "dcgan", "resnet")}
_OPTIM = {"beta1": ("adam",), "beta2": ("adam",), "alpha": ("rmsprop",), "momentum": ("sgd", "rmsprop")}


def relevant(cfg: Config, key: str) -> bool:
    """False for fields that do nothing with the current data, model or optimiser kind."""
    section, name = key.split(".", 1)
    if section == "data":
        return name == "kind" or cfg.data.kind in _DATA.get(name, (cfg.data.kind,))
    if section == "model":
        if not cfg.variant.uses_model:
            return False
        return cfg.model.kind in _MODEL.get(name, (cfg.model.kind,))
    if section in ("optim_d", "optim_g"):
        return getattr(cfg, section).kind in _OPTIM.get(name, (getattr(cfg, section).kind,))
    return True


class FloatSpin(QDoubleSpinBox):
    """A spin box that shows numbers compactly (1e-04) and, for log fields, steps 1-2-5."""

    def __init__(self, log: bool, parent=None):
        super().__init__(parent)
        self.log = log
        self.setDecimals(10)
        self.setKeyboardTracking(False)

    def textFromValue(self, v: float) -> str:
        return f"{v:.4g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        t = text.strip()
        try:
            v = float(t)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        ok = self.minimum() <= v <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def stepBy(self, steps: int) -> None:
        if not self.log:
            return super().stepBy(steps)
        v = max(self.value(), self.minimum(), 1e-12)
        for _ in range(abs(steps)):
            v = _next_125(v, up=steps > 0)
        self.setValue(min(max(v, self.minimum()), self.maximum()))


def _next_125(v: float, up: bool) -> float:
    e = math.floor(math.log10(v))
    cands = sorted(m * 10.0 ** k for k in (e - 1, e, e + 1) for m in (1, 2, 5))
    if up:
        return next(c for c in cands if c > v * (1 + 1e-9))
    return next(c for c in reversed(cands) if c < v * (1 - 1e-9))


def _type(f: dataclasses.Field) -> str:
    return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))


class ParamForm(QWidget):
    """Edits a copy of a Config; `edited(key, value)` fires on every user change."""
    edited = Signal(str, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._cfg = Config()
        self._widgets: dict[str, QWidget] = {}
        self._live_keys: set[str] = set()
        self._running = False
        self._locked_sections: set[str] = set()
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(4, 4, 4, 4)
        self._body: QWidget | None = None

    # ------------------------------------------------------------------ public
    def set_config(self, cfg: Config) -> None:
        self._cfg = copy.deepcopy(cfg)
        self._rebuild()

    def config(self) -> Config:
        return copy.deepcopy(self._cfg)

    def widget(self, key: str) -> QWidget:
        return self._widgets[key]

    def set_running(self, running: bool) -> None:
        """Lock every field the trainer cannot change while a run is live."""
        self._running = running
        self._apply_enabled()

    def lock_sections(self, sections) -> None:
        """Keep whole sections read-only (branching keeps the model and data of the checkpoint)."""
        self._locked_sections = set(sections)
        self._apply_enabled()

    def set_value(self, key: str, value) -> None:
        """Show a value that changed elsewhere (the trainer) without emitting `edited`."""
        try:
            set_value(self._cfg, key, value, key)
        except ConfigError:
            return
        w = self._widgets.get(key)
        if w is not None:
            with QSignalBlocker(w):
                self._show(w, get_value(self._cfg, key))
            if key.endswith(".kind"):
                self._apply_visible()

    # ------------------------------------------------------------------ building
    def _rebuild(self) -> None:
        if self._body is not None:
            self._body.setParent(None)
            self._body.deleteLater()
        self._widgets.clear()
        self._rows: dict[str, tuple[QFormLayout, QWidget]] = {}
        self._live_keys = set(live_keys(self._cfg))
        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(0, 0, 0, 0)
        for section in SECTIONS:
            box = QGroupBox(TITLES.get(section, section), body)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            for f in dataclasses.fields(getattr(self._cfg, section)):
                key = f"{section}.{f.name}"
                w = self._make(key, f)
                live = key in self._live_keys
                label = QLabel(f.name + (" ●" if live else ""), box)
                tip = f.metadata.get("help", "")
                if live:
                    tip += "\n(changes apply between steps while training)"
                label.setToolTip(tip)
                w.setToolTip(tip)
                form.addRow(label, w)
                self._widgets[key] = w
                self._rows[key] = (form, w)
            lay.addWidget(box)
        lay.addStretch(1)
        self._lay.addWidget(body)
        self._body = body
        self._apply_enabled()
        self._apply_visible()

    def _apply_visible(self) -> None:
        shown: dict[QFormLayout, bool] = {}
        for key, (form, w) in self._rows.items():
            ok = relevant(self._cfg, key)
            form.setRowVisible(w, ok)
            shown[form] = shown.get(form, False) or ok
        for form, any_shown in shown.items():
            form.parentWidget().setVisible(any_shown)     # no empty group boxes

    def _make(self, key: str, f: dataclasses.Field) -> QWidget:
        m, t, value = f.metadata, _type(f), get_value(self._cfg, key)
        if key == "variant.name":
            w = QComboBox()
            w.addItems(sorted(VARIANT_PARAMS))
            w.setCurrentText(value)
            w.currentTextChanged.connect(self._variant_changed)
            return w
        if m.get("choices") is not None:
            w = QComboBox()
            w.addItems([str(c) for c in m["choices"]])
            w.setCurrentText(str(value))
            w.currentTextChanged.connect(lambda v, k=key: self._user(k, v))
        elif t == "bool":
            w = QCheckBox()
            w.setChecked(bool(value))
            w.toggled.connect(lambda v, k=key: self._user(k, bool(v)))
        elif t == "int":
            w = QSpinBox()
            w.setKeyboardTracking(False)
            w.setRange(int(m["min"]) if m.get("min") is not None else -2**31,
                       int(min(m["max"], 2**31 - 1)) if m.get("max") is not None else 2**31 - 1)
            if m.get("zero") and w.minimum() == 0:
                w.setSpecialValueText(m["zero"])     # shown instead of a bare 0
            w.setValue(int(value))
            w.valueChanged.connect(lambda v, k=key: self._user(k, int(v)))
        elif t == "float":
            w = FloatSpin(bool(m.get("log")))
            w.setRange(m["min"] if m.get("min") is not None else -1e9,
                       m["max"] if m.get("max") is not None else 1e9)
            lo, hi = w.minimum(), w.maximum()
            w.setSingleStep(m.get("step") or _nice_step(lo, hi))
            w.setValue(float(value))
            w.valueChanged.connect(lambda v, k=key: self._user(k, float(v)))
        elif t == "list[float]":
            w = QLineEdit(", ".join(f"{v:g}" for v in value))
            w.editingFinished.connect(lambda k=key, w=w: self._list_edited(k, w))
        elif t == "list[list[float]]":
            w = QLabel(f"{len(value)} points")
        else:
            w = QLineEdit(str(value))
            w.editingFinished.connect(lambda k=key, w=w: self._user(k, w.text()))
        w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)   # no accidental wheel edits while scrolling
        return w

    def _show(self, w: QWidget, value) -> None:
        if isinstance(w, QComboBox):
            w.setCurrentText(str(value))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
            w.setValue(value)
        elif isinstance(w, QLineEdit):
            w.setText(", ".join(f"{v:g}" for v in value) if isinstance(value, list) else str(value))

    def _apply_enabled(self) -> None:
        for key, w in self._widgets.items():
            section = key.split(".", 1)[0]
            ok = key in self._live_keys if self._running else section not in self._locked_sections
            if self._locked_sections and key == "variant.name":
                ok = False
            w.setEnabled(ok)

    # ------------------------------------------------------------------ user edits
    def _user(self, key: str, value) -> None:
        old = get_value(self._cfg, key)
        try:
            set_value(self._cfg, key, value, key)
        except ConfigError as e:
            w = self._widgets[key]
            with QSignalBlocker(w):
                self._show(w, old)
            w.setToolTip(str(e))
            return
        if get_value(self._cfg, key) != old:
            if key.endswith(".kind"):
                self._apply_visible()
            self.edited.emit(key, get_value(self._cfg, key))

    def _list_edited(self, key: str, w: QLineEdit) -> None:
        try:
            value = [float(x) for x in w.text().replace(";", ",").split(",") if x.strip()]
        except ValueError:
            value = None
        if value is None:
            with QSignalBlocker(w):
                self._show(w, get_value(self._cfg, key))
            return
        self._user(key, value)

    def _variant_changed(self, name: str) -> None:
        if name == self._cfg.variant.name:
            return
        set_value(self._cfg, "variant.name", name)
        self._rebuild()
        self.edited.emit("variant.name", name)


def _nice_step(lo: float, hi: float) -> float:
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        return 0.1
    return 10.0 ** math.floor(math.log10(span / 20))
