"""Property-based tests of every loader of untrusted input: presets (TOML documents generated from the
schema, and raw garbage), `--set` overrides, checkpoints (mutations of real ones), checkpoint sidecars
and image folders. The rule they check: bad input gets one line naming what was wrong and where, as a
ConfigError or a CheckpointError (exit status 2 on the command line), never another exception.

Deterministic (derandomize=True). `pytest --hypothesis-show-statistics` prints the cases each test ran;
GAN_STUDIO_FUZZ_SCALE=N runs N times as many, freshly drawn (for a longer search).
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import itertools
import json
import math
import os
import shutil
import struct
import tomllib
import zlib
from pathlib import Path

import pytest
import tomli_w
import torch
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from PIL import Image

from studio.cli import main
from studio.config.io import apply_override, config_from_dict
from studio.config.paths import presets_dir
from studio.config.presets import load_preset
from studio.config.schema import (SECTIONS, VARIANT_PARAMS, Config, ConfigError, DataConfig, discover_games,
                                  to_dict)
from studio.data import make_data
from studio.engine import checkpoints
from studio.engine.checkpoints import CheckpointError
from studio.engine.trainer import Trainer
from studio.tools.model_io import open_model

from .helpers import tiny


SCALE = int(os.environ.get("GAN_STUDIO_FUZZ_SCALE", "1"))   # > 1: more cases, and fresh random ones each run


def fuzz(n: int):
    return settings(max_examples=n * SCALE, deadline=None, derandomize=SCALE == 1, database=None,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))


class Real(dict):
    """The real checkpoints (a short repr: hypothesis prints the fixtures of a failing case)."""

    def __repr__(self):
        return "<real checkpoints>"


def clean(fn, where, *args, **kw):
    """Call a loader: it succeeds, or raises ConfigError/CheckpointError whose one-line message names
    `where` (anything else propagates and fails the test)."""
    name = getattr(fn, "__name__", "loader")
    try:
        got = fn(*args, **kw)
    except (ConfigError, CheckpointError) as e:
        msg = str(e)
        event(f"{name}: {type(e).__name__}")
        note(f"{type(e).__name__}: {msg}")
        assert str(where) in msg, f"message does not name {where}: {msg}"
        assert "\n" not in msg, f"message is not one line: {msg!r}"
        return e
    event(f"{name}: ok")
    return got


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def assert_cli_clean(argv: list[str], where) -> int:
    rc, out, err = run_cli(argv)
    event(f"{argv[0]}: exit {rc}")
    note(f"rc {rc}, stderr {err!r}")
    assert rc in (0, 2), f"exit {rc}: {err}"
    if rc == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:"), err
        assert str(where) in lines[0], f"error line does not name {where}: {lines[0]}"
    return rc


_counter = itertools.count()


def fresh(base: Path, stem: str) -> Path:
    """A new path under `base` (hypothesis runs many cases in one test function)."""
    return base / f"{stem}{next(_counter)}"


# ================================================================================ presets
discover_games()
TOP_FIELDS = {f.name: f for f in dataclasses.fields(Config) if f.name not in SECTIONS}
SECTION_FIELDS = {s: {f.name: f for f in dataclasses.fields(getattr(Config(), s))} for s in SECTIONS if s != "variant"}
SECTION_FIELDS["variant"] = {f.name: f for cls in VARIANT_PARAMS.values() for f in dataclasses.fields(cls)}
PRESETS = {p.stem: p.read_text("utf-8") for p in sorted(presets_dir().glob("*.toml"))}
TOY_PRESETS = ["toy-1d-shift", "toy-1d-mlp", "ring-2d-gan", "saddle-bilinear", "grid-2d-wgan-gp"]

keys = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=8)
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-2**63, max_value=2**63 - 1),
    st.sampled_from([0, -1, 1, 2, 3, 255, 2**31, 2**31 - 1, 2**63 - 1, -2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, 1e300, 0.5, -1.5, float("nan"), float("inf"), -float("inf")]),
    st.text(max_size=12),
    st.sampled_from(["", "gan", "wgan", "saddle", "cyclegan", "auto", "cuda", "cpu", "adam", "mlp",
                     "dcgan", "digits", "image_folder", "points2d", "mixture1d", "none", "1", "true"]),
    st.datetimes(), st.dates(), st.times(),
)
toml_values = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=4),
                                                        st.dictionaries(keys, c, max_size=3)), max_leaves=6)


def near_values(f: dataclasses.Field):
    """Values close to what a field accepts: its bounds and one past them, its choices, lists."""
    m, out = f.metadata, []
    for b in (m.get("min"), m.get("max")):
        if b is not None:
            out += [b, b - 1, b + 1, b - 1e-9, b + 1e-9, float(b), int(b) if b == int(b) else b]
    out += list(m.get("choices") or ())
    out += [[], [1.0], [0.0, -1.0, 2.0], [[0.0, 0.0]], [[1.0, 2.0, 3.0]], [[]], [True], ["a"], [[0, 0], [1e308, -1e308]]]
    return st.sampled_from(out)


def good_value(f: dataclasses.Field):
    """A value the field accepts (valid configurations must train, not only load)."""
    m, t = f.metadata, f.type if isinstance(f.type, str) else f.type.__name__
    if m.get("choices"):
        return st.sampled_from(m["choices"])
    lo, hi = m.get("min"), m.get("max")
    if t == "bool":
        return st.booleans()
    if t == "int":
        return st.integers(int(lo) if lo is not None else -2**31, int(hi) if hi is not None else 2**31)
    if t == "float":
        return st.floats(lo if lo is not None else -1e6, hi if hi is not None else 1e6)
    if t == "str" and m.get("check"):     # a string of a set form (data.background): what the check accepts
        return st.sampled_from(["white", "black", "grey", "#abc", "#12AB9f"])
    if t == "str":
        return st.text(max_size=8)
    if t == "list[float]":
        return st.lists(st.floats(-10, 10), max_size=4)
    return st.lists(st.lists(st.floats(-10, 10), min_size=2, max_size=2), max_size=4)


def field_value(section: str | None, key: str):
    fields = TOP_FIELDS if section is None else SECTION_FIELDS.get(section, {})
    if key in fields:
        return st.one_of(near_values(fields[key]), toml_values)
    return toml_values


@st.composite
def mutation(draw, good_only=False):
    kind = "good" if good_only else draw(st.sampled_from(["good", "good", "good", "set", "set", "drop", "section",
                                                          "unknown", "top", "variant"]))
    section = draw(st.sampled_from(SECTIONS))
    if kind == "good":
        key = draw(st.sampled_from(sorted(SECTION_FIELDS[section])))
        if section == "variant" and key == "name":
            return ("set", section, key, draw(st.sampled_from(sorted(VARIANT_PARAMS))))
        return ("set", section, key, draw(good_value(SECTION_FIELDS[section][key])))
    if kind == "set":
        key = draw(st.sampled_from(sorted(SECTION_FIELDS[section])))
        return ("set", section, key, draw(field_value(section, key)))
    if kind == "drop":
        return ("drop", draw(st.sampled_from([None, *SECTIONS])), draw(st.sampled_from(
            ["schema_version", "kind", "name", "lr", "steps", "title"])), None)
    if kind == "section":   # a whole section replaced by a scalar, a list or a strange table
        return ("section", section, None, draw(toml_values))
    if kind == "unknown":
        return ("set", draw(st.sampled_from([None, *SECTIONS])), draw(keys), draw(toml_values))
    if kind == "top":
        key = draw(st.sampled_from(sorted(TOP_FIELDS)))
        return ("set", None, key, draw(field_value(None, key)))
    return ("set", "variant", "name", draw(st.one_of(st.sampled_from(sorted(VARIANT_PARAMS)), toml_values)))


def apply_mutations(doc: dict, muts) -> dict:
    for op, section, key, value in muts:
        table = doc if section is None else doc.setdefault(section, {}) if op != "section" else None
        if op == "section":
            doc[section] = value
        elif not isinstance(table, dict):
            continue
        elif op == "drop":
            table.pop(key, None)
        else:
            table[key] = value
    return doc


@st.composite
def preset_documents(draw, bases=tuple(PRESETS), good_only=False):
    base = draw(st.sampled_from([None, *bases]))
    doc = tomllib.loads(PRESETS[base]) if base else draw(st.sampled_from([{}, {"schema_version": 1}]))
    return apply_mutations(doc, draw(st.lists(mutation(good_only), max_size=3)))


def _insert(t: str, i: int, s: str) -> str:
    i %= len(t) + 1
    return t[:i] + s + t[i:]


raw_presets = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda t, i: PRESETS[t].encode()[:i], st.sampled_from(sorted(PRESETS)), st.integers(0, 3000)),
    st.builds(lambda t, i, b: _insert(PRESETS[t], i, b).encode("utf-8", "surrogatepass"),
              st.sampled_from(sorted(PRESETS)), st.integers(0, 3000),
              st.sampled_from(["\x00", "\ufeff", "[", "]", "=", "\"", "'''", "\n[data]\n", "\nkind = 1\n",
                               "\n\n[[data]]\n", "\\", "\r", "\x7f", "\ud800", "é"])),
    st.builds(lambda t, bom: bom + PRESETS[t].encode(), st.sampled_from(sorted(PRESETS)),
              st.sampled_from([b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00"])),
    st.builds(lambda t, enc: PRESETS[t].encode(enc, "replace"), st.sampled_from(sorted(PRESETS)),
              st.sampled_from(["utf-16", "utf-32", "utf-16-be", "cp1252"])),
    st.builds(lambda b: b"\xef\xbb\xbf" + b, st.binary(max_size=60)),
    st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _write_doc(folder: Path, doc: dict) -> Path:
    path = fresh(folder, "preset").with_suffix(".toml")
    path.write_text(tomli_w.dumps(doc), "utf-8")
    return path


@fuzz(750)
@given(doc=preset_documents())
def test_generated_presets_load_or_name_the_problem(scratch, doc):
    path = _write_doc(scratch, doc)
    cfg = clean(load_preset, path, str(path))
    if isinstance(cfg, Config):    # what loads must write back and load again unchanged
        assert to_dict(config_from_dict(to_dict(cfg), "round trip")) == to_dict(cfg)
    path.unlink()


@fuzz(500)
@given(raw=raw_presets)
def test_garbage_preset_files_load_or_name_the_file(scratch, raw):
    path = fresh(scratch, "raw").with_suffix(".toml")
    path.write_bytes(raw)
    clean(load_preset, path, str(path))
    path.unlink()


CHEAP = ["train.batch_size=8", "model.hidden=8", "model.depth=1", "model.base_channels=4",
         "data.limit=32", "data.download=false", "data.image_size=8", "eval.every=0", "log.grid_every=0",
         "log.tensorboard=false", "checkpoint.every=0", "checkpoint.at_end=false", "train.device=cpu"]


@fuzz(80)
@given(case=st.one_of(preset_documents(bases=TOY_PRESETS).map(lambda d: ("doc", d)),
                      preset_documents(bases=TOY_PRESETS, good_only=True).map(lambda d: ("doc", d)),
                      preset_documents(good_only=True).map(lambda d: ("doc", d)),   # valid settings that clash
                      raw_presets.map(lambda r: ("raw", r))))
def test_train_cli_on_generated_presets_exits_2_with_one_line(scratch, case):
    kind, payload = case
    if kind == "doc":
        path = _write_doc(scratch, payload)
    else:
        path = fresh(scratch, "raw").with_suffix(".toml")
        path.write_bytes(payload)
    argv = ["train", "--preset", str(path), "--steps", "1", "--out", str(fresh(scratch, "run")), "--quiet"]
    try:
        load_preset(path)
    except ConfigError:
        pass
    else:   # a preset that loads trains one cheap step (a generated batch of 65536 would take a while)
        argv += [a for o in CHEAP for a in ("--set", o)]
    assert_cli_clean(argv, path)


# ================================================================================ --set overrides
DOTTED = sorted(f"{s}.{k}" for s, fs in SECTION_FIELDS.items() for k in fs)
override_keys = st.one_of(
    st.sampled_from(DOTTED), st.sampled_from(DOTTED), st.sampled_from(DOTTED),
    st.sampled_from(["", ".", "data", "data.", ".kind", "data..kind", "data.kind.x", "schema_version",
                     "title", "variant", "nosuch.key", "train.nosuch", " train.steps ", "TRAIN.STEPS"]),
    keys,
)


def _literal(v) -> str:
    text = tomli_w.dumps({"v": v})
    return text.split("=", 1)[1].strip() if text.startswith("v =") else "{}"   # a table is written as [v]


override_values = st.one_of(
    toml_values.map(_literal),
    st.just(""),
    st.text(max_size=20),
    st.sampled_from(["1e999", "-1e999", "nan", "inf", "0x10", "1_000", "[1, [2]]", "{a = 1}", "'''x'''",
                     "\"unterminated", "true", "True", "1.", ".5", "[]", "[[1, 2], [3]]", "1\n[v]"]),
)


@st.composite
def overrides(draw):
    """'key=value' texts: mostly real keys with values near or inside their bounds, some malformed."""
    key = draw(override_keys)
    sep = draw(st.sampled_from(["=", "=", "=", " = ", ":", ""]))
    section, _, name = key.partition(".")
    f = SECTION_FIELDS.get(section, {}).get(name)
    if f is not None and draw(st.booleans()):
        value = _literal(draw(st.one_of(good_value(f), near_values(f))))
    else:
        value = draw(override_values)
    return f"{key}{sep}{value}"


@fuzz(750)
@given(preset=st.sampled_from(sorted(PRESETS)), text=overrides())
def test_set_overrides_apply_or_name_the_key(preset, text):
    cfg = load_preset(preset)
    got = clean(apply_override, "--set", cfg, text)
    if not isinstance(got, Exception):    # an accepted override leaves a config that loads
        assert to_dict(config_from_dict(to_dict(cfg), "after --set")) == to_dict(cfg)


# ================================================================================ checkpoints
@pytest.fixture(scope="module")
def real_checkpoints(tmp_path_factory):
    """Real checkpoints, trained for 2 steps: the 1D shift game (SGD), a tiny DCGAN on digits (Adam) and
    a conditional one (fixed labels)."""
    base = tmp_path_factory.mktemp("real")
    out = Real()
    toy = tiny("toy-1d-shift", "log.tensorboard=false", steps=2)
    small = ["train.steps=2", "checkpoint.every=0", "data.limit=64", "model.base_channels=8", "train.batch_size=8",
             "data.image_size=8", "model.latent_dim=8", "eval.every=0", "log.grid_every=0", "log.tensorboard=false",
             "log.grid_samples=8", "train.device=cpu"]
    img, cond = load_preset("digits-dcgan"), load_preset("digits-dcgan")
    for o in small:
        apply_override(img, o)
    for o in small + ["variant.name=cgan"]:
        apply_override(cond, o)
    for name, cfg in (("toy", toy), ("img", img), ("cond", cond)):
        list(Trainer(cfg, base / name, snapshots=False).run())
        path = next((base / name / "checkpoints").glob("end_*.pt"))
        out[name] = (path, torch.load(path, weights_only=True))
    return out


def _paths(obj, prefix=(), depth=0):
    """Every (nested) key path of a checkpoint's dicts and lists, up to four levels."""
    if depth >= 4:
        return
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for k, v in items:
        yield prefix + (k,)
        yield from _paths(v, prefix + (k,), depth + 1)


