"""How long a sweep takes next to one trial: one `gan-studio train` of ring-2d-gan alone, then
`gan-studio sweep` of 4 trials (two generator learning rates x two D steps per G step) with 2 workers.
The issue's target: the sweep takes no longer than about twice the one trial on a 2-core machine.

    .venv/bin/python bench/sweep.py [--steps 1500] [--out DIR]

Prints both wall-clock times (process start included, as a user meets it), their ratio and the
sweep's ranked table. Other work on the machine inflates both figures.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRESET = "ring-2d-gan"
AXES = ["--param", "optim_g.lr=2e-4,1e-3", "--param", "variant.k=1,2"]


def cli(*args: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "studio.cli", *args], capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"failed: gan-studio {' '.join(args)}\n{done.stderr}")
    return secs, done.stdout + done.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--out", default=None, help="folder for the runs (default: a temporary one)")
    a = ap.parse_args()
    out = Path(a.out or tempfile.mkdtemp(prefix="bench-sweep-"))
    steps = str(a.steps)
    every = str(max(1, a.steps // 4))
    one, _ = cli("train", "--preset", PRESET, "--steps", steps, "--set", "optim_g.lr=2e-4", "--set", "variant.k=2",
                 "--set", f"eval.every={every}", "--out", str(out / "one-trial"), "--quiet")
    print(f"one trial ({PRESET}, {steps} steps, k=2): {one:.1f} s")
    many, text = cli("sweep", "--preset", PRESET, *AXES, "--steps", steps, "--workers", "2",
                     "--out", str(out / "sweep"))
    print(f"sweep of 4 trials, 2 workers: {many:.1f} s = {many / one:.2f} x one trial "
          f"(target: about 2 x or less; {os.cpu_count()} CPU cores)")
    print(text)
    print(f"runs in {out}")


if __name__ == "__main__":
    main()
