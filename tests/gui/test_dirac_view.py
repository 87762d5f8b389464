"""The Dirac-GAN comparison as a studio view: View › Dirac-GAN: compare training methods (and the link
in the Dirac-GAN presets' caption) computes it on a worker thread from the current run's start and
draws one panel per method: field arrows, trajectory, start, end and the equilibrium."""
from __future__ import annotations

import numpy as np
import pytest

from studio.config.schema import ConfigError
from studio.gui.views.dirac_compare import DiracCompareView, columns_for
from studio.tools.plots import dirac_compare

NAMES = ["GAN, alternating", "GAN, simultaneous", "non-saturating GAN", "WGAN (clip 0.5)",
         "WGAN-GP (λ = 1)", "R1 (γ = 0.3)", "consensus (γ = 0.3)"]


def items(plot, kind):
    return [i for i in plot.items if type(i).__name__ == kind]


def test_the_menu_opens_the_comparison_from_the_runs_start(qtbot, make_window):
    w = make_window("toy-1d-rotation", model__theta0=2.0)
    assert "dirac-compare" in w.game.caption.text()          # the preset's caption links to it
    action = next(a for a in w.view_menu.actions() if a.objectName() == "dirac_compare")
    action.trigger()
    win = w.dirac.window
    qtbot.waitUntil(lambda: len(win.view.plots) == 7, timeout=20_000)
    assert win.isVisible()
    assert "(θ, ψ) = (2, 0)" in win.view.header.text() and "600 steps of size 0.15" in win.view.header.text()
    titles = [p.titleLabel.text for p in win.view.plots]
    assert all(name in t for name, t in zip(NAMES, titles))
    assert "converges" in titles[5] and "moves away" in titles[1]    # R1 comes home, simultaneous leaves
    for p, res in zip(win.view.plots, win.view.results):
        scatters = items(p, "ScatterPlotItem")
        marks = [tuple(np.round(s.getData()[0].tolist() + s.getData()[1].tolist(), 6)) for s in scatters]
        assert (0.0, 0.0) in marks                              # the equilibrium
        assert (2.0, 0.0) in marks                              # the start, as the run starts
        curves = items(p, "PlotDataItem")
        arrows = max(curves, key=lambda c: len(c.getData()[0]))
        assert len(arrows.getData()[0]) == 6 * 17 * 17 - 6      # a shaft and a head per grid point but (0, 0)
        path = [c for c in curves if c is not arrows][0]
        assert path.getData()[0][0] == pytest.approx(2.0)


def test_the_caption_link_opens_it_too_and_other_games_start_at_the_default(qtbot, make_window):
    w = make_window("ring-2d-gan")
    assert "dirac-compare" not in w.game.caption.text()
    w.dirac.link("dirac-compare")
    qtbot.waitUntil(lambda: len(w.dirac.window.view.plots) == 7, timeout=20_000)
    assert "(θ, ψ) = (1, 0)" in w.dirac.window.view.header.text()


def test_the_view_reflows_its_panels_and_says_what_went_wrong(qtbot):
    v = DiracCompareView()
    qtbot.addWidget(v)
    v.resize(1000, 600)
    v.show()
    v.set_results(dirac_compare((1.0, 0.0), 0.15, 200), (1.0, 0.0), 0.15, 200)
    qtbot.waitUntil(lambda: len(v.plots) == 7)
    rows = {v.gw.ci.layout.itemAt(i).geometry().top() for i in range(7)}
    assert len(rows) == 2                                       # 4 + 3 panels
    assert columns_for(500, 7) == 2 and columns_for(3000, 7) == 4 and columns_for(100, 7) == 1
    v.show_error("Dirac-GAN steps: must be between 1 and 100000 (got 0)")
    assert "must be between" in v.header.text()


@pytest.mark.parametrize("args, why", [
    (((1.0, 0.0), 0.15, 0), "steps"),
    (((1.0, 0.0), 5.0, 10), "step size"),
    (((float("nan"), 0.0), 0.15, 10), "finite"),
])
def test_bad_arguments_are_one_line(args, why):
    with pytest.raises(ConfigError, match=why):
        dirac_compare(*args)
