"""How long `gan-studio gui` lives on after File › Quit with a live run (issue 20 saw 4-15 s).

Starts the studio offscreen in a child process (studio.gui.app.main, as `gan-studio gui --preset P`),
presses Train, and after SECONDS triggers File › Quit. The child prints wall-clock stamps at Quit, when
closeEvent is done (run stopped, checkpoint written, workers waited for), when the event loop returns
and when main() returns; the parent notes when the process is gone. Prints one line per repeat and the
median of each stage.

    python bench/quit_time.py [--preset toy-1d-shift] [--seconds 4] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r'''
import sys, time
from PySide6.QtCore import QTimer
import studio.gui.app as app
import studio.gui.main_window as mw

def stamp(what):
    print(what, repr(time.time()), flush=True)

class Window(mw.MainWindow):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.controls.set_pace(None)
        QTimer.singleShot(300, lambda: self.controls.actions_by_name["train"].trigger())
        QTimer.singleShot(int(float(sys.argv[2]) * 1000), self.quit_now)

    def quit_now(self):
        stamp("STEP %d" % self.session.step)
        stamp("QUIT")
        self.file_menu.quit_action.trigger()

    def closeEvent(self, e):
        super().closeEvent(e)
        stamp("CLOSED")

app.MainWindow = Window
code = app.main(sys.argv[1])
stamp("MAIN_RETURNED")
sys.exit(code)
'''


def once(preset: str, seconds: float) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory() as d:
        env.setdefault("GAN_STUDIO_RUNS", os.path.join(d, "runs"))
        env["XDG_CONFIG_HOME"] = os.path.join(d, "config")
        proc = subprocess.Popen([sys.executable, "-c", CHILD, preset, str(seconds)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        out, _ = proc.communicate(timeout=300)
        gone = time.time()
    t = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("QUIT", "CLOSED", "MAIN_RETURNED"):
            t[parts[0]] = float(parts[1])
        elif parts and parts[0] == "STEP":
            t["step"] = float(parts[1])
    q = t["QUIT"]
    return {"step": t.get("step", 0), "close": t["CLOSED"] - q, "loop": t["MAIN_RETURNED"] - q,
            "exit": gone - q, "rc": proc.returncode}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="toy-1d-shift")
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    rows = []
    for i in range(a.repeat):
        r = once(a.preset, a.seconds)
        rows.append(r)
        print(f"{a.preset}: quit at step {r['step']:.0f}; closeEvent done {r['close']:.2f} s, main() returned "
              f"{r['loop']:.2f} s, process gone {r['exit']:.2f} s after Quit (exit code {r['rc']})", flush=True)
    med = {k: statistics.median(r[k] for r in rows) for k in ("close", "loop", "exit")}
    print(f"median of {a.repeat}: closeEvent {med['close']:.2f} s, main() {med['loop']:.2f} s, "
          f"process gone {med['exit']:.2f} s after Quit")


if __name__ == "__main__":
    main()
