"""What the views show, computed as numpy: D(x) on a grid, densities, samples, the saddle's field,
sample grids. `snapshot(game, gen)` picks the probe by the view the game declares."""
from __future__ import annotations

import math
import weakref

import numpy as np
import torch

from ..games.base import Variant
from .grids import image_snapshot, translation_grids


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().float().cpu().numpy()


def latent(variant, n: int, gen: torch.Generator) -> torch.Tensor:
    """Noise for probes from the probe generator, so that views never disturb training's RNG."""
    return torch.randn(n, variant.cfg.model.latent_dim, generator=gen, device=variant.device)


def _read_d(variant, x: torch.Tensor) -> torch.Tensor:
    out = variant.disc(x).squeeze(-1)
    return torch.sigmoid(out) if variant.output == "prob" else out


def kde(samples: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Gaussian kernel density estimate with Scott's bandwidth; samples at one point (the Dirac game)
    are drawn as a bump a few percent of the plotted range wide rather than an invisible spike."""
    s = samples.ravel()
    bw = max(1.06 * s.std() * len(s) ** -0.2, 0.03 * float(xs.max() - xs.min()), 1e-3)
    z = (xs[:, None] - s[None, :]) / bw
    return np.exp(-0.5 * z * z).sum(1) / (len(s) * bw * math.sqrt(2 * math.pi))


Z_LINES = 40         # latent samples carried to x by G in the 1D view's z → x lines


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Φ, the distribution function of N(0, 1): the latent noise of every game (`latent`, `Variant.z`)."""
    return 0.5 * (1.0 + np.vectorize(math.erf, otypes=[float])(np.asarray(z, float) / math.sqrt(2.0)))


def ideal_map(data, zs: np.ndarray) -> np.ndarray | None:
    """F⁻¹(Φ(z)): the monotone map that carries N(0, 1) onto the real data's distribution F (the
    textbook's optimal 1D generator), or None when the data has no distribution function."""
    cdf = getattr(data, "cdf", None)
    means, stds = getattr(data, "means", None), getattr(data, "stds", None)
    if cdf is None or means is None or stds is None:
        return None
    lo, hi = float(np.min(means - 8 * stds)), float(np.max(means + 8 * stds))
    xq = np.linspace(lo, hi, 4096)
    fq = np.maximum.accumulate(cdf(xq))
    return np.interp(normal_cdf(zs), fq, xq).astype(np.float32)


@torch.no_grad()
def probe_1d(variant, gen: torch.Generator, n: int = 2000, grid: int = 400, *, z: torch.Tensor | None = None,
             real: np.ndarray | None = None, xs: np.ndarray | None = None) -> dict:
    """The 1D view's data. Slow motion passes the same noise `z`, real samples and grid `xs` before and
    after an update, so that the two pictures differ only by the update."""
    dev = variant.device
    if real is None:
        real = _np(variant.data.sample(n, gen, dev).x).ravel()
    if z is None:
        z = latent(variant, n, gen)
    fake = _np(variant.generate(z)).ravel()
    if xs is None:
        lo = min(np.percentile(real, 0.1), np.percentile(fake, 0.1))
        hi = max(np.percentile(real, 99.9), np.percentile(fake, 99.9))
        pad = 0.15 * (hi - lo + 1e-6)
        xs = np.linspace(lo - pad, hi + pad, grid, dtype=np.float32)
    d = _np(_read_d(variant, torch.from_numpy(xs).to(dev)[:, None]))
    p_real = variant.data.density(xs)
    dirac = variant.dirac_state()
    p_gen = variant.generated_density(xs)
    exact = p_gen is not None
    if p_gen is None:
        p_gen = kde(fake, xs)
    if p_real is None:
        p_real = kde(real, xs)
        exact = False
    d_star = p_real / np.maximum(p_real + p_gen, 1e-12)
    out = {"x": xs, "d": d, "p_real": p_real.astype(np.float32), "p_gen": p_gen.astype(np.float32),
           "d_star": d_star.astype(np.float32), "d_star_exact": exact, "output": variant.output,
           "real": real[:400], "fake": fake[:400]}
    if variant.has_latent:   # z → x: where G carries latent samples (z₁, the first coordinate, when z has more)
        out["z_line"] = _np(z[:Z_LINES, 0])
        out["x_line"] = fake[:Z_LINES].copy()
        out["latent_dim"] = int(z.shape[1])
    if dirac is None and variant.has_latent:     # a learnt generator: G(z) against the ideal map
        zs = np.linspace(-3, 3, 121, dtype=np.float32)
        ideal = ideal_map(variant.data, zs)
        if ideal is not None:
            k = int(z.shape[1])
            if k == 1:       # G itself along the z axis
                gz = _np(variant.generate(torch.from_numpy(zs).to(dev)[:, None])).ravel()
                if np.corrcoef(zs, gz)[0, 1] < 0:     # a decreasing G: compare with the decreasing map
                    ideal = ideal[::-1].copy()
            else:            # z has k coordinates: G's quantiles at the levels Φ(z) (how G spreads its mass)
                gz = np.quantile(fake, normal_cdf(zs)).astype(np.float32)
            out.update(map_z=zs, map_g=gz.astype(np.float32), map_ideal=ideal, map_kind="G(z)" if k == 1
                       else "quantiles")
    if dirac is not None:
        out["theta"] = float(dirac["theta"])
        out["d_slope"] = float(dirac["d_slope"])
    return out


MAX_CENTERS = 1024    # centres a 2D snapshot carries at most (a points file may hold 10^6: a seeded subsample)
_CENTERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def shown_centers(data) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(the centres a snapshot carries, their lowest and highest coordinates over all of them), worked
    out once per data set: every centre when there are at most MAX_CENTERS, else a fixed, seeded
    subsample of MAX_CENTERS (the same in every snapshot), so that a snapshot of a points file of 10^6
    points carries 8 kB of centres instead of 8 MB, and no snapshot scans them all again. None when the
    data has no centres."""
    c = getattr(data, "centers", None)
    if c is None:
        return None
    try:
        hit = _CENTERS.get(data)
    except TypeError:            # not weakly referable: worked out each time
        hit = None
    if hit is not None:
        return hit
    c = np.asarray(c, np.float32)
    shown = c.copy() if len(c) <= MAX_CENTERS else \
        c[np.sort(np.random.default_rng(0).choice(len(c), MAX_CENTERS, replace=False))]
    shown.flags.writeable = False             # shared by every snapshot (and the studio's history)
    hit = (shown, c.min(0), c.max(0))
    try:
        _CENTERS[data] = hit
    except TypeError:
        pass
    return hit


def _bounds(variant, real: np.ndarray) -> tuple[float, float, float, float]:
    c = shown_centers(variant.data)
    lo, hi = (c[1], c[2]) if c is not None else (real.min(0), real.max(0))
    span = float(max(hi - lo)) or 1.0
    pad = 0.25 * span + 3 * variant.data.mode_std
    cx, cy = (lo + hi) / 2
    half = span / 2 + pad
    return cx - half, cx + half, cy - half, cy + half


def probe_2d(variant, gen: torch.Generator, n: int = 512, grid: int = 80, zgrid: int = 15, *,
             z: torch.Tensor | None = None, real: np.ndarray | None = None, extent=None) -> dict:
    """The 2D view's data; slow motion passes the same `z`, real samples and `extent` before and after."""
    dev = variant.device
    with torch.no_grad():
        if real is None:
            real = _np(variant.data.sample(n, gen, dev).x)
        fake_t = variant.generate(latent(variant, n, gen) if z is None else z)
        x0, x1, y0, y1 = _bounds(variant, real) if extent is None else extent
        gx = torch.linspace(x0, x1, grid, device=dev)
        gy = torch.linspace(y0, y1, grid, device=dev)
        X, Y = torch.meshgrid(gx, gy, indexing="xy")
        heat = _read_d(variant, torch.stack([X.ravel(), Y.ravel()], 1)).reshape(grid, grid)
        zg = None
        if variant.cfg.model.latent_dim >= 2:
            v = torch.linspace(-2, 2, zgrid, device=dev)
            A, B = torch.meshgrid(v, v, indexing="xy")
            zz = torch.zeros(zgrid * zgrid, variant.cfg.model.latent_dim, device=dev)
            zz[:, 0], zz[:, 1] = A.ravel(), B.ravel()
            zg = _np(variant.generate(zz)).reshape(zgrid, zgrid, 2)
    # where the generator loss pushes each generated point: -d loss_G / d x
    k = min(len(fake_t), 128)
    x = fake_t[:k].detach().clone().requires_grad_(True)
    with torch.enable_grad():
        loss = variant.generator_loss(variant.disc(x)) * k
        (grad,) = torch.autograd.grad(loss, x)
    variant.D.zero_grad(set_to_none=True)
    out = {"real": real, "fake": _np(fake_t), "heat": _np(heat), "extent": (x0, x1, y0, y1),
           "arrows_from": _np(x), "arrows": -_np(grad), "output": variant.output}
    if zg is not None:
        out["zgrid"] = zg
    c = shown_centers(variant.data)
    if c is not None:
        out["centers"] = c[0]                     # the same array every snapshot (at most MAX_CENTERS)
        out["centers_total"] = len(variant.data.centers)
    return out


def probe_saddle(variant) -> dict:
    traj = np.asarray(variant.history, dtype=np.float64)
    lim = max(1.5, float(np.abs(traj).max()) * 1.15) if len(traj) else 1.5
    field = variant.vector_field(lim)
    return {"trajectory": traj, "lim": lim, "game": variant.p.game, "mode": variant.p.mode, **field}


def snapshot(game: Variant, gen: torch.Generator) -> tuple[str, dict]:
    """The view name and data for the current state of a game."""
    view = game.view
    probe = PROBES.get(view)
    if probe is None:
        raise ValueError(f"no probe for the view {view!r} of variant {game.name!r}")
    return view, probe(game, gen)


PROBES = {"1d": probe_1d, "2d": probe_2d, "saddle": lambda game, gen: probe_saddle(game),
          "image": lambda game, gen: image_snapshot(game), "cyclegan": lambda game, gen: translation_grids(game),
          "none": lambda game, gen: {}}
