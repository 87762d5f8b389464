"""The thread count of a CPU run (train.threads, GAN_STUDIO_THREADS, else the free cores less a spare one
for the studio's GUI) and the warning when steps crawl far below the run's own earlier pace."""
from __future__ import annotations

import json
import time

import pytest

from studio.engine import threads
from studio.engine.events import Message
from studio.engine.threads import SlowSteps, choose_threads
from studio.engine.trainer import Trainer

from .helpers import tiny


@pytest.fixture
def machine(monkeypatch):
    """A machine of 4 usable cores with `busy` of them kept busy by others."""
    monkeypatch.delenv("GAN_STUDIO_THREADS", raising=False)
    state = {"busy": 0.0}
    monkeypatch.setattr(threads, "usable_cores", lambda: 4)
    monkeypatch.setattr(threads, "busy_cores", lambda sample=0.2: state["busy"])
    return state


def test_the_default_is_what_the_machine_has_free(machine, monkeypatch):
    assert choose_threads(0, "image") == (4, "free cores")
    machine["busy"] = 1.2                              # another process on one core
    assert choose_threads(0, "image") == (3, "free cores")
    assert choose_threads(0, "image", spare=1) == (2, "free cores")     # the studio keeps a core for its GUI
    machine["busy"] = 7.0                              # overloaded: still one
    assert choose_threads(0, "image", spare=1) == (1, "free cores")
    assert choose_threads(0, "2d") == (1, "free cores")                 # toy games: one thread always
    assert choose_threads(3, "image") == (3, "train.threads")
    monkeypatch.setenv("GAN_STUDIO_THREADS", "2")
    assert choose_threads(0, "image") == (2, "GAN_STUDIO_THREADS")
    assert choose_threads(1, "image") == (1, "train.threads")


def test_busy_cores_is_a_count_of_this_machine_s_cores():
    n = threads.busy_cores(0.05)
    assert 0.0 <= n <= (threads.os.cpu_count() or 1) + 0.01
    assert 1 <= threads.usable_cores() <= (threads.os.cpu_count() or 1)


def _feed(w: SlowSteps, rate: float, seconds: float, start: tuple[int, float]) -> tuple[list[str], tuple[int, float]]:
    said, (step, t) = [], start
    for _ in range(int(rate * seconds)):
        step, t = step + 1, t + 1 / rate
        text = w.on_step(step, t)
        if text:
            said.append(text)
    return said, (step, t)


def test_a_pace_far_below_the_run_s_own_is_said_once_with_the_remedy():
    w = SlowSteps(threads=4)
    said, at = _feed(w, 10.0, 30, (0, 0.0))
    assert said == []
    said, at = _feed(w, 8.0, 20, at)                  # a bit slower: nothing
    assert said == []
    said, at = _feed(w, 2.0, 40, at)                  # a fifth: said once, after two slow windows
    assert len(said) == 1
    assert "under a third of this run's earlier 10 steps/s" in said[0] and "train.threads = 1" in said[0]
    said, at = _feed(w, 10.0, 20, at)                 # back to its pace, then slow again: said again
    said, at = _feed(w, 2.0, 20, at)
    assert len(said) == 1
    one = SlowSteps(threads=1)
    _, at = _feed(one, 10.0, 30, (0, 0.0))
    said, _ = _feed(one, 2.0, 20, at)
    assert len(said) == 1 and "train.threads" not in said[0] and "free them" in said[0]


def test_a_run_whose_steps_crawl_warns_in_its_events_and_its_log(tmp_path, monkeypatch):
    monkeypatch.setattr(SlowSteps, "WINDOW", 0.25)
    t = Trainer(tiny("ring-2d-gan", steps=280), tmp_path / "run", snapshots=False)
    real = t.variant.iteration

    def crawl():             # from step 200, as if another process took the core
        if t.step >= 200:
            time.sleep(0.03)
        return real()

    t.variant.iteration = crawl
    evs = list(t.run())
    slow = [e for e in evs if isinstance(e, Message) and e.code == "slow"]
    assert len(slow) == 1 and slow[0].level == "warning" and slow[0].step > 200, slow
    logged = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["text"] for r in logged if r.get("code") == "slow"] == [slow[0].text]


def test_the_studio_leaves_its_gui_a_core_and_the_cli_does_not(machine, monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(threads.torch, "set_num_threads", seen.append)
    monkeypatch.setattr(threads.torch, "get_num_threads", lambda: 0)
    monkeypatch.setattr(threads, "TOY_FAMILIES", ())          # the ring as if it were an image game
    cfg = tiny("ring-2d-gan", steps=1)
    assert Trainer(cfg, write=False, snapshots=True).threads == 3        # the studio: its views' snapshots
    assert Trainer(cfg, write=False, snapshots=False).threads == 4       # headless
    assert Trainer(cfg, write=False, snapshots=True, spare_cores=0).threads == 4
    assert seen == [3, 4, 4]
