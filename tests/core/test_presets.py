"""Presets and overrides: round trips and the message each kind of bad input gets."""
import dataclasses

import pytest

from studio.config.schema import Config, ConfigError, live_keys

from studio.games.gan import GanParams
from studio.config.io import apply_override, config_from_dict, dumps
from studio.config.presets import list_presets, load_preset, save_preset

FOUNDATION = ["toy-1d-shift", "toy-1d-rotation", "toy-1d-mlp", "saddle-quadratic", "saddle-bilinear",
              "ring-2d-gan", "ring-2d-minimax", "ring-2d-wgan-gp", "grid-2d-wgan-gp"]


def test_every_shipped_preset_loads_and_round_trips(tmp_path):
    names = [n for n, _ in list_presets()]
    assert set(FOUNDATION) <= set(names)
    for name, cfg in list_presets():
        assert cfg.title and cfg.description, name
        path = tmp_path / f"{name}.toml"
        save_preset(cfg, path)
        again = load_preset(path)
        assert again == cfg, name
        assert dumps(again) == dumps(cfg)


def test_variant_section_gets_the_variant_params():
    cfg = load_preset("ring-2d-wgan-gp")
    assert cfg.variant.name == "wgan_gp" and cfg.variant.gp_weight == 1.0   # the preset's measured choice (README)
    assert isinstance(load_preset("ring-2d-gan").variant, GanParams)


def write(tmp_path, text, name="p.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


BASE = 'schema_version = 1\ntitle = "t"\n'


@pytest.mark.parametrize("body, expect", [
    ('[train]\nstepz = 3\n', ["train.stepz", "unknown key", "3"]),
    ('[train]\nsteps = "many"\n', ["train.steps", "expected an integer", "'many'"]),
    ('[optim_d]\nlr = -1.0\n', ["optim_d.lr", "at least", "-1.0"]),
    ('[variant]\nname = "gan"\ng_loss = "wrong"\n', ["variant.g_loss", "expected one of", "'wrong'"]),
    ('[variant]\nname = "gan"\nn_critic = 5\n', ["variant.n_critic", "unknown key"]),
    ('[variant]\nname = "nope"\n', ["variant.name", "unknown variant", "'nope'"]),
    ('[data]\nkind = "ring2d"\npoints = [[1, 2, 3]]\n', ["data.points", "[x, y] pairs"]),
    ('bogus = 1\n', ["unknown key 'bogus'"]),
    ('[train]\nsteps = true\n', ["train.steps", "expected an integer", "True"]),
])
def test_bad_values_name_file_key_and_value(tmp_path, body, expect):
    p = write(tmp_path, BASE + body)
    with pytest.raises(ConfigError) as e:
        load_preset(p)
    msg = str(e.value)
    assert str(p) in msg
    for part in expect:
        assert part in msg, (part, msg)


def test_malformed_toml_and_missing_file(tmp_path):
    p = write(tmp_path, BASE + "[train\nsteps = 3\n")
    with pytest.raises(ConfigError, match="malformed TOML") as e:
        load_preset(p)
    assert str(p) in str(e.value)
    with pytest.raises(ConfigError, match="not found"):
        load_preset(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="preset 'no-such-preset' not found"):
        load_preset("no-such-preset")


def test_missing_schema_version(tmp_path):
    with pytest.raises(ConfigError, match="schema_version"):
        load_preset(write(tmp_path, 'title = "x"\n'))


def test_overrides_are_type_checked_like_files():
    cfg = load_preset("ring-2d-gan")
    apply_override(cfg, "optim_d.lr=1e-3")
    assert cfg.optim_d.lr == 1e-3
    apply_override(cfg, "variant.g_loss=minimax")      # bare strings are accepted
    assert cfg.variant.g_loss == "minimax"
    apply_override(cfg, "train.steps=7")
    assert cfg.train.steps == 7
    for bad, part in [("optim_d.lr=abc", "expected a number"), ("train.nope=1", "unknown setting"),
                      ("variant.k=0", "at least 1"), ("lr", "expected section.key=value")]:
        with pytest.raises(ConfigError, match=part):
            apply_override(cfg, bad)


def test_switching_variant_resets_its_params():
    cfg = load_preset("ring-2d-gan")
    apply_override(cfg, "variant.name=wgan")
    assert cfg.variant.name == "wgan" and cfg.variant.clip == 0.01


def test_every_field_has_help_and_live_keys_are_the_documented_ones():
    cfg = Config()
    for section in ("data", "model", "variant", "optim_d", "optim_g", "train", "checkpoint", "log", "eval"):
        for f in dataclasses.fields(getattr(cfg, section)):
            assert f.metadata.get("help"), f"{section}.{f.name}"
    keys = set(live_keys(cfg))
    assert {"optim_d.lr", "optim_g.lr", "optim_d.beta1", "variant.k", "variant.g_loss"} <= keys
    assert "model.hidden" not in keys


def test_config_from_dict_accepts_ints_for_floats():
    cfg = config_from_dict({"schema_version": 1, "optim_d": {"lr": 1}})
    assert cfg.optim_d.lr == 1.0 and isinstance(cfg.optim_d.lr, float)
