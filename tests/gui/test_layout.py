"""The window a person meets: it fits from a 1024x700 laptop to a large screen with nothing cut, the
presets are grouped and the default is in view, the centre shows the game before training, docks are
sized by their content and a saved narrow layout does not make the left dock unusable."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

SIZES = [(1024, 700), (1920, 1080)]


def squeezed(window) -> list[str]:
    """Visible widgets narrower than their minimum size hint (what a layout squeezed too far)."""
    out = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.isWindow():
            continue
        hint = w.minimumSizeHint()
        if not hint.isValid() or w.maximumWidth() < hint.width():
            continue           # a widget made deliberately smaller than its hint
        if w.width() < hint.width():
            out.append(f"{type(w).__name__} {w.objectName() or ''} {getattr(w, 'text', lambda: '')()!r}: "
                       f"{w.width()} < {hint.width()}")
    return out


def settle(qtbot, w, size) -> None:
    w.resize(*size)
    qtbot.wait(150)            # resize events, deferred layouts and the docks' sizes


@pytest.mark.parametrize("size", SIZES)
def test_window_fits_with_nothing_squeezed(qtbot, make_window, size):
    w = make_window("ring-2d-wgan-gp", train__steps=1_000_000, model__hidden=16, eval__every=0)
    qtbot.waitUntil(lambda: w.game.current_view == "2d", timeout=20_000)      # the preview
    settle(qtbot, w, size)
    assert (w.width(), w.height()) == size
    assert w.minimumSizeHint().width() <= 1024 and w.minimumSizeHint().height() <= 700
    assert w.minimumSize().width() <= 1024 and w.minimumSize().height() <= 700
    assert squeezed(w) == [], "first screen"
    assert w.left_dock.width() >= w.left_split.minimumWidth() >= 260
    # a run with its curves and a checkpoint: the busiest the window gets
    w.step("iter")
    qtbot.waitUntil(lambda: w.session.state == "paused" and w.plot.point_count("loss_d") > 0, timeout=40_000)
    w.controls.action("save").trigger()
    qtbot.waitUntil(lambda: bool(w.checkpoints.paths()), timeout=10_000)
    w.plot.redraw()
    settle(qtbot, w, size)
    assert (w.width(), w.height()) == size
    assert squeezed(w) == [], "training"
    for p in w.plot.plots:                                 # the plots keep their axes and legends
        if p.isVisible():
            assert p.width() >= 280 and p.getPlotItem().getAxis("left").isVisible()
            assert "■" in p.getPlotItem().titleLabel.text
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)


def test_presets_grouped_default_chosen_and_in_view(qtbot, make_window):
    w = make_window(None)
    w.resize(1024, 700)
    qtbot.wait(200)
    groups = w.presets.groups()
    assert [g for g, _ in groups] == ["1D games", "Saddle points", "2D distributions", "Images"]
    members = dict(groups)
    assert members["1D games"][0] == "toy-1d-shift"
    assert set(members["Saddle points"]) == {"saddle-quadratic", "saddle-bilinear"}
    assert all(n.startswith(("ring-2d", "grid-2d")) for n in members["2D distributions"])
    assert members["Images"][-3:] == ["folder-dcgan", "folder-dcgan-64", "folder-wgan-gp"]   # your own folder last
    assert "digits-cyclegan" in members["Images"]
    assert sum(len(m) for m in members.values()) == len(w.presets.names())
    assert w.presets.current() == "toy-1d-shift"
    lst = w.presets.list
    rect = lst.visualItemRect(w.presets.item("toy-1d-shift"))
    assert lst.viewport().rect().contains(rect)             # the default is in view, whole
    assert lst.viewport().height() >= 200                    # more than a handful of presets
    heading = lst.item(0)
    assert not heading.flags() and heading.text() == "1D games"
    # the arrow keys pass over the headings: down from the last 1D game lands on a saddle
    w.presets.select(members["1D games"][-1])
    lst.setFocus()
    qtbot.keyClick(lst, Qt.Key.Key_Down)
    assert w.presets.current() == members["Saddle points"][0] and w.preset_name == members["Saddle points"][0]


def test_first_screen_shows_the_game_before_training(qtbot, make_window):
    w = make_window("toy-1d-shift")
    qtbot.waitUntil(lambda: w.game.current_view == "1d", timeout=20_000)
    v = w.game.views["1d"]
    v.flush()
    d = v.data
    assert d["theta"] == pytest.approx(3.0) and len(d["real"]) and "d" in d   # data, G and D at the start
    assert w.session.state == "idle" and not w.session.live
    assert "before training" in w.game.caption.text() and "textbook" in w.game.caption.text()
    assert w.status.shown() == "preset toy-1d-shift" and w.status["step"].text() == ""
    assert w.plot.placeholder.isVisible()                       # a word where the curves will be
    w.presets.select("saddle-bilinear")
    qtbot.waitUntil(lambda: w.game.current_view == "saddle", timeout=20_000)
    w.presets.select("folder-dcgan")                            # no folder given: it says what to do
    qtbot.waitUntil(lambda: "data.root" in w.game.message(), timeout=20_000)
    assert w.game.current_view is None
    w.presets.select("digits-dcgan")                            # Train while its preview is being built:
    w.model.set_value("train.steps", 1)
    w.train_or_pause()              # queued behind the preview (to start from its build), the GUI thread not held
    qtbot.waitUntil(lambda: w.session.state == "idle" and w.session.step == 1, timeout=60_000)


def test_preview_follows_form_edits_and_a_newer_choice_wins(qtbot, make_window, monkeypatch):
    from studio.tools import model_io
    built = []
    real = model_io.preview_build

    def counting(cfg, *a, **k):
        built.append(cfg.title)
        return real(cfg, *a, **k)

    monkeypatch.setattr(model_io, "preview_build", counting)
    w = make_window("toy-1d-shift")
    qtbot.waitUntil(lambda: w.game.current_view == "1d", timeout=20_000)
    w.previews.wait()
    built.clear()
    gate = threading.Event()        # the worker stays busy until every choice is made (however slow)
    w.previews.run(lambda: gate.wait(20), lambda _: None, lambda *_: None)
    for name in ("saddle-quadratic", "ring-2d-gan", "toy-1d-mlp", "toy-1d-shift"):
        w.presets.select(name)
    gate.set()
    qtbot.waitUntil(lambda: not w.previews.busy, timeout=20_000)
    assert built == [w.form.config().title]          # the choices that were superseded never ran
    assert w.game.current_view == "1d"
    # an edit of the game's start rebuilds the picture (debounced), in place
    w.form.widget("model.theta0").setValue(1.0)
    qtbot.waitUntil(lambda: len(built) == 2 and not w.previews.busy, timeout=5_000)
    w.game.views["1d"].flush()
    assert w.game.views["1d"].data["theta"] == pytest.approx(1.0)


def test_docks_sized_by_content_and_saved_narrow_state_is_not_kept(qtbot, make_window):
    w = make_window("saddle-bilinear")
    w.resize(1400, 900)
    qtbot.wait(200)
    assert w.ck_dock.height() < 140                      # one line: no checkpoints yet
    assert 300 <= w.left_dock.width() <= 440
    w.resizeDocks([w.left_dock], [120], Qt.Orientation.Horizontal)     # the user squeezes it
    qtbot.wait(50)
    assert w.left_dock.width() >= w.left_split.minimumWidth()
    w.resize(1024, 700)
    qtbot.wait(50)
    w.resize(1600, 1000)                                 # growing the window gives the dock its width back
    qtbot.wait(100)
    assert w.left_dock.width() >= 0.25 * 1600 - 2 or w.left_dock.width() >= 400
    w.left_split.setMinimumWidth(0)                      # as if an older studio had saved a narrow dock
    w.resizeDocks([w.left_dock], [120], Qt.Orientation.Horizontal)
    qtbot.wait(50)
    assert w.left_dock.width() < 250
    w.close()
    w2 = make_window("saddle-bilinear")
    w2.resize(1600, 1000)
    qtbot.wait(200)
    assert w2.left_dock.width() >= max(w2.left_split.minimumWidth(), 300)    # usable again


def test_window_title_says_the_name_once(qtbot, make_window):
    w = make_window("toy-1d-shift")
    assert w.windowTitle() == "GAN Studio · toy-1d-shift"
    app = QGuiApplication.instance()
    # Qt appends " — <display name>" to every title unless the title ends with it: none is set
    assert app.applicationDisplayName() == app.applicationName() or \
        w.windowTitle().endswith(app.applicationDisplayName())


def test_no_scroll_area_hides_the_form_sideways(qtbot, make_window):
    w = make_window("fashion-acgan")
    w.resize(1024, 700)
    qtbot.wait(150)
    vp = w.form_scroll.viewport()
    assert w.form.width() <= vp.width() or w.form_scroll.horizontalScrollBar().isVisible()
    assert isinstance(w.form_scroll, QAbstractScrollArea)
    assert QRect(0, 0, vp.width(), vp.height()).width() >= w.form.minimumSizeHint().width() - 1
