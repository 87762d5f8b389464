"""A run that took no step leaves no run directory behind (issue 20: a stray Step created an empty
run that stayed in the Runs list); one that trained, or a folder holding the user's files, stays."""
from __future__ import annotations

from studio.engine import rundir
from studio.engine.commands import StepOnce, Stop
from studio.engine.events import Finished, Message, ParamChanged, Started, StepMetrics
from studio.engine.runlog import read_metrics
from studio.engine.trainer import Trainer

from .helpers import run_all, tiny


def test_a_run_stopped_before_any_step_removes_the_directory_it_made(tmp_path):
    run = tmp_path / "run"
    t = Trainer(tiny("toy-1d-shift", steps=50), run, snapshots=False)
    t.stop()
    evs = run_all(t)
    assert not run.exists()
    assert isinstance(evs[-1], Finished) and evs[-1].run_dir == ""
    assert any(isinstance(e, Message) and "held no step and was removed" in e.text for e in evs)


def test_a_run_that_trained_keeps_its_directory(tmp_path):
    run = tmp_path / "run"
    t = Trainer(tiny("toy-1d-shift", steps=50), run, snapshots=False)
    for ev in t.run():
        if isinstance(ev, StepMetrics):
            t.stop()
    assert rundir.is_run_dir(run) and list((run / "checkpoints").glob("*.pt"))


def test_remove_unused_leaves_a_folder_with_other_files(tmp_path):
    d = tmp_path / "r"
    d.mkdir()
    (d / "config.toml").write_text("x")
    (d / "notes.txt").write_text("mine")
    assert not rundir.remove_unused(d) and (d / "notes.txt").exists()


def _paused_lazy(run, *commands):
    """A studio-like run (lazy_dir) that starts paused, gets a learning rate and `commands`, then stops."""
    t = Trainer(tiny("toy-1d-shift", steps=50), run, snapshots=False, interactive=True, lazy_dir=True)
    t.pause()
    t.set_param("optim_d.lr", 0.0005)               # a change before the first step
    for c in commands:
        t.send(c)
    t.send(Stop())
    seen = []
    for ev in t.run():
        seen.append(ev)
        if isinstance(ev, Started):
            assert ev.run_dir == str(run)               # the path is known from the start
            assert not run.exists(), "made before any step"
    return seen


def test_a_studio_run_makes_its_directory_only_at_the_first_step(tmp_path):
    run = tmp_path / "lazy"
    evs = _paused_lazy(run)                                # paused, a setting changed, stopped: no step
    assert any(isinstance(e, ParamChanged) for e in evs)
    assert not run.exists() and not list(tmp_path.iterdir())
    assert isinstance(evs[-1], Finished) and evs[-1].run_dir == ""
    run2 = tmp_path / "lazy2"
    evs = _paused_lazy(run2, StepOnce("d"))                # a lone D step: now the folder is there
    assert rundir.is_run_dir(run2) and isinstance(evs[-1], Finished) and evs[-1].run_dir == str(run2)
    recs = read_metrics(run2 / "metrics.jsonl")
    assert [r["kind"] for r in recs if "kind" in r] == ["d"]
    assert any(r.get("event") == "set" and r.get("key") == "optim_d.lr" for r in recs), recs  # held back, then written
    assert "0.0005" in (run2 / "config.toml").read_text()


def test_the_cli_path_still_makes_the_directory_at_start(tmp_path):
    run = tmp_path / "cli"
    t = Trainer(tiny("toy-1d-shift", steps=50), run, snapshots=False)
    for ev in t.run():
        if isinstance(ev, Started):
            assert rundir.is_run_dir(run)                   # made at start, as before
            t.stop()
    assert not run.exists()                                 # and removed: no step was taken
