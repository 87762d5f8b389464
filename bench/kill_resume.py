"""A run killed again and again: `gan-studio train` with a checkpoint at every step, SIGKILLed at random
moments and resumed from its newest checkpoint each time, against the same run left alone.

Checks what the issue's adversarial user checked: the final weights are bit-identical, no temporary
file is left, and metrics.jsonl holds every step exactly once (read as the studio reads it).

    .venv/bin/python bench/kill_resume.py [--preset ring-2d-gan] [--steps 150] [--kills 12] [--seed 0]
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="ring-2d-gan")
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--kills", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import torch

    from studio.engine import checkpoints
    from studio.engine.runlog import read_metrics

    rnd = random.Random(args.seed)
    env = dict(os.environ, PYTHONPATH=str(ROOT), GAN_STUDIO_THREADS="1")
    work = Path(tempfile.mkdtemp(prefix="gan-studio-kill-"))
    common = ["--set", "checkpoint.every=1", "--set", "checkpoint.keep_last=3", "--set", "eval.every=0",
              "--quiet"]

    def train(*extra) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "studio.cli", "train", *extra, *common], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    alone = work / "alone"
    p = train("--preset", args.preset, "--steps", str(args.steps), "--out", str(alone))
    assert p.wait() == 0, p.stderr.read()
    run = work / "killed"
    kills, resumes = 0, 0
    p = train("--preset", args.preset, "--steps", str(args.steps), "--out", str(run))
    def lines() -> int:
        try:
            return (run / "metrics.jsonl").read_bytes().count(b"\n")
        except OSError:
            return 0

    while True:
        seen = lines()
        while lines() <= seen and p.poll() is None:        # wait for it to train (start-up takes seconds)
            time.sleep(0.02)
        deadline = time.time() + rnd.uniform(0.0, 1.0)      # then a random moment of training
        while time.time() < deadline and p.poll() is None:
            time.sleep(0.005)
        if p.poll() is not None:
            assert p.returncode == 0, p.stderr.read()
            break
        if kills < args.kills:
            p.send_signal(signal.SIGKILL)
            p.wait()
            kills += 1
        else:
            assert p.wait() == 0, p.stderr.read()
            break
        newest = checkpoints.last_good(run)
        if newest is None:        # killed before its first checkpoint: start again
            p = train("--preset", args.preset, "--steps", str(args.steps), "--out", str(run))
            continue
        resumes += 1
        p = train("--resume", str(newest), "--steps", str(args.steps))
    end_a = checkpoints.load(alone / "checkpoints" / f"end_{args.steps:08d}.pt")
    end_b = checkpoints.load(run / "checkpoints" / f"end_{args.steps:08d}.pt")
    same = all(torch.equal(end_a["modules"][k][n], end_b["modules"][k][n])
               for k in end_a["modules"] for n in end_a["modules"][k])
    steps = [r["step"] for r in read_metrics(run / "metrics.jsonl") if r.get("kind") == "iter"]
    litter = [q for d in (run, run / "checkpoints", run / "samples") for q in d.glob(".*.tmp")]
    print(f"{args.preset}, {args.steps} steps, checkpoint every step: {kills} SIGKILLs, {resumes} resumes")
    print(f"  final weights bit-identical to the run left alone: {same}")
    print(f"  metrics.jsonl: {len(steps)} step lines, steps 1..{args.steps} each once: "
          f"{steps == list(range(1, args.steps + 1))}" + ("" if steps == list(range(1, args.steps + 1)) else
                                                          f" (missing {sorted(set(range(1, args.steps + 1)) - set(steps))[:10]})"))
    print(f"  temporary files left: {len(litter)}; run.lock left: {(run / 'run.lock').exists()}")
    return 0 if same and steps == list(range(1, args.steps + 1)) and not litter else 1


if __name__ == "__main__":
    sys.exit(main())
