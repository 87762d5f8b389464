"""DCGAN networks for images.

DCGAN (Radford et al., the seeds' guidelines): transposed convolutions in G, strided convolutions in
D, BatchNorm in both except G's output and D's input, ReLU + tanh in G, LeakyReLU(0.2) in D, weights
from N(0, 0.02). The number of (de)convolution stages follows from the image side: side = s0 * 2^k
with s0 in 4..7 (8 -> 4x4 + 1 stage, 28 -> 7x7 + 2, 32 -> 4x4 + 3, 64 -> 4x4 + 4). A WGAN-GP critic
uses LayerNorm (GroupNorm with one group) instead of BatchNorm, since the penalty is per sample.
Conditional nets take a one-hot class: concatenated to z in G, as constant planes to D's input.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..config.schema import ConfigError


def plan(side: int) -> tuple[int, int]:
    """(s0, stages): the smallest feature map side and the number of stride-2 stages."""
    s, k = side, 0
    while s % 2 == 0 and s // 2 >= 4:
        s, k = s // 2, k + 1
    if not (4 <= s <= 7) or k < 1 or side > 128:
        raise ConfigError(f"image side {side} does not fit a DCGAN: use 8, 16, 28, 32 or 64 "
                          f"(set data.image_size)")
    return s, k


def dcgan_init(m: nn.Module) -> None:
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)) and m.weight is not None:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def norm_layer(kind: str, ch: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(ch)
    if kind == "layer":
        return nn.GroupNorm(1, ch)
    if kind == "instance":
        return nn.InstanceNorm2d(ch)
    return nn.Identity()


class DCGenerator(nn.Module):
    """z (N, latent) [+ class] -> images (N, C, side, side) in [-1, 1]."""

    def __init__(self, latent_dim: int, channels: int, side: int, base: int, n_classes: int = 0,
                 batchnorm: bool = True):
        super().__init__()
        s0, k = plan(side)
        self.n_classes = n_classes
        norm = "batch" if batchnorm else "none"
        ch = base * 2 ** (k - 1)
        layers: list[nn.Module] = [nn.ConvTranspose2d(latent_dim + n_classes, ch, s0, 1, 0, bias=not batchnorm),
                                   norm_layer(norm, ch), nn.ReLU(True)]
        for _ in range(k - 1):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=not batchnorm), norm_layer(norm, ch // 2),
                       nn.ReLU(True)]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.n_classes:      # y: labels (N,), or class weights (N, n_classes) such as a soft one-hot
            c = y.to(z.dtype) if y.is_floating_point() else F.one_hot(y, self.n_classes).to(z.dtype)
            z = torch.cat([z, c], 1)
        return self.net(z[:, :, None, None])


class DCDiscriminator(nn.Module):
    """images [+ class planes] -> (N, n_out) raw outputs (logits, critic values, or 1 + C for ACGAN)."""

    def __init__(self, channels: int, side: int, base: int, norm: str = "batch", n_classes: int = 0,
                 n_out: int = 1):
        super().__init__()
        s0, k = plan(side)
        self.n_classes = n_classes
        ch = base
        layers: list[nn.Module] = [nn.Conv2d(channels + n_classes, ch, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        for _ in range(k - 1):
            layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=norm == "none"), norm_layer(norm, ch * 2),
                       nn.LeakyReLU(0.2, True)]
            ch *= 2
        layers += [nn.Conv2d(ch, n_out, s0, 1, 0), nn.Flatten()]
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.n_classes:
            planes = F.one_hot(y, self.n_classes).to(x.dtype)[:, :, None, None]
            x = torch.cat([x, planes.expand(-1, -1, x.shape[2], x.shape[3])], 1)
        return self.net(x)
