"""Your own image folder in the studio: the "…" beside data.root clicked, a folder chosen; the line
under the field says what is there and the Data tab shows the images as the GAN sees them, with the
count per class and what was skipped (issue 19)."""
from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtWidgets import QFileDialog, QToolButton

from tests.gui.hands import click


def make_folder(root):
    rng = np.random.default_rng(0)
    for cls, n in (("cats", 5), ("dogs", 3)):
        (root / cls).mkdir(parents=True)
        for i in range(n):
            a = rng.integers(0, 255, (20, 20, 4), dtype=np.uint8)
            a[..., 3] = 0 if i == 0 else 255          # one fully transparent icon: white over the background
            Image.fromarray(a, "RGBA").save(root / cls / f"{i}.png")
    (root / "cats" / "notes.txt").write_text("not an image")
    (root / "dogs" / "broken.png").write_bytes(b"not a png")
    return root


def test_choosing_a_folder_shows_what_the_gan_will_see(make_window, qtbot, tmp_path, monkeypatch):
    folder = make_folder(tmp_path / "icons")
    w = make_window("folder-dcgan")
    button = w.findChild(QToolButton, "pick_folder")
    assert button is not None and button.isVisible()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    w.form_scroll.ensureWidgetVisible(button)
    click(qtbot, button)
    assert w.model.get("data.root") == str(folder)
    qtbot.waitUntil(lambda: "class(es)" in w.form.note("data.root"), timeout=10_000)
    note = w.form.note("data.root")
    assert "9 images in 2 class(es)" in note and "cats 5" in note and "dogs 4" in note, note   # broken.png listed
    assert w.tabs.currentWidget() is w.data_preview
    qtbot.waitUntil(lambda: not w.data_preview.picture.pixmap().isNull(), timeout=60_000)
    pix = w.data_preview.picture.pixmap()
    assert pix.width() > 100 and pix.height() > 60
    assert w.data_preview.picture.isVisible()
    text = w.data_preview.lines.text()
    assert "cats" in text and "dogs" in text and ("skipped" in text or "unreadable" in text), text
    img = pix.toImage()
    # the transparent icon is white over the default background, as the GAN sees it
    assert any(img.pixelColor(x, y).name() == "#ffffff" for x in range(4, 60) for y in range(4, 60))


def test_a_folder_that_cannot_be_used_is_one_line_on_the_field(make_window, qtbot, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    w = make_window("folder-dcgan")
    button = w.findChild(QToolButton, "pick_folder")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(empty))
    w.form_scroll.ensureWidgetVisible(button)
    click(qtbot, button)
    qtbot.waitUntil(lambda: "data.root" in w.form.errors(), timeout=10_000)
    assert "\n" not in w.form.errors()["data.root"] and "Traceback" not in w.data_preview.lines.text()
