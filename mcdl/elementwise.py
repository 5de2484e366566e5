"""Element-wise binary operators, scalar expansion and sum reduction (paper §4.2–4.4), each with its derivative.

Every operation is written next to the derivative it contributes, in numerator layout (an output of size m
and an input of size n give an m×n Jacobian):

* **Element-wise binary operators** (§4.2): y = w ○ x for ○ in +, −, ⊗, ⊘.  Because yᵢ reads only wᵢ and
  xᵢ (the *element-wise diagonal condition*), ∂y/∂w and ∂y/∂x are diagonal n×n matrices: ``diag`` of the
  per-element partials ∂(wᵢ ○ xᵢ)/∂wᵢ and ∂(wᵢ ○ xᵢ)/∂xᵢ.
* **Scalar expansion** (§4.3): y = x ○ z with a scalar z is x ○ 1z.  ∂y/∂x is still diagonal (n×n) but
  ∂y/∂z is an n×1 *column*: one z moves every output.  It is derived from the binary operator by the
  chain rule, ∂y/∂z = ∂y/∂(1z) · ∂(1z)/∂z = diag(…) · 1, so nothing new has to be differentiated.
* **Sum reduction** (§4.4): y = sum(f(x)) is a scalar; its derivative is the 1×n row 1ᵀ·∂f/∂x, the column
  sums of f's Jacobian.  sum(x) gives 1ᵀ, and the dot product w·x = sum(w ⊗ x) gives xᵀ and wᵀ.

Inputs are validated with :mod:`mcdl.shapes`: w and x must be 1-D vectors of one length, z a scalar, and a
mistake names the shapes involved.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .shapes import ShapeError, as_array, as_scalar, as_vector, fmt_shape, require_callable, require_finite


# --- the two matrices the paper builds everything from ------------------------------------------------
def ones(n: int) -> np.ndarray:
    """The vector of ones 1 of length n (the paper's \\vec{1}), shape (n,)."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise TypeError(f"n must be a positive integer (a vector length), got {n!r}.")
    return np.ones(int(n))


def diag(v) -> np.ndarray:
    """diag(v): the n×n matrix with v on its diagonal and zeros elsewhere (paper §4.2).

    Unlike ``np.diag``, which also *extracts* the diagonal of a matrix, this only builds: a matrix or a
    scalar is refused, so a slip between "vector" and "diagonal matrix" is caught here.
    """
    v = require_finite(as_array(v, "v"), "v")
    if v.ndim != 1:
        raise ShapeError(f"diag builds a matrix from a vector of shape (n,); got {fmt_shape(v.shape)}."
                         + (" To read the diagonal of a matrix use np.diagonal(M)." if v.ndim == 2 else ""))
    return np.diag(v)


def _pair(w, x, names=("w", "x")) -> tuple[np.ndarray, np.ndarray]:
    w, x = as_vector(w, names[0]), as_vector(x, names[1])
    if w.shape != x.shape:
        raise ShapeError(f"an element-wise operator needs {names[0]} and {names[1]} of the same length; got "
                         f"{names[0]} {fmt_shape(w.shape)} and {names[1]} {fmt_shape(x.shape)}.")
    return w, x


# --- §4.2: element-wise binary operators ---------------------------------------------------------------
@dataclass(frozen=True)
class BinaryOp:
    """An element-wise binary operator y = w ○ x with its two per-element partial derivatives.

    ``forward(wᵢ, xᵢ)``, ``d_dw(wᵢ, xᵢ)`` = ∂yᵢ/∂wᵢ and ``d_dx(wᵢ, xᵢ)`` = ∂yᵢ/∂xᵢ act on numbers or
    arrays alike.  ``jacobian_w`` / ``jacobian_x`` are diag of those partials: n×n, zero off the diagonal.
    """

    symbol: str          # as the paper writes it: "+", "−", "⊗", "⊘"
    name: str            # "add", "subtract", "multiply", "divide"
    latex: str           # the operator in LaTeX
    forward: Callable
    d_dw: Callable
    d_dx: Callable

    def _operands(self, w, x):
        w, x = _pair(w, x)
        if self.name == "divide" and np.any(x == 0):
            i = int(np.flatnonzero(x == 0)[0])
            raise ZeroDivisionError(f"w ⊘ x is undefined where x is 0: x[{i}] = 0.")
        return w, x

    def __call__(self, w, x) -> np.ndarray:
        """y = w ○ x, shape (n,)."""
        w, x = self._operands(w, x)
        return self.forward(w, x)

    def jacobian_w(self, w, x) -> np.ndarray:
        """∂y/∂w = diag(∂(wᵢ ○ xᵢ)/∂wᵢ), shape (n, n)."""
        w, x = self._operands(w, x)
        return np.diag(np.broadcast_to(self.d_dw(w, x), w.shape).astype(float))

    def jacobian_x(self, w, x) -> np.ndarray:
        """∂y/∂x = diag(∂(wᵢ ○ xᵢ)/∂xᵢ), shape (n, n)."""
        w, x = self._operands(w, x)
        return np.diag(np.broadcast_to(self.d_dx(w, x), w.shape).astype(float))

    def __repr__(self) -> str:
        return f"BinaryOp({self.symbol!r}, {self.name!r})"


ADD = BinaryOp("+", "add", "+",
               forward=lambda w, x: w + x,
               d_dw=lambda w, x: np.ones_like(w),          # ∂(wᵢ + xᵢ)/∂wᵢ = 1
               d_dx=lambda w, x: np.ones_like(x))          # ∂(wᵢ + xᵢ)/∂xᵢ = 1
SUBTRACT = BinaryOp("−", "subtract", "-",
                    forward=lambda w, x: w - x,
                    d_dw=lambda w, x: np.ones_like(w),     # ∂(wᵢ − xᵢ)/∂wᵢ = 1
                    d_dx=lambda w, x: -np.ones_like(x))    # ∂(wᵢ − xᵢ)/∂xᵢ = −1
MULTIPLY = BinaryOp("⊗", "multiply", r"\otimes",
                    forward=lambda w, x: w * x,
                    d_dw=lambda w, x: x,                   # ∂(wᵢxᵢ)/∂wᵢ = xᵢ
                    d_dx=lambda w, x: w)                   # ∂(wᵢxᵢ)/∂xᵢ = wᵢ
DIVIDE = BinaryOp("⊘", "divide", r"\oslash",
                  forward=lambda w, x: w / x,
                  d_dw=lambda w, x: 1 / x,                 # ∂(wᵢ/xᵢ)/∂wᵢ = 1/xᵢ
                  d_dx=lambda w, x: -w / x ** 2)           # ∂(wᵢ/xᵢ)/∂xᵢ = −wᵢ/xᵢ²

OPERATORS = {op.symbol: op for op in (ADD, SUBTRACT, MULTIPLY, DIVIDE)}
_ALIASES = {"+": ADD, "add": ADD, "-": SUBTRACT, "−": SUBTRACT, "subtract": SUBTRACT,
            "*": MULTIPLY, "⊗": MULTIPLY, "multiply": MULTIPLY, "/": DIVIDE, "⊘": DIVIDE, "divide": DIVIDE}


def operator(name) -> BinaryOp:
    """The element-wise operator for "+", "-", "*" or "/" (also "⊗", "⊘", "add", "multiply", …)."""
    if isinstance(name, BinaryOp):
        return name
    op = _ALIASES.get(name) if isinstance(name, str) else None
    if op is None:
        raise ValueError(f"unknown element-wise operator {name!r}; use one of '+', '-', '*' (⊗), '/' (⊘).")
    return op


# --- §4.3: scalar expansion -----------------------------------------------------------------------------
def expand(z, n: int) -> np.ndarray:
    """g(z) = 1z: the scalar z repeated n times (what numpy broadcasting does silently), shape (n,)."""
    return ones(n) * as_scalar(z, "z")


@dataclass(frozen=True)
class ScalarExpansion:
    """y = x ○ z for a vector x and a scalar z, read as x ○ 1z (paper §4.3)."""

    op: BinaryOp

    def _operands(self, x, z):
        x = as_vector(x, "x")
        return x, expand(z, x.size)

    def __call__(self, x, z) -> np.ndarray:
        """y = x ○ 1z, shape (n,)."""
        x, zs = self._operands(x, z)
        return self.op(x, zs)

    def jacobian_x(self, x, z) -> np.ndarray:
        """∂y/∂x = diag(∂(xᵢ ○ z)/∂xᵢ): I for +, Iz for ⊗; shape (n, n)."""
        x, zs = self._operands(x, z)
        return self.op.jacobian_w(x, zs)

    def jacobian_z(self, x, z) -> np.ndarray:
        """∂y/∂z: an n×1 column (1 for +, x for ⊗) — one scalar moves all n outputs.

        By the chain rule through g(z) = 1z: ∂y/∂(1z) · ∂(1z)/∂z = diag(∂(xᵢ ○ gᵢ)/∂gᵢ) · 1.
        """
        x, zs = self._operands(x, z)
        return self.op.jacobian_x(x, zs) @ np.ones((x.size, 1))

    def __repr__(self) -> str:
        return f"ScalarExpansion({self.op.symbol!r})"


ADD_SCALAR = ScalarExpansion(ADD)              # x + z
MULTIPLY_SCALAR = ScalarExpansion(MULTIPLY)    # x z


# --- §4.4: sum reduction ----------------------------------------------------------------------------------
def vector_sum(v) -> float:
    """sum(v) = Σᵢ vᵢ, the paper's vector sum reduction: a vector in, a scalar out."""
    return float(np.sum(as_vector(v, "v")))


def vector_sum_gradient(v) -> np.ndarray:
    """∂sum(v)/∂v = 1ᵀ: a 1×n row of ones, shape (1, n) — a row, not a column."""
    return ones(as_vector(v, "v").size)[None, :]


def sum_gradient(jacobian_f) -> np.ndarray:
    """∂ sum(f(x))/∂x = 1ᵀ · ∂f/∂x: the column sums of f's m×n Jacobian, as a (1, n) row.

    Entry j is Σᵢ ∂fᵢ/∂xⱼ: the derivative moves inside the sum.  When f is element-wise the Jacobian is
    diagonal and the row is just its diagonal; when each fᵢ reads all of x, every entry of a column counts.
    """
    J = require_finite(as_array(jacobian_f, "jacobian_f"), "jacobian_f")
    if J.ndim != 2:
        raise ShapeError(f"sum_gradient needs f's Jacobian as an m×n matrix; got {fmt_shape(J.shape)}.")
    return np.ones((1, J.shape[0])) @ J


def sum_of(f, x) -> float:
    """y = sum(f(x)): the sum of f's *results* (not of its argument)."""
    f = require_callable(f)
    return vector_sum(np.atleast_1d(f(as_vector(x, "x"))))


def dot(w, x) -> float:
    """w · x = sum(w ⊗ x) = wᵀx."""
    return vector_sum(MULTIPLY(w, x))


def dot_jacobian_w(w, x) -> np.ndarray:
    """∂(w·x)/∂w = 1ᵀ diag(x) = xᵀ, shape (1, n)."""
    return sum_gradient(MULTIPLY.jacobian_w(w, x))


def dot_jacobian_x(w, x) -> np.ndarray:
    """∂(w·x)/∂x = 1ᵀ diag(w) = wᵀ, shape (1, n)."""
    return sum_gradient(MULTIPLY.jacobian_x(w, x))
