"""check() and hint(): every status for every kind, the layout mistakes, and "never raises"."""
import math
import re
import sys

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mcdl import Feedback, check, hint
from mcdl.checker import STATUSES
from mcdl.exercises import EXERCISES, Exercise, get

A = np.array([[0.0, 3.0, -1.0], [2.0, 0.0, 1.0]])   # 00-layout's A


def status(exercise, answer):
    return check(exercise, answer).status


def text(exercise, answer):
    return str(check(exercise, answer))


# --------------------------------------------------------------------------------------------------
# Feedback itself
def test_feedback_truthiness_and_text():
    good, bad = check("00-warmup", 6.0), check("00-warmup", 5.0)
    assert isinstance(good, Feedback) and bool(good) and not bad
    assert str(good).startswith("✓ 00-warmup: ")
    assert str(bad).startswith("✗ 00-warmup: ")
    assert str(check("00-warmup", ...)).startswith("… 00-warmup: not answered yet: replace ... with your answer")
    assert repr(bad) == str(bad)
    assert good.correct and good.symbol == "✓"


def test_feedback_html_is_a_coloured_box_with_escaped_text():
    fb = Feedback("wrong-values", "<script>alert(1)</script>", ["<b>x</b> & y"], "00-warmup")
    page = fb._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in page
    assert "#c62828" in page
    assert "#2e7d32" in check("00-warmup", 6)._repr_html_()
    assert "#757575" in check("00-warmup", ...)._repr_html_()
    # a learner's hostile text is escaped too
    assert "<script>" not in check("01-typed", "<script>alert(1)</script>")._repr_html_()
    assert "<script>" not in check("00-warmup", "<script>")._repr_html_()


def test_text_is_deterministic_and_has_no_addresses():
    answers = [lambda x: 4 * x ** 4, A.T, "3x^2", object(), lambda x: 1 / 0, 2 * A, lambda: 0]
    ids = ["01-power", "00-layout", "01-typed", "00-warmup", "01-chain", "00-layout", "01-product"]
    for exercise_id, answer in zip(ids, answers):
        first, second = text(exercise_id, answer), text(exercise_id, answer)
        assert first == second
        assert not re.search(r"0x[0-9a-fA-F]{4,}", first), first
        assert "Traceback" not in first


# --------------------------------------------------------------------------------------------------
# value: every status
def test_value_statuses():
    assert status("00-warmup", 6) == "correct"
    assert status("00-warmup", 6.0000001) == "correct"
    assert status("00-warmup", np.float32(6)) == "correct"
    assert status("00-warmup", None) == "not-answered"
    assert status("00-warmup", "6") == "wrong-type"
    assert status("00-warmup", [1.0, 2.0]) == "wrong-shape"
    assert status("00-warmup", 5) == "wrong-values"
    assert status("nope", 6) == "error"


def test_scalar_exercises_accept_size_one_arrays_with_a_note():
    for answer in ([6.0], [[6.0]], np.array([6.0])):
        fb = check("00-warmup", answer)
        assert fb.status == "correct"
        assert any("plain number" in d for d in fb.details)


def test_scalar_wrong_values_do_not_give_the_answer_away_but_spot_the_sign():
    fb = check("01-operator", 20)
    assert fb.status == "wrong-values" and "15.4" not in str(fb)
    assert "wrong sign" in str(check("01-operator", -15.4))
    assert "close" in str(check("01-operator", 15.41))


def test_text_for_a_number_says_remove_the_quotes():
    fb = check("00-warmup", "6")
    assert fb.status == "wrong-type" and "remove the quotes" in str(fb)
    assert check("01-central-error", "O(h^2)").status == "wrong-type"


def test_central_error_accepts_int_and_float():
    assert check("01-central-error", 100) and check("01-central-error", 100.0)
    assert check("01-central-error", 10).status == "wrong-values"


