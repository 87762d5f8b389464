"""Typed run configuration: nested dataclasses whose field metadata drives validation and forms.

Standard library only. Every field carries metadata (help text, bounds, choices, log scale, and
whether the trainer may change it while a run is live); `io.py` reads and writes TOML and checks
every value against that metadata. The games' own parameter classes (subclasses of VariantParams)
live beside each game and register here.
"""
from __future__ import annotations

import dataclasses
import importlib.metadata
from dataclasses import dataclass, field
from typing import Any, ClassVar

SCHEMA_VERSION = 1
MAX_COUNT = 100_000_000     # the ceiling of every count (steps, intervals, images): beyond it, a typo


class ConfigError(ValueError):
    """A configuration value, key or file is wrong. The message names file, key and value."""


def fld(default: Any, help: str, *, min: float | None = None, max: float | None = None,
        choices: tuple | None = None, log: bool = False, live: bool = False, step: float | None = None,
        zero: str | None = None, check=None):
    """A dataclass field with the metadata the loader, the CLI and the GUI form use. `zero`: what a
    value of 0 means, in a word or two, for an int field where 0 is special ("all", "never").
    `check(value)`: a further test of a value, returning what is wrong with it or None."""
    meta = {"help": help, "min": min, "max": max, "choices": choices, "log": log, "live": live,
            "step": step, "zero": zero, "check": check}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda d=default: type(d)(d), metadata=meta)
    return field(default=default, metadata=meta)


NAMED_COLOURS = {"white": (255, 255, 255), "black": (0, 0, 0), "grey": (128, 128, 128), "gray": (128, 128, 128)}


def parse_colour(text: str) -> tuple[int, int, int] | None:
    """'white', 'black', 'grey', '#rgb' or '#rrggbb' as (r, g, b) in 0..255; None if it is none of them."""
    t = text.strip().lower() if isinstance(text, str) else ""
    if t in NAMED_COLOURS:
        return NAMED_COLOURS[t]
    if t.startswith("#") and len(t) in (4, 7) and all(c in "0123456789abcdef" for c in t[1:]):
        h = t[1:] if len(t) == 7 else "".join(c * 2 for c in t[1:])
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    return None


def _check_colour(value: str) -> str | None:
    return None if parse_colour(value) else "expected white, black, grey or a colour as #rrggbb"


DATA_KINDS = ("gaussian1d", "mixture1d", "point1d", "points1d", "ring2d", "grid2d", "spiral2d", "moons2d", "points2d",
              "none", "digits", "fashion_mnist", "mnist", "cifar10", "image_folder",
              "digits_domains", "fashion_domains", "folder_pair")


@dataclass
class DataConfig:
    kind: str = fld("ring2d", "Which data set to train on.", choices=DATA_KINDS)
    # 1D
    mean: float = fld(4.0, "Mean of the real 1D Gaussian (for point1d: where all the real data sit).",
                      min=-20, max=20)
    std: float = fld(1.0, "Standard deviation of the real 1D Gaussian.", min=1e-3, max=10)
    means: list[float] = fld([-2.0, 2.0], "Component means of the 1D mixture.")
    stds: list[float] = fld([0.5, 0.5], "Component standard deviations of the 1D mixture.")
    weights: list[float] = fld([0.5, 0.5], "Component weights of the 1D mixture (normalised).")
    # 2D
    n_modes: int = fld(8, "Number of Gaussians on the ring.", min=2, max=64)
    radius: float = fld(2.0, "Ring radius, or half-width of the grid.", min=0.1, max=20)
    mode_std: float = fld(0.02, "Standard deviation of each 2D mode (and of the bump around each point of "
                                "points1d / points2d).", min=1e-3, max=5)
    grid_size: int = fld(5, "Modes per side of the 2D grid.", min=2, max=10)
    noise: float = fld(0.05, "Noise added to spiral and moons points.", min=0.0, max=2)
    points: list[list[float]] = fld([], "User-drawn 2D points (x, y) for kind 'points2d'.")
    file: str = fld("", "Real points from a file for kinds points1d and points2d: CSV with one or two numeric "
                        "columns (a header line allowed) or .npy of shape (N,) or (N, 2). Copied into the run "
                        "directory, so the run can be repeated.")
    # images
    root: str = fld("", "Data directory (torchvision root, image folder, or first domain folder).")
    root_b: str = fld("", "Second domain folder for kind 'folder_pair'.")
    image_size: int = fld(0, "Resize images to this side (0 keeps the native size).", min=0, max=256,
                          zero="native")
    channels: int = fld(0, "Image channels to expect (0 takes them from the data).", min=0, max=4,
                        zero="from data")
    download: bool = fld(False, "Let torchvision download the data set when it is missing.")
    limit: int = fld(0, "Use at most this many training images (0: all).", min=0, max=MAX_COUNT, zero="all")
    background: str = fld("white", "Colour shown through transparent pixels (PNG alpha, GIF transparency), as an "
                          "image viewer shows them: white, black, grey or #rrggbb. Images are trained on as seen "
                          "over it.", check=_check_colour)


