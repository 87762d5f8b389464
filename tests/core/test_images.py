"""Image GANs: data sets, bad-data messages, each image variant trains, exact resume, export."""
import subprocess
import sys

import numpy as np
import pytest
import torch

from studio.config.schema import ConfigError, DataConfig
from studio.engine.events import Finished, Snapshot, StepMetrics
from studio.inspect.grids import thumbnail
from studio.inspect.probes import snapshot as probe_image
from studio.data import make_data as make_image_data
from studio.engine.trainer import Trainer
from studio.config.io import apply_override
from studio.config.presets import load_preset

TINY = ["checkpoint.every=0", "log.grad_norm_every=1", "log.grid_samples=16", "train.batch_size=8",
        "model.base_channels=8", "train.device='cpu'", "eval.every=0"]


def tiny_image(preset: str, *overrides: str, steps: int = 3):
    cfg = load_preset(preset)
    small = ["data.kind='digits'", "data.image_size=8", "model.latent_dim=8"]
    if cfg.variant.name == "cyclegan":
        small = ["data.kind='digits_domains'", "data.image_size=8", "variant.n_res=1"]
    for o in TINY + small + [f"train.steps={steps}"] + list(overrides):
        apply_override(cfg, o)
    return cfg


def params(trainer):
    return {f"{k}.{n}": p.detach().clone() for k, m in trainer.variant.modules().items()
            for n, p in m.named_parameters()}


# ------------------------------------------------------------------------------------ data
def test_digits_and_fashion_are_one_tensor_in_range():
    d = make_image_data(DataConfig(kind="digits", image_size=16))
    assert d.family == "image" and d.shape == (1, 16, 16) and d.n_classes == 10 and len(d) == 1797
    assert d.x.min() >= -1 and d.x.max() <= 1 and d.x.min() == -1
    b = d.sample(5, torch.Generator().manual_seed(0), torch.device("cpu"))
    assert b.x.shape == (5, 1, 16, 16) and b.y.shape == (5,) and b.y.dtype == torch.long
    f = make_image_data(DataConfig(kind="fashion_mnist", limit=300))
    assert f.shape == (1, 28, 28) and len(f) == 300 and f.n_classes == 10


def test_domains_are_disjoint_and_recoloured():
    d = make_image_data(DataConfig(kind="digits_domains", image_size=8))
    assert d.a.shape == d.b.shape == (3, 8, 8)
    assert len(d.a) + len(d.b) <= 1797 and len(d.a) == len(d.b)
    a_grey = (d.a.x[:, 0] == d.a.x[:, 1]).all() and (d.a.x[:, 1] == d.a.x[:, 2]).all()
    assert a_grey and not (d.b.x[:, 0] == d.b.x[:, 1]).all()     # B is coloured
    # no source digit in both domains: compare the grey of A with B's brightest channel layout
    src = make_image_data(DataConfig(kind="digits", image_size=8)).x[:, 0]
    ia = {tuple(r) for r in (d.a.x[:, 0] * 1000).round().int().flatten(1).tolist()}
    assert len(ia) > 0 and all(tuple(r) in {tuple(s) for s in (src * 1000).round().int().flatten(1).tolist()}
                               for r in list(ia)[:5])


def _png(path, mode="L", size=(8, 8), value=128):
    from PIL import Image
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value if mode == "L" else (value, 0, 0)).save(path)


def test_image_folder_classes_become_labels(tmp_path):
    for i in range(3):
        _png(tmp_path / "cats" / f"{i}.png", value=200)
        _png(tmp_path / "dogs" / f"{i}.png", value=20)
    d = make_image_data(DataConfig(kind="image_folder", root=str(tmp_path), image_size=8))
    assert d.shape == (1, 8, 8) and d.n_classes == 2 and sorted(d.y.tolist()) == [0, 0, 0, 1, 1, 1]
    assert d.class_names == ["cats", "dogs"]


@pytest.mark.parametrize("case", ["missing", "no_classes", "empty_class", "unreadable", "channels",
                                  "digits_channels", "fashion_root", "no_download", "pair_b",
                                  "no_root"])
