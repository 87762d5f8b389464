"""Branching and pacing in the engine: a run started from a state kept in memory goes on exactly as
the original did, writes its branch line, and a paced trainer waits between iterations without
delaying the commands."""
import copy
import json
import time

import pytest
import torch

from studio.config.io import config_from_dict
from studio.engine.commands import CommandQueue, Pause, SetPace, Stop
from studio.engine.events import Finished, Snapshot, StateChanged, StepMetrics
from studio.engine.trainer import Trainer

from .helpers import tiny


def weights(state):
    return {f"{k}.{n}": t for k, m in state["modules"].items() for n, t in m.items()}


@pytest.mark.parametrize("preset", ["ring-2d-gan", "toy-1d-shift", "saddle-bilinear"])
def test_branch_from_a_kept_state_repeats_the_original_run_bit_for_bit(preset, tmp_path):
    cfg = tiny(preset, "log.snapshot_every=1", steps=8)
    orig = Trainer(cfg, tmp_path / "orig", history=True)
    states = {ev.step: ev.state for ev in orig.run() if isinstance(ev, Snapshot) and ev.state is not None}
    assert set(range(0, 9)) <= set(states)           # the start and every step
    s = 5
    kept = states[s]
    # the kept state is a copy: training on did not change it
    assert not all(torch.equal(a, b) for a, b in zip(weights(kept).values(), weights(states[8]).values()))

    branch_cfg = config_from_dict(kept["config"], "branch")
    branch_cfg.train.steps = s + 1
    b = Trainer(branch_cfg, tmp_path / "branch", resume=copy.deepcopy(kept), branch_of=tmp_path / "orig",
                history=True)
    evs = list(b.run())
    assert isinstance(evs[-1], Finished) and evs[-1].step == s + 1
    after = next(ev.state for ev in reversed(evs) if isinstance(ev, Snapshot))
    want, got = weights(states[s + 1]), weights(after)
    assert want.keys() == got.keys()
    for k in want:
        assert torch.equal(want[k], got[k]), k                  # bit-identical, not just close
    assert torch.equal(after["rng"]["gen"], states[s + 1]["rng"]["gen"])
    first = json.loads((tmp_path / "branch" / "metrics.jsonl").read_text().splitlines()[0])
    assert first == {"event": "branch", "step": s, "from_run": str(tmp_path / "orig"), "from_step": s}
    # the kept state was not touched by the branch's training either
    assert all(torch.equal(a, b) for a, b in zip(weights(kept).values(), weights(states[s]).values()))


def test_a_paced_trainer_keeps_its_pace_and_snapshots_every_step():
    q = CommandQueue()
    q.put(SetPace(10))
    t = Trainer(tiny("toy-1d-shift", "log.snapshot_every=50", steps=8), write=False, commands=q)
    t0 = time.perf_counter()
    evs = list(t.run())
    took = time.perf_counter() - t0
    assert 7 / 10 * 0.9 <= took <= 7 / 10 + 2.0            # 8 iterations at 10/s: ~0.7 s
    snaps = [ev.step for ev in evs if isinstance(ev, Snapshot)]
    assert set(range(1, 9)) <= set(snaps)                   # every paced iteration is drawn
    assert evs[-1].elapsed < took * 0.8                     # the waits are not training time


def test_commands_stay_instant_at_a_slow_pace():
    q = CommandQueue()
    q.put(SetPace(1))
    t = Trainer(tiny("toy-1d-shift", steps=1000), write=False, commands=q)
    gen = t.run()
    steps = 0
    t0 = time.perf_counter()
    for ev in gen:
        if isinstance(ev, StepMetrics):
            steps += 1
            if steps == 1:                                   # the next iteration is a second away
                t_sent = time.perf_counter()
                q.put(Pause())
        elif isinstance(ev, StateChanged) and ev.state == "paused":
            assert time.perf_counter() - t_sent < 0.3
            q.put(SetPace(None))                             # full speed, then stop at once
            q.put(Stop())
    assert steps == 1 and time.perf_counter() - t0 < 5


def test_set_pace_rejects_what_is_not_a_pace():
    with pytest.raises(ValueError, match="pace"):
        SetPace(0)
    with pytest.raises(ValueError, match="pace"):
        SetPace(-3)
