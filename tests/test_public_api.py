"""The public face of mcdl: every exported name resolves, and every explorer of the registry keeps the contract.

The contract (README "Architecture"): built without warnings; a caption Label with the class ``mcdl-caption``
that the browser tests wait on; its registry CSS class; every named control carrying ``mcdl-control-<name>``
and moving over its whole range without a warning or a NaN; a notebook output that carries, next to the live
view, a PNG of the initial state and the caption as text; and the learner's two kinds of trouble handled the
same way everywhere: undefined points say "not defined", a bug in their code is one clear message.
"""
import base64
import math
import warnings

import numpy as np
import pytest

import mcdl
from mcdl.functions import FunctionError
from mcdl.widgets import EXPLORERS
from mcdl.widgets.base import MISTAKE_PREFIX, Explorer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Per signature: a function that is undefined somewhere in the default window (math raises there), and one
# with a bug that shows only away from the start (a TypeError once the first argument passes 1.5).
UNDEFINED = {
    "scalar": lambda x: math.log(x),
    "surface": lambda x, y: math.log(x) * y,
    "plane-map": lambda v: [math.log(v[0]), v[1]],
    "binary": lambda w, x: np.array([math.log(wi) for wi in w]) * x,
    "expansion": lambda x, z: np.array([math.log(xi) for xi in x]) * z,
    "vector": lambda x: np.array([math.log(xi) for xi in x]),
}


def _first(args):
    v = np.ravel(args[0])
    return float(v[0])


def _buggy(signature):
    def f(*args):
        if _first(args) > 1.5:
            return "oops" + 1
        return UNDEFINED_FREE[signature](*args)
    return f


UNDEFINED_FREE = {
    "scalar": lambda x: x * x,
    "surface": lambda x, y: x * y,
    "plane-map": lambda v: [v[0] * v[1], v[0] - v[1]],
    "binary": lambda w, x: w * x,
    "expansion": lambda x, z: x * z,
    "vector": lambda x: x * x,
}


@pytest.mark.parametrize("name", mcdl.__all__)
def test_every_exported_name_resolves(name):
    assert getattr(mcdl, name) is not None


def test_dir_lists_the_exports_and_unknown_names_fail_clearly():
    assert set(mcdl.__all__) <= set(dir(mcdl))
    with pytest.raises(AttributeError, match="no attribute 'jacobain'"):
        mcdl.jacobain


def test_every_explorer_of_the_registry_is_exported_and_nothing_else_looks_like_one():
    exported = {name for name in mcdl.__all__ if name.endswith(("_explorer", "_map"))}
    assert exported == set(EXPLORERS)
    for name, entry in EXPLORERS.items():
        assert getattr(mcdl, name) is entry.load()
        assert callable(entry.state_function())


@pytest.mark.view
@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_explorer_keeps_the_widget_contract(name):
    entry = EXPLORERS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        widget = entry.build()
    assert isinstance(widget, Explorer) and type(widget).__name__ == entry.cls
    assert entry.css in widget._dom_classes
    assert "mcdl-caption" in widget.caption._dom_classes and widget.caption.value.strip()
    assert "nan" not in widget.caption.value.lower()
    bundle = widget._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and bundle["text/plain"] == widget.caption.value
    if widget.live is not None:
        assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "text/html" in bundle                     # the shape explorer's picture is HTML, not a figure


@pytest.mark.view
@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_every_named_control_moves_over_its_range_cleanly(name):
    entry = EXPLORERS[name]
    widget = entry.build()
    assert tuple(widget.controls) == entry.controls
    for control_name, control in widget.controls.items():
        assert f"mcdl-control-{control_name}" in control._dom_classes
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for control_name, value in entry.moves:
            widget.controls[control_name].value = value
            assert "nan" not in widget.caption.value.lower() and not widget.caption.value.startswith(MISTAKE_PREFIX)
        for control_name, control in widget.controls.items():
            if not widget.active(control_name) or isinstance(control.value, str):
                continue                                 # (a text box: its values are the registry's moves)
            ends = list(getattr(control, "options", None) or [])
            values = ([o[1] if isinstance(o, tuple) else o for o in ends] if ends else
                      [control.min, control.max, control.min + (control.max - control.min) / 3])
            for value in values:
                control.value = value
                assert "nan" not in widget.caption.value.lower(), (control_name, value, widget.caption.value)


@pytest.mark.view
@pytest.mark.parametrize("name", sorted(n for n in EXPLORERS if EXPLORERS[n].signature))
def test_the_learner_s_trouble_is_handled_the_same_way_everywhere(name):
    entry = EXPLORERS[name]
    sig = entry.signature
    with pytest.raises(FunctionError, match=r"raised TypeError at .*It should be"):
        entry.build(**{entry.takes: lambda *args: "oops" + 1})
    widget = entry.build(**{entry.takes: _buggy(sig)})      # fine at the start, a TypeError further on
    first = next(c for c in entry.controls if c.startswith(("x", "w")) and widget.active(c))
    widget.controls[first].value = widget.controls[first].max
    assert widget.caption.value.startswith(MISTAKE_PREFIX + "your f raised TypeError at ")
    assert widget.current is None
    widget.controls[first].value = 1.0
    assert not widget.caption.value.startswith(MISTAKE_PREFIX) and widget.current is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        widget = entry.build(**{entry.takes: UNDEFINED[sig]})
        widget.controls[first].value = widget.controls[first].min
    assert "not defined" in widget.caption.value


def test_identities_and_elementwise_exports_are_the_modules_functions():
    from mcdl import elementwise
    assert mcdl.diag is elementwise.diag and mcdl.sum_gradient is elementwise.sum_gradient
    np.testing.assert_array_equal(mcdl.expand(2.0, 3), [2.0, 2.0, 2.0])
    assert mcdl.identities.verify("dot-product", 0) < 1e-6


def test_numbers_as_text_are_fixed_precision_without_minus_zero_or_nan():
    from mcdl.text import number, vector
    assert number(-0.001) == "0.00" and number(2.5) == "2.50" and number(-1.234, ".1f") == "-1.2"
    assert number(float("nan")) == "–" and number(float("inf"), undefined="undefined") == "undefined"
    assert vector(np.array([[1.0, -0.004, np.nan]])) == "[1.00, 0.00, –]"
