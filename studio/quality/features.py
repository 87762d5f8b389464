"""Feature spaces for image metrics, without downloads.

The default is a small CNN classifier that the studio trains on the labelled data set itself
(digits, Fashion-MNIST, an image folder with class subfolders). Its 128-dimensional penultimate
layer is the feature space of FID, KID and precision/recall, and its predictions score
class-conditional generators. It is trained once per data set and cached on disk under a hash of the
pixels and labels (GAN_STUDIO_CACHE, default ~/.cache/gan-studio/), written atomically and reused;
its accuracy on a held-out split is stored with it.

Where torchvision's Inception-v3 weights already sit in the torch hub cache, the standard Inception
features (2048-d pool features) are available as well. Nothing is ever downloaded: without the weights
`inception()` raises InceptionUnavailable with a message that says where to put them.
"""
from __future__ import annotations

import hashlib
import io
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..config.io import atomic_write_bytes

RECIPE = 4              # bump when the architecture or the training recipe changes: old caches go stale
HOLDOUT = 0.15          # fraction of the data kept out of classifier training (capped at 10,000 images)
MIN_IMAGES = 20         # fewer labelled images than this: no feature space (metrics on them would be noise)
FEATURE_DIM = 128


def cache_dir() -> Path:
    return Path(os.environ.get("GAN_STUDIO_CACHE", Path.home() / ".cache" / "gan-studio"))


class FeaturesUnavailable(RuntimeError):
    """A feature space cannot be built for this data (no labels, no weights); the message says why."""


class InceptionUnavailable(FeaturesUnavailable):
    pass


# ------------------------------------------------------------------------------------ the network
class Classifier(nn.Module):
    """Three conv stages (16, 32, 64 channels) -> 4x4 pooled -> 128-d feature -> classes. Small on
    purpose: it trains on a CPU in seconds (digits) to minutes (Fashion-MNIST)."""

    def __init__(self, channels: int, n_classes: int, side: int = 28):
        super().__init__()
        pools = [side > 8, side > 16]      # 8x8 digits keep their resolution, 28x28 ends at 7x7

        def stage(cin, cout, pool):
            layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True)]
            return layers + ([nn.MaxPool2d(2)] if pool else [])

        self.body = nn.Sequential(*stage(channels, 16, pools[0]), *stage(16, 32, pools[1]), *stage(32, 64, False),
                                  nn.AdaptiveAvgPool2d(4), nn.Flatten(),
                                  nn.Linear(1024, FEATURE_DIM), nn.ReLU(True))
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(FEATURE_DIM, n_classes))

    def forward(self, x):
        return self.head(self.body(x))


@dataclass
class FeatureSpace:
    """A trained classifier: `features(x)` and `predict(x)` for images in [-1, 1] (N, C, H, W)."""
    net: Classifier
    accuracy: float          # on the held-out split
    data_hash: str
    path: Path | None
    device: torch.device
    trained_now: bool = False
    train_seconds: float = 0.0
    name: str = "classifier"

    @torch.no_grad()
    def _run(self, x: torch.Tensor, head: bool, batch: int = 1024) -> np.ndarray:
        self.net.eval()
        out = []
        for i in range(0, len(x), batch):
            xb = x[i:i + batch].to(self.device, torch.float32)
            f = self.net.body(xb)
            out.append((self.net.head(f).argmax(1) if head else f).cpu())
        return torch.cat(out).numpy()

    def features(self, x: torch.Tensor) -> np.ndarray:
        return self._run(x, head=False).astype(np.float64)

    def predict(self, x: torch.Tensor) -> np.ndarray:
        return self._run(x, head=True)


