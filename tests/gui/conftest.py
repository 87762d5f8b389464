"""pytest-qt fixtures for the studio: isolated settings and runs folder, a window factory, and a
check that fails any test leaving a training QThread running (as napari's make_napari_viewer does)."""
from __future__ import annotations

import gc
import sys

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from studio.config.paths import runs_dir


def only_the_runs_folder():
    """The runs browser's folders in a test: the test's own runs folder, not the checkout's ./runs."""
    return [runs_dir()]


# the modules imported so far (torch, Qt, the studio: ~400,000 objects) live as long as the worker:
# frozen, the collection after each test walks only what the tests made (as app.main does). Modules
# imported later (the test files, pyqtgraph's parts, scipy or torchvision where a test first needs
# them) are frozen after the collection that follows the test that imported them.
gc.freeze()
_modules = [len(sys.modules)]

@pytest.fixture(autouse=True)
def no_qthread_left(tmp_path, monkeypatch):
    """Isolated QSettings and runs/; after the test (and qtbot's widget cleanup) no thread may run."""
    monkeypatch.setenv("GAN_STUDIO_RUNS", str(tmp_path / "runs"))
    monkeypatch.setattr("studio.gui.panels.runs_browser.run_folders", only_the_runs_folder)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield
    from studio.engine.commands import Stop
    from studio.gui.session import live_threads
    QCoreApplication.processEvents()
    # the closed windows' Qt wrappers are collected here, on the GUI thread: left to the collector,
    # a later test's training thread could run the collection and destroy a QObject of this thread,
    # which deadlocks on the GIL inside ~QObject (seen twice in full runs: every thread on a futex)
    gc.collect()
    if len(sys.modules) != _modules[0]:     # what survived a full collection is alive; modules stay
        gc.freeze()
        _modules[0] = len(sys.modules)
    left = live_threads()
    for t in left:      # clean up so that one failure does not cascade, then fail
        t.commands.put(Stop())
        t.wait(10_000)
    assert not left, f"{len(left)} training QThread(s) still running after the test"


@pytest.fixture
def make_window(qtbot):
    """make_window(preset) -> a shown MainWindow; closed (and its run stopped) at teardown."""
    from studio.gui.app import make_app
    from studio.gui.main_window import MainWindow
    made = []

    def make(preset: str | None = "toy-1d-shift", **overrides):
        make_app()
        w = MainWindow(preset)
        qtbot.addWidget(w)
        w.controls.set_pace(None)     # tests train at full speed unless they set a pace themselves
        for key, value in overrides.items():
            w.model.set_value(key.replace("__", "."), value)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()
