"""Chapter 08's exercises: the chain rules (paper §4.5).  Prompts and hints are plain text."""
import numpy as np

from . import exercise

EXERCISES = (
    exercise(
        "08-own-parameter",
        "y = ln(cos(x²)) with intermediates u₁ = x², u₂ = cos(u₁) and y = ln(u₂). Type the local derivative "
        "dy/du₂ as text, in terms of u2 (not x).",
        "expression", "1/u2",
        points=(-2.5, -0.7, 0.3, 1.6, 4.0),
        variables=("u2",),
        hints=("Step 2 differentiates each intermediate with respect to its OWN parameter: here y = ln(u₂), "
               "and u₂ is the variable.",
               "Forget where u₂ came from; what is the derivative of ln(u) with respect to u?"),
        formulas=("1/u2",),
    ),
    exercise(
        "08-step-three",
        "y = exp(cos(3x)) with u₁ = 3x, u₂ = cos(u₁), y = exp(u₂). Type step 3, the product of the three local "
        "derivatives dy/du₂ · du₂/du₁ · du₁/dx, as text in u1 and u2, WITHOUT substituting back.",
        "expression", "-3*exp(u2)*sin(u1)",
        points=((0.5, -1.0), (-1.2, 0.3), (2.0, 1.5), (0.0, -0.4), (3.1, 0.8)),
        variables=("u1", "u2"),
        hints=("Three links: du₁/dx = 3, du₂/du₁ = the derivative of cos(u₁) with respect to u₁, dy/du₂ = the "
               "derivative of exp(u₂) with respect to u₂.",
               "Each local derivative is written in its own parameter: −sin(u₁), exp(u₂).",
               "Multiply the three and keep u₁ and u₂ as they are: step 4 would substitute them, not step 3."),
    ),
    exercise(
        "08-chain-function",
        "Write a Python function for the derivative of sqrt(1 + cos(x)²), using the four steps.",
        "function", lambda x: -np.cos(x) * np.sin(x) / np.sqrt(1 + np.cos(x) ** 2),
        points=(-2.5, -0.6, 0.0, 0.4, 1.3, 3.0),
        hints=("Intermediates: u₁ = cos(x), u₂ = u₁², u₃ = 1 + u₂, y = sqrt(u₃).",
               "Local derivatives: −sin(x), 2u₁, 1 and 1/(2·sqrt(u₃)).",
               "Multiply them and substitute back; the 2s cancel."),
        formulas=("-cos(x)*sin(x)/sqrt(1 + cos(x)**2)",),
    ),
    exercise(
        "08-total",
        "y = x + exp(x²). What is dy/dx at x = 0.5? Give a number.",
        "value", float(1 + np.exp(0.25)), expect="scalar",
        hints=("Intermediates: u₁ = x², u₂ = exp(u₁), y = x + u₂: y reads x directly AND through u₂.",
               "Total derivative: ∂y/∂x (the direct path, 1) + ∂y/∂u₂ · du₂/du₁ · du₁/dx (the path through u₁, u₂).",
               "1 + exp(x²)·2x, at x = 0.5."),
        slips={"single-path-chain-rule": float(np.exp(0.25))},
    ),
    exercise(
        "08-jacobian-shape",
        "g maps R⁴ to R³ and f maps R³ to R². What is the shape of ∂f(g(x))/∂x = ∂f/∂g · ∂g/∂x in numerator "
        "layout? Give a tuple.",
        "shape", (2, 4),
        hints=("∂f/∂g has one row per output of f and one column per input of f (the outputs of g).",
               "∂g/∂x is 3×4. An (m, k) matrix times a (k, n) matrix is (m, n)."),
    ),
    exercise(
        "08-vector-chain",
        "g(x) = [x², 2x]ᵀ and f(g) = [g₁·g₂, sin(g₂)]ᵀ. Give ∂f(g(x))/∂x at x = 0.5 as a numpy array "
        "(numerator layout), computed as the product ∂f/∂g · ∂g/∂x.",
        "value", np.array([[3 * 0.5 ** 2 * 2], [2 * np.cos(1.0)]]), expect="column",
        hints=("∂g/∂x is the (2, 1) column [2x, 2]ᵀ; ∂f/∂g is the 2×2 matrix [[g₂, g₁], [0, cos(g₂)]].",
               "At x = 0.5: g = (0.25, 1). Multiply the 2×2 matrix by the column.",
               "Check it: f(g(x)) = [2x³, sin(2x)]ᵀ, whose derivative you can take directly."),
    ),
    exercise(
        "08-stretch-power-tower",
        "Stretch: derive the general rule. Write x^x as exp(x·ln(x)) and differentiate it with intermediates "
        "(x reaches the product x·ln(x) along two paths). Write a Python function for d/dx x^x, for x > 0.",
        "function", lambda x: x ** x * (np.log(x) + 1),
        points=(0.2, 0.5, 1.0, 1.7, 2.5, 3.2),
        hints=("u₁ = ln(x), u₂ = x·u₁, y = exp(u₂): u₂ reads x directly and through u₁.",
               "∂u₂/∂x = u₁ and ∂u₂/∂u₁ = x, so du₂/dx = u₁ + x·(1/x).",
               "dy/dx = exp(u₂)·(ln(x) + 1) = x^x(ln(x) + 1)."),
        formulas=("x**x*(log(x) + 1)",),
    ),
)
