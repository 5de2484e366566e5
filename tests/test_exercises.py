"""The exercise bank: its table is well formed, every reference answer passes its own check, and the
ids the notebooks use exist."""
import re

import numpy as np
import pytest

from mcdl import check, hint
from mcdl.exercises import EXERCISES, KINDS, Exercise, UnknownExerciseError, for_chapter, get

CHAPTER_00 = ["00-warmup", "00-shape", "00-layout", "00-gradient-row", "00-neuron", "00-stretch-neuron-dx"]
CHAPTER_01 = ["01-power", "01-operator", "01-product", "01-chain", "01-chain-nested", "01-typed",
              "01-central-error", "01-stretch-quotient"]
CHAPTER_00_01 = CHAPTER_00 + CHAPTER_01


def test_the_ids_the_notebooks_use_are_in_the_bank():
    assert set(CHAPTER_00_01) <= set(EXERCISES)


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_each_exercise_is_well_formed(exercise_id):
    ex = EXERCISES[exercise_id]
    assert ex.id == exercise_id
    assert exercise_id.startswith(ex.chapter + "-")
    assert ex.kind in KINDS
    assert ex.prompt.strip()
    assert 1 <= len(ex.hints) <= 3 and all(h.strip() for h in ex.hints)
    if ex.kind in ("function", "expression"):
        assert len(ex.points) >= 4
        parts = [part for p in ex.points for part in (p if isinstance(p, tuple) else (p,))]  # (x, z): a vector, a number
        values = np.concatenate([np.ravel(np.asarray(part, dtype=float)) for part in parts])
        assert np.any(values != np.round(values)), "include awkward points"
        if not np.any(values < 0):          # only where the answer is not defined for negative numbers
            import warnings
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                assert not np.isfinite(ex.reference(-1.5)), "include a negative point"


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_the_reference_answer_passes_its_own_check(exercise_id):
    ex = EXERCISES[exercise_id]
    feedback = check(exercise_id, ex.reference)
    assert feedback.status == "correct", str(feedback)
    assert feedback and check(ex, ex.reference)


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_unanswered_is_not_answered(exercise_id):
    for blank in (None, ...):
        feedback = check(exercise_id, blank)
        assert feedback.status == "not-answered"
        assert "not answered yet" in feedback.message and not feedback


def test_reference_values_have_the_papers_shapes():
    assert np.shape(get("00-layout").reference) == (2, 3)
    assert np.shape(get("00-gradient-row").reference) == (2,)
    assert get("00-shape").reference == (2, 5)
    assert get("00-warmup").reference == 6.0
    assert get("01-operator").reference == 15.4
    assert get("01-central-error").reference == 100


def test_function_references_are_the_derivatives():
    from mcdl.numeric import derivative
    primitives = {
        "01-power": lambda x: x ** 5,
        "01-product": lambda x: x ** 2 * np.sin(x),
        "01-chain": lambda x: np.log(x ** 2 + 1),
        "01-chain-nested": lambda x: np.cos(x ** 2) ** 3,
    }
    for exercise_id, f in primitives.items():
        ex = get(exercise_id)
        for x in ex.points:
            assert np.isclose(ex.reference(x), derivative(f, x), rtol=1e-6, atol=1e-6), (exercise_id, x)
    assert np.isclose(derivative(lambda x: 5 * (x ** 3 + 2 * x), 0.6), get("01-operator").reference)
    assert np.isclose(derivative(lambda x: x ** 2, 3.0), get("00-warmup").reference)


def test_get_unknown_id_names_the_known_ones_and_a_close_match():
    with pytest.raises(KeyError) as info:
        get("xyz")
    message = str(info.value)
    assert message.startswith("unknown exercise 'xyz'; known: ")
    assert "00-warmup" in message and "01-typed" in message
    with pytest.raises(UnknownExerciseError, match="Did you mean '00-warmup'"):
        get("00-warmpu")
    with pytest.raises(KeyError, match="unknown exercise 3"):
        get(3)


def test_for_chapter_keeps_bank_order():
    assert [ex.id for ex in for_chapter("00")] == CHAPTER_00
    assert [ex.id for ex in for_chapter("01")] == CHAPTER_01
    assert for_chapter("99") == []


def test_repr_is_deterministic():
    text = repr(get("01-power"))
    assert text == "Exercise('01-power', chapter='01', kind='function')"
    assert not re.search(r"0x[0-9a-f]+", text)


@pytest.mark.parametrize("kwargs, match", [
    (dict(kind="guess"), "kind must be one of"),
    (dict(kind="function", reference=lambda x: x), "needs the points"),
    (dict(kind="shape", reference=[2, 3]), "tuple of ints"),
    (dict(kind="value", reference="six"), "could not convert"),
    (dict(kind="value", reference=1.0, expect="row"), "expect must be one of"),
    (dict(kind="value", reference=1.0, variables=("2x",)), "variables must be names"),
])
def test_exercise_validation(kwargs, match):
    base = dict(id="t", chapter="99", prompt="?", kind="value", reference=1.0)
    with pytest.raises(ValueError, match=match):
        Exercise(**{**base, **kwargs})


def test_exercise_normalises_sequences():
    ex = Exercise("t", "99", "?", "function", lambda x: x, points=[1.5, -2.0], variables="x", hints="one hint")
    assert ex.points == (1.5, -2.0) and ex.variables == ("x",) and ex.hints == ("one hint",)


def test_every_bank_exercise_has_a_first_hint():
    for exercise_id in EXERCISES:
        assert hint(exercise_id).startswith(f"Hint 1 of {len(get(exercise_id).hints)} for {exercise_id}: ")


def test_each_chapter_file_holds_exactly_its_chapter_s_exercises():
    from importlib import import_module

    from mcdl.exercises import CHAPTERS
    seen = []
    for chapter in CHAPTERS:
        module = import_module(f"mcdl.exercises.ch{chapter}")
        assert module.EXERCISES and all(ex.chapter == chapter and ex.id.startswith(chapter + "-")
                                        for ex in module.EXERCISES)
        seen += [ex.id for ex in module.EXERCISES]
    assert seen == list(EXERCISES)


def test_a_bank_id_must_start_with_its_chapter():
    from mcdl.exercises import exercise
    with pytest.raises(ValueError, match="two-digit chapter"):
        exercise("diag-w", "?", "value", 1.0)
