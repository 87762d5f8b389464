"""The hyperparameter form on its own: bad values marked where they are typed (and not applied),
tooltips, only the fields that matter, the live legend, and a form that scrolls instead of
squeezing its rows."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QPushButton, QScrollArea, QVBoxLayout

from studio.config.presets import load_preset
from studio.gui.panels.param_form import LIVE_MARK, ParamForm


def make_form(qtbot, preset: str) -> tuple[ParamForm, list]:
    f = ParamForm()
    qtbot.addWidget(f)
    f.set_config(load_preset(preset))
    f.show()
    got: list = []
    f.edited.connect(lambda k, v: got.append((k, v)))
    return f, got


def type_into(qtbot, w, text: str) -> None:
    edit = w.lineEdit() if hasattr(w, "lineEdit") else w
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def reason(f: ParamForm, key: str):
    return f.errors().get(key)


@pytest.mark.parametrize("key, text, why", [
    ("data.std", "abc", "expected a number (got 'abc')"),
    ("data.std", "-5", "must be at least 0.001 (got -5.0)"),
    ("optim_g.lr", "50", "must be at most 10.0 (got 50.0)"),
    ("optim_g.lr", "nan", "expected a finite number"),
])
def test_a_bad_value_is_marked_where_it_is_typed_and_not_applied(qtbot, key, text, why):
    f, got = make_form(qtbot, "toy-1d-shift")
    before = f.config()
    w = f.widget(key)
    type_into(qtbot, w, text)
    assert why in reason(f, key) and not reason(f, key).startswith(key)     # no "where:" prefix
    cell = w.parentWidget()
    shown = cell.reason.text().replace("\u00a0", " ")       # "(got ...)" wraps as one piece
    assert cell.reason.isVisible() and why in shown and w.invalid                    # red frame, reason
    assert cell.reason.geometry().top() >= w.geometry().bottom()                     # right under it
    assert w.text() == text                                                          # left as typed
    assert f.config() == before and got == []                                        # not applied
    assert list(f.errors()) == [key]


def test_a_valid_value_clears_the_mark_and_is_applied(qtbot):
    f, got = make_form(qtbot, "toy-1d-shift")
    std, lr = f.widget("data.std"), f.widget("optim_g.lr")
    type_into(qtbot, std, "abc")
    type_into(qtbot, lr, "50")
    assert set(f.errors()) == {"data.std", "optim_g.lr"}
    type_into(qtbot, std, "2")
    assert "data.std" not in f.errors() and not std.parentWidget().reason.isVisible() and not std.invalid
    assert f.config().data.std == 2.0 and got == [("data.std", 2.0)]
    type_into(qtbot, lr, "0.010")
    assert f.errors() == {} and f.config().optim_g.lr == pytest.approx(0.01)
    assert got[-1] == ("optim_g.lr", pytest.approx(0.01)) and lr.text() == "0.01"   # as the form writes it
    type_into(qtbot, lr, "50")                 # an arrow replaces rejected text: a step from the value in force
    lr.stepBy(-1)
    assert f.errors() == {} and f.config().optim_g.lr == 0.005 and got[-1] == ("optim_g.lr", 0.005)
    type_into(qtbot, lr, "10")
    lr.stepBy(1)                                # the arrows stay inside the range
    assert lr.value() == 10.0 and not lr.stepEnabled() & lr.StepEnabledFlag.StepUpEnabled


def test_ints_lists_and_what_zero_means(qtbot):
    f, got = make_form(qtbot, "toy-1d-mlp")
    every = f.widget("checkpoint.every")
    type_into(qtbot, every, "1.5")
    assert "expected an integer (got 1.5)" in reason(f, "checkpoint.every")
    type_into(qtbot, every, "-1")
    assert "must be at least 0 (got -1)" in reason(f, "checkpoint.every")
    type_into(qtbot, every, "2e3")
    assert f.config().checkpoint.every == 2000 and got[-1] == ("checkpoint.every", 2000)
    type_into(qtbot, every, "at end only")                  # what 0 means is typed for 0, and shown
    assert f.config().checkpoint.every == 0 and every.text() == "at end only"
    means, stds = f.widget("data.means"), f.widget("data.stds")
    old = f.config().data
    n = len(got)
    type_into(qtbot, means, "1, x")
    assert "expected a list of numbers (got '1, x')" in reason(f, "data.means")
    type_into(qtbot, stds, "0.5, -1")
    assert "positive" in reason(f, "data.stds")
    assert f.config().data == old and len(got) == n
    type_into(qtbot, means, "-1, 3")
    assert "data.means" not in f.errors() and f.config().data.means == [-1.0, 3.0]
    assert got[-1] == ("data.means", [-1.0, 3.0])


def test_leaving_a_field_commits_it_and_return_on_a_bad_value_stays_in_a_dialog(qtbot):
    dlg = QDialog()
    qtbot.addWidget(dlg)
    f = ParamForm(dlg)
    f.set_config(load_preset("toy-1d-shift"))
    ok = QPushButton("OK", dlg)
    ok.setDefault(True)
    ok.clicked.connect(dlg.accept)
    lay = QVBoxLayout(dlg)
    lay.addWidget(f)
    lay.addWidget(ok)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    std = f.widget("data.std")
    type_into(qtbot, std, "abc")
    assert dlg.result() == 0 and dlg.isVisible()              # not accepted with a rejected value
    std.setFocus()
    std.lineEdit().setText("7")
    f.widget("data.mean").setFocus()                          # leaving the box commits it
    qtbot.waitUntil(lambda: f.config().data.std == 7.0, timeout=2000)
    assert f.errors() == {}


def test_a_value_set_from_outside_that_does_not_fit_is_marked(qtbot):
    f, got = make_form(qtbot, "toy-1d-shift")
    f.set_value("train.steps", 0)
    assert "must be at least 1" in reason(f, "train.steps") and f.config().train.steps == 300
    f.set_value("train.steps", 500)
    assert f.errors() == {} and f.widget("train.steps").value() == 500 and got == []


def test_tooltips_give_meaning_range_unit_zero_and_liveness(qtbot):
    f, _ = make_form(qtbot, "toy-1d-shift")
    lr = f.widget("optim_g.lr").toolTip().lower()
    assert "learning rate" in lr and "from 1e-07 to 10" in lr and "can change while training" in lr
    every = f.widget("checkpoint.every").toolTip().lower()
    assert "save a checkpoint every n iterations" in every and "from 0 to 100,000,000 iterations" in every
    assert "0 means: at end only" in every and "fixed while a run is live" in every
    kind = f.widget("optim_g.kind").toolTip().lower()
    assert "optimiser" in kind and "one of adam, rmsprop, sgd" in kind and "fixed while a run is live" in kind
    assert f.label("optim_g.lr").toolTip() == f.widget("optim_g.lr").toolTip()


def visible(f: ParamForm, key: str) -> bool:
    return f.widget(key).isVisible()


def test_only_the_fields_that_matter_are_shown(qtbot):
    f, _ = make_form(qtbot, "toy-1d-shift")
    for key in ("train.amp", "train.channels_last", "eval.inception", "eval.kid_subsets", "log.grid_every",
                "model.hidden", "model.depth", "model.base_channels", "model.batchnorm", "optim_g.beta1"):
        assert not visible(f, key), key
    for key in ("model.theta0", "data.mean", "data.std", "optim_g.momentum", "variant.k"):
        assert visible(f, key), key
    f, _ = make_form(qtbot, "fashion-dcgan")
    for key in ("train.amp", "train.channels_last", "eval.inception", "model.base_channels",
                "model.batchnorm", "data.image_size", "optim_g.beta1"):
        assert visible(f, key), key
    assert not visible(f, "model.theta0") and not visible(f, "data.std")
    f.widget("train.amp").setChecked(False)
    f.widget("train.device").setCurrentText("cpu")            # bf16 autocast is CUDA only
    assert not visible(f, "train.amp") and visible(f, "train.channels_last")
    f.widget("train.device").setCurrentText("cuda")           # channels_last is used on the CPU only
    assert visible(f, "train.amp") and not visible(f, "train.channels_last")
    f.widget("data.kind").setCurrentText("gaussian1d")
    assert not visible(f, "train.amp") and not visible(f, "eval.inception") and visible(f, "data.std")
    f.widget("data.kind").setCurrentText("fashion_mnist")
    assert not f.config().train.amp and not f.widget("train.amp").isChecked()   # hidden kept its value
    f.widget("optim_g.kind").setCurrentText("sgd")
    assert visible(f, "optim_g.momentum") and not visible(f, "optim_g.beta1")
    f, _ = make_form(qtbot, "saddle-bilinear")                # no networks, no data
    assert not f.widget("model.kind").parentWidget().parentWidget().isVisible()   # the group is gone
    assert not visible(f, "train.batch_size") and not visible(f, "eval.every")


def test_a_marked_field_that_is_hidden_or_locked_goes_back_to_its_value(qtbot):
    f, _ = make_form(qtbot, "fashion-dcgan")
    type_into(qtbot, f.widget("data.image_size"), "9999")
    type_into(qtbot, f.widget("model.latent_dim"), "0")
    assert set(f.errors()) == {"data.image_size", "model.latent_dim"}
    f.widget("data.kind").setCurrentText("ring2d")
    assert set(f.errors()) == {"model.latent_dim"} and f.widget("data.image_size").text() == "native"
    f.set_running(True)
    assert f.errors() == {} and f.widget("model.latent_dim").value() == 64


def test_the_live_marker_has_a_legend(qtbot):
    f, _ = make_form(qtbot, "toy-1d-shift")
    assert f.legend.isVisible() and f.legend.text().startswith(LIVE_MARK)
    assert "can change while training" in f.legend.text()
    first = f.widget("data.kind").parentWidget().parentWidget()
    assert f.legend.geometry().bottom() < first.mapTo(f, QPoint(0, 0)).y()     # above the groups
    assert f.label("optim_g.lr").text().endswith(LIVE_MARK) and LIVE_MARK not in f.label("optim_g.kind").text()
    f.set_running(True)
    assert LIVE_MARK in f.legend.text() and "can change while training" in f.legend.text()


@pytest.mark.parametrize("preset", ["toy-1d-shift", "fashion-dcgan"])
def test_a_narrow_form_scrolls_instead_of_squeezing_its_rows(qtbot, preset):
    f = ParamForm()
    f.set_config(load_preset(preset))
    scroll = QScrollArea()
    qtbot.addWidget(scroll)
    scroll.setWidgetResizable(True)
    scroll.setWidget(f)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    scroll.show()
    f.widget("optim_g.lr").lineEdit().setText("a value nobody can read" * 8)   # a long reason wraps
    f.widget("optim_g.lr").commit()
    assert "optim_g.lr" in f.errors()
    need = f.minimumSizeHint().width()
    assert need < 300                                     # the widest row, not the longest reason
    for width in (260, 180):
        scroll.resize(width, 500)
        qtbot.wait(10)
        for key, w in f._widgets.items():
            if not w.isVisible():
                continue
            assert w.width() >= w.minimumSizeHint().width(), (width, key)
            label = f.label(key)
            assert label.width() >= label.sizeHint().width(), (width, key)
        assert f.width() == max(need, scroll.viewport().width())
    assert scroll.horizontalScrollBar().isVisible()       # 180 px: it scrolls
    f.set_running(True)                                   # the longer legend wraps
    assert f.minimumSizeHint().width() == need


def test_screenshots_of_a_marked_form(qtbot, tmp_path):
    f, _ = make_form(qtbot, "toy-1d-shift")
    type_into(qtbot, f.widget("data.std"), "abc")
    type_into(qtbot, f.widget("optim_g.lr"), "50")
    for width in (260, 420):
        f.resize(width, f.sizeHint().height())
        path = tmp_path / f"form-{width}.png"
        assert f.grab().save(str(path)) and path.stat().st_size > 1000


def test_the_points_file_field_shows_only_for_points_kinds(qtbot):
    from studio.config.presets import load_preset
    from studio.gui.panels.param_form import relevant
    cfg = load_preset("toy-1d-shift")
    assert not relevant(cfg, "data.file")
    cfg.data.kind = "points1d"
    assert relevant(cfg, "data.file") and relevant(cfg, "data.mode_std") and not relevant(cfg, "data.std")


def test_the_background_shows_only_for_folders_of_image_files(qtbot):
    """Transparency is composited over data.background only where images are read from files; the 1D
    form showed a 'background: white' row that did nothing (seen on a 1024x700 screenshot)."""
    f, _ = make_form(qtbot, "toy-1d-shift")
    assert not f.widget("data.background").isVisibleTo(f)
    f2, _ = make_form(qtbot, "folder-dcgan")
    assert f2.widget("data.background") is not None and f2.widget("data.background").isVisibleTo(f2)
    from studio.config.presets import load_preset
    from studio.gui.panels.param_form import relevant
    cfg = load_preset("digits-dcgan")
    assert not relevant(cfg, "data.background")        # bundled 8x8 digits have no alpha


def test_data_file_has_a_picker_for_points_files(qtbot, monkeypatch):
    """The "…" beside data.file opens a file dialog filtered to *.csv *.npy and hands the choice on;
    cancelling hands on nothing."""
    from PySide6.QtWidgets import QFileDialog
    f, got = make_form(qtbot, "ring-2d-gan")
    f.set_value("data.kind", "points2d")
    button = f.widget("data.file").parent().button
    assert button.isVisibleTo(f) and button.text() == "…"
    asked, chosen = [], []
    f.file_chosen.connect(chosen.append)
    answers = iter([("/data/mine.npy", ""), ("", "")])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: asked.append(a) or next(answers))
    button.click()
    button.click()
    assert chosen == ["/data/mine.npy"]
    assert "*.csv *.npy" in asked[0][3]
    assert got == []                          # picking is not an edit: the owner applies it


def test_drawn_points_row_counts_them_and_hides_while_a_file_is_the_data(qtbot):
    f, _ = make_form(qtbot, "ring-2d-gan")
    f.set_value("data.kind", "points2d")
    label = f.widget("data.points")
    assert label.text() == "none yet (Draw data)" and label.isVisibleTo(f)
    f.set_value("data.points", [[0, 0], [1, 1], [2, 0.5]])
    assert label.text() == "3 drawn points"
    f.set_value("data.file", "/data/mine.csv")
    assert not label.isVisibleTo(f)           # the file's points are the data
    f.set_value("data.file", "")
    assert label.isVisibleTo(f) and label.text() == "3 drawn points"
    f.mark_error("data.file", "/data/x.csv: line 3: 'abc' is not a number", shown="/data/x.csv")
    assert f.widget("data.file").text() == "/data/x.csv" and f.config().data.file == ""
    f.mark_error("data.file", None)
    assert f.widget("data.file").text() == "" and f.errors() == {}
