"""Slow motion (GAN Lab's): one training iteration recorded in phases for the 1D and 2D views.

`Recorder(game, probe_gen)` is entered around exactly one ordinary iteration (`game.iteration()`, as the
trainer runs it, so training's random stream is the one a plain step would use). On entry it copies G
and D and probes the game before the update; while inside it records, through the game's own
`real()`, `z()` and `d_step()`, the real batch and the noise that D's and G's turns draw, and D's loss.
`phases(values)` then returns the five phases the views play:

1. D's turn, the batch: the real batch and the generated batch G(z_D), D's outputs on each, D's loss.
2. D's turn, its gradient: where D's update raises and lowers D(x) (D after minus D before on the
   view's grid: the step the gradient took, so nothing is estimated).
3. D's turn, the update: D(x) before and after (the views animate from one to the other).
4. G's turn, the gradient: −∂L_G/∂x at G's own batch of generated points, against the D that G's
   update saw (the D just updated, or the D from before in simultaneous updates).
5. G's turn, the update: the same z carried by the new G: G_before(z) → G_after(z).

Every array is numpy; every phase dict has `key`, `turn` ("D" or "G"), `title` and `caption`, and
the data its picture needs (shared arrays, not copies).
"""
from __future__ import annotations

import copy

import numpy as np
import torch

from .probes import _np, latent, probe_1d, probe_2d

VIEWS = ("1d", "2d")
SHOWN = {"1d": 400, "2d": 512}       # the background samples carried along (as the plain snapshots)


def supported(game) -> str | None:
    """None when slow motion can show this game, else why not (one line)."""
    if game.view not in VIEWS:
        return f"slow motion shows the 1D and 2D games (this run's view is {game.view!r})"
    if not game.has_latent or game.conditional:
        return f"slow motion shows unconditional generators of samples (not the {game.name} game)"
    return None


def _read(game, module, x: torch.Tensor) -> np.ndarray:
    """What the views show of D: a probability for a logit, the raw value for a critic."""
    with torch.no_grad():
        out = module(x).squeeze(-1)
        return _np(torch.sigmoid(out) if game.output == "prob" else out)


