"""Vanilla GAN (seed 004, Algorithm 1): k discriminator steps per generator step, switchable
generator loss (non-saturating, minimax, least squares, hinge)."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..config.schema import VariantParams, fld
from . import losses
from .base import Variant, register


@dataclass
class GanParams(VariantParams):
    name: str = fld("gan", "GAN variant.")
    k: int = fld(1, "Discriminator steps per generator step (Algorithm 1).", min=1, max=100, live=True)
    g_loss: str = fld("nonsaturating", "Generator loss: -log D(G(z)) (non-saturating), "
                      "log(1 - D(G(z))) (minimax), least squares or hinge.", choices=losses.G_LOSSES, live=True)
    d_loss: str = fld("bce", "Discriminator loss.", choices=losses.D_LOSSES)
    r1_weight: float = fld(0.0, "R1 penalty on D's gradient at real data (0: off).", min=0.0, max=1000,
                           live=True)


class ChosenLosses(Variant):
    """A discriminator trained with the loss the parameters choose (d_loss, g_loss): its output reads
    as a probability for the logistic loss and as a critic value otherwise."""

    @property
    def output(self):
        return "prob" if self.p.d_loss == "bce" else "critic"

    def d_steps(self) -> int:
        return self.p.k

    def _read(self, out: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(out).mean() if self.p.d_loss == "bce" else out.mean()

    def d_penalty(self, batch) -> torch.Tensor | None:
        return None

    def d_step(self, batch):
        _, _, real_out, fake_out = self.d_outputs(batch)
        loss = losses.d_loss(self.p.d_loss, real_out, fake_out)
        penalty = self.d_penalty(batch)
        if penalty is not None:
            loss = loss + penalty
        self.update(self.opt_d, loss, self.D, "gn_d")
        return {"loss_d": loss.detach(), "d_real": self._read(real_out.detach()),
                "d_fake": self._read(fake_out.detach())}

    def generator_loss(self, out):
        return losses.g_loss(self.p.g_loss, out)


@register("gan")
class Gan(ChosenLosses):
    Params = GanParams

    def d_penalty(self, batch):
        if self.p.r1_weight > 0:
            return self.p.r1_weight * losses.r1_penalty(self.D, batch.x)
        return None

    def g_step(self):
        self.D.requires_grad_(False)
        loss = self.generator_loss(self.D(self.G(self.z(self.cfg.train.batch_size))))
        self.update(self.opt_g, loss, self.G, "gn_g")
        self.D.requires_grad_(True)
        return {"loss_g": loss.detach(), **(self.dirac_state() or {})}   # θ and D's slope: the 1D game
