"""The one job runner of the GUI: answers on the GUI thread in order; latest-wins skips a job that a
newer one superseded before it ran and drops the answer of one superseded or cancelled meanwhile."""
import threading

from studio.gui.jobs import Jobs


def test_latest_wins_skips_and_drops(qtbot):
    jobs = Jobs(latest=True)
    gate, started, ran, answers = threading.Event(), threading.Event(), [], []
    jobs.run(lambda: (ran.append("busy"), started.set(), gate.wait(10)) and None, answers.append,
             lambda *e: answers.append(e))
    assert started.wait(10)
    for n in range(3):                      # asked while the worker is busy: only the last one runs
        jobs.run(lambda n=n: ran.append(n) or n, answers.append, lambda *e: answers.append(e))
    gate.set()
    qtbot.waitUntil(lambda: not jobs.busy, timeout=10_000)
    assert ran == ["busy", 2] and answers == [2]      # the busy one was superseded too: dropped
    gate.clear()
    jobs.run(lambda: gate.wait(10) and "late", answers.append, lambda *e: answers.append(e))
    jobs.cancel()                           # no answer wanted any more: it runs, its answer is dropped
    gate.set()
    qtbot.waitUntil(lambda: not jobs.busy, timeout=10_000)
    assert answers == [2]


def test_ordered_runner_answers_every_job_and_errors_in_order(qtbot):
    jobs = Jobs()
    out = []
    jobs.run(lambda: 1, out.append, lambda e, tb: out.append("error"))
    jobs.run(lambda: 1 / 0, out.append, lambda e, tb: out.append(type(e).__name__))
    jobs.run(lambda: 3, out.append, lambda e, tb: out.append("error"))
    qtbot.waitUntil(lambda: not jobs.busy, timeout=10_000)
    assert out == [1, "ZeroDivisionError", 3]
