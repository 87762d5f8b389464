"""Exploring a generator's latent space: a frozen copy of G, principal directions, rendering.

`LatentModel(game)` deep-copies the game's generator (eval mode, on the CPU by default), so exploring
never races the training thread, which keeps updating its own G: a running trainer makes one between
two steps when asked (engine command CopyGenerator; the copy costs about a millisecond, the fit of
the principal directions is left to `prepare()`, which the explorer runs on its worker thread), and
a checkpoint opened with `tools.model_io.open_model` gives one without any trainer. All inputs and outputs are numpy: widgets
call it from a worker thread and never see a tensor; a lock serialises the renders.

Principal directions (GANSpace, Härkönen et al. 2020, applied to the output): draw N latent
vectors z, run G, flatten the outputs X (N x D) and take the top-k principal components of X.
The scores S = (X - mean) U say how far each sample lies along each component; a least-squares
regression of S on z (S ≈ z W) maps each output component back to the latent direction W[:, j]
that moves the output along it. We use the output rather than an intermediate layer because it
works for every generator here without knowing its layers (MLP, DCGAN, conditional), and the
directions then mean what the user sees change. Directions are normalised to unit length, so a
slider value s moves z by s along the direction, in the units of the N(0, I) prior.
"""
from __future__ import annotations

import copy
import threading

import numpy as np
import torch
from PIL import Image, ImageDraw

from ..config import palette
from ..config.schema import ConfigError
from ..games.base import Variant

TOY_SIZE = 240          # side of the picture drawn for 1D and 2D generators
REAL = palette.rgb(palette.REAL)
FAKE = palette.rgb(palette.FAKE)


def lerp(z0: np.ndarray, z1: np.ndarray, n: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) * z0[None] + t * z1[None]


def slerp(z0: np.ndarray, z1: np.ndarray, n: int) -> np.ndarray:
    """Spherical interpolation: along the great circle between the directions of z0 and z1, with
    the norm interpolated linearly (so samples stay where the Gaussian prior puts its mass)."""
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if n0 < 1e-8 or n1 < 1e-8:
        return lerp(z0, z1, n)
    u0, u1 = z0 / n0, z1 / n1
    omega = np.arccos(np.clip(np.dot(u0, u1), -1.0, 1.0))
    if omega < 1e-4:
        return lerp(z0, z1, n)
    t = np.linspace(0.0, 1.0, n)[:, None]
    dirs = (np.sin((1 - t) * omega) * u0 + np.sin(t * omega) * u1) / np.sin(omega)
    return dirs * ((1 - t) * n0 + t * n1)


