"""The slips this material produces, one row each: when it applies, what to say, how to fix it.

``MISTAKES`` are the layout slips of a shape (paper §4.1, numerator layout): the transpose, a vector where a
diagonal matrix was expected or the reverse, a column where the gradient (a row) was expected, the
Jacobian before the sum.  The first row whose ``when`` holds decides; a row with ``accept`` is a harmless
form (the answer is reshaped and its note kept), any other gives a wrong-shape verdict.  ``PATTERNS`` are
the slips behind right-shaped wrong values (a lost minus sign, a constant factor, the transpose).

Each ``when``/``message``/``fix`` takes a :class:`Case`: the learner's array, the reference and the exercise.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..shapes import fmt_shape


def article(n: int) -> str:
    """The article before a number said aloud: a 3×3, an 8×8, an 11×11."""
    return "an" if str(n).startswith("8") or n in (11, 18) else "a"


def is_diagonal(m: np.ndarray) -> bool:
    return (m.ndim == 2 and m.shape[0] == m.shape[1] and m.shape[0] > 1
            and np.all(np.isfinite(m)) and np.allclose(m - np.diag(np.diag(m)), 0))


@dataclass(frozen=True)
class Case:
    """One answer against its reference: ``G`` and ``E`` are their shapes, ``n`` the reference's first size."""

    got: np.ndarray
    ref: np.ndarray
    ex: object                      # the Exercise: expect, rtol, atol

    @property
    def G(self):
        return self.got.shape

    @property
    def E(self):
        return self.ref.shape

    @property
    def n(self):
        return self.E[0] if self.E else 1

    @property
    def expect(self):
        return self.ex.expect

    def close(self, a, b) -> bool:
        return bool(np.allclose(a, b, rtol=self.ex.rtol, atol=self.ex.atol, equal_nan=True))

    def vector_of(self, shape) -> bool:      # E is (n,) with n > 1 and G is the given shape
        return len(self.E) == 1 and self.n > 1 and self.G == shape


@dataclass(frozen=True)
class Mistake:
    """One slip: ``when`` it applies, the ``message`` (one sentence) and the ``fix`` (further lines)."""

    name: str
    when: Callable[[Case], bool]
    message: Callable[[Case], str]
    fix: Callable[[Case], list] = lambda c: []
    accept: bool = False


_RIGHT = "your numbers are right; only the shape is off"


def _right_if(close: bool, text: str = _RIGHT) -> list:
    return [text] if close else []


MISTAKES = (
    Mistake("one-number",
            lambda c: c.got.size == 1 and c.ref.size == 1, lambda c: "",
            lambda c: [] if c.E != () else [f"you gave an array of shape {c.G}; a plain number is enough (float(...))"],
            accept=True),
    Mistake("gradient-as-row",
            lambda c: c.vector_of((1, c.n)) and c.expect == "gradient", lambda c: "",
            lambda c: [f"you gave a (1, {c.n}) row: that is the paper's row vector ∇f. A 1-D numpy array of shape "
                       f"({c.n},) is fine too (it is what mcdl.gradient returns)."],
            accept=True),
    Mistake("row-for-vector",
            lambda c: c.vector_of((1, c.n)),
            lambda c: f"expected a 1-D array of shape {c.E}, you gave a (1, {c.n}) row (2-D); numpy's 1-D arrays are "
                      "neither rows nor columns — use .ravel()",
            lambda c: _right_if(c.close(c.got.ravel(), c.ref))),
    Mistake("gradient-as-column",
            lambda c: c.vector_of((c.n, 1)) and c.expect == "gradient",
            lambda c: f"you gave a ({c.n}, 1) column, but the gradient is a row in numerator layout (the paper writes "
                      f"∇f horizontally); give a 1-D array of shape {c.E} (or a (1, {c.n}) row)",
            lambda c: _right_if(c.close(c.got.ravel(), c.ref))),
    Mistake("column-for-vector",
            lambda c: c.vector_of((c.n, 1)),
            lambda c: f"expected a 1-D array of shape {c.E}, you gave a ({c.n}, 1) column (2-D) — use .ravel()",
            lambda c: _right_if(c.close(c.got.ravel(), c.ref))),
    Mistake("column-as-vector",
            lambda c: c.expect == "column" and c.E == (c.n, 1) and c.n > 1 and c.G == (c.n,), lambda c: "",
            lambda c: [f"you gave a 1-D array of shape ({c.n},); in numerator layout this derivative is the ({c.n}, 1) "
                       "column (one row per output, one column for the scalar), which is what mcdl.jacobian returns — "
                       "the numbers are what count"],
            accept=True),
    Mistake("diagonal-for-column",
            lambda c: c.expect == "column" and c.E == (c.n, 1) and c.n > 1 and c.G == (c.n, c.n),
            lambda c: f"the derivative with respect to a scalar is a vertical vector of shape {c.E}, not "
                      f"{article(c.n)} {c.n}×{c.n} (diagonal) matrix: there is one input, so one column",
            lambda c: _right_if(c.close(np.diag(c.got), c.ref.ravel()), "its diagonal holds the right numbers")),
    Mistake("row-for-column",
            lambda c: c.expect == "column" and c.E == (c.n, 1) and c.n > 1 and c.G == (1, c.n),
            lambda c: f"You returned a (1, {c.n}) row: numerator layout wants the {c.E} column (one row per output, "
                      "one column for the one scalar input)",
            lambda c: _right_if(c.close(c.got.T, c.ref), "your numbers are right, as a row")),
    Mistake("transpose",
            lambda c: len(c.E) == 2 and c.E[0] != c.E[1] and c.G == c.E[::-1],
            lambda c: f"You returned {c.G}: numerator layout wants {c.E} — did you build the denominator layout "
                      "(the transpose)?",
            lambda c: _right_if(c.close(c.got.T, c.ref), "your numbers are right, transposed")
            + ["numerator layout: one row per output fᵢ, one column per input xⱼ"]),
    Mistake("vector-for-diagonal",
            lambda c: len(c.E) == 2 and c.E[0] == c.E[1] > 1 and c.G == (c.n,)
            and (c.expect == "diagonal" or is_diagonal(c.ref)),
            lambda c: f"expected {article(c.n)} {c.n}×{c.n} diagonal matrix; you gave the vector of its diagonal — "
                      "wrap it with np.diag(...)",
            lambda c: _right_if(c.close(c.got, np.diag(c.ref)),
                                "your vector is exactly the diagonal, so np.diag(your_answer) is the answer")),
    Mistake("vector-for-matrix",
            lambda c: len(c.E) == 2 and c.E[0] == c.E[1] > 1 and c.G == (c.n,),
            lambda c: f"expected {article(c.n)} {c.n}×{c.n} matrix (shape {c.E}), you gave a vector of shape {c.G}"),
    Mistake("diagonal-for-vector",
            lambda c: c.vector_of((c.n, c.n)) and (is_diagonal(c.got) or c.expect == "vector"),
            lambda c: f"the paper's answer here is a vector of shape {c.E}, not diag(...); use np.diag(M) to take the "
                      "diagonal",
            lambda c: _right_if(c.close(np.diag(c.got), c.ref), "its diagonal holds the right numbers")),
    Mistake("jacobian-before-sum",                 # paper §4.4: ∂f/∂x handed in instead of 1ᵀ ∂f/∂x
            lambda c: c.vector_of((c.n, c.n)),
            lambda c: f"expected a vector of shape {c.E}, you gave {article(c.n)} {c.n}×{c.n} matrix",
            lambda c: _right_if(c.close(c.got.sum(axis=0), c.ref),
                                "its column sums are exactly the answer: this looks like the Jacobian before the "
                                f"sum — add up each column (np.ones({c.n}) @ J)")),
)


