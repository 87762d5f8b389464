"""The run directory: config.toml, metrics.jsonl (one JSON object a line), TensorBoard scalars.

Step lines look like {"step": 12, "kind": "iter", "t": 0.53, "loss_d": ..., ...}; event lines carry
an "event" key ("set", "resume", "checkpoint", "message"). A reader follows the file as it grows.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

from ..config.io import atomic_write_bytes, dumps
from ..config.schema import Config


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)   # JSON has no NaN/inf; keep them readable
    return v


class RunLog:
    def __init__(self, run_dir: str | os.PathLike, cfg: Config, flush_every: int = 50,
                 tensorboard: bool = True):
        self.dir = Path(run_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "checkpoints").mkdir(exist_ok=True)
        (self.dir / "samples").mkdir(exist_ok=True)
        self.write_config(cfg)
        self._fh = open(self.dir / "metrics.jsonl", "a", buffering=1 << 16)
        self._flush_every = flush_every
        self._n = 0
        self._tb = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter   # optional: needs the tensorboard package
                self._tb = SummaryWriter(str(self.dir / "tb"))
            except Exception:   # tensorboard not installed: the JSON log is the record
                self._tb = None

    def write_config(self, cfg: Config) -> None:
        atomic_write_bytes(self.dir / "config.toml", dumps(cfg).encode())

    def metrics(self, step: int, kind: str, values: dict, elapsed: float) -> None:
        rec = {"step": step, "kind": kind, "t": round(elapsed, 4)}
        rec.update({k: _clean(v) for k, v in values.items()})
        self._fh.write(json.dumps(rec) + "\n")
        if self._tb is not None and kind == "iter":
            for k, v in values.items():
                self._tb.add_scalar(k, v, step)
        self._n += 1
        if self._n % self._flush_every == 0:
            self._fh.flush()

    def event(self, event: str, step: int, **kw) -> None:
        rec = {"event": event, "step": step, **{k: _clean(v) for k, v in kw.items()}}
        self._fh.write(json.dumps(rec) + "\n")
        self._fh.flush()

    def flush(self) -> None:
        self._fh.flush()
        if self._tb is not None:
            self._tb.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()
        if self._tb is not None:
            self._tb.close()


class MetricsFollower:
    """Reads complete new lines of a metrics.jsonl each poll, for a file still being written."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._pos = 0
        self._partial = b""

    def poll(self) -> list[dict]:
        try:
            with open(self.path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size < self._pos:      # file was replaced: start over
                    self._pos, self._partial = 0, b""
                fh.seek(self._pos)
                chunk = fh.read()
                self._pos += len(chunk)
        except FileNotFoundError:
            return []
        data = self._partial + chunk
        lines = data.split(b"\n")
        self._partial = lines.pop()
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out


def read_metrics(path: str | os.PathLike) -> list[dict]:
    """All records of a metrics.jsonl; step lines superseded by a later resume are dropped."""
    recs = MetricsFollower(path).poll()
    out: list[dict] = []
    for r in recs:
        if r.get("event") == "resume":
            s = r["step"]
            out = [x for x in out if x.get("step", 0) <= s]
        out.append(r)
    return out
