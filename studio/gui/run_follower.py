"""Follow a run directory written by the headless CLI (or another studio), even while it grows.

Polls metrics.jsonl with core.runlog.MetricsFollower and the samples/ folder on a timer; complete
new lines come out as one `records` batch per poll, a new newest samples PNG as `samples`. The reading
is done on the studio's job runner, never on the GUI thread, at most CHUNK bytes of the file a poll: a
run of a million lines opens in pieces, the next one read as soon as the last is shown.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from ..engine.runlog import MetricsFollower
from ..tools.compare import samples_of
from .jobs import Jobs

CHUNK = 1 << 20          # bytes of metrics.jsonl read by one poll


def is_run_dir(path) -> bool:
    p = Path(path)
    return p.is_dir() and ((p / "metrics.jsonl").exists() or (p / "config.toml").exists()
                           or (p / "checkpoints").is_dir())


class RunFollower(QObject):
    records = Signal(list)       # dicts, as written in metrics.jsonl
    samples = Signal(str)        # path of the newest samples PNG
    checkpoints_changed = Signal()

    def __init__(self, run_dir, interval_ms: int = 500, parent=None):
        super().__init__(parent)
        self.run_dir = Path(run_dir)
        self.follower = MetricsFollower(self.run_dir / "metrics.jsonl")
        self._newest_png = ""
        self._warned = False
        self._ckpt_sig: tuple = ()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self.jobs = Jobs(self)
        self.stopped = False

    def start(self) -> None:
        self.stopped = False
        self.poll()
        self.timer.start()

    def stop(self) -> None:
        self.stopped = True
        self.timer.stop()

    def poll(self) -> None:
        """Read what is new on the worker (one poll at a time); the answer is shown in `_got`."""
        if not self.jobs.busy:
            self.jobs.run(self._read, self._got, self._failed)

    def _read(self):
        """On the worker: new complete lines (at most CHUNK bytes), the newest samples, the checkpoints."""
        recs = self.follower.poll(max_bytes=CHUNK)
        warning = None
        if self.follower.warning is not None and not self._warned:   # malformed lines: said once
            self._warned = True
            warning = self.follower.warning
        pngs = samples_of(self.run_dir)
        ck = self.run_dir / "checkpoints"
        sig = tuple(sorted(p.name for p in ck.glob("*.pt"))) if ck.is_dir() else ()
        return recs, warning, str(pngs[-1][1]) if pngs else "", sig, self.follower.more

    def _got(self, out) -> None:
        recs, warning, png, sig, more = out
        if self.stopped:
            return
        if warning is not None:
            step = next((r["step"] for r in reversed(recs) if "step" in r), 0)
            recs = recs + [{"event": "message", "step": step, "level": "warning", "code": "log", "text": warning}]
        if recs:
            self.records.emit(recs)
        if png and png != self._newest_png:
            self._newest_png = png
            self.samples.emit(png)
        if sig != self._ckpt_sig:
            self._ckpt_sig = sig
            self.checkpoints_changed.emit()
        if more:                          # the rest of a long file: the next piece at once
            QTimer.singleShot(0, self.poll)

    def _failed(self, e: Exception, tb: str) -> None:
        if not self.stopped:
            self.records.emit([{"event": "message", "step": 0, "level": "warning", "code": "log",
                                "text": f"{self.run_dir / 'metrics.jsonl'}: {e}"}])


def route_records(recs: list[dict], plot, metrics) -> dict | None:
    """Send followed records to the loss plot (steps, markers, resumes) and the metrics panel
    (evaluations, diagnostics); returns the last step record, if any."""
    steps, last = [], None
    for r in recs:
        ev = r.get("event")
        if ev is None and "step" in r:
            steps.append((r["step"], r))
            last = r
            continue
        if steps:
            plot.add_records(steps)
            steps = []
        step = int(r.get("step", 0))
        if ev == "set":
            plot.add_marker(step, f"{r.get('key')}: {r.get('old')} → {r.get('new')}")
        elif ev == "eval":
            metrics.add_evaluation(step, r)
        elif ev == "message":
            metrics.add_message(step, r.get("level", "info"), r.get("text", ""), r.get("code", ""))
        elif ev == "resume":
            plot.truncate(step)
    if steps:
        plot.add_records(steps)
    return last