# ------------------------------------------------------------------------------------ data helpers
def check_labelled(data) -> None:
    """Raise FeaturesUnavailable (saying why) unless `data` is a labelled image data set with at
    least two classes and MIN_IMAGES images; reads no pixels."""
    y = getattr(data, "y", None)
    name = getattr(data, "name", data.__class__.__name__)
    has_pixels = getattr(data, "images", None) is not None or getattr(data, "x", None) is not None
    if has_pixels and y is not None and getattr(data, "n_classes", 0) == 1:
        raise FeaturesUnavailable(f"the data set {name!r} has a single class; the feature classifier needs at "
                                  f"least two to train on")
    if not has_pixels or y is None or getattr(data, "n_classes", 0) < 2:
        raise FeaturesUnavailable(f"the data set {name!r} has no class labels, so no classifier feature space can "
                                  f"be trained for it")
    if len(y) < MIN_IMAGES:
        raise FeaturesUnavailable(f"the data set {name!r} has only {len(y)} images; the feature classifier needs "
                                  f"at least {MIN_IMAGES} to train on and to hold some out")


def labelled_arrays(data) -> tuple[torch.Tensor, torch.Tensor]:
    """(images, labels) of a labelled image data source, on the CPU: the whole data set as floats
    (tests and small data only; the studio itself reads images in chunks with take_images)."""
    check_labelled(data)
    x = data.x if getattr(data, "images", None) is None else take_images(data, np.arange(len(data.y)))
    return x.detach().float().cpu(), data.y.detach().long().cpu()


def take_images(data, idx) -> torch.Tensor:
    """The images of `data` at these indices as a float tensor in [-1, 1]: from a folder's uint8 cache
    (data.images: only these images are read and converted), else indexed from the in-memory tensor
    (on its device). Evaluation reads real images through this, a chunk at a time, so its memory does
    not grow with the data set."""
    images = getattr(data, "images", None)
    if images is not None:
        return images(idx)
    x = data.x
    return x[torch.as_tensor(np.asarray(idx), dtype=torch.long, device=x.device)].float()


def image_chunks(data, idx, chunk: int = 1024):
    """take_images over `idx` a chunk at a time (a generator of float tensors)."""
    idx = np.asarray(idx, np.int64)
    for i in range(0, len(idx), chunk):
        yield take_images(data, idx[i:i + chunk])


