"""Time the checkpoints panel spends on the GUI thread per refresh, with 2,000 checkpoints (issue 26:
1.8 s per refresh). A run folder of N checkpoints with sidecars, thumbnails (64x64 PNGs, as an image
model writes) and a metrics.jsonl with an evaluation every 10 checkpoints; the panel is shown
offscreen, then refreshed R times. Every slot the panel runs on the GUI thread is timed (refresh()
itself and, once it lists off the thread, the handler that shows the listing), and so is the longest
stall of the event loop (gaps between 1 ms timer ticks: layout and painting count there too).

    QT_QPA_PLATFORM=offscreen python bench/checkpoints_panel.py [--n 2000] [--refreshes 5] [--no-thumbs] [--add]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_run(root: Path, n: int, thumbs: bool) -> Path:
    from PySide6.QtGui import QImage
    run = root / "run"
    ck = run / "checkpoints"
    ck.mkdir(parents=True)
    img = QImage(64, 64, QImage.Format.Format_RGB32)
    img.fill(0x336699)
    png = None
    if thumbs:
        img.save(str(root / "t.png"))
        png = (root / "t.png").read_bytes()
    lines = []
    for i in range(n):
        step = (i + 1) * 100
        p = ck / f"step_{step:08d}.pt"
        p.write_bytes(b"listed from its sidecar")
        p.with_suffix(".json").write_text(json.dumps({"step": step, "time": 1.7e9 + i, "reason": "periodic",
                                                      "metrics": {"loss_d": 1.0 + i * 1e-4, "loss_g": 0.7}}))
        if png is not None:
            p.with_suffix(".png").write_bytes(png)
        lines.append({"step": step, "kind": "iter", "t": float(i), "loss_d": 1.0})
        if i % 10 == 0:
            lines.append({"event": "eval", "step": step, "fid": 100.0 - i * 0.01})
    (run / "metrics.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--refreshes", type=int, default=5)
    ap.add_argument("--no-thumbs", action="store_true")
    ap.add_argument("--add", action="store_true", help="a new checkpoint before each refresh (a live run saving)")
    a = ap.parse_args()
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication
    from studio.gui.panels import checkpoints as mod
    app = QApplication.instance() or QApplication([])
    gui_time = [0.0]

    def timed(fn):
        def wrapper(*args, **kw):
            t = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                gui_time[0] += time.perf_counter() - t
        return wrapper

    P = mod.CheckpointsPanel
    for name in ("refresh", "_show_listing"):          # the GUI thread's slots (the second: off-thread listing)
        if hasattr(P, name):
            setattr(P, name, timed(getattr(P, name)))
    with tempfile.TemporaryDirectory() as d:
        run = make_run(Path(d), a.n, not a.no_thumbs)
        panel = P()
        panel.resize(1200, 260)
        panel.show()

        from PySide6.QtCore import QTimer
        ticks = []
        tick = QTimer()
        tick.setInterval(1)
        tick.timeout.connect(lambda: ticks.append(time.perf_counter()))

        def settle():
            jobs = getattr(panel, "jobs", None)
            end = time.perf_counter() + 0.3          # and the event loop's own work after it (layout, paint)
            while (jobs is not None and jobs.busy) or time.perf_counter() < end:
                app.processEvents()
                time.sleep(0.001)
            QCoreApplication.processEvents()

        per = []
        for i in range(a.refreshes + 1):
            gui_time[0] = 0.0
            ticks.clear()
            tick.start()
            t = time.perf_counter()
            ticks.append(t)
            if i == 0:
                panel.set_run_dir(run)
            else:
                if a.add:
                    step = (a.n + i) * 100
                    p = run / "checkpoints" / f"step_{step:08d}.pt"
                    p.write_bytes(b"listed from its sidecar")
                    p.with_suffix(".json").write_text(json.dumps({"step": step, "time": 1.8e9 + i,
                                                                  "reason": "periodic", "metrics": {"loss_d": 1.0}}))
                panel.refresh()
            settle()
            tick.stop()
            wall = time.perf_counter() - t
            stall = max(b - a for a, b in zip(ticks, ticks[1:])) if len(ticks) > 1 else wall
            label = "first (set_run_dir)" if i == 0 else f"refresh {i}"
            print(f"{label}: GUI thread in the panel's slots {gui_time[0] * 1000:.0f} ms, longest event-loop "
                  f"stall {stall * 1000:.0f} ms, until listed {wall * 1000:.0f} ms, {len(panel.paths())} cards")
            if i:
                per.append((gui_time[0], stall))
        print(f"{a.n:,} checkpoints{'' if not a.no_thumbs else ' (no thumbnails)'}: per refresh, median GUI "
              f"thread in the panel {statistics.median(x[0] for x in per) * 1000:.0f} ms, median longest stall "
              f"{statistics.median(x[1] for x in per) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
