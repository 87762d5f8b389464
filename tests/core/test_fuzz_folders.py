"""Property tests of image folders beyond "loads or is refused in one line" (issue 19): every PIL mode
decodes to the pixels a viewer shows (against an independent reference per mode), and a folder of any
shape (nested folders in classes, empty class folders, symlink loops, links out of the folder,
duplicates, unreadable files) yields exactly its readable image files, counts its duplicates and
names every file it skipped or refused. Deterministic (derandomize=True), like test_fuzz_inputs."""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from studio.config.schema import ConfigError, DataConfig
from studio.data import make_data
from studio.data.decode import decode_file
from tests.core.test_fuzz_inputs import clean, fresh, fuzz, image_bytes, image_file, image_folders, write_folder

@pytest.fixture(scope="module")
def scratch_cache(tmp_path_factory):
    """A folder for the generated folders, and a private image cache."""
    base = tmp_path_factory.mktemp("folders")
    mp = pytest.MonkeyPatch()
    mp.setenv("GAN_STUDIO_CACHE", str(base / "cache"))
    yield base
    mp.undo()


BACKGROUNDS = {"white": (255, 255, 255), "black": (0, 0, 0), "#3a7f10": (0x3A, 0x7F, 0x10)}


def over(rgb: np.ndarray, alpha: np.ndarray, bg) -> np.ndarray:
    """Colour over the background, 8-bit, rounded (a viewer's blend)."""
    a = alpha.astype(np.int64)[..., None]
    return ((rgb.astype(np.int64) * a + np.asarray(bg, np.int64) * (255 - a) + 127) // 255).astype(np.uint8)


@st.composite
def mode_images(draw):
    """(mode, file bytes, extension, the pixels a viewer shows over each background)."""
    mode = draw(st.sampled_from(["1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I", "F", "GIF anim"]))
    s = draw(st.integers(1, 9))                                   # square: no crop, no resize
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    u8 = lambda *shape: rng.integers(0, 256, (s, s) + shape, dtype=np.uint8)   # noqa: E731
    buf = io.BytesIO()
    if mode == "1":
        g = (u8() > 127).astype(np.uint8) * 255
        Image.fromarray(g).convert("1").save(buf, "PNG")
        want = lambda bg: np.repeat(g[..., None], 3, 2)           # noqa: E731
    elif mode in ("L", "RGB"):
        a = u8() if mode == "L" else u8(3)
        Image.fromarray(a, mode).save(buf, "PNG")
        want = lambda bg: np.repeat(a[..., None], 3, 2) if mode == "L" else a   # noqa: E731
    elif mode in ("LA", "RGBA"):
        a = u8(2) if mode == "LA" else u8(4)
        a[..., -1] = rng.choice([0, 0, 128, 255, 255], (s, s))     # transparent, half, opaque
        Image.fromarray(a, mode).save(buf, "PNG")
        colour = np.repeat(a[..., :1], 3, 2) if mode == "LA" else a[..., :3]
        want = lambda bg: over(colour, a[..., -1], bg)            # noqa: E731
    elif mode in ("P", "GIF anim"):
        palette = rng.integers(0, 256, (4, 3), dtype=np.uint8)
        idx = rng.integers(0, 4, (s, s)).astype(np.uint8)
        im = Image.fromarray(idx, "P")
        im.putpalette(palette.ravel().tolist())
        if mode == "P":
            im.save(buf, "PNG", transparency=0)                   # palette entry 0 is transparent
        else:                                                     # the first frame is the one read
            other = Image.fromarray((idx + 1) % 4, "P")
            other.putpalette(palette.ravel().tolist())
            im.save(buf, "GIF", save_all=True, append_images=[other], transparency=0, disposal=2)
        want = lambda bg: over(palette[idx], np.where(idx == 0, 0, 255), bg)   # noqa: E731
    elif mode == "CMYK":
        a = u8(4)
        im = Image.fromarray(a, "CMYK")
        im.save(buf, "TIFF")                                      # lossless, so Pillow's conversion is the truth
        ref = np.asarray(im.convert("RGB"))
        want = lambda bg: ref                                     # noqa: E731
    elif mode == "I;16":
        v = rng.integers(0, 65536, (s, s)).astype(np.uint16)
        Image.fromarray(v).save(buf, "PNG")
        g = np.round(v / 65535 * 255).astype(np.uint8)            # 16 bits to 8, not clipped to 255
        want = lambda bg: np.repeat(g[..., None], 3, 2)           # noqa: E731
    elif mode == "I":
        small = draw(st.booleans())
        v = rng.integers(0, 256 if small else 65536, (s, s)).astype(np.int32)
        v.flat[0] = 255 if small else 65535
        Image.fromarray(v, "I").save(buf, "TIFF")
        g = (v if small else np.round(v / 65535 * 255)).astype(np.uint8)
        want = lambda bg: np.repeat(g[..., None], 3, 2)           # noqa: E731
    else:   # F: values in [0, 1]
        v = rng.random((s, s)).astype(np.float32)
        Image.fromarray(v, "F").save(buf, "TIFF")
        g = np.clip(np.round(v.astype(np.float64) * 255), 0, 255).astype(np.uint8)
        want = lambda bg: np.repeat(g[..., None], 3, 2)           # noqa: E731
    ext = {"GIF anim": ".gif", "CMYK": ".tif", "I": ".tif", "F": ".tif"}.get(mode, ".png")
    return mode, buf.getvalue(), ext, s, want


@fuzz(150)
@given(case=mode_images(), bg=st.sampled_from(sorted(BACKGROUNDS)))
def test_every_mode_decodes_to_what_a_viewer_shows(case, bg):
    mode, data, ext, side, want = case
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "im" + ext)
        Path(path).write_bytes(data)
        got = decode_file(path, side, BACKGROUNDS[bg])
    assert not got.error, (mode, got.error)
    expected = want(BACKGROUNDS[bg])
    diff = np.abs(got.pixels.astype(int) - expected.astype(int))
    assert diff.max() <= (1 if mode == "F" else 0), (mode, bg, got.pixels[..., 0], expected[..., 0])
    assert got.grey == bool((expected[..., 0] == expected[..., 1]).all() and (expected[..., 1] == expected[..., 2]).all())


