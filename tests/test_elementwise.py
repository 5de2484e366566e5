"""mcdl.elementwise: element-wise operators, scalar expansion and sum reduction (paper §4.2–4.4).

Every analytic Jacobian is compared with mcdl.jacobian (finite differences) on hypothesis-drawn vectors, the
paper's worked examples 13–17 and 25–26 are test cases, and bad inputs give errors that name the shapes.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import mcdl
from mcdl import elementwise as ew
from mcdl.shapes import ShapeError

W = np.array([1.0, 2.0, 3.0])
X = np.array([4.0, 5.0, 6.0])

finite = st.floats(-5, 5, allow_nan=False, allow_infinity=False)
away_from_zero = st.one_of(st.floats(0.3, 5), st.floats(-5, -0.3))


def vectors(n, elements=finite):
    return arrays(float, n, elements=elements)


@st.composite
def pairs(draw, x_elements=finite):
    n = draw(st.integers(1, 6))
    return draw(vectors(n)), draw(vectors(n, x_elements))


def numeric_w(op, w, x):
    return mcdl.jacobian(lambda a: op(a, x), w)


def numeric_x(op, w, x):
    return mcdl.jacobian(lambda a: op(w, a), x)


# --- the paper's examples ---------------------------------------------------------------------------------------
def test_example_13_identity_jacobian_is_I():
    x = np.array([0.5, -1.0, 2.0, 7.0])
    np.testing.assert_allclose(mcdl.jacobian(lambda v: v, x), np.eye(4), atol=1e-9)


@pytest.mark.parametrize("symbol, dw, dx", [
    ("+", np.eye(3), np.eye(3)),
    ("−", np.eye(3), -np.eye(3)),
    ("⊗", np.diag(X), np.diag(W)),
    ("⊘", np.diag(1 / X), np.diag([-0.0625, -0.08, -1 / 12])),
])
def test_example_14_the_four_operators_at_the_papers_vectors(symbol, dw, dx):
    op = ew.OPERATORS[symbol]
    np.testing.assert_allclose(op.jacobian_w(W, X), dw, rtol=1e-12)
    np.testing.assert_allclose(op.jacobian_x(W, X), dx, rtol=1e-12)
    np.testing.assert_allclose(numeric_w(op, W, X), dw, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(numeric_x(op, W, X), dx, rtol=1e-7, atol=1e-9)


def test_example_14_division_spot_value_from_the_paper_map():
    np.testing.assert_allclose(np.diagonal(ew.DIVIDE.jacobian_x(W, X)), [-0.0625, -0.08, -0.0833333333], rtol=1e-9)


def test_example_15_scalar_expansion():
    x, z = np.array([1.0, -2.0, 0.5, 3.0]), 2.5
    np.testing.assert_allclose(ew.ADD_SCALAR.jacobian_x(x, z), np.eye(4))
    np.testing.assert_allclose(ew.ADD_SCALAR.jacobian_z(x, z), np.ones((4, 1)))
    np.testing.assert_allclose(ew.MULTIPLY_SCALAR.jacobian_x(x, z), np.eye(4) * z)
    np.testing.assert_allclose(ew.MULTIPLY_SCALAR.jacobian_z(x, z), x[:, None])
    # ∂/∂z is a column (n, 1): what mcdl.jacobian returns for a scalar input and a vector output
    for se in (ew.ADD_SCALAR, ew.MULTIPLY_SCALAR):
        np.testing.assert_allclose(mcdl.jacobian(lambda t: se(x, t), z), se.jacobian_z(x, z), rtol=1e-8)
        np.testing.assert_allclose(mcdl.jacobian(lambda v: se(v, z), x), se.jacobian_x(x, z), rtol=1e-8, atol=1e-10)


def test_scalar_expansion_is_what_numpy_broadcasting_computes():
    x, z = np.array([1.0, -2.0, 0.5]), 2.5
    np.testing.assert_array_equal(ew.ADD_SCALAR(x, z), x + z)
    np.testing.assert_array_equal(ew.MULTIPLY_SCALAR(x, z), x * z)
    np.testing.assert_array_equal(ew.expand(z, 3), [2.5, 2.5, 2.5])


def test_example_16_gradient_of_sum_is_a_row_of_ones():
    x = np.array([3.0, -1.0, 4.0, 1.5])
    g = ew.vector_sum_gradient(x)
    assert g.shape == (1, 4)
    np.testing.assert_array_equal(g, np.ones((1, 4)))
    np.testing.assert_allclose(mcdl.jacobian(ew.vector_sum, x), g, rtol=1e-9)


def test_example_17_sum_of_x_times_z():
    x, z = np.array([1.0, 2.0, -4.0]), 1.5
    def y(v, t):
        return ew.vector_sum(ew.MULTIPLY_SCALAR(v, t))
    wrt_x = ew.sum_gradient(ew.MULTIPLY_SCALAR.jacobian_x(x, z))
    wrt_z = ew.sum_gradient(ew.MULTIPLY_SCALAR.jacobian_z(x, z))
    np.testing.assert_allclose(wrt_x, [[z, z, z]])
    assert wrt_z.shape == (1, 1) and wrt_z[0, 0] == pytest.approx(x.sum())
    np.testing.assert_allclose(mcdl.jacobian(lambda v: y(v, z), x), wrt_x, rtol=1e-8)
    np.testing.assert_allclose(mcdl.jacobian(lambda t: y(x, t), z), wrt_z, rtol=1e-8)


@pytest.mark.parametrize("w, x", [(W, X), (np.array([0.5, -2.0]), np.array([3.0, 0.25]))])
def test_examples_25_26_dot_product_gradients_are_x_and_w_transposed(w, x):
    assert ew.dot(w, x) == pytest.approx(float(w @ x))
    np.testing.assert_allclose(ew.dot_jacobian_w(w, x), x[None, :])     # xᵀ
    np.testing.assert_allclose(ew.dot_jacobian_x(w, x), w[None, :])     # wᵀ
    np.testing.assert_allclose(mcdl.jacobian(lambda v: ew.dot(v, x), w), x[None, :], rtol=1e-8)
    np.testing.assert_allclose(mcdl.jacobian(lambda v: ew.dot(w, v), x), w[None, :], rtol=1e-8)


# --- properties against finite differences ---------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(pairs())
def test_add_subtract_multiply_match_finite_differences(wx):
    w, x = wx
    for op in (ew.ADD, ew.SUBTRACT, ew.MULTIPLY):
        np.testing.assert_allclose(op.jacobian_w(w, x), numeric_w(op, w, x), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(op.jacobian_x(w, x), numeric_x(op, w, x), rtol=1e-6, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(pairs(x_elements=away_from_zero))
def test_divide_matches_finite_differences(wx):
    w, x = wx
    np.testing.assert_allclose(ew.DIVIDE.jacobian_w(w, x), numeric_w(ew.DIVIDE, w, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ew.DIVIDE.jacobian_x(w, x), numeric_x(ew.DIVIDE, w, x), rtol=1e-6, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(pairs())
def test_elementwise_jacobians_are_diagonal(wx):
    w, x = wx
    off = ~np.eye(w.size, dtype=bool)
    for op in (ew.ADD, ew.SUBTRACT, ew.MULTIPLY):
        assert not op.jacobian_w(w, x)[off].any() and not op.jacobian_x(w, x)[off].any()


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(vectors(n), finite)))
def test_scalar_expansion_matches_finite_differences(xz):
    x, z = xz
    for se in (ew.ADD_SCALAR, ew.MULTIPLY_SCALAR):
        assert se.jacobian_z(x, z).shape == (x.size, 1)
        np.testing.assert_allclose(se.jacobian_z(x, z), mcdl.jacobian(lambda t: se(x, t), z), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(se.jacobian_x(x, z), mcdl.jacobian(lambda v: se(v, z), x), rtol=1e-6, atol=1e-8)


def coupled(x):
    return x * np.roll(x, -1) + np.sin(x).sum()          # every fᵢ reads all of x


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6).flatmap(vectors))
def test_sum_gradient_is_column_sums_of_any_jacobian(x):
    J = mcdl.jacobian(coupled, x)
    row = ew.sum_gradient(J)
    assert row.shape == (1, x.size)
    np.testing.assert_allclose(row, J.sum(axis=0, keepdims=True))
    np.testing.assert_allclose(row, mcdl.jacobian(lambda v: ew.sum_of(coupled, v), x), rtol=1e-6, atol=1e-7)


# --- small pieces and bad inputs -------------------------------------------------------------------------------
def test_diag_builds_and_refuses_matrices():
    np.testing.assert_array_equal(ew.diag([1, 2]), [[1, 0], [0, 2]])
    assert mcdl.diag is ew.diag
    with pytest.raises(ShapeError, match=r"np.diagonal"):
        ew.diag(np.eye(2))
    with pytest.raises(ShapeError, match=r"got a scalar"):
        ew.diag(3.0)
    with pytest.raises(TypeError, match="text"):
        ew.diag("12")


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, "3"])
def test_ones_needs_a_positive_integer(bad):
    with pytest.raises(TypeError, match="positive integer"):
        ew.ones(bad)


def test_operator_aliases_and_unknown_operator():
    assert ew.operator("*") is ew.MULTIPLY is ew.operator("⊗") is ew.operator("multiply")
    assert ew.operator("-") is ew.SUBTRACT is ew.operator("−")
    assert ew.operator(ew.DIVIDE) is ew.DIVIDE
    with pytest.raises(ValueError, match="unknown element-wise operator '%'"):
        ew.operator("%")


def test_mismatched_lengths_name_both_shapes():
    with pytest.raises(ShapeError, match=r"w \(3,\) and x \(2,\)"):
        ew.MULTIPLY.jacobian_x(W, X[:2])


def test_column_vectors_are_refused_with_the_fix():
    with pytest.raises(ShapeError, match=r"x should be a vector of shape \(n,\), got \(3, 1\). Pass x.ravel"):
        ew.ADD(W, X[:, None])


def test_scalar_expansion_needs_a_scalar_z():
    with pytest.raises(ShapeError, match=r"z should be a scalar, got \(3,\)"):
        ew.ADD_SCALAR(X, W)


def test_division_by_zero_names_the_index():
    with pytest.raises(ZeroDivisionError, match=r"x\[1\] = 0"):
        ew.DIVIDE(W, [1.0, 0.0, 2.0])


def test_sum_gradient_needs_a_matrix():
    with pytest.raises(ShapeError, match="m×n matrix"):
        ew.sum_gradient([1.0, 2.0])


def test_text_and_nan_inputs_are_refused_clearly():
    with pytest.raises(TypeError, match="text"):
        ew.ADD("abc", X)
    with pytest.raises(ValueError, match="finite"):
        ew.ADD([np.nan, 1.0, 2.0], X)