def test_bad_data_gets_a_clear_message(tmp_path, case):
    d = DataConfig(kind="image_folder", root=str(tmp_path / "data"), image_size=8)
    expect = [str(tmp_path / "data")]
    if case == "missing":
        expect.append("not found")
    elif case == "no_classes":
        (tmp_path / "data").mkdir()
        _png(tmp_path / "data" / "x.png")
        expect.append("no class subfolders")
    elif case == "empty_class":
        (tmp_path / "data" / "cats").mkdir(parents=True)
        expect.append("no images")
    elif case == "unreadable":
        _png(tmp_path / "data" / "cats" / "ok.png")
        bad = tmp_path / "data" / "cats" / "broken.png"
        bad.write_bytes(b"not a png at all")
        expect = [str(bad), "unreadable image"]
    elif case == "channels":
        _png(tmp_path / "data" / "cats" / "rgb.png", mode="RGB")
        d.channels = 1
        expect = [str(tmp_path / "data" / "cats" / "rgb.png"), "3 channel", "data.channels = 1"]
    elif case == "digits_channels":
        d = DataConfig(kind="digits", channels=3)
        expect = ["1 channel", "data.channels = 3"]
    elif case == "fashion_root":
        d = DataConfig(kind="fashion_mnist", root=str(tmp_path / "data"))
        expect.append("Fashion-MNIST folder not found")
    elif case == "no_download":
        d = DataConfig(kind="mnist", root=str(tmp_path / "data"), download=False)
        expect.append("data.download = true")
    elif case == "pair_b":
        _png(tmp_path / "data" / "a.png")
        d = DataConfig(kind="folder_pair", root=str(tmp_path / "data"), root_b=str(tmp_path / "nob"))
        expect = [str(tmp_path / "nob"), "data.root_b"]
    elif case == "no_root":
        d = DataConfig(kind="image_folder", root="")
        expect = ["data.root", "one subfolder per class"]
    with pytest.raises(ConfigError) as e:
        make_image_data(d, "preset.toml")
    msg = str(e.value)
    assert "preset.toml" in msg and all(x in msg for x in expect), msg


def test_folder_preset_says_what_to_point_it_at():
    cfg = load_preset("folder-dcgan")
    with pytest.raises(ConfigError, match="data.root"):
        Trainer(cfg, write=False)


# ------------------------------------------------------------------------------------ variants
@pytest.mark.parametrize("preset", ["digits-dcgan", "fashion-wgan", "fashion-wgan-gp", "fashion-cgan",
                                    "fashion-acgan", "digits-cyclegan"])
def test_each_image_variant_trains(preset):
    t = Trainer(tiny_image(preset), write=False, snapshots=True)
    before = params(t)
    evs = list(t.run())
    assert isinstance(evs[-1], Finished) and evs[-1].reason == "done", evs[-1]
    steps = [e for e in evs if isinstance(e, StepMetrics)]
    assert len(steps) == 3
    for e in steps:
        assert all(np.isfinite(v) for v in e.values.values()), e.values
        assert "loss_d" in e.values and "loss_g" in e.values
    after = params(t)
    moved = {k for k in before if not torch.equal(before[k], after[k])}
    # a critic's output bias cancels in E[f(real)] - E[f(fake)]
    frozen = set()
    if t.variant.output == "critic" and preset != "digits-cyclegan":
        frozen = {f"D.net.{max(int(q.split('.')[2]) for q in before if q.startswith('D.net.'))}.bias"}
    assert moved >= set(before) - frozen, set(before) - moved
    snap = [e for e in evs if isinstance(e, Snapshot)][-1]
    thumb = thumbnail(t.variant)
    assert thumb.dtype == np.uint8 and thumb.ndim == 3 and thumb.shape[2] == 3
    if preset == "digits-cyclegan":
        assert snap.view == "cyclegan" and set(snap.data) == {"a", "ab", "aba", "b", "ba", "bab"}
    else:
        assert snap.view == "image" and snap.data["grid"].dtype == np.uint8
        assert snap.data["n_classes"] == 10
        if t.variant.conditional:
            assert snap.data["nrow"] == 10


def test_wgan_gp_critic_has_no_batchnorm_and_dcgan_has():
    t = Trainer(tiny_image("fashion-wgan-gp", "data.image_size=16"), write=False)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in t.variant.D.modules())
    assert any(isinstance(m, torch.nn.GroupNorm) for m in t.variant.D.modules())
    t = Trainer(tiny_image("digits-dcgan", "data.image_size=16"), write=False)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in t.variant.D.modules())
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in t.variant.G.modules())
    assert isinstance(t.variant.G.net[-1], torch.nn.Tanh)
    assert not isinstance(t.variant.D.net[1], torch.nn.BatchNorm2d)   # none on D's input layer


@pytest.mark.parametrize("side", [8, 16, 28, 32, 64])
def test_dcgan_sizes_follow_the_data(side):
    from studio.nets.dcgan import DCDiscriminator, DCGenerator
    G, D = DCGenerator(8, 3, side, 8, n_classes=4), DCDiscriminator(3, side, 8, n_classes=0, n_out=5)
    x = G(torch.randn(2, 8), torch.tensor([0, 3]))
    assert x.shape == (2, 3, side, side) and D(x).shape == (2, 5)


