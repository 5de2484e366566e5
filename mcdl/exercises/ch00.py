"""Chapter 00's exercises: start here.  Prompts and hints are plain text."""
import numpy as np

from . import exercise

_A = np.array([[1.0, 2.0, 0.0],
               [0.0, 1.0, 3.0]])

EXERCISES = (
    exercise(
        "00-warmup",
        "What is the derivative of x² at x = 3? Give a number.",
        "value", 6.0, expect="scalar",
        hints=("The power rule: the derivative of xⁿ is n·xⁿ⁻¹.",
               "So d/dx x² = 2x; now put x = 3 in."),
    ),
    exercise(
        "00-shape",
        "f maps R³ to R². What is the shape of its Jacobian in numerator layout? Give a tuple.",
        "shape", (2, 3),
        hints=("In numerator layout the Jacobian has one row per output of f.",
               "…and one column per input: rows = outputs (m), columns = inputs (n), shape (m, n)."),
    ),
    exercise(
        "00-layout",
        "f(x) = A x with A = [[1, 2, 0], [0, 1, 3]]. Give the Jacobian ∂f/∂x as a numpy array.",
        "value", _A, expect="jacobian",
        hints=("Row i of the Jacobian is the gradient of the i-th output fᵢ(x) = (row i of A) · x.",
               "The gradient of (row i of A) · x is row i of A itself.",
               "So the Jacobian has the same shape as A, (2, 3) — not its transpose (3, 2)."),
    ),
    exercise(
        "00-gradient-row",
        "f(x) = x₁² + 3x₂. Give the gradient ∇f at x = (1, 2) as a numpy array.",
        "value", np.array([2.0, 3.0]), expect="gradient",
        hints=("The gradient collects the partial derivatives: (∂f/∂x₁, ∂f/∂x₂).",
               "∂f/∂x₁ = 2x₁ (treat x₂ as a constant), ∂f/∂x₂ = 3.",
               "A 1-D numpy array of the two partials is the paper's row vector, e.g. np.array([a, b])."),
    ),
)
