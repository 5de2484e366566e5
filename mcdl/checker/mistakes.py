"""The slips this material produces, one row each: when it applies, what to say, how to fix it.

``MISTAKES`` has a row for every slip the checker names, in three stages:

* ``"shape"`` — the layout slips of a shape (paper §4.1, numerator layout): the transpose, a vector where a
  diagonal matrix was expected or the reverse, a column where the gradient (a row) was expected, the Jacobian
  before the sum, products left unsummed.  The first row whose ``when`` holds decides; a row with ``accept``
  is a harmless form (the answer is reshaped and its note kept), any other gives a wrong-shape verdict.
* ``"answer"`` — the chapters' own slips behind a wrong answer: diag(w) for ∂(w⊗x)/∂w, row sums for column
  sums, the other partial, swapped entries…  A general row (swapped entries) looks at the numbers alone; a
  row an exercise *declares* (``Exercise.slips``: the row's name → the value that slip produces, or a
  function giving it at the exercise's points) applies when the answer equals that value.
* ``"code"`` — slips in a function's code: ``^`` for a power, one argument where two are asked.  Their text
  is added to the verdict's details.

``PATTERNS`` are the generic shapes of right-shaped wrong values (a lost minus sign, a constant factor,
the transpose).  Each ``when``/``message``/``fix`` takes a :class:`Case`: the learner's array, the
reference and the exercise (and, for declared slips, the slips' values at the same points).
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
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

    got: np.ndarray | None
    ref: np.ndarray | None
    ex: object                      # the Exercise: expect, rtol, atol, slips
    slips: dict = field(default_factory=dict)   # a declared slip's name → its value(s), shaped like ``got``
    answer: object = None           # the learner's answer itself (a function, for the "code" rows)
    error: str = ""                 # the error the learner's function raised, if any

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

    def is_slip(self, name: str) -> bool:
        """The answer is what the slip ``name`` (declared by the exercise) produces, and that is wrong."""
        value = self.slips.get(name)
        return (value is not None and self.got is not None and np.shape(value) == self.G
                and self.close(self.got, value) and not self.close(value, self.ref))


@dataclass(frozen=True)
class Mistake:
    """One slip: ``when`` it applies, the ``message`` (one sentence) and the ``fix`` (further lines)."""

    name: str
    when: Callable[[Case], bool]
    message: Callable[[Case], str]
    fix: Callable[[Case], list] = lambda c: []
    accept: bool = False
    stage: str = "shape"            # "shape", "answer" or "code" (see the module docstring)


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
    Mistake("diagonal-for-vector",         # not for a gradient: there the fix is the column sums, below
            lambda c: c.vector_of((c.n, c.n)) and c.expect != "gradient"
            and (is_diagonal(c.got) or c.expect == "vector"),
            lambda c: f"the paper's answer here is a vector of shape {c.E}, not diag(...); use np.diag(M) to take the "
                      "diagonal",
            lambda c: _right_if(c.close(np.diag(c.got), c.ref), "its diagonal holds the right numbers")),
    Mistake("jacobian-before-sum",                 # paper §4.4: ∂f/∂x handed in instead of 1ᵀ ∂f/∂x
            lambda c: c.vector_of((c.n, c.n)),
            lambda c: f"expected a vector of shape {c.E}, you gave {article(c.n)} {c.n}×{c.n} matrix",
            lambda c: _right_if(c.close(c.got.sum(axis=0), c.ref),
                                "its column sums are exactly the answer: this looks like the Jacobian before the "
                                f"sum — add up each column (np.ones({c.n}) @ J)")
            + (["a sum's gradient is never the diagonal taken out of a matrix: each entry j adds up column j "
                f"(np.ones({c.n}) @ J or J.sum(axis=0)); only for a diagonal J do the two agree"]
               if c.expect == "gradient" and is_diagonal(c.got) else [])),
    Mistake("unsummed-products",           # paper §4.4: a dot product is the SUM of the products
            lambda c: c.E == () and c.got.ndim == 1 and c.got.size > 1 and np.all(np.isfinite(c.got))
            and c.close(c.got.sum(), c.ref),
            lambda c: f"expected one number, you gave {c.got.size} — and they add up to the answer: a sum was "
                      "left undone",
            lambda c: ["add the entries up (np.sum); a dot product, too, multiplies entry by entry AND adds the "
                       "products: np.dot(a, b), a @ b or np.sum(a * b)"]),
    # --- the chapters' own slips (stage "answer"): general ones first, then the ones an exercise declares
    Mistake("swapped-entries",
            lambda c: c.got is not None and c.got.ndim >= 1 and c.got.shape[-1] > 1 and c.expect in
            ("gradient", "vector") and not c.close(c.ref, c.ref[..., ::-1]) and c.close(c.got[..., ::-1], c.ref),
            lambda c: "the right numbers in the wrong order: your entries are the answer's, reversed",
            lambda c: ["entry j of a gradient is ∂f/∂xⱼ, the partial derivative with respect to the j-th input, in "
                       "the order the inputs are listed: [∂f/∂x, ∂f/∂y]"],
            stage="answer"),
    Mistake("other-partial",
            lambda c: c.is_slip("other-partial"),
            lambda c: "that is the derivative with respect to the other variable",
            lambda c: ["look at what is under the ∂ in the denominator: only that variable moves, every other "
                       "one is frozen"],
            stage="answer"),
    Mistake("diag(w)-for-d(w*x)/dw",
            lambda c: c.is_slip("diag(w)-for-d(w*x)/dw"),
            lambda c: "that is diag(w), but the entries on the diagonal of ∂(w ⊗ x)/∂w are x's",
            lambda c: ["yᵢ = wᵢxᵢ moves at rate xᵢ when only wᵢ moves, so ∂y/∂w = diag(x): the derivative "
                       "with respect to one vector carries the OTHER vector"],
            stage="answer"),
    Mistake("diag(1/x)-for-d(w/x)/dx",
            lambda c: c.is_slip("diag(1/x)-for-d(w/x)/dx"),
            lambda c: "that is diag(1/x), the derivative of w ⊘ x with respect to w, not x",
            lambda c: ["with respect to xᵢ, yᵢ = wᵢ/xᵢ = wᵢ·xᵢ⁻¹ follows the power rule: −wᵢ/xᵢ², so ∂y/∂x = "
                       "diag(−w ⊘ x²)"],
            stage="answer"),
    Mistake("x-on-diagonal-for-d(xz)/dx",
            lambda c: c.is_slip("x-on-diagonal-for-d(xz)/dx"),
            lambda c: "that is diag(x), but ∂(x z)/∂x has z on its diagonal",
            lambda c: ["yᵢ = xᵢz moves at rate z when only xᵢ moves: ∂y/∂x = z·I (np.eye(n) * z); x's entries "
                       "belong to ∂y/∂z, the column"],
            stage="answer"),
    Mistake("z-and-sum-swapped",
            lambda c: c.is_slip("z-and-sum-swapped"),
            lambda c: "z and sum(x) have swapped places",
            lambda c: ["y = Σᵢ xᵢz. Nudging one xⱼ moves one term, at rate z, so every entry of ∂y/∂x is z; "
                       "nudging z moves every term, at rate xᵢ each, so ∂y/∂z = Σᵢ xᵢ = sum(x)"],
            stage="answer"),
    Mistake("row-sums-for-column-sums",
            lambda c: c.is_slip("row-sums-for-column-sums"),
            lambda c: "those are the row sums of f's Jacobian; the gradient of a sum needs its column sums",
            lambda c: ["∂y/∂xⱼ collects everything xⱼ influences, which is column j of ∂f/∂x: np.ones(n) @ J "
                       "(J.sum(axis=0)), not J.sum(axis=1)"],
            stage="answer"),
    Mistake("single-path-chain-rule",
            lambda c: c.is_slip("single-path-chain-rule"),
            lambda c: "that is the chain rule along one path only, but x reaches y along more than one",
            lambda c: ["the total derivative adds every path from x to y: the direct one (∂y/∂x with the "
                       "intermediates held still) plus the product of local derivatives along each other path"],
            stage="answer"),
    Mistake("diagonal-only",
            lambda c: c.is_slip("diagonal-only"),
            lambda c: "that is only the diagonal of f's Jacobian; this Jacobian is not diagonal",
            lambda c: ["each xⱼ appears in two of the fᵢ, so column j has two non-zero entries; ∂y/∂xⱼ adds both"],
            stage="answer"),
    Mistake("relu-switch-ignored",                 # paper §5: max(0, z) switches the gradient off for z ≤ 0
            lambda c: c.is_slip("relu-switch-ignored"),
            lambda c: "that is the gradient of w·x + b alone; the neuron's max(0, ·) has been left out",
            lambda c: ["where z = w·x + b ≤ 0 the ReLU is flat: its slope 0 multiplies ∂z/∂w, so that gradient "
                       "(that row, for a batch) is 0ᵀ; only where z > 0 does xᵀ pass through"],
            stage="answer"),
    Mistake("one-at-the-kink",
            lambda c: c.is_slip("one-at-the-kink"),
            lambda c: "that gives slope 1 at z = 0 exactly; the paper takes the ReLU's derivative at the kink to be 0",
            lambda c: ["use z > 0, not z >= 0: max(0, z) has no derivative at 0, and the convention (paper §5) is 0"],
            stage="answer"),
    Mistake("case-outside-sum",                    # paper §6.1's last line, read as written (paper-map §6)
            lambda c: c.is_slip("case-outside-sum"),
            lambda c: "that counts the error of every sample, the inactive ones too: the case split has moved "
                      "outside the sum (the paper's §6.1 last line, read literally)",
            lambda c: ["decide the case for each sample: an inactive sample (w·xᵢ + b ≤ 0) contributes 0, so "
                       "eᵢ = w·xᵢ + b − yᵢ only where w·xᵢ + b > 0 — e = np.where(z > 0, z - y, 0)"],
            stage="answer"),
    Mistake("target-minus-output",
            lambda c: c.is_slip("target-minus-output"),
            lambda c: "the sign is flipped: that uses target minus output, yᵢ − (w·xᵢ + b)",
            lambda c: ["the error term is output minus target, eᵢ = w·xᵢ + b − yᵢ: the derivative of (yᵢ − u)² "
                       "with respect to u is −2(yᵢ − u) = 2(u − yᵢ)"],
            stage="answer"),
    Mistake("uphill-step",
            lambda c: c.is_slip("uphill-step"),
            lambda c: "that step goes uphill: it adds η times the gradient",
            lambda c: ["the gradient points where the loss grows fastest; gradient descent subtracts it: "
                       "w − η (∂C/∂w)ᵀ"],
            stage="answer"),
    # --- slips in a function's code (stage "code"): said in the details, beside the verdict
    Mistake("caret-for-power",
            lambda c: "for ^:" in c.error or "bitwise_xor" in c.error,
            lambda c: "in Python, ^ is not a power (it is bitwise exclusive or): write ** for a power, x**2 for x²",
            stage="code"),
    Mistake("one-argument-function",
            lambda c: len(getattr(c.ex, "variables", ())) > 1 and _positional_count(c.answer) == 1,
            lambda c: f"your function takes one argument, but this exercise's function has "
                      f"{len(c.ex.variables)}: write def answer({', '.join(c.ex.variables)}):",
            stage="code"),
)


def _positional_count(f):
    """How many positional parameters a learner's function has (None when Python cannot tell)."""
    if not callable(f):
        return None
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


def rows(stage: str) -> tuple:
    """The rows of :data:`MISTAKES` of one stage."""
    return tuple(m for m in MISTAKES if m.stage == stage)


def diagnose_slip(case: Case):
    """The first "answer" row that applies to a wrong answer (None when none does)."""
    if case.got is None or case.got.size == 0 or not np.all(np.isfinite(case.got)):
        return None
    for mistake in rows("answer"):
        try:
            if mistake.when(case):
                return mistake
        except Exception:            # a slip that does not fit this answer's shape simply does not apply
            continue
    return None


def code_slips(case: Case) -> list:
    """The "code" rows that apply to a learner's function."""
    found = []
    for mistake in rows("code"):
        try:
            if mistake.when(case):
                found.append(mistake)
        except Exception:
            continue
    return found


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
    for mistake in rows("shape"):
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
