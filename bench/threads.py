"""Intra-op threads on a quiet and on a loaded machine: the default (train.threads = 0, the free cores)
against 1 thread and N threads (every usable core), for an image preset trained headless.

Each measurement is a fresh process (torch's thread pool and the default's look at the machine start
afresh): it builds the Trainer as `gan-studio train` does, warms up, then counts steps over --seconds.
"Loaded" runs a second process that spins on one core for the whole case. Rounds alternate the
settings, and the table shows medians, because a shared machine's speed drifts.

    .venv/bin/python bench/threads.py [--preset fashion-dcgan] [--seconds 8] [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SPIN = "import os\nwhile True:\n    pass\n"


def child(preset: str, threads: int, seconds: float, warmup: float) -> None:
    import torch

    from studio.config.io import set_value
    from studio.config.presets import load_preset
    from studio.engine.events import StepMetrics
    from studio.engine.trainer import Trainer
    cfg = load_preset(preset)
    for key, value in (("train.steps", 100_000_000), ("train.threads", threads), ("train.device", "cpu"),
                       ("eval.every", 0), ("checkpoint.every", 0), ("checkpoint.at_end", False)):
        set_value(cfg, key, value)
    t = Trainer(cfg, write=False, snapshots=False)
    gen = t.run()
    t0 = time.perf_counter()
    for ev in gen:
        if isinstance(ev, StepMetrics) and time.perf_counter() - t0 >= warmup:
            break
    s0, t0 = t.step, time.perf_counter()
    for ev in gen:
        if isinstance(ev, StepMetrics) and time.perf_counter() - t0 >= seconds:
            break
    rate = (t.step - s0) / (time.perf_counter() - t0)
    t.stop()
    gen.close()
    print(json.dumps({"threads": torch.get_num_threads(), "rate": rate}))


def measure(preset: str, threads: int, seconds: float, warmup: float) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("GAN_STUDIO_THREADS", "OMP_NUM_THREADS")}
    r = subprocess.run([sys.executable, __file__, "--child", "--preset", preset, "--threads", str(threads),
                        "--seconds", str(seconds), "--warmup", str(warmup)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise SystemExit(r.stderr[-2000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def others() -> str:
    """What else is running: the load average and the busiest processes that are not this bench."""
    mine = {os.getpid()}
    out = subprocess.run(["ps", "-eo", "pid,pcpu,args", "--sort=-pcpu"], capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[1:]:
        pid, cpu, *cmd = line.split(None, 2)
        if int(pid) in mine or float(cpu) < 5:
            continue
        rows.append(f"{cpu}% {' '.join(cmd)[:70]}")
    return f"load average {os.getloadavg()[0]:.2f}; " + ("; ".join(rows[:5]) or "nothing else above 5% CPU")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="fashion-dcgan")
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    if args.child:
        child(args.preset, args.threads, args.seconds, args.warmup)
        return 0
    from studio.engine.threads import usable_cores
    n = usable_cores()
    settings = [("default (0)", 0), ("1", 1), (f"N = {n}", n)]
    table = []
    for case in ("quiet", "loaded"):
        spinner = subprocess.Popen([sys.executable, "-c", SPIN]) if case == "loaded" else None
        try:
            time.sleep(1.0)
            print(f"{case}: {others()}", flush=True)
            rates: dict[str, list] = {name: [] for name, _ in settings}
            used: dict[str, list] = {name: [] for name, _ in settings}
            for r in range(args.rounds):
                for name, th in settings:
                    m = measure(args.preset, th, args.seconds, args.warmup)
                    rates[name].append(m["rate"])
                    used[name].append(m["threads"])
                    print(f"  round {r + 1}: threads {name:>11} -> {m['threads']} threads, {m['rate']:.2f} steps/s",
                          flush=True)
            for name, _ in settings:
                table.append((case, name, sorted(set(used[name])), statistics.median(rates[name]),
                              min(rates[name]), max(rates[name])))
        finally:
            if spinner is not None:
                spinner.kill()
                spinner.wait()
    print(f"\n{args.preset}, {n} usable cores, median of {args.rounds} rounds of {args.seconds:.0f} s\n")
    print("| machine | train.threads | threads used | steps/s (median) | range |")
    print("|---|---|---|---|---|")
    for case, name, used_, med, lo, hi in table:
        print(f"| {case} | {name} | {', '.join(map(str, used_))} | {med:.2f} | {lo:.2f}-{hi:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
