"""Quality metrics as plain functions of numpy arrays (features, samples) or of modules.

Image metrics work on features (see features.py): Fréchet distance (FID), kernel inception
distance (KID, unbiased, with its standard error over subsets), precision and recall on k-NN
manifolds (Kynkäänniemi et al. 2019). Toy metrics: 2D mode coverage and high-quality fraction, 1D
Wasserstein-1 and Jensen-Shannon. Critic health for WGANs and the nearest-training-example check for
memorisation. Everything heavy is done in float64 or in batches; nothing here needs scipy.
"""
from __future__ import annotations

import math

import numpy as np
import torch


def _f64(a) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=np.float64)


# ------------------------------------------------------------------------------- Fréchet distance
def feature_stats(f) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (float64) of an (n, d) array of features."""
    f = _f64(f)
    if f.ndim != 2 or len(f) < 2:
        raise ValueError(f"feature_stats needs an (n >= 2, d) array (got shape {f.shape})")
    return f.mean(0), np.atleast_2d(np.cov(f, rowvar=False))


def _sqrt_psd(a: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh((a + a.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """||mu1 - mu2||² + tr(S1 + S2 - 2 (S1 S2)^½) between two Gaussians.

    tr (S1 S2)^½ is computed as the sum of square roots of the eigenvalues of the symmetric
    positive semi-definite S1^½ S2 S1^½ (the same spectrum), with eigh in float64: no complex
    parts, no scipy, and stable for singular covariances (fewer samples than dimensions).
    """
    mu1, mu2, s1, s2 = (_f64(x) for x in (mu1, mu2, sigma1, sigma2))
    r1 = _sqrt_psd(s1)
    m = r1 @ s2 @ r1
    tr_covmean = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum()
    d = mu1 - mu2
    return float(max(d @ d + np.trace(s1) + np.trace(s2) - 2 * tr_covmean, 0.0))


def fid_from_features(f_real, f_fake) -> float:
    return frechet_distance(*feature_stats(f_real), *feature_stats(f_fake))


# -------------------------------------------------------------------------------------------- KID
def _mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    d = x.shape[1]
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    m, n = len(x), len(y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kxy.mean())


def kid(f_real, f_fake, n_subsets: int = 10, subset_size: int = 1000, seed: int = 0) -> tuple[float, float]:
    """Kernel inception distance: unbiased MMD² with the kernel (x·y/d + 1)³ (Bińkowski et al. 2018),
    averaged over random subsets; returns (mean, standard error of the mean over subsets)."""
    x, y = _f64(f_real), _f64(f_fake)
    m = min(subset_size, len(x), len(y))
    if m < 2:
        raise ValueError("kid needs at least two samples on each side")
    rng = np.random.default_rng(seed)
    vals = np.array([_mmd2_unbiased(x[rng.choice(len(x), m, replace=False)],
                                    y[rng.choice(len(y), m, replace=False)]) for _ in range(n_subsets)])
    se = float(vals.std(ddof=1) / math.sqrt(n_subsets)) if n_subsets > 1 else float("nan")
    return float(vals.mean()), se


# ------------------------------------------------------------------------------ precision/recall
def _knn_radii(x: torch.Tensor, k: int, chunk: int = 2048) -> torch.Tensor:
    """Distance of each point to its k-th nearest neighbour within the same set (self excluded)."""
    out = []
    for i in range(0, len(x), chunk):
        d = torch.cdist(x[i:i + chunk], x)
        out.append(d.kthvalue(k + 1, dim=1).values)   # the 1st is the point itself, at 0
    return torch.cat(out)


def _inside(points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor, chunk: int = 2048) -> torch.Tensor:
    hits = []
    for i in range(0, len(points), chunk):
        d = torch.cdist(points[i:i + chunk], centres)
        hits.append((d <= radii[None, :]).any(1))
    return torch.cat(hits)


def precision_recall(f_real, f_fake, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019): precision is the fraction of
    generated samples inside the real manifold (union of balls reaching each real sample's k-th
    neighbour), recall the fraction of real samples inside the generated manifold."""
    r = torch.as_tensor(_f64(f_real))
    g = torch.as_tensor(_f64(f_fake))
    k = max(1, min(k, len(r) - 1, len(g) - 1))
    precision = _inside(g, r, _knn_radii(r, k)).double().mean().item()
    recall = _inside(r, g, _knn_radii(g, k)).double().mean().item()
    return precision, recall


def diversity(f, n_pairs: int = 4000, seed: int = 0) -> float:
    """Mean Euclidean distance between random pairs of distinct samples (an unbiased estimate of the
    mean pairwise distance; for collapse, compare generated with real)."""
    f = _f64(f).reshape(len(f), -1)
    if len(f) < 2:
        return 0.0
    rng = np.random.default_rng(seed)
    i = rng.integers(0, len(f), n_pairs)
    j = (i + rng.integers(1, len(f), n_pairs)) % len(f)      # j != i
    return float(np.linalg.norm(f[i] - f[j], axis=1).mean())


# ------------------------------------------------------------------------------ class-conditional
def conditional_accuracy(predicted, requested) -> float:
    """Fraction of generated samples that the classifier assigns to the class they were asked for."""
    p, y = np.asarray(predicted).ravel(), np.asarray(requested).ravel()
    return float((p == y).mean())


