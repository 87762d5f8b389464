"""One line, not a traceback (issue 26): an unreadable class folder says permission denied, out of
memory and a torchrun peer that died are named as what they are, Ctrl+C while a data set loads."""
from __future__ import annotations

import errno
import os

import numpy as np
import pytest
from PIL import Image

from studio import cli
from studio.config.schema import ConfigError
from studio.data import folder
from studio.engine import build, faults, trainer
from studio.engine.events import CheckpointSaved, Failed
from studio.engine.trainer import Trainer

from .helpers import run_all, tiny


def _folder(tmp_path):
    for c in ("cats", "dogs"):
        (tmp_path / "imgs" / c).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "imgs" / c / f"{i}.png")
    return tmp_path / "imgs"


def test_unreadable_class_folders_say_permission_denied_not_no_images(tmp_path, monkeypatch):
    root = _folder(tmp_path)
    real = os.scandir

    def scandir(path="."):
        if os.path.basename(str(path)) in ("cats", "dogs"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)
    monkeypatch.setattr(folder.os, "scandir", scandir)
    with pytest.raises(ConfigError) as e:
        folder.find_images(root)
    text = str(e.value)
    assert "permission denied" in text and "no images" not in text and "cats" in text


def _fail_at(monkeypatch, trainer, step, exc):
    real = trainer.variant.iteration

    def iteration():
        if trainer.step + 1 == step:
            raise exc
        return real()
    monkeypatch.setattr(trainer.variant, "iteration", iteration)


@pytest.mark.parametrize("exc, words", [
    (MemoryError(), "out of memory"),
    (RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: "
                  "you tried to allocate 268435456 bytes. Error code 12 (Cannot allocate memory)"),
     "out of memory (DefaultCPUAllocator: can't allocate memory"),
])
def test_out_of_memory_is_one_line_with_the_emergency_checkpoint_not_a_bug(tmp_path, monkeypatch, exc, words):
    t = Trainer(tiny("ring-2d-gan", steps=50), tmp_path / "run", snapshots=False)
    _fail_at(monkeypatch, t, 7, exc)
    evs = run_all(t)
    failed = [e for e in evs if isinstance(e, Failed)]
    assert len(failed) == 1 and not failed[0].bug and words in failed[0].message
    assert "\n" not in failed[0].message and "train.batch_size" in failed[0].message
    ck = [e.path for e in evs if isinstance(e, CheckpointSaved) and e.reason == "emergency"]
    assert ck and f"--resume {ck[0]}" in failed[0].message


def test_a_torchrun_peer_that_died_is_one_line_not_a_bug(tmp_path, monkeypatch):
    t = Trainer(tiny("ring-2d-gan", steps=50), tmp_path / "run", snapshots=False)
    monkeypatch.setattr(faults.dist, "is_initialized", lambda: True)
    _fail_at(monkeypatch, t, 4, RuntimeError(
        "[/pytorch/third_party/gloo/gloo/transport/tcp/pair.cc:545] Read error [127.0.0.1]:33203: Connection reset "
        "by peer. This is typically caused by a remote worker hanging or bugs in the application."))
    failed = [e for e in run_all(t) if isinstance(e, Failed)]
    assert len(failed) == 1 and not failed[0].bug
    assert "another worker of this torchrun run stopped" in failed[0].message
    assert faults.resource_problem(RuntimeError("shape mismatch")) is None        # a real bug stays one


def test_ctrl_c_while_the_data_set_loads_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(build, "make_data", interrupted)      # the data set is built by engine.build
    rc = cli.main(["train", "--preset", "ring-2d-gan", "--steps", "5", "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert rc == 130 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "Ctrl+C before training began" in err and not (tmp_path / "run").exists()
