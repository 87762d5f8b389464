"""Your own 1D and 2D data from a file (data.kind = points1d / points2d, data.file = CSV or .npy):
it trains, the file is copied into the run directory, and a malformed file gets one line naming the
file, the line and the value."""
from __future__ import annotations

import numpy as np
import pytest

from studio.cli import main
from studio.config.presets import load_preset
from studio.config.schema import ConfigError, DataConfig
from studio.data import make_data
from studio.engine.trainer import Trainer

from .helpers import run_all, tiny


def test_a_csv_of_2d_points_with_a_header_trains_and_is_kept_in_the_run(tmp_path):
    csv = tmp_path / "mine.csv"
    pts = np.random.default_rng(0).normal(size=(50, 2)) * 0.3 + [1.0, -2.0]
    csv.write_text("x,y\n" + "\n".join(f"{a:.5f},{b:.5f}" for a, b in pts) + "\n")
    cfg = tiny("ring-2d-gan", "data.kind='points2d'", f"data.file='{csv}'", steps=5)
    t = Trainer(cfg, tmp_path / "run", snapshots=False)
    run_all(t)
    copy = tmp_path / "run" / "data" / "mine.csv"
    assert copy.read_text() == csv.read_text()
    saved = load_preset(tmp_path / "run" / "config.toml")
    assert saved.data.file == str(copy)                     # the run repeats without the original
    src = make_data(saved.data)
    np.testing.assert_allclose(src.centers, pts, atol=1e-5)


def test_a_1d_npy_trains(tmp_path):
    npy = tmp_path / "mine.npy"
    np.save(npy, np.random.default_rng(1).normal(5.0, 0.5, size=200))
    cfg = tiny("toy-1d-mlp", "data.kind='points1d'", f"data.file='{npy}'", "data.mode_std=0.1", steps=5)
    events = run_all(Trainer(cfg, write=False, snapshots=False))
    assert events[-1].reason == "done"
    x = make_data(cfg.data).sample(1000, __import__("torch").Generator().manual_seed(0), "cpu").x
    assert abs(float(x.mean()) - 5.0) < 0.1


@pytest.mark.parametrize("name, body, dim, words", [
    ("text.csv", "x,y\n1,2\n3,abc\n", 2, ["line 3", "'abc' is not a number"]),
    ("cols.csv", "1,2\n3,4,5\n", 2, ["line 2 has 3 column(s)", "expects 2 columns"]),
    ("nan.csv", "1\n2\nnan\n", 1, ["line 3", "not a finite number"]),
    ("empty.csv", "", 1, ["has 0 point(s)", "at least 2"]),
    ("one.csv", "x\n7\n", 1, ["has 1 point(s)"]),
])
def test_malformed_files_name_the_file_the_line_and_the_value(tmp_path, name, body, dim, words):
    f = tmp_path / name
    f.write_text(body)
    with pytest.raises(ConfigError) as e:
        make_data(DataConfig(kind=f"points{dim}d", file=str(f)))
    assert str(e.value).startswith(str(f)) and all(w in str(e.value) for w in words), str(e.value)


def test_npy_of_the_wrong_shape_and_the_cli_line(tmp_path, capsys):
    npy = tmp_path / "wrong.npy"
    np.save(npy, np.zeros((10, 3)))
    with pytest.raises(ConfigError, match=r"shape \(10, 3\); expected \(N, 2\)"):
        make_data(DataConfig(kind="points2d", file=str(npy)))
    assert main(["train", "--preset", "ring-2d-gan", "--set", "data.kind=points2d", "--set",
                 f"data.file='{npy}'", "--steps", "1", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(npy) in err[0] and "Traceback" not in err[0]
