"""The quality metrics of a checkpoint (`gan-studio eval`): the checkpoint opened with its data,
evaluated as a run would evaluate it at that step."""
from __future__ import annotations

import copy

from ..config.schema import ConfigError
from ..quality.evaluate import Evaluator
from .model_io import open_model


def evaluate_checkpoint(path, n: int | None = None, inception: bool = True,
                        progress=None) -> tuple[dict, list[str]]:
    """All metrics of a checkpoint's generator, and the notes (classifier accuracy, Inception).
    `progress(done, total)` hears the feature classifier train, when it must (the first time)."""
    if n is not None and n < 16:
        raise ConfigError(f"-n must be at least 16 (got {n})")
    model = open_model(path, with_data=True)
    cfg = copy.deepcopy(model.cfg)
    if n is not None:
        cfg.eval.n_samples = n
    cfg.eval.inception = inception and model.data.family == "image"
    ev = Evaluator(model.game, cfg)
    for done, total in ev.prepare():
        if progress is not None:
            progress(done, total)
    values = ev.evaluate()
    return values, list(ev.notes)
