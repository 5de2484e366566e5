"""Numeric derivatives, gradients and Jacobians — the paper's objects, computed by finite differences.

Every identity mcdl states is checked against these functions, so they favour accuracy and clear
errors over cleverness.  Conventions (paper §3–4.1, numerator layout):

* ``derivative(f, x)``   — d f / d x for f: R → R, a float.
* ``partial(f, x, i)``   — ∂f/∂xᵢ for f: Rⁿ → R, a float.
* ``gradient(f, x)``     — ∇f for f: Rⁿ → R, shape (n,).  It *is* the paper's horizontal row vector;
  numpy's 1-D arrays simply do not record row vs column.
* ``jacobian(f, x)``     — ∂f/∂x for f: Rⁿ → Rᵐ, always 2-D with shape (m, n): one row per output
  (each row is that output's gradient), one column per input.  A scalar x counts as n = 1 and a
  scalar result as m = 1.

Two methods:

* ``"central"`` (default): (f(x + hⱼ) − f(x − hⱼ)) / 2hⱼ with hⱼ = ∛ε · max(|xⱼ|, 1e-4).  The
  truncation error shrinks like h², the round-off error grows like ε/h; ∛ε balances the two.  The
  step follows each coordinate's own magnitude, so a badly scaled function (1e6·x³ at x = 1e-3, or
  anything at x = 1e8) keeps its accuracy; the small floor keeps the step non-zero at xⱼ = 0.
* ``"complex"``: Im f(x + i·h) / h with h = 1e-20 · max(|xⱼ|, 1).  There is no subtraction, so no
  cancellation: the error is near machine precision.  f must accept complex input and be
  real-analytic (np.sin, **, exp, log yes; abs, max and comparisons no).
"""
from __future__ import annotations

import numpy as np

from .shapes import ShapeError, as_output, as_point, fmt_shape, require_callable, require_index

EPS = np.finfo(float).eps
CENTRAL_STEP = EPS ** (1 / 3)
STEP_FLOOR = 1e-4
COMPLEX_STEP = 1e-20
METHODS = ("central", "forward", "complex")


def step_sizes(x: np.ndarray, method: str = "central") -> np.ndarray:
    """The step hⱼ used for each coordinate of x (exposed so chapter 01 can plot it)."""
    x = np.abs(np.asarray(x, dtype=float))
    if method == "complex":
        return COMPLEX_STEP * np.maximum(x, 1.0)
    scale = np.sqrt(EPS) if method == "forward" else CENTRAL_STEP
    h = scale * np.maximum(x, STEP_FLOOR)
    # make x + h exactly representable, so the step really taken is the step divided by
    return (x + h) - x


def _check_method(method):
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}; got {method!r}.")


def _call(f, x, name="f"):
    """Evaluate f quietly (no numpy warnings) and turn its failures into messages that name x."""
    with np.errstate(all="ignore"):
        try:
            return f(x)
        except (ShapeError, TypeError, ValueError, ZeroDivisionError, IndexError, ArithmeticError) as err:
            shape = fmt_shape(np.shape(x))
            raise type(err)(f"{name} raised {type(err).__name__} when called with x of shape {shape}: {err}") from err


def _evaluate(f, x, name="f") -> np.ndarray:
    y = as_output(_call(f, x, name), f"{name}(x)")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name}(x) is not finite at x = {np.array2string(np.real(x), precision=6)} "
                         f"(got {np.array2string(np.real(y), precision=6)}); is x inside {name}'s domain?")
    return y


def _complex_column(f, x, j, h):
    xc = x.astype(complex)
    if xc.ndim == 0:
        xc = xc + 1j * h
    else:
        xc[j] += 1j * h
    y = _call(f, xc)
    if not np.iscomplexobj(y):
        raise TypeError("method='complex' needs f to accept complex input and return complex output "
                        "(use np.sin, np.exp, ** ...; abs, max and comparisons are not complex-analytic). "
                        "Use method='central' for this f.")
    y = np.asarray(y)
    if y.ndim > 1:
        raise ShapeError(f"f(x) should return a scalar or a 1-D vector, got shape {fmt_shape(y.shape)}.")
    return np.imag(y) / h


def _try_batch(f, x, y0, h):
    """Evaluate f once on a batch of the 2n perturbed points stacked as columns, shape (n, 2n+1).

    Accepted only when f returns shape (m, 2n+1) and the last column (x itself) reproduces f(x), so a
    function that mixes columns (np.sum(x) over the whole array, say) is detected and refused.
    """
    n, m = x.size, max(y0.size, 1)
    steps = np.diag(h)
    X = np.concatenate([x[:, None] + steps, x[:, None] - steps, x[:, None]], axis=1)
    try:
        with np.errstate(all="ignore"):
            Y = np.asarray(f(X), dtype=float)
    except Exception:           # f does not take a batch: fall back to one column at a time
        return None
    if Y.shape == (2 * n + 1,) and m == 1:
        Y = Y[None, :]
    if Y.shape != (m, 2 * n + 1) or not np.allclose(Y[:, -1], np.atleast_1d(y0), rtol=1e-12, atol=0):
        return None
    if not np.all(np.isfinite(Y)):
        return None
    return (Y[:, :n] - Y[:, n:2 * n]) / (2 * h)


