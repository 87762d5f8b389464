"""How long does each toy preset's default run last in the studio, at the pace it opens with?

For every toy preset (or those named), a studio window is made, the preset chosen, Train pressed,
and the wall-clock seconds until the run has finished are measured with a stopwatch (the window's
own event loop runs meanwhile: views drawing, curves, status bar). `--full` sets the toolbar to full
speed instead, to see what the machine can do. Target: 15 to 30 s at the preset's pace, so that the
textbook figure plays at a watchable speed; a preset too slow for that at full speed keeps full speed.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/pace.py [PRESET ...] [--full]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOY = ("toy-1d-shift", "toy-1d-rotation", "toy-1d-mlp", "saddle-bilinear", "saddle-quadratic",
       "ring-2d-gan", "ring-2d-minimax", "ring-2d-wgan-gp", "grid-2d-wgan-gp")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("presets", nargs="*", default=list(TOY))
    ap.add_argument("--full", action="store_true", help="train at full speed instead of the preset's pace")
    args = ap.parse_args()
    os.environ.setdefault("GAN_STUDIO_RUNS", tempfile.mkdtemp(prefix="pace-bench-"))
    from PySide6.QtCore import QCoreApplication, QSettings
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from studio.config.presets import load_preset
    from studio.gui.app import make_app
    from studio.gui.main_window import MainWindow

    app = make_app()
    print(f"{'preset':<18} {'steps':>6} {'pace':>10} {'seconds':>8}  within 15-30 s")
    for name in args.presets:
        cfg = load_preset(name)
        w = MainWindow(name)
        w.resize(1400, 900)
        w.show()
        if args.full:
            w.controls.set_pace(None)
        pace = w.controls.pace()
        done = []
        w.session.finished.connect(lambda ev: done.append(time.perf_counter()))
        while w.previews.busy:
            app.processEvents()
            time.sleep(0.01)
        t0 = time.perf_counter()
        w.train_or_pause()
        while not done:
            app.processEvents()
            time.sleep(0.002)
        took = done[0] - t0
        ok = "yes" if 15 <= took <= 30 else ("full speed (too long to slow)" if pace is None and took > 30 else "NO")
        print(f"{name:<18} {cfg.train.steps:>6} {('full' if pace is None else f'{pace:g}/s'):>10} "
              f"{took:>8.1f}  {ok}", flush=True)
        while w.session.live:
            app.processEvents()
            time.sleep(0.01)
        w.close()
        QCoreApplication.processEvents()


if __name__ == "__main__":
    main()
