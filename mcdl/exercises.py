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
#   column    an (n, 1) column: the derivative of a vector with respect to a scalar (a 1-D (n,) is accepted)
#   matrix    any other 2-D array
EXPECTS = (None, "scalar", "vector", "gradient", "jacobian", "diagonal", "column", "matrix")


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
    Exercise(
        "02-value", "02",
        "f(x, y) = 3x²y. What is ∂f/∂x at (x, y) = (-1, 3)? Give a number.",
        "value", -18.0, expect="scalar",
        hints=("Only x moves: freeze y at its value, so 3x²y is the constant 3y times x².",
               "The power rule on x² then gives ∂f/∂x = 3y·2x = 6yx.",
               "Put x = -1 and y = 3 into 6yx. (3x² would be ∂f/∂y: the other partial.)"),
    ),
    Exercise(
        "02-partial-x", "02",
        "f(x, y) = x²y + sin(y). Write a Python function of (x, y) for ∂f/∂x.",
        "function", lambda x, y: 2 * x * y,
        points=((-1.5, 0.5), (0.0, 2.0), (0.7, -1.2), (2.0, 3.1), (-0.4, -2.5), (1.3, 0.0)),
        variables=("x", "y"),
        hints=("Only x moves; y is a fixed number. So sin(y) is a constant, however it looks.",
               "The derivative of a constant is 0, and x²y is the constant y times x².",
               "So ∂f/∂x = 2xy: the sin(y) term contributes nothing."),
    ),
    Exercise(
        "02-partial-y", "02",
        "f(x, y) = x²y + sin(y). Write a Python function of (x, y) for ∂f/∂y.",
        "function", lambda x, y: x ** 2 + np.cos(y),
        points=((-1.5, 0.5), (0.0, 2.0), (0.7, -1.2), (2.0, 3.1), (-0.4, -2.5), (1.3, 0.0)),
        variables=("x", "y"),
        hints=("Now y moves and x is the fixed number: x² is a constant factor in x²y.",
               "∂/∂y of x²·y is x² (like d/dy of 5y is 5); ∂/∂y of sin(y) is cos(y).",
               "Add the two terms: x² + cos(y) (use np.cos)."),
    ),
    Exercise(
        "02-typed", "02",
        "f(x, y) = exp(x*y). Type ∂f/∂x as text, for example \"2*x*y\" (use * for every product).",
        "expression", "y*exp(x*y)",
        points=((-1.5, 0.5), (0.0, 2.0), (0.7, -1.2), (1.0, 1.0), (-0.4, -2.5)),
        variables=("x", "y"),
        hints=("The chain rule: let u = x·y, so f = exp(u).",
               "d exp(u)/du = exp(u), and with y held constant ∂u/∂x = y.",
               "Multiply: y·exp(x·y), typed as y*exp(x*y)."),
    ),
    Exercise(
        "02-chain", "02",
        "f(x, y) = ln(x² + y²). Write a Python function of (x, y) for ∂f/∂y.",
        "function", lambda x, y: 2 * y / (x ** 2 + y ** 2),
        points=((-1.5, 0.5), (0.0, 2.0), (0.7, -1.2), (2.0, 3.1), (-0.4, -2.5), (1.3, 0.0)),
        variables=("x", "y"),
        hints=("The chain rule with an intermediate variable: u = x² + y², f = ln(u).",
               "df/du = 1/u; with x held constant, ∂u/∂y = 2y (x² is a constant, its derivative 0).",
               "Multiply and substitute back: 2y / (x² + y²)."),
    ),
)

