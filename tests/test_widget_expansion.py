"""Headless tests of chapter 06's scalar-expansion explorer (paper §4.3, example 15).

The pure state function is checked against the analytic derivatives (I, 1; Iz, x) and against
mcdl.elementwise; the view is driven across every control's whole range with warnings as errors.
"""
import base64
import math
import warnings

import numpy as np
import pytest

import mcdl
from mcdl.elementwise import ADD_SCALAR, MULTIPLY_SCALAR
from mcdl.shapes import ShapeError
from mcdl.widgets.expansion import MAX_N, as_expansion, expansion_explorer, expansion_state


def clean(text):
    low = text.lower()
    return "nan" not in low and "inf" not in low


# --- the state: paper example 15 ----------------------------------------------------------------------
@pytest.mark.parametrize("x, z", [([1.0, 2.0, 3.0], 2.0), ([-0.5, 0.0, 4.0, 1e-3], -1.5), ([2.5], 0.3),
                                  (np.linspace(-2, 2, 5), 0.0)])
def test_paper_example_15_x_plus_z(x, z):
    """∂(x + z)/∂x = I (n×n) and ∂(x + z)/∂z = 1, an n×1 column."""
    s = expansion_state("+", x, z)
    n = len(x)
    np.testing.assert_allclose(s["y"], np.asarray(x) + z)
    np.testing.assert_allclose(s["J_x"], np.eye(n), atol=1e-8)
    np.testing.assert_allclose(s["J_z"], np.ones((n, 1)), atol=1e-8)
    assert s["J_x"].shape == (n, n) and s["J_z"].shape == (n, 1)
    np.testing.assert_array_equal(s["J_x_exact"], np.eye(n))
    np.testing.assert_array_equal(s["J_z_exact"], np.ones((n, 1)))
    assert s["names"] == ("I", "1") and s["diagonal"] and s["error"] < 1e-7


@pytest.mark.parametrize("x, z", [([1.0, 2.0, 3.0], 2.0), ([-0.5, 0.0, 4.0, 1e-3], -1.5), ([2.5], 0.3),
                                  (np.linspace(-2, 2, 5), 0.0)])
def test_paper_example_15_x_times_z(x, z):
    """∂(x z)/∂x = Iz (z on the diagonal, not x) and ∂(x z)/∂z = x, an n×1 column."""
    s = expansion_state("*", x, z)
    n = len(x)
    x = np.asarray(x, dtype=float)
    np.testing.assert_allclose(s["y"], x * z)
    np.testing.assert_allclose(s["J_x"], np.eye(n) * z, atol=1e-8)
    np.testing.assert_allclose(s["J_z"], x[:, None], atol=1e-8)
    np.testing.assert_allclose(s["J_x_exact"], np.eye(n) * z)
    np.testing.assert_allclose(s["J_z_exact"], x[:, None])
    assert s["names"] == ("Iz", "x") and s["diagonal"] and s["error"] < 1e-7


def test_state_agrees_with_mcdl_elementwise_and_mcdl_jacobian():
    rng = np.random.default_rng(0)
    for _ in range(5):
        n = int(rng.integers(1, 6))
        x, z = rng.normal(size=n), float(rng.normal())
        for op, exact in (("+", ADD_SCALAR), ("⊗", MULTIPLY_SCALAR)):
            s = expansion_state(op, x, z)
            np.testing.assert_allclose(s["J_x"], exact.jacobian_x(x, z), atol=1e-8)
            np.testing.assert_allclose(s["J_z"], exact.jacobian_z(x, z), atol=1e-8)
            np.testing.assert_allclose(s["J_z"], mcdl.jacobian(lambda t: exact(x, t), z), atol=1e-8)
            np.testing.assert_allclose(s["ones_z"], np.full(n, z))


def test_captions_name_the_derivatives_and_their_shapes():
    s = expansion_state("⊗", [1.0, 2.0, 3.0], 2.0)
    assert s["caption"] == ("op = ⊗,  z = 2.00,  y = [2.00, 4.00, 6.00],  ∂y/∂x = Iz (3×3),  "
                            "∂y/∂z = x (3×1 column)")
    s = expansion_state("+", [1.0, -2.0], 0.5)
    assert s["caption"] == "op = +,  z = 0.50,  y = [1.50, -1.50],  ∂y/∂x = I (2×2),  ∂y/∂z = 1 (2×1 column)"
    assert expansion_state("-", [1.0], 1.0)["caption"].endswith("∂y/∂x = I (1×1),  ∂y/∂z = −1 (1×1 column)")
    s = expansion_state("/", [1.0, 2.0], 2.0)
    np.testing.assert_allclose(s["J_z"], [[-0.25], [-0.5]], rtol=1e-7)        # −x / z²
    assert "∂y/∂x = I/z (2×2),  ∂y/∂z = −x/z² (2×1 column)" in s["caption"]


