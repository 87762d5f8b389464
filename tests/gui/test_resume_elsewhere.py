"""Resume of a checkpoint kept outside any run directory (issue 26): the engine starts a new run
directory, and the studio follows the Started event's run_dir (not the folder two levels above the
file): the status bar names the new run, the checkpoints panel lists it, and the folder above the
checkpoint is left as it was."""
from __future__ import annotations

import shutil

from studio.config.presets import load_preset
from studio.engine.trainer import Trainer


def test_resume_from_downloads_follows_the_new_run_dir(make_window, qtbot, tmp_path):
    cfg = load_preset("toy-1d-shift")
    cfg.train.steps = 4
    for _ in Trainer(cfg, tmp_path / "made", name="made", snapshots=False).run():
        pass
    ckpt = next((tmp_path / "made" / "checkpoints").glob("*.pt"))
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    (home / "notes.tmp").write_text("mine")
    copy = home / "Downloads" / ckpt.name
    shutil.copy(ckpt, copy)
    w = make_window("toy-1d-shift")
    assert w.ckpt.resume(str(copy), steps=8)
    qtbot.waitUntil(lambda: w.session.run_dir is not None, timeout=20_000)
    run_dir = w.session.run_dir
    assert not run_dir.startswith(str(home)), run_dir
    assert w.model.shown.path == run_dir and w.model.shown.name in w.status.shown()
    qtbot.waitUntil(lambda: not w.session.live, timeout=20_000)
    assert sorted(p.name for p in home.iterdir()) == ["Downloads", "notes.tmp"]     # left as it was
