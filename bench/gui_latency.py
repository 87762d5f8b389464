"""Does the studio stay responsive, and does it slow training down?

While a preset trains in the studio (the DCGAN preset when it exists, else ring-2d-wgan-gp), a 10 ms
QTimer measures how late the event loop serves it (p50, p99, max). The training steps/s in the
studio are compared with the headless Trainer (as the CLI runs it) on the same preset, in the same
process, for the same wall time. Targets: p99 lag < 50 ms, studio/headless steps/s >= 0.9.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_latency.py [--preset NAME] [--seconds 20]
    xvfb-run -a .venv/bin/python bench/gui_latency.py          # with a real (virtual) X server
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pick_preset() -> str:
    from studio.paths import presets_dir
    for name in ("fashion-dcgan", "digits-dcgan", "ring-2d-wgan-gp"):
        if (presets_dir() / f"{name}.toml").exists():
            return name
    raise SystemExit("no benchmark preset found")


def config(preset: str, device: str):
    from studio.presets import load_preset, set_value
    cfg = load_preset(preset)
    set_value(cfg, "train.steps", 100_000_000)
    set_value(cfg, "train.device", device)
    set_value(cfg, "checkpoint.every", 0)
    set_value(cfg, "checkpoint.at_end", False)
    return cfg


def headless(cfg, seconds: float, warmup: float, out: Path, threaded: bool = False) -> float:
    """Steps/s of the Trainer iterated as the CLI does (no snapshots, writing its run directory),
    on the main thread like the CLI, or on a second thread like the studio's worker."""
    if threaded:
        import threading
        box = []
        th = threading.Thread(target=lambda: box.append(headless(cfg, seconds, warmup, out)))
        th.start()
        th.join()
        return box[0]
    from studio.core.trainer import Trainer
    t = Trainer(cfg, out / "headless", name="headless", snapshots=False)
    gen = t.run()
    t0 = time.perf_counter()
    s0 = None
    for _ in gen:
        now = time.perf_counter()
        if s0 is None and now - t0 >= warmup:
            s0, t1 = t.step, now
        if s0 is not None and now - t1 >= seconds:
            break
    rate = (t.step - s0) / (time.perf_counter() - t1)
    t.stop()
    for _ in gen:
        pass
    return rate


def studio(preset: str, cfg, seconds: float, warmup: float, out: Path) -> tuple[float, list[float]]:
    """Steps/s while the studio trains and shows the run, and the lateness of a 10 ms timer."""
    os.environ["GAN_STUDIO_RUNS"] = str(out)
    from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QTimer
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)      # leave the user's settings alone
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(out / "settings"))
    from studio.gui.app import make_app
    from studio.gui.main_window import MainWindow
    app = make_app()
    w = MainWindow(preset)
    w.resize(1400, 900)
    w.show()
    w.form.set_config(cfg)
    lags: list[float] = []
    clock = QElapsedTimer()
    state = {"last": None, "s0": None, "t0": None, "rate": 0.0}

    def tick():
        now = clock.nsecsElapsed() / 1e9
        if state["last"] is not None and state["s0"] is not None:
            lags.append(max(now - state["last"] - 0.010, 0.0))
        state["last"] = now

    def begin():
        tr = w.session.trainer
        if tr is None or w.session.state != "running":
            QTimer.singleShot(100, begin)
            return
        QTimer.singleShot(int(warmup * 1000), start_measuring)

    def start_measuring():
        state["s0"], state["t0"] = w.session.trainer.step, time.perf_counter()
        QTimer.singleShot(int(seconds * 1000), finish)

    def finish():
        tr = w.session.trainer
        state["rate"] = (tr.step - state["s0"]) / (time.perf_counter() - state["t0"])
        w.close()
        app.quit()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    w.train_or_pause()
    begin()
    app.exec()
    return state["rate"], lags


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default=None)
    ap.add_argument("--seconds", type=float, default=20.0, help="measuring time of each phase")
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    a = ap.parse_args()
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    preset = a.preset or pick_preset()
    cfg = config(preset, a.device)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        main_thread = headless(cfg, a.seconds, a.warmup, out / "a")
        worker = headless(cfg, a.seconds, a.warmup, out / "b", threaded=True)
        rate, lags = studio(preset, cfg, a.seconds, a.warmup, out)
    # compare with the faster headless figure: a busy machine can make torch's OpenMP threads on
    # the main thread much slower than on a second thread, which would flatter the studio
    base = max(main_thread, worker)
    import torch
    dev = torch.cuda.get_device_name(0) if torch.cuda.is_available() and a.device != "cpu" else \
        f"CPU ({os.cpu_count()} cores)"
    ms = [x * 1000 for x in lags]
    ratio = rate / base if base > 0 else float("nan")
    p99 = pct(ms, 0.99)
    print(f"preset {preset} on {dev}, {a.seconds:g} s per phase, Qt platform "
          f"{os.environ.get('QT_QPA_PLATFORM') or 'xcb'}")
    print(f"event-loop lag of a 10 ms timer ({len(ms)} ticks): p50 {pct(ms, 0.5):.1f} ms, "
          f"p99 {p99:.1f} ms, max {max(ms, default=float('nan')):.1f} ms  (target p99 < 50 ms)")
    print(f"steps/s: headless {main_thread:.2f} on the main thread, {worker:.2f} on a worker thread; "
          f"studio {rate:.2f}; ratio to the faster headless {ratio:.3f}  (target >= 0.9)")
    ok = p99 < 50 and ratio >= 0.9
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
