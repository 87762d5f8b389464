"""The metrics themselves: tests that a wrong implementation would fail."""
import numpy as np
import pytest
import torch

from studio.config.schema import DataConfig
from studio.quality import features
from studio.quality import metrics
from studio.data.toy import ring_centers


def test_frechet_distance_matches_the_closed_form_for_gaussians():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    s1, s2 = a @ a.T + 0.1 * np.eye(5), b @ b.T + 0.1 * np.eye(5)
    mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
    # commuting (diagonal) covariances: tr(S1 + S2 - 2 sqrt(S1 S2)) = sum (sqrt(d1) - sqrt(d2))^2
    d1, d2 = rng.uniform(0.1, 3, 5), rng.uniform(0.1, 3, 5)
    exact = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(d1) - np.sqrt(d2)) ** 2).sum()
    assert metrics.frechet_distance(mu1, np.diag(d1), mu2, np.diag(d2)) == pytest.approx(exact, rel=1e-9)
    # general covariances: against sqrt(S1 S2) from an eigendecomposition of the (non-symmetric) product
    w, v = np.linalg.eig(s1 @ s2)
    covmean = (v * np.sqrt(w.astype(complex))) @ np.linalg.inv(v)
    exact = ((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean).real
    assert metrics.frechet_distance(mu1, s1, mu2, s2) == pytest.approx(exact, rel=1e-8)
    assert metrics.frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0, abs=1e-9)
    # singular covariances (fewer samples than dimensions) stay finite and non-negative
    f = rng.normal(size=(10, 64))
    assert 0 <= metrics.fid_from_features(f, f + 1) < np.inf


def test_kid_is_unbiased_and_detects_a_shift():
    rng = np.random.default_rng(1)
    vals = [metrics.kid(rng.normal(size=(400, 16)), rng.normal(size=(400, 16)), 10, 200, seed=i)[0]
            for i in range(8)]
    assert abs(np.mean(vals)) < 3 * np.std(vals) / np.sqrt(len(vals)) + 1e-4   # zero in expectation
    assert min(vals) < 0 < max(vals) or abs(np.mean(vals)) < 1e-3              # unbiased: can go negative
    k, se = metrics.kid(rng.normal(size=(400, 16)), rng.normal(0.5, 1, size=(400, 16)), 10, 200)
    assert se > 0 and k > 10 * se


def test_precision_recall_of_a_sample_against_itself_is_one_and_a_disjoint_one_zero():
    x = np.random.default_rng(2).normal(size=(300, 8))
    assert metrics.precision_recall(x, x) == (1.0, 1.0)
    p, r = metrics.precision_recall(x, x + 100)
    assert p == 0 and r == 0
    p, r = metrics.precision_recall(x, x[:30] * 0.01)     # collapsed onto the centre: precise, no recall
    assert p > 0.9 and r < 0.2


def test_ring_coverage_counts_modes_and_high_quality_samples():
    c = ring_centers(8, 2.0)
    rng = np.random.default_rng(3)
    full = c[rng.integers(0, 8, 2000)] + 0.02 * rng.normal(size=(2000, 2))
    one = c[[0] * 2000] + 0.02 * rng.normal(size=(2000, 2))
    m = metrics.mode_coverage(full, c, 0.02)
    assert m["modes"] == 8 and m["coverage"] == 1 and m["hq"] > 0.98
    m = metrics.mode_coverage(one, c, 0.02)
    assert m["modes"] == 1 and m["coverage"] == 1 / 8
    m = metrics.mode_coverage(rng.normal(size=(2000, 2)) * 0.3, c, 0.02)     # a blob at the centre
    assert m["modes"] == 0 and m["hq"] == 0


def test_one_dimensional_distances():
    rng = np.random.default_rng(4)
    a, b = rng.normal(0, 1, 5000), rng.normal(0, 1, 5000)
    assert metrics.wasserstein1(a, a + 2.5) == pytest.approx(2.5)
    assert metrics.wasserstein1(a, b) < 0.06
    assert metrics.wasserstein1(a, rng.normal(2.5, 1, 3000)) == pytest.approx(2.5, abs=0.08)
    assert metrics.js_divergence(a, b) < 0.01
    assert metrics.js_divergence(a, a + 20) > 0.95          # disjoint supports: 1 bit
    assert metrics.js_divergence(a, a + 1) > metrics.js_divergence(a, a + 0.3)