def wrong_values(draw_like=None):
    tensors = st.sampled_from([
        torch.zeros(3), torch.zeros(0), torch.zeros(()), torch.zeros(2, 2, dtype=torch.float64),
        torch.ones(5056, dtype=torch.int64), torch.zeros(5056, dtype=torch.uint8)[:100],
        torch.zeros(5056, dtype=torch.float32), torch.zeros(16, dtype=torch.uint8), torch.zeros(7, 7, dtype=torch.uint8),
        torch.tensor([float("nan")]), torch.zeros(64, 3), torch.zeros(64, 8, dtype=torch.int64),
        torch.zeros(1, 2, 3, 4), torch.tensor([True, False]), torch.zeros(3, dtype=torch.complex64),
    ])
    return st.one_of(
        st.sampled_from([None, "", "x", "2", 0, -1, -2**40, 2**62, 1.5, float("nan"), float("inf"), True, False,
                         [], [1, 2], {}, {"a": 1}, (1,), b"\x00", {"step": 1}, [[1, 2]], {"G": 1}, {"G": {}}]),
        tensors,
        st.text(max_size=5), st.integers(), st.floats(),
        st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )


def _set_path(state, path, value):
    obj = state
    for k in path[:-1]:
        obj = obj[k]
    obj[path[-1]] = value


