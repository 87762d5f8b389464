"""Probes and checks of the lessons on image generators (lessons 9, 10 and 13): what a trained image
generator's latent space does (interpolation, arithmetic on class means) and whether its samples
copy the images it trained on.

`end_probe(game, gen)` is called by the RunWatcher once, when an image run finishes (between two
steps on the studio's worker, as the other probes are): it measures with its own torch.Generator,
without gradients and with the networks in eval mode (as the latent explorer renders them), and
returns numbers for the record's series and pictures (uint8) for the page's figures:

- interpolation: for PAIRS pairs of latent points, G along the straight line between them (STEPS
  images); `interp_step` is the largest distance between two neighbouring images over the distance
  between the two ends (pixels), averaged over the pairs: 1/(STEPS − 1) when the images change at an
  even pace, near 1 when the path jumps.
- arithmetic on class means (unconditional generators of labelled data): N_DRAW samples are
  classified by a classifier of the real images (scikit-learn's five nearest neighbours in pixels);
  the mean latent point of each class's confident samples is z̄_c. A sample of class a moved by
  z̄_b − z̄_a should become a b: `arith_hit` is how often it does (over the ordered pairs of classes),
  `arith_hit_worst` the same for the hardest target class, `mean_hit` how often G(z̄_c) is a c, and
  `arith_base` how often a random sample is a b, averaged over the classes b (1/classes when every
  class is drawn: the chance level).
- memorisation (pixels): the nearest training image of each of N_COPY samples, against the nearest
  training image of real images the run never trained on (those `data.limit` left out of the data
  set); `copy_ratio` = median sample distance / median held-out distance (tools.memorisation's
  verdict: well below 1 looks like copying), `copy_close` the share of samples closer than 95% of the
  held-out images; `copy_side` the median distance of the samples to the nearest of m training images
  over that to the nearest of m held-out ones (m the smaller count), which asks directly whether
  the samples lean towards what G trained on. Without a held-out part (no data.limit) none is measured.

The checks read those numbers from the record; `metric_ratio` compares an evaluated metric of two
runs of the page (its `other` parameter names the second run)."""
from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING

import numpy as np
import torch

from ..data import make_data
from ..games.base import Variant, eval_mode
from ..inspect.grids import to_grid
from ..quality.metrics import nearest_neighbours
from ..tools.memorisation import picture, verdict

if TYPE_CHECKING:
    from .record import RunRecord

NAN = float("nan")
PAIRS, STEPS = 16, 9        # interpolations measured, images along each
SHOWN_PAIRS = 6             # interpolations drawn
N_DRAW = 2000               # samples classified to find the class means
CONFIDENT = 0.8             # a sample counts for its class when 4 of its 5 nearest real images are of it
PER_PAIR = 20               # samples moved from class a to class b
MIN_CLASS = 10              # confident samples a class needs for its mean
N_COPY, MAX_HELD = 256, 500  # samples checked for copying; held-out real images at most
_CLASSIFIERS: dict[tuple, object] = {}


def _pixels(x: torch.Tensor) -> np.ndarray:
    return x.detach().float().cpu().reshape(x.shape[0], -1).numpy().astype(np.float64)


@torch.no_grad()
def _g(game: Variant, z: torch.Tensor) -> torch.Tensor:
    with eval_mode(*game.modules().values()):
        out = [game.generate(z[i:i + 500].to(game.device)).float().cpu() for i in range(0, len(z), 500)]
    return torch.cat(out)


def classifier(game: Variant):
    """A classifier of the game's real images (five nearest neighbours in pixels, fitted once per data
    set, size and number of images), or None for data without labels. Nearest neighbours because fitting
    is free and predicting the few thousand samples a probe draws takes a fraction of a second; on the
    8x8 digits it classifies 98% of held-out images right (logistic regression, as accurate, took 2 to
    20 s to fit on the loaded 2-core machine)."""
    data = game.data
    x, y = getattr(data, "x", None), getattr(data, "y", None)
    if x is None or y is None or int(getattr(data, "n_classes", 0) or 0) < 2:
        return None
    key = (game.cfg.data.kind, tuple(data.shape), len(x))
    if key not in _CLASSIFIERS:
        from sklearn.neighbors import KNeighborsClassifier   # a second to import: only for these lessons
        n = min(len(x), 6000)
        idx = np.random.default_rng(0).permutation(len(x))[:n]
        _CLASSIFIERS[key] = KNeighborsClassifier(5).fit(_pixels(x[idx]), y[idx].cpu().numpy())
    return _CLASSIFIERS[key]


