"""Samples from a checkpoint: arrays (.npy, .csv) with a PNG plot for 1D/2D generators, PNG grids
for images (the translation grid for CycleGAN), and the latent explorer's interpolation strip."""
from __future__ import annotations

import csv
import io
import math
import re
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


def _latent_model(ckpt, what: str = "") -> LatentModel:
    """The explorer's model of a checkpoint's generator (one line when the game has no latent space)."""
    opened = open_model(ckpt)
    if not opened.game.has_latent:
        raise ConfigError(f"{ckpt}: the {opened.cfg.variant.name!r} variant has no latent space"
                          + (f" {what}" if what else ""))
    return LatentModel(opened.game, step=opened.step, source=str(ckpt))


def interpolation_png(ckpt: str, out: str, seed_a: int, seed_b: int, n: int = 8, mode: str = "linear",
                      label: int | None = None, truncation: float | None = None,
                      label_b: int | None = None) -> Path:
    """The latent explorer's interpolation strip, headless: from the noise of seed_a to that of
    seed_b in n steps (linear or spherical), written as one PNG; returns its path. A conditional
    model walks from class `label` to class `label_b` (default: the same) as a soft one-hot."""
    if not 2 <= n <= 256:
        raise ConfigError(f"--steps must be between 2 and 256 (got {n})")
    if mode not in ("linear", "spherical"):
        raise ConfigError(f"--mode must be 'linear' or 'spherical' (got {mode!r})")
    model = _latent_model(ckpt, "to walk")
    check_label(label, model.n_classes)
    if label_b is not None:
        if not model.conditional:
            raise ConfigError(f"--class-b {label_b}: this checkpoint's generator is not conditional")
        if not 0 <= label_b < model.n_classes:
            raise ConfigError(f"--class-b {label_b}: this model has classes 0..{model.n_classes - 1}")
    tr = check_truncation(truncation, model.truncation)
    za, zb = (model.compose(model.z_for_seed(s), None, tr) for s in (seed_a, seed_b))
    out = Path(out)
    save_png(model.strip(za, zb, n, mode, label, y1=label_b), out)
    return out


def parse_set(spec: str, opt: str) -> tuple[list[int], int | None]:
    """A set of samples for vector arithmetic: "class:N" (a whole class) or seeds "3,7,10-12";
    returns (seeds, class)."""
    text = str(spec).strip()
    if text.lower().startswith("class:"):
        try:
            return [], int(text[6:])
        except ValueError:
            raise ConfigError(f"{opt} {spec}: a class is written class:N with N a whole number") from None
    seeds: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        m = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if m is None or (m[2] is not None and int(m[2]) < int(m[1])):
            raise ConfigError(f"{opt} {spec}: {part!r} is not a seed or a range of seeds A-B with A <= B "
                              f"(write seeds as 3,7,10-12 or a class as class:N)")
        seeds += range(int(m[1]), int(m[2] or m[1]) + 1)
        if len(seeds) > 4096:
            raise ConfigError(f"{opt} {spec}: at most 4096 seeds in a set")
    if not seeds:
        raise ConfigError(f"{opt} {spec!r}: give seeds (3,7,10-12) or a class (class:N)")
    return seeds, None


def parse_strengths(text: str) -> list[float]:
    try:
        vals = [float(s) for s in str(text).split(",") if s.strip()]
    except ValueError:
        raise ConfigError(f"--strengths {text}: write numbers separated by commas, e.g. -1,0,1,2") from None
    if not vals or len(vals) > 64 or not all(math.isfinite(v) for v in vals):
        raise ConfigError(f"--strengths {text}: give 1 to 64 finite numbers separated by commas")
    return vals


def arithmetic_png(ckpt: str, out: str, a: str, b: str, base: int, strengths: str = "-1,0,1,2",
                   label: int | None = None, truncation: float | None = None) -> tuple[Path, str]:
    """Latent vector arithmetic, headless (the latent explorer's Arithmetic tab): the mean of set A
    and of set B (seeds, drawn with --class on a conditional model, or whole classes class:N), then
    base + s·(mean_A − mean_B) for each strength s, as one PNG strip; returns (path, legend)."""
    ss = parse_strengths(strengths)
    sa, sb = parse_set(a, "--a"), parse_set(b, "--b")
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise ConfigError(f"--out {out}: the arithmetic strip is written as a .png")
    model = _latent_model(ckpt)
    check_label(label, model.n_classes)
    for opt, (_, cls) in (("--a", sa), ("--b", sb)):
        if cls is not None:
            if not model.conditional:
                raise ConfigError(f"{opt} class:{cls}: this checkpoint's generator is not conditional; "
                                  f"give seeds instead")
            check_label(cls, model.n_classes)
    tr = check_truncation(truncation, model.truncation)
    y = (label or 0) if model.conditional else None

    def mean(seeds, cls):
        if cls is not None:
            return model.set_mean(cls=cls)
        zs = np.stack([model.compose(model.z_for_seed(s), None, tr) for s in seeds])
        return model.set_mean(zs, y)

    ma, mb = mean(*sa), mean(*sb)
    pt = model.point(model.compose(model.z_for_seed(base), None, tr), y)
    save_png(model.arithmetic_strip(pt, ma, mb, ss), out)
    name = lambda s, opt: f"class {s[1]}" if s[1] is not None else f"seeds {a if opt == 'a' else b}"  # noqa: E731
    legend = (f"tiles: mean of A ({name(sa, 'a')}), mean of B ({name(sb, 'b')}), then seed {base}"
              + (f" (class {y})" if y is not None else "")
              + f" + s·(A − B) for s = {', '.join(f'{s:g}' for s in ss)}")
    return out, legend
