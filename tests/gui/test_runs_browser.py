"""The runs browser: the list (branches under their parents), the comparison (curves overlaid with the
differing hyperparameters in the legend, metrics plotted, pictures side by side at a chosen step), and
the window's hooks (the Runs tab, Open run adds its folder)."""
from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
import pytest

from studio.cli import main
from studio.gui.panels.runs_browser import RUN_COLOURS, RunsBrowser
from tests.gui.hands import click

TINY = ["--set", "model.hidden=16", "--set", "model.depth=2", "--set", "train.batch_size=32",
        "--set", "eval.every=3", "--set", "eval.n_samples=64", "--set", "checkpoint.every=3",
        "--set", "checkpoint.keep_last=0", "--quiet"]


@pytest.fixture(scope="module")
def runs_folder(tmp_path_factory):
    """Two ring runs differing in optim_g.lr, and a third branched from the first at step 3."""
    root = tmp_path_factory.mktemp("browse") / "runs"
    a, b, c = root / "slow", root / "fast", root / "child"
    assert main(["train", "--preset", "ring-2d-gan", "--steps", "6", "--out", str(a), *TINY]) == 0
    assert main(["train", "--preset", "ring-2d-gan", "--steps", "6", "--out", str(b), *TINY,
                 "--set", "optim_g.lr=0.001"]) == 0
    assert main(["train", "--resume", str(a / "checkpoints" / "step_00000003.pt"), "--steps", "9",
                 "--out", str(c), "--quiet"]) == 0
    return root


