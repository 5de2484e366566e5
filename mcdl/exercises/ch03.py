"""Chapter 03's exercises: gradients (paper §3–4).  Prompts and hints are plain text."""
import numpy as np

from . import exercise

EXERCISES = (
    exercise(
        "03-gradient-point",
        "f(x, y) = x²y + y³. Give the gradient ∇f at (x, y) = (2, -1) as a numpy array.",
        "value", np.array([-4.0, 7.0]), expect="gradient",
        hints=("The gradient lists the partial derivatives in order: [∂f/∂x, ∂f/∂y].",
               "∂f/∂x = 2xy (y is a constant for this one); ∂f/∂y = x² + 3y² (now x is the constant).",
               "Put x = 2, y = -1 into both and write np.array([∂f/∂x, ∂f/∂y]) — one flat array, not a "
               "column."),
    ),
    exercise(
        "03-gradient-shape",
        "f maps R⁵ to R (five inputs, one output). mcdl.jacobian(f, x) returns the gradient as a 2-D array in "
        "numerator layout. What is its shape? Give a tuple.",
        "shape", (1, 5),
        hints=("Numerator layout: one row per output of f, one column per input.",
               "f has one output and five inputs: the gradient is a single row, the paper's horizontal "
               "vector."),
    ),
    exercise(
        "03-directional",
        "f(x, y) = 3x²y. At (x, y) = (2, -1), how fast does f change per unit step in the direction of the "
        "unit vector u = (0.8, -0.6)? Give a number.",
        "value", -16.8, expect="scalar",
        hints=("The rate of change in the direction of a unit vector u is the dot product ∇f·u.",
               "∇f = [6yx, 3x²]: evaluate both entries at (2, -1).",
               "∇f·u = (∂f/∂x)·0.8 + (∂f/∂y)·(−0.6), one product per direction, added up."),
    ),
    exercise(
        "03-max-rate",
        "g(x, y) = 2x + y⁸. Over all unit directions u, what is the largest rate of increase ∇g·u at "
        "(x, y) = (1, 1)? Give a number.",
        "value", float(np.sqrt(68.0)), expect="scalar",
        hints=("∇g·u = ‖∇g‖·‖u‖·cos α, where α is the angle between ∇g and u; here ‖u‖ = 1.",
               "The cosine is largest (1) when u points along ∇g, so the largest rate is ‖∇g‖ itself.",
               "∇g = [2, 8y⁷] = [2, 8] at (1, 1); its length is √(2² + 8²)."),
    ),
    exercise(
        "03-steepest-descent",
        "f(x, y) = x² + 3y². Standing at (x, y) = (1, 1), in which direction does f decrease fastest? "
        "Give it as a unit vector: a numpy array of shape (2,) and length 1.",
        "value", np.array([-2.0, -6.0]) / np.sqrt(40.0), expect="vector",
        hints=("The gradient points in the direction of fastest INCREASE; fastest decrease is the opposite.",
               "∇f = [2x, 6y] = [2, 6] at (1, 1), so the direction is -[2, 6].",
               "Make it a unit vector: divide by its length, np.linalg.norm(...) = √40."),
    ),
    exercise(
        "03-gradient-function",
        "f(x, y) = x·eʸ + y². Write a Python function of (x, y) that returns ∇f as a numpy array of shape (2,).",
        "function", lambda x, y: np.array([np.exp(y), x * np.exp(y) + 2 * y]),
        points=((0.0, 0.0), (1.0, 0.5), (-2.0, 1.0), (0.5, -1.5), (3.0, 2.0)),
        variables=("x", "y"), expect="gradient",
        hints=("Differentiate once per variable, holding the other one fixed.",
               "∂f/∂x = eʸ (x·eʸ is x times a constant; y² does not change with x).",
               "∂f/∂y = x·eʸ + 2y; return np.array([∂f/∂x, ∂f/∂y]) using np.exp."),
        formulas=("x*exp(y) + 2*y",),            # ∂f/∂x = eʸ is a piece of f itself: not searchable
    ),
    exercise(
        "03-stretch-norm",
        "Stretch: derive the general rule. The length of a vector is ‖x‖ = sqrt(x₁² + … + xₙ²). Write a Python "
        "function of the vector x (any n, x ≠ 0) that returns the gradient ∇‖x‖ as a numpy array.",
        "function", lambda x: np.asarray(x, dtype=float) / np.linalg.norm(x),
        points=(np.array([3.0, 4.0]), np.array([1.0, -2.0, 2.0]), np.array([-0.5, 0.25, 1.5, 2.0]),
                np.array([0.0, 0.0, -7.0])),
        expect="gradient",
        hints=("Start with the square, ‖x‖² = x₁² + … + xₙ²: its partial with respect to xⱼ is 2xⱼ, so ∇‖x‖² = 2xᵀ.",
               "‖x‖ = sqrt(u) with u = ‖x‖²: the chain rule multiplies by d sqrt(u)/du = 1/(2 sqrt(u)).",
               "The 2s cancel: every entry is xⱼ/‖x‖. The gradient is a unit vector pointing away from 0."),
        formulas=("x/‖x‖",),
    ),
)
