"""The headless command line: `gan-studio train | presets | checkpoints | sample | paths | gui ...`.

It iterates the same Trainer generator as the GUI. Bad input prints one line naming the file, key
and value and exits with status 2; never a traceback.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from pathlib import Path


def _stopped_while_starting(signum, frame) -> None:
    os.write(2, b"stopped by Ctrl+C while starting (importing torch); nothing was written\n")
    os._exit(130)


# Ctrl+C in the second or two that the imports below take is one line, not a traceback from inside torch;
# Python's own handler (KeyboardInterrupt, which main() turns into one line) is back once they are done
_QUIET_START = (threading.current_thread() is threading.main_thread()    # signal handlers: the main thread's
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
if _QUIET_START:
    signal.signal(signal.SIGINT, _stopped_while_starting)

from tqdm import tqdm  # noqa: E402

from . import __version__
from .config import paths
from .config.io import apply_override, set_value
from .config.presets import list_presets, load_preset
from .config.schema import ConfigError
from .data import make_data
from .data.folder import reporting
from .data.preview import preview
from .engine import checkpoints, distributed, faults
from .engine.commands import Resume, Rollback
from .engine.events import CheckpointSaved, Evaluation, Failed, Finished, Message, Progress as Working, Started, StepMetrics
from .engine.stop_signals import StopSignals
from .engine.trainer import Trainer
from .inspect import dirac
from .inspect.grids import save_png
from .lessons.command import cmd_lesson, lesson_arguments
from .tools.checkpoint_list import list_run, text as checkpoint_text
from .tools.compare import compare_text
from .tools.evaluate import evaluate_checkpoint
from .tools.export import export
from .tools.memorisation import compute as memorisation, write_png as memorisation_png
from .tools.plots import dirac_png
from .tools.sample import arithmetic_png, interpolation_png, sample_to_file
from .tools.sweep import cmd_sweep, sweep_arguments
from .tools.translate import translate

if _QUIET_START:
    signal.signal(signal.SIGINT, signal.default_int_handler)

EXIT_BAD_INPUT = 2
EXIT_BUG = 1
EXIT_INTERRUPTED = 130     # 128 + SIGINT, as a shell reports a process Ctrl+C ended
REPORT = ("This is a bug in GAN Studio, not in your input: please report it with the traceback above, "
          "the command line and the preset.")


def _fmt_time(s: float) -> str:
    s = int(max(s, 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class Progress:
    """One status line: step, bar, losses, steps/s and ETA; redrawn at most 10 times a second."""

    KEYS = ("loss_d", "loss_g", "wdist", "theta", "phi")

    def __init__(self, total: int, start: int, stream=None, label: str = "step"):
        self.total, self.start, self.label = total, start, label
        self.stream = stream if stream is not None else sys.stderr   # the one in use now, not at import
        self.tty = self.stream.isatty()
        self.t0 = time.perf_counter()
        self.last = 0.0
        self.shown_step: int | None = None     # the step of the line on screen

    def update(self, step: int, values: dict, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self.last < (0.1 if self.tty else 5.0):
            return
        if force and step == self.shown_step:   # that line is there already
            return
        self.last, self.shown_step = now, step
        rate = (step - self.start) / max(now - self.t0, 1e-9)
        eta = (self.total - step) / rate if rate > 0 else 0.0
        frac = step / max(self.total, 1)
        bar = "#" * int(frac * 20) + "." * (20 - int(frac * 20))
        parts = " ".join(f"{k} {values[k]:.4g}" for k in self.KEYS if k in values)
        line = f"{self.label} {step}/{self.total} [{bar}] {parts} | {rate:.1f} it/s | ETA {_fmt_time(eta)}"
        if self.tty:
            self.stream.write("\r" + line[:160].ljust(160))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _load_config(args):
    cfg = load_preset(args.preset)
    _apply_common(cfg, args)
    return cfg


def _apply_common(cfg, args) -> None:
    for text in args.set or []:
        apply_override(cfg, text)
    if args.steps is not None:
        set_value(cfg, "train.steps", args.steps, "--steps")
    if args.device is not None:
        set_value(cfg, "train.device", args.device, "--device")
    if args.seed is not None:
        set_value(cfg, "train.seed", args.seed, "--seed")


def cmd_train(args) -> int:
    rollback = args.on_divergence == "rollback"   # a diverged run pauses, rolls back, halves the lrs

    if args.resume:
        state = checkpoints.load(args.resume)
        cfg = checkpoints.config_of(state, args.resume)
        if args.preset:
            raise ConfigError("--resume takes the configuration from the checkpoint; drop --preset "
                              "(use --set to change settings)")
        _apply_common(cfg, args)
        run_dir = Path(args.out) if args.out else Path(args.resume).resolve().parent.parent
        name = run_dir.name
        trainer = Trainer(cfg, run_dir, name=name, resume=state, snapshots=False, interactive=rollback)
        trainer.resumed_from = args.resume
        name = trainer.run_dir.name     # a new run directory when that one is not the checkpoint's run
    else:
        if not args.preset:
            raise ConfigError("train needs --preset NAME|PATH or --resume CKPT")
        cfg = _load_config(args)
        name = Path(args.preset).stem
        trainer = Trainer(cfg, args.out, name=name, snapshots=False, interactive=rollback)

    if trainer.step >= cfg.train.steps:
        raise ConfigError(f"{args.resume}: the checkpoint is at step {trainer.step:,}, already at the run's "
                          f"train.steps ({cfg.train.steps:,}) or past it; pass a larger --steps to train further")
    progress = Progress(cfg.train.steps, trainer.step)
    # the first Ctrl+C, SIGTERM or SIGHUP: stop between two steps and save a checkpoint; a second: abort
    stops = StopSignals(lambda signum: trainer.stop(), "training aborted")
    status = 0
    quiet = args.quiet or trainer.rank != 0
    rollbacks = 0
    work = None       # the progress line of long work between two steps
    saved = None      # the checkpoint a stop wrote
    try:
        stops.__enter__()
        for ev in trainer.run():
            if isinstance(ev, StepMetrics):
                if not quiet:
                    progress.update(ev.step, ev.values, force=ev.kind == "diverged")
                if ev.kind == "diverged" and rollback:
                    rollbacks += 1
                    if rollbacks > MAX_ROLLBACKS:
                        print(f"error: still diverging after {MAX_ROLLBACKS} rollbacks; stopping", file=sys.stderr)
                        trainer.stop()
                        continue
                    trainer.send(Rollback())    # back to the last good checkpoint, learning rates halved
                    trainer.send(Resume())
            elif isinstance(ev, Working) and not quiet:   # the feature classifier trains: its own line
                if work is None:
                    progress.close()
                    work = Progress(ev.total, ev.done, label=ev.text)
                work.update(ev.done, {}, force=ev.done == ev.total)
                if ev.done == ev.total:
                    work.close()
                    work = None
            elif isinstance(ev, Evaluation) and not quiet:
                progress.close()
                print(f"eval at step {ev.step}: " + " ".join(f"{k} {v:.4g}" for k, v in ev.values.items()),
                      file=sys.stderr)
            elif isinstance(ev, Started) and not quiet:
                where = f" -> {ev.run_dir}" if ev.run_dir else ""
                resumed = f" (resumed at step {ev.step})" if ev.resumed_from else ""
                print(f"training {name} on {ev.device}{resumed}{where}", file=sys.stderr)
            elif isinstance(ev, Message):
                progress.close()
                print(f"{ev.level}: {ev.text}", file=sys.stderr)
            elif isinstance(ev, CheckpointSaved) and ev.reason in ("end", "interrupt") and quiet:
                saved = ev.path
            elif isinstance(ev, CheckpointSaved) and ev.reason in ("end", "interrupt") and not quiet:
                saved = ev.path
                progress.update(ev.step, trainer.last_metrics, force=True)
                progress.close()
                print(f"checkpoint: {ev.path}", file=sys.stderr)
            elif isinstance(ev, Failed):
                progress.close()
                if ev.bug:
                    print(ev.traceback, file=sys.stderr)
                print(f"error: training failed at step {ev.step}: {ev.message}", file=sys.stderr)
                if ev.bug:
                    print(REPORT, file=sys.stderr)
                status = 1
            elif isinstance(ev, Finished):
                by = f" on {stops.name}" if stops.received is not None and ev.reason == "stopped" else ""
                if not quiet:
                    progress.update(ev.step, trainer.last_metrics, force=True)
                    progress.close()
                    print(f"{ev.reason} after {ev.step} steps in {_fmt_time(ev.elapsed)} "
                          f"({ev.run_dir}){by}", file=sys.stderr)
                elif by and trainer.rank == 0:    # a sweep trial, a batch job: the one line still says it
                    kept = saved or "none (checkpoint.at_end = false)"
                    print(f"stopped after {ev.step} steps{by}; checkpoint: {kept}", file=sys.stderr)
                if ev.reason == "diverged":
                    status = 1
                elif by and status == 0:
                    status = stops.exit_code
    finally:
        stops.__exit__(None, None, None)
        distributed.finish()
    return status


MAX_ROLLBACKS = 3


def classifier_progress(quiet: bool = False):
    """A progress(done, total) callback drawing the feature classifier's training in the style of
    the training line (nothing when quiet)."""
    line: list[Progress] = []

    def progress(done: int, total: int) -> None:
        if quiet:
            return
        if not line:
            line.append(Progress(total, done, label="training the feature classifier"))
        line[0].update(done, {}, force=done == total)
        if done == total:
            line[0].close()
    return progress


def cmd_eval(args) -> int:
    if args.nearest:
        m = memorisation(args.checkpoint, args.space, classifier_progress())
        for text in m["notes"]:
            print(f"note: {text}", file=sys.stderr)
        out = memorisation_png(m, args.nearest)
        print(f"memorisation ({m['space']} space, {len(m['distance'])} samples): {m['verdict']}")
        print(out)
        return 0
    values, notes = evaluate_checkpoint(args.checkpoint, args.n, inception=not args.no_inception,
                                        progress=classifier_progress())
    for text in notes:
        print(f"note: {text}", file=sys.stderr)
    if not values:
        print(f"{args.checkpoint}: no quality metrics apply to this checkpoint")
        return 0
    w = max(len(k) for k in values)
    for k, v in values.items():
        print(f"{k:<{w}}  {v:.6g}")
    return 0


def cmd_presets(args) -> int:
    """Every preset: name, variant, title; the user's own say which file they are."""
    files, shipped = paths.preset_files(), paths.presets_dir()
    rows = [(name, cfg.variant.name, cfg.title + ("" if files[name].parent == shipped else f"  ({files[name]})"))
            for name, cfg in list_presets()]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    for name, variant, title in rows:
        print(f"{name:<{w0}}  {variant:<{w1}}  {title}")
    return 0


