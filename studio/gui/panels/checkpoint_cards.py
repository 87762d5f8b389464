"""The checkpoints panel's cards, made off the GUI thread: the run's checkpoints (listed with the
panel's cache), their evaluations and the best by the run's metric, each card's text, tooltip and
thumbnail (a QImage, which unlike a QPixmap may be made on a worker). `list_cards` is what the panel's
latest-wins job runs; the panel only turns the Listing into list items."""
from __future__ import annotations

import html
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

from ...config.schema import ConfigError
from ...engine.checkpoints import CheckpointInfo, list_checkpoints
from ...tools.checkpoint_list import direction, list_run
from ...tools.compare import evaluation_at
from .metrics_panel import METRIC_NAMES

SHOW_METRICS = ("loss_d", "loss_g", "wdist", "d_real", "d_fake", "theta", "phi")
# the quality metrics a card shows (the tooltip has them all), in this order, by these short names
SHOW_QUALITY = {"fid": "FID", "kid": "KID", "precision": "prec", "recall": "rec", "coverage": "cov",
                "modes": "modes", "acc_cond": "acc", "w1": "W1", "js": "JS", "theta_err": "|θ−μ|",
                "fid_inception": "FID-Inc", "hq": "hq", "diversity": "div"}
THUMB = 128                 # logical pixels


def short_number(v: float) -> str:
    """A metric on a card: three significant digits, large values whole (12,345 rather than 1.23e+04)."""
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def sharp_pixmap(path, side: int, dpr: float = 1.0) -> QPixmap:
    """The picture at `path` fitted into side x side logical pixels at the pixel density `dpr`:
    enlarged by a whole factor (nearest neighbour, so that small samples stay crisp) when it is
    smaller, smoothly reduced when it is larger. A null pixmap when it cannot be read."""
    img = sharp_image(path, side, dpr)
    if img.isNull():
        return QPixmap()
    pix = QPixmap.fromImage(img)
    pix.setDevicePixelRatio(dpr)
    return pix


def sharp_image(path, side: int, dpr: float = 1.0) -> QImage:
    """`sharp_pixmap` as a QImage, which may be made off the GUI thread (a QPixmap may not)."""
    img = QImage(str(path))
    if img.isNull():
        return img
    box = max(int(round(side * dpr)), 1)
    big = max(img.width(), img.height())
    if big <= box:
        k = max(box // big, 1)
        out = img.scaled(img.width() * k, img.height() * k, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.FastTransformation)
    else:
        out = img.scaled(box, box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    out.setDevicePixelRatio(dpr)
    return out


@dataclass
class Card:
    path: str
    text: str
    tip: str
    bold: bool
    image: QImage | None        # the thumbnail, scaled for the screen


@dataclass
class Listing:
    """What the panel shows of a run, made off the GUI thread (`list_cards`)."""
    run_dir: Path | None
    infos: list[CheckpointInfo]
    problems: list[str]
    quality: dict[str, tuple[int, dict]]
    best: set[str]
    best_metric: str | None
    cards: list[Card]


def _best(run_dir: Path) -> tuple[set[str], str | None]:
    """The best checkpoints' paths and the metric they are best by, as `gan-studio checkpoints`
    ranks them (tools.checkpoint_list); nothing when the run has no evaluation."""
    try:
        listing = list_run(run_dir)
    except (ConfigError, OSError, ValueError):
        return set(), None
    return {str(listing.items[i].path) for i in listing.best}, listing.metric


def _thumbnail(path: Path, thumbs: dict, dpr: float) -> QImage | None:
    """The card's picture, decoded once per file version (and pixel density)."""
    try:
        st = path.stat()
    except OSError:
        return None
    sig = (st.st_mtime_ns, st.st_size, dpr)
    hit = thumbs.get(str(path))
    if hit is not None and hit[0] == sig:
        return hit[1]
    img = sharp_image(path, THUMB, dpr)
    img = None if img.isNull() else img
    thumbs[str(path)] = (sig, img)
    return img


def list_cards(run_dir: Path, cache: dict, evals, thumbs: dict, dpr: float) -> Listing:
    """Everything a refresh reads from disk, and the cards' texts, on the job runner's thread: the
    checkpoints (list_checkpoints with the panel's cache: unchanged files cost a stat), their
    evaluations (metrics.jsonl, read incrementally), the best by the run's metric, the thumbnails."""
    problems: list[str] = []
    infos = list_checkpoints(run_dir, problems, cache=cache)
    found = evals.poll() if evals is not None else []
    quality = {}
    for c in infos:
        at = evaluation_at(found, c.step)
        if at is not None:
            quality[str(c.path)] = at
    best, metric = _best(run_dir) if infos else (set(), None)
    cards = []
    for c in reversed(infos):     # newest first
        when = time.strftime("%H:%M:%S", time.localtime(c.time))
        mets = [f"{k} {c.metrics[k]:.3g}" for k in SHOW_METRICS if isinstance(c.metrics.get(k), (int, float))]
        is_best = str(c.path) in best
        lines = [f"★ step {c.step:,} · best" if is_best else f"step {c.step:,}", f"{c.reason or 'checkpoint'} · {when}"]
        lines += ["  ".join(mets[i:i + 2]) for i in range(0, min(len(mets), 4), 2)]
        at = quality.get(str(c.path))
        if at is not None:
            qual = [f"{short} {short_number(at[1][k])}" for k, short in SHOW_QUALITY.items() if k in at[1]]
            lines += ["  ".join(qual[i:i + 2]) for i in range(0, min(len(qual), 4), 2)]
        tip = (f"<b>{html.escape(c.path.name)}</b> · step {c.step:,} · {c.size / 1024:.0f} kB<br>"
               + "<br>".join(f"{html.escape(k)} = {v:.5g}" for k, v in c.metrics.items()
                             if isinstance(v, (int, float))))
        if is_best:
            tip += (f"<br><b>★ the best checkpoint</b> by {html.escape(METRIC_NAMES.get(metric, ''))}"
                    f" ({direction(metric)})")
        if at is not None:
            where = "at this step" if at[0] == c.step else \
                f"at step {at[0]:,}, the evaluation nearest before this checkpoint"
            tip += (f"<br><b>quality</b> ({where}):<br>"
                    + "<br>".join(f"{html.escape(METRIC_NAMES.get(k, k))} = {v:.5g}" for k, v in at[1].items()))
        image = _thumbnail(c.thumbnail, thumbs, dpr) if c.thumbnail is not None else None
        if image is not None:
            tip += f"<br><img src='{html.escape(str(c.thumbnail))}'>"
        cards.append(Card(str(c.path), "\n".join(lines), tip, is_best, image))
    return Listing(run_dir, infos, problems, quality, best, metric, cards)
