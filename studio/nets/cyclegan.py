"""CycleGAN networks: a small ResNet generator (c7 - down - residual blocks - up - c7, InstanceNorm)
and a PatchGAN discriminator, sized for the CPU at 16x16 to 64x64."""
from __future__ import annotations

from torch import nn

from .dcgan import dcgan_init


class ResBlock(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.body = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(ch, ch, 3), nn.InstanceNorm2d(ch),
                                  nn.ReLU(True), nn.ReflectionPad2d(1), nn.Conv2d(ch, ch, 3),
                                  nn.InstanceNorm2d(ch))

    def forward(self, x):
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    """Image -> image of the same shape: c7, stride-2 downsampling, residual blocks, upsampling, c7."""

    def __init__(self, channels: int, side: int, base: int = 32, n_res: int = 3):
        super().__init__()
        n_down = 2 if side >= 32 else 1
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(channels, base, 7), nn.InstanceNorm2d(base),
                                   nn.ReLU(True)]
        ch = base
        for _ in range(n_down):
            layers += [nn.Conv2d(ch, ch * 2, 3, 2, 1), nn.InstanceNorm2d(ch * 2), nn.ReLU(True)]
            ch *= 2
        layers += [ResBlock(ch) for _ in range(n_res)]
        for _ in range(n_down):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 3, 2, 1, output_padding=1), nn.InstanceNorm2d(ch // 2),
                       nn.ReLU(True)]
            ch //= 2
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ch, channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, x):
        return self.net(x)


class PatchDiscriminator(nn.Module):
    """PatchGAN: a (side/4)^2 map of real/fake scores, one per overlapping patch (receptive field
    22 pixels: the whole of a 16x16 image, a large part of a 32x32 one)."""

    def __init__(self, channels: int, base: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, base, 4, 2, 1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(base, base * 2, 4, 2, 1), nn.InstanceNorm2d(base * 2), nn.LeakyReLU(0.2, True),
            nn.Conv2d(base * 2, base * 4, 3, 1, 1), nn.InstanceNorm2d(base * 4), nn.LeakyReLU(0.2, True),
            nn.Conv2d(base * 4, 1, 3, 1, 1))
        self.apply(dcgan_init)

    def forward(self, x):
        return self.net(x)
