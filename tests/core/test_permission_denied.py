"""Permission denied for real (issue 26): we run as root, for whom every file is readable, so the
folder scan and a points file are read by a child process that gave up root (os.setuid to nobody,
65534). The one line says "permission denied" and names the path; skipped when not root."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

NOBODY = 65534
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                                reason="needs root to become an unprivileged user (as root nothing is denied)")


@pytest.fixture
def shared():
    """A folder the unprivileged user can reach (pytest's tmp_path is under a 0700 folder of root's)."""
    d = Path(tempfile.mkdtemp(prefix="gan-studio-denied-"))
    d.chmod(0o755)
    home = d / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def as_nobody(args: list[str], home: Path, warm: list[str]) -> subprocess.CompletedProcess:
    """`gan-studio ARGS` in a forked child that becomes nobody first (the interpreter lives under
    /root, which nobody cannot enter, so the child is a fork of this process, not a new python).
    The child's stderr comes back in a file; modules it needs were imported here before (warm-up)."""
    from studio.cli import main
    assert main(warm) == 2          # here, as root: the same command on a readable input, to import what it needs
    out = home / "stderr.txt"
    pid = os.fork()
    if pid == 0:                                       # the child: never returns into pytest
        code = 99
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os.environ.update(HOME=str(home), GAN_STUDIO_RUNS=str(home / "runs"), XDG_CACHE_HOME=str(home / "cache"),
                              XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"))
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 2)
            sys.stderr = open(2, "w", closefd=False)
            code = main(args)
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else 98)
    _, status = os.waitpid(pid, 0)
    return subprocess.CompletedProcess(args, os.waitstatus_to_exitcode(status), "", out.read_text())


def one_error_line(res: subprocess.CompletedProcess) -> str:
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    errors = [x for x in lines if x.startswith("error:")]
    assert len(errors) == 1, res.stderr
    return errors[0]


def test_an_unreadable_class_folder_says_permission_denied_and_names_it(shared):
    root = shared / "images"
    for cls in ("cats", "dogs"):
        (root / cls).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (8, 8), (i * 40, 0, 0)).save(root / cls / f"{i}.png")
        (root / cls).chmod(0o700)                      # root's alone: nobody cannot list it
    cmd = ["train", "--preset", "folder-dcgan", "--steps", "1", "--quiet", "--set"]
    (shared / "empty").mkdir()
    res = as_nobody(cmd + [f"data.root='{root}'"], shared / "home", warm=cmd + [f"data.root='{shared / 'empty'}'"])
    line = one_error_line(res)
    assert "permission denied" in line.lower() and str(root) in line and "cats" in line, line
    assert f"{root}: permission denied: 2 class folder(s) cannot be read (e.g. cats)" in line, line
    assert "no images" not in line
    assert not (shared / "home" / "runs").exists()     # nothing started


@pytest.mark.parametrize("suffix", [".csv", ".npy"])
def test_an_unreadable_points_file_says_permission_denied_and_names_it(shared, suffix):
    f = shared / f"points{suffix}"
    pts = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
    if suffix == ".npy":
        np.save(f, pts)
    else:
        f.write_text("".join(f"{x},{y}\n" for x, y in pts))
    f.chmod(0o600)                                     # root's alone
    cmd = ["train", "--preset", "ring-2d-gan", "--set", "data.kind='points2d'", "--steps", "1", "--quiet", "--set"]
    bad = shared / f"bad{suffix}"
    bad.write_text("x,y\n1,oops\n")
    res = as_nobody(cmd + [f"data.file='{f}'"], shared / "home", warm=cmd + [f"data.file='{bad}'"])
    line = one_error_line(res)
    assert "permission denied" in line.lower() and str(f) in line, line