def _drop_path(state, path):
    obj = state
    for k in path[:-1]:
        obj = obj[k]
    if isinstance(obj, dict):
        del obj[path[-1]]
    else:
        obj.pop(path[-1])


@st.composite
def checkpoint_mutations(draw):
    which = draw(st.sampled_from(["toy", "img", "cond"]))
    n = draw(st.sampled_from([0, 1, 1, 1, 2, 2, 3]))     # 0: the checkpoint as written
    ops = []
    for _ in range(n):
        op = draw(st.sampled_from(["drop", "set", "set", "set", "config", "config_good", "step", "rng", "harmless"]))
        if op == "config_good":   # another valid setting: weights that do not fit, or settings that clash
            section = draw(st.sampled_from([s for s in SECTIONS if s != "variant"]))
            key = draw(st.sampled_from(sorted(SECTION_FIELDS[section])))
            ops.append(("set", ("config", section, key), draw(good_value(SECTION_FIELDS[section][key]))))
        elif op == "harmless":    # what a reader must take as it is
            ops.append(("set", draw(st.sampled_from([("metrics",), ("best",), ("elapsed",), ("d_updates",)])),
                        draw(st.sampled_from([{}, {"loss_d": float("nan")}, None, 0.5, 0, 7]))))
        else:
            ops.append((op, draw(st.integers(0, 10**6)), draw(wrong_values())))
    return which, ops


