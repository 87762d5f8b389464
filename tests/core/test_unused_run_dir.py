"""A run that took no step leaves no run directory behind (issue 20: a stray Step created an empty
run that stayed in the Runs list); one that trained, or a folder holding the user's files, stays."""
from __future__ import annotations

from studio.engine import rundir
from studio.engine.events import Finished, Message, StepMetrics
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