# --------------------------------------------------------------------------------------- toy 2D
def nearest_centre(samples, centers, chunk: int = 1024, centre_chunk: int = 16384) -> tuple[np.ndarray, np.ndarray]:
    """For each sample, the index of its nearest centre and the distance, in blocks of
    chunk x centre_chunk distances (about 64 MB in float32): memory does not grow with the number of
    centres (a points file of a million points is a million centres)."""
    x = torch.as_tensor(np.asarray(samples, np.float32)).reshape(len(samples), -1)
    c = torch.as_tensor(np.asarray(centers, np.float32)).reshape(len(centers), -1)
    idx = torch.zeros(len(x), dtype=torch.long)
    dist = torch.full((len(x),), math.inf)
    for i in range(0, len(x), chunk):
        best_d, best_i = dist[i:i + chunk], idx[i:i + chunk]     # views: updated in place
        for j in range(0, len(c), centre_chunk):
            d, k = torch.cdist(x[i:i + chunk], c[j:j + centre_chunk],
                                compute_mode="donot_use_mm_for_euclid_dist").min(1)
            closer = d < best_d
            best_d[closer], best_i[closer] = d[closer], k[closer] + j
    return idx.numpy(), dist.double().numpy()


def mode_coverage(samples, centers, std: float, min_share: float = 0.1) -> dict[str, float]:
    """Assign each sample to its nearest mode. A sample is high quality when it lies within 3σ of
    that mode; a mode is covered when its high-quality samples reach `min_share` of the count a
    uniform spread would give it (n / n_modes), and at least one. Memory is independent of the number
    of modes (nearest_centre works in blocks)."""
    x, c = _f64(samples), _f64(centers)
    nearest, dist = nearest_centre(x, c)
    good = dist <= 3 * std
    counts = np.bincount(nearest[good], minlength=len(c))
    need = max(1.0, min_share * len(x) / len(c))
    covered = int((counts >= need).sum())
    return {"modes": float(covered), "coverage": covered / len(c), "hq": float(good.mean())}


def high_quality(samples, centers, std: float) -> float:
    """The share of samples within 3σ of their nearest centre (mode_coverage's hq, without the modes)."""
    _, dist = nearest_centre(samples, centers)
    return float((dist <= 3 * std).mean())


# --------------------------------------------------------------------------------------- toy 1D
def wasserstein1(a, b) -> float:
    """Exact W1 between two empirical 1D distributions (the area between their quantile functions)."""
    a, b = np.sort(_f64(a).ravel()), np.sort(_f64(b).ravel())
    if len(a) == len(b):
        return float(np.abs(a - b).mean())
    q = np.linspace(0, 1, max(len(a), len(b)) * 2 + 1)[1:-1:2]  # midpoints of equal-mass bins
    return float(np.abs(np.quantile(a, q) - np.quantile(b, q)).mean())


def js_divergence(a, b, bins: int = 60) -> float:
    """Jensen-Shannon divergence (in bits, 0..1) between histograms of two 1D samples on shared bins."""
    a, b = _f64(a).ravel(), _f64(b).ravel()
    lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
    edges = np.linspace(lo, hi + 1e-12, bins + 1)
    p = np.histogram(a, edges)[0] + 0.5     # add-half smoothing keeps empty bins finite
    q = np.histogram(b, edges)[0] + 0.5
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2
    return float(0.5 * (p * np.log2(p / m)).sum() + 0.5 * (q * np.log2(q / m)).sum())


# --------------------------------------------------------------------------------- critic health
@torch.no_grad()
def clip_fraction(critic: torch.nn.Module, c: float, rtol: float = 1e-3) -> float:
    """Fraction of the critic's weights sitting at the clipping bound ±c (WGAN)."""
    ws = [p.detach().abs().flatten() for p in critic.parameters()]
    w = torch.cat(ws) if ws else torch.zeros(0)
    return float((w >= c * (1 - rtol)).float().mean()) if len(w) else 0.0


def critic_grad_norms(critic, real: torch.Tensor, fake: torch.Tensor, gen: torch.Generator | None = None,
                      *cond) -> np.ndarray:
    """||∇x f(x̂)|| at random interpolates x̂ between real and generated samples (target 1)."""
    n = min(len(real), len(fake))
    real, fake = real[:n].detach().float(), fake[:n].detach().float()
    eps = torch.rand((n,) + (1,) * (real.dim() - 1), generator=gen, device=real.device)
    x = (eps * real + (1 - eps) * fake).requires_grad_(True)
    with torch.enable_grad():
        out = critic(x, *cond)
        (g,) = torch.autograd.grad(out.sum(), x)
    return g.flatten(1).norm(dim=1).cpu().numpy()


# --------------------------------------------------------------------------------- memorisation
def nearest_neighbours(queries, pool, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """For each query row, the index of its nearest row of `pool` (Euclidean) and the distance."""
    q = torch.as_tensor(_f64(queries)).flatten(1)
    p = torch.as_tensor(_f64(pool)).flatten(1)
    idx, dist = [], []
    for i in range(0, len(q), chunk):
        d = torch.cdist(q[i:i + chunk], p)
        v, j = d.min(1)
        idx.append(j)
        dist.append(v)
    return torch.cat(idx).numpy(), torch.cat(dist).numpy()
