"""Which settings differ from the preset, and the way back to it.

The name of every field whose value is not the preset's (or, for a run taken up, the run's) is shown
in bold with the original value in its tooltip; a row at the top of the form counts them and its
"Reset to preset" button puts every setting back (StudioModel.reset). The button is greyed out while
nothing differs and while a run is live."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ..app_model import StudioModel
from ..config.io import get_value, shown
from ..config.schema import ConfigError

NOTE = "<span>{n} setting{s} differ{v} from the {what} (<b>bold</b>)</span>"


def _value(cfg, key: str):
    try:
        return get_value(cfg, key)
    except (ConfigError, AttributeError, KeyError):
        return None


class PresetDiff:
    def __init__(self, model: StudioModel, form):
        self.model, self.form = model, form
        self.changed: list[str] = []
        self.running = False
        self.row = QWidget(form)
        self.row.setObjectName("preset_diff")
        lay = QHBoxLayout(self.row)
        lay.setContentsMargins(0, 0, 0, 2)
        self.note = QLabel(self.row)
        self.note.setWordWrap(True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.note, 1)
        self.button = QPushButton("Reset to preset", self.row)
        self.button.setObjectName("reset_to_preset")
        self.button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.button.clicked.connect(self.reset)
        lay.addWidget(self.button)
        form.add_header(self.row)
        model.config_changed.connect(lambda _keys: self.refresh())
        model.preset_changed.connect(lambda _name: self.refresh())
        form.config_replaced.connect(self.refresh)
        form.running_changed.connect(self._running)
        self.refresh()

    def _what(self) -> str:
        return "preset" if self.model.preset else "run's settings"

    def _running(self, running: bool) -> None:
        self.running = running
        self.refresh()

    def reset(self) -> None:
        if self.changed and not self.running:
            self.model.reset()

    def refresh(self) -> None:
        base, cur = self.model.baseline(), self.model.config()
        self.changed = []
        for key in self.form.keys():
            label = self.form.label(key)
            was, now = _value(base, key), _value(cur, key)
            differs = was != now
            font = label.font()
            if font.bold() != differs:
                font.setBold(differs)
                label.setFont(font)
            tip = label.toolTip().split("\n\nThe ")[0]
            if differs:
                self.changed.append(key)
                tip += f"\n\nThe {self._what()} has {shown(was) if was is not None else '(no such setting)'}."
            label.setToolTip(tip)
        n = len(self.changed)
        self.note.setText(NOTE.format(n=n, s="s" * (n != 1), v="" if n != 1 else "s", what=self._what())
                          if n else f"As the {self._what()} has it")
        self.note.setToolTip("\n".join(self.changed))
        self.button.setText("Reset to preset" if self.model.preset else "Reset to the run's settings")
        self.button.setEnabled(bool(n) and not self.running)
        owner = "preset's" if self.model.preset else "run's"
        self.button.setToolTip(f"Put the {n} bold setting{'s' * (n != 1)} back to the {owner} values"
                               if n else f"Every setting is as the {self._what()} has it")
