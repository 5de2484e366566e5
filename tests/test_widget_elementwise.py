"""Headless tests of chapter 05's widget: the element-wise explorer (paper §4.2, example 14).

The pure state function is checked against the analytic diagonals of :mod:`mcdl.elementwise` (the paper's
example 14 at w = [1, 2, 3], x = [4, 5, 6]); the view is driven across every control's whole range with
warnings as errors.
"""
import base64
import warnings

import numpy as np
import pytest

import mcdl
from mcdl import elementwise as ew
from mcdl.shapes import ShapeError
from mcdl.widgets.elementwise import as_elementwise_op, colour_limits, elementwise_explorer, elementwise_state

W, X = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])          # paper example 14


def clean(text):
    low = text.lower()
    return "nan" not in low and "inf" not in low


def off_diagonal(J):
    return J[~np.eye(J.shape[0], dtype=bool)]


# --- the state: the paper's four operators ------------------------------------------------------------
@pytest.mark.parametrize("symbol", ["+", "−", "⊗", "⊘"])
def test_paper_example_14_numeric_jacobians_match_the_analytic_diagonals(symbol):
    op = ew.OPERATORS[symbol]
    s = elementwise_state(symbol, W, X)
    np.testing.assert_allclose(s["y"], op(W, X))
    np.testing.assert_allclose(s["J_w"], op.jacobian_w(W, X), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(s["J_x"], op.jacobian_x(W, X), rtol=1e-7, atol=1e-12)
    np.testing.assert_array_equal(s["analytic_w"], op.jacobian_w(W, X))
    np.testing.assert_array_equal(s["analytic_x"], op.jacobian_x(W, X))
    assert s["diagonal_w"] is True and s["diagonal_x"] is True
    assert s["off_w"] == 0.0 and s["off_x"] == 0.0
    assert np.all(off_diagonal(s["J_w"]) == 0) and np.all(off_diagonal(s["J_x"]) == 0)   # exact zeros: grey cells


def test_paper_example_14_divide_with_respect_to_x():
    s = elementwise_state("⊘", W, X)
    np.testing.assert_allclose(np.diag(s["J_x"]), [-0.0625, -0.08, -1 / 12], rtol=1e-7)     # diag(−wᵢ/xᵢ²)
    np.testing.assert_allclose(np.diag(s["J_w"]), [0.25, 0.2, 1 / 6], rtol=1e-7)            # diag(1/xᵢ)
    assert s["caption"] == ("op = ⊘,  w = [1.00, 2.00, 3.00],  x = [4.00, 5.00, 6.00],  y = [0.25, 0.40, 0.50],  "
                            "∂y/∂w diagonal: yes,  ∂y/∂x diagonal: yes")


@pytest.mark.parametrize("symbol, J_w, J_x", [
    ("+", np.eye(3), np.eye(3)),
    ("−", np.eye(3), -np.eye(3)),               # the minus sign: −I, not I
    ("⊗", np.diag(X), np.diag(W)),
])
def test_the_reference_table_of_section_8_2(symbol, J_w, J_x):
    s = elementwise_state(symbol, W, X)
    np.testing.assert_allclose(s["J_w"], J_w, atol=1e-12)
    np.testing.assert_allclose(s["J_x"], J_x, atol=1e-12)


def test_caption_of_the_multiply_example():
    s = elementwise_state("⊗", W, X)
    assert s["caption"] == ("op = ⊗,  w = [1.00, 2.00, 3.00],  x = [4.00, 5.00, 6.00],  y = [4.00, 10.00, 18.00],  "
                            "∂y/∂w diagonal: yes,  ∂y/∂x diagonal: yes")


@pytest.mark.parametrize("alias, key", [("*", "⊗"), ("/", "⊘"), ("-", "−"), ("add", "+"), (ew.MULTIPLY, "⊗"),
                                        ("shifted", "shifted ⊗")])
def test_operator_aliases(alias, key):
    assert as_elementwise_op(alias).key == key


def test_random_points_every_operator_and_length():
    rng = np.random.default_rng(0)
    for n in range(1, 6):
        for symbol, op in ew.OPERATORS.items():
            w, x = rng.uniform(-3, 3, n), rng.uniform(0.5, 3, n) * rng.choice([-1, 1], n)
            s = elementwise_state(symbol, w, x)
            np.testing.assert_allclose(s["J_w"], op.jacobian_w(w, x), rtol=1e-6, atol=1e-10)
            np.testing.assert_allclose(s["J_x"], op.jacobian_x(w, x), rtol=1e-6, atol=1e-10)
            assert s["diagonal_w"] and s["diagonal_x"] and s["n"] == n


# --- the counter-example ----------------------------------------------------------------------------------
def test_shifted_multiply_breaks_the_condition_for_w_only():
    s = elementwise_state("shifted ⊗", W, X)
    np.testing.assert_allclose(s["y"], [2 * 4, 3 * 5, 1 * 6])                  # yᵢ = wᵢ₊₁ xᵢ, cyclic
    expected_w = np.array([[0, 4, 0], [0, 0, 5], [6, 0, 0]], dtype=float)      # ∂yᵢ/∂wᵢ₊₁ = xᵢ
    np.testing.assert_allclose(s["J_w"], expected_w, atol=1e-12)
    np.testing.assert_allclose(s["J_x"], np.diag([2.0, 3.0, 1.0]), atol=1e-12)
    np.testing.assert_allclose(s["analytic_w"], expected_w)
    assert s["diagonal_w"] is False and s["diagonal_x"] is True
    assert s["off_w"] == pytest.approx(6.0)
    assert "∂y/∂w diagonal: no (largest off-diagonal |entry| = 6.00),  ∂y/∂x diagonal: yes" in s["caption"]


def test_shifted_multiply_with_one_entry_is_just_multiply():
    s = elementwise_state("shifted ⊗", [2.0], [3.0])
    assert s["diagonal_w"] and s["diagonal_x"]
    np.testing.assert_allclose(s["J_w"], [[3.0]])


# --- a learner's own function -------------------------------------------------------------------------------
def test_text_function_is_element_wise_with_symbolic_analytic_diagonals():
    s = elementwise_state("sin(w)*x", W, X)
    np.testing.assert_allclose(s["y"], np.sin(W) * X)
    np.testing.assert_allclose(s["J_w"], np.diag(np.cos(W) * X), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(s["J_x"], np.diag(np.sin(W)), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(s["analytic_w"], np.diag(np.cos(W) * X))
    assert s["op"] == "yours" and s["diagonal_w"] and s["diagonal_x"]


def test_general_case_f_of_w_times_g_of_x():
    s = elementwise_state(lambda w, x: np.sin(w) * np.exp(x), W, X * 0.1)
    np.testing.assert_allclose(s["J_w"], np.diag(np.cos(W) * np.exp(X * 0.1)), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(s["J_x"], np.diag(np.sin(W) * np.exp(X * 0.1)), rtol=1e-7, atol=1e-12)
    assert s["analytic_w"] is None                        # a Python function: only the numeric Jacobians


def test_a_python_function_that_mixes_entries_is_not_diagonal():
    s = elementwise_state(lambda w, x: w * np.sum(x), W, X)
    np.testing.assert_allclose(s["J_x"], np.outer(W, np.ones(3)), rtol=1e-7)
    assert s["diagonal_w"] and not s["diagonal_x"]
    assert s["off_x"] == pytest.approx(3.0)


def test_scalar_only_python_function_works():
    import math
    s = elementwise_state(lambda w, x: np.array([math.sin(a) * b for a, b in zip(w, x)]), W, X)
    np.testing.assert_allclose(s["J_w"], np.diag(np.cos(W) * X), rtol=1e-7, atol=1e-12)


# --- undefined entries: ⊘ with xᵢ = 0, a log outside its domain ---------------------------------------------
def test_divide_by_zero_shows_undefined_entries_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = elementwise_state("⊘", [1.0, 2.0, 3.0], [4.0, 0.0, 6.0])
    assert s["caption"] == ("op = ⊘,  w = [1.00, 2.00, 3.00],  x = [4.00, 0.00, 6.00],  y = [0.25, –, 0.50],  "
                            "∂y/∂w diagonal: yes,  ∂y/∂x diagonal: yes,  y₂ undefined (x₂ = 0: division by zero)")
    assert list(s["defined"]) == [True, False, True]
    assert np.isnan(s["J_w"][1]).all() and np.isnan(s["J_x"][1]).all() and np.isnan(s["analytic_x"][1]).all()
    np.testing.assert_allclose(s["J_x"][[0, 2]][:, [0, 2]], np.diag([-0.0625, -1 / 12]), rtol=1e-7)
    assert s["J_x"][0, 1] == 0 and s["J_x"][2, 1] == 0


def test_everything_undefined_is_still_a_sentence():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = elementwise_state("⊘", [0.0, 1.0], [0.0, 0.0])
    assert "y = [–, –]" in s["caption"] and "∂y/∂w diagonal: –" in s["caption"] and clean(s["caption"])
    assert "y₁, y₂ undefined (x₁ = 0, x₂ = 0: division by zero)" in s["caption"]


def test_learner_function_outside_its_domain():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = elementwise_state(lambda w, x: np.log(w) * x, [-1.0, 1.0], [2.0, 3.0])
        t = elementwise_state("sqrt(w) + x", [0.0, 1.0], [2.0, 3.0])       # defined at 0, not differentiable
    assert "y₁ undefined" in s["caption"] and clean(s["caption"])
    assert np.isnan(t["J_w"][0, 0]) and np.isfinite(t["J_w"][1, 1]) and clean(t["caption"])


# --- bad inputs -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op, error, match", [
    (3.0, TypeError, "function"),
    (lambda w: w, TypeError, "1 argument"),
    (lambda w, x, z: w, TypeError, "3 arguments"),
    (lambda w, x: np.sum(w * x), ShapeError, r"shape \(3,\).*a scalar"),
    (lambda w, x: np.outer(w, x), ShapeError, r"shape \(3, 3\)"),
    (lambda w, x: w[5] * x, TypeError, "IndexError"),
    ("sin(z)*x", ValueError, "unknown name 'z'"),
    ("__import__('os')", ValueError, "not allowed"),
    ([lambda w, x: w], TypeError, "one function"),
])
def test_bad_operations_are_refused_clearly(op, error, match):
    with pytest.raises(error, match=match):
        elementwise_state(op, W, X)


def test_bad_vectors_are_refused_clearly():
    with pytest.raises(ShapeError, match="same length"):
        elementwise_state("⊗", [1.0, 2.0], X)
    with pytest.raises(ShapeError, match=r"shape \(n,\)"):
        elementwise_state("⊗", [[1.0, 2.0, 3.0]], X)
    with pytest.raises(TypeError, match="text"):
        elementwise_state("⊗", "123", X)
    with pytest.raises(ShapeError, match="length 1 to 4"):
        elementwise_explorer(w=[1, 2, 3, 4, 5], x=[1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match="max_n"):
        elementwise_explorer(max_n=9)
    with pytest.raises(TypeError, match="1 argument"):
        elementwise_explorer(lambda w: w)


# --- the view -------------------------------------------------------------------------------------------------
def drive_everything(widget, ops=None):
    """Every operator; n through its whole range; at n = 1 and n = max every slider over its whole range
    (both ends, 0 and points between).  Returns the captions seen."""
    captions = []
    for op in ops or [value for _, value in widget.op_menu.options]:
        widget.op_menu.value = op
        for n in range(widget.n_slider.min, widget.n_slider.max + 1):
            widget.n_slider.value = n
            captions.append(widget.caption.value)
            assert len(widget.w_box.children) == n and len(widget.x_box.children) == n
            assert widget.heat_w.shape == (n, n) and widget.heat_x.shape == (n, n)
        for n in (widget.n_slider.min, widget.n_slider.max):
            widget.n_slider.value = n
            for slider in widget.w_sliders[:n] + widget.x_sliders[:n]:
                for v in list(np.arange(slider.min, slider.max + slider.step / 2, 3 * slider.step)) + [0.0]:
                    slider.value = float(v)
                    captions.append(widget.caption.value)
                slider.value = 1.5
    return captions


@pytest.mark.parametrize("f", [None, "sin(w)*x", lambda w, x: np.log(w) * x, lambda w, x: w * np.sum(x),
                               lambda w, x: np.sqrt(w) / x],
                         ids=["built-in", "text", "log", "mixing", "sqrt-over-x"])
def test_view_every_control_over_its_whole_range_is_clean(f):
    widget = elementwise_explorer(f)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        captions = drive_everything(widget, ops=None if f is None else ["yours"])
    assert all(clean(c) for c in captions)
    assert all(c.startswith("op = ") for c in captions)


def test_view_starts_at_the_paper_example_and_offers_every_operator():
    widget = elementwise_explorer()
    assert widget.caption.value == elementwise_state("⊗", W, X)["caption"]
    keys = [value for _, value in widget.op_menu.options]
    assert keys == ["+", "−", "⊗", "⊘", "shifted ⊗"]
    widget = elementwise_explorer("sin(w)*x")
    assert [value for _, value in widget.op_menu.options][-1] == "yours" and widget.op_menu.value == "yours"
    assert widget.caption.value.startswith("op = yours,")


def test_view_heatmaps_follow_the_sliders():
    widget = elementwise_explorer(op="⊗")
    widget.w_sliders[1].value = -2.5                               # ∂(w ⊗ x)/∂x = diag(w)
    assert widget.heat_x.values[1, 1] == pytest.approx(-2.5)
    assert widget.heat_x.texts[4].get_text() == "−2.5"
    assert widget.heat_x.texts[1].get_text() == "0"
    widget.op_menu.value = "shifted ⊗"
    assert widget.heat_w.values[0, 1] == pytest.approx(4.0)        # off the diagonal: ∂y₁/∂w₂ = x₁
    assert "∂y/∂w diagonal: no" in widget.caption.value
    widget.op_menu.value = "⊘"
    widget.x_sliders[2].value = 0.0
    assert [t.get_text() for t in widget.heat_w.texts[6:9]] == ["–", "–", "–"]
    assert "y₃ undefined (x₃ = 0: division by zero)" in widget.caption.value


def test_view_changing_n_keeps_the_values_and_rebuilds_the_grid():
    widget = elementwise_explorer(op="+")
    widget.w_sliders[0].value = -1.0
    widget.n_slider.value = 1
    assert widget.caption.value == ("op = +,  w = [-1.00],  x = [4.00],  y = [3.00],  ∂y/∂w diagonal: yes,  "
                                    "∂y/∂x diagonal: yes")
    widget.n_slider.value = 4
    assert widget.caption.value.startswith("op = +,  w = [-1.00, 2.00, 3.00, -2.00],  x = [4.00, 5.00, 6.00, 1.50]")
    assert [t.get_text() for t in widget.heat_w.ax.get_xticklabels()] == ["w₁", "w₂", "w₃", "w₄"]


def test_view_a_learner_function_that_only_fits_one_length_says_so():
    widget = elementwise_explorer(lambda w, x: np.array([w[0] * x[0], w[1] * x[1], w[2] * x[2]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        widget.n_slider.value = 2
        assert "n = 2" in widget.caption.value and "IndexError" in widget.caption.value
        widget.w_sliders[0].value = 2.0
        widget.n_slider.value = 4
        assert "shape (3,)" in widget.caption.value
    widget.n_slider.value = 3
    assert widget.caption.value.startswith("op = yours,  w = [2.00, 2.00, 3.00]")


def test_view_colour_limits_are_fixed_per_operator_and_suit_the_range():
    assert colour_limits("+") == (1.5, 1.5) and colour_limits("⊗") == (6.0, 6.0)
    widget = elementwise_explorer(op="⊘")
    vmax = widget.heat_w.vmax, widget.heat_x.vmax
    clim = widget.heat_x.image.get_clim()
    for v in np.arange(-6, 6.25, 0.5):
        widget.x_sliders[0].value = float(v)
    assert (widget.heat_w.vmax, widget.heat_x.vmax) == vmax and widget.heat_x.image.get_clim() == clim
    assert clim == (-vmax[1], vmax[1])


def test_view_blitted_slider_moves_match_a_full_draw_and_touch_one_heatmap():
    widget = elementwise_explorer(op="shifted ⊗")
    widget.live.redraw()
    for v in (2.5, -1.0, 0.0, 4.5):
        widget.w_sliders[1].value = v
        widget.x_sliders[2].value = -v
    painted = np.asarray(widget.live.canvas.get_renderer().buffer_rgba()).astype(int)
    widget.live.redraw()
    full = np.asarray(widget.live.canvas.get_renderer().buffer_rgba()).astype(int)
    assert np.abs(painted - full).max() <= 16           # the same picture (anti-aliased edges may differ a shade)
    before = full.copy()
    widget.w_sliders[1].value = 3.0
    after = np.asarray(widget.live.canvas.get_renderer().buffer_rgba()).astype(int)
    changed = np.argwhere(np.abs(after - before).max(axis=2) > 0)
    assert changed.size                                 # the figure moved ...
    assert changed[:, 1].max() - changed[:, 1].min() < after.shape[1] // 2       # ... in one heatmap only


def test_view_has_the_classes_the_browser_tests_use_and_a_png_fallback():
    widget = elementwise_explorer()
    assert "mcdl-elementwise" in widget._dom_classes and "mcdl-caption" in widget.caption._dom_classes
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == widget.caption.value
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_public_name_loads_lazily_from_mcdl():
    assert mcdl.elementwise_explorer is elementwise_explorer


def test_png_after_rebuilds_and_moves_shows_the_current_grid():
    import io

    from PIL import Image

    widget = elementwise_explorer(op="shifted ⊗")
    widget.live.redraw()
    widget.n_slider.value = 4
    widget.w_sliders[0].value = -3.0
    widget.op_menu.value = "⊗"
    pixels = np.asarray(Image.open(io.BytesIO(widget.live.png())).convert("RGB")).reshape(-1, 3)
    matplotlib_blue = np.array([31, 119, 180])                 # a stray default-coloured artist would show as C0 blue
    assert not np.any(np.all(pixels == matplotlib_blue, axis=1))
    assert np.any(np.all(pixels == [238, 238, 238], axis=1))   # the grey of the exact zeros is there
