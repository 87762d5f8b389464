"""How long reading runs for a comparison takes, on long synthetic runs.

Writes run directories with N iteration lines (the losses, D outputs and gradient norms a GAN logs)
and an evaluation every 500 steps, then times what the comparison reads:

- peek_run: what the runs browser's list reads of each run (config, head and tail of the log);
- load_run: a whole run (curves, evaluations, checkpoints), what `gan-studio compare` and a ticked
  run in the browser read;
- EvalReader: the checkpoint cards' evaluations, first read and then one poll after 1,000 new lines;
- the runs browser listing R runs (and reading each one's best headline value on its worker) and
  comparing three of them (offscreen Qt).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/compare.py [--steps 100000] [--runs 30]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.config.io import dumps           # noqa: E402
from studio.config.presets import load_preset  # noqa: E402
from studio.tools.compare import EvalReader, load_run, peek_run  # noqa: E402


def write_run(path: Path, steps: int, lr: float, seed: int) -> None:
    path.mkdir(parents=True)
    cfg = load_preset("ring-2d-gan")
    cfg.optim_g.lr = lr
    (path / "config.toml").write_text(dumps(cfg))
    rnd = random.Random(seed)
    with open(path / "metrics.jsonl", "w") as fh:
        for s in range(1, steps + 1):
            rec = {"step": s, "kind": "iter", "t": s * 0.01, "loss_d": rnd.random() + 0.5,
                   "d_real": rnd.random(), "d_fake": rnd.random(), "loss_g": rnd.random() + 0.5}
            if s % 10 == 0:
                rec.update(gn_d=rnd.random(), gn_g=rnd.random())
            fh.write(json.dumps(rec) + "\n")
            if s % 500 == 0:
                fh.write(json.dumps({"event": "eval", "step": s, "modes": rnd.randint(0, 8),
                                     "coverage": rnd.random(), "precision": rnd.random(),
                                     "recall": rnd.random(), "diversity": rnd.random()}) + "\n")


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=30, help="runs in the folder the browser lists")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="compare-bench-"))
    try:
        t0 = time.perf_counter()
        write_run(root / "long-a", args.steps, 2e-4, 0)
        mb = (root / "long-a" / "metrics.jsonl").stat().st_size / 1e6
        for i, name in enumerate(("long-b", "long-c")):
            shutil.copytree(root / "long-a", root / name)
            cfg = load_preset(root / name / "config.toml")
            cfg.optim_g.lr = 1e-3 * (i + 1)
            (root / name / "config.toml").write_text(dumps(cfg))
        for i in range(max(args.runs - 3, 0)):
            write_run(root / f"short-{i:03d}", 2000, 2e-4, i)
        print(f"wrote {args.runs} runs ({args.steps:,} steps, {mb:.1f} MB of log, in the long ones) "
              f"in {time.perf_counter() - t0:.1f} s")
        long = root / "long-a"
        print(f"peek_run (the list's view of a run):      {timed(lambda: peek_run(long)) * 1e3:8.1f} ms")
        print(f"load_run (a whole run, {args.steps:,} steps):   {timed(lambda: load_run(long)) * 1e3:8.1f} ms")
        reader = EvalReader(long / "metrics.jsonl")
        first = timed(lambda: EvalReader(long / "metrics.jsonl").poll(), 1)
        reader.poll()
        with open(long / "metrics.jsonl", "a") as fh:
            for s in range(args.steps + 1, args.steps + 1001):
                fh.write(json.dumps({"step": s, "kind": "iter", "t": 0.0, "loss_d": 1.0}) + "\n")
        t0 = time.perf_counter()
        reader.poll()
        again = time.perf_counter() - t0
        print(f"EvalReader first read / after 1,000 lines: {first * 1e3:8.1f} ms / {again * 1e3:.2f} ms")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ["GAN_STUDIO_RUNS"] = str(root)
        from PySide6.QtWidgets import QApplication
        from studio.gui.panels.runs_browser import RunsBrowser
        app = QApplication.instance() or QApplication([])
        b = RunsBrowser()
        b.resize(1200, 700)
        t0 = time.perf_counter()
        b.show()
        app.processEvents()
        listed = time.perf_counter() - t0
        b.wait()                                # each run's best headline value, read on the worker
        best = time.perf_counter() - t0
        filled = sum(1 for p in b.run_paths() if b.item(p).text(3) not in ("", "–"))
        t0 = time.perf_counter()
        b.set_ticked([root / "long-a", root / "long-b", root / "long-c"])
        app.processEvents()
        stall = time.perf_counter() - t0        # the GUI thread is free again: reading goes on behind
        b.wait()
        compared = time.perf_counter() - t0
        t0 = time.perf_counter()
        b.refresh()
        app.processEvents()
        again = time.perf_counter() - t0
        print(f"runs browser: list {args.runs} runs {listed * 1e3:.0f} ms; tick 3 long runs: GUI thread back "
              f"after {stall * 1e3:.0f} ms, compared after {compared * 1e3:.0f} ms; refresh with nothing "
              f"changed {again * 1e3:.0f} ms")
        print(f"runs browser: the best-value column filled for {filled} of {args.runs} runs "
              f"{best * 1e3:.0f} ms after the list showed (on the worker; the GUI thread stays free)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
