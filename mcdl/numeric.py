"""Numeric derivatives, gradients and Jacobians — the paper's objects, computed by finite differences.

Every identity mcdl states is checked against these functions, so they favour accuracy and clear
errors over speed, and they say so when they cannot be sure.  Conventions (paper §3–4.1, numerator
layout):

* ``derivative(f, x)``   — d f / d x for f: R → R, a float.
* ``partial(f, x, i)``   — ∂f/∂xᵢ for f: Rⁿ → R, a float.
* ``gradient(f, x)``     — ∇f for f: Rⁿ → R, shape (n,).  It *is* the paper's horizontal row vector;
  numpy's 1-D arrays simply do not record row vs column.
* ``jacobian(f, x)``     — ∂f/∂x for f: Rⁿ → Rᵐ, always 2-D with shape (m, n): one row per output
  (each row is that output's gradient), one column per input.  A scalar x counts as n = 1 and a
  scalar result as m = 1.

How a difference quotient is made trustworthy (methods ``"central"``, the default, and ``"forward"``):

1. **Richardson extrapolation.**  A central quotient D(h) = (f(x+h) − f(x−h)) / 2h equals f′(x) plus
   an error a·h² + b·h⁴ + …  Three quotients at h, h/2 and h/4 cancel the h² and h⁴ terms; how much the
   last cancellation changed the value estimates the error that is left.  Round-off, ε·|f|/h for
   each quotient, is added to the estimate.  (Forward quotients, error a·h + b·h², get the same.)
2. **A ladder of steps, searched.**  The first window starts at h = ε^(1/5)·max(|xⱼ|, 1).  An entry
   whose estimate is not yet small enough climbs to larger steps if round-off is what spoils it
   (f = 1e8 + x), and then descends towards steps relative to |xⱼ| itself (1/x at 1e-10, x³ at 1e-12,
   a kink just beside x), down to ∛ε·|xⱼ|.  The window with the smallest estimate wins.
3. **Kinks.**  Where the left and right slopes settle on different values however small the step
   (|x| or max(0, x) at 0), f has a kink at x.  mcdl then returns the paper's convention: the slope of
   smallest size between the two sides (ReLU′(0) = 0, |x|′ at 0 = 0 — also what PyTorch returns).  A
   jump, or a slope that grows without bound, is not differentiable: a ValueError.
4. **Honesty.**  ``full_output=True`` returns an :class:`Estimate` (the error estimate, the step, the
   kinks) beside the value; an estimated error above 1e-6 relative raises :class:`AccuracyWarning`.

``"complex"``: Im f(x + i·h) / h with h = 1e-20 · max(|xⱼ|, 1).  No subtraction, so no cancellation:
the error is near machine precision.  f must accept complex input, be real at real input and be
real-analytic (np.sin, **, exp, log yes; abs, max and comparisons no).

f is called on private copies and its results are copied out, so an f that changes its argument or
returns a buffer it reuses cannot change the caller's x or the result.  An exception from f is
raised as it is (its type, message and traceback), with a note naming the point.  Points are
batched (columns of an (n, k) array) when f takes a batch, in chunks of at most ``CHUNK_FLOATS``
numbers, so a gradient needs O(n) extra memory and a Jacobian O(m·n).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.exceptions import ComplexWarning

from .shapes import ShapeError, as_array, as_output, as_point, fmt_shape, require_callable, require_index

EPS = np.finfo(float).eps
CENTRAL_STEP = EPS ** (1 / 3)          # the floor of the ladder, relative to |x|
FIRST_STEP = EPS ** (1 / 5)            # the first window (near-optimal for an error of order h⁴)
FORWARD_FIRST_STEP = EPS ** (1 / 3)    # forward quotients extrapolated to order h²
COMPLEX_STEP = 1e-20
METHODS = ("central", "forward", "complex")

UP_WINDOWS = 4                         # windows above the first, each 16× larger
MAX_DOWN_WINDOWS = 16                  # at most this many below it (ratio ≥ 16 between windows)
ZERO_FLOOR = 1e-12                     # at x = 0 the ladder stops at FIRST_STEP·1e-12
ACCEPT_RTOL = 1e-8                     # an estimate this small (relative) ends the search
WARN_RTOL = 1e-6                       # an estimate above this (relative) raises AccuracyWarning
CHUNK_FLOATS = 1 << 18                 # numbers in one batched call of f (2 MiB of float64)


class AccuracyWarning(UserWarning):
    """The estimated error of a numeric derivative exceeds its tolerance: the number may be wrong."""


@dataclass(frozen=True)
class Estimate:
    """What ``full_output=True`` returns beside a derivative.

    error: (m, n) estimated absolute error of each entry; step: (m, n) the step of the window used;
    kink: (m, n) True where f has a kink at x and the convention (the smallest one-sided slope) was
    applied; evaluations: points at which f was evaluated.
    """

    error: np.ndarray
    step: np.ndarray
    kink: np.ndarray
    evaluations: int

    @property
    def worst(self) -> float:
        """The largest estimated error over all entries."""
        return float(np.max(self.error)) if self.error.size else 0.0


def _representable(x, h):
    """Round h so that x + h and x - h are exactly representable: the step really taken is the step
    divided by.  (Rounded away from zero, where the spacing of floats is the coarser one.)"""
    a = np.abs(x)
    return (a + h) - a


def _scale(x):
    return np.maximum(np.abs(x), 1.0)


def _floor(x):
    """The smallest window's step: ∛ε·|xⱼ| relative to xⱼ, or FIRST_STEP·1e-12 at xⱼ = 0."""
    a = np.abs(x)
    return np.maximum(np.where(a > 0, FIRST_STEP * CENTRAL_STEP * a, FIRST_STEP * ZERO_FLOOR), 1e-310)


