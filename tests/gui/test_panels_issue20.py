"""Panels as a person sees them (issue 20): the best checkpoint starred, the checkpoints dock emptied
when another preset is clicked, the sweep's status line with a real "->", the rewind label never
behind the picture."""
from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from studio.gui.panels.checkpoints import CheckpointsPanel
from studio.gui.panels.sweep_cards import TrialCard, share_y_range
from studio.gui.panels.timeline import Timeline
from studio.gui.views.memorisation import MemorisationView
from tests.gui.hands import click_row, click_tool


def _run_with_evals(run: Path) -> Path:
    (run / "checkpoints").mkdir(parents=True)
    for step in (2, 4, 6):
        ckpt = run / "checkpoints" / f"step_{step:08d}.pt"
        ckpt.write_bytes(b"not read: the sidecar describes it")
        ckpt.with_suffix(".json").write_text(json.dumps({"step": step, "time": 1.0e9 + step,
                                                         "reason": "periodic", "metrics": {"loss_d": 1.0}}))
    lines = [{"event": "eval", "step": s, "fid": f} for s, f in ((2, 40.0), (4, 12.5), (6, 30.0))]
    (run / "metrics.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    return run


def test_the_best_checkpoint_is_starred_on_its_card_and_in_the_header(qtbot, tmp_path):
    run = _run_with_evals(tmp_path / "run")
    panel = CheckpointsPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 200)
    panel.show()
    panel.set_run_dir(run)
    qtbot.waitUntil(lambda: panel.list.count() == 3, timeout=5_000)    # listed on the job runner
    cards = {int(Path(panel.list.item(i).data(Qt.ItemDataRole.UserRole)).stem[-8:]): panel.list.item(i)
             for i in range(panel.list.count())}
    assert cards[4].text().startswith("★ step 4 · best") and cards[4].font().bold()
    assert "FID 12.5" in cards[4].text() and "★ the best checkpoint" in cards[4].toolTip()
    assert not cards[2].text().startswith("★") and not cards[6].text().startswith("★")
    assert "★ best by" in panel.header.text() and "step 4" in panel.header.text()
    click_row(qtbot, panel.list, cards[4])                 # the starred card can be chosen
    assert panel.current().endswith("step_00000004.pt")
    panel.grab().save("/tmp/g20/checkpoints_best.png")


def test_another_preset_clicked_empties_the_checkpoints_dock(qtbot, make_window):
    w = make_window("toy-1d-shift", train__steps=60, checkpoint__every=20, eval__every=0)
    qtbot.waitExposed(w)
    click_tool(qtbot, w.controls, w.controls.actions_by_name["train"])
    qtbot.waitUntil(lambda: w.session.state == "idle" and len(w.checkpoints.paths()) >= 2, timeout=40_000)
    click_row(qtbot, w.presets.list, w.presets.item("toy-1d-mlp"))
    assert w.model.preset == "toy-1d-mlp"
    assert w.checkpoints.paths() == [] and not w.checkpoints.list.isVisible()
    assert w.checkpoints.header.text().startswith("No checkpoints yet")


def test_the_sweep_status_shows_an_arrow_not_its_escape(qtbot, make_window):
    w = make_window("toy-1d-shift")
    w.sweep._say(html.escape("trial 2/4 lr=0.001 -> fid 12.3"))
    doc = QTextDocument()
    doc.setHtml(w.sweep.message.text())
    assert w.sweep.message.textFormat() == Qt.TextFormat.RichText
    assert doc.toPlainText() == "trial 2/4 lr=0.001 -> fid 12.3"


def test_the_rewind_label_names_the_step_the_picture_shows(qtbot):
    t = Timeline()
    qtbot.addWidget(t)
    t.show()
    t.set_steps([100, 200, 300, 400, 500])
    assert t.label.text() == "live 500"
    t.set_live_step(600)                  # the grid of step 600 is drawn; its file is not listed yet
    assert t.label.text() == "live 600"
    t.set_steps([100, 200, 300, 400, 500, 600, 700])
    assert t.label.text() == "live 700"


def test_sweep_cards_share_one_y_range(qtbot):
    cards = [TrialCard(), TrialCard()]
    for c, scale in zip(cards, (1.0, 8.0)):
        qtbot.addWidget(c)
        c.show()
        for k, curve in c.curves.items():
            curve.setData(np.arange(50.0), scale * (1 + np.sin(np.arange(50.0) / 5)))
    share_y_range(cards)
    ranges = [c.plot.getPlotItem().viewRange()[1] for c in cards]
    assert np.allclose(ranges[0], ranges[1]) and ranges[0][1] >= 16 and ranges[0][0] <= 0.01
    cards[0].grab().save("/tmp/g20/sweep_card_shared.png")


def test_the_memorisation_histogram_legend_sits_above_its_bars_and_its_axis_title_fits(qtbot):
    rng = np.random.default_rng(0)
    v = MemorisationView()
    qtbot.addWidget(v)
    v.resize(700, 330)
    v.show()
    d, h = rng.gamma(5, 1, 64), rng.gamma(6, 1, 64)
    v.show_result(dict(path="/x/step_00001000.pt", step=1000, space="pixel", distance=d, held=h, ratio=0.9,
                       verdict="no sign of memorisation", notes=[], samples=rng.random((64, 1, 8, 8)),
                       nearest=rng.random((64, 1, 8, 8))))
    qtbot.wait(50)
    edges = np.linspace(0, max(d.max(), h.max()) * 1.05, 31)
    peak = max(np.histogram(d, edges, density=True)[0].max(), np.histogram(h, edges, density=True)[0].max())
    vb = v.plot.getViewBox()
    legend_bottom = vb.mapSceneToView(v.legend.sceneBoundingRect().bottomLeft()).y()
    assert legend_bottom > peak, "the legend covers the tallest bar"
    axis = v.plot.getAxis("bottom")
    assert axis.label.boundingRect().width() <= axis.boundingRect().width(), "the x title is cut"
    v.grab().save("/tmp/g20/memorisation_700.png")
