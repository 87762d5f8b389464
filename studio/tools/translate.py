"""CycleGAN outside training: translate every image of a folder with a checkpoint's generator."""
from __future__ import annotations

import copy
from pathlib import Path

import torch

from ..config.schema import ConfigError
from ..data.images import list_images, load_image_files
from ..games.base import eval_mode
from ..inspect.grids import save_png
from .model_io import open_model


@torch.no_grad()
def translate(ckpt: str, input_dir: str, out_dir: str, direction: str = "ab") -> list[Path]:
    """Run a CycleGAN generator over every image in input_dir; PNGs of the same names in out_dir."""
    if direction not in ("ab", "ba"):
        raise ConfigError(f"--direction must be 'ab' or 'ba' (got {direction!r})")
    model = open_model(ckpt)
    if not model.game.translates:
        raise ConfigError(f"{ckpt}: translate needs a CycleGAN checkpoint (this one is {model.cfg.variant.name!r})")
    src = Path(input_dir)
    if not src.is_dir():
        raise ConfigError(f"{src}: --input folder not found")
    paths = list_images(src)
    c, side = model.data.shape[0], model.data.shape[1]
    d = copy.deepcopy(model.cfg.data)
    d.channels, d.image_size, d.limit = 0, side, 0
    x = load_image_files(paths, d, str(src))
    if x.shape[1] != c:   # grey input to an RGB model and back
        x = x.repeat(1, c, 1, 1) if x.shape[1] == 1 else x.mean(1, keepdim=True)
    dst = Path(out_dir)
    written = []
    G = model.game.G[direction]
    with eval_mode(G):
        for i in range(0, len(paths), 64):
            y = G(x[i:i + 64].to(model.device)).float().cpu()
            for p, img in zip(paths[i:i + 64], y):
                a = ((img.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
                a = a[0].numpy() if c == 1 else a.permute(1, 2, 0).numpy()
                q = dst / p.relative_to(src).with_suffix(".png")
                save_png(a, q)
                written.append(q)
    return written
