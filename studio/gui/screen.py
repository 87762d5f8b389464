"""What the centre and the panels say about a configuration: the game's caption, and a clean slate
when something else is shown (a preset, a run opened from disk, a new run)."""
from __future__ import annotations

import html

from ..app_model import data_note
from .actions.dirac_compare import LINK as DIRAC_LINK


def caption(cfg, name: str, what: str = "") -> str:
    """The game's caption: the title, what is shown, and the description (or the run's own data)."""
    title = html.escape(cfg.title or name)
    desc = html.escape(cfg.description or "")
    note = data_note(cfg)                   # the run's own data: the preset's words are not about it
    if note:
        desc = f"<b>{note}</b>"
    if cfg.model.kind == "dirac":
        desc += f" <a href='{DIRAC_LINK}'>Compare training methods on this game…</a>"
    head = f"<b>{title}</b>" + (f" &nbsp;<span style='opacity:0.75'>· {html.escape(what)}</span>" if what else "")
    return head + (f"<br><span style='font-size:small'>{desc}</span>" if desc else "")


def reset_panels(p, message: str | None = None) -> None:
    """The plot, the game, the metrics and the status bar start afresh (`p`: the window's panels)."""
    p.plot.clear()
    if message is None:
        p.game.clear()
    else:
        p.game.clear(message)
    p.metrics.clear()
    p.status.reset()
