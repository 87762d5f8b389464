"""The Lessons tab, the studio's first screen (issue 21): every lesson in teaching order with where the
notes say it and the student's state (not started, in progress at page k, done); a click on one starts
it, or takes it up where it was left. A lesson file that does not load is listed greyed with its one
line. Choosing a preset on the left is never blocked by it: the window goes straight to the game.

The tab owns no lesson: it emits `start_requested(name)` and is given the catalogue to show.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

NAME_ROLE = Qt.ItemDataRole.UserRole
STATE_MARK = {"not started": "○", "in progress": "◐", "done": "✓"}
STATE_COLOUR = {"in progress": "#8a5a00", "done": "#1d7f3c"}
INTRO = ("<h2 style='margin-bottom:2px'>Lessons</h2>"
         "<p>The lecture notes the studio comes from, played live: each lesson sets up a game, asks you to act "
         "and to predict, runs it and checks on the run that what the notes claim happened. "
         "<b>Click a lesson</b> to start it, or to go on where you left it; it opens beside the game.</p>"
         "<p style='color:#666'>Came to train a GAN? Pick a preset on the left: it opens straight in the "
         "Training tab. Lessons stay here and in the Lessons menu.</p>")


class LessonsHome(QWidget):
    start_requested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lessons_home")
        self.intro = QLabel(INTRO, objectName="lessons_intro")
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.RichText)
        self.list = QListWidget(objectName="lessons_list")
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)      # rows re-wrap as the window narrows
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(False)
        self.list.setSpacing(2)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.setStyleSheet("QListWidget#lessons_list::item { padding: 6px 4px; border-bottom: 1px solid #e4e4e4; }"
                                "QListWidget#lessons_list::item:hover { background: #eef3fb; }")
        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)     # Enter on a row, as a click
        col = QVBoxLayout(self)
        col.setContentsMargins(16, 8, 16, 8)
        col.addWidget(self.intro)
        col.addWidget(self.list, 1)

    def show_lessons(self, entries, pages_at: dict[str, int] | None = None) -> None:
        """entries: progress.catalogue(); pages_at: the page each lesson in progress was left on (0-based)."""
        pages_at = pages_at or {}
        self.list.clear()
        for i, e in enumerate(entries, 1):
            if e.state == "broken":
                it = QListWidgetItem(f"{e.name}: does not load\n{e.error}")
                it.setFlags(Qt.ItemFlag.NoItemFlags)
                it.setToolTip(e.error)
            else:
                state = e.state
                if state == "in progress" and e.name in pages_at:
                    state = f"in progress, page {pages_at[e.name] + 1} of {e.pages}"
                where = f" · {e.source}" if getattr(e, "source", "") else ""
                it = QListWidgetItem(f"{i}. {e.title}\n     {STATE_MARK.get(e.state, '')} {state} · "
                                     f"{e.pages} page{'s' * (e.pages != 1)}{where}")
                it.setData(NAME_ROLE, e.name)
                summary = getattr(e, "summary", "")
                it.setToolTip(f"<p>{summary}</p><p><i>Click to {'go on' if e.state == 'in progress' else 'start'}."
                              f"</i></p>" if summary else "Click to start")
                if e.state in STATE_COLOUR:
                    it.setForeground(QBrush(QColor(STATE_COLOUR[e.state])))
                f = it.font()
                f.setPointSizeF(f.pointSizeF() * 1.05)
                it.setFont(f)
            self.list.addItem(it)

    def item(self, name: str) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            it = self.list.item(i)
            if it.data(NAME_ROLE) == name:
                return it
        return None

    def _clicked(self, item: QListWidgetItem) -> None:
        name = item.data(NAME_ROLE)
        if name:
            self.start_requested.emit(name)