MODEL_KINDS = ("shift", "dirac", "mlp", "dcgan", "resnet")


@dataclass
class ModelConfig:
    kind: str = fld("mlp", "Network family of G and D.", choices=MODEL_KINDS)
    latent_dim: int = fld(2, "Dimension of the latent noise z.", min=1, max=1024)
    hidden: int = fld(128, "Hidden width of MLP layers.", min=1, max=4096)
    depth: int = fld(3, "Hidden layers in each MLP.", min=1, max=16)
    theta0: float = fld(3.0, "Initial θ of the shift generator x = z + θ (or of the Dirac generator x = θ).",
                        min=-20, max=20)
    base_channels: int = fld(32, "Channels of the first/last convolution block.", min=4, max=512)
    batchnorm: bool = fld(True, "BatchNorm in G and D (D drops it for WGAN-GP).")
    d_activation: str = fld("leaky", "Activation of a DCGAN discriminator's layers: LeakyReLU(0.2), as the DCGAN "
                            "guidelines say, or plain ReLU.", choices=("leaky", "relu"))
    resample: str = fld("strided", "How a DCGAN changes resolution: strided convolutions in D and transposed ones "
                        "in G, as the DCGAN guidelines say, or pooling: average pooling in D and nearest-neighbour "
                        "upsampling in G around stride-1 convolutions.", choices=("strided", "pool"))
    truncation: float = fld(1.0, "Truncation of z when sampling (1 keeps the prior).", min=0.05, max=3)


AUGMENTS = ("none", "translation", "translation,cutout", "color,translation,cutout")
OPTIM_KINDS = ("adam", "rmsprop", "sgd")


@dataclass
class OptimConfig:
    kind: str = fld("adam", "Optimiser.", choices=OPTIM_KINDS)
    lr: float = fld(2e-4, "Learning rate.", min=1e-7, max=10.0, log=True, live=True)
    beta1: float = fld(0.5, "Adam β1 (momentum).", min=0.0, max=0.999, live=True, step=0.05)
    beta2: float = fld(0.999, "Adam β2.", min=0.0, max=0.9999, live=True, step=0.001)
    alpha: float = fld(0.99, "RMSProp smoothing constant.", min=0.0, max=0.9999)
    momentum: float = fld(0.0, "SGD / RMSProp momentum.", min=0.0, max=0.999, live=True)
    weight_decay: float = fld(0.0, "L2 weight decay.", min=0.0, max=1.0)


