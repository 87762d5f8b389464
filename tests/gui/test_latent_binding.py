"""The latent explorer's Follow box and the studio model's `explorer_follows`, bound both ways in the
window: the box clicked writes the model; the model changed ticks the box, and nothing echoes; a
checkpoint opened during a run pins the explorer through the model (and not without a run)."""
from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtWidgets import QWidget

from studio.app_model import StudioModel
from studio.gui.explorer_follow import ExplorerFollow
from tests.gui.hands import click, click_tab
from tests.gui.test_latent import digits  # noqa: F401  (the fixture: a small digits generator)


def test_the_follow_box_goes_through_the_model_and_shows_what_it_says(qtbot, make_window):
    w = make_window("ring-2d-gan")
    qtbot.waitExposed(w)
    click_tab(qtbot, w.tabs.tabBar(), "Latent explorer")
    ex = w.latent_explorer()
    assert ex.following and w.model.explorer_follows
    events = []
    w.model.explorer_changed.connect(events.append)
    click(qtbot, ex.follow, QPoint(8, ex.follow.height() // 2))       # unticked by hand: pinned
    assert not ex.following and not w.model.explorer_follows and len(events) == 1
    chosen = []
    ex.follow_chosen.connect(chosen.append)
    w.model.follow_live_run(True)                                     # the model says follow
    assert ex.following and ex.follow.isChecked() and chosen == [] and len(events) == 2
    w.model.set_explorer_source("checkpoint", "/tmp/x/end_00000005.pt", 5, follow=False)
    assert not ex.following and chosen == [] and len(events) == 3


class FakeSession(QObject):
    """What ExplorerFollow reads of the session: its events, its state, whether a run is live."""
    event = Signal(object)
    state_changed = Signal(str)

    def __init__(self, live: bool):
        super().__init__()
        self.live, self.run_dir, self.step, self.asked = live, None, 0, 0

    def request_generator_copy(self) -> int:
        self.asked += 1
        return self.asked


class Say:
    def log(self, *a, **k):
        pass


def test_a_checkpoint_opened_during_a_run_pins_the_explorer_through_the_model(qtbot, digits):  # noqa: F811
    for live in (True, False):
        model, holder = StudioModel(), QWidget()
        qtbot.addWidget(holder)
        follow = ExplorerFollow(model, FakeSession(live), holder, Say())
        ex = follow.explorer()
        follow.show_checkpoint("/runs/a/checkpoints/end_00000001.pt", 1, digits)
        assert model.explorer_source.kind == "checkpoint" and model.explorer_source.step == 1
        assert model.explorer_follows is (not live) and ex.following is (not live)
        assert ex.model is digits
        follow.shutdown()


def test_a_run_that_ended_shows_its_last_generator_when_the_tab_is_opened(qtbot, make_window):
    """Trained with Train on the toolbar to its end, then the Latent explorer tab clicked: the explorer
    follows the run, so it shows the generator of the run's newest checkpoint (it said "No generator
    loaded", seen on a screenshot after a run)."""
    from tests.gui.hands import click_tool
    w = make_window("ring-2d-gan", train__steps=60, checkpoint__every=0, eval__every=0)
    qtbot.waitExposed(w)
    c = w.controls
    click_tool(qtbot, c, c.actions_by_name["train"])
    qtbot.waitUntil(lambda: w.session.state == "running", timeout=30_000)
    qtbot.waitUntil(lambda: w.session.state == "idle", timeout=60_000)
    click_tab(qtbot, w.tabs.tabBar(), "Latent explorer")
    ex = w.latent_explorer()
    qtbot.waitUntil(lambda: ex.model is not None, timeout=20_000)
    src = w.model.explorer_source
    assert src.kind == "checkpoint" and src.step == 60 and src.where.startswith(str(w.session.run_dir))
    assert ex.following                                   # still following: the next run takes over
