"""The runs browser's pieces: a run's card on the Samples tab, what a run's files look like now (its
signature, to read it again only when it changed), the smoothing of its curves, and the reading and
drawing done on the worker thread."""
from __future__ import annotations

import html
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout

from ...config.schema import ConfigError
from ...engine.checkpoints import CheckpointError
from ...tools.compare import checkpoint_picture, find_runs, fmt_value, is_run_dir, load_run

PICTURE = 260            # a picture's side on the Samples tab until the room is measured, logical pixels

def short_value(v, width: int = 24) -> str:
    """A hyperparameter's value for a legend or a card: a long list (drawn points) as its length, a
    long text elided in the middle, so that one run's value cannot take the plot's room."""
    if isinstance(v, list) and len(v) > 4:
        return f"[{len(v):,} values]"
    text = fmt_value(v)
    return text if len(text) <= width else text[:width // 2 - 1] + "…" + text[-(width // 2 - 1):]


def signature(run: Path) -> tuple:
    """What changes when a run writes: the sizes and times of its log and folders."""
    out = []
    for p in (run / "metrics.jsonl", run / "config.toml", run / "samples", run / "checkpoints"):
        try:
            st = p.stat()
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def folders_of_runs(folder: Path) -> list[Path]:
    """The folders directly inside `folder` that are not runs but hold runs (a sweep's output)."""
    try:
        subs = [p for p in Path(folder).iterdir() if p.is_dir() and not is_run_dir(p)]
    except OSError:
        return []
    return [p for p in sorted(subs) if find_runs(p)]


def qimage(a: np.ndarray) -> QImage:
    a = np.ascontiguousarray(a[..., :3] if a.ndim == 3 else np.repeat(a[..., None], 3, 2), dtype=np.uint8)
    h, w = a.shape[:2]
    return QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def read_or_why(path: str):
    """One run read on the worker thread: its summary, or why it cannot be read (one line)."""
    try:
        return load_run(path)
    except (ConfigError, CheckpointError, OSError) as e:
        return str(e)


def draw_or_why(path: str):
    """A toy checkpoint's picture drawn on the worker thread (numpy out; the GUI makes the pixmap),
    or why not."""
    try:
        return checkpoint_picture(path)
    except (CheckpointError, ConfigError, OSError) as e:
        return str(e)


class RunCard(QFrame):
    """One run on the Samples tab: its name, its picture at the chosen step, and what that is."""

    def __init__(self, colour: str, title: str, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        self.title = QLabel(f"<span style='color:{colour}'>■</span> {title}", self)
        self.title.setWordWrap(True)
        self.picture = QLabel(self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(120, 120)
        self.caption = QLabel(self)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self.picture)
        lay.addWidget(self.caption)
        lay.addStretch(1)
        self.source = ""        # the file the picture shows
        self.pix: QPixmap | None = None
        self.side = PICTURE
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def show_picture(self, pix: QPixmap | None, caption: str, source: str = "") -> None:
        self.source, self.pix = source, pix
        self.caption.setText(caption)
        self.fit(self.side, getattr(self, "room", None))

    def set_title(self, colour: str, name: str, detail: str) -> None:
        """The run's name on one line (shortened in the middle to fit), its settings below."""
        self._title = (colour, name, detail)
        self._draw_title()

    def _draw_title(self) -> None:
        colour, name, detail = getattr(self, "_title", ("#888", "", ""))
        fm = self.title.fontMetrics()
        room = getattr(self, "room", self.side)
        name = fm.elidedText(name, Qt.TextElideMode.ElideMiddle, max(room - fm.horizontalAdvance("■ "), 40))
        self.title.setText(f"<span style='color:{colour}'>■</span>&nbsp;{html.escape(name)}"
                           + (f"<br>{html.escape(detail)}" if detail else ""))

    def fit(self, side: int, room: int | None = None) -> None:
        """Draw the picture in side x side logical pixels; the card is that wide, or `room` wide where
        the height limits the picture and there is room beside it (its texts then wrap less)."""
        self.side = side
        self.room = max(side, room or side)
        self._draw_title()
        self.setFixedWidth(self.room + 14)
        self.picture.setFixedSize(side, side)
        pix = self.pix
        if pix is None or pix.isNull():
            self.picture.clear()
            self.picture.setText("—")
        else:
            dpr = self.devicePixelRatioF()
            big = max(pix.width(), pix.height())
            box = int(side * dpr)
            if big <= box:          # enlarge by whole pixels: small samples stay sharp
                k = max(box // big, 1)
                pix = pix.scaled(pix.width() * k, pix.height() * k, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.FastTransformation)
            else:
                pix = pix.scaled(box, box, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
            pix.setDevicePixelRatio(dpr)
            self.picture.setPixmap(pix)
