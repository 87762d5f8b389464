"""What each metric means, in one place: its name, the label plots and tables give it, which way is
better (lower, higher, or closest to one), and whether it measures the generator's quality at all.

Keep-best checkpoints, sweeps (their ranking and the objective optuna sees), `compare`, the checkpoint
cards, the Runs tab and the metrics panel all ask this catalogue. `diversity` is the generated spread
over the real one: 1 is right, and a collapsed generator (near 0) is the worst, never the best.
A metric the catalogue does not know is a quality where lower is better (distances, errors).
"""
from __future__ import annotations

from dataclasses import dataclass

LOWER, HIGHER, ONE = "lower", "higher", "one"
DIRECTIONS = (LOWER, HIGHER, ONE)


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    direction: str = LOWER        # LOWER, HIGHER or ONE (closest to one is best)
    quality: bool = True          # False: a diagnostic (a standard error, the critic's gradients)

    @property
    def arrow(self) -> str:
        """↓, ↑ or → 1 for a quality; '' for a diagnostic."""
        if not self.quality:
            return ""
        return {LOWER: "↓", HIGHER: "↑", ONE: "→ 1"}[self.direction]

    @property
    def words(self) -> str:
        return {LOWER: "lower is better", HIGHER: "higher is better", ONE: "closest to 1 is best"}[self.direction]

    def objective(self, value: float) -> float:
        """The number an optimiser minimises (LOWER, ONE) or maximises (HIGHER): |value − 1| for ONE."""
        return abs(value - 1.0) if self.direction == ONE else value

    @property
    def maximize(self) -> bool:
        return self.direction == HIGHER

    def better(self, new: float, old: float | None) -> bool:
        """Whether `new` beats `old` (anything beats None)."""
        if old is None:
            return True
        if self.direction == HIGHER:
            return new > old
        return self.objective(new) < self.objective(old)

    def rank_key(self, value: float) -> float:
        """Sort key: smaller is better."""
        v = self.objective(value)
        return -v if self.direction == HIGHER else v


_METRICS = [
    Metric("fid", "FID"),
    Metric("fid_inception", "FID (Inception)"),
    Metric("kid", "KID"),
    Metric("kid_se", "KID standard error", quality=False),
    Metric("precision", "precision", HIGHER),
    Metric("recall", "recall", HIGHER),
    Metric("coverage", "coverage", HIGHER),
    Metric("modes", "modes covered", HIGHER),
    Metric("hq", "high-quality share", HIGHER),
    Metric("acc_cond", "class accuracy", HIGHER),
    Metric("w1", "W1"),
    Metric("js", "JS divergence"),
    Metric("theta_err", "|θ − μ|"),
    Metric("diversity", "diversity", ONE),
    Metric("diversity_class", "diversity within classes", ONE),
    Metric("clip_frac", "clipped weights", quality=False),
    Metric("gnorm_mean", "critic ‖∇‖ mean", quality=False),
    Metric("gnorm_dev", "critic |‖∇‖ − 1|"),
    Metric("gnorm_p10", "critic ‖∇‖ p10", quality=False),
    Metric("gnorm_p50", "critic ‖∇‖ median", quality=False),
    Metric("gnorm_p90", "critic ‖∇‖ p90", quality=False),
]
METRICS: dict[str, Metric] = {m.name: m for m in _METRICS}


def metric(name: str) -> Metric:
    """The catalogue's entry; an unknown name is a lower-is-better quality labelled by its name."""
    return METRICS.get(name) or Metric(name, name)


def better(name: str, new: float, old: float | None) -> bool:
    return metric(name).better(new, old)


def label(name: str) -> str:
    return metric(name).label


def is_quality(name: str) -> bool:
    return metric(name).quality


def names(direction: str) -> frozenset[str]:
    """The catalogued metrics of one direction."""
    return frozenset(m.name for m in _METRICS if m.direction == direction)


# What an evaluation measures, by the data family of the run (studio.data.base.family_of), in the order
# quality.evaluate reports it. "NAME:WHEN" is measured only when WHEN holds: "modes" (data of separate
# modes, studio.data.base.has_modes), "conditional" (a conditional game), "inception" (eval.inception),
# "dirac" (a model with one parameter θ), "critic" (a game that watches its critic's gradients),
# "clipped" (a critic whose weights are clipped).
MEASURED: dict[str, tuple[str, ...]] = {
    "1d": ("w1", "js", "diversity", "theta_err:dirac"),
    "2d": ("modes:modes", "coverage:modes", "hq:modes", "precision", "recall", "diversity"),
    "image": ("fid", "kid", "kid_se", "precision", "recall", "diversity", "acc_cond:conditional",
              "diversity_class:conditional", "fid_inception:inception"),
}
CRITIC = ("clip_frac:clipped", "gnorm_mean:critic", "gnorm_dev:critic", "gnorm_p10:critic", "gnorm_p50:critic",
          "gnorm_p90:critic")     # after any family's: "clipped" is a critic whose weights are clipped
# what a run is ranked by when nobody says (a sweep, keep-best's default): the first of these it measures
RANK_BY: dict[str, tuple[str, ...]] = {"1d": ("w1",), "2d": ("modes", "recall"), "image": ("fid",)}


def measured(family: str | None, when: set[str] | frozenset[str] = frozenset()) -> tuple[list[str], str | None]:
    """(the metrics an evaluation of a run of that data family measures, the default one to rank by);
    ([], None) for a family with no quality metric (no data, or a game that makes no samples)."""
    if family not in MEASURED:
        return [], None
    names = []
    for entry in MEASURED[family] + CRITIC:
        name, _, cond = entry.partition(":")
        if not cond or cond in when:
            names.append(name)
    return names, next((m for m in RANK_BY.get(family or "", ()) if m in names), names[0])
