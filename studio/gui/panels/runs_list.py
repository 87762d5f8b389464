"""The runs browser's list: the runs found, newest first, with their preset, the step reached and the
best value of their headline quality metric (tools.headline: FID for images, the toy data's own
otherwise; a dash where the run has not evaluated it). A run branched from a listed run sits under it;
one whose parent is not listed says where it came from; a folder of runs inside a listed folder (a
sweep) is a group of its trials. A click on a column's header sorts by it (the metric best first,
again: worst first); tick boxes choose the runs compared."""
from __future__ import annotations

import html
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from ...quality import catalogue
from ...tools.compare import RunInfo, same_dir
from ...tools.headline import Headline

PATH_ROLE = Qt.ItemDataRole.UserRole
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2        # per column: the key a header click sorts by
RUN, PRESET, STEPS, BEST = range(4)
DASH = "–"


class _Item(QTreeWidgetItem):
    def __lt__(self, other: QTreeWidgetItem) -> bool:
        col = self.treeWidget().sortColumn() if self.treeWidget() is not None else 0
        a, b = self.data(col, SORT_ROLE), other.data(col, SORT_ROLE)
        if a is None or b is None:
            return super().__lt__(other)
        return a < b


class RunsList(QTreeWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("runs_tree")
        self.setHeaderLabels(["run", "preset", "steps", "best"])
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)    # the time stamp ends the name
        self.setAlternatingRowColors(True)
        hdr = self.header()
        hdr.setStretchLastSection(False)
        hdr.setSectionResizeMode(RUN, QHeaderView.ResizeMode.Stretch)
        for i in (PRESET, STEPS, BEST):
            hdr.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionsClickable(True)
        hdr.sectionClicked.connect(self._header_clicked)
        self.headerItem().setToolTip(BEST, "The best value of each run's headline quality metric (FID for "
                                           "images); click to sort, best first")
        self.sort: tuple[int, Qt.SortOrder] | None = None     # the column clicked and its order; None: newest first
        self.best: dict[str, Headline | None] = {}            # path -> its headline (None: no quality metric)

    # ------------------------------------------------------------------ filling
    def fill(self, found: dict[str, RunInfo], group_of: dict[str, Path], ticked: set[str]) -> None:
        """List these runs (path -> RunInfo), the ones in `group_of` inside their folder's group."""
        current = self.current_path()
        self.blockSignals(True)
        self.clear()
        items: dict[str, QTreeWidgetItem] = {}
        order = sorted(found.values(), key=lambda r: (-r.mtime, r.name))
        for rank, info in enumerate(order):
            item = items[str(info.path)] = self._run_item(info, ticked)
            item.setData(RUN, SORT_ROLE, (info.name.lower(), rank))
        groups: dict[str, QTreeWidgetItem] = {}
        for key, folder in sorted(group_of.items(), key=lambda kv: -found[kv[0]].mtime):
            if str(folder) not in groups:
                n = sum(1 for f in group_of.values() if f == folder)
                g = groups[str(folder)] = _Item([f"{folder.name}  ({n} runs)", "", "", ""])
                g.setData(0, GROUP_ROLE, str(folder))
                g.setToolTip(0, f"{html.escape(str(folder))}: a folder of runs (a sweep's trials)")
                g.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = g.font(0)
                font.setItalic(True)
                g.setFont(0, font)
                for col, k in ((RUN, (folder.name.lower(), -1)), (PRESET, ""), (STEPS, -1), (BEST, (2, 0.0))):
                    g.setData(col, SORT_ROLE, k)
        # a branched run under its parent when the parent is listed; else marked with where it came from
        resolved = {str(Path(k).resolve()): k for k in items}
        for info in order:
            item = items[str(info.path)]
            parent_key = resolved.get(str(info.branch.from_run.resolve())) if info.branch else None
            if parent_key is not None and parent_key != str(info.path) and \
                    not self._descends(items, parent_key, str(info.path)):
                items[parent_key].addChild(item)
                item.setText(0, f"↳ {info.name}")
            else:
                if info.branch is not None:
                    item.setText(0, f"↳ {info.name}  (from {info.branch.parent_name} @ {info.branch.from_step:,})")
                group = group_of.get(str(info.path))
                if group is not None:
                    groups[str(group)].addChild(item)
                else:
                    self.addTopLevelItem(item)
        for g in groups.values():
            self.addTopLevelItem(g)
        self.expandAll()
        for g in groups.values():
            inside = [g.child(i).data(0, PATH_ROLE) for i in range(g.childCount())]
            g.setExpanded(any(p in ticked for p in inside))
        self.show_best()
        self.blockSignals(False)
        if current in items:
            self.setCurrentItem(items[current])

    def _run_item(self, info: RunInfo, ticked: set[str]) -> QTreeWidgetItem:
        item = _Item([info.name, info.preset, f"{info.step:,}", ""])
        item.setData(0, PATH_ROLE, str(info.path))
        item.setData(PRESET, SORT_ROLE, info.preset.lower())
        item.setData(STEPS, SORT_ROLE, info.step)
        for col in (STEPS, BEST):
            item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        tip = [f"<b>{html.escape(str(info.path))}</b>", f"preset {html.escape(info.preset)}, "
               f"variant {html.escape(info.variant)}, step {info.step:,}"
               + (time.strftime(", last written %Y-%m-%d %H:%M", time.localtime(info.mtime)) if info.mtime else "")]
        if info.branch is not None:
            tip.append(f"branched from <b>{html.escape(info.branch.parent_name)}</b> at step "
                       f"{info.branch.from_step:,} ({html.escape(str(info.branch.from_run))})")
        if info.error:
            tip.append(f"<span style='color:#c0392b'>{html.escape(info.error)}</span>")
            item.setForeground(0, self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            item.setText(1, "unreadable")
        else:
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked if str(info.path) in ticked else Qt.CheckState.Unchecked)
        item.setToolTip(0, "<br>".join(tip))
        return item

    def _descends(self, items: dict, key: str, ancestor: str) -> bool:
        """Whether the run `key` already hangs (somewhere) under `ancestor` (no cycles)."""
        item = items[key].parent()
        while item is not None:
            if item.data(0, PATH_ROLE) == ancestor:
                return True
            item = item.parent()
        return False

    # ------------------------------------------------------------------ the metric column
    def set_best(self, best: dict[str, Headline | None]) -> None:
        """The runs' headlines (read on a worker): shown, and the list sorted again if by them."""
        self.best.update(best)
        self.blockSignals(True)
        self.show_best()
        self.blockSignals(False)

    def show_best(self) -> None:
        shown = [h for it in self.all_items() if (h := self.best.get(it.data(0, PATH_ROLE) or "")) is not None]
        names = {h.metric for h in shown}
        one = next(iter(names)) if len(names) == 1 else None
        m = catalogue.metric(one) if one else None
        self.headerItem().setText(BEST, f"best {m.label} {m.arrow}".rstrip() if m else "best")
        for it in self.all_items():
            path = it.data(0, PATH_ROLE)
            if not path:
                continue
            h = self.best.get(path)
            if h is None or h.value is None:
                it.setText(BEST, DASH)
                it.setToolTip(BEST, "no quality metric evaluated in this run" if h is None else
                              f"{h.label} not evaluated yet (eval.every = 0, or the run stopped before)")
            else:
                value = f"{h.value:.3g}"
                short = h.label if len(h.label) <= 5 else h.metric       # "modes covered": "modes"
                it.setText(BEST, value if one else f"{short} {value}")
                it.setToolTip(BEST, f"best {h.label}: {h.value:.6g} at step {h.step:,} "
                                    f"({catalogue.metric(h.metric).words})")
            # mixed metrics sort by metric first; a dash after every value
            it.setData(BEST, SORT_ROLE, ((h.rank_key()[0], h.metric if not one else "", h.rank_key()[1])
                                         if h is not None else (1, "", 0.0)))
        if self.sort is not None:
            self.sortItems(*self.sort)

    def _header_clicked(self, col: int) -> None:
        """Sort by the column clicked; the same column again: the other way round."""
        if self.sort is not None and self.sort[0] == col:
            order = (Qt.SortOrder.DescendingOrder if self.sort[1] == Qt.SortOrder.AscendingOrder
                     else Qt.SortOrder.AscendingOrder)
        else:
            order = Qt.SortOrder.AscendingOrder
        self.sort = (col, order)
        self.header().setSortIndicatorShown(True)
        self.header().setSortIndicator(col, order)
        self.sortItems(col, order)

    # ------------------------------------------------------------------ reading it
    def all_items(self) -> list[QTreeWidgetItem]:
        out, stack = [], [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            it = stack.pop(0)
            out.append(it)
            stack += [it.child(i) for i in range(it.childCount())]
        return out

    def run_paths(self) -> list[str]:
        return [it.data(0, PATH_ROLE) for it in self.all_items() if it.data(0, PATH_ROLE)]

    def item(self, path) -> QTreeWidgetItem | None:
        for it in self.all_items():
            if it.data(0, PATH_ROLE) and same_dir(it.data(0, PATH_ROLE), path):
                return it
        return None

    def ticked(self) -> list[str]:
        return [it.data(0, PATH_ROLE) for it in self.all_items()
                if it.flags() & Qt.ItemFlag.ItemIsUserCheckable and it.checkState(0) == Qt.CheckState.Checked]

    def set_ticked(self, paths) -> None:
        """Tick exactly these runs (quietly: the browser compares them)."""
        want = [str(Path(p)) for p in paths]
        self.blockSignals(True)
        for it in self.all_items():
            if it.data(0, PATH_ROLE) and it.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                on = any(same_dir(it.data(0, PATH_ROLE), p) for p in want)
                it.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.blockSignals(False)

    def current_path(self) -> str | None:
        it = self.currentItem()
        return it.data(0, PATH_ROLE) if it is not None else None
