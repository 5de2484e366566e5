"""The door for the learner's function: one signature table, one error policy, copies, a time budget."""
import math
import sys
import time

import numpy as np
import pytest
import sympy

from mcdl.functions import (SIGNATURES, FunctionError, LearnerFunction, budget, learner_function,
                            round_off_to_zero, split_components)


@pytest.mark.parametrize("f", ["x**3 - 2*x", lambda x: x**3 - 2 * x, sympy.sympify("x**3 - 2*x")])
def test_callables_text_and_sympy_come_in_as_one_object(f):
    F = learner_function(f, "scalar")
    assert isinstance(F, LearnerFunction) and learner_function(F, "scalar") is F
    assert F(2.0) == pytest.approx(4.0)
    assert F.derivative(2.0) == pytest.approx(10.0, rel=1e-8)
    np.testing.assert_allclose(F.sample(np.array([0.0, 1.0, 2.0])), [0.0, -1.0, 4.0])


def test_a_function_of_two_numbers_or_of_one_vector_is_the_same_surface():
    for f in (lambda x, y: 3 * x**2 * y, lambda v: 3 * v[0]**2 * v[1], "3*x**2*y", np.hypot):
        F = learner_function(f, "surface")
        assert F(1.0, 2.0) == pytest.approx(6.0 if f is not np.hypot else math.hypot(1, 2))
    F = learner_function(lambda v: 3 * v[0]**2 * v[1], "surface")
    np.testing.assert_allclose(F.gradient(1.0, 2.0), [12.0, 3.0], rtol=1e-8)
    X, Y = np.meshgrid([0.0, 1.0], [1.0, 2.0])
    np.testing.assert_allclose(F.sample(X, Y), 3 * X**2 * Y)


def test_maps_of_the_plane_from_text_pairs_of_functions_or_two_numbers():
    want = [[2.0, -1.0], [2.0, 1.0]]
    for f in ("x**2 - y, x*y", "(x1**2 - x2, x1*x2)", ("x**2 - y", "x*y"), lambda v: [v[0]**2 - v[1], v[0] * v[1]],
              lambda x, y: (x**2 - y, x * y), (lambda x, y: x**2 - y, lambda x, y: x * y)):
        F = learner_function(f, "plane-map")
        np.testing.assert_allclose(F(np.array([1.0, 2.0])), [-1.0, 2.0])
        np.testing.assert_allclose(F.jacobian(np.array([1.0, 2.0])), want, rtol=1e-7)
    with pytest.raises(ValueError, match="2 components"):
        learner_function("x, y, x*y", "plane-map")


def test_vector_functions_element_wise_text_components_and_callables():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(learner_function("x**2", "vector")(x), x**2)
    F = learner_function("x1*x2, x2*x3, x3*x1", "vector")
    np.testing.assert_allclose(F.jacobian(x), [[2, 1, 0], [0, 3, 2], [3, 0, 1]], atol=1e-7)
    with pytest.raises(FunctionError, match="x needs 3 entries"):
        F(np.array([1.0, 2.0]))
    B = learner_function("w*x", "binary")
    np.testing.assert_allclose(B.jacobian(x, 2 * x, wrt="w"), np.diag(2 * x), atol=1e-7)
    E = learner_function(lambda x, z: x * z, "expansion")
    np.testing.assert_allclose(E.jacobian(x, 2.0, wrt="z"), x.reshape(3, 1), rtol=1e-8)
    assert E.jacobian(x, 2.0, wrt="x").shape == (3, 3)                  # numerator layout: (m, n)


@pytest.mark.parametrize("f, x", [(lambda x: math.log(x), -1.0), (np.log, -1.0), ("log(x)", -1.0),
                                  (lambda x: 1 / x, 0.0), ("1/x", 0.0), (lambda x: math.exp(x), 1e6),
                                  (lambda x: math.sqrt(x), -4.0), (lambda x: np.float64(1.0) / x, 0.0),
                                  ("1/0", 1.0), ("x/0 + 1", 2.0)])
def test_undefined_points_are_nan_never_an_exception_or_a_warning(f, x):
    import warnings
    F = learner_function(f, "scalar")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(F(x)) and math.isnan(F.derivative(x)) and not F.defined(x)


