"""The rewind timeline: a toy run's moments kept in memory (capped, thinned evenly), scrubbing redraws
the view at that step with a cursor in the curves, new snapshots do not overwrite a rewound view,
"Branch from here" starts a new run from that exact moment; image runs scrub their saved sample grids
and branch from the newest checkpoint at or before the step."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from studio.engine.trainer import Trainer
from studio.gui.run_history import RunHistory

from ..core.helpers import tiny
from .hands import click, drag_slider


def test_history_thins_its_older_half_evenly_within_its_cap():
    h = RunHistory(max_entries=100, max_bytes=10**9)
    for s in range(1000):
        h.add(s, "2d", {"x": np.zeros(4)}, {"w": torch.zeros(8)})
    steps = h.steps()
    assert len(steps) <= 100 and steps[0] == 0 and steps[-1] == 999 and h.thinned > 0
    assert steps == sorted(steps)
    gaps = np.diff(steps)
    assert gaps[-10:].max() <= gaps[:10].min()                  # the newest stay dense, the oldest thin out
    h2 = RunHistory(max_entries=10**6, max_bytes=50_000)        # the byte cap holds too
    for s in range(500):
        h2.add(s, "2d", {}, {"w": torch.zeros(256)})            # 1 KiB each
    assert h2.nbytes <= 50_000 and len(h2) < 500
    assert h2.at(499).step == 499 and h2.at(10**6).step == 499 and h2.at(-1) is None
    st = h2.state_at(499)
    st["w"] += 1                                                # a copy: the history keeps its own
    assert float(h2.at(499).state["w"].sum()) == 0.0
    gone = next(s for s in range(500) if s not in h2.steps())    # thinned out: no state to branch from
    assert h2.state_at(gone) is None and h2.state_at(-5) is None


def _train_to_end(qtbot, w):
    w.train_or_pause()
    qtbot.waitUntil(lambda: w.session.state == "idle" and w.session.step > 0, timeout=60_000)


def test_scrub_a_toy_run_then_branch_from_that_moment(qtbot, make_window):
    w = make_window("ring-2d-gan", train__steps=40, log__snapshot_every=2, checkpoint__every=0)
    w.controls.set_pace(None)
    _train_to_end(qtbot, w)
    t = w.game.timeline
    qtbot.waitUntil(lambda: t.isVisible() and t.steps and t.steps[-1] == 40, timeout=5_000)
    assert t.steps == list(range(0, 41, 2)) and t.live
    parent = w.session.run_dir
    # scrub back by hand (the slider's handle dragged to step 10): the 2D view draws the moment of
    # step 10, the curves get a cursor there
    drag_slider(qtbot, t.slider, t.steps.index(10))
    view = w.game.view("2d")
    assert not t.live and t.step() == 10 and view.data["step"] == 10
    kept = w.session.history.at(10).data
    assert all(np.array_equal(view.data[k], v) for k, v in kept.items() if isinstance(v, np.ndarray))
    assert w.plot.cursor == 10.0 and "rewound" in w.game.caption.text()
    assert t.branch_button.isEnabled()
    click(qtbot, t.live_button)
    assert t.live and w.plot.cursor is None and view.data["step"] == 40
    # Branch from here at step 10: a new run starting there, its first line says so
    t.scrub_to(10)
    click(qtbot, t.branch_button)
    qtbot.waitUntil(lambda: w.session.run_dir not in (None, parent), timeout=40_000)
    child = Path(w.session.run_dir)
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=60_000)
    first = json.loads((child / "metrics.jsonl").read_text().splitlines()[0])
    assert first == {"event": "branch", "step": 10, "from_run": parent, "from_step": 10}
    steps = [json.loads(l)["step"] for l in (child / "metrics.jsonl").read_text().splitlines()[1:]
             if '"event"' not in l]
    assert steps[0] == 11 and steps[-1] == 40                 # it went on from step 10 to the run's end
    assert w.game.timeline.steps[0] == 0                       # the branch's timeline reaches into its parent
    assert any("branched from" in text for _s, text in w.plot.markers)


def test_a_live_run_rewound_stays_rewound_while_the_timeline_grows(qtbot, make_window):
    w = make_window("ring-2d-gan", train__steps=100_000, log__snapshot_every=5)
    w.controls.set_pace(50)
    w.train_or_pause()
    t = w.game.timeline
    qtbot.waitUntil(lambda: len(t.steps) > 5, timeout=40_000)
    t.scrub_to(t.steps[2])
    held, n = t.step(), len(t.steps)
    view = w.game.view("2d")
    qtbot.waitUntil(lambda: len(t.steps) > n + 3, timeout=20_000)
    view.flush()
    assert view.data["step"] == held and t.step() == held and not t.live
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=20_000)


@pytest.fixture
def image_run(tmp_path):
    cfg = tiny("digits-dcgan", "train.batch_size=8", "log.grid_samples=16", "log.grid_every=2",
               "checkpoint.every=2", "checkpoint.keep_last=0", "eval.every=0", "model.base_channels=8", steps=6)
    run = tmp_path / "img-run"
    list(Trainer(cfg, run, snapshots=False).run())
    return run


def test_an_opened_image_run_scrubs_its_sample_grids_and_branches_from_a_checkpoint(qtbot, make_window, image_run):
    w = make_window("toy-1d-shift")
    assert w.open_run(image_run)
    t = w.game.timeline
    assert t.isVisible() and t.steps == [2, 4, 6]
    t.scrub_to(4)
    assert w.game.samples.path.endswith("step_00000004.png") and w.plot.cursor == 4.0
    assert t.branch_button.isEnabled() and "step_00000004.pt" in t.branch_button.toolTip()
    t.branch_button.click()
    qtbot.waitUntil(lambda: w.session.run_dir is not None, timeout=40_000)
    child = Path(w.session.run_dir)
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=60_000)
    first = json.loads((child / "metrics.jsonl").read_text().splitlines()[0])
    assert first == {"event": "branch", "step": 4, "from_run": str(image_run), "from_step": 4}


def test_no_checkpoint_before_the_step_means_no_branch_and_says_why(qtbot, make_window, image_run):
    for p in (image_run / "checkpoints").glob("step_00000002.*"):
        p.unlink()
    w = make_window("toy-1d-shift")
    assert w.open_run(image_run)
    t = w.game.timeline
    t.scrub_to(2)
    assert not t.branch_button.isEnabled() and "No checkpoint" in t.branch_button.toolTip()
