"""Class-conditional image GANs (seed 000): the conditional GAN g[z, c], f[x, c] and the auxiliary
classifier GAN (ACGAN), whose D has 1 + C outputs: a real/fake logit and C class logits, trained
with the adversarial loss plus a class loss on real and generated images for both players."""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..config.schema import ConfigError, VariantParams, fld
from . import losses
from .base import Variant, register
from .gan import ChosenLosses


@dataclass
class CganParams(VariantParams):
    name: str = fld("cgan", "GAN variant.")
    k: int = fld(1, "Discriminator steps per generator step.", min=1, max=100, live=True)
    g_loss: str = fld("nonsaturating", "Generator loss.", choices=losses.G_LOSSES, live=True)
    d_loss: str = fld("bce", "Discriminator loss.", choices=losses.D_LOSSES)


@dataclass
class AcganParams(VariantParams):
    name: str = fld("acgan", "GAN variant.")
    k: int = fld(1, "Discriminator steps per generator step.", min=1, max=100, live=True)
    aux_weight: float = fld(1.0, "Weight of the auxiliary class loss (both players).", min=0.0, max=100,
                            live=True)


class _Conditional(Variant):
    conditional = True

    def build(self) -> None:
        if not self.data.n_classes:   # labels are drawn from range(n_classes): a data set without classes has none
            raise ConfigError(f"variant {self.name!r} makes samples of a chosen class and needs data with classes "
                              f"(digits, fashion_mnist, mnist, cifar10 or image_folder); data.kind = "
                              f"{self.cfg.data.kind!r} has none")
        super().build()

    def sample_labels(self, n: int) -> torch.Tensor:
        return torch.randint(self.data.n_classes, (n,), generator=self.gen, device=self.gen.device).to(self.device)

    def generate(self, z, y=None):
        return self.G(z, y)

    def d_steps(self) -> int:
        return self.p.k


@register("cgan")
class Cgan(_Conditional, ChosenLosses):
    Params = CganParams

    def disc(self, x, y=None):
        return self.D(x, y)

    def d_pass(self, x, y):
        return self.D(x, y)

    def g_step(self):
        n = self.cfg.train.batch_size
        y = self.sample_labels(n)
        self.D.requires_grad_(False)
        loss = self.generator_loss(self.D(self.augment(self.G(self.z(n), y)), y))
        self.update(self.opt_g, loss, self.G, "gn_g")
        self.D.requires_grad_(True)
        return {"loss_g": loss.detach()}


@register("acgan")
class Acgan(_Conditional):
    Params = AcganParams
    aux_classes = True     # D outputs 1 + C values and takes no label

    def disc(self, x, y=None):
        return self.D(x)[:, :1]

    def generator_loss(self, out):
        return losses.g_loss("nonsaturating", out)

    def d_step(self, batch):
        _, y_fake, real_out, fake_out = self.d_outputs(batch)
        adv = losses.d_loss("bce", real_out[:, 0], fake_out[:, 0])
        cls = F.cross_entropy(real_out[:, 1:], batch.y) + F.cross_entropy(fake_out[:, 1:], y_fake)
        loss = adv + self.p.aux_weight * cls
        self.update(self.opt_d, loss, self.D, "gn_d")
        r, f = real_out.detach(), fake_out.detach()
        return {"loss_d": loss.detach(), "cls_d": cls.detach(), "d_real": torch.sigmoid(r[:, 0]).mean(),
                "d_fake": torch.sigmoid(f[:, 0]).mean(),
                "acc_real": (r[:, 1:].argmax(1) == batch.y).float().mean(),
                "acc_fake": (f[:, 1:].argmax(1) == y_fake).float().mean()}

    def g_step(self):
        n = self.cfg.train.batch_size
        y = self.sample_labels(n)
        self.D.requires_grad_(False)
        out = self.D(self.augment(self.G(self.z(n), y)))
        cls = F.cross_entropy(out[:, 1:], y)
        loss = self.generator_loss(out[:, 0]) + self.p.aux_weight * cls
        self.update(self.opt_g, loss, self.G, "gn_g")
        self.D.requires_grad_(True)
        return {"loss_g": loss.detach(), "cls_g": cls.detach()}
