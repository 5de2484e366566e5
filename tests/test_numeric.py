"""mcdl.numeric: derivatives, partials, gradients and Jacobians by finite differences (paper §2–4.1).

Checked against the paper's own worked examples (paper-map §3, #1–#13, #18–#19) at several points,
on badly scaled functions, with hypothesis properties, and for the errors a learner will hit.
Every warning is an error here: mcdl must never let a numpy RuntimeWarning escape.
"""
from __future__ import annotations

import functools
import math
import traceback
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mcdl.numeric import (CENTRAL_STEP, AccuracyWarning, Estimate, COMPLEX_STEP, EPS, FIRST_STEP, FORWARD_FIRST_STEP, METHODS,
                          candidate_steps, derivative, gradient, jacobian, partial, step_sizes)
from mcdl.shapes import ShapeError

pytestmark = pytest.mark.filterwarnings("error")

# accuracy each method should reach on a smooth, well-scaled function (relative, with an absolute floor)
RTOL = {"central": 1e-7, "forward": 1e-5, "complex": 1e-13}
ATOL = {"central": 1e-8, "forward": 1e-5, "complex": 1e-13}
FAST = settings(max_examples=50, deadline=None)


def rel_err(got, want):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300)))


def counted(f):
    """f, plus a list recording the shape of every argument it was called with."""
    calls = []

    def g(x):
        calls.append(np.shape(x))
        return f(x)
    return g, calls


# ---------------------------------------------------------------------------------------------
# Paper §2: the scalar derivative rules (paper-map §3 #1–#8), and §4.5.1 (#18, #19)
# Each f is written with ufuncs/operators only, so it works on floats, arrays and complex numbers.
# ---------------------------------------------------------------------------------------------
SCALAR_EXAMPLES = [
    # (paper-map #, f, the paper's d/dx, points where f is defined — negatives included)
    ("#1 d/dx 99 = 0", lambda x: 99 + 0 * x, lambda x: 0 * x, [-2.5, -1.0, 0.0, 1.0, 3.7]),
    ("#2 d/dx 3x = 3", lambda x: 3 * x, lambda x: 3 + 0 * x, [-2.5, -1.0, 0.0, 1.0, 3.7]),
    ("#3 d/dx x^3 = 3x^2", lambda x: x**3, lambda x: 3 * x**2, [-2.5, -1.0, 0.0, 1.0, 3.7]),
    ("#4 d/dx (x^2+3x) = 2x+3", lambda x: x**2 + 3 * x, lambda x: 2 * x + 3, [-2.5, -1.5, 0.0, 1.0, 3.7]),
    ("#5 d/dx (x^2-3x) = 2x-3", lambda x: x**2 - 3 * x, lambda x: 2 * x - 3, [-2.5, 0.0, 1.0, 1.5, 3.7]),
    ("#6 d/dx x^2 x = 3x^2", lambda x: x**2 * x, lambda x: x**2 + x * 2 * x, [-2.5, -1.0, 0.0, 1.0, 3.7]),
    ("#7 d/dx ln(x^2) = 2/x", lambda x: np.log(x**2), lambda x: 1 / x**2 * 2 * x, [-3.0, -1.0, -0.2, 0.2, 1.0, 3.0]),
    ("#8 d/dx 9(x+x^2) = 9+18x", lambda x: 9 * (x + x**2), lambda x: 9 + 18 * x, [-2.5, -0.5, 0.0, 1.0, 3.7]),
    ("#18 d/dx sin(x^2) = 2x cos(x^2)", lambda x: np.sin(x**2), lambda x: 2 * x * np.cos(x**2),
     [-2.0, -1.0, 0.0, 0.5, 1.0, 1.7]),
    ("#19 d/dx ln(sin(x^3)^2) = 6x^2 cos(x^3)/sin(x^3)", lambda x: np.log(np.sin(x**3) ** 2),
     lambda x: 6 * x**2 * np.cos(x**3) / np.sin(x**3), [-1.2, -0.7, 0.5, 1.0, 1.3, 2.0]),
]
SCALAR_IDS = [e[0].split()[0] for e in SCALAR_EXAMPLES]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("label, f, df, points", SCALAR_EXAMPLES, ids=SCALAR_IDS)
def test_paper_scalar_examples(label, f, df, points, method):
    for x in points:
        got = derivative(f, x, method=method)
        assert isinstance(got, float)
        want = float(df(x))
        assert got == pytest.approx(want, rel=RTOL[method], abs=ATOL[method]), (label, x, method)


