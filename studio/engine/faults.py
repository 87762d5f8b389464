"""How a run that raised ends: an emergency checkpoint of its last finite state where it trained, then
one Failed event. Errors of input or of the environment (a bad config or checkpoint, a full disk, a
folder that may not be written) are not bugs: their message is one line naming the file and what to
do, and nobody is asked to report them. Any other exception is a bug and keeps its traceback."""
from __future__ import annotations

import errno
import os
import re
import signal
from pathlib import Path
from typing import Iterator

import torch
import torch.distributed as dist

from ..config.schema import ConfigError
from . import checkpoints
from .events import CheckpointSaved, Failed, Message

# What happened and what to do about it, by errno (the message names the file first).
ADVICE = {
    errno.ENOSPC: ("no space left on device", "free some space"),
    errno.EDQUOT: ("disk quota exceeded", "free some space"),
    errno.EACCES: ("permission denied", "make it writable or choose another run directory (--out DIR)"),
    errno.EPERM: ("operation not permitted", "make it writable or choose another run directory (--out DIR)"),
    errno.EROFS: ("read-only file system", "choose a run directory on a writable disk (--out DIR)"),
}


def one_line(text) -> str:
    return " ".join(str(text).split())


_OOM_TEXT = re.compile(r"can't allocate memory|not enough memory|out of memory", re.I)
_PEER_TEXT = re.compile(r"connection (reset|closed|refused) by peer|broken pipe|socket timeout|"
                        r"remote (worker|process)|heartbeat|connection.*(lost|closed)", re.I)


def resource_problem(e: BaseException) -> str | None:
    """What an exception that is no bug of ours means, in one line without the file: out of memory (CPU
    or GPU), or another worker of a torchrun run gone; None for anything else."""
    first = re.sub(r"^\[enforce fail[^\]]*\]\s*(err == 0\.\s*)?", "", one_line(str(e).split("\n")[0]))
    if len(first) > 160:
        first = first[:first.rfind(" ", 0, 160)] + " ..."
    first = first or type(e).__name__
    if isinstance(e, (MemoryError, torch.OutOfMemoryError)) or (isinstance(e, RuntimeError) and _OOM_TEXT.search(str(e))):
        where = "GPU memory" if isinstance(e, torch.OutOfMemoryError) else "memory"
        return (f"out of {where} ({first}); lower train.batch_size, the networks' size (model.base_channels, "
                f"model.hidden) or eval.n_samples, or close what else uses the memory")
    dist_error = getattr(dist, "DistError", ())
    if (dist_error and isinstance(e, dist_error)) or (
            isinstance(e, RuntimeError) and dist.is_available() and dist.is_initialized() and _PEER_TEXT.search(str(e))):
        peer = _PEER_TEXT.search(str(e))
        return (f"another worker of this torchrun run stopped or cannot be reached "
                f"({peer.group(0) if peer else first}), so this one stops too; look at that worker's output for why")
    return None


def failed(trainer, e: Exception, tb: str) -> Iterator:
    """The events that end `trainer`'s run after `e`: an emergency checkpoint where the run trained
    since it started, then Failed (bug=False for errors of input and of the environment)."""
    resource = resource_problem(e)
    env = resource is not None or isinstance(e, (ConfigError, checkpoints.CheckpointError, OSError))
    resume = None
    trained = (trainer.d_updates, trainer.g_updates) != getattr(trainer, "updates_at_start",
                                                                  (trainer.d_updates, trainer.g_updates))
    if trainer.write and trainer.run_dir is not None and trained:
        resume = yield from emergency(trainer, e)
    if isinstance(e, OSError):
        if resume is None and trainer.step > 0:
            resume = checkpoints.last_good(trainer.run_dir)
        message = storage_message(e, trainer.run_dir, trainer.step, resume)
    elif resource is not None:
        message = f"{resource}" + (f"; continue with: gan-studio train --resume {resume}" if resume is not None else
                                   f"; nothing of step {trainer.step} was kept" if trainer.step > 0 else "")
    elif env:
        message = one_line(e)
    else:
        message = f"{type(e).__name__}: {e}"
    log_quietly(trainer, "failed", level="error", bug=not env, text=one_line(message)[:1000])
    yield Failed(trainer.step, message, tb, bug=not env)


