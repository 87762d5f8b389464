"""The studio model without Qt: presets, edits, the user's own data, what is shown, the explorer's
source and the runs known; every change validated there and announced once, after it happened."""
import subprocess
import sys

import numpy as np
import pytest

from studio.app_model import StudioModel
from studio.config.schema import ConfigError
from studio.data.base import FAMILIES, family_of


def recorder(model):
    seen = []
    for name in ("preset_changed", "config_changed", "problem_changed", "shown_changed",
                 "explorer_changed", "runs_changed"):
        getattr(model, name).connect(lambda *a, n=name: seen.append((n, a)))
    return seen


def test_the_model_works_without_qt():
    code = ("import sys; from studio.app_model import StudioModel; m = StudioModel(); "
            "m.choose_preset('toy-1d-shift'); m.set_value('optim_g.lr', 0.01); "
            "print(sorted(k for k in sys.modules if k.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-800:]
    assert out.stdout.strip() == "[]"


def test_choosing_a_preset_replaces_the_config_and_shows_it():
    m = StudioModel()
    seen = recorder(m)
    cfg = m.choose_preset("ring-2d-gan")
    assert m.preset == "ring-2d-gan" == m.run_name and cfg.data.kind == "ring2d"
    assert m.shown.kind == "preset" and m.shown.name == "ring-2d-gan"
    assert [n for n, _ in seen] == ["config_changed", "preset_changed", "shown_changed"]
    assert seen[0][1] == (None,)          # the whole config, then who chose it
    with pytest.raises(ConfigError, match="nope"):
        m.choose_preset("nope")
    assert m.preset == "ring-2d-gan"      # a bad choice changes nothing


def test_an_edit_is_validated_and_announced_once():
    m = StudioModel()
    m.choose_preset("toy-1d-shift")
    seen = recorder(m)
    assert m.set_value("optim_g.lr", 0.005)
    assert m.get("optim_g.lr") == 0.005 == m.config().optim_g.lr
    assert seen == [("config_changed", (("optim_g.lr",),))]
    assert not m.set_value("optim_g.lr", 0.005)          # no change, no event
    with pytest.raises(ConfigError, match="optim_g.lr"):
        m.set_value("optim_g.lr", -1.0)
    with pytest.raises(ConfigError, match="train.nope"):
        m.set_value("train.nope", 1)
    assert m.get("optim_g.lr") == 0.005 and len(seen) == 1
    c = m.config()
    c.optim_g.lr = 1.0                                    # a copy: the model is not changed behind its back
    assert m.get("optim_g.lr") == 0.005


def test_drawn_points_are_the_data_once_and_clear_brings_the_presets_back():
    m = StudioModel()
    m.choose_preset("ring-2d-gan")
    seen = recorder(m)
    m.draw_points([[0.0, 1.0]])
    assert m.problems == {"data.points": m.problems["data.points"]} and "at least" in m.problems["data.points"]
    m.draw_points([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    assert m.problems == {} and m.config().data.kind == "points2d" and len(m.drawn_points) == 3
    assert ("problem_changed", ("data.points", None)) in seen
    # another 2D preset keeps them; an image preset does not
    m.choose_preset("ring-2d-wgan-gp")
    assert m.config().data.kind == "points2d" and len(m.config().data.points) == 3
    assert m.clear_drawn() == "ring2d"
    assert m.config().data.kind == "ring2d" and m.drawn_points == []
    assert m.clear_drawn() is None                        # nothing drawn: nothing to clear
    m.draw_points([[0.0, 1.0], [1.0, 0.0]])
    m.choose_preset("digits-dcgan")
    assert m.config().data.kind == "digits" and m.drawn_points == []


def test_a_points_file_sets_the_kind_or_is_one_problem(tmp_path):
    m = StudioModel()
    m.choose_preset("ring-2d-gan")
    good = tmp_path / "p.npy"
    np.save(good, np.random.default_rng(0).normal(size=(50, 1)))
    info = m.use_points_file(str(good))
    assert info.n == 50 and m.config().data.kind == "points1d" and m.config().data.file == str(good)
    assert m.check_points_file() is not None and m.problems == {}
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ConfigError):
        m.use_points_file(str(bad))
    assert "data.file" in m.problems and "\n" not in m.problems["data.file"]
    assert m.config().data.file == str(good)              # nothing applied
    m.set_value("data.kind", "points2d")                  # the file has one column
    assert m.check_points_file() is None and "expects 2" in m.problems["data.file"]


def test_what_is_shown_the_explorer_and_the_runs_known(tmp_path):
    m = StudioModel()
    seen = recorder(m)
    m.show("checkpoint", "run-a", tmp_path / "step_10.pt", 10)
    assert m.shown_checkpoint == str(tmp_path / "step_10.pt") and m.shown.step == 10
    m.show("checkpoint", "run-a", tmp_path / "step_10.pt", 10)      # the same: no event
    assert [n for n, _ in seen] == ["shown_changed"]
    with pytest.raises(ValueError):
        m.show("sideways")
    m.take_config(m.config(), "run-a")
    assert m.preset is None and m.run_name == "run-a"
    m.set_explorer_source("live", tmp_path, 40)
    assert m.explorer_source.kind == "live" and m.explorer_source.step == 40
    assert m.add_runs_folder(tmp_path) and not m.add_runs_folder(tmp_path / ".")
    assert m.runs_folders == (tmp_path.resolve(),)


def test_every_data_kind_has_one_family_in_the_registry():
    from studio.config.schema import DATA_KINDS
    assert set(FAMILIES) == set(DATA_KINDS)
    assert family_of("ring2d") == "2d" and family_of("fashion_mnist") == "image" and family_of("x") is None


def test_the_explorer_follows_the_live_run_until_pinned_and_says_so_once(tmp_path):
    m = StudioModel()
    seen = recorder(m)
    assert m.explorer_follows and m.explorer_source is None
    m.set_explorer_source("live", tmp_path / "run-a", 40)
    m.set_explorer_source("live", tmp_path / "run-a", 40)            # the same: no event
    assert [n for n, _ in seen] == ["explorer_changed"] and m.explorer_follows
    m.set_explorer_source("checkpoint", tmp_path / "end.pt", 100, follow=False)   # opened during a run
    assert m.explorer_source.kind == "checkpoint" and not m.explorer_follows
    assert seen[-1] == ("explorer_changed", (m.explorer_source,))
    m.follow_live_run(False)                                         # already pinned: no event
    assert len(seen) == 2
    m.follow_live_run(True)                                          # the box ticked again
    assert m.explorer_follows and len(seen) == 3
    m.set_explorer_source("live", tmp_path / "run-b", 5)             # follow not given: stays
    assert m.explorer_follows and m.explorer_source.where == str(tmp_path / "run-b")
    with pytest.raises(ValueError):
        m.set_explorer_source("dream", tmp_path, 1)
    assert m.explorer_source.kind == "live" and len(seen) == 4


def test_runs_folders_are_added_once_and_announced_with_all_of_them(tmp_path):
    m = StudioModel()
    seen = recorder(m)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert m.add_runs_folder(tmp_path / "a") and m.add_runs_folder(tmp_path / "b")
    assert not m.add_runs_folder(tmp_path / "a" / ".." / "a")        # the same folder: no event
    assert m.runs_folders == ((tmp_path / "a").resolve(), (tmp_path / "b").resolve())
    a, b = (tmp_path / "a").resolve(), (tmp_path / "b").resolve()
    assert seen == [("runs_changed", ((a,),)), ("runs_changed", ((a, b),))]