def mutate(state: dict, ops) -> dict:
    state = copy.deepcopy(state)
    for op, pick, value in ops:
        paths = list(_paths(state))
        if op == "config" and isinstance(state.get("config"), dict):
            paths = [p for p in paths if p[0] == "config" and len(p) >= 2] or paths
        elif op == "step":
            paths = [("step",), ("version",), ("format",), ("elapsed",), ("d_updates",), ("best",)]
        elif op == "rng":
            paths = [p for p in paths if p[0] in ("rng", "fixed", "extra", "data_spec")] or [("rng",)]
        if not paths:
            continue
        path = pick if isinstance(pick, tuple) else paths[pick % len(paths)]
        try:
            if op == "drop":
                _drop_path(state, path)
            else:
                _set_path(state, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    return state


def _save(folder: Path, state) -> Path:
    run = fresh(folder, "ck")
    path = run / "checkpoints" / "step_00000002.pt"
    path.parent.mkdir(parents=True)
    torch.save(state, path)
    return path


@fuzz(400)
@given(case=checkpoint_mutations())
def test_mutated_checkpoints_load_or_name_the_file(scratch, real_checkpoints, case):
    which, ops = case
    state = mutate(real_checkpoints[which][1], ops)
    note(f"{which} {[(op, p, v if not isinstance(v, torch.Tensor) else (v.dtype, tuple(v.shape))) for op, p, v in ops]}")
    path = _save(scratch, state)
    got = clean(checkpoints.load, path, path)
    if isinstance(got, dict):
        clean(checkpoints.config_of, path, got, str(path))
    clean(open_model, path, path)
    shutil.rmtree(path.parent.parent)


@fuzz(60)
@given(case=checkpoint_mutations(), command=st.sampled_from(["sample", "export", "resume"]))
def test_cli_on_mutated_checkpoints_exits_2_with_one_line(scratch, real_checkpoints, case, command):
    which, ops = case
    if command == "export":
        which = "img" if which == "toy" else which    # export is for image generators
    state = mutate(real_checkpoints[which][1], ops)
    path = _save(scratch, state)
    out = fresh(scratch, "out")
    argv = {"sample": ["sample", "--checkpoint", str(path), "-n", "16", "--out",
                       f"{out}.npy" if which == "toy" else f"{out}.png"],
            "export": ["export", "--checkpoint", str(path), "--out", f"{out}.pt"],
            "resume": ["train", "--resume", str(path), "--steps", "3", "--out", str(out), "--quiet"]}[command]
    assert_cli_clean(argv, path)


RESUMED = ("optimizers", "rng", "fixed", "extra", "metrics", "best", "elapsed", "d_updates", "g_updates", "step")
plausible = st.sampled_from([0, 1, -1, 1e-8, 0.5, 2.0, float("nan"), None, True, (0.5, 0.999), (2, 3), [0.9],
                             torch.tensor(1.0), torch.zeros(8, 2), torch.zeros(8, 2, dtype=torch.int64),
                             torch.zeros(64, 8), torch.full((8,), 12), torch.arange(8), {}, {"step": torch.tensor(1.0)}])


@st.composite
def resume_mutations(draw):
    """Mutations of what a resumed run reads beyond the weights: optimiser hyperparameters and buffers,
    random states, the fixed noise and labels, the game's extra state, counters and metrics."""
    which = draw(st.sampled_from(["toy", "img", "cond"]))
    ops = []
    for _ in range(draw(st.integers(1, 2))):
        ops.append((draw(st.sampled_from(["set", "set", "drop"])), draw(st.integers(0, 10**6)),
                    draw(st.one_of(plausible, wrong_values()))))
    return which, ops


@fuzz(80)
@given(case=resume_mutations())
def test_resume_from_mutated_training_state_exits_2_with_one_line(scratch, real_checkpoints, case):
    which, ops = case
    state = copy.deepcopy(real_checkpoints[which][1])
    for op, pick, value in ops:
        paths = [p for p in _paths(state) if p[0] in RESUMED]
        path = paths[pick % len(paths)]
        (_drop_path if op == "drop" else lambda s, p: _set_path(s, p, value))(state, path)
    path = _save(scratch, state)
    assert_cli_clean(["train", "--resume", str(path), "--steps", "4", "--out", str(fresh(scratch, "out")), "--quiet"],
                     path)


# ================================================================================ sidecars
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8)),
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text(max_size=6), c, max_size=3)),
    max_leaves=6)
