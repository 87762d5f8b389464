"""Probes and checks of the lessons on conditional generation and unpaired translation (lessons 11
and 12): how often a class-conditional generator's samples of class c are classified as c by a
classifier trained on the real images, and how well CycleGAN's two generators bring an image back
(|F(G(a)) − a|, |G(F(b)) − b|) on images held fixed.

`probe(game, gen)` is called by the RunWatcher between two steps, like the probes in probes.py: it
uses its own generator (never training's random numbers) and no gradients. The classifier is the one
lessons 10 and 13 use (checks_images.classifier: scikit-learn's five nearest neighbours in pixels,
fitted once per data set).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from ..games.base import Variant, eval_mode
from .checks_images import classifier      # one classifier of the real images for every lesson

if TYPE_CHECKING:
    from .record import RunRecord

NAN = float("nan")
PER_CLASS = 50              # generated samples per class in one probe


def _pixels(x: torch.Tensor) -> np.ndarray:
    return x.detach().float().cpu().reshape(x.shape[0], -1).numpy()


@torch.no_grad()
def class_accuracy(game: Variant, gen: torch.Generator, per_class: int = PER_CLASS) -> dict[str, float]:
    """`class_acc`: the fraction of generated samples of class c classified as c, averaged over the
    classes; `class_acc_c` for each class c. {} for games that take no class."""
    if not game.conditional or not game.makes_samples:
        return {}
    clf = classifier(game)
    if clf is None:
        return {}
    k = game.n_classes
    y = torch.arange(k).repeat_interleave(per_class)
    z = torch.randn(len(y), game.cfg.model.latent_dim, generator=gen).to(game.device)
    with eval_mode(*game.modules().values()):
        x = game.generate(z, y.to(game.device))
    pred = clf.predict(_pixels(x))
    hit = (pred == y.numpy()).reshape(k, per_class).mean(1)
    return {"class_acc": float(hit.mean()), **{f"class_acc_{c}": float(hit[c]) for c in range(k)}}


@torch.no_grad()
def cycle_error(game: Variant) -> dict[str, float]:
    """`cycle_error`: the mean absolute difference (pixels in [−1, 1]) between the game's fixed
    images and their round trips, A → B → A and B → A → B, averaged; {} for other games."""
    if not getattr(game, "translates", False) or not hasattr(game, "translation_rows"):
        return {}
    rows = game.translation_rows()
    aba = (rows["aba"] - rows["a"]).abs().mean()
    bab = (rows["bab"] - rows["b"]).abs().mean()
    return {"cycle_error": float((aba + bab) / 2), "cycle_error_a": float(aba), "cycle_error_b": float(bab)}


def probe(game: Variant, gen: torch.Generator) -> dict[str, float]:
    return {**class_accuracy(game, gen), **cycle_error(game)}


# ------------------------------------------------------------------------------------- the checks
def _pick(x: np.ndarray, at: str) -> float:
    if not len(x):
        return NAN
    return float({"start": x[0], "end": x[-1], "max": np.max(x), "min": np.min(x)}[at])


def class_acc(rec: RunRecord, at: str = "end", which: str = "mean") -> float:
    """The fraction of samples of class c classified as c: over the classes, their mean or the
    worst class's ('min')."""
    if which == "mean":
        return _pick(rec.values("class_acc"), at)
    per = [rec.values(name) for name in sorted(rec.series) if name.startswith("class_acc_")]
    per = [p for p in per if len(p)]
    if not per:
        return NAN
    return float(min(_pick(p, at) for p in per))


def cycle_err(rec: RunRecord, at: str = "end") -> float:
    return _pick(rec.values("cycle_error"), at)


def cycle_err_ratio(rec: RunRecord) -> float:
    """The round trip's error at the end over its error at the start: below 1 when it fell."""
    e = rec.values("cycle_error")
    return float(e[-1] / e[0]) if len(e) and e[0] > 0 else NAN


CHECKS = {"class_acc": class_acc, "cycle_err": cycle_err, "cycle_err_ratio": cycle_err_ratio}
# the parameters, for format.CHECKS (the loader checks lesson files against them)
PARAMS = {"class_acc": {"at": ("start", "end", "max"), "which": ("mean", "min")},
          "cycle_err": {"at": ("start", "end", "min")},
          "cycle_err_ratio": {}}
assert set(CHECKS) == set(PARAMS)
