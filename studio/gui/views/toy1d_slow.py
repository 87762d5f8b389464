"""Slow motion in the 1D view: one phase of an iteration (inspect.slowmo) drawn over the densities,
D's batch on its curve, the change of D(x) as arrows, D before its update dashed, and the generated
samples pushed along −∂L_G/∂x, then moved."""
from __future__ import annotations

import numpy as np

from .base import segments
from .slow_player import lerp

ARROW = "#d01c6a"


def draw_phase(view, ph: dict, t: float) -> None:
    """One phase of a slow-motion iteration (inspect.slowmo) drawn over the 1D view `view`, t in [0, 1]
    along its animation."""
    b, a = ph["before"], ph["after"]
    key = ph["key"]
    st = {**b, "keep_history": True}
    if ph["output"] == "critic":   # one scale for before and after: the curve's motion is the update
        both = np.concatenate([b["d"], a["d"]])
        st["d_range"] = (float(np.nanmin(both)), float(np.nanmax(both)))
    if key == "d_update":
        st["d"] = lerp(b["d"], a["d"], t)
    elif key == "g_grad":
        st["d"] = a["d"]
    elif key == "g_update":
        st = {**a, "keep_history": True, "d_range": st.get("d_range")}
        for k in ("p_gen", "d_star", "fake", "x_line", "map_g"):
            if k in b and k in a:
                st[k] = lerp(b[k], a[k], t)
    if st.get("d_range") is None:
        st.pop("d_range", None)
    view._draw_main(st)
    x, curve = view._curve
    lo, span = view._dscale
    on_curve = lambda xs: np.interp(xs, x, curve)        # noqa: E731 - a point's height: D there
    view.c_d_before.setData([], [])
    view.sl_arrows.setData([], [])
    view.sl_real.setData([], [])
    view.sl_fake.setData([], [])
    view.sl_note.setText("")
    xr0, xr1 = float(view.xr.lo[0]), float(view.xr.hi[0])
    view.sl_note.setPos(xr1, view.ytop)
    if key in ("d_batch", "d_grad", "d_update"):
        br, bf = ph["batch_real"], ph["batch_fake"]
        if key == "d_batch":   # D's own outputs on its batch
            view.sl_real.setData(br, (ph["d_real"] - lo) / span)
            view.sl_fake.setData(bf, (ph["d_fake"] - lo) / span)
        else:
            view.sl_real.setData(br, on_curve(br))
            view.sl_fake.setData(bf, on_curve(bf))
    if key == "d_grad":
        idx = np.linspace(0, len(x) - 1, 33).astype(int)[1:-1]
        dd = np.asarray(ph["delta"], float)[idx] / span
        top = float(np.max(np.abs(dd)))
        if top > 0:
            scale = 0.15 / top
            ax, ay = segments(np.stack([x[idx], curve[idx]], 1), np.stack([np.zeros(len(idx)), dd * scale], 1),
                              head=0.3)
            view.sl_arrows.setData(ax, ay)
            view.sl_note.setText(f"change of D(x), ×{scale:.3g}")
    elif key == "d_update":
        b_d = np.asarray(b["d"], float)
        view.c_d_before.setData(x, (b_d - lo) / span)
    elif key == "g_grad":
        g0, gv = np.asarray(ph["g_from"], float), np.asarray(ph["g_grad"], float)
        top = float(np.percentile(np.abs(gv), 95)) if len(gv) else 0.0
        view.sl_fake.setData(g0, on_curve(g0))
        if top > 0 and np.isfinite(top):
            scale = 0.08 * (xr1 - xr0) / top
            v = np.clip(gv * scale, -0.15 * (xr1 - xr0), 0.15 * (xr1 - xr0))
            ax, ay = segments(np.stack([g0, on_curve(g0)], 1), np.stack([v, np.zeros(len(v))], 1), head=0.3)
            view.sl_arrows.setData(ax, ay)
            view.sl_note.setText(f"−∂L_G/∂x, ×{scale:.3g}")
    elif key == "g_update":
        gx = lerp(ph["g_from"], ph["g_to"], t)
        view.sl_fake.setData(gx, on_curve(gx))
