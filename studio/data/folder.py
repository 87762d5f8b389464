"""A folder of your own images (data.kind = 'image_folder'), of any size: found without following
symlinked folders or links out of the folder, decoded once by DataLoader worker processes into a
uint8 cache on disk (keyed by the files' paths, sizes and modification times and by the
preprocessing settings), then read batch by batch from a memory map. A second run on the same folder
opens the cache in about a second (50,000 files); a new or changed file makes a new cache.

What was skipped (unreadable files, links not followed, files outside a class folder) and the
duplicates by content are counted with an example each in a FolderReport; a folder whose files are
mostly unreadable is refused. Progress (files decoded of all) and notes go to the listeners of
`reporting()`: the CLI draws a tqdm bar, the studio can forward them to its status bar.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from ..config.paths import cache_dir
from ..config.schema import ConfigError, DataConfig, parse_colour
from .base import Batch, DataSource
from .decode import Decoded, decode_file, native_side
from .scan import Skipped, find_images, glance  # noqa: F401  (glance: the studio's folder picker)

CACHE_VERSION = 2              # bump when decoding changes: old caches are then never opened
CACHE_CAP_ENV = "GAN_STUDIO_IMAGE_CACHE_MB"
CACHE_CAP_MB = 10_240          # the image caches together: past this the least recently used go (10 GiB)
WORKERS_FROM = 400             # fewer files than this are decoded in this process (starting workers costs more)
MAX_WORKERS = 8

# --------------------------------------------------------------------------------- progress and notes
# Listeners belong to the thread that registered them: the studio builds the same folder on several
# threads at once (the Data tab's preview, the game's build, a run), and each hears only its own
# build. Two threads that want the same cache decode it once: the second waits for the first and
# hears its progress meanwhile (relayed on its own thread, so its own checks, such as a cancel,
# still run), then opens the finished cache.
_LISTENERS: list[tuple[int, Callable[[int, int], None] | None, Callable[[str], None] | None]] = []
_GUARD = threading.Lock()


class _Build:
    """One cache being made in this process: the lock its builders take in turn, how far it is."""

    def __init__(self):
        self.lock = threading.Lock()
        self.users = 0
        self.done, self.total = 0, 0


_BUILDS: dict[str, _Build] = {}
_here = threading.local()    # the cache this thread is decoding (its progress is recorded there)


@contextmanager
def reporting(progress: Callable[[int, int], None] | None = None, note: Callable[[str], None] | None = None):
    """While the block runs, folder decoding on this thread tells `progress(done, total)` (files) and
    `note(text)` (what was skipped, duplicates, the cache), on this thread."""
    entry = (threading.get_ident(), progress, note)
    _LISTENERS.append(entry)
    try:
        yield
    finally:
        _LISTENERS.remove(entry)


def _progress(done: int, total: int) -> None:
    build = getattr(_here, "build", None)
    if build is not None:
        build.done, build.total = done, total
    me = threading.get_ident()
    for tid, p, _ in list(_LISTENERS):
        if p is not None and tid == me:
            p(done, total)


def _note(text: str) -> None:
    me = threading.get_ident()
    for tid, _, n in list(_LISTENERS):
        if n is not None and tid == me:
            n(text)


@contextmanager
def _one_build(key: str):
    """Hold the in-process lock of cache `key`; while another thread holds it, relay its progress
    to this thread's listeners every 0.1 s."""
    with _GUARD:
        build = _BUILDS.setdefault(key, _Build())
        build.users += 1
    try:
        last = None
        while not build.lock.acquire(timeout=0.1):
            if build.total and (build.done, build.total) != last:
                last = (build.done, build.total)
                _progress(*last)
        try:
            _here.build = build
            yield
        finally:
            _here.build = None
            build.lock.release()
    finally:
        with _GUARD:
            build.users -= 1
            if not build.users:
                _BUILDS.pop(key, None)


