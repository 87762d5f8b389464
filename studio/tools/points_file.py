"""What a points file holds, for the studio's file picker: the data kind its columns call for
(one column: points1d, two: points2d) and how many points it has. The reading and its one-line
errors (file, line, value) are the data layer's own (`data.toy.read_points`), so the picker says
exactly what a run would say."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config.schema import ConfigError
from ..data.toy import read_points

KINDS = {1: "points1d", 2: "points2d"}


@dataclass(frozen=True)
class PointsFile:
    path: str
    kind: str          # "points1d" or "points2d"
    n: int             # how many points

    @property
    def summary(self) -> str:
        return f"{self.n:,} points, {'1 column' if self.kind == 'points1d' else '2 columns'} ({self.kind})"


def columns(path: str) -> int:
    """The column count a points file declares: a .npy's second dimension (1 for a flat array), a
    CSV's first non-empty line; ConfigError (naming the file) when that is not 1 or 2."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise ConfigError(f"{p}: data.file not found")
    if p.suffix.lower() == ".npy":
        try:
            a = np.load(p, mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError, EOFError) as e:
            raise ConfigError(f"{p}: not a readable .npy file ({' '.join(str(e).split())[:120]})") from None
        n = 1 if a.ndim == 1 else (a.shape[1] if a.ndim == 2 else 0)
        where = f"has shape {a.shape}"
    else:
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"{p}: cannot read as text ({e})") from None
        first = next(((no, row) for no, row in enumerate(csv.reader(io.StringIO(text)), 1)
                      if any(c.strip() for c in row)), None)
        if first is None:
            raise ConfigError(f"{p}: is empty; expected one or two columns of numbers")
        n, where = len(first[1]), f"line {first[0]} has {len(first[1])} columns"
    if n not in KINDS:
        raise ConfigError(f"{p}: {where}; expected one column (1D points) or two (2D points)")
    return n


def describe(path: str) -> PointsFile:
    """Read a points file as a run would: its kind by column count and its point count; ConfigError
    with the run's own one-line message when it is malformed."""
    dim = columns(path)
    pts = read_points(path, dim)
    return PointsFile(str(Path(path).expanduser()), KINDS[dim], int(len(pts)))
