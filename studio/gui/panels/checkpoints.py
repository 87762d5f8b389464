"""The run's checkpoints: thumbnail, step, time, reason and metrics; load, resume, branch, delete, export.

The panel lists and deletes files itself; loading, resuming, branching and exporting are the
window's business and leave as signals carrying the checkpoint path (and, for export, the output
path and format picked here).
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from ...engine.checkpoints import delete, list_checkpoints

PATH_ROLE = Qt.ItemDataRole.UserRole
SHOW_METRICS = ("loss_d", "loss_g", "wdist", "d_real", "d_fake", "theta", "phi")


class CheckpointsPanel(QWidget):
    load_requested = Signal(str)
    resume_requested = Signal(str)
    branch_requested = Signal(str)
    export_requested = Signal(str, str, str)    # checkpoint path, output path, "torchscript" | "onnx"
    message = Signal(str, str)        # level, text

    def __init__(self, parent=None):
        super().__init__(parent)
        self.run_dir: Path | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.header = QLabel("No run yet: checkpoints appear here as they are saved.", self)
        self.header.setWordWrap(True)
        lay.addWidget(self.header)
        self.list = QListWidget(self)
        self.list.setIconSize(QSize(72, 72))
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.list.itemDoubleClicked.connect(lambda *_: self._emit(self.load_requested))
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        column = QVBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        specs = [("load", "Load", "Explore this checkpoint's generator and show its state"),
                 ("resume", "Resume", "Continue training from this checkpoint in the same run"),
                 ("branch", "Branch…", "Start a new run from this checkpoint with changed hyperparameters"),
                 ("delete", "Delete…", "Delete this checkpoint (asks first)"),
                 ("export", "Export…", "Export the generator (TorchScript or ONNX)")]
        for name, text, tip in specs:
            b = QPushButton(text, self)
            b.setToolTip(tip)
            b.setObjectName(f"ckpt_{name}")
            column.addWidget(b)
            self.buttons[name] = b
        column.addStretch(1)
        row.addLayout(column)
        lay.addLayout(row, 1)
        self.buttons["load"].clicked.connect(lambda: self._emit(self.load_requested))
        self.buttons["resume"].clicked.connect(lambda: self._emit(self.resume_requested))
        self.buttons["branch"].clicked.connect(lambda: self._emit(self.branch_requested))
        self.buttons["delete"].clicked.connect(self._delete)
        self.buttons["export"].clicked.connect(self._export)
        self.live = False
        self._update_buttons()

    # ------------------------------------------------------------------ public
    def set_run_dir(self, run_dir) -> None:
        self.run_dir = Path(run_dir) if run_dir else None
        self.refresh()

    def set_live(self, live: bool) -> None:
        """While a run trains, resume and branch wait (the checkpoint list still updates)."""
        self.live = live
        self._update_buttons()

    def refresh(self) -> None:
        keep = self.current()
        self.list.clear()
        if self.run_dir is None:
            self.header.setText("No run yet: checkpoints appear here as they are saved.")
            self._update_buttons()
            return
        items = list_checkpoints(self.run_dir)
        self.header.setText(f"{self.run_dir.name}: {len(items)} checkpoint{'s' * (len(items) != 1)}")
        for c in reversed(items):     # newest first
            when = time.strftime("%H:%M:%S", time.localtime(c.time))
            mets = "  ".join(f"{k} {c.metrics[k]:.3g}" for k in SHOW_METRICS
                             if isinstance(c.metrics.get(k), (int, float)))
            item = QListWidgetItem(f"step {c.step:,} · {c.reason or 'checkpoint'} · {when}\n{mets}")
            item.setData(PATH_ROLE, str(c.path))
            item.setToolTip(f"{c.path}\n{c.size / 1024:.0f} kB\n" +
                            "\n".join(f"{k} = {v:.5g}" for k, v in c.metrics.items()
                                      if isinstance(v, (int, float))))
            if c.thumbnail is not None:
                pix = QPixmap(str(c.thumbnail))
                if not pix.isNull():
                    item.setIcon(QIcon(pix.scaled(72, 72, Qt.AspectRatioMode.KeepAspectRatio,
                                                  Qt.TransformationMode.SmoothTransformation)))
            self.list.addItem(item)
            if str(c.path) == keep:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def paths(self) -> list[str]:
        return [self.list.item(i).data(PATH_ROLE) for i in range(self.list.count())]

    def current(self) -> str | None:
        item = self.list.currentItem()
        return item.data(PATH_ROLE) if item is not None else None

    def select(self, path: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(PATH_ROLE) == str(path):
                self.list.setCurrentRow(i)

    # ------------------------------------------------------------------ actions
    def _emit(self, signal) -> None:
        p = self.current()
        if p is not None:
            signal.emit(p)

    def _delete(self) -> None:
        p = self.current()
        if p is None:
            return
        answer = QMessageBox.question(self, "Delete checkpoint",
                                      f"Delete {Path(p).name} and its thumbnail? This cannot be undone.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        delete(p)
        self.message.emit("info", f"deleted checkpoint {p}")
        self.refresh()

    def _export(self) -> None:
        p = self.current()
        if p is None:
            return
        out, _ = QFileDialog.getSaveFileName(self, "Export generator", str(Path(p).with_suffix(".ts")),
                                             "TorchScript (*.ts *.pt);;ONNX (*.onnx)")
        if not out:
            return
        fmt = "onnx" if out.lower().endswith(".onnx") else "torchscript"
        self.export_requested.emit(p, out, fmt)

    def _update_buttons(self) -> None:
        has = self.current() is not None
        self.buttons["load"].setEnabled(has)
        self.buttons["resume"].setEnabled(has and not self.live)
        self.buttons["branch"].setEnabled(has and not self.live)
        self.buttons["delete"].setEnabled(has)
        self.buttons["export"].setEnabled(has)
