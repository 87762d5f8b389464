"""Training diagnostics: detectors that watch the metric stream (StepMetrics and Evaluations) and
raise a warning with what to try, drawn from the lecture notes' GAN hacks and the WGAN paper and
fitted to the run's settings (no advice to do what it already does).

Each detector fires once per episode: after a warning it stays quiet until its condition has
cleared (or the run was rolled back). `Diagnostics.on_step(step, kind, values)` and
`Diagnostics.on_eval(step, values)` return the new Findings; the trainer logs them to metrics.jsonl
("event": "message") and yields them as Message events.
"""
from __future__ import annotations

import collections
import math
from dataclasses import dataclass

import numpy as np

from ..data.base import has_modes


@dataclass(frozen=True)
class Step:
    """One training step as the detectors see it."""
    step: int
    kind: str                 # "iter", "d", "g" or "diverged"
    values: dict


@dataclass(frozen=True)
class Finding:
    step: int
    level: str                # "warning" or "error"
    text: str
    code: str                 # the detector: "diverged", "mode_collapse", ...


ROLLBACK_HINT = ("roll back to the last good checkpoint (GUI: Roll back; CLI: "
                 "gan-studio train --resume CKPT, or --on-divergence rollback to do it automatically)")


def _d_steps(cfg) -> tuple[str, int] | None:
    """The key and value of the discriminator steps per generator step, for games that have one."""
    for name in ("k", "n_critic"):
        if hasattr(cfg.variant, name):
            return f"variant.{name}", int(getattr(cfg.variant, name))
    return None


def advice(cfg, *tips: str) -> str:
    """'Try a, b or c.' from the tips that fit this run's settings (a tip that is already the setting,
    or does not exist for this game, is left out); '' when none fits."""
    p, steps = cfg.variant, _d_steps(cfg)
    opt = (cfg.optim_d, cfg.optim_g)
    fit = {
        "more_d": steps is not None and steps[1] < 5,
        "fewer_d": steps is not None and steps[1] > 1,
        "lower_lr": True,
        "lower_d_lr": True,
        "lower_g_lr": True,
        "beta1": any(o.kind == "adam" and o.beta1 > 0.5 for o in opt),
        "r1": getattr(p, "r1_weight", None) == 0,
        "nonsaturating": getattr(p, "g_loss", None) not in (None, "nonsaturating"),
        "wgan_gp": p.name in ("gan", "wgan"),
        "larger_batch": cfg.train.batch_size < 512,
        "rollback": True,
    }
    text = {
        "more_d": f"more D steps per G step ({steps[0]} is {steps[1]})" if steps else "",
        "fewer_d": f"fewer D steps per G step ({steps[0]} is {steps[1]})" if steps else "",
        "lower_lr": "lower learning rates (optim_d.lr, optim_g.lr)",
        "lower_d_lr": "a lower D learning rate (optim_d.lr) or a higher G one",
        "lower_g_lr": "a lower generator learning rate (optim_g.lr)",
        "beta1": "Adam with beta1 = 0.5 rather than 0.9",
        "r1": "a gradient penalty on D's real data (variant.r1_weight > 0)",
        "nonsaturating": "the non-saturating loss (variant.g_loss = nonsaturating)",
        "wgan_gp": "a Wasserstein critic with gradient penalty (variant.name = wgan_gp)",
        "larger_batch": "a larger batch (train.batch_size)",
        "rollback": "rolling back to an earlier checkpoint",
    }
    chosen = [text[t] for t in tips if fit[t]]
    if not chosen:
        return ""
    return "Try " + (chosen[0] if len(chosen) == 1 else ", ".join(chosen[:-1]) + " or " + chosen[-1]) + "."


class Detector:
    code = ""
    level = "warning"

    def __init__(self, cfg, output: str):
        self.cfg, self.output = cfg, output
        self.armed = True

    def on_step(self, ev: Step) -> str | None:       # warning text, or None
        return None

    def on_eval(self, ev: Step) -> str | None:
        return None

    def reset(self) -> None:
        self.armed = True

    def once(self, trouble: bool) -> bool:
        """Whether to warn now: once per spell of trouble, re-armed by a healthy reading."""
        if not trouble:
            self.armed = True
            return False
        fire, self.armed = self.armed, False
        return fire


