"""Chapter 05's exercises: element-wise operations (paper §4.2).  Prompts and hints are plain text."""
import numpy as np

from . import exercise

EXERCISES = (
    exercise(
        "05-subtract-x",
        "y = w − 3x with w and x in R⁴. Give the Jacobian ∂y/∂x as a numpy array.",
        "value", -3 * np.eye(4), expect="diagonal",
        hints=("Entry (i, j) is ∂(wᵢ − 3xᵢ)/∂xⱼ. For j ≠ i, yᵢ does not contain xⱼ at all.",
               "On the diagonal: ∂(wᵢ − 3xᵢ)/∂xᵢ = 0 − 3. Mind the sign and the factor.",
               "A 4×4 diagonal matrix: the identity times the number you found."),
    ),
    exercise(
        "05-multiply-w",
        "y = w ⊗ x (element-wise product) at w = (2, −1, 3), x = (0.5, 4, −2). Give ∂y/∂w as a numpy array.",
        "value", np.diag([0.5, 4.0, -2.0]), expect="diagonal",
        hints=("yᵢ = wᵢxᵢ reads only wᵢ and xᵢ, so ∂y/∂w is diagonal.",
               "∂(wᵢxᵢ)/∂wᵢ = xᵢ: xᵢ is a constant when you differentiate with respect to wᵢ.",
               "So ∂y/∂w = diag(x) — the *other* argument — as a 3×3 matrix: np.diag(x)."),
        slips={"diag(w)-for-d(w*x)/dw": np.diag([2.0, -1.0, 3.0])},
    ),
    exercise(
        "05-divide-x",
        "y = w ⊘ x (element-wise division) at w = (1, 2, 3), x = (2, −1, 4). Give ∂y/∂x as a numpy array.",
        "value", np.diag([-0.25, -2.0, -0.1875]), expect="diagonal",
        hints=("Write wᵢ/xᵢ as wᵢ·xᵢ⁻¹ and differentiate with respect to xᵢ (wᵢ is a constant).",
               "The power rule gives ∂(wᵢxᵢ⁻¹)/∂xᵢ = −wᵢ/xᵢ², not 1/xᵢ (that is ∂/∂wᵢ).",
               "Evaluate −wᵢ/xᵢ² for each i and put the three numbers on a diagonal: np.diag(-w / x**2)."),
        slips={"diag(1/x)-for-d(w/x)/dx": np.diag([0.5, -1.0, 0.25])},
    ),
    exercise(
        "05-general-w",
        "y = f(w) ⊗ g(x) with f(w) = w² and g(x) = sin(x), entry by entry: yᵢ = wᵢ²·sin(xᵢ). Write a Python "
        "function of (w, x) that returns ∂y/∂w as a numpy array (write it for vectors of any length n).",
        "function", lambda w, x: np.diag(2 * w * np.sin(x)),
        points=((np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])),
                (np.array([-0.5, 0.0, 1.5]), np.array([0.3, -1.2, 2.0])),
                (np.array([2.0, -3.0, 0.25]), np.array([1.0, 0.5, -2.5])),
                (np.array([0.7, -1.1, 2.4]), np.array([-2.0, 0.0, 1.3]))),
        variables=("w", "x"), expect="diagonal",
        hints=("yᵢ reads only wᵢ and xᵢ, so ∂y/∂w = diag(∂yᵢ/∂wᵢ): the off-diagonal entries are 0.",
               "∂(wᵢ² sin xᵢ)/∂wᵢ = 2wᵢ·sin xᵢ: sin xᵢ is a constant factor here.",
               "Return np.diag(2 * w * np.sin(x)): a matrix, for whatever length w has."),
        slips={"other-partial": lambda w, x: np.diag(w**2 * np.cos(x))},
        formulas="2*w*sin(x)",
    ),
    exercise(
        "05-shifted-x",
        "yᵢ = wᵢ·xᵢ₊₁ for i = 1, 2, 3, where x₄ means x₁ (the indices wrap around). This breaks the element-wise "
        "diagonal condition. Give ∂y/∂x at w = (1, 2, 3), x = (4, 5, 6) as a numpy array.",
        "value", np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [3.0, 0.0, 0.0]]), expect="jacobian",
        hints=("Row i is the gradient of yᵢ = wᵢxᵢ₊₁ with respect to x: which xⱼ does yᵢ read?",
               "y₁ = w₁x₂ reads only x₂, so row 1 has w₁ in column 2; y₃ = w₃x₁ has w₃ in column 1.",
               "The entries w₁, w₂, w₃ sit one step right of the diagonal (wrapping to column 1 in the last row); "
               "the diagonal itself is 0."),
    ),
    exercise(
        "05-stretch-square",
        "Stretch: derive the general rule. y = x ⊗ x, entry by entry yᵢ = xᵢ·xᵢ: both factors are the same "
        "vector, so both move when x moves. Write a Python function of x that returns ∂y/∂x as a numpy array, "
        "for vectors of any length n.",
        "function", lambda x: np.diag(2 * np.asarray(x, dtype=float)),
        points=(np.array([1.0, -2.0, 0.5]), np.array([0.3, -1.5, 2.0, 4.0]), np.array([-0.75, 2.5]),
                np.array([2.0, 0.0, -3.0, 1.25, -0.4])),
        expect="diagonal",
        hints=("yᵢ = xᵢ·xᵢ still reads only xᵢ, so the element-wise diagonal condition holds: ∂y/∂x is diagonal.",
               "Unlike w ⊗ x, neither factor is frozen here: the product rule gives xᵢ·1 + 1·xᵢ. Taking "
               "diag(x), the rule for one factor alone, gives only half of it.",
               "The diagonal entries are 2xᵢ: return np.diag(2 * x), an n×n matrix."),
        formulas="2*x",
    ),
)
