"""Sample grids of image variants as uint8 numpy (H, W, 3), made with torchvision's make_grid.

Generators run in eval mode (BatchNorm uses its running statistics) from the variant's fixed noise
and labels, so a grid never touches training's random numbers; train mode is restored afterwards.
"""
from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn.functional as F


@contextmanager
def eval_mode(*modules):
    was = [m.training for m in modules]
    try:
        for m in modules:
            m.eval()
        yield
    finally:
        for m, t in zip(modules, was):
            m.train(t)


def to_grid(x: torch.Tensor, nrow: int, min_side: int = 32) -> np.ndarray:
    """Images in [-1, 1] (N, C, H, W) -> uint8 grid (H', W', 3); small images are enlarged (nearest)."""
    from torchvision.utils import make_grid
    x = x.detach().float().cpu().contiguous()
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    elif x.shape[1] != 3:
        x = x[:, :3] if x.shape[1] > 3 else torch.cat([x, x[:, -1:]], 1)
    scale = max(1, math.ceil(min_side / x.shape[-1]))
    if scale > 1:
        x = F.interpolate(x, scale_factor=scale, mode="nearest")
    g = make_grid((x + 1) / 2, nrow=max(1, nrow), padding=2, pad_value=0.5)
    return (g.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy().copy()


def grid_nrow(variant, n: int) -> int:
    if variant.conditional and variant.data.n_classes:
        return variant.data.n_classes          # one column per class (fixed labels cycle 0..C-1)
    return max(1, int(math.ceil(math.sqrt(n))))


@torch.no_grad()
def generated_grid(variant, z: torch.Tensor | None = None, y: torch.Tensor | None = None) -> np.ndarray:
    z = variant.fixed_z if z is None else z
    if y is None and variant.conditional:
        y = variant.fixed_y
    with eval_mode(*variant.modules().values()):
        x = variant.generate(z, y) if variant.conditional else variant.generate(z)
    return to_grid(x, grid_nrow(variant, z.shape[0]))


def probe_image(variant, gen: torch.Generator):
    """('image', {grid, nrow, n_classes[, class_names]}) or, for CycleGAN, ('cyclegan', {a, ab, aba, b, ba, bab})."""
    if hasattr(variant, "translation_rows"):
        rows = variant.translation_rows()
        n = rows["a"].shape[0]
        return "cyclegan", {k: to_grid(v, n) for k, v in rows.items()}
    n = variant.fixed_z.shape[0]
    out = {"grid": generated_grid(variant), "nrow": grid_nrow(variant, n),
           "n_classes": int(variant.data.n_classes)}
    if variant.conditional:
        out["class_names"] = list(getattr(variant.data, "class_names", None) or [])
    return "image", out