def test_layout_transpose_is_named():
    fb = check("00-layout", A.T)
    assert fb.status == "wrong-shape"
    assert "You returned (3, 2): numerator layout wants (2, 3)" in fb.message
    assert "transpose" in fb.message
    assert "your numbers are right, transposed" in fb.details
    other = check("00-layout", np.ones((3, 2)))
    assert other.status == "wrong-shape" and "transpose" in other.message
    assert "your numbers are right, transposed" not in other.details


def test_layout_wrong_values_list_entries_and_patterns():
    wrong = A.copy()
    wrong[0, 1] = 4.0
    fb = check("00-layout", wrong)
    assert fb.status == "wrong-values"
    assert "1 of 6 entries differ" in fb.message
    assert "entry (0, 1): you have 4.0, expected 3.0 (off by 1.0)" in fb.details
    assert "off by a factor 2 everywhere" in str(check("00-layout", 2 * A))
    assert "every entry has the wrong sign" in str(check("00-layout", -A))
    assert check("00-layout", A.tolist())


def test_many_wrong_entries_are_capped():
    ex = Exercise("t-big", "99", "?", "value", np.arange(20.0))
    fb = check(ex, np.arange(20.0) + np.arange(20) % 3 + 0.5)
    assert fb.status == "wrong-values"
    assert sum(d.startswith("entry ") for d in fb.details) == 5
    assert any(d.startswith("… and 15 more") for d in fb.details)


def test_square_transpose_is_spotted_by_its_values():
    J = np.array([[1.0, 2.0], [3.0, 4.0]])
    fb = check(Exercise("t-sq", "99", "?", "value", J, expect="jacobian"), J.T)
    assert fb.status == "wrong-values" and "transposed" in str(fb)


def test_gradient_row_column_and_vector():
    assert check("00-gradient-row", np.array([2.0, 3.0]))
    row = check("00-gradient-row", np.array([[2.0, 3.0]]))
    assert row.status == "correct" and any("row" in d and "fine" in d for d in row.details)
    column = check("00-gradient-row", np.array([[2.0], [3.0]]))
    assert column.status == "wrong-shape"
    assert "column" in column.message and "row in numerator layout" in column.message
    assert "your numbers are right; only the shape is off" in column.details


def test_row_and_column_for_a_plain_vector_are_explained():
    ex = Exercise("t-vec", "99", "?", "value", np.array([1.0, 2.0, 3.0]), expect="vector")
    row = check(ex, [[1.0, 2.0, 3.0]])
    assert row.status == "wrong-shape" and ".ravel()" in row.message and "row" in row.message
    column = check(ex, [[1.0], [2.0], [3.0]])
    assert column.status == "wrong-shape" and "column" in column.message


def test_column_expected_derivative_with_respect_to_a_scalar():
    """∂y/∂z for y = x z is the (n, 1) column x (paper §4.3): a 1-D vector passes with a note; a diagonal matrix
    or a row gets told why it is the wrong shape."""
    x = np.array([1.0, -2.0, 4.0])
    ex = Exercise("t-col", "99", "?", "value", x[:, None], expect="column")
    assert status(ex, x[:, None]) == "correct"
    fb = check(ex, x)
    assert fb.status == "correct" and any("(3, 1) column" in d for d in fb.details)
    fb = check(ex, np.diag(x))
    assert fb.status == "wrong-shape" and "vertical vector of shape (3, 1), not a 3×3 (diagonal) matrix" in fb.message
    assert "its diagonal holds the right numbers" in fb.details
    fb = check(ex, x[None, :])
    assert fb.status == "wrong-shape" and "(1, 3) row" in fb.message
    assert "your numbers are right, as a row" in fb.details
    assert status(ex, np.ones(3)) == "wrong-values"


