"""Samples from a checkpoint: arrays (.npy, .csv) with a PNG plot for 1D/2D generators; for images a
PNG grid (the translation grid for CycleGAN), one PNG per sample in a folder, or the array as .npy;
and the latent explorer's interpolation strip. A class is given by its index or by its name (the
image folder's class folders, Fashion-MNIST's labels)."""
from __future__ import annotations

import csv
import io
import math
import os
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


def classes_text(n_classes: int, names=()) -> str:
    """"0..9", or with the names the data set gives them "0..9: 0 T-shirt, 1 Trouser, ..."."""
    names = [str(n) for n in names][:n_classes]
    text = f"0..{n_classes - 1}"
    if names and names != [str(i) for i in range(len(names))]:
        shown = ", ".join(f"{i} {n}" for i, n in enumerate(names[:MAX_NAMES_SHOWN]))
        text += ": " + shown + (f", ... ({n_classes} in all)" if n_classes > MAX_NAMES_SHOWN else "")
    return text


MAX_NAMES_SHOWN = 30


def check_label(label: int | str | None, n_classes: int, names=(), opt: str = "--class",
                shown: str | None = None) -> int | None:
    """A --class value (a class's index, or its name as the data set names it; a name that is also a
    number means the class of that name) against a generator with n_classes classes (0: not
    conditional); returns the class's index. Errors name `shown` (default: "--class VALUE")."""
    if label is None:
        return None
    shown = shown or f"{opt} {str(label).strip()}"
    if n_classes <= 0:
        raise ConfigError(f"{shown}: this checkpoint's generator is not conditional")
    names = [str(n) for n in names][:n_classes]
    if isinstance(label, str):
        text = label.strip()
        folded = [n.casefold() for n in names]
        if text in names:
            return names.index(text)
        if text.casefold() in folded:
            return folded.index(text.casefold())
        try:
            label = int(text)
        except ValueError:
            raise ConfigError(f"{shown}: no class of that name; this model has classes "
                              f"{classes_text(n_classes, names)}") from None
    if not 0 <= label < n_classes:
        raise ConfigError(f"{shown}: this model has classes {classes_text(n_classes, names)}")
    return int(label)


def check_truncation(truncation: float | None, default: float) -> float:
    """The truncation to use: the given one (which must be positive), else the model's own."""
    tr = default if truncation is None else truncation
    if not tr > 0:
        raise ConfigError(f"--truncation must be positive (got {tr})")
    return tr


@torch.no_grad()
def draw(model: OpenedModel, n: int, seed: int = 0, truncation: float | None = None,
         label: int | str | None = None) -> torch.Tensor:
    """n samples from noise seeded by `seed` (reproducible); a conditional model draws class `label`
    (its index or its name), or every class in turn."""
    game = model.game
    label = check_label(label, game.n_classes, game.class_names if game.conditional else ())
    tr = check_truncation(truncation, model.cfg.model.truncation)
    g = torch.Generator().manual_seed(seed)
    z = (torch.randn(n, model.cfg.model.latent_dim, generator=g) * tr).to(model.device)
    y = None
    if game.conditional:
        y = torch.full((n,), label, dtype=torch.long) if label is not None else torch.arange(n) % game.n_classes
        y = y.to(model.device)
    with eval_mode(*game.modules().values()):
        if n <= CHUNK:
            return game.generate(z, y)
        return torch.cat([game.generate(z[i:i + CHUNK], None if y is None else y[i:i + CHUNK])
                          for i in range(0, n, CHUNK)])


CHUNK = 1024                  # samples generated at once (eval mode: each sample on its own)
MAX_IMAGE_SAMPLES = 10_000    # for a folder of PNGs or an .npy of images (a grid shows at most 1024)


