"""Toy data for the games you can watch: 1D Gaussians and mixtures, 2D rings, grids, spirals, moons
and user-drawn points. They sample on the training device from the trainer's generator."""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import torch

from ..config.schema import ConfigError, DataConfig
from .base import Batch, DataSource, register_kind


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
        out = np.zeros(x.shape[:-1])
        for i in range(0, len(self.means), 4096):     # points from a file can be many: in chunks
            m, sd, w = self.means[i:i + 4096], self.stds[i:i + 4096], self.weights[i:i + 4096]
            out += (w * np.exp(-0.5 * ((x - m) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))).sum(-1)
        return out

    def cdf(self, x):
        """The distribution function F(x) of the mixture (the 1D view's ideal map F⁻¹(Φ(z)))."""
        x = np.asarray(x, float)[..., None]
        out = np.zeros(x.shape[:-1])
        for i in range(0, len(self.means), 4096):
            m, sd, w = self.means[i:i + 4096], self.stds[i:i + 4096], self.weights[i:i + 4096]
            out += (w * torch.special.ndtr(torch.from_numpy((x - m) / sd)).numpy()).sum(-1)
        return out


class PointMass1D(DataSource):
    """All the real data at one point (the Dirac-GAN of Mescheder et al. 2018)."""
    family = "1d"
    shape = (1,)

    def __init__(self, at: float):
        self.at = float(at)
        self.means, self.weights = np.array([self.at]), np.array([1.0])   # a one-point mixture

    def sample(self, n, gen, device):
        return Batch(torch.full((n, 1), self.at, device=device))


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


@register_kind("gaussian1d", family="1d")
def _gaussian(d: DataConfig, source: str) -> DataSource:
    return Gaussian1D([d.mean], [d.std], [1.0])


@register_kind("point1d", family="1d")
def _point(d: DataConfig, source: str) -> DataSource:
    return PointMass1D(d.mean)


@register_kind("mixture1d", family="1d")
def _mixture(d: DataConfig, source: str) -> DataSource:
    if not (len(d.means) == len(d.stds) == len(d.weights)) or not d.means:
        raise ConfigError(f"{source}: data.means, data.stds and data.weights must be non-empty lists "
                          f"of the same length (got {d.means}, {d.stds}, {d.weights})")
    if min(d.stds) <= 0 or min(d.weights) < 0 or sum(d.weights) <= 0:
        raise ConfigError(f"{source}: data.stds must be positive and data.weights non-negative "
                          f"(got {d.stds}, {d.weights})")
    _bounded(source, "data.means", d.means)
    _bounded(source, "data.stds", d.stds)
    return Gaussian1D(d.means, d.stds, d.weights)


@register_kind("ring2d", family="2d", modes=True)
def _ring(d: DataConfig, source: str) -> DataSource:
    return Points2D(ring_centers(d.n_modes, d.radius), d.mode_std)


@register_kind("grid2d", family="2d", modes=True)
def _grid(d: DataConfig, source: str) -> DataSource:
    return Points2D(grid_centers(d.grid_size, d.radius), d.mode_std)


@register_kind("spiral2d", "moons2d", family="2d")
def _curve(d: DataConfig, source: str) -> DataSource:
    return Curve2D(d.kind, d.noise, d.radius)


MIN_POINTS = 2
MAX_VALUE = 1e6    # a coordinate beyond this overflows float32 once squared (from 1.8e19) or trains on
                   # nothing but its scale: the points file check refuses it, naming the line