@st.composite
def class_folders(draw):
    """Folders that mostly load: one to three classes (one may be hidden or empty), two to five files
    each (most readable, in every mode), sometimes nested, a duplicate, links (the shapes of
    image_folders, which are refused seven times in ten)."""
    classes = draw(st.lists(st.sampled_from(["a", "b", "cats", ".hidden", "0", "x y", "empty"]), min_size=1,
                            max_size=3, unique=True))
    files = []
    for c in classes:
        if c == "empty":
            continue
        for i in range(draw(st.integers(2, 5))):
            sub = draw(st.sampled_from(["", "", "nested/", "nested/deeper/"]))
            files.append((f"{c}/{sub}{i}", draw(image_file())))
    if files and draw(st.booleans()):
        name, f = draw(st.sampled_from(files))
        files.append((f"{name.split('/')[0]}/dup", f))
    links = draw(st.lists(st.sampled_from(["loop", "class", "outside", "inside", "broken"]), max_size=3))
    return classes, files, links, {"background": draw(st.sampled_from(["white", "black", "#3a7"]))}


def _readable(path: Path) -> tuple[bool, str]:
    d = decode_file(str(path), 4, (255, 255, 255))
    return not d.error, d.digest


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@fuzz(60)
@given(case=st.one_of(image_folders(), class_folders()))
def test_a_folder_yields_exactly_its_readable_images_and_names_what_it_left_out(scratch_cache, case):
    """Whatever the folder's shape: the images are its readable image files in non-hidden class
    folders (nested folders included, links inside the folder counted once more, links to folders
    and out of the folder never followed); duplicates are the readable files beyond the distinct
    contents; each skipped line's example is a file or link under the folder; a refusal is one line
    naming the folder, and names a file when files are the reason."""
    classes, files, links, d = case
    root, written, _ = write_folder(scratch_cache, classes, files, links)
    cfg = DataConfig(kind="image_folder", root=str(root), image_size=4, background=d["background"])
    got = clean(make_data, root, cfg, "preset.toml")
    # the oracle: the image files a person would count, each decoded on its own
    from studio.data.decode import IMAGE_EXTS
    counted = []
    top = sorted(e.name for e in os.scandir(root) if e.is_dir(follow_symlinks=False) and not e.name.startswith("."))
    for c in top:                      # every real, non-hidden folder at the top is a class
        for dirpath, dirnames, names in os.walk(root / c):
            dirnames[:] = [n for n in dirnames if not n.startswith(".") and not os.path.islink(os.path.join(dirpath, n))]
            for n in names:
                p = Path(dirpath) / n
                if n.startswith(".") or not n.lower().endswith(IMAGE_EXTS):
                    continue
                if p.is_symlink():
                    t = os.path.realpath(p)
                    if not os.path.isfile(t) or not t.startswith(str(root.resolve()) + os.sep):
                        continue
                counted.append(p)
    verdicts = [_readable(p) for p in counted]
    good = [digest for ok, digest in verdicts if ok]
    if isinstance(got, ConfigError):
        msg = str(got)
        if "cannot be read" in msg:       # files are the reason: one of them is named
            assert any(str(p) in msg for p in counted), msg
        else:
            assert not good or len(good) * 2 < len(counted) or "no class subfolders" in msg or "no images" in msg, msg
    else:
        assert len(got) == len(good), (len(got), len(good), [str(p) for p in counted])
        assert len(good) * 2 >= len(counted)
        assert got.report.duplicates == len(good) - len(set(good))
        for line in got.report.lines()[1:]:
            assert "BytesIO" not in line and " object at 0x" not in line, line
            if line.startswith("skipped"):
                example = line[line.index("(e.g. ") + 6:].split(":")[0].rstrip(")")
                assert os.path.lexists(root / example), (line, example)
