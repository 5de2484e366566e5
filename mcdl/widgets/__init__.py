"""The explorers: each a pure state function (tested without a browser) plus a thin view on ``base.Explorer``.

``EXPLORERS`` is the one table of them.  ``mcdl``'s exports, the contract tests, ``tools/bench.py`` and the
browser tests all read it, so adding an explorer is one module plus one row here.  Importing this package
loads no ipywidgets: a row names its module, and the module is imported when the explorer is used.
"""
from __future__ import annotations

from importlib import import_module


class ExplorerEntry:
    """One explorer: where it lives, how it is found on a page, what a learner can move.

    ``controls``: the names of its controls (each control has the CSS class ``mcdl-control-<name>``; a slider
    or menu is driven over its range, a text box only with the values in ``moves``);
    ``moves``: (control, value) pairs a test or the bench moves in turn — plain moves first;
    ``example``: (args, kwargs) of a typical call (a chapter's own); ``chapter``: the notebook that shows it;
    ``signature``: the :data:`mcdl.functions.SIGNATURES` key of the learner's function it takes, passed as the
    keyword ``takes`` (None: it takes no function).
    """

    __slots__ = ("factory", "module", "cls", "css", "state", "controls", "moves", "example", "chapter",
                 "signature", "takes")

    def __init__(self, factory, module, cls, css, state, controls, moves, example, chapter, signature=None,
                 takes="f"):
        self.factory, self.module, self.cls, self.css, self.state = factory, module, cls, css, state
        self.controls, self.moves, self.example, self.chapter = tuple(controls), tuple(moves), example, chapter
        self.signature, self.takes = signature, takes

    def __repr__(self) -> str:
        return f"ExplorerEntry({self.factory!r}, module={self.module!r}, chapter={self.chapter!r})"

    def load(self):
        """The factory function (imports the widget module)."""
        return getattr(import_module(f"mcdl.widgets.{self.module}"), self.factory)

    def state_function(self):
        return getattr(import_module(f"mcdl.widgets.{self.module}"), self.state)

    def build(self, *args, **kwargs):
        """The explorer of the example call, or of the given arguments."""
        if not args and not kwargs:
            args, kwargs = self.example
        return self.load()(*args, **kwargs)


def _cubic(x):
    return x ** 3 - 2 * x


def _plane(v):
    return [v[0] ** 2 - v[1], v[0] * v[1]]


_E = ExplorerEntry
EXPLORERS = {e.factory: e for e in (
    _E("tangent_explorer", "tangent", "TangentExplorer", "mcdl-tangent", "tangent_state",
       ("x", "h"), (("x", 2.0), ("h", 0.1)), (("x**3 - 2*x",), {}), "01_scalar_derivative_rules",
       "scalar"),
    _E("slice_explorer", "partials", "SliceExplorer", "mcdl-slices", "slice_state",
       ("x0", "y0"), (("x0", -1.5), ("y0", 0.5)), (("3*x**2*y",), {}), "02_partial_derivatives",
       "surface"),
    _E("gradient_explorer", "gradient_field", "GradientExplorer", "mcdl-gradient", "gradient_state",
       ("x0", "y0", "theta"), (("x0", -1.5), ("y0", 0.5), ("theta", 120)), (("3*x**2*y",), {}), "03_gradients",
       "surface"),
    _E("shape_explorer", "jacobian_map", "ShapeExplorer", "mcdl-shape-explorer", "shape_state",
       ("m", "n"), (("m", 3), ("n", 1)), ((2, 3), {}), "04_jacobians"),
    _E("jacobian_map", "jacobian_map", "JacobianMap", "mcdl-jacobian-map", "jacobian_map_state",
       ("x1", "x2", "r"), (("x1", -0.5), ("x2", 1.2), ("r", 0.2)), ((_plane,), {}), "04_jacobians", "plane-map"),
    _E("elementwise_explorer", "elementwise", "ElementwiseExplorer", "mcdl-elementwise", "elementwise_state",
       ("op", "n", "w1", "w2", "w3", "w4", "x1", "x2", "x3", "x4"),
       (("w2", -2.5), ("x1", 0.5), ("op", "/"), ("n", 4)), ((), {}), "05_elementwise_operations", "binary"),
    _E("expansion_explorer", "expansion", "ExpansionExplorer", "mcdl-expansion", "expansion_state",
       ("op", "n", "x1", "x2", "x3", "x4", "x5", "z"), (("z", -1.5), ("x1", 2.5), ("op", "+"), ("n", 5)),
       (("*",), {}), "06_scalar_expansion", "expansion", "op"),
    _E("sum_explorer", "reduction", "SumExplorer", "mcdl-sum", "sum_state",
       ("case", "n", "x1", "x2", "x3", "x4", "x5", "w1", "w2", "w3", "w4", "w5", "z"),
       (("x1", -2.0), ("x3", 0.5), ("case", "dot-product"), ("w1", 1.5), ("n", 5)), ((), {"case": "cyclic"}),
       "07_sum_reduction", "vector"),
    _E("chain_explorer", "chain", "ChainExplorer", "mcdl-chain", "chain_state",
       ("text", "step"), (("step", 3), ("text", "x + x**2"), ("step", 4)), (("exp(sin(x)**2)",), {}),
       "08_chain_rules"),
    _E("total_change_explorer", "chain", "TotalChangeExplorer", "mcdl-total-change", "total_change_state",
       ("x", "dx"), (("dx", 0.5), ("x", -0.5)), ((), {}), "08_chain_rules"),
    _E("neuron_explorer", "neuron", "NeuronExplorer", "mcdl-neuron", "neuron_state",
       ("w1", "w2", "b", "x1", "x2"), (("b", -1.0), ("x1", -1.5), ("w2", 1.5), ("b", 0.0), ("x2", 0.0)),
       ((), {}), "09_neuron_gradient"),
    _E("trainer_explorer", "trainer", "TrainerExplorer", "mcdl-trainer", "trainer_state",
       ("lr", "epochs", "batch", "b0"), (("b0", -4.0), ("b0", 0.5), ("lr", 3.0), ("lr", 0.1), ("batch", 8),
                                         ("epochs", 50)),
       ((), {}), "10_training"),
)}


def explorer(name: str) -> ExplorerEntry:
    """The registry row of an explorer, by its factory name (a clear KeyError otherwise)."""
    try:
        return EXPLORERS[name]
    except KeyError:
        raise KeyError(f"no explorer {name!r}; the explorers are {', '.join(sorted(EXPLORERS))}") from None
