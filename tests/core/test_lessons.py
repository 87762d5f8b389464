"""Lessons (issue 21): the strict loader, the library of checks, the player on each lesson's first
page (shortened where its games are long), and the progress store."""
from __future__ import annotations

import copy
import math
import tomllib

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings, strategies as st

from studio.config.schema import ConfigError
from studio.lessons import checks, format as lesson_format, probes
from studio.lessons.format import list_lessons, load_lesson, parse_lesson
from studio.lessons.play import play_page
from studio.lessons.progress import DONE, IN_PROGRESS, NOT_STARTED, ProgressStore, catalogue

ORDER = ["gan-in-1d", "best-discriminator", "minimax-saddle", "algorithm-1-k", "saturating-loss",
         "mode-collapse", "js-vs-wasserstein", "loss-meaning"]

GOOD = {
    "schema_version": 1, "title": "t",
    "page": [{"title": "p", "text": "x",
              "run": [{"label": "a", "preset": "toy-1d-shift", "set": {"train.steps": 5}, "actions": ["step_d x2", "train"]}],
              "predict": {"question": "q", "choices": ["yes", "no"], "answer": 0},
              "check": [{"name": "theta_to_mu", "below": 100.0, "with": {"at": "end"}}]}],
}


def write(tmp_path, data, name="lesson.toml"):
    p = tmp_path / name
    p.write_text(tomli_w.dumps(data), encoding="utf-8")
    return p


def test_every_shipped_lesson_loads_in_order_and_the_check_library_matches_the_format():
    lessons = list_lessons()
    names = [les.name for les in lessons]
    assert names[:len(ORDER)] == [n for n in ORDER if n in names]
    assert {"gan-in-1d", "best-discriminator", "minimax-saddle", "saturating-loss", "mode-collapse",
            "js-vs-wasserstein"} <= set(names)
    assert set(checks.CHECKS) == set(lesson_format.CHECKS)
    for les in lessons:
        assert les.pages and all(p.checks for p in les.pages), les.name


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d["page"][0]["check"][0].update(name="nope"), "page 1 ('p'): check 1: unknown check 'nope'"),
    (lambda d: d["page"][0]["run"][0].update(preset="no-such-preset"), "page 1 ('p'): run 1: preset:"),
    (lambda d: d["page"][0]["run"][0]["set"].update({"variant.kk": 1}), "run 1: set.variant.kk"),
    (lambda d: d["page"][0]["run"][0]["set"].update({"train.steps": -3}), "set.train.steps: must be at least"),
    (lambda d: d["page"][0]["predict"].update(answer=2), "predict: 'answer' must index a choice"),
    (lambda d: d["page"][0]["check"][0].pop("below"), "check 1 (theta_to_mu): give a threshold"),
    (lambda d: d["page"][0]["check"][0].update(run="b"), "run 'b' is not one of the page's runs"),
    (lambda d: d["page"][0]["run"][0].update(actions=["jump"]), "action 'jump'"),
    (lambda d: d["page"][0].update(colour="red"), "page 1: unknown key 'colour'"),
    (lambda d: d.pop("title"), "missing key 'title'"),
    (lambda d: d["page"][0]["check"][0].update({"with": {"at": "middle"}}), "with.at: expected one of start, end"),
])
def test_a_malformed_lesson_gets_one_line_naming_the_file_and_the_place(tmp_path, mutate, where):
    data = copy.deepcopy(GOOD)
    load_lesson(write(tmp_path, data))            # the good one loads
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(ConfigError) as e:
        load_lesson(path)
    text = str(e.value)
    assert text.startswith(str(path)) and "\n" not in text and where in text, text


def test_a_lesson_read_again_is_a_fresh_copy_and_an_edit_of_the_same_size_is_seen(tmp_path):
    data = copy.deepcopy(GOOD)
    path = write(tmp_path, data)
    first = load_lesson(path)
    first.pages[0].title = "changed by a caller"
    assert load_lesson(path).pages[0].title == "p"          # callers never share one lesson
    data["page"][0]["title"] = "q"                           # the same size, at once
    write(tmp_path, data)
    assert load_lesson(path).pages[0].title == "q"


def test_not_toml_and_a_missing_lesson_name_the_file(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("title = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.toml: not valid TOML"):
        load_lesson(p)
    with pytest.raises(ConfigError, match="lesson 'nope' not found .* available: .*gan-in-1d"):
        load_lesson("nope")


VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=5),
                   st.lists(st.integers(-2, 2), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
PATHS = st.sampled_from([(), ("page", 0), ("page", 0, "run", 0), ("page", 0, "check", 0), ("page", 0, "predict"),
                         ("page", 0, "run", 0, "set"), ("page", 0, "check", 0, "with")])
KEYS = st.sampled_from(["title", "text", "page", "run", "check", "predict", "name", "preset", "set", "actions",
                        "below", "above", "near", "within", "answer", "choices", "question", "label", "with",
                        "watch", "figures", "schema_version", "train.steps", "at", "zz"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=PATHS, key=KEYS, value=VALUES, drop=st.booleans())
def test_any_mutation_loads_or_gets_one_clear_line(tmp_path, path, key, value, drop):
    data = copy.deepcopy(GOOD)
    node = data
    for p in path:
        node = node[p]
    if drop:
        node.pop(key, None)
    elif value is not None:
        node[key] = value
    try:
        parse_lesson(data, tmp_path / "m.toml")
    except ConfigError as e:
        assert str(e).startswith(str(tmp_path / "m.toml")) and "\n" not in str(e)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80))
def test_any_text_loads_or_gets_one_clear_line(tmp_path, text):
    p = tmp_path / "t.toml"
    p.write_text(text, encoding="utf-8")
    try:
        load_lesson(p)
    except ConfigError as e:
        assert str(e).startswith(str(p)) and "\n" not in str(e)


