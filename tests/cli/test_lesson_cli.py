"""`gan-studio lesson`: the list, a handout of lesson 1 (figures and summary with its numbers), and
bad input in one line."""
from __future__ import annotations

from PIL import Image

from studio.cli import main


def test_lesson_list_names_every_shipped_lesson(capsys):
    assert main(["lesson", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("gan-in-1d", "best-discriminator", "minimax-saddle", "saturating-loss", "js-vs-wasserstein"):
        assert name in out
    assert out.index("gan-in-1d") < out.index("best-discriminator") < out.index("minimax-saddle")


def test_lesson_1_writes_its_figures_and_a_summary_with_the_measured_numbers(tmp_path, capsys):
    out = tmp_path / "handout"
    assert main(["lesson", "gan-in-1d", "--out", str(out), "--seed", "2"]) == 0
    cap = capsys.readouterr()
    assert cap.out.strip() == str(out / "summary.md")
    assert "5 of 5 checks hold" in cap.err and "FAIL" not in cap.err
    text = (out / "summary.md").read_text(encoding="utf-8")
    assert "# A GAN in one dimension" in text and "| `theta_to_mu() [k = 10]` |" in text
    assert "(a) On the real mean" in text and "5 of 5 checks hold" in text
    for name in ("page-1-curves.png", "page-2-curves.png", "page-2-end.png"):
        assert f"]({name})" in text
        with Image.open(out / name) as im:
            assert im.size[0] > 200 and im.size[1] > 100


def test_bad_lesson_input_gets_one_line(tmp_path, capsys):
    assert main(["lesson", "no-such-lesson", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: lesson 'no-such-lesson' not found") and "\n" not in err
    assert main(["lesson", "gan-in-1d"]) == 2
    assert "--out DIR is needed" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('schema_version = 1\ntitle = "x"\n[[page]]\ntitle = "p"\ntext = "t"\n'
                   '[[page.check]]\nname = "theta_to_mu"\nbelow = 1\n', encoding="utf-8")
    assert main(["lesson", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {bad}: page 1 ('p'): check 1 (theta_to_mu): needs a run, and the page has none"
