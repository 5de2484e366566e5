"""Chapter 11's exercises: reading the reference — the shape of a derivative, in numerator layout."""
from . import exercise

EXERCISES = (
    exercise(
        "11-shape-matvec",
        "W is a 3×5 matrix and x a vector of length 5. What is the shape of ∂(W x)/∂x in numerator layout? "
        "Give a tuple.",
        "shape", (3, 5),
        hints=("W x has 3 entries; x has 5.",
               "Output i is row i of W dotted with x, so the Jacobian is W itself."),
    ),
    exercise(
        "11-shape-expansion",
        "x is a vector of length 4 and z a scalar. What is the shape of ∂ max(0, x + z)/∂z? Give a tuple.",
        "shape", (4, 1),
        hints=("The chain: ∂ max(0, u)/∂u is 4×4 (diagonal), ∂(x + z)/∂z is a 4×1 column.",
               "(4×4)(4×1): one row per output, one column for the single z."),
    ),
    exercise(
        "11-shape-relu",
        "W is a 2×3 matrix and x a vector of length 3. What is the shape of the Jacobian of max(0, W x) with "
        "respect to x? Give a tuple.",
        "shape", (2, 3),
        hints=("u = W x has 2 entries: ∂ max(0, u)/∂u is 2×2, ∂u/∂x is W, 2×3.",
               "(2×2)(2×3): the inner sizes meet."),
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