@pytest.mark.parametrize("signature", sorted(SIGNATURES))
def test_a_bug_in_the_learner_s_code_is_one_message_naming_function_point_and_form(signature):
    sig = SIGNATURES[signature]
    args = [np.array([1.0, 2.0]) if kind == "vector" else 1.0 for kind in sig.kinds]
    F = learner_function(lambda *a: a[0] + "1", signature)
    with pytest.raises(FunctionError) as info:
        F(*args)
    message = str(info.value)
    assert message.startswith("your f raised TypeError at ") and sig.example in message
    assert info.value.point and isinstance(info.value.cause, TypeError)
    with pytest.raises(FunctionError):                                  # also through the derivative
        F.jacobian(*args)


def test_other_mistakes_name_what_went_wrong():
    with pytest.raises(FunctionError, match="takes 3 arguments"):
        learner_function(lambda a, b, c: a, "scalar")
    with pytest.raises(FunctionError, match="NameError"):
        learner_function(lambda x: undefined_name * x, "scalar")(1.0)  # noqa: F821
    with pytest.raises(FunctionError, match="called exit"):
        learner_function(lambda x: sys.exit(1), "scalar")(1.0)
    with pytest.raises(FunctionError, match="returned 2 values"):
        learner_function(lambda x: [x, x], "scalar")(1.0)
    with pytest.raises(FunctionError, match="should return a vector of 3 values"):
        learner_function(lambda w, x: w[:2], "binary")(np.ones(3), np.ones(3))
    with pytest.raises(FunctionError, match="returned None: is a return missing"):
        learner_function(lambda x: None, "scalar")(1.0)
    with pytest.raises(FunctionError, match="returns ..."):
        learner_function(lambda x: ..., "scalar")(1.0)
    with pytest.raises(TypeError, match="should be a function f\\(x\\)"):
        learner_function(3.0, "scalar")


def test_the_learner_s_function_gets_copies_and_cannot_change_the_caller_s_arrays():
    w, x = np.array([1.0, 2.0]), np.array([3.0, 4.0])

    def doubling(w, x):
        w *= 2
        x[0] = 99.0
        return w * x
    F = learner_function(doubling, "binary")
    F(w, x)
    F.jacobian(w, x, wrt="w")
    np.testing.assert_array_equal(w, [1.0, 2.0])
    np.testing.assert_array_equal(x, [3.0, 4.0])


def test_a_loop_that_never_ends_is_stopped_by_the_budget(monkeypatch):
    monkeypatch.setattr("mcdl.functions.BUDGET_SECONDS", 0.2)     # 2 s in the course; short here
    def forever(x):
        while True:
            pass
    start = time.perf_counter()
    with pytest.raises(FunctionError, match="ran for more than 0.2 s"):
        learner_function(forever, "scalar")(1.0)
    assert time.perf_counter() - start < 1
    with budget(0.5):                          # nested budgets: only the outermost one counts
        assert learner_function("x", "scalar")(1.0) == 1.0


def test_a_learner_s_own_except_cannot_swallow_the_budget(monkeypatch):
    monkeypatch.setattr("mcdl.functions.BUDGET_SECONDS", 0.2)     # 2 s in the course; short here
    def stubborn(x):
        while True:
            try:
                while True:
                    pass
            except Exception:
                continue
    with pytest.raises(FunctionError, match="ran for more than"):
        learner_function(stubborn, "scalar")(1.0)


def test_helpers_round_off_and_split_components():
    M = round_off_to_zero([[1.0, 1e-13], [np.nan, -2.0]])
    assert M[0, 1] == 0.0 and np.isnan(M[1, 0]) and M[1, 1] == -2.0
    assert split_components("(max(x, y), x*y)") == ["max(x, y)", "x*y"]
    assert split_components("x**2 - y, x*y") == ["x**2 - y", "x*y"]


def test_one_number_where_an_element_wise_vector_is_wanted_is_named_as_a_sum():
    w, x = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    with pytest.raises(FunctionError, match="returned one number.*sum reduction, chapter 07"):
        learner_function(lambda w, x: np.sum(w * x), "binary")(w, x)
    with pytest.raises(FunctionError, match="returned one number"):
        learner_function(lambda x, z: np.dot(x, x) * z, "expansion")(x, 2.0)
    np.testing.assert_array_equal(learner_function(lambda w, x: 3.0, "binary")(w, x), [3.0, 3.0])   # a constant
    np.testing.assert_array_equal(learner_function("3", "binary")(w, x), [3.0, 3.0])


