"""Memory and time bounded by the input (issue 26): an evaluation of a points file of many points
works in blocks, values too large to train on are refused with the file and the line."""
from __future__ import annotations

import os
import tracemalloc

import zipfile

import numpy as np
import pytest
import torch

from studio.cli import main
from studio.config.schema import ConfigError
from studio.data.toy import read_points
from studio.engine import checkpoints
from studio.engine.trainer import Trainer
from studio.quality import metrics

from .helpers import run_all, tiny


def test_nearest_centre_in_blocks_equals_the_full_distance_matrix():
    rng = np.random.default_rng(0)
    x, c = rng.normal(size=(300, 2)), rng.normal(size=(1000, 2))
    full = np.linalg.norm(x[:, None] - c[None], axis=-1)
    idx, dist = metrics.nearest_centre(x, c, chunk=7, centre_chunk=33)
    np.testing.assert_array_equal(idx, full.argmin(1))
    np.testing.assert_allclose(dist, full.min(1), atol=1e-5)


def test_evaluating_a_points_file_of_many_points_builds_no_samples_by_points_array(tmp_path):
    """20,000 points and 1,000 samples: the old samples x points x 2 float64 array was 320 MB."""
    npy = tmp_path / "many.npy"
    np.save(npy, np.random.default_rng(0).normal(size=(20_000, 2)).astype(np.float32))
    cfg = tiny("ring-2d-gan", "data.kind='points2d'", f"data.file='{npy}'", "eval.n_samples=1000", steps=1)
    t = Trainer(cfg, write=False, snapshots=False)
    tracemalloc.start()
    try:
        values = t.evaluator.evaluate()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40e6, f"evaluation peaked at {peak / 1e6:.0f} MB of numpy memory"
    assert "coverage" not in values and 0 <= values["hq"] <= 1       # 20,000 modes cannot be covered by 1,000
    assert any("mode coverage is not measured" in n and "20,000 points" in n for n in t.evaluator.notes)


@pytest.mark.parametrize("body, line", [("1,2\n3,4\n1e308,0\n", 3), ("x,y\n0,0\n2,-3e20\n", 3)])
def test_a_value_too_large_to_train_on_names_the_file_and_line(tmp_path, body, line):
    p = tmp_path / "big.csv"
    p.write_text(body)
    with pytest.raises(ConfigError, match=rf"big\.csv: line {line}: .* too large"):
        read_points(str(p), 2)


def test_a_npy_value_too_large_names_the_file_and_row(tmp_path):
    p = tmp_path / "big.npy"
    a = np.zeros((10, 2))
    a[7, 1] = 1e308
    np.save(p, a)
    with pytest.raises(ConfigError, match=r"big\.npy: row 7 .* too large"):
        read_points(str(p), 2)