def test_lesson_1_first_page_plays_and_its_checks_hold():
    les = load_lesson("gan-in-1d")
    res = play_page(les, 0, seed=3)
    assert [c.passed for c in res.checks] == [True, True]
    rec = res.records["ten D steps"]
    assert rec.values("d_slope")[-1] > max(rec.values("d_slope")[0], 0.1)     # the sigmoid steepened


def test_lesson_1_second_page_shortened_to_40_iterations_fails_its_theta_check():
    """The checks can fail: 40 iterations are not enough for θ to reach μ."""
    res = play_page(load_lesson("gan-in-1d"), 1, seed=0, prediction=2, steps=40)
    by = {c.spec.name: c for c in res.checks}
    assert not by["theta_to_mu"].passed and by["theta_to_mu"].value > 0.1
    assert res.prediction_right is False and "the notes expect" in res.outcome()


@pytest.mark.parametrize("name, page, steps", [
    ("best-discriminator", 0, None), ("minimax-saddle", 0, None), ("algorithm-1-k", 0, 120),
    ("saturating-loss", 0, None), ("js-vs-wasserstein", 0, None), ("mode-collapse", 0, 60),
    ("loss-meaning", 0, 60)])
def test_each_lessons_first_page_plays_and_measures_a_check(name, page, steps):
    try:
        les = load_lesson(name)
    except ConfigError:
        pytest.skip(f"{name} is not shipped")
    res = play_page(les, page, seed=1, steps=steps)
    assert res.checks
    assert any(math.isfinite(c.value) or math.isinf(c.value) for c in res.checks), [c.error for c in res.checks]
    if steps is None:                   # played in full: the notes hold
        assert all(c.passed for c in res.checks), [(c.label, c.value, c.error) for c in res.checks]


def test_the_value_of_the_game_with_dstar_is_minus_log_4_at_equilibrium_and_js_is_log_2_for_parallel_lines():
    les = load_lesson("best-discriminator")
    spec = les.pages[1].runs[0]
    spec.config.model.theta0 = spec.config.data.mean          # start at the data: p_g = p_r
    from studio.lessons.play import play_run
    spec.actions = [("step_d", 1)]
    rec = play_run(spec, 0)
    assert rec.values("value_dstar")[0] == pytest.approx(-math.log(4), abs=1e-3)
    pl = probes.parallel_lines(0.7, 3000, 0)
    assert pl["kl"] == math.inf and pl["js"] == pytest.approx(math.log(2), abs=1e-9)
    assert pl["w1"] == pytest.approx(0.7, abs=0.02)


def test_progress_is_remembered_and_a_broken_file_is_a_fresh_start(tmp_path):
    path = tmp_path / "s" / "lessons.json"
    store = ProgressStore(path)
    assert store.state("gan-in-1d") == NOT_STARTED
    store.set_page("gan-in-1d", 1)
    store.predict("gan-in-1d", 1, 2)
    store.seen_page("gan-in-1d", 0)
    again = ProgressStore(path)
    assert again.state("gan-in-1d") == IN_PROGRESS and again.get("gan-in-1d").page == 1
    assert again.prediction("gan-in-1d", 1) == 2
    again.seen_page("gan-in-1d", 1)
    assert ProgressStore(path).state("gan-in-1d") == IN_PROGRESS
    again.finish("gan-in-1d")
    assert ProgressStore(path).state("gan-in-1d") == DONE
    path.write_text("{not json", encoding="utf-8")
    assert ProgressStore(path).state("gan-in-1d") == NOT_STARTED


def test_the_shipped_lessons_are_readable_toml_with_unicode_formulas():
    les = load_lesson("best-discriminator")
    text = les.path.read_text(encoding="utf-8")
    assert "−log 4" in text and tomllib.loads(text)["schema_version"] == 1
    assert np.isclose(probes.LOG4, math.log(4))


def test_the_catalogue_lists_the_lessons_in_order_with_their_state(tmp_path):
    store = ProgressStore(tmp_path / "p.json")
    store.set_page("minimax-saddle", 2)
    entries = catalogue(store)
    names = [e.name for e in entries]
    assert names.index("gan-in-1d") < names.index("best-discriminator") < names.index("minimax-saddle")
    by = {e.name: e for e in entries}
    assert by["gan-in-1d"].state == NOT_STARTED and by["minimax-saddle"].state == IN_PROGRESS
    assert by["gan-in-1d"].pages == 2 and by["gan-in-1d"].title == "A GAN in one dimension"


def test_the_action_tracker_follows_the_students_steps_from_the_run_events():
    from studio.lessons.play import ActionTracker, play_run
    spec = load_lesson("saturating-loss").pages[0].runs[0]          # "step_d x300"
    tracker = ActionTracker(spec)
    assert tracker.hint() == "press Step D (300 more)"
    seen = []
    play_run(spec, 0, on_event=lambda label, ev: (tracker.observe(ev), seen.append(tracker.done)))
    assert tracker.done and seen.count(True) >= 1 and seen[:299] == [False] * 299


@pytest.mark.parametrize("name, page", [("mode-collapse", 0), ("minimax-saddle", 1), ("gan-in-1d", 0),
                                        ("js-vs-wasserstein", 0)])
def test_every_kind_of_page_figure_draws(name, page):
    from studio.lessons.figures import page_figures
    les = load_lesson(name)
    res = play_page(les, page, seed=0, steps=20)
    figs = page_figures(res, 0)
    assert set(figs) == set(les.pages[page].figures)
    for img in figs.values():
        assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[0] > 100 and img.std() > 5
