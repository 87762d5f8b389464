"""Quality evaluation of a variant's generator, inside a run (every eval.every iterations) or from a
checkpoint (`gan-studio eval`).

Which metrics depend on the data: 1D -> Wasserstein-1, Jensen-Shannon, |θ - μ| for the shift
generator; 2D -> modes covered, high-quality fraction, precision/recall; images -> FID, KID (± its
standard error), precision/recall in a classifier's feature space, conditional accuracy for
class-conditional models, Inception FID on request. WGAN critics add their health (weights at the
clip bound, gradient norms at interpolates). All variants add `diversity`: the mean pairwise
distance of generated samples over that of real ones (about 1 when healthy, near 0 when collapsed);
conditional games add `diversity_class`, the same ratio within each class (median over classes), since
a generator that draws one image per class looks diverse across classes. Image metrics on fewer than
MIN_FID_SAMPLES images come with a note that they are rough.
"""
from __future__ import annotations

import numpy as np
import torch

from . import catalogue, features, metrics

# Which way each metric is better is the catalogue's (quality.catalogue); these names stay for callers.
HIGHER_IS_BETTER = catalogue.names(catalogue.HIGHER)
better = catalogue.better
MIN_SAMPLES_PER_MODE = 5   # mode coverage needs this many samples per mode to mean anything
MAX_EVAL_SAMPLES = 100_000   # eval.n_samples' maximum (config.schema)
MIN_FID_SAMPLES = 1000     # real and generated images below which FID, KID, precision and recall are rough
MIN_PER_CLASS = 5          # samples of a class (generated and real) for its within-class diversity


