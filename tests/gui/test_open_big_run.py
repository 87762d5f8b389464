"""Opening a run off the GUI thread (issue 26): a long metrics.jsonl is read on the job runner in
pieces of at most CHUNK bytes, every piece shown as it comes, and the checkpoints panel lists the run
with a line on the files it left out."""
from __future__ import annotations

import json

from PySide6.QtWidgets import QFileDialog

from studio.config.presets import load_preset
from studio.engine.trainer import Trainer
from studio.gui import run_follower
from studio.gui.run_follower import RunFollower
from tests.gui.hands import click_tool


def test_a_long_log_opens_in_pieces_and_bad_checkpoints_are_named(make_window, qtbot, tmp_path, monkeypatch):
    cfg = load_preset("toy-1d-shift")
    cfg.train.steps = 4
    run = tmp_path / "runs" / "long"
    for _ in Trainer(cfg, run, name="long", snapshots=False).run():
        pass
    with open(run / "metrics.jsonl", "a", encoding="utf-8") as f:
        for s in range(5, 6005):
            f.write(json.dumps({"step": s, "kind": "iter", "t": s * 0.01, "loss_d": 1.3, "loss_g": 0.7}) + "\n")
    (run / "checkpoints" / "step_00009999.pt").write_bytes(b"not a checkpoint")
    monkeypatch.setattr(run_follower, "CHUNK", 1 << 16)        # ~400 kB of log: seven pieces or more
    pieces = []
    got = RunFollower._got
    monkeypatch.setattr(RunFollower, "_got", lambda self, out: (pieces.append(len(out[0])), got(self, out)))
    w = make_window("toy-1d-shift")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(run))
    click_tool(qtbot, w.controls, w.controls.actions_by_name["open"])
    # the centre shows the run's checkpoint (step 4); the run's time reaches its last line's, 60 s
    qtbot.waitUntil(lambda: w.status.labels["elapsed"].text() == "elapsed 1:00", timeout=30_000)
    assert sum(1 for n in pieces if n) >= 6, pieces
    header = w.checkpoints.header.text()
    assert "1 checkpoint" in header and "1 file left out" in header and "step_00009999.pt" in header, header

