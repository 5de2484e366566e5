"""Chapter 00's exercises: start here.  Prompts and hints are plain text."""
import numpy as np

from . import exercise

_A = np.array([[0.0, 3.0, -1.0],
               [2.0, 0.0, 1.0]])

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
        "f maps R⁵ to R². What is the shape of its Jacobian in numerator layout? Give a tuple.",
        "shape", (2, 5),
        hints=("In numerator layout the Jacobian has one row per output of f.",
               "…and one column per input: rows = outputs (m), columns = inputs (n), shape (m, n)."),
    ),
    exercise(
        "00-layout",
        "f(x) = A x with A = [[0, 3, -1], [2, 0, 1]]. Give the Jacobian ∂f/∂x as a numpy array.",
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
    exercise(
        "00-neuron",
        "A neuron with weights w = (1.5, -2, 0.5) and bias b = 0.7 receives x = (2, 0.25, -3). What is its "
        "activation max(0, w·x + b)? Give a number.",
        "value", 1.7, expect="scalar",
        hints=("First the affine part: z = w·x + b = w₁x₁ + w₂x₂ + w₃x₃ + b.",
               "Add up the three products wᵢxᵢ, then add b.",
               "If z is positive the activation is z itself; if not, it is 0."),
    ),
    exercise(
        "00-stretch-neuron-dx",
        "Stretch: derive the general rule. For the neuron's affine part z = w·x + b with w and x in Rⁿ, write a "
        "Python function of (w, x) that returns ∂z/∂x (for any n) as a numpy array.",
        "function", lambda w, x: np.asarray(w, dtype=float),
        points=((np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])),
                (np.array([-0.5, 0.0, 1.5]), np.array([0.3, -1.2, 2.0])),
                (np.array([2.0, -3.0, 0.25]), np.array([1.0, 0.5, -2.5])),
                (np.array([0.7, -1.1, 2.4, 0.0]), np.array([-2.0, 0.0, 1.3, 4.0]))),
        variables=("w", "x"), expect="gradient",
        hints=("Write z out: z = w₁x₁ + w₂x₂ + … + wₙxₙ + b. Which terms move when only xⱼ moves?",
               "Only wⱼxⱼ, at rate wⱼ; b does not move at all.",
               "So entry j of the gradient is wⱼ: the gradient is w laid on its side, a row."),
        slips={"other-partial": lambda w, x: np.asarray(x, dtype=float)},
        formulas=("w",),
    ),
)
