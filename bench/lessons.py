"""Do the lessons' checks hold on seeds they were not tuned on? Plays every lesson headless on each
seed exactly as `gan-studio lesson NAME --seed S` does (without writing figures) and prints one
table: lesson, check, the value on each seed, whether it held on all of them; then each lesson's
time per seed (all its pages and games, on this machine as loaded as it is).

    python bench/lessons.py [--lessons NAME ...] [--seeds 0 1 2 3 4] [--json OUT.json] [--markdown]

The lessons were tuned on seeds 0 and 1; seeds 2-4 are the held-out ones.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.lessons.format import list_lessons, load_lesson   # noqa: E402
from studio.lessons.play import play_lesson                    # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lessons", nargs="*", help="lesson names (default: all, in order)")
    ap.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2, 3, 4])
    ap.add_argument("--json", help="also write the rows to this file (rewritten after each lesson)")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    args = ap.parse_args(argv)
    lessons = [load_lesson(n) for n in args.lessons] if args.lessons else list_lessons()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# {len(lessons)} lessons x seeds {args.seeds}; load average at start {load:.1f} on "
          f"{os.cpu_count()} CPUs", file=sys.stderr)
    rows, times = [], {}
    for les in lessons:
        values: dict[str, list] = {}
        for seed in args.seeds:
            t0 = time.perf_counter()
            for res in play_lesson(les, seed):
                for c in res.checks:
                    key = f"{res.index + 1}. {c.label}"
                    values.setdefault(key, [les.name, key, c.spec.threshold(), []])[3].append(
                        (c.shown_value(), c.passed))
            times.setdefault(les.name, []).append(time.perf_counter() - t0)
            print(f"  {les.name} seed {seed}: {times[les.name][-1]:.0f} s", file=sys.stderr, flush=True)
        rows += list(values.values())
        if args.json:
            Path(args.json).write_text(json.dumps({"seeds": args.seeds, "rows": rows, "times": times}, indent=1,
                                                  ensure_ascii=False), encoding="utf-8")
    print_table(rows, times, args.seeds, args.markdown)
    return 0 if all(all(p for _, p in r[3]) for r in rows) else 1


def print_table(rows, times, seeds, markdown: bool) -> None:
    head = ["lesson", "page. check", "wanted", *[f"seed {s}" for s in seeds], "holds"]
    body = []
    for name, key, wanted, vals in rows:
        held = all(p for _, p in vals)
        body.append([name, key, wanted, *[v if p else f"{v} ✗" for v, p in vals],
                     "yes" if held else f"{sum(p for _, p in vals)}/{len(vals)}"])
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in body:
            print("| " + " | ".join(r).replace("|)", ")") + " |")
        print()
        print("| lesson | seconds per seed | mean |")
        print("|---|---|---|")
        for name, ts in times.items():
            print(f"| {name} | {' '.join(f'{t:.0f}' for t in ts)} | {sum(ts) / len(ts):.0f} |")
        return
    widths = [max(len(str(r[i])) for r in [head] + body) for i in range(len(head))]
    for r in [head] + body:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    print()
    for name, ts in times.items():
        print(f"{name:<20} {' '.join(f'{t:6.1f}' for t in ts)}  s per seed (mean {sum(ts) / len(ts):.1f})")


if __name__ == "__main__":
    sys.exit(main())
