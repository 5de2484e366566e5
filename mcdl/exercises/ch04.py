"""Chapter 04's exercises: Jacobians (paper §4, 4.1).  Prompts and hints are plain text."""
import numpy as np

from . import exercise

EXERCISES = (
    exercise(
        "04-shape-column",
        "f(x) = [x, x², x³, x⁴]ᵀ takes one number and returns four. What is the shape of ∂f/∂x in numerator "
        "layout? Give a tuple.",
        "shape", (4, 1),
        hints=("Numerator layout: one row per output of f, one column per input.",
               "Here there are m = 4 outputs and n = 1 input: the paper's 'vector f, scalar x' case.",
               "The answer is a column: (rows, columns) = (outputs, inputs)."),
    ),
    exercise(
        "04-identity",
        "f(x) = x for x in R⁴ (the identity). Give its Jacobian ∂f/∂x as a numpy array.",
        "value", np.eye(4), expect="diagonal",
        hints=("Entry (i, j) is ∂fᵢ/∂xⱼ, and fᵢ(x) = xᵢ.",
               "∂xᵢ/∂xⱼ is 1 when i = j and 0 otherwise: xᵢ does not move when another coordinate moves.",
               "That is a 4×4 matrix with ones on the diagonal: np.eye(4) (not np.ones(4), its diagonal)."),
    ),
    exercise(
        "04-fg-jacobian",
        "Write a function of (x, y) that returns the Jacobian of [f, g] = [x·y³, eˣ·y] as a 2×2 numpy array.",
        "function", lambda x, y: np.array([[y ** 3, 3 * x * y ** 2], [y * np.exp(x), np.exp(x)]]),
        points=((1.0, 2.0), (-0.5, 1.5), (0.0, -1.2), (2.5, 0.3), (-1.3, -0.7)),
        variables=("x", "y"), expect="jacobian",
        hints=("Row 1 is the gradient of f = x·y³, row 2 the gradient of g = eˣ·y.",
               "For f, x is a plain factor (freeze y, then freeze x); for g, eˣ is its own derivative.",
               "Return np.array([[∂f/∂x, ∂f/∂y], [∂g/∂x, ∂g/∂y]]): rows are outputs, columns are inputs."),
        formulas=("3*x*y**2", "y*exp(x)"),      # y³ and eˣ are pieces of f and g themselves
    ),
    exercise(
        "04-nonsquare",
        "f(x) = [x₁x₂ + x₃, x₂² − 2x₁x₃] maps R³ to R². Give its Jacobian at x = (1, 2, 3) as a numpy array.",
        "value", np.array([[2.0, 1.0, 1.0], [-6.0, 4.0, -2.0]]), expect="jacobian",
        hints=("f has 2 outputs and 3 inputs, so in numerator layout the Jacobian has shape (2, 3).",
               "Row 1 is ∇(x₁x₂ + x₃) = [x₂, x₁, 1]; row 2 is ∇(x₂² − 2x₁x₃) = [−2x₃, 2x₂, −2x₁].",
               "Now put x₁ = 1, x₂ = 2, x₃ = 3 into both rows."),
    ),
    exercise(
        "04-linearise",
        "Near x = (1, 2), [f, g] = [3x²y, 2x + y⁸] is approximately f(x) + J·(v − x). Use this linear "
        "approximation (not f itself) to predict [f, g] at v = (1.01, 1.98). Give a vector of 2 numbers.",
        "value", np.array([6.06, 237.54]), expect="vector",
        hints=("At (1, 2): [f, g] = [6, 258] and J = [[12, 3], [2, 1024]].",
               "The step is v − x = (0.01, −0.02); multiply J by it (J @ step): one row of J per output.",
               "Add J·(v − x) to [6, 258]. The exact [f, g] at v is a bit different: that gap is what the "
               "linear map leaves out."),
    ),
    exercise(
        "04-stretch-polar",
        "Stretch: derive the general rule. The polar map sends (r, θ) to the point (r cos θ, r sin θ) of the "
        "plane. Write a Python function of (r, theta) that returns its Jacobian as a 2×2 numpy array.",
        "function", lambda r, theta: np.array([[np.cos(theta), -r * np.sin(theta)],
                                                [np.sin(theta), r * np.cos(theta)]]),
        points=((1.0, 0.0), (2.0, 0.5), (0.5, -2.0), (3.0, 2.5), (0.0, 1.0)),
        variables=("r", "theta"), expect="jacobian",
        hints=("Two outputs, x = r cos θ and y = r sin θ, and two inputs, r and θ: row 1 is ∇x, row 2 is ∇y.",
               "With respect to r, cos θ and sin θ are constant factors; with respect to θ, r is.",
               "Its determinant (ad − bc) comes out as r: that is where the r in r dr dθ comes from."),
        formulas=("-r*sin(theta)",),
    ),
)
