"""Faults never lose work and never end in a traceback: a full disk, a directory that may not be
written, a kill during a save, a torn metrics line, stale temporary files, NaN weights in a checkpoint,
evaluations that cannot run, and the emergency checkpoint a failed run leaves."""
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import torch

from studio import cli
from studio.engine import checkpoints
from studio.engine.checkpoints import CheckpointError
from studio.engine.events import CheckpointSaved, Failed, Finished, Message, Started
from studio.engine.runlog import MetricsFollower, RunLog, read_metrics
from studio.engine.trainer import Trainer
from studio.quality import evaluate, features

from .helpers import run_all, tiny

ROOT = Path(__file__).resolve().parents[2]


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT), GAN_STUDIO_THREADS="1")


def _failed(evs) -> Failed:
    assert evs and isinstance(evs[-1], Failed), evs[-3:]
    f = evs[-1]
    assert "\n" not in f.message, f.message
    return f


def _lines(path: Path) -> list[dict]:
    """Every line of a metrics.jsonl; all of them must be complete JSON."""
    raw = path.read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), raw[-80:]
    return [json.loads(line) for line in raw.decode().splitlines()]


def _iter_steps(recs) -> list[int]:
    return [r["step"] for r in recs if r.get("kind") == "iter"]


def _tmp_files(run: Path) -> list[Path]:
    return [p for d in (run, run / "checkpoints", run / "samples") for p in d.glob(".*.tmp")]


@contextmanager
def _tmpfs(path: Path, *opts: str):
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(opts), "tmpfs", str(path)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({r.stderr.strip() or r.returncode})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _nan_checkpoint(tmp_path) -> Path:
    cfg = tiny("ring-2d-gan", "checkpoint.every=3", steps=6)
    run_all(Trainer(cfg, tmp_path / "src", snapshots=False))
    path = tmp_path / "src" / "checkpoints" / "end_00000006.pt"
    st = checkpoints.load(path)
    next(iter(st["modules"]["G"].values())).fill_(float("nan"))
    checkpoints.save(path, {k: v for k, v in st.items() if k not in ("format", "version")})
    return path


# ------------------------------------------------------------------------------ full disk
def _check_full_disk_run(run: Path, evs) -> Failed:
    f = _failed(evs)
    assert not f.bug and "no space left on device" in f.message and str(run) in f.message
    recs = _lines(run / "metrics.jsonl")                      # kept, complete, in order
    steps = _iter_steps(recs)
    assert steps and steps == list(range(1, len(steps) + 1))
    for p in (run / "checkpoints").glob("*.pt"):               # what was written still loads
        checkpoints.load(p)
    assert not _tmp_files(run)
    return f


# TensorBoard's writer thread meets the full disk too: what it raises is kept for the run's next write,
# not printed as a traceback (that would be a PytestUnhandledThreadExceptionWarning, an error here)
@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_full_disk_on_a_small_tmpfs(tmp_path):
    with _tmpfs(tmp_path / "disk", "size=300k") as disk:
        run = disk / "run"
        cfg = tiny("ring-2d-gan", "checkpoint.every=1", "checkpoint.keep_last=0", steps=5000)
        evs = run_all(Trainer(cfg, run, snapshots=False))
        f = _check_full_disk_run(run, evs)
        assert "checkpoints" in f.message and "--resume" in f.message
        said = [e for e in evs if isinstance(e, Message) and e.code == "emergency"]
        assert len(said) == 1 and "emergency" in said[0].text
        assert len(list((run / "checkpoints").glob("step_*.pt"))) >= 2

        shutil.rmtree(run)                                     # the same, filled by metrics.jsonl alone
        cfg = tiny("ring-2d-gan", "log.flush_every=20", steps=100_000)
        evs = run_all(Trainer(cfg, run, snapshots=False))
        f = _check_full_disk_run(run, evs)
        assert str(run / "metrics.jsonl") in f.message and len(_iter_steps(_lines(run / "metrics.jsonl"))) > 100


