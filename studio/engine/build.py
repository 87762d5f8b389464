"""The game a configuration starts with: its data set and its networks at their initial weights, built
once. The studio's preview builds it to draw the first picture, and Train hands that same build to the
Trainer when the configuration is unchanged, so the data set is not decoded twice.

A build depends on `train.seed` alone. Network initialisation draws from torch's global generator
(nn.Module defaults, DCGAN's N(0, 0.02)); a build seeds that generator inside `fork_rng` and restores
it, and holds `RNG_LOCK` while it does, so two builds on two threads (a preview and a Trainer) never
see each other's draws. The global state a run goes on from is kept in the build (`rng`), and the
Trainer sets it (`continue_from`), so a run from a reused build is the run the CLI makes.
"""
from __future__ import annotations

import copy
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch

from ..config.schema import Config, ConfigError
from ..data import DataSource, make_data
from ..data.folder import reporting
from ..games import Variant, game_class

RNG_LOCK = threading.RLock()     # torch's global generator is one per process: one seeder at a time
RANK_STRIDE = 1_000_003          # the training generator of rank r: seed + RANK_STRIDE * r


class Cancelled(Exception):
    """A build given up half-way (the studio closes while the data set loads): nothing was kept."""


@contextmanager
def cancellable(flag: threading.Event):
    """While the block runs, data loading on this thread stops with Cancelled soon after `flag` is set:
    a folder's decoding checks it whenever it reports progress (every batch of files), and so does the
    build between loading the data and making the networks. Other threads' loads are not affected."""
    me = threading.get_ident()

    def check(done: int = 0, total: int = 0) -> None:
        if flag.is_set() and threading.get_ident() == me:
            raise Cancelled("cancelled while loading the data set")

    check()
    before = getattr(_CANCEL, "check", None)
    _CANCEL.check = check
    try:
        with reporting(progress=check):
            yield check
    finally:
        _CANCEL.check = before


_CANCEL = threading.local()       # the `cancellable` check of the build running on this thread


def _cancel_point() -> None:
    check = getattr(_CANCEL, "check", None)
    if check is not None:
        check()


@dataclass(eq=False)
class Built:
    """A game at its start, for `cfg` (a private copy the game reads) on `device`. One run may take it
    (`claim`): training changes the game."""
    cfg: Config
    data: DataSource
    game: Variant
    gen: torch.Generator         # the training generator the game draws from
    device: torch.device
    rank: int
    rng: dict                    # torch's global generator states right after the build
    _claimed: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fits(self, cfg: Config, device: torch.device, rank: int = 0) -> bool:
        """Whether a run of `cfg` (compared by value, and its source) on `device` starts from this."""
        return (not self._claimed and self.cfg == cfg and torch.device(device) == self.device
                and rank == self.rank and getattr(self.cfg, "source", None) == getattr(cfg, "source", None))

    def claim(self) -> bool:
        """Take the build for one run; False when a run already took it."""
        with self._lock:
            if self._claimed:
                return False
            self._claimed = True
            return True


def build_game(cfg: Config, device: str | torch.device = "cpu", *, rank: int = 0) -> Built:
    """The data set and the game a run of `cfg` starts with; bad settings raise ConfigError naming the
    configuration's file. Torch's global random state is as it was when this returns."""
    cfg = copy.deepcopy(cfg)
    dev = torch.device(device)
    where = getattr(cfg, "source", "config")
    seed = cfg.train.seed
    data = make_data(cfg.data, where)           # draws nothing from torch's global generator
    _cancel_point()                             # the studio closed while the data loaded
    forked = [dev.index or 0] if dev.type == "cuda" else []
    with RNG_LOCK, torch.random.fork_rng(devices=forked):
        torch.manual_seed(seed)
        gen = torch.Generator(device=dev).manual_seed(seed + RANK_STRIDE * rank)
        try:
            game = game_class(cfg.variant.name)(cfg, data, dev, gen)
        except ConfigError as e:   # two settings that do not fit together: name the file they came from
            raise ConfigError(str(e) if str(e).startswith(where) else f"{where}: {e}") from None
        rng = {"torch": torch.get_rng_state()}
        if dev.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(dev)
    return Built(cfg, data, game, gen, dev, rank, rng)


def continue_from(built: Built) -> None:
    """Set torch's global generator as a run of this build goes on from (what seeding it and building
    would have left): a Trainer does this, a preview never."""
    with RNG_LOCK:
        torch.set_rng_state(built.rng["torch"])
        if "cuda" in built.rng:
            torch.cuda.set_rng_state(built.rng["cuda"], built.device)
