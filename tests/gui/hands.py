"""Hands for the GUI tests: real mouse and key events at a widget's place on screen, the way a person
drives the window (pytest-qt's qtbot sends them; nothing here calls the slots behind a control)."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QListWidget, QStyle, QStyleOptionSlider, QTabBar, QToolBar, QWidget


def click(qtbot, widget: QWidget, pos: QPoint | None = None, button=Qt.MouseButton.LeftButton) -> None:
    """A left click at the middle of a visible, enabled widget (or at `pos` in it)."""
    assert widget.isVisible(), f"{widget.objectName() or type(widget).__name__} is not on screen"
    assert widget.isEnabled(), f"{widget.objectName() or type(widget).__name__} is greyed out"
    qtbot.mouseClick(widget, button, pos=pos if pos is not None else widget.rect().center())
    QApplication.processEvents()


def click_row(qtbot, lst: QListWidget, item) -> None:
    """Click a list's row where it is drawn, scrolled into view first as a person would."""
    lst.scrollToItem(item)
    rect = lst.visualItemRect(item)
    assert rect.isValid() and lst.viewport().rect().contains(rect.center()), "row is not visible"
    click(qtbot, lst.viewport(), rect.center())


def click_tab(qtbot, bar: QTabBar, text: str) -> None:
    """Click a tab by its text on its tab bar."""
    idx = next(i for i in range(bar.count()) if bar.tabText(i).replace("&", "") == text)
    click(qtbot, bar, bar.tabRect(idx).center())


def click_tool(qtbot, toolbar: QToolBar, action) -> None:
    """Click the toolbar button of an action."""
    click(qtbot, toolbar.widgetForAction(action))


def type_into(qtbot, widget: QWidget, text: str, enter: bool = True) -> None:
    """Click into a field, select what is there, type `text` and press Enter."""
    click(qtbot, widget)
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)
    if enter:
        qtbot.keyClick(widget, Qt.Key.Key_Return)
    QApplication.processEvents()


def shortcut(qtbot, window: QWidget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press sent to the focused widget of an active window, as the keyboard would."""
    window.activateWindow()
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifiers)
    QApplication.processEvents()


def menu_path(qtbot, window, *texts: str):
    """Open the menu bar's menus with the mouse and click the last entry: ("View", "Theme", "Dark")."""
    bar = window.menuBar()
    act = next(a for a in bar.actions() if a.text().replace("&", "") == texts[0])
    click(qtbot, bar, bar.actionGeometry(act).center())
    menu = act.menu()
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    for text in texts[1:]:
        act = next(a for a in menu.actions() if a.text().replace("&", "") == text)
        # a menu takes a click only after the pointer moved over it (as a hand does)
        qtbot.mouseMove(menu, menu.actionGeometry(act).topLeft() + QPoint(2, 2))
        qtbot.mouseMove(menu, menu.actionGeometry(act).center())
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(act).center())
        QApplication.processEvents()
        if act.menu() is not None:
            menu = act.menu()
            qtbot.waitUntil(menu.isVisible, timeout=2000)
    return act


def pick(qtbot, box: QComboBox, text: str) -> None:
    """Open a drop-down with a click and click the entry `text` where it is drawn in its list."""
    click(qtbot, box)
    view = box.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    idx = box.findText(text)
    assert idx >= 0, f"{text!r} not in the drop-down"
    mi = box.model().index(idx, 0)
    view.scrollTo(mi)
    rect = view.visualRect(mi)
    assert view.viewport().rect().contains(rect.center())
    qtbot.mouseMove(view.viewport(), rect.center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QApplication.processEvents()
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=2000)


def drag_slider(qtbot, slider, value: int) -> None:
    """Drag a horizontal slider's handle with the mouse to where `value` sits."""
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    style = slider.style()
    handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider)
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderGroove, slider)
    span = groove.width() - handle.width()
    x = groove.x() + handle.width() // 2 + style.sliderPositionFromValue(slider.minimum(), slider.maximum(),
                                                                          value, span)
    start = handle.center()
    assert slider.isVisible() and slider.isEnabled()
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, 6):
        qtbot.mouseMove(slider, QPoint(start.x() + (x - start.x()) * i // 5, start.y()))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(x, start.y()))
    QApplication.processEvents()


def wheel(qtbot, widget: QWidget, notches: int = 1) -> None:
    """Turn the mouse wheel over a widget's middle: positive notches away from the user."""
    pos = QPointF(widget.rect().center())
    ev = QWheelEvent(pos, QPointF(widget.mapToGlobal(widget.rect().center())), QPoint(0, 0),
                     QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                     Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, ev)
    QApplication.processEvents()


def when_shown(cls, act, tries: int = 100) -> None:
    """Once a window of class `cls` is on screen (a modal box the next click opens), do `act(it)`; a
    box never answered is closed, so that a failing test does not hang."""
    left = [tries]

    def poll():
        box = next((x for x in QApplication.topLevelWidgets() if isinstance(x, cls) and x.isVisible()), None)
        if box is None and left[0] > 0:
            left[0] -= 1
            QTimer.singleShot(50, poll)
            return
        if box is not None:
            try:
                act(box)
            finally:
                if box.isVisible():
                    box.close()

    QTimer.singleShot(50, poll)
