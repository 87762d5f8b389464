"""Trainer overhead: steps/s of the studio's Trainer against a bare hand-written loop of the same
model, batch and optimisers, in the same process, as a ratio (target: at least 0.95).

    python bench/overhead.py [CASE ...] [--steps N] [--rounds R]

Rounds alternate bare and trainer runs so that drift in machine load hits both alike; the figure is
the median ratio over rounds. The trainer runs as the CLI runs it: writing metrics.jsonl, no view
snapshots, with the per-step diagnostics; in-run quality evaluation is off (eval.every = 0), since
its cost is a separate budget (see `gan-studio eval` and the README).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.data import make_data                     # noqa: E402
from studio.engine.trainer import Trainer, set_cpu_threads   # noqa: E402
from studio.config.io import apply_override     # noqa: E402
from studio.config.presets import load_preset


def config(preset: str, overrides: list[str], steps: int):
    cfg = load_preset(preset)
    for o in overrides + [f"train.steps={steps}", "checkpoint.every=0", "checkpoint.at_end=false",
                          "log.grid_every=0", "log.tensorboard=false", "eval.every=0"]:
        apply_override(cfg, o)
    return cfg


def _bare_loop(cfg, data, G, D, steps: int) -> float:
    """Steps/s of a hand-written loop: one D step on real and fake batches, one non-saturating G
    step, Adam for both, the losses read back like any loop that logs them."""
    m, b = cfg.model, cfg.train.batch_size
    og = torch.optim.Adam(G.parameters(), lr=cfg.optim_g.lr, betas=(cfg.optim_g.beta1, cfg.optim_g.beta2))
    od = torch.optim.Adam(D.parameters(), lr=cfg.optim_d.lr, betas=(cfg.optim_d.beta1, cfg.optim_d.beta2))
    gen = torch.Generator().manual_seed(0)
    dev = torch.device("cpu")
    t0 = time.perf_counter()
    for _ in range(steps):
        real = data.sample(b, gen, dev).x
        with torch.no_grad():
            fake = G(torch.randn(b, m.latent_dim, generator=gen))
        loss_d = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
        od.zero_grad(set_to_none=True)
        loss_d.backward()
        od.step()
        D.requires_grad_(False)
        loss_g = F.softplus(-D(G(torch.randn(b, m.latent_dim, generator=gen)))).mean()
        og.zero_grad(set_to_none=True)
        loss_g.backward()
        og.step()
        D.requires_grad_(True)
        loss_d.item(), loss_g.item()        # a hand-written loop looks at its losses too
    return steps / (time.perf_counter() - t0)


def bare_mlp_gan(cfg, steps: int) -> float:
    """What a person writes by hand: Algorithm 1 with k = 1 and the non-saturating loss."""
    from studio.nets.toy import MLPDiscriminator, MLPGenerator
    torch.manual_seed(cfg.train.seed)
    m = cfg.model
    data = make_data(cfg.data)
    G, D = MLPGenerator(m.latent_dim, 2, m.hidden, m.depth), MLPDiscriminator(2, m.hidden, m.depth)
    return _bare_loop(cfg, data, G, D, steps)


def trainer_rate(cfg, steps: int) -> float:
    with tempfile.TemporaryDirectory() as d:
        t = Trainer(cfg, Path(d) / "run", snapshots=False)
        it = t.run()
        next(it)                            # Started: set-up done, timing starts here
        t0 = time.perf_counter()
        for _ in it:
            pass
        return steps / (time.perf_counter() - t0)


def bare_dcgan(cfg, steps: int) -> float:
    """The same DCGAN by hand: one D step on real and fake batches, one non-saturating G step."""
    from studio.nets.dcgan import DCDiscriminator, DCGenerator
    from studio.nets.build import memory_format
    torch.manual_seed(cfg.train.seed)
    m = cfg.model
    data = make_data(cfg.data)
    c, side = data.shape[0], data.shape[1]
    fmt = memory_format(cfg, torch.device("cpu"))
    G = DCGenerator(m.latent_dim, c, side, m.base_channels).to(memory_format=fmt)
    D = DCDiscriminator(c, side, m.base_channels).to(memory_format=fmt)
    return _bare_loop(cfg, data, G, D, steps)


DCGAN32 = ["data.image_size=32", "data.limit=10000", "model.base_channels=32", "model.latent_dim=100",
           "train.batch_size=64", "train.device='cpu'", "eval.every=0"]

# name -> (preset, overrides, bare loop)
CASES = {
    "mlp2d": ("ring-2d-gan", ["train.batch_size=256", "model.hidden=128", "model.depth=3"], bare_mlp_gan),
    "mlp2d-nodiag": ("ring-2d-gan", ["train.batch_size=256", "model.hidden=128", "model.depth=3",
                                     "eval.diagnostics=false"], bare_mlp_gan),
    # 32x32 DCGAN, 32 base channels, batch 64, with and without channels_last (run by name)
    "dcgan32": ("fashion-dcgan", DCGAN32 + ["train.channels_last=true"], bare_dcgan),
    "dcgan32-nocl": ("fashion-dcgan", DCGAN32 + ["train.channels_last=false"], bare_dcgan),
}
DEFAULT_CASES = ["mlp2d", "dcgan32"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", default=DEFAULT_CASES, help=", ".join(CASES))
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    for name in args.cases:
        preset, overrides, bare = CASES[name]
        cfg = config(preset, overrides, args.steps)
        # the bare loop runs with the thread count the trainer picks for this problem
        set_cpu_threads(cfg.train.threads, make_data(cfg.data).family)
        bare(cfg, min(50, args.steps))      # warm-up (allocator, kernels)
        ratios, rb, rt = [], [], []
        for _ in range(args.rounds):
            b = bare(cfg, args.steps)
            t = trainer_rate(cfg, args.steps)
            rb.append(b)
            rt.append(t)
            ratios.append(t / b)
        print(f"{name}: bare {statistics.median(rb):.1f} steps/s, trainer {statistics.median(rt):.1f} steps/s, "
              f"ratio {statistics.median(ratios):.3f} (median of {args.rounds} rounds, "
              f"min {min(ratios):.3f}, max {max(ratios):.3f}, torch threads {torch.get_num_threads()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