def step_sizes(x, method: str = "central") -> np.ndarray:
    """The first (largest) step of the first window for each coordinate of x: ε^(1/5)·max(|xⱼ|, 1) for
    central differences, ∛ε·max(|xⱼ|, 1) forward, 1e-20·max(|xⱼ|, 1) complex.  Chapter 01 plots it."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    base = {"central": FIRST_STEP, "forward": FORWARD_FIRST_STEP, "complex": COMPLEX_STEP}[method]
    h = base * _scale(x)
    return h if method == "complex" else _representable(x, h)


def candidate_steps(x, method: str = "central") -> np.ndarray:
    """Every window's first step, in the order they may be tried, shape (K, n): the first window, the
    UP_WINDOWS above it, then the windows down to ∛ε·|xⱼ| (NaN where a coordinate has fewer).  Each
    window also uses its step /2 and /4.  Most entries stop after the first window."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    if method == "complex":
        return step_sizes(x, method)[None, :]
    first = step_sizes(x, method)
    ratio, count = _down_ladder(x, first)
    rows = [first] + [first * 16.0 ** k for k in range(1, UP_WINDOWS + 1)]
    for k in range(1, int(count.max(initial=0)) + 1):
        rows.append(np.where(k <= count, first / ratio ** k, np.nan))
    return np.array(rows)


def _down_ladder(x, first):
    """Per coordinate: the ratio between windows below the first one (≥ 16) and how many there are."""
    span = np.log(first / _floor(x))
    ratio = np.maximum(16.0, np.exp(span / MAX_DOWN_WINDOWS))
    count = np.maximum(np.ceil(span / np.log(ratio) - 1e-9), 0).astype(int)
    return ratio, count


def _check_method(method):
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}; got {method!r}.")


# ==================================================================================================
# Calling f: private copies, the learner's own exception, real or complex output
# ==================================================================================================
def _where(x) -> str:
    return "a scalar x" if np.ndim(x) == 0 else f"x of shape {fmt_shape(np.shape(x))}"


def _call(f, x, name="f"):
    """f(x) on a private copy of x, quietly (no numpy warnings).  An exception from f is raised as it
    is — its own type, message and traceback — with a note naming the point."""
    arg = x.copy() if isinstance(x, np.ndarray) else x
    with np.errstate(all="ignore"):
        try:
            return f(arg)
        except Exception as err:
            if hasattr(err, "add_note") and not isinstance(err, ShapeError):
                err.add_note(f"(mcdl: {name} raised {type(err).__name__} when called with {_where(x)})")
            raise


_COMPLEX_OUTPUT = ("{name}(x) is complex ({value}) at a real x, so it is not a real function there: "
                   "mcdl's derivatives are for real-valued f (take np.real(...) or np.abs(...) if that is "
                   "what you mean).")


