"""The moments of a toy run for rewind and branch: for toy runs (1D, 2D and saddle games, whose
networks are tiny) the Trainer attaches a copy of its full training state to every snapshot, and the
session's training thread records (step, view, data, state) here before the latest-wins hand-over, so
no entry is lost when the GUI is slower than the run. The history is capped (HISTORY_MAX_ENTRIES,
HISTORY_MAX_BYTES): past the cap, every other entry of its older half is dropped, so older moments thin
out evenly and the newest stay dense. Qt-free: read from the GUI thread, appended to by the training
thread, under a lock."""
from __future__ import annotations

import bisect
import copy
import ctypes
import ctypes.util
import dataclasses
import threading

HISTORY_MAX_ENTRIES = 20_000
HISTORY_MAX_BYTES = 200 * 2**20


def _load_malloc_trim():
    """glibc's malloc_trim, or None (macOS, Windows, musl): freed moments go back to the system at
    once instead of staying in the allocator's arenas (bench/rss.py --trim: RSS flat at 1011-1060 MB
    instead of a 1038-1696 MB sawtooth)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        fn = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    fn.argtypes, fn.restype = [ctypes.c_size_t], ctypes.c_int
    return fn


_MALLOC_TRIM = _load_malloc_trim()


def release_freed_memory() -> bool:
    """Hand the allocator's free pages back to the system (glibc only); True when it could."""
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True


def _nbytes(obj) -> int:
    """Bytes of the tensors and arrays in a nested state or snapshot dict."""
    if isinstance(obj, dict):
        return sum(_nbytes(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(_nbytes(v) for v in obj)
    n = getattr(obj, "nbytes", None)            # numpy arrays and torch tensors
    return int(n) if isinstance(n, int) else 64


@dataclasses.dataclass(frozen=True)
class Moment:
    step: int
    view: str
    data: dict
    state: dict | None            # the full training state (tensors), None for a seeded parent entry
    nbytes: int


class RunHistory:
    """The moments of a toy run, oldest first, safe to read from the GUI thread while the training
    thread appends. `steps()`, `at(step)` (the newest moment at or before a step), `state_at(step)`
    (a private deep copy, to branch from)."""

    def __init__(self, max_entries: int = HISTORY_MAX_ENTRIES, max_bytes: int = HISTORY_MAX_BYTES):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._lock = threading.Lock()
        self._items: list[Moment] = []
        self._bytes = 0
        self.thinned = 0                       # how many times the older half was thinned out

    def add(self, step: int, view: str, data: dict, state: dict | None) -> None:
        m = Moment(step, view, data, state, _nbytes(data) + _nbytes(state))
        with self._lock:
            if self._items and self._items[-1].step == step:     # the same step again (a lone D or G step)
                self._bytes -= self._items[-1].nbytes
                self._items[-1] = m
            else:
                self._items.append(m)
            self._bytes += m.nbytes
            thinned = self.thinned
            while len(self._items) > 2 and (len(self._items) > self.max_entries or self._bytes > self.max_bytes):
                self._thin()
        if self.thinned != thinned:
            release_freed_memory()        # the dropped moments' memory, back to the system

    def _thin(self) -> None:
        half = len(self._items) // 2
        drop = self._items[1:half:2]          # every other one of the older half (the first stays)
        keep = [m for i, m in enumerate(self._items[:half]) if i == 0 or i % 2 == 0] + self._items[half:]
        self._bytes -= sum(m.nbytes for m in drop)
        self._items = keep
        self.thinned += 1

    def extend(self, moments) -> None:
        for m in moments:
            self.add(m.step, m.view, m.data, m.state)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def steps(self) -> list[int]:
        with self._lock:
            return [m.step for m in self._items]

    def moments(self, upto: int | None = None) -> list[Moment]:
        with self._lock:
            return [m for m in self._items if upto is None or m.step <= upto]

    def at(self, step: int) -> Moment | None:
        with self._lock:
            steps = [m.step for m in self._items]
            i = bisect.bisect_right(steps, step) - 1
            return self._items[i] if i >= 0 else None

    def state_at(self, step: int) -> dict | None:
        """A deep copy of the state at `step` exactly (None when not kept): the new run trains on the copy,
        the history keeps its own."""
        m = self.at(step)
        if m is None or m.step != step or m.state is None:
            return None
        return copy.deepcopy(m.state)
