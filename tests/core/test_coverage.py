"""ring-2d-wgan-gp reaches the modes of the ring within its default step budget."""
import numpy as np
import torch

from studio.engine.trainer import Trainer
from studio.config.presets import load_preset


def test_ring_wgan_gp_covers_at_least_7_of_8_modes_in_its_default_budget():
    cfg = load_preset("ring-2d-wgan-gp")
    t = Trainer(cfg, write=False, snapshots=False)
    for _ in t.run():
        pass
    assert t.step == cfg.train.steps
    with torch.no_grad():
        x = t.variant.generate(torch.randn(2000, cfg.model.latent_dim,
                                           generator=torch.Generator().manual_seed(1))).numpy()
    d = np.linalg.norm(x[:, None] - t.data.centers[None], axis=-1)
    near = d < 3 * t.data.mode_std            # within 3σ of a mode's centre
    covered = int((near.sum(0) > 0).sum())
    assert covered >= 7, covered
    assert near.any(1).mean() > 0.1           # and a real share of samples is of high quality