sidecar_keys = st.sampled_from(["step", "time", "size", "reason", "metrics", "eval"])


@st.composite
def sidecars(draw):
    kind = draw(st.sampled_from(["dict", "dict", "dict", "other", "bytes"]))
    if kind == "bytes":
        return draw(st.one_of(st.binary(max_size=50), st.sampled_from([b"", b"{", b"\xff\xfe{}", b"NaN", b"[1, 2"])))
    if kind == "other":
        return json.dumps(draw(json_values)).encode()
    side = {"step": 2, "time": 1.0, "size": 10, "reason": "end", "metrics": {"loss_d": 1.0}, "eval": {}}
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.one_of(sidecar_keys, st.text(max_size=4)))
        if draw(st.booleans()) and key in side:
            del side[key]
        else:
            side[key] = draw(st.one_of(json_values, st.sampled_from([-1, -1e300, 1e300, 2**70, "2", "", True, None,
                                                                     [1], {"a": "b"}, {"loss_d": "x"}]),
                                       st.sampled_from([float("nan"), float("inf")])))
    return json.dumps(side).encode()


@fuzz(300)
@given(side=sidecars(), pt=st.sampled_from(["real", "garbage", "empty"]))
def test_bad_sidecars_never_break_the_listing(scratch, real_checkpoints, side, pt):
    run = fresh(scratch, "run")
    ck = run / "checkpoints"
    ck.mkdir(parents=True)
    target = ck / "step_00000002.pt"
    if pt == "real":
        shutil.copy(real_checkpoints["toy"][0], target)
    else:
        target.write_bytes(b"" if pt == "empty" else b"PK\x03\x04 not a zip")
    target.with_suffix(".json").write_bytes(side)
    items = checkpoints.list_checkpoints(run)
    for c in items:
        assert isinstance(c.step, int) and c.step >= 0
        assert isinstance(c.time, float) and math.isfinite(c.time)
        assert isinstance(c.reason, str) and isinstance(c.metrics, dict)
    if pt == "real":   # a readable checkpoint is always listed, at its true step when the sidecar's is wrong
        assert len(items) == 1
        try:
            good = json.loads(side)["step"]
        except (ValueError, KeyError, TypeError, IndexError):
            good = None
        if not (type(good) is int and good >= 0):
            assert items[0].step == 2
    checkpoints.last_good(run)
    rc, out, err = run_cli(["checkpoints", str(run)])
    assert rc == 0, err
    shutil.rmtree(run)


