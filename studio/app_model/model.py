"""The studio model: the state of what the user is working on, with no Qt and no engine object.

It holds the chosen preset, the next run's configuration (the user's own data, drawn points or a
points file, is part of that configuration and lives nowhere else), what the centre shows (a preset's
game, a run opened from disk, a loaded checkpoint or the live run), the latent explorer's generator
source and the runs folders known. It changes only through its methods, which validate and raise
`ConfigError` with one line for bad input; every change is announced by one of its `Event`s, after
the state has changed. The GUI's widgets show it and write to it (`studio.gui.binding`); the CLI and
the tests can drive it without a window.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from ..config.io import get_value, set_value
from ..config.presets import load_preset
from ..config.schema import Config, ConfigError, DataConfig
from ..data.base import family_of
from ..data.toy import MIN_POINTS
from ..tools import points_file
from .events import Event
from .own_data import drawn, too_few

SHOWN_KINDS = ("nothing", "preset", "run", "checkpoint", "live")


@dataclass(frozen=True)
class Shown:
    """What the centre of the window shows: `kind` is one of SHOWN_KINDS; `name` the preset or run,
    `path` the run directory or checkpoint file, `step` the checkpoint's step."""
    kind: str = "nothing"
    name: str = ""
    path: str = ""
    step: int = 0


@dataclass(frozen=True)
class ExplorerSource:
    """Where the latent explorer's generator comes from: a copy of the live run's ("live", with its
    run directory) or a checkpoint ("checkpoint", with its file), at `step`."""
    kind: str
    where: str
    step: int


