"""The studio's state without Qt: what the user is working on, changed only through the model's
methods, which validate and announce each change as a plain-Python event. `studio.gui` shows it."""
from .events import Event
from .model import ExplorerSource, Shown, StudioModel
from .own_data import data_note, drawn, too_few

__all__ = ["Event", "ExplorerSource", "Shown", "StudioModel", "data_note", "drawn", "too_few"]
