"""Small PNG plots without a plotting library: a 2D scatter and a 1D histogram, drawn with Pillow."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ..config import palette

REAL = palette.rgb(palette.REAL)    # cyan, as the seed's figure draws real samples
FAKE = palette.rgb(palette.FAKE)    # orange, generated samples


def _frame(size: int):
    img = Image.new("RGB", (size, size), (255, 255, 255))
    return img, ImageDraw.Draw(img)


def scatter_png(real: np.ndarray, fake: np.ndarray, size: int = 480) -> np.ndarray:
    pts = np.concatenate([real, fake])
    lo, hi = pts.min(0), pts.max(0)
    c, half = (lo + hi) / 2, float(max(hi - lo)) / 2 * 1.1 + 1e-6
    img, d = _frame(size)
    d.rectangle([0, 0, size - 1, size - 1], outline=(180, 180, 180))

    def to_px(p):
        return (p - c) / half * (size / 2 - 10) * np.array([1, -1]) + size / 2

    for arr, col in ((real, REAL), (fake, FAKE)):
        for x, y in to_px(arr):
            d.ellipse([x - 2, y - 2, x + 2, y + 2], fill=col)
    d.text((8, 6), "real", fill=REAL)
    d.text((8, 20), "generated", fill=FAKE)
    return np.asarray(img)


def histogram_png(real: np.ndarray, fake: np.ndarray, size: int = 480, bins: int = 60) -> np.ndarray:
    lo, hi = min(real.min(), fake.min()), max(real.max(), fake.max())
    edges = np.linspace(lo, hi + 1e-9, bins + 1)
    hr, _ = np.histogram(real, edges, density=True)
    hf, _ = np.histogram(fake, edges, density=True)
    top = max(hr.max(), hf.max()) * 1.1 + 1e-12
    img, d = _frame(size)
    w = (size - 20) / bins
    for i in range(bins):
        x0 = 10 + i * w
        for h, col, off in ((hr, REAL, 0), (hf, FAKE, w / 2)):
            y = size - 10 - h[i] / top * (size - 40)
            d.rectangle([x0 + off, y, x0 + off + w / 2 - 1, size - 10], fill=col)
    d.text((8, 6), f"real (cyan) vs generated (orange), x in [{lo:.2f}, {hi:.2f}]", fill=(60, 60, 60))
    return np.asarray(img)
