"""Load a generator from a checkpoint and draw samples: arrays for 1D/2D, PNG grids for images."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import torch

from ..config import ConfigError
from . import checkpoints
from .images_io import save_png
from .plots import scatter_png, histogram_png


def load_trainer(path: str | Path):
    """A Trainer restored from a checkpoint that writes nothing (for sampling, export, eval)."""
    from .trainer import Trainer, config_of_checkpoint
    state = checkpoints.load(path)
    cfg = config_of_checkpoint(state, str(path))
    if cfg.train.device == "cuda" and not torch.cuda.is_available():
        cfg.train.device = "cpu"
    t = Trainer(cfg, resume=state, snapshots=False, write=False)
    t.resumed_from = str(path)
    return t


def check_label(label: int | None, n_classes: int) -> None:
    """A --class value against a generator with n_classes classes (0: not conditional)."""
    if label is None:
        return
    if n_classes <= 0:
        raise ConfigError(f"--class {label}: this checkpoint's generator is not conditional")
    if not 0 <= label < n_classes:
        raise ConfigError(f"--class {label}: this model has classes 0..{n_classes - 1}")


@torch.no_grad()
def draw(trainer, n: int, seed: int = 0, truncation: float | None = None, label: int | None = None):
    """n samples as a tensor, from noise seeded by `seed` (reproducible)."""
    v = trainer.variant
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, trainer.cfg.model.latent_dim, generator=g).to(trainer.device)
    tr = trainer.cfg.model.truncation if truncation is None else truncation
    if tr <= 0:
        raise ConfigError(f"--truncation must be positive (got {tr})")
    z = z * tr
    y = None
    check_label(label, v.data.n_classes if v.conditional else 0)
    if v.conditional:
        C = max(v.data.n_classes, 1)
        y = (torch.full((n,), label, dtype=torch.long) if label is not None
             else torch.randint(C, (n,), generator=g)).to(trainer.device)
    for m in v.modules().values():
        m.eval()
    return v.generate(z, y) if y is not None else v.generate(z)


def sample_to_file(ckpt: str, out: str, n: int = 1000, seed: int = 0, label: int | None = None,
                   truncation: float | None = None) -> list[Path]:
    if n < 1:
        raise ConfigError(f"-n must be at least 1 (got {n})")
    t = load_trainer(ckpt)
    out = Path(out)
    fam = t.data.family
    if fam in ("1d", "2d"):
        if out.suffix not in (".npy", ".csv"):
            raise ConfigError(f"--out {out}: 1D/2D samples are written as .npy or .csv")
        x = draw(t, n, seed, truncation, label).cpu().numpy().astype(np.float32)
        out.parent.mkdir(parents=True, exist_ok=True)
        from ..presets import atomic_write_bytes
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
        real = t.data.sample(n, torch.Generator(device=t.device).manual_seed(seed + 1), t.device).x.cpu().numpy()
        png = out.with_suffix(".png")
        img = histogram_png(real[:, 0], x[:, 0]) if fam == "1d" else scatter_png(real, x)
        save_png(img, png)
        return [out, png]
    if fam == "image":
        from .image_tools import sample_grid_png
        return sample_grid_png(t, out, n, seed, label, truncation)
    raise ConfigError(f"{ckpt}: this checkpoint ({t.cfg.variant.name}) has no generator to sample")