def test_vector_where_a_diagonal_matrix_was_expected_and_the_reverse():
    D = np.diag([1.0, 2.0, 3.0])
    diag_ex = Exercise("t-diag", "99", "?", "value", D, expect="diagonal")
    fb = check(diag_ex, [1.0, 2.0, 3.0])
    assert fb.status == "wrong-shape"
    assert "expected a 3×3 diagonal matrix; you gave the vector of its diagonal — wrap it with np.diag(...)" \
        in fb.message
    assert any("exactly the diagonal" in d for d in fb.details)
    assert not any("exactly" in d for d in check(diag_ex, [9.0, 2.0, 3.0]).details)

    vec_ex = Exercise("t-vector", "99", "?", "value", np.array([1.0, 2.0, 3.0]), expect="vector")
    fb = check(vec_ex, D)
    assert fb.status == "wrong-shape"
    assert "the paper's answer here is a vector" in fb.message and "np.diag(M)" in fb.message
    assert "its diagonal holds the right numbers" in fb.details


def test_other_shape_mismatch():
    fb = check("00-layout", np.ones(4))
    assert fb.status == "wrong-shape" and fb.message == "expected shape (2, 3), got (4,)"
    assert "arranged differently" in str(check("00-layout", A.ravel()))
    assert check("00-warmup", []).status == "wrong-shape"


@pytest.mark.parametrize("answer, words", [
    ([[1, 2], [3]], "ragged"),
    (True, "boolean"),
    ({"a": 1}, "dict"),
    ({1, 2}, "set"),
    (1 + 2j, "complex"),
    (np.array([1, "a"], dtype=object), "text"),
    (np.array([None, 1.0]), "None"),
    (lambda x: 2 * x, "function"),
    (sympy.Symbol("x") * 2, "still contains x"),
    (object(), "object"),
])
def test_value_wrong_types_are_named(answer, words):
    fb = check("00-warmup", answer)
    assert fb.status == "wrong-type" and words in str(fb)


def test_value_accepts_sympy_numbers_and_matrices_and_real_complex():
    assert check("00-warmup", sympy.Integer(6))
    assert check("00-warmup", sympy.Rational(12, 2))
    assert check("00-layout", sympy.Matrix(A.astype(int).tolist()))
    assert check("00-warmup", 6 + 0j)


def test_nan_and_inf_are_wrong_values():
    for bad in (math.nan, math.inf, -math.inf, 10 ** 400):
        fb = check("00-warmup", bad)
        assert fb.status == "wrong-values"
    assert "nan" in str(check("00-layout", np.full((2, 3), np.nan)))


def test_partly_answered_lists_are_not_answered():
    assert check("00-gradient-row", [..., 3.0]).status == "not-answered"


# --------------------------------------------------------------------------------------------------
# function: every status
def test_function_statuses():
    assert status("01-power", lambda x: 5 * x ** 4) == "correct"
    assert status("01-power", ...) == "not-answered"
    assert status("01-power", 6.0) == "wrong-type"
    assert status("01-power", lambda x: np.ones(3)) == "wrong-shape"
    assert status("01-power", lambda x: 4 * x ** 4) == "wrong-values"
    assert status("01-power", lambda x: 1 / 0) == "wrong-values"       # undefined everywhere: NaN, not a bug
    assert status("01-power", lambda x: x + "1") == "error"             # a bug in the learner's code


def test_function_with_a_body_of_dots_is_not_answered():
    def f(x):
        ...
    fb = check("01-power", f)
    assert fb.status == "not-answered" and "returns None" in fb.message


def test_scalar_only_and_vectorised_functions_both_work():
    assert check("01-product", lambda x: 2 * x * math.sin(x) + x ** 2 * math.cos(x))
    assert check("01-product", lambda x: 2 * x * np.sin(x) + x ** 2 * np.cos(x))
    assert check("01-chain", np.vectorize(lambda x: 2 * x / (x * x + 1)))


def test_product_rule_classic_mistake():
    fb = check("01-product", lambda x: 2 * x * np.cos(x))
    assert fb.status == "wrong-values"
    assert re.search(r"at x = -?\d.* yours gives .*, expected ", str(fb))


