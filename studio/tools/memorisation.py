"""The memorisation check of a checkpoint ("did it just copy the training set?"), for the CLI
(`gan-studio eval --checkpoint CKPT --nearest OUT.png`) and the studio's Memorisation tab.

Each sample of the checkpoint's fixed-noise grid is paired with its nearest training image, in the
feature classifier's space (or in pixels for data without class labels). The yardstick is how
close real images the model never saw (the held-out split) come to the training set: a generator
that copies puts its samples much closer to training images than new real images are; one that
generalises puts them about as far or farther. `compute` returns numpy only (the studio's view
draws it without torch); `picture` draws the same as one PNG with Pillow.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..config import palette
from ..config.schema import ConfigError
from ..inspect.grids import save_png
from ..quality import features
from ..quality.evaluate import Evaluator
from .model_io import open_model

CLOSE_QUANTILE = 0.05     # a sample closer than 95% of held-out real images counts as suspiciously close
COPYING, CLOSER = 0.5, 0.8  # ratio of medians below which the verdict warns (copying / closer than new images)


def verdict(distance: np.ndarray, held: np.ndarray) -> tuple[float, int, str]:
    """(median sample distance / median held-out distance, samples closer than 95% of held-out
    images, one line saying what that means)."""
    d, h = np.asarray(distance, np.float64), np.asarray(held, np.float64)
    med_h = float(np.median(h))
    ratio = float(np.median(d)) / med_h if med_h > 0 else math.inf
    close = int((d < np.quantile(h, CLOSE_QUANTILE)).sum())
    if ratio < COPYING:
        what = "samples sit much closer to training images than new real images do: it looks like copying"
    elif ratio < CLOSER:
        what = "samples sit closer to training images than new real images do: look at the closest pairs"
    else:
        what = "no sign of copying"
    line = f"median sample distance {ratio:.2g}× the held-out median: {what}"
    return ratio, close, f"{line} ({close} of {len(d)} samples closer than 95% of held-out real images)"


def compute(path: str | Path, space: str = "feature", progress=None) -> dict:
    """The memorisation check of the checkpoint at `path`, as numpy arrays and plain values:
    samples and nearest (N, C, H, W) in [-1, 1], distance (N,), index (N,) into the data set, held
    (distances of held-out real images), reference (their median), ratio, close, verdict, space,
    step, path, notes. `progress(done, total)` hears the feature classifier train when it must.
    Bad files raise CheckpointError/ConfigError naming the file."""
    if space not in ("feature", "pixel"):
        raise ConfigError(f"the memorisation space must be 'feature' or 'pixel' (got {space!r})")
    model = open_model(path, with_data=True)
    game = model.game
    if game.view != "image" or model.data.family != "image":
        raise ConfigError(f"{path}: the memorisation check needs an image generator; this checkpoint is a "
                          f"{game.name} game on {model.data.family} data")
    ev = Evaluator(game, model.cfg)
    notes = []
    if space == "feature":
        try:
            features.check_labelled(model.data)
        except features.FeaturesUnavailable as e:
            notes.append(f"distances in pixels: {e}")
            space = "pixel"
    m = ev.memorisation(space, progress)
    notes = list(ev.notes) + notes
    ratio, close, line = verdict(m["distance"], m["held"])
    return {"samples": np.asarray(m["samples"], np.float32), "nearest": np.asarray(m["nearest"], np.float32),
            "distance": np.asarray(m["distance"], np.float64), "index": np.asarray(m["index"], np.int64),
            "held": np.asarray(m["held"], np.float64), "reference": float(m["reference"]), "ratio": ratio,
            "close": close, "verdict": line, "space": m["space"], "step": model.step, "path": str(path),
            "notes": notes}


# ------------------------------------------------------------------------------------ the picture
INK, MUTED, WARN = (30, 30, 30), (100, 100, 100), (200, 40, 40)
REAL, FAKE = palette.rgb(palette.REAL), palette.rgb(palette.FAKE)


def _font(size: int):
    return ImageFont.load_default(size)


def to_uint8(x: np.ndarray) -> np.ndarray:
    """(C, H, W) in [-1, 1] -> (H, W, 3) uint8."""
    a = np.clip((np.asarray(x, np.float32) + 1) * 127.5, 0, 255).round().astype(np.uint8)
    a = np.repeat(a, 3, 0) if a.shape[0] == 1 else a[:3]
    return a.transpose(1, 2, 0)


def nice_ticks(hi: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to about hi."""
    if hi <= 0:
        return [0.0]
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [i * step for i in range(int(hi / step) + 1)]


def histograms(distance: np.ndarray, held: np.ndarray, bins: int = 30) -> dict:
    """Shared bins and densities of sample and held-out distances (what the view and PNG draw)."""
    hi = float(max(np.max(distance), np.max(held))) * 1.05 or 1.0
    edges = np.linspace(0.0, hi, bins + 1)
    hs, _ = np.histogram(distance, edges, density=True)
    hh, _ = np.histogram(held, edges, density=True)
    return {"edges": edges, "samples": hs, "held": hh}


