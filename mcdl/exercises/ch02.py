"""Chapter 02's exercises: partial derivatives (paper §3).  Prompts and hints are plain text."""
import numpy as np

from . import exercise

EXERCISES = (
    exercise(
        "02-value",
        "f(x, y) = 3x²y. What is ∂f/∂x at (x, y) = (-1, 3)? Give a number.",
        "value", -18.0, expect="scalar",
        hints=("Only x moves: freeze y at its value, so 3x²y is the constant 3y times x².",
               "The power rule on x² then gives ∂f/∂x = 3y·2x = 6yx.",
               "Put x = -1 and y = 3 into 6yx. (3x² would be ∂f/∂y: the other partial.)"),
        slips={"other-partial": 3.0},              # ∂f/∂y = 3x² at x = -1
    ),
    exercise(
        "02-partial-x",
        "f(x, y) = x²y + sin(y). Write a Python function of (x, y) for ∂f/∂x.",
        "function", lambda x, y: 2 * x * y,
        points=((-1.5, 0.5), (0.0, 2.0), (0.7, -1.2), (2.0, 3.1), (-0.4, -2.5), (1.3, 0.0)),
        variables=("x", "y"),
        hints=("Only x moves; y is a fixed number. So sin(y) is a constant, however it looks.",
               "The derivative of a constant is 0, and x²y is the constant y times x².",
               "So ∂f/∂x = 2xy: the sin(y) term contributes nothing."),
        slips={"other-partial": lambda x, y: x**2 + np.cos(y)},
        formulas="2*x*y",
    ),
    exercise(
        "02-partial-y",
        "f(x, y) = x²y + sin(y). Write a Python function of (x, y) for ∂f/∂y.",
        "function", lambda x, y: x ** 2 + np.cos(y),
        points=((-1.5, 0.5), (0.0, 2.0), (0.7, -1.2), (2.0, 3.1), (-0.4, -2.5), (1.3, 0.0)),
        variables=("x", "y"),
        hints=("Now y moves and x is the fixed number: x² is a constant factor in x²y.",
               "∂/∂y of x²·y is x² (like d/dy of 5y is 5); ∂/∂y of sin(y) is cos(y).",
               "Add the two terms: x² + cos(y) (use np.cos)."),
        slips={"other-partial": lambda x, y: 2 * x * y},
        formulas="x**2 + cos(y)",
    ),
    exercise(
        "02-typed",
        "f(x, y) = exp(x*y). Type ∂f/∂x as text, for example \"3*x*y**2\" (use * for every product).",
        "expression", "y*exp(x*y)",
        points=((-1.5, 0.5), (0.0, 2.0), (0.7, -1.2), (1.0, 1.0), (-0.4, -2.5)),
        variables=("x", "y"),
        hints=("The chain rule: let u = x·y, so f = exp(u).",
               "d exp(u)/du = exp(u), and with y held constant ∂u/∂x = y.",
               "Multiply: y·exp(x·y), typed as y*exp(x*y)."),
        slips={"other-partial": "x*exp(x*y)"},
    ),
    exercise(
        "02-chain",
        "f(x, y) = ln(x² + y²). Write a Python function of (x, y) for ∂f/∂y.",
        "function", lambda x, y: 2 * y / (x ** 2 + y ** 2),
        points=((-1.5, 0.5), (0.0, 2.0), (0.7, -1.2), (2.0, 3.1), (-0.4, -2.5), (1.3, 0.0)),
        variables=("x", "y"),
        hints=("The chain rule with an intermediate variable: u = x² + y², f = ln(u).",
               "df/du = 1/u; with x held constant, ∂u/∂y = 2y (x² is a constant, its derivative 0).",
               "Multiply and substitute back: 2y / (x² + y²)."),
        slips={"other-partial": lambda x, y: 2 * x / (x**2 + y**2)},
        formulas="2*y/(x**2 + y**2)",
    ),
    exercise(
        "02-stretch-euler",
        "Stretch: derive the general rule. For f(x, y) = x³y² + x·y⁴, type x·∂f/∂x + y·∂f/∂y as text. Then "
        "compare it with f itself.",
        "expression", "5*x**3*y**2 + 5*x*y**4",
        points=((-1.5, 0.5), (0.0, 2.0), (0.7, -1.2), (1.0, 1.0), (-0.4, -2.5), (2.0, 0.3)),
        variables=("x", "y"),
        hints=("∂f/∂x = 3x²y² + y⁴ and ∂f/∂y = 2x³y + 4xy³; multiply the first by x and the second by y.",
               "x·∂f/∂x gives each term back times its power of x; y·∂f/∂y times its power of y.",
               "Every term of f has degree 3 + 2 = 1 + 4 = 5 in total, so the sum is 5 times f."),
        slips={"other-partial": "3*x**2*y**2 + y**4 + 2*x**3*y + 4*x*y**3"},
    ),
)
