"""Chapter 09's exercises: the gradient of the neuron's activation (paper §5).  Prompts and hints are plain text."""
import numpy as np

from . import exercise

EXERCISES = (
    exercise(
        "09-dot-gradient-x",
        "y = w·x + 3·sum(x) with the weights w = [2, -1, 0.5]. Give the gradient ∂y/∂x (the paper's row vector) "
        "as a numpy array.",
        "value", np.array([5.0, 2.0, 3.5]), expect="gradient",
        hints=("The derivative of a sum is the sum of the derivatives: take ∂(w·x)/∂x and ∂(3·sum(x))/∂x apart.",
               "∂(w·x)/∂x = 1ᵀ diag(w) = wᵀ, and ∂ sum(x)/∂x = 1ᵀ (chapter 07).",
               "wᵀ + 3·1ᵀ: add 3 to every entry of w."),
    ),
    exercise(
        "09-relu-derivative",
        "Write a Python function relu_slope(z) for the derivative of max(0, z), with the paper's convention at "
        "the kink. It should work for a number and for a numpy array of numbers.",
        "function", lambda z: (np.asarray(z) > 0) * 1.0,
        points=(-2.0, -0.5, 0.0, 0.7, 3.0),
        variables=("z",),
        hints=("For z < 0, max(0, z) is the constant 0; for z > 0 it is z itself.",
               "At z = 0 exactly the paper takes the derivative to be 0.",
               "A comparison of a numpy array gives True/False entries; multiply by 1.0 to get numbers."),
        slips={"one-at-the-kink": lambda z: (np.asarray(z) >= 0) * 1.0},
        formulas=("(z > 0)*1.0",),
    ),
    exercise(
        "09-relu-jacobian",
        "The broadcast ReLU y = max(0, x) at x = [1.5, -0.5, 2.0, -3.0]. Give its Jacobian ∂y/∂x as a numpy "
        "array, in numerator layout.",
        "value", np.diag([1.0, 0.0, 1.0, 0.0]), expect="diagonal",
        hints=("yᵢ = max(0, xᵢ) reads only xᵢ: the element-wise diagonal condition of chapter 05.",
               "So ∂y/∂x is diagonal, and entry i of the diagonal is the slope of max(0, ·) at xᵢ.",
               "The paper prints a vector of 0s and 1s here; the Jacobian is that vector on a diagonal: np.diag."),
    ),
    exercise(
        "09-activation-gradient",
        "The neuron max(0, w·x + b) with w = [0.5, -1.0, 2.0], b = -1.5 and x = [1.0, 2.0, 0.5]. Give "
        "∂activation/∂w as a numpy array (a gradient, the paper's row).",
        "value", np.zeros(3), expect="gradient",
        hints=("Compute z = w·x + b first: which branch of max(0, z) is in use?",
               "∂activation/∂w = (slope of max at z) · ∂z/∂w, and ∂z/∂w = xᵀ.",
               "Here z ≤ 0, so the slope is 0 and the whole gradient is 0ᵀ."),
        slips={"relu-switch-ignored": np.array([1.0, 2.0, 0.5])},
    ),
    exercise(
        "09-batch-jacobian",
        "Three samples, one per row: X = [[2, 1], [0, 1.5], [1, -1]], and the neuron w = [1, -1], b = 0.5. "
        "The activations of the batch form a vector a with aᵢ = max(0, w·xᵢ + b). Give the Jacobian ∂a/∂w "
        "(numerator layout) as a numpy array.",
        "value", np.array([[2.0, 1.0], [0.0, 0.0], [1.0, -1.0]]), expect="jacobian",
        hints=("One row per output aᵢ, one column per weight: the shape is (3, 2).",
               "Row i is sample i's own gradient: xᵢᵀ where w·xᵢ + b > 0, and 0ᵀ where it is not.",
               "z = X w + b = [1.5, -1.0, 2.5]."),
        slips={"relu-switch-ignored": np.array([[2.0, 1.0], [0.0, 1.5], [1.0, -1.0]])},
    ),
    exercise(
        "09-stretch-leaky",
        "Stretch: the leaky ReLU max(0.1z, z) keeps a small slope for z < 0. For the neuron max(0.1z, z) with "
        "z = w·x + b, w = [1, 2], b = -3 and x = [0.5, 0.5], give ∂activation/∂w as a numpy array.",
        "value", np.array([0.05, 0.05]), expect="gradient",
        hints=("z = w·x + b = -1.5: which piece of max(0.1z, z) is the larger one there?",
               "For z < 0, max(0.1z, z) = 0.1z, whose slope is 0.1.",
               "The chain rule through z: 0.1 · xᵀ."),
        slips={"relu-switch-ignored": np.array([0.5, 0.5])},
    ),
)