# ================================================================================ image folders
def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def huge_png(w: int, h: int) -> bytes:
    """A PNG whose header claims w x h pixels but holds almost no data (a decompression bomb's header)."""
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _png_chunk(b"IEND", b""))


MODES = {"1": ".png", "L": ".png", "LA": ".png", "P": ".png", "RGB": ".png", "RGBA": ".png", "I": ".tif",
         "I;16": ".png", "F": ".tif", "CMYK": ".jpg", "YCbCr": ".jpg", "GIF anim": ".gif"}


def write_folder(scratch: Path, classes, files, links) -> tuple[Path, list[Path], Path]:
    """A drawn image folder on disk: its class folders, its files (name, (extension, bytes)) and its
    links in the first class (a loop to the root, a class folder, a file outside the root, a file
    inside, a broken one); (the root, the files written, the file outside it)."""
    root = fresh(scratch, "images")
    root.mkdir()
    for c in classes:
        (root / c).mkdir()
    written = []
    for name, (ext, data) in files:
        p = root / f"{name}{ext}"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        written.append(p)
    outside = fresh(scratch, "outside.png")
    outside.write_bytes(image_bytes("RGB", 4, 4, 0, ".png"))
    where = root / classes[0] if classes else root
    for i, link in enumerate(links):
        target = {"loop": root, "class": root / classes[0] if classes else root, "outside": outside,
                  "inside": written[0] if written else root / "none.png", "broken": root / "gone.png"}[link]
        (where / f"link{i}{'' if link in ('loop', 'class') else '.png'}").symlink_to(target)
    return root, written, outside