class Recorder:
    """A context around one iteration; see the module's doc."""

    def __init__(self, game, probe_gen: torch.Generator):
        reason = supported(game)
        if reason is not None:
            raise ValueError(reason)
        self.game, self.gen = game, probe_gen
        self.calls: list[tuple[str, torch.Tensor]] = []
        self.d_losses: list[float] = []

    # ------------------------------------------------------------------ around the iteration
    def __enter__(self) -> "Recorder":
        g = self.game
        self.G0, self.D0 = copy.deepcopy(g.G), copy.deepcopy(g.D)
        self.view = g.view
        self.n_d = int(g.d_steps())
        self.simultaneous = getattr(g.p, "updates", "alternating") == "simultaneous"
        n = SHOWN[self.view]
        with torch.no_grad():
            self.z_show = latent(g, n, self.gen)
            self.real_show = _np(g.data.sample(n, self.gen, g.device).x)
        if self.view == "1d":
            self.before = probe_1d(g, self.gen, z=self.z_show, real=self.real_show.ravel())
        else:
            self.before = probe_2d(g, self.gen, z=self.z_show, real=self.real_show)
        real, z, d_step = g.real, g.z, g.d_step

        def rec_real():
            b = real()
            self.calls.append(("real", b.x.detach().clone()))
            return b

        def rec_z(n):
            t = z(n)
            self.calls.append(("z", t.detach().clone()))
            return t

        def rec_d_step(batch):
            out = d_step(batch)
            if "loss_d" in out:
                self.d_losses.append(float(out["loss_d"]))
            return out

        g.real, g.z, g.d_step = rec_real, rec_z, rec_d_step     # instance attributes shadow the methods
        return self

    def __exit__(self, *exc) -> None:
        for name in ("real", "z", "d_step"):
            self.game.__dict__.pop(name, None)

    # ------------------------------------------------------------------ the phases
    def _batches(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(D's real batch, D's noise, G's noise): the first real batch and the noise drawn after it
        (D's first update), and the last noise drawn (G's update)."""
        first_real = next((i for i, (k, _) in enumerate(self.calls) if k == "real"), None)
        if first_real is None:
            raise RuntimeError("slow motion: the iteration drew no real batch through game.real()")
        z_d = next((t for k, t in self.calls[first_real:] if k == "z"), None)
        z_g = next((t for k, t in reversed(self.calls) if k == "z"), None)
        if z_d is None or z_g is None:
            raise RuntimeError("slow motion: the iteration drew no noise through game.z()")
        return self.calls[first_real][1], z_d, z_g

    def phases(self, values: dict[str, float]) -> list[dict]:
        """The five phases of the iteration just run; `values` are its metrics (StepMetrics.values)."""
        g = self.game
        x_real, z_d, z_g = self._batches()
        with torch.no_grad():
            x_fake = self.G0(z_d)
            g_from = self.G0(z_g)
            g_to = g.G(z_g)
        d_real, d_fake = _read(g, self.D0, x_real), _read(g, self.D0, x_fake)
        # G's gradient against the D its update saw: -d(batch mean loss)/dx, times the batch size
        d_seen = self.D0 if self.simultaneous else g.D
        x = g_from.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            loss = g.generator_loss(d_seen(x)) * len(x)
            (grad,) = torch.autograd.grad(loss, x)
        d_seen.zero_grad(set_to_none=True)
        if self.view == "1d":
            after = probe_1d(g, self.gen, z=self.z_show, real=self.real_show.ravel(), xs=self.before["x"])
        else:
            after = probe_2d(g, self.gen, z=self.z_show, real=self.real_show, extent=self.before["extent"])
        loss_d = self.d_losses[0] if self.d_losses else values.get("loss_d", float("nan"))
        key = "d" if self.view == "1d" else "heat"
        d0, d1 = np.asarray(self.before[key]), np.asarray(after[key])
        delta = d1 - d0
        crit = g.output == "critic"
        what = "f(x)" if crit else "D(x)"
        n_r, n_f, n_g = len(x_real), len(x_fake), len(g_from)
        dims = lambda t: _np(t).reshape(len(t), -1) if self.view == "2d" else _np(t).ravel()   # noqa: E731
        common = {"view": self.view, "output": g.output, "before": self.before, "after": after,
                  "batch_real": dims(x_real), "batch_fake": dims(x_fake), "d_real": d_real, "d_fake": d_fake,
                  "loss_d": float(loss_d), "n_d": self.n_d, "simultaneous": self.simultaneous,
                  "z_d": _np(z_d), "z_g": _np(z_g)}
        of_d = f" (the first of its {self.n_d} updates)" if self.n_d > 1 else ""
        loss_g = values.get("loss_g", float("nan"))
        top = float(np.max(np.abs(delta))) if delta.size else 0.0
        g_moves = _np(g_to - g_from).reshape(n_g, -1)
        dist = float(np.mean(np.linalg.norm(g_moves, axis=1)))
        seen = "the D from before its update (simultaneous updates)" if self.simultaneous else "the D just updated"
        updates = f"its {self.n_d} updates" if self.n_d > 1 else "its update"
        return [
            {**common, "key": "d_batch", "turn": "D", "title": "D's turn: the batch", "state": "before",
             "caption": f"a batch of {n_r} real and {n_f} generated samples{of_d}; {what} on each: "
                        f"mean {float(d_real.mean()):.3g} on real, {float(d_fake.mean()):.3g} on generated; "
                        f"D's loss {loss_d:.4g}"},
            {**common, "key": "d_grad", "turn": "D", "title": "D's turn: its gradient", "state": "before",
             "delta": delta.astype(np.float32), "delta_max": top,
             "caption": f"where D's gradient step raises {what} (green, ↑) and lowers it (purple, ↓), after minus "
                        f"before; its loss pushes {what} up on real samples and down on generated ones; "
                        f"the largest change is {top:.2g}"},
            {**common, "key": "d_update", "turn": "D", "title": "D's turn: the update", "state": "d_update",
             "animate": True, "caption": f"{what} moves from before {updates} (dashed) to after" if self.view == "1d"
             else f"the heatmap of {what} moves from before {updates} to after"},
            {**common, "key": "g_grad", "turn": "G", "title": "G's turn: its gradient", "state": "mid",
             "g_from": dims(g_from), "g_grad": -_np(grad).reshape(n_g, -1).squeeze(-1) if self.view == "1d"
             else -_np(grad), "caption": f"−∂L_G/∂x on G's batch of {n_g} generated samples: where G's loss "
                                          f"({loss_g:.4g}) pushes each one, against {seen}"},
            {**common, "key": "g_update", "turn": "G", "title": "G's turn: the update", "state": "g_update",
             "animate": True, "g_from": dims(g_from), "g_to": dims(g_to),
             "caption": f"the same {n_g} z carried by the new G: the generated points move "
                        f"(by {dist:.2g} on average)"},
        ]
