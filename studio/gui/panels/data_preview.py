"""The data preview (issue 19): real images of the chosen folder exactly as the GAN will see them
(crop, resize, background, channels), one row per class, with what was found and what was skipped.
It receives a uint8 picture and lines of text (studio.data.preview), nothing else."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

EMPTY = ("Choose an image folder with the … beside data.root (a folder preset such as folder-dcgan): its "
         "images appear here as the GAN will see them.")


class DataPreview(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("data_preview")
        self.heading = QLabel(EMPTY, objectName="data_preview_heading")
        self.heading.setWordWrap(True)
        self.picture = QLabel(objectName="data_preview_picture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.lines = QLabel(objectName="data_preview_lines")
        self.lines.setWordWrap(True)
        self.lines.setTextFormat(Qt.TextFormat.PlainText)
        self.lines.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body = QWidget()
        col = QVBoxLayout(body)
        for w in (self.heading, self.lines, self.picture):
            col.addWidget(w)
        col.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def show_waiting(self, folder: str) -> None:
        self.heading.setText(f"Reading {folder}…")
        self.lines.setText("")
        self.picture.clear()

    def show_error(self, folder: str, text: str) -> None:
        self.heading.setText(f"{folder}: no preview")
        self.lines.setText(text)
        self.picture.clear()

    def show_preview(self, folder: str, grid: np.ndarray, lines: list[str]) -> None:
        """`grid`: (H, W, 3) uint8, the images as a batch holds them; `lines`: found, per class, skipped."""
        a = np.ascontiguousarray(grid[..., :3], dtype=np.uint8)
        h, w = a.shape[:2]
        img = QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.picture.setPixmap(QPixmap.fromImage(img))
        self.heading.setText(f"<b>{folder}</b> as the GAN will see it (random images, one row per class)")
        self.lines.setText("\n".join(lines))