def test_function_wrong_values_name_the_points_and_the_factor():
    fb = check("01-power", lambda x: 4 * x ** 4)
    assert "at x = 2.0 yours gives 64.0, expected 80.0" in fb.details
    assert any("factor 0.8" in d for d in fb.details)
    assert "wrong sign" in str(check("01-chain", lambda x: -2 * x / (x ** 2 + 1)))


def test_chain_rule_forgotten_inner_derivative():
    fb = check("01-chain", lambda x: 1 / (x ** 2 + 1))
    assert fb.status == "wrong-values"
    nested = check("01-chain-nested", lambda x: -3 * np.cos(x ** 2) ** 2 * np.sin(x ** 2))
    assert nested.status == "wrong-values"


def test_a_function_undefined_at_a_point_is_told_where_and_why():
    fb = check("01-chain", lambda x: 1 / x)
    assert fb.status == "wrong-values"
    assert "at x = 0.0 your function is not defined (ZeroDivisionError: float division by zero)" in fb.details
    assert "Traceback" not in str(fb)


def test_a_bug_in_a_function_answer_is_one_message_naming_the_point_and_the_form():
    fb = check("01-chain", lambda x: x.shape + 1)
    assert fb.status == "error"
    assert fb.message.startswith("your function raised AttributeError at x = ")
    assert "It should be a function of x (def or lambda)" in fb.message
    fb = check("02-grad-function", lambda x: sys.exit(0)) if "02-grad-function" in EXERCISES else None
    assert fb is None or "called exit" in fb.message


def test_a_function_answer_cannot_change_the_exercise_s_points():
    ex = next(e for e in EXERCISES.values() if e.kind == "function" and np.ndim(e.points[0]) == 1)
    before = [np.array(p, copy=True) for p in ex.points]

    def greedy(x):
        x *= 2
        return x
    check(ex.id, greedy)
    for p, q in zip(ex.points, before):
        np.testing.assert_array_equal(p, q)


def test_a_function_answer_that_never_returns_is_stopped(monkeypatch):
    monkeypatch.setattr("mcdl.functions.BUDGET_SECONDS", 0.2)     # 2 s in the course; short here
    def forever(x):
        while True:
            pass
    fb = check("01-power", forever)
    assert fb.status == "error" and "was stopped" in fb.message


def test_function_returning_nan_or_text_or_a_wrong_shape():
    fb = check("01-chain", lambda x: np.log(x))
    assert fb.status == "wrong-values" and "nan" in str(fb)
    fb = check("01-power", lambda x: "5*x**4")
    assert fb.status == "wrong-type" and "returned the text" in fb.message
    fb = check("01-power", lambda x: [x, x])
    assert fb.status == "wrong-shape" and "at x = -1.5" in fb.message


def test_a_number_for_a_function_exercise():
    fb = check("01-power", 80.0)
    assert fb.status == "wrong-type"
    assert "expected a function of x (def or lambda), you gave the number 80.0" in fb.message
    assert any("that is the value at x = 2.0; the exercise wants the whole function" in d for d in fb.details)
    assert not any("value at" in d for d in check("01-power", 7.0).details)


def test_text_for_a_function_exercise_suggests_a_lambda():
    fb = check("01-power", "5x^4")
    assert fb.status == "wrong-type" and "text" in fb.message
    fb = check("01-power", "5*x^4")
    assert "lambda x: 5*x**4" in str(fb)


def test_sympy_expressions_are_accepted_for_function_exercises():
    x = sympy.Symbol("x")
    assert check("01-power", 5 * x ** 4)
    assert check("01-product", sympy.diff(x ** 2 * sympy.sin(x), x))
    assert check("01-power", 4 * x ** 4).status == "wrong-values"
    y = sympy.Symbol("y")
    fb = check("01-power", 5 * y ** 4)
    assert fb.status == "wrong-type" and "uses y" in fb.message