# ----------------------------------------------------------------------------------- interpolation
def interpolation(game: Variant, gen: torch.Generator) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    d = game.cfg.model.latent_dim
    z0, z1 = torch.randn(PAIRS, d, generator=gen), torch.randn(PAIRS, d, generator=gen)
    t = torch.linspace(0, 1, STEPS)[None, :, None]
    z = ((1 - t) * z0[:, None] + t * z1[:, None]).reshape(-1, d)
    x = _g(game, z)
    px = _pixels(x).reshape(PAIRS, STEPS, -1)
    steps = np.linalg.norm(np.diff(px, axis=1), axis=2)                  # (pairs, steps - 1)
    ends = np.linalg.norm(px[:, -1] - px[:, 0], axis=1)
    ok = ends > 1e-6
    values = {}
    if ok.any():
        values = {"interp_step": float(np.mean(steps[ok].max(1) / ends[ok])),
                  "interp_mean_step": float(np.mean(steps[ok].mean(1) / ends[ok]))}
    return values, {"interpolation": to_grid(x[:SHOWN_PAIRS * STEPS], STEPS)}


# ----------------------------------------------------------------------------------- arithmetic
def arithmetic(game: Variant, gen: torch.Generator) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    if game.conditional:
        return {}, {}
    clf = classifier(game)
    if clf is None:
        return {}, {}
    d = game.cfg.model.latent_dim
    z = torch.randn(N_DRAW, d, generator=gen)
    prob = clf.predict_proba(_pixels(_g(game, z)))
    classes = np.asarray(clf.classes_)
    label, conf = classes[prob.argmax(1)], prob.max(1)
    means = {int(c): z[torch.as_tensor((label == c) & (conf >= CONFIDENT))].mean(0)
             for c in classes if ((label == c) & (conf >= CONFIDENT)).sum() >= MIN_CLASS}
    values = {"arith_classes": float(len(means))}
    if len(means) < 2:
        return values, {}
    cs = sorted(means)
    base = {c: float(np.mean(label == c)) for c in cs}
    moved, want, rows = [], [], []
    for a in cs:
        za = z[torch.as_tensor((label == a) & (conf >= CONFIDENT))][:PER_PAIR]
        for b in cs:
            if a != b:
                moved.append(za - means[a] + means[b])
                want.append(np.full(len(za), b))
    pred = classes[clf.predict_proba(_pixels(_g(game, torch.cat(moved)))).argmax(1)]
    want = np.concatenate(want)
    pair_hit = [float(np.mean(pred[want == b] == b)) for b in cs]
    centre = classes[clf.predict_proba(_pixels(_g(game, torch.stack([means[c] for c in cs])))).argmax(1)]
    values.update(arith_hit=float(np.mean(pred == want)), arith_hit_worst=float(min(pair_hit)),
                  arith_base=float(np.mean([base[c] for c in cs])), mean_hit=float(np.mean(centre == np.array(cs))))
    # the picture: for a few pairs (a → b), a sample of a, z̄_a, z̄_b and the sample moved by z̄_b − z̄_a
    for a, b in list(zip(cs, cs[1:] + cs[:1]))[:6]:
        za = z[torch.as_tensor((label == a) & (conf >= CONFIDENT))][:4]
        rows.append(torch.cat([za, means[a][None], means[b][None], za - means[a] + means[b]]))
    n = len(rows[0])
    return values, {"arithmetic": to_grid(_g(game, torch.cat(rows)), n)}


# ----------------------------------------------------------------------------------- memorisation
def held_out(game: Variant) -> torch.Tensor | None:
    """Real images of the run's data set that it did not train on: those data.limit left out (the
    loaders keep the first `limit` images), at most MAX_HELD of them spread over the rest; None when
    the run trained on all of them."""
    cfg = game.cfg
    if not cfg.data.limit or game.data.family != "image" or getattr(game.data, "x", None) is None:
        return None
    full_cfg = copy.deepcopy(cfg.data)
    full_cfg.limit = 0
    try:
        full = make_data(full_cfg)
    except Exception:      # the full data set cannot be read again: no held-out part
        return None
    x = getattr(full, "x", None)
    n = len(game.data.x)
    if x is None or len(x) <= n:
        return None
    rest = x[n:]
    idx = np.linspace(0, len(rest) - 1, min(MAX_HELD, len(rest))).round().astype(int)
    return rest[torch.as_tensor(idx)].float().cpu()


