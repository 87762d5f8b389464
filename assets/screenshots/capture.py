"""Screenshots of the studio, offscreen (no display needed) or under Xvfb:

    .venv/bin/python assets/screenshots/capture.py first-screen.png --first
    .venv/bin/python assets/screenshots/capture.py small-window.png --size 1024x700 --preset ring-2d-wgan-gp --step 400
    .venv/bin/python assets/screenshots/capture.py toy-1d-shift.png --preset toy-1d-shift --step 150
    .venv/bin/python assets/screenshots/capture.py saddle-bilinear.png --preset saddle-bilinear --step 150 --pause
    .venv/bin/python assets/screenshots/capture.py fashion-dcgan.png --resume runs/fd/checkpoints/end_00000400.pt --step 420
    .venv/bin/python assets/screenshots/capture.py latent.png --resume CKPT --step 420 --tab latent

Starts the studio with fresh settings (a temporary folder) at --size (1400x900 by default) on
--preset; with --first, grabs the first screen once the preset's preview is drawn. Otherwise it
raises train.steps to 4 x STEP (so the run is still going), presses Train (or resumes --resume),
waits until the run reaches STEP iterations (or --limit seconds), optionally pauses or opens the
latent explorer tab, grabs the window and closes it, which stops the run. Runs go to a temporary
folder unless GAN_STUDIO_RUNS is set.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time


def main(out: str, preset: str, step: int, size: str, first: bool, limit_s: float, theme: str,
         pause: bool, resume: str, tab: str) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = tempfile.mkdtemp(prefix="gan-studio-shot-")
    os.environ.setdefault("GAN_STUDIO_RUNS", os.path.join(tmp, "runs"))
    if theme:
        os.environ["GAN_STUDIO_THEME"] = theme
    from PySide6.QtCore import QSettings, QTimer
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, os.path.join(tmp, "settings"))
    from studio.gui.app import make_app
    from studio.gui.main_window import MainWindow
    app = make_app()
    if not first:
        QSettings().setValue("help/tour_seen", True)
    w = MainWindow(preset)
    width, height = (int(v) for v in size.lower().split("x"))
    w.resize(width, height)
    w.move(0, 0)
    if not first and not resume:
        w.form.set_value("train.steps", max(w.form.config().train.steps, 4 * step))
    w.show()
    t0 = time.perf_counter()
    done = []

    def shoot():
        for v in w.game.views.values():
            getattr(v, "flush", lambda: None)()
        w.plot.redraw()
        app.processEvents()
        w.grab().save(out)
        print(f"{out}: {w.width()}x{w.height()}, step {w.session.step}, {w.plot.point_count()} points, "
              f"view {w.game.current_view}, status '{w.status.state_text}' / '{w.status.shown()}'")
        w.close()
        app.quit()

    def ready(*_):
        if done:
            return
        done.append(1)
        if pause:          # fast runs (the saddle) would be over before the picture
            w.train_or_pause()
        if tab == "latent":
            w.tabs.setCurrentIndex(1)
            t1 = time.perf_counter()

            def drawn():                     # the generator copy and its first pictures
                ex = w.latent
                if (ex is not None and ex.model is not None and ex._shown["image"] > 0) or \
                        time.perf_counter() - t1 > 30:
                    QTimer.singleShot(500, shoot)
                else:
                    QTimer.singleShot(200, drawn)
            if w.session.live:
                w.train_or_pause()           # hold the run still for the picture
            drawn()
        else:
            QTimer.singleShot(600, shoot)    # one more frame of the views and plots

    if first:
        def wait_preview():
            if w.game.current_view is not None or time.perf_counter() - t0 > limit_s:
                QTimer.singleShot(400, ready)
            else:
                QTimer.singleShot(100, wait_preview)
        QTimer.singleShot(300, wait_preview)
    else:
        def check(batch=None):
            late = time.perf_counter() - t0 > limit_s
            if late or (batch and batch[-1].step >= step):
                ready()
        w.session.metrics.connect(check)
        QTimer.singleShot(int(limit_s * 1000), check)
        if resume:         # continue a run trained headless, so that images have taken shape
            QTimer.singleShot(500, lambda: w.ckpt.resume(resume, steps=4 * step))
        else:
            QTimer.singleShot(500, w.train_or_pause)
    return app.exec()


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="Screenshot the studio.")
    ap.add_argument("out")
    ap.add_argument("--preset", default="toy-1d-shift")
    ap.add_argument("--step", type=int, default=150, help="take the picture once the run reaches this step")
    ap.add_argument("--size", default="1400x900")
    ap.add_argument("--first", action="store_true", help="the first screen: no training")
    ap.add_argument("--limit", type=float, default=120.0, help="seconds before shooting anyway")
    ap.add_argument("--theme", default="", choices=("", "dark", "light"))
    ap.add_argument("--pause", action="store_true", help="pause first (runs too fast to catch)")
    ap.add_argument("--resume", default="", help="resume this checkpoint instead of a fresh run")
    ap.add_argument("--tab", default="training", choices=("training", "latent"))
    a = ap.parse_args()
    sys.exit(main(a.out, a.preset, a.step, a.size, a.first, a.limit, a.theme, a.pause, a.resume, a.tab))
