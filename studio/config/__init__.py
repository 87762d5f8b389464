"""The typed run configuration: schema (dataclasses and field metadata), io (TOML, check, get/set,
atomic writes), presets, paths and the palette. Standard library (and tomli-w) only."""
