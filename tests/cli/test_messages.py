"""Every bad input and fault of the environment at the command line ends in one line that names the
file, key or value and says what to do; a traceback only for a real bug, with a line asking to report it."""
from __future__ import annotations

import os

import pytest
import torch

from studio import cli
from studio.cli import main
from studio.config.paths import presets_dir

from .test_cli import train


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "Traceback" not in err[0], err
    return err[0]


def test_preset_with_a_utf8_bom_loads_and_a_folder_is_named_as_one(tmp_path, capsys):
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + (presets_dir() / "ring-2d-gan.toml").read_bytes())
    code, _ = train(tmp_path, preset=str(bom), steps=2)
    assert code == 0
    capsys.readouterr()
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    assert main(["train", "--preset", str(folder)]) == 2
    assert "is a folder" in one_error_line(capsys)


@pytest.mark.parametrize("sets, words", [
    (["variant.name=saddle"], ["ring-2d-gan.toml", "data.kind = 'none'"]),     # two fields: the file named
    (["model.kind=shift"], ["ring-2d-gan.toml", "model.kind = 'shift' needs 1D data"]),
    (["train.threads=512"], ["train.threads = 512", "CPU threads"]),
    (["checkpoint.every=100000000000"], ["checkpoint.every", "at most 100000000"]),
    (["log.flush_every=0"], ["log.flush_every", "at least 1"]),
])
def test_settings_that_cannot_work_are_refused_in_one_line(tmp_path, capsys, sets, words):
    code, _ = train(tmp_path, *[a for s in sets for a in ("--set", s)], steps=2)
    assert code == 2
    line = one_error_line(capsys)
    assert all(w in line for w in words), line


def test_checkpoints_that_are_not_ours_or_broken_say_so_whole(tmp_path, capsys):
    class Evil:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))
    evil = tmp_path / "evil.pt"
    torch.save({"format": "gan-studio-checkpoint", "x": Evil()}, evil)
    assert main(["sample", "--checkpoint", str(evil), "--out", str(tmp_path / "s.npy")]) == 2
    line = one_error_line(capsys)
    assert "never runs code" in line and "weights_only" not in line and not (tmp_path / "pwned").exists()
    code, out = train(tmp_path, steps=2)
    ck = next((out / "checkpoints").glob("end_*.pt"))
    torn = tmp_path / "torn.pt"
    torn.write_bytes(ck.read_bytes()[:200])
    assert main(["train", "--resume", str(torn)]) == 2
    line = one_error_line(capsys)
    assert line.endswith(")") and "not a readable checkpoint" in line     # whole, not cut mid-sentence


def test_resume_with_fewer_steps_than_the_checkpoint_says_what_to_do(tmp_path, capsys):
    code, out = train(tmp_path, steps=5)
    ck = next((out / "checkpoints").glob("end_*.pt"))
    capsys.readouterr()
    assert main(["train", "--resume", str(ck), "--steps", "3"]) == 2
    line = one_error_line(capsys)
    assert "at step 5" in line and "larger --steps" in line


def test_an_unwritable_output_is_one_line_and_a_bug_gets_a_traceback_and_a_report_line(tmp_path, capsys,
                                                                                     monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _ = train(tmp_path, "--out", str(blocker / "run"), steps=2)
    assert code in (1, 2)
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(blocker) in err

    def broken(args):
        raise KeyError("a bug")
    monkeypatch.setattr(cli, "cmd_presets", broken)      # the parser picks the command up when main builds it
    assert main(["presets"]) == cli.EXIT_BUG
    err = capsys.readouterr().err
    assert "Traceback" in err and "KeyError: 'a bug'" in err and err.strip().endswith(cli.REPORT)



def test_the_last_progress_line_is_printed_once(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--preset", "toy-1d-shift", "--steps", "30", "--out", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if line.startswith("step 30/30")] == [err[-3]]   # then checkpoint, done
    assert err[-2].startswith("checkpoint: ") and err[-1].startswith("done after 30 steps")
