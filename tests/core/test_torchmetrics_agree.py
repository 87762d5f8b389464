"""Our FID and KID (studio.quality.metrics) against torchmetrics' on the same feature vectors.

torchmetrics takes a custom `feature` module; an identity-like one hands it our feature vectors as
they are (it only probes the module once with a dummy image batch to learn the feature width)."""
import numpy as np
import pytest
import torch
from torch import nn
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.kid import KernelInceptionDistance

from studio.quality import metrics

D = 16


class Identity(nn.Module):
    """Features in, the same features out; a dummy image batch (N, 3, H, W) gives zeros of width D."""

    def forward(self, x):
        if x.dim() == 4:
            return torch.zeros(len(x), D, dtype=torch.float64)
        return x


def _features(seed: int):
    rng = np.random.default_rng(seed)
    mix = rng.normal(size=(D, D)) / np.sqrt(D)       # correlated features, as a network's are
    real = rng.normal(size=(600, D)) @ mix
    fake = (rng.normal(size=(500, D)) * 1.3 + 0.4) @ mix
    return real, fake


@pytest.mark.parametrize("seed", [0, 1])
def test_fid_agrees_with_torchmetrics(seed):
    real, fake = _features(seed)
    tm = FrechetInceptionDistance(feature=Identity(), reset_real_features=True).double()
    tm.update(torch.from_numpy(real), real=True)
    tm.update(torch.from_numpy(fake), real=False)
    theirs = float(tm.compute())
    ours = metrics.fid_from_features(real, fake)
    assert ours > 0.5                                   # far from zero: the comparison means something
    assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-9)
    same = metrics.fid_from_features(real, real)        # and both see no distance between equal sets
    assert same == pytest.approx(0, abs=1e-8)


@pytest.mark.filterwarnings("ignore:Metric `Kernel Inception Distance` will save")
def test_kid_agrees_with_torchmetrics_on_whole_sets_and_within_error_on_subsets():
    real, fake = _features(2)
    n = min(len(real), len(fake))
    # one subset as large as the smaller set: both take every sample (in some order), and the unbiased
    # MMD² of whole sets does not depend on the order, so the two must agree to rounding
    tm = KernelInceptionDistance(feature=Identity(), subsets=1, subset_size=n).double()
    tm.update(torch.from_numpy(real[:n]), real=True)
    tm.update(torch.from_numpy(fake[:n]), real=False)
    theirs = float(tm.compute()[0])
    ours, _ = metrics.kid(real[:n], fake[:n], n_subsets=1, subset_size=n)
    assert ours > 0.05
    assert ours == pytest.approx(theirs, rel=1e-9)
    # random subsets: each draws its own, so the means agree within their standard errors
    torch.manual_seed(0)
    tm = KernelInceptionDistance(feature=Identity(), subsets=50, subset_size=100).double()
    tm.update(torch.from_numpy(real), real=True)
    tm.update(torch.from_numpy(fake), real=False)
    mean_t, std_t = (float(v) for v in tm.compute())
    mean_o, se_o = metrics.kid(real, fake, n_subsets=50, subset_size=100)
    se_t = std_t / np.sqrt(50)
    assert abs(mean_o - mean_t) < 4 * np.hypot(se_o, se_t)
    assert se_o == pytest.approx(se_t, rel=0.5)         # same spread over subsets