# --------------------------------------------------------------------------------- finding the files
@dataclass
class FolderReport:
    """What a folder held and what was done with it (the data preview and the notes show it)."""
    root: str
    class_names: list[str]
    counts: list[int]                       # images per class, after skipping
    files: int = 0                          # image files found
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: int = 0                     # files whose bytes equal an earlier file's
    duplicate_example: list[str] = field(default_factory=list)
    side: int = 0
    channels: int = 0
    background: str = "white"
    cache: str = ""
    from_cache: bool = False
    seconds: float = 0.0

    def lines(self) -> list[str]:
        n = sum(self.counts)
        per = ", ".join(f"{c} {k}" for c, k in zip(self.class_names, self.counts))
        how = (f"opened from the cache in {self.seconds:.1f} s" if self.from_cache
               else f"decoded in {self.seconds:.1f} s")
        out = [f"{self.root}: {n:,} images in {len(self.class_names)} class(es) ({per}); "
               f"{self.channels} channel(s), {self.side}x{self.side}, transparency over {self.background}; {how}"]
        for s in self.skipped:
            out.append(f"skipped {s.count:,} {s.reason} (e.g. {s.example})")
        if self.duplicates:
            a, b = self.duplicate_example
            out.append(f"{self.duplicates:,} file(s) duplicate another by content (e.g. {b} = {a}); they are kept")
        return out


# --------------------------------------------------------------------------------- decoding
class _Files(Dataset):
    def __init__(self, paths: list[str], side: int, background: tuple[int, int, int], keep_alpha: bool):
        self.paths, self.side, self.background, self.keep_alpha = paths, side, background, keep_alpha

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> Decoded:
        return decode_file(self.paths[i], self.side, self.background, self.keep_alpha)


def _as_list(batch):
    return batch


def decode_workers(n_files: int) -> int:
    if n_files < WORKERS_FROM:
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:   # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


def decode_all(paths: list[str], side: int, background: tuple[int, int, int], keep_alpha: bool, out: np.ndarray,
               workers: int | None = None) -> tuple[np.ndarray, list[Decoded]]:
    """Decode every path into out[j] for the j-th readable file, in order, with DataLoader workers.
    Returns (which paths were read, a Decoded with pixels=None per file: grey flag, digest, error)."""
    workers = decode_workers(len(paths)) if workers is None else workers
    loader = DataLoader(_Files(paths, side, background, keep_alpha), batch_size=32, num_workers=workers,
                        collate_fn=_as_list, prefetch_factor=4 if workers else None)
    ok = np.zeros(len(paths), bool)
    info: list[Decoded] = []
    j, done = 0, 0
    _progress(0, len(paths))
    last = time.perf_counter()
    for batch in loader:
        for d in batch:
            if d.pixels is not None:
                out[j] = d.pixels.transpose(2, 0, 1)
                ok[done] = True
                j += 1
            info.append(Decoded(None, d.grey, d.digest, d.error))
            done += 1
        now = time.perf_counter()
        if now - last > 0.1 or done == len(paths):
            last = now
            _progress(done, len(paths))
    return ok, info


def refuse_if_mostly_unreadable(paths: list[str], info: list[Decoded], where: str) -> None:
    bad = [(p, d.error) for p, d in zip(paths, info) if d.error]
    if len(bad) == len(paths):
        raise ConfigError(f"{where}: none of the {len(paths):,} image files can be read (e.g. {bad[0][0]}: "
                          f"{bad[0][1]})")
    if len(bad) * 2 > len(paths):
        raise ConfigError(f"{where}: {len(bad):,} of {len(paths):,} image files cannot be read (e.g. {bad[0][0]}: "
                          f"{bad[0][1]}); fix or remove them")


def side_of(paths: list[str], d: DataConfig, where: str) -> int:
    if d.image_size:
        return d.image_size
    for p in paths[:200]:
        s = native_side(p)
        if s:
            return s
    why = decode_file(paths[0], 1, (255, 255, 255)).error or "unreadable"
    raise ConfigError(f"{where}: none of the first {min(len(paths), 200):,} image files can be read (e.g. "
                      f"{paths[0]}: {why})")


def background_of(d: DataConfig) -> tuple[int, int, int]:
    rgb = parse_colour(d.background)
    if rgb is None:
        raise ConfigError(f"data.background = {d.background!r}: expected white, black, grey or #rrggbb")
    return rgb


def pick_channels(d: DataConfig, grey: np.ndarray) -> int:
    """data.channels, or 1 when every image read is grey, else 3."""
    return d.channels or (1 if grey.all() else 3)


