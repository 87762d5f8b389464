"""Build once (issue 18): Train starts from what the preview built for the same configuration, and
the preview never moves torch's global random generator."""
import torch

from studio.data import base as data_base


def _count_loads(monkeypatch, kind: str) -> list:
    calls = []
    loader = data_base.KINDS[kind]
    monkeypatch.setitem(data_base.KINDS, kind, lambda d, src: calls.append(src) or loader(d, src))
    return calls


def test_train_after_the_preview_does_not_build_the_data_again(qtbot, make_window, monkeypatch):
    loads = _count_loads(monkeypatch, "digits")
    torch.manual_seed(321)
    before = torch.get_rng_state()
    w = make_window("digits-dcgan", train__steps=1, model__base_channels=8, eval__every=0)
    qtbot.waitUntil(lambda: w.game.current_view == "image" and not w.preview.timer.isActive()
                    and not w.previews.busy, timeout=30_000)
    assert loads and torch.equal(before, torch.get_rng_state())     # built, and torch's state left alone
    loads.clear()
    w.controls.actions_by_name["train"].trigger()
    qtbot.waitUntil(lambda: w.session.state == "idle" and w.session.step == 1, timeout=60_000)
    assert loads == []                                              # the run took the preview's build
    w.model.set_value("model.base_channels", 4)                     # another start: Train builds it
    w.preview.cancel()
    w.controls.actions_by_name["train"].trigger()
    qtbot.waitUntil(lambda: w.session.state == "idle" and w.session.step == 1 and bool(loads), timeout=60_000)
    assert len(loads) == 1
