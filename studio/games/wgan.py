"""WGAN (seed 004, Algorithm 1 of Arjovsky et al.): a critic without sigmoid, weight clipping to
[-c, c], n_critic critic updates per generator update (RMSProp in the presets)."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..config.schema import VariantParams, fld
from . import losses
from .base import Variant, register


@dataclass
class WganParams(VariantParams):
    name: str = fld("wgan", "GAN variant.")
    n_critic: int = fld(5, "Critic steps per generator step.", min=1, max=100, live=True)
    clip: float = fld(0.01, "Weight clipping bound c of the critic.", min=1e-5, max=10, log=True, live=True)


@dataclass
class WganGpParams(VariantParams):
    name: str = fld("wgan_gp", "GAN variant.")
    n_critic: int = fld(5, "Critic steps per generator step.", min=1, max=100, live=True)
    gp_weight: float = fld(10.0, "Gradient-penalty weight λ.", min=0.0, max=1000, live=True)
    gp_every: int = fld(1, "Lazy penalty: the gradient penalty is computed on every k-th critic step only, "
                        "weighted k times (as StyleGAN2 does with R1). The penalty's second backward pass "
                        "is most of a critic step's cost; 1 computes it on every step.", min=1, max=64, live=True)


class _Critic(Variant):
    output = "critic"
    watches_critic = True

    def d_steps(self) -> int:
        return self.p.n_critic

    def critic_loss(self, batch, real_out, fake, fake_out):
        return losses.d_loss("wasserstein", real_out, fake_out), {}

    def d_step(self, batch):
        fake, _, real_out, fake_out = self.d_outputs(batch)
        loss, extra = self.critic_loss(batch, real_out, fake, fake_out)
        self.update(self.opt_d, loss, self.D, "gn_d")
        self.after_d_update()
        r, f = real_out.detach().mean(), fake_out.detach().mean()
        return {"loss_d": loss.detach(), "wdist": r - f, "d_real": r, "d_fake": f, **extra}

    def after_d_update(self) -> None:
        pass

    def generator_loss(self, out):
        return losses.g_loss("wasserstein", out)

    def g_step(self):
        self.D.requires_grad_(False)
        loss = self.generator_loss(self.D(self.augment(self.G(self.z(self.cfg.train.batch_size)))))
        self.update(self.opt_g, loss, self.G, "gn_g")
        self.D.requires_grad_(True)
        return {"loss_g": loss.detach()}


@register("wgan")
class Wgan(_Critic):
    Params = WganParams

    def weight_clip(self) -> float:
        return self.p.clip

    def after_d_update(self) -> None:
        c = self.p.clip
        with torch.no_grad():
            for w in self.D.parameters():
                w.clamp_(-c, c)


@register("wgan_gp")
class WganGp(_Critic):
    Params = WganGpParams
    penalised = True

    def build(self) -> None:
        super().build()
        self.critic_steps = 0           # the critic's updates so far, for the lazy penalty (checkpointed)
        self.last_gp: dict[str, torch.Tensor] = {}     # the penalty last measured (checkpointed too)

    def critic_loss(self, batch, real_out, fake, fake_out):
        w = losses.d_loss("wasserstein", real_out, fake_out)
        k = self.p.gp_every
        self.critic_steps += 1
        if (self.critic_steps - 1) % k:
            return w, dict(self.last_gp)      # a step without the penalty reports the last one measured
        gp, norms = losses.gradient_penalty(self.D, batch.x, fake, self.gen)
        self.last_gp = {"gp": gp.detach(), "gp_norm": norms.mean()}
        return w + k * self.p.gp_weight * gp, dict(self.last_gp)

    def extra_state(self) -> dict:
        return {"critic_steps": torch.tensor(self.critic_steps), **{k: v.cpu() for k, v in self.last_gp.items()}}

    def load_extra_state(self, state: dict) -> None:
        self.critic_steps = int(state.get("critic_steps", 0))
        self.last_gp = {k: state[k].to(self.device) for k in ("gp", "gp_norm") if k in state}
