"""Chapter 01's exercises: scalar derivative rules (paper §2).  Prompts and hints are plain text."""
import numpy as np

from . import exercise

EXERCISES = (
    exercise(
        "01-power",
        "Write a Python function for the derivative of x⁵.",
        "function", lambda x: 5 * x ** 4,
        points=(-1.5, -0.3, 0.0, 0.7, 2.0, 3.1),
        hints=("The power rule: d/dx xⁿ = n·xⁿ⁻¹.",
               "Bring the 5 down in front and lower the power by one; in Python, powers are written **."),
        formulas="5*x**4",
    ),
    exercise(
        "01-operator",
        "What is d/dx 5(x³ + 2x) at x = 0.6? Give a number.",
        "value", 15.4, expect="scalar",
        hints=("A constant factor comes out: d/dx 5·u = 5·du/dx.",
               "The derivative of a sum is the sum of the derivatives, one power rule per term.",
               "So the derivative is 5(3x² + 2); evaluate it at x = 0.6."),
    ),
    exercise(
        "01-product",
        "Write a Python function for the derivative of x² · sin(x).",
        "function", lambda x: 2 * x * np.sin(x) + x ** 2 * np.cos(x),
        points=(-2.5, -0.6, 0.0, 0.4, 1.3, 3.0),
        hints=("The product rule: d(uv)/dx = u·dv/dx + du/dx·v.",
               "Here u = x² and v = sin x, so du/dx = 2x and dv/dx = cos x.",
               "Add the two terms: 2x·sin x plus x²·cos x (use np.sin and np.cos)."),
        formulas="2*x*sin(x) + x**2*cos(x)",
    ),
    exercise(
        "01-chain",
        "Write a Python function for the derivative of ln(x² + 1).",
        "function", lambda x: 2 * x / (x ** 2 + 1),
        points=(-3.0, -0.5, 0.0, 0.25, 1.0, 4.0),
        hints=("The chain rule: introduce u = x² + 1, so y = ln(u).",
               "dy/du = 1/u and du/dx = 2x.",
               "Multiply them and write u back in terms of x."),
        formulas="2*x/(x**2 + 1)",
    ),
    exercise(
        "01-chain-nested",
        "Write a Python function for the derivative of cos(x²)³, that is (cos(x²))³.",
        "function", lambda x: -6 * x * np.cos(x ** 2) ** 2 * np.sin(x ** 2),
        points=(-1.2, -0.4, 0.3, 0.9, 1.7),
        hints=("Three layers, inside out: u₁ = x², u₂ = cos(u₁), y = u₂³.",
               "The local derivatives are 2x, −sin(u₁) and 3u₂².",
               "Multiply all three, then substitute back (mind the minus sign from cos)."),
        formulas="-6*x*cos(x**2)**2*sin(x**2)",
    ),
    exercise(
        "01-typed",
        "Type the derivative of x³ + 3x as text, for example \"4*x + 1\" (use * for products, ** or ^ "
        "for powers).",
        "expression", "3*x**2 + 3",
        points=(-2.0, -0.5, 0.0, 1.5, 3.0),
        hints=("Differentiate term by term: the derivative of a sum is the sum of the derivatives.",
               "d/dx x³ = 3x² and d/dx 3x = 3.",
               "Write products with an explicit *: 3*x**2, not 3x^2."),
    ),
    exercise(
        "01-central-error",
        "In the truncation regime, you divide the step h of the central difference (f(x+h) − f(x−h)) / 2h by 10. "
        "By what factor does its error shrink? Give a number.",
        "value", 100.0, expect="scalar",
        hints=("Write the Taylor series of f(x+h) and of f(x−h) up to the h³ terms, and subtract them.",
               "After dividing by 2h, the leading error term is a constant times a power of h: which power?",
               "If the error is C·hᵖ, dividing h by 10 divides the error by 10ᵖ."),
    ),
    exercise(
        "01-stretch-quotient",
        "Stretch: derive the general rule. Write u/v as u·v⁻¹ and use only the product rule and the chain rule "
        "to differentiate f(x) = sin(x)/(x² + 1). Write a Python function for df/dx.",
        "function", lambda x: (np.cos(x) * (x ** 2 + 1) - 2 * x * np.sin(x)) / (x ** 2 + 1) ** 2,
        points=(-2.5, -0.6, 0.0, 0.4, 1.3, 3.0),
        hints=("u = sin(x), v = x² + 1. The product rule on u·v⁻¹: (du/dx)·v⁻¹ + u·d(v⁻¹)/dx.",
               "The chain rule on v⁻¹: d(v⁻¹)/dx = −v⁻²·dv/dx, and dv/dx = 2x.",
               "Put the two terms over the common denominator v²: (v·du/dx − u·dv/dx)/v², the quotient rule."),
        formulas=("(cos(x)*(x**2 + 1) - 2*x*sin(x))/(x**2 + 1)**2",),
    ),
)
