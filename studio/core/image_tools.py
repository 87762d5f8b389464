"""Image checkpoints outside training: PNG sample grids, CycleGAN translation of a folder, and export
of the generator as TorchScript (plain `torch.jit.load`, no GAN Studio needed) or ONNX."""
from __future__ import annotations

import copy
import importlib.util
import json
import math
import warnings
from pathlib import Path

import torch
from torch import nn

from ..config import ConfigError
from .image_probes import eval_mode, to_grid
from .images_io import save_png


def _is_cycle(trainer) -> bool:
    return hasattr(trainer.variant, "translation_rows")


def latents(trainer, n: int, seed: int, truncation: float | None) -> torch.Tensor:
    tr = trainer.cfg.model.truncation if truncation is None else truncation
    if tr <= 0:
        raise ConfigError(f"--truncation must be positive (got {tr})")
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, trainer.cfg.model.latent_dim, generator=g) * tr).to(trainer.device)


def labels(trainer, n: int, label: int | None) -> torch.Tensor | None:
    v = trainer.variant
    if not v.conditional:
        if label is not None:
            raise ConfigError(f"--class {label}: this checkpoint's generator is not conditional")
        return None
    C = v.data.n_classes
    if label is not None and not 0 <= label < C:
        raise ConfigError(f"--class {label}: this model has classes 0..{C - 1}")
    y = torch.full((n,), label, dtype=torch.long) if label is not None else torch.arange(n) % C
    return y.to(trainer.device)


@torch.no_grad()
def sample_grid_png(trainer, out, n: int = 64, seed: int = 0, label: int | None = None,
                    truncation: float | None = None) -> list[Path]:
    """Write a PNG grid of n samples (one column per class for conditional models without --class);
    for CycleGAN, the translation grid of its fixed images (rows A, AB, ABA, B, BA, BAB)."""
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise ConfigError(f"--out {out}: image samples are written as a .png grid")
    v = trainer.variant
    if _is_cycle(trainer):
        save_png(v.thumbnail(), out)
        return [out]
    n = min(n, 1024)
    z, y = latents(trainer, n, seed, truncation), labels(trainer, n, label)
    with eval_mode(*v.modules().values()):
        x = v.generate(z, y) if v.conditional else v.generate(z)
    nrow = v.data.n_classes if (v.conditional and label is None) else int(math.ceil(math.sqrt(n)))
    save_png(to_grid(x, nrow), out)
    return [out]


def _model_side(trainer) -> tuple[int, int]:
    c, h, _ = trainer.data.shape
    return c, h


@torch.no_grad()
def translate(ckpt: str, input_dir: str, out_dir: str, direction: str = "ab") -> list[Path]:
    """Run a CycleGAN generator over every image in input_dir; PNGs of the same names in out_dir."""
    from .images import list_images, load_image_files
    from .sampling import load_trainer
    if direction not in ("ab", "ba"):
        raise ConfigError(f"--direction must be 'ab' or 'ba' (got {direction!r})")
    t = load_trainer(ckpt)
    if not _is_cycle(t):
        raise ConfigError(f"{ckpt}: translate needs a CycleGAN checkpoint (this one is {t.cfg.variant.name!r})")
    src = Path(input_dir)
    if not src.is_dir():
        raise ConfigError(f"{src}: --input folder not found")
    paths = list_images(src)
    c, side = _model_side(t)
    d = copy.deepcopy(t.cfg.data)
    d.channels, d.image_size, d.limit = 0, side, 0
    x = load_image_files(paths, d, str(src))
    if x.shape[1] != c:   # grey input to an RGB model and back
        x = x.repeat(1, c, 1, 1) if x.shape[1] == 1 else x.mean(1, keepdim=True)
    dst = Path(out_dir)
    written = []
    G = t.variant.G[direction]
    with eval_mode(G):
        for i in range(0, len(paths), 64):
            y = G(x[i:i + 64].to(t.device)).float().cpu()
            for p, img in zip(paths[i:i + 64], y):
                a = ((img.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
                a = a[0].numpy() if c == 1 else a.permute(1, 2, 0).numpy()
                q = dst / p.relative_to(src).with_suffix(".png")
                save_png(a, q)
                written.append(q)
    return written


class _CondWrapper(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, z, y):
        return self.g(z, y)


def export(ckpt: str, fmt: str, out: str) -> tuple[Path, str]:
    """Write the generator as TorchScript or ONNX on the CPU; returns (path, usage line)."""
    from .sampling import load_trainer
    if fmt not in ("torchscript", "onnx"):
        raise ConfigError(f"--format must be torchscript or onnx (got {fmt!r})")
    if fmt == "onnx" and importlib.util.find_spec("onnx") is None:
        raise ConfigError("--format onnx needs the onnx package (pip install onnx); "
                          "--format torchscript works without it")
    t = load_trainer(ckpt)
    if t.data.family != "image":
        raise ConfigError(f"{ckpt}: export writes image generators (this checkpoint has {t.data.family} data)")
    v = t.variant
    c, side = _model_side(t)
    if _is_cycle(t):
        g = copy.deepcopy(v.G["ab"]).cpu().float().eval()
        example = (torch.zeros(2, c, side, side),)
        names, usage = ["image"], f"torch.jit.load(FILE)(x) with x of shape (N, {c}, {side}, {side}) in [-1, 1] -> domain B"
    else:
        g = copy.deepcopy(v.G).cpu().float().eval()
        L = t.cfg.model.latent_dim
        if v.conditional:
            g = _CondWrapper(g)
            example = (torch.zeros(2, L), torch.zeros(2, dtype=torch.long))
            names = ["z", "y"]
            usage = (f"torch.jit.load(FILE)(torch.randn(N, {L}), labels) with labels in 0..{v.data.n_classes - 1}"
                     f" -> (N, {c}, {side}, {side}) in [-1, 1]")
        else:
            example = (torch.zeros(2, L),)
            names = ["z"]
            usage = f"torch.jit.load(FILE)(torch.randn(N, {L})) -> (N, {c}, {side}, {side}) in [-1, 1]"
    g = g.to(memory_format=torch.contiguous_format)
    g.requires_grad_(False)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"variant": t.cfg.variant.name, "latent_dim": t.cfg.model.latent_dim, "channels": c,
            "side": side, "n_classes": int(getattr(v.data, "n_classes", 0)), "inputs": names,
            "range": [-1, 1], "step": t.step}
    if fmt == "torchscript":
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)   # TorchScript is deprecated, still loadable
            traced = torch.jit.trace(g, example, check_trace=False)
            tmp = path.with_name(f".{path.name}.tmp")
            torch.jit.save(traced, str(tmp), _extra_files={"gan_studio.json": json.dumps(meta)})
        tmp.replace(path)
        return path, usage
    axes = {n: {0: "batch"} for n in names + ["images"]}
    try:
        torch.onnx.export(g, example, str(path), input_names=names, output_names=["images"],
                          dynamic_axes=axes, dynamo=False)
    except Exception as e:  # noqa: BLE001 - report any exporter failure as a clear error
        raise ConfigError(f"{path}: ONNX export failed ({type(e).__name__}: {str(e)[:200]})") from None
    return path, usage.replace("torch.jit.load(FILE)", "onnxruntime session on FILE")
