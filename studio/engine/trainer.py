"""The training loop, shared by the CLI, the GUI and the tests.

`Trainer.run()` is a generator of events (see events.py). Between iterations it drains a queue of
typed commands (commands.py) filled from any thread: pause, resume, step once (a full iteration, a
lone D update or a lone G update), set a live hyperparameter, save now, roll back, copy the
generator for the latent explorer, stop. All randomness of training comes from one torch.Generator
whose state goes into every checkpoint, so resuming is exact.
"""
from __future__ import annotations

import copy
import functools
import json
import math
import os
import stat
import time
import traceback
from pathlib import Path
from typing import Iterator

import torch

from ..config.io import atomic_write_bytes, get_value, set_value
from ..config.paths import runs_dir
from ..config.schema import Config, ConfigError, check_live, live_keys, to_dict
from ..inspect import probes, slowmo
from ..inspect.grids import save_png, thumbnail
from ..inspect.latent import LatentModel
from ..quality.diagnostics import Diagnostics
from ..quality.catalogue import better
from ..quality.evaluate import Evaluator
from . import checkpoints, distributed, faults, rundir
from .build import Built, build_game, continue_from
from . import threads as threads_mod
from .commands import (Command, CommandQueue, CopyGenerator, Pause, Resume, Rollback, SaveNow, SetPace, SetParam,
                       SlowStep, StepOnce, Stop)
from .events import (CheckpointSaved, Evaluating, Evaluation, Finished, GeneratorCopy, Message, ParamChanged,
                     Progress, SlowMotion, Snapshot, Started, StateChanged, StepMetrics)
from .runlog import RunLog, storage_error

LR_KEYS = ("optim_d.lr", "optim_g.lr")
PACED_SNAPSHOTS = 10.0   # at this pace (iterations per second) or slower, every iteration is drawn
                         # (a snapshot of the 2D or Dirac views costs ~50 ms: not 30 of them a second)