def storage_message(e: OSError, run_dir, step: int, resume: Path | None) -> str:
    where = e.filename if e.filename is not None else (run_dir or "the run directory")
    what, todo = ADVICE.get(e.errno, ((e.strerror or type(e).__name__).lower(), "check the disk and the run directory"))
    then = (f"resume with --resume {resume}" if resume is not None else
            "run again" if step == 0 else f"run again (no checkpoint of step {step} was kept)")
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write {where}: {what}; {todo} and {then}"
    return f"cannot write {where}: {what}; {todo}, then {then}"


def emergency(trainer, e: Exception) -> Iterator:
    """Write checkpoints/emergency_STEP.pt of the current state if its weights are finite, else name the
    last good checkpoint; yields what happened and returns the checkpoint to resume from."""
    game, step = trainer.variant, trainer.step
    bad = checkpoints.non_finite({"modules": {k: m.state_dict() for k, m in game.modules().items()},
                                  "optimizers": {k: o.state_dict() for k, o in game.optimizers().items()}})
    if bad is not None:
        good = checkpoints.last_good(trainer.run_dir)
        text = (f"the weights at step {step} are not finite (NaN or inf in {bad}), so no emergency checkpoint "
                f"was written; " +
                (f"the last good checkpoint is {good} (continue with: gan-studio train --resume {good})"
                 if good is not None else "this run has no checkpoint with finite weights"))
        yield _warn(trainer, text)
        return good
    path = trainer.run_dir / "checkpoints" / f"emergency_{step:08d}.pt"
    existed = path.is_file()
    log_quietly_flush(trainer)    # the steps the checkpoint holds are in the log before it is seen
    try:
        checkpoints.save(path, trainer.state_dict(), {
            "reason": "emergency", "metrics": trainer.last_metrics, "eval": trainer.last_eval,
            "error": one_line(f"{type(e).__name__}: {e}")[:300]})
    except Exception as err:      # the disk is full: say so, keep what is written
        if existed or not path.is_file():   # (a sidecar that did not fit leaves a good .pt)
            why = ADVICE.get(getattr(err, "errno", None), (None,))[0] or one_line(err)[:200]
            good = checkpoints.last_good(trainer.run_dir)
            text = (f"could not write the emergency checkpoint {path}: {why}; the metrics written so far are "
                    f"kept in {trainer.run_dir / 'metrics.jsonl'}"
                    + (f"; the newest good checkpoint is {good}" if good is not None else ""))
            yield _warn(trainer, text)    # the one error is Failed's
            return good
    log_quietly(trainer, "checkpoint", path=str(path), reason="emergency")
    yield CheckpointSaved(step, str(path), "emergency")
    yield _warn(trainer, f"emergency checkpoint of step {step} written: {path} "
                         f"(continue with: gan-studio train --resume {path})")
    return path


def log_quietly_flush(trainer) -> None:
    log = getattr(trainer, "log", None)
    try:
        if log is not None:
            log.flush()
    except Exception:   # noqa: BLE001 - the log is what failed; the checkpoint may still be written
        pass


def inject(point: str, step: int) -> None:
    """A test's fault at a named point: GAN_STUDIO_FAULT=POINT:STEP kills this process (SIGKILL, as
    the out-of-memory killer or a power cut would) when the run reaches that point at that step.
    Points: checkpoint_saved (a checkpoint and its sidecar are in place)."""
    want = os.environ.get("GAN_STUDIO_FAULT")
    if want and want == f"{point}:{step}":
        os.kill(os.getpid(), signal.SIGKILL)


def _warn(trainer, text: str) -> Message:
    log_quietly(trainer, "message", level="warning", code="emergency", text=text)
    return Message(trainer.step, "warning", text, "emergency")


def log_quietly(trainer, event: str, **kw) -> None:
    """A line in metrics.jsonl if the log can still be written (not when the disk is what failed)."""
    log = getattr(trainer, "log", None)
    if log is None:
        return
    try:
        log.event(event, trainer.step, **kw)
        log.flush()
    except Exception:   # noqa: BLE001 - the log is what failed; the Failed event still goes out
        pass
