"""Your own data in the studio: drawn points become the run's data (the form counts them, the status
bar and the caption say so, config.toml keeps them and a run from it trains on them again), Clear
drawn brings the preset's data back, too few points get one line, and the "…" beside data.file
picks a points file (its kind by column count, its point count shown, a bad file marked, not used)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.config.presets import load_preset
from studio.data import make_data
from studio.engine.events import Finished
from studio.engine.trainer import Trainer

SHORT = {"train__steps": 20, "eval__every": 0, "checkpoint__every": 0, "log__snapshot_every": 10}


def blobs(n: int = 40, seed: int = 0) -> list[list[float]]:
    rng = np.random.default_rng(seed)
    a = rng.normal([-1.2, 0.8], 0.25, (n // 2, 2))
    b = rng.normal([1.0, -0.9], 0.25, (n - n // 2, 2))
    return np.concatenate([a, b]).round(4).tolist()


def draw(w, points) -> None:
    """What a stroke in the 2D view hands on: every drawn point so far."""
    view = w.game.view("2d")
    view._drawn = [list(p) for p in points]        # as the strokes left them
    view.points_drawn.emit(view.drawn_points)


def flashed(w) -> str:
    return w.status.currentMessage()


def test_drawn_points_become_the_next_runs_data_and_its_config(qtbot, make_window, tmp_path):
    w = make_window("ring-2d-gan", **SHORT)
    pts = blobs()
    draw(w, pts)
    cfg = w.form.config()
    assert cfg.data.kind == "points2d" and cfg.data.points == pts
    assert w.form.widget("data.points").text() == "40 drawn points"
    assert w.form.widget("data.points").isVisibleTo(w.form)
    assert "The next run trains on your 40 drawn points" in flashed(w)
    assert "Trains on your 40 drawn points" in w.game.caption.text()
    assert w.form.errors() == {}

    assert w.start()
    qtbot.waitUntil(lambda: w.session.state == "idle" and w.session.step == 20, timeout=60_000)
    run = Path(w.session.run_dir)
    saved = load_preset(run / "config.toml")                # what the run directory keeps
    assert saved.data.kind == "points2d" and saved.data.points == pts
    np.testing.assert_allclose(make_data(saved.data).centers, pts, atol=1e-6)
    again = Trainer(saved, tmp_path / "again", snapshots=False)   # reopening the config trains on them
    last = list(again.run())[-1]
    assert isinstance(last, Finished) and last.reason == "done"
    np.testing.assert_allclose(again.data.centers, pts, atol=1e-6)

    assert w.open_run(run)                                    # the studio reopens it on the same points
    assert w.form.config().data.points == pts and w.form.widget("data.points").text() == "40 drawn points"


def test_clear_drawn_brings_back_the_presets_data(qtbot, make_window):
    w = make_window("ring-2d-wgan-gp", **SHORT)
    draw(w, blobs(12))
    assert w.form.config().data.kind == "points2d"
    w.game.view("2d").clear_drawn()
    d = w.form.config().data
    assert d.kind == "ring2d" and d.points == [] and d.n_modes == 8
    assert "trains on the ring2d data again" in flashed(w)
    assert not w.form.widget("data.points").isVisibleTo(w.form)
    assert "drawn points" not in w.game.caption.text()


def test_another_2d_preset_keeps_the_drawn_points(qtbot, make_window):
    w = make_window("ring-2d-gan", **SHORT)
    pts = blobs(10)
    draw(w, pts)
    assert w.presets.select("ring-2d-wgan-gp")
    cfg = w.form.config()
    assert cfg.variant.name == "wgan_gp" and cfg.data.kind == "points2d" and cfg.data.points == pts
    assert "carry over" in flashed(w)
    w.game.view("2d").clear_drawn()
    assert w.form.config().data.kind == "ring2d"               # that preset's data


def test_too_few_drawn_points_are_one_line_and_no_run(qtbot, make_window):
    w = make_window("ring-2d-gan", **SHORT)
    draw(w, [[0.5, 0.5]])
    why = w.form.errors()["data.points"]
    assert why == "1 drawn point: at least 2 are needed to train on them (draw more, or Clear drawn)"
    assert not w.start()
    assert w.banner.isVisible() and "data.points: 1 drawn point" in w.banner.text()
    assert "\n" not in w.banner.text() and "Traceback" not in w.banner.text()
    assert w.session.state == "idle"
    draw(w, [[0.5, 0.5], [1.0, 1.0], [1.5, 0.5]])            # one more stroke: enough
    assert w.form.errors() == {}


def test_points2d_by_hand_without_points_opens_the_canvas(qtbot, make_window):
    w = make_window("ring-2d-gan", **SHORT)
    w.form._user("data.kind", "points2d")                     # as typed in the form
    assert w.form.widget("data.points").text() == "none yet (Draw data)"
    view = w.game.view("2d")
    qtbot.waitUntil(lambda: w.game.current_view == "2d" and view.vb.drawing, timeout=20_000)
    assert "Draw your data" in w.game.caption.text()


def test_drawing_during_a_run_waits_for_the_next_run(qtbot, make_window):
    w = make_window("ring-2d-gan", train__steps=100_000, eval__every=0)
    assert w.start()
    qtbot.waitUntil(lambda: w.session.state == "running" and w.session.step > 2, timeout=60_000)
    draw(w, blobs(8))
    assert "apply to the next run; this run keeps its data" in flashed(w)
    assert w.session.config.data.kind == "ring2d" and w.form.config().data.kind == "points2d"
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=20_000)


# ------------------------------------------------------------------------------ points files
@pytest.fixture
def files(tmp_path):
    one = tmp_path / "heights.csv"
    one.write_text("height\n" + "\n".join(f"{v:.3f}" for v in np.random.default_rng(1).normal(1.7, 0.1, 120)))
    two = tmp_path / "pairs.npy"
    np.save(two, np.random.default_rng(2).normal(size=(75, 2)))
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3,abc\n")
    return one, two, bad


def test_a_picked_file_sets_the_kind_by_its_columns_and_shows_its_count(qtbot, make_window, files, monkeypatch):
    one, two, bad = files
    w = make_window("ring-2d-gan", **SHORT)
    from PySide6.QtWidgets import QFileDialog
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(one), "Points (*.csv *.npy)"))
    w.form.set_value("data.kind", "points2d")                  # the field (and its button) is shown
    w.form.widget("data.file").parent().button.click()
    d = w.form.config().data
    assert d.kind == "points1d" and d.file == str(one)
    assert w.form.note("data.file") == "120 points, 1 column (points1d)"
    assert "trains on the 120 points of heights.csv" in flashed(w)

    w.form.file_chosen.emit(str(two))
    d = w.form.config().data
    assert d.kind == "points2d" and d.file == str(two)
    assert w.form.note("data.file") == "75 points, 2 columns (points2d)"

    w.form.file_chosen.emit(str(bad))                          # one line, not applied
    assert w.form.config().data.file == str(two)
    why = w.form.errors()["data.file"]
    assert why == f"{bad}: line 3: 'abc' is not a number"
    assert w.form.widget("data.file").text() == str(bad)
    assert not w.start() and "data.file" in w.banner.text()


def test_a_config_naming_a_file_shows_its_count_or_why_it_does_not_read(qtbot, make_window, files):
    one, two, bad = files
    w = make_window("ring-2d-gan", **SHORT)
    w.model.take_config(load_preset("ring-2d-gan"), "ring-2d-gan")
    w.form._user("data.kind", "points2d")
    w.form._user("data.file", str(two))
    assert w.form.note("data.file") == "75 points, 2 columns (points2d)"
    w.form._user("data.file", str(one))                        # 1 column for points2d
    assert "has 1 column; data.kind = points2d expects 2" in w.form.errors()["data.file"]
    w.form._user("data.file", str(bad))
    assert w.form.errors()["data.file"].endswith("line 3: 'abc' is not a number")


def test_a_file_of_three_columns_or_an_empty_one_is_one_line(qtbot, make_window, tmp_path):
    w = make_window("ring-2d-gan", **SHORT)
    three = tmp_path / "xyz.npy"
    np.save(three, np.zeros((10, 3)))
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    w.form.file_chosen.emit(str(three))
    assert (w.form.errors()["data.file"]
            == f"{three}: has shape (10, 3); expected one column (1D points) or two (2D points)")
    w.form.file_chosen.emit(str(empty))
    assert w.form.errors()["data.file"] == f"{empty}: is empty; expected one or two columns of numbers"
    w.form.file_chosen.emit(str(tmp_path / "gone.csv"))
    assert w.form.errors()["data.file"] == f"{tmp_path / 'gone.csv'}: data.file not found"
    assert w.form.config().data.kind == "ring2d"               # nothing applied
