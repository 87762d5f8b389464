"""The latent explorer: sliders change the picture, renders run off the GUI thread, stale replies
are dropped, a refresh is asked of the window and keeps the view, and no pool thread outlives a test."""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from studio.config.io import apply_override
from studio.config.presets import load_preset
from studio.engine.trainer import Trainer
from PySide6 import QtCore

from studio.gui.panels.latent_explorer import SET_COLOURS, TILE_COLS, TILE_ROWS, LatentExplorer
from studio.inspect.latent import LatentModel
from tests.gui.hands import click, pick


def model(preset: str, *over: str) -> LatentModel:
    cfg = load_preset(preset)
    for o in ["train.device=cpu", "train.steps=1", "checkpoint.every=0", *over]:
        apply_override(cfg, o)
    t = Trainer(cfg, snapshots=False, write=False)
    for _ in t.run():
        pass
    return LatentModel(t.variant, n_fit=128).prepare()


@pytest.fixture(scope="module")
def digits():
    return model("digits-dcgan", "data.limit=64", "model.base_channels=8", "train.batch_size=8")


@pytest.fixture(scope="module")
def digits_again():
    """Another generator of the same family and latent dimension (as a refresh during training gives)."""
    return model("digits-dcgan", "data.limit=64", "model.base_channels=8", "train.batch_size=8",
                 "train.seed=1")


@pytest.fixture(scope="module")
def ring():
    return model("ring-2d-gan", "model.hidden=16", "model.depth=2", "train.batch_size=32")


@pytest.fixture
def explorer(qtbot):
    ex = LatentExplorer()
    qtbot.addWidget(ex)
    ex.resize(800, 600)
    ex.show()
    yield ex
    assert ex.shutdown(5000)
    assert not ex.jobs.running


def wait_shown(qtbot, ex, stamp):
    qtbot.waitUntil(lambda: ex._shown["image"] >= stamp and not ex._busy, timeout=5000)


def test_slider_moves_the_image(qtbot, explorer, digits):
    ex = explorer
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(digits)
    assert len(ex.pc_sliders) == len(digits.directions) and len(ex.raw_sliders) == 16
    assert not ex.cls.isVisibleTo(ex)                     # not a conditional model
    first = ex.image.copy()
    assert first.shape == (16, 16, 3)
    ex.pc_sliders[0].setValue(250)                       # +2.5 along the first direction
    wait_shown(qtbot, ex, ex._stamp)
    assert not np.array_equal(ex.image, first)
    np.testing.assert_array_equal(ex.image, digits.render(ex.current_z()))
    # a raw dimension and the truncation are part of z too
    z0 = ex.current_z().copy()
    ex.raw_sliders[3].setValue(-200)
    ex.trunc.setValue(50)
    wait_shown(qtbot, ex, ex._stamp)
    z = ex.current_z()
    assert z[3] != z0[3]
    np.testing.assert_allclose(z, digits.compose(ex._base, [2.5] + [0.0] * (len(ex.pc_sliders) - 1), 0.5),
                               rtol=1e-5)
    np.testing.assert_array_equal(ex.image, digits.render(z))


def test_a_burst_of_moves_renders_the_last(qtbot, explorer, digits):
    ex = explorer
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(digits)
    shown = []
    ex.rendered.connect(shown.append)
    for v in range(-300, 301, 20):                       # 31 moves faster than renders
        ex.pc_sliders[0].setValue(v)
    last = ex._stamp
    wait_shown(qtbot, ex, last)
    assert shown[-1] == last and len(shown) < 31         # coalesced, newest wins
    assert shown == sorted(shown)
    np.testing.assert_array_equal(ex.image, digits.render(ex.current_z()))


class Gated:
    """A source whose renders wait for a gate and draw black: what it drew must never be shown once
    another source replaced it."""
    def __init__(self, m):
        self.m, self.gate, self.calls = m, threading.Event(), 0

    def __getattr__(self, name):
        return getattr(self.m, name)

    def render(self, z, y=None):
        self.calls += 1
        self.gate.wait(5)
        return np.zeros((16, 16, 3), np.uint8)


def test_answers_made_for_a_previous_source_never_reach_the_screen(qtbot, explorer, digits):
    ex = explorer
    gated = Gated(digits)
    seen = []
    ex.rendered.connect(lambda _s: seen.append(ex.image.copy()))
    ex.set_source(gated)                                 # its first render is held at the gate
    qtbot.waitUntil(lambda: gated.calls == 1, timeout=5000)
    assert ex._busy
    ex.set_source(digits)                                # replaced while its render is in flight
    ex.seed.setValue(7)
    gated.gate.set()
    assert ex.jobs.wait(5000)
    wait_shown(qtbot, ex, ex._stamp)
    np.testing.assert_array_equal(ex.image, digits.render(ex.current_z()))
    assert seen and not any((im == 0).all() for im in seen)      # the black picture never showed
    assert gated.calls == 1


