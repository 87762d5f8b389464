"""Faults across processes, repeated at random moments (issue 22): the cases of the tests, many times,
with a table of what was expected and what happened.

  studio-kill   the studio (offscreen, Train pressed by mouse) SIGKILLed after 1-4 checkpoints and a
                random 0-1 s, then `train --resume` of the newest checkpoint
  studio-term   the same studio stopped by SIGTERM at a random moment
  sweep-kill    `gan-studio sweep` SIGKILLed while its trial is at a random step, then started again
  pid-reuse     `train` SIGKILLed, its pid given to another process (ns_last_pid, root), then resumed

    .venv/bin/python bench/faults_across_processes.py [--times 3] [--cases studio-kill,...] [--seed 0]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENV = dict(os.environ, PYTHONPATH=str(ROOT), GAN_STUDIO_THREADS="1", PYTHONUNBUFFERED="1")
TINY = ["--set", "model.hidden=16", "--set", "model.depth=2", "--set", "train.batch_size=32"]


def cli(*args, wait=True):
    p = subprocess.Popen([sys.executable, "-m", "studio.cli", *args], cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    if not wait:
        return p
    out, err = p.communicate(timeout=600)
    return p.returncode, out, err


def wait_for(cond, proc=None, timeout=300):
    deadline = time.time() + timeout
    while not cond():
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"ended early ({proc.returncode}): {proc.stderr.read()[-500:]}")
        if time.time() > deadline:
            raise RuntimeError("timed out")
        time.sleep(0.02)


def iter_steps(run: Path) -> list[int]:
    from studio.engine.runlog import read_metrics
    return [r["step"] for r in read_metrics(run / "metrics.jsonl") if r.get("kind") == "iter"]


def litter(run: Path) -> list[Path]:
    return [p for d in (run, run / "checkpoints", run / "samples") for p in d.glob(".*.tmp")]


def newest(run: Path) -> tuple[Path, int]:
    p = max((run / "checkpoints").glob("*.pt"), key=lambda q: int(q.stem.split("_")[1]))
    return p, int(p.stem.split("_")[1])


def studio(work: Path) -> tuple[subprocess.Popen, Path]:
    from tests.gui.test_studio_killed import DRIVER
    runs = work / "runs"
    env = dict(ENV, QT_QPA_PLATFORM="offscreen", GAN_STUDIO_RUNS=str(runs), XDG_CONFIG_HOME=str(work / "cfg"))
    p = subprocess.Popen([sys.executable, "-c", DRIVER], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    return p, runs


def studio_run(runs: Path, n: int) -> Path | None:
    """The studio's run directory once it has saved `n` periodic checkpoints (its newest counts: older
    ones may be pruned by checkpoint.keep_last)."""
    found = sorted(runs.glob("*/checkpoints/step_*.pt"))
    if found and int(found[-1].stem.split("_")[1]) >= 20 * n:       # the driver checkpoints every 20 steps
        return found[0].parent.parent
    return None


# ------------------------------------------------------------------------------------------ cases
def case_studio_kill(work: Path, rnd: random.Random) -> list[str]:
    """Problems found (empty: as expected)."""
    bad = []
    p, runs = studio(work)
    n = rnd.randint(1, 4)
    wait_for(lambda: studio_run(runs, n) is not None, p)
    time.sleep(rnd.uniform(0, 1))
    p.kill()
    p.communicate()
    run = studio_run(runs, n)
    ck, step = newest(run)
    steps = iter_steps(run)
    if steps[:step] != list(range(1, step + 1)):
        bad.append(f"log lacks steps of checkpoint {step}")
    left = len(litter(run))
    rc, _, err = cli("train", "--resume", str(ck), "--steps", str(step + 30), "--quiet")
    if rc != 0:
        bad.append(f"resume failed: {err[-200:]}")
    if f"its process {p.pid} is gone" not in err:
        bad.append("no stale-lock note")
    if iter_steps(run) != list(range(1, step + 31)):
        bad.append("resumed log is not every step once")
    if litter(run) or (run / "run.lock").exists():
        bad.append("temporary file or lock left after the resume")
    return bad + [f"# killed at step ~{steps[-1] if steps else 0}, newest checkpoint {step}, {left} tmp file(s) "
                  f"before the resume"]


def case_studio_term(work: Path, rnd: random.Random) -> list[str]:
    bad = []
    p, runs = studio(work)
    wait_for(lambda: studio_run(runs, 1) is not None, p)
    time.sleep(rnd.uniform(0, 1.5))
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    run = studio_run(runs, 1)
    if p.returncode != 143:
        bad.append(f"exit {p.returncode}")
    if "gan-studio: closed on SIGTERM (a live run saved its checkpoint)" not in err.splitlines():
        bad.append("no closing line")
    ints = sorted((run / "checkpoints").glob("interrupt_*.pt"))
    ck, step = newest(run)
    if len(ints) != 1 or ck != ints[0]:
        bad.append("no interrupt checkpoint as the newest")
    if iter_steps(run) != list(range(1, step + 1)):
        bad.append("log is not every step up to the checkpoint")
    if (run / "run.lock").exists() or litter(run):
        bad.append("lock or temporary file left")
    rc, _, err = cli("train", "--resume", str(ck), "--steps", str(step + 10), "--quiet")
    if rc != 0 or iter_steps(run) != list(range(1, step + 11)):
        bad.append("resume did not continue step by step")
    return bad + [f"# stopped at step {step}"]


_REF: dict = {}


def case_sweep_kill(work: Path, rnd: random.Random) -> list[str]:
    import torch

    from studio.engine import checkpoints
    from studio.tools import sweep as sw
    from tests.cli.test_sweep_resume import STEPS, _args
    bad = []
    out = work / "sw"
    run = out / "trial-000"
    p = cli(*_args(out), wait=False)
    at = rnd.randint(60, 250)

    def far() -> bool:
        m = run / "metrics.jsonl"
        return m.exists() and m.read_bytes().count(b'"kind": "iter"') >= at
    wait_for(far, p)
    p.kill()
    p.communicate()
    wait_for(lambda: not (run / "run.lock").exists() or not Path(
        f"/proc/{json.loads((run / 'run.lock').read_text())['pid']}").exists(), timeout=60)
    rc, _, err = cli(*_args(out))
    if rc != 0:
        bad.append(f"sweep again: exit {rc}: {err[-200:]}")
    if "resumes interrupted trial 0" not in err:
        bad.append("trial did not resume")
    if iter_steps(run) != list(range(1, STEPS + 1)):
        bad.append("log is not every step once")
    if "ref" not in _REF:
        ref = work / "ref"
        shutil.copy(run / "config.toml", work / "trial.toml")
        cli("train", "--preset", str(work / "trial.toml"), "--out", str(ref), "--quiet")
        _REF["ref"] = checkpoints.load(ref / "checkpoints" / f"end_{STEPS:08d}.pt")
    a, b = checkpoints.load(run / "checkpoints" / f"end_{STEPS:08d}.pt"), _REF["ref"]
    if not all(torch.equal(v, b["modules"][n][k]) for n in ("G", "D") for k, v in a["modules"][n].items()):
        bad.append("weights differ from the uninterrupted run")
    d = sw.read_sweep(out)
    if [t["state"] for t in d["trials"]] != ["FAIL", "COMPLETE"]:
        bad.append(f"states {[t['state'] for t in d['trials']]}")
    resumed = [ln for ln in err.splitlines() if "resumes interrupted" in ln]
    return bad + [f"# killed at ~step {at}; {resumed[0].split('from its checkpoint ')[-1].split(':')[0] if resumed else '-'}"]


def case_pid_reuse(work: Path, rnd: random.Random) -> list[str]:
    bad = []
    run = work / "run"
    p = cli("train", "--preset", "ring-2d-gan", "--steps", "1000000", "--out", str(run), "--quiet", *TINY,
            "--set", "checkpoint.every=20", "--set", "eval.every=0", wait=False)
    wait_for(lambda: list((run / "checkpoints").glob("step_*.pt")), p)
    p.kill()
    p.wait()
    sleeper = None
    for _ in range(100):
        Path("/proc/sys/kernel/ns_last_pid").write_text(str(p.pid - 1))
        s = subprocess.Popen(["sleep", "300"])
        if s.pid == p.pid:
            sleeper = s
            break
        s.kill()
        s.wait()
    if sleeper is None:
        return ["could not reuse the pid"]
    try:
        ck, step = newest(run)
        rc, _, err = cli("train", "--resume", str(ck), "--steps", str(step + 10), "--quiet")
        if rc != 0:
            bad.append(f"refused: {err.strip()[-200:]}")
        if "now belongs to another process" not in err:
            bad.append("no note of the reused pid")
        if iter_steps(run) != list(range(1, step + 11)):
            bad.append("log is not every step once")
    finally:
        sleeper.kill()
        sleeper.wait()
    return bad + [f"# pid {p.pid} reused by a sleeper"]


CASES = {
    "studio-kill": ("gan-studio gui (Train pressed), SIGKILL; train --resume NEWEST",
                    "log holds the checkpoint's steps; stale lock broken, said; no tmp; continues", case_studio_kill),
    "studio-term": ("gan-studio gui (Train pressed), SIGTERM; train --resume",
                    "exit 143, one line, interrupt ckpt newest, lock released; continues", case_studio_term),
    "sweep-kill": ("gan-studio sweep (1 trial, 300 steps), SIGKILL; sweep again",
                   "trial resumes from its newest ckpt; every step once; weights = uninterrupted", case_sweep_kill),
    "pid-reuse": ("train, SIGKILL, pid given to `sleep`; train --resume",
                  "lock broken as stale (pid reused), run continues", case_pid_reuse),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--times", type=int, default=3)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    rows, failed = [], 0
    for name in a.cases.split(","):
        command, expected, fn = CASES[name]
        ok, notes, secs = 0, [], []
        for i in range(a.times):
            work = Path(tempfile.mkdtemp(prefix=f"gan-studio-{name}-"))
            t0 = time.perf_counter()
            try:
                found = fn(work, rnd)
            except Exception as e:  # noqa: BLE001 - a case that breaks is a row of the table
                found = [f"{type(e).__name__}: {e}"]
            secs.append(time.perf_counter() - t0)
            probs = [f for f in found if not f.startswith("#")]
            ok += not probs
            notes += probs + [f[2:] for f in found if f.startswith("#")]
            print(f"{name} #{i + 1}: {'ok' if not probs else 'FAILED'}; {'; '.join(found)} ({secs[-1]:.0f}s)", flush=True)
            shutil.rmtree(work, ignore_errors=True)
        failed += a.times - ok
        rows.append((name, command, expected, f"{ok}/{a.times} as expected", f"{sum(secs) / len(secs):.0f}s"))
    print("\n| case | command | expected | observed | mean time |\n|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
