"""The image cache stays under its size cap (the least recently used caches go, never one in use), and
every line about a skipped or refused file names the file (issue 19)."""
import gc
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.config.schema import ConfigError, DataConfig
from studio.data import make_data
from studio.data.folder import CACHE_CAP_ENV, evict, glance, images_cache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(CACHE_CAP_ENV, raising=False)
    return tmp_path / "cache"


def _folder(root: Path, n: int = 12, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for i in range(n):
        p = root / f"c{i % 2}" / f"{i}.png"
        p.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)).save(p)
    return root


def _build(root: Path):
    return make_data(DataConfig(kind="image_folder", root=str(root)), "p")


def _caches() -> set[str]:
    return {p.name for p in images_cache().iterdir() if not p.name.startswith(".")}


def test_the_cache_keeps_the_newest_under_its_cap_and_never_one_in_use(tmp_path, cache, monkeypatch):
    a, b, c, d = (_folder(tmp_path / k, seed=i) for i, k in enumerate("abcd"))
    held = _build(a)                                     # a run still reads a's cache
    key_a = Path(held.report.cache).name
    key_b = Path(_build(b).report.cache).name
    gc.collect()
    assert _caches() == {key_a, key_b}                   # the default cap (10 GiB) keeps both
    one = max(sum(f.stat().st_size for f in (images_cache() / k).iterdir()) for k in (key_a, key_b))
    for age, k in ((300, key_a), (200, key_b)):          # a used longest ago, then b
        t = os.path.getmtime(images_cache() / k / "lock") - age
        os.utime(images_cache() / k / "lock", (t, t))
    monkeypatch.setenv(CACHE_CAP_ENV, str(1.5 * one / 2**20))     # room for one cache and a half
    key_c = Path(_build(c).report.cache).name
    gc.collect()
    # over the cap: the oldest (a) is in use, so b goes; c (just made) and a (in use) stay
    assert _caches() == {key_a, key_c}
    del held
    gc.collect()
    t = os.path.getmtime(images_cache() / key_c / "lock") - 100
    os.utime(images_cache() / key_c / "lock", (t, t))
    key_d = Path(_build(d).report.cache).name
    assert _caches() == {key_d}        # a (no longer held) and c, the least recently used, went
    again = _build(d)                                       # the newest is reopened, not decoded again
    assert again.report.from_cache


def test_a_cap_of_zero_keeps_only_the_cache_in_use(tmp_path, cache, monkeypatch):
    monkeypatch.setenv(CACHE_CAP_ENV, "0")
    first = _build(_folder(tmp_path / "a"))
    second = _build(_folder(tmp_path / "b", seed=1))
    assert _caches() == {Path(first.report.cache).name, Path(second.report.cache).name}   # both held
    del first
    gc.collect()
    assert evict(images_cache(), Path(second.report.cache).name) and _caches() == {Path(second.report.cache).name}


@pytest.mark.parametrize("value", ["lots", "-1", "nan"])
def test_a_bad_cache_cap_is_one_line_naming_the_variable(tmp_path, cache, monkeypatch, value):
    """A bad cap is said in one line and the default used: a run is not refused for it."""
    from studio.data.folder import reporting
    monkeypatch.setenv(CACHE_CAP_ENV, value)
    notes = []
    with reporting(None, notes.append):
        d = _build(_folder(tmp_path / "a"))
    assert len(d) == 12
    said = [n for n in notes if CACHE_CAP_ENV in n]
    assert len(said) == 1 and said[0].startswith(f"{CACHE_CAP_ENV} = {value!r}: expected a size in megabytes")
    assert said[0].endswith("using 10,240 MB") and "\n" not in said[0]


def test_every_skipped_or_refused_file_is_named(tmp_path, cache):
    root = _folder(tmp_path / "im")
    (root / "c0" / "junk.png").write_bytes(b"not a picture")
    (root / "c1" / "empty.png").write_bytes(b"")
    lines = _build(root).report.lines()
    skipped = [ln for ln in lines if ln.startswith("skipped")]
    assert skipped == ["skipped 2 unreadable image file(s) (e.g. c0/junk.png: not an image file that "
                       "Pillow can identify)"], lines
    assert not any("BytesIO" in ln or "0x" in ln for ln in lines), lines
    line = glance(root)
    assert "2 of the 14 looked at cannot be read (e.g. c0/junk.png)" in line, line
    bad = tmp_path / "bad"
    for i in range(5):
        (bad / "c").mkdir(parents=True, exist_ok=True)
        (bad / "c" / f"{i}.png").write_bytes(b"junk")
    for size, want in ((0, "none of the first 5 image files can be read"), (16, "none of the 5 image files can be read")):
        with pytest.raises(ConfigError) as e:          # the size from the files, or data.image_size
            make_data(DataConfig(kind="image_folder", root=str(bad), image_size=size), "p")
        msg = str(e.value)
        assert want in msg and "c/0.png: not an image file that Pillow can identify" in msg, msg
        assert "BytesIO" not in msg and "\n" not in msg, msg


