"""The session log: one line per event worth reading (start, parameter changes, checkpoints,
messages, failures), time-stamped, coloured by level, bounded in length."""
from __future__ import annotations

import html
import time

from PySide6.QtCore import QSize
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QHBoxLayout, QVBoxLayout, QWidget

COLORS = {"info": None, "change": "#c69026", "warning": "#d29922", "error": "#e5534b"}


class LogPanel(QWidget):
    def __init__(self, parent=None, max_lines: int = 5000):
        super().__init__(parent)
        lay = QHBoxLayout(self)             # the button beside the text: one line high at least
        lay.setContentsMargins(4, 2, 4, 4)
        self.view = QPlainTextEdit(self)
        self.view.setReadOnly(True)
        self.view.setMaximumBlockCount(max_lines)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        font.setPointSizeF(max(self.font().pointSizeF() - 1, 7))
        self.view.setFont(font)
        self.view.setMinimumHeight(28)
        lay.addWidget(self.view, 1)
        column = QVBoxLayout()
        clear = QPushButton("Clear", self)
        clear.clicked.connect(self.view.clear)
        column.addWidget(clear)
        column.addStretch(1)
        lay.addLayout(column)
        self.lines: list[tuple[str, str]] = []      # (level, text), for tests and copy

    def append(self, text: str, level: str = "info", detail: str = "") -> None:
        stamp = time.strftime("%H:%M:%S")
        self.lines.append((level, text))
        del self.lines[:-5000]
        color = COLORS.get(level)
        body = html.escape(text)
        if color:
            body = f"<span style='color:{color}'>{body}</span>"
        self.view.appendHtml(f"<span style='color:gray'>{stamp}</span> {body}")
        if detail:
            self.view.appendHtml("<pre style='color:gray'>" + html.escape(detail.rstrip()) + "</pre>")
        sb = self.view.verticalScrollBar()
        sb.setValue(sb.maximum())

    def text(self) -> str:
        return "\n".join(t for _, t in self.lines)

    def sizeHint(self) -> QSize:
        return QSize(320, 200)