def split(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic (train, held-out) index split used by the classifier and the metric tests."""
    perm = np.random.default_rng(12345).permutation(n)
    n_test = min(10_000, max(1, int(round(n * HOLDOUT))))
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


def data_hash(x: torch.Tensor, y: torch.Tensor) -> str:
    h = hashlib.sha256(f"recipe{RECIPE}|{tuple(x.shape)}|".encode())
    # hash the buffers in place: hashlib lets other threads run while it hashes a large buffer,
    # where tobytes() would first copy (Fashion-MNIST: 188 MB) holding the GIL and stall the GUI
    h.update(memoryview(x.contiguous().numpy()).cast("B"))
    h.update(memoryview(np.ascontiguousarray(y.numpy(), dtype=np.int64)).cast("B"))
    return h.hexdigest()


class OnDemand:
    """A data set's images read when indexed (`self[idx]`, a numpy or torch index array), with the
    len and shape of the tensor it stands for: the classifier trains on a folder's uint8 cache
    without a float copy of the whole folder."""

    def __init__(self, data):
        self.data = data
        self.shape = (len(data.y),) + tuple(int(v) for v in data.shape)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, idx) -> torch.Tensor:
        return take_images(self.data, idx.cpu().numpy() if isinstance(idx, torch.Tensor) else idx)


def u8_hash(u8: np.ndarray, y: torch.Tensor, chunk: int = 4096) -> str:
    """data_hash of a uint8 cache (in chunks: the memory map is never read whole)."""
    h = hashlib.sha256(f"recipe{RECIPE}|u8|{tuple(u8.shape)}|".encode())
    for i in range(0, len(u8), chunk):
        h.update(memoryview(np.ascontiguousarray(u8[i:i + chunk])).cast("B"))
    h.update(memoryview(np.ascontiguousarray(y.cpu().numpy(), dtype=np.int64)).cast("B"))
    return h.hexdigest()


# ------------------------------------------------------------------------------------ training
PROGRESS_EVERY = 0.25   # seconds between progress reports while the classifier trains


def _train_iter(x, y, n_classes, device, seed=0):
    """Train the classifier, seeded (weights and dropout), leaving the process's random state as it
    was. A generator: it yields (steps done, steps in all) about every PROGRESS_EVERY seconds (and
    once at the start and the end) and returns (net, held-out accuracy)."""
    device = torch.device(device)
    with torch.random.fork_rng(devices=[device.index or 0] if device.type == "cuda" else []):
        return (yield from _train_seeded(x, y, n_classes, device, seed))


def _train(x, y, n_classes, device, seed=0) -> tuple[Classifier, float]:
    """_train_iter run to its end: (net, held-out accuracy)."""
    return _drive(_train_iter(x, y, n_classes, device, seed))


def _drive(gen, progress=None):
    """Run a progress generator to its end, telling `progress(done, total)`; its return value."""
    while True:
        try:
            done, total = next(gen)
        except StopIteration as stop:
            return stop.value
        if progress is not None:
            progress(done, total)


def training_steps(n: int) -> int:
    """Optimiser steps the classifier takes for a data set of n labelled images."""
    tr = n - len(split(n)[1])
    bs = 64 if tr < 5000 else 128
    return max(1, int(min(max(1000, 3 * tr / bs), 6 * tr / bs)))   # tiny data sets: >= 1 step


def _train_seeded(x, y, n_classes, device, seed):
    tr, te = split(len(x))
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    net = Classifier(x.shape[1], n_classes, x.shape[-1]).to(device)
    bs = 64 if len(tr) < 5000 else 128
    if len(tr) == 0:
        raise FeaturesUnavailable(f"{len(x)} image(s) are too few to train the feature classifier on")
    steps = training_steps(len(x))
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.15)
    yt = y[tr].to(device)
    if isinstance(x, torch.Tensor):
        xt = x[tr].to(device)
        batch_of = xt.__getitem__
    else:                                  # OnDemand: only the batch is read (a folder's cache)
        batch_of = lambda idx: x[tr[idx.cpu().numpy()]].to(device)   # noqa: E731
    pad = max(1, x.shape[-1] // 14) if len(tr) < 5000 else 0   # small data sets: random shifts
    net.train()
    yield 0, steps
    last = time.perf_counter()
    for i in range(steps):
        idx = torch.randint(len(tr), (bs,), generator=g).to(device)
        xb = batch_of(idx)
        if pad:
            dx, dy = torch.randint(-pad, pad + 1, (2,), generator=g).tolist()
            xb = torch.roll(F.pad(xb, (pad,) * 4, value=-1.0), (dy, dx), (2, 3))[..., pad:-pad, pad:-pad]
        loss = F.cross_entropy(net(xb), yt[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        now = time.perf_counter()
        if now - last >= PROGRESS_EVERY:
            last = now
            yield i + 1, steps
    fs = FeatureSpace(net, 0.0, "", None, device)
    pred = np.concatenate([fs.predict(x[te[i:i + 4096]]) for i in range(0, len(te), 4096)])
    acc = float((pred == y[te].numpy()).mean())
    yield steps, steps
    return net, acc


_MEMO: dict[str, FeatureSpace] = {}


def classifier_steps(data, device: torch.device | str = "cpu", log=None):
    """The feature classifier of a labelled image data set, as a generator: from memory or from the
    disk cache it yields nothing; trained now (then cached) it yields (steps done, steps in all)
    about four times a second, so that a caller (the trainer, the CLI) can show progress and stay
    responsive. Returns the FeatureSpace. `log(text)` hears that training starts."""
    device = torch.device(device)
    check_labelled(data)
    if getattr(data, "u8", None) is not None:      # a folder: hashed and read from its uint8 cache
        x, y = OnDemand(data), data.y.detach().long().cpu()
        key = u8_hash(data.u8, y)
    else:
        x, y = labelled_arrays(data)
        key = data_hash(x, y)
    if key in _MEMO:
        fs = _MEMO[key]
        fs.net.to(device)
        fs.device = device
        return fs
    path = cache_dir() / f"classifier-{key[:20]}.pt"
    n_classes = int(data.n_classes)
    net = Classifier(x.shape[1], n_classes, x.shape[-1])
    fs = None
    if path.is_file():
        try:
            st = torch.load(path, map_location="cpu", weights_only=True)
            net.load_state_dict(st["state_dict"])
            fs = FeatureSpace(net.to(device), float(st["accuracy"]), key, path, device)
        except Exception:   # a stale or corrupt cache file: retrain and overwrite it
            fs = None
    if fs is None:
        if log:
            log(f"training the feature classifier for {getattr(data, 'name', 'this data set')} "
                f"({len(x)} images; cached afterwards in {path.parent})")
        t0 = time.perf_counter()
        net, acc = yield from _train_iter(x, y, n_classes, device)
        buf = io.BytesIO()
        torch.save({"recipe": RECIPE, "data_hash": key, "accuracy": acc, "shape": list(x.shape[1:]),
                    "n_classes": n_classes, "state_dict": {k: v.cpu() for k, v in net.state_dict().items()}},
                   buf)
        atomic_write_bytes(path, buf.getvalue())
        fs = FeatureSpace(net, acc, key, path, device, True, time.perf_counter() - t0)
    _MEMO[key] = fs
    return fs


def classifier_for(data, device: torch.device | str = "cpu", log=None, progress=None) -> FeatureSpace:
    """The feature classifier of a labelled image data set: from memory, from the disk cache, or
    trained now (then cached). `log(text)` hears about training, which takes seconds to minutes;
    `progress(done, total)` hears how far it has got, about four times a second."""
    return _drive(classifier_steps(data, device, log), progress)


# ------------------------------------------------------------------------------------ Inception
def inception_weights_path() -> Path:
    """Where torchvision's hub cache keeps the Inception-v3 weights (never downloaded here)."""
    from torchvision.models import Inception_V3_Weights   # imported where used: about a second
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(Inception_V3_Weights.IMAGENET1K_V1.url)


class InceptionFeatures:
    """torchvision's Inception-v3 (ImageNet weights) up to its 2048-d pool layer, images resized to
    299x299. Note: these weights are torchvision's port, so absolute values differ slightly from
    the TensorFlow FID reference implementation; compare runs with each other, not with papers."""
    name = "inception"

    def __init__(self, device: torch.device | str = "cpu"):
        path = inception_weights_path()
        if not path.is_file():
            raise InceptionUnavailable(
                f"Inception FID is not available: torchvision's Inception-v3 weights are not in the torch hub "
                f"cache ({path}). The studio never downloads them; copy that file there (on a machine with a "
                f"network: python -c \"import torchvision; torchvision.models.inception_v3(weights='DEFAULT')\") "
                f"to get it. The classifier FID is computed without it.")
        from torchvision.models import inception_v3   # torchvision: about a second to import
        net = inception_v3(weights=None, aux_logits=True, init_weights=False, transform_input=False)
        try:
            net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        except Exception as e:
            raise InceptionUnavailable(f"Inception FID is not available: {path} is not a readable Inception-v3 "
                                       f"state dict ({type(e).__name__}: {str(e)[:160]})") from None
        net.fc = nn.Identity()
        self.device = torch.device(device)
        self.net = net.eval().to(self.device)

    @torch.no_grad()
    def features(self, x: torch.Tensor, batch: int = 64) -> np.ndarray:
        out = []
        for i in range(0, len(x), batch):
            xb = x[i:i + batch].to(self.device, torch.float32)
            if xb.shape[1] == 1:
                xb = xb.repeat(1, 3, 1, 1)
            elif xb.shape[1] == 4:
                xb = xb[:, :3]
            xb = F.interpolate(xb, size=(299, 299), mode="bilinear", align_corners=False)
            out.append(self.net(xb).cpu())   # [-1, 1] is the scale the Google weights expect
        return torch.cat(out).double().numpy()


_INCEPTION: dict[str, InceptionFeatures] = {}


def inception(device: torch.device | str = "cpu") -> InceptionFeatures:
    key = str(device)
    if key not in _INCEPTION:
        _INCEPTION[key] = InceptionFeatures(device)
    return _INCEPTION[key]


def accuracy_line(fs: FeatureSpace) -> str:
    how = f"trained in {fs.train_seconds:.0f} s" if fs.trained_now else "from the cache"
    return f"feature classifier: held-out accuracy {100 * fs.accuracy:.1f}% ({how}: {fs.path})"
