"""Screenshots of the real studio window, taken from the X server: run it under Xvfb, e.g.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python bench/screenshots.py --size 1024x700 --out /tmp/shots/xvfb
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python bench/screenshots.py --size 1600x1000 --out /tmp/shots/xvfb

It builds MainWindow on the xcb platform, drives it through its public actions (as tests/gui do), waits
for each condition with a timeout, and grabs the screen (QScreen.grabWindow(0)) cropped to the studio's
windows into OUT/<scene>_<W>x<H>.png. Scenes (--scenes picks some, comma-separated):

  slowmo    ring-2d-gan trained ~300 steps at full speed, then slow motion, one grab per phase (5);
            toy-1d-shift slow motion phases 1 and 4 in the 1D view
  timeline  ring-2d-wgan-gp trained 300 steps, scrubbed back to about a third (cursor in the curves)
  dirac     View > Dirac-GAN: compare training methods on toy-1d-rotation
  drawn     ~40 points drawn in two blobs in the 2D view, then a few hundred steps trained on them
  sweep     the Sweep tab showing a finished sweep folder (--sweep, default /tmp/bench-sweep/sweep)
  runs      the Runs tab comparing three runs of --runs-folder: Curves, Metrics and Samples
  memo      the Memorisation tab on an image checkpoint (--memo-run), the check run to its result

Settings and the runs folder are isolated in a temporary folder; the feature-classifier cache is the
user's (so that the memorisation check does not train it again). It prints one line per PNG with the
seconds the scene took.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
_TMP = Path(tempfile.mkdtemp(prefix="gan-shots-"))
os.environ["GAN_STUDIO_RUNS"] = str(_TMP / "runs")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtCore import QPointF, QRect, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(_TMP / "settings"))

from studio.gui.app import make_app  # noqa: E402
from studio.gui.main_window import MainWindow  # noqa: E402

SCENES = ("slowmo", "timeline", "dirac", "drawn", "sweep", "runs", "memo")


class Timeout(RuntimeError):
    pass


def wait_until(cond, timeout: float = 60.0, what: str = "") -> None:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise Timeout(f"timed out after {timeout:g} s waiting for {what or cond}")
        QTest.qWait(50)


class Shooter:
    def __init__(self, size: tuple[int, int], out: Path):
        self.size, self.out = size, out
        self.tag = f"{size[0]}x{size[1]}"
        self.saved: list[Path] = []
        self.t0 = time.monotonic()
        QSettings().setValue("help/tour_seen", True)     # no first-run hint in the status bar

    # ------------------------------------------------------------------ windows
    def window(self, preset: str, **overrides) -> MainWindow:
        w = MainWindow(preset)
        w.controls.set_pace(None)                     # the toolbar's speed "full"
        for key, value in overrides.items():
            w.form.set_value(key.replace("__", "."), value)
        w.move(0, 0)
        w.resize(*self.size)
        w.show()
        w.raise_()
        w.activateWindow()
        wait_until(lambda: w.windowHandle() is not None and w.windowHandle().isExposed(), 20, "the window shown")
        wait_until(lambda: not w.previews.busy, 60, "the preset's preview")
        QTest.qWait(300)
        return w

    def close(self, w: MainWindow) -> None:
        if w.session.live:
            w.session.stop()
            wait_until(lambda: w.session.state == "idle", 60, "the run to stop")
        w.close()
        w.deleteLater()
        QTest.qWait(200)

    def train(self, w: MainWindow, steps: int | None = None, timeout: float = 1200) -> None:
        """Train to the end of train.steps, or (steps given) until the run passes `steps`, then pause."""
        w.train_or_pause()
        if steps is None:
            wait_until(lambda: w.session.state == "idle" and w.session.step > 0, timeout, "the run's end")
        else:
            wait_until(lambda: w.session.step >= steps, timeout, f"step {steps}")
            w.train_or_pause()
            wait_until(lambda: w.session.state == "paused", 30, "the pause")
        QTest.qWait(400)

    # ------------------------------------------------------------------ grabbing
    def grab(self, name: str, settle_ms: int = 400) -> Path:
        """The whole X screen, cropped to the union of the studio's visible top-level windows."""
        QTest.qWait(settle_ms)
        QApplication.processEvents()
        screen = QApplication.primaryScreen()
        rect = QRect()
        for tl in QApplication.topLevelWidgets():
            if tl.isVisible() and tl.isWindow() and tl.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog):
                rect = rect.united(tl.frameGeometry())
        rect = rect.intersected(screen.geometry())
        pix = screen.grabWindow(0)
        if not rect.isEmpty():
            pix = pix.copy(rect)
        for tl in QApplication.topLevelWidgets():
            if isinstance(tl, MainWindow) and tl.isVisible() and (tl.width(), tl.height()) != self.size:
                print(f"  note: the window is {tl.width()}x{tl.height()}, not {self.tag} (its minimum is "
                      f"{tl.minimumSizeHint().width()}x{tl.minimumSizeHint().height()})", flush=True)
        path = self.out / f"{name}_{self.tag}.png"
        if not pix.save(str(path)):
            raise RuntimeError(f"{path}: could not be written")
        self.saved.append(path)
        print(f"{path}  ({time.monotonic() - self.t0:.0f} s)", flush=True)
        return path

    # ------------------------------------------------------------------ scenes
    def slowmo(self) -> None:
        w = self.window("ring-2d-gan", train__steps=100_000)
        self.train(w, 300)
        view = w.game.view("2d")
        self._slow_phases(w, view, "slowmo_2d", range(5))
        self.close(w)
        w = self.window("toy-1d-shift", train__steps=100_000)
        self.train(w, 300)
        view = w.game.view("1d")
        self._slow_phases(w, view, "slowmo_1d", (0, 3))
        self.close(w)

    def _slow_phases(self, w, view, name: str, grab: "range | tuple") -> None:
        slow = view.slow
        slow.auto.setChecked(False)
        slow.button.click()                         # pauses the run and asks for one SlowStep
        wait_until(lambda: slow.index == 0 and not slow.waiting, 60, "the first phase")
        for i in range(max(grab) + 1):
            if i > 0:
                before = slow.index
                w.activateWindow()
                QTest.keyClick(w, Qt.Key.Key_N)     # the view's Next key
                if slow.index == before:            # the key did not reach the window: the button
                    slow.next_btn.click()
                wait_until(lambda: slow.index == i, 10, f"phase {i + 1}")
            if i in grab:
                QTest.qWait(int(slow.ANIMATE * slow.phase_seconds() * 1000) + 300)   # the animation ends
                self.grab(f"{name}_phase{i + 1}", settle_ms=100)
        slow.set_on(False)

    def timeline(self) -> None:
        w = self.window("ring-2d-wgan-gp", train__steps=300)
        self.train(w)
        t = w.game.timeline
        wait_until(lambda: t.isVisible() and t.steps and t.steps[-1] == 300, 20, "the timeline")
        t.scrub_to(min(t.steps, key=lambda s: abs(s - 100)))
        wait_until(lambda: w.plot.cursor is not None, 10, "the cursor in the curves")
        self.grab("timeline_rewound")
        self.close(w)

    def dirac(self) -> None:
        w = self.window("toy-1d-rotation")
        action = next(a for a in w.view_menu.actions() if a.objectName() == "dirac_compare")
        action.trigger()
        win = w.dirac.window
        win.move(40, 40)
        wait_until(lambda: len(win.view.plots) == 7, 120, "the seven panels")
        self.grab("dirac_compare", settle_ms=800)
        win.close()
        self.close(w)

    def drawn(self) -> None:
        w = self.window("ring-2d-gan", train__steps=400, checkpoint__every=0)
        rng = np.random.default_rng(0)
        pts = np.concatenate([rng.normal([-1.2, 0.8], 0.25, (20, 2)),
                              rng.normal([1.0, -0.9], 0.25, (20, 2))]).round(4).tolist()
        view = w.game.view("2d")
        view.set_drawing(True)                      # Draw data: two strokes, one per blob
        for stroke in (pts[:20], pts[20:]):
            for x, y in stroke:
                view._add_point(QPointF(x, y), force=True)
            view._stroke_done()                     # what a released mouse button hands on
        self.grab("drawn_drawing")
        view.set_drawing(False)
        QTest.qWait(100)
        wait_until(lambda: not w._preview_timer.isActive() and not w.previews.busy, 60, "the new preview")
        w.form_scroll.ensureWidgetVisible(w.form.widget("data.points"))
        self.grab("drawn_before_training")
        self.train(w)
        w.form_scroll.ensureWidgetVisible(w.form.widget("data.points"))
        self.grab("drawn_trained")
        self.close(w)

    def sweep(self, folder: Path) -> None:
        if not (folder / "sweep.json").is_file():
            raise RuntimeError(f"{folder}: no sweep.json (run `python -m studio.cli sweep` first)")
        w = self.window("ring-2d-gan")
        w.tabs.setCurrentWidget(w.sweep)
        assert w.sweep.show_sweep(folder)
        wait_until(lambda: w.sweep.cards and all(not c.pic.pixmap().isNull() for c in w.sweep.cards.values()),
                   30, "the trial cards")
        self.grab("sweep_finished", settle_ms=800)
        self.close(w)

    def runs(self, folder: Path) -> None:
        w = self.window("ring-2d-gan")
        w.tabs.setCurrentWidget(w.runs)
        w.runs.add_folder(folder)
        wait_until(lambda: len(w.runs.run_paths()) >= 3, 20, "the runs listed")
        paths = sorted(p for p in w.runs.run_paths() if Path(p).parent.resolve() == folder.resolve())
        ring = [p for p in paths if "ring-2d" in Path(p).name]
        pick = (ring if len(ring) >= 3 else paths)[:3]
        if any("branch" in Path(p).name for p in ring) and not any("branch" in Path(p).name for p in pick):
            pick[-1] = next(p for p in ring if "branch" in Path(p).name)   # a branch shows its marker
        w.runs.set_ticked(pick)
        w.runs.wait(60_000)
        for i, tab in enumerate(("curves", "metrics", "samples")):
            w.runs.tabs.setCurrentIndex(i)
            QTest.qWait(300)
            w.runs.wait(60_000)
            self.grab(f"runs_{tab}", settle_ms=800)
        self.close(w)

    def memo(self, run: Path) -> None:
        pts = sorted(run.glob("checkpoints/*.pt"))
        if not pts:
            raise RuntimeError(f"{run}: no checkpoints/*.pt")
        path = str(pts[-1])
        w = self.window("digits-dcgan")
        w.ckpt.load(path)
        wait_until(lambda: w.shown_checkpoint == path, 60, "the checkpoint loaded")
        w.memo.show()
        self.grab("memorisation_before")
        w.memo.view.button.click()
        wait_until(lambda: w.memo.view.result is not None, 400, "the memorisation result")
        self.grab("memorisation_result", settle_ms=800)
        self.close(w)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="1024x700", help="the main window's size, WxH")
    ap.add_argument("--out", default="/tmp/shots/xvfb", help="folder for the PNGs")
    ap.add_argument("--scenes", default=",".join(SCENES), help=f"comma-separated, of {', '.join(SCENES)}")
    ap.add_argument("--sweep", default="/tmp/bench-sweep/sweep", help="a finished sweep folder")
    ap.add_argument("--runs-folder", default="/tmp/shots/compare/runs", help="a folder of runs to compare")
    ap.add_argument("--memo-run", default="/tmp/shots/latent/cgan", help="an image run with checkpoints")
    a = ap.parse_args()
    try:
        size = tuple(int(v) for v in a.size.lower().split("x"))
        assert len(size) == 2
    except (ValueError, AssertionError):
        print(f"--size: expected WxH, got {a.size!r}", file=sys.stderr)
        return 2
    scenes = [s.strip() for s in a.scenes.split(",") if s.strip()]
    bad = [s for s in scenes if s not in SCENES]
    if bad:
        print(f"--scenes: unknown {', '.join(bad)}; known: {', '.join(SCENES)}", file=sys.stderr)
        return 2
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    print(f"platform {app.platformName()}, screen {app.primaryScreen().geometry().width()}x"
          f"{app.primaryScreen().geometry().height()}, window {a.size}", flush=True)
    sh = Shooter(size, out)
    args = {"sweep": (Path(a.sweep),), "runs": (Path(a.runs_folder),), "memo": (Path(a.memo_run),)}
    failed = 0
    for s in scenes:
        t0 = time.monotonic()
        try:
            getattr(sh, s)(*args.get(s, ()))
        except Exception as e:      # one scene failing does not lose the others
            failed += 1
            print(f"scene {s} failed after {time.monotonic() - t0:.0f} s: {type(e).__name__}: {e}", flush=True)
            for tl in QApplication.topLevelWidgets():
                if isinstance(tl, MainWindow):
                    try:
                        sh.close(tl)
                    except Timeout:
                        pass
    print(f"{len(sh.saved)} PNGs in {out}, {failed} scene(s) failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