def _bomb(src, out, pad_bytes: int):
    """A real checkpoint plus a tensor of zeros, its zip entries recompressed with deflate."""
    st = torch.load(src, weights_only=True)
    st["extra"] = {"pad": torch.zeros(pad_bytes // 4)}
    plain = out.with_suffix(".plain")
    torch.save(st, plain)
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zi, zin.read(info))
    plain.unlink()
    return out


def test_a_checkpoint_zip_bomb_is_refused_before_its_tensors_are_read(tmp_path, monkeypatch, capsys):
    run = tmp_path / "run"
    run_all(Trainer(tiny("ring-2d-gan", steps=3), run, snapshots=False))
    bomb = _bomb(run / "checkpoints" / "end_00000003.pt", run / "checkpoints" / "bomb_00000003.pt", 24 << 20)
    assert bomb.stat().st_size < 1 << 20
    checkpoints.load(run / "checkpoints" / "end_00000003.pt")          # a real one still opens

    def no_read(*a, **k):
        raise AssertionError("torch.load was called on the bomb")
    monkeypatch.setattr(checkpoints.torch, "load", no_read)
    with pytest.raises(checkpoints.CheckpointError, match=r"bomb_00000003\.pt: declares 2\d\.\d MB of contents in a"):
        checkpoints.load(bomb)
    problems: list[str] = []
    listed = checkpoints.list_checkpoints(run, problems)          # the end checkpoint has a sidecar
    assert [c.path.name for c in listed] == ["end_00000003.pt"]
    assert len(problems) == 1 and "bomb_00000003.pt: declares" in problems[0]
    assert main(["sample", "--checkpoint", str(bomb), "--out", str(tmp_path / "s.npy")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "zip bomb" in err[0]


@pytest.mark.parametrize("override, key", [("data.points=[[0.0, 0.0], [1e308, 1.0]]", "data.points"),
                                           ("data.means=[0.0, 1e30]", "data.means")])
def test_drawn_points_and_mixture_means_too_large_name_the_key(override, key):
    preset = "ring-2d-gan" if "points" in key else "toy-1d-mlp"
    kind = "points2d" if "points" in key else "mixture1d"
    cfg = tiny(preset, f"data.kind='{kind}'", override, "data.stds=[0.5, 0.5]", "data.weights=[0.5, 0.5]")
    with pytest.raises(ConfigError, match=rf"{key} holds 1e\+(308|30), too large"):
        Trainer(cfg, write=False, snapshots=False)


def test_a_fifo_given_as_a_checkpoint_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "model.pt"
    os.mkfifo(fifo)
    with pytest.raises(checkpoints.CheckpointError, match="not a regular file"):
        checkpoints.load(fifo)


def test_a_listing_with_a_cache_reads_only_what_changed(tmp_path, monkeypatch):
    run = tmp_path / "run"
    ck = run / "checkpoints"
    ck.mkdir(parents=True)
    for i in range(5):
        (ck / f"step_{i:08d}.pt").write_bytes(b"x")
        (ck / f"step_{i:08d}.json").write_text(f'{{"step": {i}, "reason": "periodic", "metrics": {{"fid": {i}}}}}')
    cache: dict = {}
    first = checkpoints.list_checkpoints(run, cache=cache)
    assert [c.step for c in first] == list(range(5))
    reads = []
    real = checkpoints._sidecar
    monkeypatch.setattr(checkpoints, "_sidecar", lambda p: reads.append(p.name) or real(p))
    assert checkpoints.list_checkpoints(run, cache=cache) == first and reads == []
    (ck / "step_00000002.json").write_text('{"step": 2, "reason": "periodic", "metrics": {"fid": 9.5}}')
    (ck / "step_00000004.pt").unlink()
    again = checkpoints.list_checkpoints(run, cache=cache)
    assert reads == ["step_00000002.pt"] and [c.step for c in again] == [0, 1, 2, 3]
    assert again[2].metrics == {"fid": 9.5} and "step_00000004.pt" not in cache


def test_a_2d_snapshot_of_a_points_file_of_a_million_points_stays_small(tmp_path):
    """The 2D probe carried every point of data.file in every snapshot (8 MB at 10^6 points, kept
    again by the studio's history at each snapshot); it carries a fixed seeded subsample of
    MAX_CENTERS, the same array each time, and the view's extent still covers every point."""
    from studio.engine.events import Snapshot
    from studio.gui.run_history import _nbytes
    from studio.inspect.probes import MAX_CENTERS
    pts = np.random.default_rng(0).normal(size=(1_000_000, 2)).astype(np.float32)
    pts[123_456] = (40.0, -30.0)                       # one far point: the extent reaches it
    npy = tmp_path / "million.npy"
    np.save(npy, pts)
    cfg = tiny("ring-2d-gan", "data.kind='points2d'", f"data.file='{npy}'", "log.snapshot_every=2", steps=4)
    snaps = [e for e in run_all(Trainer(cfg, write=False, snapshots=True)) if isinstance(e, Snapshot)]
    assert len(snaps) >= 3
    for s in snaps:
        assert _nbytes(s.data) < 64 * 1024, _nbytes(s.data)           # was 8,037,720 bytes
        assert len(s.data["centers"]) == MAX_CENTERS and s.data["centers_total"] == 1_000_000
        x0, x1, y0, y1 = s.data["extent"]
        assert x0 < pts[:, 0].min() and x1 > 40.0 and y0 < -30.0 and y1 > pts[:, 1].max()
    assert all(s.data["centers"] is snaps[0].data["centers"] for s in snaps)     # worked out once
    shown = np.ascontiguousarray(snaps[0].data["centers"]).view(np.complex64).ravel()
    assert np.isin(shown, pts.view(np.complex64).ravel()).all()          # points of the file itself