def test_critic_health_clip_fraction_and_gradient_norms():
    lin = torch.nn.Linear(4, 1)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[0.01, -0.01, 0.003, 0.01]]))
        lin.bias.fill_(0.0)
    assert metrics.clip_fraction(lin, 0.01) == pytest.approx(3 / 5)
    # f(x) = w·x has gradient norm |w| everywhere
    x = torch.randn(64, 4)
    norms = metrics.critic_grad_norms(lin, x, x + 1, torch.Generator().manual_seed(0))
    assert np.allclose(norms, float(lin.weight.detach().norm()), rtol=1e-5)


def test_nearest_neighbours_find_copies():
    pool = np.random.default_rng(5).normal(size=(200, 3, 4, 4))
    idx, dist = metrics.nearest_neighbours(pool[[7, 42]] + 1e-3, pool)
    assert list(idx) == [7, 42] and dist.max() < 0.01


# ------------------------------------------------------------------------ the classifier feature space
@pytest.fixture(scope="module")
def digits_space(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("GAN_STUDIO_CACHE", str(tmp_path_factory.mktemp("cache")))
    from studio.data import make_data as make_image_data
    data = make_image_data(DataConfig(kind="digits"))
    fs = features.classifier_for(data)
    yield data, fs
    mp.undo()


def test_digits_classifier_is_accurate_and_cached_on_disk(digits_space, monkeypatch):
    data, fs = digits_space            # possibly trained by an earlier test, with its own cache folder
    assert fs.accuracy >= 0.95
    assert fs.path.is_file() and fs.path.name.startswith("classifier-")
    monkeypatch.setenv("GAN_STUDIO_CACHE", str(fs.path.parent))
    monkeypatch.setattr(features, "_MEMO", {})
    again = features.classifier_for(data)          # read back from the disk cache, not retrained
    assert not again.trained_now and again.accuracy == fs.accuracy
    x = data.x[:50]
    assert np.allclose(again.features(x), fs.features(x), atol=1e-5)


def test_fid_orders_noise_above_half_collapsed_above_real(digits_space):
    data, fs = digits_space
    x, y = features.labelled_arrays(data)
    tr, te = features.split(len(x))
    train, held = x[tr], x[te]
    n = len(held)
    g = torch.Generator().manual_seed(0)
    noise = torch.rand(n, *x.shape[1:], generator=g) * 2 - 1
    zeros = train[y[tr] == 0]                     # half the samples collapsed onto one class
    half = torch.cat([held[: n // 2], zeros[torch.randint(len(zeros), (n - n // 2,), generator=g)]])
    ref = metrics.feature_stats(fs.features(train))
    fid = {k: metrics.frechet_distance(*ref, *metrics.feature_stats(fs.features(v)))
           for k, v in {"real": held, "half": half, "noise": noise}.items()}
    assert fid["noise"] > fid["half"] > fid["real"]
    assert fid["real"] < 0.1 * fid["noise"]
    kid_real, se = metrics.kid(fs.features(train), fs.features(held), 10, 200)
    assert abs(kid_real) < max(4 * se, 0.05 * metrics.kid(fs.features(train), fs.features(noise), 10, 200)[0])
    acc = metrics.conditional_accuracy(fs.predict(held), y[te].numpy())
    assert acc == pytest.approx(fs.accuracy)


def test_inception_without_weights_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    features._INCEPTION.clear()
    with pytest.raises(features.InceptionUnavailable, match="never downloads"):
        features.inception()


def test_unlabelled_data_has_no_classifier():
    class Unlabelled:
        x, y, n_classes, name = torch.zeros(4, 1, 8, 8), None, 0, "domains"
    with pytest.raises(features.FeaturesUnavailable, match="no class labels"):
        features.classifier_for(Unlabelled())


def test_memorisation_finds_a_copied_training_image(digits_space):
    from studio.engine.trainer import Trainer
    from studio.config.io import apply_override
    from studio.config.presets import load_preset
    cfg = load_preset("digits-dcgan")
    for o in ("data.image_size=0", "model.base_channels=8", "log.grid_samples=6", "train.device='cpu'"):
        apply_override(cfg, o)
    t = Trainer(cfg, write=False, snapshots=False)
    x = t.data.x
    tr, _ = features.split(len(x))
    t.variant.generate = lambda z, y=None: x[torch.as_tensor(tr[:len(z)])] * 1.0   # a generator that copies
    for space in ("pixel", "feature"):
        m = t.evaluator.memorisation(space)
        assert m["samples"].shape == m["nearest"].shape == (6, 1, 8, 8)
        assert list(m["index"]) == list(tr[:6]) and m["distance"].max() < 1e-4
        assert m["reference"] > 0.1                     # real held-out images are not that close
