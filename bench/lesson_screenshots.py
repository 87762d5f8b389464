"""Screenshots of the lesson panel mid-lesson, as the studio would host it: the panel on the right,
the page's figures (from the headless player) where the game view would be. Offscreen grabs at
1024x700 and 1600x1000.

    QT_QPA_PLATFORM=offscreen python bench/lesson_screenshots.py OUT_DIR [--lessons NAME:PAGE ...]

The outcome shown is the real one: each page is played headless first (seed 0).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt                                   # noqa: E402
from PySide6.QtGui import QPixmap                               # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QSplitter   # noqa: E402

from studio.gui.panels.lesson_panel import LessonPanel          # noqa: E402
from studio.inspect.grids import save_png                       # noqa: E402
from studio.lessons.figures import page_figures, tile           # noqa: E402
from studio.lessons.format import load_lesson                   # noqa: E402
from studio.lessons.play import play_page                       # noqa: E402
from studio.lessons.progress import ProgressStore               # noqa: E402

DEFAULT = ["gan-in-1d:2", "best-discriminator:2", "saturating-loss:1", "js-vs-wasserstein:1", "loss-meaning:1"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--lessons", nargs="*", default=DEFAULT, help="NAME:PAGE (1-based)")
    ap.add_argument("--steps", type=int, default=None, help="cap each run's iterations (quicker, not the real outcome)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    app = QApplication.instance() or QApplication([])
    for item in args.lessons:
        name, _, page = item.partition(":")
        index = int(page or 1) - 1
        lesson = load_lesson(name)
        res = play_page(lesson, index, 0, prediction=lesson.pages[index].predict.answer
                        if lesson.pages[index].predict else None, steps=args.steps)
        figs = page_figures(res, 0)
        fig = tile(list(figs.values()), cols=1) if figs else None
        with tempfile.TemporaryDirectory() as tmp:
            store = ProgressStore(Path(tmp) / "p.json")
            if lesson.pages[index].predict is not None:
                store.predict(lesson.name, index, lesson.pages[index].predict.answer)
            store.set_page(lesson.name, index)
            split = QSplitter(Qt.Orientation.Horizontal)
            view = QLabel()
            view.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            view.setStyleSheet("background: white;")
            if fig is not None:
                png = Path(tmp) / "fig.png"
                save_png(fig, png)
                view.setPixmap(QPixmap(str(png)))
            scroll = QScrollArea()
            scroll.setWidget(view)
            scroll.setWidgetResizable(True)
            panel = LessonPanel(lesson, store)
            panel.show_outcome(res.checks)
            split.addWidget(scroll)
            split.addWidget(panel)
            for w, h in ((1024, 700), (1600, 1000)):
                split.resize(w, h)
                split.setSizes([w - max(380, w * 2 // 5), max(380, w * 2 // 5)])
                split.show()
                app.processEvents()
                path = out / f"lesson-{name}-p{index + 1}-{w}x{h}.png"
                out.mkdir(parents=True, exist_ok=True)
                split.grab().save(str(path))
                print(path)
            split.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