def jacobian(f, x, *, method: str = "central", batch: bool | None = None) -> np.ndarray:
    """The Jacobian ∂f/∂x of f: Rⁿ → Rᵐ at x, in numerator layout: shape (m, n) (paper §4.1).

    Row i is the gradient of the i-th output; column j is how every output moves with xⱼ.
    ``batch=None`` tries one call of f on all perturbed points (columns of an (n, 2n+1) array) and
    falls back to one column at a time if f does not handle a batch; ``batch=False`` never tries.
    """
    f = require_callable(f)
    _check_method(method)
    x = as_point(x)
    y0 = _evaluate(f, x)
    n, m = max(x.size, 1), max(y0.size, 1)
    flat = np.atleast_1d(x)
    h = step_sizes(flat, method)
    J = None
    if method == "central" and batch is not False and x.ndim == 1:
        J = _try_batch(f, flat, y0, h)
        if J is None and batch is True:
            raise ShapeError(f"f does not accept a batch of points: called with shape ({n}, {2 * n + 1}) "
                             f"it should return ({m}, {2 * n + 1}) with one column per point.")
    if J is None:
        J = np.empty((m, n))
        for j in range(n):
            if method == "complex":
                col = _complex_column(f, x, j, h[j])
            else:
                e = np.zeros(n)
                e[j] = h[j]
                xp = (flat + e) if x.ndim else x + h[j]
                y_plus = _evaluate(f, xp)
                if method == "forward":
                    col = (y_plus - y0) / h[j]
                else:
                    xm = (flat - e) if x.ndim else x - h[j]
                    col = (y_plus - _evaluate(f, xm)) / (2 * h[j])
            col = np.atleast_1d(np.asarray(col, dtype=float))
            if col.size != m:
                raise ShapeError(f"f returned {m} value(s) at x but {col.size} near x; its output size must not depend on x.")
            J[:, j] = col
    if not np.all(np.isfinite(J)):
        raise ValueError("the Jacobian is not finite near x: f is not differentiable there (or x is on its domain's edge).")
    return J


def derivative(f, x, *, method: str = "central"):
    """d f / d x for a scalar function of one variable (paper §2), e.g. derivative(np.sin, 0.0) ≈ 1.0.

    ``x`` may also be an array of points, then f must work element-wise and the result has x's shape:
    the derivative at each point (handy for plotting a derivative curve).
    """
    f = require_callable(f)
    _check_method(method)
    arr = np.asarray(x) if not isinstance(x, (str, bytes)) else x
    if isinstance(arr, np.ndarray) and arr.ndim >= 1 and arr.dtype != object:
        pts = as_point(np.ravel(arr), "x")
        h = step_sizes(pts, method)
        with np.errstate(all="ignore"):
            if method == "complex":
                out = np.imag(np.asarray(_call(f, pts + 1j * h))) / h
            elif method == "forward":
                out = (np.asarray(_call(f, pts + h)) - np.asarray(_call(f, pts))) / h
            else:
                out = (np.asarray(_call(f, pts + h)) - np.asarray(_call(f, pts - h))) / (2 * h)
        out = np.asarray(out, dtype=float)
        if out.shape != pts.shape:
            raise ShapeError(f"with an array of points, f must work element-wise: f(x) for x of shape "
                             f"{fmt_shape(pts.shape)} returned shape {fmt_shape(out.shape)}.")
        return out.reshape(np.shape(arr))
    x = as_point(x)
    if x.ndim != 0:
        raise ShapeError(f"derivative is for f: R → R, so x should be a scalar, got shape {fmt_shape(x.shape)}. "
                         "Use gradient or jacobian for a vector x.")
    J = jacobian(f, x, method=method)
    if J.shape != (1, 1):
        raise ShapeError(f"derivative is for a scalar-valued f, but f(x) has {J.shape[0]} values; use jacobian.")
    return float(J[0, 0])


def gradient(f, x, *, method: str = "central") -> np.ndarray:
    """∇f for a scalar-valued f: Rⁿ → R, shape (n,) (paper §3).

    The paper writes the gradient as a horizontal (row) vector: it is the single row of the 1×n
    Jacobian.  numpy's 1-D array does not distinguish row from column; ``jacobian(f, x)`` gives the
    explicit (1, n) row.
    """
    J = jacobian(f, x, method=method)
    if J.shape[0] != 1:
        raise ShapeError(f"gradient needs a scalar-valued f, but f(x) has shape ({J.shape[0]},): "
                         f"its derivative is the ({J.shape[0]}, {J.shape[1]}) Jacobian — use jacobian(f, x).")
    return J[0]


def partial(f, x, i: int, *, method: str = "central") -> float:
    """∂f/∂xᵢ: the derivative of scalar-valued f in coordinate i, every other coordinate held constant (§3)."""
    f = require_callable(f)
    x = as_point(x)
    if x.ndim == 0:
        raise ShapeError("partial needs a vector x of shape (n,); for one variable use derivative(f, x).")
    i = require_index(i, x.size)

    def along_i(t):
        point = x.astype(np.result_type(x, t))
        point[i] = t
        return f(point)

    y = as_output(_call(f, x))
    if y.size != 1:
        raise ShapeError(f"partial needs a scalar-valued f, but f(x) has shape {fmt_shape(y.shape)}; use jacobian.")
    return float(jacobian(along_i, x[i], method=method)[0, 0])