def test_an_explorer_on_text_that_is_nowhere_defined_says_so():
    import mcdl
    assert mcdl.tangent_explorer("1/0").caption.value == "x = 1.00,  f is not defined here"


def test_an_alarm_outside_the_learner_s_code_leaves_nothing_half_done(monkeypatch):
    """Calls that end right at the deadline: the alarm lands in mcdl's bookkeeping as often as in the
    learner's code, and must never leave numpy's error state, the warning filters or the budget changed."""
    import warnings

    from mcdl import functions
    monkeypatch.setattr(functions, "BUDGET_SECONDS", 0.003)
    filters, errors = list(warnings.filters), np.geterr()
    outcomes = set()
    for d in np.linspace(0.0029, 0.00305, 150):
        def busy(x, d=d):
            start = time.perf_counter()
            while time.perf_counter() - start < d:
                pass
            return x
        try:
            learner_function(busy, "scalar")(1.0)
            outcomes.add("returned")
        except FunctionError as err:
            assert err.stopped
            outcomes.add("stopped")
        assert warnings.filters == filters and np.geterr() == errors
        assert not getattr(functions._LOCAL, "armed", False) and getattr(functions._LOCAL, "learner", 0) == 0
    assert outcomes == {"returned", "stopped"}
    with pytest.raises(FunctionError, match="was stopped"):          # and the budget still works afterwards
        learner_function(lambda x: time.sleep(1) or x, "scalar")(1.0)


def test_a_slow_function_is_stopped_for_the_whole_explorer_not_call_by_call(monkeypatch):
    import mcdl
    from mcdl import functions
    monkeypatch.setattr(functions, "BUDGET_SECONDS", 0.05)

    def slow(x, y):                        # 5 ms a call, numbers only: far too slow for a 121 x 121 map
        time.sleep(0.005)
        return math.sin(x) * y
    start = time.perf_counter()
    with pytest.raises(FunctionError, match="too slow to draw"):
        mcdl.slice_explorer(slow)
    assert time.perf_counter() - start < 2


def test_batches_give_the_learner_copies_and_single_numbers_are_not_taken_for_a_whole_grid():
    V = np.array([[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]])

    def doubling(v):
        v *= 2
        return v
    np.testing.assert_array_equal(learner_function(doubling, "plane-map").columns(V), 2 * V)
    F = learner_function(lambda x, y: np.max(np.abs([x, y])), "surface")      # reduces a grid to one number
    X, Y = np.meshgrid([-3.0, 0.5, 3.0], [-3.0, 0.2, 3.0])
    np.testing.assert_array_equal(F.sample(X, Y), np.maximum(np.abs(X), np.abs(Y)))


def test_complex_results_are_undefined_in_batches_too_without_a_warning():
    import warnings
    F = learner_function(lambda x: np.emath.sqrt(x), "scalar")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(F.sample(np.array([-4.0, 4.0])), [np.nan, 2.0])
        assert math.isnan(F(-1.0))
        P = learner_function(lambda v: [np.emath.sqrt(v[0]), v[1]], "plane-map")
        assert np.isnan(P.columns(np.array([[-1.0, 4.0], [1.0, 1.0]]))[0, 0])


def test_a_function_of_one_vector_with_options_is_called_with_the_vector():
    F = learner_function(lambda v, scale=1.0: scale * (v[0] ** 2 + v[1] ** 2), "surface")
    assert F(3.0, 4.0) == 25.0
    assert learner_function(np.linalg.norm, "surface")(3.0, 4.0) == pytest.approx(5.0)


def test_a_door_inside_the_learner_s_function_is_reported_once():
    inner = learner_function(lambda v: v[7], "vector")
    with pytest.raises(FunctionError) as info:
        learner_function(lambda x: inner(x), "vector")(np.ones(3))
    assert str(info.value).count("It should be") == 1 and "IndexError" in str(info.value)


def test_the_jacobian_of_some_outputs_only():
    F = learner_function(lambda w, x: w / x, "binary")
    w, x = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 2.0])         # y₂ = 2/0 is undefined
    assert np.all(np.isnan(F.jacobian(w, x, wrt="w")))
    np.testing.assert_allclose(F.jacobian(w, x, wrt="w", rows=[0, 2]), [[1.0, 0, 0], [0, 0, 0.5]], atol=1e-9)
