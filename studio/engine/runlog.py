"""The run directory: config.toml, metrics.jsonl (one JSON object a line), and TensorBoard (tb/):
the step metrics as scalars, the sample grids as images, weight and gradient histograms every
log.histogram_every iterations.

Step lines look like {"step": 12, "kind": "iter", "t": 0.53, "loss_d": ..., ...}; event lines carry
an "event" key ("set", "resume", "checkpoint", "message", "emergency", "torn_line_dropped",
"stale_tmp_removed"). A reader follows the file as it grows.

Faults: opening a run directory for writing removes the temporary files a killed atomic write left
(`.NAME.*.tmp`) and cuts a torn last line of metrics.jsonl (a kill mid-write), logging both. A write
that fails (disk full, permission denied) raises an OSError naming the file meant, once; the lines
written before it stay, the file is cut back to its last complete line, and later writes are dropped.
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
import socket
import stat
import threading
import time
from pathlib import Path

from ..config.extras import missing_extra
from ..config.io import atomic_write_bytes, dumps
from ..config.schema import Config, ConfigError


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)   # JSON has no NaN/inf; keep them readable
    return v


def storage_error(e: OSError, path: str | os.PathLike) -> OSError:
    """`e` (same errno, same OSError subclass) naming the file that was meant: the target of an atomic
    write rather than its temporary file, `path` where the error names no file (a failed write())."""
    if e.errno is None:
        return e
    target = Path(path)
    if isinstance(e.filename, (str, bytes, os.PathLike)):
        named = Path(os.fsdecode(e.filename))
        tmp = re.fullmatch(r"\.(.+)\.[A-Za-z0-9_]+\.tmp", named.name)
        target = named.parent / tmp.group(1) if tmp else named
    return OSError(e.errno, e.strerror or os.strerror(e.errno), str(target))


_TMP = re.compile(r"\.(.+)\.[A-Za-z0-9_]+\.tmp")    # atomic_write_bytes: mkstemp(prefix=".NAME.", suffix=".tmp")
_OURS_TOP = re.compile(r"config\.toml|metrics\.jsonl|\.gan-studio-run")
_OURS_CHECKPOINTS = re.compile(r"[a-z]+_\d{8}\.(pt|json|png)")
_OURS_SAMPLES = re.compile(r"step_\d{8}\.png")


def remove_stale_tmp(run_dir: str | os.PathLike) -> list[Path]:
    """Delete the temporary files (`.NAME.*.tmp`) that an atomic write killed midway left in a run
    directory, its checkpoints/ and its samples/; returns those removed."""
    d = Path(run_dir)
    removed = []
    for folder, ours in ((d, _OURS_TOP), (d / "checkpoints", _OURS_CHECKPOINTS), (d / "samples", _OURS_SAMPLES)):
        for p in sorted(folder.glob(".*.tmp")):
            m = _TMP.fullmatch(p.name)     # only the studio's own temporary names: never a user's *.tmp
            if m is None or not ours.fullmatch(m.group(1)):
                continue
            try:
                p.unlink()
            except OSError:       # gone already, or not ours to delete: writing will say so if it matters
                continue
            removed.append(p)
    return removed


def cut_torn_tail(path: str | os.PathLike) -> bytes:
    """Cut a last line that has no newline (a write cut short by a kill or a full disk) off a JSON-lines
    file; a last line that is complete JSON only lacking its newline gets the newline instead. Returns
    the bytes dropped (b"" when there was nothing to do). Needs no free space."""
    try:
        fh = open(path, "rb+")
    except FileNotFoundError:
        return b""
    with fh:
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return b""
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return b""
        pos, cut = size, 0
        while pos > 0:
            n = min(1 << 14, pos)
            pos -= n
            fh.seek(pos)
            i = fh.read(n).rfind(b"\n")
            if i >= 0:
                cut = pos + i + 1
                break
        fh.seek(cut)
        torn = fh.read()
        try:
            whole = isinstance(json.loads(torn), dict)
        except ValueError:
            whole = False
        if whole:
            fh.seek(size)
            fh.write(b"\n")
            return b""
        fh.truncate(cut)
        return torn


LOCK_NAME = "run.lock"


class RunBusy(ConfigError):
    """The run directory is being written by another live process (its lock names it)."""


def pid_alive(pid: int, start: int | None = None) -> bool:
    """Whether a process of this host with that pid exists (another user's counts as alive); with
    `start` (what process_start gave for it), only that very process: a pid reused by a later process
    (other start time) is not alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:      # someone else's process: alive
        pass
    except OSError:
        pass
    if start is not None:
        now = process_start(pid)
        if now is not None and now != start:
            return False
    return True


def process_start(pid: int) -> int | None:
    """When a process started, in clock ticks since boot (Linux: field 22 of /proc/PID/stat); None
    where there is no /proc or no such process. With boot_id(), a pid and this number name one process:
    a later process given the same pid has a later start time."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    try:    # "PID (COMM) STATE ...": COMM may hold spaces and ")", so count the fields after the last ")"
        return int(raw[raw.rindex(b")") + 1:].split()[19])      # the fields from 3 on: 22 is the 20th
    except (ValueError, IndexError):
        return None


def boot_id() -> str | None:
    """This boot of the machine (Linux: /proc/sys/kernel/random/boot_id); None elsewhere."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


class RunLock:
    """A lock file in a run directory (run.lock: pid, host, the time it was taken, the process's start
    time and the boot) held while a process writes it, so that two `train --resume` (or a studio and a
    CLI) never write one run at once. Released on a normal end; a lock whose process is gone (same host;
    a dead pid, or a pid now used by a process that started later, or an earlier boot: a SIGKILL, a
    crash, a reboot) is stale and broken, with a note. One process may take its own lock again (a
    second trainer in the studio)."""

    def __init__(self, run_dir: str | os.PathLike):
        self.path = Path(run_dir) / LOCK_NAME
        self.held = False
        self.note: str | None = None      # a stale lock that was broken

    def _read(self) -> dict | None:
        try:
            d = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError):
            return {}
        return d if isinstance(d, dict) else {}

    def acquire(self) -> "RunLock":
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(),
              "pid_start": process_start(os.getpid()), "boot": boot_id()}
        for _ in range(50):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                holder = self._read()
                if holder is None:                 # gone meanwhile: try again
                    continue
                pid, host = holder.get("pid"), holder.get("host")
                if type(pid) is not int or not isinstance(host, str):   # being written, or damaged
                    try:
                        age = time.time() - self.path.stat().st_mtime
                    except OSError:
                        continue
                    if age < 5:
                        time.sleep(0.05)
                        continue
                    self._break(holder, "an unreadable lock file")
                    continue
                if host == me["host"]:
                    why = self._stale(holder, me)
                    if why:
                        self._break(holder, why)
                        continue
                    if pid == me["pid"]:
                        self.held = True
                        return self
                since = holder.get("started")
                when = (time.strftime(" since %H:%M:%S", time.localtime(since))
                        if isinstance(since, (int, float)) and 0 < since < 1e11 else "")
                raise RunBusy(f"{self.path.parent}: in use by another GAN Studio process (pid {pid} on host "
                              f"{host}{when}); wait for it to end or stop it (if it is gone, delete "
                              f"{self.path})") from None
            except OSError as e:
                raise storage_error(e, self.path) from None
            with os.fdopen(fd, "w") as fh:
                fh.write(json.dumps(me))
            self.held = True
            return self
        raise RunBusy(f"{self.path.parent}: could not take its lock ({self.path}); try again")

    @staticmethod
    def _stale(holder: dict, me: dict) -> str | None:
        """Why a lock of this host is stale (its process is gone), or None while its process lives. A
        pid alone is not enough: after a kill the kernel may give that pid to another process, which
        would then hold the run for ever; the holder's start time (and the boot) say whether it is the
        same process. A lock without them (an older studio's) is judged by its pid alone."""
        pid, start, boot = holder["pid"], holder.get("pid_start"), holder.get("boot")
        if isinstance(boot, str) and me["boot"] and boot != me["boot"]:
            return f"the machine was restarted since its process {pid} took it"
        if not pid_alive(pid):
            return f"its process {pid} is gone"
        if type(start) is int and not pid_alive(pid, start):
            return f"its process {pid} is gone; that pid now belongs to another process, started later"
        return None

    def _break(self, holder: dict, why: str) -> None:
        """Remove a stale lock; a racer that took the lock meanwhile keeps it."""
        aside = self.path.with_name(f".{LOCK_NAME}.{os.getpid()}.stale")
        try:
            os.replace(self.path, aside)
        except OSError:
            return
        try:
            taken = json.loads(aside.read_bytes())
        except (OSError, ValueError):
            taken = {}
        if taken != holder:                       # a fresh lock of someone else: put it back
            try:
                os.link(aside, self.path)
            except OSError:
                pass
        else:
            self.note = (f"broke a stale lock on {self.path.parent} ({why}; pid {holder.get('pid')} on "
                         f"{holder.get('host')})")
        aside.unlink(missing_ok=True)

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        holder = self._read()
        if holder and holder.get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)


