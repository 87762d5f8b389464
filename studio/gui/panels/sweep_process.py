"""`gan-studio sweep` in a child process for the sweep tab (QProcess, so the studio stays responsive):
its newest line of output as it comes, Ctrl+C to stop it, and how it ended."""
from __future__ import annotations

import os
import signal
import sys

from PySide6.QtCore import QObject, QProcess, Qt, Signal


class SweepProcess(QObject):
    said = Signal(str)           # the newest line of its output (ranks and indented lines left out)
    ended = Signal(int, str)     # exit code, the last line it wrote

    def __init__(self, arguments: list[str], parent=None):
        super().__init__(parent)
        self.last_line = ""
        self.proc = QProcess(self)
        self.proc.setProgram(sys.executable)
        self.proc.setArguments(["-m", "studio.cli", *arguments])
        self.proc.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.proc.readyReadStandardOutput.connect(self._output)
        self.proc.finished.connect(lambda code, status: self.ended.emit(code, self.last_line))

    def start(self) -> None:
        self.proc.start()

    def stop(self) -> None:
        """Ctrl+C for the sweep: it stops its trials, each with a checkpoint, and writes its table."""
        if self.proc.state() == QProcess.ProcessState.Starting:
            # forked, not yet exec'd: the child still has this process's signal handler, which would
            # note the signal and lose it at exec (a Stop right after Start went unheard, seen in a test)
            self.proc.started.connect(self._interrupt, Qt.ConnectionType.SingleShotConnection)
        else:
            self._interrupt()

    def wait(self, ms: int) -> bool:
        return self.proc.waitForFinished(ms)

    def _interrupt(self) -> None:
        pid = self.proc.processId()
        if pid and os.name == "posix":
            os.kill(pid, signal.SIGINT)
        elif pid:   # pragma: no cover - no SIGINT elsewhere
            self.proc.terminate()

    def _output(self) -> None:
        text = bytes(self.proc.readAllStandardOutput()).decode(errors="replace")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if lines:
            self.last_line = lines[-1]
            shown = [ln for ln in lines if not ln.startswith(("rank ", "  "))]
            if shown:
                self.said.emit(shown[-1])