@pytest.mark.parametrize("preset", ["fashion-cgan", "digits-cyclegan"])
def test_resume_equals_uninterrupted_bit_for_bit(tmp_path, preset):
    cfg = tiny_image(preset, "checkpoint.every=3", "checkpoint.keep_last=0", steps=6)
    full = Trainer(cfg, tmp_path / "a", snapshots=False)
    list(full.run())
    ck = tmp_path / "a" / "checkpoints" / "step_00000003.pt"
    assert ck.with_suffix(".png").is_file() and any((tmp_path / "a" / "samples").glob("*.png")) is not None
    resumed = Trainer(cfg, tmp_path / "b", resume=ck, snapshots=False)
    assert resumed.step == 3
    list(resumed.run())
    a, b = full.variant.modules(), resumed.variant.modules()
    for k in a:
        sa, sb = a[k].state_dict(), b[k].state_dict()
        assert all(torch.equal(sa[n], sb[n]) for n in sa), k      # weights and BatchNorm statistics
    assert np.array_equal(thumbnail(full.variant), thumbnail(resumed.variant))
    if preset == "digits-cyclegan":
        st = torch.load(ck, weights_only=True)
        assert torch.equal(st["extra"]["fixed_a"], full.variant.fixed_a.cpu())


def test_thumbnail_does_not_disturb_training_or_modes():
    t = Trainer(tiny_image("fashion-acgan"), write=False)
    state = t.gen.get_state().clone()
    thumbnail(t.variant)
    assert torch.equal(state, t.gen.get_state())
    assert all(m.training for m in t.variant.modules().values())


def test_probe_image_for_unconditional_grid():
    t = Trainer(tiny_image("digits-dcgan"), write=False)
    view, data = probe_image(t.variant, t.probe_gen)
    assert view == "image" and data["nrow"] == 4 and data["grid"].shape[2] == 3


# ------------------------------------------------------------------------------------ export
@pytest.mark.parametrize("preset", ["digits-dcgan", "fashion-cgan"])
def test_exported_torchscript_matches_checkpoint_without_the_package(tmp_path, preset):
    from studio.tools.export import export
    from studio.tools.model_io import open_model
    t = Trainer(tiny_image(preset, steps=2), tmp_path / "run", snapshots=False)
    list(t.run())
    ck = next((tmp_path / "run" / "checkpoints").glob("end_*.pt"))
    path, usage = export(str(ck), "torchscript", str(tmp_path / "g.pt"))
    z = torch.randn(6, 8, generator=torch.Generator().manual_seed(3))
    y = torch.tensor([0, 1, 2, 3, 4, 9])
    torch.save({"z": z, "y": y}, tmp_path / "in.pt")
    cond = preset == "fashion-cgan"
    code = (
        "import sys, torch\n"
        "sys.modules['studio'] = None\n"           # importing the package would fail
        f"m = torch.jit.load({str(path)!r})\n"
        f"d = torch.load({str(tmp_path / 'in.pt')!r})\n"
        f"x = m(d['z'], d['y']) if {cond} else m(d['z'])\n"
        f"torch.save(x, {str(tmp_path / 'out.pt')!r})\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)
    got = torch.load(tmp_path / "out.pt")
    v = open_model(str(ck)).game
    v.G.eval()
    with torch.no_grad():
        want = v.G(z, y) if cond else v.G(z)
    assert got.shape == want.shape
    assert torch.allclose(got, want, atol=1e-5), (got - want).abs().max()


def test_onnx_export_without_onnx_says_so(tmp_path):
    import importlib.util
    if importlib.util.find_spec("onnx") is not None:
        pytest.skip("onnx is installed")
    from studio.tools.export import export
    with pytest.raises(ConfigError, match="onnx package"):
        export(str(tmp_path / "x.pt"), "onnx", str(tmp_path / "g.onnx"))


# ------------------------------------------------------------------------------------ learning
@pytest.mark.parametrize("variant,steps,floor", [("cgan", 400, 0.5), ("acgan", 250, 0.6)])
def test_conditional_samples_show_their_class(variant, steps, floor):
    """After a short CPU budget on 8x8 digits, a logistic regression trained on the real digits
    reads the class G was asked for far above chance (10%); bench/image_learning.py prints the figure."""
    import importlib.util
    from pathlib import Path
    spec = importlib.util.spec_from_file_location(
        "image_learning", Path(__file__).resolve().parents[2] / "bench" / "image_learning.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    r = bench.measure(variant, steps)
    assert r["accuracy"] >= floor, r