def select_channels(u8: np.ndarray, stored: int, want: int, grey: bool = False) -> np.ndarray:
    """A view (or, for grey from colour, a copy) with `want` channels of an array stored with
    `stored` (3: RGB; 4: RGB + alpha). Grey from colour weighs R, G, B as ITU-R 601 (Pillow's L)."""
    if want == stored:
        return u8
    if want == 3:
        return u8[:, :3]
    if want == 1 and grey:   # every image grey (R = G = B): a view of the cache, nothing copied
        return u8[:, :1]
    if want in (1, 2):   # a chunk at a time: one byte a pixel in all, not four bytes a channel
        out = np.empty((u8.shape[0], want) + tuple(u8.shape[2:]), np.uint8)
        for i in range(0, u8.shape[0], 4096):
            rgb = np.asarray(u8[i:i + 4096, :3], np.uint32)
            # the weights sum to 1000, so a grey pixel (R = G = B) keeps its value exactly
            out[i:i + 4096, 0] = (rgb[:, 0] * 299 + rgb[:, 1] * 587 + rgb[:, 2] * 114 + 500) // 1000
            if want == 2:
                out[i:i + 4096, 1] = u8[i:i + 4096, 3]
        return out
    raise ValueError(f"channels {want} from {stored}")


# --------------------------------------------------------------------------------- the cache
def _key(entries: list[tuple[str, int]], root: str, side: int, d: DataConfig) -> tuple[str, str]:
    """(content key, settings key): the content key changes with any file's path, class, size or
    modification time and with the preprocessing; the settings key names the folder and settings."""
    settings = json.dumps([CACHE_VERSION, side, d.channels, d.background.lower(), d.limit])
    h = hashlib.sha256(settings.encode())
    for rel, label in entries:
        try:
            st = os.stat(os.path.join(root, rel))
            h.update(f"{rel}\0{label}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{rel}\0{label}\0gone\n".encode())
    return h.hexdigest()[:32], hashlib.sha256(f"{root}\0{settings}".encode()).hexdigest()[:16]


def images_cache() -> Path:
    return cache_dir() / "images"


# A process holds a shared lock (flock) on its cache's "lock" file while it reads the cache; pruning
# and eviction take the lock exclusively, without waiting, before they delete: a cache another run
# reads is never deleted. The lock file's modification time says when the cache was last opened.
try:
    import fcntl
except ImportError:   # Windows: no flock; a cache opened in the last day counts as in use
    fcntl = None
IN_USE_WITHOUT_LOCKS = 86_400


