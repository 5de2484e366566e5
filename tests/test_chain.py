"""mcdl.chain: the vector chain rule (paper §4.5.3) as a product of two Jacobians, in numerator layout."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import mcdl
from mcdl.chain import VectorChain, is_elementwise_chain, jacobian_product, vector_chain_rule
from mcdl.shapes import ShapeError


def paper_f(g):
    return np.array([np.log(g[0]), np.sin(g[1])])


def paper_g(x):
    return np.array([x**2, 3 * x])


# ------------------------------------------------------------------------------------------------
# The paper's example (paper-map §3 #24): g(x) = [x², 3x], f(g) = [ln g₁, sin g₂], ∂y/∂x = [2/x, 3cos(3x)]ᵀ
@pytest.mark.parametrize("x", [0.7, 2.0, -1.3])
def test_paper_example_24_is_a_product_of_two_jacobians(x):
    chain = vector_chain_rule(paper_f, paper_g, x)
    assert isinstance(chain, VectorChain)
    assert chain.jacobian.shape == (2, 1) and chain.outer.shape == (2, 2) and chain.inner.shape == (2, 1)
    np.testing.assert_allclose(chain.jacobian, [[2 / x], [3 * np.cos(3 * x)]], rtol=1e-8)
    g1, g2 = x**2, 3 * x                                     # ∂f/∂g = diag(1/g₁, cos g₂), ∂g/∂x = [2x, 3]ᵀ
    np.testing.assert_allclose(chain.outer, [[1 / g1, 0], [0, np.cos(g2)]], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(chain.inner, [[2 * x], [3]], rtol=1e-8)
    np.testing.assert_allclose(chain.g, [g1, g2])
    whole = mcdl.jacobian(lambda t: paper_f(paper_g(t)), x)
    np.testing.assert_allclose(chain.jacobian, whole, rtol=1e-8)
    assert chain.shapes == "∂f/∂x (2×1) = ∂f/∂g (2×2) · ∂g/∂x (2×1)" == str(chain)
    assert not chain.elementwise          # g₁ and g₂ both read the one x: ∂g/∂x is a column, not diagonal


def test_the_result_is_frozen_and_read_only():
    chain = vector_chain_rule(paper_f, paper_g, 2.0)
    with pytest.raises(AttributeError):
        chain.jacobian = None
    with pytest.raises(ValueError):
        chain.jacobian[0, 0] = 1.0


def test_the_public_names_are_exported():
    assert mcdl.vector_chain_rule is vector_chain_rule and mcdl.jacobian_product is jacobian_product
    assert mcdl.is_elementwise_chain is is_elementwise_chain and mcdl.VectorChain is VectorChain


# ------------------------------------------------------------------------------------------------
# The shapes of the paper's table: every combination of scalar and vector x, g, f
CASES = {
    "scalar f, scalar g, scalar x": (lambda g: np.sin(g), lambda x: x**2, 0.8),
    "scalar f, vector g, scalar x": (lambda g: g[0] * g[1], lambda x: np.array([x, x**3]), 1.1),
    "scalar f, vector g, vector x": (lambda g: np.sum(g**2), lambda x: np.array([x[0] * x[1], x[1] - x[2]]),
                                     np.array([0.5, -1.0, 2.0])),
    "vector f, scalar g, scalar x": (lambda g: np.array([g, g**2, np.exp(g)]), lambda x: np.sin(x), 0.3),
    "vector f, vector g, scalar x": (paper_f, paper_g, 1.5),
    "vector f, vector g, vector x": (lambda g: np.array([g[0] * g[1], g[1] + g[2], np.tanh(g[0])]),
                                     lambda x: np.array([x[0] ** 2, x[0] * x[1], np.cos(x[1])]),
                                     np.array([0.4, 1.2])),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_shape_of_the_papers_table_equals_the_jacobian_of_the_composition(case):
    f, g, x = CASES[case]
    chain = vector_chain_rule(f, g, x)
    whole = mcdl.jacobian(lambda t: f(g(t)), x)
    assert chain.jacobian.shape == whole.shape
    m, k, n = chain.outer.shape[0], chain.outer.shape[1], chain.inner.shape[1]
    assert chain.inner.shape[0] == k and chain.jacobian.shape == (m, n)
    np.testing.assert_allclose(chain.jacobian, whole, rtol=1e-7, atol=1e-10)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_property_product_of_linear_maps_is_the_matrix_product(m, k, n, seed):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(m, k)), rng.normal(size=(k, n))
    x = rng.normal(size=n)
    chain = vector_chain_rule(lambda g: A @ g, lambda t: B @ t, x)
    np.testing.assert_allclose(chain.jacobian, A @ B, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(jacobian_product(A, B), A @ B)


# ------------------------------------------------------------------------------------------------
# The diagonal simplification: fᵢ reads only gᵢ, gᵢ only xᵢ
def test_elementwise_chain_is_diagonal_and_its_diagonal_is_the_single_variable_rule():
    x = np.array([0.1, -0.4, 0.9])
    chain = vector_chain_rule(np.exp, np.sin, x)              # fᵢ = exp(gᵢ), gᵢ = sin(xᵢ)
    assert chain.elementwise and is_elementwise_chain(chain.outer, chain.inner)
    expected = np.exp(np.sin(x)) * np.cos(x)                  # ∂fᵢ/∂gᵢ · ∂gᵢ/∂xᵢ, one chain rule per entry
    np.testing.assert_allclose(chain.jacobian, np.diag(expected), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(np.diag(chain.outer) * np.diag(chain.inner), expected, rtol=1e-8)


def test_is_elementwise_chain_needs_both_factors_square_diagonal_and_of_one_size():
    d2, d3 = np.diag([1.0, 2.0]), np.diag([1.0, 2.0, 3.0])
    assert is_elementwise_chain(d2, np.diag([4.0, -1.0]))
    assert not is_elementwise_chain(d2, np.array([[1.0, 0.5], [0.0, 1.0]]))     # g₁ reads x₂ too
    assert not is_elementwise_chain(np.ones((2, 2)), d2)
    assert not is_elementwise_chain(d3, d2)
    assert not is_elementwise_chain(np.ones((2, 1)), np.ones((1, 1)))
    assert is_elementwise_chain(2.0, 3.0)                     # one variable: 1×1 is diagonal
    assert is_elementwise_chain(d2, d2 + 1e-15 * np.ones((2, 2)))               # numeric noise is not structure
    assert not is_elementwise_chain(d2, d2 + 1e-3 * np.ones((2, 2)))


# ------------------------------------------------------------------------------------------------
# jacobian_product: shapes, 1-D gradients, and messages that name what does not fit
def test_jacobian_product_multiplies_in_numerator_layout():
    outer = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]])          # 2×3
    inner = np.arange(6.0).reshape(3, 2)                           # 3×2
    np.testing.assert_array_equal(jacobian_product(outer, inner), outer @ inner)
    assert jacobian_product(2.0, 3.0).shape == (1, 1)
    row = jacobian_product([1.0, 2.0], [[3.0], [4.0]])            # a gradient (1-D) is a row: 1×2 · 2×1
    assert row.shape == (1, 1) and row[0, 0] == 11.0
    np.testing.assert_array_equal(jacobian_product([1.0, 2.0], np.eye(2)), [[1.0, 2.0]])


def test_mismatched_shapes_name_both_and_the_sizes_that_disagree():
    with pytest.raises(ShapeError) as info:
        jacobian_product(np.ones((2, 3)), np.ones((2, 1)))
    message = str(info.value)
    assert message.startswith("∂f/∂g is 2×3 but ∂g/∂x is 2×1: the columns of ∂f/∂g (3) must match the rows "
                              "of ∂g/∂x (2)")
    assert "transposed (3×2) would fit" in message and "denominator layout" in message


def test_the_messages_suggest_the_transpose_or_the_order_when_that_would_fit():
    with pytest.raises(ShapeError, match=r"∂g/∂x transposed \(3×4\) would fit"):
        jacobian_product(np.ones((2, 3)), np.ones((4, 3)))
    with pytest.raises(ShapeError, match="does not commute"):
        jacobian_product(np.ones((2, 3)), np.ones((4, 2)))
    with pytest.raises(ShapeError, match=r"make it a 2×1 column"):
        jacobian_product(np.eye(2), [2.0, 3.0])                # ∂g/∂x of a vector g of one x, given 1-D


def test_names_appear_in_messages():
    with pytest.raises(ShapeError, match=r"^∂L/∂y is 1×3 but ∂y/∂w is 2×2"):
        jacobian_product(np.ones((1, 3)), np.ones((2, 2)), names=("∂L/∂y", "∂y/∂w"))


@pytest.mark.parametrize("outer, inner, error, fragment", [
    ("J", np.eye(2), TypeError, "got the text 'J'"),
    (np.eye(2), None, TypeError, "∂g/∂x must be a number or an array of numbers, got NoneType"),
    (np.ones((2, 2, 2)), np.eye(2), ShapeError, "3 axes"),
    (np.ones((0, 2)), np.eye(2), ShapeError, "empty"),
    ([], np.eye(2), ShapeError, "empty"),
    (np.array([[np.nan, 0.0]]), np.eye(2), ValueError, "contains nan"),
    (np.eye(2) + 0j, np.eye(2), TypeError, "complex"),
])
def test_bad_jacobians_are_refused_clearly(outer, inner, error, fragment):
    with pytest.raises(error, match=fragment):
        jacobian_product(outer, inner)


def test_bad_names_are_a_type_error():
    with pytest.raises(TypeError, match="pair of texts"):
        jacobian_product(np.eye(2), np.eye(2), names="∂f/∂g")
    with pytest.raises(TypeError, match="must be text"):
        jacobian_product(np.eye(2), np.eye(2), names=(1, 2))


def test_vector_chain_rule_refuses_what_is_not_a_function_or_a_point():
    with pytest.raises(TypeError, match="f must be a Python function"):
        vector_chain_rule("ln(g)", paper_g, 1.0)
    with pytest.raises(TypeError, match="g must be a Python function"):
        vector_chain_rule(paper_f, paper_g(1.0), 1.0)
    with pytest.raises(ShapeError, match=r"x should be a scalar or a 1-D vector"):
        vector_chain_rule(paper_f, paper_g, np.ones((2, 1)))
    with pytest.raises(ValueError, match="not finite"):
        vector_chain_rule(paper_f, lambda x: np.array([x / 0.0, x]), 1.0)
