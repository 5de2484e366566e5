"""Chapter 11's exercises: reading the reference — the shape of a derivative, in numerator layout."""
from . import exercise

EXERCISES = (
    exercise(
        "11-shape-dot",
        "w and x are vectors of length 5. What is the shape of ∂(w·x)/∂w in numerator layout? Give a tuple.",
        "shape", (1, 5),
        hints=("w·x is a single number; w has 5 entries.",
               "One row per output, one column per entry of w: the gradient is a row."),
    ),
    exercise(
        "11-shape-expansion",
        "x is a vector of length 4 and z a scalar. What is the shape of ∂(x + z)/∂z? Give a tuple.",
        "shape", (4, 1),
        hints=("x + z has 4 entries, and z is one number.",
               "One row per output, one column per input: a column of ones."),
    ),
    exercise(
        "11-shape-relu",
        "x is a vector of length 3. What is the shape of the Jacobian of max(0, x) with respect to x? Give a tuple.",
        "shape", (3, 3),
        hints=("max(0, x) has as many entries as x.",
               "The paper prints a vector of 0s and 1s; the Jacobian puts it on a diagonal."),
    ),
    exercise(
        "11-shape-chain",
        "W is a 2×6 matrix and x a vector of length 6; u = W x and y = sum(exp(u)). By the vector chain rule, "
        "∂y/∂x = ∂y/∂u · ∂u/∂x. What is its shape? Give a tuple.",
        "shape", (1, 6),
        hints=("u = W x has 2 entries; y is one number. ∂y/∂u is a row, ∂u/∂x is W itself.",
               "(1×2)(2×6): the inner sizes meet and vanish."),
    ),
)
