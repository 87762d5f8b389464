"""`gan-studio checkpoints`: the quality metrics evaluated at each checkpoint's step, the best one
marked; keep-best links its checkpoint to the periodic or end one of the same step (one file)."""
from __future__ import annotations

import json

import pytest
import torch

from studio.cli import main
from studio.engine import checkpoints


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ck") / "toy-run"
    assert main(["train", "--preset", "toy-1d-shift", "--steps", "30", "--quiet", "--out", str(out),
                 "--set", "eval.every=10", "--set", "checkpoint.every=10", "--set", "checkpoint.keep_best=w1",
                 "--set", "log.tensorboard=false"]) == 0
    return out


def test_keep_best_is_one_file_with_the_checkpoint_of_its_step(run):
    ck = run / "checkpoints"
    best = next(ck.glob("best_*.pt"))
    twins = [p for p in ck.glob(f"*_{best.stem.split('_')[1]}.pt") if p != best]
    assert twins, "a best checkpoint at a step with a periodic or end checkpoint"
    assert all(p.stat().st_ino == best.stat().st_ino for p in twins)
    later = max(twins + [best], key=lambda p: p.with_suffix(".json").stat().st_mtime)
    side = json.loads(later.with_suffix(".json").read_text())
    assert side["same_file_as"] in {p.name for p in twins + [best]} - {later.name}
    assert checkpoints.load(best)["step"] == checkpoints.load(twins[0])["step"]


def test_a_changed_state_is_written_in_full(tmp_path):
    a = {"step": 5, "elapsed": 1.0, "w": torch.zeros(3)}
    p1 = checkpoints.save(tmp_path / "step_00000005.pt", a, {"reason": "periodic"})
    p2 = checkpoints.save(tmp_path / "best_00000005.pt", {**a, "elapsed": 1.00001}, {"reason": "best"})
    assert p1.stat().st_ino == p2.stat().st_ino
    p3 = checkpoints.save(tmp_path / "manual_00000005.pt", {**a, "w": torch.ones(3)}, {"reason": "manual"})
    assert p3.stat().st_ino != p1.stat().st_ino and "same_file_as" not in json.loads(p3.with_suffix(".json").read_text())
    assert torch.equal(torch.load(p3, weights_only=True)["w"], torch.ones(3))
    p1.unlink()                       # deleting one name keeps the other
    assert torch.load(p2, weights_only=True)["step"] == 5


def test_the_listing_shows_metrics_and_marks_the_best(run, capsys):
    assert main(["checkpoints", str(run)]) == 0
    out = capsys.readouterr().out.splitlines()
    head = out[0].split()
    assert head[:4] == ["step", "time", "size", "reason"] and head[4] == "w1"
    best = [line for line in out[1:] if line.startswith("*")]
    assert best and all("best_" in line or "one file with best_" in line for line in best)
    assert out[-1].startswith("* best by w1 (lower is better): best_")
    rows = [line for line in out[1:-1]]
    values = [float(line[1:].split()[6]) for line in rows]     # step, date, time, size, unit, reason, w1
    assert min(values) == float(best[0][1:].split()[6])


def test_a_run_name_is_found_in_the_runs_folder(run, capsys, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_RUNS", str(run.parent))
    assert main(["checkpoints", run.name]) == 0
    assert "best by w1" in capsys.readouterr().out


def test_not_a_run_directory(tmp_path, capsys):
    assert main(["checkpoints", str(tmp_path)]) == 2
    assert "not a run directory" in capsys.readouterr().err
