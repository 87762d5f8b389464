"""Export a checkpoint's generator as TorchScript (plain `torch.jit.load`, no GAN Studio needed) or
ONNX (with the optional onnx package)."""
from __future__ import annotations

import copy
import importlib.util
import json
import warnings
from pathlib import Path

import torch
from torch import nn

from ..config.schema import ConfigError
from .model_io import open_model


class _CondWrapper(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, z, y):
        return self.g(z, y)


def export(ckpt: str, fmt: str, out: str) -> tuple[Path, str]:
    """Write the generator as TorchScript or ONNX on the CPU; returns (path, usage line)."""
    if fmt not in ("torchscript", "onnx"):
        raise ConfigError(f"--format must be torchscript or onnx (got {fmt!r})")
    if fmt == "onnx" and importlib.util.find_spec("onnx") is None:
        raise ConfigError("--format onnx needs the onnx package (pip install onnx); "
                          "--format torchscript works without it")
    model = open_model(ckpt, device="cpu")
    v = model.game
    if model.data.family != "image":
        raise ConfigError(f"{ckpt}: export writes image generators (this checkpoint has {model.data.family} data)")
    c, side = model.data.shape[0], model.data.shape[1]
    if v.translates:
        g = copy.deepcopy(v.G["ab"]).cpu().float().eval()
        example = (torch.zeros(2, c, side, side),)
        names, usage = ["image"], f"torch.jit.load(FILE)(x) with x of shape (N, {c}, {side}, {side}) in [-1, 1] -> domain B"
    else:
        g = copy.deepcopy(v.G).cpu().float().eval()
        L = model.cfg.model.latent_dim
        if v.conditional:
            g = _CondWrapper(g)
            example = (torch.zeros(2, L), torch.zeros(2, dtype=torch.long))
            names = ["z", "y"]
            usage = (f"torch.jit.load(FILE)(torch.randn(N, {L}), labels) with labels in 0..{v.n_classes - 1}"
                     f" -> (N, {c}, {side}, {side}) in [-1, 1]")
        else:
            example = (torch.zeros(2, L),)
            names = ["z"]
            usage = f"torch.jit.load(FILE)(torch.randn(N, {L})) -> (N, {c}, {side}, {side}) in [-1, 1]"
    g = g.to(memory_format=torch.contiguous_format)
    g.requires_grad_(False)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"variant": model.cfg.variant.name, "latent_dim": model.cfg.model.latent_dim, "channels": c,
            "side": side, "n_classes": int(v.data.n_classes), "inputs": names,
            "range": [-1, 1], "step": model.step}
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
