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
    updates: str = fld("alternating", "Alternating: G steps against the D just updated. Simultaneous: G's "
                       "and D's last step both start from the same point (gradient play, as in the saddle).",
                       choices=("alternating", "simultaneous"), live=True)


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

    def d_loss(self, batch) -> tuple[torch.Tensor, dict]:
        _, _, real_out, fake_out = self.d_outputs(batch)
        loss = losses.d_loss(self.p.d_loss, real_out, fake_out)
        penalty = self.d_penalty(batch)
        if penalty is not None:
            loss = loss + penalty
        return loss, {"loss_d": loss.detach(), "d_real": self._read(real_out.detach()),
                      "d_fake": self._read(fake_out.detach())}

    def d_step(self, batch):
        loss, out = self.d_loss(batch)
        self.update(self.opt_d, loss, self.D, "gn_d")
        return out

    def generator_loss(self, out):
        return losses.g_loss(self.p.g_loss, out)


@register("gan")
class Gan(ChosenLosses):
    Params = GanParams

    def d_penalty(self, batch):
        if self.p.r1_weight > 0:
            return self.p.r1_weight * losses.r1_penalty(self.D, batch.x)
        return None

    def g_loss(self) -> torch.Tensor:
        self.D.requires_grad_(False)
        loss = self.generator_loss(self.D(self.augment(self.G(self.z(self.cfg.train.batch_size)))))
        self.D.requires_grad_(True)
        return loss

    def g_step(self):
        loss = self.g_loss()
        self.update(self.opt_g, loss, self.G, "gn_g")
        return {"loss_g": loss.detach(), **(self.dirac_state() or {})}   # θ and D's slope: the 1D game

    def iteration(self):
        if self.p.updates == "alternating":
            return super().iteration()
        out: dict = {}
        for _ in range(self.d_steps() - 1):
            out.update(self.d_step(self.real()))
        # both losses at the same (G, D), then both steps: neither player sees the other's move
        d_loss, d_out = self.d_loss(self.real())
        g_loss = self.g_loss()
        self.update_together([(self.opt_d, d_loss, self.D, "gn_d"), (self.opt_g, g_loss, self.G, "gn_g")])
        return {**out, **d_out, "loss_g": g_loss.detach(), **(self.dirac_state() or {})}