def cmd_paths(args) -> int:
    for line in paths.describe():
        print(line)
    return 0


def cmd_compare(args) -> int:
    print(compare_text(args.run_dirs, None if args.wide else shutil.get_terminal_size().columns))
    return 0


def cmd_checkpoints(args) -> int:
    """The checkpoints with the quality metrics evaluated at their steps, the best one marked."""
    listing = list_run(paths.find_run_path(args.run_dir))     # a run's name finds it in the runs folder
    for text in listing.notes:
        print(f"warning: not listed: {text}", file=sys.stderr)
    print(checkpoint_text(listing))
    return 0


def cmd_sample(args) -> int:
    out = sample_to_file(args.checkpoint, args.out, n=args.n, seed=args.seed, label=args.label,
                         truncation=args.truncation)
    for p in out:
        print(p)
    return 0


def cmd_interpolate(args) -> int:
    print(interpolation_png(args.checkpoint, args.out, args.seeds[0], args.seeds[1], args.steps,
                            args.mode, args.label, args.truncation, label_b=args.label_b))
    return 0


def cmd_arithmetic(args) -> int:
    path, legend = arithmetic_png(args.checkpoint, args.out, args.a, args.b, args.base, ",".join(args.strengths),
                                  args.label, args.truncation)
    print(path)
    print(legend, file=sys.stderr)
    return 0


