"""Small configurations for fast, deterministic tests."""
from studio.config.io import apply_override
from studio.config.presets import load_preset


def tiny(preset: str, *overrides: str, steps: int = 20):
    cfg = load_preset(preset)
    base = [f"train.steps={steps}", "checkpoint.every=0", "log.grad_norm_every=1"]
    if cfg.model.kind == "mlp":
        base += ["model.hidden=16", "model.depth=2", "train.batch_size=32"]
    for o in base + list(overrides):
        apply_override(cfg, o)
    return cfg


def run_all(trainer):
    return list(trainer.run())
