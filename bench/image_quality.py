"""Quality against the field's baseline (issue 19): the folder presets against a pytorch/examples-style
DCGAN (ngf = ndf = 64, nz = 100, BCE, Adam 2e-4 / 0.5, batch 64, written here from the description)
given the same CPU seconds on the same colour folders, both scored by the same FID.

Two colour folders made from data that ships with installed packages (nothing downloaded):
- photos: 64x64 crops (random places, sides 64 to 200 px) of scikit-learn's two sample photographs,
  china.jpg and flower.jpg, one class each; held-out crops come from another random stream;
- icons: the Adwaita icon theme's PNGs (Debian's adwaita-icon-theme; RGBA, shown over white), one
  class per category folder; icons split into training and held-out by name, so no icon is in both.

FID is measured in the feature space of the studio's small CNN classifier trained on the real
training images of the folder and their classes (quality.features): neither GAN trains on it or
sees it. 1,000 generated images against the held-out real images; the line "real (train)" is the
floor: the training images themselves against the held-out ones.

Each model trains in this process on one thread until it has used --seconds of CPU time (process
time, so other programs on the machine do not change the budget), then draws 1,000 samples (in
batches of 100, BatchNorm on batch statistics, as both training loops sample).

With --every, each model is also scored every so many seconds of its training (the scoring's own
time is not counted in the budget), which shows where along the way a budget stops: the first few
hundred steps of a 64x64 DCGAN are blurred squares, where the FID of two runs says little.

    python bench/image_quality.py [--seconds 120] [--folders photos,icons] [--seeds 0,1,2] [--jobs 2] [--every 150]
    python bench/image_quality.py --diffaugment 600 [--seeds 0,1]   (with and without DiffAugment)
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from studio.config.io import apply_override
from studio.config.presets import load_preset
from studio.config.schema import DataConfig
from studio.data import make_data
from studio.data.images import ImageData
from studio.engine.events import StepMetrics
from studio.engine.trainer import Trainer
from studio.inspect.grids import save_png, to_grid
from studio.quality import features, metrics

ADWAITA = Path("/usr/share/icons/Adwaita")


# ------------------------------------------------------------------------------------ the folders
def make_photos(root: Path, n_train: int = 1500, n_held: int = 600) -> None:
    from sklearn.datasets import load_sample_images
    imgs = load_sample_images()
    for split, n, seed in (("train", n_train, 0), ("held", n_held, 1)):
        rng = np.random.default_rng(seed)
        for name, im in zip(("china", "flower"), imgs.images):
            d = root / split / name
            d.mkdir(parents=True, exist_ok=True)
            h, w, _ = im.shape
            for i in range(n // 2):
                s = int(rng.integers(64, 201))
                y, x = int(rng.integers(0, h - s)), int(rng.integers(0, w - s))
                Image.fromarray(im[y:y + s, x:x + s]).save(d / f"{i:05d}.png")


def make_icons(root: Path) -> None:
    if not ADWAITA.is_dir():
        raise SystemExit(f"{ADWAITA}: not installed (Debian package adwaita-icon-theme)")
    for p in sorted(ADWAITA.glob("*/*/*.png")):
        size, cat = p.parts[-3], p.parts[-2]
        if size not in ("48x48", "64x64", "96x96", "256x256", "512x512"):
            continue
        stem = p.name.split(".")[0]
        split = "held" if (sum(map(ord, stem)) % 5 == 0) else "train"    # by icon name: none in both
        d = root / split / cat
        d.mkdir(parents=True, exist_ok=True)
        os.link(p, d / f"{size}-{p.name}") if not (d / f"{size}-{p.name}").exists() else None


MAKERS = {"photos": make_photos, "icons": make_icons}


def folder(work: Path, name: str) -> Path:
    root = work / name
    if not (root / "train").is_dir():
        MAKERS[name](root)
    return root


# ------------------------------------------------------------------------------------ the reference
class RefG(nn.Module):
    """pytorch/examples dcgan: nz -> ngf*8 x 4 x 4 -> ... -> nc x 64 x 64, BatchNorm + ReLU, Tanh."""

    def __init__(self, nz=100, ngf=64, nc=3):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z):
        return self.main(z[:, :, None, None])


class RefD(nn.Module):
    def __init__(self, ndf=64, nc=3):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, x):
        return self.main(x).view(-1)


def weights_init(m):
    name = m.__class__.__name__
    if "Conv" in name:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif "BatchNorm" in name:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class Budget:
    """CPU seconds spent training, not counting the time taken by the scoring along the way (--every):
    every `every` seconds of training, `score(G)` is called and its (seconds, steps, result) kept."""

    def __init__(self, seconds: float, every: float = 0.0, score=None):
        self.seconds, self.every, self.score = seconds, every, score
        self.t0, self.aside, self.next = time.process_time(), 0.0, every
        self.curve: list[tuple[float, int, object]] = []

    def start(self) -> None:
        """Count from now (after the networks are built)."""
        self.t0, self.aside = time.process_time(), 0.0

    def spent(self) -> float:
        return time.process_time() - self.t0 - self.aside

    def tick(self, G, steps: int) -> bool:
        """After a step: False once the budget is spent (the end is scored by the caller), else
        score G if it is time."""
        if self.spent() >= self.seconds:
            return False
        if self.every and self.score is not None and self.spent() >= self.next:
            t, a = self.spent(), time.process_time()
            self.curve.append((t, steps, self.score(G)))
            self.aside += time.process_time() - a
            self.next += self.every
        return True


def train_reference(data, seconds: float, seed: int = 0, budget: Budget | None = None):
    budget = budget or Budget(seconds)
    torch.manual_seed(seed)
    G, D = RefG(nc=data.shape[0]), RefD(nc=data.shape[0])
    G.apply(weights_init)
    D.apply(weights_init)
    crit = nn.BCELoss()
    oD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    oG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    gen = torch.Generator().manual_seed(seed)
    steps, going = 0, True
    budget.start()
    while going:
        real = data.sample(64, gen, torch.device("cpu")).x
        b = real.shape[0]
        D.zero_grad()
        err_real = crit(D(real), torch.full((b,), 1.0))
        fake = G(torch.randn(b, 100))
        err_fake = crit(D(fake.detach()), torch.full((b,), 0.0))
        (err_real + err_fake).backward()
        oD.step()
        G.zero_grad()
        crit(D(fake), torch.full((b,), 1.0)).backward()
        oG.step()
        steps += 1
        going = budget.tick(G, steps)
    return G, steps


# ------------------------------------------------------------------------------------ the presets
def train_preset(preset: str, root: Path, seconds: float, *overrides: str, seed: int = 0,
                 budget: Budget | None = None):
    cfg = load_preset(preset)
    for o in (f"data.root='{root}'", "train.device='cpu'", "train.threads=1", "eval.every=0", "checkpoint.every=0",
              "checkpoint.at_end=false", "log.grid_every=0", "log.tensorboard=false", "train.steps=1000000",
              f"train.seed={seed}", *overrides):
        apply_override(cfg, o)
    t = Trainer(cfg, write=False, snapshots=False)
    budget, steps = budget or Budget(seconds), 0
    budget.start()
    for ev in t.run():
        if isinstance(ev, StepMetrics):
            steps = ev.step
            if not budget.tick(t.variant.G, steps):
                t.stop()
    return t.variant.G, steps


@torch.no_grad()
def draw(G, n: int = 1000, seed: int = 7) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    G.train()                                   # batch statistics, as both training loops sample
    nz = next(m for m in G.modules() if isinstance(m, nn.ConvTranspose2d)).in_channels
    return torch.cat([G(torch.randn(100, nz, generator=g)) for _ in range(n // 100)]).float().clamp(-1, 1)


def diffaugment_check(work: Path, steps: int, size: int = 32, seeds=(0,)) -> None:
    """Does DiffAugment help on a small folder? folder-dcgan (the 32x32 template, base 32) on the
    icons' training split, the same number of steps with and without train.augment, FID against
    the held-out icons (classifier features at this size)."""
    root = folder(work, "icons")
    train = make_data(DataConfig(kind="image_folder", root=str(root / "train"), image_size=size), "icons")
    held = make_data(DataConfig(kind="image_folder", root=str(root / "held"), image_size=size), "icons")
    fs = features.classifier_for(ImageData(train.x, train.y, train.n_classes, f"icons-train-{size}"))
    ref = metrics.feature_stats(fs.features(held.x))
    print(f"DiffAugment on {len(train)} icons at {size}x{size}, {steps} steps of folder-dcgan; FID against "
          f"{len(held)} held-out icons (classifier accuracy {fs.accuracy:.3f})", flush=True)
    print("| train.augment | seed | FID |\n|---|---:|---:|")
    for seed in seeds:
        for aug in ("none", "color,translation,cutout"):
            G, _ = train_preset("folder-dcgan", root / "train", float("inf"), f"train.steps={steps}",
                                f"data.image_size={size}", f"train.augment='{aug}'", seed=seed)
            x = draw(G)
            save_png(to_grid(x[:64], 8), work / f"diffaugment-{aug.replace(',', '-')}-seed{seed}.png")
            f = metrics.frechet_distance(*ref, *metrics.feature_stats(fs.features(x)))
            print(f"| {aug} | {seed} | {f:.2f} |", flush=True)


MODELS = {   # key: (label, preset or None for the reference, overrides)
    "reference": ("reference DCGAN (pytorch/examples)", None, ()),
    "dcgan64": ("folder-dcgan-64 (DiffAugment)", "folder-dcgan-64", ()),
    "noaug": ("folder-dcgan-64, augment none", "folder-dcgan-64", ("train.augment='none'",)),
    "wgangp": ("folder-wgan-gp (2 critic steps, lazy penalty)", "folder-wgan-gp", ()),
}


def folder_scorer(root: Path, name: str):
    """The scorer of one folder (below) and its training images: the classifier comes from the cache
    once trained."""
    train = make_data(DataConfig(kind="image_folder", root=str(root / "train"), image_size=64), name)
    held = make_data(DataConfig(kind="image_folder", root=str(root / "held"), image_size=64), name)
    fs = features.classifier_for(ImageData(train.x, train.y, train.n_classes, f"{name}-train"))
    return scorer(fs, fs.features(held.x[:1000])), train, held, fs


def one_run(work: str, name: str, key: str, seconds: float, seed: int, every: float = 0.0):
    """One model trained on one folder for `seconds` of CPU time (its own process, one thread): its
    steps, 1,000 samples and, with `every`, its FID along the way (scoring time is not counted).
    Each job is a process so that --jobs 2 uses two cores without the two models sharing one budget
    (the budget is each process's own CPU time)."""
    torch.set_num_threads(1)
    os.environ.setdefault("GAN_STUDIO_CACHE", str(Path(work) / "cache"))
    root = folder(Path(work), name)
    label, preset, overrides = MODELS[key]
    score = folder_scorer(root, name)[0] if every else None
    budget = Budget(seconds, every, score and (lambda G: round(score(draw(G))[0], 1)))
    if preset is None:
        train = make_data(DataConfig(kind="image_folder", root=str(root / "train"), image_size=64), name)
        G, steps = train_reference(train, seconds, seed, budget)
    else:
        G, steps = train_preset(preset, root / "train", seconds, *overrides, seed=seed, budget=budget)
    return name, key, seed, steps, draw(G), budget.curve


def scorer(fs, f_held):
    """x -> (FID, recall, diversity) against the held-out images in the classifier's feature space:
    recall (Kynkaanniemi et al. 2019) is the share of held-out images inside the generated manifold, and
    diversity the generated samples' mean pairwise distance over the held-out images' (the studio's
    `diversity`; the collapse detector's line is 0.35). FID alone can rank one good-looking mode well."""
    stats, spread = metrics.feature_stats(f_held), metrics.diversity(f_held)

    def score(x):
        f = fs.features(x)
        return (metrics.frechet_distance(*stats, *metrics.feature_stats(f)),
                metrics.precision_recall(f_held, f)[1], metrics.diversity(f) / spread)
    return score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=120, help="CPU seconds of training for each model")
    ap.add_argument("--folders", default="photos,icons")
    ap.add_argument("--work", default="/tmp/gan-quality", help="where the folders, samples and cache go")
    ap.add_argument("--models", default="reference,dcgan64,noaug,wgangp", help="which of the four to train")
    ap.add_argument("--diffaugment", type=int, metavar="STEPS", default=0,
                    help="instead: folder-dcgan with and without DiffAugment on the icons, STEPS steps each")
    ap.add_argument("--seeds", default="0", help="training seeds, each model on each folder (0,1,2)")
    ap.add_argument("--jobs", type=int, default=1, help="models trained at once, each a process on one core")
    ap.add_argument("--every", type=float, default=0, metavar="SECONDS",
                    help="also score each model every SECONDS of its training (not counted in its budget)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    work = Path(args.work)
    os.environ.setdefault("GAN_STUDIO_CACHE", str(work / "cache"))
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.diffaugment:
        diffaugment_check(work, args.diffaugment, seeds=seeds)
        return
    fids, floor = {}, {}
    for name in args.folders.split(","):
        fids[name], train, held, fs = folder_scorer(folder(work, name), name)
        print(f"{name}: {len(train)} training images, {len(held)} held out, {train.n_classes} classes; "
              f"classifier accuracy {fs.accuracy:.3f}", flush=True)
        floor[name] = fids[name](train.x[torch.randperm(len(train), generator=torch.Generator().manual_seed(0))[:1000]])
    jobs = [(str(work), name, key, args.seconds, seed, args.every) for name in args.folders.split(",")
            for seed in seeds for key in args.models.split(",")]
    results: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, args.jobs), mp_context=ctx) as pool:
        for fut in as_completed([pool.submit(one_run, *j) for j in jobs]):
            name, key, seed, steps, x, curve = fut.result()
            f, recall, div = fids[name](x)
            results.setdefault((name, key), []).append((seed, steps, f, recall, div))
            save_png(to_grid(x[:64], 8), work / f"samples-{name}-{key}-seed{seed}.png")
            print(f"  {name}, {MODELS[key][0]}, seed {seed}: {steps} steps in {args.seconds:.0f} CPU s, FID {f:.2f}, "
                  f"recall {recall:.3f}, diversity {div:.2f}", flush=True)
            if curve:
                print("    FID along the way (CPU s, steps: FID): "
                      + ", ".join(f"{t:.0f} s, {n}: {fid}" for t, n, fid in curve), flush=True)
    print(f"\n| folder | model | steps in {args.seconds:.0f} CPU s | FID by seed ({', '.join(map(str, seeds))}) "
          f"| mean FID | mean recall | mean diversity |")
    print("|---|---|---:|---|---:|---:|---:|")
    mean = lambda runs, i: sum(r[i] for r in runs) / len(runs)     # noqa: E731
    for name in args.folders.split(","):
        f, recall, div = floor[name]
        print(f"| {name} | real (train) vs held-out | | | {f:.1f} | {recall:.3f} | {div:.2f} |")
        for key in args.models.split(","):
            runs = sorted(results.get((name, key), []))
            if runs:
                print(f"| {name} | {MODELS[key][0]} | {round(mean(runs, 1))} | {', '.join(f'{r[2]:.1f}' for r in runs)} "
                      f"| {mean(runs, 2):.1f} | {mean(runs, 3):.3f} | {mean(runs, 4):.2f} |")


if __name__ == "__main__":
    main()
