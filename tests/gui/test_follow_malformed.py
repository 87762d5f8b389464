"""A damaged metrics.jsonl opened in the studio: malformed lines ({"step": null}, fields of the wrong type,
not JSON) are skipped by the follower (engine.runlog's shared parser), counted, and said once in the
messages as one line naming the file and the line; route_records never raises (hypothesis)."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _follow(run):
    got = []
    f = RunFollower(run)
    f.records.connect(got.extend)
    f.poll()
    f.poll()          # nothing new: the warning is not said again
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
