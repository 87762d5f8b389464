"""Peak memory and time to the first training step on a large image folder, cold and warm cache,
with quality evaluation on (issue 19: "RAM stays near the batch size, not the data set").

Each measurement is a fresh process under `/usr/bin/time -v` that builds a trainer for a folder
preset on --root, trains --steps steps with eval.every = --steps (so one evaluation, with the
feature classifier trained or read from its cache, runs inside the measured process) and reports:
seconds from launch to the first training step, the process's peak RSS when the first step is
done, and the whole process's peak RSS (time -v's "Maximum resident set size", evaluation
included). "cold" starts from an empty cache folder (decode every file, train the classifier);
"warm" reruns on the cache the cold run left.

    .venv/bin/python bench/folder_memory.py --root /tmp/f50k [--make 50000] [--studio-path DIR]

--make N writes N 64x64 colour PNGs (procedural shapes, ten class folders) into --root first when
it does not exist. --studio-path runs another copy of the package (e.g. a copy of the code before a
change) for a before/after comparison.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def make_folder(root: Path, n: int, side: int = 64, seed: int = 0) -> None:
    """n PNGs in ten class folders: a filled ellipse or rectangle of a class's hue on a random
    background, some with an alpha channel (transparent corners)."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    for c in range(10):
        (root / f"class{c}").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        c = i % 10
        hue = np.array([(c * 25) % 256, (c * 70 + 40) % 256, (c * 130 + 90) % 256])
        bg = tuple(int(v) for v in rng.integers(0, 256, 3))
        im = Image.new("RGBA" if i % 3 == 0 else "RGB", (side, side), bg + ((0,) if i % 3 == 0 else ()))
        d = ImageDraw.Draw(im)
        x0, y0 = (int(v) for v in rng.integers(4, side // 2, 2))
        x1, y1 = x0 + int(rng.integers(12, side // 2)), y0 + int(rng.integers(12, side // 2))
        fill = tuple(int(v) for v in np.clip(hue + rng.integers(-30, 30, 3), 0, 255))
        (d.ellipse if c % 2 else d.rectangle)((x0, y0, x1, y1), fill=fill + ((255,) if i % 3 == 0 else ()))
        im.save(root / f"class{c}" / f"{i:06d}.png")


def status_kb(*keys: str) -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            k, _, v = line.partition(":")
            if k in keys:
                out[k] = int(v.split()[0])
    return out


def child(args) -> int:
    """One measured process: build, train, report the first step's time and RSS."""
    import threading
    launched = float(os.environ["FOLDER_MEMORY_T0"])
    peak_anon = [0]

    def sample():        # the process's own memory (RssAnon: not the cache's file pages) every 50 ms
        while True:
            peak_anon[0] = max(peak_anon[0], status_kb("RssAnon")["RssAnon"])
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    if args.classifier_steps:
        from studio.quality import features
        features.training_steps = lambda n: args.classifier_steps
    from studio.config.io import set_value
    from studio.config.presets import load_preset
    from studio.engine.events import Evaluation, Failed, StepMetrics
    from studio.engine.trainer import Trainer

    cfg = load_preset(args.preset)
    for key, value in (("data.root", str(args.root)), ("train.steps", args.steps), ("eval.every", args.steps),
                       ("checkpoint.every", 0), ("checkpoint.at_end", False), ("log.grid_every", 0),
                       ("train.augment", "none")):
        set_value(cfg, key, value)
    trainer = Trainer(cfg, tempfile.mkdtemp(prefix="folder-memory-"), name="folder-memory", snapshots=False)
    first = None
    for ev in trainer.run():
        if isinstance(ev, StepMetrics) and first is None:
            first = time.time() - launched
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"FIRST_STEP {first:.1f} s, peak RSS so far {rss:.0f} MB, peak RssAnon so far "
                  f"{peak_anon[0] / 1024:.0f} MB", flush=True)
        elif isinstance(ev, Evaluation):
            print("EVAL " + " ".join(f"{k}={v:.4g}" for k, v in ev.values.items()), flush=True)
        elif isinstance(ev, Failed):
            print(f"FAILED {ev.message}", flush=True)
            return 1
    m = status_kb("VmHWM", "RssAnon", "RssFile")
    print(f"PEAKS VmHWM {m['VmHWM'] / 1024:.0f} MB, peak RssAnon {peak_anon[0] / 1024:.0f} MB, RssFile at the end "
          f"{m['RssFile'] / 1024:.0f} MB", flush=True)
    return 0


def measure(args, cache: Path, label: str) -> dict:
    env = dict(os.environ, GAN_STUDIO_CACHE=str(cache), FOLDER_MEMORY_T0=repr(time.time()),
               PYTHONPATH=str(args.studio_path or HERE))
    cmd = ["/usr/bin/time", "-v", sys.executable, __file__, "--child", "--root", str(args.root),
           "--preset", args.preset, "--steps", str(args.steps), "--classifier-steps", str(args.classifier_steps)]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=str(args.studio_path or HERE))
    out = p.stdout + p.stderr
    first = re.search(r"FIRST_STEP ([\d.]+) s, peak RSS so far (\d+) MB", out)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", out)
    evals = re.search(r"EVAL (.*)", out)
    peaks = re.search(r"PEAKS (.*)", out)
    anon_first = re.search(r"peak RssAnon so far (\d+) MB", out)
    row = {"label": label, "rc": p.returncode, "first_s": float(first.group(1)) if first else float("nan"),
           "rss_first_mb": int(first.group(2)) if first else 0, "peak_mb": int(peak.group(1)) / 1024 if peak else 0,
           "wall": wall.group(1) if wall else "?", "eval": evals.group(1)[:120] if evals else "none",
           "peaks": peaks.group(1) if peaks else "?", "anon_first": int(anon_first.group(1)) if anon_first else 0}
    if p.returncode != 0 or not first:
        print(out[-3000:], file=sys.stderr)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path("/tmp/f50k"))
    ap.add_argument("--make", type=int, default=50_000)
    ap.add_argument("--preset", default="folder-dcgan-64")
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--studio-path", type=Path, default=None, help="a folder holding another copy of studio/")
    ap.add_argument("--only", choices=["cold", "warm", "both"], default="both")
    ap.add_argument("--cache", type=Path, default=None, help="the cache folder to use (kept; default: a fresh one, "
                    "removed at the end)")
    ap.add_argument("--classifier-steps", type=int, default=0, help="train the feature classifier this many "
                    "steps instead of the studio's (1,000 at 50,000 images): its memory is the same, its time less")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    if not args.root.exists():
        print(f"writing {args.make:,} PNGs into {args.root} ...", flush=True)
        make_folder(args.root, args.make)
    cache = args.cache or Path(tempfile.mkdtemp(prefix="folder-memory-cache-"))
    rows = []
    try:
        for label in ("cold", "warm"):
            if args.only in (label, "both"):
                rows.append(measure(args, cache, label))
                r = rows[-1]
                print(f"{r['label']:5}  first step {r['first_s']:6.1f} s  RSS at the first step {r['rss_first_mb']:6.0f} MB"
                      f"  peak RSS (eval included) {r['peak_mb']:7.0f} MB  wall {r['wall']}  rc {r['rc']}", flush=True)
                print(f"       RssAnon at the first step {r['anon_first']} MB; {r['peaks']}", flush=True)
                print(f"       eval: {r['eval']}", flush=True)
    finally:
        if args.cache is None:
            shutil.rmtree(cache, ignore_errors=True)
    return 0 if all(r["rc"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