class _FillingFile:
    """A metrics.jsonl handle on a disk with `room` bytes left: a write that does not fit is written in
    part (a torn line) and raises ENOSPC, like a full disk."""

    def __init__(self, fh, room: int):
        self.fh, self.room = fh, room

    def write(self, s):
        if len(s) > self.room:
            self.fh.write(s[:self.room])
            self.fh.flush()
            self.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(s)
        return self.fh.write(s)

    def flush(self):
        self.fh.flush()

    def close(self):
        self.fh.close()

    @property
    def closed(self):
        return self.fh.closed


def test_full_disk_simulated(tmp_path, monkeypatch):
    """ENOSPC without a tmpfs: in the checkpoint writes, then in metrics.jsonl."""
    real = checkpoints.atomic_write_bytes
    calls = {"n": 0}

    def filling(path, data):
        calls["n"] += 1
        if calls["n"] > 8:                                     # four checkpoints (.pt + .json) fit
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data)

    monkeypatch.setattr(checkpoints, "atomic_write_bytes", filling)
    run = tmp_path / "run"
    cfg = tiny("ring-2d-gan", "checkpoint.every=2", "checkpoint.keep_last=0", steps=50)
    evs = run_all(Trainer(cfg, run, snapshots=False))
    f = _check_full_disk_run(run, evs)
    assert str(run / "checkpoints" / "step_00000010.pt") in f.message
    assert f"--resume {run / 'checkpoints' / 'step_00000008.pt'}" in f.message
    said = [e.text for e in evs if isinstance(e, Message) and e.code == "emergency"]
    assert len(said) == 1 and "could not write the emergency checkpoint" in said[0]
    assert _iter_steps(read_metrics(run / "metrics.jsonl")) == list(range(1, 11))
    monkeypatch.undo()

    run = tmp_path / "run2"
    t = Trainer(tiny("ring-2d-gan", "log.flush_every=5", steps=1000), run, snapshots=False)
    evs = []
    for ev in t.run():
        evs.append(ev)
        if isinstance(ev, Started):
            t.log._fh = _FillingFile(t.log._fh, 3000)
    f = _check_full_disk_run(run, evs)
    assert f.message.startswith(f"cannot write {run / 'metrics.jsonl'}: no space left on device")
    assert len(_iter_steps(_lines(run / "metrics.jsonl"))) >= 10
    emergency = [e for e in evs if isinstance(e, CheckpointSaved) and e.reason == "emergency"]
    assert len(emergency) == 1                                 # the checkpoints still had room
    assert Trainer(tiny("ring-2d-gan", steps=1000), run, resume=emergency[0].path, snapshots=False).step == t.step


# ------------------------------------------------------------------------------ a directory that may not be written
def test_run_directory_that_cannot_be_written(tmp_path):
    """Engine side: a read-only file system (root ignores permission bits), or a chmod'ed folder."""
    if os.geteuid() == 0:
        ctx = _tmpfs(tmp_path / "ro", "ro", "size=64k")
    else:
        (tmp_path / "ro").mkdir()
        (tmp_path / "ro").chmod(0o555)
        ctx = _nullcontext(tmp_path / "ro")
    with ctx as ro:
        evs = run_all(Trainer(tiny("ring-2d-gan", steps=5), ro / "run", snapshots=False))
    f = _failed(evs)
    assert not f.bug and f.step == 0 and f.message.startswith(f"cannot write {ro / 'run'}")
    assert "--out DIR" in f.message


@contextmanager
def _nullcontext(value):
    yield value


