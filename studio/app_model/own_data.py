"""What the user's own data amounts to in a config: drawn points or a points file (no Qt)."""
from __future__ import annotations

import html
from pathlib import Path

from ..config.schema import Config
from ..data.toy import MIN_POINTS

POINTS_KINDS = ("points1d", "points2d")


def drawn(cfg: Config) -> int:
    """How many drawn points the config trains on (0 when it trains on something else)."""
    d = cfg.data
    return len(d.points) if d.kind == "points2d" and not d.file else 0


def data_note(cfg: Config) -> str:
    """One line (HTML) on the run's own data for the game's caption; '' for the preset's data."""
    n = drawn(cfg)
    if n:
        return f"Trains on your {n:,} drawn points (Clear drawn: the preset's data again)."
    if cfg.data.kind in POINTS_KINDS and cfg.data.file:
        return f"Trains on the points of {html.escape(Path(cfg.data.file).name)}."
    return ""


def too_few(n: int) -> str:
    return (f"{n} drawn point{'s' * (n != 1)}: at least {MIN_POINTS} are needed to train on them "
            f"(draw more, or Clear drawn)")