def test_constant_function_exercise_and_a_number():
    ex = Exercise("t-const", "99", "d/dx 3x", "function", lambda x: 3.0, points=(-1.5, 0.0, 2.5))
    assert check(ex, lambda x: 3)
    fb = check(ex, 3)
    assert fb.status == "wrong-type" and "right at every point" in str(fb)


def test_multivariable_function_exercise():
    ex = Exercise("t-grad", "99", "∇(x² y)", "function", lambda x, y: np.array([2 * x * y, x ** 2]),
                  points=((1.0, 2.0), (-0.5, 3.0), (2.5, -1.5)), variables=("x", "y"), expect="gradient")
    assert check(ex, lambda x, y: [2 * x * y, x * x])
    assert check(ex, lambda v: np.array([2 * v[0] * v[1], v[0] ** 2]))           # one vector argument
    assert check(ex, lambda x, y: np.array([[2 * x * y, x * x]]))                 # a row is fine for ∇
    col = check(ex, lambda x, y: np.array([[2 * x * y], [x * x]]))
    assert col.status == "wrong-shape" and "x = 1.0, y = 2.0" in col.message
    wrong = check(ex, lambda x, y: [2 * x, x * x])
    assert wrong.status == "wrong-values" and "at x = 1.0, y = 2.0 yours gives [2.0, 1.0]" in str(wrong)


# --------------------------------------------------------------------------------------------------
# expression: every status
def test_expression_statuses():
    assert status("01-typed", "3*x**2 + 3") == "correct"
    assert status("01-typed", "3*x^2+3") == "correct"
    assert status("01-typed", "3 + 3*x*x") == "correct"
    assert status("01-typed", ...) == "not-answered"
    assert status("01-typed", "") == "not-answered"
    assert status("01-typed", "3x^2+3") == "wrong-type"
    assert status("01-typed", "3*x**2") == "wrong-values"
    assert status("01-typed", 6) == "wrong-type"
    assert status(Exercise("t-e", "99", "?", "expression", "1/x", points=(-1.0, 0.0, 2.0)), "1/x") == "correct"


def test_implicit_multiplication_says_how_to_write_it():
    fb = check("01-typed", "3x^2+3")
    assert fb.status == "wrong-type"
    assert "write 3*x, not 3x" in str(fb)
    assert "*" in str(check("01-typed", "3*x*(x)(1)"))


def test_hostile_text_is_refused_not_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "pwned"
    for attack in ["__import__('os')", f"open({str(marker)!r}, 'w')", "().__class__.__bases__[0]",
                   "exec('x=1')", "lambda: 0", "x if x else x", "9**9**9**9", "x; import os"]:
        fb = check("01-typed", attack)
        assert fb.status in ("wrong-type", "error"), (attack, str(fb))
        assert not fb
    assert not marker.exists()
    assert "refused" in check("01-typed", "__import__('os')").message


def test_expression_wrong_values_show_how_it_was_read():
    fb = check("01-typed", "3*x^2 + 3*x")
    assert fb.status == "wrong-values"
    assert fb.details[0] == "mcdl read it as 3*x**2 + 3*x"
    assert "mcdl read it as" in check("01-typed", "3*x**2+3").message


def test_expression_that_is_undefined():
    fb = check("01-typed", "1/0")
    assert fb.status == "wrong-values" and "division by zero" in fb.message
    assert check("01-typed", "3*x**2 + 3 + 0/x").status == "correct"   # sympy cancels 0/x


def test_expression_unknown_variable():
    fb = check("01-typed", "3*y**2 + 3")
    assert fb.status == "wrong-type" and "unknown name 'y'" in fb.message


def test_expression_accepts_sympy_but_not_functions():
    x = sympy.Symbol("x")
    assert check("01-typed", 3 * x ** 2 + 3)
    fb = check("01-typed", lambda x: 3 * x ** 2 + 3)
    assert fb.status == "wrong-type" and "as text" in fb.message


