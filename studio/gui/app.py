"""Start the desktop studio: `gan-studio`, `gan-studio gui --preset NAME`, `make run`."""
from __future__ import annotations

import gc
import os
import sys

import pyqtgraph as pg
from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ..config.paths import icon_file
from ..engine.stop_signals import StopSignals
from .main_window import MainWindow
from .theme import apply_theme

NO_DISPLAY = ("gan-studio: no display found (DISPLAY and WAYLAND_DISPLAY are not set). Run it under a "
              "virtual X server, e.g. `xvfb-run -a make run` or `Xvfb :99 & DISPLAY=:99 make run`, "
              "or set QT_QPA_PLATFORM=offscreen for a window nobody sees.")


def has_display(env=os.environ) -> bool:
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM"))


def make_app(argv=None):
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setOrganizationName("GAN Studio")
    app.setApplicationName("gan-studio")
    app.setDesktopFileName("gan-studio")      # the desktop entry (assets/gan-studio.desktop)
    app.setWindowIcon(QIcon(str(icon_file())))
    # no application display name: Qt would append " — GAN Studio" to every window title, and the
    # window already says "GAN Studio · NAME"
    apply_theme(app)
    app.styleHints().colorSchemeChanged.connect(lambda *_: apply_theme(app))
    pg.setConfigOptions(antialias=False, useOpenGL=False)
    return app


def main(preset: str | None = None, quit_after: float | None = None) -> int:
    """Open the studio; `quit_after` seconds closes its window (the packaging smoke test)."""
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    app = make_app()
    win = MainWindow(preset)
    win.show()
    # The ~440,000 objects of the imports and the window live as long as the studio: frozen, the
    # collector stops walking them, so a full collection (set off by any thread's allocations, e.g.
    # the checkpoints listing on the job runner) no longer stalls the GUI thread for 0.7 s
    # (bench/checkpoints_panel.py with 2,000 checkpoints: longest stall 713 ms -> 22 ms).
    gc.freeze()
    # Cyclic garbage is collected on this thread only (pyqtgraph's GarbageCollector: automatic
    # collection off, a timer collects each generation as its threshold fills): a collection set off
    # by the training or job threads could destroy a QObject of the GUI thread there, and ~QObject
    # then waits for the GIL that the GUI thread holds (a deadlock, seen in the test suite).
    collector = GarbageCollector(interval=1.0)   # noqa: F841  (kept alive for the studio's life)
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), win.close)
    # SIGTERM, SIGHUP, Ctrl+C: close the window as File › Quit would (a live run saves its checkpoint);
    # a second one aborts. Python runs signal handlers between bytecodes only, so a timer lets it.
    stops = StopSignals(lambda signum: QTimer.singleShot(0, win.close), "gan-studio aborted")
    tick = QTimer(win)
    tick.timeout.connect(lambda: None)
    tick.start(200)
    with stops:
        code = app.exec()
    # Everything is saved and every worker has ended (MainWindow.closeEvent). What is left is the
    # interpreter's own teardown, whose garbage collections walk the ~440,000 objects that torch,
    # pyqtgraph and the studio allocated, pass after pass as modules go: 5-6 s after Quit on a busy
    # machine (bench/quit_time.py). Frozen, they are no longer walked (1.4 s); atexit handlers and
    # finalizers of objects outside reference cycles still run, unlike with os._exit.
    gc.freeze()
    if stops.received is not None:
        print(f"gan-studio: closed on {stops.name} (a live run saved its checkpoint)", file=sys.stderr)
    return stops.exit_code or code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
