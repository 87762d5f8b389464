"""Where the studio's files live: shipped presets found as package data, the user's presets added to
them, runs in the user's data folder (GAN_STUDIO_RUNS, a checkout's old ./runs still listed)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from studio.config import paths
from studio.config.presets import list_presets, load_preset, resolve_preset

SHIPPED = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "presets").glob("*.toml"))


def test_shipped_presets_are_package_data():
    assert paths.presets_dir() == Path(str(resources.files("studio.presets")))
    assert sorted(paths.preset_files()) == SHIPPED and len(SHIPPED) >= 17
    assert (paths.presets_dir() / "lessons").is_dir()


def test_user_presets_add_to_the_shipped_ones(tmp_path, monkeypatch):
    mine, more = tmp_path / "mine", tmp_path / "more"
    mine.mkdir()
    more.mkdir()
    text = (paths.presets_dir() / "toy-1d-shift.toml").read_text("utf-8")
    (mine / "my-shift.toml").write_text(text.replace("seed = 0", "seed = 7"), "utf-8")
    (more / "ring-2d-gan.toml").write_text(text, "utf-8")      # replaces the shipped one of that name
    monkeypatch.setenv("GAN_STUDIO_PRESETS", f"{mine}:{more}")
    files = paths.preset_files()
    assert set(files) == set(SHIPPED) | {"my-shift"}
    assert resolve_preset("my-shift") == mine / "my-shift.toml"
    assert resolve_preset("ring-2d-gan") == more / "ring-2d-gan.toml"
    assert load_preset("ring-2d-gan").variant.name == load_preset("toy-1d-shift").variant.name
    assert [n for n, _ in list_presets()] == sorted(files)


def test_the_config_folder_holds_user_presets(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    folder = tmp_path / "gan-studio" / "presets"
    assert paths.user_presets_dirs()[0] == folder
    folder.mkdir(parents=True)
    (folder / "x.toml").write_bytes((paths.presets_dir() / "saddle-bilinear.toml").read_bytes())
    assert "x" in paths.preset_files()


def test_runs_land_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("GAN_STUDIO_RUNS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert paths.runs_dir() == tmp_path / "data" / "gan-studio" / "runs"
    monkeypatch.setenv("GAN_STUDIO_RUNS", str(tmp_path / "elsewhere"))
    assert paths.runs_dir() == tmp_path / "elsewhere"
    monkeypatch.setenv("GAN_STUDIO_CACHE", str(tmp_path / "c"))
    assert paths.cache_dir() == tmp_path / "c"
    assert any(line.startswith("runs:") and str(tmp_path / "elsewhere") in line for line in paths.describe())


def test_a_checkouts_old_runs_are_still_found(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_RUNS", str(tmp_path / "new"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs" / "old-run" / "checkpoints").mkdir(parents=True)
    assert paths.run_folders()[0] == tmp_path / "new"
    assert tmp_path / "runs" in paths.run_folders()
    assert paths.find_run_path("old-run") == tmp_path / "runs" / "old-run"
    assert paths.find_run_path("no-such-run") == Path("no-such-run")


def test_the_icon_ships():
    assert paths.icon_file().is_file() and paths.icon_file().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (paths.assets_dir() / "gan-studio.svg").is_file()
    desktop = (paths.assets_dir() / "gan-studio.desktop").read_text("utf-8")
    assert "Exec=gan-studio" in desktop and "Icon=gan-studio" in desktop
