"""After the rewind history thins out its older moments, the freed memory goes back to the system
(glibc's malloc_trim); elsewhere nothing is called and nothing fails."""
from __future__ import annotations

import numpy as np

from studio.gui import run_history
from studio.gui.run_history import RunHistory, release_freed_memory


def test_thinning_trims_the_allocator(monkeypatch):
    calls = []
    monkeypatch.setattr(run_history, "_MALLOC_TRIM", lambda pad: calls.append(pad) or 1)
    h = RunHistory(max_entries=10, max_bytes=10**9)
    for s in range(9):
        h.add(s, "1d", {"x": np.zeros(4)}, {"w": np.zeros(4)})
    assert calls == [] and h.thinned == 0            # under the cap: nothing thinned, nothing trimmed
    for s in range(9, 40):
        h.add(s, "1d", {"x": np.zeros(4)}, {"w": np.zeros(4)})
    assert h.thinned > 0 and calls == [0] * h.thinned


def test_no_glibc_no_trim(monkeypatch):
    monkeypatch.setattr(run_history, "_MALLOC_TRIM", None)
    assert release_freed_memory() is False
    h = RunHistory(max_entries=4, max_bytes=10**9)
    for s in range(20):
        h.add(s, "1d", {}, None)
    assert len(h) <= 4
