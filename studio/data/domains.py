"""Unpaired image domains for CycleGAN: digits_domains / fashion_domains (the images as they are
against the same kind of images recoloured on procedurally textured backgrounds, no source image in
both) and folder_pair (data.root and data.root_b)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..config.schema import ConfigError, DataConfig
from .base import Batch, DataSource, register_kind
from .images import (ImageData, need_folder, registered, check_channels, list_images, load_digits_images,
                     load_fashion, load_image_files, resize)

DOMAINS_DEFAULT_LIMIT = 20000   # fashion_domains keeps memory modest unless data.limit says more


@dataclass
class DomainBatch(Batch):
    """Unpaired CycleGAN batch: x holds domain-A images, b domain-B images."""
    b: torch.Tensor | None = None


class DomainData(DataSource):
    """Two unpaired image domains of the same shape; sample() returns a DomainBatch."""
    family = "image"
    n_classes = 0
    two_domains = True

    def __init__(self, a: ImageData, b: ImageData, name: str):
        if a.shape != b.shape:
            raise ConfigError(f"{name}: the two domains differ in shape ({a.shape} vs {b.shape}); "
                              f"set data.image_size and data.channels so they match")
        self.a, self.b, self.name = a, b, name
        self.shape = a.shape

    def sample(self, n, gen, device):
        return DomainBatch(self.a.sample(n, gen, device).x, None, self.b.sample(n, gen, device).x)


def recolour(x: torch.Tensor, seed: int) -> torch.Tensor:
    """Grey images in [-1, 1] (N, 1, H, W) -> RGB: a coloured figure on a procedural texture
    (stripes, checks or a gradient in two random colours), a fresh texture per image."""
    n, _, h, w = x.shape
    rng = np.random.default_rng(seed)
    g = ((x[:, 0].numpy() + 1) / 2).clip(0, 1)[:, None]              # figure mask (N, 1, H, W)
    yy, xx = np.meshgrid(np.linspace(0, 1, h), np.linspace(0, 1, w), indexing="ij")
    ang = rng.uniform(0, np.pi, n)[:, None, None]
    freq = rng.uniform(1.5, 4.0, n)[:, None, None]
    u = np.cos(ang) * xx + np.sin(ang) * yy
    kind = rng.integers(0, 3, n)[:, None, None]
    stripes = 0.5 + 0.5 * np.sin(2 * np.pi * freq * u)
    checks = ((np.floor(freq * 2 * xx) + np.floor(freq * 2 * yy)) % 2) * 0.8 + 0.1
    t = np.where(kind == 0, stripes, np.where(kind == 1, checks, u / (u.max(axis=(1, 2), keepdims=True) + 1e-6)))
    c1 = rng.uniform(0.0, 0.45, (n, 3, 1, 1))                           # dark-ish background colours
    c2 = rng.uniform(0.0, 0.45, (n, 3, 1, 1))
    bg = c1 + (c2 - c1) * t[:, None]
    fg = rng.uniform(0.6, 1.0, (n, 3, 1, 1))                            # bright figure colour
    out = g * fg + (1 - g) * bg
    return torch.from_numpy(out.astype(np.float32)) * 2 - 1


def load_domains(d: DataConfig, kind: str) -> DomainData:
    if kind == "folder_pair":
        fa, fb = need_folder(d.root, "data.root"), need_folder(d.root_b, "data.root_b")
        pa, pb = list_images(fa), list_images(fb)
        if d.limit:
            pa, pb = pa[:d.limit], pb[:d.limit]
        xa = load_image_files(pa, d, str(fa), strict=False)
        xb = load_image_files(pb, d, str(fb), size=xa.shape[-1], strict=False)
        if xa.shape[1] != xb.shape[1]:
            raise ConfigError(f"{fb}: images have {xb.shape[1]} channel(s) but {fa} has {xa.shape[1]}; "
                              f"set data.channels (1 or 3) so both folders are read alike")
        return DomainData(ImageData(xa, None, 0, "A"), ImageData(xb, None, 0, "B"), "folder_pair")
    base = DataConfig(kind=kind, root=d.root, download=d.download, image_size=0, channels=0,
                      limit=0 if kind == "digits_domains" else (d.limit or DOMAINS_DEFAULT_LIMIT))
    src = load_digits_images(base) if kind == "digits_domains" else load_fashion(base)
    x = src.x
    if d.limit:
        x = x[:d.limit]
    perm = torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(1234))
    half = x.shape[0] // 2
    ia, ib = perm[:half], perm[half:2 * half]                      # disjoint: no image in both domains
    xa = resize(x[ia].repeat(1, 3, 1, 1), d.image_size)
    xb = resize(recolour(x[ib], seed=4321), d.image_size)
    check_channels(d, 3, f"{kind}")
    return DomainData(ImageData(xa, None, 0, "A"), ImageData(xb, None, 0, "B"), kind)




register_kind("digits_domains", "fashion_domains", family="image")(registered(lambda d: load_domains(d, d.kind)))
register_kind("folder_pair", family="image")(registered(lambda d: load_domains(d, "folder_pair")))
