"""`gan-studio sweep`: a real two-trial sweep end to end, bad input, pruning and a study continued
through its storage. The last two replace the trainer by a tiny process that writes metrics.jsonl
the way a run does (the parent only reads that file), so that they take seconds."""
import json
import sys
import tomllib

import pytest

from studio.cli import main
from studio.config.presets import load_preset
from studio.engine.runlog import read_metrics
from studio.tools import sweep as sw

TINY = ["--set", "model.hidden=16", "--set", "model.depth=2", "--set", "train.batch_size=64",
        "--set", "eval.n_samples=200"]


def table_rows(text: str) -> list[list[str]]:
    lines = [ln.split() for ln in text.strip().splitlines()]
    assert lines[0][:3] == ["rank", "trial", "state"], text
    return lines[1:]


def test_a_grid_sweep_trains_each_trial_in_its_own_run_and_ranks_them(tmp_path, capsys):
    out = tmp_path / "sw"
    code = main(["sweep", "--preset", "ring-2d-gan", "--param", "optim_g.lr=1e-3,5e-3", "--steps", "24",
                 "--workers", "2", "--metric", "precision", "--out", str(out), *TINY])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    rows = table_rows(cap.out)
    assert len(rows) == 2 and all(r[2] == "complete" for r in rows)
    values = {}
    for r in rows:
        run = out / f"trial-{int(r[1]):03d}"
        assert r[-1] == str(run)
        cfg = tomllib.loads((run / "config.toml").read_text())
        assert cfg["optim_g"]["lr"] == float(r[4]) and cfg["train"]["steps"] == 24
        assert (run / "checkpoints" / "end_00000024.pt").is_file()      # an ordinary run directory
        evals = [x for x in read_metrics(run / "metrics.jsonl") if x.get("event") == "eval"]
        assert evals[-1]["step"] == 24 and len(evals) == 4                # eval.every = steps // 4
        values[r[1]] = evals[-1]["precision"]
        assert float(r[3]) == pytest.approx(values[r[1]], rel=1e-3)
        assert (run / sw.TRIAL_PICTURE).read_bytes()[:4] == b"\x89PNG"
    ordered = [values[r[1]] for r in rows]
    assert ordered == sorted(ordered, reverse=True)                        # precision: higher first
    d = sw.read_sweep(out)
    assert d["done"] and d["metric"] == "precision" and d["maximize"] and len(d["trials"]) == 2
    assert {t["params"]["optim_g.lr"] for t in d["trials"]} == {1e-3, 5e-3}
    assert "2 trial(s) in" in cap.err and "best: trial" in cap.err
    assert main(["checkpoints", str(out / "trial-000")]) == 0              # other commands open it


@pytest.mark.parametrize("args, part", [
    (["--param", "optim_g.lrr=1e-3,1e-2"], "unknown setting 'optim_g.lrr'"),
    (["--param", "optim_g.lr=fast,1e-3"], "--param optim_g.lr: expected a number"),
    (["--param", "variant.k=1,2.5"], "--param variant.k: expected an integer"),
    (["--param", "optim_g.lr=1e-3,1e-3"], "given twice"),
    (["--param", "optim_g.lr=log:1e-4:1e-2"], "the grid sampler needs a list of values"),
    (["--param", "optim_g.lr=log:1e-2:1e-4", "--sampler", "tpe"], "LOW must be below HIGH"),
    (["--param", "optim_g.lr"], "expected KEY=V1,V2"),
    (["--param", "optim_g.lr=1e-3", "--metric", "fid"], "--metric 'fid': not measured by ring-2d-gan"),
    (["--param", "variant.name=gan,wgan"], "the game cannot be a sweep axis"),
    (["--param", "optim_g.lr=1e-3", "--workers", "0"], "--workers must be between 1 and 64"),
    ([], "at least one --param"),
])
def test_bad_input_gets_one_line_and_exit_code_2(tmp_path, capsys, args, part):
    code = main(["sweep", "--preset", "ring-2d-gan", "--out", str(tmp_path / "sw"), *args])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert part in err and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert not (tmp_path / "sw").exists()          # nothing started