def sample_to_file(ckpt: str, out: str, n: int = 1000, seed: int = 0, label: int | str | None = None,
                   truncation: float | None = None) -> list[Path]:
    """Write n samples: 1D/2D as .npy or .csv (a PNG plot beside); images as a .png grid, as an .npy
    array (N, C, H, W) float32 in [-1, 1] (a grid beside, and the classes as NAME.labels.npy for a
    conditional model), or one PNG per sample in a folder (`--out DIR/`). Returns the files written."""
    if n < 1:
        raise ConfigError(f"-n must be at least 1 (got {n})")
    folder = str(out).endswith(("/", os.sep)) or Path(out).is_dir()
    model = open_model(ckpt)
    out = Path(out)
    game = model.game
    if not game.makes_samples:
        raise ConfigError(f"{ckpt}: this checkpoint ({model.cfg.variant.name}) has no generator to sample")
    fam = model.data.family
    if fam in ("1d", "2d"):
        if folder or out.suffix not in (".npy", ".csv"):
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
    kind = "folder" if folder else out.suffix.lower()
    if kind not in ("folder", ".npy", ".png"):
        raise ConfigError(f"--out {out}: image samples are written as a .png grid, an .npy array, or one PNG "
                          f"per sample in a folder (--out DIR/)")
    if game.translates:      # CycleGAN: the translation grid of its fixed images
        if kind != ".png":
            raise ConfigError(f"--out {out}: a CycleGAN checkpoint translates images; `gan-studio translate "
                              f"--checkpoint CKPT --input DIR --out DIR/` writes one PNG per image")
        check_label(label, 0)
        save_png(thumbnail(game), out)
        return [out]
    label = check_label(label, game.n_classes, game.class_names)
    if kind == ".png":
        n = min(n, 1024)
        x = draw(model, n, seed, truncation, label)
        nrow = game.n_classes if (game.conditional and label is None) else int(math.ceil(math.sqrt(n)))
        save_png(to_grid(x, nrow), out)
        return [out]
    if n > MAX_IMAGE_SAMPLES:
        raise ConfigError(f"-n {n}: at most {MAX_IMAGE_SAMPLES:,} image samples at a time")
    x = draw(model, n, seed, truncation, label)
    y = _labels(game, n, label)
    if kind == ".npy":
        buf = io.BytesIO()
        np.save(buf, x.cpu().numpy().astype(np.float32))
        atomic_write_bytes(out, buf.getvalue())
        written = [out]
        if y is not None:
            lab = out.with_name(out.stem + ".labels.npy")
            buf = io.BytesIO()
            np.save(buf, y)
            atomic_write_bytes(lab, buf.getvalue())
            written.append(lab)
        grid = out.with_suffix(".png")
        k = min(n, 1024)
        save_png(to_grid(x[:k], game.n_classes if (game.conditional and label is None) else
                         int(math.ceil(math.sqrt(k)))), grid)
        return written + [grid]
    out.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(n - 1)))
    names = game.class_names
    written = []
    for i in range(n):
        tag = f"-{_file_word(names[y[i]])}" if y is not None else ""
        path = out / f"sample-{i:0{width}d}{tag}.png"
        save_png(_pixels(x[i]), path)
        written.append(path)
    return written


def _labels(game, n: int, label: int | None) -> np.ndarray | None:
    """The class of each sample draw() made (None for an unconditional model)."""
    if not game.conditional:
        return None
    return np.full(n, label, dtype=np.int64) if label is not None else np.arange(n, dtype=np.int64) % game.n_classes


