"""A damaged metrics.jsonl opened in the studio: malformed lines ({"step": null}, fields of the wrong type,
not JSON) are skipped by the follower (engine.runlog's shared parser), counted, and said once in the
messages as one line naming the file and the line; route_records never raises (hypothesis)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QCoreApplication

from studio.gui.run_follower import RunFollower, route_records

from ..core.test_run_files import GOOD, raw_line


class Plot:
    def __init__(self):
        self.steps, self.markers, self.cut = [], [], []

    def add_records(self, steps):
        self.steps += [s for s, _ in steps]

    def add_marker(self, step, text):
        self.markers.append((step, text))

    def truncate(self, step):
        self.cut.append(step)


class Metrics:
    def __init__(self):
        self.evals, self.messages = [], []

    def add_evaluation(self, step, r):
        self.evals.append(step)

    def add_message(self, step, level, text, code):
        self.messages.append((step, level, text, code))


def _poll(f) -> None:
    """One poll of the follower, its reading (on the job runner) waited for and its answer delivered."""
    f.poll()
    f.jobs.wait()
    QCoreApplication.processEvents()


def _follow(run):
    got = []
    f = RunFollower(run)
    f.records.connect(got.extend)
    _poll(f)
    _poll(f)          # nothing new: the warning is not said again
    return f, got


@settings(max_examples=60, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(bad=st.lists(raw_line, min_size=1, max_size=3))
def test_the_studio_follower_skips_malformed_lines_and_says_so_once(qapp, tmp_path_factory, bad):
    run = tmp_path_factory.mktemp("run")
    lines = [json.dumps(GOOD[0]), *bad, *map(json.dumps, GOOD[1:])]
    (run / "metrics.jsonl").write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
    f, got = _follow(run)
    plot, metrics = Plot(), Metrics()
    route_records(got, plot, metrics)                       # no TypeError in the slot
    warnings = [m for m in metrics.messages if m[3] == "log"]
    assert len(warnings) == (1 if f.follower.skipped else 0)
    if warnings:
        assert warnings[0][2].startswith(f"{run / 'metrics.jsonl'}: line ") and "\n" not in warnings[0][2]
    assert 1 in plot.steps and 2 in plot.steps and 1 in metrics.evals


def test_a_damaged_log_opened_in_the_window_shows_its_curves_and_one_warning(qtbot, make_window, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    recs = [{"step": s, "kind": "iter", "t": 0.1 * s, "loss_d": 0.5, "loss_g": 0.7} for s in range(1, 6)]
    lines = [json.dumps(r) for r in recs]
    lines.insert(2, json.dumps({"step": None, "kind": "iter", "loss_d": 1.0}))
    lines.insert(4, '{"step": 4, "kind": "iter", "loss_d": "high"}')
    lines.insert(5, '{"event": "eval", "step": null, "fid": 3.0}')      # int(None) in a slot, before
    (run / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    w = make_window("ring-2d-gan")
    assert w.open_run(run)
    qtbot.waitUntil(lambda: w.plot.point_count("loss_d") == 5, timeout=10_000)


def test_following_a_run_whose_writer_is_killed_and_whose_checkpoints_are_deleted(qapp, tmp_path):
    """The studio following a headless run (File › Open) while the writer dies by SIGKILL, then while
    its checkpoints are deleted: every complete line once, in order, and the checkpoints dock told."""
    run = tmp_path / "run"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "train", "--preset", "ring-2d-gan", "--steps",
                             "1000000", "--out", str(run), "--quiet", "--set", "checkpoint.every=20",
                             "--set", "log.flush_every=1", "--set", "model.hidden=16", "--set", "model.depth=2"],
                            cwd=root, env=dict(os.environ, PYTHONPATH=str(root)), stderr=subprocess.PIPE)
    got, changed = [], []
    f = RunFollower(run)
    f.records.connect(got.extend)
    f.checkpoints_changed.connect(lambda: changed.append(1))
    try:
        deadline = time.time() + 90
        while sum(1 for r in got if r.get("kind") == "iter") < 60:
            assert proc.poll() is None and time.time() < deadline, proc.stderr.read()
            _poll(f)
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    _poll(f)
    steps = [r["step"] for r in got if r.get("kind") == "iter"]
    assert steps == list(range(1, len(steps) + 1)) and f.follower.skipped == 0
    before = len(changed)
    for p in (run / "checkpoints").iterdir():
        p.unlink()
    _poll(f)
    assert len(changed) == before + 1
    _poll(f)
    assert len(changed) == before + 1