def test_bad_preset_and_a_preset_without_metrics(tmp_path, capsys):
    assert main(["sweep", "--preset", "nope", "--param", "optim_g.lr=1e-3"]) == 2
    assert "preset 'nope' not found" in capsys.readouterr().err
    assert main(["sweep", "--preset", "saddle-bilinear", "--param", "optim_g.lr=1e-3,1e-2"]) == 2
    err = capsys.readouterr().err
    assert "measures no quality metric" in err and len(err.strip().splitlines()) == 1


# A stand-in for `gan-studio train`: reads the trial's config, writes an eval line to metrics.jsonl every
# eval.every steps (value: 0.1 for the trial named in FAKE_BAD, else lr * 1000), stops at Ctrl+C.
FAKE = r"""
import json, os, signal, sys, time, tomllib
cfg = tomllib.load(open(sys.argv[1], "rb"))
run = sys.argv[2]
stop = []
signal.signal(signal.SIGINT, lambda *a: stop.append(1))
every, steps = cfg["eval"]["every"], cfg["train"]["steps"]
bad = os.path.basename(run) in os.environ.get("FAKE_BAD", "").split(",")
with open(os.path.join(run, "metrics.jsonl"), "a") as fh:
    for s in range(every, steps + 1, every):
        if stop:
            break
        v = 0.1 if bad else cfg["optim_g"]["lr"] * 1000
        fh.write(json.dumps({"event": "eval", "step": s, "modes": v}) + "\n")
        fh.flush()
        time.sleep(float(os.environ.get("FAKE_PAUSE", "0")))
"""


@pytest.fixture
def fake_trainer(monkeypatch):
    monkeypatch.setattr(sw.Sweep, "trial_command",
                        lambda self, cfg_path, run_dir: [sys.executable, "-c", FAKE, str(cfg_path), str(run_dir)])


