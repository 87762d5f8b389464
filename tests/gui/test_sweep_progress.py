"""Running sweep trials show their step in the Sweep tab (issue 20), read from each trial's run
directory as it grows: a sweep folder opened with "Open sweep…" by mouse, whose trial 3 is running
and whose metrics.jsonl a stand-in writer extends (no trainer: the panel only reads files)."""
from __future__ import annotations

import json

from PySide6.QtWidgets import QPushButton

from studio.tools import sweep as sw
from tests.gui.hands import click, click_tab


def _sweep_json(out, trials) -> None:
    d = {"study": "s", "storage": "", "preset": "ring-2d-gan", "metric": "modes", "maximize": True,
         "axes": ["optim_g.lr"], "axes_text": {"optim_g.lr": "0.001,0.002"}, "steps": 1000, "sampler": "grid",
         "workers": 2, "done": False, "trials": trials}
    (out / sw.SWEEP_JSON).write_text(json.dumps(d))


def _trial(number, state, run, value=None) -> dict:
    return {"number": number, "state": state, "params": {"optim_g.lr": 0.001 * (number - 1)}, "value": value,
            "intermediate": {}, "run_dir": str(run), "host": "", "seconds": None, "reason": ""}


def _steps(run, first, last) -> None:
    with open(run / "metrics.jsonl", "a") as fh:
        for s in range(first, last + 1):
            fh.write(json.dumps({"step": s, "kind": "iter", "t": s / 100, "loss_d": 1.0, "loss_g": 0.7}) + "\n")


def test_a_running_trial_shows_its_step_as_its_run_grows(make_window, qtbot, tmp_path, monkeypatch):
    out = tmp_path / "sw"
    runs = {n: out / f"trial-00{n}" for n in (2, 3)}
    for r in runs.values():
        r.mkdir(parents=True)
    _steps(runs[2], 1, 1000)
    _steps(runs[3], 1, 420)
    _sweep_json(out, [_trial(2, "COMPLETE", runs[2], 8.0), _trial(3, "RUNNING", runs[3])])

    w = make_window("ring-2d-gan")
    qtbot.waitExposed(w)
    panel = w.sweep
    click_tab(qtbot, w.tabs.tabBar(), "Sweep")
    monkeypatch.setattr("studio.gui.panels.sweep_panel.QFileDialog.getExistingDirectory",
                        lambda *a, **k: str(out))          # the folder a person picks in the dialog
    click(qtbot, next(b for b in panel.findChildren(QPushButton) if b.text() == "Open sweep…"))
    qtbot.waitUntil(lambda: len(panel.cards) == 2, timeout=5000)
    running, done = panel.cards[3], panel.cards[2]
    qtbot.waitUntil(lambda: running.progress.isVisible(), timeout=5000)
    assert running.progress.text() == "step 420 of 1,000"
    assert "trial 3: step 420 of 1,000" in panel.summary.text()
    assert not done.progress.isVisible()                  # a finished trial shows its value, not a step

    _steps(runs[3], 421, 600)                             # the trial trains on
    qtbot.waitUntil(lambda: running.progress.text() == "step 600 of 1,000", timeout=5000)
    assert "trial 3: step 600 of 1,000" in panel.summary.text()

    _sweep_json(out, [_trial(2, "COMPLETE", runs[2], 8.0), _trial(3, "PRUNED", runs[3], 3.0)])
    qtbot.waitUntil(lambda: running.progress.text() == "stopped at step 600 of 1,000", timeout=5000)
    assert "step 600" not in panel.summary.text()         # nothing is running any more


def test_an_interrupted_trial_resumed_by_a_later_one_says_so(make_window, qtbot, tmp_path, monkeypatch):
    """A killed sweep started again resumes trial 3's run as trial 5: both cards follow the one run,
    the old one says where it stopped and who goes on with it, the new one where the run is now."""
    out = tmp_path / "sw"
    run = out / "trial-003"
    run.mkdir(parents=True)
    _steps(run, 1, 420)
    with open(run / "metrics.jsonl", "a") as fh:
        fh.write(json.dumps({"event": "resume", "step": 420}) + "\n")
    _steps(run, 421, 600)
    old = dict(_trial(3, "FAIL", run), reason="interrupted (its sweep process 99 ended)")
    new = dict(_trial(5, "RUNNING", run), params=old["params"], resumes=3, from_step=420)
    _sweep_json(out, [old, new])
    w = make_window("ring-2d-gan")
    qtbot.waitExposed(w)
    panel = w.sweep
    click_tab(qtbot, w.tabs.tabBar(), "Sweep")
    monkeypatch.setattr("studio.gui.panels.sweep_panel.QFileDialog.getExistingDirectory", lambda *a, **k: str(out))
    click(qtbot, next(b for b in panel.findChildren(QPushButton) if b.text() == "Open sweep…"))
    qtbot.waitUntil(lambda: len(panel.cards) == 2 and panel.cards[5].progress.isVisible(), timeout=5000)
    assert panel.cards[5].progress.text() == "step 600 of 1,000"
    assert panel.cards[3].progress.text() == "resumed by trial 5 from step 420"
    assert "trial 5: step 600 of 1,000" in panel.summary.text()


def test_a_long_list_of_axis_values_wraps_instead_of_widening_a_small_window(make_window, qtbot, tmp_path,
                                                                               monkeypatch):
    """At 1024x700, a sweep over eight learning rates (written with no spaces in sweep.json) keeps the
    window 1024 wide: the summary breaks its line between the values."""
    out = tmp_path / "sw"
    run = out / "trial-001"
    run.mkdir(parents=True)
    _steps(run, 1, 50)
    d_axes = ",".join(f"{0.0001 * (i + 1):.4f}" for i in range(16))
    _sweep_json(out, [_trial(1, "RUNNING", run)])
    d = json.loads((out / sw.SWEEP_JSON).read_text())
    d["axes_text"] = {"optim_g.lr": d_axes, "optim_d.lr": d_axes}
    (out / sw.SWEEP_JSON).write_text(json.dumps(d))
    w = make_window("ring-2d-gan")
    w.resize(1024, 700)
    qtbot.waitExposed(w)
    panel = w.sweep
    click_tab(qtbot, w.tabs.tabBar(), "Sweep")
    monkeypatch.setattr("studio.gui.panels.sweep_panel.QFileDialog.getExistingDirectory", lambda *a, **k: str(out))
    click(qtbot, next(b for b in panel.findChildren(QPushButton) if b.text() == "Open sweep…"))
    qtbot.waitUntil(lambda: "0.0016" in panel.summary.text(), timeout=5000)
    qtbot.wait(100)
    assert w.width() == 1024, w.width()
    assert w.minimumSizeHint().width() <= 1024
