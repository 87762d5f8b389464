"""Paths in the studio (issue 23): the preset list shows the user's own presets beside the shipped
ones, the runs browser lists a checkout's older ./runs too, and Help › About says where runs go."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QPushButton

from studio.config.paths import presets_dir, run_folders
from tests.gui.hands import click, click_row, menu_path, when_shown


def test_user_presets_old_runs_and_where_runs_go(make_window, qtbot, tmp_path, monkeypatch):
    mine = tmp_path / "my-presets"
    mine.mkdir()
    text = (presets_dir() / "toy-1d-shift.toml").read_text(encoding="utf-8")
    (mine / "my-shift.toml").write_text(text.replace('title = "', 'title = "Mine: ', 1), encoding="utf-8")
    monkeypatch.setenv("GAN_STUDIO_PRESETS", str(mine))
    old = tmp_path / "checkout"
    (old / "runs").mkdir(parents=True)
    monkeypatch.chdir(old)
    monkeypatch.setattr("studio.gui.panels.runs_browser.run_folders", run_folders)   # conftest keeps tests apart
    w = make_window("toy-1d-shift")
    item = w.presets.item("my-shift")
    assert item is not None and "toy-1d-shift" in w.presets.names()
    click_row(qtbot, w.presets.list, item)
    assert w.model.preset == "my-shift" and w.windowTitle().endswith("my-shift")
    assert w.model.config().title.startswith("Mine: ")
    assert any(f.resolve() == (old / "runs").resolve() for f in w.runs.folders)
    seen = []
    when_shown(QMessageBox, lambda box: (seen.append(box.text()), click(qtbot, box.findChild(QPushButton))))
    menu_path(qtbot, w, "Help", "About GAN Studio")
    assert seen and "Where things are" in seen[0]
    assert str(tmp_path / "runs") in seen[0] and str(old / "runs") in seen[0], seen[0]