@dataclass
class TrainConfig:
    steps: int = fld(2000, "Training iterations (one iteration = the D steps and one G step).",
                     min=1, max=MAX_COUNT, live=True)
    batch_size: int = fld(64, "Real and generated samples per batch.", min=1, max=65536)
    seed: int = fld(0, "Random seed (data, noise and initial weights).", min=0, max=2**31 - 1)
    device: str = fld("auto", "Where to train; auto picks CUDA when present.",
                      choices=("auto", "cpu", "cuda"))
    amp: bool = fld(True, "bf16 autocast on CUDA (ignored on CPU).")
    channels_last: bool = fld(True, "channels_last memory format for image models.")
    threads: int = fld(0, "CPU threads for torch (0: one for the toy problems, whose tiny matrices only "
                          "lose time to thread hand-offs; every core for image models).", min=0, max=512,
                      zero="auto")
    augment: str = fld("none", "DiffAugment (Zhao et al. 2020): the same random colour, translation and cutout "
                       "applied to real and generated images wherever D sees them, so that D cannot memorise a "
                       "small collection. For image data; helps most below a few thousand images.",
                       choices=AUGMENTS)
    pace: int = fld(0, "Iterations per second the studio opens this run at, so that the game can be "
                       "watched (0: full speed). Studio only: the headless CLI always trains at full "
                       "speed; the toolbar's speed control changes it while training.", min=0, max=100_000,
                    zero="full speed")


@dataclass
class CheckpointConfig:
    every: int = fld(1000, "Save a checkpoint every N iterations (0: only at the end).", min=0, max=MAX_COUNT,
                     zero="at end only")
    keep_last: int = fld(3, "Keep the newest K periodic checkpoints (0 keeps all).", min=0, max=1000,
                         zero="all")
    keep_best: str = fld("", "Also keep the checkpoint with the best value of this metric (lower, higher or "
                             "closest to 1, as the metric means: quality.catalogue).")
    at_end: bool = fld(True, "Save a checkpoint when training ends or is stopped.")


@dataclass
class LogConfig:
    snapshot_every: int = fld(50, "Emit a view snapshot (decision plot, sample grid) every N iterations.",
                              min=1, max=MAX_COUNT)
    grid_every: int = fld(500, "Write a PNG sample grid to the run directory every N iterations "
                              "(0: never).", min=0, max=MAX_COUNT, zero="never")
    grad_norm_every: int = fld(10, "Measure gradient norms every N iterations.", min=1, max=MAX_COUNT)
    flush_every: int = fld(50, "Flush metrics.jsonl every N iterations.", min=1, max=MAX_COUNT)
    tensorboard: bool = fld(True, "Also write TensorBoard scalars when tensorboard is installed.")
    grid_samples: int = fld(64, "Images in the fixed-noise sample grid.", min=1, max=1024)
    histogram_every: int = fld(1000, "Write TensorBoard histograms of every weight and gradient every N "
                               "iterations (0: never).", min=0, max=MAX_COUNT, zero="never")


@dataclass
class EvalConfig:
    every: int = fld(500, "Evaluate quality metrics every N iterations (0: never during training).", min=0, max=MAX_COUNT,
                     zero="never")
    n_samples: int = fld(1000, "Generated samples per evaluation.", min=16, max=100_000)
    pr_k: int = fld(3, "k of the k-nearest-neighbour manifolds of precision and recall.", min=1, max=50)
    kid_subsets: int = fld(10, "Random subsets averaged for KID (and its standard error).", min=2, max=1000)
    inception: bool = fld(False, "Also compute Inception FID (needs torchvision's Inception-v3 weights "
                          "in the torch hub cache; never downloaded).")
    diagnostics: bool = fld(True, "Watch the metrics for mode collapse, an overpowering discriminator, "
                            "vanishing gradients, oscillation and divergence, and warn.")


# ---------------------------------------------------------------------------------------- variants
@dataclass
class VariantParams:
    """Base of each game's parameters. Every game declares its own subclass beside its code
    (studio/games/) and registers it under its name; the loader looks the name up here."""
    uses_model: ClassVar[bool] = True     # False: the game has no networks, the [model] section does nothing
    name: str = fld("gan", "GAN variant.")


