"""Where a student is in each lesson, remembered between sessions: a small JSON file in the studio's
settings folder (GAN_STUDIO_SETTINGS, else the platform's config folder), written atomically. A
missing or unreadable file is an empty record, never an error: progress is a convenience."""
from __future__ import annotations

import json
import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..config.io import atomic_write_bytes
from ..config.paths import config_dir
from ..config.schema import ConfigError
from .format import lesson_names, lessons_dir, read_lesson

NOT_STARTED, IN_PROGRESS, DONE = "not started", "in progress", "done"


def default_path() -> Path:
    env = os.environ.get("GAN_STUDIO_SETTINGS", "").strip()
    return (Path(env) if env else config_dir()) / "lessons.json"


@dataclass
class LessonProgress:
    page: int = 0                                          # the page the student is on
    seen: list[int] = field(default_factory=list)          # pages whose outcome they have seen
    predictions: dict[str, int] = field(default_factory=dict)   # page index (as text) -> choice
    done: bool = False


class ProgressStore:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.lessons: dict[str, LessonProgress] = {}
        self.load()

    def load(self) -> None:
        self.lessons = {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(raw, dict):
            return
        for name, d in raw.items():
            if not isinstance(d, dict):
                continue
            try:
                p = LessonProgress(int(d.get("page", 0)), [int(i) for i in d.get("seen", [])],
                                   {str(k): int(v) for k, v in dict(d.get("predictions", {})).items()},
                                   bool(d.get("done", False)))
            except (TypeError, ValueError):
                continue
            self.lessons[str(name)] = p

    def save(self) -> None:
        data = {name: asdict(p) for name, p in self.lessons.items()}
        try:
            atomic_write_bytes(self.path, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))
        except OSError:        # a read-only settings folder: progress is not kept, the lesson goes on
            pass

    def get(self, name: str) -> LessonProgress:
        return self.lessons.setdefault(name, LessonProgress())

    def state(self, name: str) -> str:
        p = self.lessons.get(name)
        if p is None or (not p.seen and p.page == 0 and not p.predictions):
            return NOT_STARTED
        return DONE if p.done else IN_PROGRESS

    def set_page(self, name: str, page: int) -> None:
        self.get(name).page = max(0, int(page))
        self.save()

    def predict(self, name: str, page: int, choice: int) -> None:
        self.get(name).predictions[str(page)] = int(choice)
        self.save()

    def prediction(self, name: str, page: int) -> int | None:
        p = self.lessons.get(name)
        return None if p is None else p.predictions.get(str(page))

    def seen_page(self, name: str, page: int) -> None:
        """The student has seen this page's outcome."""
        p = self.get(name)
        if page not in p.seen:
            p.seen.append(page)
            p.seen.sort()
        self.save()

    def finish(self, name: str) -> None:
        """The student pressed Finish on the last page: the lesson is done."""
        self.get(name).done = True
        self.save()

    def reset(self, name: str) -> None:
        self.lessons.pop(name, None)
        self.save()


@dataclass
class CatalogueEntry:
    name: str
    title: str
    pages: int
    state: str                 # NOT_STARTED, IN_PROGRESS or DONE; "broken" with `error` when it does not load
    error: str = ""
    source: str = ""           # where the notes say it
    summary: str = ""


def catalogue(store: ProgressStore) -> list[CatalogueEntry]:
    """Every shipped lesson in teaching order with the student's state, for a Lessons menu or first
    screen; a lesson file that does not load is listed with its one-line error instead of raising."""
    out = []
    for name in lesson_names():
        try:
            les = read_lesson(name)         # read only: the shared copy
        except ConfigError as e:
            out.append((_order(name), CatalogueEntry(name, name, 0, "broken", str(e))))
            continue
        out.append((les.order, CatalogueEntry(name, les.title, len(les.pages), store.state(name), source=les.source,
                                              summary=les.summary)))
    return [e for _, e in sorted(out, key=lambda oe: (oe[0], oe[1].name))]


def _order(name: str) -> int:
    """A lesson's `order` key, read without checking the rest of the file (a broken one sorts last)."""
    try:
        value = tomllib.loads((lessons_dir() / f"{name}.toml").read_text(encoding="utf-8")).get("order", 0)
    except (OSError, ValueError):
        return 10**9
    return value if isinstance(value, int) and not isinstance(value, bool) else 10**9