def test_two_invocations_on_one_storage_continue_the_same_study(tmp_path, capsys, fake_trainer):
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    args = ["sweep", "--preset", "ring-2d-gan", "--param", "optim_g.lr=1e-3,2e-3,3e-3,4e-3", "--steps", "40",
            "--storage", db, "--study", "lrs", "--workers", "2", "--trials", "2", "--no-prune"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    first = table_rows(capsys.readouterr().out)
    assert len(first) == 2
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    second = table_rows(capsys.readouterr().out)
    assert len(second) == 4 and all(r[2] == "complete" for r in second)
    assert sorted(float(r[4]) for r in second) == [1e-3, 2e-3, 3e-3, 4e-3]    # the grid, each point once
    assert [float(r[3]) for r in second] == pytest.approx([4.0, 3.0, 2.0, 1.0])   # modes: higher first
    assert sorted(r[1] for r in second) == ["0", "1", "2", "3"]
    assert {r[1] for r in first} < {r[1] for r in second}
    runs = {r[-1].split("/")[-2] for r in second}
    assert runs == {"a", "b"}                       # trials of both invocations, each in its own folder
    # the grid is used up: a third invocation runs nothing, a different metric is refused
    assert main([*args, "--out", str(tmp_path / "c")]) == 0
    assert len(table_rows(capsys.readouterr().out)) == 4
    assert main([*args, "--out", str(tmp_path / "d"), "--metric", "recall"]) == 2
    assert "ranks by 'modes'" in capsys.readouterr().err


def test_a_second_sweep_opening_a_study_while_it_is_described_sees_all_of_it_or_none(tmp_path, monkeypatch):
    """The race CI met once: a sweep read a study whose first sweep had written one of its three attributes
    and refused it as a study of "None over nothing". After every attribute written, another sweep with the
    same command opens the study here: it must go on, and one with other axes must be refused."""
    import optuna
    from optuna.storages import RDBStorage

    cfg = load_preset("ring-2d-gan")

    def spec(values):
        return sw.prepare(sw.SweepSpec(preset="ring-2d-gan", axes=[sw.parse_axis(cfg, f"optim_g.lr={values}")],
                                       out=tmp_path / "sw", storage=f"sqlite:///{tmp_path / 'sw.db'}", workers=1))

    seen = []
    write = RDBStorage.set_study_user_attr

    def write_then_look(self, study_id, key, value):
        write(self, study_id, key, value)
        if len(seen) < 5:
            seen.append(key)
            assert sw.open_study(spec("1e-3,2e-3")).study_name == "ring-2d-gan"      # the same command goes on
            with pytest.raises(sw.ConfigError, match="sweeps ring-2d-gan over optim_g.lr=0.001,0.002"):
                sw.open_study(spec("1e-3,5e-3"))

    monkeypatch.setattr(RDBStorage, "set_study_user_attr", write_then_look)
    study = sw.open_study(spec("1e-3,2e-3"))
    assert seen == ["sweep"]                                  # described in one write
    assert sw._study_spec(optuna.load_study(storage=study._storage, study_name=study.study_name))["preset"] \
        == "ring-2d-gan"


def test_a_study_described_by_an_older_sweep_is_still_recognised(tmp_path):
    """Studies made before the single attribute keep metric, axes and preset apart: they open as before."""
    import optuna
    cfg = load_preset("ring-2d-gan")
    url = f"sqlite:///{tmp_path / 'old.db'}"
    axes = [sw.parse_axis(cfg, "optim_g.lr=1e-3,2e-3")]
    old = optuna.create_study(storage=url, study_name="ring-2d-gan", direction="maximize")
    for k, v in {"metric": "modes", "axes": {a.key: a.describe() for a in axes}, "preset": "ring-2d-gan"}.items():
        old.set_user_attr(k, v)
    spec = sw.prepare(sw.SweepSpec(preset="ring-2d-gan", axes=axes, out=tmp_path / "sw", storage=url, workers=1))
    assert sw.open_study(spec).user_attrs.get("sweep") is None            # opened, not rewritten
    spec.metric = "recall"
    with pytest.raises(sw.ConfigError, match="ranks by 'modes'"):
        sw.open_study(spec)


def test_a_hopeless_trial_is_pruned_and_stopped(tmp_path, capsys, fake_trainer, monkeypatch):
    monkeypatch.setenv("FAKE_BAD", "trial-002")
    monkeypatch.setenv("FAKE_PAUSE", "0.25")
    out = tmp_path / "sw"
    code = main(["sweep", "--preset", "ring-2d-gan", "--param", "optim_g.lr=1e-3,2e-3,3e-3", "--steps", "100",
                 "--set", "eval.every=20", "--workers", "1", "--out", str(out)])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    d = sw.read_sweep(out)
    states = {t["number"]: t["state"] for t in d["trials"]}
    assert states == {0: "COMPLETE", 1: "COMPLETE", 2: "PRUNED"}
    bad = next(t for t in d["trials"] if t["number"] == 2)
    steps = sorted(bad["intermediate"])
    # warm-up is a third of the steps: reported up to the first evaluation past it, then stopped
    assert steps[-1] == 40 and bad["value"] == pytest.approx(0.1)
    lines = (out / "trial-002" / "metrics.jsonl").read_text().splitlines()
    assert len(lines) < 5                                   # the process stopped before its end
    assert "trial 2 pruned at step 40" in cap.err
    rows = table_rows(cap.out)
    assert [r[2] for r in rows] == ["complete", "complete", "pruned"]


def test_axes_parse_lists_and_ranges():
    cfg = load_preset("ring-2d-gan")
    a = sw.parse_axis(cfg, "optim_d.lr=log:1e-4:1e-2")
    assert a.is_range and a.log and (a.low, a.high) == (1e-4, 1e-2) and not a.integer
    b = sw.parse_axis(cfg, "variant.k=range:1:5")
    assert b.integer and not b.log and (b.low, b.high) == (1, 5)
    c = sw.parse_axis(cfg, "variant.g_loss=minimax,nonsaturating")
    assert c.values == ["minimax", "nonsaturating"]
    with pytest.raises(sw.ConfigError, match="log range needs LOW > 0"):
        sw.parse_axis(cfg, "optim_d.momentum=log:0:0.5")
    assert sw.ranked([{"number": 0, "state": "FAIL", "value": None},
                      {"number": 1, "state": "PRUNED", "value": 9.0},
                      {"number": 2, "state": "COMPLETE", "value": 1.0},
                      {"number": 3, "state": "COMPLETE", "value": 2.0}], maximize=False)[0]["number"] == 2
    assert json.loads(json.dumps(sw.direction("fid"))) == "minimize" and sw.direction("coverage") == "maximize"
