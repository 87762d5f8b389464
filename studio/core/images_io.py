"""PNG output for sample grids and plots (Pillow, which torchvision brings), written atomically."""
from __future__ import annotations

import io
import os

import numpy as np
from PIL import Image

from ..presets import atomic_write_bytes


def save_png(img: np.ndarray, path: str | os.PathLike) -> None:
    """Save a uint8 array (H, W), (H, W, 3) or (H, W, 4) as a PNG."""
    a = np.asarray(img)
    if a.dtype != np.uint8:
        raise TypeError(f"save_png expects uint8 pixels (got {a.dtype})")
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    atomic_write_bytes(path, buf.getvalue())
