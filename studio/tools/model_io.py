"""Open a checkpoint as a model: its configuration and its game, nothing else.

No Trainer is built, the file is read once, and process-wide torch state is left alone (the thread
count, and the global random generator, which network initialisation draws from, is restored).
Image data are loaded only when the job needs real images (evaluation, nearest neighbours): the
checkpoint's description of its data (shape, classes) is enough to rebuild and run the generator.
Toy data sets cost nothing to build and are always there (the views draw them).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch

from ..config.schema import Config, ConfigError
from ..data import DataSource, DataSpec, SpecOnly, make_data
from ..engine import checkpoints
from ..engine.build import RNG_LOCK, Built, build_game
from ..games import Variant, game_class
from ..inspect import probes
from ..inspect.latent import LatentModel


@dataclass
class OpenedModel:
    path: str
    cfg: Config
    game: Variant
    step: int
    metrics: dict

    @property
    def data(self) -> DataSource:
        return self.game.data

    @property
    def device(self) -> torch.device:
        return self.game.device


def pick_device(cfg: Config) -> torch.device:
    """CUDA when the run asked for it (or for auto) and there is one; the CPU otherwise."""
    return torch.device("cuda" if cfg.train.device != "cpu" and torch.cuda.is_available() else "cpu")


def _data(cfg: Config, state: dict, with_data: bool, source: str) -> DataSource:
    spec = state.get("data_spec")
    if with_data or not isinstance(spec, dict):    # older checkpoints carry no data description
        return make_data(cfg.data, source)
    spec = DataSpec.from_dict(spec, source)
    if spec.family != "image":
        return make_data(cfg.data, source)          # toy data: nothing to load
    return SpecOnly(spec, cfg.data.kind)


def open_model(path: str | os.PathLike, *, with_data: bool = False,
               device: str | torch.device | None = None) -> OpenedModel:
    """The checkpoint at `path` as (config, game, step); bad files raise CheckpointError, a stored
    config that no longer validates raises ConfigError, both naming the file."""
    path = str(path)
    state = checkpoints.load(path)
    cfg = checkpoints.config_of(state, path)
    dev = torch.device(device) if device is not None else pick_device(cfg)
    data = _data(cfg, state, with_data, f"{path} (stored config)")
    forked = [dev.index or 0] if dev.type == "cuda" else []
    with RNG_LOCK, torch.random.fork_rng(devices=forked):   # initial weights draw from the global generator
        try:
            game = game_class(cfg.variant.name)(cfg, data, dev, torch.Generator(device=dev).manual_seed(cfg.train.seed))
        except ConfigError as e:                    # settings that do not fit together: name the file
            raise ConfigError(str(e) if str(e).startswith(path) else f"{path} (stored config): {e}") from None
    try:
        game.load_state(state, optimizers=False)
    except ValueError as e:
        raise checkpoints.CheckpointError(f"{path}: does not fit its own configuration ({e})") from None
    return OpenedModel(path, cfg, game, int(state["step"]), dict(state.get("metrics") or {}))


def latent_model(model: OpenedModel) -> LatentModel | None:
    """The latent explorer's model of an opened checkpoint (None when its game has no latent space)."""
    if not model.game.has_latent:
        return None
    p = Path(model.path)
    run = p.parent.parent.name if p.parent.name == "checkpoints" else p.parent.name   # RUN/checkpoints/FILE
    return LatentModel(model.game, step=model.step, source=p.name, run=run).prepare()   # fitted off the GUI thread


def snapshot(model: OpenedModel) -> tuple[str, dict]:
    """What the game view draws for the opened model: (view name, numpy data), with the probe noise
    a run of this seed uses."""
    gen = torch.Generator(device=model.device).manual_seed(model.cfg.train.seed + 7)
    return probes.snapshot(model.game, gen)


def preview(cfg: Config, device: str | torch.device = "cpu") -> tuple[str, dict]:
    """What the game view draws before training starts: (view name, numpy data) of the game a run
    of `cfg` begins with (its real data, its initial generator and discriminator), built without a
    Trainer and without touching process-wide torch state (engine.build: the global random generator
    is restored, the thread count is left alone), so the picture is the run's first snapshot. Bad
    settings raise ConfigError."""
    return preview_build(cfg, device)[1:]


def preview_build(cfg: Config, device: str | torch.device = "cpu") -> tuple[Built, str, dict]:
    """`preview`, with the build it drew: a Trainer of the same config may start from it."""
    built = build_game(cfg, device)
    gen = torch.Generator(device=built.device).manual_seed(cfg.train.seed + 7)
    view, data = probes.snapshot(built.game, gen)
    return built, view, data
