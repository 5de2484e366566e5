"""Chapter 07's exercises: sum reduction (paper §4.4).  Prompts and hints are plain text."""
import numpy as np

from . import exercise

EXERCISES = (
    exercise(
        "07-sum-ones",
        "y = sum(x) for x in R⁴. Give the gradient ∂y/∂x as a numpy array (at any x: it does not depend on x).",
        "value", np.ones(4), expect="gradient",
        hints=("Entry j is ∂y/∂xⱼ: how fast the sum moves when only xⱼ is nudged.",
               "Nudging xⱼ by a small amount moves the sum by exactly that amount, so every entry is 1.",
               "The answer is the paper's row 1ᵀ: np.ones(4) (a 1-D array) or np.ones((1, 4)) — not a (4, 1) "
               "column."),
    ),
    exercise(
        "07-xz-wrt-x",
        "y = sum(x z) with x = (1.5, -2, 4) and the scalar z = -2. Give ∂y/∂x as a numpy array.",
        "value", np.array([-2.0, -2.0, -2.0]), expect="gradient",
        hints=("y = x₁z + x₂z + x₃z. Which terms move when only xⱼ moves?",
               "Only the term xⱼz, and its derivative with respect to xⱼ is z.",
               "So every entry is z: the row [z, z, z] (x's numbers do not appear)."),
        slips={"z-and-sum-swapped": np.array([3.5, 3.5, 3.5])},
    ),
    exercise(
        "07-xz-wrt-z",
        "Same y = sum(x z) with x = (1.5, -2, 4) and z = -2. Give ∂y/∂z.",
        "value", 3.5, expect="scalar",
        hints=("z is ONE number, so ∂y/∂z is 1×1: a single number, not a vector.",
               "Every term xᵢz moves when z moves, at rate xᵢ: ∂y/∂z = Σᵢ xᵢ = sum(x).",
               "Add up the three entries of x (z's value does not appear)."),
        slips={"z-and-sum-swapped": -2.0},
    ),
    exercise(
        "07-dot-w",
        "y = w · x = sum(w ⊗ x) with w = (2, -1, 0.5) and x = (1, 2, 3). Give ∂y/∂w as a numpy array.",
        "value", np.array([1.0, 2.0, 3.0]), expect="gradient",
        hints=("Think of u = w ⊗ x first: ∂u/∂w = diag(x), and ∂y/∂u = 1ᵀ for the sum.",
               "1ᵀ diag(x) adds up each column of diag(x): column j holds only xⱼ.",
               "So ∂y/∂w = xᵀ: the entries of x, as a row (the numbers of w do not appear at all)."),
        slips={"other-partial": np.array([2.0, -1.0, 0.5])},
    ),
    exercise(
        "07-squares-function",
        "y = sum(x²) = x₁² + … + xₙ². Write a Python function of the vector x that returns ∂y/∂x as a numpy "
        "array of x's length.",
        "function", lambda x: 2 * np.asarray(x, dtype=float),
        points=(np.array([1.0, 2.0, 3.0]), np.array([-1.5, 0.0, 0.5]), np.array([0.3, -2.0, 4.0]),
                np.array([2.5, -0.7, 1.1])),
        expect="gradient",
        hints=("fᵢ = xᵢ² is element-wise: fᵢ reads only xᵢ, so f's Jacobian is diagonal, diag(2x).",
               "With a diagonal Jacobian each column sum is its diagonal entry: ∂y/∂xⱼ = 2xⱼ.",
               "Return 2 * x (a 1-D array, the row in numpy form), not np.diag(2 * x)."),
        formulas="2*x",
    ),
    exercise(
        "07-cyclic",
        "fᵢ(x) = xᵢ·xᵢ₊₁ with the indices wrapping round (x₅ means x₁), and y = sum(f(x)) for x in R⁴. "
        "Give ∂y/∂x at x = (2, -1, 3, 0.5) as a numpy array.",
        "value", np.array([-0.5, 5.0, -0.5, 5.0]), expect="gradient",
        hints=("Each xⱼ appears in TWO of the fᵢ: in fⱼ = xⱼxⱼ₊₁ and in fⱼ₋₁ = xⱼ₋₁xⱼ.",
               "So column j of f's Jacobian has two non-zero entries, xⱼ₊₁ and xⱼ₋₁, and ∂y/∂xⱼ is their sum.",
               "Entry 1 is x₂ + x₄ (x₀ wraps round to x₄); the diagonal alone (x₂, x₃, x₄, x₁) forgets one "
               "term of each column sum."),
        slips={"row-sums-for-column-sums": np.array([1.0, 2.0, 3.5, 2.5]),
               "diagonal-only": np.array([-1.0, 3.0, 0.5, 2.0])},
    ),
    exercise(
        "07-stretch-square-of-sum",
        "Stretch: derive the general rule. Exercise 5 squared each entry and then summed, sum(x ⊗ x). Now sum "
        "first and square the total: y = (sum(x))² = (x₁ + … + xₙ)². Write a Python function of the vector x "
        "that returns ∂y/∂x as a numpy array of x's length.",
        "function", lambda x: 2 * np.sum(np.asarray(x, dtype=float)) * np.ones(np.size(x)),
        points=(np.array([1.0, -2.0, 0.5]), np.array([0.3, 1.2, -4.0, 1.5]), np.array([-1.5, 0.0]),
                np.array([2.0, 3.0, -0.25, 1.0, -0.5])),
        expect="gradient",
        hints=("Give the inner sum a name, u = sum(x), so y = u². Then dy/du and ∂u/∂x are both rules you know.",
               "dy/du = 2u, one number; ∂u/∂x = 1ᵀ, a row of ones. Multiply them.",
               "Every entry of the gradient is the same number, twice the total of x — unlike exercise 5, where "
               "entry j depended on xⱼ alone. Return that number times np.ones(len(x))."),
        formulas="2*sum(x)",
    ),
)
