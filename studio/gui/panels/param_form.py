"""The hyperparameter form, generated from the typed config's dataclass fields.

One group per section. Tooltips say what a field means, its allowed values (with the unit and
what 0 means) and whether it can change while training; a line at the top explains the ● of the
live fields. Only the fields that mean something for the chosen data, model, variant, optimiser
and device are shown (`relevant`); the others are hidden and keep their values.

Values are checked where they are typed: number boxes take any text, and the form checks it
against the field's metadata with `check_value`. A bad value (text that is not a number, out of
range) is not applied: the field gets a red frame and the reason on a line under it, until a
valid value is entered. While a run is live only the fields the trainer can change stay enabled.
Model-to-widget updates happen under QSignalBlocker so they never echo.
"""
from __future__ import annotations

import copy
import dataclasses

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QLabel,
                               QSizePolicy, QVBoxLayout, QWidget)

from ...config.io import get_value, set_value
from ...config.schema import DATA_KINDS, SECTIONS, VARIANT_PARAMS, Config, ConfigError, live_keys
from ...data.base import family_of
from ..wheel_guard import guard
from .field_help import check_list, error_reason, field_type, tooltip
from .fields import FieldCell, FileField, FloatSpin, IntSpin, NumberSpin, TextEdit

TITLES = {"data": "Data", "model": "Model", "variant": "Variant", "optim_d": "Optimiser D",
          "optim_g": "Optimiser G", "train": "Training", "checkpoint": "Checkpoints", "log": "Logging",
          "eval": "Evaluation"}
LIVE_MARK = "●"
LEGEND = f"{LIVE_MARK} can change while training"
LEGEND_RUNNING = f"{LIVE_MARK} can change while training; the others are locked during the run"

IMAGE_KINDS = tuple(k for k in DATA_KINDS if family_of(k) == "image")     # the data registry says
# which fields mean something for the current choice; the others are hidden, not just greyed out
_DATA = {"mean": ("gaussian1d", "point1d"), "std": ("gaussian1d",), "means": ("mixture1d",),
         "stds": ("mixture1d",), "weights": ("mixture1d",), "n_modes": ("ring2d",),
         "radius": ("ring2d", "grid2d"), "mode_std": ("ring2d", "grid2d", "points1d", "points2d"),
         "grid_size": ("grid2d",), "noise": ("spiral2d", "moons2d"), "points": ("points2d",),
         "file": ("points1d", "points2d"),
         "root": tuple(k for k in IMAGE_KINDS if k not in ("digits", "digits_domains")),  # bundled
         "root_b": ("folder_pair",), "image_size": IMAGE_KINDS, "channels": IMAGE_KINDS,
         "download": ("mnist", "fashion_mnist", "cifar10", "fashion_domains"), "limit": IMAGE_KINDS,
         "background": ("image_folder", "folder_pair")}          # only files read from a folder have alpha
# model.kind: shift and dirac (1D; dirac has no z), mlp (1D/2D), dcgan (images), resnet (CycleGAN: no z)
_MODEL = {"latent_dim": ("shift", "mlp", "dcgan"), "hidden": ("mlp",), "depth": ("mlp",),
          "theta0": ("shift", "dirac"), "base_channels": ("dcgan", "resnet"), "batchnorm": ("dcgan",),
          "d_activation": ("dcgan",), "resample": ("dcgan",),
          "truncation": ("shift", "mlp", "dcgan")}
_OPTIM = {"beta1": ("adam",), "beta2": ("adam",), "alpha": ("rmsprop",), "momentum": ("sgd", "rmsprop")}
# by the family of the data ("1d", "2d", "image", "none": the saddle's two scalars)
_BY_FAMILY = {"train.batch_size": ("1d", "2d", "image"), "train.amp": ("image",),
              "train.channels_last": ("image",), "checkpoint.keep_best": ("1d", "2d", "image"),
              "log.grid_every": ("image",), "log.grid_samples": ("image",),
              "eval.every": ("1d", "2d", "image"), "eval.n_samples": ("1d", "2d", "image"),
              "eval.pr_k": ("2d", "image"), "eval.kid_subsets": ("image",), "eval.inception": ("image",)}
# by train.device: bf16 autocast only runs on CUDA, channels_last is only used on the CPU
_BY_DEVICE = {"train.amp": ("auto", "cuda"), "train.channels_last": ("auto", "cpu")}
# the settings that decide what is shown
CHOOSERS = ("data.kind", "model.kind", "variant.name", "optim_d.kind", "optim_g.kind", "train.device")

