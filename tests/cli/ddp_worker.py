"""Run under torchrun by test_distributed.py: train a few steps and dump this rank's parameters."""
import sys

import torch

from studio.engine import distributed
from studio.engine.trainer import Trainer
from studio.config.io import apply_override
from studio.config.presets import load_preset

out = sys.argv[1]
cfg = load_preset("ring-2d-gan")
for o in ("model.hidden=16", "model.depth=2", "train.batch_size=32", "train.steps=5", "checkpoint.every=0"):
    apply_override(cfg, o)
t = Trainer(cfg, out + "/run", snapshots=False)
for _ in t.run():
    pass
state = {f"{k}.{n}": p.detach() for k, m in t.variant.modules().items() for n, p in m.named_parameters()}
torch.save({"rank": t.rank, "world": t.world_size, "params": state,
            "real": t.variant.real().x[:4]}, f"{out}/rank{t.rank}.pt")
distributed.finish()
