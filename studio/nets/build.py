"""G and D for a config and a data set: toy networks for 1D/2D data, DCGAN for images, the ResNet and
PatchGAN pair for CycleGAN. The game says what it needs (classes, an auxiliary classifier, a
critic trained with a per-sample penalty); this module never asks which game it builds for."""
from __future__ import annotations

import torch
from torch import nn

from ..config.schema import Config, ConfigError
from .cyclegan import PatchDiscriminator, ResnetGenerator
from .dcgan import DCDiscriminator, DCGenerator
from .toy import DiracGenerator, LogisticDiscriminator, MLPDiscriminator, MLPGenerator, ShiftGenerator


def memory_format(cfg: Config, device: torch.device):
    """channels_last on the CPU when train.channels_last (faster convolutions there)."""
    if cfg.train.channels_last and torch.device(device).type == "cpu":
        return torch.channels_last
    return torch.contiguous_format


def _image_shape(cfg: Config, data) -> tuple[int, int]:
    if data.family != "image":
        raise ConfigError(f"model.kind = {cfg.model.kind!r} needs image data (got data.kind = "
                          f"{cfg.data.kind!r}); use model.kind = 'mlp' for 1D/2D data")
    c, h, w = data.shape
    if h != w:
        raise ConfigError(f"images are {h}x{w}; set data.image_size to make them square")
    return c, h


def build_nets(cfg: Config, data, device, *, conditional: bool = False, aux_classes: bool = False,
               penalised: bool = False) -> tuple[nn.Module, nn.Module]:
    """G and D. `data` is anything with family, shape and n_classes (a DataSource).
    conditional: G and D take a class label; aux_classes: D predicts the class instead of taking it
    (ACGAN); penalised: D gets a per-sample gradient penalty, which BatchNorm would break, so an
    image critic uses LayerNorm."""
    m = cfg.model
    if m.kind == "shift":
        if data.family != "1d" or m.latent_dim != 1:
            raise ConfigError(f"model.kind = 'shift' needs 1D data and model.latent_dim = 1 "
                              f"(got data.kind = {cfg.data.kind!r}, latent_dim = {m.latent_dim})")
        return ShiftGenerator(m.theta0), LogisticDiscriminator(1)
    if m.kind == "dirac":
        if data.family != "1d":
            raise ConfigError(f"model.kind = 'dirac' needs 1D data (got data.kind = {cfg.data.kind!r})")
        return DiracGenerator(m.theta0), LogisticDiscriminator(1, bias=False)
    if m.kind == "mlp":
        if data.family not in ("1d", "2d"):
            raise ConfigError(f"model.kind = 'mlp' needs 1D or 2D data (got data.kind = {cfg.data.kind!r}); "
                              f"use model.kind = 'dcgan' for images")
        dim = data.shape[0]
        return MLPGenerator(m.latent_dim, dim, m.hidden, m.depth), MLPDiscriminator(dim, m.hidden, m.depth)
    if m.kind != "dcgan":
        raise ConfigError(f"model.kind = {m.kind!r} is for the cyclegan variant; variant "
                          f"{cfg.variant.name!r} uses model.kind = 'dcgan'")
    c, side = _image_shape(cfg, data)
    k = data.n_classes if conditional else 0
    if conditional and k < 2:
        raise ConfigError(f"variant {cfg.variant.name!r} needs labelled data with at least 2 classes "
                          f"(data.kind = {cfg.data.kind!r} has {data.n_classes})")
    norm = ("layer" if penalised else "batch") if m.batchnorm else "none"
    G = DCGenerator(m.latent_dim, c, side, m.base_channels, k, m.batchnorm, m.resample)
    D = DCDiscriminator(c, side, m.base_channels, norm, 0 if aux_classes else k, 1 + (k if aux_classes else 0),
                        m.d_activation, m.resample)
    fmt = memory_format(cfg, device)
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