FILE_KEY = "data.file"
FOLDER_KEY = "data.root"
FOLDER_TIP = "Choose a folder of images (one subfolder per class; one subfolder is fine)"
FILE_FILTER = "Points (*.csv *.npy);;CSV (*.csv);;NumPy arrays (*.npy);;All files (*)"


def drawn_text(cfg: Config) -> str:
    """What the data.points row says: how many points are drawn and whether the run uses them."""
    n = len(cfg.data.points)
    return f"{n:,} drawn point{'s' * (n != 1)}" if n else "none yet (Draw data)"


def data_family(kind: str) -> str | None:
    """"1d", "2d", "image" or "none" (the saddle's two scalars), as the data registry has it; None for
    a kind without a loader."""
    return family_of(kind)


def relevant(cfg: Config, key: str) -> bool:
    """False for fields that do nothing with the current data, model, variant, optimiser or device."""
    section, name = key.split(".", 1)
    family = data_family(cfg.data.kind)
    if key in _BY_FAMILY and family is not None and family not in _BY_FAMILY[key]:
        return False
    if key in _BY_DEVICE and cfg.train.device not in _BY_DEVICE[key]:
        return False
    if section == "data":
        if name == "points" and cfg.data.file:
            return False                        # a file's points are the data: the drawn ones wait
        return name == "kind" or cfg.data.kind in _DATA.get(name, (cfg.data.kind,))
    if section == "model":
        if not cfg.variant.uses_model:
            return False
        return cfg.model.kind in _MODEL.get(name, (cfg.model.kind,))
    if section in ("optim_d", "optim_g"):
        return getattr(cfg, section).kind in _OPTIM.get(name, (getattr(cfg, section).kind,))
    return True