def _quiet_tensorboard_thread() -> None:
    """TensorBoard writes its event file on a thread of its own. A write that fails there (a full disk)
    is kept on that thread and raised by the run's next add_* call, where the log stops using
    TensorBoard (metrics.jsonl is the record, and its own failure is the one line the run reports);
    but the thread raised it too, and Python printed its traceback. That print is left out; every
    other thread's exception still reaches the hook there was before."""
    previous = threading.excepthook
    if getattr(previous, "gan_studio_quiet_tb", False):
        return

    def hook(args) -> None:
        if type(args.thread).__name__ == "_AsyncWriterThread" and isinstance(args.exc_value, OSError):
            return
        previous(args)
    hook.gan_studio_quiet_tb = True
    threading.excepthook = hook


class RunLog:
    def __init__(self, run_dir: str | os.PathLike, cfg: Config, flush_every: int = 50,
                 tensorboard: bool = True, step: int = 0):
        self.dir = Path(run_dir)
        self.path = self.dir / "metrics.jsonl"
        self.notes: list[str] = []          # what opening the directory repaired, for the user
        self.error: OSError | None = None   # the first write that failed; later writes are dropped
        self._fh = None
        self._tb = None
        for d in (self.dir, self.dir / "checkpoints", self.dir / "samples"):
            try:
                d.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise storage_error(e, d) from None
        self.lock = RunLock(self.dir).acquire()
        try:
            stale = remove_stale_tmp(self.dir)
            self.write_config(cfg)
            try:
                torn = cut_torn_tail(self.path)
                self._fh = open(self.path, "a", buffering=1 << 16)
            except OSError as e:
                raise storage_error(e, self.path) from None
        except BaseException:
            self.lock.release()
            raise
        if self.lock.note:
            self.notes.append(self.lock.note)
        self._flush_every = flush_every
        self._n = 0
        if torn:
            text = torn.decode("utf-8", "replace")
            self.event("torn_line_dropped", step, bytes=len(torn), text=text[:200])
            self.notes.append(f"{self.path}: dropped an unfinished last line ({len(torn)} bytes) that an "
                              f"interrupted run left")
        if stale:
            self.event("stale_tmp_removed", step, files=[str(p) for p in stale])
            self.notes.append(f"removed {len(stale)} temporary file(s) an interrupted save left in {self.dir}: "
                              + ", ".join(str(p.relative_to(self.dir)) for p in stale[:5])
                              + (" ..." if len(stale) > 5 else ""))
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter   # optional: needs the tensorboard package
                self._tb = SummaryWriter(str(self.dir / "tb"))
                _quiet_tensorboard_thread()
            except ModuleNotFoundError as e:   # the optional extra is missing: the JSON log is the record
                self._tb = None
                if (e.name or "").split(".")[0] == "tensorboard":
                    self.notes.append(missing_extra("tensorboard", "log.tensorboard = true needs TensorBoard")
                                      + "; metrics.jsonl holds every value (log.tensorboard = false: no TensorBoard)")
            except Exception:   # tensorboard cannot be used here: the JSON log is the record
                self._tb = None

    def write_config(self, cfg: Config) -> None:
        target = self.dir / "config.toml"
        try:
            atomic_write_bytes(target, dumps(cfg).encode())
        except OSError as e:
            raise storage_error(e, target) from None

    def _write(self, line: str, flush: bool) -> None:
        if self.error is not None or self._fh is None or self._fh.closed:
            return
        try:
            self._fh.write(line)
            if flush:
                self._fh.flush()
        except OSError as e:
            self._broken(e)
            raise self.error from None

    def _broken(self, e: OSError) -> None:
        """A write failed: keep what reached the file, cut a torn last line, write nothing more."""
        if self.error is None:
            self.error = storage_error(e, self.path)
        try:
            self._fh.close()          # flushes again, fails again, closes the file anyway
        except OSError:
            pass
        try:
            cut_torn_tail(self.path)
        except OSError:
            pass

    def metrics(self, step: int, kind: str, values: dict, elapsed: float) -> None:
        rec = {"step": step, "kind": kind, "t": round(elapsed, 4)}
        rec.update({k: _clean(v) for k, v in values.items()})
        self._n += 1
        self._write(json.dumps(rec) + "\n", self._n % self._flush_every == 0)
        if self._tb is not None and kind == "iter":
            try:
                for k, v in values.items():
                    self._tb.add_scalar(k, v, step)
            except Exception:   # TensorBoard is extra: the JSON log is the record
                self._tb = None

    def image(self, tag: str, img, step: int) -> None:
        """A uint8 (H, W, 3) picture (the sample grid) as a TensorBoard image."""
        if self._tb is not None:
            try:
                self._tb.add_image(tag, img, step, dataformats="HWC")
            except Exception:   # TensorBoard is extra: the PNG in samples/ is the record
                self._tb = None

    def histograms(self, modules: dict, step: int) -> None:
        """TensorBoard histograms of every parameter of `modules` ({"G": net, "D": net}) and of its
        gradient from the last update (where there is one), tagged weights/G/... and grads/G/...."""
        if self._tb is None:
            return
        try:
            for name, module in modules.items():
                for pname, p in module.named_parameters():
                    self._tb.add_histogram(f"weights/{name}/{pname}", p.detach().float().cpu(), step)
                    if p.grad is not None:
                        self._tb.add_histogram(f"grads/{name}/{pname}", p.grad.detach().float().cpu(), step)
        except Exception:
            self._tb = None

    def event(self, event: str, step: int, **kw) -> None:
        rec = {"event": event, "step": step, **{k: _clean(v) for k, v in kw.items()}}
        self._write(json.dumps(rec) + "\n", True)
        if event == "eval" and self._tb is not None:     # quality metrics: TensorBoard's eval/ group
            try:
                for k, v in kw.items():
                    if isinstance(v, (int, float)):
                        self._tb.add_scalar(f"eval/{k}", v, step)
            except Exception:
                self._tb = None

    def flush(self) -> None:
        if self.error is None and self._fh is not None and not self._fh.closed:
            try:
                self._fh.flush()
            except OSError as e:
                self._broken(e)
                raise self.error from None
        if self._tb is not None:
            try:
                self._tb.flush()
            except Exception:
                self._tb = None

    def close(self) -> None:
        """Never raises: a failure to flush the last lines is kept in `error` (flush() reports it)."""
        if self._fh is not None and not self._fh.closed:
            try:
                self._fh.close()
            except OSError as e:
                self._broken(e)
        if self._tb is not None:
            try:
                self._tb.close()
            except Exception:
                pass
            self._tb = None
        try:
            self.lock.release()
        except OSError:       # the directory went away: nothing left to unlock
            pass


