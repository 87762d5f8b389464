"""Status that tells the truth at every moment: the step shown (the run's, or the loaded checkpoint's),
the rate (blank unless training), what is going on (evaluating), actions offered only when they can
work (rollback), confirmations where the user looks (export), one readable line for a bad file."""
from __future__ import annotations

import json
from pathlib import Path

from studio.config.presets import load_preset
from studio.engine.trainer import Trainer

LONG = {"train__steps": 1_000_000}


def headless(preset: str, path: Path, steps: int, **sets) -> Path:
    cfg = load_preset(preset)
    cfg.train.steps = steps
    for key, value in sets.items():
        section, name = key.split("__")
        setattr(getattr(cfg, section), name, value)
    for _ in Trainer(cfg, path, snapshots=False).run():
        pass
    return path


def test_step_is_the_loaded_checkpoints(qtbot, make_window, tmp_path):
    run = headless("saddle-bilinear", tmp_path / "run", 30, checkpoint__every=10, checkpoint__keep_last=0)
    w = make_window("saddle-bilinear", train__steps=1_500)
    w.train_or_pause()
    qtbot.waitUntil(lambda: w.session.state == "idle" and w.status["step"].text() == "step 1,500 of 1,500", timeout=40_000)
    ckpt = str(run / "checkpoints" / "step_00000010.pt")
    w.ckpt.load(ckpt)
    assert w.status["busy"].isVisible() and "step_00000010.pt" in w.status["busy"].text()
    qtbot.waitUntil(lambda: w.ckpt.loaded == ckpt, timeout=20_000)
    assert w.status["step"].text() == "step 10"                        # not the run's 1,500
    assert w.status.shown() == "run run · step_00000010.pt"
    assert "step 10 (loaded)" in w.game.caption.text()
    assert not w.status["busy"].isVisible()
    assert "Loaded step_00000010.pt (step 10)" in w.status.currentMessage()    # said where the eye is


def test_rate_is_blank_unless_training(qtbot, make_window):
    w = make_window("toy-1d-rotation", **LONG)
    w.train_or_pause()
    qtbot.waitUntil(lambda: "steps/s" in w.status["rate"].text(), timeout=40_000)
    assert w.status.state_text == "Training"
    w.train_or_pause()                                                 # Pause
    qtbot.waitUntil(lambda: w.session.state == "paused", timeout=10_000)
    assert w.status["rate"].text() == "" and w.status.state_text == "Paused"
    s = w.session.step
    w.step("iter")                                                     # a step while paused: still no rate
    qtbot.waitUntil(lambda: w.status["step"].text().startswith(f"step {s + 1:,} of "), timeout=10_000)
    qtbot.wait(100)
    assert w.status["rate"].text() == ""
    w.train_or_pause()                                                 # Resume: the rate comes back
    qtbot.waitUntil(lambda: "steps/s" in w.status["rate"].text(), timeout=10_000)
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
    assert w.status["rate"].text() == "" and w.status.state_text == "Idle"


