"""The headless commands end to end on tiny runs."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from studio.cli import main

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--set", "model.hidden=16", "--set", "model.depth=2", "--set", "train.batch_size=32"]


def train(tmp_path, *extra, preset="ring-2d-gan", steps=6):
    out = tmp_path / "run"
    code = main(["train", "--preset", preset, "--steps", str(steps), "--out", str(out), "--quiet", *TINY, *extra])
    return code, out


def test_train_then_list_checkpoints_and_sample(tmp_path, capsys):
    code, out = train(tmp_path, "--set", "checkpoint.every=3")
    assert code == 0
    assert sorted(p.name for p in (out / "checkpoints").glob("*.pt")) == ["end_00000006.pt", "step_00000003.pt"]
    capsys.readouterr()
    assert main(["checkpoints", str(out)]) == 0
    listing = capsys.readouterr().out
    assert "step_00000003.pt" in listing and "end_00000006.pt" in listing and "loss_d=" in listing
    ck = out / "checkpoints" / "end_00000006.pt"
    assert main(["sample", "--checkpoint", str(ck), "-n", "50", "--out", str(tmp_path / "s.npy")]) == 0
    x = np.load(tmp_path / "s.npy")
    assert x.shape == (50, 2) and np.isfinite(x).all()
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["sample", "--checkpoint", str(ck), "-n", "5", "--out", str(tmp_path / "s.csv")]) == 0
    rows = (tmp_path / "s.csv").read_text().splitlines()
    assert rows[0] == "x,y" and len(rows) == 6
    # the same seed gives the same samples
    main(["sample", "--checkpoint", str(ck), "-n", "50", "--out", str(tmp_path / "t.npy")])
    assert np.array_equal(np.load(tmp_path / "t.npy"), x)


def test_resume_continues_in_the_same_run(tmp_path):
    code, out = train(tmp_path, "--set", "checkpoint.every=3")
    assert code == 0
    assert main(["train", "--resume", str(out / "checkpoints" / "end_00000006.pt"), "--steps", "9", "--quiet"]) == 0
    assert (out / "checkpoints" / "end_00000009.pt").exists()


@pytest.mark.parametrize("args, part", [
    (["train", "--preset", "nope"], "preset 'nope' not found"),
    (["train", "--preset", "ring-2d-gan", "--set", "optim_d.lr=fast"], "--set optim_d.lr: expected a number"),
    (["train", "--preset", "ring-2d-gan", "--set", "train.batchsize=3"], "unknown setting 'train.batchsize'"),
    (["train", "--preset", "ring-2d-gan", "--steps", "0"], "--steps: must be at least 1"),
    (["train"], "needs --preset"),
    (["checkpoints", "/nonexistent/run"], "not a run directory"),
    (["sample", "--checkpoint", "/nonexistent.pt", "--out", "x.npy"], "checkpoint not found"),
])
def test_bad_input_prints_one_clear_line_and_exits_2(args, part, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert part in err and "Traceback" not in err


def test_bad_preset_file_names_file_key_and_value(tmp_path, capsys):
    p = tmp_path / "mine.toml"
    p.write_text('schema_version = 1\n[optim_g]\nlr = 99.0\n')
    assert main(["train", "--preset", str(p)]) == 2
    err = capsys.readouterr().err
    assert str(p) in err and "optim_g.lr" in err and "99.0" in err


def test_presets_lists_name_variant_title(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith("ring-2d-wgan-gp"))
    assert "wgan_gp" in line and "Ring of 8 Gaussians" in line


def test_ctrl_c_saves_a_checkpoint_and_exits_cleanly(tmp_path):
    out = tmp_path / "run"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "train", "--preset", "ring-2d-gan",
                             "--steps", "1000000", "--out", str(out), *TINY],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not (out / "metrics.jsonl").exists() or (out / "metrics.jsonl").stat().st_size == 0:
        assert time.time() < deadline and proc.poll() is None
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    saved = list((out / "checkpoints").glob("interrupt_*.pt"))
    assert len(saved) == 1 and "stopped after" in err and "Traceback" not in err


def test_ctrl_c_while_the_command_starts_is_one_line():
    """Ctrl+C in the second or two the imports take (here: the moment torch is looked for) is one line
    and exit status 130, not a KeyboardInterrupt traceback from inside torch."""
    code = ("import os, signal, sys, runpy\n"
            "class CtrlC:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'torch':\n"
            "            os.kill(os.getpid(), signal.SIGINT)\n"
            "        return None\n"
            "sys.meta_path.insert(0, CtrlC())\n"
            "sys.argv = ['gan-studio', 'presets']\n"
            "runpy.run_module('studio.cli', run_name='__main__')\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 130 and r.stdout == "", (r.returncode, r.stdout, r.stderr)
    assert r.stderr.strip() == "stopped by Ctrl+C while starting (importing torch); nothing was written"


def test_cli_does_not_import_qt():
    code = ("import sys, studio.cli, studio.engine.trainer; "
            "bad = [m for m in ('PySide6', 'pyqtgraph') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
