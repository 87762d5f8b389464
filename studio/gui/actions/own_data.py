"""Your own data in the studio: points drawn in the 2D view, or a points file picked in the form.

Drawing (the 2D view's Draw data) switches the form's config to data.kind = points2d with the drawn
points in data.points; the form's data.points row says how many, the status bar and the game's
caption say that the next run trains on them, and the run's config.toml keeps them (a run started
from that file trains on them again). While a run is live, the drawn points wait for the next run
(this run keeps its data; the status bar says so). Fewer than MIN_POINTS drawn points are marked on
the data.points field, one line, and a run does not start until there are more. Clear drawn brings
back the data the form had before the drawing took over (the preset's). Choosing another 2D preset
keeps the drawn points: they are the data, the preset brings the game.

The "…" beside data.file picks a CSV or .npy: data.kind follows its column count (points1d or
points2d) and the form shows its point count under the field; a file that does not read is marked
on the field with the run's own one-line reason, and nothing is applied.
"""
from __future__ import annotations

import copy
import dataclasses
import html
from pathlib import Path

from PySide6.QtCore import QObject

from ...config.presets import load_preset
from ...config.schema import Config, ConfigError
from ...data.toy import MIN_POINTS
from ...tools import points_file
from ..panels.param_form import data_family

POINTS_KINDS = ("points1d", "points2d")


def drawn(cfg: Config) -> int:
    """How many drawn points the config trains on (0 when it trains on something else)."""
    d = cfg.data
    return len(d.points) if d.kind == "points2d" and not d.file else 0


def data_note(cfg: Config) -> str:
    """One line (HTML) on the run's own data for the game's caption; '' for the preset's data."""
    n = drawn(cfg)
    if n:
        return f"Trains on your {n:,} drawn points (Clear drawn: the preset's data again)."
    if cfg.data.kind in POINTS_KINDS and cfg.data.file:
        return f"Trains on the points of {html.escape(Path(cfg.data.file).name)}."
    return ""


def too_few(n: int) -> str:
    return (f"{n} drawn point{'s' * (n != 1)}: at least {MIN_POINTS} are needed to train on them "
            f"(draw more, or Clear drawn)")


