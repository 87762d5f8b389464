"""Faults across processes, on real `gan-studio` processes: stop signals (SIGINT, SIGTERM, SIGHUP) save a
checkpoint and the run resumes from it; a second signal aborts; a kill right after a checkpoint loses no
log line; two `train --resume` on one run directory (the second refuses, naming the holder; a stale lock
is broken); a sweep killed (SIGKILL) or stopped (SIGINT, SIGTERM) mid-trial leaves no orphan trial and
its study continues when started again; two sweeps on one folder at once share the grid.

The sweep tests run the real sweep process with its trials replaced by a small stand-in that writes
metrics.jsonl as a run does (as tests/cli/test_sweep.py does in-process), so that they take seconds."""
from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.cli import main
from studio.engine.runlog import LOCK_NAME, read_metrics
from studio.tools import sweep as sw

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--set", "model.hidden=16", "--set", "model.depth=2", "--set", "train.batch_size=32",
        "--set", "checkpoint.every=0", "--set", "eval.every=0"]


def _env(**kw) -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), GAN_STUDIO_THREADS="1", PYTHONUNBUFFERED="1", **kw)


def _train(*args, env=None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "studio.cli", "train", *args], cwd=ROOT, env=env or _env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait(what, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    deadline = time.time() + timeout
    while not what():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process ended ({proc.returncode}): {proc.stderr.read()[-2000:]}")
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def _iter_steps(run: Path) -> list[int]:
    return [r["step"] for r in read_metrics(run / "metrics.jsonl") if r.get("kind") == "iter"]


def _has_steps(run: Path, n: int = 20):
    def check() -> bool:
        p = run / "metrics.jsonl"
        return p.exists() and p.read_bytes().count(b'"kind": "iter"') >= n
    return check


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:       # a zombie (ended, not yet reaped by its parent) is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


# ------------------------------------------------------------------------------ stop signals
def _stopped_by(sig, run: Path, proc: subprocess.Popen, after: int) -> tuple[Path, str]:
    """Send `sig` once the run has `after` steps in its log; returns the checkpoint it saved, and stderr."""
    _wait(_has_steps(run, after), proc=proc)
    before = set((run / "checkpoints").glob("interrupt_*.pt"))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err            # the conventional status: 129 SIGHUP, 143 SIGTERM
    saved = sorted(set((run / "checkpoints").glob("interrupt_*.pt")) - before)
    assert len(saved) == 1 and "Traceback" not in err, err
    assert not (run / LOCK_NAME).exists()                # the lock is released on the way out
    return saved[0], err


def test_sighup_and_sigterm_save_a_checkpoint_say_so_and_the_run_resumes_from_it(tmp_path):
    """A run stopped by SIGHUP (a closed terminal) resumes from what it saved; that resumed run, quiet
    as a batch job or a sweep trial is, is stopped by SIGTERM (kill, systemd, Slurm) and resumes again."""
    run = tmp_path / "run"
    proc = _train("--preset", "ring-2d-gan", "--steps", "1000000", "--out", str(run), *TINY)
    first, err = _stopped_by(signal.SIGHUP, run, proc, 20)
    step = int(first.stem.split("_")[1])
    said = [ln for ln in err.splitlines() if ln.startswith("stopped after")]
    assert len(said) == 1 and said[0].startswith(f"stopped after {step} steps in ") and said[0].endswith(
        f"({run}) on SIGHUP"), err
    assert f"checkpoint: {first}" in err.splitlines()
    proc = _train("--resume", str(first), "--steps", "1000000", "--quiet")
    second, err = _stopped_by(signal.SIGTERM, run, proc, step + 20)
    step2 = int(second.stem.split("_")[1])
    assert step2 > step and err.splitlines() == [f"stopped after {step2} steps on SIGTERM; checkpoint: {second}"]
    proc = _train("--resume", str(second), "--steps", str(step2 + 15), "--quiet")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert _iter_steps(run) == list(range(1, step2 + 16))     # every step once, across the three processes


def test_a_second_stop_signal_aborts_at_once(tmp_path):
    code = ("import os, signal, time\n"
            "from studio.engine.stop_signals import StopSignals\n"
            "with StopSignals(lambda s: print('stopping', flush=True), 'training aborted'):\n"
            "    os.kill(os.getpid(), signal.SIGTERM); time.sleep(0.2)\n"
            "    os.kill(os.getpid(), signal.SIGHUP); time.sleep(5)\n"
            "print('not reached')\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 129 and r.stdout == "stopping\n", (r.stdout, r.stderr)
    assert r.stderr.strip() == "training aborted: a second stop signal (SIGHUP); nothing more was saved"


# ------------------------------------------------------------------------------ log and checkpoint
def test_a_kill_right_after_a_checkpoint_loses_no_line_of_its_steps(tmp_path):
    run = tmp_path / "run"
    args = ["--preset", "ring-2d-gan", "--steps", "60", "--out", str(run), "--quiet", *TINY,
            "--set", "checkpoint.every=10", "--set", "log.flush_every=1000"]
    proc = _train(*args, env=_env(GAN_STUDIO_FAULT="checkpoint_saved:30"))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err
    newest = max((run / "checkpoints").glob("step_*.pt"))
    assert newest.name == "step_00000030.pt"
    assert _iter_steps(run) == list(range(1, 31))            # every step the checkpoint holds
    r = _train("--resume", str(newest), "--quiet")
    _, err = r.communicate(timeout=120)
    assert r.returncode == 0, err
    assert _iter_steps(run) == list(range(1, 61))


# ------------------------------------------------------------------------------ the run directory's lock
def test_two_resumes_of_one_run_directory_the_second_refuses_naming_the_holder(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--preset", "ring-2d-gan", "--steps", "10", "--out", str(run), "--quiet", *TINY]) == 0
    end = run / "checkpoints" / "end_00000010.pt"
    a = _train("--resume", str(end), "--steps", "1000000", "--quiet")
    try:
        _wait(_has_steps(run, 30), proc=a)
        capsys.readouterr()
        assert main(["train", "--resume", str(end), "--steps", "1000000", "--quiet"]) == 1    # this process
        err = capsys.readouterr().err
        errors = [ln for ln in err.splitlines() if ln.startswith("error:")]
        assert len(errors) == 1 and "Traceback" not in err, err
        assert f"in use by another GAN Studio process (pid {a.pid} on host {socket.gethostname()}" in errors[0]
        assert json.loads((run / LOCK_NAME).read_text())["pid"] == a.pid
    finally:
        a.send_signal(signal.SIGTERM)
        a.communicate(timeout=60)
    assert a.returncode == 143 and not (run / LOCK_NAME).exists()      # released on exit
    # a SIGKILL leaves the lock behind: the next resume breaks it, and says so
    c = _train("--resume", str(end), "--steps", "1000000", "--quiet")
    _wait(lambda: (run / LOCK_NAME).exists() and f'"pid": {c.pid}' in (run / LOCK_NAME).read_text(), proc=c)
    c.kill()
    c.wait()
    assert main(["train", "--resume", str(end), "--steps", "20", "--quiet"]) == 0
    assert f"broke a stale lock on {run} (its process {c.pid} is gone" in capsys.readouterr().err
    assert not (run / LOCK_NAME).exists()


# ------------------------------------------------------------------------------ sweeps
# A stand-in for a trial's `gan-studio train`: writes its pid beside the run, an eval line every
# eval.every steps (modes = lr * 1000) with FAKE_PAUSE seconds between them; it stops on the first
# SIGINT (status 0), SIGTERM or SIGHUP (128 + N), like the real one.
FAKE = r"""
import json, os, signal, sys, time, tomllib
cfg = tomllib.load(open(sys.argv[1], "rb"))
run = sys.argv[2]
open(os.path.join(run, "pid"), "w").write(str(os.getpid()))
got = []
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, lambda n, f: got.append(n))
every, steps = cfg["eval"]["every"], cfg["train"]["steps"]
with open(os.path.join(run, "metrics.jsonl"), "a") as fh:
    for s in range(every, steps + 1, every):
        if got:
            break
        fh.write(json.dumps({"event": "eval", "step": s, "modes": cfg["optim_g"]["lr"] * 1000}) + "\n")
        fh.flush()
        time.sleep(float(os.environ.get("FAKE_PAUSE", "0")))
sys.exit(0 if not got or got[0] == signal.SIGINT else 128 + got[0])
"""
DRIVER = ("import sys\nfrom studio.tools import sweep as sw\nfrom studio.cli import main\n"
          "sw.Sweep.trial_command = lambda self, c, r: [sys.executable, '-c', sys.argv[1], str(c), str(r)]\n"
          "sys.exit(main(sys.argv[2:]))\n")
LRS = [1e-3, 2e-3, 3e-3]


def _sweep(out: Path, pause: float, workers: int = 2, lrs=LRS) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", DRIVER, FAKE, *_args(out, workers, lrs)], cwd=ROOT,
                            env=_env(FAKE_PAUSE=str(pause)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _trial_pids(out: Path) -> list[int]:
    return [int(p.read_text()) for p in sorted(out.glob("trial-*/pid")) if p.read_text()]


def _intact(out: Path) -> None:
    con = sqlite3.connect(out / "sweep.db")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()


@pytest.fixture
def fake_trainer(monkeypatch):
    """The sweeps this process runs use the stand-in too."""
    monkeypatch.setattr(sw.Sweep, "trial_command",
                        lambda self, cfg_path, run_dir: [sys.executable, "-c", FAKE, str(cfg_path), str(run_dir)])


def _args(out: Path, workers: int = 2, lrs=LRS) -> list[str]:
    return ["sweep", "--preset", "ring-2d-gan", "--param", "optim_g.lr=" + ",".join(map(str, lrs)),
            "--steps", "40", "--set", "eval.every=10", "--workers", str(workers), "--no-prune", "--out", str(out)]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_sweep_stopped_mid_trial_leaves_no_orphan_and_continues_when_started_again(
        tmp_path, capsys, monkeypatch, fake_trainer, sig):
    """SIGKILL (the out-of-memory killer): the trials get SIGTERM from the kernel and stop; SIGTERM (and
    Ctrl+C, the same path): the sweep stops its trials itself. Started again, the sweep marks the
    half-finished trials and runs their grid points again."""
    out = tmp_path / "sw"
    proc = _sweep(out, pause=1.0, lrs=LRS[:2])            # both grid points interrupted
    _wait(lambda: len(_trial_pids(out)) == 2 and all((out / f"trial-00{i}" / "metrics.jsonl").exists()
                                                     for i in (0, 1)), proc=proc)
    pids = _trial_pids(out)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == {signal.SIGKILL: -9, signal.SIGTERM: 143}[sig], err
    assert "Traceback" not in err, err
    _wait(lambda: not any(_alive(p) for p in pids), timeout=20)          # no trial trains on as an orphan
    _intact(out)
    monkeypatch.setenv("FAKE_PAUSE", "0")
    capsys.readouterr()
    assert main(_args(out, lrs=LRS[:2])) == 0
    err = capsys.readouterr().err
    d = sw.read_sweep(out)
    by_state: dict[str, list] = {}
    for t in d["trials"]:
        by_state.setdefault(t["state"], []).append(t)
    assert len(by_state["FAIL"]) == 2 and all(t["reason"].startswith("interrupted") for t in by_state["FAIL"])
    assert sorted(t["params"]["optim_g.lr"] for t in by_state["COMPLETE"]) == LRS[:2], d["trials"]
    assert len(d["trials"]) == 4
    if sig == signal.SIGKILL:       # the killed sweep left its trials RUNNING: the new one judged them
        assert err.count("was left running by a sweep process that ended") == 2, err
    assert err.count("runs again") == 2, err
    _intact(out)


def test_two_sweeps_on_one_folder_at_once_share_the_grid(tmp_path, monkeypatch, fake_trainer):
    out = tmp_path / "sw"
    lrs = [1e-3, 2e-3, 3e-3, 4e-3]
    monkeypatch.setenv("FAKE_PAUSE", "0.3")
    a = _sweep(out, pause=0.3, workers=1, lrs=lrs)
    _wait(lambda: (out / "sweep.db").exists(), proc=a)      # it is creating the study
    assert main(_args(out, workers=1, lrs=lrs)) == 0
    _, err = a.communicate(timeout=120)
    assert a.returncode == 0 and "Traceback" not in err, err
    d = sw.read_sweep(out)
    done = [t for t in d["trials"] if t["state"] == "COMPLETE"]
    assert sorted({t["params"]["optim_g.lr"] for t in done}) == lrs, d["trials"]
    assert all(t["state"] == "COMPLETE" for t in d["trials"]), d["trials"]
    assert len({t["run_dir"] for t in d["trials"]}) == len(d["trials"])      # each trial its own folder
    assert {Path(t["run_dir"]).name for t in d["trials"]} >= {f"trial-00{i}" for i in range(2)}
    _intact(out)