class Divergence(Detector):
    code, level = "diverged", "error"

    def on_step(self, ev):
        bad = [k for k, x in ev.values.items() if not math.isfinite(x)]
        if (ev.kind != "diverged" and not bad) or not self.armed:
            return None
        self.armed = False     # once, until a rollback resets the detectors
        more = advice(self.cfg, "r1", "wgan_gp")
        return (f"Training diverged at step {ev.step}: {', '.join(bad) or 'a value'} is not finite. "
                f"{ROLLBACK_HINT[0].upper()}{ROLLBACK_HINT[1:]}, then lower the learning rates (2-10x)."
                + (f" {more[:-1]} as well." if more else ""))


class _Streak(Detector):
    """Fires when a per-step condition has held for `need` consecutive iterations."""
    need = 200

    def __init__(self, cfg, output):
        super().__init__(cfg, output)
        self.run = 0

    def reset(self):
        super().reset()
        self.run = 0

    def holds(self, v: dict) -> bool | None:    # None: this step says nothing (value absent)
        raise NotImplementedError

    def on_step(self, ev):
        if ev.kind != "iter":
            return None
        h = self.holds(ev.values)
        if h is None:
            return None
        self.run = self.run + 1 if h else 0
        if not h:
            self.armed = True
        if self.armed and self.run >= self.need:
            self.armed = False
            return self.text(ev)
        return None


class DiscriminatorOverpowering(_Streak):
    """D's mean verdicts on real and generated batches nearly perfect for a long stretch."""
    code = "d_overpowering"
    need = 150

    def __init__(self, cfg, output):
        super().__init__(cfg, output)
        self.gn_peak = 0.0
        self.gn_last = None

    def holds(self, v):
        if "gn_g" in v:
            self.gn_last = v["gn_g"]
            self.gn_peak = max(self.gn_peak, v["gn_g"])
        if self.output != "prob" or "d_real" not in v or "d_fake" not in v:
            return None
        return v["d_real"] - v["d_fake"] > 0.8      # e.g. D(x) > 0.9 and D(G(z)) < 0.1

    def text(self, ev):
        v = ev.values
        grad = ""
        if self.gn_last is not None and self.gn_peak > 0:
            grad = f"; the generator's gradient norm is {self.gn_last:.2g} (peak {self.gn_peak:.2g})"
        return (f"The discriminator is overpowering the generator: for {self.run} steps it has told real "
                f"from generated almost perfectly (mean D(x) = {v['d_real']:.3f}, D(G(z)) = {v['d_fake']:.3f})"
                f"{grad}. A D that wins this clearly gives the generator little to learn from. "
                + advice(self.cfg, "fewer_d", "lower_d_lr", "nonsaturating", "wgan_gp"))


class SaturatingGradients(_Streak):
    """Under the minimax loss log(1 - D(G(z))) G's gradient is proportional to D(G(z))."""
    code = "vanishing_gradients"
    need = 100

    def holds(self, v):
        if getattr(self.cfg.variant, "g_loss", None) != "minimax" or self.output != "prob" or "d_fake" not in v:
            return None
        return v["d_fake"] < 0.05

    def text(self, ev):
        return (f"Vanishing generator gradients: with the saturating loss log(1 - D(G(z))) the gradient "
                f"reaching the generator is proportional to D(G(z)), which has stayed below 0.05 for "
                f"{self.run} steps (now {ev.values['d_fake']:.2g}). Switch to the non-saturating loss "
                f"-log D(G(z)) (variant.g_loss = nonsaturating), which gives strong gradients exactly when D "
                f"rejects the samples, or weaken D. " + advice(self.cfg, "fewer_d", "lower_d_lr"))


LOSS_SWING_ABS = 0.1      # the generator loss (in nats) must swing at least this much ...
LOSS_SWING_REL = 0.05     # ... and at least this share of its median size, to count as cycling