@pytest.mark.parametrize("label, f, df, points", SCALAR_EXAMPLES, ids=SCALAR_IDS)
def test_paper_scalar_examples_on_an_array_of_points(label, f, df, points):
    """derivative(f, array) is the derivative at each point, with the array's shape (for plotting)."""
    xs = np.array(points)
    got = derivative(f, xs)
    assert got.shape == xs.shape
    np.testing.assert_allclose(got, df(xs), rtol=1e-7, atol=1e-8)
    grid = xs[: 2 * (len(xs) // 2)].reshape(2, -1)
    assert derivative(f, grid).shape == grid.shape
    np.testing.assert_allclose(derivative(f, grid, method="complex"), df(grid), rtol=1e-13, atol=1e-13)


def test_paper_example_1_constant_is_exactly_zero():
    assert derivative(lambda x: 99, 2.0) == 0.0
    assert derivative(lambda x: 99, -7.0, method="forward") == 0.0


def test_complex_step_needs_complex_output_even_for_a_constant():
    """Documented: method='complex' needs f to return complex output.  A bare constant returns an int,
    which is indistinguishable from abs's real output, so it is refused with the way out."""
    with pytest.raises(TypeError, match="method='central'"):
        derivative(lambda x: 99, 2.0, method="complex")


def test_paper_example_7_is_undefined_at_zero():
    with pytest.raises(ValueError, match="not finite"):
        derivative(lambda x: np.log(x**2), 0.0)


# ---------------------------------------------------------------------------------------------
# Paper §3 and §4: f(x, y) = 3x²y, g(x, y) = 2x + y⁸, their gradients and Jacobian (#9–#12)
# ---------------------------------------------------------------------------------------------
def f_paper(v):
    x, y = v[0], v[1]
    return 3 * x**2 * y


def g_paper(v):
    x, y = v[0], v[1]
    return 2 * x + y**8


def fg_paper(v):
    return np.array([f_paper(v), g_paper(v)])


POINTS_2D = [(1.0, 2.0), (-1.5, 0.5), (2.0, -3.0), (0.3, -0.7), (0.0, 1.0), (-2.0, -1.25)]


def J_paper(x, y):
    return np.array([[6 * y * x, 3 * x**2], [2.0, 8 * y**7]])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("point", POINTS_2D)
def test_paper_example_9_partials_and_gradient_of_3x2y(point, method):
    x, y = point
    rtol, atol = RTOL[method], ATOL[method]
    assert partial(f_paper, point, 0, method=method) == pytest.approx(6 * y * x, rel=rtol, abs=atol)
    assert partial(f_paper, point, 1, method=method) == pytest.approx(3 * x**2, rel=rtol, abs=atol)
    grad = gradient(f_paper, point, method=method)
    assert grad.shape == (2,)
    np.testing.assert_allclose(grad, [6 * y * x, 3 * x**2], rtol=rtol, atol=atol)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("point", POINTS_2D)
def test_paper_example_10_gradient_of_2x_plus_y8(point, method):
    x, y = point
    rtol, atol = RTOL[method], ATOL[method]
    if method == "forward" and x == 0:
        atol = 1e-4       # forward step at x = 0 is √ε·1e-4 ≈ 1.5e-12 while f ≈ 1: round-off ε/h ≈ 1.5e-4
    np.testing.assert_allclose(gradient(g_paper, point, method=method), [2.0, 8 * y**7], rtol=rtol, atol=atol)
    assert partial(g_paper, point, 0, method=method) == pytest.approx(2.0, rel=rtol, abs=atol)
    assert partial(g_paper, point, 1, method=method) == pytest.approx(8 * y**7, rel=rtol, abs=atol)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("point", POINTS_2D)
def test_paper_example_11_jacobian_stacks_the_gradients_as_rows(point, method):
    J = jacobian(fg_paper, point, method=method)
    assert J.shape == (2, 2)
    atol = 1e-4 if method == "forward" and point[0] == 0 else ATOL[method]     # see example 10
    np.testing.assert_allclose(J, J_paper(*point), rtol=RTOL[method], atol=atol)
    np.testing.assert_allclose(J[0], gradient(f_paper, point, method=method), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(J[1], gradient(g_paper, point, method=method), rtol=1e-12, atol=1e-12)


def test_paper_spot_values_at_1_2():
    """paper-map §3 spot values: ∇f(1,2) = [12, 3], ∇g(1,2) = [2, 1024], J = [[12, 3], [2, 1024]].
    (∂g/∂x = 2 next to g = 258 costs central differences ~2 digits of round-off: rtol 1e-8.)"""
    np.testing.assert_allclose(gradient(f_paper, [1, 2]), [12, 3], rtol=1e-8)
    np.testing.assert_allclose(gradient(g_paper, [1, 2]), [2, 1024], rtol=1e-8)
    assert partial(f_paper, [1, 2], 0) == pytest.approx(12, rel=1e-8)
    assert partial(f_paper, [1, 2], 1) == pytest.approx(3, rel=1e-8)
    J = jacobian(fg_paper, [1, 2])
    assert J.shape == (2, 2)
    np.testing.assert_allclose(J, [[12, 3], [2, 1024]], rtol=1e-8)
    np.testing.assert_allclose(jacobian(fg_paper, [1, 2], method="complex"), [[12, 3], [2, 1024]], rtol=1e-14)


def test_paper_example_11_denominator_layout_is_the_transpose():
    """Numerator layout: functions down, variables across.  The denominator layout is J.T, and here
    the two differ, so mixing them up is caught."""
    J = jacobian(fg_paper, [1.0, 2.0])
    np.testing.assert_allclose(J.T, [[12, 2], [3, 1024]], rtol=1e-8)       # the paper's denominator layout
    assert not np.allclose(J, J.T)
    # row i = gradient of output i; column j = how every output moves with x_j
    np.testing.assert_allclose(J[:, 1], [3, 1024], rtol=1e-8)


def test_paper_example_12_same_jacobian_in_vector_notation():
    """y1 = 3 x1² x2, y2 = 2 x1 + x2⁸ — the same Jacobian as #11, written with x = [x1, x2]."""
    def y(x):
        return np.array([3 * x[0] ** 2 * x[1], 2 * x[0] + x[1] ** 8])
    for p in POINTS_2D:
        np.testing.assert_allclose(jacobian(y, np.array(p)), J_paper(*p), rtol=1e-7, atol=1e-6)
        np.testing.assert_allclose(jacobian(y, np.array(p), method="complex"), J_paper(*p), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_paper_example_13_jacobian_of_identity_is_I(n, method):
    rng = np.random.default_rng(n)
    for x in (rng.normal(size=n) * 10, -np.abs(rng.normal(size=n)), np.zeros(n)):
        J = jacobian(lambda v: v, x, method=method)
        assert J.shape == (n, n)
        np.testing.assert_allclose(J, np.eye(n), rtol=RTOL[method], atol=ATOL[method])


def test_identity_of_a_scalar_is_1_by_1():
    J = jacobian(lambda t: t, -3.0)
    assert J.shape == (1, 1)
    assert J[0, 0] == pytest.approx(1.0, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# Numerator layout: shapes (paper §4.1, Jacobian-shapes figure)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("m, n", [(1, 1), (1, 4), (4, 1), (2, 3), (3, 2), (5, 2)])
def test_linear_map_jacobian_is_A_with_shape_m_by_n(m, n):
    A = np.arange(1.0, m * n + 1).reshape(m, n) * (-1) ** np.arange(m * n).reshape(m, n)
    x = np.linspace(-1.0, 2.0, n) + 0.125       # no zero coordinate: see test_known_limitation_*
    for batch in (None, False, True):
        J = jacobian(lambda v: A @ v, x, batch=batch)
        assert J.shape == (m, n)
        np.testing.assert_allclose(J, A, rtol=1e-9, atol=1e-9)
    J = jacobian(lambda v: A @ v, x, method="complex")
    np.testing.assert_allclose(J, A, rtol=1e-14, atol=1e-14)


def test_scalar_x_vector_f_is_a_column():
    """∂f/∂x for f: R → Rᵐ is the tall m×1 box of the paper's figure."""
    J = jacobian(lambda t: np.array([t, t**2, np.sin(t)]), 0.5)
    assert J.shape == (3, 1)
    np.testing.assert_allclose(J[:, 0], [1.0, 1.0, np.cos(0.5)], rtol=1e-9)


def test_vector_x_scalar_f_is_a_row():
    """∂f/∂x for f: Rⁿ → R is the wide 1×n box; gradient returns that row as shape (n,)."""
    x = np.array([1.0, -2.0, 3.0, 0.5])
    J = jacobian(lambda v: np.sum(v**2), x)
    assert J.shape == (1, 4)
    np.testing.assert_allclose(J[0], 2 * x, rtol=1e-9)
    g = gradient(lambda v: np.sum(v**2), x)
    assert g.shape == (4,)
    np.testing.assert_allclose(g, J[0], rtol=1e-12)


@pytest.mark.parametrize("f, x, shape", [
    (lambda t: t**2, 3.0, (1, 1)),
    (lambda t: np.array([t**2]), 3.0, (1, 1)),
    (lambda v: v**2, np.array([3.0]), (1, 1)),
    (lambda v: v[0] ** 2, [3.0], (1, 1)),
    (lambda t: np.array([t, 2 * t]), 3.0, (2, 1)),
    (lambda v: v @ v, [1.0, 2.0, 3.0], (1, 3)),
    (lambda v: np.array([v @ v]), [1.0, 2.0, 3.0], (1, 3)),
    (lambda v: np.concatenate([v, v]), [1.0, 2.0, 3.0], (6, 3)),
])
def test_jacobian_is_always_2d(f, x, shape):
    for method in METHODS:
        assert jacobian(f, x, method=method).shape == shape


def test_gradient_of_one_variable_has_shape_1():
    assert gradient(lambda v: v[0] ** 3, [2.0]).shape == (1,)
    assert gradient(lambda t: t**3, 2.0) == pytest.approx([12.0])


def test_inputs_accepted_as_lists_tuples_ints_and_numpy_scalars():
    for x in ([1, 2], (1, 2), np.array([1, 2]), np.array([1, 2], dtype=np.float32)):
        np.testing.assert_allclose(gradient(f_paper, x), [12, 3], rtol=1e-6)
    for x in (2, 2.0, np.float64(2.0), np.int64(2), np.array(2.0)):
        assert derivative(lambda t: t**3, x) == pytest.approx(12.0, rel=1e-9)


def test_x_is_not_modified():
    x = np.array([1.0, 2.0])
    for method in METHODS:
        jacobian(fg_paper, x, method=method)
        gradient(f_paper, x, method=method)
        partial(f_paper, x, 1, method=method)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_partial_holds_the_other_coordinates_constant():
    """∂/∂x₁ of x₀·x₁·x₂ at (2, 3, 5) is x₀x₂ = 10, and negative indices count from the end."""
    def h(v):
        return v[0] * v[1] * v[2]
    p = [2.0, 3.0, 5.0]
    assert partial(h, p, 1) == pytest.approx(10.0, rel=1e-10)
    assert partial(h, p, -1) == pytest.approx(6.0, rel=1e-10)
    assert partial(h, p, np.int64(0)) == pytest.approx(15.0, rel=1e-10)
    for i in range(3):
        assert partial(h, p, i) == pytest.approx(gradient(h, p)[i], rel=1e-9)


# ---------------------------------------------------------------------------------------------
# Steps and accuracy on badly scaled functions (DESIGN §3)
# ---------------------------------------------------------------------------------------------
def test_step_sizes_follow_each_coordinate_and_are_exact():
    x = np.array([0.0, 1e-10, -1.0, 3.0, -2e5, 1e8])
    h = step_sizes(x)
    assert h.shape == x.shape and np.all(h > 0)
    np.testing.assert_allclose(h, FIRST_STEP * np.maximum(np.abs(x), 1.0), rtol=1e-6)
    np.testing.assert_allclose(step_sizes(x, "forward"), FORWARD_FIRST_STEP * np.maximum(np.abs(x), 1.0),
                               rtol=1e-6)
    np.testing.assert_array_equal(step_sizes(x, "complex"), COMPLEX_STEP * np.maximum(np.abs(x), 1.0))
    assert h[0] == h[1]                       # the first candidate uses max(|x|, 1)


def test_candidate_steps_reach_each_coordinates_own_scale():
    """The ladder: the first window, four above it (×16 each), then down to ∛ε·|xⱼ| (x = 0: a floor)."""
    x = np.array([0.0, 1e-10, 1e-3, 3.0])
    hs = candidate_steps(x)
    assert hs.shape[1] == 4
    np.testing.assert_array_equal(hs[0], step_sizes(x))
    np.testing.assert_allclose(hs[1:5], step_sizes(x) * 16.0 ** np.arange(1, 5)[:, None])
    down = hs[5:]
    steps = np.diff(down, axis=0)
    assert np.all(steps[np.isfinite(steps)] < 0)                          # smaller and smaller
    last = [col[np.isfinite(col)][-1] for col in down.T]
    assert last[1] <= FIRST_STEP * CENTRAL_STEP * 1e-10 * 16              # relative to |x| itself
    assert last[3] <= FIRST_STEP * CENTRAL_STEP * 3.0 * 16
    assert 0 < last[0] <= FIRST_STEP * 1e-12 * 16                          # x = 0: never a zero step
    assert np.all(np.isfinite(down[:, 1]))                                  # the tiny coordinate has the most


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=1e-4, max_value=1e12), st.sampled_from([1.0, -1.0]),
       st.sampled_from(["central", "forward"]))
def test_step_is_exactly_representable(mag, sign, method):
    """x + h and x - h are exact, so the step divided by is the step really taken."""
    x = np.array([sign * mag])
    h = step_sizes(x, method)
    assert (x + h) - x == h
    assert (x - h) - x == -h


@pytest.mark.parametrize("name, f, df, x, tol", [
    ("1e6 x^3 at 1e-3", lambda x: 1e6 * x**3, lambda x: 3e6 * x**2, 1e-3, 1e-7),
    ("1e6 x^3 at -1e-3", lambda x: 1e6 * x**3, lambda x: 3e6 * x**2, -1e-3, 1e-7),
    ("x^2 at 1e8", lambda x: x**2, lambda x: 2 * x, 1e8, 1e-7),
    ("x^2 at -1e8", lambda x: x**2, lambda x: 2 * x, -1e8, 1e-7),
    ("sin at 1e-10", np.sin, np.cos, 1e-10, 1e-7),
    ("sin at 0", np.sin, np.cos, 0.0, 1e-7),
    ("exp at 50", np.exp, np.exp, 50.0, 1e-7),
    ("exp at -50", np.exp, np.exp, -50.0, 1e-7),
    ("1/x at 1e-5", lambda x: 1 / x, lambda x: -1 / x**2, 1e-5, 1e-7),
    ("1/x at -1e-5", lambda x: 1 / x, lambda x: -1 / x**2, -1e-5, 1e-7),
    ("sqrt at 1e-6", np.sqrt, lambda x: 0.5 / np.sqrt(x), 1e-6, 1e-7),
    ("log at 1e10", np.log, lambda x: 1 / x, 1e10, 1e-7),
    ("x^2 at 1e-3", lambda x: x**2, lambda x: 2 * x, 1e-3, 1e-7),
    ("exp(x) - 1 at 1e-8", np.expm1, np.exp, 1e-8, 1e-7),
])
def test_central_differences_on_badly_scaled_functions(name, f, df, x, tol):
    assert rel_err(derivative(f, x), df(x)) < tol, name
    assert rel_err(jacobian(f, np.array([x]))[0, 0], df(x)) < tol, name


@pytest.mark.parametrize("call, want, tol", [
    (lambda: jacobian(lambda v: np.array([1.0, -2.0, 3.0, -4.0]) @ v, [-1.0, 0.0, 1.0, 2.0])[0, 1], -2.0, 1e-8),
    (lambda: derivative(np.sqrt, 1e-12), 5e5, 1e-8),                     # a large step would leave the domain
    (lambda: derivative(lambda t: 1e200 * t**2, 1e-150), 2e50, 1e-7),    # only a step relative to x resolves it
    # f = t + 1e6 at 0: f carries ~1e-10 of absolute round-off, so no step below 1 gives better than ~1e-6
    (lambda: derivative(lambda t: t + 1e6, 0.0), 1.0, 1e-5),
], ids=["linear map at a zero coordinate", "sqrt at 1e-12", "tiny x", "offset at 0"])
def test_step_selection_handles_coordinates_near_zero(call, want, tol):
    """The candidate steps (∛ε·max(|x|, s), s = 1 … 0) and the error estimate pick a good one."""
    assert rel_err(call(), want) < tol


def test_badly_scaled_coordinates_in_one_vector():
    """Each coordinate gets its own step: x₀ tiny, x₁ huge, in one Jacobian."""
    def f(v):
        return np.array([1e6 * v[0] ** 3, v[1] ** 2, v[0] * v[1]])
    x = np.array([1e-3, 1e8])
    J = jacobian(f, x)
    want = np.array([[3.0, 0.0], [0.0, 2e8], [1e8, 1e-3]])
    assert rel_err(J[want != 0], want[want != 0]) < 1e-7
    assert np.all(J[want == 0] == 0)


def test_complex_step_sees_a_term_that_rounding_swallows():
    """1e6·x₀³ ≈ 1 next to x₁² = 1e16 is below f's last digit, so no difference of f values can see it;
    the complex step carries it in the imaginary part."""
    def f(v):
        return 1e6 * v[0] ** 3 + v[1] ** 2
    x = np.array([1e-3, 1e8])
    g = gradient(f, x, method="complex")
    assert rel_err(g, [3.0, 2e8]) < 1e-14


@pytest.mark.parametrize("f, df", [
    (np.sin, np.cos),
    (np.exp, np.exp),
    (lambda x: x**3 - 2 * x**2 + 5 * x - 7, lambda x: 3 * x**2 - 4 * x + 5),
    (lambda x: 4 * x**7 + x, lambda x: 28 * x**6 + 1),
    (lambda x: np.log(x**2 + 1), lambda x: 2 * x / (x**2 + 1)),
])
@pytest.mark.parametrize("x", [-40.0, -3.3, -1e-3, 0.0, 1e-9, 0.7, 2.0, 25.0])
def test_complex_step_is_near_machine_precision(f, df, x):
    want = df(x)
    got = derivative(f, x, method="complex")
    assert abs(got - want) <= 1e-13 * abs(want) + 1e-300, (x, got, want)


def test_complex_step_near_a_pole():
    """tan at 1.5707, 1e-4 from its pole: the central step (~1e-5) is too wide for 2 digits, the complex
    step is exact."""
    x = 1.5707
    want = 1 / np.cos(x) ** 2
    assert rel_err(derivative(np.tan, x, method="complex"), want) < 1e-12
    assert rel_err(derivative(np.tan, x), want) < 0.05


def test_complex_step_beats_central_differences():
    x = 0.7
    err_c = abs(derivative(np.exp, x) - np.exp(x))
    err_i = abs(derivative(np.exp, x, method="complex") - np.exp(x))
    assert err_i <= 1e-15 * np.exp(x) < err_c


def test_forward_is_first_order_and_less_accurate_than_central():
    x = 1.0
    err_f = abs(derivative(np.sin, x, method="forward") - np.cos(x))
    err_c = abs(derivative(np.sin, x) - np.cos(x))
    assert err_c < err_f < 1e-6


@pytest.mark.parametrize("f", [np.abs, lambda x: abs(x), lambda x: np.real(x) ** 2])
def test_complex_step_on_non_analytic_function_is_a_clear_type_error(f):
    """abs of a complex number is real: complex step would read 0.  mcdl refuses instead."""
    for x in (2.0, [2.0], [1.0, -2.0]):
        with pytest.raises(TypeError) as err:
            if np.ndim(x) == 0:
                derivative(f, x, method="complex")
            else:
                jacobian(f, x, method="complex")
        assert "complex" in str(err.value) and "method='central'" in str(err.value)
    with pytest.raises(TypeError, match="method='central'"):
        derivative(np.abs, np.array([1.0, 2.0]), method="complex")     # the array-of-points path too
    assert derivative(np.abs, -2.0) == pytest.approx(-1.0)              # central works


def test_complex_step_on_function_dropping_the_imaginary_part():
    """math.sin casts its complex argument to float (a numpy ComplexWarning): refused with a
    TypeError, also when another term keeps the output complex (it would silently lose cos x)."""
    for f in (math.sin, lambda t: math.sin(t) + t**2):
        with pytest.raises(TypeError, match="method='central'"):
            derivative(f, 1.0, method="complex")
        with pytest.raises(TypeError, match="method='central'"):
            partial(lambda v: f(v[0]) * v[1], [1.0, 2.0], 0, method="complex")
    assert derivative(math.sin, 1.0) == pytest.approx(math.cos(1.0), rel=1e-9)


# ---------------------------------------------------------------------------------------------
# Hypothesis properties
# ---------------------------------------------------------------------------------------------
finite = st.floats(min_value=-10, max_value=10, allow_nan=False, allow_infinity=False)


@st.composite
def affine_maps(draw):
    m = draw(st.integers(1, 6))
    n = draw(st.integers(1, 6))
    A = draw(hnp.arrays(float, (m, n), elements=finite))
    b = draw(hnp.arrays(float, (m,), elements=finite))
    x = draw(hnp.arrays(float, (n,), elements=finite))
    return A, b, x


@FAST
@given(affine_maps())
def test_property_jacobian_of_affine_map_is_A(data):
    with warnings.catch_warnings():          # A @ x + b may cancel to ~0 inside f: then mcdl says it is unsure
        warnings.simplefilter("ignore", AccuracyWarning)
        _affine_map_checks(data)


def _affine_map_checks(data):
    A, b, x = data
    m, n = A.shape
    tol = fd_tol(float(np.max(np.abs(A) @ np.abs(x) + np.abs(b))), x)[None, :]
    # written for one point: A @ X + b broadcasts wrongly on a batch when m == 2n+1, must be caught
    J = jacobian(lambda v: A @ v + b, x)
    assert J.shape == (m, n)
    assert np.all(np.abs(J - A) <= tol)
    # written for a batch: batch=True must accept it (no false rejection), same answer
    def batched(v):
        return A @ v + (b[:, None] if v.ndim == 2 else b)
    Jb = jacobian(batched, x, batch=True)
    Jc = jacobian(batched, x, batch=False)
    assert np.all(np.abs(Jb - A) <= tol)
    assert np.all(np.abs(Jb - Jc) <= tol)
    np.testing.assert_allclose(jacobian(batched, x, method="complex"), A, rtol=1e-13, atol=1e-13)


# element-wise compositions with their analytic derivatives; a, b are random coefficients
COMPOSITIONS = [
    ("sin(a x) + x^2", lambda a, b: (lambda x: np.sin(a * x) + x**2), lambda a, b: (lambda x: a * np.cos(a * x) + 2 * x)),
    ("exp(a x) b", lambda a, b: (lambda x: np.exp(a * x) * b), lambda a, b: (lambda x: a * b * np.exp(a * x))),
    ("a x^3 + b x", lambda a, b: (lambda x: a * x**3 + b * x), lambda a, b: (lambda x: 3 * a * x**2 + b)),
    ("log(1 + (a x)^2)", lambda a, b: (lambda x: np.log(1 + (a * x) ** 2)),
     lambda a, b: (lambda x: 2 * a**2 * x / (1 + (a * x) ** 2))),
    ("cos(x^2 + b) / (2 + sin(a x))", lambda a, b: (lambda x: np.cos(x**2 + b) / (2 + np.sin(a * x))),
     lambda a, b: (lambda x: (-2 * x * np.sin(x**2 + b) * (2 + np.sin(a * x)) - np.cos(x**2 + b) * a * np.cos(a * x))
                   / (2 + np.sin(a * x)) ** 2)),
    ("tanh(a x + b)", lambda a, b: (lambda x: np.tanh(a * x + b)), lambda a, b: (lambda x: a / np.cosh(a * x + b) ** 2)),
]
coef = st.floats(min_value=-3, max_value=3, allow_nan=False)
# coordinates of size 0 or above 1e-100: a coordinate far below the rounding of f's other terms (1e-157
# beside 5 - 5) is lost inside f itself, and no difference quotient can see its true slope
point = st.floats(min_value=-3, max_value=3, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-100)
# A coordinate like 4e-149 beside ones of size 1 takes windows of steps down to 1e-157, where f's rounding
# can exceed what ε·|f| predicts; the windows then disagree and mcdl says it is unsure (AccuracyWarning)
# although its number is right.  These properties check the numbers, so they allow that warning.
def unsure_allowed(test):
    @functools.wraps(test)
    def run(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AccuracyWarning)
            return test(*args, **kwargs)
    return run


def fd_tol(scale, x):
    """What central differences can promise, per coordinate: round-off ≈ ε·scale/hⱼ (scale = the size
    of the terms f adds up, hⱼ = step_sizes(x)), plus a little for the O(h²) truncation."""
    h = step_sizes(np.atleast_1d(np.asarray(x, dtype=float)))
    return 64 * EPS * (1 + np.abs(scale)) / h + 1e-8 * (1 + np.abs(scale))


@FAST
@given(st.sampled_from(COMPOSITIONS), coef, coef, point)
@unsure_allowed
def test_property_elementwise_composition_matches_analytic_derivative(comp, a, b, x):
    _, make_f, make_df = comp
    f, df = make_f(a, b), make_df(a, b)
    want = df(x)
    fx = f(x)
    tol = fd_tol(fx, x)[0] + 1e-7 * abs(want)
    got = derivative(f, x)
    assert np.isfinite(got)
    assert abs(got - want) <= tol
    assert derivative(f, x, method="complex") == pytest.approx(want, rel=1e-11, abs=1e-11)


@FAST
@given(st.sampled_from(COMPOSITIONS), coef, coef, hnp.arrays(float, st.integers(1, 6), elements=point))
@unsure_allowed
def test_property_elementwise_vector_function_has_diagonal_jacobian(comp, a, b, x):
    """The paper's element-wise diagonal condition (§4.2): ∂f(x)/∂x = diag(f'(xᵢ))."""
    _, make_f, make_df = comp
    f, df = make_f(a, b), make_df(a, b)
    want = np.diag(df(x))
    tol = fd_tol(np.max(np.abs(f(x))), x)[None, :] + 1e-7 * np.abs(want)
    J = jacobian(f, x)
    assert np.all(np.isfinite(J))
    assert np.all(np.abs(J - want) <= tol)
    J_columns = jacobian(f, x, batch=False)
    assert np.all(np.abs(J - J_columns) <= tol)
    np.testing.assert_allclose(derivative(f, x), np.diag(J), rtol=1e-9, atol=tol.max())
    np.testing.assert_allclose(jacobian(f, x, method="complex"), want, rtol=1e-11, atol=1e-11)


@st.composite
def quadratics(draw):
    n = draw(st.integers(1, 6))
    Q = draw(hnp.arrays(float, (n, n), elements=st.floats(-5, 5)))
    x = draw(hnp.arrays(float, (n,), elements=st.floats(-5, 5).filter(lambda v: v == 0 or abs(v) > 1e-100)))
    return Q, x


@FAST
@given(quadratics())
@unsure_allowed
def test_property_gradient_of_quadratic_form_is_Q_plus_Q_transpose_x(data):
    Q, x = data
    want = (Q + Q.T) @ x
    fx = abs(x @ Q @ x) + np.abs(Q).sum() * np.abs(x).max() ** 2
    tol = fd_tol(fx, x) + 1e-8 * np.abs(want)
    # x @ Q @ x cannot take a batch (falls back); the einsum form can.  Both must agree.
    g1 = gradient(lambda v: v @ Q @ v, x)
    g2 = gradient(lambda v: np.einsum("i...,ij,j...->...", v, Q, v), x)
    assert g1.shape == g2.shape == x.shape
    assert np.all(np.isfinite(g1)) and np.all(np.isfinite(g2))
    assert np.all(np.abs(g1 - want) <= tol)
    assert np.all(np.abs(g2 - want) <= tol)
    np.testing.assert_allclose(gradient(lambda v: v @ Q @ v, x, method="complex"), want,
                               rtol=1e-12, atol=1e-12 * (1 + np.abs(want).max()))


@FAST
@given(hnp.arrays(float, st.integers(1, 6), elements=point), st.integers(1, 4))
@unsure_allowed
def test_property_batched_and_column_by_column_agree(x, m):
    """A batch-friendly nonlinear f: one call on the batch, or 2n+1 calls — the same Jacobian."""
    n = x.size
    W = np.cos(np.arange(m * n).reshape(m, n) + 1.0)

    def f(v):
        return np.tanh(W @ v) + np.sin(v[0]) * v[-1] ** 2

    fb, calls_b = counted(f)
    fc, calls_c = counted(f)
    Jb = jacobian(fb, x)
    Jc = jacobian(fc, x, batch=False)
    assert Jb.shape == Jc.shape == (m, n)
    assert np.all(np.isfinite(Jb))
    assert np.all(np.abs(Jb - Jc) <= fd_tol(float(np.abs(W).sum() + 10), x)[None, :])
    # a batch holds columns of points; one point at a time, every call gets one point of shape (n,)
    assert any(len(s) == 2 and s[0] == n for s in calls_b) and len(calls_b) <= len(calls_c) + 4
    assert all(s == (n,) for s in calls_c)


# ---------------------------------------------------------------------------------------------
# Batch detection: functions that mix the columns of a batch
# ---------------------------------------------------------------------------------------------
def softmax(v):
    e = np.exp(v - np.max(v))
    return e / np.sum(e)


def softmax_jacobian(v):
    s = softmax(v)
    return np.diag(s) - np.outer(s, s)


X3 = np.array([1.0, 2.0, 4.0])
MIXING = [
    ("x / sum(x)", lambda v: v / np.sum(v), X3, lambda v: (np.eye(v.size) * np.sum(v) - v[:, None]) / np.sum(v) ** 2),
    ("[norm(x)]", lambda v: np.array([np.linalg.norm(v)]), X3, lambda v: (v / np.linalg.norm(v))[None, :]),
    ("x @ x", lambda v: v @ v, X3, lambda v: 2 * v[None, :]),
    ("softmax", softmax, X3, softmax_jacobian),
    # the batch's mean is x's mean, so the column of x itself comes out right: only a second check sees it
    ("x - mean(x)", lambda v: v - np.mean(v), X3, lambda v: np.eye(v.size) - 1 / v.size),
    ("x / mean(x)", lambda v: v / np.mean(v), X3,
     lambda v: (np.eye(v.size) * np.mean(v) - v[:, None] / v.size) / np.mean(v) ** 2),
    ("x - x.mean(axis=-1) at a constant x", lambda v: v - v.mean(axis=-1, keepdims=True), np.ones(3),
     lambda v: np.eye(v.size) - 1 / v.size),
    ("x * sum(x) at 0", lambda v: v * np.sum(v), np.zeros(3), lambda v: np.zeros((3, 3))),
]


@pytest.mark.parametrize("name, f, x, J", MIXING, ids=[m[0] for m in MIXING])
def test_function_mixing_batch_columns_still_gets_the_right_jacobian(name, f, x, J):
    want = J(x)
    got = jacobian(f, x)
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(jacobian(f, x, batch=False), want, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("name, f, x, J", MIXING[:6], ids=[m[0] for m in MIXING[:6]])
def test_batch_true_on_mixing_function_is_a_shape_error(name, f, x, J):
    with pytest.raises(ShapeError) as err:
        jacobian(f, x, batch=True)
    msg = str(err.value)
    assert "batch" in msg and "(3, 3)" in msg and "batch=None" in msg


def test_batch_true_accepts_outputs_that_cancel_to_zero():
    """A batched matmul sums in another order than a single one; an output ≈ 0 must not be taken
    for column mixing (batch=True used to raise here)."""
    rng = np.random.default_rng(1)
    for _ in range(50):
        n = int(rng.integers(2, 7))
        A, x = rng.normal(size=(2, n)), rng.normal(size=n)
        A[0, -1] = -(A[0, :-1] @ x[:-1]) / x[-1]            # f₀(x) = 0 up to rounding
        np.testing.assert_allclose(jacobian(lambda v: A @ v, x, batch=True), A, rtol=1e-8, atol=1e-8)


def test_batch_false_never_passes_a_batch():
    f, calls = counted(lambda v: np.sin(v))
    jacobian(f, np.ones(4), batch=False)
    assert all(s == (4,) for s in calls)


def test_batch_is_not_tried_for_scalar_x():
    for method in METHODS:
        f, calls = counted(np.sin)
        jacobian(f, 1.0, method=method)
        assert all(len(s) == 0 for s in calls), method


@pytest.mark.parametrize("method", METHODS)
def test_every_method_batches_a_vector_x(method):
    f, calls = counted(np.sin)
    J = jacobian(f, [1.0, 2.0, 3.0], method=method)
    np.testing.assert_allclose(J, np.diag(np.cos([1.0, 2.0, 3.0])), rtol=1e-9, atol=1e-12)
    assert any(len(s) == 2 for s in calls)


def test_f_that_fails_on_a_batch_falls_back_quietly():
    def only_vectors(v):
        if np.ndim(v) != 1:
            raise RuntimeError("I only take one point")
        return np.array([v[0] * v[1]])
    np.testing.assert_allclose(jacobian(only_vectors, [2.0, 3.0]), [[3.0, 2.0]], rtol=1e-9)
    with pytest.raises(ShapeError, match="batch"):
        jacobian(only_vectors, [2.0, 3.0], batch=True)


def test_batch_that_leaves_the_domain_falls_back_to_a_clear_error():
    """sqrt at x₀ = 0: x₀ - h is outside the domain, so the batch holds NaN; the column-by-column path
    then names the point that failed."""
    with pytest.raises(ValueError, match=r"not finite near x = \[0"):
        jacobian(np.sqrt, [0.0, 1.0])
    np.testing.assert_allclose(jacobian(np.sqrt, [1e-6, 4.0]), np.diag([500.0, 0.25]), rtol=1e-7)


# ---------------------------------------------------------------------------------------------
# Bad inputs: documented errors whose messages name the shapes and types
# ---------------------------------------------------------------------------------------------
ENTRY_POINTS = {
    "derivative": lambda f, x, **kw: derivative(f, x, **kw),
    "jacobian": lambda f, x, **kw: jacobian(f, x, **kw),
    "gradient": lambda f, x, **kw: gradient(f, x, **kw),
    "partial": lambda f, x, **kw: partial(f, x, 0, **kw),
}


def square_sum(v):
    return np.sum(np.asarray(v) ** 2)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("x, exc, words", [
    ("1.0", TypeError, ["text", "'1.0'"]),
    (b"1", TypeError, ["text"]),
    (None, TypeError, ["NoneType"]),
    ({"x": 1.0}, TypeError, ["dict"]),
    ({1.0, 2.0}, TypeError, ["set"]),
    (["a", "b"], TypeError, ["list", "text"]),
    (["1", "2"], TypeError, ["list", "text"]),
    ([[1.0, 2.0], [3.0]], TypeError, ["list", "numbers"]),
    ([1.0, None], TypeError, ["list", "None"]),
    (True, TypeError, ["boolean"]),
    (np.bool_(False), TypeError, ["boolean"]),
    (1 + 2j, TypeError, ["complex"]),
    (np.array([1.0 + 1j, 2.0]), TypeError, ["complex"]),
    pytest.param(10**400, TypeError, ["int"], id="10**400"),
    (np.sin, TypeError, ["ufunc"]),
])
def test_bad_x_types(entry, x, exc, words):
    with pytest.raises(exc) as err:
        ENTRY_POINTS[entry](square_sum, x)
    for w in words:
        assert w in str(err.value), (w, str(err.value))
    assert str(err.value).startswith("x ")


@pytest.mark.parametrize("entry", ["jacobian", "gradient", "partial", "derivative"])
@pytest.mark.parametrize("x, word", [
    (float("nan"), "nan"), (np.inf, "inf"), (-np.inf, "-inf"),
    ([1.0, np.nan], "nan"), ([np.inf, 2.0], "inf"),
])
def test_x_with_nan_or_inf(entry, x, word):
    with pytest.raises(ValueError) as err:
        ENTRY_POINTS[entry](square_sum, x)
    msg = str(err.value).lower()
    assert word in msg and "finite" in msg
    if np.ndim(x):
        assert "index" in msg


@pytest.mark.parametrize("entry", ["jacobian", "gradient", "partial"])
@pytest.mark.parametrize("shape, ravel", [((3, 1), True), ((1, 3), True), ((2, 2), False), ((2, 2, 2), False)])
def test_x_of_wrong_rank(entry, shape, ravel):
    with pytest.raises(ShapeError) as err:
        ENTRY_POINTS[entry](square_sum, np.ones(shape))
    msg = str(err.value)
    assert str(shape) in msg and "(n,)" in msg
    assert ("ravel" in msg) == ravel


def test_shape_error_is_a_value_error_to_callers():
    with pytest.raises(ValueError):
        jacobian(square_sum, np.ones((3, 1)))


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("x", [[], np.array([]), np.zeros((0,))])
def test_empty_x(entry, x):
    with pytest.raises(ShapeError, match="empty"):
        ENTRY_POINTS[entry](square_sum, x)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("f, words", [
    (5, ["function", "int", "f(x)"]),
    (2.5, ["function", "float"]),
    (None, ["function", "NoneType"]),
    ("x**2", ["function", "text", "'x**2'"]),
    (np.array([1.0, 2.0]), ["function", "ndarray"]),
])
def test_f_not_callable(entry, f, words):
    with pytest.raises(TypeError) as err:
        ENTRY_POINTS[entry](f, [1.0, 2.0])
    for w in words:
        assert w in str(err.value)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_invalid_method_lists_the_methods(entry):
    with pytest.raises(ValueError) as err:
        ENTRY_POINTS[entry](square_sum, [1.0, 2.0], method="centered")
    msg = str(err.value)
    assert "'centered'" in msg
    for m in METHODS:
        assert repr(m) in msg


@pytest.mark.parametrize("entry", ["jacobian", "gradient", "partial"])
@pytest.mark.parametrize("out, exc, words", [
    ("abc", TypeError, ["text", "f(x)"]),
    (None, TypeError, ["NoneType", "f(x)"]),
    ({"y": 1}, TypeError, ["dict"]),
    (np.ones((2, 2)), ShapeError, ["(2, 2)", "ravel"]),
    (np.ones((1, 1)), ShapeError, ["(1, 1)"]),
])
def test_f_returning_the_wrong_kind_of_thing(entry, out, exc, words):
    with pytest.raises(exc) as err:
        ENTRY_POINTS[entry](lambda v: out, [1.0, 2.0])
    for w in words:
        assert w in str(err.value)


def test_derivative_of_f_returning_text_or_none():
    with pytest.raises(TypeError, match="text"):
        derivative(lambda t: "x^2", 1.0)
    with pytest.raises(TypeError, match="NoneType"):
        derivative(lambda t: None, 1.0)          # the classic forgotten `return`


@pytest.mark.parametrize("call, where", [
    (lambda: derivative(np.log, -1.0), "-1"),
    (lambda: derivative(np.sqrt, -4.0), "-4"),
    (lambda: derivative(lambda t: 1 / t, 0.0), "0"),
    (lambda: jacobian(np.log, [2.0, -1.0]), "-1"),
    (lambda: gradient(lambda v: np.log(v[0]) + v[1], [-1.0, 2.0]), "-1"),
    (lambda: partial(lambda v: np.log(v[0]) + v[1], [-1.0, 2.0], 1), "-1"),
    (lambda: derivative(lambda t: np.arcsin(t), 1.0), "1"),      # on the domain's edge: x + h is outside
])
def test_f_not_finite_at_x_is_a_value_error_without_warnings(call, where):
    """pytestmark turns every warning into an error, so no RuntimeWarning may escape here."""
    with pytest.raises(ValueError) as err:
        call()
    msg = str(err.value)
    assert "not finite" in msg and "domain" in msg
    assert f"x = {where}" in msg or where in msg.split("x = ")[1].split("(got")[0], msg


def test_partial_names_the_whole_point_when_f_is_undefined():
    with pytest.raises(ValueError) as err:
        partial(lambda v: np.log(v[0]) + v[1], [-1.0, 2.0], 1)
    assert "[-1.  2.]" in str(err.value)


@pytest.mark.parametrize("exc", [ValueError, TypeError, ZeroDivisionError, IndexError, ArithmeticError])
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_f_raising_keeps_the_error_type_and_names_the_shape_of_x(entry, exc):
    """The learner's own exception object comes out: its type, message and traceback, with a note."""
    raised = []

    def bad(v):
        raised.append(exc("boom"))
        raise raised[-1]
    x = 1.0 if entry == "derivative" else [1.0, 2.0, 3.0]
    with pytest.raises(exc) as err:
        ENTRY_POINTS[entry](bad, x)
    assert err.value is raised[0] and str(err.value) == "boom"
    note = " ".join(err.value.__notes__)
    assert exc.__name__ in note and ("a scalar x" if entry == "derivative" else "x of shape (3,)") in note
    assert any(frame.name == "bad" for frame in traceback.extract_tb(err.value.__traceback__))


def test_an_exception_class_that_needs_more_arguments_is_not_rebuilt():
    """x + "1" raises numpy's _UFuncNoLoopError, whose constructor takes two more arguments."""
    with pytest.raises(TypeError) as err:
        derivative(lambda t: np.asarray(t) + "1", 1.0)
    assert "__init__" not in str(err.value) and "a scalar x" in " ".join(err.value.__notes__)


def test_f_with_a_shape_bug_inside_gets_a_note_naming_x():
    with pytest.raises(ValueError) as err:
        jacobian(lambda v: v @ np.ones(3), [1.0, 2.0])
    assert "shape (2,)" in " ".join(err.value.__notes__)


def test_derivative_with_a_vector_x_and_non_elementwise_f_points_to_gradient():
    for f in (lambda v: np.sum(v**2), lambda v: v @ v, lambda v: np.array([v[0], v[1]])[:1]):
        with pytest.raises(ShapeError) as err:
            derivative(f, [1.0, 2.0])
        msg = str(err.value)
        assert "gradient" in msg and "jacobian" in msg and "(2,)" in msg


def test_derivative_of_vector_valued_f_points_to_jacobian():
    with pytest.raises(ShapeError, match="jacobian"):
        derivative(lambda t: np.array([t, t**2]), 1.0)


def test_gradient_of_vector_valued_f_points_to_jacobian_with_the_shape():
    with pytest.raises(ShapeError) as err:
        gradient(lambda v: np.array([v[0], v[1], v[0] * v[1]]), [1.0, 2.0])
    msg = str(err.value)
    assert "jacobian" in msg and "(3, 2)" in msg and "(3,)" in msg


def test_partial_of_vector_valued_f_points_to_jacobian():
    with pytest.raises(ShapeError, match="jacobian"):
        partial(lambda v: v**2, [1.0, 2.0], 0)


def test_partial_needs_a_vector_x():
    with pytest.raises(ShapeError, match="derivative"):
        partial(lambda t: t**2, 1.0, 0)


@pytest.mark.parametrize("i", [2, 5, -3, 100])
def test_partial_index_out_of_range(i):
    with pytest.raises(IndexError) as err:
        partial(f_paper, [1.0, 2.0], i)
    msg = str(err.value)
    assert str(i) in msg and "0..1" in msg and "length 2" in msg


@pytest.mark.parametrize("i, tname", [(1.0, "float"), ("0", "str"), (True, "bool"), (None, "NoneType"),
                                      (np.float64(0), "float64"), ([0], "list")])
def test_partial_index_not_an_integer(i, tname):
    with pytest.raises(TypeError) as err:
        partial(f_paper, [1.0, 2.0], i)
    assert "integer" in str(err.value) and tname in str(err.value)


def test_output_size_must_not_depend_on_x():
    def jumpy(v):
        return np.ones(1 if v[0] <= 1.0 else 2) * v[0]
    with pytest.raises(ShapeError, match="depend on x"):
        jacobian(jumpy, [1.0, 2.0])


def test_no_bare_numpy_errors_from_the_array_of_points_path():
    with pytest.raises(TypeError, match="text"):
        derivative(lambda t: "abc", [1.0, 2.0])
    with pytest.raises(ShapeError):
        derivative(lambda t: np.outer(t, t), [1.0, 2.0])


# ---------------------------------------------------------------------------------------------
# Issue: never silently wrong.  Exact derivatives across magnitudes 1e-12 … 1e8, many families
# ---------------------------------------------------------------------------------------------
FAMILIES = [   # (name, f(x, a, b), f'(x, a, b)) with a, b in [0.5, 3]
    ("a sin(b x)", lambda x, a, b: a * np.sin(b * x), lambda x, a, b: a * b * np.cos(b * x)),
    ("exp(a tanh x) / (1 + x²)", lambda x, a, b: np.exp(a * np.tanh(x)) / (1 + x * x),
     lambda x, a, b: np.exp(a * np.tanh(x)) * (a / np.cosh(x) ** 2 / (1 + x * x) - 2 * x / (1 + x * x) ** 2)),
    ("a x³", lambda x, a, b: a * x**3, lambda x, a, b: 3 * a * x**2),
    ("a / (x - b)", lambda x, a, b: a / (x - b), lambda x, a, b: -a / (x - b) ** 2),
    ("tanh(a x)", lambda x, a, b: np.tanh(a * x), lambda x, a, b: a / np.cosh(a * x) ** 2),
    ("a x + 1e8 b", lambda x, a, b: a * x + 1e8 * b, lambda x, a, b: a + 0 * x),
    ("atan(a x) + b", lambda x, a, b: np.arctan(a * x) + b, lambda x, a, b: a / (1 + (a * x) ** 2)),
    ("x exp(-a x²)", lambda x, a, b: x * np.exp(-a * x * x), lambda x, a, b: (1 - 2 * a * x * x) * np.exp(-a * x * x)),
    ("sqrt(x² + b)", lambda x, a, b: np.sqrt(x * x + b), lambda x, a, b: x / np.sqrt(x * x + b)),
    ("1/x + a", lambda x, a, b: 1 / x + a, lambda x, a, b: -1 / x**2),
    ("a x² + b x", lambda x, a, b: a * x * x + b * x, lambda x, a, b: 2 * a * x + b),
]
PLAIN_STEPS = 10.0 ** np.arange(-300, 5, 0.25)


def best_plain_error(f, x, want, method):
    """The smallest relative error a plain difference quotient reaches robustly: the exact answer picks
    the step, and the two neighbouring steps (×10^±0.25) must be as good (no lucky cancellation)."""
    h = (np.abs(x) + PLAIN_STEPS) - np.abs(x)
    h = h[h > 0]
    with np.errstate(all="ignore"):
        q = (f(x + h) - f(x - h)) / (2 * h) if method == "central" else (f(x + h) - f(x)) / h
        err = np.abs(q - want) / abs(want)
    err = np.where(np.isfinite(err), err, np.inf)
    if err.size < 3:
        return np.inf
    return float(np.min(np.maximum(np.maximum(err[:-2], err[1:-1]), err[2:])))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.sampled_from(FAMILIES), st.floats(0.5, 3.0), st.floats(0.5, 3.0), st.floats(-12, 8),
       st.sampled_from([1.0, -1.0]), st.sampled_from(["central", "forward"]))
def test_property_no_silently_wrong_derivative(family, a, b, u, sign, method):
    """Where a plain difference with a good step reaches 1e-7, mcdl is within 1e-5; and wherever it is off
    by more than 1e-5 (and more than a few times ε^(2/3)·|f|, the floor of any finite difference), it
    says so."""
    name, f, df = family
    x = sign * 10.0 ** u
    g = (lambda t: f(t, a, b))
    with np.errstate(all="ignore"):
        want, fx = float(df(x, a, b)), float(g(x))
    assume(np.isfinite(want) and want != 0 and np.isfinite(fx) and abs(x - b) > 1e-3 * max(abs(b), abs(x)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AccuracyWarning)
        got, info = derivative(g, x, method=method, full_output=True)
    warned = any(issubclass(w.category, AccuracyWarning) for w in caught)
    err = abs(got - want) / abs(want)
    if best_plain_error(g, x, want, method) < 1e-7:
        assert err < 1e-5, (name, x, method, got, want)
    if err > 1e-5 and abs(got - want) > 4 * EPS ** (2 / 3) * abs(fx) / max(abs(x), 1.0):
        assert warned, (name, x, method, got, want, info)


def test_gradient_at_n_10000_needs_little_memory():
    """O(n) extra memory for a gradient: f = sum(x²) cannot take a batch, so one point at a time; the
    peak allocation stays far below an n×n array (800 MB at n = 10,000)."""
    tracemalloc.start()
    try:
        g = gradient(lambda v: np.sum(v**2), np.full(10_000, 0.5))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(g, 1.0, rtol=1e-8)
    assert peak < 100e6, peak


def test_a_batched_jacobian_is_evaluated_in_chunks():
    calls = []

    def f(v):
        calls.append(np.shape(v))
        return np.sin(v)
    n = 600
    jacobian(f, np.linspace(0.1, 1.0, n))
    assert max(int(np.prod(s)) for s in calls) <= (1 << 18) + n


def test_gradient_refuses_a_vector_valued_f_before_differencing():
    calls = []

    def f(v):
        calls.append(1)
        return v * 2
    with pytest.raises(ShapeError, match="jacobian"):
        gradient(f, np.ones(50))
    assert len(calls) == 1


@pytest.mark.parametrize("method", ["central", "forward"])
def test_real_methods_refuse_a_complex_valued_f(method):
    with pytest.raises(TypeError, match="complex"):
        derivative(lambda t: np.exp(1j * t), 0.3, method=method)


def test_complex_step_refuses_an_f_complex_at_real_input():
    with pytest.raises(TypeError, match="real x"):
        derivative(lambda t: np.exp(1j * t), 0.3, method="complex")


def test_f_changing_its_argument_does_not_change_the_callers_x():
    x = np.array([1.0, 2.0])

    def f(v):
        v += 1.0
        return np.sum(v**2)
    g = gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    np.testing.assert_allclose(g, 2 * (x + 1), rtol=1e-8)


def test_f_writing_into_a_shared_buffer_still_gets_its_derivative():
    buffer = np.empty(1)
    assert derivative(lambda t: np.sin(np.atleast_1d(t), out=buffer), 0.5) == pytest.approx(np.cos(0.5), rel=1e-9)


@pytest.mark.parametrize("f, x, want", [
    (lambda t: 1 / t, 1e-10, -1e20),
    (lambda t: t**3, 2e-12, 3 * (2e-12) ** 2),
    (np.sin, 1e6, math.cos(1e6)),
    (lambda t: 1e8 + t, 0.0, 1.0),
    (lambda t: np.maximum(0, t), -1e-6, 0.0),
    (lambda t: np.maximum(0, t), -3e-7, 0.0),
    (lambda t: np.maximum(0, t), -1e-300, 0.0),
    (lambda t: np.maximum(0, t), 0.0, 0.0),            # the paper's convention ReLU'(0) = 0
    (lambda t: np.maximum(0, t), 1e-9, 1.0),
    (np.abs, 0.0, 0.0),
    (lambda t: np.maximum(0, t - 1), 1 + 1e-8, 1.0),
    (lambda t: np.maximum(0, t - 1), 1 - 1e-8, 0.0),
], ids=["1/t at 1e-10", "t³ at 2e-12", "sin at 1e6", "1e8 + t at 0", "relu at -1e-6", "relu at -3e-7",
        "relu at -1e-300", "relu at 0", "relu at 1e-9", "abs at 0", "relu(t-1) right", "relu(t-1) left"])
def test_the_issues_silently_wrong_cases_are_right(f, x, want):
    got, info = derivative(f, x, full_output=True)
    assert isinstance(info, Estimate)
    assert abs(got - want) <= 1e-7 * abs(want) + 1e-12, (got, want)


def test_a_kink_is_reported_in_the_estimate():
    _, info = derivative(np.abs, 0.0, full_output=True)
    assert info.kink.all()
    _, info = derivative(np.abs, 0.5, full_output=True)
    assert not info.kink.any() and info.worst < 1e-9


def test_a_jump_is_not_differentiable():
    with pytest.raises(ValueError, match="not differentiable"):
        derivative(np.sign, 0.0)


def test_an_unreliable_derivative_says_so():
    """sin rounded to float32 carries noise of 1e-8 that no step removes: the warning says so."""
    with pytest.warns(AccuracyWarning, match="estimated error"):
        got = derivative(lambda t: np.float32(np.sin(t)), 0.7)
    assert abs(got - math.cos(0.7)) < 1e-4
