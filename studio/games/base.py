"""The Variant base class and its registry. A game owns its networks, optimisers and D/G steps, and
declares what it offers (which view draws it, whether it makes samples, has a latent space, classes
or a translation, how its critic is watched); the rest of the studio asks it instead of testing its
name. The trainer owns the device, seeding, the schedule, checkpoints and logging."""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..config.schema import Config, ConfigError, OptimConfig, VariantParams, register_params
from ..data.base import Batch, DataSource
from ..nets.build import build_nets
from ..nets.toy import DiracGenerator, LogisticDiscriminator, ShiftGenerator
from .augment import diff_augment

REGISTRY: dict[str, type["Variant"]] = {}


def register(name: str):
    """Class decorator: make a game available under `variant.name = name`, with its Params."""
    def deco(cls):
        cls.name = name
        REGISTRY[name] = cls
        register_params(name, cls.Params)
        return cls
    return deco


def game_class(name: str) -> type["Variant"]:
    if name not in REGISTRY:
        raise ConfigError(f"variant.name: unknown variant {name!r}; expected one of {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]


def make_optimizer(params, o: OptimConfig) -> torch.optim.Optimizer:
    if o.kind == "adam":
        return torch.optim.Adam(params, lr=o.lr, betas=(o.beta1, o.beta2), weight_decay=o.weight_decay)
    if o.kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=o.lr, alpha=o.alpha, momentum=o.momentum,
                                   weight_decay=o.weight_decay)
    return torch.optim.SGD(params, lr=o.lr, momentum=o.momentum, weight_decay=o.weight_decay)


def _like(saved, now) -> bool:
    """Whether a saved optimiser hyperparameter is the same kind of value as the live one."""
    if isinstance(now, bool) or now is None:
        return isinstance(saved, bool) or saved is None
    if isinstance(now, (int, float)):
        return isinstance(saved, (int, float)) and not isinstance(saved, bool)
    if isinstance(now, (tuple, list)):
        return isinstance(saved, (tuple, list)) and len(saved) == len(now) and all(map(_like, saved, now))
    return isinstance(saved, type(now))


def load_optimizer(opt: torch.optim.Optimizer, sd: dict, name: str) -> None:
    """Load a saved optimiser state, then check it has this optimiser's layout: torch checks only the
    parameter counts, and a hyperparameter of the wrong kind or a buffer of the wrong shape would
    otherwise fail at the next step, far from the file it came from. Raises ValueError."""
    before = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    opt.load_state_dict(sd)
    for i, (was, g) in enumerate(zip(before, opt.param_groups)):
        for k, v in was.items():
            if k not in g or not _like(g[k], v):
                raise ValueError(f"optimizer {name}: parameter group {i} has {k} = {g.get(k)!r:.60} "
                                 f"(expected a value like {v!r})")
    probe = torch.zeros(1, requires_grad=True)   # what one step of this optimiser keeps per parameter
    probe.grad = torch.zeros(1)
    ref = type(opt)([probe], **before[0])
    ref.step()
    want = ref.state[probe]
    for g in opt.param_groups:
        for p in g["params"]:
            have = opt.state.get(p)
            if not have:
                continue
            for k, v in want.items():
                got = have.get(k)
                ok = (got is None or (isinstance(got, torch.Tensor) and got.shape == p.shape)) if v is None else (
                    isinstance(got, torch.Tensor) and (got.shape == p.shape if v.dim() else got.numel() == 1)
                    or (k == "step" and isinstance(got, (int, float)) and not isinstance(got, bool)))
                if not ok:
                    shown = f"shape {tuple(got.shape)}" if isinstance(got, torch.Tensor) else repr(got)[:40]
                    raise ValueError(f"optimizer {name}: state '{k}' of a parameter of shape {tuple(p.shape)} "
                                     f"is {shown}")


def apply_optim(opt: torch.optim.Optimizer, o: OptimConfig) -> None:
    """Push the live optimiser settings of a config into an existing optimiser."""
    for g in opt.param_groups:
        g["lr"] = o.lr
        if "betas" in g:
            g["betas"] = (o.beta1, o.beta2)
        if "momentum" in g:
            g["momentum"] = o.momentum


def grad_norm(module: nn.Module) -> torch.Tensor:
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


@contextmanager
def eval_mode(*modules: nn.Module):
    """Modules in eval mode (BatchNorm on its running statistics) for the block, then as they were."""
    was = [m.training for m in modules]
    try:
        for m in modules:
            m.eval()
        yield
    finally:
        for m, t in zip(modules, was):
            m.train(t)


VIEWS = {"1d": "1d", "2d": "2d", "image": "image", "none": "none"}