class CacheLock:
    """A shared hold on a cache (kept by the FolderImages that reads it; released when it goes)."""

    def __init__(self, path: Path):
        self.fh = None
        try:
            self.fh = open(path / "lock", "a+b")
            os.utime(path / "lock")                         # last used: eviction keeps the newest
            if fcntl is not None:
                fcntl.flock(self.fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:   # a read-only cache folder or a cache being deleted: read it without a hold
            self.close()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()     # closing releases the flock
            self.fh = None

    def __del__(self):
        self.close()


def _delete_unless_in_use(entry: Path) -> bool:
    """Delete a cache folder unless a process holds it; True when deleted."""
    lock = entry / "lock"
    if fcntl is None:
        try:
            if time.time() - lock.stat().st_mtime < IN_USE_WITHOUT_LOCKS:
                return False
        except OSError:
            pass
        shutil.rmtree(entry, ignore_errors=True)
        return True
    try:
        fh = open(lock, "a+b")
    except OSError:       # no lock file can be made (a cache of an older version, read-only): not held
        shutil.rmtree(entry, ignore_errors=True)
        return not entry.exists()
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:   # held by a running process
            return False
        shutil.rmtree(entry, ignore_errors=True)
        return True


def _prune(base: Path, keep: str, settings_key: str) -> None:
    """Remove older caches of the same folder and settings, and caches whose folder is gone (unless a
    process is reading them)."""
    for entry in base.iterdir() if base.is_dir() else ():
        if entry.name == keep or entry.name.startswith("."):
            continue
        try:
            meta = json.loads((entry / "meta.json").read_text())
            stale = meta.get("settings_key") == settings_key or not os.path.isdir(meta.get("root", ""))
        except (OSError, ValueError):
            stale = time.time() - entry.stat().st_mtime > 3600   # an unfinished cache of a crashed run
        if stale:
            _delete_unless_in_use(entry)


def cache_cap_bytes() -> int:
    """The image caches' size cap: GAN_STUDIO_IMAGE_CACHE_MB (megabytes), else CACHE_CAP_MB."""
    text = os.environ.get(CACHE_CAP_ENV, "").strip()
    if not text:
        return CACHE_CAP_MB << 20
    try:
        mb = float(text)
        if not mb >= 0 or mb == float("inf"):
            raise ValueError
    except ValueError:
        raise ConfigError(f"{CACHE_CAP_ENV} = {text!r}: expected a size in megabytes (e.g. 10240), "
                          f"0 to keep only the cache in use") from None
    return int(mb * 2**20)


def _size(entry: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(entry):
        for f in files:
            try:
                total += os.lstat(os.path.join(dirpath, f)).st_size
            except OSError:
                pass
    return total


def _last_used(entry: Path) -> float:
    for name in ("lock", "meta.json"):
        try:
            return (entry / name).stat().st_mtime
        except OSError:
            continue
    return 0.0


def evict(base: Path, keep: str, cap: int | None = None) -> list[str]:
    """Keep the image caches under `cap` bytes (cache_cap_bytes()): the most recently used are kept,
    older ones deleted until the rest fit; `keep` (the cache just opened) and caches other processes
    hold are never deleted. Returns the names deleted."""
    cap = cache_cap_bytes() if cap is None else cap
    if not base.is_dir():
        return []
    entries = [e for e in base.iterdir() if e.is_dir() and not e.name.startswith(".")]
    entries.sort(key=_last_used, reverse=True)
    sizes = {e.name: _size(e) for e in entries}
    total = sum(sizes.values())
    gone = []
    for e in reversed(entries):          # the least recently used first
        if total <= cap:
            break
        if e.name != keep and _delete_unless_in_use(e):
            total -= sizes[e.name]
            gone.append(e.name)
    return gone


def _open_cache(path: Path):
    try:
        meta = json.loads((path / "meta.json").read_text())
        x = np.load(path / "x.npy", mmap_mode="r")
        y = np.load(path / "y.npy")
        n = int(meta["n"])
        if meta.get("version") != CACHE_VERSION or x.ndim != 4 or x.shape[0] < n or len(y) != n:
            return None
        return meta, x[:n], y
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build_folder(d: DataConfig, where: str, workers: int | None = None, classes: bool = True,
                 use_cache: bool = True) -> "FolderImages":
    """The FolderImages of data.root: from the cache when it holds this folder as it is now, else
    decoded (in worker processes for large folders) and cached."""
    t0 = time.perf_counter()
    folder = Path(d.root).expanduser()
    found, names, skipped = find_images(folder, classes)
    if d.limit and len(found) > d.limit:   # an even spread over classes, not the first class only
        keep = np.sort(np.random.default_rng(0).permutation(len(found))[:d.limit])
        found = [found[i] for i in keep]
    root = os.path.realpath(folder)
    paths = [os.path.join(root, rel) for rel, _ in found]
    background = background_of(d)
    side = side_of(paths, d, where)
    key, settings_key = _key(found, root, side, d)
    base = images_cache()
    path = base / key
    with _one_build(key) if use_cache else contextlib.nullcontext():
        hit = _open_cache(path) if use_cache else None
        lock = CacheLock(path) if hit is not None else None
        if hit is None:
            meta, x, y = _decode_to_cache(d, where, found, names, skipped, paths, root, side, background, base,
                                          key, settings_key, workers, use_cache)
            lock = CacheLock(path) if use_cache else None
        else:
            meta, x, y = hit
    if use_cache:
        try:
            cap = cache_cap_bytes()
        except ConfigError as e:    # a bad cap is said, not fatal: the run goes on with the default
            _note(f"{e}; using {CACHE_CAP_MB:,} MB")
            cap = CACHE_CAP_MB << 20
        gone = evict(base, key, cap)
        if gone:
            _note(f"image cache over {cap / 2**20:,.0f} MB ({CACHE_CAP_ENV}): removed the "
                  f"{len(gone)} least recently used")
    report = FolderReport(str(folder), meta["class_names"], meta["counts"], meta["files"],
                          [Skipped(**s) for s in meta["skipped"]], meta["duplicates"], meta["duplicate_example"],
                          side, meta["channels"], d.background, str(path) if use_cache else "", hit is not None,
                          time.perf_counter() - t0)
    src = FolderImages(select_channels(x, meta["stored"], meta["channels"], meta.get("grey", False)), y, report)
    src.lock = lock
    for line in report.lines():
        _note(line)
    return src


def _decode_to_cache(d, where, found, names, skipped, paths, root, side, background, base, key, settings_key,
                     workers, use_cache):
    keep_alpha = d.channels in (2, 4)
    stored = 4 if keep_alpha else 3
    tmp = base / f".{key}.{os.getpid()}.tmp"
    if use_cache:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        x = np.lib.format.open_memmap(tmp / "x.npy", "w+", np.uint8, (len(paths), stored, side, side))
    else:
        x = np.empty((len(paths), stored, side, side), np.uint8)
    try:
        ok, info = decode_all(paths, side, background, keep_alpha, x, workers)
        refuse_if_mostly_unreadable(paths, info, where)
        skipped = dict(skipped)
        for p, inf in zip(paths, info):
            if inf.error:
                s = skipped.setdefault("unreadable image file(s)", Skipped("unreadable image file(s)"))
                s.count += 1
                s.example = s.example or f"{os.path.relpath(p, root)}: {inf.error}"
        first: dict[str, str] = {}
        dups, dup_example = 0, []
        for (rel, _), inf in zip(found, info):
            if inf.digest and not inf.error:
                if inf.digest in first:
                    dups += 1
                    dup_example = dup_example or [first[inf.digest], rel]
                else:
                    first[inf.digest] = rel
        labels = np.asarray([lab for (_, lab), good in zip(found, ok) if good], np.int64)
        counts = np.bincount(labels, minlength=len(names)).tolist()
        grey = np.asarray([inf.grey for inf in info if not inf.error], bool)
        meta = {"version": CACHE_VERSION, "root": root, "settings_key": settings_key, "n": int(ok.sum()),
                "stored": stored, "channels": pick_channels(d, grey), "grey": bool(grey.all()),
                "class_names": names, "counts": counts,
                "files": len(paths), "skipped": [asdict(s) for s in skipped.values()], "duplicates": dups,
                "duplicate_example": dup_example, "side": side}
        if not use_cache:
            return meta, x[:meta["n"]], labels
        x.flush()
        del x
        np.save(tmp / "y.npy", labels)
        (tmp / "meta.json").write_text(json.dumps(meta))
        try:
            os.replace(tmp, base / key)          # atomic: a cache is whole or absent
        except OSError:                          # another process finished the same cache first
            shutil.rmtree(tmp, ignore_errors=True)
        _prune(base, key, settings_key)
    except BaseException:
        if use_cache:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    hit = _open_cache(base / key)
    if hit is None:
        raise ConfigError(f"{base / key}: the image cache just written cannot be read back")
    return hit


# --------------------------------------------------------------------------------- the data source
def to_unit_u8(u8: torch.Tensor) -> torch.Tensor:
    """uint8 pixels -> float in [-1, 1], the same arithmetic as images.to_unit(x, 0, 255)."""
    return u8.float() / 255.0 * 2 - 1


class FolderImages(DataSource):
    """Images kept as uint8 (memory-mapped from the cache); a batch is a random index draw from the
    trainer's generator (as for the in-memory data sets, so resuming is exact), and only the batch
    is read and converted to float in [-1, 1]."""
    family = "image"

    def __init__(self, u8: np.ndarray, y: np.ndarray, report: FolderReport):
        self.u8 = u8
        self.y = torch.from_numpy(np.asarray(y, np.int64))
        self.report = report
        self.class_names = list(report.class_names)
        self.n_classes = len(self.class_names)
        self.shape = tuple(int(v) for v in u8.shape[1:])
        self.name = "image_folder"
        self._x: torch.Tensor | None = None
        self.lock: CacheLock | None = None     # the hold on the cache this reads (never evicted meanwhile)

    def __len__(self) -> int:
        return int(self.u8.shape[0])

    def images(self, idx) -> torch.Tensor:
        """Images at these indices as float in [-1, 1] on the CPU."""
        i = np.asarray(idx.cpu() if isinstance(idx, torch.Tensor) else idx, np.int64)
        return to_unit_u8(torch.from_numpy(np.ascontiguousarray(self.u8[i])))

    @property
    def x(self) -> torch.Tensor:
        """Every image as one float tensor in [-1, 1] (evaluation reads it; made on first use, four
        bytes a pixel: training itself never needs it)."""
        if self._x is None:
            self._x = to_unit_u8(torch.from_numpy(np.array(self.u8)))
        return self._x

    def sample(self, n, gen, device):
        device = torch.device(device)
        idx = torch.randint(len(self), (n,), generator=gen, device=gen.device).cpu()
        xb = torch.from_numpy(np.ascontiguousarray(self.u8[idx.numpy()]))
        if device.type == "cuda":
            xb = xb.pin_memory().to(device, non_blocking=True)
        x = to_unit_u8(xb).contiguous(memory_format=torch.channels_last)
        return Batch(x, self.y[idx].to(device))