def test_evaluation_schedule_and_evaluating_state(qtbot, make_window):
    w = make_window("toy-1d-shift")
    every = w.form.config().eval.every
    assert every > 0
    assert f"next is at step {every:,} (eval.every = {every:,})" in w.metrics.empty.text()
    assert "set eval.every > 0" not in w.metrics.empty.text()
    w.form.widget("eval.every").setValue(0)
    assert "off (eval.every = 0)" in w.metrics.empty.text()
    w.form.widget("eval.every").setValue(40)
    w.model.set_value("train.steps", 1_000_000)
    w.model.set_value("eval.n_samples", 200)
    seen = []
    w.session.evaluating.connect(lambda step: seen.append((step, w.status.state_text, w.metrics.empty.text())))
    w.train_or_pause()
    qtbot.waitUntil(lambda: w.metrics.evaluation_count() >= 1, timeout=40_000)
    assert seen and seen[0][0] == 40
    assert seen[0][1] == "Evaluating at step 40…" and seen[0][2] == "Evaluating at step 40…"
    qtbot.waitUntil(lambda: w.status.state_text == "Training", timeout=10_000)   # and back
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_rollback_is_offered_only_when_it_can_work(qtbot, make_window):
    # no checkpoint at all (checkpoint.every = 0, and a diverged run writes no end checkpoint)
    w = make_window("toy-1d-shift", train__steps=300, optim_g__lr=10.0, optim_d__lr=10.0,
                    variant__g_loss="least_squares", checkpoint__every=0)
    w.train_or_pause()
    qtbot.waitUntil(lambda: w.session.state == "paused" and w.banner.isVisible(), timeout=40_000)
    assert "diverged" in w.banner.text()
    assert w.banner.action.isVisible() and not w.banner.action.isEnabled()
    assert "no checkpoint with finite metrics" in w.banner.text()
    assert "no checkpoint with finite metrics" in w.banner.action.toolTip()
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_export_confirms_in_the_status_bar(qtbot, make_window, tmp_path):
    run = headless("digits-dcgan", tmp_path / "digits", 2, model__base_channels=8, train__batch_size=16,
                   eval__every=0)
    ckpt = str(next((run / "checkpoints").glob("*.pt")))
    w = make_window("saddle-bilinear")
    out = tmp_path / "G.ts"
    w.ckpt.export(ckpt, str(out), "torchscript")
    assert "Exporting G.ts" in w.status["busy"].text()
    qtbot.waitUntil(lambda: out.exists() and not w.ckpt.jobs.busy, timeout=60_000)
    assert w.status.currentMessage().startswith("Exported the generator to G.ts")
    assert not w.status["busy"].isVisible()
    assert not w.banner.isVisible()


def test_a_bad_checkpoint_gets_one_readable_line(qtbot, make_window, tmp_path):
    run = tmp_path / "a-run-with-a-long-name-20260101-120000"
    (run / "checkpoints").mkdir(parents=True)
    bad = run / "checkpoints" / "step_00000010.pt"
    bad.write_bytes(b"PK\x03\x04 this is not a whole zip file" * 3)
    bad.with_suffix(".json").write_text(json.dumps({"step": 10, "time": 1.0e9, "metrics": {}}))
    w = make_window("saddle-bilinear")
    w.resize(1024, 700)
    w.ckpt.load(str(bad))
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=20_000)
    text = w.banner.text()
    assert text.startswith("Cannot load step_00000010.pt: not a readable checkpoint")
    assert str(run) not in text and text.count("step_00000010.pt") == 1     # the path not twice
    assert "\n" not in text and text.endswith(".") and text.count("(") == text.count(")")
    shown = w.banner.label.text()                                          # elided to fit, never wrapped
    assert shown == text or (shown.endswith("…") and text.startswith(shown[:-1]))
    assert w.banner.label.toolTip() == text
    assert w.banner.height() < 3 * w.banner.fontMetrics().height() + 20
    assert any(str(bad) in line for _, line in w.log.lines)                # the whole path in the log
    assert not w.status["busy"].isVisible()


def test_export_of_a_toy_checkpoint_says_why_not_once(qtbot, make_window, tmp_path):
    run = headless("saddle-bilinear", tmp_path / "toy", 5)
    ckpt = next((run / "checkpoints").glob("*.pt"))
    w = make_window("saddle-bilinear")
    w.ckpt.export(str(ckpt), str(tmp_path / "G.ts"), "torchscript")
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=20_000)
    text = w.banner.text()
    assert text.startswith(f"Cannot export {ckpt.name}: export writes image generators")
    assert str(ckpt.parent) not in text


def test_manual_save_and_theme_confirm_in_the_status_bar(qtbot, make_window):
    w = make_window("saddle-bilinear", **LONG)
    w.step("iter")
    qtbot.waitUntil(lambda: w.session.state == "paused", timeout=40_000)
    w.controls.action("save").trigger()
    qtbot.waitUntil(lambda: w.status.currentMessage().startswith("Saved checkpoint manual_"), timeout=10_000)
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
