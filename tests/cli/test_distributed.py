"""Two CPU processes under torchrun (gloo): ranks see different data, end with the same weights."""
import subprocess
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent


def test_torchrun_two_ranks_average_gradients_and_only_rank0_writes(tmp_path):
    torchrun = Path(sys.executable).with_name("torchrun")
    r = subprocess.run([str(torchrun), "--nproc_per_node=2", "--master_port=29531", str(HERE / "ddp_worker.py"),
                        str(tmp_path)], capture_output=True, text=True, timeout=180, cwd=HERE.parents[1])
    assert r.returncode == 0, r.stderr[-2000:]
    a, b = (torch.load(tmp_path / f"rank{i}.pt") for i in (0, 1))
    assert (a["world"], b["world"]) == (2, 2)
    assert not torch.equal(a["real"], b["real"])                 # each rank samples its own data
    for k in a["params"]:                                         # yet the models stay identical
        assert torch.equal(a["params"][k], b["params"][k]), k
    assert (tmp_path / "run" / "checkpoints" / "end_00000005.pt").exists()
    assert len(list((tmp_path / "run").glob("metrics.jsonl"))) == 1