# ---- 03: gradients --------------------------------------------------------------------------------
_CHAPTER_03 = (
    Exercise(
        "03-gradient-point", "03",
        "f(x, y) = x²y + y³. Give the gradient ∇f at (x, y) = (2, -1) as a numpy array.",
        "value", np.array([-4.0, 7.0]), expect="gradient",
        hints=("The gradient lists the partial derivatives in order: [∂f/∂x, ∂f/∂y].",
               "∂f/∂x = 2xy (y is a constant for this one); ∂f/∂y = x² + 3y² (now x is the constant).",
               "Put x = 2, y = -1 into both and write np.array([∂f/∂x, ∂f/∂y]) — one flat array, not a "
               "column."),
    ),
    Exercise(
        "03-gradient-shape", "03",
        "f maps R⁵ to R (five inputs, one output). mcdl.jacobian(f, x) returns the gradient as a 2-D array in "
        "numerator layout. What is its shape? Give a tuple.",
        "shape", (1, 5),
        hints=("Numerator layout: one row per output of f, one column per input.",
               "f has one output and five inputs: the gradient is a single row, the paper's horizontal "
               "vector."),
    ),
    Exercise(
        "03-directional", "03",
        "f(x, y) = 3x²y. At (x, y) = (1, 2), how fast does f change per unit step in the direction of the "
        "unit vector u = (0.6, 0.8)? Give a number.",
        "value", 9.6, expect="scalar",
        hints=("The rate of change in the direction of a unit vector u is the dot product ∇f·u.",
               "∇f = [6yx, 3x²], which is [12, 3] at (1, 2).",
               "∇f·u = 12·0.6 + 3·0.8."),
    ),
    Exercise(
        "03-max-rate", "03",
        "g(x, y) = 2x + y⁸. Over all unit directions u, what is the largest rate of increase ∇g·u at "
        "(x, y) = (1, 1)? Give a number.",
        "value", float(np.sqrt(68.0)), expect="scalar",
        hints=("∇g·u = |∇g|·|u|·cos α, where α is the angle between ∇g and u; here |u| = 1.",
               "The cosine is largest (1) when u points along ∇g, so the largest rate is |∇g| itself.",
               "∇g = [2, 8y⁷] = [2, 8] at (1, 1); its length is √(2² + 8²)."),
    ),
    Exercise(
        "03-steepest-descent", "03",
        "f(x, y) = x² + 3y². Standing at (x, y) = (1, 1), in which direction does f decrease fastest? "
        "Give it as a unit vector: a numpy array of shape (2,) and length 1.",
        "value", np.array([-2.0, -6.0]) / np.sqrt(40.0), expect="vector",
        hints=("The gradient points in the direction of fastest INCREASE; fastest decrease is the opposite.",
               "∇f = [2x, 6y] = [2, 6] at (1, 1), so the direction is -[2, 6].",
               "Make it a unit vector: divide by its length, np.linalg.norm(...) = √40."),
    ),
    Exercise(
        "03-gradient-function", "03",
        "f(x, y) = x·eʸ + y². Write a Python function of (x, y) that returns ∇f as a numpy array of shape (2,).",
        "function", lambda x, y: np.array([np.exp(y), x * np.exp(y) + 2 * y]),
        points=((0.0, 0.0), (1.0, 0.5), (-2.0, 1.0), (0.5, -1.5), (3.0, 2.0)),
        variables=("x", "y"), expect="gradient",
        hints=("Differentiate once per variable, holding the other one fixed.",
               "∂f/∂x = eʸ (x·eʸ is x times a constant; y² does not change with x).",
               "∂f/∂y = x·eʸ + 2y; return np.array([∂f/∂x, ∂f/∂y]) using np.exp."),
    ),
)

# ---- 04: Jacobians --------------------------------------------------------------------------------
_CHAPTER_04 = (
    Exercise(
        "04-shape-column", "04",
        "f(x) = (x, x², x³, x⁴) takes one number and returns four. What is the shape of ∂f/∂x in numerator "
        "layout? Give a tuple.",
        "shape", (4, 1),
        hints=("Numerator layout: one row per output of f, one column per input.",
               "Here there are m = 4 outputs and n = 1 input: the paper's 'vector f, scalar x' case.",
               "The answer is a column: (rows, columns) = (outputs, inputs)."),
    ),
    Exercise(
        "04-identity", "04",
        "f(x) = x for x in R⁴ (the identity). Give its Jacobian ∂f/∂x as a numpy array.",
        "value", np.eye(4), expect="diagonal",
        hints=("Entry (i, j) is ∂fᵢ/∂xⱼ, and fᵢ(x) = xᵢ.",
               "∂xᵢ/∂xⱼ is 1 when i = j and 0 otherwise: xᵢ does not move when another coordinate moves.",
               "That is a 4×4 matrix with ones on the diagonal: np.eye(4) (not np.ones(4), its diagonal)."),
    ),
    Exercise(
        "04-fg-jacobian", "04",
        "Write a function of (x, y) that returns the Jacobian of [f, g] = [3x²y, 2x + y⁸] as a 2×2 numpy array.",
        "function", lambda x, y: np.array([[6 * x * y, 3 * x ** 2], [2.0, 8 * y ** 7]]),
        points=((1.0, 2.0), (-0.5, 1.5), (0.0, -1.2), (2.5, 0.3), (-1.3, -0.7)),
        variables=("x", "y"), expect="jacobian",
        hints=("Row 1 is the gradient of f = 3x²y, row 2 the gradient of g = 2x + y⁸.",
               "∂f/∂x = 6xy, ∂f/∂y = 3x²; ∂g/∂x = 2, ∂g/∂y = 8y⁷.",
               "Return np.array([[∂f/∂x, ∂f/∂y], [∂g/∂x, ∂g/∂y]]): rows are outputs, columns are inputs."),
    ),
    Exercise(
        "04-nonsquare", "04",
        "f(x) = [x₁x₂ + x₃, x₂² − 2x₁x₃] maps R³ to R². Give its Jacobian at x = (1, 2, 3) as a numpy array.",
        "value", np.array([[2.0, 1.0, 1.0], [-6.0, 4.0, -2.0]]), expect="jacobian",
        hints=("f has 2 outputs and 3 inputs, so in numerator layout the Jacobian has shape (2, 3).",
               "Row 1 is ∇(x₁x₂ + x₃) = [x₂, x₁, 1]; row 2 is ∇(x₂² − 2x₁x₃) = [−2x₃, 2x₂, −2x₁].",
               "Now put x₁ = 1, x₂ = 2, x₃ = 3 into both rows."),
    ),
    Exercise(
        "04-linearise", "04",
        "Near x = (1, 2), [f, g] = [3x²y, 2x + y⁸] is approximately f(x) + J·(v − x). Use this linear "
        "approximation (not f itself) to predict [f, g] at v = (1.01, 1.98). Give a vector of 2 numbers.",
        "value", np.array([6.06, 237.54]), expect="vector",
        hints=("At (1, 2): [f, g] = [6, 258] and J = [[12, 3], [2, 1024]].",
               "The step is v − x = (0.01, −0.02); multiply J by it (J @ step): one row of J per output.",
               "Add J·(v − x) to [6, 258]. The exact [f, g] at v is a bit different: that gap is what the "
               "linear map leaves out."),
    ),
)

