"""The Variant base class and its registry. A variant owns its networks, optimisers and D/G steps;
the trainer owns the device, seeding, schedule, checkpoints and logging."""
from __future__ import annotations

import torch
from torch import nn

from ...config import Config, ConfigError, OptimConfig, VariantParams, register_params
from ..data import Batch, DataSource

REGISTRY: dict[str, type["Variant"]] = {}


def register(name: str):
    """Class decorator: make a variant available under `variant.name = name`."""
    def deco(cls):
        cls.name = name
        REGISTRY[name] = cls
        register_params(name, cls.Params)
        return cls
    return deco


def make_optimizer(params, o: OptimConfig) -> torch.optim.Optimizer:
    if o.kind == "adam":
        return torch.optim.Adam(params, lr=o.lr, betas=(o.beta1, o.beta2), weight_decay=o.weight_decay)
    if o.kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=o.lr, alpha=o.alpha, momentum=o.momentum,
                                   weight_decay=o.weight_decay)
    return torch.optim.SGD(params, lr=o.lr, momentum=o.momentum, weight_decay=o.weight_decay)


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


class Variant:
    """One GAN variant. Subclasses set `Params` and implement `d_step` and `g_step`."""
    Params: type[VariantParams] = VariantParams
    name = "base"
    output = "prob"          # what D's raw output means for the views: "prob" (a logit) or "critic"
    conditional = False
    fixed_z: torch.Tensor | None = None     # the fixed noise of sample grids, set by the trainer
    fixed_y: torch.Tensor | None = None

    def __init__(self, cfg: Config, data: DataSource, device: torch.device, gen: torch.Generator):
        if not isinstance(cfg.variant, self.Params):
            raise ConfigError(f"variant {self.name!r} needs {self.Params.__name__} parameters")
        self.cfg, self.data, self.device, self.gen = cfg, data, device, gen
        self.measure = False      # set by the trainer on steps that record gradient norms
        self.world_size = 1       # > 1 under torchrun: gradients are averaged across ranks
        self.norms: dict[str, torch.Tensor] = {}
        self.build()

    # ------------------------------------------------------------------ construction
    def build(self) -> None:
        from ..models import build_nets
        self.G, self.D = build_nets(self.cfg, self.data, self)
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

    def extra_state(self) -> dict:
        return {}

    def thumbnail(self):
        """A uint8 (H, W, 3) grid of G(fixed_z[, fixed_y]) for image data; None for other data."""
        if self.data.family != "image" or self.fixed_z is None:
            return None
        from ..image_probes import generated_grid
        return generated_grid(self)

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
        return fake, y_fake, self.d_pass(batch.x, batch.y), self.d_pass(fake, y_fake)

    def iteration(self) -> dict[str, torch.Tensor]:
        """k discriminator updates on fresh real batches, then one generator update."""
        out: dict[str, torch.Tensor] = {}
        for _ in range(self.d_steps()):
            out.update(self.d_step(self.real()))
        out.update(self.g_step())
        return out

    def update(self, opt: torch.optim.Optimizer, loss: torch.Tensor, module: nn.Module, key: str) -> None:
        """Zero, backward, optionally record the gradient norm, step."""
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.world_size > 1:
            from ..distributed import average_gradients
            average_gradients(module, self.world_size)
        if self.measure:
            self.norms[key] = grad_norm(module)
        opt.step()
