"""The Sweep tab: a real two-trial sweep started from the form, trained in background processes, shown
as small multiples ranked by the metric; Open and Branch from best act in the main window."""
import math

from PySide6.QtWidgets import QApplication, QPushButton

from studio.engine.runlog import read_metrics
from studio.tools import sweep as sw
from tests.gui.hands import click, click_tab, type_into

TINY = dict(model__hidden=16, model__depth=2, train__batch_size=64, eval__n_samples=200)


def test_a_sweep_from_the_form_arrives_ranked_and_opens_and_branches(make_window, qtbot, tmp_path):
    w = make_window("ring-2d-gan", **TINY)
    qtbot.waitExposed(w)
    panel = w.sweep
    click_tab(qtbot, w.tabs.tabBar(), "Sweep")
    assert panel.metric.currentText() == "modes"                 # the ring's default metric
    panel.add_key.setCurrentText("optim_g.lr")
    click(qtbot, next(b for b in panel.findChildren(QPushButton) if b.text() == "Add axis"))
    row = panel.rows[-1]
    assert row.values.text() == "0.0001, 0.0002, 0.0004"         # around the form's value
    type_into(qtbot, row.values, "1e-3, 5e-3")
    type_into(qtbot, panel.steps, "20")
    type_into(qtbot, panel.workers, "2")
    panel.metric.setCurrentText("precision")
    refreshes = []
    panel.timer.timeout.connect(lambda: refreshes.append(1))
    click(qtbot, panel.start_btn)
    out = panel.out_dir
    assert out is not None and panel.proc is not None and not panel.start_btn.isEnabled()
    qtbot.waitUntil(lambda: panel.proc is None, timeout=120_000)
    assert len(refreshes) >= 3            # the window kept running its timers while the trials trained
    assert "Sweep finished" in panel.message.text(), panel.message.text()
    d = sw.read_sweep(out)
    assert [t["state"] for t in d["trials"]] == ["COMPLETE", "COMPLETE"]
    # the cards are ranked by the last evaluation of each run, higher precision first
    finals = {}
    for t in d["trials"]:
        evals = [r for r in read_metrics(f"{t['run_dir']}/metrics.jsonl") if r.get("event") == "eval"]
        finals[t["number"]] = evals[-1]["precision"]
    assert panel.order == sorted(finals, key=lambda n: -finals[n])
    assert len(panel.cards) == 2
    for n, card in panel.cards.items():
        assert not card.pic.pixmap().isNull()                    # the trial's samples
        assert len(card.xs["loss_d"]) == 20 and all(math.isfinite(v) for v in card.ys["loss_g"])
        assert f"#{panel.order.index(n) + 1}" in card.head.text()
        assert f"{finals[n]:.4g}" in card.head.text()
    assert "2 complete" in panel.summary.text()
    # Open shows the trial in the Training tab
    best = panel.cards[panel.order[0]]
    panel.scroll.ensureWidgetVisible(best)
    click(qtbot, best.open_btn)
    assert w.tabs.currentIndex() == 0
    assert w.follower is not None and str(w.follower.run_dir) == best.run_dir
    # Branch from best starts a run from the best trial's end checkpoint
    click_tab(qtbot, w.tabs.tabBar(), "Sweep")
    assert panel.best_checkpoint() == f"{best.run_dir}/checkpoints/end_00000020.pt"
    click(qtbot, panel.branch_btn)
    assert w.tabs.currentIndex() == 0
    assert w.preset_name.endswith("-branch") or w.windowTitle().endswith("-branch")
    qtbot.waitUntil(lambda: not w.session.live, timeout=30_000)


def test_a_bad_axis_is_one_line_and_starts_nothing(make_window, qtbot, tmp_path):
    w = make_window("ring-2d-gan")
    qtbot.waitExposed(w)
    panel = w.sweep
    click_tab(qtbot, w.tabs.tabBar(), "Sweep")
    extra = panel.add_axis("optim_d.lr")
    qtbot.waitUntil(extra.isVisible, timeout=2000)
    click(qtbot, next(b for b in extra.findChildren(QPushButton) if b.text() == "✕"))     # removed again
    assert extra not in panel.rows and not panel.rows
    panel.add_axis("optim_g.lr", "fast, 1e-3")
    click(qtbot, panel.start_btn)
    assert panel.proc is None and "--param optim_g.lr: expected a number" in panel.message.text()
    assert panel.proc is None and not (tmp_path / "sw").exists()
    panel.rows[0].values.setText("log:1e-4:1e-2")
    assert not panel.start(str(tmp_path / "sw"))
    assert "grid sampler needs a list of values" in panel.message.text()


def test_run_menu_opens_the_sweep_tab_and_a_folder_without_a_sweep_says_so(make_window, tmp_path):
    w = make_window("toy-1d-shift")
    w.sweep_action.trigger()
    QApplication.processEvents()
    assert w.tabs.currentWidget() is w.sweep
    assert w.sweep.metric.currentText() == "w1"                  # 1D presets rank by W1 by default
    assert not w.sweep.show_sweep(tmp_path)
    assert "not a sweep folder" in w.sweep.message.text()
    assert any(a.text().replace("&", "") == "Run" for a in w.menuBar().actions())
