"""One image file as a viewer shows it, as uint8 pixels: the first frame, turned by its EXIF
orientation, every PIL mode read at its own depth (16-bit and 32-bit grey scaled to 8 bits, not
clipped; palettes with transparency through RGBA), transparency composited over a background
colour, centre-cropped to a square and resized. No Pillow warning reaches the terminal: what Pillow
would warn about is handled here (palettes with transparency) or becomes a reason to skip the file
(a decompression bomb). Numpy and Pillow only: it runs in DataLoader worker processes."""
from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
MAX_PIXELS = 50_000_000     # a larger image is refused as a likely decompression bomb (Pillow warns at 89 M)
MAX_FILE_BYTES = 512 << 20


_BUFFER = re.compile(r"<_io\.BytesIO object at 0x[0-9a-fA-F]+>")   # Pillow names the buffer it was given


class Unreadable(ValueError):
    """A file this module refuses to read, with a reason in plain words (no exception name shown)."""


@dataclass
class Decoded:
    """A file's pixels (S, S, 3) or (S, S, 4) with alpha kept, or why it could not be read."""
    pixels: np.ndarray | None
    grey: bool = False          # every pixel has R = G = B (after compositing)
    digest: str = ""            # of the file's bytes: duplicates by content
    error: str = ""


def _scaled(a: np.ndarray, mode: str) -> np.ndarray:
    """A 16-bit, 32-bit integer or float grey image as uint8, keeping its grey levels: I;16 spans
    0..65535; I spans 0..255 or 0..65535 when its values fit, else its own range; F spans 0..1 or
    0..255 when its values fit, else its own range."""
    a = np.nan_to_num(a.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 1.0)
    if mode.startswith("I;16"):
        top, low = 65535.0, 0.0
    elif mode == "I" and lo >= 0 and hi <= 255:
        top, low = 255.0, 0.0
    elif mode == "I" and lo >= 0 and hi <= 65535:
        top, low = 65535.0, 0.0
    elif mode == "F" and lo >= 0 and hi <= 1:
        top, low = 1.0, 0.0
    elif mode == "F" and lo >= 0 and hi <= 255:
        top, low = 255.0, 0.0
    else:
        top, low = (hi, lo) if hi > lo else (lo + 1.0, lo)
    return np.clip(np.round((a - low) / (top - low) * 255.0), 0, 255).astype(np.uint8)


def rgba_of(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """(H, W, 3) uint8 colour and (H, W) uint8 alpha (None when opaque) of an image in any mode."""
    m = im.mode
    if m in ("P", "PA"):
        im = im.convert("RGBA") if (m == "PA" or "transparency" in im.info) else im.convert("RGB")
        m = im.mode
    elif m in ("L", "RGB", "1") and "transparency" in im.info:   # a colour key (PNG tRNS) hides those pixels
        im, m = im.convert("RGBA"), "RGBA"
    elif m == "1":
        im, m = im.convert("L"), "L"
    elif m in ("La", "RGBa"):   # premultiplied alpha
        im = im.convert(m.upper())
        m = im.mode
    if m in ("I", "F") or m.startswith("I;16"):
        g = _scaled(np.asarray(im), m)
        return np.repeat(g[..., None], 3, axis=2), None
    if m == "L":
        g = np.asarray(im)
        return np.repeat(g[..., None], 3, axis=2), None
    if m == "LA":
        a = np.asarray(im)
        return np.repeat(a[..., :1], 3, axis=2), a[..., 1]
    if m == "RGBA":
        a = np.asarray(im)
        return np.ascontiguousarray(a[..., :3]), a[..., 3]
    if m == "RGB":
        return np.asarray(im), None
    return np.asarray(im.convert("RGB")), None           # CMYK, YCbCr, LAB, HSV, RGBX, I;16 variants


def composite(rgb: np.ndarray, alpha: np.ndarray | None, background: tuple[int, int, int]) -> np.ndarray:
    """Colour over the background as a viewer blends it (8-bit, rounded)."""
    if alpha is None:
        return rgb
    a = alpha[..., None].astype(np.uint32)
    bg = np.asarray(background, np.uint32)
    return ((rgb.astype(np.uint32) * a + bg * (255 - a) + 127) // 255).astype(np.uint8)


def square(a: np.ndarray, side: int) -> np.ndarray:
    """Centre-crop (H, W, C) to a square and resize it to side x side (bilinear, antialiased)."""
    h, w = a.shape[:2]
    s = min(h, w)
    top, left = (h - s) // 2, (w - s) // 2
    a = a[top:top + s, left:left + s]
    if s == side:
        return np.ascontiguousarray(a)
    chans = [np.asarray(Image.fromarray(np.ascontiguousarray(a[..., c])).resize((side, side), Image.Resampling.BILINEAR))
             for c in range(a.shape[2])]
    return np.stack(chans, axis=2)


def open_image(data: bytes) -> Image.Image:
    """The first frame of an image file's bytes, loaded and turned upright (EXIF orientation)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                                  # Pillow's notes about EXIF, ICC ...
        warnings.simplefilter("error", Image.DecompressionBombWarning)   # ... but a bomb is refused
        try:
            im = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:   # Pillow's message names the in-memory buffer, not the file
            raise Unreadable("not an image file that Pillow can identify") from None
        w, h = im.size
        if w * h > MAX_PIXELS:
            raise Unreadable(f"{w}x{h} pixels is more than this studio reads ({MAX_PIXELS:,})")
        if getattr(im, "n_frames", 1) > 1:
            im.seek(0)                                                   # animated: the first frame
        im.load()
        return ImageOps.exif_transpose(im) or im


def decode_file(path: str, side: int, background: tuple[int, int, int], keep_alpha: bool = False) -> Decoded:
    """A file as (side, side, 3) uint8 (4 with keep_alpha: colour composited, then alpha), or the
    reason it cannot be read. Untrusted input: any failure of the decoder is a reason, not a crash."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return Decoded(None, error=f"larger than {MAX_FILE_BYTES >> 20} MB")
        if not data:
            return Decoded(None, error="empty file")
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        im = open_image(data)
        rgb, alpha = rgba_of(im)
        out = composite(rgb, alpha, background)
        grey = bool((out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all())
        if keep_alpha:
            out = np.concatenate([out, (alpha if alpha is not None else np.full(out.shape[:2], 255, np.uint8))[..., None]], 2)
        if out.ndim != 3 or min(out.shape[:2]) < 1:
            return Decoded(None, digest=digest, error=f"no pixels (shape {out.shape})")
        return Decoded(square(out, side), grey, digest)
    except Exception as e:   # noqa: BLE001 - a bad file is skipped with its reason, whatever the decoder raised
        text = _BUFFER.sub("the file", " ".join(str(e).split()))[:120]
        if isinstance(e, Unreadable):
            return Decoded(None, error=text)
        return Decoded(None, error=f"{type(e).__name__}: {text}" if text else type(e).__name__)


def native_side(path: str) -> int | None:
    """The shorter side of an image from its header alone (None if it cannot be read)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
        return min(w, h) if w * h <= MAX_PIXELS and min(w, h) > 0 else None
    except Exception:   # noqa: BLE001
        return None