# ---- 05: element-wise binary operations ----------------------------------------------------------
_CHAPTER_05 = (
    Exercise(
        "05-subtract-x", "05",
        "y = w − x with w and x in R⁴. Give the Jacobian ∂y/∂x as a numpy array.",
        "value", -np.eye(4), expect="diagonal",
        hints=("Entry (i, j) is ∂(wᵢ − xᵢ)/∂xⱼ. For j ≠ i, yᵢ does not contain xⱼ at all.",
               "On the diagonal: ∂(wᵢ − xᵢ)/∂xᵢ = 0 − 1 = −1. Mind the sign.",
               "A 4×4 matrix with −1 on the diagonal: -np.eye(4), the paper's −I."),
    ),
    Exercise(
        "05-multiply-w", "05",
        "y = w ⊗ x (element-wise product) at w = (2, −1, 3), x = (0.5, 4, −2). Give ∂y/∂w as a numpy array.",
        "value", np.diag([0.5, 4.0, -2.0]), expect="diagonal",
        hints=("yᵢ = wᵢxᵢ reads only wᵢ and xᵢ, so ∂y/∂w is diagonal.",
               "∂(wᵢxᵢ)/∂wᵢ = xᵢ: xᵢ is a constant when you differentiate with respect to wᵢ.",
               "So ∂y/∂w = diag(x) — the *other* argument — as a 3×3 matrix: np.diag(x)."),
    ),
    Exercise(
        "05-divide-x", "05",
        "y = w ⊘ x (element-wise division) at w = (1, 2, 3), x = (2, −1, 4). Give ∂y/∂x as a numpy array.",
        "value", np.diag([-0.25, -2.0, -0.1875]), expect="diagonal",
        hints=("Write wᵢ/xᵢ as wᵢ·xᵢ⁻¹ and differentiate with respect to xᵢ (wᵢ is a constant).",
               "The power rule gives ∂(wᵢxᵢ⁻¹)/∂xᵢ = −wᵢ/xᵢ², not 1/xᵢ (that is ∂/∂wᵢ).",
               "Evaluate −wᵢ/xᵢ² for each i and put the three numbers on a diagonal: np.diag(-w / x**2)."),
    ),
    Exercise(
        "05-general-w", "05",
        "y = f(w) ⊗ g(x) with f(w) = w² and g(x) = sin(x), entry by entry: yᵢ = wᵢ²·sin(xᵢ). Write a Python "
        "function of (w, x) that returns ∂y/∂w as a numpy array (write it for vectors of any length n).",
        "function", lambda w, x: np.diag(2 * w * np.sin(x)),
        points=((np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])),
                (np.array([-0.5, 0.0, 1.5]), np.array([0.3, -1.2, 2.0])),
                (np.array([2.0, -3.0, 0.25]), np.array([1.0, 0.5, -2.5])),
                (np.array([0.7, -1.1, 2.4]), np.array([-2.0, 0.0, 1.3]))),
        variables=("w", "x"), expect="diagonal",
        hints=("yᵢ reads only wᵢ and xᵢ, so ∂y/∂w = diag(∂yᵢ/∂wᵢ): the off-diagonal entries are 0.",
               "∂(wᵢ² sin xᵢ)/∂wᵢ = 2wᵢ·sin xᵢ: sin xᵢ is a constant factor here.",
               "Return np.diag(2 * w * np.sin(x)): a matrix, for whatever length w has."),
    ),
    Exercise(
        "05-shifted-x", "05",
        "yᵢ = wᵢ·xᵢ₊₁ for i = 1, 2, 3, where x₄ means x₁ (the indices wrap around). This breaks the element-wise "
        "diagonal condition. Give ∂y/∂x at w = (1, 2, 3), x = (4, 5, 6) as a numpy array.",
        "value", np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [3.0, 0.0, 0.0]]), expect="jacobian",
        hints=("Row i is the gradient of yᵢ = wᵢxᵢ₊₁ with respect to x: which xⱼ does yᵢ read?",
               "y₁ = w₁x₂ reads only x₂, so row 1 has w₁ in column 2; y₃ = w₃x₁ has w₃ in column 1.",
               "The entries w₁, w₂, w₃ sit one step right of the diagonal (wrapping to column 1 in the last row); "
               "the diagonal itself is 0."),
    ),
)

