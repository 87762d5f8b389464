"""The preset list and the Sweep tab's Open driven by the mouse, as a person does: the row clicked is
the preset chosen (form, caption, title and status bar follow), and Open sweep… shows the folder."""
import json

from PySide6.QtCore import Qt

from tests.gui.hands import click, click_row, click_tab


def test_clicking_a_preset_row_chooses_it(make_window, qtbot):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    lst = w.presets.list
    item = w.presets.item("ring-2d-gan")
    click_row(qtbot, lst, item)
    # what the person sees: the form's data kind, the caption, the title and the status bar
    assert w.form.config().data.kind == "ring2d" == w.form.widget("data.kind").currentText()
    assert w.presets.current() == "ring-2d-gan"
    assert w.windowTitle().endswith("ring-2d-gan")
    assert "preset ring-2d-gan" in w.status["shown"].full_text()
    title = w.presets.configs["ring-2d-gan"].title
    assert title in w.game.caption.text()
    # a second click on another row moves on again; a click on a group heading chooses nothing
    click_row(qtbot, lst, w.presets.item("saddle-bilinear"))
    assert w.windowTitle().endswith("saddle-bilinear")
    assert w.form.config().variant.name == "saddle"
    head = lst.item(0)
    click_row(qtbot, lst, head)
    assert w.windowTitle().endswith("saddle-bilinear") and w.presets.current() == "saddle-bilinear"


def test_arrow_keys_choose_once_per_row(make_window, qtbot):
    w = make_window("toy-1d-shift")
    chosen = []
    w.presets.chosen.connect(chosen.append)
    lst = w.presets.list
    click_row(qtbot, lst, w.presets.item("toy-1d-shift"))      # already chosen: nothing new
    assert chosen == []
    qtbot.keyClick(lst, Qt.Key.Key_Down)
    assert len(chosen) == 1 and w.windowTitle().endswith(chosen[0]) and chosen[0] != "toy-1d-shift"


def test_open_sweep_button_shows_a_sweep_folder(make_window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QPushButton
    out = tmp_path / "sw"
    out.mkdir()
    trials = [{"number": n, "state": "COMPLETE", "params": {"optim_g.lr": lr}, "value": v,
               "intermediate": {"10": v}, "run_dir": "", "host": "", "seconds": 1.0, "reason": ""}
              for n, lr, v in ((0, 1e-3, 0.4), (1, 5e-3, 0.9))]
    (out / "sweep.json").write_text(json.dumps({"preset": "ring-2d-gan.toml", "metric": "precision",
                                                "maximize": True, "trials": trials, "done": True,
                                                "axes_text": {"optim_g.lr": "1e-3, 5e-3"}}))
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda parent, title, start: asked.append(start) or str(out))
    w = make_window("ring-2d-gan")
    click_tab(qtbot, w.tabs.tabBar(), "Sweep")
    assert w.tabs.currentWidget() is w.sweep
    btn = next(b for b in w.sweep.findChildren(QPushButton) if b.text() == "Open sweep…")
    click(qtbot, btn)
    assert asked and asked[0].endswith("runs")          # the dialog starts in the runs folder
    assert "2 complete" in w.sweep.summary.text()
    assert "best: trial 1" in w.sweep.summary.text()
    assert w.sweep.order == [1, 0] and len(w.sweep.cards) == 2
