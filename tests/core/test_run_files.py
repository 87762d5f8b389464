"""What a run directory promises across processes, tested in this process: the files the studio writes
get the umask's mode (not mkstemp's 0600), the log holds every step of a checkpoint by the time the
checkpoint can be seen, the run directory's lock (refused while held, broken when stale, released at
the end), and every reader of metrics.jsonl skips a malformed line and counts it (hypothesis)."""
from __future__ import annotations

import json
import logging
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.config.io import atomic_write_bytes
from studio.engine import checkpoints, rundir
from studio.engine.events import Failed, Finished, Message
from studio.engine.runlog import LOCK_NAME, MetricsFollower, RunBusy, RunLock, parse_lines, read_metrics
from studio.engine.trainer import Trainer
from studio.inspect.grids import save_png
from studio.tools.compare import EvalReader, load_run, peek_run

from .helpers import run_all, tiny


# ------------------------------------------------------------------------------ modes
@pytest.mark.parametrize("umask,want", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_every_file_a_run_writes_gets_the_umask_mode(tmp_path, umask, want):
    old = os.umask(umask)
    try:
        run = tmp_path / "run"
        evs = run_all(Trainer(tiny("ring-2d-gan", "checkpoint.every=4", steps=8), run, snapshots=False))
        assert isinstance(evs[-1], Finished)
        save_png(np.zeros((4, 4, 3), np.uint8), run / "samples" / "extra.png")
        atomic_write_bytes(tmp_path / "plain.bin", b"x")
    finally:
        os.umask(old)
    files = [p for p in run.rglob("*") if p.is_file() and "tb" not in p.parts] + [tmp_path / "plain.bin"]
    names = {p.name for p in files}
    assert {"config.toml", "metrics.jsonl", "step_00000004.pt", "step_00000004.json", "end_00000008.pt",
            "extra.png"} <= names, names
    modes = {str(p.relative_to(tmp_path)): oct(stat.S_IMODE(p.stat().st_mode)) for p in files}
    assert set(modes.values()) == {oct(want)}, modes


# ------------------------------------------------------------------------------ log before checkpoint
def test_the_log_holds_every_step_of_a_checkpoint_when_it_appears(tmp_path, monkeypatch):
    """At the moment each checkpoint is in place, metrics.jsonl on disk (read by another file handle,
    as a process resuming after a kill would) holds the lines of all its steps."""
    seen = []
    real_save = checkpoints.save

    def save_and_look(path, state, meta=None):
        out = real_save(path, state, meta)
        raw = (Path(path).parent.parent / "metrics.jsonl").read_bytes()
        steps = [r["step"] for r in parse_lines(raw) if r.get("kind") == "iter"]
        seen.append((state["step"], max(steps, default=0)))
        return out

    monkeypatch.setattr(checkpoints, "save", save_and_look)
    cfg = tiny("ring-2d-gan", "checkpoint.every=7", "log.flush_every=50", steps=30)
    run_all(Trainer(cfg, tmp_path / "run", snapshots=False))
    assert len(seen) == 5                 # steps 7, 14, 21, 28 and the end
    assert all(logged == step for step, logged in seen), seen


# ------------------------------------------------------------------------------ the lock
def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _hold(run: Path, pid: int, host: str | None = None) -> None:
    run.mkdir(parents=True, exist_ok=True)
    rundir.mark(run)          # a run directory (a new run refuses an unmarked folder that holds files)
    (run / LOCK_NAME).write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(), "started": 0}))


def test_a_run_directory_held_by_a_live_process_is_refused_in_one_line(tmp_path):
    run = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _hold(run, holder.pid)
        evs = run_all(Trainer(tiny("ring-2d-gan", steps=5), run, snapshots=False))
        f = evs[-1]
        assert isinstance(f, Failed) and not f.bug, evs
        assert f"pid {holder.pid} on host {socket.gethostname()}" in f.message and "\n" not in f.message
        assert not (run / "metrics.jsonl").exists()           # it wrote nothing there
        assert json.loads((run / LOCK_NAME).read_text())["pid"] == holder.pid   # and left the lock alone
        with pytest.raises(RunBusy, match="in use by another GAN Studio process"):
            RunLock(run).acquire()
    finally:
        holder.kill()
        holder.wait()


def test_a_stale_lock_is_broken_and_said_and_the_lock_is_released_at_the_end(tmp_path):
    run = tmp_path / "run"
    dead = _dead_pid()
    _hold(run, dead)
    evs = run_all(Trainer(tiny("ring-2d-gan", steps=5), run, snapshots=False))
    assert isinstance(evs[-1], Finished)
    notes = [e.text for e in evs if isinstance(e, Message)]
    assert any("broke a stale lock" in t and f"process {dead} is gone" in t for t in notes), notes
    assert not (run / LOCK_NAME).exists()
    # another host's lock cannot be judged from here: it is refused, with the file to delete named
    _hold(run, dead, host="elsewhere.example")
    with pytest.raises(RunBusy, match=f"delete {run / LOCK_NAME}"):
        RunLock(run).acquire()


