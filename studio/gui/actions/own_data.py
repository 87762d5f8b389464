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

from pathlib import Path

from PySide6.QtCore import QObject

from ...app_model import StudioModel, data_note, drawn, too_few  # noqa: F401  (data_note, drawn: re-exported)
from ...config.schema import Config, ConfigError
from ...data.toy import MIN_POINTS


class OwnData(QObject):
    """Wires the 2D view's drawing and the form's file picker to the model's next-run config."""

    def __init__(self, model: StudioModel, session, game, form, say, viewing, parent=None):
        """`viewing()`: whether a run opened from disk is followed (its picture stays)."""
        super().__init__(parent)
        self.model, self.session, self.game, self.form, self.say = model, session, game, form, say
        self.viewing = viewing
        self.view = game.view("2d")
        self.view.points_drawn.connect(self.points_drawn)
        self.view.drawing_cleared.connect(self.drawing_cleared)
        form.file_chosen.connect(self.file_chosen)
        model.config_changed.connect(self._config_changed)

    def _before_change(self) -> None:
        """Before a run, the centre shows the next run's game again as its data change."""
        if not self.session.live and not self.viewing():
            self.model.show_preset()

    # ------------------------------------------------------------------ drawing
    def points_drawn(self, points: list) -> None:
        self._before_change()
        n = self.model.draw_points(points)
        if n < MIN_POINTS:
            self.say.flash(too_few(n)[:1].upper() + too_few(n)[1:] + ".")
        elif self.session.live:
            self.say.flash(f"Your {n} drawn points apply to the next run; this run keeps its data "
                           f"(Stop, then Train, to train on them now).")
        else:
            self.say.flash(f"The next run trains on your {n} drawn points.")

    def drawing_cleared(self) -> None:
        self._before_change()
        kind = self.model.clear_drawn()
        if kind is None:
            return
        if not kind:
            self.say.flash("Drawn points cleared: draw new ones, or choose a preset or a points file.")
        else:
            what = "this run keeps its data; the next one" if self.session.live else "the next run"
            self.say.flash(f"Drawn points cleared: {what} trains on the {kind} data again.")

    def show_canvas(self, cfg: Config) -> bool:
        """Nothing to train on yet (points2d without points or file): show the empty 2D view ready
        for drawing instead of an error; False when that is not the case."""
        if cfg.data.kind != "points2d" or cfg.data.points or cfg.data.file:
            return False
        game = self.game
        self.view.clear()
        game.stack.setCurrentWidget(self.view)
        game.current_view = "2d"
        self.view.set_drawing(True)
        game.set_caption("<b>Draw your data</b> · click or drag on the plot to add real points; the "
                         "next run trains on them (or pick a points file with the … beside data.file).")
        return True

    # ------------------------------------------------------------------ a points file
    def file_chosen(self, path: str) -> None:
        self._before_change()
        try:
            info = self.model.use_points_file(path)
        except ConfigError as e:
            text = " ".join(str(e).split())
            self.form.set_note("data.file", None)
            self.form.mark_error("data.file", text, shown=path)
            self.say.flash(f"Not used: {text}")
            self.say.log(text, "warning")
            return
        self.form.set_note("data.file", info.summary)
        what = "this run keeps its data; the next one" if self.session.live else "the next run"
        self.say.flash(f"{what[:1].upper()}{what[1:]} trains on the {info.n:,} points of {Path(info.path).name}.")

    def _config_changed(self, keys) -> None:
        """The form's data.file note (its point count) or its mark (why it does not read)."""
        if keys is not None and not any(k in ("data.file", "data.kind") for k in keys):
            return
        info = self.model.check_points_file()
        self.form.set_note("data.file", info.summary if info is not None else None)