def _real_values(y, name="f") -> np.ndarray:
    """y as a float array; a complex y with a non-zero imaginary part is refused with a TypeError."""
    y = np.asarray(y)
    if np.iscomplexobj(y):
        if np.any(np.imag(y) != 0):
            bad = np.ravel(y)[np.flatnonzero(np.ravel(np.imag(y)))[0]]
            raise TypeError(_COMPLEX_OUTPUT.format(name=name, value=bad))
        y = np.real(y)
    return np.array(y, dtype=float)                       # a copy: f may reuse its output buffer


def _evaluate(f, x, name="f") -> np.ndarray:
    y = as_output(_call(f, x, name), f"{name}(x)")
    y = _real_values(y, name)
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
    return np.array(y)


# ==================================================================================================
# The probe: f at x ± h·eⱼ for chosen columns j, batched when f takes a batch
# ==================================================================================================
_BATCH_REFUSED = ("batch=True, but f does not handle a batch of points: called with an array of shape ({n}, {k}) "
                  "whose columns are points, it should return shape ({m}, {k}), column c being f of column c "
                  "alone (does f sum, average or take a norm over the whole array?). Use batch=None (the "
                  "default) to fall back to one point at a time.")


class _Probe:
    """Values of f at perturbed points.  ``columns`` mode (a Jacobian): point c is x + s·h·e_j for column
    j; ``pointwise`` mode (derivative on an array of points): point c is xⱼ + s·h on its own, f taking
    the whole array element-wise.  Results are (m, k) float arrays (complex for the complex step)."""

    def __init__(self, f, x, m, *, pointwise=False, batch=None, complex_step=False):
        self.f, self.x, self.m = f, x, m
        self.pointwise, self.complex_step = pointwise, complex_step
        self.n = x.size
        self.scalar = x.ndim == 0
        self.points = 0
        self.batch = False if (pointwise or self.scalar) else batch
        self.probed = self.batch is False

    def __call__(self, cols, h, sign):
        """f at the points x + sign·h[c]·e_cols[c]; shape (m, len(cols))."""
        cols, h = np.asarray(cols, dtype=int), np.asarray(h)
        if self.complex_step:
            h = 1j * h                          # the complex step moves x along the imaginary axis
        self.points += cols.size
        if self.pointwise:
            return self._pointwise(cols, h, sign)
        if not self.probed:
            self.batch, self.probed = self._batch_works(cols, h, sign), True
        if self.batch:
            return self._batched(cols, h, sign)
        out = np.empty((self.m, cols.size), dtype=complex if self.complex_step else float)
        for c, (j, hj) in enumerate(zip(cols, h)):
            out[:, c] = self._one(j, sign * hj)
        return out

    # ---- one point at a time ------------------------------------------------------------------------
    def _point(self, j, step):
        if self.scalar:
            return self.x + step
        p = self.x.astype(complex) if self.complex_step else self.x.copy()
        p[j] += step
        return p

    def _one(self, j, step):
        p = self._point(j, step)
        if self.complex_step:
            y = np.ravel(_call_complex(self.f, p))
        else:
            y = np.ravel(_real_values(as_output(_call(self.f, p), "f(x)")))
        if y.size != self.m:
            raise ShapeError(f"f returned {self.m} value(s) at x but {y.size} near x; "
                             "its output size must not depend on x.")
        return y

    # ---- batches -----------------------------------------------------------------------------------
    def _columns(self, cols, h, sign):
        X = np.repeat(self.x[:, None], cols.size, axis=1).astype(complex if self.complex_step else float)
        X[cols, np.arange(cols.size)] += sign * h
        return X

    def _try(self, X):
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("error", ComplexWarning)
                Y = np.array(self.f(X.copy()))
        except Exception:                       # f does not take a batch: one point at a time
            return None
        k = X.shape[1]
        if Y.shape == (k,) and self.m == 1:
            Y = Y[None, :]
        if Y.shape != (self.m, k) or (self.complex_step and not np.iscomplexobj(Y)):
            return None
        return Y if self.complex_step else np.real(Y) if not np.any(np.imag(Y) != 0) else None

    def _batch_works(self, cols, h, sign):
        """Try three columns (two perturbed points and x itself) against single calls; a function that
        mixes columns (np.sum or np.mean over the whole array) gets at least one of them wrong."""
        j = int(cols[0])
        k = int(cols[-1])
        X = np.concatenate([self._columns(np.array([j]), np.array([h[0]]), sign),
                            self._columns(np.array([k]), np.array([h[-1]]), -sign),
                            self.x[:, None].astype(complex if self.complex_step else float)], axis=1)
        Y = self._try(X)
        ok = Y is not None and np.all(np.isfinite(Y))
        if ok:
            singles = [self._single_quietly(X[:, c]) for c in range(3)]
            if any(s is None for s in singles):
                ok = False
            else:
                S = np.stack(singles, axis=1)
                # a batched call may round differently from a single one (matmul sums in another order),
                # so an output that cancels to ~0 needs an absolute tolerance on the scale of the outputs
                tol = 1e-12 * float(np.max(np.abs(S), initial=0.0))
                ok = bool(np.allclose(Y, S, rtol=1e-12, atol=tol))
        if not ok and self.batch is True:
            raise ShapeError(_BATCH_REFUSED.format(n=self.n, k=3, m=self.m))
        return ok

    def _single_quietly(self, p):
        try:
            with np.errstate(all="ignore"):
                y = np.ravel(np.array(self.f(p.copy())))
        except Exception:
            return None
        return y if y.shape == (self.m,) else None

    def _batched(self, cols, h, sign):
        per_call = max(1, CHUNK_FLOATS // max(self.n, self.m, 1))
        parts = []
        for start in range(0, cols.size, per_call):
            sl = slice(start, start + per_call)
            X = self._columns(cols[sl], h[sl], sign)
            Y = self._try(X)
            if Y is None:                       # a later chunk failed: finish this call point by point
                Y = np.stack([self._one(j, sign * hj) for j, hj in zip(cols[sl], h[sl])], axis=1)
            parts.append(Y)
        return np.concatenate(parts, axis=1)

    # ---- element-wise f on an array of points --------------------------------------------------------
    def _pointwise(self, cols, h, sign):
        # always the whole array (the other points unmoved): f may combine x with arrays of x's shape
        pts = self.x.astype(complex) if self.complex_step else self.x.copy()
        pts[cols] += sign * h
        y = _call_complex(self.f, pts) if self.complex_step else _real_values(as_output(_call(self.f, pts)))
        _require_elementwise(y, pts.shape)
        return np.array(y)[None, cols]


def _require_elementwise(y, shape):
    if np.shape(y) != shape:      # checked before dividing by h, which would broadcast a scalar
        got = f"shape {fmt_shape(np.shape(y))}" if np.ndim(y) else "a scalar"
        raise ShapeError(f"with an array of points, f must work element-wise: f(x) for x of shape "
                         f"{fmt_shape(shape)} returned {got}. If x is one point in Rⁿ, use "
                         "gradient(f, x) (scalar f) or jacobian(f, x).")


# ==================================================================================================
# The search over windows of steps
# ==================================================================================================
# Richardson weights on the quotients at h, h/2, h/4: level 1 cancels order p, level 2 order q
_CENTRAL = (2, 4)
_FORWARD = (1, 2)


def _extrapolate(Q, p, q):
    """Q: (3, m, k) quotients at h, h/2, h/4.  Returns (R2, R1 at h/2 → h/4, the weights on Q)."""
    a, b = 2.0 ** p, 2.0 ** q
    R1a = (a * Q[1] - Q[0]) / (a - 1)
    R1b = (a * Q[2] - Q[1]) / (a - 1)
    R2 = (b * R1b - R1a) / (b - 1)
    w = np.array([1.0, -(a + b), a * b]) / ((a - 1) * (b - 1))      # R2 = w · Q
    return R2, R1b, w


@dataclass
class _Window:
    value: np.ndarray       # (m, k) R2
    error: np.ndarray       # (m, k) estimate
    roundoff: np.ndarray    # (m, k) its round-off part
    kink: np.ndarray        # (m, k) left and right slopes apart and not closing
    unbounded: np.ndarray   # (m, k) the quotient grows as the step shrinks: a jump or a pole inside
    one_sided: tuple        # (left, right, their error estimates) for the kink convention
    identical: np.ndarray   # (m, k) every pair of f values identical
    step: np.ndarray        # (k,) the window's first step
    size: np.ndarray        # (m, k) the largest |f| seen: f(x) and f(x ± the first step)


def _window(probe, cols, x, H, y0, central):
    """Evaluate one window (steps H, H/2, H/4) for the columns ``cols``; y0 (m, k) is f at x per column."""
    xs = x[cols]
    hs = [_representable(xs, H / 2.0 ** i) for i in range(3)]
    plus = [probe(cols, h, +1) for h in hs]
    minus = [probe(cols, h, -1) for h in hs] if central else [y0] * 3
    with np.errstate(all="ignore"):
        width = [2 * h if central else h for h in hs]
        Q = np.array([(p - mm) / w for p, mm, w in zip(plus, minus, width)])
        delta = np.array([EPS * (np.abs(p) + np.abs(mm)) / w for p, mm, w in zip(plus, minus, width)])
        p_, q_ = _CENTRAL if central else _FORWARD
        R2, R1, w = _extrapolate(Q, p_, q_)
        identical = np.all([p == mm for p, mm in zip(plus, minus)], axis=0)
        # identical values cancel exactly (whether digits were lost there is the search's question)
        roundoff = np.where(identical, 0.0, np.abs(w[0]) * delta[0] + np.abs(w[1]) * delta[1] + np.abs(w[2]) * delta[2])
        error = np.abs(R2 - R1) + roundoff
        magnitude = np.abs(Q)
        # a jump keeps f(x + h) - f(x - h) fixed as h halves, a pole makes it grow; rounding dust scatters it
        d = np.array([np.abs(p - mm) for p, mm in zip(plus, minus)])
        steady = (d[1] >= 0.9 * d[0]) & (d[1] <= 4.5 * d[0]) & (d[2] >= 0.9 * d[1]) & (d[2] <= 4.5 * d[1])
        unbounded = (steady & (magnitude[2] >= 1.5 * magnitude[1]) & (magnitude[1] >= 1.5 * magnitude[0])
                     & (magnitude[2] > 100 * delta[2]))
        if central:
            F = np.array([(p - y0) / h for p, h in zip(plus, hs)])          # right-hand quotients
            B = np.array([(y0 - mm) / h for mm, h in zip(minus, hs)])       # left-hand quotients
            gap = np.abs(F - B)
            noise = 100 * EPS * (np.abs(plus[2]) + np.abs(minus[2]) + 2 * np.abs(y0)) / hs[2]
            # a kink keeps F - B fixed as h halves (a smooth f halves it, rounding dust makes it grow)
            kink = ((gap[2] >= 0.75 * gap[1]) & (gap[1] >= 0.75 * gap[0]) & (gap[2] <= 1.33 * gap[1])
                    & (gap[1] <= 1.33 * gap[0])
                    & (gap[2] > 1e-3 * (np.abs(F[2]) + np.abs(B[2])) + noise))
            left, right = 2 * B[2] - B[1], 2 * F[2] - F[1]
            e_left = np.abs(left - (2 * B[1] - B[0])) + noise
            e_right = np.abs(right - (2 * F[1] - F[0])) + noise
            one_sided = (left, right, e_left, e_right)
        else:
            kink = np.zeros(R2.shape, dtype=bool)
            one_sided = None
    size = np.maximum(np.abs(y0), np.maximum(np.abs(plus[0]), np.abs(minus[0])))
    return _Window(R2, error, roundoff, kink, unbounded, one_sided, identical, hs[0], size)


def _warn_floor(size, x):
    """A few times the absolute accuracy any finite difference has, ε^(2/3)·|f|/scale: an estimate below it is no
    cause for a warning.  ``size`` is the largest |f| the first window saw (f(x) and f(x ± its step))."""
    return 4 * EPS ** (2 / 3) * np.where(np.isfinite(size), size, 0.0) / _scale(x)[None, :]


def _search(probe, x, y0, central):
    """The search of the module docstring.  x: (n,) coordinates (or points); y0: (m, n) f at x for
    each column.  Returns J (m, n), an Estimate and the warning floor; J is NaN where nothing could be
    computed."""
    m, n = y0.shape
    first = step_sizes(x, "central" if central else "forward")
    ratio, count = _down_ladder(x, first)
    # a window of steps larger than ε^(1/5) in absolute terms (|x| > 1) can miss a wiggle finer than x's
    # scale (sin at 1e7 aliased by steps of 7e3): it ends the search only once the next window agrees
    confirm = (first > (FIRST_STEP if central else FORWARD_FIRST_STEP) * (1 + 1e-9))[None, :]

    J = np.full((m, n), np.nan)
    err = np.full((m, n), np.inf)
    step = np.full((m, n), np.nan)
    done = np.zeros((m, n), dtype=bool)
    smooth_seen = np.zeros((m, n), dtype=bool)   # a window with f changing like a slope
    last_kink = np.zeros((m, n), dtype=bool)     # the smallest valid window so far showed a kink
    kink_value = np.full((m, n), np.nan)
    kink_ok = np.zeros((m, n), dtype=bool)
    chains = {}                                  # per direction: the last clean window's value, and is it the best?

    def visit(cols, H, direction, win=None):
        if cols.size == 0:
            return None
        if win is None:
            win = _window(probe, cols, x, H, y0[:, cols], central)
        ix = (slice(None), slice(None)) if cols.size == n else np.ix_(np.arange(m), cols)   # all: views, no copies
        # a window ends the search only where x's digits survive in x ± h: with |xⱼ| far below the step,
        # f(x ± h) no longer sees xⱼ.  Its quotient is then f's slope around 0, fine for exp at 1e-18 but
        # not for 1e200·x² at 1e-150, where f(x + h) = f(x - h) says nothing: only a step relative to xⱼ can.
        a = np.abs(x[cols])
        resolved = ((a < 1e-280) | (a >= 2e-8 * H))[None, :]        # (below 1e-280, x is 0 to every step)
        lost = win.identical & (smooth_seen[ix] | ~resolved)
        valid = np.isfinite(win.value) & np.isfinite(win.error) & ~lost & ~win.unbounded
        clean = valid & ~win.kink
        # neighbouring windows that disagree by more than their estimates: an estimate was too small (f's
        # own rounding, quantised values, aliasing), so both windows' errors are at least the disagreement
        # (each by the part of the disagreement the other window's own estimate does not explain)
        prev, prev_error, prev_best = chains[direction]
        with np.errstate(all="ignore"):
            apart = np.where(clean & np.isfinite(prev[ix]), np.abs(win.value - prev[ix]), 0.0)
            err[ix] = np.where(prev_best[ix] & ~done[ix], np.maximum(err[ix], apart - win.error), err[ix])
            error = np.maximum(win.error, apart - np.where(np.isfinite(prev_error[ix]), prev_error[ix], 0.0))
        confirmed = np.isfinite(prev[ix]) | ~confirm[:, cols]
        # ranked relative to the value (a window of huge steps over a wiggle gives a tiny value with a
        # tiny absolute error); near 0, relative to the floor any finite difference has
        with np.errstate(all="ignore"):
            tiny = np.finfo(float).tiny
            scale = np.maximum(np.maximum(np.abs(win.value), warn_floor[ix]), tiny)
            held = np.where(np.isfinite(J[ix]), err[ix] / np.maximum(np.maximum(np.abs(J[ix]), warn_floor[ix]), tiny),
                            np.inf)
            better = clean & ~done[ix] & (error / scale < held)
        J[ix] = np.where(better, win.value, J[ix])
        err[ix] = np.where(better, error, err[ix])
        step[ix] = np.where(better, win.step[None, :], step[ix])
        for *_, chain_best in chains.values():              # the best moved: no chain holds it any more
            chain_best[ix] &= ~better
        prev[ix] = np.where(clean, win.value, prev[ix])
        prev_error[ix] = np.where(clean, win.error, prev_error[ix])
        prev_best[ix] = np.where(clean, better, prev_best[ix])
        done[ix] |= better & resolved & confirmed & (error <= ACCEPT_RTOL * np.abs(win.value) + accept_floor[ix])
        # f seen changing smoothly, to two digits: identical values at smaller steps are lost digits
        # (central: a change that looks like a slope to two digits, not a kink straddled; forward quotients
        # cannot tell a kink from lost digits, so any change counts, and a kink within the step gets a warning)
        changed = clean & ~win.identical
        smooth_seen[ix] |= (changed & (win.value != 0) & (error <= 1e-2 * np.abs(win.value))) if central else changed
        if central:
            left, right, e_left, e_right = win.one_sided
            tol = WARN_RTOL * np.maximum(np.abs(left), np.abs(right)) + warn_floor[ix]
            here = valid & win.kink
            if direction == "down":
                last_kink[ix] = np.where(valid, here, last_kink[ix])
            kink_value[ix] = np.where(here, _smallest_between(left, right), kink_value[ix])
            kink_ok[ix] = np.where(here, (e_left <= tol) & (e_right <= tol), kink_ok[ix])
        return win

    all_cols = np.arange(n)
    win = _window(probe, all_cols, x, first, y0, central)
    warn_floor = _warn_floor(win.size, x)
    # an entry is also done at the rounding of f's own value: 8ε·|fᵢ(x)|/scale (an off-diagonal entry of
    # size 0.07 beside outputs of size 1e8 can be no better).  f(x), not f(x ± h): x³ at 2e-12 is tiny.
    accept_floor = 8 * EPS * np.abs(y0) / _scale(x)[None, :]
    chains["down"] = (np.full((m, n), np.nan), np.full((m, n), np.nan), np.zeros((m, n), dtype=bool))
    win = visit(all_cols, first, "down", win=win)
    chains["up"] = tuple(a.copy() for a in chains["down"])
    climbed = np.zeros(n, dtype=bool)

    def climb(wanted):
        for k in range(1, UP_WINDOWS + 1):
            cols = np.flatnonzero(np.any(wanted & ~done, axis=0) & ~climbed)
            visit(cols, first[cols] * 16.0 ** k, "up")
        climbed[np.any(wanted, axis=0)] = True

    climb(~done & np.isfinite(win.value) & ~win.kink & (win.roundoff >= 0.5 * win.error))
    for k in range(1, int(count.max(initial=0)) + 1):
        cols = np.flatnonzero(np.any(~done, axis=0) & (k <= count))
        visit(cols, first[cols] / ratio[cols] ** k, "down")
    # still unsure after descending: f's rounding may be larger than ε·|f| (it cancels large terms
    # inside, -4x + 6e-8·y + 4 at (1, 1)), which only larger steps overcome
    climb(~done & ~last_kink)

    kink = ~done & last_kink & kink_ok
    J = np.where(kink, kink_value, J)
    jump = ~done & last_kink & ~kink_ok & ~(err <= WARN_RTOL * np.abs(J))      # a jump, and nothing better
    J = np.where(jump, np.nan, J)
    err = np.where(kink, 0.0, err)
    return J, Estimate(error=err, step=step, kink=kink, evaluations=probe.points), warn_floor


def _smallest_between(a, b):
    """The number of smallest size in the interval between a and b (0 if they have opposite signs)."""
    return np.where(np.sign(a) * np.sign(b) <= 0, 0.0, np.where(np.abs(a) <= np.abs(b), a, b))


def _warn_if_unsure(J, info, warn_floor, x):
    # relative to the entry, or absolute at the accuracy any finite difference has: ε^(2/3)·|f|/scale
    bad = np.isfinite(J) & ~info.kink & (info.error > WARN_RTOL * np.abs(J) + warn_floor)
    if np.any(bad):
        i, j = np.unravel_index(np.argmax(np.where(bad, info.error / np.maximum(np.abs(J), 1e-300), -1)), J.shape)
        where = "" if J.size == 1 else f" (entry [{i}, {j}])"
        warnings.warn(f"the numeric derivative{where} at x = {np.array2string(np.atleast_1d(x), precision=6)} is "
                      f"{J[i, j]:.10g}, but its estimated error is {info.error[i, j]:.2g}: no step of the "
                      "finite-difference ladder gave a reliable value (f is noisy, nearly flat compared with its "
                      "size, or changes on a scale far from x's). Try method='complex' if f is analytic.",
                      AccuracyWarning, stacklevel=4)


# ==================================================================================================
# The public functions
# ==================================================================================================
def _complex_estimate(J, h, points):
    """The complex step has no cancellation: its error is a few ulps of the value."""
    return Estimate(error=np.abs(J) * 4 * EPS, step=np.broadcast_to(h, J.shape).copy(),
                    kink=np.zeros(J.shape, dtype=bool), evaluations=points)


def _jacobian(f, x, y0, method, batch):
    """The Jacobian, its Estimate, and the AccuracyWarning if one is due; y0 = f(x), already checked
    (finite, and real: the complex step reads Im f(x + ih)/h, nonsense for an f complex at real x)."""
    n, m = max(x.size, 1), max(y0.size, 1)
    flat = np.atleast_1d(x)
    if method == "complex":
        h = step_sizes(flat, "complex")
        probe = _Probe(f, x, m, batch=batch, complex_step=True)
        J = np.imag(probe(np.arange(n), h, +1)) / h[None, :]
        info = _complex_estimate(J, h, probe.points)
    else:
        probe = _Probe(f, x, m, batch=batch)
        J, info, warn_floor = _search(probe, flat, np.broadcast_to(np.ravel(y0)[:, None], (m, n)), method == "central")
    if not np.all(np.isfinite(J)):
        raise ValueError(f"the Jacobian is not finite near x = {np.array2string(flat, precision=6)}: f is not "
                         "defined on both sides of x (is x on the edge of f's domain?) or not differentiable there "
                         "(it jumps, or its slope grows without bound).")
    if method != "complex":
        _warn_if_unsure(J, info, warn_floor, flat)
    return J, info


def jacobian(f, x, *, method: str = "central", batch: bool | None = None, full_output: bool = False):
    """The Jacobian ∂f/∂x of f: Rⁿ → Rᵐ at x, in numerator layout: shape (m, n) (paper §4.1).

    Row i is the gradient of the i-th output; column j is how every output moves with xⱼ.
    ``batch=None`` tries one call of f on many perturbed points (the columns of an (n, k) array) and
    falls back to one point at a time if f does not handle a batch; ``batch=False`` never tries.
    ``full_output=True`` returns ``(J, Estimate)``.  Raises AccuracyWarning when an entry's estimated
    error exceeds 1e-6 relative.
    """
    f = require_callable(f)
    _check_method(method)
    x = as_point(x)
    J, info = _jacobian(f, x, _evaluate(f, x), method, batch)
    return (J, info) if full_output else J


def _pointwise_derivative(f, arr, method, full_output):
    pts = as_point(np.ravel(arr), "x")
    if method == "complex":
        probe = _Probe(f, pts, 1, pointwise=True, complex_step=True)
        h = step_sizes(pts, "complex")
        with np.errstate(all="ignore"):
            out = np.imag(probe(np.arange(pts.size), h, +1)[0]) / h
        info = _complex_estimate(out[None, :], h[None, :], probe.points)
    else:
        y = as_output(_call(f, pts))
        _require_elementwise(y, pts.shape)
        y0 = _real_values(y)[None, :]
        probe = _Probe(f, pts, 1, pointwise=True)
        J, info, warn_floor = _search(probe, pts, y0, method == "central")
        out = J[0]
        _warn_if_unsure(J, info, warn_floor, pts)
    out = np.asarray(out, dtype=float).reshape(arr.shape)
    return (out, info) if full_output else out


def derivative(f, x, *, method: str = "central", full_output: bool = False):
    """d f / d x for a scalar function of one variable (paper §2), e.g. derivative(np.sin, 0.0) ≈ 1.0.

    ``x`` may also be an array of points, then f must work element-wise and the result has x's shape:
    the derivative at each point (NaN where f is not differentiable; handy for plotting a derivative
    curve).  ``full_output=True`` returns ``(value, Estimate)``.
    """
    f = require_callable(f)
    _check_method(method)
    arr = as_array(x, "x")
    if arr.ndim >= 1:
        return _pointwise_derivative(f, arr, method, full_output)
    x = as_point(x)
    y = _evaluate(f, x)
    if y.size != 1:
        raise ShapeError(f"derivative is for a scalar-valued f, but f(x) has {y.size} values; use jacobian.")
    J, info = _jacobian(f, x, y, method, None)
    return (float(J[0, 0]), info) if full_output else float(J[0, 0])


def gradient(f, x, *, method: str = "central", full_output: bool = False) -> np.ndarray:
    """∇f for a scalar-valued f: Rⁿ → R, shape (n,) (paper §3).

    The paper writes the gradient as a horizontal (row) vector: it is the single row of the 1×n
    Jacobian.  numpy's 1-D array does not distinguish row from column; ``jacobian(f, x)`` gives the
    explicit (1, n) row.  A vector-valued f is refused before any derivative is computed.
    """
    f = require_callable(f)
    _check_method(method)
    xp = as_point(x)
    y = _evaluate(f, xp)
    if y.size != 1:
        n = max(xp.size, 1)
        raise ShapeError(f"gradient needs a scalar-valued f, but f(x) has shape ({y.size},): "
                         f"its derivative is the ({y.size}, {n}) Jacobian — use jacobian(f, x).")
    J, info = _jacobian(f, xp, y, method, None)
    return (J[0], info) if full_output else J[0]


def partial(f, x, i: int, *, method: str = "central") -> float:
    """∂f/∂xᵢ: the derivative of scalar-valued f in coordinate i, every other coordinate held constant (§3)."""
    f = require_callable(f)
    _check_method(method)
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
    return float(_jacobian(along_i, as_point(x[i]), y, method, None)[0][0, 0])