def test_a_lock_being_written_is_waited_for_then_judged(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / LOCK_NAME).write_text("")               # a creator that has not written yet, long ago: stale
    os.utime(run / LOCK_NAME, (0, 0))
    lock = RunLock(run).acquire()
    assert lock.held and "unreadable lock file" in (lock.note or "")
    lock.release()
    assert not (run / LOCK_NAME).exists()


# ------------------------------------------------------------------------------ malformed lines
GOOD = [{"step": 1, "kind": "iter", "t": 0.1, "loss_d": 0.5, "loss_g": "nan"},
        {"event": "eval", "step": 1, "modes": 3.0},
        {"event": "message", "step": 1, "level": "warning", "code": "x", "text": "hello"},
        {"step": 2, "kind": "iter", "t": 0.2, "loss_d": 0.4, "loss_g": 0.7}]

values = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, allow_infinity=False),
                   st.text(max_size=5), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2),
                                                                                             st.integers(), max_size=2))
KEYS = ["step", "kind", "t", "loss_d", "event", "level", "text", "code", "key", "from_step", "modes"]
damaged_record = st.builds(lambda base, k, v: {**base, k: v}, st.sampled_from(GOOD), st.sampled_from(KEYS), values)
raw_line = st.one_of(damaged_record.map(json.dumps), st.sampled_from(["null", "[1]", '"x"', "{", "1e999", "{}"]),
                     st.binary(max_size=20).filter(lambda b: b"\n" not in b and b.strip()).map(lambda b: b.decode("latin-1")))


def _log_with(tmp_path: Path, bad: list[str]) -> tuple[Path, list[int]]:
    """A run directory whose metrics.jsonl has the good lines with `bad` lines between them; returns
    the 1-based line numbers of the bad ones."""
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    (run / "config.toml").write_text('title = "t"\n')
    lines, where = [], []
    for i, rec in enumerate(GOOD):
        lines.append(json.dumps(rec))
        if i < len(bad):
            lines.append(bad[i])
            where.append(len(lines))
    (run / "metrics.jsonl").write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
    return run, where


@settings(max_examples=150, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(bad=st.lists(raw_line, min_size=1, max_size=3))
def test_every_reader_skips_a_malformed_line_and_counts_it(tmp_path_factory, bad):
    run, where = _log_with(tmp_path_factory.mktemp("log"), bad)
    path = run / "metrics.jsonl"
    counted: list = []
    good = parse_lines(path.read_bytes(), counted)
    kept = len(good) - len(GOOD)          # a "damaged" record that is still a valid one (e.g. t: 0)
    assert len(counted) + kept == len(bad) and [n for n, _ in counted] == [
        n for n in where if n in {m for m, _ in counted}]
    for r in good:                        # what readers get: a whole step, names as text
        assert type(r["step"]) is int and r["step"] >= 0
        assert all(isinstance(r.get(k), str) for k in ("event", "kind", "level", "text", "code") if k in r)
    # the follower (the studio's Ctrl+O, the sweep's parent): counts, and one warning naming file and line
    f = MetricsFollower(path)
    assert f.poll() == good and f.skipped == len(counted)
    if counted:
        assert f.warning.startswith(f"{path}: line {counted[0][0]}:") and "\n" not in f.warning
    assert all(r in good for r in read_metrics(path))
    # the checkpoints dock's evaluations and the Runs tab: no exception, the good records kept
    assert any(step == 1 for step, _ in EvalReader(path).poll())
    assert peek_run(run).step == 2


def test_malformed_lines_through_compare_and_a_followed_file(tmp_path, caplog):
    run = tmp_path / "run"
    run_all(Trainer(tiny("ring-2d-gan", steps=4), run, snapshots=False))
    path = run / "metrics.jsonl"
    with open(path, "a") as fh:
        fh.write('{"step": null, "kind": "iter", "loss_d": 1.0}\n{"step": 5, "kind": "iter", "loss_d": "x"}\n'
                 '{"step": 6, "kind": "iter", "t": 0.1, "loss_d": 0.5}\n')
    n = len(path.read_text().splitlines())
    caplog.set_level(logging.WARNING, "studio.runlog")
    s = load_run(run)
    assert s.step == 6
    warned = [r.getMessage() for r in caplog.records]
    assert warned == [f"{path}: line {n - 2}: 'step' must be a whole number >= 0 (got null); malformed lines "
                      f"are skipped (the reader counts them)"]
    load_run(run)                                  # logged once a process, not at every read
    assert len(caplog.records) == 1
    f = MetricsFollower(path)
    assert [r["step"] for r in f.poll() if r.get("kind") == "iter"] == [1, 2, 3, 4, 6] and f.skipped == 2
