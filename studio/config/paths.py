"""Where the studio's files live.

- Presets: the ones that ship inside the package (`studio.presets`, found with importlib.resources;
  in a checkout that is the top-level presets/ folder), then the user's own: the platform's config
  folder (`~/.config/gan-studio/presets` on Linux) and the folders in GAN_STUDIO_PRESETS
  (separated by os.pathsep). A user preset of the same name as a shipped one takes its place.
- Runs: GAN_STUDIO_RUNS, else the platform's data folder (`~/.local/share/gan-studio/runs`);
  `--out` chooses another for one run. The runs a checkout kept in its ./runs are still listed.
- Cache: GAN_STUDIO_CACHE, else the platform's cache folder (`~/.cache/gan-studio`).
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP = "gan-studio"
ROOT = Path(__file__).resolve().parents[2]    # the checkout, when the studio runs from one


def _packaged(name: str) -> Path:
    """A data folder shipped as a package (studio.presets, studio.assets), as a path on disk."""
    return Path(str(resources.files(f"studio.{name}")))


def presets_dir() -> Path:
    """The presets that ship with the studio (lessons in its lessons/ folder)."""
    return _packaged("presets")


def assets_dir() -> Path:
    """The icon and the desktop entry."""
    return _packaged("assets")


def icon_file() -> Path:
    return assets_dir() / "gan-studio.png"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def user_presets_dirs() -> list[Path]:
    """The user's preset folders, lowest precedence first: the config folder's presets/, then
    GAN_STUDIO_PRESETS's folders in order."""
    env = [Path(p) for p in os.environ.get("GAN_STUDIO_PRESETS", "").split(os.pathsep) if p.strip()]
    return [config_dir() / "presets", *env]


def preset_files() -> dict[str, Path]:
    """Every preset by name (the file's stem), sorted by name; a user's preset replaces a shipped
    one of the same name."""
    found: dict[str, Path] = {}
    for folder in [presets_dir(), *user_presets_dirs()]:
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                found[path.stem] = path
    return dict(sorted(found.items()))


def runs_dir() -> Path:
    """Where a new run's folder goes: GAN_STUDIO_RUNS, else the platform's user data folder."""
    env = os.environ.get("GAN_STUDIO_RUNS", "").strip()
    return Path(env) if env else Path(platformdirs.user_data_dir(APP, appauthor=False)) / "runs"


def run_folders() -> list[Path]:
    """The folders whose runs the studio lists: runs_dir() first, then the ./runs of a checkout (where
    runs went before they moved to the user's data folder) and of the current folder, if they exist."""
    out = [runs_dir()]
    for old in (ROOT / "runs", Path.cwd() / "runs"):
        if old.is_dir() and not any(_same(old, p) for p in out):
            out.append(old)
    return out


def find_run_path(text: str) -> Path:
    """A run directory or a file in one, as given or relative to one of the run folders (so that
    `gan-studio checkpoints NAME` finds runs/NAME); the path as given when it is nowhere."""
    p = Path(text).expanduser()
    if p.exists() or p.is_absolute():
        return p
    for folder in run_folders():
        if (folder / p).exists():
            return folder / p
    return p


def cache_dir() -> Path:
    """Caches that can be rebuilt (decoded data sets, features): GAN_STUDIO_CACHE, else the platform's."""
    env = os.environ.get("GAN_STUDIO_CACHE", "").strip()
    return Path(env) if env else Path(platformdirs.user_cache_dir(APP, appauthor=False))


def describe() -> list[str]:
    """Where things are, one line each (`gan-studio paths`; the studio can show the same lines)."""
    users = ", ".join(str(p) for p in user_presets_dirs())
    older = [str(p) for p in run_folders()[1:]]
    return [f"runs:     {runs_dir()}  (GAN_STUDIO_RUNS or --out to choose another)",
            *([f"also:     {', '.join(older)}  (runs kept in a checkout's ./runs, still listed)"] if older else []),
            f"presets:  {presets_dir()}  (shipped), {users}  (yours, GAN_STUDIO_PRESETS)",
            f"cache:    {cache_dir()}  (GAN_STUDIO_CACHE)"]


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
