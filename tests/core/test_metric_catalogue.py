"""One place says what a metric means: keep-best, sweeps, compare and the panels agree, and a
collapsed generator (diversity near 0) never ranks best."""
import pytest

from studio.quality import catalogue
from studio.quality.catalogue import ONE, better, metric
from studio.tools import compare, sweep


def test_directions_and_qualities():
    assert metric("fid").direction == "lower" and metric("precision").maximize
    assert metric("diversity").direction == ONE and metric("diversity").arrow == "→ 1"
    assert not metric("kid_se").quality and metric("kid_se").arrow == ""
    unknown = metric("new_metric")
    assert unknown.direction == "lower" and unknown.quality and unknown.label == "new_metric"


@pytest.mark.parametrize("name, worse, best", [("fid", 30.0, 10.0), ("precision", 0.2, 0.9),
                                               ("diversity", 0.05, 0.97), ("diversity", 1.6, 1.1)])
def test_every_user_agrees_on_better(name, worse, best):
    assert better(name, best, worse) and not better(name, worse, best)
    assert compare.is_better(name, best, worse) and not compare.is_better(name, worse, best)
    assert better(name, worse, None)                       # anything beats nothing


def test_a_collapsed_generator_does_not_win_a_sweep_or_keep_best():
    # three trials: collapsed (diversity 0.02), healthy (0.98), too spread (1.5)
    objs = {n: sweep.objective("diversity", v) for n, v in ((0, 0.02), (1, 0.98), (2, 1.5))}
    assert sweep.direction("diversity") == "minimize"
    recs = [{"number": n, "state": "COMPLETE", "value": v} for n, v in objs.items()]
    assert [r["number"] for r in sweep.ranked(recs, maximize=False)] == [1, 2, 0]
    assert sweep.ranked_as("diversity") == "|diversity − 1|" and sweep.ranked_as("fid") == "fid"
    # keep-best in the trainer goes by the same rule
    best = None
    for v in (0.5, 0.02, 0.98, 1.5):
        if better("diversity", v, best):
            best = v
    assert best == 0.98

