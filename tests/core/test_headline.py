"""A run's headline quality metric and its best value, without Qt: FID for images (lower is better),
modes covered for the ring (higher), W1 for 1D (lower); a run that evaluated nothing has none."""
import json

from studio.config.io import dumps
from studio.config.presets import load_preset
from studio.tools.headline import Headline, best_headline, headline_metric


def run(tmp_path, preset: str, evals: list[dict], name: str = "run"):
    d = tmp_path / name
    d.mkdir()
    (d / "config.toml").write_text(dumps(load_preset(preset)))
    lines = [{"kind": "iter", "step": 1, "loss_d": 1.0}] + [{"event": "eval", **e} for e in evals]
    (d / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    return d


def test_each_family_has_its_headline_and_its_direction(tmp_path):
    img = run(tmp_path, "digits-dcgan", [{"step": 10, "fid": 80.0, "diversity": 1.0},
                                         {"step": 20, "fid": 44.5, "diversity": 0.1},
                                         {"step": 30, "fid": 300.0}], "img")
    assert headline_metric(img) == "fid"
    assert best_headline(img) == Headline("fid", 44.5, 20)
    ring = run(tmp_path, "ring-2d-gan", [{"step": 5, "modes": 3.0}, {"step": 9, "modes": 6.0},
                                         {"step": 12, "modes": 6.0}], "ring")
    assert best_headline(ring) == Headline("modes", 6.0, 9)           # the first step reaching it
    one_d = run(tmp_path, "toy-1d-shift", [{"step": 5, "w1": 0.3}, {"step": 9, "w1": float("nan")}], "oned")
    assert best_headline(one_d) == Headline("w1", 0.3, 5)             # a NaN never wins
    none = run(tmp_path, "ring-2d-gan", [], "none")
    h = best_headline(none)
    assert h == Headline("modes") and h.value is None
    assert sorted([h, best_headline(ring)], key=Headline.rank_key)[0].value == 6.0   # a value first
    assert best_headline(tmp_path / "missing") is None
