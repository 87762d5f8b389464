"""A dismissable error strip shown at the top of the window (a failed run, a bad file)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.setStyleSheet("#banner { background: #a4161a; } #banner QLabel { color: white; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.label, 1)
        self.action = QPushButton(self)      # an optional remedy, e.g. "Roll back"
        self.action.hide()
        self.action.clicked.connect(self._run_action)
        self._on_action = None
        lay.addWidget(self.action)
        self.dismiss = QPushButton("Dismiss", self)
        self.dismiss.clicked.connect(self.hide)
        lay.addWidget(self.dismiss)
        self.hide()

    def show_error(self, text: str, action: str = "", on_action=None) -> None:
        """Show `text`; with `action`, a button that calls `on_action` and hides the strip."""
        self.label.setText(text)
        self._on_action = on_action if action else None
        self.action.setVisible(bool(action))
        self.action.setText(action)
        self.show()

    def _run_action(self) -> None:
        self.hide()
        if self._on_action is not None:
            self._on_action()
