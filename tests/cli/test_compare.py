"""`gan-studio compare` and studio.tools.compare on tiny runs trained here."""
import json
from pathlib import Path

import pytest

from studio.cli import main
from studio.tools import compare

TINY = ["--set", "model.hidden=16", "--set", "model.depth=2", "--set", "train.batch_size=32",
        "--set", "eval.every=3", "--set", "eval.n_samples=64", "--set", "checkpoint.every=3", "--quiet"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two ring runs differing only in the generator's learning rate, and a third resumed from the
    first one's step-3 checkpoint into its own directory (a branch)."""
    root = tmp_path_factory.mktemp("runs")
    a, b, c = root / "ring-2d-gan-20260101-120000", root / "fast", root / "child"
    assert main(["train", "--preset", "ring-2d-gan", "--steps", "6", "--out", str(a), *TINY]) == 0
    assert main(["train", "--preset", "ring-2d-gan", "--steps", "6", "--out", str(b), *TINY,
                 "--set", "optim_g.lr=0.001"]) == 0
    assert main(["train", "--resume", str(a / "checkpoints" / "step_00000003.pt"), "--steps", "9",
                 "--out", str(c), "--quiet"]) == 0
    return a, b, c


def test_summary_of_a_run(runs):
    a, b, c = runs
    s = compare.load_run(a)
    assert (s.preset, s.variant, s.step, s.target) == ("ring-2d-gan", "gan", 6, 6)
    assert set(s.last) >= {"loss_d", "loss_g"}
    assert [st for st, _ in s.evals] == [3, 6]
    steps, vals = s.curves["loss_d"]
    assert list(steps) == [1, 2, 3, 4, 5, 6] and vals[-1] == pytest.approx(s.last["loss_d"])
    best = s.best()
    evals = dict(s.evals)
    assert best["precision"][0] == max(evals[3]["precision"], evals[6]["precision"])
    assert best["diversity"][0] == min((e["diversity"] for e in evals.values()), key=lambda v: abs(v - 1))
    assert "kid_se" not in best
    assert [ck.step for ck in s.checkpoints] == [3, 6]
    assert s.branch is None


def test_differing_hyperparameters_and_branch(runs):
    a, b, c = runs
    ra, rb, rc = compare.load_runs([a, b, c])
    assert compare.differing([ra, rb]) == ["optim_g.lr"]
    assert set(compare.differing([ra, rb, rc])) == {"optim_g.lr", "train.steps"}
    assert rc.branch is not None and rc.branch.from_run.resolve() == a.resolve() and rc.branch.from_step == 3
    assert [st for st, _ in rc.evals] == [6, 9]       # the child's own lines start at the branch
    assert compare.label(rb, ["optim_g.lr"]) == "fast (optim_g.lr=0.001)"


def test_branch_event_line(tmp_path, runs):
    """The line the Trainer writes when a run is branched from another one's history."""
    a, _, _ = runs
    child = tmp_path / "kid"
    child.mkdir()
    (child / "config.toml").write_bytes((a / "config.toml").read_bytes())
    lines = [{"event": "branch", "step": 4, "from_run": str(a), "from_step": 4},
             {"step": 5, "kind": "iter", "t": 0.1, "loss_d": 1.0, "loss_g": 0.5}]
    (child / "metrics.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    s = compare.load_run(child)
    assert (s.branch.from_run, s.branch.from_step, s.step) == (a, 4, 5)


def test_rollback_is_not_a_branch(tmp_path, runs):
    a, _, _ = runs
    run = tmp_path / "r"
    run.mkdir()
    (run / "config.toml").write_bytes((a / "config.toml").read_bytes())
    (run / "metrics.jsonl").write_text(json.dumps({"event": "resume", "step": 3, "checkpoint":
                                                   str(run / "checkpoints" / "step_00000003.pt")}) + "\n")
    assert compare.load_run(run).branch is None


def test_cli_table(runs, capsys):
    a, b, c = runs
    assert main(["compare", str(a), str(b), str(c), "--wide"]) == 0
    out = capsys.readouterr().out.splitlines()
    head = out[0].split()
    assert head[:4] == ["run", "preset", "variant", "steps"]
    assert "optim_g.lr" in head and "train.steps" in head and "loss_d" in head and "precision" in head
    rows = {line.split()[0]: line for line in out[2:5]}
    assert set(rows) == {a.name, "fast", "child"}
    assert " 0.001 " in rows["fast"] and " 0.0002 " in rows[a.name]
    assert f"{a.name} @ 3" in rows["child"]
    assert any(line.startswith(f"child branched from {a}") for line in out)
    evals = dict(compare.load_run(b).evals)
    best_step = max(evals, key=lambda s: (evals[s]["precision"], -s))
    assert f"{evals[best_step]['precision']:.4g} @ {best_step}" in rows["fast"]


def test_cli_narrow_terminal_turns_the_table(runs, capsys):
    a, b, _ = runs
    text = compare.compare_text([a, b], width=40)
    lines = text.splitlines()
    assert lines[0].split() == ["run", a.name, "fast"]
    assert any(line.split()[:3] == ["optim_g.lr", "0.0002", "0.001"] for line in lines)


def test_folder_of_runs_stands_for_its_runs(runs):
    a, b, c = runs
    assert [p.name for p in compare.expand([a.parent])] == sorted([a.name, b.name, c.name])


@pytest.mark.parametrize("make, part", [
    (lambda d: d / "nothing", "nothing: no such folder"),
    (lambda d: (d / "empty").mkdir() or d / "empty", "empty: not a run directory (no config.toml or "
                                                     "metrics.jsonl), and no run directories inside it"),
    (lambda d: (d / "f.txt").write_text("x") and d / "f.txt", "f.txt: not a run directory (a file"),
    (lambda d: _run_with_config(d, "[train\nsteps = 3\n"), "config.toml: malformed TOML"),
    (lambda d: _run_with_config(d, "schema_version = 1\n[train]\nlr = 3\n"),
     "config.toml: unknown key 'train.lr' (value 3)"),
])
def test_bad_input_is_one_line(tmp_path, capsys, runs, make, part):
    bad = make(tmp_path)
    assert main(["compare", str(runs[0]), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and part in err and "Traceback" not in err


def _run_with_config(d: Path, text: str) -> Path:
    run = d / "broken"
    run.mkdir()
    (run / "config.toml").write_text(text)
    (run / "metrics.jsonl").write_text("")
    return run


def test_a_moved_run_is_not_a_branch_of_its_old_place(tmp_path, runs):
    a, _, _ = runs
    run = tmp_path / "moved"
    run.mkdir()
    (run / "config.toml").write_bytes((a / "config.toml").read_bytes())
    old = tmp_path / "gone" / "moved" / "checkpoints" / "step_00000003.pt"
    (run / "metrics.jsonl").write_text(json.dumps({"event": "resume", "step": 3, "checkpoint": str(old)}) + "\n")
    assert compare.load_run(run).branch is None
    assert compare.peek_run(run).branch is None
