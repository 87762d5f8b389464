"""A sweep killed mid-trial and started again resumes the half-finished trial from its newest checkpoint,
as `gan-studio train --resume` does, instead of training its grid point again from step 0 (issue 22):
real `gan-studio sweep` and `train` processes, a SIGKILL of the sweep (its trial then gets SIGTERM
and saves a checkpoint), the sweep started again on the same folder. The resumed trial's log holds
every step once and its final weights are those of an uninterrupted run of the same configuration."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from studio.cli import main
from studio.engine import checkpoints
from studio.engine.runlog import LOCK_NAME, read_metrics
from studio.tools import sweep as sw

ROOT = Path(__file__).resolve().parents[2]
STEPS = 300
SETS = ["--set", "model.hidden=16", "--set", "model.depth=2", "--set", "train.batch_size=32",
        "--set", "checkpoint.every=50", "--set", "eval.every=100", "--set", "eval.n_samples=400",
        "--set", "log.tensorboard=false"]


def _args(out: Path) -> list[str]:
    return ["sweep", "--preset", "ring-2d-gan", "--param", "optim_g.lr=0.001", "--steps", str(STEPS),
            "--workers", "1", "--no-prune", "--out", str(out), *SETS]


def _iter_lines(run: Path) -> int:
    p = run / "metrics.jsonl"
    return p.read_bytes().count(b'"kind": "iter"') if p.exists() else 0


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def test_a_killed_sweeps_half_finished_trial_resumes_from_its_newest_checkpoint(tmp_path, capsys):
    out = tmp_path / "sw"
    run = out / "trial-000"
    env = dict(os.environ, PYTHONPATH=str(ROOT), GAN_STUDIO_THREADS="1", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", *_args(out)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (_iter_lines(run) >= 120 and list((run / "checkpoints").glob("step_*.pt"))):
        assert proc.poll() is None, proc.stderr.read()
        assert time.time() < deadline, "the trial did not get going"
        time.sleep(0.05)
    trial_pid = json.loads((run / LOCK_NAME).read_text())["pid"]
    proc.kill()                                   # SIGKILL: the sweep says nothing, cleans nothing
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    deadline = time.time() + 60
    while _alive(trial_pid):                      # the trial hears SIGTERM, saves a checkpoint and ends
        assert time.time() < deadline, "the trial trains on as an orphan"
        time.sleep(0.05)
    saved = sorted((run / "checkpoints").glob("interrupt_*.pt"))
    assert len(saved) == 1, sorted(p.name for p in (run / "checkpoints").iterdir())
    stopped_at = int(saved[0].stem.split("_")[1])
    assert 120 <= stopped_at < STEPS
    config = tmp_path / "trial.toml"
    shutil.copy(run / "config.toml", config)

    capsys.readouterr()
    assert main(_args(out)) == 0                  # the same sweep, started again on the same folder
    err = capsys.readouterr().err
    said = [ln for ln in err.splitlines() if "resumes interrupted trial 0" in ln]
    assert len(said) == 1 and f"at step {stopped_at}: {saved[0]}" in said[0], err
    d = sw.read_sweep(out)
    assert [(t["number"], t["state"]) for t in d["trials"]] == [(0, "FAIL"), (1, "COMPLETE")], d["trials"]
    assert d["trials"][0]["reason"].startswith("interrupted")
    assert Path(d["trials"][1]["run_dir"]) == run.resolve()          # the same run, continued
    assert (d["trials"][1]["resumes"], d["trials"][1]["from_step"]) == (0, stopped_at)
    assert not (out / "trial-001").exists()

    recs = read_metrics(run / "metrics.jsonl")
    assert [r["step"] for r in recs if r.get("kind") == "iter"] == list(range(1, STEPS + 1))   # every step once
    assert [r["step"] for r in recs if r.get("event") == "resume"] == [stopped_at]
    assert not [p for d_ in (run, run / "checkpoints") for p in d_.glob(".*.tmp")]
    assert not (run / LOCK_NAME).exists()
    log = (run / sw.TRIAL_LOG).read_text()       # the first part's line kept: the log is appended to
    assert f"stopped after {stopped_at} steps on SIGTERM; checkpoint: {saved[0]}" in log.splitlines(), log

    # exactly: the same weights and the same final evaluation as one uninterrupted run of that config
    ref = tmp_path / "ref"
    assert main(["train", "--preset", str(config), "--out", str(ref), "--quiet"]) == 0
    end = f"end_{STEPS:08d}.pt"
    a, b = checkpoints.load(run / "checkpoints" / end), checkpoints.load(ref / "checkpoints" / end)
    for net in ("G", "D"):
        for k, v in a["modules"][net].items():
            assert torch.equal(v, b["modules"][net][k]), f"{net}.{k} differs from the uninterrupted run"
    ref_evals = [r for r in read_metrics(ref / "metrics.jsonl") if r.get("event") == "eval"]
    assert d["trials"][1]["value"] == ref_evals[-1]["modes"]


def test_an_interrupted_random_trial_is_queued_again_with_its_values_and_resumes_its_run(tmp_path):
    """Random (and TPE) sweeps: a trial whose sweep process is gone runs again with the values it had,
    once, continuing its own run from its newest checkpoint (before, only a grid's points did)."""
    import platform

    from studio.config.presets import load_preset
    from studio.engine.runlog import process_start
    cfg = load_preset("ring-2d-gan")
    spec = sw.prepare(sw.SweepSpec(preset="ring-2d-gan", axes=[sw.parse_axis(cfg, "optim_g.lr=log:1e-4:1e-2")],
                                   out=tmp_path / "sw", sampler="random", trials=3, steps=40, workers=1,
                                   sets=["model.hidden=16", "model.depth=2", "checkpoint.every=20"]))
    spec.out.mkdir(parents=True)
    run = spec.out / "trial-000"
    assert main(["train", "--preset", "ring-2d-gan", "--steps", "20", "--out", str(run), "--quiet",
                 "--set", "model.hidden=16", "--set", "model.depth=2", "--set", "checkpoint.every=20"]) == 0
    gone = subprocess.Popen([sys.executable, "-c", ""])             # a sweep process that has ended
    gone.wait()
    s = sw.Sweep(spec)
    s.study = sw.open_study(spec)
    t = s.study.ask()
    lr = sw._suggest(t, spec.axes[0])
    for k, v in {"run_dir": str(run.resolve()), "host": platform.node(), "pid": gone.pid,
                 "pid_start": process_start(os.getpid())}.items():
        t.set_user_attr(k, v)
    said = []
    s.say = said.append
    s.recover()
    s.recover()                                                  # a second look queues nothing more
    waiting = [x for x in s.study.get_trials(deepcopy=False) if x.state.name == "WAITING"]
    assert len(waiting) == 1 and waiting[0].user_attrs["rerun_of"] == 0, said
    assert s.study.get_trials(deepcopy=False)[0].state.name == "FAIL"
    again = s.study.ask()
    assert again.user_attrs["rerun_of"] == 0 and sw._suggest(again, spec.axes[0]) == lr
    run_dir, ckpt = s._resumable(again)
    assert run_dir == run.resolve() and ckpt.step == 20
    assert any("interrupted trial 0" in line and "runs again" in line for line in said), said
