"""Shapes, and the errors that name them.

The paper is strict about shapes (§4.1): vectors are vertical n-vectors, a gradient is a horizontal
1×n row, a Jacobian of f: Rⁿ→Rᵐ is m×n (numerator layout).  numpy is not strict: it broadcasts,
and a 1-D array is neither a row nor a column.  Every public mcdl function therefore passes its
inputs through the validators here, so a mistake ends in a message that names the shapes involved
instead of a numpy traceback from deep inside.
"""
from __future__ import annotations

import numbers

import numpy as np


class ShapeError(ValueError):
    """An array had the wrong shape.  The message says what was expected, what came, and a fix."""


def fmt_shape(shape) -> str:
    """(3,) -> '(3,)', () -> 'a scalar'."""
    shape = tuple(shape)
    return "a scalar" if shape == () else str(shape)


def transpose_hint(expected, got) -> str:
    """A sentence to append when ``got`` is ``expected`` transposed (the classic layout slip)."""
    expected, got = tuple(expected), tuple(got)
    if len(expected) == 2 and got == expected[::-1] and expected[0] != expected[1]:
        return (f" You returned {fmt_shape(got)}: numerator layout wants {fmt_shape(expected)} — "
                "is this the transpose (the denominator layout)?")
    return ""


def shape_error(what: str, expected, got) -> ShapeError:
    """Build a ShapeError: '<what> should have shape E, got G.' plus a transpose hint when it fits."""
    return ShapeError(f"{what} should have shape {fmt_shape(expected)}, got {fmt_shape(got)}."
                      + transpose_hint(expected, got))


def _type_name(value) -> str:
    return type(value).__name__


def as_array(value, name: str = "x") -> np.ndarray:
    """Convert numbers, lists and arrays to a float array; refuse text, None, dicts and the like.

    Raises TypeError naming the type (never numpy's 'could not convert string to float').
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number or an array of numbers, got the text {value!r}.")
    if value is None or isinstance(value, (dict, set)) or callable(value):
        raise TypeError(f"{name} must be a number or an array of numbers, got {_type_name(value)}.")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number, got the boolean {value!r}.")
    try:
        raw = np.asarray(value)
        kind = raw.dtype.kind
        arr = np.asarray(raw, dtype=float) if kind not in "USVc" else raw
    except (TypeError, ValueError, OverflowError) as err:
        raise TypeError(f"{name} must be a number or an array of numbers, got {_type_name(value)} "
                        f"that numpy cannot read as numbers ({err}).") from None
    if kind in "USV":       # ['1', '2'] would convert; text is refused however it is wrapped
        raise TypeError(f"{name} must be a number or an array of numbers, got {_type_name(value)} "
                        f"holding text (dtype {raw.dtype}).")
    if kind == "O" and any(v is None for v in raw.flat):     # numpy would read None as NaN
        raise TypeError(f"{name} must be a number or an array of numbers, got {_type_name(value)} holding None.")
    if kind == "c":         # converting would silently drop the imaginary part
        raise TypeError(f"{name} must be real numbers, got complex values in {_type_name(value)}.")
    return arr


def require_finite(arr: np.ndarray, name: str = "x") -> np.ndarray:
    """Refuse NaN and ±inf, saying where they are."""
    bad = ~np.isfinite(arr)
    if bad.any():
        where = "" if arr.ndim == 0 else f" at index {tuple(int(i) for i in np.argwhere(bad)[0])}"
        raise ValueError(f"{name} contains {arr[bad].flat[0]}{where}; mcdl needs finite numbers.")
    return arr


def as_point(value, name: str = "x") -> np.ndarray:
    """A point where a derivative is taken: a finite scalar (shape ()) or a vector (shape (n,)).

    A column (n, 1) or a row (1, n) is refused with the fix, because numpy would silently change the
    meaning of the function's result (an (n,1) array minus an (n,) array is an (n,n) matrix).
    """
    arr = as_array(value, name)
    if arr.ndim > 1:
        if arr.ndim == 2 and 1 in arr.shape:
            raise ShapeError(f"{name} should be a scalar or a 1-D vector of shape (n,), got {fmt_shape(arr.shape)}. "
                             f"Pass {name}.ravel() (mcdl treats 1-D arrays as the paper's vertical vectors).")
        raise ShapeError(f"{name} should be a scalar or a 1-D vector of shape (n,), got {fmt_shape(arr.shape)}.")
    if arr.size == 0:
        raise ShapeError(f"{name} is empty (shape {fmt_shape(arr.shape)}); a derivative needs at least one variable.")
    return require_finite(arr, name)


def as_vector(value, name: str = "x") -> np.ndarray:
    """A finite, non-empty 1-D vector of shape (n,); a column or row is refused with the fix (.ravel())."""
    arr = require_finite(as_array(value, name), name)
    if arr.ndim != 1 or arr.size == 0:
        hint = f" Pass {name}.ravel()." if arr.ndim == 2 and 1 in arr.shape else ""
        raise ShapeError(f"{name} should be a vector of shape (n,), got {fmt_shape(arr.shape)}.{hint}")
    return arr


def as_scalar(value, name: str = "z") -> float:
    """A finite number; a 1-element array is accepted, a vector is refused naming its shape."""
    arr = require_finite(as_array(value, name), name)
    if arr.size != 1 or arr.ndim > 1:
        raise ShapeError(f"{name} should be a scalar, got {fmt_shape(arr.shape)}.")
    return float(arr.reshape(()))


def require_callable(f, name: str = "f"):
    """Refuse things that are not functions, with a hint for the common slip of passing a value."""
    if callable(f):
        return f
    if isinstance(f, str):
        raise TypeError(f"{name} must be a Python function, got the text {f!r}. "
                        f"Write it as a function, e.g. lambda x: x**2, or parse it with mcdl.parse_expression.")
    raise TypeError(f"{name} must be a Python function (e.g. lambda x: x**2), got {_type_name(f)}: "
                    "did you pass f(x), the value, instead of f, the function?")


def as_output(value, name: str = "f(x)") -> np.ndarray:
    """What a function returned: a scalar or a 1-D vector of numbers (finite checks are the caller's)."""
    if isinstance(value, (np.ndarray, np.generic)) and np.iscomplexobj(value):
        return value
    arr = as_array(value, name)
    if arr.ndim > 1:
        raise ShapeError(f"{name} should return a scalar or a 1-D vector, got shape {fmt_shape(arr.shape)}. "
                         "Return a flat vector (e.g. np.ravel(result)).")
    return arr


def require_index(i, n: int, name: str = "i") -> int:
    """An index into an n-vector."""
    if isinstance(i, (bool, np.bool_)) or not isinstance(i, numbers.Integral):
        raise TypeError(f"{name} must be an integer index, got {_type_name(i)}.")
    if not -n <= int(i) < n:
        raise IndexError(f"{name} = {i} is out of range for a vector of length {n} (valid: 0..{n - 1}).")
    return int(i) % n