VARIANT_PARAMS: dict[str, type[VariantParams]] = {}


def register_params(name: str, cls: type[VariantParams]) -> None:
    """Called once per game, by the games' registration (studio.games.base.register)."""
    if VARIANT_PARAMS.get(name, cls) is not cls:
        raise ValueError(f"variant {name!r} is registered twice")
    VARIANT_PARAMS[name] = cls


GAMES_ENTRY_POINTS = "gan_studio.games"   # packages that register games (pyproject.toml names ours)


def discover_games() -> None:
    """Import every package that declares games under the entry-point group GAMES_ENTRY_POINTS
    (studio.games, and any plugin); each registers its parameter classes here on import. This is how
    the config layer knows the games without importing them."""
    for ep in importlib.metadata.entry_points(group=GAMES_ENTRY_POINTS):
        ep.load()


def variant_params(name, source: str = "config") -> VariantParams:
    """Fresh default parameters of the variant called `name`."""
    if isinstance(name, str) and name not in VARIANT_PARAMS:
        discover_games()
    if not isinstance(name, str) or name not in VARIANT_PARAMS:
        known = ", ".join(sorted(VARIANT_PARAMS)) or "none (no package declares gan_studio.games)"
        raise ConfigError(f"{source}: variant.name: unknown variant {name!r}; expected one of {known}")
    return VARIANT_PARAMS[name]()


def _default_variant() -> VariantParams:
    return variant_params("gan", "default config")


@dataclass
class Config:
    source: ClassVar[str] = "config"   # where it was read from; set per instance by the loader
    schema_version: int = fld(SCHEMA_VERSION, "Preset schema version.", min=1, max=SCHEMA_VERSION)
    title: str = fld("", "Short title shown in preset lists.")
    description: str = fld("", "One or two sentences on what the preset shows.")
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    variant: VariantParams = field(default_factory=_default_variant)
    optim_d: OptimConfig = field(default_factory=OptimConfig)
    optim_g: OptimConfig = field(default_factory=OptimConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    checkpoint: CheckpointConfig = field(default_factory=CheckpointConfig)
    log: LogConfig = field(default_factory=LogConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)


SECTIONS = ("data", "model", "variant", "optim_d", "optim_g", "train", "checkpoint", "log", "eval")


def field_meta(cfg: Config, dotted: str) -> dataclasses.Field:
    """The dataclass field behind 'section.key' (raises ConfigError when unknown)."""
    section, _, key = dotted.partition(".")
    if section not in SECTIONS or not key:
        raise ConfigError(f"unknown setting '{dotted}': expected section.key with section one of "
                          f"{', '.join(SECTIONS)}")
    obj = getattr(cfg, section)
    for f in dataclasses.fields(obj):
        if f.name == key:
            return f
    names = ", ".join(f.name for f in dataclasses.fields(obj))
    raise ConfigError(f"unknown setting '{dotted}': section [{section}] has {names}")


def live_keys(cfg: Config) -> list[str]:
    """Dotted keys the trainer can change while a run is live (the one list the trainer, the CLI
    and the form share: a field is live when its metadata says so)."""
    out = []
    for section in SECTIONS:
        for f in dataclasses.fields(getattr(cfg, section)):
            if f.metadata.get("live"):
                out.append(f"{section}.{f.name}")
    return out


def check_live(cfg: Config, key: str) -> None:
    """Raise ConfigError unless `key` may change while a run is live."""
    if not field_meta(cfg, key).metadata.get("live"):
        raise ConfigError(f"{key} cannot change while a run is live (only {', '.join(live_keys(cfg))})")


def to_dict(cfg: Config) -> dict:
    """Plain nested dict (ints, floats, strings, bools, lists) of a config."""
    return dataclasses.asdict(cfg)