# ---------------------------------------------------------------------------------------- the form
class ParamForm(QWidget):
    """Edits a copy of a Config; `edited(key, value)` fires on every accepted user change, never
    for a rejected one (that one is marked on its field, see `errors()`)."""
    edited = Signal(str, object)
    errors_changed = Signal(int)        # how many fields show a rejected value
    file_chosen = Signal(str)           # a points file picked with the "…" button beside data.file
    folder_chosen = Signal(str)         # an image folder picked with the "…" button beside data.root
    config_replaced = Signal()          # set_config showed a whole new config
    running_changed = Signal(bool)      # set_running: the fields the trainer cannot change are locked

    def __init__(self, parent=None):
        super().__init__(parent)
        self._cfg = Config()
        self._widgets: dict[str, QWidget] = {}
        self._cells: dict[str, FieldCell] = {}
        self._labels: dict[str, QLabel] = {}
        self._rows: dict[str, tuple[QFormLayout, QWidget]] = {}
        self._live_keys: set[str] = set()
        self._running = False
        self._locked_sections: set[str] = set()
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(4, 4, 4, 4)
        self.legend = QLabel(LEGEND, self)
        self.legend.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        font = QFont(self.legend.font())
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.legend.setFont(font)
        self.legend.setWordWrap(True)               # wraps to the form's width, never widens it
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.legend.setToolTip("Fields marked ● (learning rates, betas, D steps, ...) change the running "
                               "trainer between steps;\nthe others are fixed while a run is live. "
                               "Hover a name for what it means and its allowed values.")
        self._lay.addWidget(self.legend)
        self._body: QWidget | None = None

    # ------------------------------------------------------------------ public
    def set_config(self, cfg: Config) -> None:
        self._cfg = copy.deepcopy(cfg)
        self._rebuild()
        self.config_replaced.emit()

    def config(self) -> Config:
        return copy.deepcopy(self._cfg)

    def widget(self, key: str) -> QWidget:
        return self._widgets[key]

    def label(self, key: str) -> QLabel:
        return self._labels[key]

    def mark_error(self, key: str, reason: str | None, shown: str | None = None) -> None:
        """Mark a field as wrong (why, one line) or clear its mark: a run does not start while a
        field is marked. For what is found wrong elsewhere (a file that does not read); `shown` is
        the rejected text to show in a text field (not applied, like a bad typed value)."""
        if key not in self._cells:
            return
        self._mark(key, reason)
        w = self._widgets[key]
        if reason is not None and shown is not None and isinstance(w, TextEdit):
            w.setText(shown)
        elif reason is None:
            self._show(w, get_value(self._cfg, key))

    def set_note(self, key: str, text: str | None) -> None:
        """A muted line under a field that says what its value amounts to (a file's point count)."""
        if key in self._cells:
            self._cells[key].set_note(text)

    def note(self, key: str) -> str:
        cell = self._cells.get(key)
        return cell.note.text() if cell is not None else ""

    def pick_file(self) -> None:
        """The "…" beside data.file: choose a CSV or .npy and hand it on (`file_chosen`)."""
        start = get_value(self._cfg, FILE_KEY) or ""
        path, _ = QFileDialog.getOpenFileName(self, "Choose a points file", start, FILE_FILTER)
        if path:
            self.file_chosen.emit(path)

    def pick_folder(self) -> None:
        """The "…" beside data.root: choose an image folder and hand it on (`folder_chosen`)."""
        path = QFileDialog.getExistingDirectory(self, "Choose an image folder", get_value(self._cfg, FOLDER_KEY) or "")
        if path:
            self.folder_chosen.emit(path)

    def errors(self) -> dict[str, str]:
        """{key: reason} of the fields that show a rejected value (not applied)."""
        return {k: c.error() for k, c in self._cells.items() if c.error() is not None}

    def set_running(self, running: bool) -> None:
        """Lock every field the trainer cannot change while a run is live."""
        self._running = running
        self.legend.setText(LEGEND_RUNNING if running else LEGEND)
        self._apply_enabled()
        self.running_changed.emit(running)

    def keys(self) -> list[str]:
        """The keys of the fields built (shown or hidden)."""
        return list(self._labels)

    def add_header(self, widget: QWidget) -> None:
        """A row at the top of the form, above the legend (the Reset to preset row)."""
        self._lay.insertWidget(0, widget)

    def lock_sections(self, sections) -> None:
        """Keep whole sections read-only (branching keeps the model and data of the checkpoint)."""
        self._locked_sections = set(sections)
        self._apply_enabled()

    def set_value(self, key: str, value) -> None:
        """Show a value that changed elsewhere (the trainer) without emitting `edited`; a value
        that does not fit is marked on its field instead."""
        try:
            set_value(self._cfg, key, value, key)
        except ConfigError as e:
            if key in self._cells:
                self._mark(key, error_reason(key, e))
            return
        if key == "variant.name":
            self._rebuild()
            return
        w = self._widgets.get(key)
        if w is not None:
            self._mark(key, None)
            self._show(w, get_value(self._cfg, key))
            if key in CHOOSERS:
                self._apply_visible()
        if key == FILE_KEY:
            self._apply_visible()

    # ------------------------------------------------------------------ building
    def _rebuild(self) -> None:
        if self._body is not None:
            self._body.setParent(None)
            self._body.deleteLater()
        had_errors = any(c.error() is not None for c in self._cells.values())
        for d in (self._widgets, self._cells, self._labels, self._rows):
            d.clear()
        self._live_keys = set(live_keys(self._cfg))
        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(0, 0, 0, 0)
        for section in SECTIONS:
            box = QGroupBox(TITLES.get(section, section), body)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            form.setVerticalSpacing(2)
            for f in dataclasses.fields(getattr(self._cfg, section)):
                key = f"{section}.{f.name}"
                w = self._make(key, f)
                live = key in self._live_keys
                if key == FILE_KEY:
                    holder = FileField(w, box)
                    holder.button.clicked.connect(self.pick_file)
                    cell = FieldCell(holder, box)
                elif key == FOLDER_KEY:
                    holder = FileField(w, box, name="pick_folder", tip=FOLDER_TIP)
                    holder.button.clicked.connect(self.pick_folder)
                    cell = FieldCell(holder, box)
                else:
                    cell = FieldCell(w, box)
                label = QLabel(f.name + (f" {LIVE_MARK}" if live else ""), box)
                label.setBuddy(w)
                tip = tooltip(key, f, live, sorted(VARIANT_PARAMS) if key == "variant.name" else None)
                for x in (label, cell, w):
                    x.setToolTip(tip)
                form.addRow(label, cell)
                self._widgets[key], self._cells[key], self._labels[key] = w, cell, label
                self._rows[key] = (form, cell)
            lay.addWidget(box)
        lay.addStretch(1)
        self._lay.addWidget(body)
        self._body = body
        self._apply_enabled()
        self._apply_visible()
        if had_errors:
            self.errors_changed.emit(0)

    def _apply_visible(self) -> None:
        shown_any: dict[QFormLayout, bool] = {}
        for key, (form, cell) in self._rows.items():
            ok = relevant(self._cfg, key)
            if not ok and self._cells[key].error() is not None:
                self._revert(key)                         # hidden: back to the value it keeps
            form.setRowVisible(cell, ok)
            shown_any[form] = shown_any.get(form, False) or ok
        for form, any_shown in shown_any.items():
            form.parentWidget().setVisible(any_shown)     # no empty group boxes

    def _make(self, key: str, f: dataclasses.Field) -> QWidget:
        m, t, value = f.metadata, field_type(f), get_value(self._cfg, key)
        if key == "variant.name":
            w = QComboBox()
            w.addItems(sorted(VARIANT_PARAMS))
            w.setCurrentText(value)
            w.currentTextChanged.connect(self._variant_changed)
        elif m.get("choices") is not None:
            w = QComboBox()
            w.addItems([str(c) for c in m["choices"]])
            w.setCurrentText(str(value))
            w.currentTextChanged.connect(lambda v, k=key: self._user(k, v))
        elif t == "bool":
            w = QCheckBox()
            w.setChecked(bool(value))
            w.toggled.connect(lambda v, k=key: self._user(k, bool(v)))
        elif t in ("int", "float"):
            if t == "int":
                w = IntSpin(m.get("min"), m.get("max"), zero=m.get("zero"))
            else:
                w = FloatSpin(m.get("min"), m.get("max"), log=bool(m.get("log")), step=m.get("step"))
            with QSignalBlocker(w):
                w.setValue(value)
            w.valueChanged.connect(lambda v, k=key: self._user(k, v))
            w.committed.connect(lambda v, k=key: self._user(k, v))
        elif t == "list[list[float]]":
            w = QLabel()
            w.setWordWrap(True)                          # never widens the form
            w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self._show(w, value)
        else:
            w = TextEdit(t == "list[float]")
            w.show_value(value)
            w.committed.connect(lambda v, k=key: self._user(k, v))
        if isinstance(w, QComboBox):
            w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)   # no accidental wheel edits while scrolling
        return guard(w)              # the wheel scrolls the form unless the field has focus

    def _show(self, w: QWidget, value) -> None:
        with QSignalBlocker(w):
            if isinstance(w, QComboBox):
                w.setCurrentText(str(value))
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, NumberSpin):
                w.setValue(value)
            elif isinstance(w, TextEdit):
                w.show_value(value)
            elif isinstance(w, QLabel):                   # drawn points
                w.setText(drawn_text(self._cfg))

    def _apply_enabled(self) -> None:
        for key, w in self._widgets.items():
            section = key.split(".", 1)[0]
            ok = key in self._live_keys if self._running else section not in self._locked_sections
            if self._locked_sections and key == "variant.name":
                ok = False
            if not ok and self._cells[key].error() is not None:
                self._revert(key)                         # locked: back to the value in force
            self._cells[key].editor.setEnabled(ok)       # the editor and what it holds (the … button)
            self._labels[key].setEnabled(ok)

    # ------------------------------------------------------------------ marks
    def _mark(self, key: str, reason: str | None) -> None:
        cell = self._cells[key]
        before = cell.error()
        cell.set_error(reason)
        if before != reason and (before is None or reason is None):
            self.errors_changed.emit(len(self.errors()))

    def _revert(self, key: str) -> None:
        self._mark(key, None)
        self._show(self._widgets[key], get_value(self._cfg, key))

    # ------------------------------------------------------------------ user edits
    def _user(self, key: str, value) -> None:
        old = get_value(self._cfg, key)
        try:
            check_list(key, value)
            set_value(self._cfg, key, value, key)
        except ConfigError as e:
            self._mark(key, error_reason(key, e))              # shown, not applied
            return
        self._mark(key, None)
        new = get_value(self._cfg, key)
        self._show(self._widgets[key], new)              # as the form writes it ("0.010" -> "0.01")
        if key == FILE_KEY:
            self._apply_visible()
        if new != old:
            if key in CHOOSERS:
                self._apply_visible()
            self.edited.emit(key, new)

    def _variant_changed(self, name: str) -> None:
        if name == self._cfg.variant.name:
            return
        set_value(self._cfg, "variant.name", name)
        self._rebuild()
        self.edited.emit("variant.name", name)