class StudioModel:
    def __init__(self) -> None:
        # events, each emitted after the change with what changed
        self.preset_changed = Event("preset_changed")        # (name or None), after its config
        self.config_changed = Event("config_changed")        # (keys: tuple[str, ...] or None for all)
        self.problem_changed = Event("problem_changed")      # (key, one-line reason or None)
        self.shown_changed = Event("shown_changed")          # (Shown)
        self.explorer_changed = Event("explorer_changed")    # (ExplorerSource or None)
        self.runs_changed = Event("runs_changed")            # (tuple of folders)
        self._preset: str | None = None
        self._name: str | None = None
        self._config = Config()
        self._baseline = Config()                  # what the config was when chosen: Reset goes back
        self._stash: DataConfig | None = None      # the data the drawing replaced, for Clear drawn
        self._problems: dict[str, str] = {}
        self._shown = Shown()
        self._explorer: ExplorerSource | None = None
        self._explorer_follow = True               # the explorer follows the live run (else pinned)
        self._runs: list[Path] = []

    # ------------------------------------------------------------------ reading
    @property
    def preset(self) -> str | None:
        """The preset chosen in the list; None while a run or checkpoint is what the user works on."""
        return self._preset

    @property
    def name(self) -> str | None:
        """The name of what the user works on: the preset, or the run opened, resumed or branched."""
        return self._name

    @property
    def run_name(self) -> str:
        return self._name or "run"

    def config(self) -> Config:
        """A copy of the next run's configuration."""
        return copy.deepcopy(self._config)

    def get(self, key: str):
        return get_value(self._config, key)

    @property
    def problems(self) -> dict[str, str]:
        """{key: reason} of what keeps the next run from starting (too few drawn points, a points
        file that does not read)."""
        return dict(self._problems)

    @property
    def shown(self) -> Shown:
        return self._shown

    @property
    def explorer_source(self) -> ExplorerSource | None:
        return self._explorer

    @property
    def runs_folders(self) -> tuple[Path, ...]:
        return tuple(self._runs)

    @property
    def drawn_points(self) -> list[list[float]]:
        """The points the user drew, when the next run trains on them."""
        return copy.deepcopy(self._config.data.points) if drawn(self._config) else []

    # ------------------------------------------------------------------ presets and whole configs
    def choose_preset(self, name: str) -> Config:
        """The preset becomes the next run's configuration (ConfigError when it does not load). Points
        drawn for a 2D game stay the data of another 2D preset (Clear drawn brings its own back)."""
        cfg = load_preset(name)
        points = self.drawn_points
        self._stash = None
        if len(points) >= MIN_POINTS and family_of(cfg.data.kind) == "2d" and not drawn(cfg):
            self._stash = copy.deepcopy(cfg.data)
            _use_points(cfg, points)
        changed = self._set_preset(name, name)
        self._baseline = copy.deepcopy(cfg)
        self._replace(cfg)
        if changed:
            self.preset_changed.emit(name)
        self.show("preset", name)
        return self.config()

    def take_config(self, cfg: Config, name: str) -> None:
        """A run's configuration (resumed, branched, opened from disk) is the next run's; no preset is
        chosen."""
        self._stash = None
        changed = self._set_preset(None, name)
        self._baseline = copy.deepcopy(cfg)
        self._replace(copy.deepcopy(cfg))
        if changed:
            self.preset_changed.emit(None)

    def baseline(self) -> Config:
        """A copy of the configuration as the preset (or the run taken up) gave it, before any edit."""
        return copy.deepcopy(self._baseline)

    def reset(self) -> None:
        """Every setting back to the preset's (or the taken-up run's) value (points drawn over a
        preset's data keep what Clear drawn brings back)."""
        self._replace(copy.deepcopy(self._baseline))

    def _set_preset(self, preset: str | None, name: str | None) -> bool:
        changed = preset != self._preset or name != self._name
        self._preset, self._name = preset, name
        return changed

    def _replace(self, cfg: Config) -> None:
        self._config = cfg
        for key in list(self._problems):
            self._set_problem(key, None)
        self.config_changed.emit(None)

    # ------------------------------------------------------------------ edits
    def set_value(self, key: str, value) -> bool:
        """Set one setting ("optim_g.lr"); ConfigError (naming the key) when the value does not fit.
        True when it changed."""
        trial = copy.deepcopy(self._config)
        set_value(trial, key, value, key)                 # ConfigError for a bad key or value
        old, new = get_value(self._config, key), get_value(trial, key)
        self._config = trial
        if new == old:
            return False
        self.config_changed.emit((key,))
        return True

    def _set_many(self, values: dict) -> None:
        trial = copy.deepcopy(self._config)
        for k, v in values.items():
            set_value(trial, k, v, k)
        changed = tuple(k for k in values if get_value(trial, k) != get_value(self._config, k))
        self._config = trial
        if changed:
            self.config_changed.emit(changed)

    def _set_problem(self, key: str, reason: str | None) -> None:
        if self._problems.get(key) == reason:
            return
        if reason is None:
            self._problems.pop(key, None)
        else:
            self._problems[key] = reason
        self.problem_changed.emit(key, reason)

    # ------------------------------------------------------------------ the user's own data
    def draw_points(self, points) -> int:
        """The next run trains on these drawn points ([[x, y], ...]); a points file named before is
        left out. Fewer than MIN_POINTS are a problem that keeps a run from starting. The count."""
        pts = [[float(x), float(y)] for x, y in points]
        if self._stash is None and not drawn(self._config):
            self._stash = copy.deepcopy(self._config.data)
        self._set_many({"data.file": "", "data.kind": "points2d", "data.points": pts})
        self._set_problem("data.points", too_few(len(pts)) if len(pts) < MIN_POINTS else None)
        return len(pts)

    def clear_drawn(self) -> str | None:
        """Forget the drawn points: the data they replaced comes back (the kind returned to), or the
        points are emptied when there was none ('' then). None when nothing was drawn."""
        if not drawn(self._config) and "data.points" not in self._problems:
            return None
        before = self._stash
        if before is None and self._preset:
            try:
                before = load_preset(self._preset).data
            except ConfigError:
                before = None
        self._stash = None
        self._set_problem("data.points", None)
        if before is None or before.kind == "points2d" and not before.file:
            self._set_many({"data.points": []})
            return ""
        values = {f"data.{f.name}": getattr(before, f.name) for f in dataclasses.fields(before)
                  if f.name != "kind"}
        values["data.kind"] = before.kind
        self._set_many(values)
        return before.kind

    def use_points_file(self, path: str) -> points_file.PointsFile:
        """The next run trains on a CSV or .npy of points: data.kind follows its columns. A file that
        does not read raises ConfigError (one line) and changes nothing but the problem noted."""
        try:
            info = points_file.describe(path)
        except ConfigError as e:
            self._set_problem("data.file", " ".join(str(e).split()))
            raise
        self._set_problem("data.file", None)
        self._set_many({"data.kind": info.kind, "data.file": info.path})
        return info

    def check_points_file(self) -> points_file.PointsFile | None:
        """Whether the points file the config names reads and fits its data.kind (noted as a
        problem of data.file when not); its description, or None."""
        d = self._config.data
        if d.kind not in ("points1d", "points2d") or not d.file:
            self._set_problem("data.file", None)
            return None
        try:
            info = points_file.describe(d.file)
        except ConfigError as e:
            self._set_problem("data.file", " ".join(str(e).split()))
            return None
        want = 2 if d.kind == "points2d" else 1
        have = 2 if info.kind == "points2d" else 1
        if want != have:
            self._set_problem("data.file", f"{info.path}: has {have} column{'s' * (have > 1)}; "
                                           f"data.kind = {d.kind} expects {want}")
            return None
        self._set_problem("data.file", None)
        return info

    # ------------------------------------------------------------------ what is on screen
    def show(self, kind: str, name: str = "", path: str = "", step: int = 0) -> None:
        if kind not in SHOWN_KINDS:
            raise ValueError(f"shown kind {kind!r} is not one of {', '.join(SHOWN_KINDS)}")
        shown = Shown(kind, name, str(path), int(step))
        if shown != self._shown:
            self._shown = shown
            self.shown_changed.emit(shown)

    def show_preset(self) -> None:
        """The centre shows the next run's game as it starts (after an edit of the config)."""
        self.show("preset", self.run_name)

    @property
    def shown_checkpoint(self) -> str | None:
        return self._shown.path if self._shown.kind == "checkpoint" else None

    # ------------------------------------------------------------------ the latent explorer
    def set_explorer_source(self, kind: str, where: str, step: int, follow: bool | None = None) -> None:
        """The explorer shows this generator; `follow` (when given) also says whether it follows the
        live run from now on (a checkpoint opened during a run pins the explorer to it)."""
        if kind not in ("live", "checkpoint"):
            raise ValueError(f"explorer source kind {kind!r} is not 'live' or 'checkpoint'")
        source = ExplorerSource(kind, str(where), int(step))
        follow = self._explorer_follow if follow is None else bool(follow)
        if source != self._explorer or follow != self._explorer_follow:
            self._explorer, self._explorer_follow = source, follow
            self.explorer_changed.emit(self._explorer)

    @property
    def explorer_follows(self) -> bool:
        """Whether the explorer follows the live run (its copies replace what it shows) or is pinned."""
        return self._explorer_follow

    def follow_live_run(self, on: bool) -> None:
        """Follow the live run in the explorer (True) or keep what it shows (False, pinned)."""
        if bool(on) != self._explorer_follow:
            self._explorer_follow = bool(on)
            self.explorer_changed.emit(self._explorer)

    # ------------------------------------------------------------------ runs known
    def add_runs_folder(self, folder) -> bool:
        """A folder of runs the runs browser lists; False when it is known already."""
        p = Path(folder).resolve()
        if p in self._runs:
            return False
        self._runs.append(p)
        self.runs_changed.emit(tuple(self._runs))
        return True


def _use_points(cfg: Config, points: list) -> None:
    cfg.data.file = ""
    cfg.data.kind = "points2d"
    cfg.data.points = [[float(x), float(y)] for x, y in points]
