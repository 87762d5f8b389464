"""Config values in and out: the strict check of each value against its field's metadata, a Config
from a nested dict (TOML), dotted get/set and `--set` overrides, TOML text, and the atomic file
writer every part of the studio uses for what it saves (presets, checkpoints, logs, PNGs)."""
from __future__ import annotations

import dataclasses
import math
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from .schema import SCHEMA_VERSION, SECTIONS, Config, ConfigError, field_meta, to_dict, variant_params


def _type_name(f: dataclasses.Field) -> str:
    return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))


def shown(value: Any) -> str:
    """A value as an error message shows it: its repr on one line (a config stored in a checkpoint may
    hold anything, a tensor's repr spans lines) and not endless."""
    text = repr(value)
    if "\n" in text:
        text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197] + "..."


def check_value(f: dataclasses.Field, value: Any, where: str) -> Any:
    """Check one value against its field's type and metadata; return it converted (int -> float)."""
    t = _type_name(f)
    m = f.metadata

    def bad(why: str) -> ConfigError:
        return ConfigError(f"{where}: {why} (got {shown(value)})")

    if t == "bool":
        if not isinstance(value, bool):
            raise bad("expected true or false")
    elif t == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("expected an integer")
    elif t == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("expected a number")
        value = float(value)
        if not math.isfinite(value):
            raise bad("expected a finite number")
    elif t == "str":
        if not isinstance(value, str):
            raise bad("expected a string")
    elif t == "list[float]":
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, (int, float))
                                              for v in value):
            raise bad("expected a list of numbers")
        value = [float(v) for v in value]
    elif t == "list[list[float]]":
        ok = isinstance(value, list) and all(
            isinstance(p, list) and len(p) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p) for p in value)
        if not ok:
            raise bad("expected a list of [x, y] pairs")
        value = [[float(v) for v in p] for p in value]
    else:  # pragma: no cover - a field type this loader does not know is a programming error
        raise TypeError(f"unsupported field type {t} for {where}")
    if m.get("choices") is not None and value not in m["choices"]:
        raise bad("expected one of " + ", ".join(map(str, m["choices"])))
    if m.get("check") is not None and (why := m["check"](value)):
        raise bad(why)
    if t in ("int", "float"):
        if m.get("min") is not None and value < m["min"]:
            raise bad(f"must be at least {m['min']}")
        if m.get("max") is not None and value > m["max"]:
            raise bad(f"must be at most {m['max']}")
    return value


def _fill(obj, table: dict, source: str, section: str) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [{section}] must be a table (got {shown(table)})")
    fields = {f.name: f for f in dataclasses.fields(obj)}
    for key, value in table.items():
        if key not in fields:
            raise ConfigError(f"{source}: unknown key {f'{section}.{key}'!r} (value {shown(value)}); "
                              f"[{section}] accepts {', '.join(fields)}")
        setattr(obj, key, check_value(fields[key], value, f"{source}: {section}.{key}"))


def config_from_dict(d: dict, source: str = "config") -> Config:
    """Build a Config from a nested dict, rejecting unknown keys, wrong types and bad ranges; the
    Config remembers `source`, so that errors found later (two fields that do not fit together) name it."""
    cfg = Config()
    cfg.source = source
    top = {f.name: f for f in dataclasses.fields(Config) if f.name not in SECTIONS}
    if "schema_version" not in d:
        raise ConfigError(f"{source}: missing key 'schema_version' (this studio writes {SCHEMA_VERSION})")
    for key, value in d.items():
        if key in SECTIONS:
            continue
        if key not in top:
            raise ConfigError(f"{source}: unknown key {key!r} (value {shown(value)}); top-level keys are "
                              f"{', '.join(top)} and the sections {', '.join(SECTIONS)}")
        setattr(cfg, key, check_value(top[key], value, f"{source}: {key}"))
    vt = d.get("variant", {})
    if isinstance(vt, dict):
        if not isinstance(vt.get("name", "gan"), str):
            raise ConfigError(f"{source}: variant.name: expected a string (got {shown(vt['name'])})")
        cfg.variant = variant_params(vt.get("name", "gan"), source)
    for section in SECTIONS:
        if section in d:
            _fill(getattr(cfg, section), d[section], source, section)
    return cfg


def parse_override(text: str) -> tuple[str, Any]:
    """Split 'section.key=value'; the value is read as TOML, and as a bare string if that fails."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or not key.isprintable():   # a key with a line break would break the one-line error
        raise ConfigError(f"--set {text!r}: expected section.key=value")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def apply_override(cfg: Config, text: str, source: str = "--set") -> tuple[str, Any]:
    key, value = parse_override(text)
    set_value(cfg, key, value, f"{source} {key}")
    return key, getattr(getattr(cfg, key.split(".")[0]), key.split(".", 1)[1])


def set_value(cfg: Config, key: str, value: Any, where: str | None = None) -> None:
    """Type-check and set one dotted key; switching variant.name resets its parameters."""
    where = where or key
    if key == "variant.name":
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string (got {shown(value)})")
        if value != cfg.variant.name:
            cfg.variant = variant_params(value, where)
        return
    try:
        f = field_meta(cfg, key)
    except ConfigError as e:
        raise ConfigError(f"{where}: {e}") from None
    section, name = key.split(".", 1)
    setattr(getattr(cfg, section), name, check_value(f, value, where))


def get_value(cfg: Config, key: str) -> Any:
    section, name = key.split(".", 1)
    return getattr(getattr(cfg, section), name)


def dumps(cfg: Config) -> str:
    d = to_dict(cfg)
    top = {k: v for k, v in d.items() if k not in SECTIONS}
    top.update({k: d[k] for k in SECTIONS})
    return tomli_w.dumps(top)


def _read_umask() -> int:
    """The process's umask without changing it (Linux shows it in /proc/self/status); elsewhere it is
    read once, at import, by setting it and setting it back."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return _UMASK_AT_IMPORT


def _umask_at_import() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


_UMASK_AT_IMPORT = _umask_at_import()


def new_file_mode() -> int:
    """The mode a file created now with open() gets: 0o666 less the process's umask."""
    return 0o666 & ~_read_umask()


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush, fsync, then rename over it. The file gets the
    mode any other new file gets (0o666 less the umask), not the temporary file's private 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), new_file_mode())
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_toml(path: Path) -> dict:
    """A TOML file as a dict; unreadable or malformed files raise ConfigError naming the path."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from None
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))   # a UTF-8 byte-order mark (some editors add one) is fine
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: malformed TOML: {e}") from None
