"""The 1D view in a short window (issue 20, looked at at 1024x700): the z axis's label has room under
the axis instead of being drawn over the axis and the z samples, and the θ plot's "real mean μ" label
stays inside the plot; in a tall view the same labels keep their place. Both follow a resize."""
from __future__ import annotations

from PySide6 import QtCore

from studio.gui.views.toy1d import View1D
from tests.gui.test_views import snapshots


def _px_below_z_axis(v: View1D) -> float:
    """Pixels between the z axis and the bottom of the densities' plot."""
    vb = v.main.vb
    yz = v.s_z.data["y"][0]
    bottom = vb.viewRange()[1][0]
    return vb.mapViewToScene(QtCore.QPointF(0, bottom)).y() - vb.mapViewToScene(QtCore.QPointF(0, yz)).y()


def _px_above_mu(v: View1D) -> float:
    vb = v.th.vb
    top = vb.viewRange()[1][1]
    return vb.mapViewToScene(QtCore.QPointF(0, v.target.value())).y() - vb.mapViewToScene(QtCore.QPointF(0, top)).y()


def test_the_z_label_and_the_mean_label_have_room_in_a_short_view(qtbot):
    snap = snapshots("shift")[0]
    v = View1D()
    qtbot.addWidget(v)
    v.resize(330, 430)                                   # the game's pane at 1024x700
    v.show()
    qtbot.waitExposed(v)
    v.set_snapshot(snap.data, snap.step)
    v.flush()
    qtbot.wait(100)                                      # the resize's refit
    label_h = v.z_label.textItem.boundingRect().height()
    assert v.z_label.textItem.toPlainText().startswith("z ~ N(0, 1)")
    assert _px_below_z_axis(v) >= label_h, (_px_below_z_axis(v), label_h)
    assert _px_above_mu(v) >= v.fontMetrics().height() + 4      # "real mean μ" sits on the line, inside
    v.resize(700, 900)                                   # tall: the same room, the old proportions
    qtbot.wait(150)
    assert _px_below_z_axis(v) >= label_h and _px_above_mu(v) >= v.fontMetrics().height() + 4


def test_the_view_is_never_narrower_than_its_plots_need(qtbot):
    """In a narrow pane the figure was cut at its right edge (the phase portrait's θ axis at
    1024x700): the view's minimum width now holds the plots' own minimum, so the pane grows instead."""
    snap = snapshots("shift")[0]
    v = View1D()
    qtbot.addWidget(v)
    v.resize(600, 430)
    v.show()
    qtbot.waitExposed(v)
    small = v.minimumSizeHint().width()
    v.set_snapshot(snap.data, snap.step)
    v.flush()
    assert v.th.isVisible() and v.ph.isVisible()           # θ over training and the phase portrait
    qtbot.wait(50)
    need = v.gw.ci.effectiveSizeHint(QtCore.Qt.SizeHint.MinimumSize).width()
    assert v.minimumSizeHint().width() >= need > small - 20
    v.resize(v.minimumSizeHint().width(), 430)
    qtbot.wait(100)
    assert v.gw.ci.geometry().width() <= v.gw.viewport().width() + 0.5     # nothing drawn past the edge
