"""Image data sets as one float tensor in [-1, 1] (N, C, H, W), moved to the training device on first
use; a batch is a random index draw from the trainer's generator, so there is no per-step decoding.

Kinds: digits (scikit-learn, 8x8), fashion_mnist (Debian's idx files), mnist / cifar10 (torchvision
with data.root and data.download) and image_folder (class subfolders become labels; decoded once into
a uint8 cache and memory-mapped: folder.py). The unpaired two-domain kinds of CycleGAN are in
domains.py.
"""
from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..config.schema import ConfigError, DataConfig
from . import folder
from .base import Batch, DataSource, register_kind
from .decode import IMAGE_EXTS

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


def default_root() -> Path:
    return Path(os.environ.get("GAN_STUDIO_DATA", Path.home() / ".cache" / "gan-studio" / "datasets"))


class ImageData(DataSource):
    """A whole image data set kept as one tensor in [-1, 1]."""
    family = "image"

    def __init__(self, x: torch.Tensor, y: torch.Tensor | None, n_classes: int, name: str,
                 class_names: list[str] | None = None):
        self.x = x.float().contiguous()
        self.y = y.long() if y is not None else None
        self.n_classes = n_classes
        self.shape = tuple(self.x.shape[1:])
        self.name = name
        self.class_names = class_names or [str(i) for i in range(n_classes)]
        self._dev: torch.device | None = None

    def __len__(self) -> int:
        return self.x.shape[0]

    def _to(self, device: torch.device) -> None:
        device = torch.device(device)
        if self._dev != device:   # lazily, once: the data set moves to the training device
            x = self.x.to(device)
            self.x = x.contiguous(memory_format=torch.channels_last) if x.dim() == 4 else x
            if self.y is not None:
                self.y = self.y.to(device)
            self._dev = device

    def indices(self, n: int, gen: torch.Generator, device: torch.device) -> torch.Tensor:
        idx = torch.randint(len(self), (n,), generator=gen, device=gen.device)
        return idx.to(device)

    def sample(self, n, gen, device):
        self._to(device)
        idx = self.indices(n, gen, self.x.device)
        return Batch(self.x[idx], None if self.y is None else self.y[idx])


