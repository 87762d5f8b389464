"""DCGAN networks for images.

DCGAN (Radford et al., the seeds' guidelines): transposed convolutions in G, strided convolutions in
D, BatchNorm in both except G's output and D's input, ReLU + tanh in G, LeakyReLU(0.2) in D, weights
from N(0, 0.02). The number of (de)convolution stages follows from the image side: side = s0 * 2^k
with s0 in 4..7 (8 -> 4x4 + 1 stage, 28 -> 7x7 + 2, 32 -> 4x4 + 3, 64 -> 4x4 + 4). A WGAN-GP critic
uses LayerNorm (GroupNorm with one group) instead of BatchNorm, since the penalty is per sample.
Conditional nets take a one-hot class: concatenated to z in G, as constant planes to D's input.
Two of the guidelines can be switched off for the lesson that shows what they do (model.d_activation,
model.resample): ReLU instead of LeakyReLU in D, and pooling instead of strided convolutions (average
pooling after a stride-1 3x3 convolution in D, nearest-neighbour upsampling before one in G; the
same number of stages and channels, so only the way of resampling differs).
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


def up(cin: int, cout: int, resample: str, bias: bool = True) -> list[nn.Module]:
    """Double the side: a transposed convolution with stride 2, or nearest-neighbour upsampling and a
    stride-1 3x3 convolution."""
    if resample == "strided":
        return [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=bias)]
    return [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(cin, cout, 3, 1, 1, bias=bias)]


def down(cin: int, cout: int, resample: str, act, norm: nn.Module | None = None, bias: bool = True) -> list[nn.Module]:
    """Halve the side: a convolution with stride 2 [+ norm] + activation, or a stride-1 3x3 convolution
    [+ norm] + activation and 2x2 average pooling."""
    conv = nn.Conv2d(cin, cout, 4, 2, 1, bias=bias) if resample == "strided" else nn.Conv2d(cin, cout, 3, 1, 1, bias=bias)
    layers = [conv] + ([norm] if norm is not None else []) + [act()]
    return layers if resample == "strided" else layers + [nn.AvgPool2d(2)]


class DCGenerator(nn.Module):
    """z (N, latent) [+ class] -> images (N, C, side, side) in [-1, 1]."""

    def __init__(self, latent_dim: int, channels: int, side: int, base: int, n_classes: int = 0,
                 batchnorm: bool = True, resample: str = "strided"):
        super().__init__()
        s0, k = plan(side)
        self.n_classes = n_classes
        norm = "batch" if batchnorm else "none"
        ch = base * 2 ** (k - 1)
        layers: list[nn.Module] = [nn.ConvTranspose2d(latent_dim + n_classes, ch, s0, 1, 0, bias=not batchnorm),
                                   norm_layer(norm, ch), nn.ReLU(True)]
        for _ in range(k - 1):
            layers += [*up(ch, ch // 2, resample, bias=not batchnorm), norm_layer(norm, ch // 2), nn.ReLU(True)]
            ch //= 2
        layers += [*up(ch, channels, resample), nn.Tanh()]
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
                 n_out: int = 1, activation: str = "leaky", resample: str = "strided"):
        super().__init__()
        s0, k = plan(side)
        self.n_classes = n_classes
        ch = base
        act = (lambda: nn.LeakyReLU(0.2, True)) if activation == "leaky" else (lambda: nn.ReLU(True))
        layers: list[nn.Module] = [*down(channels + n_classes, ch, resample, act)]
        for _ in range(k - 1):
            layers += [*down(ch, ch * 2, resample, act, norm_layer(norm, ch * 2), bias=norm == "none")]
            ch *= 2
        layers += [nn.Conv2d(ch, n_out, s0, 1, 0), nn.Flatten()]
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.n_classes:
            planes = F.one_hot(y, self.n_classes).to(x.dtype)[:, :, None, None]
            x = torch.cat([x, planes.expand(-1, -1, x.shape[2], x.shape[3])], 1)
        return self.net(x)
