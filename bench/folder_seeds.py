"""The folder presets on seeds 0-4, short runs (issue 19): FID before and after, and whether the samples
collapsed, as one table.

Each (preset, seed) trains a fresh Trainer on the same colour folder (by default the Adwaita icons of
bench/image_quality.py, training split, shown over white; or --root) for --steps[preset] iterations
on one thread, and is evaluated by the studio's own evaluator (FID, KID, diversity in the feature
space of the classifier trained on the folder's classes, 500 generated against 500 real images)
at step 0 and at the end. "collapsed" is the diagnostics' rule on the end figures: diversity under
0.35 of the real data's (quality.diagnostics ModeCollapse: "diversity fell to ..."); the table gives
the diversity at both ends too (an untrained DCGAN generator's samples are alike: about 0.1 at
step 0, so a short run that has not yet spread out counts as collapsed). Short runs on a CPU say whether a preset learns at all and whether a seed breaks
it, not what it reaches in a GPU's hours.

    .venv/bin/python bench/folder_seeds.py [--seeds 0,1,2,3,4] [--presets folder-dcgan,folder-dcgan-64,folder-wgan-gp]
        [--steps folder-dcgan=200,folder-dcgan-64=40,folder-wgan-gp=12] [--root DIR] [--work /tmp/gan-quality]
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

COLLAPSED = 0.35     # quality.diagnostics ModeCollapse: a diversity below this counts as collapsed
DEFAULT_STEPS = {"folder-dcgan": 200, "folder-dcgan-64": 40, "folder-wgan-gp": 12}


def run(preset: str, root: Path, seed: int, steps: int) -> dict:
    from studio.config.io import set_value
    from studio.config.presets import load_preset
    from studio.engine.trainer import Trainer

    cfg = load_preset(preset)
    for key, value in (("data.root", str(root)), ("train.steps", steps), ("train.seed", seed),
                       ("train.device", "cpu"), ("eval.every", 0), ("eval.n_samples", 500),
                       ("eval.diagnostics", False), ("checkpoint.every", 0), ("checkpoint.at_end", False),
                       ("log.grid_every", 0)):
        set_value(cfg, key, value)
    trainer = Trainer(cfg, tempfile.mkdtemp(prefix="folder-seeds-"), name=f"{preset}-{seed}", snapshots=False)
    ev = trainer.evaluator
    list(ev.prepare() or ())
    start = ev.evaluate()
    t0 = time.process_time()
    for _ in trainer.run():
        pass
    cpu = time.process_time() - t0
    end = ev.evaluate()
    return {"preset": preset, "seed": seed, "steps": trainer.step, "cpu": cpu, "fid0": start.get("fid", math.nan),
            "fid1": end.get("fid", math.nan), "div0": start.get("diversity", math.nan), "div1": end.get("diversity", math.nan),
            "kid1": end.get("kid", math.nan)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--presets", default="folder-dcgan,folder-dcgan-64,folder-wgan-gp")
    ap.add_argument("--steps", default="", help="PRESET=N,... (default " +
                    ",".join(f"{k}={v}" for k, v in DEFAULT_STEPS.items()) + ")")
    ap.add_argument("--root", type=Path, default=None, help="a folder of class subfolders (default: the icons)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/gan-quality"))
    args = ap.parse_args()
    import torch
    torch.set_num_threads(1)
    steps = dict(DEFAULT_STEPS)
    for item in filter(None, args.steps.split(",")):
        k, v = item.split("=")
        steps[k] = int(v)
    if args.root is None:
        import image_quality
        args.root = image_quality.folder(args.work, "icons") / "train"
    os.environ.setdefault("GAN_STUDIO_CACHE", str(args.work / "cache"))
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"folder {args.root}; FID etc. in the studio classifier's feature space, 500 generated vs 500 real; "
          f"collapsed = diversity < {COLLAPSED}", flush=True)
    print(f"{'preset':16} {'seed':>4} {'steps':>5} {'CPU s':>6} {'FID start':>9} {'FID end':>8} {'div start':>9} "
          f"{'div end':>7}  collapsed?",
          flush=True)
    rows = []
    for preset in args.presets.split(","):
        for seed in seeds:
            r = run(preset, args.root, seed, steps[preset])
            rows.append(r)
            print(f"{preset:16} {seed:>4} {r['steps']:>5} {r['cpu']:>6.0f} {r['fid0']:>9.1f} {r['fid1']:>8.1f} "
                  f"{r['div0']:>9.2f} {r['div1']:>7.2f}  {'yes' if r['div1'] < COLLAPSED else 'no'}", flush=True)
    print()
    for preset in args.presets.split(","):
        rs = [r for r in rows if r["preset"] == preset]
        better = sum(r["fid1"] < r["fid0"] for r in rs)
        print(f"{preset}: FID fell on {better} of {len(rs)} seeds; median end FID "
              f"{sorted(r['fid1'] for r in rs)[len(rs) // 2]:.1f}; collapsed on "
              f"{sum(r['div1'] < COLLAPSED for r in rs)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
