"""What the GUI, the CLI and the tests can ask of a running trainer: small typed records put on one
thread-safe queue and handled between two training steps, in order."""
from __future__ import annotations

import collections
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class StepOnce:
    kind: str = "iter"       # a full iteration ("iter"), a lone D update ("d") or G update ("g")

    def __post_init__(self):
        if self.kind not in ("iter", "d", "g"):
            raise ValueError(f"step kind must be 'iter', 'd' or 'g' (got {self.kind!r})")


@dataclass(frozen=True)
class SetParam:
    key: str                 # a live key, e.g. "optim_g.lr"
    value: Any


@dataclass(frozen=True)
class SaveNow:
    pass


@dataclass(frozen=True)
class Rollback:
    """Back to the newest checkpoint with finite metrics, both learning rates halved."""


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class SetPace:
    """Iterations per second to train at (None: full speed). Between paced iterations the trainer
    waits on its command queue, so pause, step and stop stay instant; the headless CLI never sends it."""
    per_second: float | None = None

    def __post_init__(self):
        if self.per_second is not None and not (0 < self.per_second <= 1e6):
            raise ValueError(f"pace must be a positive number of iterations per second or None "
                             f"(got {self.per_second!r})")


@dataclass(frozen=True)
class CopyGenerator:
    """Answered with a GeneratorCopy event: a frozen copy of G for the latent explorer."""
    request: int = 0


@dataclass(frozen=True)
class SlowStep:
    """One full iteration, like StepOnce("iter"), answered also with a SlowMotion event: its phases
    (D's batch, gradient and update; G's gradient and update) for the 1D and 2D views."""


Command = Pause | Resume | StepOnce | SetParam | SaveNow | Rollback | Stop | CopyGenerator | SetPace | SlowStep


class CommandQueue:
    """Commands from any thread; the trainer drains them between steps and waits on it when paused."""

    def __init__(self) -> None:
        self._q: collections.deque = collections.deque()
        self._wake = threading.Event()

    def put(self, cmd: Command) -> None:
        if not isinstance(cmd, Command.__args__):
            raise TypeError(f"not a trainer command: {cmd!r}")
        self._q.append(cmd)
        self._wake.set()

    def pop(self) -> Command | None:
        try:
            return self._q.popleft()
        except IndexError:
            return None

    def __bool__(self) -> bool:
        return bool(self._q)

    def has(self, kind: type) -> bool:
        """Whether a command of this type is waiting (long work between two steps gives way to Stop)."""
        return any(isinstance(c, kind) for c in list(self._q))

    def wait(self, timeout: float) -> None:
        """Sleep until a command arrives or `timeout` seconds pass."""
        self._wake.wait(timeout)
        self._wake.clear()
