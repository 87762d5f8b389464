"""The data preview: real images exactly as the GAN will see them (after crop, resize, background and
channels: the very pixels a batch is made of), one row per class, with what was found and what was
skipped. Qt-free and numpy only, for `gan-studio data` and the studio's centre when a folder is chosen:

    src = make_data(cfg.data, source)          # inside folder.reporting(progress, note) for a bar
    grid, lines = preview(src)                 # (H, W, 3) uint8, text lines
"""
from __future__ import annotations

import numpy as np
import torch

from ..config.schema import ConfigError
from .base import DataSource

MIN_TILE = 48       # tiles smaller than this are enlarged by a whole factor (nearest: pixels stay pixels)
GAP = 2
GAP_COLOUR = (90, 90, 90)


def _images(src: DataSource, idx: np.ndarray) -> torch.Tensor:
    images = getattr(src, "images", None)
    if images is not None:
        return images(idx)
    return src.x[torch.as_tensor(idx, device=src.x.device)].float().cpu()


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """(N, C, H, W) in [-1, 1] -> (N, H, W, 3) uint8: the inverse of the loaders' u / 255 * 2 - 1."""
    a = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    if a.shape[3] in (1, 2):     # grey (and grey + alpha): shown grey
        a = np.repeat(a[..., :1], 3, axis=3)
    return np.ascontiguousarray(a[..., :3])


def tile_grid(tiles: list[list[np.ndarray]], side: int) -> np.ndarray:
    """Rows of (side, side, 3) uint8 tiles (rows may be short) as one picture with gaps."""
    scale = max(1, -(-MIN_TILE // side))
    s = side * scale
    cols = max(len(r) for r in tiles)
    h, w = len(tiles) * (s + GAP) + GAP, cols * (s + GAP) + GAP
    out = np.empty((h, w, 3), np.uint8)
    out[:] = GAP_COLOUR
    for i, row in enumerate(tiles):
        for j, t in enumerate(row):
            big = t.repeat(scale, 0).repeat(scale, 1)
            y, x = GAP + i * (s + GAP), GAP + j * (s + GAP)
            out[y:y + s, x:x + s] = big
    return out


def preview(src: DataSource, per_class: int = 8, max_rows: int = 16, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """(grid, lines): up to `per_class` random images of each class (of the first `max_rows`), or an
    8 x 8 random grid for unlabelled data; lines say what was found and skipped."""
    if getattr(src, "two_domains", False):
        rows, lines = [], []
        for name, part in (("A", src.a), ("B", src.b)):
            g, ls = preview(part, per_class, 1, seed)
            rows.append(g)
            lines += [f"domain {name}: {t}" for t in ls]
        w = max(r.shape[1] for r in rows)
        rows = [np.pad(r, ((0, 0), (0, w - r.shape[1]), (0, 0)), constant_values=GAP_COLOUR[0]) for r in rows]
        return np.concatenate(rows, 0), lines
    if src.family != "image":
        raise ConfigError(f"the data preview is for image data (this data set is {src.family})")
    n = len(src)
    rng = np.random.default_rng(seed)
    y = getattr(src, "y", None)
    labels = None if y is None else np.asarray(y.cpu() if isinstance(y, torch.Tensor) else y)
    side = int(src.shape[-1])
    rows: list[list[np.ndarray]] = []
    if labels is not None and getattr(src, "n_classes", 0) >= 1:
        for c in range(min(int(src.n_classes), max_rows)):
            members = np.flatnonzero(labels == c)
            pick = np.sort(rng.choice(members, min(per_class, len(members)), replace=False)) if len(members) else []
            rows.append(list(to_uint8(_images(src, np.asarray(pick, np.int64)))) if len(pick) else [])
        rows = [r for r in rows if r] or [[]]
    else:
        pick = np.sort(rng.choice(n, min(64, n), replace=False))
        flat = list(to_uint8(_images(src, pick)))
        rows = [flat[i:i + 8] for i in range(0, len(flat), 8)]
    report = getattr(src, "report", None)
    if report is not None:
        lines = report.lines()
    else:
        names = list(getattr(src, "class_names", []) or [])
        counts = np.bincount(labels, minlength=len(names)).tolist() if labels is not None and names else []
        per = ", ".join(f"{k} {c}" for k, c in zip(names, counts))
        lines = [f"{getattr(src, 'name', 'data')}: {n:,} images, {src.shape[0]} channel(s), {side}x{side}"
                 + (f"; {per}" if per else "")]
    if labels is not None and int(getattr(src, "n_classes", 0)) > max_rows:
        lines.append(f"(the picture shows the first {max_rows} of {src.n_classes} classes)")
    return tile_grid(rows, side), lines
