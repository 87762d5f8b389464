"""What a form field says about itself: its tooltip (meaning, allowed values with the unit and what
0 means, whether it can change while training), a config error worded for the field, and the 1D
mixture's list checks made where the list is typed."""
from __future__ import annotations

import dataclasses
import textwrap

from ...config.io import shown
from ...config.schema import ConfigError

UNITS = {"train.steps": "iterations", "train.batch_size": "samples", "train.threads": "threads",
         "checkpoint.keep_last": "checkpoints", "log.grid_samples": "images", "eval.n_samples": "samples",
         "data.image_size": "pixels", "data.limit": "images", "model.hidden": "units",
         "model.depth": "layers", "model.base_channels": "channels"}
LIST_HINT = {"list[float]": "Numbers separated by commas, e.g. 0.5, 0.5.",
             "list[list[float]]": "Draw them in the 2D view (Draw data)."}


def field_type(f: dataclasses.Field) -> str:
    return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))


def num_text(v, t: str) -> str:
    return f"{int(v):,}" if t == "int" else f"{v:g}"


def tooltip(key: str, f: dataclasses.Field, live: bool, choices=None) -> str:
    """Meaning, allowed values (unit, what 0 means) and whether it can change while training."""
    m, t = f.metadata, field_type(f)
    lines = [m.get("help", "")]
    unit = UNITS.get(key) or ("iterations" if key.endswith("every") else "")
    unit = f" {unit}" if unit else ""
    choices = choices if choices is not None else m.get("choices")
    lo, hi = m.get("min"), m.get("max")
    if choices is not None:
        lines.append("One of " + ", ".join(map(str, choices)) + ".")
    elif t in ("int", "float") and (lo is not None or hi is not None):
        if lo is not None and hi is not None:
            rng = f"From {num_text(lo, t)} to {num_text(hi, t)}{unit}"
        elif lo is not None:
            rng = f"At least {num_text(lo, t)}{unit}"
        else:
            rng = f"At most {num_text(hi, t)}{unit}"
        if t == "int":
            rng += ", a whole number"
        if m.get("log"):
            rng += "; the arrows step 1, 2, 5"
        lines.append(rng + ".")
    elif t in LIST_HINT:
        lines.append(LIST_HINT[t])
    if m.get("zero"):
        lines.append(f"0 means: {m['zero']}.")
    lines.append("Can change while training (applied between steps)." if live
                 else "Fixed while a run is live.")
    lines.append(f"Key: {key}")
    return "\n".join(textwrap.fill(line, 72) for line in lines if line)


def error_reason(key: str, e: ConfigError) -> str:
    """The error without its 'where:' prefix: 'must be at most 10 (got 50.0)'."""
    text = str(e)
    return text[len(key) + 2:] if text.startswith(key + ": ") else text


def check_list(key: str, value) -> None:
    """What the 1D mixture's data set rejects, caught where it is typed."""
    if not isinstance(value, list) or key not in ("data.means", "data.stds", "data.weights"):
        return
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value):
        return                                   # check_value says what is wrong
    if not value:
        raise ConfigError(f"{key}: expected at least one number (got {shown(value)})")
    if key == "data.stds" and min(value) <= 0:
        raise ConfigError(f"{key}: every standard deviation must be positive (got {shown(value)})")
    if key == "data.weights" and (min(value) < 0 or sum(value) <= 0):
        raise ConfigError(f"{key}: weights must be at least 0 and not all 0 (got {shown(value)})")
