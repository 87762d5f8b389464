"""Data sources. Toy distributions sample on the training device from the trainer's generator;
image data sets live in `images.py` and share the same small interface."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..config import ConfigError, DataConfig

TOY_1D = ("gaussian1d", "mixture1d")
TOY_2D = ("ring2d", "grid2d", "spiral2d", "moons2d", "points2d")


@dataclass
class Batch:
    x: torch.Tensor
    y: torch.Tensor | None = None


class DataSource:
    """What the trainer and the probes need from a data set."""
    family = "none"          # "1d", "2d", "image", "none"
    n_classes = 0
    shape: tuple[int, ...] = ()

    def sample(self, n: int, gen: torch.Generator, device: torch.device) -> Batch:
        raise NotImplementedError

    def density(self, x: np.ndarray) -> np.ndarray | None:  # 1D only
        return None

    centers: np.ndarray | None = None   # 2D mode centres, for coverage
    mode_std: float = 0.0


class NoData(DataSource):
    family = "none"

    def sample(self, n, gen, device):
        return Batch(torch.zeros(n, 0, device=device))


class Gaussian1D(DataSource):
    family = "1d"
    shape = (1,)

    def __init__(self, means, stds, weights):
        self.means = np.asarray(means, float)
        self.stds = np.asarray(stds, float)
        w = np.asarray(weights, float)
        self.weights = w / w.sum()
        self._cache: dict = {}

    def _tensors(self, device):
        if device not in self._cache:
            self._cache[device] = tuple(torch.tensor(a, dtype=torch.float32, device=device)
                                        for a in (self.means, self.stds, self.weights))
        return self._cache[device]

    def sample(self, n, gen, device):
        m, s, w = self._tensors(device)
        eps = torch.randn(n, 1, generator=gen, device=device)
        if len(m) == 1:
            return Batch(m + s * eps)
        comp = torch.multinomial(w, n, replacement=True, generator=gen)
        return Batch(m[comp, None] + s[comp, None] * eps)

    def density(self, x):
        x = np.asarray(x, float)[..., None]
        p = self.weights * np.exp(-0.5 * ((x - self.means) / self.stds) ** 2) / (self.stds * math.sqrt(2 * math.pi))
        return p.sum(-1)


class Points2D(DataSource):
    """A mixture of isotropic 2D Gaussians around given centres (ring, grid, user-drawn points)."""
    family = "2d"
    shape = (2,)

    def __init__(self, centers: np.ndarray, std: float):
        self.centers = np.asarray(centers, np.float32)
        self.mode_std = float(std)
        self._cache: dict = {}

    def sample(self, n, gen, device):
        if device not in self._cache:
            self._cache[device] = torch.tensor(self.centers, device=device)
        c = self._cache[device]
        idx = torch.randint(len(c), (n,), generator=gen, device=device)
        return Batch(c[idx] + self.mode_std * torch.randn(n, 2, generator=gen, device=device))


class Curve2D(DataSource):
    """Spiral and two moons: points along curves plus Gaussian noise."""
    family = "2d"
    shape = (2,)

    def __init__(self, kind: str, noise: float, scale: float):
        self.kind, self.noise, self.scale = kind, noise, scale

    def sample(self, n, gen, device):
        t = torch.rand(n, generator=gen, device=device)
        if self.kind == "spiral2d":
            ang = 3 * math.pi * t.sqrt()
            r = t.sqrt()
            x = torch.stack([r * torch.cos(ang), r * torch.sin(ang)], 1)
        else:  # moons: two interleaved half circles
            upper = torch.rand(n, generator=gen, device=device) < 0.5
            ang = math.pi * t
            xa = torch.stack([torch.cos(ang), torch.sin(ang)], 1)
            xb = torch.stack([1 - torch.cos(ang), 0.5 - torch.sin(ang)], 1)
            x = torch.where(upper[:, None], xa, xb) - torch.tensor([0.5, 0.25], device=device)
            x = x / 1.5
        x = x * self.scale + self.noise * torch.randn(n, 2, generator=gen, device=device) * self.scale
        return Batch(x)


def ring_centers(n_modes: int, radius: float) -> np.ndarray:
    a = 2 * np.pi * np.arange(n_modes) / n_modes
    return np.stack([radius * np.cos(a), radius * np.sin(a)], 1)


def grid_centers(size: int, half_width: float) -> np.ndarray:
    v = np.linspace(-half_width, half_width, size)
    return np.stack(np.meshgrid(v, v, indexing="ij"), -1).reshape(-1, 2)


def make_data(d: DataConfig, source: str = "config") -> DataSource:
    """Build the data source a config asks for; a bad combination raises ConfigError."""
    k = d.kind
    if k == "none":
        return NoData()
    if k == "gaussian1d":
        return Gaussian1D([d.mean], [d.std], [1.0])
    if k == "mixture1d":
        if not (len(d.means) == len(d.stds) == len(d.weights)) or not d.means:
            raise ConfigError(f"{source}: data.means, data.stds and data.weights must be non-empty lists "
                              f"of the same length (got {d.means}, {d.stds}, {d.weights})")
        if min(d.stds) <= 0 or min(d.weights) < 0 or sum(d.weights) <= 0:
            raise ConfigError(f"{source}: data.stds must be positive and data.weights non-negative "
                              f"(got {d.stds}, {d.weights})")
        return Gaussian1D(d.means, d.stds, d.weights)
    if k == "ring2d":
        return Points2D(ring_centers(d.n_modes, d.radius), d.mode_std)
    if k == "grid2d":
        return Points2D(grid_centers(d.grid_size, d.radius), d.mode_std)
    if k in ("spiral2d", "moons2d"):
        return Curve2D(k, d.noise, d.radius)
    if k == "points2d":
        if not d.points:
            raise ConfigError(f"{source}: data.points is empty: draw some points or list [x, y] pairs")
        return Points2D(np.asarray(d.points, np.float32), d.mode_std)
    from .images import make_image_data  # image data sets: torchvision, scikit-learn, folders
    return make_image_data(d, source)