class OwnData(QObject):
    """Wires the 2D view's drawing and the form's file picker to the form's config (see above)."""

    def __init__(self, window):
        super().__init__(window)
        self.win = window
        self.form = window.form
        self.stash = None            # the data section the drawing replaced, for Clear drawn
        self.view = window.game.view("2d")
        self.view.points_drawn.connect(self.points_drawn)
        self.view.drawing_cleared.connect(self.drawing_cleared)
        self.form.file_chosen.connect(self.file_chosen)
        self.form.config_replaced.connect(self.refresh)
        self.form.edited.connect(lambda key, _v: key in ("data.file", "data.kind") and self.refresh())

    # ------------------------------------------------------------------ drawing
    def points_drawn(self, points: list) -> None:
        cfg = self.form.config()
        if self.stash is None and not drawn(cfg):
            self.stash = copy.deepcopy(cfg.data)
        self._use(points)
        n = len(points)
        if n < MIN_POINTS:
            self.win.flash(too_few(n)[:1].upper() + too_few(n)[1:] + ".")
        elif self.win.session.live:
            self.win.flash(f"Your {n} drawn points apply to the next run; this run keeps its data "
                           f"(Stop, then Train, to train on them now).")
        else:
            self.win.flash(f"The next run trains on your {n} drawn points.")
        self._after_change()

    def _use(self, points: list) -> None:
        """The form's config trains on `points` (a file it named is left out, not deleted)."""
        if self.form.config().data.file:
            self.form.set_value("data.file", "")
        self.form.set_value("data.kind", "points2d")
        self.form.set_value("data.points", [[float(x), float(y)] for x, y in points])
        n = len(points)
        self.form.mark_error("data.points", too_few(n) if n < MIN_POINTS else None)

    def drawing_cleared(self) -> None:
        cfg = self.form.config()
        if not drawn(cfg) and not self.form.errors().get("data.points"):
            return
        before = self.stash
        if before is None and self.win.preset_name:
            try:
                before = load_preset(self.win.preset_name).data
            except ConfigError:
                before = None
        self.stash = None
        self.form.mark_error("data.points", None)
        if before is None or before.kind == "points2d" and not before.file:
            self.form.set_value("data.points", [])
            self.win.flash("Drawn points cleared: draw new ones, or choose a preset or a points file.")
        else:
            for f in dataclasses.fields(before):
                if f.name != "kind":
                    self.form.set_value(f"data.{f.name}", getattr(before, f.name))
            self.form.set_value("data.kind", before.kind)
            what = "this run keeps its data; the next one" if self.win.session.live else "the next run"
            self.win.flash(f"Drawn points cleared: {what} trains on the {before.kind} data again.")
        self._after_change()

    def preset_chosen(self, cfg: Config) -> Config:
        """A newly chosen 2D preset keeps the points drawn in the view (the preset's data comes back
        with Clear drawn); the config the form now holds."""
        points = self.view.drawn_points
        if len(points) >= MIN_POINTS and data_family(cfg.data.kind) == "2d" and not drawn(cfg):
            self.stash = copy.deepcopy(cfg.data)
            self._use(points)
            self.win.flash(f"Your {len(points)} drawn points carry over: the next run trains on them "
                           f"(Clear drawn for the preset's data).")
        else:
            self.stash = None
        return self.form.config()

    def show_canvas(self, cfg: Config) -> bool:
        """Nothing to train on yet (points2d without points or file): show the empty 2D view ready
        for drawing instead of an error; False when that is not the case."""
        if cfg.data.kind != "points2d" or cfg.data.points or cfg.data.file:
            return False
        game = self.win.game
        self.view.clear()
        game.stack.setCurrentWidget(self.view)
        game.current_view = "2d"
        self.view.set_drawing(True)
        game.set_caption("<b>Draw your data</b> · click or drag on the plot to add real points; the "
                         "next run trains on them (or pick a points file with the … beside data.file).")
        return True

    # ------------------------------------------------------------------ a points file
    def file_chosen(self, path: str) -> None:
        try:
            info = points_file.describe(path)
        except ConfigError as e:
            text = " ".join(str(e).split())
            self.form.set_note("data.file", None)
            self.form.mark_error("data.file", text, shown=path)
            self.win.flash(f"Not used: {text}")
            self.win.log.append(text, "warning")
            return
        self.form.mark_error("data.file", None)
        self.form.set_value("data.kind", info.kind)
        self.form.set_value("data.file", info.path)
        self.form.set_note("data.file", info.summary)
        what = "this run keeps its data; the next one" if self.win.session.live else "the next run"
        self.win.flash(f"{what[:1].upper()}{what[1:]} trains on the {info.n:,} points of {Path(info.path).name}.")
        self._after_change()

    def refresh(self) -> None:
        """The form's data.file note (its point count) or its mark (why it does not read)."""
        d = self.form.config().data
        if d.kind not in POINTS_KINDS or not d.file:
            self.form.set_note("data.file", None)
            if self.form.errors().get("data.file"):
                self.form.mark_error("data.file", None)
            return
        try:
            info = points_file.describe(d.file)
        except ConfigError as e:
            self.form.set_note("data.file", None)
            self.form.mark_error("data.file", " ".join(str(e).split()))
            return
        want = 2 if d.kind == "points2d" else 1
        have = 2 if info.kind == "points2d" else 1
        if want != have:
            self.form.mark_error("data.file", f"{info.path}: has {have} column{'s' * (have > 1)}; "
                                              f"data.kind = {d.kind} expects {want}")
            return
        self.form.mark_error("data.file", None)
        self.form.set_note("data.file", info.summary)

    # ------------------------------------------------------------------ what follows a change
    def _after_change(self) -> None:
        """Before a run: the caption and the game's picture follow the new data."""
        w = self.win
        if w.session.live or w.follower is not None:
            return
        cfg = self.form.config()
        name = w.preset_name or "run"
        w.game.set_caption(w._caption(cfg, name, "the game before training"))
        w.shown_checkpoint = None
        w._preview_timer.start()
