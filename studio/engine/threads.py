"""How many intra-op threads a CPU run gets, and noticing when steps crawl.

PyTorch's default (one thread per core) is right on an idle machine and badly wrong on a busy one:
intra-op threads spin while they wait for each other, so when another process holds one of two cores
an image run crawls at a tenth of its one-thread speed (issue 20: 0.5-0.8 it/s against 9.3). So the
default is what the machine has free: the cores this process may use (sched_getaffinity), less what
other processes keep busy (measured over a fifth of a second from /proc/stat, else the load average),
less the cores asked to be spared (the studio leaves its GUI thread one). train.threads or
GAN_STUDIO_THREADS override it; the toy games use one thread (a second only adds hand-off cost).

SlowSteps watches the run's own pace: windows of a few seconds of training time, and when two in a row
run at under a third of the best earlier window it says so once, with the remedy.
"""
from __future__ import annotations

import os
import time

import torch

TOY_FAMILIES = ("1d", "2d", "none")


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs from /proc/stat (Linux), or None."""
    try:
        with open("/proc/stat", "rb") as fh:
            f = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    if len(f) < 4:
        return None
    return f[3] + (f[4] if len(f) > 4 else 0), sum(f[:8])


def busy_cores(sample: float = 0.2) -> float:
    """How many cores other processes keep busy now: measured over `sample` seconds (Linux), else
    the one-minute load average (0 where neither can be read). This process is idle while it
    measures, so its own work does not count."""
    a = _cpu_times()
    if a is not None and sample > 0:
        time.sleep(sample)
        b = _cpu_times()
        if b is not None and b[1] > a[1]:
            return max(0.0, (1 - (b[0] - a[0]) / (b[1] - a[1])) * (os.cpu_count() or 1))
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def default_threads(family: str, spare: int = 0, sample: float = 0.2) -> int:
    """The intra-op threads a run of a data `family` gets when train.threads is 0."""
    if family in TOY_FAMILIES:
        return 1
    cores = usable_cores()
    free = cores - int(busy_cores(sample) + 0.5) - spare
    return max(1, min(cores - spare, free))


def choose_threads(threads: int, family: str, spare: int = 0) -> tuple[int, str]:
    """(the thread count, where it came from: "train.threads", "GAN_STUDIO_THREADS" or "free cores")."""
    if threads:
        return threads, "train.threads"
    env = os.environ.get("GAN_STUDIO_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env), "GAN_STUDIO_THREADS"
    return default_threads(family, spare), "free cores"


def set_cpu_threads(threads: int, family: str, spare: int = 0) -> tuple[int, str]:
    n, why = choose_threads(threads, family, spare)
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n, why


class SlowSteps:
    """Notices a run whose steps/s fell far below its own earlier pace. Feed it (step, training seconds)
    after each iteration; it returns a warning once (and again only after the pace came back)."""

    WINDOW = 5.0        # seconds of training time per measurement
    RATIO = 1 / 3       # slower than this fraction of the best window: slow
    IN_A_ROW = 2        # windows that must be slow before it says so

    def __init__(self, threads: int):
        self.threads = threads
        self.best = 0.0
        self.slow = 0
        self.said = False
        self._mark: tuple[int, float] | None = None

    def reset(self) -> None:
        """The pace changed on purpose (a pace set in the studio, a pause): measure afresh."""
        self._mark = None
        self.slow = 0

    def on_step(self, step: int, elapsed: float) -> str | None:
        if self._mark is None:
            self._mark = (step, elapsed)
            return None
        s0, t0 = self._mark
        if elapsed - t0 < self.WINDOW or step <= s0:
            return None
        rate = (step - s0) / (elapsed - t0)
        self._mark = (step, elapsed)
        if self.best and rate < self.RATIO * self.best:
            self.slow += 1
        else:
            self.slow = 0
            self.said = self.said and rate < 0.8 * self.best     # back to its pace: may say it again
            self.best = max(self.best, rate)
            return None
        if self.slow < self.IN_A_ROW or self.said:
            return None
        self.said = True
        if self.threads > 1:
            remedy = (f"other programs are using this machine's cores, and this run's {self.threads} intra-op "
                      f"threads spin waiting for each other; resume with train.threads = 1 (--set "
                      f"train.threads=1, or GAN_STUDIO_THREADS=1), or free the cores")
        else:
            remedy = "other programs are using this machine's cores; free them or train where the CPU is idle"
        return (f"training slowed to {rate:.3g} steps/s, under a third of this run's earlier {self.best:.3g} "
                f"steps/s: {remedy}")
