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
    elif case == "unreadable":      # most files unreadable: refused, naming one
        _png(tmp_path / "data" / "cats" / "ok.png")
        for name in ("broken.png", "empty.jpg"):
            (tmp_path / "data" / "cats" / name).write_bytes(b"not a png at all" if name == "broken.png" else b"")
        expect = ["2 of 3 image files cannot be read", "broken.png: not an image file that Pillow can identify"]
    elif case == "channels":        # a pair whose folders differ in size
        _png(tmp_path / "data" / "a.png")
        _png(tmp_path / "nob" / "b.png", mode="RGB")
        (tmp_path / "nob" / "c.png").write_bytes(b"junk")
        d = DataConfig(kind="folder_pair", root=str(tmp_path / "data"), root_b=str(tmp_path / "nob"))
        expect = [str(tmp_path / "nob"), "3 channel", "data.channels"]
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


# ------------------------------------------------------------------------------------ your own folder
@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private image cache for the test."""
    monkeypatch.setenv("GAN_STUDIO_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _folder_x(root, **kw):
    d = make_image_data(DataConfig(kind="image_folder", root=str(root), **kw), "preset.toml")
    return d, ((d.x + 1) * 127.5).round().to(torch.uint8)


def test_transparency_is_composited_over_the_background(tmp_path, cache):
    """A red square on a transparent canvas whose hidden pixels are green: a viewer shows the red
    square on white; the loader must train on that, not on a green square (Image.convert('RGB'))."""
    from PIL import Image
    a = np.zeros((8, 8, 4), np.uint8)
    a[..., 1] = 255                    # hidden colour under the transparent pixels
    a[2:6, 2:6] = (255, 0, 0, 255)     # the visible red square
    a[0, 0] = (0, 0, 255, 128)         # half-transparent blue
    (tmp_path / "im" / "c").mkdir(parents=True)
    Image.fromarray(a, "RGBA").save(tmp_path / "im" / "c" / "sq.png")
    for bg, rgb in (("white", (255, 255, 255)), ("black", (0, 0, 0)), ("#204060", (0x20, 0x40, 0x60))):
        d, x = _folder_x(tmp_path / "im", background=bg)
        assert d.shape == (3, 8, 8)
        assert tuple(x[0, :, 7, 7].tolist()) == rgb, bg
        assert tuple(x[0, :, 3, 3].tolist()) == (255, 0, 0)
        half = tuple(x[0, :, 0, 0].tolist())
        assert half == tuple((0 * 128 + c * 127 + 127) // 255 if i < 2 else (255 * 128 + c * 127 + 127) // 255
                             for i, c in enumerate(rgb)), (bg, half)
    with pytest.raises(ConfigError, match="data.background"):
        apply_override(load_preset("folder-dcgan"), "data.background='pink'")


def _save(path, im, **kw):
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, **kw)


def test_every_mode_reads_as_a_viewer_shows_it(tmp_path, cache):
    """16-bit grey keeps its levels (not binarised), palette transparency, CMYK, LA, I, F, the first
    frame of an animation; no Pillow warning on the way."""
    import warnings
    from PIL import Image
    root = tmp_path / "im"
    ramp16 = (np.arange(64, dtype=np.uint32).reshape(8, 8) * 1000).astype(np.uint16)
    _save(root / "g" / "a16.png", Image.fromarray(ramp16))                               # I;16
    _save(root / "g" / "b32.tif", Image.fromarray((ramp16.astype(np.int32))))           # I (16-bit range)
    _save(root / "g" / "c.tif", Image.fromarray(ramp16.astype(np.float32) / 65535))     # F in 0..1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d, x = _folder_x(root)
    assert d.shape == (1, 8, 8)                           # every image grey: one channel
    want = np.round(ramp16 / 65535 * 255).astype(np.uint8)
    for i in range(3):
        assert len(np.unique(x[i, 0].numpy())) > 50       # levels kept, not 2
        assert np.abs(x[i, 0].numpy().astype(int) - want).max() <= 1, i
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[2:6, 2:6] = (0, 0, 255, 255)
    pal = Image.fromarray(rgba[..., :3], "RGB").convert("P")   # black where transparent: index of black
    _save(root / "c" / "p.png", pal, transparency=pal.getpixel((0, 0)))
    _save(root / "c" / "la.png", Image.fromarray(np.dstack([np.full((8, 8), 40, np.uint8),
                                                            np.where(rgba[..., 3] > 0, 255, 0).astype(np.uint8)]), "LA"))
    _save(root / "c" / "k.jpg", Image.new("CMYK", (8, 8), (0, 255, 255, 0)), quality=100)  # red in CMYK
    frames = [Image.new("RGB", (8, 8), (0, 200, 0)), Image.new("RGB", (8, 8), (200, 0, 0))]
    _save(root / "c" / "anim.gif", frames[0], save_all=True, append_images=frames[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # the CLI printed Pillow's palette warning (issue 20)
        d, x = _folder_x(root)
    names = sorted(["anim.gif", "k.jpg", "la.png", "p.png"])
    got = {n: x[i] for i, n in enumerate(names)}          # class c comes first, files sorted
    assert d.shape == (3, 8, 8) and d.class_names == ["c", "g"]
    assert got["p.png"][:, 0, 0].tolist() == [255, 255, 255] and got["p.png"][:, 3, 3].tolist() == [0, 0, 255]
    assert got["la.png"][:, 0, 0].tolist() == [255] * 3 and got["la.png"][:, 3, 3].tolist() == [40] * 3
    r, g, b = got["k.jpg"][:, 4, 4].tolist()
    assert r > 200 and g < 60 and b < 60
    assert got["anim.gif"][:, 4, 4].tolist()[1] > 150     # the first (green) frame


def test_unreadable_files_are_skipped_and_counted(tmp_path, cache):
    from studio.data.folder import reporting
    root = tmp_path / "im"
    for i in range(3):
        _png(root / "a" / f"{i}.png", value=10 * i)
    (root / "a" / "bad.png").write_bytes(b"\x89PNG broken")
    notes = []
    with reporting(None, notes.append):
        d = make_image_data(DataConfig(kind="image_folder", root=str(root)), "p")
    assert len(d) == 3
    assert any("skipped 1 unreadable image file(s)" in n and "bad.png" in n for n in notes), notes


def test_symlink_loops_and_links_out_are_not_followed(tmp_path, cache):
    """40 files and a loop used to become 1,640 images (issue 19)."""
    root, outside = tmp_path / "im", tmp_path / "elsewhere"
    for i in range(4):
        _png(root / "a" / f"{i}.png", value=i)
    _png(outside / "x.png")
    (root / "a" / "loop").symlink_to(root, target_is_directory=True)
    (root / "b").symlink_to(root / "a", target_is_directory=True)       # a class folder that is a link
    (root / "a" / "out.png").symlink_to(outside / "x.png")
    (root / "a" / "in.png").symlink_to(root / "a" / "0.png")            # inside: kept (a duplicate)
    d = make_image_data(DataConfig(kind="image_folder", root=str(root)), "p")
    assert len(d) == 5 and d.class_names == ["a"]
    lines = "\n".join(d.report.lines())
    assert "symlinked folder(s)" in lines and "outside the folder" in lines, lines
    assert "1 file(s) duplicate another by content" in lines, lines


def test_cache_is_reused_and_follows_changes(tmp_path, cache):
    root = tmp_path / "im"
    for c in ("a", "b"):
        for i in range(3):
            _png(root / c / f"{i}.png", value=40 * i + (c == "b"))
    d1, x1 = _folder_x(root)
    assert not d1.report.from_cache and isinstance(d1.u8, np.memmap) or d1.u8.base is not None
    d2, x2 = _folder_x(root)
    assert d2.report.from_cache and torch.equal(x1, x2)
    _png(root / "b" / "new.png", value=250)                       # a new file: a new cache
    d3, x3 = _folder_x(root)
    assert not d3.report.from_cache and len(d3) == 7 and d3.report.counts == [3, 4]
    import gc
    import os
    del d1, d2, d3                                                # no longer read: free to prune
    gc.collect()
    os.utime(root / "a" / "0.png", ns=(1, 1))                     # a changed file: a new cache
    assert not _folder_x(root)[0].report.from_cache
    assert len([p for p in cache.joinpath("images").iterdir() if not p.name.startswith(".")]) == 1   # old ones pruned
    d5, x5 = _folder_x(root, image_size=4)                        # other settings: another cache
    assert not d5.report.from_cache and d5.shape == (1, 4, 4)


def test_worker_processes_decode_the_same_pixels(tmp_path, cache):
    from PIL import Image
    from studio.data.folder import build_folder
    root = tmp_path / "im"
    rng = np.random.default_rng(0)
    for i in range(12):
        _save(root / f"c{i % 2}" / f"{i}.png", Image.fromarray(rng.integers(0, 256, (10, 14, 3), dtype=np.uint8)))
    cfg = DataConfig(kind="image_folder", root=str(root), image_size=8)
    one = build_folder(cfg, "p", workers=0, use_cache=False)
    two = build_folder(cfg, "p", workers=2, use_cache=False)
    assert np.array_equal(np.asarray(one.u8), np.asarray(two.u8)) and one.shape == (3, 8, 8)


def test_batches_are_the_uint8_pixels_and_the_draw_is_the_generators(tmp_path, cache):
    for i in range(5):
        _png(tmp_path / "im" / "a" / f"{i}.png", value=50 * i)
    d, _ = _folder_x(tmp_path / "im")
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    b = d.sample(16, g1, torch.device("cpu"))
    idx = torch.randint(5, (16,), generator=g2)
    want = torch.from_numpy(np.array(d.u8))[idx].float() / 255 * 2 - 1
    assert torch.equal(b.x, want) and torch.equal(b.y, d.y[idx])


def test_data_preview_shows_the_images_as_trained(tmp_path, cache, capsys):
    from PIL import Image
    from studio.cli import main
    root = tmp_path / "im"
    a = np.zeros((16, 16, 4), np.uint8)
    a[4:12, 4:12] = (255, 0, 0, 255)
    for c in ("x", "y"):
        for i in range(3):
            _save(root / c / f"{i}.png", Image.fromarray(a, "RGBA"))
    (root / "x" / "bad.png").write_bytes(b"junk")
    out = tmp_path / "grid.png"
    rc = main(["data", "--preset", "folder-dcgan", "--set", f"data.root='{root}'", "--set", "data.image_size=16",
               "--set", "data.background='black'", "--out", str(out)])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    assert "6 images in 2 class(es) (x 3, y 3)" in cap.out and "skipped 1 unreadable" in cap.out, cap.out
    assert "Warning" not in cap.err, cap.err
    grid = np.asarray(Image.open(out))
    assert grid.shape == (2 + 2 * 50, 2 + 3 * 50, 3)             # 2 rows of 3, tiles enlarged to 48
    tile = grid[2:50, 2:50]
    assert tile[0, 0].tolist() == [0, 0, 0] and tile[24, 24].tolist() == [255, 0, 0]
    rc = main(["data", "--preset", "folder-dcgan", "--set", f"data.root='{tmp_path / 'none'}'"])
    assert rc == 2 and "not found" in capsys.readouterr().err


def test_folder_resume_equals_uninterrupted_bit_for_bit(tmp_path, cache):
    from PIL import Image
    rng = np.random.default_rng(1)
    for i in range(20):
        _save(tmp_path / "im" / f"c{i % 2}" / f"{i}.png", Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)))
    cfg = tiny_image("folder-dcgan", f"data.root='{tmp_path / 'im'}'", "data.kind='image_folder'",
                     "checkpoint.every=2", "checkpoint.keep_last=0", "train.augment='color,translation,cutout'", steps=4)
    full = Trainer(cfg, tmp_path / "a", snapshots=False)
    list(full.run())
    resumed = Trainer(cfg, tmp_path / "b", resume=tmp_path / "a" / "checkpoints" / "step_00000002.pt", snapshots=False)
    list(resumed.run())
    for k, m in full.variant.modules().items():
        sa, sb = m.state_dict(), resumed.variant.modules()[k].state_dict()
        assert all(torch.equal(sa[n], sb[n]) for n in sa), k


def test_folder_presets_are_what_they_say(tmp_path, cache):
    """folder-dcgan-64: the DCGAN paper's 64x64 networks with base 64 (G 512-256-128-64 from 4x4, D
    the mirror), DiffAugment on; folder-wgan-gp: the same at 64x64 with a LayerNorm critic, two
    critic steps, the penalty on every fourth, Adam (0, 0.9), no augmentation. Both read a folder of
    colour images at 64x64."""
    from PIL import Image
    for i in range(4):
        _save(tmp_path / "im" / "a" / f"{i}.png", Image.new("RGBA", (80, 70), (200, 30 * i, 0, 255)))
    for name in ("folder-dcgan-64", "folder-wgan-gp"):
        cfg = load_preset(name)
        assert cfg.data.image_size == 64 and cfg.model.base_channels == 64 and cfg.data.background == "white"
        assert cfg.train.augment == ("none" if name == "folder-wgan-gp" else "color,translation,cutout")
        apply_override(cfg, f"data.root='{tmp_path / 'im'}'")
        apply_override(cfg, "train.device='cpu'")
        t = Trainer(cfg, write=False)
        G, D = t.variant.G, t.variant.D
        convs = [m for m in G.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
        assert [m.out_channels for m in convs] == [512, 256, 128, 64, 3] and convs[0].kernel_size == (4, 4)
        dconv = [m for m in D.modules() if isinstance(m, torch.nn.Conv2d)]
        assert [m.out_channels for m in dconv] == [64, 128, 256, 512, 1]
        with torch.no_grad():
            assert G(torch.randn(2, 100)).shape == (2, 3, 64, 64)
        critic = name == "folder-wgan-gp"
        assert any(isinstance(m, torch.nn.GroupNorm) for m in D.modules()) == critic
        assert any(isinstance(m, torch.nn.BatchNorm2d) for m in D.modules()) == (not critic)
        if critic:
            assert cfg.variant.n_critic == 2 and cfg.variant.gp_every == 4
            assert cfg.optim_d.beta1 == 0.0 and cfg.optim_d.beta2 == 0.9


def test_diffaugment_is_differentiable_seeded_and_off_by_default():
    from studio.games.augment import diff_augment
    assert load_preset("digits-dcgan").train.augment == "none"
    x = (torch.rand(6, 3, 16, 16) * 2 - 1).requires_grad_()
    a = diff_augment(x, "color,translation,cutout", torch.Generator().manual_seed(1))
    b = diff_augment(x, "color,translation,cutout", torch.Generator().manual_seed(1))
    assert a.shape == x.shape and torch.equal(a, b)
    a.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    t = diff_augment(x.detach(), "translation", torch.Generator().manual_seed(2))
    pad = torch.nn.functional.pad(x.detach(), (2, 2, 2, 2))
    for i in range(6):                                  # each image is the original shifted by at most 1/8 side
        assert any(torch.equal(t[i], pad[i, :, 2 - dy:18 - dy, 2 - dx:18 - dx]) for dy in range(-2, 3)
                   for dx in range(-2, 3)), i
    c = diff_augment(torch.ones(4, 1, 16, 16), "cutout", torch.Generator().manual_seed(3))
    holes = (c == 0).flatten(1).sum(1)
    assert ((holes > 0) & (holes <= 64)).all()                       # a square of half the side, clipped at edges


def test_a_glance_at_a_chosen_folder(tmp_path):
    from studio.data.folder import glance
    for i in range(3):
        _png(tmp_path / "im" / "cats" / f"{i}.png", size=(10, 12))
    _png(tmp_path / "im" / "dogs" / "0.png", mode="RGB")
    (tmp_path / "im" / "notes.txt").write_text("x")
    line = glance(tmp_path / "im")
    assert line.startswith("4 images in 2 class(es) (cats 3, dogs 1)") and "10x12" in line and "RGB" in line, line
    assert "1 other file(s)" in line
    with pytest.raises(ConfigError, match="no class subfolders"):
        glance(tmp_path / "im" / "cats")
