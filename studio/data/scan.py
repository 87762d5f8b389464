"""Finding the images of a folder without following what should not be followed: hidden files and
folders are ignored, symlinked folders are never entered (a loop, or a second way to the same
files), a symlinked file counts only when it points inside the folder; what was left out is counted
with an example. Also a glance at a folder just chosen, from its listing and a few headers."""
from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..config.schema import ConfigError
from .decode import IMAGE_EXTS


@dataclass
class Skipped:
    """Files left out for one reason: how many, and the first one met."""
    reason: str
    count: int = 0
    example: str = ""



def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def find_images(folder: Path, classes: bool = True) -> tuple[list[tuple[str, int]], list[str], dict[str, Skipped]]:
    """(relative path, class index) of every image file, the class names and what was skipped.
    classes: top-level subfolders are the classes (files beside them are skipped); else every image
    under the folder, class 0. Hidden files and folders are ignored; symlinked folders are never
    followed (a loop, or a second way to the same files); a symlinked file counts only when it
    points to a file inside the folder."""
    root = os.path.realpath(folder)
    skipped: dict[str, Skipped] = {}

    def skip(reason: str, path: str) -> None:
        s = skipped.setdefault(reason, Skipped(reason))
        s.count += 1
        s.example = s.example or path

    found: list[tuple[str, int]] = []

    def walk(d: str, label: int) -> None:
        stack = [d]
        while stack:
            here = stack.pop()
            try:
                entries = sorted(os.scandir(here), key=lambda e: e.name)
            except OSError as e:
                skip(f"unreadable folder(s) ({e.strerror})", os.path.relpath(here, root))
                continue
            for e in entries:
                if e.name.startswith("."):
                    continue
                rel = os.path.relpath(e.path, root)
                if e.is_symlink():
                    target = os.path.realpath(e.path)
                    if os.path.isdir(target) or not os.path.exists(target):
                        skip("symlinked folder(s) or broken link(s), not followed", rel)
                        continue
                    if not _inside(target, root):
                        skip("link(s) to files outside the folder, not followed", rel)
                        continue
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.name.lower().endswith(IMAGE_EXTS):
                    found.append((rel, label))
                else:
                    skip("file(s) that are not images by their extension", rel)

    if not classes:
        walk(root, 0)
        return sorted(found), ["all"], skipped
    names = []
    try:
        top = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as e:
        raise ConfigError(f"{folder}: cannot list the folder ({e.strerror})") from None
    for e in top:
        if e.name.startswith("."):
            continue
        if e.is_symlink() and e.is_dir():
            skip("symlinked folder(s) or broken link(s), not followed", e.name)
        elif e.is_dir(follow_symlinks=False):
            names.append(e.name)
        else:
            skip("file(s) outside a class folder (image_folder reads ROOT/CLASS/IMAGE)", e.name)
    if not names:
        raise ConfigError(f"{folder}: no class subfolders; image_folder expects ROOT/CLASS/IMAGE "
                          f"(e.g. {folder}/cats/001.png)")
    kept = []
    for name in names:
        before = len(found)
        walk(os.path.join(root, name), len(kept))
        if len(found) == before:
            skip("empty class folder(s), left out", name)
        else:
            kept.append(name)
    denied = next((s for r, s in skipped.items() if r.startswith("unreadable folder")), None)
    if not found and denied is not None:      # not "no images": the folders could not be read at all
        why = denied.reason[denied.reason.rfind("(") + 1:-1].lower() if "(" in denied.reason else "unreadable"
        raise ConfigError(f"{folder}: {why}: {denied.count} class folder(s) cannot be read (e.g. {denied.example}); "
                          f"make them readable (chmod -R u+rX) or choose another data.root")
    if not found:
        raise ConfigError(f"{folder}: no images in the class subfolders (expected {', '.join(IMAGE_EXTS[:4])} "
                          f"files in {', '.join(names[:5])})")
    return found, kept, skipped


def glance(folder: Path, sample: int = 20) -> str:
    """One line on a folder just chosen, from its listing and a few files' headers (no decoding):
    images per class, the sizes and colour modes seen. Bad folders raise ConfigError in one line."""
    found, names, skipped = find_images(Path(folder))
    counts = np.bincount([lab for _, lab in found], minlength=len(names))
    sizes, modes, bad = set(), set(), []
    looked = sorted(random.Random(0).sample(found, min(sample, len(found))))
    for rel, _ in looked:
        try:
            with Image.open(os.path.join(folder, rel)) as im:
                sizes.add(im.size)
                modes.add(im.mode)
        except Exception:   # noqa: BLE001 - a glance; decoding says why each file is unreadable
            bad.append(rel)
    per = ", ".join(f"{k} {c}" for k, c in zip(names, counts.tolist()))
    shown = sorted(sizes)[:3]
    size = ", ".join(f"{w}x{h}" for w, h in shown) + (" ..." if len(sizes) > 3 else "") or "none readable"
    left = sum(s.count for s in skipped.values())
    first = next(iter(skipped.values()), None)
    return (f"{len(found):,} images in {len(names)} class(es) ({per}); sizes {size}; "
            f"modes {', '.join(sorted(modes)) or '-'}"
            + (f"; {len(bad)} of the {len(looked)} looked at cannot be read (e.g. {bad[0]})" if bad else "")
            + (f"; {left} other file(s) or link(s) left out (e.g. {first.example}: {first.reason})" if left else ""))
