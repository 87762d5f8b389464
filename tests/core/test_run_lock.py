"""The run lock knows its holder by pid *and* start time (issue 22): after a SIGKILL the kernel may give
the dead holder's pid to another process, and a lock judged by its pid alone would then hold the run
for ever. A lock whose pid lives but started at another time (or on another boot) is stale."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from studio.engine import rundir
from studio.engine.events import Finished, Message
from studio.engine.runlog import LOCK_NAME, RunBusy, RunLock, boot_id, pid_alive, process_start
from studio.engine.trainer import Trainer

from .helpers import run_all, tiny

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="start times come from /proc")


def _lock(run: Path, pid: int, **kw) -> None:
    run.mkdir(parents=True, exist_ok=True)
    rundir.mark(run)          # a run directory (a lock is only ever in one)
    rec = {"pid": pid, "host": socket.gethostname(), "started": 0, "pid_start": process_start(pid),
           "boot": boot_id(), **kw}
    (run / LOCK_NAME).write_text(json.dumps(rec))


@pytest.fixture
def other():
    """Another live process of this host (the stand-in for whoever has the pid now)."""
    p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield p
    p.kill()
    p.wait()


def test_the_start_time_is_field_22_of_proc_stat_in_ticks_since_boot(other):
    mine, theirs = process_start(os.getpid()), process_start(other.pid)
    assert isinstance(mine, int) and isinstance(theirs, int) and theirs >= mine   # started after this one
    # /proc/uptime in hundredths, as ticks (rounded: 19964.92 s is tick 1996492, not 1996491.999…)
    uptime = round(float(Path("/proc/uptime").read_text().split()[0]) * os.sysconf("SC_CLK_TCK"))
    assert 0 <= uptime - theirs < 60 * os.sysconf("SC_CLK_TCK")      # it started a moment ago
    assert process_start(other.pid) == theirs                          # the same process, the same number
    assert pid_alive(other.pid, theirs) and not pid_alive(other.pid, theirs - 1)


def test_a_lock_records_its_holders_start_time_and_boot(tmp_path):
    lock = RunLock(tmp_path).acquire()
    rec = json.loads((tmp_path / LOCK_NAME).read_text())
    assert rec["pid"] == os.getpid() and rec["pid_start"] == process_start(os.getpid())
    assert rec["boot"] == Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    lock.release()
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_live_holder_with_its_own_start_time_keeps_the_run(tmp_path, other):
    _lock(tmp_path, other.pid)
    with pytest.raises(RunBusy, match=f"pid {other.pid} on host"):
        RunLock(tmp_path).acquire()
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == other.pid


def test_a_pid_reused_by_a_later_process_is_a_stale_lock_and_the_run_trains(tmp_path, other):
    """The lock names `other`'s pid with an earlier start time: the process that took it is gone and
    its pid was given to `other`. Without the start time the run would be refused as busy."""
    run = tmp_path / "run"
    _lock(run, other.pid, pid_start=process_start(other.pid) - 250)
    evs = run_all(Trainer(tiny("ring-2d-gan", steps=5), run, snapshots=False))
    assert isinstance(evs[-1], Finished), evs[-3:]
    notes = [e.text for e in evs if isinstance(e, Message) and "stale lock" in e.text]
    assert len(notes) == 1 and f"its process {other.pid} is gone; that pid now belongs to another process" in notes[0]
    assert not (run / LOCK_NAME).exists() and other.poll() is None     # released; the other process untouched


def test_a_lock_of_an_earlier_boot_is_stale(tmp_path, other):
    _lock(tmp_path, other.pid, boot="00000000-0000-0000-0000-000000000000")
    lock = RunLock(tmp_path).acquire()
    assert lock.held and "the machine was restarted since its process" in lock.note
    lock.release()


def test_this_processs_pid_in_a_lock_of_an_earlier_process_is_not_taken_as_its_own(tmp_path):
    """A lock left by a dead process whose pid this process now has: broken (and said), not silently
    re-taken as this process's own; this process's own lock is re-taken silently."""
    _lock(tmp_path, os.getpid(), pid_start=process_start(os.getpid()) - 1)
    lock = RunLock(tmp_path).acquire()
    assert lock.held and "now belongs to another process" in (lock.note or "")
    again = RunLock(tmp_path).acquire()             # this process's own lock: taken again, no note
    assert again.held and again.note is None
    lock.release()


def test_an_older_lock_without_a_start_time_is_judged_by_its_pid(tmp_path, other):
    _lock(tmp_path, other.pid, pid_start=None, boot=None)
    with pytest.raises(RunBusy):
        RunLock(tmp_path).acquire()


def _spawn_with_pid(pid: int, tries: int = 50) -> subprocess.Popen | None:
    """A sleeping process given exactly `pid` (Linux: /proc/sys/kernel/ns_last_pid, root); None when
    another process of the machine took that pid first every time."""
    for _ in range(tries):
        try:
            Path("/proc/sys/kernel/ns_last_pid").write_text(str(pid - 1))
        except OSError:
            pytest.skip("cannot choose the next pid here (needs root and /proc/sys/kernel/ns_last_pid)")
        p = subprocess.Popen(["sleep", "60"])
        if p.pid == pid:
            return p
        p.kill()
        p.wait()
    return None


def test_a_real_reused_pid_does_not_hold_the_run(tmp_path):
    """The real thing: a process takes the lock and is SIGKILLed; the kernel gives its pid to a new
    process (forced through ns_last_pid); the next writer breaks the lock instead of waiting for ever."""
    run = tmp_path / "run"
    run.mkdir()
    code = ("import os, signal, sys\nfrom studio.engine.runlog import RunLock\n"
            "RunLock(sys.argv[1]).acquire()\nos.kill(os.getpid(), signal.SIGKILL)\n")
    root = Path(__file__).resolve().parents[2]
    dead = subprocess.Popen([sys.executable, "-c", code, str(run)], cwd=root, env=dict(os.environ, PYTHONPATH=str(root)))
    assert dead.wait() == -9
    held = json.loads((run / LOCK_NAME).read_text())
    assert held["pid"] == dead.pid and isinstance(held["pid_start"], int)
    reuse = _spawn_with_pid(dead.pid)
    if reuse is None:
        pytest.skip("the pid was taken by another process of the machine every time")
    try:
        assert pid_alive(dead.pid)                     # by pid alone, the holder still looks alive
        lock = RunLock(run).acquire()
        assert lock.held and f"its process {dead.pid} is gone; that pid now belongs to another process" in lock.note
        lock.release()
    finally:
        reuse.kill()
        reuse.wait()