def test_seed_random_and_interpolation_strip(qtbot, explorer, digits):
    ex = explorer
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(digits)
    assert ex.strip_hint.text().startswith("Set A")
    ex.set_a.click()
    assert ex.strip_hint.text().startswith("A is set")
    ex.seed.setValue(123)
    ex.n_steps.setValue(5)
    ex.mode.setCurrentText("spherical")
    ex.set_b.click()
    assert ex.strip_hint.text().startswith("From A")
    qtbot.waitUntil(lambda: ex.strip.img.image is not None and ex._shown["strip"] == ex._stamp
                    and not ex._busy, timeout=5000)
    za, zb = ex._a[0], ex._b[0]
    np.testing.assert_array_equal(ex.strip.img.image, digits.strip(za, zb, 5, "spherical"))
    before = ex.seed.value()
    ex.random_btn.click()
    assert ex.seed.value() != before


def test_conditional_class_selector(qtbot, explorer):
    m = model("fashion-cgan", "data.kind=digits", "data.limit=64", "model.base_channels=8",
              "train.batch_size=8")
    ex = explorer
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(m)
    assert ex.cls.isVisibleTo(ex) and ex.cls.count() == 10
    ex.cls.setCurrentIndex(4)
    wait_shown(qtbot, ex, ex._stamp)
    np.testing.assert_array_equal(ex.image, m.render(ex.current_z(), 4))


def test_toy_model_and_empty_source(qtbot, explorer, ring):
    m = ring
    ex = explorer
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(m)
    assert ex.image.shape == (240, 240, 3)
    assert len(ex.raw_sliders) == 2
    ex.set_source(None)
    assert not ex.seed.isEnabled() and ex.image is None


def test_refresh_is_asked_of_the_window_and_keep_view_keeps_the_state(qtbot, explorer, digits,
                                                                     digits_again, ring):
    ex = explorer
    assert not ex.refresh_btn.isEnabled()
    ex.set_live(True)
    assert not ex.refresh_btn.isEnabled()                 # live, but nothing to refresh
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(digits)
    assert ex.refresh_btn.isEnabled()
    ex.set_live(False)
    assert not ex.refresh_btn.isEnabled()                 # no run: nothing to refresh from
    ex.set_live(True)
    with qtbot.waitSignal(ex.refresh_requested, timeout=1000):
        ex.refresh_btn.click()
    # a view worth keeping: seed, principal and raw sliders, truncation, both interpolation ends
    ex.seed.setValue(42)
    ex.pc_sliders[0].setValue(150)
    ex.set_a.click()
    ex.seed.setValue(43)
    ex.pc_sliders[1].setValue(-80)
    ex.raw_sliders[2].setValue(-120)
    ex.trunc.setValue(70)
    ex.mode.setCurrentText("spherical")
    ex.set_b.click()
    qtbot.waitUntil(lambda: ex._shown["strip"] == ex._stamp and not ex._busy, timeout=5000)
    pcs = [s.value() for s in ex.pc_sliders]
    raws = [s.value() for s in ex.raw_sliders]
    base, (za, ya), (zb, yb) = ex._base.copy(), ex._a, ex._b
    old = ex._stamp
    ex.set_source(digits_again, keep_view=True)
    assert ex.model is digits_again
    assert ex.seed.value() == 43 and ex.trunc.value() == 70
    assert [s.value() for s in ex.pc_sliders] == pcs and [s.value() for s in ex.raw_sliders] == raws
    np.testing.assert_array_equal(ex._base, base)
    assert ex._a[0] is za and ex._b[0] is zb and ex._a[1] == ya and ex._b[1] == yb
    assert ex.strip_hint.text().startswith("From A")
    assert ex.refresh_btn.isEnabled()
    qtbot.waitUntil(lambda: ex._shown["image"] > old and ex._shown["strip"] == ex._stamp
                    and not ex._busy, timeout=5000)
    z_new = ex.current_z()
    np.testing.assert_array_equal(ex.image, digits_again.render(z_new))
    np.testing.assert_array_equal(ex.strip.img.image, digits_again.strip(za, zb, 8, "spherical"))
    np.testing.assert_allclose(z_new, digits_again.compose(base, [p / 100 for p in pcs], 0.7), rtol=1e-5)
    # without keep_view, or for another family, the explorer starts afresh
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(digits, keep_view=False)
    assert ex._a is None and ex._b is None and all(s.value() == 0 for s in ex.pc_sliders)
    ex.set_a.click()
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(ring, keep_view=True)
    assert ex._a is None and len(ex.raw_sliders) == 2 and ex.strip_hint.text().startswith("Set A")