def test_expression_reference_can_be_sympy_or_a_function():
    x = sympy.Symbol("x", real=True)
    for reference in (2 * sympy.cos(2 * x), lambda x: 2 * np.cos(2 * x)):
        ex = Exercise("t-ref", "99", "d/dx sin(2x)", "expression", reference, points=(-1.0, 0.3, 2.0))
        assert check(ex, "2*cos(2*x)")
        assert check(ex, "cos(2*x)").status == "wrong-values"


# --------------------------------------------------------------------------------------------------
# shape: every status
def test_shape_statuses():
    assert status("00-shape", (2, 5)) == "correct"
    assert status("00-shape", [2, 5]) == "correct"
    assert status("00-shape", np.array([2, 5])) == "correct"
    assert status("00-shape", np.zeros((2, 5)).shape) == "correct"
    assert status("00-shape", ...) == "not-answered"
    assert status("00-shape", "(2, 5)") == "wrong-type"
    assert status("00-shape", (2.5, 3)) == "wrong-type"
    assert status("00-shape", np.zeros((2, 5))) == "wrong-type"
    assert status("00-shape", (5, 2)) == "wrong-shape"
    assert status("00-shape", (6,)) == "wrong-shape"
    assert status("00-shape", (2, 2)) == "wrong-values"


def test_shape_transpose_is_the_denominator_layout():
    fb = check("00-shape", (5, 2))
    assert "denominator layout" in fb.message and "transpose" in fb.message
    assert ".shape" in str(check("00-shape", np.zeros((2, 5))))


# --------------------------------------------------------------------------------------------------
# ids, exercises, hints
def test_unknown_id_is_an_error_feedback_naming_the_known_ids():
    fb = check("00-warmpu", 6)
    assert fb.status == "error"
    assert "unknown exercise '00-warmpu'; known: 00-warmup" in fb.message
    assert "Did you mean '00-warmup'?" in fb.message
    for bad in (None, 3, ["00-warmup"], EXERCISES):
        assert check(bad, 6).status == "error"


def test_check_accepts_an_exercise_object():
    ex = Exercise("02-adhoc", "02", "d/dx 2x", "value", 2.0, hints=("constant factor rule",))
    assert check(ex, 2.0) and check(ex, 2.0).exercise_id == "02-adhoc"
    assert not any("hint(" in d for d in check(ex, 3.0).details)  # not in the bank: no hint() pointer


def test_wrong_answers_point_to_hint():
    assert "stuck? mcdl.hint('01-power') gives a hint" in check("01-power", lambda x: x).details
    assert not any("hint(" in d for d in check("01-power", lambda x: 5 * x ** 4).details)


def test_hint_levels():
    first, second = hint("01-product"), hint("01-product", 1)
    assert first.startswith("Hint 1 of 3 for 01-product: ") and "mcdl.hint('01-product', 1)" in first
    assert second.startswith("Hint 2 of 3")
    assert hint("01-product", 99) == hint("01-product", 2) == hint("01-product", -1 + 3)
    assert hint("01-product", -5) == first
    assert hint("01-product", "x") == first
    assert hint(get("01-chain")).startswith("Hint 1 of")
    assert hint("zzz").startswith("unknown exercise 'zzz'")
    assert "no hints" in hint(Exercise("t", "99", "?", "value", 1.0))
    assert isinstance(first, str)


# --------------------------------------------------------------------------------------------------
# check() never raises
def _raises(exc):
    def f(*args, **kwargs):
        raise exc
    return f


class _Weird:
    def __float__(self):
        raise RuntimeError("no")

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array either")


