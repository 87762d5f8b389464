"""A lesson's handout for a teacher: play it headless and write each page's figures (PNG) and a
one-page summary (summary.md) with the measured numbers."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from ..config.io import atomic_write_bytes
from ..inspect.grids import save_png
from .figures import page_figures
from .format import Lesson
from .play import PageResult, play_page


def page_markdown(res: PageResult, figures: dict[str, str]) -> list[str]:
    p = res.page
    out = [f"## {res.index + 1}. {p.title}", ""]
    if p.formula:
        out += [f"> {p.formula}", ""]
    out += [p.text.strip(), ""]
    if p.do:
        out += [f"*What to do:* {p.do}", ""]
    if p.predict is not None:
        choices = "; ".join(f"({chr(97 + i)}) {c}" for i, c in enumerate(p.predict.choices))
        out += [f"*Predict:* {p.predict.question} {choices}. The notes' answer: "
                f"({chr(97 + p.predict.answer)}).", ""]
    if res.checks:
        out += ["| check | what the notes say | measured | wanted | holds |", "|---|---|---|---|---|"]
        for c in res.checks:
            holds = "yes" if c.passed else f"**no**{' (' + c.error + ')' if c.error else ''}"
            out.append(f"| `{c.label}` | {c.spec.claim} | {c.shown_value()} | {c.spec.threshold()} | {holds} |")
        out.append("")
    for kind, name in figures.items():
        out += [f"![{kind}]({name})", ""]
    runs = ", ".join(f"{label}: {r.steps} iterations" + (f", failed: {r.failed}" if r.failed else "")
                     for label, r in res.records.items())
    out += [f"<small>{runs + '; ' if runs else ''}{res.seconds:.1f} s</small>", ""]
    return out


def write_handout(lesson: Lesson, out: str | Path, seed: int = 0,
                  on_page: Callable[[PageResult], None] | None = None) -> tuple[Path, list[PageResult]]:
    """Play every page of `lesson` on `seed`; write OUT/page-N-KIND.png and OUT/summary.md."""
    out = Path(out)
    t0 = time.perf_counter()
    results, body = [], []
    for i in range(len(lesson.pages)):
        res = play_page(lesson, i, seed)
        names = {}
        for kind, img in page_figures(res, seed).items():
            name = f"page-{i + 1}-{kind.replace('_', '-')}.png"
            save_png(img, out / name)
            names[kind] = name
        body += page_markdown(res, names)
        results.append(res)
        if on_page is not None:
            on_page(res)
    n_checks = sum(len(r.checks) for r in results)
    n_pass = sum(c.passed for r in results for c in r.checks)
    head = [f"# {lesson.title}", "", f"*{lesson.source}*" if lesson.source else "", "", lesson.summary.strip(), "",
            f"Played headless on seed {seed} in {time.perf_counter() - t0:.0f} s: {n_pass} of {n_checks} checks "
            f"hold (`gan-studio lesson {lesson.name} --seed {seed}`).", ""]
    path = out / "summary.md"
    atomic_write_bytes(path, "\n".join(head + body).encode("utf-8"))
    return path, results