def cmd_translate(args) -> int:
    out = translate(args.checkpoint, args.input, args.out, args.direction)
    print(f"translated {len(out)} image(s) into {args.out}")
    return 0


def cmd_export(args) -> int:
    path, usage = export(args.checkpoint, args.format, args.out)
    print(path)
    print(f"usage: {usage}", file=sys.stderr)
    return 0


def cmd_dirac(args) -> int:
    if not 1 <= args.steps <= 100_000:
        raise ConfigError(f"--steps must be between 1 and 100000 (got {args.steps})")
    if not 0 < args.lr <= 2:
        raise ConfigError(f"--lr must be in (0, 2] (got {args.lr})")
    results = dirac.compare(tuple(args.start), args.lr, args.steps)
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise ConfigError(f"--out {out}: the comparison is written as a .png")
    save_png(dirac_png(results), out)
    w = max(len(r["name"]) for r in results)
    for r in results:
        print(f"{r['name']:<{w}}  |(θ, ψ)| {r['r_start']:.3f} -> {r['r_end']:.3f} (max {r['r_max']:.3f})")
    print(out)
    return 0


def cmd_data(args) -> int:
    """The data preview: the preset's real images as the GAN will see them, what was found and skipped."""
    if not 1 <= args.per_class <= 64:
        raise ConfigError(f"--per-class must be between 1 and 64 (got {args.per_class})")
    cfg = _load_config(args)
    grid, lines = preview(make_data(cfg.data, cfg.source), per_class=args.per_class)
    for line in lines:
        print(line)
    if args.out:
        if Path(args.out).suffix.lower() != ".png":
            raise ConfigError(f"--out {args.out}: the preview is written as a .png")
        save_png(grid, args.out)
        print(args.out)
    return 0