def test_cli_as_nobody_in_a_folder_it_may_not_write(tmp_path):
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("running as nobody needs root and setpriv")
    base = tmp_path / "locked"
    base.mkdir()
    base.chmod(0o755)                                          # root's: nobody may read it, not write it
    tmp_path.chmod(0o755)
    cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
           sys.executable, "-m", "studio.cli", "train", "--preset", "ring-2d-gan", "--steps", "5", "--quiet",
           "--out", str(base / "run")]
    probe = subprocess.run(cmd[:4] + [sys.executable, "-c", "import studio"], env=_env(), cwd="/",
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"nobody cannot run this Python: {probe.stderr.strip()[-200:]}")
    home = Path(tempfile.mkdtemp(prefix="gan-studio-nobody-"))   # nobody's own user folders (the
    home.chmod(0o755)                                             # suite's are under root's 0700 ones)
    shutil.chown(home, "nobody")
    env = dict(_env(), XDG_CONFIG_HOME=str(home), XDG_DATA_HOME=str(home))
    try:
        r = subprocess.run(cmd, env=env, cwd="/", capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(base / "run") in errors[0] and "permission denied" in errors[0].lower()


# ------------------------------------------------------------------------------ a kill during a save
def test_kill_during_saves_leaves_loadable_checkpoints(tmp_path):
    run = tmp_path / "run"
    rng = random.Random(1234)
    for _ in range(3):
        newest = sorted((run / "checkpoints").glob("step_*.pt")) if run.exists() else []
        start = ["--resume", str(newest[-1])] if newest else ["--preset", "ring-2d-gan", "--out", str(run)]
        p = subprocess.Popen([sys.executable, "-m", "studio.cli", "train", *start, "--steps", "100000", "--quiet",
                              "--set", "checkpoint.every=1", "--set", "checkpoint.keep_last=3"],
                             env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t0 = time.monotonic()
        before = {q.name for q in (run / "checkpoints").glob("*.pt")} if run.exists() else set()
        while time.monotonic() - t0 < 60 and p.poll() is None:
            if run.exists() and {q.name for q in (run / "checkpoints").glob("*.pt")} - before:
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.3))
        p.send_signal(signal.SIGKILL)
        err = p.communicate()[1].decode()
        assert p.returncode == -signal.SIGKILL and "Traceback" not in err, err
    pts = sorted((run / "checkpoints").glob("*.pt"))
    assert pts
    for q in pts:
        checkpoints.load(q)
    (run / "checkpoints" / ".step_00000099.pt.abcd1234.tmp").write_bytes(b"half a checkpoint")
    newest = max(pts, key=lambda q: checkpoints.load(q)["step"])
    cfg = checkpoints.config_of(checkpoints.load(newest), str(newest))
    cfg.train.steps = checkpoints.load(newest)["step"] + 3
    t = Trainer(cfg, run, resume=newest, snapshots=False)
    evs = run_all(t)
    assert isinstance(evs[-1], Finished) and evs[-1].reason == "done" and t.step == checkpoints.load(newest)["step"] + 3
    assert not _tmp_files(run)
    assert any(e.code == "repaired" and "temporary" in e.text for e in evs if isinstance(e, Message))
    recs = read_metrics(run / "metrics.jsonl")
    steps = _iter_steps(recs)
    assert steps == sorted(set(steps)) and steps[-1] == t.step


# ------------------------------------------------------------------------------ metrics.jsonl
def test_torn_metrics_line_is_dropped_on_resume_and_stale_tmp_removed(tmp_path):
    run = tmp_path / "run"
    cfg = tiny("ring-2d-gan", "checkpoint.every=5", steps=10)
    run_all(Trainer(cfg, run, snapshots=False))
    log = run / "metrics.jsonl"
    raw = log.read_bytes()
    log.write_bytes(raw[:-30])                                  # a kill mid-write: no trailing newline
    torn = raw[:-30].rsplit(b"\n", 1)[1]
    stale = [run / ".config.toml.x1y2z3.tmp", run / "checkpoints" / ".step_00000010.pt.abcdefgh.tmp",
             run / "samples" / ".step_00000010.png.q_w_e.tmp"]
    for p in stale:
        p.write_bytes(b"partial")
    follower = MetricsFollower(log)
    before = follower.poll()
    assert before and before[-1] == json.loads(raw[:-30].rsplit(b"\n", 2)[1])

    evs = run_all(Trainer(cfg, run, resume=run / "checkpoints" / "step_00000005.pt", snapshots=False))
    assert isinstance(evs[-1], Finished)
    recs = _lines(log)                                          # every line whole: nothing glued
    events = [r["event"] for r in recs if "event" in r]
    assert events.count("torn_line_dropped") == 1 and events.count("stale_tmp_removed") == 1
    dropped = next(r for r in recs if r.get("event") == "torn_line_dropped")
    assert dropped["bytes"] == len(torn) and dropped["step"] == 5
    removed = next(r for r in recs if r.get("event") == "stale_tmp_removed")
    assert sorted(removed["files"]) == sorted(map(str, stale)) and not _tmp_files(run)
    assert [e.code for e in evs if isinstance(e, Message)] == ["repaired", "repaired"]
    assert _iter_steps(read_metrics(log)) == list(range(1, 11))

    after = follower.poll()                                     # the follower of the old file goes on
    assert all(isinstance(r, dict) for r in after)
    assert [r["event"] for r in after if "event" in r][:3] == ["torn_line_dropped", "stale_tmp_removed", "resume"]
    seen = before + after
    kept = []
    for r in seen:                                              # as read_metrics does with the resume
        if r.get("event") == "resume":
            kept = [x for x in kept if x.get("step", 0) <= r["step"]]
        kept.append(r)
    assert _iter_steps(kept) == list(range(1, 11))


