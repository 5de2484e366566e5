"""Chapter 06's exercises: scalar expansion (paper §4.3).  Prompts and hints are plain text."""
import numpy as np

from . import exercise


EXERCISES = (
    exercise(
        "06-shape-dz",
        "y = x + z with x in R⁵ and z a scalar. What is the shape of ∂y/∂z in numerator layout? Give a tuple.",
        "shape", (5, 1),
        hints=("Numerator layout: one row per output yᵢ, one column per input.",
               "There are 5 outputs, and z is a single number: one input.",
               "So ∂y/∂z has one row per output and a single column — a vertical vector, not a square matrix."),
    ),
    exercise(
        "06-times-z-dx",
        "y = x z with x = (1, −2, 3) and z = 4. Give ∂y/∂x as a numpy array.",
        "value", 4.0 * np.eye(3), expect="diagonal",
        hints=("Entry by entry, yᵢ = xᵢ z. Which xⱼ does yᵢ read?",
               "∂(xᵢ z)/∂xᵢ = z (z is a constant as far as xᵢ is concerned), and ∂(xᵢ z)/∂xⱼ = 0 for j ≠ i.",
               "So ∂y/∂x = Iz: z = 4 on the diagonal — not x. Use np.eye(3) * 4."),
        slips={"x-on-diagonal-for-d(xz)/dx": np.diag([1.0, -2.0, 3.0])},
    ),
    exercise(
        "06-times-z-dz",
        "y = x z with x = (1, −2, 3) and z = 4. Give ∂y/∂z as a numpy array (numerator layout).",
        "value", np.array([[1.0], [-2.0], [3.0]]), expect="column",
        hints=("z is one number, so ∂y/∂z has one column: one entry per output yᵢ.",
               "∂(xᵢ z)/∂z = xᵢ.",
               "So ∂y/∂z = x, as a (3, 1) column: np.array([[1.0], [-2.0], [3.0]]) or x.reshape(-1, 1)."),
    ),
    exercise(
        "06-affine-dz",
        "y = x z + z² (that is, yᵢ = xᵢ z + z², with z² expanded into 1z²) at x = (2, 0.5, −1, 3) and z = −1.5. "
        "Give ∂y/∂z as a numpy array.",
        "value", np.array([[-1.0], [-2.5], [-4.0], [0.0]]), expect="column",
        hints=("One entry per output: ∂yᵢ/∂z, where z appears twice in yᵢ = xᵢ z + z².",
               "∂(xᵢ z)/∂z = xᵢ and ∂(z²)/∂z = 2z, so ∂yᵢ/∂z = xᵢ + 2z.",
               "Add 2z to every entry of x and stand the result up as a (4, 1) column."),
    ),
    exercise(
        "06-sum-over-outputs",
        "y = x z + z² (yᵢ = xᵢz + z²) with x = (1, −2, 3, 0.5) and z = 0.5, and L = y₁ + y₂ + y₃ + y₄. By how "
        "much does L change per unit change of z? Give a number.",
        "value", 6.5, expect="scalar",
        hints=("z feeds every output, so nudging z moves all four yᵢ at once.",
               "∂yᵢ/∂z = xᵢ + 2z: the column x + 2z·1.",
               "L adds up the four moves: the sum of that column, sum(x) + 4·2z."),
    ),
    exercise(
        "06-stretch-difference",
        "Stretch: derive the general rule. yᵢ = (xᵢ + z)(xᵢ − z) for x in Rⁿ and a scalar z (z is expanded "
        "twice). Write a Python function of (x, z) that returns ∂y/∂z as a numpy array, for any length n.",
        "function", lambda x, z: np.full((np.size(x), 1), -2.0 * float(z)),
        points=(((np.array([1.0, -2.0, 0.5]), 1.5)),
                ((np.array([0.3, 4.0]), -0.75)),
                ((np.array([2.0, -1.0, 0.0, 3.5]), 2.0)),
                ((np.array([-1.2, 0.6, 2.2, -0.5, 1.0]), -3.0))),
        variables=("x", "z"), expect="column",
        hints=("z is one input, so ∂y/∂z is an n×1 column: one entry ∂yᵢ/∂z per output.",
               "Multiply out first: (xᵢ + z)(xᵢ − z) = xᵢ² − z². Or use the product rule: (xᵢ − z)·1 + "
               "(xᵢ + z)·(−1). Either way xᵢ drops out.",
               "Every entry is the same number, ∂(xᵢ² − z²)/∂z: return np.full((len(x), 1), ...) with that "
               "number in place of the dots."),
        formulas="-2*z",
    ),
)
