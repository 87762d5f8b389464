"""Screenshots of lessons played in the studio itself: the main window opens the lesson from its
Lessons host, the page's Play button runs the page's runs on the studio's own session (the real
trainer, the worker's RunWatcher, the outcome and the figures in the panel), and the window is
grabbed once the outcome is in (1600x1000); then a 1024x700 window, where the lesson is a tab beside
the presets, opens the same page and shows the outcome of those runs. Offscreen; progress goes to a
temporary settings folder.

    QT_QPA_PLATFORM=offscreen python bench/lesson_studio_screenshots.py OUT_DIR NAME:PAGE ... [--timeout S]

PAGE is 1-based. Each page is played in full (its real runs), so a page of two 800-iteration image
runs takes a minute or two.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GAN_STUDIO_SETTINGS", tempfile.mkdtemp(prefix="lesson-shots-"))


def shoot(w, path: Path) -> None:
    from PySide6.QtWidgets import QApplication
    for _ in range(20):
        QApplication.processEvents()
        time.sleep(0.02)
    w.grab().save(str(path))
    print(path, flush=True)


def opened(MainWindow, name: str, index: int, size):
    """A studio window of that size with the lesson open on that page, the notes' answer predicted."""
    from PySide6.QtWidgets import QApplication
    w = MainWindow(None)
    w.resize(*size)
    w.show()
    QApplication.processEvents()
    panel = w.lessons.open(name)
    panel.show_page(index)
    if panel.page.predict is not None:
        panel.choices.button(panel.page.predict.answer).click()
    QApplication.processEvents()
    return w


def show_outcome(w, records) -> None:
    """The outcome and figures of the page's runs (played elsewhere) in the window's lesson panel."""
    from studio.gui.lesson_host import PANEL_FIGURES
    from studio.lessons.figures import page_figures
    from studio.lessons.play import page_outcome
    panel = w.lessons.panel
    res = page_outcome(panel.index, panel.page, records, 0, panel.prediction())
    panel.show_outcome(res.checks)
    figs = page_figures(res, 0)
    panel.show_figures([figs[k] for k in PANEL_FIGURES if k in figs])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("pages", nargs="+", help="NAME:PAGE (1-based)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds to wait for a page's outcome")
    ap.add_argument("--steps", type=int, default=0, help="a quick look instead: play headless with the runs cut "
                    "to this many iterations and show that outcome in both windows (not the real outcome)")
    args = ap.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from studio.gui.app import make_app
    from studio.lessons.format import load_lesson
    from studio.lessons.play import play_page
    from studio.gui.main_window import MainWindow
    make_app()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for item in args.pages:
        name, _, page = item.partition(":")
        index = int(page or 1) - 1
        if args.steps:            # quick look: the page played headless with its runs cut short, shown in both
            records = play_page(load_lesson(name), index, 0, steps=args.steps).records
            for size in ((1600, 1000), (1024, 700)):
                w = opened(MainWindow, name, index, size)
                show_outcome(w, records)
                shoot(w, out / f"studio-{name}-p{index + 1}-{size[0]}x{size[1]}-quick.png")
                w.close()
            continue
        w = opened(MainWindow, name, index, (1600, 1000))
        w.controls.set_pace(None)
        panel = w.lessons.panel
        w.lessons.play.click()
        t0 = time.perf_counter()
        while "notes" not in panel.outcome.text() and time.perf_counter() - t0 < args.timeout:
            QApplication.processEvents()
            time.sleep(0.02)
        print(f"{item}: {time.perf_counter() - t0:.0f} s: {panel.outcome.text()[:200]!r}", flush=True)
        shoot(w, out / f"studio-{name}-p{index + 1}-1600x1000.png")
        records = dict(w.lessons.records)
        w.session.stop()
        t0 = time.perf_counter()
        while w.session.live and time.perf_counter() - t0 < 30:
            QApplication.processEvents()
            time.sleep(0.05)
        w.close()
        # a narrow window lays the lesson out as a tab beside the presets: open it there and show the
        # outcome of the runs just played (the game view shows the page's run set up, not trained)
        w = opened(MainWindow, name, index, (1024, 700))
        show_outcome(w, records)
        shoot(w, out / f"studio-{name}-p{index + 1}-1024x700.png")
        w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
