"""CycleGAN (seeds 002, 003): unpaired translation between image domains A and B with two generators
G_AB, G_BA and two PatchGAN discriminators D_A, D_B; least-squares adversarial loss, cycle
consistency λ·(|G_BA(G_AB(a)) - a| + |G_AB(G_BA(b)) - b|), optional identity loss. One iteration is
a generator update, then a discriminator update on the fakes it made."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..config.schema import ConfigError, VariantParams, fld
from ..data.domains import DomainData
from ..nets.build import build_cycle_nets
from . import losses
from .base import Variant, eval_mode, make_optimizer, register

N_FIXED = 8


@dataclass
class CycleganParams(VariantParams):
    name: str = fld("cyclegan", "GAN variant.")
    cycle_weight: float = fld(10.0, "Cycle-consistency weight λ (L1 of A->B->A and B->A->B).", min=0.0,
                              max=1000, live=True)
    identity_weight: float = fld(5.0, "Identity-loss weight (G_AB(b) ~ b, G_BA(a) ~ a; 0: off).", min=0.0,
                                 max=1000, live=True)
    n_res: int = fld(3, "Residual blocks in each generator.", min=0, max=12)


@register("cyclegan")
class CycleGan(Variant):
    Params = CycleganParams
    output = "critic"
    translates = True
    own_view = "cyclegan"

    def build(self) -> None:
        if not self.data.two_domains:
            raise ConfigError(f"variant 'cyclegan' needs two image domains: data.kind = digits_domains, "
                              f"fashion_domains or folder_pair (got {self.cfg.data.kind!r})")
        g_ab, g_ba, d_a, d_b = build_cycle_nets(self.cfg, self.data, self.p.n_res, self.device)
        self.G = nn.ModuleDict({"ab": g_ab, "ba": g_ba}).to(self.device)
        self.D = nn.ModuleDict({"a": d_a, "b": d_b}).to(self.device)
        self.opt_g = make_optimizer(self.G.parameters(), self.cfg.optim_g)
        self.opt_d = make_optimizer(self.D.parameters(), self.cfg.optim_d)
        self._fakes = None
        self.fixed_a = self.fixed_b = None      # a model opened without its data gets them from its state
        if isinstance(self.data, DomainData):
            fixed = torch.Generator().manual_seed(self.cfg.train.seed + 99)
            n = min(N_FIXED, self.cfg.log.grid_samples)
            self.fixed_a = self.data.a.sample(n, fixed, self.device).x.clone()
            self.fixed_b = self.data.b.sample(n, fixed, self.device).x.clone()

    def generate(self, z, y=None):
        raise ConfigError("a CycleGAN translates images and does not sample from noise; "
                          "use `gan-studio translate`")

    def translate(self, x: torch.Tensor, direction: str = "ab") -> torch.Tensor:
        return self.G[direction](x)

    def extra_state(self) -> dict:
        return {"fixed_a": self.fixed_a.cpu(), "fixed_b": self.fixed_b.cpu()}

    def load_extra_state(self, state: dict) -> None:
        if state.get("fixed_a") is not None:
            for key in ("fixed_a", "fixed_b"):
                x = state.get(key)
                if not isinstance(x, torch.Tensor) or x.dim() != 4 or tuple(x.shape[1:]) != tuple(self.data.shape):
                    raise ValueError(f"extra.{key} is not a batch of images of shape {tuple(self.data.shape)}")
            self.fixed_a = state["fixed_a"].to(self.device)
            self.fixed_b = state["fixed_b"].to(self.device)

    # ---------------------------------------------------------------- the game
    def generator_loss(self, out):   # least squares: (D(G(x)) - 1)^2
        return (out - 1).pow(2).mean()

    def g_step(self, batch=None):
        batch = batch if batch is not None else self.real()
        a, b = batch.x, batch.b
        G, D = self.G, self.D
        D.requires_grad_(False)
        fb, fa = G["ab"](a), G["ba"](b)
        adv = self.generator_loss(D["b"](fb)) + self.generator_loss(D["a"](fa))
        cyc = (G["ba"](fb) - a).abs().mean() + (G["ab"](fa) - b).abs().mean()
        loss = adv + self.p.cycle_weight * cyc
        res = {"adv_g": adv.detach(), "cycle": cyc.detach()}
        if self.p.identity_weight > 0:
            idt = (G["ab"](b) - b).abs().mean() + (G["ba"](a) - a).abs().mean()
            loss = loss + self.p.identity_weight * idt
            res["identity"] = idt.detach()
        self.update(self.opt_g, loss, self.G, "gn_g")
        D.requires_grad_(True)
        self._fakes = (fb.detach(), fa.detach())
        return {"loss_g": loss.detach(), **res}

    def d_step(self, batch, fakes=None):
        a, b = batch.x, batch.b
        if fakes is None:
            with torch.no_grad():
                fakes = (self.G["ab"](a), self.G["ba"](b))
        fb, fa = fakes
        ra, fa_out = self.D["a"](a), self.D["a"](fa)
        rb, fb_out = self.D["b"](b), self.D["b"](fb)
        la = losses.d_loss("least_squares", ra, fa_out)
        lb = losses.d_loss("least_squares", rb, fb_out)
        loss = la + lb
        self.update(self.opt_d, loss, self.D, "gn_d")
        return {"loss_d": loss.detach(), "loss_d_a": la.detach(), "loss_d_b": lb.detach(),
                "d_real": 0.5 * (ra.detach().mean() + rb.detach().mean()),
                "d_fake": 0.5 * (fa_out.detach().mean() + fb_out.detach().mean())}

    def iteration(self):
        batch = self.real()
        out = self.g_step(batch)
        out.update(self.d_step(batch, self._fakes))
        self._fakes = None
        return out

    # ---------------------------------------------------------------- views
    @torch.no_grad()
    def translation_rows(self) -> dict[str, torch.Tensor]:
        """The fixed images of both domains, their translations and reconstructions."""
        with eval_mode(self.G):
            a, b = self.fixed_a, self.fixed_b
            ab, ba = self.G["ab"](a), self.G["ba"](b)
            return {"a": a, "ab": ab, "aba": self.G["ba"](ab), "b": b, "ba": ba, "bab": self.G["ab"](ba)}
