"""The studio closes on SIGTERM and SIGHUP as on File › Quit: its window's close stops a live run with a
checkpoint (test_window.py::test_closing_during_training_saves_a_checkpoint), says so in one line and
exits with 128 + N; nothing is printed as a traceback."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _catches(pid: int, sig: int) -> bool:
    """Whether the process has a handler for `sig` (Linux: SigCgt in /proc/PID/status)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    except OSError:
        pass
    return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to know the studio is up")
@pytest.mark.parametrize("sig", [signal.SIGTERM])     # SIGHUP and Ctrl+C take the same handler
def test_the_studio_closes_on_a_stop_signal(sig):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "gui", "--preset", "ring-2d-gan"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 90
        while not _catches(proc.pid, sig):          # the window is up and its handlers are installed
            assert proc.poll() is None and time.time() < deadline, proc.stderr.read()
            time.sleep(0.1)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + sig, err
    assert f"gan-studio: closed on {signal.Signals(sig).name} (a live run saved its checkpoint)" in err.splitlines()
    assert "Traceback" not in err, err
