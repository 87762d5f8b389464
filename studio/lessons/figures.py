"""The lessons' pictures as uint8 numpy images, drawn with Pillow (no plotting library): small
multiples of the series a page watches, the game at the end of each run, the parallel lines'
divergences and the Dirac-GAN's methods (tools.plots)."""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..config import palette
from ..tools.plots import dirac_compare, dirac_png, scatter_png
from . import probes
from .play import PageResult

RUN_COLOURS = [palette.rgb(palette.FAKE), palette.rgb(palette.REAL), (120, 80, 180), (60, 150, 60)]
GREY, INK = (200, 200, 200), (40, 40, 40)
REFERENCE = {"value_dstar": (-probes.LOG4, "−log 4"), "value_d": (-probes.LOG4, "−log 4"),
             "d_real": (0.5, "½"), "d_fake": (0.5, "½")}
NAMES = {"value_dstar": "V(D*, G): the value of the game with D*", "value_d": "V(D, G) with the learned D",
         "d_vs_dstar": "mean |D − D*| where the data are", "gn_g_minimax": "‖∇θ‖ of the saturating loss log(1 − D)",
         "gn_g_nonsat": "‖∇θ‖ of the non-saturating loss −log D", "sw1": "distance to the data (SW₁)",
         "wdist": "the critic's estimate of W₁", "loss_d": "D's loss", "loss_g": "G's loss", "theta": "θ",
         "d_slope": "D's slope a", "radius": "|(θ, φ)|", "class_acc": "samples of class c classified as c",
         "cycle_error": "round-trip error |F(G(x)) − x|, |G(F(y)) − y|", "cycle": "cycle loss (training batch)", "phi": "φ", "d_real": "D(real)", "d_fake": "D(fake)"}
FONT_FILES = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
              "/usr/share/fonts/dejavu/DejaVuSans.ttf", "/Library/Fonts/Arial Unicode.ttf",
              "C:/Windows/Fonts/arial.ttf")


@lru_cache(maxsize=4)
def font(size: int = 12):
    """A font with Greek letters and maths signs where the system has one (DejaVu), else Pillow's own."""
    for f in FONT_FILES:
        if f == FONT_FILES[0] or Path(f).is_file():
            try:
                return ImageFont.truetype(f, size)
            except OSError:
                continue
    return ImageFont.load_default(size)


def line_chart(title: str, lines: list[tuple[str, np.ndarray, np.ndarray, tuple]], size=(420, 250),
               hline: tuple[float, str] | None = None, xlabel: str = "iteration", dashed: set[str] = frozenset()) -> np.ndarray:
    """One chart: each line (label, x, y, colour); infinite values are drawn at the top edge."""
    w, h = size
    img = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(img)
    f = font(12)
    left, right, top, bottom = 52, w - 10, 42, h - 34
    ys = [y[np.isfinite(y)] for _, _, y, _ in lines if len(y)]
    ys = np.concatenate(ys) if ys else np.zeros(1)
    if hline is not None:
        ys = np.append(ys, hline[0])
    xs = np.concatenate([x for _, x, _, _ in lines if len(x)] or [np.zeros(1)])
    y0, y1 = (float(ys.min()), float(ys.max())) if len(ys) else (0.0, 1.0)
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 0.5, y1 + 0.5
    pad = 0.06 * (y1 - y0)
    y0, y1 = y0 - pad, y1 + pad
    x0, x1 = float(xs.min()), float(xs.max())
    if x1 - x0 < 1e-9:
        x0, x1 = x0 - 1, x1 + 1

    def px(x, y):
        yy = np.where(np.isfinite(y), y, y1)
        return left + (x - x0) / (x1 - x0) * (right - left), bottom - (yy - y0) / (y1 - y0) * (bottom - top)

    d.rectangle([left, top, right, bottom], outline=GREY)
    d.text((left, 4), title, fill=INK, font=font(13))
    for v in (y0 + pad, (y0 + y1) / 2, y1 - pad):
        _, py = px(np.array([x0]), np.array([v]))
        d.text((4, float(py[0]) - 7), f"{v:.3g}", fill=(110, 110, 110), font=f)
    d.text((left, bottom + 4), f"{x0:.3g}", fill=(110, 110, 110), font=f)
    d.text((right - 40, bottom + 4), f"{x1:.3g}", fill=(110, 110, 110), font=f)
    d.text(((left + right) / 2 - 20, bottom + 16), xlabel, fill=(110, 110, 110), font=f)
    if hline is not None:
        hx, hy = px(np.array([x0, x1]), np.array([hline[0], hline[0]]))
        for a in np.arange(hx[0], hx[1], 8):
            d.line([a, hy[0], min(a + 4, hx[1]), hy[0]], fill=(150, 150, 150))
        d.text((right - 60, float(hy[0]) - 15), hline[1], fill=(120, 120, 120), font=f)
    lx = left
    for label, x, y, col in lines:
        if not len(x):
            continue
        pxs, pys = px(np.asarray(x, float), np.asarray(y, float))
        pts = list(zip(pxs.tolist(), pys.tolist()))
        if label in dashed:
            for i in range(0, len(pts) - 1, 2):
                d.line(pts[i:i + 2], fill=col, width=2)
        elif len(pts) > 1:
            d.line(pts, fill=col, width=2)
        else:
            d.ellipse([pts[0][0] - 3, pts[0][1] - 3, pts[0][0] + 3, pts[0][1] + 3], fill=col)
        d.text((lx, 22), "— " + label, fill=col, font=f)      # the legend: a row under the title
        lx += int(d.textlength("— " + label + "   ", font=f))
    return np.asarray(img)


