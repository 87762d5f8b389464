"""The studio killed mid-run (issue 22), as real processes: the studio (offscreen) is started on a small
toy preset by a tiny driver that presses Train with a mouse click, the way a person starts a run, and
is then killed.

SIGKILL (the out-of-memory killer, a crash): nothing runs on the way out. The run is reopened with
`gan-studio train --resume` of its newest checkpoint: its log held every step of that checkpoint, the
lock the studio left is broken as stale (and said), no temporary file is left and the run continues
step by step from there. SIGTERM (logout, `kill`): the studio stops the run with a checkpoint, says so,
releases the lock and exits 143; the run resumes from that checkpoint."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.cli import main
from studio.engine.runlog import LOCK_NAME, read_metrics

ROOT = Path(__file__).resolve().parents[2]

# The studio of `gan-studio gui` (studio.gui.app.main: its signal handling included), with a window
# that trains at full speed with small nets, a checkpoint every 20 steps, and presses Train by mouse
# once it is on screen.
DRIVER = r"""
import sys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
import studio.gui.app as app

class Driven(app.MainWindow):
    def __init__(self, preset):
        super().__init__(preset)
        self.controls.set_pace(None)
        for key, value in (("train.steps", 1_000_000), ("checkpoint.every", 20), ("eval.every", 0),
                           ("model.hidden", 16), ("model.depth", 2), ("train.batch_size", 32)):
            self.model.set_value(key, value)
        QTimer.singleShot(300, self.press_train)

    def press_train(self):
        c = self.controls
        button = c.widgetForAction(c.actions_by_name["train"])
        QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())
        print("pressed Train", flush=True)

app.MainWindow = Driven
sys.exit(app.main("ring-2d-gan"))
"""

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc of Linux")


def _studio(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    runs = tmp_path / "runs"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), GAN_STUDIO_RUNS=str(runs),
               XDG_CONFIG_HOME=str(tmp_path / "config"), GAN_STUDIO_THREADS="1", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-c", DRIVER], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc, runs


def _training(proc: subprocess.Popen, runs: Path, checkpoints: int = 2, timeout: float = 120) -> Path:
    """The run directory, once it holds `checkpoints` periodic checkpoints."""
    deadline = time.time() + timeout
    while True:
        assert proc.poll() is None, f"the studio ended ({proc.returncode}): {proc.stderr.read()[-2000:]}"
        assert time.time() < deadline, "the studio did not train"
        found = [p.parent.parent for p in runs.glob("*/checkpoints/step_*.pt")]
        if found and len(list(found[0].glob("checkpoints/step_*.pt"))) >= checkpoints:
            return found[0]
        time.sleep(0.05)


def _iter_steps(run: Path) -> list[int]:
    return [r["step"] for r in read_metrics(run / "metrics.jsonl") if r.get("kind") == "iter"]


def _tmp_files(run: Path) -> list[Path]:
    return [p for d in (run, run / "checkpoints", run / "samples") for p in d.glob(".*.tmp")]


def _newest(run: Path) -> tuple[Path, int]:
    path = max((run / "checkpoints").glob("*.pt"), key=lambda p: int(p.stem.split("_")[1]))
    return path, int(path.stem.split("_")[1])


def test_the_studio_killed_mid_run_is_resumed_from_its_newest_checkpoint(tmp_path, capsys):
    proc, runs = _studio(tmp_path)
    try:
        run = _training(proc, runs)
        proc.kill()
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    newest, step = _newest(run)
    assert step >= 40 and step % 20 == 0
    steps = _iter_steps(run)
    assert steps[:step] == list(range(1, step + 1)), steps[:step + 5]   # every step the checkpoint holds
    assert json.loads((run / LOCK_NAME).read_text())["pid"] == proc.pid  # the studio's lock, left behind

    capsys.readouterr()
    assert main(["train", "--resume", str(newest), "--steps", str(step + 30), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"broke a stale lock on {run} (its process {proc.pid} is gone" in err, err
    assert "Traceback" not in err
    assert _iter_steps(run) == list(range(1, step + 31))                  # resumed there, every step once
    assert [r["step"] for r in read_metrics(run / "metrics.jsonl") if r.get("event") == "resume"] == [step]
    assert (run / "checkpoints" / f"end_{step + 30:08d}.pt").exists()
    assert not _tmp_files(run) and not (run / LOCK_NAME).exists()


def test_sigterm_stops_the_studios_run_with_a_checkpoint_and_it_exits(tmp_path, capsys):
    proc, runs = _studio(tmp_path)
    try:
        run = _training(proc, runs, checkpoints=1)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "gan-studio: closed on SIGTERM (a live run saved its checkpoint)" in err.splitlines(), err
    assert "Traceback" not in err, err
    saved = sorted((run / "checkpoints").glob("interrupt_*.pt"))
    assert len(saved) == 1, sorted(p.name for p in (run / "checkpoints").iterdir())
    newest, step = _newest(run)
    assert newest == saved[0] and step > 20                             # the newest: where it stopped
    assert _iter_steps(run) == list(range(1, step + 1))                   # the log holds every step, no more
    assert not (run / LOCK_NAME).exists() and not _tmp_files(run)        # released on the way out

    capsys.readouterr()
    assert main(["train", "--resume", str(newest), "--steps", str(step + 10), "--quiet"]) == 0
    assert "stale lock" not in capsys.readouterr().err
    assert _iter_steps(run) == list(range(1, step + 11))
