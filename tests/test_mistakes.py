"""Every row of the checker's MISTAKES table, caught on an answer that makes exactly that slip.

The table below has one case per row; a row without a case fails ``test_every_row_has_a_case``, so a new
slip cannot be added without showing that the checker names it.
"""
import numpy as np
import pytest

import mcdl
from mcdl.checker import MISTAKES
from mcdl.checker.mistakes import rows
from mcdl.exercises import EXERCISES, Exercise, ch10
from mcdl.text import distinct


def _two_by_three(ex_id="00-layout"):
    return np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]])


ROW = Exercise("demo-row", "00", "a vector", "value", np.array([1.0, 2.0, 3.0]), expect="vector")
COLUMN = Exercise("demo-column", "00", "a column", "value", np.array([[1.0], [2.0], [3.0]]), expect="column")
VECTOR_ANSWER = Exercise("demo-vector", "00", "the paper's vector", "value", np.array([1.0, 2.0, 3.0]),
                         expect="vector")
MATRIX = Exercise("demo-matrix", "00", "a full matrix", "value", np.array([[1.0, 2.0], [3.0, 4.0]]),
                  expect="matrix")

# row name → (exercise, the answer that makes this slip)
CASES = {
    "one-number": ("00-warmup", np.array([6.0])),
    "gradient-as-row": ("00-gradient-row", np.array([[2.0, 3.0]])),
    "row-for-vector": (ROW, np.array([[1.0, 2.0, 3.0]])),
    "gradient-as-column": ("00-gradient-row", np.array([[2.0], [3.0]])),
    "column-for-vector": (ROW, np.array([[1.0], [2.0], [3.0]])),
    "column-as-vector": (COLUMN, np.array([1.0, 2.0, 3.0])),
    "diagonal-for-column": (COLUMN, np.diag([1.0, 2.0, 3.0])),
    "row-for-column": (COLUMN, np.array([[1.0, 2.0, 3.0]])),
    "transpose": ("00-layout", _two_by_three().T),
    "vector-for-diagonal": ("05-multiply-w", np.array([0.5, 4.0, -2.0])),
    "vector-for-matrix": (MATRIX, np.array([1.0, 4.0])),
    "diagonal-for-vector": (VECTOR_ANSWER, np.diag([1.0, 2.0, 3.0])),
    "jacobian-before-sum": ("07-sum-ones", np.eye(4)),
    "unsummed-products": ("03-directional", np.array([-9.6, -7.2])),
    "swapped-entries": ("03-gradient-point", np.array([7.0, -4.0])),
    "other-partial": ("02-partial-x", lambda x, y: x**2 + np.cos(y)),
    "diag(w)-for-d(w*x)/dw": ("05-multiply-w", np.diag([2.0, -1.0, 3.0])),
    "diag(1/x)-for-d(w/x)/dx": ("05-divide-x", np.diag([0.5, -1.0, 0.25])),
    "x-on-diagonal-for-d(xz)/dx": ("06-times-z-dx", np.diag([1.0, -2.0, 3.0])),
    "z-and-sum-swapped": ("07-xz-wrt-x", np.array([3.5, 3.5, 3.5])),
    "row-sums-for-column-sums": ("07-cyclic", np.array([1.0, 2.0, 3.5, 2.5])),
    "diagonal-only": ("07-cyclic", np.array([-1.0, 3.0, 0.5, 2.0])),
    "single-path-chain-rule": ("08-total", float(np.exp(0.25))),
    "relu-switch-ignored": ("09-activation-gradient", np.array([1.0, 2.0, 0.5])),
    "one-at-the-kink": ("09-relu-derivative", lambda z: (np.asarray(z) >= 0) * 1.0),
    "case-outside-sum": ("10-loss-gradient-w", 2 / ch10.N * ch10.E_ALL @ ch10.X),
    "target-minus-output": ("10-errors", -ch10.E),
    "uphill-step": ("10-update", ch10.W + 0.1 * ch10.GRAD_W),
    "caret-for-power": ("01-power", lambda x: 5 * x ^ 4),
    "one-argument-function": ("02-partial-x", lambda x: 2 * x),
}