def read_points(path: str, dim: int) -> np.ndarray:
    """Points from a CSV (one or two numeric columns, an optional header line) or .npy file, as an
    (N, dim) float32 array; anything malformed raises ConfigError naming the file, the line and the value."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise ConfigError(f"{p}: data.file not found")
    want = f"{dim} column{'s' * (dim > 1)}"
    if p.suffix.lower() == ".npy":
        try:
            a = np.load(p, allow_pickle=False)
        except (ValueError, OSError, EOFError) as e:
            raise ConfigError(f"{p}: not a readable .npy file ({' '.join(str(e).split())[:120]})") from None
        if a.dtype.kind not in "iuf":
            raise ConfigError(f"{p}: holds {a.dtype} values; expected numbers")
        if a.ndim == 1 and dim == 1:
            a = a[:, None]
        if a.ndim != 2 or a.shape[1] != dim:
            raise ConfigError(f"{p}: has shape {a.shape}; expected (N, {dim})" + (" or (N,)" if dim == 1 else ""))
        bad = np.argwhere(~np.isfinite(a))
        if len(bad):
            raise ConfigError(f"{p}: row {bad[0][0]} holds {a[tuple(bad[0])]}; every value must be a finite number")
        big = np.argwhere(np.abs(a) > MAX_VALUE)
        if len(big):
            raise ConfigError(f"{p}: row {big[0][0]} holds {a[tuple(big[0])]:g}, too large to train on "
                              f"(at most {MAX_VALUE:g} in size; rescale the data)")
        rows = a.astype(np.float32)
    else:
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"{p}: cannot read as text ({e})") from None
        rows_list = []
        for no, line in enumerate(csv.reader(io.StringIO(text)), 1):
            cells = [c.strip() for c in line]
            if not any(cells):
                continue
            if len(cells) != dim:
                raise ConfigError(f"{p}: line {no} has {len(cells)} column(s) ({','.join(line)[:60]!r}); "
                                  f"{'points2d' if dim == 2 else 'points1d'} expects {want}")
            try:
                vals = [float(c) for c in cells]
            except ValueError:
                if not rows_list and no == 1:      # a header line
                    continue
                bad = next(c for c in cells if not _is_float(c))
                raise ConfigError(f"{p}: line {no}: {bad!r} is not a number") from None
            if not all(math.isfinite(v) for v in vals):
                raise ConfigError(f"{p}: line {no}: {','.join(cells)!r} is not a finite number")
            if any(abs(v) > MAX_VALUE for v in vals):
                raise ConfigError(f"{p}: line {no}: {','.join(cells)!r} is too large to train on "
                                  f"(values at most {MAX_VALUE:g} in size; rescale the data)")
            rows_list.append(vals)
        rows = np.asarray(rows_list, np.float32).reshape(-1, dim)
    if len(rows) < MIN_POINTS:
        raise ConfigError(f"{p}: has {len(rows)} point(s); at least {MIN_POINTS} are needed")
    return rows


def _bounded(source: str, key: str, values) -> None:
    """Refuse values too large to train on (see MAX_VALUE), naming the key and the first one."""
    i = next((i for i, v in enumerate(values) if abs(v) > MAX_VALUE), None)
    if i is not None:
        raise ConfigError(f"{source}: {key} holds {values[i]:g}, too large to train on (values at most "
                          f"{MAX_VALUE:g} in size; rescale the data)")


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@register_kind("points1d", family="1d")
def _points1d(d: DataConfig, source: str) -> DataSource:
    if not d.file:
        raise ConfigError(f"{source}: data.kind = 'points1d' needs data.file (a CSV or .npy of numbers)")
    pts = read_points(d.file, 1)[:, 0]
    src = Gaussian1D(pts, np.full(len(pts), d.mode_std), np.ones(len(pts)))
    src.file = d.file
    return src


@register_kind("points2d", family="2d")
def _points(d: DataConfig, source: str) -> DataSource:
    if d.file:
        src = Points2D(read_points(d.file, 2), d.mode_std)
        src.file = d.file
        return src
    if not d.points:
        raise ConfigError(f"{source}: data.points is empty: draw some points, list [x, y] pairs or set data.file")
    _bounded(source, "data.points", [v for p in d.points for v in p])
    return Points2D(np.asarray(d.points, np.float32), d.mode_std)
