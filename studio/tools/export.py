"""Export a checkpoint's image generator for use without GAN Studio, in three formats:

- pt2: `torch.export` (PyTorch's successor to TorchScript), saved with `torch.export.save`; load it
  with `torch.export.load(FILE).module()`.
- onnx: `torch.onnx.export(..., dynamo=True)` (needs the onnx and onnxscript packages); run it in
  onnxruntime or any ONNX runtime.
- torchscript: `torch.jit.trace` + `torch.jit.save`, for older deployments (TorchScript is deprecated).

All three take a batch of any size (the batch dimension is dynamic) and write the file atomically.
Inputs: `z` (N, latent) float32, plus `y` (N,) int64 class labels for a conditional generator, or
`image` (N, C, side, side) in [-1, 1] for a CycleGAN (domain A to B). Output: images (N, C, side,
side) in [-1, 1]. A JSON description (variant, latent size, classes and their names, step) travels
with the file: inside it for TorchScript and ONNX (extra file / metadata_props), beside it as FILE.json
for pt2.
"""
from __future__ import annotations

import copy
import importlib.util
import io
import json
import os
import re
import warnings
from pathlib import Path

import torch
from torch import nn

from ..config.extras import missing_extra
from ..config.io import atomic_write_bytes
from ..config.schema import ConfigError
from .model_io import open_model

FORMATS = ("pt2", "onnx", "torchscript")


class _CondWrapper(nn.Module):
    """G(z, y) with the inputs named as the exported file names them."""

    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, z, y):
        return self.g(z, y)


class _ImageWrapper(nn.Module):
    """A CycleGAN generator with its input named `image`."""

    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, image):
        return self.g(image)


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _missing(fmt: str) -> str | None:
    """The package a format needs and this environment lacks."""
    need = {"onnx": ("onnx", "onnxscript")}.get(fmt, ())
    for pkg in need:
        if importlib.util.find_spec(pkg) is None:
            return pkg
    return None


def export(ckpt: str, fmt: str, out: str) -> tuple[Path, str]:
    """Write the generator in `fmt` (pt2, onnx or torchscript) on the CPU; returns (path, usage line).
    Process-wide torch state is left alone (the global random generator is restored)."""
    with torch.random.fork_rng(devices=[]):
        return _export(ckpt, fmt, out)


def _export(ckpt: str, fmt: str, out: str) -> tuple[Path, str]:
    if fmt not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    pkg = _missing(fmt)
    if pkg:
        raise ConfigError(missing_extra("export", f"--format {fmt} needs the {pkg} package")
                          + "; --format pt2 and --format torchscript work without it")
    model = open_model(ckpt, device="cpu")
    v = model.game
    if model.data.family != "image":
        raise ConfigError(f"{ckpt}: export writes image generators (this checkpoint has {model.data.family} data)")
    if not v.makes_samples:
        raise ConfigError(f"{ckpt}: the {model.cfg.variant.name!r} variant has no generator to export")
    c, side = model.data.shape[0], model.data.shape[1]
    out_shape = f"(N, {c}, {side}, {side}) in [-1, 1]"
    if v.translates:
        g = _ImageWrapper(copy.deepcopy(v.G["ab"]).cpu().float().eval())
        example = (torch.rand(2, c, side, side, generator=torch.Generator().manual_seed(0)) * 2 - 1,)
        names, call = ["image"], f"(image) with image (N, {c}, {side}, {side}) float32 in [-1, 1] -> domain B {out_shape}"
    else:
        g = copy.deepcopy(v.G).cpu().float().eval()
        L = model.cfg.model.latent_dim
        gen = torch.Generator().manual_seed(0)
        if v.conditional:
            g = _CondWrapper(g)
            example = (torch.randn(2, L, generator=gen), torch.arange(2, dtype=torch.long) % v.n_classes)
            names = ["z", "y"]
            call = f"(z, y) with z (N, {L}) float32 and y (N,) int64 in 0..{v.n_classes - 1} -> {out_shape}"
        else:
            example = (torch.randn(2, L, generator=gen),)
            names = ["z"]
            call = f"(z) with z (N, {L}) float32 -> {out_shape}"
    g = g.to(memory_format=torch.contiguous_format)
    g.requires_grad_(False)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"variant": model.cfg.variant.name, "latent_dim": model.cfg.model.latent_dim, "channels": c,
            "side": side, "n_classes": int(v.n_classes), "class_names": list(v.class_names) if v.conditional else [],
            "inputs": names, "output": "images",
            "range": [-1, 1], "step": model.step, "source": Path(ckpt).name}
    try:
        if fmt == "torchscript":
            _torchscript(g, example, path, meta)
            return path, f"torch.jit.load(FILE){call}"
        if fmt == "pt2":
            _pt2(g, example, names, path, meta)
            return path, f"torch.export.load(FILE).module(){call}"
        _onnx(g, example, names, path, meta)
    except ConfigError:
        raise
    except Exception as e:  # noqa: BLE001 - any exporter failure is reported as one line
        first = re.sub(r"\x1b\[[0-9;]*m", "", str(e)).strip().splitlines()
        raise ConfigError(f"{path}: {fmt} export failed ({type(e).__name__}: "
                          f"{first[0][:200] if first else 'no message'})") from None
    feeds = ", ".join(f"{n!r}: {n}" for n in names)
    return path, f"onnxruntime.InferenceSession(FILE).run(None, {{{feeds}}}){call.split(')', 1)[1]}"


def _torchscript(g, example, path: Path, meta: dict) -> None:
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)   # TorchScript is deprecated, still loadable
        warnings.simplefilter("ignore", DeprecationWarning)
        traced = torch.jit.trace(g, example, check_trace=False)
        buf = io.BytesIO()
        torch.jit.save(traced, buf, _extra_files={"gan_studio.json": json.dumps(meta)})
    atomic_write_bytes(path, buf.getvalue())


def _exported(g, example, names):
    batch = torch.export.Dim("batch", min=1, max=4096)
    shapes = {n: {0: batch} for n in names}
    with torch.no_grad():
        return torch.export.export(g, example, dynamic_shapes=shapes, strict=False)


def _pt2(g, example, names, path: Path, meta: dict) -> None:
    ep = _exported(g, example, names)
    buf = io.BytesIO()
    torch.export.save(ep, buf, extra_files={"gan_studio.json": json.dumps(meta)})
    atomic_write_bytes(path, buf.getvalue())
    atomic_write_bytes(path.with_name(path.name + ".json"), (json.dumps(meta, indent=1) + "\n").encode())


def _onnx(g, example, names, path: Path, meta: dict) -> None:
    import onnx   # optional dependency, checked above

    batch = torch.export.Dim("batch", min=1, max=4096)
    shapes = {n: {0: batch} for n in names}
    tmp = _tmp(path)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prog = torch.onnx.export(g, example, dynamo=True, input_names=names, output_names=["images"],
                                     dynamic_shapes=shapes, verbose=False, report=False)
        proto = prog.model_proto
        entry = proto.metadata_props.add()
        entry.key, entry.value = "gan_studio", json.dumps(meta)
        onnx.checker.check_model(proto)
        onnx.save(proto, str(tmp))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