def pick_device(name: str, local_rank: int = 0) -> torch.device:
    if name == "cuda" or (name == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise ConfigError("train.device = 'cuda' but no CUDA device is available (use 'auto' or 'cpu')")
        return torch.device("cuda", local_rank)
    return torch.device("cpu")


def set_cpu_threads(threads: int, family: str, spare: int = 0) -> int:
    """Intra-op threads for CPU training: train.threads, else GAN_STUDIO_THREADS, else one for the toy
    games and the free cores (less `spare`) for the others (engine.threads). Returns the count."""
    return threads_mod.set_cpu_threads(threads, family, spare)[0]


def new_run_dir(name: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = runs_dir() / f"{name}-{stamp}"
    path, i = base, 1
    while path.exists():
        i += 1
        path = Path(f"{base}-{i}")
    return path


class Trainer:
    """Owns device, seeding, the D:G schedule, checkpoints and the run directory."""

    def __init__(self, cfg: Config, run_dir: str | Path | None = None, *, name: str = "run",
                 resume: str | Path | dict | None = None, snapshots: bool = True,
                 interactive: bool = False, write: bool = True, commands: CommandQueue | None = None,
                 history: bool = False, branch_of: str | Path | None = None, spare_cores: int | None = None,
                 built: Built | None = None, lazy_dir: bool = False):
        """`built`: the start the studio's preview built (engine.build), taken when it fits `cfg`.
        `lazy_dir` (the studio): a new run directory is made at the first training step (or a Save
        now), so a run stopped before any step never makes one; its path is in Started all the same.
        Without it (the CLI) the directory is made at start and removed when no step was taken."""
        self.cfg = copy.deepcopy(cfg)
        self.name = name
        self.history = history            # every Snapshot carries a copy of the state (the studio's rewind)
        self.branch_of = str(branch_of) if branch_of is not None else None   # the run a branch starts from
        self.pace: float | None = None    # iterations per second (SetPace); None: full speed
        self._due = 0.0
        self.snapshots = snapshots        # the GUI wants view snapshots; the CLI does not
        self.interactive = interactive    # a diverged run pauses (GUI) instead of ending (CLI)
        self.rank, local_rank, self.world_size = distributed.world()
        self.write = write and self.rank == 0
        self.device = pick_device(self.cfg.train.device, local_rank)
        self.commands = commands if commands is not None else CommandQueue()   # the GUI brings its own
        self._stop_requested = False
        self._paused = False
        self.step = 0
        self.d_updates = 0
        self.g_updates = 0
        self.elapsed = 0.0
        self.last_metrics: dict[str, float] = {}
        self.best: float | None = None
        self.last_eval: dict[str, float] = {}
        self.eval_seconds = 0.0           # time spent evaluating (not part of `elapsed`)
        self.diverged = False
        self.run_dir = Path(run_dir) if run_dir else None
        self.lazy_dir = lazy_dir
        self._dir_pending = False         # lazy_dir: the new run directory is not made yet
        self.notes: list[str] = []        # what the user should know when the run starts
        self.resumed_from: str | None = None

        if self.run_dir is not None and self.write and resume is None and self.branch_of is None:
            rundir.check_new(self.run_dir)     # never a new run into a user's folder (before any data loads)
        state = None
        if resume is not None:
            state = resume if isinstance(resume, dict) else checkpoints.load(resume)
            self.resumed_from = None if isinstance(resume, dict) else str(resume)
        seed = self.cfg.train.seed
        where = self.cfg.source
        if self.cfg.train.threads > (os.cpu_count() or 1):
            raise ConfigError(f"{where}: train.threads = {self.cfg.train.threads}, but this machine has "
                              f"{os.cpu_count()} CPU threads; set it to at most that, or 0 for the default")
        # the studio's preview may have built this start already (same config, device and rank)
        self.reused = built is not None and built.fits(self.cfg, self.device, self.rank) and built.claim()
        if not self.reused:
            built = build_game(self.cfg, self.device, rank=self.rank)
        continue_from(built)              # torch's global generator as seeding and building left it
        self.cfg = built.cfg              # the very config the game reads (live changes reach it)
        self.data = built.data
        self.threads = torch.get_num_threads()
        if self.device.type == "cpu":     # the studio (snapshots for its views) leaves its GUI thread a core
            spare = (1 if snapshots else 0) if spare_cores is None else spare_cores
            self.threads = set_cpu_threads(self.cfg.train.threads, self.data.family, spare)
        self._slow = threads_mod.SlowSteps(self.threads if self.device.type == "cpu" else 1)
        self.gen = built.gen
        self.probe_gen = torch.Generator(device=self.device).manual_seed(seed + 7)
        self.variant = built.game
        if self.world_size > 1:
            self.variant.sync_grads = functools.partial(distributed.average_gradients, size=self.world_size)
            for m in self.variant.modules().values():
                distributed.broadcast_parameters(m)
        if state is not None:
            self._load_state(state)
            if self.run_dir is not None and self.write and self.branch_of is None:
                # never into a folder the studio did not make, nor over a run of another game
                self.run_dir, note = rundir.for_resume(self.run_dir, state["config"], self._source(), "resumed")
                if note is not None:
                    self.notes.append(note)
        self._dir_ident: tuple | None = None    # the run directory this run opened (rundir.check)
        self.evaluator = Evaluator(self.variant, self.cfg)
        self.diagnostics = Diagnostics(self.cfg, self.variant.output, self.cfg.eval.diagnostics)

    # ---------------------------------------------------------------- commands (any thread)
    def send(self, cmd: Command) -> None:
        """Queue a command; it is handled between two steps, in order."""
        self.commands.put(cmd)

    def pause(self) -> None:
        self.send(Pause())

    def resume(self) -> None:
        self.send(Resume())

    def step_once(self, kind: str = "iter") -> None:
        """One full iteration ('iter'), one discriminator update ('d') or one generator update ('g')."""
        self.send(StepOnce(kind))

    def set_param(self, key: str, value) -> None:
        self.send(SetParam(key, value))

    def save_now(self) -> None:
        self.send(SaveNow())

    def rollback(self) -> None:
        """Load the newest checkpoint of this run whose metrics are finite (after a divergence) and
        halve both learning rates; the run stays paused or running as it was."""
        self.send(Rollback())

    def stop(self) -> None:
        """Safe to call from a signal handler: sets a flag, takes no lock."""
        self._stop_requested = True

    @property
    def paused(self) -> bool:
        return self._paused

    # ---------------------------------------------------------------- state
    def state_dict(self) -> dict:
        rng = {"gen": self.gen.get_state(), "torch": torch.get_rng_state()}
        if self.device.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(self.device)
        return {
            "config": to_dict(self.cfg), "step": self.step, "d_updates": self.d_updates,
            "g_updates": self.g_updates, "elapsed": self.elapsed, **self.variant.state_dict(),
            "data_spec": self.data.spec().to_dict(), "rng": rng, "metrics": dict(self.last_metrics),
            "best": self.best,
        }

    def _source(self) -> str:
        """The file being resumed: the path given, or the one the configuration was read from."""
        if self.resumed_from:
            return self.resumed_from
        src, tail = str(getattr(self.cfg, "source", "") or ""), " (stored config)"
        return src[:-len(tail)] if src.endswith(tail) else "checkpoint"

    def _load_state(self, st: dict, where: str | None = None) -> None:
        where = where or self._source()
        bad = checkpoints.non_finite_weights(st)
        if bad is not None:   # training from it would diverge at its first step: say so now
            raise checkpoints.CheckpointError(
                f"{where}: the weights at step {st.get('step')} are not finite (NaN or inf in {bad}); resume from "
                f"an earlier checkpoint of that run (gan-studio checkpoints RUN_DIR lists them)")
        try:
            self.variant.load_state(st)
        except ValueError as e:
            raise checkpoints.CheckpointError(f"{where}: does not fit this configuration ({e})") from None
        self.step, self.elapsed = int(st["step"]), float(st.get("elapsed", 0.0))
        self.d_updates, self.g_updates = int(st.get("d_updates", 0)), int(st.get("g_updates", 0))
        try:
            self.gen.set_state(st["rng"]["gen"])
        except RuntimeError:   # another device's generator (a GPU run resumed on the CPU, or back)
            self.gen.manual_seed(self.cfg.train.seed + 1_000_003 * self.rank + self.step)
            self.notes.append(f"{where}: its random state belongs to another device, so the run goes on "
                              f"from step {self.step} with fresh noise (not bit-identical to continuing there)")
        torch.set_rng_state(st["rng"]["torch"])
        if "cuda" in st["rng"] and self.device.type == "cuda":
            torch.cuda.set_rng_state(st["rng"]["cuda"], self.device)
        self.last_metrics = dict(st.get("metrics", {}))
        self.best = st.get("best")

    def save(self, reason: str = "manual") -> Path | None:
        """Write a checkpoint now; periodic ones obey keep_last."""
        if not self.write:
            return None
        self._open_dir()
        self._check_dir()
        ck = self.run_dir / "checkpoints"
        prefix = {"periodic": "step", "best": "best"}.get(reason, reason)
        path = ck / f"{prefix}_{self.step:08d}.pt"
        if reason == "best":
            for old in ck.glob("best_*.pt"):
                checkpoints.delete(old)
        meta = {"reason": reason, "metrics": self.last_metrics, "eval": self.last_eval}
        self.log.flush()     # the log holds every step the checkpoint holds before the checkpoint is seen
        try:
            checkpoints.save(path, self.state_dict(), meta)
            faults.inject("checkpoint_saved", self.step)
            thumb = thumbnail(self.variant)
            if thumb is not None:
                save_png(thumb, path.with_suffix(".png"))
            if reason == "periodic" and self.cfg.checkpoint.keep_last > 0:
                periodic = sorted(ck.glob("step_*.pt"))
                for old in periodic[:-self.cfg.checkpoint.keep_last]:
                    checkpoints.delete(old)
        except OSError as e:   # disk full, permission denied: name the file
            raise storage_error(e, path) from None
        self.log.event("checkpoint", self.step, path=str(path), reason=reason)
        return path

    # ---------------------------------------------------------------- the loop
    def run(self) -> Iterator:
        try:
            yield from self._run()
        except GeneratorExit:
            raise
        except Exception as e:  # the GUI shows this and stays usable; the CLI prints it
            yield from faults.failed(self, e, traceback.format_exc())
        finally:
            if getattr(self, "log", None) is not None:
                self.log.close()

    def _keep_data_file(self) -> str:
        """Copy data.file into the run directory and point the run's config at the copy, so that the
        run can be repeated (and resumed) without the original."""
        src = Path(self.data.file).expanduser().resolve()
        dst = (self.run_dir / "data" / src.name).resolve()
        if src != dst:
            atomic_write_bytes(dst, src.read_bytes())
            self.cfg.data.file = str(dst)
            self.log.write_config(self.cfg)
            self.log.event("data_copied", self.step, source=str(src), copy=str(dst))
        return f"the run trains on {dst} (a copy of data.file kept in the run directory)"

    def _run(self) -> Iterator:
        self.updates_at_start = (self.d_updates, self.g_updates)   # an emergency checkpoint only after training
        notes = self.notes
        made_dir = False
        if self.write:
            if self.run_dir is None:
                self.run_dir = new_run_dir(self.name)
            made_dir = not self.run_dir.exists() and self.branch_of is None and self.resumed_from is None
            if self.lazy_dir and made_dir and self.step == 0:
                self._dir_pending = True
                self.log = _PendingLog()       # its lines go to metrics.jsonl when the folder is made
            else:
                notes = notes + self._open_dir()
        else:
            self.log = _NullLog()
        yield Started(self.step, str(self.device), str(self.run_dir or ""), to_dict(self.cfg),
                      self.resumed_from)
        for text in notes:   # what resuming or opening the run directory repaired (also in metrics.jsonl)
            yield Message(self.step, "info", text, "repaired")
        if self.snapshots:
            yield self._snapshot()
        reason = "done"
        t_mark = time.perf_counter()
        while True:
            while self.commands:
                self.elapsed += time.perf_counter() - t_mark
                yield from self._handle(self.commands.pop())
                t_mark = time.perf_counter()
            if self._stop_requested:
                reason = "stopped"
                break
            if self._paused:
                self.elapsed += time.perf_counter() - t_mark
                self.commands.wait(0.2)
                t_mark = time.perf_counter()
                continue
            if self.step >= self.cfg.train.steps:
                break
            if self.pace:   # paced: wait for this iteration's time on the queue (not training time),
                now = time.perf_counter()          # so that pause, step and stop stay instant
                if now < self._due:
                    self.elapsed += now - t_mark
                    self.commands.wait(min(self._due - now, 0.25))
                    t_mark = time.perf_counter()
                    continue
                # on time or late by less than one interval: keep the cadence; later (the first
                # iteration, after a pause): start it again from now
                self._due = (self._due if now - self._due < 1 / self.pace else now) + 1 / self.pace
            if self._dir_pending:        # a lazy run directory is made before the first step
                yield from self._first_step()
            ev = self._one("iter")
            now = time.perf_counter()
            self.elapsed += now - t_mark
            t_mark = now
            yield from self._watch(ev)
            yield from self._pace_check()
            if ev.kind == "diverged":
                self.diverged = True
                if self.interactive:
                    self._paused = True
                    yield StateChanged(self.step, "paused")
                    continue
                break
            yield from self._periodic()
            t_mark = time.perf_counter()
        self.elapsed += time.perf_counter() - t_mark
        if self.diverged:
            reason = "diverged"
        elif reason == "done" and 0 < self.cfg.eval.every < self.step and self.step % self.cfg.eval.every:
            yield from self.evaluate()     # the final state of a run that was being evaluated
        untrained = reason == "stopped" and (self.d_updates, self.g_updates) == self.updates_at_start
        if untrained and self.write:    # stopped before a single update (a closed studio, Ctrl+C at once):
            yield Message(self.step, "info", f"stopped before any training step; no checkpoint written "
                          f"(it would hold nothing new)", "interrupt")    # no checkpoint that holds no training
        if self.cfg.checkpoint.at_end and self.write and reason != "diverged" and not untrained:
            path = self.save("end" if reason == "done" else "interrupt")
            yield CheckpointSaved(self.step, str(path), "end" if reason == "done" else "interrupt")
        if self.snapshots:
            yield self._snapshot()
        self.log.flush()
        if self._dir_pending:        # a lazy run directory that no step needed: never made
            self.run_dir = None
        elif untrained and made_dir and self.step == 0:     # nothing in it worth listing among the runs
            self.log.close()
            self.log = _NullLog()
            if rundir.remove_unused(self.run_dir):
                yield Message(self.step, "info", f"the run directory {self.run_dir} held no step and was "
                              f"removed", "interrupt")
                self.run_dir = None
        yield Finished(self.step, reason, str(self.run_dir or ""), self.elapsed)

    def _open_dir(self) -> list[str]:
        """Make (or open) the run directory: marker, config.toml, metrics.jsonl (with the lines a lazy
        directory held back). Returns what the user should be told."""
        pending = None
        if self._dir_pending:
            pending, self._dir_pending = self.log, False
        elif not self.write or getattr(self, "log", None) is not None:    # made already (or never)
            return []
        self.log = RunLog(self.run_dir, self.cfg, self.cfg.log.flush_every, self.cfg.log.tensorboard,
                          step=self.step)
        rundir.mark(self.run_dir, self.name)
        self._dir_ident = rundir.identity(self.run_dir)
        notes = list(self.log.notes)
        if self.data.file:
            notes.append(self._keep_data_file())
        if pending is not None:
            pending.replay(self.log)
        if self.branch_of is not None:   # a new run from a moment of another (the studio's rewind)
            self.log.event("branch", self.step, from_run=self.branch_of, from_step=self.step)
        elif self.resumed_from is not None or self.step > 0:
            # the detectors hear the run's evaluations up to here: a fall after the resume is
            # measured against the run's best, not against the first evaluation after it
            self.diagnostics.recall(past_evaluations(self.run_dir / "metrics.jsonl", self.step))
            self.log.event("resume", self.step, checkpoint=self.resumed_from)
        return notes

    def _first_step(self) -> Iterator:
        """Before a training step: a lazy run directory is made now, and what it says is told."""
        if self._dir_pending:
            for text in self._open_dir():
                yield Message(self.step, "info", text, "repaired")

    def _check_dir(self) -> None:
        """Stop the run when its directory went away (deleted, replaced): its state goes to a new one."""
        if self._dir_ident is None or not self.write:
            return
        why = rundir.check(self.run_dir, self._dir_ident)
        if why is None:
            return
        old, self._dir_ident = self.run_dir, None
        try:
            self.run_dir = rundir.rescue_dir(old, self.name, self.cfg)
        except OSError as e:
            raise rundir.RunDirGone(f"{why} (noticed at step {self.step}); no new folder could be made for "
                                    f"its state ({e.strerror or e})") from None
        raise rundir.RunDirGone(f"{why} (noticed at step {self.step}), so the run stops; its state is kept "
                                f"in a new run directory {self.run_dir}")

    def _pace_check(self) -> Iterator:
        """A warning, once, when steps run far slower than this run's own earlier pace (a busy CPU)."""
        if self.pace or self.device.type != "cpu":
            self._slow.reset()        # paced on purpose; GPU runs are not slowed by CPU threads this way
            return
        text = self._slow.on_step(self.step, self.elapsed)
        if text is not None:
            self.log.event("message", self.step, level="warning", code="slow", text=text)
            yield Message(self.step, "warning", text, "slow")

    def _periodic(self) -> Iterator:
        self._check_dir()
        s = self.step
        c = self.cfg
        if self.snapshots and (s % c.log.snapshot_every == 0 or (self.pace or math.inf) <= PACED_SNAPSHOTS):
            yield self._snapshot()
        if self.write and c.log.grid_every and s % c.log.grid_every == 0:
            self._write_grid()
        if self.write and c.log.histogram_every and s % c.log.histogram_every == 0:
            self.log.histograms(self.variant.modules(), s)    # TensorBoard: weights and last gradients
        if self.evaluator.due(s):
            yield from self.evaluate()
        if c.checkpoint.every and s % c.checkpoint.every == 0 and s < c.train.steps:
            path = self.save("periodic")
            if path is not None:
                yield CheckpointSaved(s, str(path), "periodic")

    def _watch(self, ev) -> Iterator:
        """Yield an event, then the warnings the diagnostics raise on it (also logged)."""
        yield ev
        if isinstance(ev, Evaluation):
            findings = self.diagnostics.on_eval(ev.step, ev.values)
        else:
            findings = self.diagnostics.on_step(ev.step, ev.kind, ev.values)
        for f in findings:
            self.log.event("message", f.step, level=f.level, code=f.code, text=f.text)
            yield Message(f.step, f.level, f.text, f.code)

    def evaluate(self) -> Iterator:
        """Measure the quality metrics now: an Evaluation event, an "eval" line in metrics.jsonl, and
        a "best" checkpoint when checkpoint.keep_best names a metric that improved."""
        yield Evaluating(self.step)
        t0 = time.perf_counter()
        try:
            prep = self.evaluator.prepare()   # the feature classifier's first training: progress
            for done, total in prep:
                if self._stop_requested or self.commands.has(Stop):   # stop now, not after it
                    prep.close()
                    return
                yield Progress(self.step, "classifier", "training the feature classifier", done, total,
                               time.perf_counter() - t0)
            values = self.evaluator.evaluate()   # one that cannot run says why in its notes, once
        except Exception as e:   # an evaluation never ends a run: skip the rest of them, say so once
            values = {}
            text = (f"quality evaluation failed at step {self.step} ({faults.one_line(f'{type(e).__name__}: {e}')[:200]}); "
                    f"evaluations are skipped for the rest of this run")
            self.evaluator.disabled = text
            self.log.event("message", self.step, level="warning", code="eval", text=text,
                           traceback=traceback.format_exc())
            yield Message(self.step, "warning", text, "eval")
        self.eval_seconds += time.perf_counter() - t0
        for text in self.evaluator.notes:
            self.log.event("message", self.step, level="info", code="eval", text=text)
            yield Message(self.step, "info", text, "eval")
        self.evaluator.notes.clear()
        if not values:
            return
        self.last_eval = values
        self.log.event("eval", self.step, **values)
        yield from self._watch(Evaluation(self.step, values))
        key = self.cfg.checkpoint.keep_best
        if key and key not in values:
            text = f"checkpoint.keep_best = {key!r} is not measured in this run (it has {', '.join(values)})"
            if not getattr(self, "_said_best", False):
                self._said_best = True
                yield Message(self.step, "warning", text, "keep_best")
        elif key and math.isfinite(values[key]) and better(key, values[key], self.best):
            self.best = values[key]
            path = self.save("best")
            if path is not None:
                yield CheckpointSaved(self.step, str(path), "best")

    def _one(self, kind: str):
        """Run one iteration (or a lone D or G update) and return its StepMetrics."""
        v = self.variant
        v.measure = kind != "iter" or self.step % self.cfg.log.grad_norm_every == 0
        with self._autocast():
            vals = self._update(kind)
        if v.measure:
            vals.update(v.norms)
            v.norms = {}
        if self.device.type == "cpu":
            values = {k: float(t) for k, t in vals.items()}
        else:   # one device sync for all the numbers
            nums = torch.stack([t.float().reshape(()) for t in vals.values()]).tolist()
            values = dict(zip(vals.keys(), nums))
        self.last_metrics = values
        self.log.metrics(self.step, kind, values, self.elapsed)
        if not all(math.isfinite(x) for x in values.values()):   # diagnostics word the message
            return StepMetrics(self.step, "diverged", values, self.elapsed)
        return StepMetrics(self.step, kind, values, self.elapsed)

    def _update(self, kind: str) -> dict:
        v = self.variant
        if kind == "iter":
            vals = v.iteration()
            self.step += 1
            self.d_updates += v.d_steps()
            self.g_updates += 1
        elif kind == "d":
            vals = v.d_step(v.real())
            self.d_updates += 1
        else:
            vals = v.g_step()
            self.g_updates += 1
        return vals

    def _autocast(self):
        on = self.cfg.train.amp and self.device.type == "cuda"
        return torch.autocast("cuda", dtype=torch.bfloat16, enabled=on)

    def _handle(self, cmd: Command) -> Iterator:
        if isinstance(cmd, Pause) and not self._paused:
            self._paused = True
            yield StateChanged(self.step, "paused")
        elif isinstance(cmd, Resume) and self._paused:
            self._paused = False
            yield StateChanged(self.step, "running")
        elif isinstance(cmd, StepOnce):
            yield from self._first_step()
            yield self._one(cmd.kind)
            if self.snapshots:
                yield self._snapshot()
        elif isinstance(cmd, SetParam):
            try:
                ev = self.apply_param(cmd.key, cmd.value)
            except ConfigError as e:
                yield Message(self.step, "error", str(e))
            else:
                if ev is not None:
                    yield ev
        elif isinstance(cmd, SaveNow):
            yield from self._first_step()
            path = self.save("manual")
            if path is not None:
                yield CheckpointSaved(self.step, str(path), "manual")
        elif isinstance(cmd, Rollback):
            yield from self._rollback()
        elif isinstance(cmd, Stop):
            self._stop_requested = True
        elif isinstance(cmd, CopyGenerator):
            yield from self._copy_generator(cmd.request)
        elif isinstance(cmd, SetPace):
            self.pace = cmd.per_second
            self._due = 0.0
        elif isinstance(cmd, SlowStep):
            yield from self._slow_step()

    def _slow_step(self) -> Iterator:
        """StepOnce("iter") recorded in phases for the slow motion of the 1D and 2D views (inspect.slowmo)."""
        why = slowmo.supported(self.variant)
        if why is not None:
            yield Message(self.step, "info", why, "slowmo")
            return
        yield from self._first_step()
        with slowmo.Recorder(self.variant, self.probe_gen) as rec:
            ev = self._one("iter")
        yield ev
        if ev.kind != "diverged":
            yield SlowMotion(self.step, self.variant.view, rec.phases(ev.values))
        if self.snapshots:
            yield self._snapshot()

    def _copy_generator(self, request: int) -> Iterator:
        """A frozen copy of G for the latent explorer, made between two steps so that it never races
        an update (a deep copy, about a millisecond; its principal directions are fitted later, off
        this thread, by LatentModel.prepare)."""
        if not self.variant.has_latent:
            yield Message(self.step, "info", f"the {self.variant.name} game has no latent space to explore",
                          "latent")
            return
        yield GeneratorCopy(self.step, request, LatentModel(self.variant, step=self.step))

    def _rollback(self) -> Iterator:
        path = checkpoints.last_good(self.run_dir)
        if path is None:
            yield Message(self.step, "error", "cannot roll back: this run has no checkpoint with finite "
                          "metrics yet", "rollback")
            return
        was = self.step
        self._load_state(checkpoints.load(path), str(path))
        self.diverged = False
        self.diagnostics.reset()
        self.log.event("resume", self.step, checkpoint=str(path), rollback=True)
        for key in LR_KEYS:   # the same step sizes would diverge again: halve them
            ev = self.apply_param(key, get_value(self.cfg, key) / 2)
            if ev is not None:
                yield ev
        yield Message(self.step, "info", f"rolled back from step {was} to step {self.step} ({path.name}); "
                      f"learning rates halved", "rollback")
        if self.snapshots:
            yield self._snapshot()

    def apply_param(self, key: str, value) -> ParamChanged | None:
        """Change a live hyperparameter between steps; logged in metrics.jsonl."""
        check_live(self.cfg, key)
        old = get_value(self.cfg, key)
        set_value(self.cfg, key, value, key)
        new = get_value(self.cfg, key)
        if new == old:
            return None
        self.variant.apply_live()
        self.log.event("set", self.step, key=key, old=old, new=new)
        if self.write:
            self.log.write_config(self.cfg)
        return ParamChanged(self.step, key, old, new)

    def live_keys(self) -> list[str]:
        return live_keys(self.cfg)

    def _snapshot(self) -> Snapshot:
        view, data = probes.snapshot(self.variant, self.probe_gen)
        return Snapshot(self.step, view, data, copy.deepcopy(self.state_dict()) if self.history else None)

    def _write_grid(self) -> None:
        img = thumbnail(self.variant)
        if img is not None:
            save_png(img, self.run_dir / "samples" / f"step_{self.step:08d}.png")
            self.log.image("samples", img, self.step)    # the same grid in TensorBoard


def past_evaluations(path: Path, upto: int, chunk: int = 1 << 20) -> list[tuple[int, dict]]:
    """The quality evaluations of a run's metrics.jsonl up to step `upto`, oldest first, as (step,
    values); a step evaluated twice (a resumed stretch) keeps its last. Only a regular file is read, in
    pieces, and only the lines that mention "eval" are parsed: a log of a million steps is one scan."""
    found: dict[int, dict] = {}
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return []
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return []
        rest = b""
        while block := fh.read(chunk):
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            for line in lines:
                if b'"eval"' not in line:
                    continue
                try:
                    rec = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if not isinstance(rec, dict) or rec.get("event") != "eval":
                    continue
                step = rec.get("step")
                if type(step) is int and 0 <= step <= upto:
                    found[step] = {k: float(v) for k, v in rec.items() if k not in ("event", "step")
                                   and isinstance(v, (int, float)) and not isinstance(v, bool)}
    return sorted(found.items())


class _PendingLog:
    """The log of a run whose directory is not made yet (Trainer(lazy_dir=True)): its events wait for
    the folder (a learning rate changed before the first step); the config is written when it is made."""
    def __init__(self):
        self.lines: list[tuple[str, int, dict]] = []
    def event(self, event, step, **kw): self.lines.append((event, step, kw))
    def replay(self, log) -> None:
        for event, step, kw in self.lines:
            log.event(event, step, **kw)
        self.lines.clear()
    def metrics(self, *a, **k): pass
    def flush(self): pass
    def close(self): pass
    def write_config(self, *a): pass
    def image(self, *a): pass
    def histograms(self, *a): pass


class _NullLog:
    def metrics(self, *a, **k): pass
    def event(self, *a, **k): pass
    def flush(self): pass
    def close(self): pass
    def write_config(self, *a): pass
    def image(self, *a): pass
    def histograms(self, *a): pass
