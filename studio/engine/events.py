"""What the trainer yields: small frozen records of numbers and numpy arrays, never tensors. The one
exception is GeneratorCopy, whose model is a frozen copy with a numpy-only interface (and the
training state a Snapshot carries for the session's rewind history when the trainer is asked to)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Started:
    step: int
    device: str
    run_dir: str
    config: dict
    resumed_from: str | None = None


@dataclass(frozen=True)
class StepMetrics:
    step: int                    # iterations completed
    kind: str                    # "iter", "d" (a lone D update) or "g" (a lone G update)
    values: dict[str, float]
    elapsed: float               # seconds of training so far (pauses excluded)


@dataclass(frozen=True)
class Snapshot:
    step: int
    view: str                    # "1d", "2d", "saddle", "image", "cyclegan"
    data: dict[str, Any] = field(default_factory=dict)   # numpy arrays and plain numbers
    state: dict | None = None    # Trainer(history=True) only: a private copy of the full training
                                 # state at this step (tensors), to branch from; the GUI never sees it


@dataclass(frozen=True)
class CheckpointSaved:
    step: int
    path: str
    reason: str                  # "periodic", "manual", "end", "best", "interrupt", "emergency"


@dataclass(frozen=True)
class ParamChanged:
    step: int
    key: str
    old: Any
    new: Any


@dataclass(frozen=True)
class StateChanged:
    step: int
    state: str                   # "running" or "paused"


@dataclass(frozen=True)
class Message:
    step: int
    level: str                   # "info", "warning", "error"
    text: str
    code: str = ""               # machine-readable kind, e.g. "diverged", "mode_collapse"


@dataclass(frozen=True)
class Evaluating:
    step: int                    # an evaluation starts now (it can take seconds); Evaluation follows


@dataclass(frozen=True)
class Evaluation:
    step: int
    values: dict[str, float]     # quality metrics (FID, coverage, ...) measured at this step


@dataclass(frozen=True)
class Progress:
    step: int                    # long work between two steps (an evaluation training its feature
    task: str                    # classifier): "classifier"; about four a second, the last with
    text: str                    # done == total
    done: int
    total: int
    seconds: float               # since the work began


@dataclass(frozen=True)
class GeneratorCopy:
    step: int
    request: int                 # the CopyGenerator command's request number
    model: Any                   # an inspect.latent.LatentModel (numpy in, numpy out)


@dataclass(frozen=True)
class SlowMotion:
    step: int                    # the iteration the phases show has just completed this step
    view: str                    # "1d" or "2d"
    phases: list = field(default_factory=list)   # dicts of numpy arrays (inspect.slowmo.Recorder.phases)


@dataclass(frozen=True)
class Finished:
    step: int
    reason: str                  # "done", "stopped" or "diverged"
    run_dir: str
    elapsed: float


@dataclass(frozen=True)
class Failed:
    step: int
    message: str                 # bug=False: one line naming the path and what to do
    traceback: str
    bug: bool = True             # False for errors of input or of the environment (bad config or
                                 # checkpoint, disk full, permission denied): no traceback to report
