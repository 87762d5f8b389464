"""Decoding a folder shows its progress (issue 19: "decode once, in parallel worker processes with a
progress bar (studio and CLI)"): a folder preset's row clicked, a folder of 450 noisy PNGs chosen
with the "…" beside data.root (each file made to take at least 5 ms, so that it takes a moment on
any machine); the status bar's progress bar is seen to move (several values,
rising, of the folder's file count) while the worker processes decode, then goes away as the Data
tab's grid of the images appears."""
from __future__ import annotations

import time

import numpy as np
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QToolButton

from tests.gui.hands import click, click_row

N_FILES = 450          # above data.folder.WORKERS_FROM (400): decoded by DataLoader worker processes


def make_big_folder(root, n=N_FILES, side=96):
    """n noisy colour PNGs (noise decodes slowly: the decoding takes a moment) in three classes."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
    for i in range(n):
        d = root / f"class{i % 3}"
        d.mkdir(parents=True, exist_ok=True)
        a = np.roll(base, i, axis=1) ^ np.uint8(i % 256)
        Image.fromarray(a).save(d / f"{i:04d}.png", compress_level=1)
    return root


def test_a_big_folder_shows_the_decoding_move_then_the_grid(make_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_CACHE", str(tmp_path / "cache"))       # a cold cache: every file decoded
    folder = make_big_folder(tmp_path / "photos")
    from studio.data import folder as F
    real = F.decode_file

    def as_slow_as_a_bigger_folder(*args, **kw):   # at least 5 ms a file (the forked workers inherit it),
        time.sleep(0.005)                          # so the decoding takes a moment on a fast machine too
        return real(*args, **kw)

    monkeypatch.setattr(F, "decode_file", as_slow_as_a_bigger_folder)
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    click_row(qtbot, w.presets.list, w.presets.item("folder-dcgan"))      # the folder preset, by its row
    assert w.presets.current() == "folder-dcgan" and w.form.config().data.kind == "image_folder"
    button = w.findChild(QToolButton, "pick_folder")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    w.form_scroll.ensureWidgetVisible(button)
    bar = w.status.task
    seen: list[tuple[int, int, str]] = []

    def look():   # what a person watching the status bar sees, every 5 ms
        if bar.isVisible():
            seen.append((bar.value(), bar.maximum(), bar.text()))

    watch = QTimer()
    watch.timeout.connect(look)
    watch.start(5)
    click(qtbot, button)
    qtbot.waitUntil(lambda: not w.data_preview.picture.pixmap().isNull(), timeout=60_000)
    watch.stop()
    decoding = [s for s in seen if s[2].startswith("decoding images")]
    assert decoding, f"no progress bar seen while the folder was decoded ({len(seen)} looks)"
    values = [v for v, _, _ in decoding]
    assert all(m == N_FILES for _, m, _ in decoding), decoding[:3]
    assert values == sorted(values), decoding                             # it only moves forward
    assert len(set(values)) >= 3 and any(0 < v < N_FILES for v in values), sorted(set(values))
    assert not bar.isVisible()                                            # gone once the grid is there
    assert w.tabs.currentWidget() is w.data_preview and w.data_preview.picture.isVisible()
    pix = w.data_preview.picture.pixmap()
    assert pix.width() > 100 and pix.height() > 100
    text = w.data_preview.lines.text()
    assert f"{N_FILES:,} images in 3 class(es)" in text and "decoded in" in text, text
