"""The list of presets: title, variant and description; choosing one emits its name."""
from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget)

from ...config.paths import presets_dir
from ...config.presets import load_preset
from ...config.schema import ConfigError

NAME_ROLE = Qt.ItemDataRole.UserRole


class PresetList(QWidget):
    """`chosen(name)` fires when the user picks a preset (click, Enter or arrow keys)."""
    chosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setSpacing(1)
        lay.addWidget(self.list)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setMinimumHeight(40)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.info)
        self.errors: list[str] = []
        self.list.currentItemChanged.connect(self._current_changed)
        self.reload()

    def reload(self) -> None:
        with QSignalBlocker(self.list):
            self.list.clear()
            self.errors = []
            bold = QFont(self.list.font())
            bold.setBold(True)
            for path in sorted(presets_dir().glob("*.toml")):
                try:
                    cfg = load_preset(path)
                except ConfigError as e:   # a broken preset file is listed, not fatal
                    self.errors.append(str(e))
                    continue
                item = QListWidgetItem(f"{cfg.title or path.stem}\n{path.stem} · {cfg.variant.name}")
                item.setData(NAME_ROLE, path.stem)
                item.setToolTip(f"<b>{cfg.title}</b><br>{cfg.description}")
                self.list.addItem(item)
        if self.errors:
            self.info.setText("<br>".join(f"<span style='color:#d55'>{e}</span>" for e in self.errors))

    def names(self) -> list[str]:
        return [self.list.item(i).data(NAME_ROLE) for i in range(self.list.count())]

    def current(self) -> str | None:
        item = self.list.currentItem()
        return item.data(NAME_ROLE) if item is not None else None

    def select(self, name: str, emit: bool = True) -> bool:
        """Select a preset by name; emits `chosen` unless told not to. False when it is unknown."""
        for i in range(self.list.count()):
            if self.list.item(i).data(NAME_ROLE) == name:
                if not emit:
                    with QSignalBlocker(self.list):
                        self.list.setCurrentRow(i)
                    self._describe(name)
                else:
                    self.list.setCurrentRow(i)
                self.list.scrollToItem(self.list.item(i), QListWidget.ScrollHint.PositionAtCenter)
                return True
        return False

    def showEvent(self, e) -> None:
        super().showEvent(e)
        QTimer.singleShot(0, self.scroll_to_current)

    def scroll_to_current(self) -> None:
        """Bring the chosen preset into view (again once the list has its real size)."""
        item = self.list.currentItem()
        if item is not None:
            self.list.scrollToItem(item, QListWidget.ScrollHint.PositionAtCenter)

    def sizeHint(self) -> QSize:
        return QSize(300, 260)

    def _current_changed(self, item, _prev) -> None:
        if item is None:
            return
        name = item.data(NAME_ROLE)
        self._describe(name)
        self.chosen.emit(name)

    def _describe(self, name: str) -> None:
        try:
            cfg = load_preset(name)
        except ConfigError as e:
            self.info.setText(str(e))
            return
        self.info.setText(f"<b>{cfg.title}</b> <i>({cfg.variant.name})</i><br>{cfg.description}")
