"""The Runs tab's list: each run's best value of its headline quality metric (from the metric
catalogue: modes covered for the ring, higher is better), sorted by a click on the column's header,
a dash for a run that evaluated nothing; a row double-clicked opens its run, its box ticked compares
it; and its folders are the studio model's: "Add folder…" goes through `add_runs_folder`, and a
folder added to the model by anyone is listed."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

from studio.app_model import StudioModel
from studio.gui.panels.runs_browser import RunsBrowser
from studio.gui.panels.runs_list import BEST, DASH
from tests.gui.hands import click
from tests.gui.test_hands_more import tick
from tests.gui.test_runs_browser import runs_folder  # noqa: F401  (the fixture: three tiny ring runs)

MODES = {"r-three": [1.0, 3.0, 2.0], "r-seven": [7.0, 5.0], "r-five": [5.0]}    # best: 3, 7, 5


def with_evals(src: Path, dst: Path, values: list[float]) -> None:
    """A copy of run `src` whose evaluations are `values` of modes covered (none: no eval line)."""
    shutil.copytree(src, dst)
    lines = [ln for ln in (src / "metrics.jsonl").read_text().splitlines() if '"eval"' not in ln]
    lines += [json.dumps({"event": "eval", "step": 10 + i, "modes": v, "recall": 0.5})
              for i, v in enumerate(values)]
    (dst / "metrics.jsonl").write_text("\n".join(lines) + "\n")


@pytest.fixture
def scored(runs_folder, tmp_path):  # noqa: F811
    root = tmp_path / "scored"
    for name, values in MODES.items():
        with_evals(runs_folder / "fast", root / name, values)
    with_evals(runs_folder / "fast", root / "r-none", [])
    return root


def order(browser) -> list[str]:
    t = browser.tree
    return [Path(t.topLevelItem(i).data(0, 256)).name for i in range(t.topLevelItemCount())]


def click_header(qtbot, browser, col: int) -> None:
    hdr = browser.tree.header()
    x = hdr.sectionViewportPosition(col) + hdr.sectionSize(col) // 2
    click(qtbot, hdr.viewport(), QPoint(x, hdr.height() // 2))


def shown_browser(qtbot, folder: Path, monkeypatch) -> RunsBrowser:
    """A Runs tab on its own, listing `folder`, shown and filled."""
    monkeypatch.setattr("studio.gui.panels.runs_browser.run_folders", lambda: [folder])
    b = RunsBrowser()
    qtbot.addWidget(b)
    b.resize(1100, 600)
    b.show()
    qtbot.waitExposed(b)
    b.wait()
    return b


def test_best_metric_column_sorted_by_a_click_on_its_header(qtbot, scored, monkeypatch):
    b = shown_browser(qtbot, scored, monkeypatch)
    t = b.tree
    assert t.headerItem().text(BEST) == "best modes covered ↑"
    cells = {Path(p).name: b.item(p).text(BEST) for p in b.run_paths()}
    assert cells == {"r-three": "3", "r-seven": "7", "r-five": "5", "r-none": DASH}
    assert "at step 10" in b.item(scored / "r-seven").toolTip(BEST) and "higher is better" in \
        b.item(scored / "r-seven").toolTip(BEST)
    click_header(qtbot, b, BEST)                      # best first, the dash last
    assert order(b) == ["r-seven", "r-five", "r-three", "r-none"]
    assert t.header().isSortIndicatorShown() and t.header().sortIndicatorSection() == BEST
    click_header(qtbot, b, BEST)                      # again: the other way round
    assert order(b) == ["r-none", "r-three", "r-five", "r-seven"]
    click_header(qtbot, b, 0)                         # by name
    assert order(b) == ["r-five", "r-none", "r-seven", "r-three"]
    # a run evaluated again is read again on Refresh, and the sort holds
    click_header(qtbot, b, BEST)
    with_evals(scored / "r-none", scored / "r-nine", [9.0])
    click(qtbot, b.refresh_button)
    b.wait()
    assert order(b)[0] == "r-nine" and b.item(scored / "r-nine").text(BEST) == "9"


def test_add_folder_goes_through_the_model_and_the_list_follows_it(qtbot, scored, tmp_path, monkeypatch):
    monkeypatch.setattr("studio.gui.panels.runs_browser.run_folders", lambda: [])
    model = StudioModel()
    b = RunsBrowser(model=model)
    qtbot.addWidget(b)
    b.resize(1100, 600)
    b.show()
    qtbot.waitExposed(b)
    assert b.run_paths() == [] and model.runs_folders == ()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(scored))
    said = []
    b.message.connect(lambda level, text: said.append(text))
    click(qtbot, b.add_button)
    assert model.runs_folders == (scored.resolve(),)
    assert sorted(Path(p).name for p in b.run_paths()) == ["r-five", "r-none", "r-seven", "r-three"]
    assert said == [f"runs browser: listing {scored}"]
    click(qtbot, b.add_button)                        # the same folder again: nothing new
    assert model.runs_folders == (scored.resolve(),) and len(said) == 1
    other = tmp_path / "other"
    with_evals(scored / "r-five", other / "r-solo", [4.0])
    model.add_runs_folder(other)                      # added elsewhere (a run opened): listed here too
    assert str(other.resolve() / "r-solo") in [str(Path(p).resolve()) for p in b.run_paths()]
    assert "5 runs" in b.folder_label.text()


def test_a_row_double_clicked_asks_to_open_its_run_and_a_tick_compares_it(qtbot, scored, monkeypatch):
    b = shown_browser(qtbot, scored, monkeypatch)
    t = b.tree
    item = b.item(scored / "r-seven")
    rect = t.visualItemRect(item)
    at = QPoint(rect.center().x(), rect.center().y())
    with qtbot.waitSignal(b.open_requested, timeout=2000) as got:
        qtbot.mouseClick(t.viewport(), Qt.MouseButton.LeftButton, pos=at)    # a double click's first press
        qtbot.mouseDClick(t.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert Path(got.args[0]) == scored / "r-seven"
    tick(qtbot, t, item)                              # its tick box, clicked where drawn: compared
    b.wait()
    assert [r.name for r in b.compared] == ["r-seven"]