class MetricsFollower:
    """Reads complete new lines of a metrics.jsonl each poll, for a file still being written. An
    unfinished last line is read again at the next poll, so a torn line that a resumed run cut off
    (see cut_torn_tail) is never glued onto the lines written after it. A malformed line (not JSON, or
    fields of the wrong type: see record_problem) is skipped and counted in `skipped`; the first one is
    logged once, as one line naming the file and its line number, and kept in `warning` for a reader
    that shows it (the studio's messages)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._pos = 0           # the end of the last complete line delivered
        self._line = 0          # complete lines read so far
        self.skipped = 0
        self.warning: str | None = None
        self.more = False       # poll(max_bytes) left complete lines for the next poll
        self._overlong = False  # inside a line longer than max_bytes (skipped)

    def poll(self, max_bytes: int | None = None) -> list[dict]:
        """The records of the complete lines added since the last poll: of at most `max_bytes` of the
        file when given (whole lines; `more` then says whether there is more to read, for a reader that
        works through a large file a piece at a time, off the GUI thread). Only a regular file is read,
        up to its size when opened: a FIFO or a device named metrics.jsonl is never waited on (its
        `warning` says so)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))   # a FIFO: no wait for a writer
        except FileNotFoundError:
            return []
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                self.more = False
                self.warning = self.warning or f"{self.path}: not a regular file; not read"
                return []
            size = st.st_size
            if size < self._pos:      # file was replaced: start over
                self._pos, self._line = 0, 0
            fh.seek(self._pos)
            want = size - self._pos if max_bytes is None else min(size - self._pos, max_bytes)
            data = fh.read(max(want, 0))
        if self._overlong:            # the rest of a line longer than max_bytes: skipped
            cut = data.find(b"\n")
            if cut < 0:
                self._pos += len(data)
                self.more = self._pos < size
                return []
            self._overlong = False
            self._pos += cut + 1
            self._line += 1
            data = data[cut + 1:]
        end = data.rfind(b"\n") + 1
        if end == 0 and max_bytes is not None and len(data) >= max_bytes:   # one line larger than a poll
            self._overlong = True
            self.skipped += 1
            self._pos += len(data)
            self.more = True
            return []
        self._pos += end
        self.more = self._pos < size
        bad: list[tuple[int, str]] = []
        recs = parse_lines(data[:end], bad)
        if bad:
            self.skipped += len(bad)
            if self.warning is None:
                n, why = bad[0]
                self.warning = (f"{self.path}: line {self._line + n}: {why}; malformed lines are skipped "
                                f"(the reader counts them)")
                if (str(self.path), self._line + n) not in _warned:    # once a process, however many readers
                    _warned.add((str(self.path), self._line + n))
                    log.warning("%s", self.warning)
        self._line += data.count(b"\n", 0, end)
        return recs


