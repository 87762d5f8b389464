"""Do the toy presets keep their promise? Each preset's description is a promise; this trains every
preset (and the variations its description names) on each seed exactly as `gan-studio train
--preset NAME --seed S` does, and checks the promise with the run's own evaluation at its last step.

    python bench/presets.py [--presets NAME ...] [--seeds 0 1 2 3 4] [--set section.key=value ...] [--trace]

One line per preset and seed: the final result (modes covered for 2D rings and grids, |θ - μ| for
the shift generator, W1 and each component's share for the 1D mixture), the warnings the diagnostics
raised (their codes, in order), the seconds it took (training and evaluations) and whether the
promise holds; then a last line per preset. The settings are the preset's own: only the seed (and
for the shift generator the real mean and spread its description names) change. `--set` is for
tuning and marks its lines as not the preset's. `--trace` also prints each evaluation.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.config.io import apply_override                  # noqa: E402
from studio.config.presets import load_preset                # noqa: E402
from studio.engine.events import Evaluation, Finished, Message, StepMetrics   # noqa: E402
from studio.engine.trainer import Trainer                    # noqa: E402

WARN = ("warning", "error")
W1_MAX = 0.25     # toy-1d-mlp: W1 between the mixture and the generated samples at the end


@dataclass
class Outcome:
    final: dict            # the last evaluation's metrics
    warnings: list[str]    # codes of the warnings and errors raised, in order
    seconds: float
    evals: list[tuple[int, dict]] = field(default_factory=list)
    finished: str = ""
    last_step: dict = field(default_factory=dict)   # the last iteration's values (D(x), D(G(z)), losses)
    shares: list[float] = field(default_factory=list)   # 1D mixture: generated share of each component
    weights: list[float] = field(default_factory=list)  # ... and its real weight


def train(cfg) -> Outcome:
    """Train `cfg` headless (no run directory, no snapshots) and collect what the run measured."""
    t0 = time.perf_counter()
    t = Trainer(cfg, write=False, snapshots=False)
    evals, warns, reason, last = [], [], "", {}
    for ev in t.run():
        if isinstance(ev, StepMetrics):
            last = ev.values
        elif isinstance(ev, Evaluation):
            evals.append((ev.step, dict(ev.values)))
        elif isinstance(ev, Message) and ev.level in WARN:
            warns.append(ev.code or ev.level)
        elif isinstance(ev, Finished):
            reason = ev.reason
    out = Outcome(evals[-1][1] if evals else {}, warns, time.perf_counter() - t0, evals, reason, last)
    if cfg.data.kind == "mixture1d":
        # the run's own evaluation samples (fixed noise): the share of them within 2σ of each
        # component's mean, against the component's weight
        x = t.evaluator.generated()[0].cpu().numpy().ravel()
        means, stds = np.asarray(cfg.data.means), np.asarray(cfg.data.stds)
        near = np.abs(x[:, None] - means[None, :]) <= 2 * stds[None, :]
        out.shares = [float(v) for v in near.mean(0)]
        out.weights = [float(w) for w in np.asarray(cfg.data.weights) / np.sum(cfg.data.weights)]
    return out


# --------------------------------------------------------------------------------- the promises
@dataclass
class Case:
    label: str                              # what the line says (preset name and variation)
    preset: str
    overrides: list[str]
    result: Callable[[Outcome], str]        # the measured figure, in words
    holds: Callable[[Outcome], bool]        # does the promise hold on this run


def _modes(o: Outcome) -> str:
    f = o.final
    n = round(f["modes"] / f["coverage"]) if f.get("coverage") else "?"
    return f"modes {f.get('modes', float('nan')):.0f}/{n} hq {f.get('hq', float('nan')):.2f} div {f.get('diversity', float('nan')):.2f}"


def _theta(o: Outcome) -> str:
    return f"|θ-μ| {o.final.get('theta_err', float('nan')):.3f}"


def _mixture(o: Outcome) -> str:
    return (f"W1 {o.final.get('w1', float('nan')):.3f}, shares " + "/".join(f"{s:.2f}" for s in o.shares)
            + f", D {o.last_step.get('d_real', float('nan')):.2f}/{o.last_step.get('d_fake', float('nan')):.2f}")


def _mixture_holds(o: Outcome) -> bool:
    """Every component gets its weight's share of samples within 2σ of its mean, give or take 0.1
    (a real sample puts 95% of each share there), W1 is small and D's mean verdicts on real and
    generated batches end near 1/2."""
    return (healthy(o) and o.final.get("w1", 1e9) < W1_MAX
            and all(abs(s - 0.95 * w) <= 0.1 for s, w in zip(o.shares, o.weights))
            and all(abs(o.last_step.get(k, 0) - 0.5) < 0.1 for k in ("d_real", "d_fake")))


def healthy(o: Outcome) -> bool:
    return not o.warnings and o.finished == "done"


def shift_case(label, *overrides):
    return Case(label, "toy-1d-shift", list(overrides), _theta,
                lambda o: healthy(o) and o.final.get("theta_err", 1e9) < 0.1)


CASES: dict[str, list[Case]] = {
    # x = z + θ ends within 0.1 of μ, for the preset's N(6, 1) and for other means and spreads
    "toy-1d-shift": [
        shift_case("toy-1d-shift"),
        shift_case("toy-1d-shift μ=-4 σ=3", "data.mean=-4", "data.std=3"),
        shift_case("toy-1d-shift μ=0 σ=0.5", "data.mean=0", "data.std=0.5"),
        shift_case("toy-1d-shift μ=10 σ=2", "data.mean=10", "data.std=2"),
    ],
    # MLPs learn both components of the mixture (W1 small, both reached), no warning
    "toy-1d-mlp": [Case("toy-1d-mlp", "toy-1d-mlp", [], _mixture, _mixture_holds)],
    # non-saturating GAN: the game keeps circling (the oscillation warning) and ends on only some of
    # the modes
    "ring-2d-gan": [Case("ring-2d-gan", "ring-2d-gan", [], _modes,
                         lambda o: "oscillation" in o.warnings and o.final.get("modes", 8) < 8)],
    # minimax loss against a strong D: collapses onto one spot (the samples nearly identical, at
    # most one mode) and the mode-collapse detector says so
    "ring-2d-minimax": [Case("ring-2d-minimax", "ring-2d-minimax", [], _modes,
                             lambda o: "mode_collapse" in o.warnings and o.final.get("modes", 8) <= 1
                             and o.final.get("diversity", 1) < 0.1)],
    # WGAN-GP: all eight modes on every seed, no warning
    "ring-2d-wgan-gp": [Case("ring-2d-wgan-gp", "ring-2d-wgan-gp", [], _modes,
                             lambda o: healthy(o) and o.final.get("modes", 0) == 8)],
    # WGAN-GP on the 5x5 grid: at least 23 of 25 modes, no warning
    "grid-2d-wgan-gp": [Case("grid-2d-wgan-gp", "grid-2d-wgan-gp", [], _modes,
                             lambda o: healthy(o) and o.final.get("modes", 0) >= 23)],
}


def config(case: Case, seed: int, extra: list[str]):
    cfg = load_preset(case.preset)
    for o in case.overrides + [f"train.seed={seed}"] + extra:
        apply_override(cfg, o)
    return cfg


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="*", default=list(CASES), help=", ".join(CASES))
    ap.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2, 3, 4])
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                    help="tuning only: change a setting of every preset run (the lines say so)")
    ap.add_argument("--case", help="only the cases whose label contains this text")
    ap.add_argument("--trace", action="store_true", help="print every evaluation")
    args = ap.parse_args()
    unknown = [p for p in args.presets if p not in CASES]
    if unknown:
        ap.error(f"unknown preset(s) {', '.join(unknown)}; expected some of {', '.join(CASES)}")
    tag = f"  [--set {' '.join(args.sets)}]" if args.sets else ""
    all_ok = True
    for name in args.presets:
        for case in CASES[name]:
            if args.case and args.case not in case.label:
                continue
            oks, secs = [], []
            for seed in args.seeds:
                cfg = config(case, seed, args.sets)
                o = train(cfg)
                ok = case.holds(o)
                oks.append(ok)
                secs.append(o.seconds)
                if args.trace:
                    for step, v in o.evals:
                        print(f"    step {step:6d}: " + ", ".join(f"{k} {x:.3g}" for k, x in v.items()))
                print(f"{case.label:28s} seed {seed}: {case.result(o):44s} warnings: {','.join(o.warnings) or '-':32s}"
                      f" {o.seconds:6.1f} s  {'holds' if ok else 'FAILS'}{tag}", flush=True)
            all_ok &= all(oks)
            print(f"{case.label:28s} {sum(oks)}/{len(oks)} seeds hold; {min(secs):.1f} to {max(secs):.1f} s a run"
                  f"{tag}", flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
