"""Exports of a checkpoint's generator (pt2, ONNX, TorchScript) compute what the checkpoint's own
generator computes, on the same latent vectors and labels, for a batch size other than the one
exported with (the batch dimension is dynamic)."""
from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from studio.cli import main
from studio.config.schema import ConfigError
from studio.games.base import eval_mode
from studio.tools import export as export_mod
from studio.tools.export import export
from studio.tools.model_io import open_model

TINY = ["--set", "data.image_size=8", "--set", "model.base_channels=8", "--set", "train.batch_size=8",
        "--set", "checkpoint.every=0", "--set", "eval.every=0", "--set", "log.grid_every=0",
        "--device", "cpu", "--quiet"]


def _train(root, preset, *extra):
    out = root / preset
    assert main(["train", "--preset", preset, "--steps", "2", "--out", str(out), *TINY, *extra]) == 0
    return sorted((out / "checkpoints").glob("end_*.pt"))[0]


@pytest.fixture(scope="module")
def cgan_ckpt(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("cgan"), "fashion-cgan", "--set", "data.kind='digits'",
                  "--set", "model.latent_dim=8")


@pytest.fixture(scope="module")
def dcgan_ckpt(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("dcgan"), "digits-dcgan", "--set", "model.latent_dim=8")


def _reference(ckpt, z, y=None):
    game = open_model(ckpt, device="cpu").game
    with torch.no_grad(), eval_mode(*game.modules().values()):
        out = game.generate(torch.from_numpy(z), None if y is None else torch.from_numpy(y))
    return out.numpy()


@pytest.mark.filterwarnings("ignore::FutureWarning")       # torch.jit.load is deprecated, still tested
def test_conditional_exports_match_the_checkpoint(cgan_ckpt, tmp_path):
    batch = 5                                               # exported with a batch of 2
    rng = np.random.default_rng(batch)
    z = rng.standard_normal((batch, 8)).astype(np.float32)
    y = rng.integers(0, 10, batch).astype(np.int64)
    ref = _reference(cgan_ckpt, z, y)
    assert ref.shape == (batch, 1, 8, 8) and np.abs(ref).max() > 0

    pt2, usage = export(str(cgan_ckpt), "pt2", str(tmp_path / "g.pt2"))
    assert "torch.export.load" in usage and "0..9" in usage
    g = torch.export.load(str(pt2)).module()
    np.testing.assert_allclose(g(torch.from_numpy(z), torch.from_numpy(y)).numpy(), ref, atol=1e-4)
    assert json.loads((tmp_path / "g.pt2.json").read_text())["n_classes"] == 10

    path, usage = export(str(cgan_ckpt), "onnx", str(tmp_path / "g.onnx"))
    assert "onnxruntime" in usage
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["z", "y"]
    out = sess.run(None, {"z": z, "y": y})[0]
    np.testing.assert_allclose(out, ref, atol=1e-4)
    np.testing.assert_allclose(sess.run(None, {"z": z[:1], "y": y[:1]})[0], ref[:1], atol=1e-4)
    meta = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    assert json.loads(meta["gan_studio"])["inputs"] == ["z", "y"]

    ts, _ = export(str(cgan_ckpt), "torchscript", str(tmp_path / "g.ts"))
    np.testing.assert_allclose(torch.jit.load(str(ts))(torch.from_numpy(z), torch.from_numpy(y)).numpy(),
                               ref, atol=1e-4)
    assert not list(tmp_path.glob(".*tmp"))            # atomic writes leave no temporary file


def test_unconditional_exports_match_the_checkpoint(dcgan_ckpt, tmp_path, capsys):
    z = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    ref = _reference(dcgan_ckpt, z)
    assert main(["export", "--checkpoint", str(dcgan_ckpt), "--format", "onnx", "--out", str(tmp_path / "g.onnx")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "g.onnx")
    sess = ort.InferenceSession(str(tmp_path / "g.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(sess.run(None, {"z": z})[0], ref, atol=1e-4)
    np.testing.assert_allclose(sess.run(None, {"z": z[:1]})[0], ref[:1], atol=1e-4)
    assert main(["export", "--checkpoint", str(dcgan_ckpt), "--format", "pt2", "--out", str(tmp_path / "g.pt2")]) == 0
    g = torch.export.load(str(tmp_path / "g.pt2")).module()
    np.testing.assert_allclose(g(torch.from_numpy(z)).numpy(), ref, atol=1e-4)


def test_cyclegan_exports_translate_as_the_checkpoint(tmp_path_factory, tmp_path):
    ck = _train(tmp_path_factory.mktemp("cyc"), "digits-cyclegan", "--set", "variant.n_res=1")
    G = open_model(ck, device="cpu").game.G["ab"].eval()
    x = (torch.rand(3, 3, 8, 8, generator=torch.Generator().manual_seed(1)) * 2 - 1)
    with torch.no_grad():
        ref = G(x).numpy()
    path, usage = export(str(ck), "onnx", str(tmp_path / "ab.onnx"))
    assert "'image': image" in usage and "domain B" in usage
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(sess.run(None, {"image": x.numpy()})[0], ref, atol=1e-4)
    path, _ = export(str(ck), "pt2", str(tmp_path / "ab.pt2"))
    np.testing.assert_allclose(torch.export.load(str(path)).module()(x[:2]).detach().numpy(), ref[:2], atol=1e-4)


def test_export_errors_are_one_line(dcgan_ckpt, tmp_path, capsys, monkeypatch):
    with pytest.raises(ConfigError, match="pt2, onnx, torchscript"):
        export(str(dcgan_ckpt), "tflite", str(tmp_path / "g"))
    real = export_mod.importlib.util.find_spec
    monkeypatch.setattr(export_mod.importlib.util, "find_spec",
                        lambda name, *a: None if name == "onnxscript" else real(name, *a))
    assert main(["export", "--checkpoint", str(dcgan_ckpt), "--format", "onnx", "--out", str(tmp_path / "g.onnx")]) == 2
    err = capsys.readouterr().err
    assert "onnxscript package" in err and "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "g.onnx").exists()
    monkeypatch.undo()
    ring = tmp_path / "ring"
    assert main(["train", "--preset", "ring-2d-gan", "--steps", "2", "--out", str(ring), "--set", "model.hidden=8",
                 "--set", "checkpoint.every=0", "--set", "eval.every=0", "--device", "cpu", "--quiet"]) == 0
    ck = sorted((ring / "checkpoints").glob("end_*.pt"))[0]
    assert main(["export", "--checkpoint", str(ck), "--format", "pt2", "--out", str(tmp_path / "r.pt2")]) == 2
    assert "image generators" in capsys.readouterr().err