def picture(m: dict, cols: int = 8, title: str = "") -> np.ndarray:
    """The check as one uint8 (H, W, 3) picture: a verdict line, the pairs (sample | nearest training
    image) closest first with the distance under each (red: closer than 95% of held-out real images),
    and the histogram of sample distances against held-out ones."""
    order = np.argsort(m["distance"], kind="stable")
    n = len(order)
    side = m["samples"].shape[-1]
    s = side * max(1, math.ceil(48 / side))            # enlarged, nearest-neighbour
    gap, pair_w = 3, 2 * s + 3
    cell_w, cell_h = pair_w + 18, s + 22
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    margin = 16
    width = max(margin * 2 + cols * cell_w, 760)
    head, hist_h = 74, 230
    height = head + rows * cell_h + 24 + hist_h + margin
    img = Image.new("RGB", (width, height), (255, 255, 255))
    d = ImageDraw.Draw(img)
    f_title, f_small = _font(17), _font(12)
    space = "classifier feature space" if m["space"] == "feature" else "pixel space"
    d.text((margin, 10), title or f"Memorisation check, step {m['step']:,} ({space})", fill=INK, font=f_title)
    d.text((margin, 34), m["verdict"].replace("×", "x"), fill=WARN if m["ratio"] < CLOSER else INK, font=f_small)
    d.text((margin, 52), "each pair: generated sample | its nearest training image, distance below; closest first",
           fill=MUTED, font=f_small)
    limit = float(np.quantile(m["held"], CLOSE_QUANTILE))
    ox = (width - cols * cell_w) // 2
    for k, i in enumerate(order):
        x0, y0 = ox + (k % cols) * cell_w + 9, head + (k // cols) * cell_h
        for j, src in enumerate((m["samples"][i], m["nearest"][i])):
            tile = Image.fromarray(to_uint8(src)).resize((s, s), Image.NEAREST)
            img.paste(tile, (x0 + j * (s + gap), y0))
        d.rectangle([x0 - 1, y0 - 1, x0 + s, y0 + s], outline=FAKE)
        d.rectangle([x0 + s + gap - 1, y0 - 1, x0 + 2 * s + gap, y0 + s], outline=REAL)
        dist = float(m["distance"][i])
        text = f"{dist:.3g}"
        tw = d.textlength(text, font=f_small)
        d.text((x0 + pair_w / 2 - tw / 2, y0 + s + 3), text, fill=WARN if dist < limit else INK, font=f_small)
    _histogram(d, m, (margin, head + rows * cell_h + 16, width - margin, height - margin), f_small)
    return np.asarray(img)


def _histogram(d: ImageDraw.ImageDraw, m: dict, box, font) -> None:
    x0, y0, x1, y1 = box
    h = histograms(m["distance"], m["held"])
    edges = h["edges"]
    left, bottom, top = x0 + 44, y1 - 34, y0 + 22
    right = x1 - 8
    top_val = max(h["samples"].max(), h["held"].max()) * 1.1 or 1.0
    px = lambda v: left + (v - edges[0]) / (edges[-1] - edges[0]) * (right - left)    # noqa: E731
    py = lambda v: bottom - v / top_val * (bottom - top)                                # noqa: E731
    d.text((x0, y0), "distance to the nearest training image: generated samples (orange) vs held-out real "
                     "images (cyan); dashed: medians", fill=INK, font=font)
    d.line([left, bottom, right, bottom], fill=MUTED)
    d.line([left, top, left, bottom], fill=MUTED)
    for i in range(len(edges) - 1):
        a, b = px(edges[i]), px(edges[i + 1])
        w = (b - a) / 2
        if h["held"][i] > 0:
            d.rectangle([a, py(h["held"][i]), a + w - 1, bottom], fill=REAL)
        if h["samples"][i] > 0:
            d.rectangle([a + w, py(h["samples"][i]), b - 1, bottom], fill=FAKE)
    for t in nice_ticks(edges[-1]):
        x = px(t)
        d.line([x, bottom, x, bottom + 4], fill=MUTED)
        label = f"{t:g}"
        d.text((x - d.textlength(label, font=font) / 2, bottom + 6), label, fill=MUTED, font=font)
    d.text((left, bottom + 20), "distance", fill=MUTED, font=font)
    d.text((x0, top - 2), "density", fill=MUTED, font=font)
    for med, col, name in ((float(np.median(m["held"])), REAL, "held-out"),
                           (float(np.median(m["distance"])), FAKE, "samples")):
        x = px(med)
        for yy in range(int(top), int(bottom), 8):
            d.line([x, yy, x, min(yy + 4, bottom)], fill=col, width=2)
        label = f"{name} median {med:.3g}"
        tw = d.textlength(label, font=font)
        tx, ty = min(x + 6, right - tw), top + (0 if name == "samples" else 16)
        d.rectangle([tx - 2, ty, tx + tw + 2, ty + 14], fill=(255, 255, 255))
        d.text((tx, ty), label, fill=col, font=font)


def write_png(m: dict, out: str | Path) -> Path:
    """`picture(m)` saved atomically as `out` (a .png)."""
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise ConfigError(f"--nearest {out}: the memorisation picture is written as a .png")
    save_png(picture(m), out)
    return out
