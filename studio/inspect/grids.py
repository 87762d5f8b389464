"""Sample grids of image games as uint8 numpy (H, W, 3), made with torchvision's make_grid, and the
atomic PNG writer of every picture the studio saves.

Generators run in eval mode (BatchNorm uses its running statistics) from the game's fixed noise and
labels, so a grid never touches training's random numbers; train mode is restored afterwards.
"""
from __future__ import annotations

import io
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from ..config.io import atomic_write_bytes
from ..games.base import Variant, eval_mode

GRID_PADDING = 2          # pixels between the tiles of a sample grid


def save_png(img: np.ndarray, path: str | os.PathLike) -> None:
    """Save a uint8 array (H, W), (H, W, 3) or (H, W, 4) as a PNG, atomically."""
    a = np.asarray(img)
    if a.dtype != np.uint8:
        raise TypeError(f"save_png expects uint8 pixels (got {a.dtype})")
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    atomic_write_bytes(path, buf.getvalue())


def to_grid(x: torch.Tensor, nrow: int, min_side: int = 32) -> np.ndarray:
    """Images in [-1, 1] (N, C, H, W) -> uint8 grid (H', W', 3); small images are enlarged (nearest)."""
    x = x.detach().float().cpu().contiguous()
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    elif x.shape[1] != 3:
        x = x[:, :3] if x.shape[1] > 3 else torch.cat([x, x[:, -1:]], 1)
    scale = max(1, math.ceil(min_side / x.shape[-1]))
    if scale > 1:
        x = F.interpolate(x, scale_factor=scale, mode="nearest")
    from torchvision.utils import make_grid   # about a second to import: toy runs never draw a grid
    g = make_grid((x + 1) / 2, nrow=max(1, nrow), padding=GRID_PADDING, pad_value=0.5)
    return (g.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy().copy()


def grid_nrow(game: Variant, n: int) -> int:
    if game.n_classes:
        return game.n_classes          # one column per class (fixed labels cycle 0..C-1)
    return max(1, int(math.ceil(math.sqrt(n))))


@torch.no_grad()
def generated_grid(game: Variant, z: torch.Tensor | None = None, y: torch.Tensor | None = None) -> np.ndarray:
    z = game.fixed_z if z is None else z
    if y is None and game.conditional:
        y = game.fixed_y
    with eval_mode(*game.modules().values()):
        x = game.generate(z, y)
    return to_grid(x, grid_nrow(game, z.shape[0]))


def translation_grids(game: Variant) -> dict[str, np.ndarray]:
    rows = game.translation_rows()
    n = rows["a"].shape[0]
    return {k: to_grid(v, n) for k, v in rows.items()}


def thumbnail(game: Variant) -> np.ndarray | None:
    """A uint8 (H, W, 3) picture of an image game's state (its fixed-noise grid, or for a
    translation its rows A, AB, ABA, B, BA, BAB); None for other games."""
    if game.view == "cyclegan":
        rows = game.translation_rows()
        return to_grid(torch.cat(list(rows.values())), rows["a"].shape[0])
    if game.view == "image":
        return generated_grid(game)
    return None


def grid_layout(game: Variant, n: int) -> dict:
    """How `generated_grid` laid out the game's n samples: rows and columns of tiles, the padding
    between them, and for a conditional game the class of each tile ([row][column], -1 for an empty
    place), so that a view lays the tiles out and names them without looking at the pixels."""
    cols = grid_nrow(game, n)
    rows = max(1, math.ceil(n / cols))
    classes = None
    if game.conditional and game.fixed_y is not None:
        y = [int(v) for v in game.fixed_y.detach().cpu().reshape(-1).tolist()]
        classes = [[y[r * cols + c] if r * cols + c < n else -1 for c in range(cols)] for r in range(rows)]
    return {"rows": rows, "cols": cols, "padding": GRID_PADDING, "classes": classes}


def image_snapshot(game: Variant) -> dict:
    """What the image view draws: {grid, layout, nrow, n_classes[, class_names]}; `layout` says where
    each sample and its class sit in the grid (grid_layout)."""
    n = game.fixed_z.shape[0]
    out = {"grid": generated_grid(game), "layout": grid_layout(game, n), "nrow": grid_nrow(game, n),
           "n_classes": int(game.data.n_classes)}
    if game.conditional:
        out["class_names"] = game.class_names
    return out
