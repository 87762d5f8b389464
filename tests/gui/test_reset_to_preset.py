"""The form shows which settings differ from the preset (their names in bold, the count at the top)
and "Reset to preset" puts them back (issue 20)."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication

from tests.gui.hands import click, type_into


def test_a_typed_value_is_marked_and_reset_to_preset_puts_it_back(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    diff = w.preset_diff
    preset_lr = w.model.get("optim_g.lr")
    label = w.form.label("optim_g.lr")
    assert not label.font().bold() and not diff.button.isEnabled()
    assert "As the preset has it" in diff.note.text()
    lr = w.form.widget("optim_g.lr")
    w.form_scroll.ensureWidgetVisible(lr)
    type_into(qtbot, lr.lineEdit(), "0.0123")
    assert w.model.get("optim_g.lr") == 0.0123 and lr.text() == "0.0123"
    assert label.font().bold(), "the changed field's name is not bold"
    assert f"{preset_lr:g}" in label.toolTip()
    assert "1 setting differs from the preset" in diff.note.text()
    assert not w.form.label("optim_d.lr").font().bold()
    w.form_scroll.ensureWidgetVisible(diff.button)
    QApplication.processEvents()
    click(qtbot, diff.button)
    assert w.model.get("optim_g.lr") == preset_lr
    lr = w.form.widget("optim_g.lr")                  # the form shows the preset's value again
    assert lr.value() == preset_lr
    assert not w.form.label("optim_g.lr").font().bold() and not diff.button.isEnabled()
    assert "As the preset has it" in diff.note.text()
    w.grab().save("/tmp/g20/reset_after.png")


def test_reset_brings_back_a_variant_changed_with_keys(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitExposed(w)
    was = w.model.get("variant.name")
    combo = w.form.widget("variant.name")
    w.form_scroll.ensureWidgetVisible(combo)
    click(qtbot, combo)
    qtbot.waitUntil(combo.view().isVisible, timeout=2000)
    from PySide6.QtCore import Qt
    qtbot.keyClick(combo.view(), Qt.Key.Key_Down if combo.currentIndex() == 0 else Qt.Key.Key_Up)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Return)
    assert w.model.get("variant.name") != was
    assert w.form.label("variant.name").font().bold()
    w.form_scroll.ensureWidgetVisible(w.preset_diff.button)
    click(qtbot, w.preset_diff.button)
    assert w.model.get("variant.name") == was and w.form.widget("variant.name").currentText() == was
    assert not w.preset_diff.button.isEnabled()