def _other_shape_fix(c: Case) -> list:
    if c.got.size == 0:
        return ["your answer is empty"]
    if c.got.size == c.ref.size and len(c.E) >= 1 and len(c.G) >= 1:
        return [f"it has the right number of entries ({c.ref.size}), arranged differently"]
    return []


ANY_OTHER_SHAPE = Mistake("other-shape", lambda c: True,
                          lambda c: f"expected {'a scalar' if c.E == () else f'shape {c.E}'}, got {fmt_shape(c.G)}",
                          _other_shape_fix)


def diagnose_shape(case: Case):
    """The first row of :data:`MISTAKES` that applies (or :data:`ANY_OTHER_SHAPE`); None when the shapes agree."""
    if case.G == case.E:
        return None
    for mistake in MISTAKES:
        if mistake.when(case):
            return mistake
    return ANY_OTHER_SHAPE


# --------------------------------------------------------------------------------------------------
# Right shape, wrong values: the patterns behind them.  ``noun`` is what is compared ("entry", "value").
@dataclass(frozen=True)
class Pattern:
    name: str
    when: Callable[[Case], bool]
    note: Callable[[Case, str], str]
    final: bool = False             # when it applies, no other pattern is worth saying


def _big(c: Case):
    return np.abs(c.ref) > max(c.ex.atol, 1e-12)


def _constant_factor(c: Case):
    big = _big(c)
    if big.sum() < 2 or not np.allclose(c.got[~big], 0, atol=c.ex.atol):
        return None
    ratio = c.got[big] / c.ref[big]
    k = float(ratio.flat[0])
    if k != 0 and np.allclose(ratio, k, rtol=1e-6, atol=0) and not np.isclose(k, 1, rtol=c.ex.rtol, atol=0):
        return k
    return None


PATTERNS = (
    Pattern("sign", lambda c: bool(_big(c).any()) and c.close(c.got, -c.ref),
            lambda c, noun: f"every {noun} has the wrong sign: look for a lost minus sign", final=True),
    Pattern("factor", lambda c: _constant_factor(c) is not None,
            lambda c, noun: f"off by a factor {_constant_factor(c):.4g} everywhere: a missing or extra constant factor?"),
    Pattern("transposed",          # a square matrix, or (for a function answer) a stack of them, one per point
            lambda c: c.got.ndim >= 2 and c.got.shape[-1] == c.got.shape[-2] > 1
            and c.close(np.swapaxes(c.got, -1, -2), c.ref),
            lambda c, noun: "these are the right numbers transposed: numerator layout puts one row per output fᵢ "
                            "and one column per input xⱼ"),
)


def value_patterns(case: Case, noun: str) -> list:
    """The notes of every pattern that applies to a right-shaped wrong answer."""
    if case.got.size == 0 or not (np.all(np.isfinite(case.got)) and np.all(np.isfinite(case.ref))):
        return []
    notes = []
    for pattern in PATTERNS:
        if pattern.when(case):
            if pattern.final:
                return [pattern.note(case, noun)]
            notes.append(pattern.note(case, noun))
    return notes
