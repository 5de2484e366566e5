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

Three methods:

* ``"central"`` (default): (f(x + hⱼ) − f(x − hⱼ)) / 2hⱼ.  The truncation error shrinks like h²,
  the round-off error grows like ε·|f|/h; a step near ∛ε times the scale of xⱼ balances the two.
  But which scale?  max(|xⱼ|, 1) loses digits on a badly scaled function (1e6·x³ at x = 1e-3: 5 of
  them) and |xⱼ| alone fails near 0 (an offset f = x + 1e6 at x = 0).  So mcdl tries up to four
  steps hⱼ = ∛ε · max(|xⱼ|, s) for s = 1, 1e-2, 1e-4, 0 (one step when |xⱼ| ≥ 1), estimates each
  one's error — round-off ε·(|f(x+h)| + |f(x−h)|)/2h plus its disagreement with the next smaller
  step — and keeps, entry by entry, the step with the smallest estimate.
* ``"forward"``: (f(x + hⱼ) − f(x)) / hⱼ with the same selection around √ε (shown in chapter 01 to
  compare; its error shrinks only like h).
* ``"complex"``: Im f(x + i·h) / h with h = 1e-20 · max(|xⱼ|, 1).  There is no subtraction, so no
  cancellation: the error is near machine precision.  f must accept complex input and be
  real-analytic (np.sin, **, exp, log yes; abs, max and comparisons no).
"""
from __future__ import annotations

import warnings

import numpy as np
from numpy.exceptions import ComplexWarning

from .shapes import ShapeError, as_array, as_output, as_point, fmt_shape, require_callable, require_index

EPS = np.finfo(float).eps
CENTRAL_STEP = EPS ** (1 / 3)
COMPLEX_STEP = 1e-20
METHODS = ("central", "forward", "complex")


STEP_SCALES = (1.0, 1e-2, 1e-4, 0.0)


def _representable(x, h):
    """Round h so that x + h is exactly representable: the step really taken is the step divided by."""
    return (x + h) - x


def step_sizes(x, method: str = "central") -> np.ndarray:
    """The first (largest) step hⱼ tried for each coordinate of x: ∛ε·max(|xⱼ|, 1) for central
    differences, √ε·max(|xⱼ|, 1) forward, 1e-20·max(|xⱼ|, 1) complex.  Chapter 01 plots it."""
    return candidate_steps(x, method)[0]


def candidate_steps(x, method: str = "central") -> np.ndarray:
    """All steps tried, shape (K, n): row k uses the scale max(|xⱼ|, STEP_SCALES[k]).

    Rows that repeat the previous one (every |xⱼ| ≥ 1, say) are dropped, so a well scaled point
    costs one step, as plain central differences would.
    """
    x = np.abs(np.atleast_1d(np.asarray(x, dtype=float)))
    if method == "complex":
        return (COMPLEX_STEP * np.maximum(x, 1.0))[None, :]
    base = np.sqrt(EPS) if method == "forward" else CENTRAL_STEP
    rows = []
    for s in STEP_SCALES:
        scale = np.maximum(x, s)
        scale = np.where(scale > 0, scale, STEP_SCALES[-2])        # x = 0 and s = 0: keep the last floor
        h = _representable(x, base * scale)
        if not rows or not np.array_equal(h, rows[-1]):
            rows.append(h)
    return np.array(rows)


def _check_method(method):
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}; got {method!r}.")


def _call(f, x, name="f"):
    """Evaluate f quietly (no numpy warnings) and turn its failures into messages that name x."""
    with np.errstate(all="ignore"):
        try:
            return f(x)
        except (ShapeError, TypeError, ValueError, ZeroDivisionError, IndexError, ArithmeticError) as err:
            where = "a scalar x" if np.ndim(x) == 0 else f"x of shape {fmt_shape(np.shape(x))}"
            raise type(err)(f"{name} raised {type(err).__name__} when called with {where}: {err}") from err


def _evaluate(f, x, name="f") -> np.ndarray:
    y = as_output(_call(f, x, name), f"{name}(x)")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name}(x) is not finite at x = {np.array2string(np.real(x), precision=6)} "
                         f"(got {np.array2string(np.real(y), precision=6)}); is x inside {name}'s domain?")
    return y


_NOT_COMPLEX = ("method='complex' needs f to accept complex input and return complex output "
                "(use np.sin, np.exp, ** ...; abs, max and comparisons are not complex-analytic). "
                "Use method='central' for this f.")


def _call_complex(f, xc):
    """f at complex points.  Real output, or a ComplexWarning (f dropped the imaginary part somewhere,
    e.g. math.sin(x) + x**2, which would silently lose the cos term), is refused with a TypeError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComplexWarning)
        try:
            y = _call(f, xc)
        except ComplexWarning:
            raise TypeError(_NOT_COMPLEX) from None
    if not np.iscomplexobj(y):
        raise TypeError(_NOT_COMPLEX)
    return y


