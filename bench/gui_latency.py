"""Does the studio stay responsive, and does it slow training down?

While a preset trains in the studio (the DCGAN preset when it exists, else ring-2d-wgan-gp), a 10 ms
QTimer measures how late the event loop serves it (p50, p99, max). The training steps/s in the
studio are compared with the headless Trainer (iterated as the CLI does: on the main thread, no
snapshots, writing its run directory) on the same preset, in the same process.

The two are measured in alternating rounds (studio, then headless while the studio is paused, and
again), because the speed of a shared or throttled machine drifts by 10-20% over a minute: one long
phase of each would mostly measure that drift. Targets: p99 lag < 50 ms, studio/headless >= 0.9.

`--case load`: while the preset trains in the studio, a Fashion-MNIST DCGAN checkpoint is loaded with
the checkpoint panel's Load (its view and the latent explorer); the longest stall of the GUI thread
from the click until the loaded state is on screen is reported. Target: under 50 ms. The training
run's torch thread count must be the same afterwards.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_latency.py [--preset NAME] [--rounds 6]
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_latency.py --case load [--repeat 3]
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
    from studio.config.paths import presets_dir
    for name in ("fashion-dcgan", "digits-dcgan", "ring-2d-wgan-gp"):
        if (presets_dir() / f"{name}.toml").exists():
            return name
    raise SystemExit("no benchmark preset found")


def config(preset: str, device: str):
    from studio.config.presets import load_preset
    from studio.config.io import set_value
    cfg = load_preset(preset)
    set_value(cfg, "train.steps", 100_000_000)
    set_value(cfg, "train.device", device)
    set_value(cfg, "checkpoint.every", 0)
    set_value(cfg, "checkpoint.at_end", False)
    return cfg


class Headless:
    """The CLI's loop, run for a while at a time: `run_for(seconds)` returns (steps, seconds)."""

    def __init__(self, cfg, out: Path):
        from studio.engine.trainer import Trainer
        self.trainer = Trainer(cfg, out, name="headless", snapshots=False)
        self.gen = self.trainer.run()

    def run_for(self, seconds: float) -> tuple[int, float]:
        s0, t0 = self.trainer.step, time.perf_counter()
        for _ in self.gen:
            if time.perf_counter() - t0 >= seconds:
                break
        return self.trainer.step - s0, time.perf_counter() - t0

    def close(self) -> None:
        self.trainer.stop()
        for _ in self.gen:
            pass


def open_studio(preset: str, cfg, out: Path):
    """The studio's window at 1400x900 with `cfg` in its form; runs and settings under `out`."""
    os.environ["GAN_STUDIO_RUNS"] = str(out / "runs")
    from PySide6.QtCore import QSettings
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)      # leave the user's settings alone
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(out / "settings"))
    from studio.gui.app import make_app
    from studio.gui.main_window import MainWindow
    app = make_app()
    w = MainWindow(preset)
    w.resize(1400, 900)
    w.show()
    w.form.set_config(cfg)
    return app, w


def measure(preset: str, cfg, rounds: int, seconds: float, warmup: float, out: Path,
            verbose: bool = False) -> dict:
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    app, w = open_studio(preset, cfg, out)
    head = Headless(cfg, out / "headless")
    head.run_for(warmup)                      # the headless side's warm-up (allocator, oneDNN)
    lags: list[float] = []
    r = {"studio": [0, 0.0], "headless": [0, 0.0], "gui_cpu": 0.0, "rounds": 0}
    clock = QElapsedTimer()
    st = {"last": None, "measuring": False, "s0": 0, "t0": 0.0, "c0": 0.0}

    def tick():
        now = clock.nsecsElapsed() / 1e9
        if st["measuring"] and st["last"] is not None:
            lags.append(max(now - st["last"] - 0.010, 0.0))
            if verbose and lags[-1] > 0.05:
                print(f"  stall of {lags[-1] * 1000:.0f} ms, {time.perf_counter() - st['t0']:.2f} s "
                      f"into a studio phase, at step {w.session.step}")
        st["last"] = now

    def when(state: str, then) -> None:
        """Call `then` once the session is in `state`."""
        if w.session.state == state:
            then()
        else:
            QTimer.singleShot(20, lambda: when(state, then))

    def studio_phase():
        st["s0"], st["t0"], st["c0"] = w.session.step, time.perf_counter(), time.thread_time()
        st["measuring"], st["last"] = True, None
        QTimer.singleShot(int(seconds * 1000), end_studio_phase)

    def end_studio_phase():
        st["measuring"] = False
        r["studio"][0] += w.session.step - st["s0"]
        r["studio"][1] += time.perf_counter() - st["t0"]
        r["gui_cpu"] += time.thread_time() - st["c0"]
        w.train_or_pause()                    # the Train/Pause button's action
        when("paused", headless_phase)

    def headless_phase():
        n, dt = head.run_for(seconds)         # blocks the GUI like a CLI run has no GUI
        r["headless"][0] += n
        r["headless"][1] += dt
        r["rounds"] += 1
        if r["rounds"] >= rounds:
            w.close()
            app.quit()
            return
        w.train_or_pause()
        when("running", lambda: QTimer.singleShot(300, studio_phase))   # let the worker get going

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    w.train_or_pause()
    when("running", lambda: QTimer.singleShot(int(warmup * 1000), studio_phase))
    app.exec()
    head.close()
    r["lags"] = lags
    return r