def test_two_threads_building_one_folder_decode_it_once_and_each_hears_only_its_own(tmp_path, cache, monkeypatch):
    """The studio builds a chosen folder on two threads at once (the Data tab's preview and the game's
    build): one decodes, the other waits, hears the same progress on its own thread, then opens the
    cache; a third thread building another folder hears only its own files."""
    import threading

    from studio.data import folder as F
    a, b = _folder(tmp_path / "a", n=40), _folder(tmp_path / "b", n=10, seed=3)
    calls, started, quiet = [], threading.Event(), set()
    real, progress = F.decode_all, F._progress

    def only_the_end(done, total):             # the real decode's own reports, after the slow ones
        if threading.get_ident() not in quiet or done == total:
            progress(done, total)

    def slow_decode(paths, *args, **kw):
        calls.append(len(paths))
        started.set()
        for i in range(6):                     # a decode that takes a moment, reporting as it goes
            progress(i * len(paths) // 6, len(paths))
            threading.Event().wait(0.15)
        quiet.add(threading.get_ident())
        try:
            return real(paths, *args, **kw)
        finally:
            quiet.discard(threading.get_ident())

    monkeypatch.setattr(F, "decode_all", slow_decode)
    monkeypatch.setattr(F, "_progress", only_the_end)
    heard: dict[str, list] = {"first": [], "second": [], "other": []}
    out = {}

    def build(name, root):
        with F.reporting(lambda d, t: heard[name].append((d, t, threading.get_ident()))):
            out[name] = (_build(root), threading.get_ident())

    first = threading.Thread(target=build, args=("first", a))
    first.start()
    assert started.wait(10)
    second, other = (threading.Thread(target=build, args=args) for args in (("second", a), ("other", b)))
    second.start()
    other.start()
    for t in (first, second, other):
        t.join(30)
    assert sorted(calls) == [10, 40]                                  # folder a decoded once, b once
    assert not out["first"][0].report.from_cache and out["second"][0].report.from_cache
    assert np.array_equal(np.asarray(out["first"][0].u8), np.asarray(out["second"][0].u8))
    for name, total in (("first", 40), ("second", 40), ("other", 10)):
        got = heard[name]
        assert got and all(t == total and tid == out[name][1] for _, t, tid in got), (name, got[:3])
        assert [d for d, _, _ in got] == sorted(d for d, _, _ in got), (name, got)
    assert len({d for d, _, _ in heard["second"]}) >= 2              # the waiting thread saw it move


def test_grey_from_the_cache_is_a_view_or_pillows_grey_made_a_chunk_at_a_time(tmp_path, cache, monkeypatch):
    """A folder of grey images is read through a view of the cache (nothing copied); colour made grey
    (data.channels = 1) weighs R, G, B as Pillow's L does, converted in chunks (of 5 here)."""
    from studio.data import folder as F
    grey = tmp_path / "grey"
    for i in range(6):
        (grey / "a").mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((8, 8), 20 * i, np.uint8)).save(grey / "a" / f"{i}.png")
    d = _build(grey)
    assert d.shape == (1, 8, 8) and d.u8.base is not None and np.shares_memory(d.u8, d.u8.base)
    colour = _folder(tmp_path / "colour", n=12)
    real_range = range
    monkeypatch.setattr(F, "range", lambda a, b, step=1: real_range(a, b, 5 if step == 4096 else step), raising=False)
    g = make_data(DataConfig(kind="image_folder", root=str(colour), channels=1), "p")
    files = sorted((colour / c / f"{i}.png" for c in ("c0", "c1") for i in range(12) if (colour / c / f"{i}.png").exists()),
                   key=lambda p: (p.parent.name, p.name))
    want = np.stack([np.asarray(Image.open(p).convert("L")) for p in files])
    assert g.shape == (1, 16, 16) and np.array_equal(np.asarray(g.u8)[:, 0], want)
