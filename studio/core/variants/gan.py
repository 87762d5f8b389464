"""Vanilla GAN (seed 004, Algorithm 1): k discriminator steps per generator step, switchable
generator loss (non-saturating, minimax, least squares, hinge)."""
from __future__ import annotations

import torch

from ...config import GanParams
from .. import losses
from .base import Variant, register


@register("gan")
class Gan(Variant):
    Params = GanParams

    @property
    def output(self):
        return "prob" if self.p.d_loss == "bce" else "critic"

    def d_steps(self) -> int:
        return self.p.k

    def _read(self, out: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(out).mean() if self.p.d_loss == "bce" else out.mean()

    def d_step(self, batch):
        _, _, real_out, fake_out = self.d_outputs(batch)
        loss = losses.d_loss(self.p.d_loss, real_out, fake_out)
        if self.p.r1_weight > 0:
            loss = loss + self.p.r1_weight * losses.r1_penalty(self.D, batch.x)
        self.update(self.opt_d, loss, self.D, "gn_d")
        return {"loss_d": loss.detach(), "d_real": self._read(real_out.detach()),
                "d_fake": self._read(fake_out.detach())}

    def g_step(self):
        self.D.requires_grad_(False)
        out = self.D(self.G(self.z(self.cfg.train.batch_size)))
        loss = losses.g_loss(self.p.g_loss, out)
        self.update(self.opt_g, loss, self.G, "gn_g")
        self.D.requires_grad_(True)
        res = {"loss_g": loss.detach()}
        theta = getattr(self.G, "theta", None)
        if theta is not None:   # the shift generator: θ and the logistic D's slope
            res["theta"] = theta.detach()[0].clone()
            res["d_slope"] = self.D.linear.weight.detach()[0, 0].clone()
        return res
