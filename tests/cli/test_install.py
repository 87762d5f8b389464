"""What an installed GAN Studio needs: the version, where things live, and optional parts (extras)
that stay optional: without Optuna or ONNX every other command and the studio still import, and the
command that needs one says in one line which extra to install."""
from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import studio
from studio.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"gan-studio {studio.__version__}"


def test_paths_say_where_runs_land(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_RUNS", str(tmp_path / "my-runs"))
    assert main(["paths"]) == 0
    out = capsys.readouterr().out
    assert f"runs:     {tmp_path / 'my-runs'}" in out and "presets:" in out and "cache:" in out


def test_without_optuna_everything_imports_and_sweep_names_the_extra(tmp_path):
    code = ("import sys; sys.modules['optuna'] = None\n"
            "import studio.cli, studio.gui.main_window\n"
            "from studio.cli import main\n"
            "sys.exit(main(['sweep', '--preset', 'ring-2d-gan', '--param', 'optim_g.lr=1e-3,2e-3', "
            f"'--out', {str(tmp_path / 'sw')!r}]))\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'gan-studio[sweep]'" in lines[0], r.stderr
    assert not (tmp_path / "sw").exists()


def test_export_onnx_without_onnx_names_the_extra(monkeypatch, capsys, tmp_path):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnx" else real(name, *a))
    assert main(["export", "--checkpoint", str(tmp_path / "x.pt"), "--format", "onnx",
                 "--out", str(tmp_path / "g.onnx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'gan-studio[export]'" in err[0] and "pt2" in err[0]


def test_pyproject_declares_every_import():
    """Each third-party module the package imports is a dependency or in an extra."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = {d.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower()
                for d in meta["dependencies"] + [x for v in meta["optional-dependencies"].values() for x in v]}
    module_to_dist = {"PySide6": "pyside6-essentials", "PIL": "pillow", "sklearn": "scikit-learn",
                      "tomli_w": "tomli-w", "yaml": "pyyaml"}
    found = set()
    for path in (ROOT / "studio").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    found -= set(sys.stdlib_module_names) | {"studio", "__future__"}
    missing = {m for m in found if module_to_dist.get(m, m).lower() not in declared}
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"


def test_gui_quit_after_must_be_positive(capsys):
    assert main(["gui", "--quit-after", "0"]) == 2
    assert "--quit-after" in capsys.readouterr().err


def test_without_tensorboard_a_run_says_which_extra(tmp_path):
    code = ("import sys; sys.modules['tensorboard'] = None\n"
            "from studio.cli import main\n"
            f"sys.exit(main(['train', '--preset', 'toy-1d-shift', '--steps', '2', '--quiet', '--out', {str(tmp_path / 'r')!r}]))\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if "gan-studio[tensorboard]" in line]
    assert len(said) == 1 and "log.tensorboard = true needs TensorBoard" in said[0]
    assert (tmp_path / "r" / "metrics.jsonl").is_file() and not (tmp_path / "r" / "tb").exists()


def test_presets_lists_the_users_own_with_their_file(tmp_path, monkeypatch, capsys):
    from studio.config.paths import presets_dir
    (tmp_path / "mine.toml").write_bytes((presets_dir() / "ring-2d-gan.toml").read_bytes())
    monkeypatch.setenv("GAN_STUDIO_PRESETS", str(tmp_path))
    assert main(["presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    mine = [line for line in lines if line.startswith("mine ")]
    assert len(mine) == 1 and str(tmp_path / "mine.toml") in mine[0]
    assert not any(str(presets_dir()) in line for line in lines)


def test_every_package_folder_ships():
    """setup.py finds packages by their __init__.py: a folder of modules without one would work in the
    checkout and be missing from the wheel."""
    missing = [str(d.relative_to(ROOT)) for d in (ROOT / "studio").rglob("*")
               if d.is_dir() and d.name != "__pycache__" and any(d.glob("*.py")) and not (d / "__init__.py").exists()]
    assert not missing, f"folders of modules without __init__.py (left out of the wheel): {missing}"
    for data in ("presets", "assets"):
        assert (ROOT / data / "__init__.py").is_file()     # mapped into the package as studio.presets/assets