@pytest.fixture(scope="module")
def cdigits():
    return model("fashion-cgan", "data.kind=digits", "data.limit=64", "model.base_channels=8",
                 "train.batch_size=8")


def wait_idle(qtbot, ex, kind):
    """Until every request made so far has been answered, one of them of this kind."""
    qtbot.waitUntil(lambda: ex._shown[kind] > 0 and not ex._busy and not ex._pending, timeout=5000)


def test_caption_names_run_step_and_origin_and_a_checkpoint_during_a_run_is_pinned(qtbot, explorer, digits,
                                                                                   digits_again):
    ex = explorer
    assert ex.caption.text() == ""
    ex.set_live(True)
    assert ex.caption.text().startswith("Waiting for a copy")
    digits.run, digits.source = "digits-dcgan-1", ""
    ex.set_live(True)
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(digits)
    assert ex.caption.text() == f"run digits-dcgan-1 · step {digits.step:,} (live)"
    assert ex.following
    ex._follow_timer.setInterval(30)
    with qtbot.waitSignal(ex.follow_requested, timeout=2000):     # visible, live, following: asks again
        pass
    ex.set_live(False)
    assert ex.caption.text().endswith("(copied from the run)") and not ex._follow_timer.isActive()
    ex.set_live(True)
    digits_again.run, digits_again.source = "old-run", "end_00000100.pt"
    chosen = []
    ex.follow_chosen.connect(chosen.append)
    ex.show_following(False)                    # the studio model pins a checkpoint opened during a run
    ex.set_source(digits_again)
    assert not ex.following and chosen == []    # told, not echoed back
    assert ex.caption.text().startswith(f"run old-run · step {digits_again.step:,} (checkpoint end_00000100.pt) · pinned")
    asked = []
    ex.follow_requested.connect(lambda: asked.append(1))
    qtbot.wait(150)
    assert asked == []                          # pinned: no copies asked for
    click(qtbot, ex.follow, QtCore.QPoint(8, ex.follow.height() // 2))    # follow again: asks at once
    assert ex.following and chosen == [True]
    assert asked and "pinned" not in ex.caption.text()
    ex.hide()
    n = len(asked)
    qtbot.wait(150)
    assert len(asked) == n                      # the tab is not visible: nothing asked
    ex.set_live(False)
    digits_again.source = digits.source = ""


def test_explorer_interpolates_from_one_class_to_another(qtbot, explorer, cdigits):
    ex = explorer
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(cdigits)
    ex.cls.setCurrentIndex(2)
    ex.set_a.click()
    ex.seed.setValue(5)
    ex.cls.setCurrentIndex(7)
    ex.n_steps.setValue(4)
    ex.set_b.click()
    wait_idle(qtbot, ex, "strip")
    (za, ya), (zb, yb) = ex._a, ex._b
    assert (ya, yb) == (2, 7)
    assert "class 2 (left)" in ex.strip_hint.text() and "class 7 (right)" in ex.strip_hint.text()
    strip = ex.strip.img.image
    np.testing.assert_array_equal(strip, cdigits.strip(za, zb, 4, "linear", 2, y1=7))
    h = strip.shape[0] - 4
    np.testing.assert_array_equal(strip[2:2 + h, -(h + 2):-2], cdigits.render(zb, 7))   # ends as a 7


def test_vector_arithmetic_tiles_sets_and_strength(qtbot, explorer, digits):
    ex = explorer
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(digits)
    ar = ex.arith
    assert not ar.src["a"].isVisibleTo(ex)                  # unconditional: sets are tiles only
    ex.lower.setCurrentWidget(ar)
    wait_idle(qtbot, ex, "tiles")
    grid = ar.grid.img.image
    assert grid.shape == (TILE_ROWS * 19 + 3, TILE_COLS * 19 + 3, 3)
    assert ar.pics["result"].img.image is None and "still empty: A and B" in ar.hint.text()
    assert ar.hint.isVisibleTo(ex)
    # a real click on the third tile of the second row puts it into A (the active set)
    vb = ar.grid.vb
    view = vb.mapViewToScene(QtCore.QPointF(3 + 2 * 19 + 8, 3 + 1 * 19 + 8))
    pos = ar.grid.mapFromScene(view)
    qtbot.mouseClick(ar.grid.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pos)
    assert ar.members["a"] == {TILE_COLS + 2}
    ar.toggle(0)
    ar.pick_b.setChecked(True)
    ar.toggle(5)
    ar.toggle(6)
    ar.toggle(0)                                            # into B: leaves A
    assert ar.members == {"a": {TILE_COLS + 2}, "b": {0, 5, 6}}
    ar.strength.setValue(150)
    wait_idle(qtbot, ex, "arith")
    wait_idle(qtbot, ex, "tiles")
    zs, _ = ex.tile_points()
    ma, mb = digits.set_mean(zs[[TILE_COLS + 2]]), digits.set_mean(zs[[0, 5, 6]])
    base = digits.point(ex.current_z())
    want = digits.render_points([ma, mb, base, digits.arithmetic(base, ma, mb, [1.5])[0]])
    for k, im in zip(("a", "b", "base", "result"), want):
        np.testing.assert_array_equal(ar.pics[k].img.image, im)
    assert ar.s_label.text() == "+1.50" and not ar.hint.isVisibleTo(ex)
    grid = ar.grid.img.image                                # set members framed in their colours
    assert tuple(grid[0, 0]) == SET_COLOURS["b"] and tuple(grid[19, 3 + 2 * 19 + 8]) == SET_COLOURS["a"]
    # the base is the sample above: moving it changes the result
    ex.seed.setValue(77)
    wait_idle(qtbot, ex, "arith")
    base = digits.point(ex.current_z())
    np.testing.assert_array_equal(ar.pics["result"].img.image,
                                  digits.render_points([digits.arithmetic(base, ma, mb, [1.5])[0]])[0])


def test_vector_arithmetic_with_classes(qtbot, explorer, cdigits):
    ex = explorer
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(cdigits)
    ar = ex.arith
    ex.lower.setCurrentWidget(ar)
    assert ar.src["a"].isVisibleTo(ex) and ar.src["a"].count() == 11
    ex.cls.setCurrentIndex(3)
    ar.src["a"].setCurrentIndex(1 + 8)                      # A: class 8
    ar.src["b"].setCurrentIndex(1 + 3)                      # B: class 3
    ar.strength.setValue(100)
    wait_idle(qtbot, ex, "arith")
    # base (a 3) + 1·(class 8 − class 3) is the same z drawn as an 8
    np.testing.assert_array_equal(ar.pics["result"].img.image, cdigits.render(ex.current_z(), 8))
    np.testing.assert_array_equal(ar.pics["a"].img.image, cdigits.render(np.zeros(cdigits.latent_dim), 8))


def test_the_window_follows_the_live_run_and_a_new_run_replaces_a_checkpoint(qtbot, make_window, ring):
    import copy
    w = make_window("ring-2d-gan", model__hidden=16, train__batch_size=32, train__steps=1_000_000)
    ex = w.latent_explorer()
    ex._follow_timer.setInterval(150)
    loaded = copy.copy(ring)
    loaded.source, loaded.run = "end_00000001.pt", "an-old-run"
    ex.set_source(loaded)                                   # a checkpoint, loaded with no run training
    w.tabs.setCurrentIndex(1)
    assert ex.following and ex.caption.text().endswith("(checkpoint end_00000001.pt)")
    w.controls.button("train").click()
    qtbot.waitUntil(lambda: ex.model is not None and ex.model.source == "", timeout=40_000)
    first = ex.model                                        # the new run replaced the checkpoint
    qtbot.waitUntil(lambda: ex.model is not first and ex.model.step > first.step, timeout=20_000)
    assert ex.caption.text() == f"run {Path(w.session.run_dir).name} · step {ex.model.step:,} (live)"
    ex.follow.setChecked(False)                             # pinned: the picture stays
    pinned = ex.model
    qtbot.wait(600)
    assert ex.model is pinned and "pinned" in ex.caption.text()
    w.session.stop()
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=10_000)
    assert ex.caption.text().endswith("(copied from the run)")


def test_a_copy_is_prepared_on_the_worker_before_it_is_shown(qtbot, explorer, digits):
    """A copy from the trainer is a bare deep copy (cheap for the run); its directions are fitted on
    the explorer's worker, and only then does it replace what is shown."""
    ex = explorer
    with qtbot.waitSignal(ex.rendered, timeout=5000):
        ex.set_source(digits)
    fresh = LatentModel(digits._frozen, n_fit=64)
    assert not fresh.ready
    ex.set_source(fresh, keep_view=True)
    assert ex.model is digits and ex.preparing
    qtbot.waitUntil(lambda: ex.model is fresh, timeout=5000)
    assert fresh.ready and not ex.preparing and len(ex.pc_sliders) == len(fresh.directions)
    late = LatentModel(digits._frozen, n_fit=64)
    ex.set_source(late)
    ex.set_source(None)                                 # set meanwhile: the late one never shows
    assert ex.jobs.wait(5000)
    qtbot.wait(50)                                      # the late answer would have arrived by now
    assert ex.model is None and not ex.preparing and ex.image is None
