"""Closing the studio while a data set loads (issue 26: it froze for 27.6 s, then wrote an untrained
step-0 checkpoint): Ctrl+Q cancels the load, the window closes within a few seconds and nothing that
holds no training is written. The load is made slow by a folder of 350 images whose decoding takes
40 ms each (14 s in all); the close must come well before the load could have ended."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from studio.config.paths import runs_dir
from studio.data import folder as folder_mod
from studio.gui.session import live_threads
from tests.gui.hands import click_tool

FILES, EACH = 350, 0.04            # a 14 s load (decoded in this process: fewer than WORKERS_FROM files)
CLOSE_WITHIN = 4.0                 # seconds from Ctrl+Q until the window is closed


@pytest.fixture
def slow_folder(tmp_path, monkeypatch):
    root = tmp_path / "images"
    for i in range(FILES):
        (root / f"c{i % 2}").mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 8), (i % 256, 0, 0)).save(root / f"c{i % 2}" / f"{i:04d}.png")
    monkeypatch.setenv("GAN_STUDIO_CACHE", str(tmp_path / "cache"))
    decoded = []
    real = folder_mod.decode_file

    def slow(*a, **k):
        time.sleep(EACH)
        decoded.append(1)
        return real(*a, **k)

    monkeypatch.setattr(folder_mod, "decode_file", slow)
    return root, decoded


def _quit_and_time(qtbot, w) -> float:
    w.activateWindow()
    t0 = time.perf_counter()
    qtbot.keyClick(w, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=30_000)
    return time.perf_counter() - t0


def _nothing_written(tmp_path) -> None:
    assert not list(Path(runs_dir()).rglob("*.pt")), "a checkpoint was written on close"
    assert not list((tmp_path / "cache").rglob("*.tmp")), "a half-decoded cache was left"


def test_ctrl_q_while_the_preview_loads_the_data_closes_at_once(qtbot, make_window, slow_folder, tmp_path):
    root, decoded = slow_folder
    w = make_window("folder-dcgan", data__root=str(root), checkpoint__at_end=False)
    qtbot.waitExposed(w)                    # data.root set: the preview and the Data tab decode it
    qtbot.waitUntil(lambda: w.preview.busy and len(decoded) > 5, timeout=20_000)
    click_tool(qtbot, w.controls, w.controls.actions_by_name["train"])   # Train waits for it
    took = _quit_and_time(qtbot, w)
    print(f"closed {took:.2f} s after Ctrl+Q, {len(decoded)} of {FILES} files decoded")
    assert took < CLOSE_WITHIN and len(decoded) < FILES
    assert not w.session.live and not live_threads() and not w.preview.jobs.running
    _nothing_written(tmp_path)


def test_ctrl_q_while_a_run_loads_its_data_closes_at_once(qtbot, make_window, slow_folder, tmp_path, monkeypatch):
    root, decoded = slow_folder
    from studio.gui.actions.own_folder import OwnFolder
    from studio.gui.preview import Preview
    monkeypatch.setattr(Preview, "request", lambda self, keep=False: None)   # no preview, no Data tab:
    monkeypatch.setattr(OwnFolder, "look", lambda self: None)               # the run loads the data itself
    w = make_window("folder-dcgan", data__root=str(root), checkpoint__at_end=False)
    qtbot.waitExposed(w)
    assert not decoded and not w.preview.busy
    click_tool(qtbot, w.controls, w.controls.actions_by_name["train"])
    qtbot.waitUntil(lambda: len(decoded) > 5, timeout=20_000)
    assert w.session.state == "starting"
    took = _quit_and_time(qtbot, w)
    print(f"closed {took:.2f} s after Ctrl+Q, {len(decoded)} of {FILES} files decoded")
    assert took < CLOSE_WITHIN and len(decoded) < FILES
    assert not w.session.live and not live_threads()
    _nothing_written(tmp_path)
    assert not [p for p in Path(runs_dir()).glob("*") if p.is_dir()], "a run directory with no step was left"
