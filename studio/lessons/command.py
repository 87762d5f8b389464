"""`gan-studio lesson NAME --out DIR` and `gan-studio lesson --list`: a lesson played headless for a
teacher's handout (report.write_handout), the checks printed as each page ends."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config.schema import ConfigError
from .format import list_lessons, load_lesson
from .play import PageResult
from .report import write_handout


def lesson_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="a lesson's name (see --list) or a lesson .toml file")
    p.add_argument("--list", action="store_true", help="list the lessons")
    p.add_argument("--out", help="folder for the figures (PNG) and summary.md")
    p.add_argument("--seed", type=int, default=0, help="the seed of every run (default 0)")


def _print_page(res: PageResult, stream) -> None:
    print(f"page {res.index + 1}: {res.page.title} ({res.seconds:.1f} s)", file=stream)
    for c in res.checks:
        mark = "ok  " if c.passed else "FAIL"
        print(f"  {mark} {c.label} = {c.shown_value()} (wanted {c.spec.threshold()})"
              f"{': ' + c.error if c.error else ''}", file=stream)


def cmd_lesson(args) -> int:
    if args.list:
        lessons = list_lessons()
        w = max((len(les.name) for les in lessons), default=0)
        for les in lessons:
            print(f"{les.name:<{w}}  {len(les.pages)} pages  {les.title}")
        return 0
    if not args.name:
        raise ConfigError("lesson: give a lesson's name (gan-studio lesson --list shows them) and --out DIR")
    if not args.out:
        raise ConfigError("lesson: --out DIR is needed (the folder for the figures and summary.md)")
    if not 0 <= args.seed < 2**31:
        raise ConfigError(f"--seed must be between 0 and {2**31 - 1} (got {args.seed})")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: is a file, not a folder")
    lesson = load_lesson(args.name)
    print(f"{lesson.title}: {len(lesson.pages)} pages, seed {args.seed}", file=sys.stderr)
    path, results = write_handout(lesson, out, args.seed, on_page=lambda r: _print_page(r, sys.stderr))
    n = sum(len(r.checks) for r in results)
    ok = sum(c.passed for r in results for c in r.checks)
    print(f"{ok} of {n} checks hold", file=sys.stderr)
    print(path)
    return 0
