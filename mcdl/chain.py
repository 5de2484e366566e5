"""The vector chain rule (paper §4.5.3): the Jacobian of a composition is the product of two Jacobians.

For x ∈ Rⁿ, an intermediate g(x) ∈ Rᵏ and an output f(g) ∈ Rᵐ, in numerator layout (one row per output,
one column per input, as everywhere in mcdl)::

    ∂f/∂x  =  ∂f/∂g  ·  ∂g/∂x
    (m×n)     (m×k)     (k×n)

The inner size k = |g| must agree, and the order matters: matrix multiplication does not commute.

* :func:`jacobian_product` multiplies two Jacobians you already have, and when their shapes do not fit it
  says which sizes disagree (and whether a transpose or the other order would fit).
* :func:`vector_chain_rule` computes both factors numerically with :func:`mcdl.jacobian` — ∂f/∂g at the
  point g(x), ∂g/∂x at x — and returns their product with the factors, as a :class:`VectorChain`.
* :func:`is_elementwise_chain` recognises the case neural networks live in (§4.5.3's diagonal
  simplification): when fᵢ depends only on gᵢ and gᵢ only on xᵢ, both Jacobians are diagonal, and so is their
  product, diag(∂fᵢ/∂gᵢ · ∂gᵢ/∂xᵢ): each entry is a single-variable chain rule.

The single-variable chain rule (§4.5.1) and the total-derivative chain rule (§4.5.2) are shown step by step by
:func:`mcdl.chain_rule_steps`; both are special cases of the vector rule (k = 1, or n = m = 1).

The paper's example: g(x) = [x², 3x], f(g) = [ln g₁, sin g₂]. At x = 2, ``vector_chain_rule(f, g, 2.0)``
gives the 2×1 column [2/x, 3cos(3x)] = [1, 3cos 6], the product of ∂f/∂g = diag(1/g₁, cos g₂) (2×2) and
∂g/∂x = [2x, 3] (2×1).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .numeric import _evaluate, jacobian
from .shapes import ShapeError, as_array, require_callable, require_finite

__all__ = ["VectorChain", "jacobian_product", "vector_chain_rule", "is_elementwise_chain"]


def _size(shape) -> str:
    """(2, 3) -> '2×3'."""
    return "×".join(str(n) for n in shape)


def _as_jacobian(value, name: str) -> np.ndarray:
    """A Jacobian as a 2-D float array: a number is 1×1, a 1-D array is a gradient — the paper's row vector,
    1×n, as :func:`mcdl.gradient` returns it. Anything with more than two axes is refused."""
    if not isinstance(name, str):
        raise TypeError(f"the names of the two Jacobians must be text such as '∂f/∂g', got {type(name).__name__}")
    arr = require_finite(as_array(value, name), name)
    if arr.ndim == 0:
        return arr.reshape(1, 1)
    if arr.ndim == 1:
        if arr.size == 0:
            raise ShapeError(f"{name} is empty: a Jacobian has at least one row and one column")
        return arr.reshape(1, -1)
    if arr.ndim > 2:
        raise ShapeError(f"{name} has {arr.ndim} axes (shape {arr.shape}); a Jacobian is a matrix, with one row "
                         "per output and one column per input")
    if arr.size == 0:
        raise ShapeError(f"{name} is empty (shape {arr.shape}): a Jacobian has at least one row and one column")
    return arr


def _mismatch(outer: np.ndarray, inner: np.ndarray, names, raw_inner_ndim: int) -> ShapeError:
    """The message for two Jacobians that cannot be multiplied: both sizes, the disagreeing numbers, a fix."""
    a, b = names
    (m, k), (rows, n) = outer.shape, inner.shape
    message = (f"{a} is {_size(outer.shape)} but {b} is {_size(inner.shape)}: the columns of {a} ({k}) must "
               f"match the rows of {b} ({rows}). Both count the intermediate variables g, so the chain rule "
               "multiplies an m×k matrix by a k×n matrix.")
    if raw_inner_ndim == 1 and inner.shape[1] == k:
        message += (f" {b} came as a 1-D array, which mcdl reads as a gradient row (1×{n}); if it is the "
                    f"derivative of a vector g with respect to one number x, make it a {k}×1 column "
                    "(np.reshape(..., (-1, 1)); mcdl.jacobian returns it that way).")
    elif n == k and rows != k and inner.shape[0] != inner.shape[1]:
        message += (f" {b} transposed ({_size(inner.shape[::-1])}) would fit: is it in the denominator layout? "
                    "mcdl uses the numerator layout, one row per output.")
    elif n == m:
        message += (f" The other order, {b} times {a}, would fit: the chain rule puts the outer function's "
                    "Jacobian first (∂f/∂g · ∂g/∂x), and matrix multiplication does not commute.")
    elif m == rows and m != k:
        message += (f" {a} transposed ({_size(outer.shape[::-1])}) would fit: is it in the denominator layout? "
                    "mcdl uses the numerator layout, one row per output.")
    return ShapeError(message)


def jacobian_product(outer, inner, names=("∂f/∂g", "∂g/∂x")) -> np.ndarray:
    """The vector chain rule's product ∂f/∂g · ∂g/∂x (paper §4.5.3): an m×k matrix times a k×n matrix gives
    the m×n Jacobian ∂f/∂x, in numerator layout.

    ``outer`` is ∂f/∂g and ``inner`` is ∂g/∂x, as numbers, lists or arrays. A number counts as a 1×1 Jacobian,
    a 1-D array as a gradient: the paper's row vector, 1×n (what :func:`mcdl.gradient` returns). A derivative
    of a vector with respect to one number is a column, k×1, as :func:`mcdl.jacobian` returns it. The result
    is always a 2-D array.

    ``names`` are the two factors' names for messages. When the inner sizes differ, a
    :class:`~mcdl.shapes.ShapeError` names both shapes and the numbers that disagree, and says when a transpose
    (the denominator layout) or the other order would have fitted. Text, None and the like are a ``TypeError``;
    NaN or infinite entries a ``ValueError``.

    >>> jacobian_product([[0.5, 0.0], [0.0, -1.0]], [[4.0], [3.0]])
    array([[ 2.],
           [-3.]])
    """
    if isinstance(names, str) or not isinstance(names, (tuple, list)) or len(names) != 2:
        raise TypeError(f"names must be a pair of texts such as ('∂f/∂g', '∂g/∂x'), got {names!r}")
    a = _as_jacobian(outer, names[0])
    raw_inner = np.ndim(inner) if not isinstance(inner, (str, bytes)) else 0
    b = _as_jacobian(inner, names[1])
    if a.shape[1] != b.shape[0]:
        raise _mismatch(a, b, names, raw_inner)
    return a @ b


def is_elementwise_chain(outer, inner, *, atol: float = 1e-12) -> bool:
    """True when both Jacobians are square and diagonal, of the same size: fᵢ depends only on gᵢ and gᵢ only
    on xᵢ. Then (paper §4.5.3) the product is diagonal too, diag(∂fᵢ/∂gᵢ · ∂gᵢ/∂xᵢ): each entry is a
    single-variable chain rule, and the vector of those products is all there is to compute.

    ``outer`` and ``inner`` are read as in :func:`jacobian_product`. An off-diagonal entry counts as zero when
    its size is at most ``atol`` times the largest entry of its matrix (at least 1), so the tiny noise a
    numeric Jacobian may carry does not hide the structure.
    """
    a, b = _as_jacobian(outer, "∂f/∂g"), _as_jacobian(inner, "∂g/∂x")
    if not (a.shape[0] == a.shape[1] == b.shape[0] == b.shape[1]):
        return False
    return all(_diagonal(j, atol) for j in (a, b))


def _diagonal(j: np.ndarray, atol: float) -> bool:
    off = j - np.diag(np.diag(j))
    return bool(np.max(np.abs(off)) <= atol * max(1.0, float(np.max(np.abs(j)))))


@dataclass(frozen=True)
class VectorChain:
    """The vector chain rule at one point: ``jacobian`` = ``outer`` · ``inner`` (paper §4.5.3).

    ``outer`` is ∂f/∂g at g(x) (m×k), ``inner`` is ∂g/∂x at x (k×n), ``jacobian`` their product ∂f/∂x (m×n),
    all 2-D and read-only; ``x`` is the point and ``g`` the intermediate value g(x). ``shapes`` says the sizes
    in words, e.g. "∂f/∂x (2×1) = ∂f/∂g (2×2) · ∂g/∂x (2×1)"; ``elementwise`` is True when both factors are
    diagonal (see :func:`is_elementwise_chain`).
    """

    jacobian: np.ndarray
    outer: np.ndarray
    inner: np.ndarray
    x: np.ndarray
    g: np.ndarray
    shapes: str
    elementwise: bool

    def __str__(self) -> str:
        return self.shapes


def _frozen(arr) -> np.ndarray:
    arr = np.array(arr, dtype=float)
    arr.setflags(write=False)
    return arr


def vector_chain_rule(f, g, x, *, method: str = "central") -> VectorChain:
    """∂/∂x f(g(x)) as the product of two Jacobians, each computed numerically (paper §4.5.3).

    ``g`` maps x (a number or a 1-D vector of n numbers) to k numbers, ``f`` maps those k numbers to m. The
    result holds ∂f/∂g taken at the point g(x), ∂g/∂x taken at x, and their product ∂f/∂x (m×n, numerator
    layout), which equals ``mcdl.jacobian(lambda x: f(g(x)), x)`` up to the finite-difference error.
    ``method`` is passed to :func:`mcdl.jacobian` ("central", "forward" or "complex").

    The paper's example, g(x) = [x², 3x] and f(g) = [ln g₁, sin g₂]::

        chain = vector_chain_rule(lambda g: np.array([np.log(g[0]), np.sin(g[1])]),
                                  lambda x: np.array([x**2, 3*x]), 2.0)
        chain.jacobian      # [[1.0], [3 cos 6]]: the column [2/x, 3cos(3x)] at x = 2
        chain.shapes        # '∂f/∂x (2×1) = ∂f/∂g (2×2) · ∂g/∂x (2×1)'

    f and g must be functions (a ``TypeError`` otherwise); what :func:`mcdl.jacobian` refuses (a point that is
    not a number or a vector, a value that is not finite) is refused the same way.
    """
    f = require_callable(f, "f")
    g = require_callable(g, "g")
    inner = jacobian(g, x, method=method)
    point = np.asarray(x, dtype=float)
    gx = _evaluate(g, point.copy(), "g")          # the point where ∂f/∂g is taken
    outer = jacobian(f, gx, method=method)
    product = jacobian_product(outer, inner)
    shapes = (f"∂f/∂x ({_size(product.shape)}) = ∂f/∂g ({_size(outer.shape)}) · ∂g/∂x ({_size(inner.shape)})")
    return VectorChain(jacobian=_frozen(product), outer=_frozen(outer), inner=_frozen(inner), x=_frozen(point),
                       g=_frozen(gx), shapes=shapes, elementwise=is_elementwise_chain(outer, inner))