# ------------------------------------------------------------------------------------------ helpers
def to_unit(x: np.ndarray | torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    """Pixels in [lo, hi] -> float tensor in [-1, 1]."""
    t = x.float() if isinstance(x, torch.Tensor) else torch.from_numpy(np.array(x, dtype=np.float32))
    return (t - lo) / (hi - lo) * 2 - 1


def resize(x: torch.Tensor, size: int) -> torch.Tensor:
    """Resize (N, C, H, W) in chunks (bilinear, antialiased when shrinking)."""
    if size <= 0 or (x.shape[-1] == size and x.shape[-2] == size):
        return x
    out = []
    shrink = size < min(x.shape[-2:])
    for i in range(0, x.shape[0], 4096):
        out.append(F.interpolate(x[i:i + 4096], size=(size, size), mode="bilinear",
                                 align_corners=False, antialias=shrink))
    return torch.cat(out).clamp_(-1, 1)


def check_channels(d: DataConfig, have: int, where: str) -> None:
    if d.channels and d.channels != have:
        raise ConfigError(f"{where}: images have {have} channel(s) but data.channels = {d.channels}; "
                          f"set data.channels = {have} (or 0 to take it from the data)")


def _limit(d: DataConfig, x: torch.Tensor, y: torch.Tensor | None):
    if d.limit and x.shape[0] > d.limit:
        x = x[:d.limit]
        y = None if y is None else y[:d.limit]
    return x, y


def _finish(d: DataConfig, x, y, n_classes, name, where, class_names=None) -> ImageData:
    if x.shape[0] == 0:
        raise ConfigError(f"{where}: the data set is empty")
    check_channels(d, x.shape[1], where)
    x, y = _limit(d, x, y)
    return ImageData(resize(x, d.image_size), y, n_classes, name, class_names)


# ------------------------------------------------------------------------------------------ sources
def load_digits_images(d: DataConfig) -> ImageData:
    from sklearn.datasets import load_digits   # scikit-learn takes about a second to import: only for digits
    dig = load_digits()
    x = to_unit(dig.images[:, None].astype(np.float32), 0.0, 16.0)
    return _finish(d, x, torch.as_tensor(dig.target), 10, "digits", "scikit-learn digits")


def read_idx(path: Path) -> np.ndarray:
    """An idx file (optionally .gz) as a numpy array (the MNIST format)."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError) as e:
        raise ConfigError(f"{path}: cannot read the idx file ({e})") from None
    if len(raw) < 8 or raw[0] != 0 or raw[1] != 0 or raw[2] != 8:
        raise ConfigError(f"{path}: not an unsigned-byte idx file")
    ndim = raw[3]
    dims = np.frombuffer(raw, ">u4", count=ndim, offset=4).astype(int)
    need = int(np.prod(dims))
    data = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)
    if data.size < need:
        raise ConfigError(f"{path}: truncated idx file ({data.size} of {need} values)")
    return data[:need].reshape(dims)


def _find_idx(folder: Path, stem: str) -> Path | None:
    for sub in ("", "FashionMNIST/raw", "raw"):
        for suf in (".gz", ""):
            p = folder / sub / f"{stem}{suf}"
            if p.is_file():
                return p
    return None


FASHION_CLASSES = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                   "Bag", "Ankle boot"]


def load_fashion(d: DataConfig) -> ImageData:
    if d.root and d.download:
        return load_torchvision(d, "fashion_mnist")
    folder = Path(d.root) if d.root else FASHION_DIR
    if not folder.is_dir():
        hint = ("install Debian's dataset-fashion-mnist package (make test does)" if not d.root
                else "point data.root at the folder with train-images-idx3-ubyte.gz, or set data.download = true")
        raise ConfigError(f"{folder}: Fashion-MNIST folder not found; {hint}")
    img, lab = _find_idx(folder, "train-images-idx3-ubyte"), _find_idx(folder, "train-labels-idx1-ubyte")
    if img is None or lab is None:
        raise ConfigError(f"{folder}: no Fashion-MNIST idx files (train-images-idx3-ubyte.gz, "
                          f"train-labels-idx1-ubyte.gz) in this folder")
    n = d.limit or None
    images, labels = read_idx(img)[:n], read_idx(lab)[:n]
    if images.ndim != 3 or len(labels) != len(images):
        raise ConfigError(f"{img}: unexpected idx shape {images.shape} (labels {labels.shape})")
    x = to_unit(images[:, None], 0.0, 255.0)
    return _finish(d, x, torch.as_tensor(labels.astype(np.int64)), 10, "fashion_mnist", str(folder),
                   FASHION_CLASSES)


def load_torchvision(d: DataConfig, kind: str) -> ImageData:
    from torchvision import datasets     # torchvision takes about a second to import: only where it is used
    cls = {"mnist": datasets.MNIST, "fashion_mnist": datasets.FashionMNIST, "cifar10": datasets.CIFAR10}[kind]
    root = Path(d.root) if d.root else default_root()
    try:
        ds = cls(str(root), train=True, download=d.download)
    except RuntimeError as e:
        if not d.download:
            raise ConfigError(f"{root}: {cls.__name__} not found under data.root; set data.download = true "
                              f"to fetch it, or point data.root at a folder that has it") from None
        raise ConfigError(f"{root}: {cls.__name__} could not be prepared ({str(e)[:200]})") from None
    except OSError as e:   # URLError and friends: no network, no permission
        raise ConfigError(f"{root}: cannot download {cls.__name__} (no download possible: {e}); "
                          f"copy the files under data.root and set data.download = false") from None
    data = ds.data if isinstance(ds.data, np.ndarray) else ds.data.numpy()
    data = data[:, None] if data.ndim == 3 else data.transpose(0, 3, 1, 2)
    y = torch.as_tensor(np.asarray(ds.targets, dtype=np.int64))
    names = list(getattr(ds, "classes", [])) or None
    return _finish(d, to_unit(data, 0.0, 255.0), y, len(names or range(10)), kind, str(root), names)


def load_image_files(paths: list[Path], d: DataConfig, where: str, size: int | None = None,
                     strict: bool = True) -> torch.Tensor:
    """Decode image files (as a viewer shows them: see decode.py) into (N, C, S, S) in [-1, 1].
    strict: an unreadable file raises ConfigError naming it (translate keeps one output per input);
    else unreadable files are skipped, unless most of them are."""
    if not paths:
        raise ConfigError(f"{where}: no images found (expected {', '.join(IMAGE_EXTS[:4])} files)")
    names = [str(p) for p in paths]
    keep_alpha = d.channels in (2, 4)
    side = size or folder.side_of(names, d, where)
    out = np.empty((len(names), 4 if keep_alpha else 3, side, side), np.uint8)
    ok, info = folder.decode_all(names, side, folder.background_of(d), keep_alpha, out)
    bad = [(p, i.error) for p, i in zip(names, info) if i.error]
    if strict and bad:
        raise ConfigError(f"{bad[0][0]}: unreadable image ({bad[0][1]})")
    folder.refuse_if_mostly_unreadable(names, info, where)
    grey = np.asarray([i.grey for i in info if not i.error], bool)
    x = folder.select_channels(out[:int(ok.sum())], out.shape[1], folder.pick_channels(d, grey))
    return to_unit(x, 0.0, 255.0)


def list_images(root: Path) -> list[Path]:
    """Every image file under a folder (hidden ones, symlinked folders and links out of it left out)."""
    found, _, _ = folder.find_images(root, classes=False)
    return [root / rel for rel, _ in found]


def need_folder(path: str, key: str) -> Path:
    if not path:
        raise ConfigError(f"{key} is empty: point it at a folder of images "
                          f"(for image_folder: one subfolder per class, e.g. ROOT/cats/*.png, ROOT/dogs/*.png)")
    root = Path(path).expanduser()
    if not root.is_dir():
        raise ConfigError(f"{root}: {key} folder not found")
    return root


def load_image_folder(d: DataConfig) -> DataSource:
    need_folder(d.root, "data.root")
    return folder.build_folder(d, str(Path(d.root).expanduser()))


def registered(loader):
    """A loader as a data kind: its errors name the config file and the kind."""
    def build(d: DataConfig, source: str) -> DataSource:
        try:
            return loader(d)
        except ConfigError as e:
            raise ConfigError(f"{source}: data.kind = {d.kind!r}: {e}") from None
    return build


register_kind("digits", family="image")(registered(load_digits_images))
register_kind("fashion_mnist", family="image")(registered(load_fashion))
register_kind("mnist", "cifar10", family="image")(registered(lambda d: load_torchvision(d, d.kind)))
register_kind("image_folder", family="image")(registered(load_image_folder))
