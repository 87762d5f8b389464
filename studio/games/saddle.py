"""The minimax saddle of seed 000: two scalars, θ maximises and φ minimises L(θ, φ).

Not a network: the quadratic L = -θ² + φ² converges under gradient steps, the bilinear L = θ·φ
spirals outwards under simultaneous steps and stays bounded under alternating ones."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from ..config.schema import ConfigError, VariantParams, fld
from .base import Variant, make_optimizer, register


@dataclass
class SaddleParams(VariantParams):
    uses_model: ClassVar[bool] = False    # two scalars, no networks
    name: str = fld("saddle", "GAN variant.")
    game: str = fld("quadratic", "L(θ, φ): quadratic -θ² + φ² or bilinear θ·φ.",
                    choices=("quadratic", "bilinear"))
    mode: str = fld("simultaneous", "Update both players at once or one after the other.",
                    choices=("simultaneous", "alternating"), live=True)
    theta0: float = fld(1.0, "Initial θ (the maximising player, 'generator').", min=-100, max=100)
    phi0: float = fld(1.0, "Initial φ (the minimising player, 'discriminator').", min=-100, max=100)


class _Scalar(nn.Module):
    def __init__(self, value: float):
        super().__init__()
        self.value = nn.Parameter(torch.tensor(float(value)))


def game_value(game: str, theta, phi):
    return theta * phi if game == "bilinear" else -theta ** 2 + phi ** 2


@register("saddle")
class Saddle(Variant):
    Params = SaddleParams
    output = "none"
    makes_samples = False
    own_view = "saddle"

    def build(self) -> None:
        if self.data.family != "none":
            raise ConfigError(f"variant 'saddle' is a game of two numbers and uses no data: set data.kind = "
                              f"'none' (got data.kind = {self.cfg.data.kind!r})")
        self.G = _Scalar(self.p.theta0).to(self.device)   # θ, the maximiser
        self.D = _Scalar(self.p.phi0).to(self.device)     # φ, the minimiser
        self.opt_g = make_optimizer(self.G.parameters(), self.cfg.optim_g)
        self.opt_d = make_optimizer(self.D.parameters(), self.cfg.optim_d)
        self.history: list[tuple[float, float]] = [(self.p.theta0, self.p.phi0)]

    def value(self) -> torch.Tensor:
        return game_value(self.p.game, self.G.value, self.D.value)

    def _metrics(self) -> dict[str, torch.Tensor]:
        t, f = self.G.value.detach().clone(), self.D.value.detach().clone()
        self.history.append((float(t), float(f)))
        return {"theta": t, "phi": f, "L": game_value(self.p.game, t, f),
                "radius": torch.sqrt(t * t + f * f)}

    def d_step(self, batch=None):
        loss = self.value()
        self.update(self.opt_d, loss, self.D, "gn_d")
        return {"loss_d": loss.detach(), **self._metrics()}

    def g_step(self):
        loss = -self.value()
        self.update(self.opt_g, loss, self.G, "gn_g")
        return {"loss_g": loss.detach(), **self._metrics()}

    def iteration(self):
        if self.p.mode == "alternating":
            out = self.d_step()
            out.update(self.g_step())
            return out
        # simultaneous: both gradients at the same point, then both updates
        self.opt_g.zero_grad(set_to_none=True)
        self.opt_d.zero_grad(set_to_none=True)
        L = self.value()
        gt, gf = torch.autograd.grad(L, [self.G.value, self.D.value])
        self.G.value.grad = -gt
        self.D.value.grad = gf
        if self.measure:
            self.norms = {"gn_g": gt.abs(), "gn_d": gf.abs()}
        self.opt_g.step()
        self.opt_d.step()
        return {"loss_d": L.detach(), "loss_g": -L.detach(), **self._metrics()}

    def vector_field(self, lim: float, n: int = 21) -> dict[str, np.ndarray]:
        """The direction of the gradient play (ascent in θ, descent in φ) on an n x n grid."""
        v = np.linspace(-lim, lim, n)
        T, F = np.meshgrid(v, v, indexing="xy")
        if self.p.game == "bilinear":
            dT, dF = F, -T
        else:
            dT, dF = -2 * T, -2 * F
        return {"theta": T, "phi": F, "d_theta": dT, "d_phi": dF}

    def extra_state(self) -> dict:
        return {"history": torch.tensor(self.history, dtype=torch.float64)}

    def load_extra_state(self, state: dict) -> None:
        h = state.get("history")
        if h is not None:
            if h.dim() != 2 or h.shape[1] != 2:
                raise ValueError(f"extra.history has shape {tuple(h.shape)}, not (N, 2)")
            self.history = [tuple(r) for r in h.tolist()]