log = logging.getLogger("studio.runlog")
_warned: set[tuple[str, int]] = set()

NON_FINITE = ("nan", "inf", "-inf")     # how _clean writes non-finite numbers
_TEXT = ("event", "kind", "level", "text", "code", "key", "path", "reason", "from_run")
_MAX_STEP = 1 << 62


def _is_num(v) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) or v in NON_FINITE


def record_problem(rec) -> str | None:
    """Why a parsed metrics.jsonl line is not a record the readers can use, or None. Every line has a
    whole non-negative 'step'; the names (event, kind, level, text, code, key, ...) are strings; a step
    line's values and an evaluation's are numbers (or "nan"/"inf"/"-inf")."""
    if not isinstance(rec, dict):
        return f"not a JSON object ({type(rec).__name__})"
    step = rec.get("step")
    if type(step) is not int or not 0 <= step < _MAX_STEP:
        return f"'step' must be a whole number >= 0 (got {json.dumps(step)[:40]})"
    for k in _TEXT:
        v = rec.get(k, "")
        if not isinstance(v, str):
            return f"'{k}' must be text (got {json.dumps(v)[:40]})"
    if "t" in rec and not _is_num(rec["t"]):
        return f"'t' must be a number (got {json.dumps(rec['t'])[:40]})"
    if "from_step" in rec and type(rec["from_step"]) is not int:
        return f"'from_step' must be a whole number (got {json.dumps(rec['from_step'])[:40]})"
    ev = rec.get("event")
    if ev is None or ev == "eval":
        for k, v in rec.items():
            if k not in ("step", "event", "kind") and not _is_num(v):
                return f"'{k}' must be a number (got {json.dumps(v)[:40]})"
    return None


def parse_lines(data: bytes, bad: list | None = None) -> list[dict]:
    """The records of complete metrics.jsonl lines. A line that is not JSON, or whose fields have the
    wrong types (record_problem), is skipped; with `bad`, (line number from 1, why) of each is added."""
    out = []
    for i, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError):
            why = "not a line of JSON"
        else:
            why = record_problem(rec)
            if why is None:
                out.append(rec)
                continue
        if bad is not None:
            bad.append((i, why))
    return out


def read_metrics(path: str | os.PathLike) -> list[dict]:
    """All records of a metrics.jsonl; step lines superseded by a later resume are dropped (also where
    the resume line itself was lost: an iteration step that does not move forward starts over there)."""
    recs = MetricsFollower(path).poll()
    out: list[dict] = []
    last_iter = None
    for r in recs:
        s = r.get("step", 0)
        if r.get("event") == "resume":
            out = [x for x in out if x.get("step", 0) <= s]
            last_iter = None
        elif r.get("kind") == "iter" and "event" not in r and last_iter is not None and s <= last_iter:
            out = [x for x in out if x.get("step", 0) < s]
        if r.get("kind") == "iter":
            last_iter = s
        out.append(r)
    return out
