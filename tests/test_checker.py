"""The answer checker students call: servingmath.check(label, answer).

It must say "correct" or how far off (per cent, high or low), never print the answer, and know
an answer for every exercise in the book (and no exercise that is not there).
"""

import json
import math
import re
from pathlib import Path

import pytest

import servingmath
from servingmath.answers import answers

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))
SLUGS = {p.stem.split("-", 1)[1]: p for p in CHAPTERS}
REGISTRY = answers()
LABELS = sorted(REGISTRY)


def _renderings(x: float) -> set:
    """Ways the answer could leak into printed text."""
    forms = {repr(x), f"{x:g}", f"{x:.3g}", f"{x:.4g}", f"{x:,.0f}", f"{x:.2f}", f"{x:.1f}", f"{x:.3e}", f"{x:.2e}"}
    if abs(x) >= 1 and float(x).is_integer():
        forms.add(str(int(x)))
    return {f for f in forms if len(f.strip("0.-e+")) >= 2}


def _check(capsys, label, given):
    ok = servingmath.check(label, given)
    return ok, capsys.readouterr().out


@pytest.mark.parametrize("label", LABELS)
def test_registered_answer_is_well_formed(label):
    answer = REGISTRY[label]
    value = float(answer.value())
    assert math.isfinite(value) and value != 0
    assert answer.unit.strip() and answer.objective.strip()
    assert 0 < answer.rel_tol <= 0.1


@pytest.mark.parametrize("label", LABELS)
def test_correct_answer_says_correct_without_the_value(capsys, label):
    truth = float(REGISTRY[label].value())
    ok, out = _check(capsys, label, truth)
    assert ok and "correct" in out and "not yet" not in out
    assert REGISTRY[label].unit in out
    assert not [form for form in _renderings(truth) if form in out], out


@pytest.mark.parametrize("label", LABELS)
def test_wrong_answer_says_how_far_off_without_the_value(capsys, label):
    truth = float(REGISTRY[label].value())
    ok, out = _check(capsys, label, truth * 1.25)
    assert not ok and "25% too high" in out
    ok, out = _check(capsys, label, truth * 0.6)
    assert not ok and "40% too low" in out
    for given in (truth * 1.25, truth * 0.6):
        assert not [form for form in _renderings(truth) if form in out], out


def test_tolerance_edges(capsys):
    label = "kv-cache-3" if "kv-cache-3" in REGISTRY else LABELS[0]
    truth, tol = float(REGISTRY[label].value()), REGISTRY[label].rel_tol
    assert servingmath.check(label, truth * (1 + 0.9 * tol))
    assert servingmath.check(label, truth * (1 - 0.9 * tol))
    assert not servingmath.check(label, truth * (1 + 1.5 * tol))
    assert servingmath.check(label, str(truth))          # text that reads as a number is accepted
    capsys.readouterr()


def test_quiet_prints_nothing(capsys):
    label = LABELS[0]
    assert servingmath.check(label, float(REGISTRY[label].value()), quiet=True) is True
    assert servingmath.check(label, -1.0, quiet=True) is False
    assert capsys.readouterr().out == ""


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="label: unknown exercise 'no-such-1'"):
        servingmath.check("no-such-1", 1)
    with pytest.raises(ValueError, match="answer: expected a number"):
        servingmath.check(LABELS[0], "about forty")
    with pytest.raises(ValueError, match="answer: expected a number"):
        servingmath.check(LABELS[0], None)


# --- the registry against the book -------------------------------------------------------------

def _exercise_labels(path):
    nb = json.loads(path.read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return re.findall(r"\{exercise(?:-start)?\}[^\n]*\n(?::[a-z-]+:[^\n]*\n)*?:label: *([\w-]+)", text)


@pytest.mark.parametrize("label", LABELS)
def test_label_names_a_chapter(label):
    slug, _, number = label.rpartition("-")
    assert slug in SLUGS and number.isdigit(), f"{label}: labels are <chapter-slug>-<n>"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_exercise_has_an_answer_and_back(path):
    nb = json.loads(path.read_text())
    if len(nb["cells"]) <= 1:
        pytest.skip("placeholder chapter")
    slug = path.stem.split("-", 1)[1]
    in_book = _exercise_labels(path)
    assert all(label.startswith(slug + "-") for label in in_book), in_book
    registered = sorted(label for label in REGISTRY if label.rpartition("-")[0] == slug)
    assert sorted(in_book) == registered, "exercises in the chapter vs answers registered"
