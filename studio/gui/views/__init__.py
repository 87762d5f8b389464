"""The training views (one per snapshot `view` name) on a shared base, and make_view."""
from __future__ import annotations

from PySide6 import QtWidgets

from .images import CycleGanView, ImageView
from .saddle import SaddleView
from .toy1d import View1D
from .toy2d import View2D

VIEWS: dict[str, type[QtWidgets.QWidget]] = {
    "1d": View1D,
    "2d": View2D,
    "saddle": SaddleView,
    "image": ImageView,
    "cyclegan": CycleGanView,
}


def make_view(view_name: str, parent=None) -> QtWidgets.QWidget:
    """The view for a snapshot's `view` name: "1d", "2d", "saddle", "image" or "cyclegan"."""
    cls = VIEWS.get(view_name)
    if cls is None:
        raise ValueError(f"unknown view {view_name!r}; expected {', '.join(VIEWS)}")
    return cls(parent)