def test_readers_tolerate_partial_lines_and_repeated_steps(tmp_path):
    log = tmp_path / "metrics.jsonl"
    lines = [{"step": s, "kind": "iter", "t": 0.1 * s} for s in (1, 2, 3)]
    log.write_text("".join(json.dumps(r) + "\n" for r in lines) + '{"step": 4, "ki')
    f = MetricsFollower(log)
    assert [r["step"] for r in f.poll()] == [1, 2, 3]
    assert f.poll() == []
    with open(log, "a") as fh:                                  # the writer finishes the line
        fh.write('nd": "iter", "t": 0.4}\n')
    assert [r["step"] for r in f.poll()] == [4]
    # a resume whose "resume" line was lost: steps that go back start over there, no duplicates kept
    with open(log, "a") as fh:
        fh.write("not json\n")
        for s in (3, 4, 5):
            fh.write(json.dumps({"step": s, "kind": "iter", "t": 1.0}) + "\n")
    recs = read_metrics(log)
    assert _iter_steps(recs) == [1, 2, 3, 4, 5] and recs[2]["t"] == 1.0


def test_opening_a_run_directory_completes_a_whole_last_line(tmp_path):
    cfg = tiny("ring-2d-gan")
    log = tmp_path / "metrics.jsonl"
    log.write_text('{"step": 1, "kind": "iter", "t": 0.1}\n{"step": 2, "kind": "iter", "t": 0.2}')
    RunLog(tmp_path, cfg, tensorboard=False, step=2).close()
    assert _iter_steps(_lines(log)) == [1, 2]


# ------------------------------------------------------------------------------ NaN weights, emergency checkpoints
def test_resuming_nan_weights_is_one_clear_line(tmp_path, capsys):
    path = _nan_checkpoint(tmp_path)
    with pytest.raises(CheckpointError, match="not finite") as e:
        Trainer(tiny("ring-2d-gan", steps=10), tmp_path / "run", resume=path, snapshots=False)
    assert str(path) in str(e.value) and "earlier checkpoint" in str(e.value) and "\n" not in str(e.value)
    code = cli.main(["train", "--resume", str(path), "--steps", "10", "--quiet"])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err and str(path) in err, err


def test_a_failed_run_leaves_an_emergency_checkpoint_that_resumes(tmp_path, monkeypatch, capsys):
    run = tmp_path / "run"
    cfg = tiny("ring-2d-gan", "checkpoint.every=5", steps=12)
    t = Trainer(cfg, run, snapshots=False)
    real = t.variant.iteration

    def iteration():
        if t.step == 7:
            raise RuntimeError("a bug in a game")
        return real()

    monkeypatch.setattr(t.variant, "iteration", iteration)
    evs = run_all(t)
    f = _failed(evs)
    assert f.bug and "a bug in a game" in f.message and f.step == 7
    path = run / "checkpoints" / "emergency_00000007.pt"
    assert [e.path for e in evs if isinstance(e, CheckpointSaved) and e.reason == "emergency"] == [str(path)]
    said = [e for e in evs if isinstance(e, Message) and e.code == "emergency"]
    assert len(said) == 1 and f"--resume {path}" in said[0].text
    recs = _lines(run / "metrics.jsonl")
    assert any(r.get("event") == "message" and r.get("code") == "emergency" for r in recs)
    assert any(r.get("event") == "failed" for r in recs)
    assert checkpoints.load(path)["step"] == 7

    code = cli.main(["train", "--resume", str(path), "--quiet"])   # continues to train.steps
    err = capsys.readouterr().err
    assert code == 0 and "Traceback" not in err, err
    assert checkpoints.load(run / "checkpoints" / "end_00000012.pt")["step"] == 12
    assert _iter_steps(read_metrics(run / "metrics.jsonl")) == list(range(1, 13))


