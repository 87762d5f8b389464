"""Offline jobs on a checkpoint, none of which builds a trainer: model_io (open a checkpoint as its
config and game), sample, export, translate, evaluate, and plots (PNG plots of 1D/2D samples)."""
