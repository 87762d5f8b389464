"""The metrics.jsonl reader (issue 26): only regular files are read (a FIFO named metrics.jsonl never
hangs it), and it can work through a large file a bounded piece at a time."""
from __future__ import annotations

import json
import os
import threading

from studio.engine.runlog import MetricsFollower, read_metrics


def _in_thread(fn, timeout=10.0):
    out = {}
    th = threading.Thread(target=lambda: out.setdefault("value", fn()), daemon=True)
    th.start()
    th.join(timeout)
    assert not th.is_alive(), "the reader hung"
    return out["value"]


def test_a_fifo_named_metrics_jsonl_is_never_waited_on(tmp_path):
    fifo = tmp_path / "metrics.jsonl"
    os.mkfifo(fifo)
    assert _in_thread(lambda: read_metrics(fifo)) == []
    f = MetricsFollower(fifo)
    assert _in_thread(f.poll) == [] and "not a regular file" in f.warning


def test_polling_in_bounded_pieces_reads_every_record_once(tmp_path):
    p = tmp_path / "metrics.jsonl"
    lines = [json.dumps({"step": i, "kind": "iter", "loss_d": i / 7}) for i in range(500)]
    lines.insert(250, json.dumps({"step": 250, "kind": "iter", "pad": "x" * 5000}))   # longer than a piece
    p.write_text("\n".join(lines) + "\n")
    f = MetricsFollower(p)
    got, polls = [], 0
    while True:
        recs = f.poll(max_bytes=2000)
        got += recs
        polls += 1
        assert len(recs) <= 2000 // 40
        if not f.more:
            break
    assert [r["step"] for r in got] == list(range(500)) and polls > 10
    assert f.skipped == 1                       # the line longer than a piece is skipped, counted
    with p.open("a") as fh:                     # and the file still grows as a run writes it
        fh.write(json.dumps({"step": 500, "kind": "iter", "loss_d": 1.0}) + "\n")
    assert [r["step"] for r in f.poll(max_bytes=2000)] == [500]
