"""Where a run writes (issue 26): a run directory is a folder the studio made; a checkpoint resumed
from anywhere else, or one of another game inside a run, gets a new run directory and leaves the
folder as it was; the litter clean-up removes only the studio's own temporary files; a run directory
deleted during a run stops the run with an emergency checkpoint in a new folder."""
from __future__ import annotations

import shutil

from studio.cli import main
from studio.engine import checkpoints, rundir
from studio.engine.events import CheckpointSaved, Failed, Finished, Message, StepMetrics
from studio.engine.runlog import read_metrics, remove_stale_tmp
from studio.engine.trainer import Trainer

from .helpers import run_all, tiny


def _run(tmp_path, preset="ring-2d-gan", name="run", steps=10):
    run = tmp_path / name
    run_all(Trainer(tiny(preset, steps=steps), run, snapshots=False))
    return run, run / "checkpoints" / f"end_{steps:08d}.pt"


def test_a_new_run_directory_is_marked(tmp_path):
    run, _ = _run(tmp_path)
    assert (run / rundir.MARKER).is_file() and rundir.is_run_dir(run)
    assert not rundir.is_run_dir(tmp_path)


def test_resuming_a_checkpoint_kept_outside_any_run_leaves_that_folder_alone(tmp_path, monkeypatch, capsys):
    runs = tmp_path / "runs"
    monkeypatch.setenv("GAN_STUDIO_RUNS", str(runs))
    _, ck = _run(tmp_path)
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    shutil.copy(ck, home / "Downloads" / "model.pt")
    (home / "config.toml").write_text("my own notes\n")
    (home / ".draft.tmp").write_text("mine")
    (home / ".config.toml.abcd1234.tmp").write_text("mine too")
    before = {p.name: p.read_bytes() for p in home.iterdir() if p.is_file()}
    assert main(["train", "--resume", str(home / "Downloads" / "model.pt"), "--steps", "15", "--quiet"]) == 0
    assert {p.name: p.read_bytes() for p in home.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in home.iterdir()) == sorted([*before, "Downloads"])
    new = [p for p in runs.iterdir()]
    assert len(new) == 1 and rundir.is_run_dir(new[0]) and (new[0] / "checkpoints" / "end_00000015.pt").is_file()
    err = capsys.readouterr().err
    assert f"{home} is not a GAN Studio run directory" in err and str(new[0]) in err


def test_a_checkpoint_of_another_game_in_a_run_is_resumed_into_a_new_run_beside_it(tmp_path):
    run, _ = _run(tmp_path, "ring-2d-gan", "ring")
    _, other = _run(tmp_path, "ring-2d-wgan-gp", "wgan")
    alien = run / "checkpoints" / "other_00000010.pt"
    shutil.copy(other, alien)
    config, metrics = (run / "config.toml").read_bytes(), (run / "metrics.jsonl").read_bytes()
    cfg = checkpoints.config_of(checkpoints.load(alien), str(alien))
    cfg.train.steps = 12
    t = Trainer(cfg, run, resume=alien, snapshots=False)
    evs = run_all(t)
    assert isinstance(evs[-1], Finished) and evs[-1].reason == "done"
    assert (run / "config.toml").read_bytes() == config and (run / "metrics.jsonl").read_bytes() == metrics
    assert t.run_dir != run and t.run_dir.parent == run.parent and t.run_dir.name.startswith("ring-")
    notes = [e.text for e in evs if isinstance(e, Message)]
    assert any("does not match its run directory" in n and "variant.name: run 'gan', checkpoint 'wgan_gp'" in n
               for n in notes)


def test_an_older_run_without_the_marker_is_still_a_run(tmp_path):
    run, ck = _run(tmp_path)
    (run / rundir.MARKER).unlink()
    assert rundir.is_run_dir(run)                      # config.toml and metrics.jsonl
    cfg = checkpoints.config_of(checkpoints.load(ck), str(ck))
    cfg.train.steps = 12
    t = Trainer(cfg, run, resume=ck, snapshots=False)
    run_all(t)
    assert t.run_dir == run and (run / "checkpoints" / "end_00000012.pt").is_file()


