"""mcdl — *The Matrix Calculus You Need For Deep Learning* (Parr & Howard), by doing.

The public face of the package: re-exports only.  Names load lazily, so ``import mcdl`` stays fast and
the widget/sympy machinery is imported the first time a chapter asks for it.
"""
from importlib import import_module as _import_module

__version__ = "0.1.0"

_EXPORTS = {
    # numeric.py — finite differences in numerator layout (paper §2–4)
    "derivative": "numeric", "partial": "numeric", "gradient": "numeric", "jacobian": "numeric",
    # shapes.py
    "ShapeError": "shapes",
    # symbolic.py — safe parsing of what a learner types, symbolic derivatives
    "parse_expression": "symbolic", "symbolic_derivative": "symbolic", "to_latex": "symbolic",
    "UnsafeExpressionError": "symbolic",
    # derivation.py — step-by-step derivations (paper §4.5.1's four steps)
    "Derivation": "derivation", "Step": "derivation", "chain_rule_steps": "derivation",
    "product_rule_steps": "derivation", "stepper": "widgets.stepper",
    # chain.py — the vector chain rule as a product of Jacobians (paper §4.5.3)
    "jacobian_product": "chain", "vector_chain_rule": "chain", "is_elementwise_chain": "chain",
    "VectorChain": "chain",
    # vector_derivation.py — the vector chain rule step by step for vector expressions (paper §4.5.3, §5–6)
    "vector_chain_rule_steps": "vector_derivation", "VectorDerivation": "vector_derivation",
    "vector_stepper": "widgets.stepper",
    # neuron.py — the paper's neuron, its loss, their gradients, training (paper §5–6)
    "affine": "neuron", "relu": "neuron", "activation": "neuron", "activation_gradients": "neuron",
    "mse_loss": "neuron", "loss_gradient": "neuron", "train": "neuron",
    # checker/ and exercises/ — exercise feedback
    "check": "checker", "Feedback": "checker", "hint": "checker", "Exercise": "exercises", "solution": "student",
    # grading.py — the graded cells nbgrader runs; tracking.py — what the learner has solved so far
    "grade": "grading", "progress": "tracking",
    # functions.py — the learner's function, accepted once
    "learner_function": "functions", "FunctionError": "functions",
    # elementwise.py — element-wise operators, scalar expansion, sum reduction (paper §4.2–4.4)
    "diag": "elementwise", "ones": "elementwise", "expand": "elementwise", "vector_sum": "elementwise",
    "sum_gradient": "elementwise", "dot": "elementwise",
}
# the explorers: every row of the one registry, mcdl.widgets.EXPLORERS
from .widgets import EXPLORERS as _EXPLORERS  # noqa: E402  (a table of names: loads no ipywidgets)

_EXPORTS.update({name: f"widgets.{entry.module}" for name, entry in _EXPLORERS.items()})

__all__ = sorted(_EXPORTS) + ["__version__"]


_SUBMODULES = {"numeric", "shapes", "symbolic", "derivation", "chain", "exercises", "plots", "student", "doctor", "widgets",
               "elementwise", "identities", "text", "functions", "checker",
               "vector_derivation", "neuron", "grading", "tracking"}


def __getattr__(name):
    if name in _SUBMODULES:                      # mcdl.numeric.step_sizes works after a bare `import mcdl`
        return _import_module(f"mcdl.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mcdl' has no attribute {name!r}")
    value = getattr(_import_module(f"mcdl.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
