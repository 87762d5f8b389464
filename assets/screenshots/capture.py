"""Take a screenshot of the studio mid-training, under Xvfb:

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python assets/screenshots/capture.py \
        toy-1d-shift 150 assets/screenshots/toy-1d-shift.png
    ... saddle-bilinear 150 assets/screenshots/saddle-bilinear.png --pause
    ... fashion-dcgan 420 assets/screenshots/fashion-dcgan.png --resume runs/fd/checkpoints/end_00000400.pt

Starts the studio on PRESET with train.steps raised to 4 x STEP (so the run is still going), presses
Train, waits until the run reaches STEP iterations (or the time limit), grabs the window (1400x900)
and closes it, which stops the run.
"""
from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QTimer


def main(preset: str, step: int, out: str, limit_s: float = 120.0, theme: str = "",
         pause: bool = False, resume: str = "") -> int:
    if theme:
        os.environ["GAN_STUDIO_THEME"] = theme
    from studio.gui.app import make_app
    from studio.gui.main_window import MainWindow
    app = make_app()
    w = MainWindow(preset)
    w.resize(1400, 900)
    w.move(0, 0)
    w.form.set_value("train.steps", max(w.form.config().train.steps, 4 * step))
    w.show()
    t0 = time.perf_counter()
    if resume:         # continue a run trained headless, so that images have taken shape
        QTimer.singleShot(500, lambda: w.ckpt.resume(resume, steps=4 * step))
    else:
        QTimer.singleShot(500, w.train_or_pause)
    done = []

    def check(batch=None):
        late = time.perf_counter() - t0 > limit_s
        if done or not (late or (batch and batch[-1].step >= step)):
            return
        done.append(1)
        if pause:          # fast runs (the saddle) would be over before the picture
            w.session.pause()
        QTimer.singleShot(120, shoot)        # one more frame of the views and plots

    w.session.metrics.connect(check)
    QTimer.singleShot(int(limit_s * 1000), check)

    def shoot():
        for v in w.game.views.values():
            getattr(v, "flush", lambda: None)()
        w.plot.redraw()
        w.grab().save(out)
        print(f"{out}: step {w.session.trainer.step if w.session.trainer else '-'}, "
              f"{w.plot.point_count()} points, view {w.game.current_view}, errors {w.game.errors}")
        w.close()
        app.quit()

    return app.exec()


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="Screenshot the studio mid-training.")
    ap.add_argument("preset")
    ap.add_argument("step", type=int, help="take the picture once the run reaches this step")
    ap.add_argument("out")
    ap.add_argument("--limit", type=float, default=120.0, help="seconds before shooting anyway")
    ap.add_argument("--theme", default="", choices=("", "dark", "light"))
    ap.add_argument("--pause", action="store_true", help="pause first (runs too fast to catch)")
    ap.add_argument("--resume", default="", help="resume this checkpoint instead of a fresh run")
    a = ap.parse_args()
    sys.exit(main(a.preset, a.step, a.out, a.limit, a.theme, a.pause, a.resume))
