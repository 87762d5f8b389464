"""One line, not a traceback (issue 26): an unreadable class folder says permission denied, out of
memory and a torchrun peer that died are named as what they are, Ctrl+C while a data set loads."""
from __future__ import annotations

import errno
import os

import numpy as np
import pytest
from PIL import Image

from studio.config.schema import ConfigError
from studio.data import folder


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