class DecodeBar:
    """A tqdm bar while an image folder is decoded (folder.reporting's progress), notes as lines."""

    def __init__(self, quiet: bool = False, notes: bool = True):
        self.bar, self.quiet, self.notes = None, quiet, notes

    def progress(self, done: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            self.bar = tqdm(total=total, desc="decoding images", unit="img", file=sys.stderr, mininterval=0.5,
                            dynamic_ncols=True)
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()
            self.bar = None

    def note(self, text: str) -> None:
        if self.notes and not self.quiet:
            print(f"note: {text}", file=sys.stderr)


def cmd_gui(args) -> int:
    from .gui.app import main as gui_main   # Qt and pyqtgraph: only for the studio, not headless runs
    if args.quit_after is not None and not args.quit_after > 0:
        raise ConfigError(f"--quit-after must be a positive number of seconds (got {args.quit_after})")
    return gui_main(args.preset, quit_after=args.quit_after)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gan-studio", description="GAN Studio: train and explore GANs. "
                                "Runs go to the user's data folder (`gan-studio paths` says where).")
    p.add_argument("--version", action="version", version=f"gan-studio {__version__}")
    sub = p.add_subparsers(dest="command")

    t = sub.add_parser("train", help="train a preset headless")
    t.add_argument("--preset", help="preset name (see `gan-studio presets`) or path to a .toml file")
    t.add_argument("--steps", type=int, help="total iterations to reach (train.steps)")
    t.add_argument("--out", help="run directory (default: NAME-TIMESTAMP in the runs folder, see `gan-studio paths`)")
    t.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a setting, e.g. optim_d.lr=1e-4")
    t.add_argument("--resume", metavar="CKPT", help="continue from a checkpoint")
    t.add_argument("--device", choices=("auto", "cpu", "cuda"))
    t.add_argument("--seed", type=int)
    t.add_argument("--quiet", action="store_true", help="no progress line")
    t.add_argument("--on-divergence", choices=("stop", "rollback"), default="stop",
                   help="when a loss turns NaN/inf: stop (default), or roll back to the newest checkpoint "
                        f"with finite metrics, halve both learning rates and go on (at most {MAX_ROLLBACKS} times)")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("eval", help="print the quality metrics of a checkpoint (FID, KID, coverage, ...)")
    e.add_argument("--checkpoint", required=True)
    e.add_argument("-n", type=int, default=None, help="generated samples (default: the run's eval.n_samples)")
    e.add_argument("--no-inception", action="store_true", help="skip Inception FID for image models")
    e.add_argument("--nearest", metavar="OUT.png", help="instead of the metrics, the memorisation check: each "
                   "sample beside its nearest training image, distances against held-out real images, a verdict")
    e.add_argument("--space", default="feature", choices=("feature", "pixel"),
                   help="distances for --nearest: the feature classifier's space (default) or pixels")
    e.set_defaults(func=cmd_eval)

    sub.add_parser("presets", help="list presets").set_defaults(func=cmd_presets)
    sub.add_parser("paths", help="where runs, presets and the cache live").set_defaults(func=cmd_paths)

    c = sub.add_parser("checkpoints", help="list the checkpoints of a run directory: the quality metrics "
                                           "evaluated at each one's step, the best marked")
    c.add_argument("run_dir", help="a run directory, or a run's name in the runs folder")
    c.set_defaults(func=cmd_checkpoints)

    cm = sub.add_parser("compare", help="compare runs: differing hyperparameters, last losses, best metrics")
    cm.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="run directories (a folder of runs stands "
                                                                    "for the runs inside it)")
    cm.add_argument("--wide", action="store_true", help="one row per run even when wider than the terminal")
    cm.set_defaults(func=cmd_compare)

    s = sub.add_parser("sample", help="draw samples from a checkpoint's generator")
    s.add_argument("--checkpoint", required=True)
    s.add_argument("-n", type=int, default=1000, help="number of samples")
    s.add_argument("--out", required=True, help="1D/2D: .npy or .csv (a .png plot is written beside); images: "
                   ".png (a grid), .npy (the array N x C x H x W in [-1, 1], a grid beside), or DIR/ (one PNG "
                   "per sample)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--class", dest="label", default=None, metavar="K|NAME",
                   help="class for conditional models: its number or its name (the folder's class names)")
    s.add_argument("--truncation", type=float, default=None, help="scale of z (e.g. 0.7)")
    s.set_defaults(func=cmd_sample)

    it = sub.add_parser("interpolate", help="a strip of samples walking the latent space from one "
                                            "seed's noise to another's (as the latent explorer draws)")
    it.add_argument("--checkpoint", required=True)
    it.add_argument("--seeds", type=int, nargs=2, required=True, metavar=("A", "B"),
                    help="the seeds of the two ends (the explorer's seed box)")
    it.add_argument("--out", required=True, help="PNG file")
    it.add_argument("--steps", type=int, default=8, help="samples along the way, ends included")
    it.add_argument("--mode", default="linear", choices=("linear", "spherical"))
    it.add_argument("--class", dest="label", default=None, metavar="K|NAME",
                    help="class for conditional models (end A): its number or its name")
    it.add_argument("--class-b", dest="label_b", default=None, metavar="K|NAME",
                    help="class of end B (default: --class); the class walks from A's to B's as a soft one-hot")
    it.add_argument("--truncation", type=float, default=None, help="scale of z (default: the model's)")
    it.set_defaults(func=cmd_interpolate)

    ar = sub.add_parser("arithmetic", help="latent vector arithmetic: base + s·(mean of set A − mean of set B) "
                                           "as a PNG strip (as the latent explorer's Arithmetic tab)")
    ar.add_argument("--checkpoint", required=True)
    ar.add_argument("--a", required=True, metavar="SEEDS|class:N",
                    help="set A: seeds (3,7,10-12), or a whole class class:N or class:NAME of a conditional model")
    ar.add_argument("--b", required=True, metavar="SEEDS|class:N", help="set B, as --a")
    ar.add_argument("--base", type=int, required=True, metavar="SEED", help="the seed of the base sample")
    ar.add_argument("--strengths", nargs="+", default=["-1,0,1,2"], metavar="S",
                    help="values of s: --strengths -1 0 1 2 or --strengths=-1,0,1,2 (the default)")
    ar.add_argument("--class", dest="label", default=None, metavar="K|NAME",
                    help="conditional models: the class (number or name) of the base and of the seeds in A and B "
                         "(default 0)")
    ar.add_argument("--truncation", type=float, default=None, help="scale of z (default: the model's)")
    ar.add_argument("--out", required=True, help="PNG file: mean A, mean B, then one tile per strength")
    ar.set_defaults(func=cmd_arithmetic)

    tr = sub.add_parser("translate", help="translate a folder of images with a CycleGAN checkpoint")
    tr.add_argument("--checkpoint", required=True)
    tr.add_argument("--input", required=True, help="folder of images (domain A, or B with --direction ba)")
    tr.add_argument("--out", required=True, help="folder for the translated PNGs")
    tr.add_argument("--direction", default="ab", choices=("ab", "ba"))
    tr.set_defaults(func=cmd_translate)

    ex = sub.add_parser("export", help="export an image generator: pt2 (torch.export), ONNX, or TorchScript")
    ex.add_argument("--checkpoint", required=True)
    ex.add_argument("--format", default="pt2", choices=("pt2", "onnx", "torchscript"),
                    help="pt2: torch.export.load(FILE).module(); onnx: onnxruntime (needs onnx and onnxscript); "
                         "torchscript: torch.jit.load, deprecated by PyTorch, for older deployments")
    ex.add_argument("--out", required=True, help="output file (.pt2, .onnx, or .pt for TorchScript)")
    ex.set_defaults(func=cmd_export)

    dc = sub.add_parser("dirac", help="compare training methods on the Dirac-GAN (Mescheder et al. 2018): "
                                      "small multiples of vector fields and trajectories, as a PNG")
    dc.add_argument("--out", required=True, help="PNG file")
    dc.add_argument("--steps", type=int, default=600, help="gradient steps of each trajectory")
    dc.add_argument("--lr", type=float, default=0.15, help="step size of both players")
    dc.add_argument("--start", type=float, nargs=2, default=(1.0, 0.0), metavar=("THETA", "PSI"))
    dc.set_defaults(func=cmd_dirac)

    sw = sub.add_parser("sweep", help="train a preset over a grid or a search of settings (Optuna), "
                                      "several trials at a time, and rank them by a quality metric")
    sweep_arguments(sw)
    sw.set_defaults(func=cmd_sweep)

    da = sub.add_parser("data", help="preview a preset's real images as the GAN will see them (crop, resize, "
                                     "background, channels), with the count per class and what was skipped")
    da.add_argument("--preset", required=True, help="preset name or .toml path")
    da.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a setting, e.g. data.root=DIR")
    da.add_argument("--out", help="PNG file for the grid of real images (one row per class)")
    da.add_argument("--per-class", type=int, default=8, help="images per class in the grid")
    da.set_defaults(func=cmd_data, steps=None, device=None, seed=None, notes=False)   # it prints them itself

    ls = sub.add_parser("lesson", help="play a lesson headless: its games, figures (PNG) and a summary with "
                                       "the measured numbers (--list: the lessons)")
    lesson_arguments(ls)
    ls.set_defaults(func=cmd_lesson)

    g = sub.add_parser("gui", help="open the desktop studio (the default)")
    g.add_argument("--preset", default=None)
    g.add_argument("--quit-after", type=float, default=None, metavar="SECONDS",
                   help="close the window after SECONDS (a smoke test of an installation)")
    g.set_defaults(func=cmd_gui)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui", *([] if argv is None else argv)])
    bar = DecodeBar(quiet=getattr(args, "quiet", False), notes=getattr(args, "notes", True))
    try:
        with reporting(bar.progress, bar.note):
            return args.func(args)
    except (ConfigError, checkpoints.CheckpointError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return 0
    except OSError as e:      # the environment: a missing, unwritable or full place
        where = f"{e.filename}: " if e.filename else ""
        print(f"error: {where}{e.strerror or e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:  # Ctrl+C before a run started (loading a data set) or in another command
        if bar.bar is not None:     # the decoding bar's line ends before ours
            bar.bar.close()
        what = ("before training began (while setting up: loading the data); no run was started"
                if args.command == "train" else f"during {args.command}; nothing more was written")
        print(f"stopped by Ctrl+C {what}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:    # a real bug: the traceback, and a line that says so
        problem = faults.resource_problem(e)
        if problem is not None:      # out of memory, a torchrun worker gone: not a bug of ours
            print(f"error: {problem}", file=sys.stderr)
            return EXIT_BUG
        traceback.print_exc()
        print(REPORT, file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