def test_the_litter_clean_up_removes_only_the_studios_own_temporary_files(tmp_path):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    ours = [run / ".config.toml.abcd1234.tmp", run / "checkpoints" / ".step_00000010.pt.x_y_z123.tmp"]
    users = [run / ".draft.tmp", run / ".notes.txt.abcd1234.tmp", run / "checkpoints" / ".mine.pt.abcd1234.tmp"]
    for p in ours + users:
        p.write_text("x")
    assert sorted(remove_stale_tmp(run)) == sorted(ours)
    assert all(p.exists() for p in users)


def test_the_run_directory_deleted_during_a_run_stops_it_with_a_checkpoint_in_a_new_folder(tmp_path):
    run = tmp_path / "run"
    t = Trainer(tiny("ring-2d-gan", steps=200), run, snapshots=False)
    evs = []
    for ev in t.run():
        evs.append(ev)
        if isinstance(ev, StepMetrics) and ev.step == 20:
            shutil.rmtree(run)
    failed = [e for e in evs if isinstance(e, Failed)]
    assert len(failed) == 1 and not failed[0].bug and "\n" not in failed[0].message
    assert "was deleted during the run" in failed[0].message and failed[0].step in (20, 21)
    saved = [e for e in evs if isinstance(e, CheckpointSaved) and e.reason == "emergency"]
    assert len(saved) == 1 and not run.exists()
    new = t.run_dir
    assert new.name.startswith("run-rescued-") and rundir.is_run_dir(new) and (new / "config.toml").is_file()
    assert checkpoints.load(saved[0].path)["step"] == failed[0].step
    assert not any(isinstance(e, Finished) and e.reason == "done" for e in evs)


def test_a_run_whose_metrics_file_is_removed_stops_too(tmp_path):
    run = tmp_path / "run"
    t = Trainer(tiny("ring-2d-gan", steps=100), run, snapshots=False)
    evs = []
    for ev in t.run():
        evs.append(ev)
        if isinstance(ev, StepMetrics) and ev.step == 5:
            (run / "metrics.jsonl").unlink()
    assert any(isinstance(e, Failed) and "metrics.jsonl was deleted" in e.message for e in evs)
    assert read_metrics(run / "metrics.jsonl") == []      # nothing recreated in the old folder


def test_a_run_stopped_before_any_step_writes_no_checkpoint(tmp_path):
    t = Trainer(tiny("ring-2d-gan", steps=50), tmp_path / "run", snapshots=False)
    t.stop()                                           # a studio closed while the data set loaded
    evs = run_all(t)
    assert evs[-1].reason == "stopped" and not any(isinstance(e, CheckpointSaved) for e in evs)
    assert not list((tmp_path / "run" / "checkpoints").glob("*.pt"))
    assert any(isinstance(e, Message) and "no checkpoint written" in e.text for e in evs)


def test_train_out_into_a_folder_of_the_users_is_refused_with_one_line(tmp_path, capsys):
    """`train --out DIR` (issue 26): DIR holding other files, not a run directory, is never written into."""
    mine = tmp_path / "Documents"
    mine.mkdir()
    (mine / "thesis.tex").write_text("my own work\n")
    (mine / "config.toml").write_text("my own notes\n")       # a config.toml alone does not make a run
    before = {p.name: p.read_bytes() for p in mine.iterdir()}
    assert main(["train", "--preset", "ring-2d-gan", "--steps", "3", "--out", str(mine), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(mine) in err[0] and "not a GAN Studio run directory" in err[0]
    assert "Traceback" not in err[0] and "nothing was written there" in err[0]
    assert {p.name: p.read_bytes() for p in mine.iterdir()} == before
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    assert main(["train", "--preset", "ring-2d-gan", "--steps", "3", "--out", str(afile), "--quiet"]) == 2
    assert "is not a folder" in capsys.readouterr().err and afile.read_text() == "x"
    # a new folder and an empty one are written into as before
    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (tmp_path / "new", empty):
        assert main(["train", "--preset", "ring-2d-gan", "--steps", "3", "--out", str(out), "--quiet"]) == 0
        assert rundir.is_run_dir(out) and (out / "checkpoints" / "end_00000003.pt").is_file()
