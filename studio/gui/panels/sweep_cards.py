"""The Sweep tab's pieces: an axis row (a setting and its values, suggested around the form's
value), a trial's card (rank, value, its samples picture and loss curves, Open) and where a trial's
picture is found."""
from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette, QPixmap
from PySide6.QtWidgets import (QApplication, QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSizePolicy, QVBoxLayout, QWidget)

from ...config.io import get_value
from ...config.schema import field_meta
from ...engine.runlog import MetricsFollower
from ...tools import sweep as sw
from ...tools.compare import samples_of
from ..views.base import light_grid

CARD_W = 236
PIC_H = 132
CURVES = (("loss_d", "#4e8df5"), ("loss_g", "#f0843c"))
LABEL = {"loss_d": "D loss", "loss_g": "G loss"}
STATE_COLOR = {"COMPLETE": "#3fb950", "PRUNED": "#c69026", "FAIL": "#e5534b", "RUNNING": "#4e8df5"}


def suggested_values(cfg, key: str) -> str:
    """What an axis starts with: around the form's value (half, it, double for a float; it and the
    next for an integer), both for a switch, every choice for a choice."""
    f = field_meta(cfg, key)
    v = get_value(cfg, key)
    t = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    if t == "bool":
        return "true, false"
    if f.metadata.get("choices"):
        return ", ".join(str(c) for c in f.metadata["choices"])
    if t == "int":
        hi = f.metadata.get("max")
        nxt = v + 1 if hi is None or v + 1 <= hi else v - 1
        return ", ".join(str(x) for x in sorted({v, nxt}))
    if t == "float":
        vals = [v / 2, v, v * 2] if v else [0.0, 0.1]
        lo, hi = f.metadata.get("min"), f.metadata.get("max")
        vals = [x for x in vals if (lo is None or x >= lo) and (hi is None or x <= hi)]
        return ", ".join(f"{x:.4g}" for x in vals)
    return str(v)


def axis_text(key: str, values: str) -> str:
    """The --param of an axis row: 'a, b' -> 'key=a,b'; ranges stay as typed."""
    values = values.strip()
    if values.split(":", 1)[0].strip().lower() in ("log", "range"):
        return f"{key}={values.replace(' ', '')}"
    return f"{key}=" + ",".join(v.strip() for v in values.split(","))


class AxisRow(QWidget):
    removed = Signal(object)

    def __init__(self, keys: list[str], key: str, values: str, parent=None):
        super().__init__(parent)
        h = QHBoxLayout(self)
        h.setContentsMargins(0, 0, 0, 0)
        self.key = QComboBox(self)
        self.key.addItems(keys)
        self.key.setCurrentText(key)
        self.key.setMinimumContentsLength(14)
        self.values = QLineEdit(values, self)
        self.values.setPlaceholderText("1e-4, 1e-3   or   log:1e-4:1e-2")
        self.values.setToolTip("A list of values, comma-separated; or for the random and TPE samplers a "
                               "range: log:LOW:HIGH (log-uniform) or range:LOW:HIGH")
        rm = QPushButton("✕", self)
        rm.setFixedWidth(28)
        rm.setToolTip("Remove this axis")
        rm.clicked.connect(lambda: self.removed.emit(self))
        h.addWidget(self.key, 2)
        h.addWidget(self.values, 3)
        h.addWidget(rm)

    def param(self) -> str:
        return axis_text(self.key.currentText(), self.values.text())