def caption(text: str, width: int, height: int = 22) -> np.ndarray:
    """A line of text as an image at least `width` wide (wider when the text needs it)."""
    width = max(width, int(ImageDraw.Draw(Image.new("RGB", (1, 1))).textlength(text, font=font(13))) + 12)
    img = Image.new("RGB", (width, height), (255, 255, 255))
    ImageDraw.Draw(img).text((6, 4), text, fill=INK, font=font(13))
    return np.asarray(img)


def tile(images: list[np.ndarray], cols: int = 2) -> np.ndarray:
    """Images side by side, `cols` to a row, on white."""
    if not images:
        return np.full((10, 10, 3), 255, np.uint8)
    rows = -(-len(images) // cols)
    hs = [max(im.shape[0] for im in images[r * cols:(r + 1) * cols]) for r in range(rows)]
    w = max(sum(im.shape[1] for im in images[r * cols:(r + 1) * cols]) for r in range(rows))
    out = np.full((sum(hs), w, 3), 255, np.uint8)
    y = 0
    for r in range(rows):
        x = 0
        for im in images[r * cols:(r + 1) * cols]:
            im = im[..., :3] if im.ndim == 3 else np.repeat(im[..., None], 3, 2)
            out[y:y + im.shape[0], x:x + im.shape[1]] = im
            x += im.shape[1]
        y += hs[r]
    return out


def curves(res: PageResult) -> np.ndarray | None:
    """One chart per watched series, every run of the page that watches it overlaid."""
    names: list[str] = []
    for spec in res.page.runs:
        names += [n for n in spec.watch if n not in names]
    charts = []
    for name in names:
        lines = []
        for i, spec in enumerate(res.page.runs):
            rec = res.records.get(spec.label)
            if rec is None or name not in spec.watch or not rec.has(name):
                continue
            lines.append((spec.label, rec.steps_of(name), rec.values(name), RUN_COLOURS[i % len(RUN_COLOURS)]))
        if lines:
            xlabel = "iteration" if any(len(np.unique(x)) > 1 for _, x, _, _ in lines) else "measurement"
            if xlabel == "measurement":   # lone D or G steps: the series in the order measured
                lines = [(lab, np.arange(len(y), dtype=float), y, c) for lab, _, y, c in lines]
            charts.append(line_chart(NAMES.get(name, name), lines, hline=REFERENCE.get(name), xlabel=xlabel))
    return tile(charts) if charts else None


def end_picture(label: str, view: str, data: dict) -> np.ndarray | None:
    """The game as the studio's view shows it, reduced to a chart: 1D densities with D and D*, 2D
    samples, the saddle's trajectory."""
    if view == "1d":
        x = np.asarray(data["x"], float)
        lines = [("p_real", x, data["p_real"], palette.rgb(palette.REAL)),
                 ("p_gen", x, data["p_gen"], palette.rgb(palette.FAKE))]
        top = max(float(np.max(data["p_real"])), float(np.max(data["p_gen"])), 1e-9)
        if data.get("output") == "prob":   # D and D* on the densities' scale
            lines += [("D(x)", x, np.asarray(data["d"]) * top, palette.rgb(palette.DISC)),
                      ("D*(x)", x, np.asarray(data["d_star"]) * top, (90, 90, 90))]
        return line_chart(f"{label}: densities, D and D* (scaled)", lines, size=(420, 250), xlabel="x",
                          dashed={"D*(x)"})
    if view == "2d":
        img = scatter_png(np.asarray(data["real"]), np.asarray(data["fake"]), size=250)
        return tile([caption(f"{label}: samples at the end", img.shape[1]), img], cols=1)
    if view == "image" and "grid" in data:      # the fixed-noise grid, as the studio shows it
        return labelled(f"{label}: samples at the end", np.asarray(data["grid"]))
    if view == "cyclegan":                      # the fixed images, their translations and round trips
        names = {"a": "x (A)", "ab": "G(x)", "aba": "F(G(x))", "b": "y (B)", "ba": "F(y)", "bab": "G(F(y))"}
        parts = [caption(f"{label}: rows x, G(x), F(G(x)), y, F(y), G(F(y))", 200)]
        for key, name in names.items():
            if key in data:
                row = np.asarray(data[key])
                parts += [caption(name, row.shape[1], 18), row]
        return tile(parts, cols=1)
    if view == "saddle":
        tr = np.asarray(data["trajectory"])
        return line_chart(f"{label}: trajectory (θ, φ)", [("path", tr[:, 0], tr[:, 1], palette.rgb(palette.DISC))],
                          size=(300, 250), xlabel="θ (φ up)")
    return None


def labelled(text: str, img: np.ndarray) -> np.ndarray:
    """A picture with a caption strip above it."""
    img = img[..., :3] if img.ndim == 3 else np.repeat(img[..., None], 3, 2)
    return tile([caption(text, img.shape[1]), img], cols=1)


PICTURE_TITLES = {"interpolation": "z₀ → z₁, a line per row",      # short: the caption sets the width
                  "arithmetic": "rows a → b = 0 → 1, 1 → 2, …: 4 a's, z̄_a, z̄_b, the 4 − z̄_a + z̄_b",
                  "nearest": ""}


def run_pictures(res: PageResult, kind: str) -> np.ndarray | None:
    """Each run's picture of this kind side by side: its sample grid at the end (\"samples\") or what
    its end probe drew (record.pictures: \"interpolation\", \"arithmetic\", \"nearest\")."""
    pics = []
    for spec in res.page.runs:
        rec = res.records.get(spec.label)
        if rec is None:
            continue
        if kind == "samples":
            view, data = rec.views.get("end", ("", {}))
            if view == "image" and "grid" in data:
                pics.append(labelled(spec.label, np.asarray(data["grid"])))
        elif kind in rec.pictures:
            what = PICTURE_TITLES.get(kind, "")
            pics.append(labelled(spec.label + (f": {what}" if what else ""), rec.pictures[kind]))
    if not pics:
        return None
    if kind != "samples":
        return tile(pics, cols=1)
    per_row = 2 if len(pics) == 4 else min(3, len(pics))      # grids side by side, three to a row at most
    gap = np.full((12, 12, 3), 255, np.uint8)
    return tile([p for pic in pics for p in (pic, gap)], cols=2 * per_row)


def class_chart(res: PageResult) -> np.ndarray | None:
    """Class by class, for each run of the page: how often its samples asked to be a c were
    classified as c at the end (checks_conditional)."""
    lines = []
    for i, spec in enumerate(res.page.runs):
        rec = res.records.get(spec.label)
        if rec is None:
            continue
        per = sorted((int(k.rsplit("_", 1)[1]), rec.values(k)[-1]) for k in rec.series
                     if k.startswith("class_acc_") and len(rec.values(k)))
        if per:
            lines.append((spec.label, np.array([c for c, _ in per], float), np.array([v for _, v in per]),
                          RUN_COLOURS[i % len(RUN_COLOURS)]))
    if not lines:
        return None
    return line_chart("samples of class c classified as c, at the end", lines, size=(420, 250), xlabel="class c")


def parallel_lines_chart(seed: int = 0) -> np.ndarray:
    thetas = np.linspace(-2, 2, 81)
    c = probes.parallel_curve(thetas, 2000, seed)
    kl = np.where(np.isfinite(c["kl"]), c["kl"], np.inf)
    return line_chart("P₀ against P_θ (KL = ∞ drawn at the top)",
                      [("KL", thetas, kl, (180, 60, 60)), ("JS", thetas, c["js"], palette.rgb(palette.REAL)),
                       ("W₁", thetas, c["w1"], palette.rgb(palette.FAKE))],
                      size=(520, 300), hline=(math.log(2), "log 2"), xlabel="θ")


def page_figures(res: PageResult, seed: int = 0) -> dict[str, np.ndarray]:
    """The page's figures by kind ("curves", "end", ...), as the lesson file asks for them."""
    out = {}
    for kind in res.page.figures:
        img = None
        if kind == "curves":
            img = curves(res)
        elif kind == "end":
            pics = []
            for spec in res.page.runs:
                rec = res.records.get(spec.label)
                if rec is not None and "end" in rec.views:
                    p = end_picture(spec.label, *rec.views["end"])
                    if p is not None:
                        pics.append(p)
            img = tile(pics) if pics else None
        elif kind == "parallel_lines":
            img = parallel_lines_chart(seed)
        elif kind == "classes":
            img = class_chart(res)
        elif kind == "dirac_methods":
            img = dirac_png(dirac_compare())
        elif kind in ("samples", "interpolation", "arithmetic", "nearest"):
            img = run_pictures(res, kind)
        if img is not None:
            out[kind] = img
    return out
