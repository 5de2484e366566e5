"""The exercise bank: one table, read by the checker (``mcdl.check``), the notebooks and the student tool.

Each :class:`Exercise` says what the learner is asked (``prompt``), what kind of answer it takes and the
reference answer, in the paper's conventions (numerator layout, §4.1):

* ``"value"``      — a number or an array.  The reference's *shape* is part of the answer: a 2×3 Jacobian
  is ``(2, 3)``, a gradient is ``(n,)`` (the paper's row vector), a diagonal matrix is ``(n, n)`` and not
  the vector of its diagonal.  ``expect`` names what the array is, so feedback can speak about it.
* ``"function"``   — a Python function (``def`` or ``lambda``); the reference is a function, a SymPy
  expression or the text of one, compared at ``points`` (awkward ones: negative, zero, fractional, large).
* ``"expression"`` — text such as ``"3*x**2 + 3"``, parsed safely by ``mcdl.symbolic.parse_expression``
  (never ``eval``) and compared numerically at ``points``.  The reference is text, a SymPy expression or a
  function.
* ``"shape"``      — a tuple such as ``(2, 3)``.

Chapters add their exercises to ``_BANK`` below; a notebook may also build an ad-hoc ``Exercise`` and
pass it to ``check`` directly.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import numpy as np

KINDS = ("value", "function", "expression", "shape")

# What a "value" answer is, so feedback can name it (and be lenient where the paper allows it).
#   scalar    a number; a size-1 array is accepted with a note
#   vector    shape (n,)
#   gradient  shape (n,), the paper's row vector ∇f: a (1, n) row is accepted too, an (n, 1) column is not
#   jacobian  shape (m, n) in numerator layout: one row per output, one column per input
#   diagonal  an (n, n) diagonal matrix (not the vector of its diagonal)
#   matrix    any other 2-D array
EXPECTS = (None, "scalar", "vector", "gradient", "jacobian", "diagonal", "matrix")


class UnknownExerciseError(KeyError):
    """An exercise id that is not in the bank.  ``str()`` is the plain message (KeyError would quote it)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown exercise"


