"""The list of presets, grouped by what they teach: 1D games, saddle points, 2D distributions, images.

The group comes from the preset's data kind and variant (no key of its own). Each entry shows the
preset's title in full, wrapped to the list's width, and below it, smaller, the name the command line
uses and the variant; the description is the tooltip (the window shows it above the game). Group
headings cannot be chosen; the arrow keys pass over them. Choosing a preset emits its name.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (QLabel, QListWidget, QListWidgetItem, QStyle, QStyledItemDelegate,
                               QVBoxLayout, QWidget)

from ...config.paths import preset_files
from ...config.presets import load_preset
from ...config.schema import DATA_KINDS, Config, ConfigError
from ...data.base import family_of

NAME_ROLE = Qt.ItemDataRole.UserRole
HEADER_ROLE = Qt.ItemDataRole.UserRole + 1      # group heading: its key
SUB_ROLE = Qt.ItemDataRole.UserRole + 2         # the small second line: "name · variant"

GROUPS = (   # key, heading, what the group teaches (the heading's tooltip)
    ("1d", "1D games", "A generator and a discriminator on the real line: the textbook figures, "
                       "the optimal discriminator D*, and a game that rotates instead of settling."),
    ("saddle", "Saddle points", "Two scalar players and gradient play around a minimax saddle: why "
                                "simultaneous steps can spiral away."),
    ("2d", "2D distributions", "Rings and grids of Gaussians: mode collapse and how the loss and the "
                               "critic change it."),
    ("image", "Images", "Convolutional GANs on digits, Fashion-MNIST or your own folder: DCGAN, "
                        "Wasserstein critics, conditional models and CycleGAN."),
)
VARIANT_ORDER = ("saddle", "gan", "wgan", "wgan_gp", "cgan", "acgan", "cyclegan")
MODEL_ORDER = ("shift", "mlp", "dcgan", "resnet")


def group_of(cfg: Config) -> str:
    """"1d", "saddle", "2d" or "image", from the data kind and the variant."""
    family = family_of(cfg.data.kind)      # the data registry's word
    if cfg.variant.name == "saddle" or family in ("none", None):
        return "saddle"
    return family


def _order(cfg: Config, name: str) -> tuple:
    """Simple before elaborate inside a group: a data set, then the model, then the variant; your own
    folder last."""
    def idx(seq, v):
        return seq.index(v) if v in seq else len(seq)
    kind, variant = cfg.data.kind, cfg.variant.name
    if group_of(cfg) == "image":
        return (kind == "image_folder", idx(VARIANT_ORDER, variant), idx(DATA_KINDS, kind), cfg.title, name)
    return (idx(DATA_KINDS, kind), idx(MODEL_ORDER, cfg.model.kind), idx(VARIANT_ORDER, variant),
            cfg.title, name)


class _Delegate(QStyledItemDelegate):
    """Headings in small bold capitals; presets as a wrapped title over a smaller, muted line."""
    PAD = 6

    def __init__(self, view: QListWidget):
        super().__init__(view)
        self.view = view

    def _fonts(self, base: QFont) -> tuple[QFont, QFont, QFont]:
        head = QFont(base)
        head.setBold(True)
        head.setCapitalization(QFont.Capitalization.AllUppercase)
        head.setPointSizeF(max(base.pointSizeF() * 0.85, 6.5))
        head.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
        small = QFont(base)
        small.setPointSizeF(max(base.pointSizeF() * 0.88, 6.5))
        return QFont(base), small, head

    def _width(self) -> int:
        return max(self.view.viewport().width() - 2 * self.PAD, 80)

    def sizeHint(self, option, index) -> QSize:
        title_f, small_f, head_f = self._fonts(option.font)
        w = self._width()
        if index.data(HEADER_ROLE):
            top = 4 if index.row() == 0 else 12
            return QSize(w, QFontMetrics(head_f).height() + top + 4)
        fm = QFontMetrics(title_f)
        title = fm.boundingRect(QRect(0, 0, w, 10_000), Qt.TextFlag.TextWordWrap, index.data() or "")
        return QSize(w, title.height() + QFontMetrics(small_f).height() + 2 * self.PAD)

    def paint(self, painter, option, index) -> None:
        title_f, small_f, head_f = self._fonts(option.font)
        pal = option.palette
        enabled = bool(option.state & QStyle.StateFlag.State_Enabled) and self.view.isEnabled()
        group = QPalette.ColorGroup.Active if enabled else QPalette.ColorGroup.Disabled
        r = option.rect.adjusted(self.PAD, 0, -self.PAD, 0)
        painter.save()
        if index.data(HEADER_ROLE):
            muted = pal.color(group, QPalette.ColorRole.WindowText)
            muted.setAlphaF(0.7)
            painter.setFont(head_f)
            painter.setPen(muted)
            painter.drawText(r.adjusted(0, 0, 0, -3), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                             index.data())
            line = pal.color(QPalette.ColorRole.Mid)
            painter.setPen(line)
            painter.drawLine(r.left(), r.bottom(), r.right(), r.bottom())
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        style = self.view.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, self.view)
        fg = pal.color(group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        sub = _with_alpha(fg, 0.85 if selected else 0.62)
        fm = QFontMetrics(title_f)
        tr = QRect(r.left(), r.top() + self.PAD, r.width(), 10_000)
        box = fm.boundingRect(tr, Qt.TextFlag.TextWordWrap, index.data() or "")
        painter.setFont(title_f)
        painter.setPen(fg)
        painter.drawText(QRect(tr.left(), tr.top(), tr.width(), box.height()),
                         int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft), index.data() or "")
        painter.setFont(small_f)
        painter.setPen(sub)
        fs = QFontMetrics(small_f)
        painter.drawText(QRect(tr.left(), tr.top() + box.height(), tr.width(), fs.height()),
                         Qt.AlignmentFlag.AlignLeft,
                         fs.elidedText(index.data(SUB_ROLE) or "", Qt.TextElideMode.ElideRight, tr.width()))
        painter.restore()


def _with_alpha(c, a: float):
    out = QColor(c)
    out.setAlphaF(a)
    return out


class PresetList(QWidget):
    """`chosen(name)` fires when the user picks a preset (click, Enter or arrow keys)."""
    chosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget(self)
        self.list.setObjectName("preset_list")
        self.list.setUniformItemSizes(False)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)     # re-wrap the titles on resize
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.setItemDelegate(_Delegate(self.list))
        self.list.setMinimumHeight(120)
        lay.addWidget(self.list, 1)
        self.info = QLabel(self)           # presets that could not be read (hidden when none)
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.hide()
        lay.addWidget(self.info)
        self.errors: list[str] = []
        self.configs: dict[str, Config] = {}
        # a choice is a change of selection: Qt makes a clicked row current on the mouse press before
        # it selects it, so `currentItemChanged` alone misses every click
        self.list.itemSelectionChanged.connect(self._selection_changed)
        self.reload()

    def reload(self) -> None:
        with QSignalBlocker(self.list):
            self.list.clear()
            self.errors, self.configs = [], {}
            found = []
            for path in preset_files().values():     # shipped, then the user's (the same name: theirs)
                try:
                    cfg = load_preset(path)
                except ConfigError as e:   # a broken preset file is listed, not fatal
                    self.errors.append(str(e))
                    continue
                self.configs[path.stem] = cfg
                found.append((group_of(cfg), _order(cfg, path.stem), path.stem, cfg))
            for key, heading, about in GROUPS:
                members = sorted((f for f in found if f[0] == key), key=lambda f: f[1])
                if not members:
                    continue
                head = QListWidgetItem(heading)
                head.setData(HEADER_ROLE, key)
                head.setFlags(Qt.ItemFlag.NoItemFlags)     # not selectable; the arrow keys skip it
                head.setToolTip(about)
                self.list.addItem(head)
                for _, _, name, cfg in members:
                    item = QListWidgetItem(cfg.title or name)
                    item.setData(NAME_ROLE, name)
                    item.setData(SUB_ROLE, f"{name} · {cfg.variant.name}")
                    item.setToolTip(f"<b>{cfg.title or name}</b> <i>({name}, {cfg.variant.name})</i>"
                                    f"<br>{cfg.description}")
                    self.list.addItem(item)
        self.info.setVisible(bool(self.errors))
        if self.errors:
            self.info.setText("<br>".join(f"<span style='color:#d55'>{e}</span>" for e in self.errors))

    def names(self) -> list[str]:
        return [n for n in (self.list.item(i).data(NAME_ROLE) for i in range(self.list.count())) if n]

    def groups(self) -> list[tuple[str, list[str]]]:
        """(heading, [names]) in the order shown."""
        out: list[tuple[str, list[str]]] = []
        for i in range(self.list.count()):
            it = self.list.item(i)
            if it.data(HEADER_ROLE):
                out.append((it.text(), []))
            elif out:
                out[-1][1].append(it.data(NAME_ROLE))
        return out

    def current(self) -> str | None:
        item = self.list.currentItem()
        if item is None or not item.isSelected():
            return None
        return item.data(NAME_ROLE)

    def item(self, name: str) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            if self.list.item(i).data(NAME_ROLE) == name:
                return self.list.item(i)
        return None

    def select(self, name: str, emit: bool = True) -> bool:
        """Select a preset by name; emits `chosen` unless told not to. False when it is unknown."""
        item = self.item(name)
        if item is None:
            return False
        if not emit or (self.list.currentItem() is item and item.isSelected()):
            with QSignalBlocker(self.list):     # already chosen: nothing to emit again
                self.list.setCurrentItem(item)
                item.setSelected(True)
        else:
            self.list.setCurrentItem(item)
            item.setSelected(True)
        self.scroll_to_current()
        return True

    def clear_choice(self) -> None:
        """No preset is chosen (a run opened from disk is shown instead)."""
        with QSignalBlocker(self.list):
            self.list.clearSelection()
            self.list.setCurrentItem(None)

    def showEvent(self, e) -> None:
        super().showEvent(e)
        QTimer.singleShot(0, self.scroll_to_current)

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        QTimer.singleShot(0, self.scroll_to_current)

    def scroll_to_current(self) -> None:
        """Bring the chosen preset into view, with its group heading when there is room."""
        item = self.list.currentItem()
        if item is None:
            return
        row = self.list.row(item)
        head = next((self.list.item(r) for r in range(row, -1, -1) if self.list.item(r).data(HEADER_ROLE)), None)
        if head is not None:
            self.list.scrollToItem(head, QListWidget.ScrollHint.EnsureVisible)
        self.list.scrollToItem(item, QListWidget.ScrollHint.EnsureVisible)

    def sizeHint(self) -> QSize:
        return QSize(320, 420)

    def minimumSizeHint(self) -> QSize:
        return QSize(220, 140)

    def _selection_changed(self) -> None:
        # only a real choice (clicked, arrowed to, or set): focus alone makes the first entry current
        # without selecting it, and must not choose a preset while a run opened from disk is shown
        items = self.list.selectedItems()
        if len(items) != 1 or not items[0].data(NAME_ROLE):
            return
        self.chosen.emit(items[0].data(NAME_ROLE))
