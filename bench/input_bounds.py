"""Memory and time bounded by the input (issue 26), measured the way a person meets them: the CLI under
/usr/bin/time -v.

  python bench/input_bounds.py [--points 10000 100000 1000000] [--out /tmp/bounds]

For each size, a points2d .npy of that many points and `gan-studio train` of 20 steps evaluated at
steps 10 and 20: peak RSS and wall time. Before the evaluation worked in blocks, 10^5 points peaked at
5.4 GB and 10^6 was killed by the kernel at 22.9 GB; since, the peak does not grow with the points
(0.87-0.88 GB on the 2-core test machine, 10^5 and 10^6, most of it torch itself).
Then a metrics.jsonl of 10^6 lines read whole and in 1 MB pieces (MetricsFollower.poll(max_bytes)),
and list_checkpoints of 2,000 checkpoints with sidecars.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def peak(points: int, out: Path) -> tuple[float, float, str]:
    npy = out / f"pts{points}.npy"
    np.save(npy, np.random.default_rng(0).normal(size=(points, 2)).astype(np.float32))
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "studio.cli", "train", "--preset", "ring-2d-gan",
           "--steps", "20", "--set", "data.kind=points2d", "--set", f"data.file={npy}", "--set", "eval.every=10",
           "--out", str(out / f"run{points}"), "--quiet"]
    env = dict(os.environ, GAN_STUDIO_RUNS=str(out / "runs"), PYTHONPATH=str(ROOT))
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    rss = float(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1e6
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", r.stderr).group(1)
    m, s = wall.split(":")[-2:]
    note = next((line for line in r.stderr.splitlines() if "mode coverage" in line), "")
    return rss, int(m) * 60 + float(s), note


def readers(out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from studio.engine import checkpoints
    from studio.engine.runlog import MetricsFollower, read_metrics
    p = out / "metrics.jsonl"
    with open(p, "w") as fh:
        for i in range(1, 10**6 + 1):
            fh.write(json.dumps({"step": i, "kind": "iter", "t": i * 0.01, "loss_d": 1.2345, "loss_g": 0.789}) + "\n")
    t = time.perf_counter()
    n = len(read_metrics(p))
    print(f"read_metrics, 10^6 lines ({p.stat().st_size / 1e6:.0f} MB): {time.perf_counter() - t:.1f} s, {n:,} records")
    f, t, worst, n = MetricsFollower(p), time.perf_counter(), 0.0, 0
    while True:
        t1 = time.perf_counter()
        n += len(f.poll(max_bytes=1 << 20))
        worst = max(worst, time.perf_counter() - t1)
        if not f.more:
            break
    print(f"MetricsFollower.poll(1 MB) until done: {time.perf_counter() - t:.1f} s, longest piece "
          f"{worst * 1000:.0f} ms, {n:,} records")
    ck = out / "many" / "checkpoints"
    ck.mkdir(parents=True, exist_ok=True)
    for i in range(2000):
        (ck / f"step_{i:08d}.pt").write_bytes(b"")
        (ck / f"step_{i:08d}.json").write_text(json.dumps({"step": i, "time": time.time(), "reason": "periodic",
                                                           "metrics": {"loss_d": 1.0}}))
    t = time.perf_counter()
    n = len(checkpoints.list_checkpoints(out / "many"))
    print(f"list_checkpoints, 2,000 with sidecars: {time.perf_counter() - t:.2f} s ({n:,} listed)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--out", default="/tmp/gan-studio-bounds")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for n in args.points:
        rss, wall, note = peak(n, out)
        print(f"{n:>9,} points: peak RSS {rss:.2f} GB, {wall:.1f} s  {note[:110]}")
    readers(out)


if __name__ == "__main__":
    main()
