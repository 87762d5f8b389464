"""The mouse wheel over the hyperparameter form scrolls it; a drop-down or number box under the
pointer changes only once it has focus (issue 20: one notch turned the variant gan into saddle)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.hands import click, wheel


def _scrolled_to(w, key):
    """Scroll the form so that the field is on screen with room left to scroll further down."""
    editor = w.form.widget(key)
    w.form_scroll.ensureWidgetVisible(editor, 0, 40)
    QApplication.processEvents()
    return editor


def test_the_wheel_over_an_unfocused_combo_scrolls_the_form_and_leaves_the_variant(qtbot, make_window):
    w = make_window("toy-1d-shift")
    w.resize(1024, 700)
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.form_scroll.verticalScrollBar().maximum() > 0, timeout=5000)
    combo = _scrolled_to(w, "variant.name")
    bar = w.form_scroll.verticalScrollBar()
    before_text, before_pos = combo.currentText(), bar.value()
    assert not combo.hasFocus() and before_pos < bar.maximum()
    wheel(qtbot, combo, -1)                     # one notch towards the user: down the form
    assert combo.currentText() == before_text == w.model.get("variant.name")
    assert bar.value() > before_pos, "the form did not scroll"
    # the D optimiser's drop-down too, and a number box
    for key in ("optim_d.kind", "optim_g.lr"):
        ed = _scrolled_to(w, key)
        was = w.model.get(key)
        pos = bar.value()
        wheel(qtbot, ed, 1)
        assert w.model.get(key) == was and bar.value() < pos


def test_a_focused_combo_takes_the_wheel(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    combo = _scrolled_to(w, "optim_d.kind")
    click(qtbot, combo)                         # opens its list; Escape closes it, focus stays
    qtbot.waitUntil(combo.view().isVisible, timeout=2000)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not combo.view().isVisible(), timeout=2000)
    assert combo.hasFocus()
    was = combo.currentText()
    wheel(qtbot, combo, -1 if combo.currentIndex() == 0 else 1)
    assert combo.currentText() != was and w.model.get("optim_d.kind") == combo.currentText()
