"""Learning, not just running: train a conditional GAN and an ACGAN on scikit-learn's 8x8 digits for a
short CPU budget, then ask a logistic-regression classifier trained on the real digits which digit
each generated sample shows. Prints how often a sample drawn for class c is classified as c
(chance: 10%).

    python bench/image_learning.py [--steps 600] [--variants cgan,acgan]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from studio.engine.trainer import Trainer
from studio.config.io import apply_override
from studio.config.presets import load_preset

PRESET = {"cgan": "fashion-cgan", "acgan": "fashion-acgan"}


def config(variant: str, steps: int, seed: int = 0):
    cfg = load_preset(PRESET[variant])
    for o in (f"train.steps={steps}", "data.kind='digits'", "data.image_size=8", "model.latent_dim=32",
              "model.base_channels=64", "train.batch_size=64", "train.device='cpu'", "eval.every=0",
              f"train.seed={seed}", "checkpoint.every=0"):
        apply_override(cfg, o)
    return cfg


def real_classifier() -> LogisticRegression:
    d = load_digits()
    return LogisticRegression(max_iter=2000).fit(d.data, d.target)


@torch.no_grad()
def class_accuracy(trainer, clf, per_class: int = 100) -> tuple[float, np.ndarray]:
    v = trainer.variant
    y = torch.arange(10).repeat_interleave(per_class)
    z = torch.randn(len(y), trainer.cfg.model.latent_dim, generator=torch.Generator().manual_seed(123))
    v.G.eval()
    x = v.generate(z, y).float().cpu()
    v.G.train()
    pixels = ((x[:, 0] + 1) * 8).clamp(0, 16).flatten(1).numpy()     # back to the 0..16 scale of load_digits
    pred = clf.predict(pixels)
    per = np.array([(pred[y.numpy() == c] == c).mean() for c in range(10)])
    return float((pred == y.numpy()).mean()), per


def measure(variant: str, steps: int, seed: int = 0, clf=None) -> dict:
    clf = clf or real_classifier()
    t0 = time.perf_counter()
    t = Trainer(config(variant, steps, seed), write=False, snapshots=False)
    for ev in t.run():
        pass
    wall = time.perf_counter() - t0
    acc, per = class_accuracy(t, clf)
    return {"variant": variant, "steps": steps, "wall_s": wall, "accuracy": acc, "per_class": per}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--variants", default="cgan,acgan")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    clf = real_classifier()
    for v in a.variants.split(","):
        r = measure(v, a.steps, a.seed, clf)
        per = " ".join(f"{p:.2f}" for p in r["per_class"])
        print(f"{v}: {r['steps']} steps in {r['wall_s']:.1f}s, samples of class c classified as c: "
              f"{100 * r['accuracy']:.1f}% (chance 10%); per class {per}")


if __name__ == "__main__":
    main()
