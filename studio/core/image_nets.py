"""Convolutional networks for images.

DCGAN (Radford et al., the seeds' guidelines): transposed convolutions in G, strided convolutions in
D, BatchNorm in both except G's output and D's input, ReLU + tanh in G, LeakyReLU(0.2) in D, weights
from N(0, 0.02). The number of (de)convolution stages follows from the image side: side = s0 * 2^k
with s0 in 4..7 (8 -> 4x4 + 1 stage, 28 -> 7x7 + 2, 32 -> 4x4 + 3, 64 -> 4x4 + 4). A WGAN-GP critic
uses LayerNorm (GroupNorm with one group) instead of BatchNorm, since the penalty is per sample.
Conditional nets take a one-hot class: concatenated to z in G, as constant planes to D's input.

CycleGAN: a small ResNet generator (c7 - down - residual blocks - up - c7, InstanceNorm) and a
PatchGAN discriminator, sized for the CPU at 16x16 to 64x64.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..config import Config, ConfigError


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


def _norm(kind: str, ch: int) -> nn.Module:
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
                                   _norm(norm, ch), nn.ReLU(True)]
        for _ in range(k - 1):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=not batchnorm), _norm(norm, ch // 2),
                       nn.ReLU(True)]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.n_classes:
            z = torch.cat([z, F.one_hot(y, self.n_classes).to(z.dtype)], 1)
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
            layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=norm == "none"), _norm(norm, ch * 2),
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


# ------------------------------------------------------------------------------------ CycleGAN
class ResBlock(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.body = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(ch, ch, 3), nn.InstanceNorm2d(ch),
                                  nn.ReLU(True), nn.ReflectionPad2d(1), nn.Conv2d(ch, ch, 3),
                                  nn.InstanceNorm2d(ch))

    def forward(self, x):
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    """Image -> image of the same shape: c7, stride-2 downsampling, residual blocks, upsampling, c7."""

    def __init__(self, channels: int, side: int, base: int = 32, n_res: int = 3):
        super().__init__()
        n_down = 2 if side >= 32 else 1
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(channels, base, 7), nn.InstanceNorm2d(base),
                                   nn.ReLU(True)]
        ch = base
        for _ in range(n_down):
            layers += [nn.Conv2d(ch, ch * 2, 3, 2, 1), nn.InstanceNorm2d(ch * 2), nn.ReLU(True)]
            ch *= 2
        layers += [ResBlock(ch) for _ in range(n_res)]
        for _ in range(n_down):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 3, 2, 1, output_padding=1), nn.InstanceNorm2d(ch // 2),
                       nn.ReLU(True)]
            ch //= 2
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ch, channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, x):
        return self.net(x)


class PatchDiscriminator(nn.Module):
    """PatchGAN: a (side/4)^2 map of real/fake scores, one per overlapping patch (receptive field
    22 pixels: the whole of a 16x16 image, a large part of a 32x32 one)."""

    def __init__(self, channels: int, base: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, base, 4, 2, 1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(base, base * 2, 4, 2, 1), nn.InstanceNorm2d(base * 2), nn.LeakyReLU(0.2, True),
            nn.Conv2d(base * 2, base * 4, 3, 1, 1), nn.InstanceNorm2d(base * 4), nn.LeakyReLU(0.2, True),
            nn.Conv2d(base * 4, 1, 3, 1, 1))
        self.apply(dcgan_init)

    def forward(self, x):
        return self.net(x)


# ------------------------------------------------------------------------------------ builders
def _image_shape(cfg: Config, data) -> tuple[int, int]:
    if data.family != "image":
        raise ConfigError(f"model.kind = {cfg.model.kind!r} needs image data (got data.kind = "
                          f"{cfg.data.kind!r}); use model.kind = 'mlp' for 1D/2D data")
    c, h, w = data.shape
    if h != w:
        raise ConfigError(f"images are {h}x{w}; set data.image_size to make them square")
    return c, h


def memory_format(cfg: Config, device: torch.device):
    """channels_last on the CPU when train.channels_last (faster convolutions there)."""
    if cfg.train.channels_last and torch.device(device).type == "cpu":
        return torch.channels_last
    return torch.contiguous_format


def build_image_nets(cfg: Config, data, variant) -> tuple[nn.Module, nn.Module]:
    """DCGAN-style G and D for `variant` (its `conditional`, `aux_classes` and `critic_norm`)."""
    m = cfg.model
    if m.kind != "dcgan":
        raise ConfigError(f"model.kind = {m.kind!r} is for the cyclegan variant; variant "
                          f"{cfg.variant.name!r} uses model.kind = 'dcgan'")
    c, side = _image_shape(cfg, data)
    k = data.n_classes if getattr(variant, "conditional", False) else 0
    if getattr(variant, "conditional", False) and k < 2:
        raise ConfigError(f"variant {cfg.variant.name!r} needs labelled data with at least 2 classes "
                          f"(data.kind = {cfg.data.kind!r} has {data.n_classes})")
    aux = getattr(variant, "aux_classes", False)
    # a per-sample gradient penalty and BatchNorm do not mix: a WGAN-GP critic uses LayerNorm
    penalised = getattr(variant, "critic_norm", None) == "layer" or hasattr(cfg.variant, "gp_weight")
    norm = ("layer" if penalised else "batch") if m.batchnorm else "none"
    G = DCGenerator(m.latent_dim, c, side, m.base_channels, k, m.batchnorm)
    D = DCDiscriminator(c, side, m.base_channels, norm, 0 if aux else k, 1 + (k if aux else 0))
    fmt = memory_format(cfg, variant.device)
    return G.to(memory_format=fmt), D.to(memory_format=fmt)


def build_cycle_nets(cfg: Config, data, n_res: int, device) -> tuple[nn.Module, nn.Module, nn.Module, nn.Module]:
    """G_AB, G_BA, D_A, D_B for CycleGAN."""
    if cfg.model.kind not in ("resnet", "dcgan"):
        raise ConfigError(f"variant 'cyclegan' uses model.kind = 'resnet' (got {cfg.model.kind!r})")
    c, side = _image_shape(cfg, data)
    if side < 8 or side % 4:
        raise ConfigError(f"CycleGAN needs square images with a side that is a multiple of 4 and at least 8 "
                          f"(got {side}; set data.image_size)")
    b = cfg.model.base_channels
    fmt = memory_format(cfg, device)
    nets = (ResnetGenerator(c, side, b, n_res), ResnetGenerator(c, side, b, n_res),
            PatchDiscriminator(c, b), PatchDiscriminator(c, b))
    return tuple(n.to(memory_format=fmt) for n in nets)
