"""StudioModel.reset: every setting back to the preset's (or the run taken up's) value."""
from studio.app_model import StudioModel


def test_reset_puts_edits_back_to_the_preset_and_says_so():
    m = StudioModel()
    m.choose_preset("toy-1d-shift")
    lr = m.get("optim_g.lr")
    m.set_value("optim_g.lr", lr * 3)
    m.set_value("variant.name", "saddle" if m.get("variant.name") != "saddle" else "gan")
    seen = []
    m.config_changed.connect(seen.append)
    m.reset()
    assert m.get("optim_g.lr") == lr and m.config() == m.baseline() and seen == [None]
    assert m.preset == "toy-1d-shift"


def test_a_taken_up_run_is_the_baseline():
    m = StudioModel()
    cfg = m.choose_preset("toy-1d-shift")
    cfg.optim_d.lr = 0.0042
    m.take_config(cfg, "my-run")
    m.set_value("optim_d.lr", 0.1)
    m.reset()
    assert m.get("optim_d.lr") == 0.0042
