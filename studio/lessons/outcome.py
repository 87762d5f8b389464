"""What a page's checks found, in numbers and in words: the part of the player the studio's lesson
panel shows. Standard library only (the panel imports it without the engine)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .format import CheckSpec, Page


@dataclass
class CheckResult:
    spec: CheckSpec
    value: float
    passed: bool
    error: str = ""

    @property
    def label(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.spec.params.items())
        run = f" [{self.spec.run}]" if self.spec.run else ""
        return f"{self.spec.name}({args}){run}"

    def shown_value(self) -> str:
        if self.error:
            return "—"
        if math.isinf(self.value):
            return "∞" if self.value > 0 else "−∞"
        return f"{self.value:.4g}"


def outcome_text(page: Page, results: list[CheckResult], prediction: int | None) -> str:
    lines = []
    for c in results:
        claim = c.spec.claim or c.label
        if claim[:1].isascii():        # 'θ has not moved' keeps its θ (a capital Θ is another symbol)
            claim = claim[:1].upper() + claim[1:]
        verdict = "as the notes say" if c.passed else "NOT as the notes say"
        why = f" ({c.error})" if c.error else ""
        mark = "✓" if c.passed else "✗"
        lines.append(f"{mark} {claim}: measured {c.shown_value()} (wanted {c.spec.threshold()}), {verdict}{why}.")
    p = page.predict
    if p is not None and prediction is not None:
        right = prediction == p.answer
        you = p.choices[prediction] if 0 <= prediction < len(p.choices) else "?"
        if right:
            lines.append(f"You predicted “{you}”, and that is what the notes expect.")
        else:
            lines.append(f"You predicted “{you}”; the notes expect “{p.choices[p.answer]}”.")
    return "\n".join(lines)