def test_division_by_zero_is_reported_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = expansion_state("⊘", [1.0, 2.0], 0.0)
    assert s["caption"] == "op = ⊘,  z = 0.00,  y = x ⊘ 1z is undefined: it divides by z = 0"
    assert not s["defined"] and clean(s["caption"])


def test_no_minus_zero_in_captions():
    s = expansion_state("*", [-1.0, 0.0], 0.0)
    assert "-0.00" not in s["caption"]


# --- a learner's own y(x, z) ----------------------------------------------------------------------------
@pytest.mark.parametrize("y", [lambda x, z: np.sin(x) * z, "sin(x)*z"], ids=["function", "text"])
def test_learner_function_elementwise(y):
    x, z = np.array([0.5, 1.0, -2.0]), 1.5
    s = expansion_state(y, x, z)
    np.testing.assert_allclose(s["y"], np.sin(x) * z)
    np.testing.assert_allclose(s["J_x"], np.diag(np.cos(x) * z), atol=1e-8)
    np.testing.assert_allclose(s["J_z"], np.sin(x)[:, None], atol=1e-8)
    assert s["diagonal"] and s["J_x_exact"] is None and math.isnan(s["error"])
    assert "∂y/∂x = diag(1.32, 0.81, -0.62) (3×3)" in s["caption"]
    assert "∂y/∂z = [0.48, 0.84, -0.91] (3×1 column)" in s["caption"]


def test_learner_function_that_mixes_entries_is_not_diagonal():
    s = expansion_state(lambda x, z: x * np.sum(x) * z, [1.0, 2.0], 1.0)
    assert not s["diagonal"] and "∂y/∂x is not diagonal (2×2)" in s["caption"]
    np.testing.assert_allclose(s["J_x"], [[4.0, 1.0], [2.0, 5.0]], atol=1e-7)


def test_learner_function_outside_its_domain_is_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = expansion_state("log(x)*z", [-1.0, 2.0], 2.0)
        assert not s["defined"] and "y is not defined at this x and z" in s["caption"] and clean(s["caption"])
        s = expansion_state("sqrt(x)*z", [0.0, 2.0], 2.0)         # defined, but not differentiable at 0
    assert s["defined"] and "∂y/∂x is undefined here (2×2)" in s["caption"] and clean(s["caption"])


def test_a_scalar_valued_function_is_refused_clearly():
    with pytest.raises(ShapeError, match=r"same length as x, shape \(3,\).*chapter 07"):
        expansion_state(lambda x, z: np.sum(x * z), [1.0, 2.0, 3.0], 2.0)


@pytest.mark.parametrize("op, error, match", [
    (3.0, TypeError, "op"),
    (lambda x: x, TypeError, "two arguments"),
    (lambda x, y, z: x, TypeError, "two arguments"),
    ("x + w", ValueError, "w"),
    (lambda x, z: x[7] * z, TypeError, "IndexError"),
])
def test_bad_ops_are_refused_clearly(op, error, match):
    with pytest.raises(error, match=match):
        expansion_state(op, [1.0, 2.0, 3.0], 2.0)
    with pytest.raises(error, match=match):
        expansion_explorer(op)


def test_bad_x_and_z_are_refused_clearly():
    with pytest.raises(ShapeError, match=r"z is the scalar.*\(2,\)"):
        expansion_state("+", [1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ShapeError, match=r"x should be a vector of shape \(n,\).*ravel"):
        expansion_state("+", np.ones((3, 1)), 1.0)
    with pytest.raises(TypeError, match="x must be"):
        expansion_state("+", "1, 2", 1.0)
    with pytest.raises(ShapeError, match="up to 5"):
        expansion_explorer("+", x=np.ones(6))


def test_as_expansion_accepts_every_spelling():
    for spelling in ("*", "⊗", "multiply", MULTIPLY_SCALAR, mcdl.elementwise.MULTIPLY):
        assert as_expansion(spelling).symbol == "⊗"
    for spelling in ("+", "add", ADD_SCALAR):
        assert as_expansion(spelling).symbol == "+"


# --- the view ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["+", lambda x, z: np.sqrt(x) * z, "log(x) + z", "exp(x*z)"],
                         ids=["operators-then-divide", "sqrt", "log", "exp"])