# ---- 06: scalar expansion -----------------------------------------------------------------------------
_CHAPTER_06 = (
    Exercise(
        "06-shape-dz", "06",
        "y = x + z with x in R⁴ and z a scalar. What is the shape of ∂y/∂z in numerator layout? Give a tuple.",
        "shape", (4, 1),
        hints=("Numerator layout: one row per output yᵢ, one column per input.",
               "There are 4 outputs, and z is a single number: one input.",
               "So ∂y/∂z has 4 rows and 1 column — a vertical vector, not a 4×4 matrix."),
    ),
    Exercise(
        "06-times-z-dx", "06",
        "y = x z with x = (1, −2, 3) and z = 4. Give ∂y/∂x as a numpy array.",
        "value", 4.0 * np.eye(3), expect="diagonal",
        hints=("Entry by entry, yᵢ = xᵢ z. Which xⱼ does yᵢ read?",
               "∂(xᵢ z)/∂xᵢ = z (z is a constant as far as xᵢ is concerned), and ∂(xᵢ z)/∂xⱼ = 0 for j ≠ i.",
               "So ∂y/∂x = Iz: z = 4 on the diagonal — not x. Use np.eye(3) * 4."),
    ),
    Exercise(
        "06-times-z-dz", "06",
        "y = x z with x = (1, −2, 3) and z = 4. Give ∂y/∂z as a numpy array (numerator layout).",
        "value", np.array([[1.0], [-2.0], [3.0]]), expect="column",
        hints=("z is one number, so ∂y/∂z has one column: one entry per output yᵢ.",
               "∂(xᵢ z)/∂z = xᵢ.",
               "So ∂y/∂z = x, as a (3, 1) column: np.array([[1.0], [-2.0], [3.0]]) or x.reshape(-1, 1)."),
    ),
    Exercise(
        "06-affine-dz", "06",
        "y = x z + z² (that is, yᵢ = xᵢ z + z², with z² expanded into 1z²) at x = (1, 0, −1, 2) and z = 3. "
        "Give ∂y/∂z as a numpy array.",
        "value", np.array([[7.0], [6.0], [5.0], [8.0]]), expect="column",
        hints=("One entry per output: ∂yᵢ/∂z, where z appears twice in yᵢ = xᵢ z + z².",
               "∂(xᵢ z)/∂z = xᵢ and ∂(z²)/∂z = 2z, so ∂yᵢ/∂z = xᵢ + 2z.",
               "With z = 3 that is x + 6, as a (4, 1) column."),
    ),
    Exercise(
        "06-sum-over-outputs", "06",
        "y = x z with x = (1, −2, 3, 0.5), and L = y₁ + y₂ + y₃ + y₄. By how much does L change per unit change "
        "of z? Give a number.",
        "value", 2.5, expect="scalar",
        hints=("z feeds every output, so nudging z moves all four yᵢ at once.",
               "∂y/∂z is the column x: yᵢ moves by xᵢ per unit of z.",
               "L adds up the four moves: the sum of the column, 1 − 2 + 3 + 0.5."),
    ),
)