@pytest.fixture
def browser(qtbot, runs_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_RUNS", str(runs_folder))
    w = RunsBrowser()
    qtbot.addWidget(w)
    w.resize(1100, 600)
    w.show()
    return w


def test_list_nests_a_branch_under_its_parent(browser, runs_folder):
    names = {Path(p).name for p in browser.run_paths()}
    assert names == {"slow", "fast", "child"}
    parent = browser.item(runs_folder / "slow")
    assert parent.childCount() == 1 and parent.child(0).data(0, 256) == str(runs_folder / "child")
    assert parent.child(0).text(0).startswith("↳ child")
    assert "branched from <b>slow</b> at step 3" in parent.child(0).toolTip(0)
    assert browser.item(runs_folder / "fast").text(2) == "6"


def test_compare_overlays_curves_with_the_differing_setting_in_the_legend(browser, runs_folder):
    a, b, c = (runs_folder / n for n in ("slow", "fast", "child"))
    browser.set_ticked([a, b])
    browser.wait()
    assert {r.name for r in browser.compared} == {"slow", "fast"}
    assert browser.keys == ["optim_g.lr"]
    assert set(browser.colours.values()) <= set(RUN_COLOURS) and len(set(browser.colours.values())) == 2
    browser.key_box.setCurrentIndex(browser.key_box.findData("loss_g"))
    items = browser.curve_items
    assert set(items) == {str(a), str(b)}
    xs, ys = items[str(b)].getData()
    assert list(xs) == [1, 2, 3, 4, 5, 6]
    labels = [t for _, t in browser.legend_entries()]
    assert "optim_g.lr=0.001" in browser.legend.text()
    assert any("fast" in t and "optim_g.lr=0.001" in t for t in labels)
    assert any("slow" in t and "optim_g.lr=0.0002" in t for t in labels)
    assert "optim_g.lr" in browser.summary.text()
    assert "<b>fast</b>: optim_g.lr = 0.001" in browser.summary.toolTip()
    # metrics over time: one plot per metric, both runs on each
    g = browser.metric_grid
    assert "precision" in g.plots and "recall" in g.plots
    assert len(g.plots["precision"].listDataItems()) == 2
    px, _ = g.plots["precision"].listDataItems()[0].getData()
    assert list(px) == [3, 6]


def test_branch_marker_and_parent_in_the_legend(browser, runs_folder):
    a, c = runs_folder / "slow", runs_folder / "child"
    browser.set_ticked([a, c])
    browser.wait()
    line = browser.branch_lines[str(c)]
    assert line.value() == 3
    child = next(r for r in browser.compared if r.name == "child")
    assert "↳ from slow @ 3" in browser.legend_label(child)
    assert "train.steps" in browser.keys
    assert any(step == 3 for key, step, _ in browser.metric_grid.markers if key == str(c))


def test_pictures_side_by_side_at_the_chosen_step(browser, runs_folder):
    """Toy runs save no sample grids: each card draws its checkpoint nearest at or before the step."""
    a, b, c = (runs_folder / n for n in ("slow", "fast", "child"))
    browser.set_ticked([a, b, c])
    browser.wait()
    assert browser._steps == [3, 6, 9]
    browser.set_step(6)
    browser.wait()
    cards = browser.run_cards
    assert cards[str(a)].source.endswith("end_00000006.pt")
    assert cards[str(b)].source.endswith("end_00000006.pt")
    assert cards[str(c)].source.endswith("step_00000006.pt")
    assert not cards[str(a)].picture.pixmap().isNull()
    assert "real (cyan), generated (orange)" in cards[str(a)].caption.text()
    browser.set_step(3)
    assert "drawing…" in cards[str(a)].caption.text()        # opening the checkpoint: on the worker
    browser.wait()
    assert cards[str(a)].source.endswith("step_00000003.pt") and not cards[str(a)].picture.pixmap().isNull()
    assert "starts at step 3" not in cards[str(c)].caption.text()
    browser.set_step(9)
    assert cards[str(a)].source.endswith("end_00000006.pt")       # the newest at or before step 9


def test_sample_grids_are_preferred_and_a_run_starts_where_it_branched(browser, runs_folder, tmp_path):
    """A run with samples/*.png shows the grid at or before the step; a branch shows nothing before
    its branch point."""
    run = tmp_path / "runs2" / "imgrun"
    shutil.copytree(runs_folder / "fast", run)
    from studio.inspect.grids import save_png
    for step, shade in ((2, 40), (5, 200)):
        save_png(np.full((8, 8, 3), shade, np.uint8), run / "samples" / f"step_{step:08d}.png")
    kid = tmp_path / "runs2" / "kid"
    kid.mkdir()
    shutil.copy(runs_folder / "fast" / "config.toml", kid / "config.toml")
    (kid / "metrics.jsonl").write_text("".join(json.dumps(x) + "\n" for x in [
        {"event": "branch", "step": 5, "from_run": str(run), "from_step": 5},
        {"step": 6, "kind": "iter", "t": 0.1, "loss_d": 1.0, "loss_g": 0.5}]))
    (kid / "samples").mkdir()
    save_png(np.full((8, 8, 3), 90, np.uint8), kid / "samples" / "step_00000006.png")
    browser.add_folder(tmp_path / "runs2")
    assert browser.item(run).child(0).data(0, 256) == str(kid)       # the "branch" line nests it
    browser.set_ticked([run, kid])
    browser.wait()
    browser.set_step(5)
    cards = browser.run_cards
    assert cards[str(run)].source.endswith("step_00000005.png")
    assert "starts at step 5" not in cards[str(kid)].caption.text()
    browser.set_step(3)
    assert cards[str(run)].source.endswith("step_00000003.pt") or cards[str(run)].source.endswith("step_00000002.png")
    browser.set_step(2)
    assert cards[str(run)].source.endswith("step_00000002.png")
    assert "starts at step 5" in cards[str(kid)].caption.text() and cards[str(kid)].source == ""


def test_unreadable_run_is_listed_but_not_compared(browser, tmp_path):
    bad = tmp_path / "runs3" / "broken"
    bad.mkdir(parents=True)
    (bad / "config.toml").write_text("schema_version = 1\n[train]\nlr = 3\n")
    browser.add_folder(tmp_path / "runs3")
    it = browser.item(bad)
    assert it.text(1) == "unreadable" and "unknown key 'train.lr'" in html.unescape(it.toolTip(0))
    browser.set_ticked([bad])
    browser.wait()
    assert browser.compared == []


def test_window_runs_tab_and_open_run_adds_its_folder(qtbot, make_window, runs_folder, tmp_path):
    w = make_window(None)
    other = tmp_path / "elsewhere"
    shutil.copytree(runs_folder / "fast", other / "fast")
    assert w.open_run(other / "fast")
    assert any(f == other for f in w.runs.folders)
    w.findChild(type(w.menuBar().actions()[0]), "compare_runs").trigger()
    assert w.tabs.currentWidget() is w.runs
    assert str(other / "fast") in w.runs.run_paths()
    tree = w.runs.tree
    tree.scrollToItem(w.runs.item(other / "fast"))
    click(qtbot, tree.viewport(), tree.visualItemRect(w.runs.item(other / "fast")).center())
    assert Path(w.runs.current_path()) == other / "fast"
    click(qtbot, w.runs.open_button)
    assert w.tabs.currentIndex() == 0 and w.checkpoints.run_dir == other / "fast"


def test_a_folder_of_runs_inside_is_a_group(browser, runs_folder, tmp_path):
    """runs/sweep-NAME-TIME/trial-NNN: the sweep is a group of its trials, closed until one is ticked."""
    top = tmp_path / "runs4"
    for i in range(2):
        shutil.copytree(runs_folder / "fast", top / "sweep-ring" / f"trial-{i:03d}")
    shutil.copytree(runs_folder / "slow", top / "alone")
    browser.add_folder(top)
    trial = top / "sweep-ring" / "trial-001"
    item = browser.item(trial)
    group = item.parent()
    assert group is not None and group.text(0) == "sweep-ring  (2 runs)" and group.childCount() == 2
    assert not group.flags() & Qt.ItemFlag.ItemIsUserCheckable and not group.isExpanded()
    assert str(top / "sweep-ring") not in browser.run_paths()
    browser.set_ticked([trial, top / "alone"])
    browser.wait()
    assert {r.name for r in browser.compared} == {"trial-001", "alone"}
    browser.refresh()
    assert browser.item(trial).parent().isExpanded()
