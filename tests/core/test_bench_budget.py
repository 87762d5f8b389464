"""The quality benchmark's budget: scoring along the way (--every) is kept out of the training time
it gives each model, so a scored run trains as long as an unscored one."""
import importlib.util
import time
from pathlib import Path


def _bench():
    spec = importlib.util.spec_from_file_location(
        "image_quality", Path(__file__).resolve().parents[2] / "bench" / "image_quality.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def _burn(seconds: float) -> None:
    t = time.process_time()
    while time.process_time() - t < seconds:
        pass


def test_scoring_time_is_not_training_time():
    budget = _bench().Budget(0.3, every=0.1, score=lambda G: _burn(0.15) or G)
    budget.start()
    t0, steps = time.process_time(), 0
    while True:
        _burn(0.01)                              # one training step
        steps += 1
        if not budget.tick(f"G{steps}", steps):
            break
    total = time.process_time() - t0
    assert [round(t, 1) for t, _, _ in budget.curve] == [0.1, 0.2]     # at 0.1 s and 0.2 s of training
    assert [g for _, _, g in budget.curve] == [f"G{n}" for _, n, _ in budget.curve]
    assert 0.3 <= budget.spent() < 0.35                               # training time: the budget
    assert total >= 0.3 + 2 * 0.15                                     # the scoring came on top