def image_bytes(mode: str, w: int, h: int, seed: int, fmt_ext: str) -> bytes:
    g = torch.Generator().manual_seed(seed)
    def noise(n=1, top=256, dtype=torch.uint8):
        return torch.randint(0, top, (h, w, n), generator=g, dtype=dtype).squeeze(2).numpy()
    im = Image.frombytes("L", (w, h), noise().tobytes())
    if mode == "I;16":                   # the whole 16-bit range
        im = Image.fromarray(noise(top=65536, dtype=torch.int32).astype("uint16"))
    elif mode == "RGBA":                 # a real alpha channel, hidden colour under it
        im = Image.fromarray(noise(4), "RGBA")
    elif mode == "LA":
        im = Image.fromarray(noise(2), "LA")
    elif mode == "P":                    # a palette whose first entry is transparent
        im = Image.fromarray(noise(3), "RGB").convert("P")
        im.info["transparency"] = 0
    elif mode == "GIF anim":
        frames = [Image.fromarray(noise(3), "RGB").convert("P") for _ in range(2)]
        buf = io.BytesIO()
        frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], transparency=0)
        return buf.getvalue()
    else:
        im = im.convert(mode)
    buf = io.BytesIO()
    fmt = {".png": "PNG", ".tif": "TIFF", ".jpg": "JPEG", ".gif": "GIF", ".bmp": "BMP"}[fmt_ext]
    if fmt == "GIF" and mode not in ("L", "P", "1"):
        im = im.convert("P")
    if fmt == "BMP" and mode not in ("1", "L", "P", "RGB", "RGBA"):
        im = im.convert("RGB")
    im.save(buf, fmt)
    return buf.getvalue()