ACCEPTED = {"one-number", "gradient-as-row", "column-as-vector"}     # harmless forms: correct, with a note


def test_every_row_has_a_case():
    names = [m.name for m in MISTAKES]
    assert len(names) == len(set(names)), "two rows share a name"
    assert set(names) == set(CASES), f"rows without a case: {set(names) - set(CASES)}"


@pytest.mark.parametrize("name", list(CASES))
def test_the_row_names_its_slip(name):
    exercise, answer = CASES[name]
    feedback = mcdl.check(exercise, answer)
    if name in ACCEPTED:
        assert feedback.correct, str(feedback)
        assert feedback.details, "an accepted form still says what it noticed"
        return
    assert not feedback.correct
    assert feedback.mistake == name, str(feedback)
    assert feedback.message and "Traceback" not in str(feedback)


@pytest.mark.parametrize("name", [m.name for m in rows("answer") if m.name != "swapped-entries"])
def test_declared_slips_do_not_fire_on_the_right_answer_or_other_wrong_ones(name):
    exercise, _ = CASES[name]
    ex = EXERCISES[exercise] if isinstance(exercise, str) else exercise
    assert mcdl.check(ex, ex.reference if ex.kind == "value" else ex.reference).correct
    if ex.kind == "value":
        unrelated = np.asarray(ex.reference, dtype=float) + 0.37
        assert mcdl.check(ex, unrelated).mistake != name


def test_every_declared_slip_is_a_row_of_the_table_and_is_wrong():
    answer_rows = {m.name for m in rows("answer")}
    for ex in EXERCISES.values():
        for name, value in ex.slips.items():
            assert name in answer_rows, f"{ex.id} declares {name!r}, which no row of MISTAKES names"
            feedback = mcdl.check(ex, value)
            assert not feedback.correct and feedback.mistake == name, f"{ex.id}: {feedback}"


def test_the_exercise_that_targets_a_swap_can_catch_it():
    # z and sum(x) must differ, or a learner who swaps them is told "correct"
    assert not mcdl.check("07-xz-wrt-z", -2.0)
    assert not mcdl.check("07-xz-wrt-x", [3.5, 3.5, 3.5])
    assert mcdl.check("07-xz-wrt-z", 3.5) and mcdl.check("07-xz-wrt-x", [-2.0, -2.0, -2.0])


def test_a_sum_gradient_is_never_fixed_with_np_diag():
    for answer in (np.eye(4), np.diag([1.0, 1.0, 1.0, 1.0])):
        text = str(mcdl.check("07-sum-ones", answer))
        assert "np.diag(M)" not in text and "column" in text
    text = str(mcdl.check("07-squares-function", lambda x: np.diag(2 * x)))
    assert "np.diag(M)" not in text and "add up each column" in text


def test_near_misses_print_digits_that_differ():
    feedback = mcdl.check("01-product", lambda x: (2 * x * np.sin(x) + x**2 * np.cos(x)) * 1.0001)
    for line in feedback.details:
        if "yours gives" in line:
            yours, expected = line.split("yours gives ")[1].split(", expected ")
            assert yours != expected, line
    assert distinct(25.3141, 25.3149) == ("25.314", "25.315")
    assert distinct(1.0, 1.0) == ("1.0", "1.0")
    assert distinct([1.0, 2.00001], [1.0, 2.0])[0] != distinct([1.0, 2.00001], [1.0, 2.0])[1]


def test_suggested_code_is_numpy_code():
    text = str(mcdl.check("01-product", "2*x*sin(x) + x**2*cos(x)"))
    assert "np.sin(x)" in text and "np.cos(x)" in text


def test_code_slips_sit_beside_the_verdict_not_instead_of_it():
    feedback = mcdl.check("01-power", lambda x: 5 * x ^ 4)
    assert "raised TypeError" in feedback.message
    assert any("x**2 for x²" in line for line in feedback.details)
    # a one-argument function of the vector v = (x, y) is a valid answer, and is not blamed
    assert mcdl.check("02-partial-x", lambda v: 2 * v[0] * v[1]).correct
