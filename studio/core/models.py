"""Build G and D for a config and a data source (toy networks here, image networks in image_nets)."""
from __future__ import annotations

from ..config import Config, ConfigError
from .data import DataSource
from .nets import LogisticDiscriminator, MLPDiscriminator, MLPGenerator, ShiftGenerator


def build_nets(cfg: Config, data: DataSource, variant):
    m = cfg.model
    if m.kind == "shift":
        if data.family != "1d" or m.latent_dim != 1:
            raise ConfigError(f"model.kind = 'shift' needs 1D data and model.latent_dim = 1 "
                              f"(got data.kind = {cfg.data.kind!r}, latent_dim = {m.latent_dim})")
        return ShiftGenerator(m.theta0), LogisticDiscriminator(1)
    if m.kind == "mlp":
        if data.family not in ("1d", "2d"):
            raise ConfigError(f"model.kind = 'mlp' needs 1D or 2D data (got data.kind = {cfg.data.kind!r}); "
                              f"use model.kind = 'dcgan' for images")
        dim = data.shape[0]
        return MLPGenerator(m.latent_dim, dim, m.hidden, m.depth), MLPDiscriminator(dim, m.hidden, m.depth)
    from .image_nets import build_image_nets
    return build_image_nets(cfg, data, variant)
