"""`gan-studio eval` and `gan-studio train --on-divergence rollback` end to end on tiny runs."""
from studio.cli import main
from studio.quality import features


def test_train_rolls_back_on_divergence_and_finishes(tmp_path, capsys):
    def args(out):   # L = -θ² + φ²: each step multiplies θ and φ by (1 - 2 lr): -2 at lr 1.5, -0.5 at 0.75
        return ["train", "--preset", "saddle-quadratic", "--steps", "200", "--out", str(out), "--quiet",
                "--set", "optim_d.lr=1.5", "--set", "optim_g.lr=1.5", "--set", "checkpoint.every=20",
                "--set", "optim_d.kind='sgd'", "--set", "optim_g.kind='sgd'"]
    assert main(args(tmp_path / "run")) == 1      # default: a diverged run stops with status 1
    assert "Training diverged" in capsys.readouterr().err
    assert main(args(tmp_path / "run2") + ["--on-divergence", "rollback"]) == 0
    err = capsys.readouterr().err
    assert err.count("rolled back from step") == 1 and "Training diverged" in err
    assert sorted((tmp_path / "run2" / "checkpoints").glob("end_00000200.pt"))


def test_eval_prints_every_metric_of_a_checkpoint(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))     # no Inception weights there
    features._INCEPTION.clear()
    ring, digits = tmp_path / "ring", tmp_path / "digits"
    assert main(["train", "--preset", "ring-2d-wgan-gp", "--steps", "4", "--out", str(ring), "--quiet",
                 "--set", "model.hidden=16"]) == 0
    assert main(["eval", "--checkpoint", str(ring / "checkpoints" / "end_00000004.pt"), "-n", "200"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ["modes", "coverage", "hq", "precision", "recall", "diversity", "gnorm_mean",
                     "gnorm_dev", "gnorm_p10", "gnorm_p50", "gnorm_p90"]
    assert main(["train", "--preset", "fashion-cgan", "--steps", "2", "--out", str(digits), "--quiet",
                 "--set", "data.kind='digits'", "--set", "model.latent_dim=8", "--set", "model.base_channels=8",
                 "--set", "train.batch_size=8", "--set", "eval.every=0"]) == 0
    assert main(["eval", "--checkpoint", str(digits / "checkpoints" / "end_00000002.pt"), "-n", "100"]) == 0
    cap = capsys.readouterr()
    names = [line.split()[0] for line in cap.out.splitlines()]
    assert names == ["fid", "kid", "kid_se", "precision", "recall", "diversity", "acc_cond", "diversity_class"]
    assert "held-out accuracy" in cap.err
    assert "Inception FID is not available" in cap.err and "never downloads" in cap.err