def memorisation(game: Variant, gen: torch.Generator) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    held = held_out(game)
    if held is None:
        return {}, {}
    train = game.data.x.float().cpu()
    z = torch.randn(N_COPY, game.cfg.model.latent_dim, generator=gen)
    s = _g(game, z)
    idx, dist = nearest_neighbours(_pixels(s), _pixels(train))
    _, held_d = nearest_neighbours(_pixels(held), _pixels(train))
    ratio, close, line = verdict(dist, held_d)
    m = min(len(train), len(held))             # the samples against as many training as held-out images
    pick = lambda a: a[torch.as_tensor(np.linspace(0, len(a) - 1, m).round().astype(int))]  # noqa: E731
    _, to_train = nearest_neighbours(_pixels(s), _pixels(pick(train)))
    _, to_held = nearest_neighbours(_pixels(s), _pixels(pick(held)))
    side = float(np.median(to_train) / max(np.median(to_held), 1e-12))
    m = {"samples": s[:32].numpy(), "nearest": train[torch.as_tensor(idx[:32])].numpy(), "distance": dist[:32],
         "held": held_d, "ratio": ratio, "verdict": line, "space": "pixel", "step": 0}
    title = f"Nearest training images ({len(train)} trained on, {len(held)} held out; pixel distances)"
    return ({"copy_ratio": ratio, "copy_close": close / len(dist), "copy_side": side},
            {"nearest": picture(m, cols=8, title=title)})


def end_probe(game: Variant, gen: torch.Generator) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """The numbers and pictures above for an unconditional or conditional image generator that has
    finished; ({}, {}) for other games."""
    if game.view != "image" or not game.makes_samples or getattr(game, "translates", False):
        return {}, {}
    values, pictures = {}, {}
    for part in (interpolation, arithmetic, memorisation):
        if part is interpolation and game.conditional:
            continue
        try:
            v, p = part(game, gen)
        except (ValueError, RuntimeError, AttributeError, MemoryError):   # data it cannot read: that part is
            continue                                                     # not measured, the run keeps the rest
        values.update(v)
        pictures.update(p)
    return values, pictures


# ------------------------------------------------------------------------------------- the checks
def _last(rec: RunRecord, name: str) -> float:
    v = rec.values(name)
    return float(v[-1]) if len(v) else NAN


def interp_step(rec: RunRecord) -> float:
    """The largest step between neighbouring images of an interpolation over its ends' distance."""
    return _last(rec, "interp_step")


def arith_hit(rec: RunRecord, which: str = "mean") -> float:
    """How often a sample of class a moved by z̄_b − z̄_a is classified b: over every pair ('mean'), or
    for the hardest target class ('worst'); or how often G(z̄_c) itself is classified c ('centres')."""
    return _last(rec, {"mean": "arith_hit", "worst": "arith_hit_worst", "centres": "mean_hit"}[which])


def copy_ratio(rec: RunRecord) -> float:
    """Median distance of samples to their nearest training image over that of held-out real images."""
    return _last(rec, "copy_ratio")


def copy_close(rec: RunRecord) -> float:
    return _last(rec, "copy_close")


def copy_side(rec: RunRecord) -> float:
    """Median distance of samples to the nearest of m training images over that to the nearest of m
    held-out ones (m: the smaller set's size): below 1 when the samples lean towards what G trained on."""
    return _last(rec, "copy_side")


def _value(rec: RunRecord, key: str, at: str) -> float:
    """An evaluated metric (end, best or first evaluation), else the last value of a measured series."""
    if any(key in v for _, v in rec.evals):
        return rec.evaluated(key, at)
    return _last(rec, key)


def metric_ratio(rec: RunRecord, key: str, other: RunRecord, at: str = "end") -> float:
    """A metric of this run over the same metric of another run of the page: an evaluated one (FID, ...)
    or a number a probe measured (`copy_ratio`, `interp_step`, ...)."""
    a, b = _value(rec, key, at), _value(other, key, at)
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0:
        return NAN
    return a / b


CHECKS = {"interp_step": interp_step, "arith_hit": arith_hit, "copy_ratio": copy_ratio,
          "copy_close": copy_close, "copy_side": copy_side, "metric_ratio": metric_ratio}
# the parameters, for format.CHECKS (the loader checks lesson files against them); "run" marks a
# parameter that names another run of the page (the player hands the check that run's record)
PARAMS = {"interp_step": {}, "arith_hit": {"which": ("mean", "worst", "centres")}, "copy_ratio": {},
          "copy_close": {}, "copy_side": {}, "metric_ratio": {"key": str, "other": "run", "at": ("end", "best", "first")}}
assert set(CHECKS) == set(PARAMS)
