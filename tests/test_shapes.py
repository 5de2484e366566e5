"""mcdl.shapes: the validators every public function passes its inputs through, and their messages."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcdl.shapes import (ShapeError, as_array, as_output, as_point, fmt_shape, require_callable,
                         require_finite, require_index, shape_error, transpose_hint)

pytestmark = pytest.mark.filterwarnings("error")


# ---------------------------------------------------------------------------------------------
# ShapeError, fmt_shape, transpose_hint, shape_error
# ---------------------------------------------------------------------------------------------
def test_shape_error_is_a_value_error():
    assert issubclass(ShapeError, ValueError)
    with pytest.raises(ValueError):
        raise ShapeError("x")


def test_shape_error_is_exported_by_the_package():
    import mcdl
    assert mcdl.ShapeError is ShapeError


@pytest.mark.parametrize("shape, text", [((), "a scalar"), ((3,), "(3,)"), ((2, 3), "(2, 3)"),
                                         ([4, 1], "(4, 1)"), (np.zeros((1, 2)).shape, "(1, 2)"),
                                         ((0,), "(0,)")])
def test_fmt_shape(shape, text):
    assert fmt_shape(shape) == text


@pytest.mark.parametrize("expected, got", [((2, 3), (3, 2)), ((1, 4), (4, 1)), ((4, 1), (1, 4)), ([5, 2], [2, 5])])
def test_transpose_hint_for_transposed_non_square_shapes(expected, got):
    hint = transpose_hint(expected, got)
    assert "transpose" in hint and "denominator layout" in hint
    assert fmt_shape(tuple(expected)) in hint and fmt_shape(tuple(got)) in hint
    assert hint.startswith(" ")                 # appended to a sentence


@pytest.mark.parametrize("expected, got", [
    ((3, 3), (3, 3)),        # square: the transpose has the same shape, a hint would be noise
    ((2, 3), (2, 3)),        # right shape
    ((2, 3), (3, 3)),        # wrong, but not the transpose
    ((2, 3), (6,)),
    ((3,), (3,)),            # 1-D has no transpose
    ((2, 3, 4), (4, 3, 2)),  # only matrices
    ((), ()),
])
def test_no_transpose_hint_otherwise(expected, got):
    assert transpose_hint(expected, got) == ""


@given(st.integers(1, 6), st.integers(1, 6))
@settings(max_examples=50, deadline=None)
def test_property_transpose_hint_iff_transposed_and_not_square(m, n):
    assert bool(transpose_hint((m, n), (n, m))) == (m != n)
    assert transpose_hint((m, n), (m, n)) == ""


def test_shape_error_message():
    err = shape_error("the Jacobian", (2, 3), (3, 2))
    assert isinstance(err, ShapeError)
    msg = str(err)
    assert msg.startswith("the Jacobian should have shape (2, 3), got (3, 2).")
    assert "transpose" in msg
    msg = str(shape_error("∇f", (3,), ()))
    assert msg == "∇f should have shape (3,), got a scalar."


# ---------------------------------------------------------------------------------------------
# as_array
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, shape", [
    (3, ()), (3.5, ()), (np.float32(2), ()), (np.int64(-4), ()), (np.array(1.0), ()),
    ([1, 2, 3], (3,)), ((1.0, 2.0), (2,)), ([[1, 2], [3, 4]], (2, 2)), (np.arange(6).reshape(2, 3), (2, 3)),
    ([Fraction(1, 2), Fraction(3, 4)], (2,)), ([], (0,)), ([np.float64(1), 2], (2,)),
])
def test_as_array_converts_numbers_to_float(value, shape):
    arr = as_array(value)
    assert isinstance(arr, np.ndarray)
    assert arr.dtype == np.float64
    assert arr.shape == shape
    np.testing.assert_array_equal(arr, np.asarray(value, dtype=float))


def test_as_array_does_not_copy_a_float_array():
    x = np.array([1.0, 2.0])
    assert as_array(x) is x


@pytest.mark.parametrize("value, words", [
    ("1.5", ["text", "'1.5'"]),
    (b"1", ["text"]),
    (None, ["NoneType"]),
    ({"a": 1}, ["dict"]),
    ({1, 2}, ["set"]),
    (len, ["builtin_function_or_method"]),
    (lambda t: t, ["function"]),
    (True, ["boolean", "True"]),
    (np.bool_(False), ["boolean"]),
    (["a", "b"], ["list", "text"]),
    (["1", "2"], ["list", "text"]),            # numpy would convert these silently
    (np.array(["1.0"]), ["ndarray", "text"]),
    ([[1, 2], [3]], ["list", "cannot read as numbers"]),
    ([1.0, None], ["list", "None"]),            # numpy would read None as NaN
    ([1, [2, 3]], ["list"]),
    (1 + 2j, ["complex"]),
    ([1.0, 2j], ["complex"]),
    (np.array([1.0 + 0j]), ["complex"]),        # even with a zero imaginary part: refuse, don't guess
    pytest.param(10**400, ["int", "cannot read as numbers"], id="10**400"),
    (object(), ["object"]),
])
def test_as_array_refuses_non_numbers_with_a_type_error_naming_the_type(value, words):
    with pytest.raises(TypeError) as err:
        as_array(value, "w")
    msg = str(err.value)
    assert msg.startswith("w must be")
    for w in words:
        assert w in msg, (w, msg)


def test_as_array_accepts_boolean_arrays_as_numbers():
    """Only a bare bool is refused (a likely slip); an array of them reads as 0/1."""
    np.testing.assert_array_equal(as_array(np.array([True, False])), [1.0, 0.0])


def test_as_array_leaves_nan_to_require_finite():
    assert np.isnan(as_array(float("nan")))


# ---------------------------------------------------------------------------------------------
# require_finite
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, words", [
    (np.array(np.nan), ["nan"]),
    (np.array(np.inf), ["inf"]),
    (np.array([1.0, 2.0, -np.inf]), ["-inf", "index (2,)"]),
    (np.array([[1.0, 2.0], [np.nan, 4.0]]), ["nan", "index (1, 0)"]),
])
def test_require_finite(value, words):
    with pytest.raises(ValueError) as err:
        require_finite(value, "w")
    msg = str(err.value)
    assert msg.startswith("w contains") and "finite" in msg
    for w in words:
        assert w in msg
    if value.ndim == 0:
        assert "index" not in msg


def test_require_finite_passes_finite_arrays_through():
    x = np.array([1.0, -1e308, 5e-324])
    assert require_finite(x) is x


# ---------------------------------------------------------------------------------------------
# as_point
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, shape", [(2, ()), (-0.5, ()), (np.array(3.0), ()), ([1.0], (1,)),
                                          ([1, 2, 3], (3,)), (np.arange(5.0), (5,)), ((0.0, -1.0), (2,))])
def test_as_point_scalars_and_vectors(value, shape):
    p = as_point(value)
    assert p.shape == shape and p.dtype == np.float64


@pytest.mark.parametrize("shape", [(3, 1), (1, 3), (1, 1)])
def test_as_point_refuses_columns_and_rows_suggesting_ravel(shape):
    with pytest.raises(ShapeError) as err:
        as_point(np.ones(shape), "w")
    msg = str(err.value)
    assert fmt_shape(shape) in msg and "(n,)" in msg and "w.ravel()" in msg


@pytest.mark.parametrize("shape", [(2, 2), (2, 3), (2, 2, 2), (1, 1, 3)])
def test_as_point_refuses_matrices_and_higher_ranks(shape):
    with pytest.raises(ShapeError) as err:
        as_point(np.ones(shape))
    msg = str(err.value)
    assert fmt_shape(shape) in msg and "(n,)" in msg
    assert "ravel" not in msg            # flattening a matrix is rarely what was meant


@pytest.mark.parametrize("value", [[], np.zeros(0), ()])
def test_as_point_refuses_empty(value):
    with pytest.raises(ShapeError, match=r"empty.*\(0,\)"):
        as_point(value)


@pytest.mark.parametrize("value", [np.nan, [1.0, np.inf], [-np.inf]])
def test_as_point_refuses_non_finite(value):
    with pytest.raises(ValueError, match="finite"):
        as_point(value)


def test_as_point_refuses_text_as_type_error():
    with pytest.raises(TypeError, match="text"):
        as_point("1, 2")


# ---------------------------------------------------------------------------------------------
# require_callable
# ---------------------------------------------------------------------------------------------
class Callable:
    def __call__(self, x):
        return x


@pytest.mark.parametrize("f", [np.sin, len, lambda x: x, Callable(), Callable, print])
def test_require_callable_returns_the_function(f):
    assert require_callable(f) is f


def test_require_callable_text_gets_a_lambda_hint():
    with pytest.raises(TypeError) as err:
        require_callable("x**2", "g")
    msg = str(err.value)
    assert msg.startswith("g must be a Python function")
    assert "'x**2'" in msg and "lambda" in msg and "parse_expression" in msg


@pytest.mark.parametrize("value, tname", [(4.0, "float"), (3, "int"), (None, "NoneType"),
                                          (np.array([1.0]), "ndarray"), ([1, 2], "list")])
def test_require_callable_value_instead_of_function(value, tname):
    with pytest.raises(TypeError) as err:
        require_callable(value)
    msg = str(err.value)
    assert "function" in msg and tname in msg and "f(x)" in msg


# ---------------------------------------------------------------------------------------------
# require_index
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("i, n, want", [(0, 1, 0), (2, 3, 2), (-1, 3, 2), (-3, 3, 0), (np.int64(1), 2, 1),
                                        (np.int32(-2), 4, 2), (np.uint8(0), 2, 0)])
def test_require_index_normalises(i, n, want):
    got = require_index(i, n)
    assert got == want and type(got) is int


@pytest.mark.parametrize("i, n", [(3, 3), (-4, 3), (0, 0), (100, 2)])
def test_require_index_out_of_range(i, n):
    with pytest.raises(IndexError) as err:
        require_index(i, n, "k")
    msg = str(err.value)
    assert msg.startswith(f"k = {i}") and f"length {n}" in msg and f"0..{n - 1}" in msg


@pytest.mark.parametrize("i, tname", [(1.0, "float"), (True, "bool"), (np.bool_(True), "bool"), ("1", "str"),
                                      (None, "NoneType"), (np.float64(1), "float64"), ([1], "list"),
                                      (slice(0, 1), "slice")])
def test_require_index_refuses_non_integers(i, tname):
    with pytest.raises(TypeError) as err:
        require_index(i, 3)
    assert "integer" in str(err.value) and tname in str(err.value)


@given(st.integers(1, 50), st.data())
@settings(max_examples=50, deadline=None)
def test_property_require_index_matches_python_indexing(n, data):
    i = data.draw(st.integers(-n, n - 1))
    assert list(range(n))[i] == require_index(i, n)


# ---------------------------------------------------------------------------------------------
# as_output
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, shape", [(2.0, ()), (np.float64(1), ()), (np.array(3.0), ()), ([1, 2], (2,)),
                                          (np.arange(4.0), (4,)), ((1.0,), (1,))])
def test_as_output_scalar_or_vector(value, shape):
    y = as_output(value)
    assert y.shape == shape and y.dtype == np.float64


def test_as_output_keeps_complex_arrays_for_the_complex_step():
    y = np.array([1.0 + 1e-20j, 2.0])
    assert as_output(y) is y
    z = np.complex128(1 + 2j)
    assert as_output(z) is z


@pytest.mark.parametrize("shape", [(2, 2), (1, 3), (3, 1), (2, 2, 2)])
def test_as_output_refuses_matrices(shape):
    with pytest.raises(ShapeError) as err:
        as_output(np.ones(shape), "g(x)")
    msg = str(err.value)
    assert msg.startswith("g(x) should return a scalar or a 1-D vector")
    assert fmt_shape(shape) in msg and "np.ravel" in msg


@pytest.mark.parametrize("value, word", [("abc", "text"), (None, "NoneType"), ({"y": 1}, "dict"),
                                         ([1.0, "a"], "text"), (True, "boolean")])
def test_as_output_refuses_non_numbers(value, word):
    with pytest.raises(TypeError) as err:
        as_output(value)
    assert str(err.value).startswith("f(x) must be") and word in str(err.value)


def test_as_output_does_not_check_finiteness():
    """Finite checks are the caller's: it knows x and can say 'outside the domain'."""
    assert np.isnan(as_output(np.nan))


def test_as_vector_and_as_scalar_name_the_shape_and_the_fix():
    from mcdl.shapes import as_scalar, as_vector
    np.testing.assert_array_equal(as_vector([1, 2]), [1.0, 2.0])
    with pytest.raises(ShapeError, match=r"w should be a vector of shape \(n,\), got \(2, 1\). Pass w.ravel\(\)"):
        as_vector([[1.0], [2.0]], "w")
    with pytest.raises(ShapeError, match=r"got a scalar"):
        as_vector(3.0)
    with pytest.raises(ShapeError, match=r"got \(0,\)"):
        as_vector([])
    assert as_scalar(np.array([2.5])) == 2.5
    with pytest.raises(ShapeError, match=r"z should be a scalar, got \(3,\)"):
        as_scalar([1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        as_scalar(float("nan"))