@st.composite
def image_file(draw):
    kind = draw(st.sampled_from(["good", "good", "good", "other_format", "truncated", "random", "empty", "huge",
                                 "text"]))
    w, h, seed = draw(st.integers(1, 12)), draw(st.integers(1, 12)), draw(st.integers(0, 1000))
    if kind in ("good", "truncated"):
        mode = draw(st.sampled_from(sorted(MODES)))
        ext = MODES[mode]
        data = image_bytes(mode, w, h, seed, ext)
        if kind == "truncated":
            data = data[:draw(st.integers(0, len(data) - 1))]
        return ext, data
    if kind == "other_format":
        ext = draw(st.sampled_from([".gif", ".bmp", ".jpg"]))
        return ext, image_bytes(draw(st.sampled_from(["L", "RGB"])), w, h, seed, ext)
    ext = draw(st.sampled_from([".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".webp", ".ppm", ".pgm", ".PNG"]))
    if kind == "random":
        return ext, draw(st.binary(min_size=1, max_size=64))
    if kind == "huge":
        return ".png", huge_png(draw(st.sampled_from([10000, 20000, 70000, 2**31 - 1])), draw(st.sampled_from([10000, 20000, 1])))
    if kind == "text":
        return ".txt", b"not an image"
    return ext, b""


@st.composite
def image_folders(draw):
    n_classes = draw(st.integers(0, 3))
    classes = draw(st.lists(st.sampled_from(["a", "b", "cats", ".hidden", "0", "x y"]), min_size=n_classes,
                            max_size=n_classes, unique=True))
    files = []
    for c in classes:
        for i in range(draw(st.integers(0, 3))):
            sub = draw(st.sampled_from(["", "", "", "nested/"]))
            files.append((f"{c}/{sub}{i}", draw(image_file())))
    for i in range(draw(st.integers(0, 1))):   # loose files at the top
        files.append((f"top{i}", draw(image_file())))
    if files and draw(st.booleans()):           # a duplicate by content, in another class or beside it
        name, f = draw(st.sampled_from(files))
        files.append((f"{name.split('/')[0]}/dup", f))
    # links: a loop back to the root, to a class folder, to a file outside, to a file inside, broken
    links = draw(st.lists(st.sampled_from(["loop", "class", "outside", "inside", "broken"]), max_size=3))
    d = dict(channels=draw(st.sampled_from([0, 0, 1, 2, 3, 4])), image_size=draw(st.sampled_from([0, 0, 4, 8])),
             limit=draw(st.sampled_from([0, 0, 1, 3])),
             background=draw(st.sampled_from(["white", "white", "black", "#3a7", "#102030"])))
    return classes, files, links, d


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")   # the bombs are on purpose
@fuzz(300)
@given(case=image_folders(), kind=st.sampled_from(["image_folder", "image_folder", "folder_pair"]))
def test_image_folders_load_or_name_the_folder(scratch, case, kind):
    """Any folder loads, or is refused in one line naming it; never more images than image files
    (a symlink loop once made 40 files 1,640 images); no Pillow warning on the way (issue 20)."""
    import warnings
    classes, files, links, d = case
    root, written, outside = write_folder(scratch, classes, files, links)
    n_links_in = sum(link == "inside" for link in links)
    cfg = DataConfig(kind=kind, root=str(root), root_b=str(root), **d)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = clean(make_data, root, cfg, "preset.toml")
    assert not [w for w in caught if "PIL" in (w.filename or "") or "Image" in str(w.message)], \
        [str(w.message) for w in caught]
    if not isinstance(got, Exception):
        xs = [got.a.x, got.b.x] if kind == "folder_pair" else [got.x]
        for x in xs:
            assert x.dim() == 4 and x.shape[0] > 0 and x.shape[-1] == x.shape[-2]
            assert torch.isfinite(x).all() and x.abs().max() <= 1
            assert x.shape[0] <= len(written) + n_links_in
            if d["channels"]:
                assert x.shape[1] == d["channels"]
            else:
                assert x.shape[1] in (1, 3)
            if d["image_size"]:
                assert x.shape[-1] == d["image_size"]
    shutil.rmtree(root)
    outside.unlink()
