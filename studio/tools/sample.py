"""Samples from a checkpoint: arrays (.npy, .csv) with a PNG plot for 1D/2D generators, PNG grids
for images (the translation grid for CycleGAN), and the latent explorer's interpolation strip."""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import torch

from ..config.io import atomic_write_bytes
from ..config.schema import ConfigError
from ..games.base import eval_mode
from ..inspect.grids import save_png, thumbnail, to_grid
from ..inspect.latent import LatentModel
from .model_io import OpenedModel, open_model
from .plots import histogram_png, scatter_png


def check_label(label: int | None, n_classes: int) -> None:
    """A --class value against a generator with n_classes classes (0: not conditional)."""
    if label is None:
        return
    if n_classes <= 0:
        raise ConfigError(f"--class {label}: this checkpoint's generator is not conditional")
    if not 0 <= label < n_classes:
        raise ConfigError(f"--class {label}: this model has classes 0..{n_classes - 1}")


def check_truncation(truncation: float | None, default: float) -> float:
    """The truncation to use: the given one (which must be positive), else the model's own."""
    tr = default if truncation is None else truncation
    if not tr > 0:
        raise ConfigError(f"--truncation must be positive (got {tr})")
    return tr


@torch.no_grad()
def draw(model: OpenedModel, n: int, seed: int = 0, truncation: float | None = None,
         label: int | None = None) -> torch.Tensor:
    """n samples from noise seeded by `seed` (reproducible); a conditional model draws class `label`,
    or every class in turn."""
    game = model.game
    check_label(label, game.n_classes)
    tr = check_truncation(truncation, model.cfg.model.truncation)
    g = torch.Generator().manual_seed(seed)
    z = (torch.randn(n, model.cfg.model.latent_dim, generator=g) * tr).to(model.device)
    y = None
    if game.conditional:
        y = torch.full((n,), label, dtype=torch.long) if label is not None else torch.arange(n) % game.n_classes
        y = y.to(model.device)
    with eval_mode(*game.modules().values()):
        return game.generate(z, y)


def sample_to_file(ckpt: str, out: str, n: int = 1000, seed: int = 0, label: int | None = None,
                   truncation: float | None = None) -> list[Path]:
    if n < 1:
        raise ConfigError(f"-n must be at least 1 (got {n})")
    model = open_model(ckpt)
    out = Path(out)
    game = model.game
    if not game.makes_samples:
        raise ConfigError(f"{ckpt}: this checkpoint ({model.cfg.variant.name}) has no generator to sample")
    fam = model.data.family
    if fam in ("1d", "2d"):
        if out.suffix not in (".npy", ".csv"):
            raise ConfigError(f"--out {out}: 1D/2D samples are written as .npy or .csv")
        x = draw(model, n, seed, truncation, label).cpu().numpy().astype(np.float32)
        buf = io.BytesIO()
        if out.suffix == ".npy":
            np.save(buf, x)
        else:
            s = io.StringIO()
            w = csv.writer(s)
            w.writerow(["x"] if x.shape[1] == 1 else ["x", "y"])
            w.writerows(x.tolist())
            buf.write(s.getvalue().encode())
        atomic_write_bytes(out, buf.getvalue())
        gen = torch.Generator(device=model.device).manual_seed(seed + 1)
        real = model.data.sample(n, gen, model.device).x.cpu().numpy()
        png = out.with_suffix(".png")
        save_png(histogram_png(real[:, 0], x[:, 0]) if fam == "1d" else scatter_png(real, x), png)
        return [out, png]
    if out.suffix.lower() != ".png":
        raise ConfigError(f"--out {out}: image samples are written as a .png grid")
    if game.translates:      # CycleGAN: the translation grid of its fixed images
        check_label(label, 0)
        save_png(thumbnail(game), out)
        return [out]
    n = min(n, 1024)
    x = draw(model, n, seed, truncation, label)
    nrow = game.n_classes if (game.conditional and label is None) else int(math.ceil(math.sqrt(n)))
    save_png(to_grid(x, nrow), out)
    return [out]


def interpolation_png(ckpt: str, out: str, seed_a: int, seed_b: int, n: int = 8, mode: str = "linear",
                      label: int | None = None, truncation: float | None = None) -> Path:
    """The latent explorer's interpolation strip, headless: from the noise of seed_a to that of
    seed_b in n steps (linear or spherical), written as one PNG; returns its path."""
    if not 2 <= n <= 256:
        raise ConfigError(f"--steps must be between 2 and 256 (got {n})")
    if mode not in ("linear", "spherical"):
        raise ConfigError(f"--mode must be 'linear' or 'spherical' (got {mode!r})")
    opened = open_model(ckpt)
    if not opened.game.has_latent:
        raise ConfigError(f"{ckpt}: the {opened.cfg.variant.name!r} variant has no latent space to walk")
    model = LatentModel(opened.game, step=opened.step, source=str(ckpt))
    check_label(label, model.n_classes)
    tr = check_truncation(truncation, model.truncation)
    za, zb = (model.compose(model.z_for_seed(s), None, tr) for s in (seed_a, seed_b))
    out = Path(out)
    save_png(model.strip(za, zb, n, mode, label), out)
    return out