# ---- 07: sum reduction ---------------------------------------------------------------------------------
_CHAPTER_07 = (
    Exercise(
        "07-sum-ones", "07",
        "y = sum(x) for x in R⁴. Give the gradient ∂y/∂x as a numpy array (at any x: it does not depend on x).",
        "value", np.ones(4), expect="gradient",
        hints=("Entry j is ∂y/∂xⱼ: how fast the sum moves when only xⱼ is nudged.",
               "Nudging xⱼ by a small amount moves the sum by exactly that amount, so every entry is 1.",
               "The answer is the paper's row 1ᵀ: np.ones(4) (a 1-D array) or np.ones((1, 4)) — not a (4, 1) "
               "column."),
    ),
    Exercise(
        "07-xz-wrt-x", "07",
        "y = sum(x z) with x = (1, -2, 4) and the scalar z = 3. Give ∂y/∂x as a numpy array.",
        "value", np.array([3.0, 3.0, 3.0]), expect="gradient",
        hints=("y = x₁z + x₂z + x₃z. Which terms move when only xⱼ moves?",
               "Only the term xⱼz, and its derivative with respect to xⱼ is z.",
               "So every entry is z = 3: the row [z, z, z]."),
    ),
    Exercise(
        "07-xz-wrt-z", "07",
        "Same y = sum(x z) with x = (1, -2, 4) and z = 3. Give ∂y/∂z.",
        "value", 3.0, expect="scalar",
        hints=("z is ONE number, so ∂y/∂z is 1×1: a single number, not a vector.",
               "Every term xᵢz moves when z moves, at rate xᵢ: ∂y/∂z = Σᵢ xᵢ = sum(x).",
               "1 + (-2) + 4."),
    ),
    Exercise(
        "07-dot-w", "07",
        "y = w · x = sum(w ⊗ x) with w = (2, -1, 0.5) and x = (1, 2, 3). Give ∂y/∂w as a numpy array.",
        "value", np.array([1.0, 2.0, 3.0]), expect="gradient",
        hints=("Think of u = w ⊗ x first: ∂u/∂w = diag(x), and ∂y/∂u = 1ᵀ for the sum.",
               "1ᵀ diag(x) adds up each column of diag(x): column j holds only xⱼ.",
               "So ∂y/∂w = xᵀ: the entries of x, as a row (the numbers of w do not appear at all)."),
    ),
    Exercise(
        "07-squares-function", "07",
        "y = sum(x²) = x₁² + … + xₙ². Write a Python function of the vector x that returns ∂y/∂x as a numpy "
        "array of x's length.",
        "function", lambda x: 2 * np.asarray(x, dtype=float),
        points=(np.array([1.0, 2.0, 3.0]), np.array([-1.5, 0.0, 0.5]), np.array([0.3, -2.0, 4.0]),
                np.array([2.5, -0.7, 1.1])),
        expect="gradient",
        hints=("fᵢ = xᵢ² is element-wise: fᵢ reads only xᵢ, so f's Jacobian is diagonal, diag(2x).",
               "With a diagonal Jacobian each column sum is its diagonal entry: ∂y/∂xⱼ = 2xⱼ.",
               "Return 2 * x (a 1-D array, the row in numpy form), not np.diag(2 * x)."),
    ),
    Exercise(
        "07-cyclic", "07",
        "fᵢ(x) = xᵢ·xᵢ₊₁ with the indices wrapping round (x₅ means x₁), and y = sum(f(x)) for x in R⁴. "
        "Give ∂y/∂x at x = (1, 2, 3, 4) as a numpy array.",
        "value", np.array([6.0, 4.0, 6.0, 4.0]), expect="gradient",
        hints=("Each xⱼ appears in TWO of the fᵢ: in fⱼ = xⱼxⱼ₊₁ and in fⱼ₋₁ = xⱼ₋₁xⱼ.",
               "So column j of f's Jacobian has two non-zero entries, xⱼ₊₁ and xⱼ₋₁, and ∂y/∂xⱼ is their sum.",
               "Entry 1 is x₂ + x₄ (x₀ wraps round to x₄); the diagonal alone (x₂, x₃, x₄, x₁) forgets one "
               "term of each column sum."),
    ),
)

EXERCISES: dict[str, Exercise] = _index(_BANK + _CHAPTER_02 + _CHAPTER_03 + _CHAPTER_04 + _CHAPTER_05 + _CHAPTER_06
                                        + _CHAPTER_07)


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
