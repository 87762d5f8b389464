"""How the latent explorer answers a hand on its sliders (offscreen Qt, a small digits generator):

- one move: from a principal direction's slider moved to its picture on screen (median of 30);
- a drag: 31 moves faster than G renders; how many pictures were shown on the way, and how long
  until the last position's picture is on screen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/latent_render.py [--base-channels 32]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-channels", type=int, default=32)
    ap.add_argument("--module", default="studio.gui.panels.latent_explorer", help="the explorer to time")
    args = ap.parse_args()
    import importlib

    from PySide6.QtWidgets import QApplication

    from tests.gui.test_latent import model
    app = QApplication.instance() or QApplication([])
    m = model("digits-dcgan", "data.limit=64", f"model.base_channels={args.base_channels}", "train.batch_size=8")
    ex = importlib.import_module(args.module).LatentExplorer()
    ex.resize(900, 700)
    ex.show()
    shown: list[tuple[int, float]] = []
    ex.rendered.connect(lambda s: shown.append((s, time.perf_counter())))

    def settle(timeout: float = 20.0) -> None:
        t0 = time.perf_counter()
        while (ex._busy or ex._pending or ex._shown["image"] < ex._stamp) and time.perf_counter() - t0 < timeout:
            app.processEvents()
            time.sleep(0.001)

    ex.set_source(m)
    settle()
    s = ex.pc_sliders[0]
    one = []
    for i in range(30):
        t0 = time.perf_counter()
        s.setValue((-1) ** i * (50 + i))
        settle()
        one.append(time.perf_counter() - t0)
    shown.clear()
    t0 = time.perf_counter()
    for v in range(-300, 301, 20):
        s.setValue(v)
        app.processEvents()
    last = ex._stamp
    settle()
    done = time.perf_counter() - t0
    print(f"{args.module}: one move to its picture: median {statistics.median(one) * 1e3:.1f} ms "
          f"(max {max(one) * 1e3:.1f}); a drag of 31 moves: {len(shown)} pictures shown on the way, the last "
          f"position's {done * 1e3:.0f} ms after the first move (last shown is the last asked: "
          f"{bool(shown) and shown[-1][0] == last})")
    ex.shutdown()


if __name__ == "__main__":
    main()