class Evaluator:
    """Computes the metrics of `variant`. Its noise is fixed, so successive evaluations differ by
    the generator only; training's random streams are never touched."""

    def __init__(self, variant, cfg):
        self.v, self.cfg = variant, cfg
        self.data = variant.data
        self.device = variant.device
        self._real = None          # reference samples or features, computed on first use
        self._fs = None
        self.notes: list[str] = []  # one-off information (classifier trained, Inception missing)
        self._said: set[str] = set()
        self.disabled: str | None = None   # why evaluations cannot run for this data (said once in notes)

    def _note(self, text: str) -> None:
        if text not in self._said:
            self._said.add(text)
            self.notes.append(text)

    def _skip(self, text: str) -> None:
        self.disabled = text
        self._note(text)

    def due(self, step: int) -> bool:
        e = self.cfg.eval.every
        return e > 0 and step > 0 and step % e == 0 and self.disabled is None

    @property
    def n(self) -> int:
        return self.cfg.eval.n_samples

    # ------------------------------------------------------------------------ samples
    def _gen(self, seed: int) -> torch.Generator:
        return torch.Generator(device=self.device).manual_seed(self.cfg.train.seed + seed)

    @torch.no_grad()
    def generated(self, n: int | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """n samples from fixed evaluation noise (and the requested labels for conditional models).
        Batch-norm running statistics are restored afterwards, so evaluating does not alter training."""
        n = n or self.n
        g = self._gen(13)
        z = torch.randn(n, self.cfg.model.latent_dim, generator=g, device=self.device)
        y = None
        if self.v.conditional:
            y = torch.arange(n, device=self.device) % max(self.data.n_classes, 1)
        out = [self._draw(z[i:i + 500], None if y is None else y[i:i + 500]) for i in range(0, n, 500)]
        return torch.cat(out), y

    @torch.no_grad()
    def _draw(self, z, y):
        """G(z[, y]) with G's buffers (batch-norm running statistics) left as they were."""
        v = self.v
        saved = {k: b.clone() for k, b in v.G.named_buffers()}
        x = v.generate(z, y) if y is not None else v.generate(z)
        for k, b in v.G.named_buffers():
            b.copy_(saved[k])
        return x.float()

    def _real_index(self) -> torch.Tensor:
        return torch.randperm(len(self.data), generator=torch.Generator().manual_seed(5))[:self.n]

    def real(self, m: int | None = None) -> torch.Tensor:
        """The fixed reference sample of real data (same size as the generated one), or its first m.
        Images are read by index (features.take_images: from a folder's uint8 cache only these)."""
        d = self.data
        if d.family == "image":
            idx = self._real_index()[:m]
            return features.take_images(d, idx.numpy()).to(self.device)
        return d.sample(max(self.n, 2000) if d.family == "1d" else self.n, self._gen(17), self.device).x.float()

    def _real_features(self, space) -> np.ndarray:
        """The reference sample's features in `space`, read and embedded a chunk at a time."""
        idx = self._real_index().numpy()
        return np.concatenate([space.features(x.to(self.device))
                               for x in features.image_chunks(self.data, idx, chunk=1024)])

    def feature_space(self, progress=None):
        """The classifier feature space (trained on first use; `progress(done, total)` hears how far)."""
        if self._fs is None:
            self._fs = features.classifier_for(self.data, self.device, log=self._note, progress=progress)
            self._note(features.accuracy_line(self._fs))
        return self._fs

    def prepare(self):
        """Get what an evaluation needs ready, as a generator: the first evaluation of a labelled image
        data set trains the feature classifier (seconds to a minute) and yields (steps done, steps in
        all) about four times a second meanwhile, so that the trainer can report progress. Yields
        nothing when there is nothing to prepare; what cannot be prepared, evaluate() explains."""
        if (self._fs is not None or self.disabled is not None or not self.v.makes_samples
                or self.data.family != "image" or getattr(self.data, "y", None) is None):
            return
        try:
            self._fs = yield from features.classifier_steps(self.data, self.device, log=self._note)
        except features.FeaturesUnavailable:
            return
        self._note(features.accuracy_line(self._fs))

    # ------------------------------------------------------------------------ metrics
    def evaluate(self) -> dict[str, float]:
        """The metrics now; {} where none can be measured for this data (no class labels, too few
        images), with the reason in `notes` once. Evaluations that cannot run are never an error."""
        fam = self.data.family
        if not self.v.makes_samples or fam == "none" or self.disabled is not None:
            return {}
        if fam == "image" and getattr(self.data, "y", None) is None:
            self._skip("no quality metrics for this data set: it has no class labels to train the "
                       "feature classifier on (unpaired domains)")
            return {}
        if fam == "image":
            try:
                self.feature_space()
            except features.FeaturesUnavailable as e:   # one class, too few images
                self._skip(f"no quality metrics for this data set: {e}")
                return {}
        fake, y = self.generated()
        out = {"1d": self._toy_1d, "2d": self._toy_2d, "image": self._images}[fam](fake, y)
        out.update(self._critic_health(fake, y))
        return {k: float(v) for k, v in out.items()}

    def _toy_1d(self, fake, y):
        if self._real is None:
            self._real = self.real().cpu().numpy().ravel()
        r, f = self._real, fake.cpu().numpy().ravel()
        out = {"w1": metrics.wasserstein1(r, f), "js": metrics.js_divergence(r, f),
               "diversity": _ratio(f[:, None], r[:, None])}
        dirac = self.v.dirac_state()
        if dirac is not None:
            mu = float((self.data.weights * self.data.means).sum())
            out["theta_err"] = abs(float(dirac["theta"]) - mu)
        return out

    def _toy_2d(self, fake, y):
        if self._real is None:
            self._real = self.real().cpu().numpy()
        r, f = self._real, fake.cpu().numpy()
        out = {}
        c = self.data.centers
        if c is not None and len(c) * MIN_SAMPLES_PER_MODE <= len(f):
            out.update(metrics.mode_coverage(f, c, self.data.mode_std))
        elif c is not None:   # more modes than the samples can fill (a file of many points): no coverage
            out["hq"] = metrics.high_quality(f, c, self.data.mode_std)
            need = len(c) * MIN_SAMPLES_PER_MODE
            self._note(f"mode coverage is not measured: the data has {len(c):,} points (modes) and an evaluation "
                       f"draws {len(f):,} samples, but coverage needs {MIN_SAMPLES_PER_MODE} samples per mode ("
                       + (f"eval.n_samples = {need:,} or more)" if need <= MAX_EVAL_SAMPLES else
                          f"{need:,}, more than an evaluation draws: eval.n_samples is at most {MAX_EVAL_SAMPLES:,})"))
        p, rc = metrics.precision_recall(r, f, self.cfg.eval.pr_k)
        out.update(precision=p, recall=rc, diversity=_ratio(f, r))
        return out

    def _images(self, fake, y):
        fs = self.feature_space()
        if self._real is None:
            self._real = self._real_features(fs)
            self._real_stats = metrics.feature_stats(self._real)
        rf, ff = self._real, fs.features(fake)
        if min(len(rf), len(ff)) < MIN_FID_SAMPLES:
            need = ([f"a data set of at least {MIN_FID_SAMPLES:,} images (data.limit = 0 keeps them all)"]
                    if len(rf) < MIN_FID_SAMPLES else []) + (
                   [f"eval.n_samples >= {MIN_FID_SAMPLES:,}"] if len(ff) < MIN_FID_SAMPLES else [])
            self._note(f"FID, KID, precision and recall here compare {len(rf):,} real images with {len(ff):,} "
                       f"generated ones: below {MIN_FID_SAMPLES:,} of each they mostly measure the sample size "
                       f"(on 120 images, uniform noise and a trained model scored alike), so treat them as rough; "
                       f"figures to trust need {' and '.join(need)}")
        out = {"fid": metrics.frechet_distance(*self._real_stats, *metrics.feature_stats(ff))}
        out["kid"], out["kid_se"] = metrics.kid(rf, ff, self.cfg.eval.kid_subsets, max(len(ff) // 2, 2))
        out["precision"], out["recall"] = metrics.precision_recall(rf, ff, self.cfg.eval.pr_k)
        out["diversity"] = _ratio(ff, rf)
        if y is not None:
            out["acc_cond"] = metrics.conditional_accuracy(fs.predict(fake), y.cpu().numpy())
            within = self._within_class(rf, ff, y.cpu().numpy())
            if within is not None:
                out["diversity_class"] = within
        if self.cfg.eval.inception:
            try:
                inc = features.inception(self.device)
            except features.InceptionUnavailable as e:
                self._note(str(e))
            else:
                if not hasattr(self, "_inc_stats"):
                    self._inc_stats = metrics.feature_stats(self._real_features(inc))
                out["fid_inception"] = metrics.frechet_distance(*self._inc_stats,
                                                                *metrics.feature_stats(inc.features(fake)))
        return out

    def _within_class(self, rf: np.ndarray, ff: np.ndarray, y: np.ndarray) -> float | None:
        """Collapse judged within each class (conditional games): for each class, the diversity of its
        generated samples over that of its real ones, and the median over classes. A conditional
        generator that draws one image per class has a healthy diversity across classes (the classes
        differ) while each class is collapsed; this number shows it. None without labelled real data."""
        labels = getattr(self.data, "y", None)
        if labels is None:
            return None
        ry = labels[self._real_index().to(labels.device)].cpu().numpy()
        ratios = []
        for c in np.unique(y):
            f, r = ff[y == c], rf[ry == c]
            if len(f) >= MIN_PER_CLASS and len(r) >= MIN_PER_CLASS:
                ratios.append(_ratio(f, r))
        ratios = [x for x in ratios if np.isfinite(x)]
        return float(np.median(ratios)) if ratios else None

    def _critic_health(self, fake, y):
        if not self.v.watches_critic:
            return {}
        out = {}
        clip = self.v.weight_clip()
        if clip is not None:
            out["clip_frac"] = metrics.clip_fraction(self.v.D, clip)
        m = min(len(fake), 512)
        real = self.real(m) if self.data.family == "image" else self._real_tensor(m)
        critic = (lambda x: self.v.disc(x, y[:m])) if y is not None else self.v.disc
        norms = metrics.critic_grad_norms(critic, real, fake[:m], self._gen(23))
        self.v.D.zero_grad(set_to_none=True)
        q10, q50, q90 = np.quantile(norms, [0.1, 0.5, 0.9])
        out.update(gnorm_mean=norms.mean(), gnorm_dev=np.abs(norms - 1).mean(),
                   gnorm_p10=q10, gnorm_p50=q50, gnorm_p90=q90)
        return out

    def _real_tensor(self, m):
        r = self._real if self._real is not None else self.real().cpu().numpy()
        return torch.as_tensor(np.asarray(r[:m]).reshape(m, -1), dtype=torch.float32, device=self.device)

    # ------------------------------------------------------------------------ memorisation
    def memorisation(self, space: str = "feature", progress=None) -> dict[str, np.ndarray]:
        """For each sample of the fixed grid: its nearest training image, the distance and the index.
        `held` are the distances of (up to 500) held-out real images to their nearest training image
        and `reference` their median: generated samples much closer than that look copied. Training
        images are the classifier's training split (features.split), so the held-out ones are new to
        the distance's feature space too. Arrays are numpy, images in [-1, 1]."""
        if self.data.family != "image":
            raise ValueError("the memorisation check needs image data")
        v = self.v
        s = self._draw(v.fixed_z, v.fixed_y if v.conditional else None)
        d = self.data
        tr, te = features.split(len(d))
        te = te[:500]
        if space == "feature":
            fs = self.feature_space(progress)
            embed = fs.features
            q = embed(s)
        elif space == "pixel":
            embed = lambda x: x.flatten(1).cpu().numpy()   # noqa: E731
            q = embed(s)
        else:
            raise ValueError(f"space must be 'feature' or 'pixel' (got {space!r})")
        held = np.concatenate([embed(x.to(self.device)) for x in features.image_chunks(d, te)])
        # the training images a chunk at a time (a folder's cache is never read whole): the nearest
        # so far of each query, a later chunk winning only when strictly closer (the first of ties)
        best_i = np.zeros(len(q), np.int64)
        best_d = np.full(len(q), np.inf)
        held_i, held_d = np.zeros(len(held), np.int64), np.full(len(held), np.inf)
        start = 0
        for x in features.image_chunks(d, tr, chunk=1024):
            pool = embed(x.to(self.device))
            for bi, bd, queries in ((best_i, best_d, q), (held_i, held_d, held)):
                j, dist = metrics.nearest_neighbours(queries, pool)
                closer = dist < bd
                bi[closer], bd[closer] = j[closer] + start, dist[closer]
            start += len(pool)
        nearest = features.take_images(d, tr[best_i]).cpu().numpy()
        return {"samples": s.cpu().numpy(), "nearest": nearest, "index": tr[best_i], "distance": best_d,
                "reference": np.float64(np.median(held_d)), "held": held_d, "space": space}


def _ratio(fake: np.ndarray, real: np.ndarray) -> float:
    r = metrics.diversity(real)
    return metrics.diversity(fake) / r if r > 0 else float("nan")