def _complex_column(f, x, j, h):
    xc = x.astype(complex)
    if xc.ndim == 0:
        xc = xc + 1j * h
    else:
        xc[j] += 1j * h
    y = np.asarray(_call_complex(f, xc))
    if y.ndim > 1:
        raise ShapeError(f"f(x) should return a scalar or a 1-D vector, got shape {fmt_shape(y.shape)}.")
    return np.imag(y) / h


def _try_batch(f, x, y0, h):
    """Evaluate f once on a batch of the 2n perturbed points stacked as columns, shape (n, 2n+1).

    Accepted only when f returns shape (m, 2n+1), the last column (x itself) reproduces f(x), and the
    column of the largest step reproduces f called on that point alone.  A function that mixes columns
    (np.sum or np.mean over the whole array, say) is detected and refused: checking x alone is not
    enough, since the batch's mean is x's mean, so x - np.mean(x) gets column x right and the rest wrong.
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
    if Y.shape != (m, 2 * n + 1) or not np.all(np.isfinite(Y)):
        return None
    j = int(np.argmax(h))
    try:
        with np.errstate(all="ignore"):
            y_j = np.asarray(f(X[:, j].copy()), dtype=float).ravel()
    except Exception:
        return None
    # a batched call may round differently from a single one (matmul sums in another order), so an
    # output that cancels to ~0 needs an absolute tolerance on the scale of the outputs
    tol = 1e-12 * float(np.max(np.abs(Y)))
    if (y_j.shape != (m,) or not np.allclose(Y[:, -1], np.ravel(y0), rtol=1e-12, atol=tol)
            or not np.allclose(Y[:, j], y_j, rtol=1e-12, atol=tol)):
        return None
    return Y[:, :n], Y[:, n:2 * n]


def _quotients(f, x, flat, y0, h, method, batch):
    """Difference quotients for one step vector h: (J, R), both (m, n); R estimates J's round-off.

    Values of f outside its domain come back as NaN here (the step selection then avoids them).
    """
    n, m = flat.size, max(y0.size, 1)
    pair = None
    if method == "central" and batch is not False and x.ndim == 1:
        pair = _try_batch(f, flat, y0, h)
        if pair is None and batch is True:
            raise ShapeError(f"batch=True, but f does not handle a batch of points: called with an array of shape "
                             f"({n}, {2 * n + 1}) whose columns are points, it should return shape ({m}, {2 * n + 1}), "
                             "column k being f of column k alone (does f sum, average or take a norm over the whole "
                             "array?). Use batch=None (the default) to fall back to one point at a time.")
    if pair is None:
        y_plus, y_minus = np.empty((m, n)), np.empty((m, n))
        for j in range(n):
            e = np.zeros(n)
            e[j] = h[j]
            for sign, out in ((1, y_plus), (-1, y_minus)):
                if method == "forward" and sign < 0:
                    out[:, j] = np.ravel(y0)
                    continue
                point = (flat + sign * e) if x.ndim else x + sign * h[j]
                y = as_output(_call(f, point), "f(x)")
                if y.size != m:
                    raise ShapeError(f"f returned {m} value(s) at x but {y.size} near x; "
                                     "its output size must not depend on x.")
                out[:, j] = np.ravel(y)
        pair = y_plus, y_minus
    y_plus, y_minus = pair
    with np.errstate(all="ignore"):
        if method == "forward":
            y_minus = np.broadcast_to(np.ravel(y0)[:, None], y_plus.shape)
            return (y_plus - y_minus) / h, EPS * (np.abs(y_plus) + np.abs(y_minus)) / h, y_plus == y_minus
        return (y_plus - y_minus) / (2 * h), EPS * (np.abs(y_plus) + np.abs(y_minus)) / (2 * h), y_plus == y_minus


def select_step(Js, Rs, same=None) -> np.ndarray:
    """Pick, entry by entry, the candidate with the smallest estimated error (round-off + truncation).

    Js, Rs: (K, m, n) quotients and round-off estimates ε·|f|/h for the K candidate steps, largest
    first.  The error of candidate k is estimated by how much it disagrees with its smaller
    neighbour k+1 (the last usable one: with k−1), plus Rs.  That disagreement sees truncation (which
    shrinks with h) and also noise the ε·|f|/h model cannot see, such as the rounding of 1 + x² inside
    log(1 + x²); on a tie the larger step wins.
    ``same`` (K, m, n) marks quotients whose two f values were identical floats.  Once a larger step
    has seen f change, an identical pair at a smaller step means the change fell below f's last digit
    (log(1 + x²) near 0, say): that quotient's 0 is lost information, not a converged answer.
    """
    K = Js.shape[0]
    if K == 1:
        return Js[0]
    if same is not None:
        seen_change = np.logical_or.accumulate(~same, axis=0)
        lost = same.copy()
        lost[0] = False
        lost[1:] &= seen_change[:-1]
        Js = np.where(lost, np.nan, Js)
    with np.errstate(all="ignore"):
        ahead = np.abs(Js[:-1] - Js[1:])
        T = np.full(Js.shape, np.nan)
        T[:-1] = ahead
        T[1:] = np.where(np.isfinite(T[1:]), T[1:], ahead)
        T = np.where(np.isfinite(T), T, 0.0)
        E = np.where(np.isfinite(Js) & np.isfinite(Rs), Rs + T, np.inf)          # (K, m, n)
    best = np.argmin(E, axis=0)
    return np.take_along_axis(Js, best[None], axis=0)[0]


def jacobian(f, x, *, method: str = "central", batch: bool | None = None) -> np.ndarray:
    """The Jacobian ∂f/∂x of f: Rⁿ → Rᵐ at x, in numerator layout: shape (m, n) (paper §4.1).

    Row i is the gradient of the i-th output; column j is how every output moves with xⱼ.
    ``batch=None`` tries one call of f on all perturbed points (columns of an (n, 2n+1) array) and
    falls back to one point at a time if f does not handle a batch; ``batch=False`` never tries.
    """
    f = require_callable(f)
    _check_method(method)
    x = as_point(x)
    y0 = _evaluate(f, x)
    n, m = max(x.size, 1), max(y0.size, 1)
    flat = np.atleast_1d(x)
    hs = candidate_steps(flat, method)
    if method == "complex":
        J = np.empty((m, n))
        for j in range(n):
            col = np.atleast_1d(np.asarray(_complex_column(f, x, j, hs[0, j]), dtype=float))
            if col.size != m:
                raise ShapeError(f"f returned {m} value(s) at x but {col.size} near x; its output size must not depend on x.")
            J[:, j] = col
    else:
        Js, Rs, same = (np.array(a) for a in zip(*[_quotients(f, x, flat, y0, h, method, batch) for h in hs]))
        J = select_step(Js, Rs, same=same)
    if not np.all(np.isfinite(J)):
        raise ValueError(f"the Jacobian is not finite near x = {np.array2string(flat, precision=6)}: f is not "
                         "defined on both sides of x (is x on the edge of f's domain?) or not differentiable there.")
    return J


def derivative(f, x, *, method: str = "central"):
    """d f / d x for a scalar function of one variable (paper §2), e.g. derivative(np.sin, 0.0) ≈ 1.0.

    ``x`` may also be an array of points, then f must work element-wise and the result has x's shape:
    the derivative at each point (handy for plotting a derivative curve).
    """
    f = require_callable(f)
    _check_method(method)
    arr = as_array(x, "x")
    if arr.ndim >= 1:
        pts = as_point(np.ravel(arr), "x")
        hs = candidate_steps(pts, method)

        def values(points):
            y = as_output(_call_complex(f, points) if method == "complex" else _call(f, points))
            if y.shape != pts.shape:      # checked before dividing by h, which would broadcast a scalar
                got = f"shape {fmt_shape(y.shape)}" if y.ndim else "a scalar"
                raise ShapeError(f"with an array of points, f must work element-wise: f(x) for x of shape "
                                 f"{fmt_shape(pts.shape)} returned {got}. If x is one point in Rⁿ, use "
                                 "gradient(f, x) (scalar f) or jacobian(f, x).")
            return y

        if method == "complex":
            with np.errstate(all="ignore"):
                out = np.imag(values(pts + 1j * hs[0])) / hs[0]
        else:
            Js, Rs, same = [], [], []
            for h in hs:
                with np.errstate(all="ignore"):
                    y_plus = values(pts + h)
                    y_minus = values(pts) if method == "forward" else values(pts - h)
                    width = h if method == "forward" else 2 * h
                    Js.append((y_plus - y_minus) / width)
                    Rs.append(EPS * (np.abs(y_plus) + np.abs(y_minus)) / width)
                    same.append(y_plus == y_minus)
            out = select_step(np.array(Js)[:, None, :], np.array(Rs)[:, None, :], np.array(same)[:, None, :])[0]
        return np.asarray(out, dtype=float).reshape(arr.shape)
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

    y = _evaluate(f, x)
    if y.size != 1:
        raise ShapeError(f"partial needs a scalar-valued f, but f(x) has shape {fmt_shape(y.shape)}; use jacobian.")
    return float(jacobian(along_i, x[i], method=method)[0, 0])