def test_a_failed_run_with_nan_weights_names_the_last_good_checkpoint(tmp_path, monkeypatch):
    run = tmp_path / "run"
    t = Trainer(tiny("ring-2d-gan", "checkpoint.every=5", steps=12), run, snapshots=False)
    real = t.variant.iteration

    def iteration():
        if t.step == 7:
            with torch.no_grad():
                next(t.variant.G.parameters()).fill_(float("inf"))
            raise RuntimeError("exploded")
        return real()

    monkeypatch.setattr(t.variant, "iteration", iteration)
    evs = run_all(t)
    assert _failed(evs).bug
    assert not list((run / "checkpoints").glob("emergency_*"))
    said = [e.text for e in evs if isinstance(e, Message) and e.code == "emergency"]
    assert len(said) == 1 and "not finite" in said[0] and str(run / "checkpoints" / "step_00000005.pt") in said[0]


def test_a_run_that_never_trained_writes_no_emergency_checkpoint(tmp_path, monkeypatch):
    t = Trainer(tiny("ring-2d-gan", steps=5), tmp_path / "run", snapshots=False)
    monkeypatch.setattr(t.variant, "iteration", lambda: (_ for _ in ()).throw(KeyError("x")))
    evs = run_all(t)
    assert _failed(evs).bug and not any(isinstance(e, (Message, CheckpointSaved)) for e in evs)
    assert not list((tmp_path / "run" / "checkpoints").glob("*.pt"))


# ------------------------------------------------------------------------------ evaluations that cannot run
def _png(path: Path, value: int):
    from PIL import Image
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((8, 8), value, np.uint8)).save(path)


@pytest.mark.parametrize("classes,per_class,why", [(1, 12, "single class"), (2, 4, "only 8 images")])
def test_an_evaluation_that_cannot_run_is_skipped_once(tmp_path, monkeypatch, classes, per_class, why):
    monkeypatch.setenv("GAN_STUDIO_CACHE", str(tmp_path / "cache"))
    for c in range(classes):
        for i in range(per_class):
            _png(tmp_path / "data" / f"c{c}" / f"{i}.png", (20 * i + 100 * c) % 256)
    cfg = tiny("folder-dcgan", f"data.root={str(tmp_path / 'data')!r}".replace("'", '"'), "data.image_size=16",
               "eval.every=2", "eval.n_samples=16", "train.batch_size=4", "log.grid_every=0", steps=6)
    evs = run_all(Trainer(cfg, tmp_path / "run", snapshots=False))
    assert isinstance(evs[-1], Finished) and evs[-1].reason == "done"
    notes = [e for e in evs if isinstance(e, Message)]
    assert len(notes) == 1 and notes[0].level == "info" and why in notes[0].text


def test_the_feature_classifier_trains_on_a_tiny_data_set():
    x = torch.rand(6, 1, 8, 8) * 2 - 1
    y = torch.tensor([0, 1, 0, 1, 0, 1])
    net, acc = features._train(x, y, 2, "cpu")
    assert 0.0 <= acc <= 1.0 and all(torch.isfinite(p).all() for p in net.parameters())


def test_an_evaluation_that_breaks_does_not_end_the_run(tmp_path, monkeypatch):
    def broken(self):
        raise ValueError("a metric went wrong")

    monkeypatch.setattr(evaluate.Evaluator, "evaluate", broken)
    evs = run_all(Trainer(tiny("ring-2d-gan", "eval.every=2", steps=8), tmp_path / "run", snapshots=False))
    assert isinstance(evs[-1], Finished) and evs[-1].reason == "done"
    said = [e for e in evs if isinstance(e, Message)]
    assert len(said) == 1 and said[0].level == "warning" and "a metric went wrong" in said[0].text