def test_view_every_control_position_is_clean(op):
    w = expansion_explorer(op)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in range(w.n_slider.min, w.n_slider.max + 1):
            w.n_slider.value = n
            assert w.caption.value and clean(w.caption.value)
        for label in w.op_buttons.options:
            w.op_buttons.value = label
            assert w.caption.value and clean(w.caption.value)
        w.op_buttons.value = w.op_buttons.options[-1]
        for z in np.linspace(w.z_slider.min, w.z_slider.max, 13):
            w.z_slider.value = float(z)
            assert f"z = {w.z_slider.value:.2f}" in w.caption.value and clean(w.caption.value)
        for slider in w.x_sliders:
            for v in np.linspace(slider.min, slider.max, 7):
                slider.value = float(v)
                assert clean(w.caption.value)


def test_view_moves_the_cells_and_heatmaps():
    w = expansion_explorer("*", x=(1.0, 2.0, 3.0), z=2.0)
    assert w.caption.value == ("op = ⊗,  z = 2.00,  y = [2.00, 4.00, 6.00],  ∂y/∂x = Iz (3×3),  "
                               "∂y/∂z = x (3×1 column)")
    colours = w.squares.get_facecolors().copy()
    w.z_slider.value = -1.0
    assert [t.get_text() for _, t in w.ones_cells] == ["−1"] * 3            # z copied into every cell of 1z
    assert w.z_cell[1].get_text() == "−1"
    assert [t.get_text() for _, t in w.y_cells] == ["−1", "−2", "−3"]
    assert not np.allclose(colours, w.squares.get_facecolors())
    np.testing.assert_allclose(w.jx_map.values, -np.eye(3))                  # Iz: z on the diagonal
    w.x_sliders[1].value = 0.5
    np.testing.assert_allclose(w.jz_map.values, [[1.0], [0.5], [3.0]])      # ∂y/∂z = x, a column
    assert w.jz_map.values.shape == (3, 1)


def test_view_n_and_op_change_the_shapes_and_titles():
    w = expansion_explorer("+", x=(1.0, 2.0, 3.0), z=2.0)
    w.n_slider.value = 5
    assert w.jx_map.shape == (5, 5) and w.jz_map.shape == (5, 1)
    assert [s.layout.display for s in w.x_sliders] == [None] * 5
    assert "5×5 diagonal" in w.jx_ax.get_title(loc="left") and "5×1 column" in w.jz_ax.get_title()
    assert w.caption.value.endswith("∂y/∂x = I (5×5),  ∂y/∂z = 1 (5×1 column)")
    w.n_slider.value = 2
    assert [s.layout.display for s in w.x_sliders] == [None, None, "none", "none", "none"]
    caption = w.caption.value
    w.x_sliders[4].value = -2.0                       # a hidden entry changes nothing shown
    assert w.caption.value == caption
    w.op_buttons.value = "⊗"
    assert "∂y/∂x = Iz" in w.jx_ax.get_title(loc="left") and "∂y/∂z = x" in w.jz_ax.get_title()
    assert len(w.y_cells) == 2


def test_view_offers_a_learner_function_beside_the_operators():
    w = expansion_explorer("sin(x)*z")
    assert list(w.op_buttons.options) == ["+", "−", "⊗", "⊘", "y(x, z) = sin(x)*z"]
    assert w.caption.value.startswith("y(x, z) = sin(x)*z,  z = 2.00")
    w.op_buttons.value = "+"
    assert w.caption.value.startswith("op = +,")


def test_view_colour_limits_are_fixed_while_sliders_move():
    w = expansion_explorer("*")
    scale = (w.vmax_values, w.vmax_slopes)
    for z in (-3.0, 0.0, 3.0):
        w.z_slider.value = z
    assert (w.vmax_values, w.vmax_slopes) == scale


def test_view_has_the_classes_the_browser_tests_use_and_a_png_fallback():
    w = expansion_explorer()
    assert "mcdl-expansion" in w._dom_classes and "mcdl-caption" in w.caption._dom_classes
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == w.caption.value
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_public_name_loads_lazily_from_mcdl():
    assert mcdl.expansion_explorer is expansion_explorer