def fashion_checkpoint(out: Path) -> Path:
    """A Fashion-MNIST DCGAN checkpoint (two steps of the preset), written headless."""
    from studio.config.io import set_value
    from studio.config.presets import load_preset
    from studio.engine.trainer import Trainer
    cfg = load_preset("fashion-dcgan")
    for key, value in (("train.steps", 2), ("checkpoint.every", 0), ("eval.every", 0), ("log.grid_every", 0)):
        set_value(cfg, key, value)
    t = Trainer(cfg, out / "fashion-run", snapshots=False)
    for _ in t.run():
        pass
    return next((out / "fashion-run" / "checkpoints").glob("end_*.pt"))


def measure_load(preset: str, cfg, ckpt: Path, repeat: int, warmup: float, out: Path) -> dict:
    """Longest GUI-thread stall while Load opens `ckpt` during a training run, `repeat` times."""
    import torch
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    app, w = open_studio(preset, cfg, out)
    clock = QElapsedTimer()
    r = {"stalls": [], "seconds": [], "threads": []}
    st = {"last": None, "worst": 0.0, "t0": 0.0, "n": 0, "measuring": False}

    def tick():
        now = clock.nsecsElapsed() / 1e9
        if st["measuring"] and st["last"] is not None:
            st["worst"] = max(st["worst"], now - st["last"] - 0.010)
        st["last"] = now

    def start_load():
        w.ckpt.loaded = None
        r["threads"].append(torch.get_num_threads())
        st.update(worst=0.0, last=clock.nsecsElapsed() / 1e9, measuring=True, t0=time.perf_counter())
        w.ckpt.load(str(ckpt))
        wait_loaded()

    def wait_loaded():
        if w.ckpt.loaded != str(ckpt):
            QTimer.singleShot(5, wait_loaded)
            return
        r["seconds"].append(time.perf_counter() - st["t0"])
        QTimer.singleShot(500, finish_one)       # and the frames that draw it

    def finish_one():
        st["measuring"] = False
        r["stalls"].append(max(st["worst"], 0.0))
        r["threads"][-1] = (r["threads"][-1], torch.get_num_threads())
        st["n"] += 1
        if st["n"] >= repeat:
            w.close()
            app.quit()
        else:
            QTimer.singleShot(1000, start_load)

    def when_running():
        if w.session.state == "running" and w.session.step > 0:
            QTimer.singleShot(int(warmup * 1000), start_load)
        else:
            QTimer.singleShot(20, when_running)

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    w.train_or_pause()
    when_running()
    app.exec()
    return r


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default=None)
    ap.add_argument("--rounds", type=int, default=6, help="studio/headless round pairs")
    ap.add_argument("--seconds", type=float, default=5.0, help="length of each phase of a round")
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    ap.add_argument("--verbose", action="store_true", help="print every stall over 50 ms as it happens")
    ap.add_argument("--case", default="throughput", choices=("throughput", "load"))
    ap.add_argument("--repeat", type=int, default=3, help="loads measured in the load case")
    a = ap.parse_args()
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    preset = a.preset or pick_preset()
    cfg = config(preset, a.device)
    if a.case == "load":
        with tempfile.TemporaryDirectory() as tmp:
            ckpt = fashion_checkpoint(Path(tmp))
            r = measure_load(preset, cfg, ckpt, a.repeat, a.warmup, Path(tmp))
        worst = max(r["stalls"]) * 1000
        print(f"preset {preset} training; Load of a Fashion-MNIST DCGAN checkpoint, {len(r['stalls'])} times")
        print("longest GUI-thread stall per load: " + ", ".join(f"{x * 1000:.0f} ms" for x in r["stalls"])
              + "  (target < 50 ms)")
        print("click to loaded state on screen: " + ", ".join(f"{x:.2f} s" for x in r["seconds"]))
        print("torch threads of the process before/after each load: "
              + ", ".join(f"{b}->{after}" for b, after in r["threads"]))
        ok = worst < 50 and all(b == after for b, after in r["threads"])
        print("targets met" if ok else "targets NOT met")
        return 0 if ok else 1
    with tempfile.TemporaryDirectory() as tmp:
        r = measure(preset, cfg, a.rounds, a.seconds, a.warmup, Path(tmp), a.verbose)
    import torch
    dev = torch.cuda.get_device_name(0) if torch.cuda.is_available() and a.device != "cpu" else \
        f"CPU ({os.cpu_count()} cores)"
    ms = [x * 1000 for x in r["lags"]]
    studio_rate = r["studio"][0] / r["studio"][1]
    head_rate = r["headless"][0] / r["headless"][1]
    ratio = studio_rate / head_rate if head_rate > 0 else float("nan")
    p99 = pct(ms, 0.99)
    print(f"preset {preset} on {dev}, {r['rounds']} rounds of {a.seconds:g} s studio + {a.seconds:g} s "
          f"headless, Qt platform {os.environ.get('QT_QPA_PLATFORM') or 'xcb'}")
    print(f"event-loop lag of a 10 ms timer ({len(ms)} ticks): p50 {pct(ms, 0.5):.1f} ms, "
          f"p99 {p99:.1f} ms, max {max(ms, default=float('nan')):.1f} ms  (target p99 < 50 ms)")
    print(f"GUI thread busy {100 * r['gui_cpu'] / r['studio'][1]:.0f}% of one core while training")
    print(f"steps/s: headless {head_rate:.2f}, studio {studio_rate:.2f}; ratio {ratio:.3f}  "
          f"(target >= 0.9)")
    ok = p99 < 50 and ratio >= 0.9
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
