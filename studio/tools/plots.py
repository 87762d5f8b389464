"""Small PNG plots without a plotting library, drawn with Pillow: a 2D scatter, a 1D histogram and the
Dirac-GAN comparison of training methods."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ..config import palette
from ..config.palette import rgb
from ..config.schema import ConfigError
from ..inspect import dirac

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


def dirac_compare(start=(1.0, 0.0), lr: float = 0.15, steps: int = 600) -> list[dict]:
    """The Dirac-GAN comparison as numpy (inspect.dirac.compare), for the studio's view and the PNG:
    per method its name, field, trajectory and verdict. Bad arguments raise ConfigError, one line."""
    th, ps = (float(v) for v in start)
    if not all(np.isfinite((th, ps))) or max(abs(th), abs(ps)) > 100:
        raise ConfigError(f"Dirac-GAN start (θ, ψ) = ({th:g}, {ps:g}): both must be finite, within ±100")
    if not 1 <= int(steps) <= 100_000:
        raise ConfigError(f"Dirac-GAN steps: must be between 1 and 100000 (got {steps})")
    if not 0 < float(lr) <= 2:
        raise ConfigError(f"Dirac-GAN step size: must be in (0, 2] (got {lr})")
    out = dirac.compare((th, ps), float(lr), int(steps))
    for r in out:
        r["verdict"] = dirac.verdict(r)
    return out


def dirac_png(results: list[dict], panel: int = 260, cols: int = 4) -> np.ndarray:
    """Small multiples of the Dirac-GAN comparison (inspect.dirac.compare): per method its update
    field as arrows over (θ, ψ), the trajectory from the start (green) to the end (orange), and how
    far from the equilibrium (0, 0) it ends."""
    rows = -(-len(results) // cols)
    head = 34
    img = Image.new("RGB", (cols * panel, rows * (panel + head)), (255, 255, 255))
    d = ImageDraw.Draw(img)
    lim = float(np.abs(results[0]["field"]["theta"]).max())
    for i, res in enumerate(results):
        ox, oy = (i % cols) * panel, (i // cols) * (panel + head)
        px = lambda t, p: (ox + 10 + (t + lim) / (2 * lim) * (panel - 20),          # noqa: E731
                           oy + head + 10 + (lim - p) / (2 * lim) * (panel - 20))
        d.rectangle([ox + 10, oy + head + 10, ox + panel - 10, oy + head + panel - 10], outline=(200, 200, 200))
        x0, y0 = px(0, 0)
        d.line([x0, oy + head + 10, x0, oy + head + panel - 10], fill=(230, 230, 230))
        d.line([ox + 10, y0, ox + panel - 10, y0], fill=(230, 230, 230))
        f = res["field"]
        for t, p, dt, dp in zip(f["theta"].ravel(), f["psi"].ravel(), f["d_theta"].ravel(), f["d_psi"].ravel()):
            n = float(np.hypot(dt, dp))
            if n < 1e-9:
                continue
            a, b = px(t, p)
            ex, ey = a + dt / n * 7, b - dp / n * 7
            d.line([a, b, ex, ey], fill=(150, 150, 170))
            d.ellipse([ex - 1, ey - 1, ex + 1, ey + 1], fill=(110, 110, 130))
        path = np.clip(res["path"], -lim, lim)         # what leaves the panel stays on its edge
        d.line([px(t, p) for t, p in path], fill=rgb(palette.DISC), width=2)
        for (t, p), col in ((path[0], palette.ACCENT), (path[-1], palette.FAKE)):
            a, b = px(t, p)
            d.ellipse([a - 4, b - 4, a + 4, b + 4], fill=rgb(col), outline=(40, 40, 40))
        d.text((ox + 10, oy + 4), res["name"].replace("λ", "lambda").replace("γ", "gamma"), fill=(30, 30, 30))
        verdict = dirac.verdict(res)
        d.text((ox + 10, oy + 18), f"|(theta, psi)| {res['r_start']:.2f} -> {res['r_end']:.2f}: {verdict}",
               fill=(90, 90, 90))
    return np.asarray(img)
