"""What every data set offers the games and probes (Batch, DataSource), the description of a data
set that a checkpoint keeps (DataSpec), and the one registry of data kinds (`data.kind`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from ..config.schema import DATA_KINDS, ConfigError, DataConfig


@dataclass
class Batch:
    x: torch.Tensor
    y: torch.Tensor | None = None


@dataclass(frozen=True)
class DataSpec:
    """What a generator needs to know of its data to be rebuilt: family ("1d", "2d", "image",
    "none"), sample shape, classes, and whether it is a pair of unpaired domains (CycleGAN)."""
    family: str
    shape: tuple[int, ...]
    n_classes: int = 0
    class_names: tuple[str, ...] = field(default_factory=tuple)
    two_domains: bool = False

    def to_dict(self) -> dict:
        return {"family": self.family, "shape": list(self.shape), "n_classes": self.n_classes,
                "class_names": list(self.class_names), "two_domains": self.two_domains}

    @classmethod
    def from_dict(cls, d: dict, source: str = "checkpoint") -> "DataSpec":
        family, shape, n = d.get("family"), d.get("shape"), d.get("n_classes", 0)
        names, two = d.get("class_names", ()), d.get("two_domains", False)
        types_ok = (isinstance(family, str) and isinstance(shape, (list, tuple)) and type(n) is int
                    and all(type(v) is int for v in shape) and isinstance(names, (list, tuple))
                    and all(isinstance(v, str) for v in names) and isinstance(two, bool))
        if not types_ok:   # read strictly: a checkpoint is untrusted input, and tensors do not convert quietly
            raise ConfigError(f"{source}: malformed data description (family, shape, n_classes, class_names, "
                              f"two_domains must be a string, integers, an integer, strings and a flag)")
        spec = cls(family, tuple(shape), n, tuple(names), two)
        dims = {"1d": 1, "2d": 1, "image": 3, "none": None}.get(spec.family, -1)
        ok = (dims is None or len(spec.shape) == dims) and all(0 < v <= 4096 for v in spec.shape) \
            and 0 <= spec.n_classes <= 100_000 and (spec.family != "image" or spec.shape[0] <= 4)
        if dims == -1 or not ok:   # what a generator is rebuilt from: a shape it cannot have is no description
            raise ConfigError(f"{source}: malformed data description (family {spec.family!r}, shape {spec.shape}, "
                              f"{spec.n_classes} classes)")
        return spec


class DataSource:
    """What the trainer and the probes need from a data set."""
    family = "none"          # "1d", "2d", "image", "none"
    n_classes = 0
    shape: tuple[int, ...] = ()
    class_names: list[str] = []
    two_domains = False
    centers: np.ndarray | None = None   # 2D mode centres, for coverage
    mode_std: float = 0.0
    file: str | None = None             # the file its samples were read from (kept with the run)

    def sample(self, n: int, gen: torch.Generator, device: torch.device) -> Batch:
        raise NotImplementedError

    def density(self, x: np.ndarray) -> np.ndarray | None:  # 1D only
        return None

    def spec(self) -> DataSpec:
        return DataSpec(self.family, tuple(self.shape), int(self.n_classes),
                        tuple(self.class_names or ()), bool(self.two_domains))


class SpecOnly(DataSource):
    """A data set known by its description alone: enough to rebuild and run a generator from a
    checkpoint without loading (or even having) the images."""

    def __init__(self, spec: DataSpec, kind: str):
        self.family, self.shape, self.n_classes = spec.family, spec.shape, spec.n_classes
        self.class_names = list(spec.class_names)
        self.two_domains = spec.two_domains
        self.kind = kind

    def sample(self, n, gen, device):
        raise ConfigError(f"data.kind = {self.kind!r}: this model was opened without its data set; "
                          f"open it with its data to draw real samples")


Builder = Callable[[DataConfig, str], DataSource]
KINDS: dict[str, Builder] = {}
FAMILIES: dict[str, str] = {}     # data.kind -> "1d", "2d", "image" or "none", as registered
FAMILY_NAMES = ("1d", "2d", "image", "none")


MODES: set[str] = set()           # data.kind values made of separate modes (a ring, a grid of Gaussians)


def register_kind(*names: str, family: str, modes: bool = False):
    """Decorator: `builder(data_config, source)` makes the data set of these `data.kind` values, all
    of one family ("1d", "2d", "image" or "none": what the GUI, the sweep and the views go by);
    `modes`: the data is a few separate modes, whose coverage an evaluation counts."""
    if family not in FAMILY_NAMES:
        raise ValueError(f"data family {family!r} is not one of {', '.join(FAMILY_NAMES)}")

    def deco(fn: Builder) -> Builder:
        for name in names:
            if name not in DATA_KINDS:
                raise ValueError(f"data kind {name!r} is not in config.schema.DATA_KINDS")
            KINDS[name] = fn
            FAMILIES[name] = family
            if modes:
                MODES.add(name)
        return fn
    return deco


def family_of(kind: str) -> str | None:
    """The family of a data kind, without building its data set; None for a kind with no loader."""
    return FAMILIES.get(kind)


def has_modes(kind: str) -> bool:
    """Whether a data kind is made of separate modes (evaluations count the modes covered); drawn or
    loaded points are one dense cloud, not modes."""
    return kind in MODES


def make_data(d: DataConfig, source: str = "config") -> DataSource:
    """Build the data source a config asks for; a bad combination raises ConfigError."""
    if d.kind not in KINDS:
        raise ConfigError(f"{source}: data.kind = {d.kind!r} has no loader; expected one of "
                          f"{', '.join(sorted(KINDS))}")
    return KINDS[d.kind](d, source)


@register_kind("none", family="none")
def _none(d: DataConfig, source: str) -> DataSource:
    return NoData()


class NoData(DataSource):
    family = "none"

    def sample(self, n, gen, device):
        return Batch(torch.zeros(n, 0, device=device))
