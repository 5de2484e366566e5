"""Chapter 10's exercises: the loss of a neuron and training it (paper §6).  Prompts and hints are plain text.

All of them use one small data set, defined in the chapter's code cell before the exercises: four samples of
two inputs, one of them inactive at the starting weights (where the paper's uncorrected last line goes wrong).
"""
import numpy as np

from . import exercise

X = np.array([[1.0, 2.0], [2.0, -1.0], [-1.0, -3.0], [0.5, 1.0]])
Y = np.array([3.5, 1.0, 0.5, 2.0])
W, B = np.array([1.0, 0.5]), 0.25
Z = X @ W + B                                   # [2.25, 1.75, -2.25, 1.25]: sample 3 is inactive
E = np.where(Z > 0, Z - Y, 0.0)                 # the errors, 0 where inactive
E_ALL = Z - Y                                   # every sample's error: the case split outside the sum
N = len(Y)
GRAD_W, GRAD_B = 2 / N * E @ X, 2 / N * E.sum()
DATA = "the data set X, y and the neuron w, b of the code cell above the exercises"

EXERCISES = (
    exercise(
        "10-loss-value",
        f"With {DATA}, compute the mean-squared-error loss C = (1/N) Σᵢ (yᵢ − max(0, w·xᵢ + b))². Give a number.",
        "value", float(np.mean((Y - np.maximum(0, Z)) ** 2)), expect="scalar",
        hints=("Compute z = X @ w + b for all samples at once, then the activations np.maximum(0, z).",
               "The loss is the mean of the squared differences between the targets y and the activations."),
    ),
    exercise(
        "10-errors",
        f"With {DATA}, give the vector of error terms e (one per sample): eᵢ = w·xᵢ + b − yᵢ where the neuron is "
        "active for sample i, and 0 where it is not.",
        "value", E, expect="vector",
        hints=("z = X @ w + b; which samples have z > 0?",
               "The error is the output minus the target on the active samples: z − y there.",
               "np.where(z > 0, z - y, 0.0) does it for all samples at once."),
        slips={"case-outside-sum": E_ALL, "target-minus-output": -E},
    ),
    exercise(
        "10-loss-gradient-w",
        f"With {DATA}, compute the gradient ∂C/∂w (a row, as a numpy array of shape (2,)), using the per-sample "
        "case split of the corrected derivation. Write it with numpy yourself, not with mcdl.neuron.",
        "value", GRAD_W, expect="gradient",
        hints=("∂C/∂w = (2/N) Σᵢ eᵢ xᵢᵀ, where eᵢ is 0 for an inactive sample.",
               "With the vector e of the errors, Σᵢ eᵢ xᵢᵀ is one matrix–vector product: e @ X.",
               "Check it against finite differences: "
               "mcdl.gradient(lambda v: np.mean((y - np.maximum(0, X @ v + b))**2), w)."),
        slips={"case-outside-sum": 2 / N * E_ALL @ X, "target-minus-output": -GRAD_W},
    ),
    exercise(
        "10-loss-gradient-b",
        f"With {DATA}, compute ∂C/∂b. Give a number.",
        "value", float(GRAD_B), expect="scalar",
        hints=("∂C/∂b = (2/N) Σᵢ eᵢ: the same errors as for w, without the xᵢ.",
               "An inactive sample contributes 0."),
        slips={"case-outside-sum": float(2 / N * E_ALL.sum()), "target-minus-output": float(-GRAD_B)},
    ),
    exercise(
        "10-update",
        f"With {DATA}, take one step of gradient descent with learning rate η = 0.1. Give the new weights w "
        "(a numpy array of shape (2,), like w).",
        "value", W - 0.1 * GRAD_W, expect="vector",
        hints=("The update is w − η (∂C/∂w)ᵀ: against the gradient, scaled by η.",
               "In numpy both w and the gradient are 1-D arrays, so the transpose is invisible: w - 0.1 * grad."),
        slips={"uphill-step": W + 0.1 * GRAD_W},
    ),
    exercise(
        "10-stretch-folded",
        f"Stretch: fold the bias into the weights, ŵ = [w, b] and x̂ᵢ = [xᵢ, 1]. With {DATA}, compute the "
        "gradient of the loss with respect to ŵ (a numpy array of shape (3,)) from the folded neuron "
        "max(0, ŵ·x̂) alone.",
        "value", np.append(GRAD_W, GRAD_B), expect="gradient",
        hints=("X̂ is X with a column of ones appended: np.column_stack([X, np.ones(len(X))]).",
               "The folded neuron has no bias: z = X̂ ŵ, and ∂C/∂ŵ = (2/N) Σᵢ eᵢ x̂ᵢᵀ over the active samples.",
               "Its last entry is ∂C/∂b: the x̂ᵢ end in 1."),
        slips={"case-outside-sum": np.append(2 / N * E_ALL @ X, 2 / N * E_ALL.sum())},
    ),
)