class LatentModel:
    """A frozen generator with what the latent explorer needs (numpy in, numpy out)."""

    def __init__(self, game: Variant, *, device: str | torch.device = "cpu", n_directions: int = 8,
                 n_fit: int = 256, step: int = 0, source: str = "", run: str = ""):
        if not game.has_latent:
            raise ValueError(f"the {game.name!r} variant has no latent space to explore "
                             f"(CycleGAN translates images, the saddle has no generator)")
        self.family = game.data.family
        self.latent_dim = int(game.cfg.model.latent_dim)
        self.conditional = bool(game.conditional)
        self.n_classes = game.n_classes
        self.class_names = game.class_names
        self.truncation = float(game.cfg.model.truncation)
        self.device = torch.device(device)
        self.n_directions, self.n_fit = n_directions, n_fit
        self.step, self.source = step, source      # where the copy comes from (step, checkpoint path)
        self.run = run                             # the run's name ("" when unknown)
        self._lock = threading.RLock()
        G = copy.deepcopy(game.G).to(self.device).eval()
        G.requires_grad_(False)
        frozen = copy.copy(game)         # the game's generate() (labels, embeddings) on the copy
        frozen.G = G
        frozen.device = self.device
        self._frozen = frozen
        self._ready = False     # the principal directions are fitted on first use (prepare())

    @property
    def ready(self) -> bool:
        """Whether the principal directions (and, for 1D/2D, the clouds drawn behind) are fitted."""
        return self._ready

    def prepare(self) -> "LatentModel":
        """Fit the principal directions now (a few hundred samples through G and an SVD). The copy
        itself is only a deep copy of G, so a running trainer pays next to nothing for it; the
        explorer calls this on its worker thread, and anything that needs the fit calls it."""
        with self._lock:
            if not self._ready:
                self._fit()
                self._ready = True
        return self

    @property
    def directions(self) -> np.ndarray:
        return self.prepare()._directions

    @property
    def explained(self) -> np.ndarray:
        return self.prepare()._explained

    # ------------------------------------------------------------------ the generator
    @torch.no_grad()
    def _generate(self, z: np.ndarray, y=None) -> np.ndarray:
        """G(z[, y]). y: a class (int), one class per row (N,), or class weights per row (N, C) such
        as a soft one-hot (the conditional generator concatenates its one-hot class to z, so a
        mixture of one-hots is an input it takes as it is)."""
        zt = torch.as_tensor(np.asarray(z, np.float32).reshape(-1, self.latent_dim), device=self.device)
        if self.conditional:
            y = np.zeros(len(zt), np.int64) if y is None else np.asarray(y)
            if y.dtype.kind == "f":
                yt = torch.from_numpy(np.array(np.broadcast_to(y.astype(np.float32), (len(zt), self.n_classes))))
            else:
                yt = torch.from_numpy(np.array(np.broadcast_to(y.astype(np.int64), (len(zt),))))
            out = self._frozen.generate(zt, yt.to(self.device))
        else:
            out = self._frozen.generate(zt)
        return out.float().cpu().numpy()

    def one_hot(self, y: int) -> np.ndarray:
        if not self.conditional:
            raise ValueError("this generator is not conditional: it takes no class")
        if not 0 <= int(y) < self.n_classes:
            raise ValueError(f"class {y} is not one of 0..{self.n_classes - 1}")
        return np.eye(self.n_classes, dtype=np.float32)[int(y)]

    def _fit(self) -> None:
        rng = np.random.default_rng(12345)
        z = rng.standard_normal((self.n_fit, self.latent_dim)).astype(np.float32)
        y = rng.integers(0, self.n_classes, self.n_fit) if self.conditional else None
        x = self._generate(z, y).reshape(self.n_fit, -1).astype(np.float64)
        xc = x - x.mean(0)
        k = max(1, min(self.n_directions, self.latent_dim, xc.shape[1]))
        _, s, vt = np.linalg.svd(xc, full_matrices=False)
        scores = xc @ vt[:k].T                                   # (N, k)
        w, *_ = np.linalg.lstsq(z.astype(np.float64), scores, rcond=None)   # (latent, k)
        d = w.T / np.maximum(np.linalg.norm(w.T, axis=1, keepdims=True), 1e-12)
        self._directions = d.astype(np.float32)                  # (k, latent_dim), unit rows
        var = s ** 2
        self._explained = (var[:k] / max(var.sum(), 1e-12)).astype(np.float32)
        if self.family != "image":
            self._cloud = x.astype(np.float32)                   # G's distribution, drawn behind
            self._real = self._real_samples()

    def _real_samples(self) -> np.ndarray | None:
        try:
            g = torch.Generator().manual_seed(3)
            return self._frozen.data.sample(self.n_fit, g, torch.device("cpu")).x.numpy()
        except ConfigError:    # a model opened without its data: show G's cloud alone
            return None

    # ------------------------------------------------------------------ latent vectors
    def z_for_seed(self, seed: int) -> np.ndarray:
        return np.random.default_rng(int(seed)).standard_normal(self.latent_dim).astype(np.float32)

    def compose(self, base: np.ndarray, offsets: np.ndarray | None = None,
                truncation: float = 1.0) -> np.ndarray:
        """base + Σ offsets[j] · direction[j], scaled by the truncation factor (as `sample` does)."""
        z = np.asarray(base, np.float32).copy()
        if offsets is not None and len(offsets):
            z = z + np.asarray(offsets, np.float32)[:len(self.directions)] @ self.directions[:len(offsets)]
        return z * np.float32(truncation)

    def interpolate(self, z0: np.ndarray, z1: np.ndarray, n: int = 8, mode: str = "linear") -> np.ndarray:
        if mode not in ("linear", "spherical"):
            raise ValueError(f"interpolation mode must be 'linear' or 'spherical' (got {mode!r})")
        f = slerp if mode == "spherical" else lerp
        return f(np.asarray(z0, np.float64), np.asarray(z1, np.float64), n).astype(np.float32)

    def class_path(self, y0: int | None, y1: int | None, n: int):
        """The class along an interpolation of n steps: None (unconditional), one class for every
        step when both ends have the same one, else soft one-hots from y0's to y1's, linear in the
        same t as z (n, C)."""
        if not self.conditional:
            return None
        y0 = 0 if y0 is None else int(y0)
        y1 = y0 if y1 is None else int(y1)
        if y0 == y1:
            return y0
        t = np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None]
        return (1 - t) * self.one_hot(y0)[None] + t * self.one_hot(y1)[None]

    # ------------------------------------------------------------------ vector arithmetic
    def set_mean(self, zs: np.ndarray | None = None, ys=None, cls: int | None = None):
        """The mean of a set of samples as a point (z, c) of G's input: zs (k, latent) with their
        classes ys (k,) for a conditional model; or a whole class `cls` (conditional models), whose
        latent part is the prior's mean (0) and whose class part is its one-hot. c is None for an
        unconditional generator."""
        if cls is not None:
            return np.zeros(self.latent_dim, np.float32), self.one_hot(cls)
        zs = np.asarray(zs, np.float32).reshape(-1, self.latent_dim)
        if not len(zs):
            raise ValueError("a set needs at least one sample")
        if not self.conditional:
            return zs.mean(0), None
        ys = np.broadcast_to(np.asarray(0 if ys is None else ys, np.int64), (len(zs),))
        return zs.mean(0), np.mean([self.one_hot(y) for y in ys], 0).astype(np.float32)

    @staticmethod
    def arithmetic(base, mean_a, mean_b, strengths) -> list:
        """base + s·(mean_A − mean_B) for each strength s, on both parts (z, c) of G's input; every
        argument a point (z, c) with c None for an unconditional generator."""
        out = []
        for s in np.asarray(strengths, np.float32).reshape(-1):
            z = base[0] + s * (mean_a[0] - mean_b[0])
            c = None if base[1] is None else base[1] + s * (mean_a[1] - mean_b[1])
            out.append((z.astype(np.float32), None if c is None else c.astype(np.float32)))
        return out

    def point(self, z: np.ndarray, y: int | None = None):
        """A sample as a point (z, c) of G's input."""
        return np.asarray(z, np.float32), (self.one_hot(0 if y is None else y) if self.conditional else None)

    def render_points(self, points: list) -> list[np.ndarray]:
        """Pictures of points (z, c), one each (c: class weights, None when unconditional)."""
        zs = np.stack([p[0] for p in points]).astype(np.float32)
        cs = np.stack([p[1] for p in points]).astype(np.float32) if self.conditional else None
        with self._lock:
            out = self._generate(zs, cs)
            if self.family == "image":
                return [self._to_uint8(im) for im in out]
            return [self._toy_picture(out[i:i + 1]) for i in range(len(out))]

    def arithmetic_strip(self, base, mean_a, mean_b, strengths, pad: int = 2, gap: int = 10) -> np.ndarray:
        """One uint8 picture: the decoded mean of A, that of B, a gap, then base + s·(A − B) for
        each strength."""
        pts = [mean_a, mean_b] + self.arithmetic(base, mean_a, mean_b, strengths)
        ims = self.render_points(pts)
        h, w = ims[0].shape[:2]
        xs = [pad + i * (w + pad) + (gap if i >= 2 else 0) for i in range(len(ims))]
        out = np.full((h + 2 * pad, xs[-1] + w + pad, 3), 128, np.uint8)
        for x, im in zip(xs, ims):
            out[pad:pad + h, x:x + w] = im
        return out

    # ------------------------------------------------------------------ pictures
    def render(self, z: np.ndarray, y: int | None = None) -> np.ndarray:
        """uint8 (H, W, 3): the generated image, or for 1D/2D models the point G(z) (orange) over
        G's distribution (light orange) and the real data (cyan)."""
        return self.render_many(np.asarray(z, np.float32).reshape(1, -1), y)[0]

    def render_many(self, zs: np.ndarray, y: int | None = None) -> list[np.ndarray]:
        with self._lock:
            out = self._generate(zs, y)
            if self.family == "image":
                return [self._to_uint8(im) for im in out]
            return [self._toy_picture(out[i:i + 1]) for i in range(len(out))]

    def strip(self, z0: np.ndarray, z1: np.ndarray, n: int = 8, mode: str = "linear",
              y: int | None = None, pad: int = 2, y1: int | None = None) -> np.ndarray:
        """The interpolation as one uint8 picture: n images side by side (1D/2D: one picture with
        the path of G along the interpolation, from dark to light). A conditional model walks from
        class y (at z0) to class y1 (at z1; default y) through soft one-hots (`class_path`)."""
        zs = self.interpolate(z0, z1, n, mode)
        y = self.class_path(y, y1, n)
        if self.family != "image":
            with self._lock:
                return self._toy_picture(self._generate(zs, y), path=True)
        ims = self.render_many(zs, y)
        h, w = ims[0].shape[:2]
        out = np.full((h + 2 * pad, n * (w + pad) + pad, 3), 128, np.uint8)
        for i, im in enumerate(ims):
            out[pad:pad + h, pad + i * (w + pad):pad + i * (w + pad) + w] = im
        return out

    @staticmethod
    def _to_uint8(x: np.ndarray) -> np.ndarray:
        """(C, H, W) in [-1, 1] -> (H, W, 3) uint8."""
        x = np.clip((x + 1.0) * 127.5, 0, 255).round().astype(np.uint8)
        if x.shape[0] == 1:
            x = np.repeat(x, 3, 0)
        return np.ascontiguousarray(x[:3].transpose(1, 2, 0))

    def _toy_picture(self, pts: np.ndarray, path: bool = False) -> np.ndarray:
        S = TOY_SIZE
        img = Image.new("RGB", (S, S), (250, 250, 250))
        d = ImageDraw.Draw(img)
        self.prepare()
        cloud, real = self._cloud, self._real
        allx = np.concatenate([a for a in (cloud, real, pts) if a is not None])
        if self.family == "1d":
            lo, hi = np.percentile(allx[:, 0], [0.5, 99.5])
            lo, hi = min(lo, pts[:, 0].min()), max(hi, pts[:, 0].max())
            span = max(hi - lo, 1e-6)
            lo, hi = lo - 0.05 * span, hi + 0.05 * span
            edges = np.linspace(lo, hi, 61)
            hists = [(np.histogram(a[:, 0], edges)[0], c) for a, c in ((real, REAL), (cloud, FAKE)) if a is not None]
            top = max(h.max() for h, _ in hists) or 1
            bw = S / 60
            for h, col in hists:
                for i, v in enumerate(h):
                    y0 = S - 20 - v / top * (S - 50)
                    d.rectangle([i * bw, y0, (i + 1) * bw - 1, S - 20], outline=col)
            xs = (pts[:, 0] - lo) / (hi - lo) * S
            for i, x in enumerate(xs):
                col = self._path_colour(i, len(xs)) if path else FAKE
                d.line([x, 12, x, S - 14], fill=col, width=3)
            return np.asarray(img)
        lo, hi = np.percentile(allx, 0.5, 0), np.percentile(allx, 99.5, 0)
        c, half = (lo + hi) / 2, float(max(hi - lo)) / 2 * 1.15 + 1e-6
        to_px = lambda p: (p - c) / half * (S / 2 - 8) * np.array([1, -1]) + S / 2  # noqa: E731
        for arr, col, r in ((real, (150, 215, 235), 1.5), (cloud, (248, 200, 150), 1.5)):
            if arr is not None:
                for x, y in to_px(arr):
                    d.ellipse([x - r, y - r, x + r, y + r], fill=col)
        px = to_px(pts)
        if path and len(px) > 1:
            d.line([tuple(p) for p in px], fill=(90, 90, 90), width=1)
        for i, (x, y) in enumerate(px):
            col = self._path_colour(i, len(px)) if path else FAKE
            d.ellipse([x - 5, y - 5, x + 5, y + 5], fill=col, outline=(30, 30, 30))
        return np.asarray(img)

    @staticmethod
    def _path_colour(i: int, n: int) -> tuple[int, int, int]:
        t = i / max(n - 1, 1)
        return tuple(int(a + (b - a) * t) for a, b in zip((120, 40, 0), (255, 190, 120)))