class TrialCard(QFrame):
    """One trial: rank, state and metric; its parameters; its samples; its loss curves; Open."""
    open_requested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(CARD_W)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        v = QVBoxLayout(self)
        v.setContentsMargins(6, 6, 6, 6)
        v.setSpacing(3)
        self.head = QLabel(self)
        self.head.setTextFormat(Qt.TextFormat.RichText)
        self.params = QLabel(self)
        self.params.setWordWrap(True)
        self.progress = QLabel(self)          # a running trial's step, read from its run directory
        self.progress.setStyleSheet("color: gray")
        self.progress.hide()
        self.pic = QLabel(self)
        self.pic.setFixedSize(CARD_W - 14, PIC_H)
        self.pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.plot = pg.PlotWidget(self)
        self.plot.setFixedHeight(92)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        item.getAxis("left").setWidth(34)
        item.getAxis("bottom").setHeight(18)
        light_grid(item, 0.15)
        self.curves = {k: self.plot.plot(pen=pg.mkPen(c, width=1.2)) for k, c in CURVES}
        row = QHBoxLayout()
        self.open_btn = QPushButton("Open", self)
        self.open_btn.setToolTip("Open this trial's run in the Training tab")
        self.open_btn.clicked.connect(lambda: self.open_requested.emit(self.run_dir))
        self.where = QLabel(self)
        self.where.setStyleSheet("color: gray")
        row.addWidget(self.where, 1)
        row.addWidget(self.open_btn)
        for w in (self.head, self.progress, self.params, self.pic, self.plot):
            v.addWidget(w)
        v.addLayout(row)
        self.run_dir = ""
        self.step: int | None = None          # the newest step its metrics.jsonl holds
        self.follower: MetricsFollower | None = None
        self.xs: dict[str, list] = {k: [] for k, _ in CURVES}
        self.ys: dict[str, list] = {k: [] for k, _ in CURVES}
        self._pic_key = ()         # never a real key: the first update shows the picture or the placeholder
        self.apply_palette()

    def apply_palette(self) -> None:
        pal = QApplication.palette()
        bg, fg = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self.plot.setBackground(bg)
        for name in ("left", "bottom"):
            ax = self.plot.getPlotItem().getAxis(name)
            ax.setPen(pg.mkPen(fg))
            ax.setTextPen(pg.mkPen(fg))

    def update_from(self, rank: int, rec: dict, metric: str, steps: int | None = None,
                    resumed_by: dict | None = None) -> None:
        """Show the trial `rec` (a sweep.json record) at `rank`; `steps`: each trial's train.steps;
        `resumed_by`: the record of the later trial that resumes this one's run, if any."""
        state = rec["state"]
        col = STATE_COLOR.get(state, "gray")
        val = sw.fmt_value(rec.get("value"))
        self.head.setText(f"<b>#{rank}</b> · trial {rec['number']} · <span style='color:{col}'>"
                          f"{state.lower()}</span> · {html.escape(metric)} <b>{val}</b>")
        self.params.setText("  ".join(f"{k.split('.', 1)[1] if k.count('.') else k}={sw.literal(v)}"
                                      for k, v in rec["params"].items()))
        self.params.setToolTip("\n".join(f"{k} = {sw.literal(v)}" for k, v in rec["params"].items()))
        if rec.get("reason"):
            self.params.setToolTip(self.params.toolTip() + f"\n{rec['reason']}")
        run = rec.get("run_dir") or ""
        if run != self.run_dir:
            self.run_dir = run
            self.follower = MetricsFollower(Path(run) / "metrics.jsonl") if run else None
            self.step = None
            self.xs = {k: [] for k, _ in CURVES}
            self.ys = {k: [] for k, _ in CURVES}
        secs = rec.get("seconds")
        self.where.setText((Path(run).name if run else "") + (f" · {secs:.0f}s" if secs else ""))
        self.open_btn.setEnabled(bool(run) and Path(run).is_dir())
        self._curves()
        self._picture()
        text = progress_text(state, self.step, steps)
        if resumed_by is not None:       # its run goes on as another trial: its own step is where it stopped
            text = f"resumed by trial {resumed_by['number']} from step {resumed_by.get('from_step') or 0:,}"
        self.progress.setText(text)
        self.progress.setVisible(bool(text))

    def _curves(self) -> None:
        if self.follower is None:
            return
        recs = self.follower.poll()
        if not recs:
            return
        for r in recs:
            if r.get("event") == "resume":          # a resumed trial goes on from its checkpoint's step
                self.step = r["step"]
            if r.get("kind") != "iter" or "event" in r:
                continue
            self.step = r["step"]
            for k, _ in CURVES:
                v = r.get(k)
                if isinstance(v, (int, float)) and math.isfinite(v):
                    self.xs[k].append(r["step"])
                    self.ys[k].append(v)
        for k, _ in CURVES:
            x, y = np.asarray(self.xs[k], float), np.asarray(self.ys[k], float)
            if len(x) > 400:      # a small plot: a running mean of about 400 points is all it shows
                n = len(x) // 400
                m = len(x) // n * n
                x, y = x[:m].reshape(-1, n).mean(1), y[:m].reshape(-1, n).mean(1)
            self.curves[k].setData(x, y)

    def y_span(self) -> tuple[float, float] | None:
        """The lowest and highest value its curves show (None before any)."""
        ys = [y for c in self.curves.values() for y in [c.getData()[1]] if y is not None and len(y)]
        if not ys:
            return None
        y = np.concatenate(ys)
        y = y[np.isfinite(y)]
        return (float(y.min()), float(y.max())) if len(y) else None

    def set_y_range(self, lo: float, hi: float) -> None:
        """One y range for every card of the sweep, so that their losses compare by eye."""
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        self.plot.getPlotItem().setYRange(lo, hi, padding=0.05)

    def _picture(self) -> None:
        path = newest_picture(Path(self.run_dir)) if self.run_dir else None
        key = (str(path), path.stat().st_mtime) if path is not None and path.exists() else None
        if key == self._pic_key:
            return
        self._pic_key = key
        pm = QPixmap(str(path)) if key else QPixmap()
        if pm.isNull():
            self.pic.setPixmap(QPixmap())
            self.pic.setText("samples appear when\nthe trial has them")
            return
        self.pic.setPixmap(pm.scaled(self.pic.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation))


def progress_text(state: str, step: int | None, steps: int | None) -> str:
    """'step 420 of 1,000' for a running trial, 'stopped at step 420 of 1,000' for a pruned or failed
    one; '' for a finished one, or before its first step."""
    if step is None or state not in ("RUNNING", "PRUNED", "FAIL"):
        return ""
    of = f" of {steps:,}" if steps else ""
    return f"step {step:,}{of}" if state == "RUNNING" else f"stopped at step {step:,}{of}"


def share_y_range(cards) -> None:
    """One y range, from the lowest to the highest value any card shows, for every card."""
    cards = list(cards)
    spans = [sp for c in cards if (sp := c.y_span()) is not None]
    if spans:
        lo, hi = min(sp[0] for sp in spans), max(sp[1] for sp in spans)
        for c in cards:
            c.set_y_range(lo, hi)


def newest_picture(run: Path) -> Path | None:
    """The newest sample grid of a run, else the sweep's picture of a toy trial, else a checkpoint's."""
    grids = samples_of(run)
    if grids:
        return grids[-1][1]
    for folder, pattern in ((run, sw.TRIAL_PICTURE), (run / "checkpoints", "*.png")):
        found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
        if found:
            return found[-1]
    return None
