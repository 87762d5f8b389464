"""The colours that carry a meaning, the same in every view, PNG and picture of the studio."""
from __future__ import annotations

REAL = "#10a5cf"       # cyan: real data (as in the seeds' figure)
FAKE = "#f0821e"       # orange: generated data
DISC = "#b24bd6"       # purple: the discriminator / critic
ACCENT = "#2fae5b"     # green: start markers, equilibria


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """'#rrggbb' as an (r, g, b) tuple of ints (for Pillow)."""
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
