"""The Metrics panel plots each evaluated metric against the step (small multiples)."""
from __future__ import annotations

import math

from studio.gui.panels.metrics_panel import METRIC_NAMES, MetricGrid, MetricsPanel, metric_title
from studio.quality import catalogue
from studio.tools import compare


def test_metrics_panel_plots_each_metric_over_steps(qtbot):
    m = MetricsPanel()
    qtbot.addWidget(m)
    m.resize(900, 400)
    m.show()
    assert not m.views.isVisible()                      # nothing evaluated: the sentence says when
    m.add_evaluation(100, {"fid": 30.0, "kid": 0.02, "kid_se": 0.004, "precision": 0.4})
    m.add_evaluation(200, {"fid": 20.0, "kid": 0.01, "kid_se": 0.002, "precision": 0.6, "recall": 0.3})
    m.grid.redraw()
    assert m.views.isVisible() and m.views.currentWidget() is m.grid
    assert list(m.grid.plots) == ["fid", "kid", "precision", "recall"]     # kid_se: error bars on kid
    xs, ys = m.grid.plots["fid"].listDataItems()[0].getData()
    assert list(xs) == [100, 200] and list(ys) == [30.0, 20.0]
    rx, _ = m.grid.plots["recall"].listDataItems()[0].getData()
    assert list(rx) == [200]
    bars = [i for i in m.grid.plots["kid"].items if type(i).__name__ == "ErrorBarItem"]
    assert len(bars) == 1 and list(bars[0].opts["height"]) == [0.008, 0.004]
    assert m.table.rowCount() == 2                        # the table is still there, a tab away
    # the plots reflow into as many columns as fit
    assert m.grid._cols == 3
    m.resize(480, 400)
    qtbot.waitUntil(lambda: m.grid._cols == 2, timeout=2_000)
    m.clear()
    assert m.grid.plots == {} and not m.views.isVisible()


def test_titles_say_which_way_is_better():
    assert metric_title("fid") == "FID ↓"
    assert metric_title("precision") == "precision ↑"
    assert metric_title("diversity") == "diversity → 1"
    assert metric_title("gnorm_mean") == "critic ‖∇‖ mean"


def test_grid_overlays_series_and_skips_non_finite_points(qtbot):
    g = MetricGrid()
    qtbot.addWidget(g)
    g.resize(700, 300)
    g.set_series("a", "#ff0000", "run a")
    g.set_series("b", "#0000ff", "run b")
    g.add("a", 10, {"w1": 0.5})
    g.add("a", 20, {"w1": math.nan})
    g.add("b", 10, {"w1": 0.7})
    g.add_marker("b", 15, "branch")
    g.redraw()
    items = g.plots["w1"].listDataItems()
    assert len(items) == 2
    xa, ya = items[0].getData()
    assert list(xa) == [10] and list(ya) == [0.5]
    lines = [i for i in g.plots["w1"].items if type(i).__name__ == "InfiniteLine"]
    assert [ln.value() for ln in lines] == [15]


def test_a_new_evaluation_moves_the_curves_without_laying_the_grid_out_again(qtbot):
    m = MetricsPanel()
    qtbot.addWidget(m)
    m.resize(900, 400)
    m.show()
    m.add_evaluation(100, {"fid": 30.0, "kid": 0.02, "kid_se": 0.004})
    m.grid.redraw()
    plot = m.grid.plots["fid"]
    m.add_evaluation(200, {"fid": 20.0, "kid": 0.01, "kid_se": 0.002})
    m.grid.redraw()
    assert m.grid.plots["fid"] is plot                      # the same plot, its curve moved on
    xs, ys = plot.listDataItems()[0].getData()
    assert list(xs) == [100, 200] and list(ys) == [30.0, 20.0]
    bars = [i for i in m.grid.plots["kid"].items if type(i).__name__ == "ErrorBarItem"]
    assert len(bars) == 1 and list(bars[0].opts["height"]) == [0.008, 0.004]
    m.add_evaluation(300, {"fid": 10.0, "kid": 0.01, "kid_se": 0.002, "precision": 0.5})
    m.grid.redraw()
    assert m.grid.plots["fid"] is not plot and list(m.grid.plots) == ["fid", "kid", "precision"]


def test_the_catalogue_names_what_the_panels_show():
    assert METRIC_NAMES["modes"] == catalogue.label("modes") == "modes covered"
    assert metric_title("diversity") == "diversity → 1" and metric_title("hq") == "high-quality share ↑"
    assert compare.NOT_A_QUALITY == {n for n, m in catalogue.METRICS.items() if not m.quality}
