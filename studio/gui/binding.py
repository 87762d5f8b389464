"""Widgets bound to the studio model both ways, without echo.

The form shows the model's next-run configuration: an accepted edit in the form is written to the
model (which validates it again), and a change the model announces (a preset chosen, a run resumed,
points drawn, a value the trainer changed) is shown in the form under QSignalBlocker, so nothing is
written back. The preset list and the window's title follow the model's choice."""
from __future__ import annotations

from ..app_model import StudioModel
from ..config.schema import ConfigError


class FormBinding:
    def __init__(self, model: StudioModel, form):
        self.model, self.form = model, form
        self._writing = False          # an edit of the form on its way into the model
        form.edited.connect(self._from_form)
        model.config_changed.connect(self._to_form)
        model.problem_changed.connect(self._problem)
        form.set_config(model.config())

    def _from_form(self, key: str, value) -> None:
        self._writing = True
        try:
            self.model.set_value(key, value)
        except ConfigError as e:       # the form checks the same rules; a mark, should they differ
            self.form.mark_error(key, " ".join(str(e).split()))
        finally:
            self._writing = False

    def _to_form(self, keys) -> None:
        if self._writing:              # the form shows it already
            return
        if keys is None:
            self.form.set_config(self.model.config())
        else:
            for key in keys:
                self.form.set_value(key, self.model.get(key))

    def _problem(self, key: str, reason: str | None) -> None:
        self.form.mark_error(key, reason)


class ChoiceBinding:
    """The preset list selects the model's preset (none while a run is what the user works on) and
    the window's title names what is worked on."""

    def __init__(self, model: StudioModel, presets, set_title):
        self.model, self.presets, self.set_title = model, presets, set_title
        model.preset_changed.connect(self._changed)

    def _changed(self, preset: str | None) -> None:
        if preset is None:
            self.presets.clear_choice()
        elif self.presets.current() != preset:
            self.presets.select(preset, emit=False)
        self.set_title(self.model.name)