class Variant:
    """One GAN game. Subclasses set `Params` and implement `d_step`, `g_step` and `generator_loss`."""
    Params: type[VariantParams] = VariantParams
    name = "base"
    output = "prob"          # what D's raw output means for the views: "prob" (a logit), "critic", "none"
    conditional = False      # G and D take a class label
    aux_classes = False      # D predicts the class (ACGAN) instead of taking it
    penalised = False        # D has a per-sample gradient penalty (no BatchNorm in an image critic)
    translates = False       # image-to-image (CycleGAN): no noise to sample from
    makes_samples = True     # G's outputs are samples of the data (the saddle's "G" is one number)
    watches_critic = False   # evaluations report the critic's health (WGAN family)
    own_view: str | None = None   # a view of its own ("saddle", "cyclegan"); else the data's family

    def __init__(self, cfg: Config, data: DataSource, device: torch.device, gen: torch.Generator):
        if not isinstance(cfg.variant, self.Params):
            raise ConfigError(f"variant {self.name!r} needs {self.Params.__name__} parameters")
        self.cfg, self.data, self.device, self.gen = cfg, data, device, gen
        self.measure = False      # set by the trainer on steps that record gradient norms
        self.sync_grads: Callable[[nn.Module], None] | None = None   # set under torchrun
        self.norms: dict[str, torch.Tensor] = {}
        self.build()
        # the fixed noise (and labels) of sample grids: from their own generator, so they are the
        # same for every run of this seed and never touch training's random streams
        fixed = torch.Generator().manual_seed(cfg.train.seed + 99)
        n = cfg.log.grid_samples
        self.fixed_z = torch.randn(n, cfg.model.latent_dim, generator=fixed).to(device)
        self.fixed_y = self.sample_labels_fixed(n) if self.conditional else None

    # ------------------------------------------------------------------ construction
    def build(self) -> None:
        self.G, self.D = build_nets(self.cfg, self.data, self.device, conditional=self.conditional,
                                    aux_classes=self.aux_classes, penalised=self.penalised)
        self.G.to(self.device)
        self.D.to(self.device)
        self.opt_g = make_optimizer(self.G.parameters(), self.cfg.optim_g)
        self.opt_d = make_optimizer(self.D.parameters(), self.cfg.optim_d)

    @property
    def p(self):
        return self.cfg.variant

    def modules(self) -> dict[str, nn.Module]:
        return {"G": self.G, "D": self.D}

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"G": self.opt_g, "D": self.opt_d}

    def apply_live(self) -> None:
        """Called after a live hyperparameter change: re-read the config."""
        apply_optim(self.opt_g, self.cfg.optim_g)
        apply_optim(self.opt_d, self.cfg.optim_d)

    # ------------------------------------------------------------------ what the game offers
    @property
    def view(self) -> str:
        """The view that draws this game: "1d", "2d", "image", "saddle", "cyclegan" or "none"."""
        return self.own_view or VIEWS.get(self.data.family, "none")

    @property
    def has_latent(self) -> bool:
        """Whether G maps a latent space the explorer can walk."""
        return self.makes_samples and not self.translates and self.data.family in ("1d", "2d", "image")

    @property
    def n_classes(self) -> int:
        return int(self.data.n_classes) if self.conditional else 0

    @property
    def class_names(self) -> list[str]:
        names = list(getattr(self.data, "class_names", None) or [])
        return names if len(names) == self.n_classes else [str(i) for i in range(self.n_classes)]

    def weight_clip(self) -> float | None:
        """The critic's weight-clipping bound, for games that clip."""
        return None

    def dirac_state(self) -> dict[str, torch.Tensor] | None:
        """θ of the shift (x = z + θ) or Dirac (x = θ) generator and the slope of its logistic D (the
        Dirac-GAN pair), or None for other networks."""
        if isinstance(self.G, (ShiftGenerator, DiracGenerator)) and isinstance(self.D, LogisticDiscriminator):
            return {"theta": self.G.theta.detach()[0].clone(), "d_slope": self.D.linear.weight.detach()[0, 0].clone()}
        return None

    def generated_density(self, xs: np.ndarray) -> np.ndarray | None:
        """G's density at xs where it is known exactly (the shift generator: z + θ with z ~ N(0, 1))."""
        if not isinstance(self.G, ShiftGenerator):
            return None
        t = float(self.G.theta.detach()[0])
        with np.errstate(over="ignore", under="ignore"):   # a diverged θ gives zeros, not warnings
            return np.exp(-0.5 * (xs - t) ** 2) / math.sqrt(2 * math.pi)

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict:
        return {"modules": {k: m.state_dict() for k, m in self.modules().items()},
                "optimizers": {k: o.state_dict() for k, o in self.optimizers().items()},
                "fixed": {"z": self.fixed_z.cpu(), "y": None if self.fixed_y is None else self.fixed_y.cpu()},
                "extra": self.extra_state()}

    def load_state(self, st: dict, optimizers: bool = True) -> None:
        """Weights (and optimiser states), fixed noise and the game's extra state from a checkpoint;
        a state that does not fit raises ValueError with the reason on one line."""
        try:
            for k, m in self.modules().items():
                m.load_state_dict(st["modules"][k])
            if optimizers:
                for k, o in self.optimizers().items():
                    load_optimizer(o, st["optimizers"][k], k)
            fixed = st.get("fixed") or {}
            z = fixed.get("z") if fixed.get("z") is not None else self.fixed_z
            y = fixed.get("y") if fixed.get("y") is not None else self.fixed_y
            if z.dim() != 2 or z.shape[1] != self.cfg.model.latent_dim:
                raise ValueError(f"fixed.z has shape {tuple(z.shape)}, not (N, {self.cfg.model.latent_dim})")
            if self.conditional and (y.dim() != 1 or len(y) != len(z) or (len(y) and not 0 <= int(y.min())
                                                                           <= int(y.max()) < self.n_classes)):
                raise ValueError(f"fixed.y is not one label in 0..{self.n_classes - 1} per row of fixed.z")
            self.load_extra_state(st.get("extra") or {})
        except (KeyError, TypeError, RuntimeError, ValueError, AttributeError, IndexError) as e:
            raise ValueError(f"{type(e).__name__}: {' '.join(str(e).split())[:200]}") from None
        self.apply_live()
        self.fixed_z = z.to(self.device)
        if self.conditional:
            self.fixed_y = y.to(self.device)

    def extra_state(self) -> dict:
        return {}

    def load_extra_state(self, state: dict) -> None:
        pass

    # ------------------------------------------------------------------ sampling helpers
    def z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.cfg.model.latent_dim, generator=self.gen, device=self.device)

    def real(self) -> Batch:
        return self.data.sample(self.cfg.train.batch_size, self.gen, self.device)

    def generate(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.G(z)

    def disc(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.D(x)

    def sample_labels(self, n: int) -> torch.Tensor | None:
        """Random class labels for conditional variants (None for unconditional ones)."""
        return None

    def sample_labels_fixed(self, n: int) -> torch.Tensor:
        """The labels of the fixed sample grid: every class in turn."""
        return torch.arange(n, device=self.device) % max(self.data.n_classes, 1)

    # ------------------------------------------------------------------ the game
    def d_steps(self) -> int:
        return 1

    def d_step(self, batch: Batch) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def g_step(self) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def generator_loss(self, out: torch.Tensor) -> torch.Tensor:
        """G's loss on D's raw outputs for generated samples (the probes draw its gradient)."""
        raise NotImplementedError

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        """x through DiffAugment (train.augment) for image games that sample; else x itself. Used on
        real and generated images wherever D sees them in training (D's step and G's)."""
        policy = self.cfg.train.augment
        if policy == "none" or x.dim() != 4 or self.translates or not self.makes_samples:
            return x
        return diff_augment(x, policy, self.gen)

    def d_pass(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """D's full raw output in a discriminator update (a conditional D also takes the label)."""
        return self.D(x)

    def d_outputs(self, batch: Batch):
        """(fake, fake labels, D(real), D(fake)) for a discriminator update: as many generated
        samples as real ones (with random labels for conditional variants, else None), drawn without
        building G's graph; separate real and fake passes (the BatchNorm hack)."""
        n = batch.x.shape[0]
        y_fake = self.sample_labels(n)
        with torch.no_grad():
            fake = self.G(self.z(n)) if y_fake is None else self.G(self.z(n), y_fake)
        self.D.requires_grad_(True)
        return fake, y_fake, self.d_pass(self.augment(batch.x), batch.y), self.d_pass(self.augment(fake), y_fake)

    def iteration(self) -> dict[str, torch.Tensor]:
        """k discriminator updates on fresh real batches, then one generator update."""
        out: dict[str, torch.Tensor] = {}
        for _ in range(self.d_steps()):
            out.update(self.d_step(self.real()))
        out.update(self.g_step())
        return out

    def update(self, opt: torch.optim.Optimizer, loss: torch.Tensor, module: nn.Module, key: str) -> None:
        """Zero, backward, average gradients across processes (torchrun), optionally record the
        gradient norm, step."""
        self.update_together([(opt, loss, module, key)])

    def update_together(self, updates: list[tuple]) -> None:
        """`update` for several (optimiser, loss, module, norm key) at once: every gradient is taken
        before any step (simultaneous gradient play)."""
        for opt, loss, module, key in updates:
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if self.sync_grads is not None:
                self.sync_grads(module)
            if self.measure:
                self.norms[key] = grad_norm(module)
        for opt, *_ in updates:
            opt.step()