def _pixels(img: torch.Tensor) -> np.ndarray:
    """One image (C, H, W) in [-1, 1] as uint8 pixels at its own size: (H, W) grey, RGB or RGBA."""
    a = ((img.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()
    c = a.shape[0]
    if c in (1, 2):
        return a[0]
    return np.ascontiguousarray(a[:4].transpose(1, 2, 0))


def _file_word(name: str) -> str:
    """A class name as a safe part of a file name ("Ankle boot" -> "Ankle_boot")."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._") or "class"


def _latent_model(ckpt, what: str = "") -> LatentModel:
    """The explorer's model of a checkpoint's generator (one line when the game has no latent space)."""
    opened = open_model(ckpt)
    if not opened.game.has_latent:
        raise ConfigError(f"{ckpt}: the {opened.cfg.variant.name!r} variant has no latent space"
                          + (f" {what}" if what else ""))
    return LatentModel(opened.game, step=opened.step, source=str(ckpt))


def interpolation_png(ckpt: str, out: str, seed_a: int, seed_b: int, n: int = 8, mode: str = "linear",
                      label: int | str | None = None, truncation: float | None = None,
                      label_b: int | str | None = None) -> Path:
    """The latent explorer's interpolation strip, headless: from the noise of seed_a to that of
    seed_b in n steps (linear or spherical), written as one PNG; returns its path. A conditional
    model walks from class `label` to class `label_b` (default: the same) as a soft one-hot."""
    if not 2 <= n <= 256:
        raise ConfigError(f"--steps must be between 2 and 256 (got {n})")
    if mode not in ("linear", "spherical"):
        raise ConfigError(f"--mode must be 'linear' or 'spherical' (got {mode!r})")
    model = _latent_model(ckpt, "to walk")
    label = check_label(label, model.n_classes, model.class_names)
    label_b = check_label(label_b, model.n_classes, model.class_names, "--class-b")
    tr = check_truncation(truncation, model.truncation)
    za, zb = (model.compose(model.z_for_seed(s), None, tr) for s in (seed_a, seed_b))
    out = Path(out)
    save_png(model.strip(za, zb, n, mode, label, y1=label_b), out)
    return out


def parse_set(spec: str, opt: str) -> tuple[list[int], int | str | None]:
    """A set of samples for vector arithmetic: "class:N" or "class:NAME" (a whole class) or seeds
    "3,7,10-12"; returns (seeds, class), the class as written (checked against the model later)."""
    text = str(spec).strip()
    if text.lower().startswith("class:"):
        cls = text[6:].strip()
        if not cls:
            raise ConfigError(f"{opt} {spec}: a class is written class:N or class:NAME")
        return [], int(cls) if re.fullmatch(r"-?\d+", cls) else cls
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
                   label: int | str | None = None, truncation: float | None = None) -> tuple[Path, str]:
    """Latent vector arithmetic, headless (the latent explorer's Arithmetic tab): the mean of set A
    and of set B (seeds, drawn with --class on a conditional model, or whole classes class:N), then
    base + s·(mean_A − mean_B) for each strength s, as one PNG strip; returns (path, legend)."""
    ss = parse_strengths(strengths)
    sa, sb = parse_set(a, "--a"), parse_set(b, "--b")
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise ConfigError(f"--out {out}: the arithmetic strip is written as a .png")
    model = _latent_model(ckpt)
    label = check_label(label, model.n_classes, model.class_names)
    sets = []
    for opt, (seeds, cls) in (("--a", sa), ("--b", sb)):
        if cls is not None:
            if not model.conditional:
                raise ConfigError(f"{opt} class:{cls}: this checkpoint's generator is not conditional; "
                                  f"give seeds instead")
            try:
                cls = check_label(cls, model.n_classes, model.class_names, shown=f"{opt} class:{cls}")
            except ConfigError as e:
                raise ConfigError(f"{e} (write class:N or class:NAME)") from None
        sets.append((seeds, cls))
    sa, sb = sets
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

    def name(s, opt):
        if s[1] is None:
            return f"seeds {a if opt == 'a' else b}"
        word = model.class_names[s[1]]
        return f"class {s[1]}" + (f" ({word})" if word != str(s[1]) else "")

    legend = (f"tiles: mean of A ({name(sa, 'a')}), mean of B ({name(sb, 'b')}), then seed {base}"
              + (f" (class {y})" if y is not None else "")
              + f" + s·(A − B) for s = {', '.join(f'{s:g}' for s in ss)}")
    return out, legend
