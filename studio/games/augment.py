"""DiffAugment (Zhao, Liu, Lin, Zhu and Han, "Differentiable Augmentation for Data-Efficient GAN
Training", 2020): the same kinds of random, differentiable transformations applied to real and to
generated images wherever D sees them (in D's step and, through G's output, in G's step), so that D
cannot memorise a small collection and G is not taught to make augmented images. Each image gets its
own draw; real and generated batches are drawn separately. The three families of the paper, for
images in [-1, 1]:

- color: brightness + U(-0.5, 0.5), saturation x U(0, 2) about the pixel's channel mean, contrast
  x U(0.5, 1.5) about the image's mean;
- translation: a shift of up to 1/8 of the side in each direction, zeros brought in;
- cutout: a square of half the side at a random place set to zero.

Every draw comes from the generator passed in (the trainer's), so a resumed run repeats them.
"""
from __future__ import annotations

import torch


def _rand(n: int, gen: torch.Generator, x: torch.Tensor) -> torch.Tensor:
    return torch.rand(n, 1, 1, 1, generator=gen, device=gen.device).to(x.device, x.dtype)


def color(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    n = x.shape[0]
    x = x + (_rand(n, gen, x) - 0.5)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (_rand(n, gen, x) * 2) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_rand(n, gen, x) + 0.5) + mean


def _offsets(n: int, lo: int, hi: int, gen: torch.Generator, device) -> torch.Tensor:
    """n integers in [lo, hi] (inclusive)."""
    return torch.randint(lo, hi + 1, (n,), generator=gen, device=gen.device).to(device)


def translation(x: torch.Tensor, gen: torch.Generator, ratio: float = 0.125) -> torch.Tensor:
    n, _, h, w = x.shape
    sy, sx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    if sy == 0 and sx == 0:
        return x
    ty, tx = _offsets(n, -sy, sy, gen, x.device), _offsets(n, -sx, sx, gen, x.device)
    yy = (torch.arange(h, device=x.device)[None, :] - ty[:, None] + sy)      # row in the padded image
    xx = (torch.arange(w, device=x.device)[None, :] - tx[:, None] + sx)
    padded = torch.nn.functional.pad(x, (sx, sx, sy, sy))
    b = torch.arange(n, device=x.device)[:, None, None]
    out = padded.permute(0, 2, 3, 1)[b, yy[:, :, None], xx[:, None, :]]      # (N, H, W, C)
    return out.permute(0, 3, 1, 2)


def cutout(x: torch.Tensor, gen: torch.Generator, ratio: float = 0.5) -> torch.Tensor:
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy, cx = _offsets(n, 0, h - 1, gen, x.device), _offsets(n, 0, w - 1, gen, x.device)
    top, left = (cy - ch // 2)[:, None, None], (cx - cw // 2)[:, None, None]
    yy = torch.arange(h, device=x.device)[None, :, None]
    xx = torch.arange(w, device=x.device)[None, None, :]
    hole = (yy >= top) & (yy < top + ch) & (xx >= left) & (xx < left + cw)
    return x * (~hole).to(x.dtype)[:, None]


FAMILIES = {"color": color, "translation": translation, "cutout": cutout}


def diff_augment(x: torch.Tensor, policy: str, gen: torch.Generator) -> torch.Tensor:
    """x (N, C, H, W) through each family named in `policy` ("color,translation,cutout"), in that order."""
    for name in policy.split(","):
        if name and name != "none":
            x = FAMILIES[name](x, gen)
    return x