class Oscillation(Detector):
    """A key series (θ of the shift generator, else a logistic generator loss) cycles instead of
    settling: after removing its linear trend, its autocorrelation has a clear trough and then a
    clear peak (a full period) within a quarter of the window, so at least four cycles are seen.
    Noise (no trough-peak pattern), slow drifts (periods too long) and cycles too small to matter
    (below `min_swing`: θ trembling where it settled, a loss wiggling by thousandths) do not count."""
    code = "oscillation"
    window, every = 400, 50

    def __init__(self, cfg, output):
        super().__init__(cfg, output)
        self.buf: collections.deque = collections.deque(maxlen=self.window)
        self.key = None
        self.quiet = 0       # steps since the series last cycled

    def reset(self):
        super().reset()
        self.buf.clear()
        self.quiet = 0

    def min_swing(self, x: np.ndarray) -> float:
        """The smallest swing (5th to 95th percentile) worth a warning. For θ: a quarter of the real
        data's spread (below it the generated and real densities overlap almost entirely). For the
        generator loss: LOSS_SWING_ABS, or LOSS_SWING_REL of the loss's typical size when that is
        larger (a healthy run's loss wiggles by a few thousandths; a circling game's swings by
        tenths)."""
        if self.key != "theta":
            return max(LOSS_SWING_ABS, LOSS_SWING_REL * float(np.median(np.abs(x))))
        d = self.cfg.data
        spread = d.std if d.kind == "gaussian1d" else (max(d.stds) if d.stds else 1.0)
        return 0.25 * spread

    def on_step(self, ev):
        if ev.kind != "iter":
            return None
        if self.key is None:   # a critic's loss drifts with its scale: only θ or a logistic G loss
            keys = ("theta", "loss_g") if self.output == "prob" else ("theta",)
            self.key = next((k for k in keys if k in ev.values), "")
        x = ev.values.get(self.key)
        if x is None or not math.isfinite(x):
            return None
        self.buf.append(x)
        if len(self.buf) < self.window or ev.step % self.every:
            return None
        x = np.asarray(self.buf)
        period, strength = oscillation_stats(x, self.window // 4)
        if period and _swing(x, detrend=self.key != "theta") < self.min_swing(x):
            period = 0      # trembling around where it settled (or drifting): not a game that circles
        if not period:   # settled: warn again only after a whole window without cycling
            self.quiet += self.every
            if self.quiet >= self.window:
                self.armed = True
            return None
        self.quiet = 0
        if not self.armed:
            return None
        self.armed = False
        what = "θ" if self.key == "theta" else "the generator loss"
        amp = _swing(x, detrend=self.key != "theta")
        return (f"Oscillation: {what} cycles with a period of about {period} steps (swing {amp:.3g}, "
                f"autocorrelation {strength:.2f} one period apart) instead of settling; the gradient game is "
                f"circling its equilibrium (the minimax saddle; the Dirac GAN of Mescheder et al. 2018). "
                + advice(self.cfg, "more_d", "lower_lr", "beta1", "r1", "wgan_gp"))


def _swing(x: np.ndarray, detrend: bool = False) -> float:
    """5th to 95th percentile of a series (after removing its linear trend when asked)."""
    if detrend:
        t = np.arange(len(x))
        x = x - np.polyval(np.polyfit(t, x, 1), t)
    return float(np.percentile(x, 95) - np.percentile(x, 5))


MIN_PERIOD = 10   # steps: a shorter "cycle" is the minibatch loss's step-to-step noise (a DCGAN's G loss
                  # shows period-6 autocorrelation of 0.25-0.3 on a healthy run); games that circle
                  # do so over tens of steps (ring-2d-gan: 23 to 91; the Dirac-GAN: about 2π / lr)


def oscillation_stats(x: np.ndarray, max_period: int, trough: float = -0.25,
                      peak: float = 0.25) -> tuple[int, float]:
    """(period, autocorrelation at that period) of a detrended series; (0, 0) when it does not cycle."""
    n = len(x)
    t = np.arange(n)
    x = x - np.polyval(np.polyfit(t, x, 1), t)
    var = float(x @ x)
    if var <= 1e-24 * n:
        return 0, 0.0
    f = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(f * np.conj(f))[:max_period + 1] / var
    below = np.nonzero(acf < trough)[0]
    below = below[below >= 4]             # a cycle of fewer than 8 steps is step-to-step noise
    if not len(below):
        return 0, 0.0
    after = acf[below[0]:]
    k = int(np.argmax(after))
    if after[k] < peak or below[0] + k < MIN_PERIOD:
        return 0, 0.0
    return below[0] + k, float(after[k])


FEW_MODES = 0.5        # coverage at or below this ...
ON_MODES = 0.3         # ... while at least this share of the samples lies on a mode ...
FEW_MODES_AFTER = 3    # ... from this evaluation on ...
FEW_MODES_TIMES = 2    # ... on this many consecutive evaluations: good samples of few modes


class ModeCollapse(Detector):
    """Coverage of the toy modes, sample diversity or recall falling well below their best; or good
    samples (on a mode) of only a few modes, evaluation after evaluation."""
    code = "mode_collapse"

    def __init__(self, cfg, output):
        super().__init__(cfg, output)
        self.best: dict[str, float] = {}
        self.n_eval = 0
        self.few = 0          # consecutive evaluations with good samples of few modes

    def reset(self):
        super().reset()
        self.few = 0

    def on_eval(self, ev):
        v, b = ev.values, self.best
        self.n_eval += 1
        few = (has_modes(self.cfg.data.kind) and "coverage" in v and "hq" in v
               and self.n_eval >= FEW_MODES_AFTER and v["coverage"] <= FEW_MODES and v["hq"] >= ON_MODES)
        self.few = self.few + 1 if few else 0
        why = None
        if "coverage" in v and v["coverage"] <= b.get("coverage", 0) - 0.25:
            why = (f"the generator now covers {v['modes']:.0f} modes, down from {b['modes']:.0f} "
                   f"(coverage {v['coverage']:.2f}, best {b['coverage']:.2f})")
        elif "diversity" in v and b.get("diversity", 0) >= 0.6 and v["diversity"] < 0.35:
            why = (f"sample diversity fell to {v['diversity']:.2f} of the real data's "
                   f"(best {b['diversity']:.2f})")
        elif "diversity" in v and self.n_eval >= 3 and v["diversity"] < 0.1:
            why = f"generated samples are nearly identical (diversity {v['diversity']:.2f} of the real data's)"
        elif "diversity_class" in v and b.get("diversity_class", 0) >= 0.6 and v["diversity_class"] < 0.35:
            why = (f"within each class, sample diversity fell to {v['diversity_class']:.2f} of the real class's "
                   f"(best {b['diversity_class']:.2f}; across classes it is {v.get('diversity', math.nan):.2f}, "
                   f"which the different classes hold up): each class is drawn as a few images")
        elif "diversity_class" in v and self.n_eval >= 2 and v["diversity_class"] < 0.2:
            why = (f"the samples of each class are nearly identical (diversity within a class "
                   f"{v['diversity_class']:.2f} of the real class's, across classes {v.get('diversity', math.nan):.2f})")
        elif ("recall" in v and "coverage" not in v and v.get("precision", 0) >= 0.5   # blobs have
              and b.get("recall", 0) >= 0.4 and v["recall"] < 0.5 * b["recall"]):     # spurious recall
            why = f"recall fell to {v['recall']:.2f} (best {b['recall']:.2f}): parts of the data are no longer produced"
        elif self.few >= FEW_MODES_TIMES:
            n = round(v["modes"] / v["coverage"]) if v["coverage"] else 0
            why = (f"{v['hq']:.0%} of the samples lie on a mode, but on only {v['modes']:.0f} of the {n} modes "
                   f"(coverage {v['coverage']:.2f}, {self.few} evaluations running)")
        for k in ("coverage", "modes", "diversity", "diversity_class", "recall"):
            if k in v and math.isfinite(v[k]):
                b[k] = max(b.get(k, v[k]), v[k])
        if not self.once(why is not None):
            return None
        return (f"Mode collapse: {why}. The generator is concentrating on a few outputs that fool the "
                f"current D. " + advice(self.cfg, "wgan_gp", "more_d", "lower_g_lr", "larger_batch", "rollback"))


EXPLODED = {"prob": 1e4, "critic": 1e6}   # |loss| beyond this is no longer training (a logistic loss is a few
                                          # nats; a critic's a few hundred at most); lr = 10 gives ~1e8
EXPLODED_STEPS = 10


class ExplodingLosses(_Streak):
    """A loss of enormous size that never turns NaN (a learning rate far too high): the networks' outputs
    have blown up, and nothing is learnt, yet Divergence, which waits for NaN or inf, never fires."""
    code = "exploding"
    need = EXPLODED_STEPS

    def holds(self, v):
        limit = EXPLODED.get(self.output, EXPLODED["critic"])
        losses = [abs(x) for k, x in v.items() if k.startswith("loss") and math.isfinite(x)]
        if not losses:
            return None
        self.worst = max(((k, x) for k, x in v.items() if k.startswith("loss") and math.isfinite(x)),
                         key=lambda kx: abs(kx[1]))
        return max(losses) > limit

    def text(self, ev):
        k, x = self.worst
        lrs = f"optim_d.lr = {self.cfg.optim_d.lr:g}, optim_g.lr = {self.cfg.optim_g.lr:g}"
        return (f"Losses exploding: for {self.run} steps a loss has been beyond "
                f"{EXPLODED.get(self.output, EXPLODED['critic']):.0e} in size ({k} = {x:.3g} at step {ev.step}) "
                f"without turning NaN: the networks' outputs have blown up and nothing is being learnt. The "
                f"learning rates ({lrs}) are probably far too high: lower them 10-100x and start again, or "
                f"{ROLLBACK_HINT}.")


FID_RISE = 3.0      # an FID this many times its best so far ...
FID_KEYS = ("fid", "fid_inception")


class QualityRegression(Detector):
    """The quality got much worse than the run's best: FID several-fold over its best evaluation (the
    samples degrade while the losses look ordinary, e.g. a conditional game collapsing class by class)."""
    code = "quality_regression"

    def __init__(self, cfg, output):
        super().__init__(cfg, output)
        self.best: dict[str, tuple[float, int]] = {}

    def on_eval(self, ev):
        v, why = ev.values, None
        for k in FID_KEYS:
            x = v.get(k)
            if x is None or not math.isfinite(x):
                continue
            best = self.best.get(k)
            if best is not None and best[0] > 0 and x >= FID_RISE * best[0] and why is None:
                why = (f"{k.upper() if k == 'fid' else k} has risen to {x:.4g}, {x / best[0]:.1f}x its best "
                       f"({best[0]:.4g} at step {best[1]:,})")
            if best is None or x < best[0]:
                self.best[k] = (x, ev.step)
        if not self.once(why is not None):
            return None
        keep = self.cfg.checkpoint.keep_best
        where = ("the best checkpoint (checkpoint.keep_best) holds the better generator"
                 if keep in FID_KEYS else "set checkpoint.keep_best = 'fid' to keep the best generator")
        return (f"Quality falling: {why}; the generator has got much worse while training went on. Look at "
                f"the samples for collapse; {where}. " + advice(self.cfg, "rollback", "lower_lr", "fewer_d"))


DETECTORS = (Divergence, ExplodingLosses, DiscriminatorOverpowering, SaturatingGradients, Oscillation, ModeCollapse,
             QualityRegression)


class Diagnostics:
    """All detectors over one run. `cfg` is the live config (the detectors read g_loss from it)."""

    def __init__(self, cfg, output: str = "prob", enabled: bool = True):
        self.enabled = enabled
        self.detectors = [d(cfg, output) for d in DETECTORS]

    def on_step(self, step: int, kind: str, values: dict) -> list[Finding]:
        return self._observe(Step(step, kind, values), "on_step")

    def on_eval(self, step: int, values: dict) -> list[Finding]:
        return self._observe(Step(step, "eval", values), "on_eval")

    def _observe(self, ev: Step, method: str) -> list[Finding]:
        out = []
        for d in self.detectors:
            if not self.enabled and d.code != "diverged":
                continue
            text = getattr(d, method)(ev)
            if text:
                out.append(Finding(ev.step, d.level, text, d.code))
        return out

    def recall(self, evaluations) -> None:
        """Hear a resumed run's past evaluations, (step, values) oldest first, without warning: the
        run's bests (FID, coverage, diversity) carry over the resume."""
        for step, values in evaluations:
            self._observe(Step(step, "eval", values), "on_eval")

    def reset(self) -> None:
        """After a rollback: forget streaks and buffers, re-arm every detector."""
        for d in self.detectors:
            d.reset()