@dataclass(frozen=True, eq=False)
class Exercise:
    """One exercise: what is asked, what kind of answer it takes, and the reference answer."""

    id: str
    chapter: str
    prompt: str
    kind: str
    reference: Any
    points: tuple | None = None
    variables: tuple = ("x",)
    hints: tuple = ()
    expect: str | None = None
    rtol: float = 1e-6
    atol: float = 1e-8

    def __post_init__(self):
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"an exercise id must be a non-empty str, got {self.id!r}")
        if self.kind not in KINDS:
            raise ValueError(f"exercise {self.id!r}: kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if self.expect not in EXPECTS:
            raise ValueError(f"exercise {self.id!r}: expect must be one of {EXPECTS}; got {self.expect!r}")
        variables = (self.variables,) if isinstance(self.variables, str) else tuple(self.variables)
        hints = (self.hints,) if isinstance(self.hints, str) else tuple(self.hints)
        points = None if self.points is None else tuple(self.points)
        object.__setattr__(self, "variables", variables)
        object.__setattr__(self, "hints", hints)
        object.__setattr__(self, "points", points)
        if not variables or not all(isinstance(v, str) and v.isidentifier() for v in variables):
            raise ValueError(f"exercise {self.id!r}: variables must be names like ('x',); got {variables!r}")
        if self.kind in ("function", "expression") and not points:
            raise ValueError(f"exercise {self.id!r}: a {self.kind} exercise needs the points to compare at")
        if self.kind == "shape":
            ref = self.reference
            if not isinstance(ref, tuple) or not all(isinstance(n, int) and n >= 0 for n in ref):
                raise ValueError(f"exercise {self.id!r}: a shape reference is a tuple of ints; got {ref!r}")
        if self.kind == "value":
            np.asarray(self.reference, dtype=float)     # fails here, not in a learner's notebook

    def __repr__(self) -> str:          # no function addresses: notebook outputs must be deterministic
        return f"Exercise({self.id!r}, chapter={self.chapter!r}, kind={self.kind!r})"


# --------------------------------------------------------------------------------------------------
# The bank.  Prompts and hints are plain text (notebooks typeset the maths in their own cells).
_A = np.array([[1.0, 2.0, 0.0],
               [0.0, 1.0, 3.0]])

_BANK = (
    # ---- 00: start here --------------------------------------------------------------------------
    Exercise(
        "00-warmup", "00",
        "What is the derivative of x² at x = 3? Give a number.",
        "value", 6.0, expect="scalar",
        hints=("The power rule: the derivative of xⁿ is n·xⁿ⁻¹.",
               "So d/dx x² = 2x; now put x = 3 in."),
    ),
    Exercise(
        "00-shape", "00",
        "f maps R³ to R². What is the shape of its Jacobian in numerator layout? Give a tuple.",
        "shape", (2, 3),
        hints=("In numerator layout the Jacobian has one row per output of f.",
               "…and one column per input: rows = outputs (m), columns = inputs (n), shape (m, n)."),
    ),
    Exercise(
        "00-layout", "00",
        "f(x) = A x with A = [[1, 2, 0], [0, 1, 3]]. Give the Jacobian ∂f/∂x as a numpy array.",
        "value", _A, expect="jacobian",
        hints=("Row i of the Jacobian is the gradient of the i-th output fᵢ(x) = (row i of A) · x.",
               "The gradient of (row i of A) · x is row i of A itself.",
               "So the Jacobian has the same shape as A, (2, 3) — not its transpose (3, 2)."),
    ),
    Exercise(
        "00-gradient-row", "00",
        "f(x) = x₁² + 3x₂. Give the gradient ∇f at x = (1, 2) as a numpy array.",
        "value", np.array([2.0, 3.0]), expect="gradient",
        hints=("The gradient collects the partial derivatives: (∂f/∂x₁, ∂f/∂x₂).",
               "∂f/∂x₁ = 2x₁ (treat x₂ as a constant), ∂f/∂x₂ = 3.",
               "A 1-D numpy array of the two partials is the paper's row vector, e.g. np.array([a, b])."),
    ),
    # ---- 01: scalar derivative rules -------------------------------------------------------------
    Exercise(
        "01-power", "01",
        "Write a Python function for the derivative of x⁵.",
        "function", lambda x: 5 * x ** 4,
        points=(-1.5, -0.3, 0.0, 0.7, 2.0, 3.1),
        hints=("The power rule: d/dx xⁿ = n·xⁿ⁻¹.",
               "Bring the 5 down in front and lower the power by one; in Python, powers are written **."),
    ),
    Exercise(
        "01-operator", "01",
        "What is d/dx 9(x + x²) at x = 2? Give a number.",
        "value", 45.0, expect="scalar",
        hints=("A constant factor comes out: d/dx 9·u = 9·du/dx.",
               "The derivative of a sum is the sum of the derivatives: d/dx (x + x²) = 1 + 2x.",
               "So the derivative is 9(1 + 2x); evaluate it at x = 2."),
    ),
    Exercise(
        "01-product", "01",
        "Write a Python function for the derivative of x² · sin(x).",
        "function", lambda x: 2 * x * np.sin(x) + x ** 2 * np.cos(x),
        points=(-2.5, -0.6, 0.0, 0.4, 1.3, 3.0),
        hints=("The product rule: d(uv)/dx = u·dv/dx + du/dx·v.",
               "Here u = x² and v = sin x, so du/dx = 2x and dv/dx = cos x.",
               "Add the two terms: 2x·sin x plus x²·cos x (use np.sin and np.cos)."),
    ),
    Exercise(
        "01-chain", "01",
        "Write a Python function for the derivative of ln(x² + 1).",
        "function", lambda x: 2 * x / (x ** 2 + 1),
        points=(-3.0, -0.5, 0.0, 0.25, 1.0, 4.0),
        hints=("The chain rule: introduce u = x² + 1, so y = ln(u).",
               "dy/du = 1/u and du/dx = 2x.",
               "Multiply them and write u back in terms of x."),
    ),
    Exercise(
        "01-chain-nested", "01",
        "Write a Python function for the derivative of sin(x³)², that is (sin(x³))².",
        "function", lambda x: 6 * x ** 2 * np.sin(x ** 3) * np.cos(x ** 3),
        points=(-1.2, -0.4, 0.3, 0.9, 1.7),
        hints=("Three layers, outside in: u₁ = x³, u₂ = sin(u₁), y = u₂².",
               "The local derivatives are 3x², cos(u₁) and 2u₂.",
               "Multiply all three, then substitute back: 2·sin(x³) · cos(x³) · 3x²."),
    ),
    Exercise(
        "01-typed", "01",
        "Type the derivative of x³ + 3x as text, for example \"4*x + 1\" (use * for products, ** or ^ "
        "for powers).",
        "expression", "3*x**2 + 3",
        points=(-2.0, -0.5, 0.0, 1.5, 3.0),
        hints=("Differentiate term by term: the derivative of a sum is the sum of the derivatives.",
               "d/dx x³ = 3x² and d/dx 3x = 3.",
               "Write products with an explicit *: 3*x**2, not 3x^2."),
    ),
    Exercise(
        "01-central-error", "01",
        "The central difference (f(x+h) − f(x−h)) / 2h has a truncation error of order O(hᵖ). "
        "What is p? Give a number.",
        "value", 2, expect="scalar",
        hints=("Write the Taylor series of f(x+h) and of f(x−h) up to the h³ terms.",
               "Subtract them: the f(x) terms and the h² terms cancel.",
               "Divide by 2h: what is the lowest power of h left over beyond f'(x)?"),
    ),
)


def _index(bank) -> dict[str, Exercise]:
    table: dict[str, Exercise] = {}
    for ex in bank:
        if ex.id in table:
            raise ValueError(f"duplicate exercise id {ex.id!r}")
        table[ex.id] = ex
    return table


# ---- 02: partial derivatives ---------------------------------------------------------------------
_CHAPTER_02 = (
)

# ---- 03: gradients --------------------------------------------------------------------------------
_CHAPTER_03 = (
)

# ---- 04: Jacobians --------------------------------------------------------------------------------
_CHAPTER_04 = (
)

EXERCISES: dict[str, Exercise] = _index(_BANK + _CHAPTER_02 + _CHAPTER_03 + _CHAPTER_04)


def get(exercise_id) -> Exercise:
    """The exercise with this id; an unknown id raises KeyError naming the known ones (and a close match)."""
    try:
        return EXERCISES[exercise_id]
    except (KeyError, TypeError):
        pass
    shown = repr(exercise_id)
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    message = f"unknown exercise {shown}; known: {', '.join(EXERCISES)}"
    if isinstance(exercise_id, str):
        close = difflib.get_close_matches(exercise_id, list(EXERCISES), n=1, cutoff=0.6)
        if close:
            message += f". Did you mean {close[0]!r}?"
    raise UnknownExerciseError(message)


def for_chapter(chapter: str) -> list[Exercise]:
    """The bank's exercises for one chapter ("00", "01", ...), in the order they appear."""
    return [ex for ex in EXERCISES.values() if ex.chapter == chapter]
