"""The public face of mcdl: every exported name resolves, and every explorer keeps the widget contract.

The contract (DESIGN §4, README "Architecture"): built without warnings; a caption Label with the class
``mcdl-caption`` that the browser tests wait on; a CSS class of its own; a notebook output that carries, next to
the live view, a PNG of the initial state and the caption as text (for readers without a kernel).
"""
import base64
import warnings

import numpy as np
import pytest

import mcdl
from mcdl.widgets.base import Explorer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

EXPLORERS = {   # exported factory -> (a typical call, its CSS class)
    "tangent_explorer": (lambda: mcdl.tangent_explorer("x**3 - 2*x"), "mcdl-tangent"),
    "slice_explorer": (lambda: mcdl.slice_explorer("3*x**2*y"), "mcdl-slices"),
    "gradient_explorer": (lambda: mcdl.gradient_explorer("3*x**2*y"), "mcdl-gradient"),
    "shape_explorer": (lambda: mcdl.shape_explorer(2, 3), "mcdl-shape-explorer"),
    "jacobian_map": (lambda: mcdl.jacobian_map(lambda v: [v[0] ** 2 - v[1], v[0] * v[1]]), "mcdl-jacobian-map"),
    "elementwise_explorer": (lambda: mcdl.elementwise_explorer(), "mcdl-elementwise"),
    "expansion_explorer": (lambda: mcdl.expansion_explorer("*"), "mcdl-expansion"),
    "sum_explorer": (lambda: mcdl.sum_explorer(case="cyclic"), "mcdl-sum"),
}


@pytest.mark.parametrize("name", mcdl.__all__)
def test_every_exported_name_resolves(name):
    assert getattr(mcdl, name) is not None


def test_dir_lists_the_exports_and_unknown_names_fail_clearly():
    assert set(mcdl.__all__) <= set(dir(mcdl))
    with pytest.raises(AttributeError, match="no attribute 'jacobain'"):
        mcdl.jacobain


def test_every_exported_explorer_is_covered_here():
    exported = {name for name in mcdl.__all__ if name.endswith(("_explorer", "_map"))}
    assert exported == set(EXPLORERS)


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_explorer_keeps_the_widget_contract(name):
    build, css = EXPLORERS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        widget = build()
    assert isinstance(widget, Explorer)
    assert css in widget._dom_classes
    assert "mcdl-caption" in widget.caption._dom_classes and widget.caption.value.strip()
    assert "nan" not in widget.caption.value.lower()
    bundle = widget._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and bundle["text/plain"] == widget.caption.value
    if widget.live is not None:
        assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "text/html" in bundle                     # the shape explorer's picture is HTML, not a figure


def test_identities_and_elementwise_exports_are_the_modules_functions():
    from mcdl import elementwise
    assert mcdl.diag is elementwise.diag and mcdl.sum_gradient is elementwise.sum_gradient
    np.testing.assert_array_equal(mcdl.expand(2.0, 3), [2.0, 2.0, 2.0])
    assert mcdl.identities.verify("dot-product", 0) < 1e-6


def test_caption_numbers_are_fixed_precision_without_minus_zero_or_nan():
    from mcdl.widgets.base import caption_number, caption_vector
    assert caption_number(-0.001) == "0.00" and caption_number(2.5) == "2.50" and caption_number(-1.234, ".1f") == "-1.2"
    assert caption_number(float("nan")) == "–" and caption_number(float("inf"), undefined="undefined") == "undefined"
    assert caption_vector(np.array([[1.0, -0.004, np.nan]])) == "[1.00, 0.00, –]"
