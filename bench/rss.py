"""Memory over time: a toy run in the studio's session with rewind on, RSS sampled every few seconds.

The studio keeps the full training state of a toy run at every snapshot (the rewind timeline), in a
RunHistory capped at HISTORY_MAX_BYTES (200 MiB): past the cap it thins its older half. This trains a
toy preset at full speed on the studio's Session (its QThread, its history, its throttled signals; no
window, so the figure is the engine and the history, not pyqtgraph's buffers) and prints, every
--every seconds, the process's RSS, the history's size and entries. The claim holds when RSS stops
growing once the history reaches its cap.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/rss.py [--seconds 600] [--every 10]
        [--preset ring-2d-wgan-gp] [--cap-mb 200]
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--every", type=float, default=10)
    ap.add_argument("--preset", default="ring-2d-wgan-gp")
    ap.add_argument("--cap-mb", type=float, default=None, help="the history's cap (default: the studio's)")
    ap.add_argument("--gc", action="store_true", help="run Python's garbage collector before each sample "
                    "(does RSS then stay at its troughs?)")
    ap.add_argument("--trim", action="store_true", help="ask the C allocator to return free memory "
                    "(glibc malloc_trim) before each sample")
    ap.add_argument("--snapshot-every", type=int, default=1, help="log.snapshot_every (1, the default: a moment "
                    "kept at every step, the fastest way to the cap)")
    args = ap.parse_args()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from studio.config.io import set_value
    from studio.config.presets import load_preset
    from studio.gui import session as sess

    if args.cap_mb is not None:
        sess.RunHistory.__init__.__defaults__ = (sess.HISTORY_MAX_ENTRIES, int(args.cap_mb * 2**20))
    cap = sess.RunHistory.__init__.__defaults__[1] / 2**20
    app = QApplication.instance() or QApplication([])
    cfg = load_preset(args.preset)
    for key, value in (("train.steps", 100_000_000), ("checkpoint.every", 0), ("checkpoint.at_end", False),
                       ("eval.every", 0), ("log.snapshot_every", args.snapshot_every)):
        set_value(cfg, key, value)
    out = Path(tempfile.mkdtemp(prefix="gan-studio-rss-"))
    s = sess.Session()
    s.snapshot.connect(lambda ev: None)          # taken as the window would (latest wins)
    s.metrics.connect(lambda evs: None)
    rows: list[tuple] = []
    t0 = time.perf_counter()
    base = rss_mb()

    def sample() -> None:
        if args.gc:
            gc.collect()
        if args.trim:
            ctypes.CDLL(None).malloc_trim(0)
        h = s.history
        rows.append((time.perf_counter() - t0, s.step, rss_mb(), (h.nbytes if h else 0) / 2**20, len(h) if h else 0,
                     h.thinned if h else 0))
        t, step, rss, hist, n, thinned = rows[-1]
        print(f"{t:6.0f} s  step {step:>8}  RSS {rss:7.1f} MB  history {hist:6.1f} MB in {n:>6} moments "
              f"(thinned {thinned}x)", flush=True)
        if t >= args.seconds:
            s.shutdown(save=False)
            app.quit()

    timer = QTimer()
    timer.timeout.connect(sample)
    timer.start(int(args.every * 1000))
    s.start(cfg, name="rss", run_dir=out / "run")
    print(f"{args.preset} in the studio's session with rewind (a moment every {args.snapshot_every} step(s)), "
          f"history cap {cap:.0f} MiB; RSS before the run "
          f"{base:.1f} MB", flush=True)
    app.exec()
    capped = [r for r in rows if r[5] > 0]
    if capped:
        first = capped[0]
        after = [r[2] for r in capped]
        span = (capped[-1][0] - first[0]) / 60
        slope = (capped[-1][2] - first[2]) / span if span > 0 else 0.0
        print(f"cap reached at {first[0]:.0f} s (RSS {first[2]:.1f} MB); after it RSS {min(after):.1f} to "
              f"{max(after):.1f} MB over {span:.1f} min ({slope:+.2f} MB/min from the first capped sample to the "
              f"last); history at most {max(r[3] for r in rows):.1f} MB")
    else:
        print(f"the history did not reach its cap in {args.seconds:.0f} s (largest {max(r[3] for r in rows):.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
