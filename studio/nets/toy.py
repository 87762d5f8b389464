"""Networks for the toy problems: the seed's shift generator, a logistic discriminator, MLPs."""
from __future__ import annotations

import torch
from torch import nn


class ShiftGenerator(nn.Module):
    """x = z + θ (seed 000, eq. 1): the generator moves its samples along the line."""

    def __init__(self, theta0: float = 3.0):
        super().__init__()
        self.theta = nn.Parameter(torch.tensor([float(theta0)]))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z + self.theta


class DiracGenerator(nn.Module):
    """x = θ whatever z is: a generator that is one parameter (the Dirac-GAN of Mescheder et al. 2018)."""

    def __init__(self, theta0: float = 1.0):
        super().__init__()
        self.theta = nn.Parameter(torch.tensor([float(theta0)]))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.theta.expand(z.shape[0], 1)


class LogisticDiscriminator(nn.Module):
    """D(x) = sigmoid(w·x + b) (b = 0 without bias); returns the logit. Its slope w is the 'ψ' of the
    Dirac-GAN picture."""

    def __init__(self, dim: int = 1, bias: bool = True):
        super().__init__()
        self.linear = nn.Linear(dim, 1, bias=bias)
        nn.init.zeros_(self.linear.weight)
        if bias:
            nn.init.zeros_(self.linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)


def mlp(n_in: int, n_out: int, hidden: int, depth: int, act: type[nn.Module], **act_kw) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = n_in
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), act(**act_kw)]
        width = hidden
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


class MLPGenerator(nn.Module):
    def __init__(self, latent_dim: int, out_dim: int, hidden: int = 128, depth: int = 3):
        super().__init__()
        self.net = mlp(latent_dim, out_dim, hidden, depth, nn.ReLU)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """Returns one raw output per sample (a logit, or a critic value for WGAN)."""

    def __init__(self, in_dim: int, hidden: int = 128, depth: int = 3):
        super().__init__()
        self.net = mlp(in_dim, 1, hidden, depth, nn.LeakyReLU, negative_slope=0.2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