functions = st.sampled_from([
    _raises(ZeroDivisionError("division by zero")), _raises(ValueError("math domain error")),
    _raises(RuntimeError("boom")), _raises(RecursionError()), _raises(KeyError("k")),
    lambda x: None, lambda x: "text", lambda x: np.ones((50, 50)), lambda x: [1, [2]], lambda: 1,
    lambda x, y, z: x, lambda x: math.nan, lambda x: x * math.inf, lambda x: {"a": x}, lambda x: ...,
    lambda x: 1j * x, lambda x: sympy.Symbol("x"), lambda x: _Weird(), np.sin, math.sqrt, abs, len, print,
])
leaves = st.one_of(
    st.none(), st.just(...), st.booleans(), st.integers(), st.integers(min_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(), st.text(max_size=30),
    st.binary(max_size=10), st.just(object()), st.just(_Weird()), functions,
    hnp.arrays(dtype=hnp.scalar_dtypes(), shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)),
    st.sampled_from([sympy.Symbol("x"), sympy.Integer(6), sympy.nan, sympy.zoo, sympy.Matrix([[1, 2]]),
                     sympy.sin(sympy.Symbol("x")) * 2, sympy.Symbol("y")]),
    st.sampled_from(["3x", "x^2", "__import__('os')", "sin(", "1/0", "x**1001", "6", "(2, 3)", "nan"]),
)
answers = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(st.text(max_size=3), inner, max_size=3),
                            st.frozensets(st.integers(), max_size=3)),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exercise_id=st.sampled_from(sorted(EXERCISES)), answer=answers)
def test_check_never_raises(exercise_id, answer):
    fb = check(exercise_id, answer)
    assert isinstance(fb, Feedback)
    assert fb.status in STATUSES
    assert isinstance(fb.message, str) and fb.message
    assert all(isinstance(d, str) for d in fb.details)
    rendered = str(fb)
    assert rendered.startswith(("✓", "✗", "…"))
    assert "Traceback" not in rendered
    assert fb._repr_html_().startswith("<div")
    assert rendered == str(check(exercise_id, answer))            # deterministic


@settings(max_examples=100, deadline=None)
@given(exercise=st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.integers())), answer=leaves)
def test_check_never_raises_for_any_id(exercise, answer):
    fb = check(exercise, answer)
    assert isinstance(fb, Feedback) and fb.status in STATUSES
    if not (isinstance(exercise, str) and exercise in EXERCISES):
        assert fb.status == "error"


@pytest.mark.parametrize("imports", ["from mcdl import Feedback, check",
                                     "import mcdl.checker; from mcdl import check",
                                     "from mcdl import check, Feedback"])
def test_check_is_callable_whatever_the_import_order(imports):
    # mcdl.check is the function whatever was imported before (the checker is the package mcdl.checker)
    import subprocess
    import sys
    code = f"{imports}\nprint(check('00-warmup', 6))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "✓ 00-warmup: correct!"


def test_a_function_returning_the_square_jacobian_transposed_is_told_so():
    fb = check("04-fg-jacobian", lambda x, y: np.array([[y ** 3, y * np.exp(x)], [3 * x * y ** 2, np.exp(x)]]))
    assert fb.status == "wrong-values"
    assert any("right numbers transposed" in d for d in fb.details)


def test_the_jacobian_before_the_sum_is_recognised():
    """Chapter 07's mistake: handing in ∂f/∂x instead of ∂sum(f)/∂x = 1ᵀ ∂f/∂x."""
    J = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 2.0], [1.0, 0.0, 4.0]])
    ex = Exercise("t-sum", "99", "?", "value", J.sum(axis=0), expect="gradient")
    fb = check(ex, J)
    assert fb.status == "wrong-shape" and any("column sums are exactly the answer" in d for d in fb.details)
    assert not any("column sums" in d for d in check(ex, J.T).details)


def test_text_that_is_undefined_everywhere_is_not_suggested_back_as_a_function():
    fb = check("01-power", "1/0")
    assert fb.status == "wrong-type" and "zoo" not in str(fb) and "undefined everywhere" in str(fb)
