"""Chapter 05's element-wise explorer (paper §4.2, example 14): the pure state function over the whole slider
range, against the analytic diagonals of :mod:`mcdl.elementwise`, and one short drive of the view."""
import math
import warnings

import numpy as np
import pytest

import mcdl
from mcdl import elementwise as ew
from mcdl.functions import FunctionError
from mcdl.shapes import ShapeError
from mcdl.widgets.base import MISTAKE_PREFIX
from mcdl.widgets.elementwise import (OPERATORS, ElementwiseState, colour_limits, elementwise_explorer,
                                      elementwise_state)

W, X = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])          # paper example 14


def clean(text):
    low = text.lower()
    return "nan" not in low and "inf" not in low and "-0.00" not in text


def off_diagonal(J):
    return J[~np.eye(J.shape[0], dtype=bool)]


# --- the state: the paper's four operators ------------------------------------------------------------
@pytest.mark.parametrize("symbol", ["+", "−", "⊗", "⊘"])
def test_paper_example_14_numeric_jacobians_match_the_analytic_diagonals(symbol):
    op = ew.OPERATORS[symbol]
    s = elementwise_state(symbol, W, X)
    assert isinstance(s, ElementwiseState)
    np.testing.assert_allclose(s.y, op(W, X))
    np.testing.assert_allclose(s.J_w, op.jacobian_w(W, X), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(s.J_x, op.jacobian_x(W, X), rtol=1e-7, atol=1e-12)
    np.testing.assert_array_equal(s.analytic_w, op.jacobian_w(W, X))
    np.testing.assert_array_equal(s.analytic_x, op.jacobian_x(W, X))
    assert s.diagonal_w is True and s.diagonal_x is True
    assert s.off_w == 0.0 and s.off_x == 0.0
    assert np.all(off_diagonal(s.J_w) == 0) and np.all(off_diagonal(s.J_x) == 0)   # exact zeros: grey cells


def test_paper_example_14_divide_with_respect_to_x():
    s = elementwise_state("⊘", W, X)
    np.testing.assert_allclose(np.diag(s.J_x), [-0.0625, -0.08, -1 / 12], rtol=1e-7)     # diag(−wᵢ/xᵢ²)
    np.testing.assert_allclose(np.diag(s.J_w), [0.25, 0.2, 1 / 6], rtol=1e-7)            # diag(1/xᵢ)
    assert s.caption == ("op = ⊘,  w = [1.00, 2.00, 3.00],  x = [4.00, 5.00, 6.00],  y = [0.25, 0.40, 0.50],  "
                         "∂y/∂w diagonal: yes,  ∂y/∂x diagonal: yes")


@pytest.mark.parametrize("symbol, J_w, J_x", [
    ("+", np.eye(3), np.eye(3)),
    ("−", np.eye(3), -np.eye(3)),               # the minus sign: −I, not I
    ("⊗", np.diag(X), np.diag(W)),
])
def test_the_reference_table_of_section_8_2(symbol, J_w, J_x):
    s = elementwise_state(symbol, W, X)
    np.testing.assert_allclose(s.J_w, J_w, atol=1e-12)
    np.testing.assert_allclose(s.J_x, J_x, atol=1e-12)


def test_caption_of_the_multiply_example():
    assert elementwise_state("⊗", W, X).caption == (
        "op = ⊗,  w = [1.00, 2.00, 3.00],  x = [4.00, 5.00, 6.00],  y = [4.00, 10.00, 18.00],  "
        "∂y/∂w diagonal: yes,  ∂y/∂x diagonal: yes")


@pytest.mark.parametrize("alias, key", [("*", "⊗"), ("/", "⊘"), ("-", "−"), ("add", "+"), (ew.MULTIPLY, "⊗"),
                                        ("shifted", "shifted ⊗")])
def test_operator_aliases(alias, key):
    assert elementwise_state(alias, W, X).op == key


@pytest.mark.parametrize("symbol", list(OPERATORS))
def test_every_operator_over_the_whole_slider_range_is_clean(symbol):
    """Each entry of w and x at every slider step (−6 … 6 by 0.5), at n = 1 and n = 4, the rest random."""
    rng = np.random.default_rng(0)
    grid = np.arange(-6.0, 6.25, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in (1, 4):
            for k in range(2 * n):
                for v in grid:
                    w, x = rng.choice(grid, n), rng.choice(grid, n)
                    (w if k < n else x)[k % n] = v
                    s = elementwise_state(symbol, w, x)
                    assert clean(s.caption) and s.caption.startswith(f"op = {symbol},")
                    if symbol in ew.OPERATORS and np.all(s.defined):
                        op = ew.OPERATORS[symbol]
                        np.testing.assert_allclose(s.J_w, op.jacobian_w(w, x), rtol=1e-6, atol=1e-10)
                        np.testing.assert_allclose(s.J_x, op.jacobian_x(w, x), rtol=1e-6, atol=1e-10)
                        assert s.diagonal_w and s.diagonal_x
                    elif symbol == "shifted ⊗" and n > 1:
                        np.testing.assert_allclose(s.J_w, s.analytic_w, atol=1e-9)
                        assert s.diagonal_x and s.diagonal_w == bool(np.all(x == 0))


# --- the counter-example ----------------------------------------------------------------------------------
def test_shifted_multiply_breaks_the_condition_for_w_only():
    s = elementwise_state("shifted ⊗", W, X)
    np.testing.assert_allclose(s.y, [2 * 4, 3 * 5, 1 * 6])                     # yᵢ = wᵢ₊₁ xᵢ, cyclic
    expected_w = np.array([[0, 4, 0], [0, 0, 5], [6, 0, 0]], dtype=float)      # ∂yᵢ/∂wᵢ₊₁ = xᵢ
    np.testing.assert_allclose(s.J_w, expected_w, atol=1e-12)
    np.testing.assert_allclose(s.J_x, np.diag([2.0, 3.0, 1.0]), atol=1e-12)
    np.testing.assert_allclose(s.analytic_w, expected_w)
    assert s.diagonal_w is False and s.diagonal_x is True
    assert s.off_w == pytest.approx(6.0)
    assert "∂y/∂w diagonal: no (largest off-diagonal |entry| = 6.00),  ∂y/∂x diagonal: yes" in s.caption


def test_shifted_multiply_with_one_entry_is_just_multiply():
    s = elementwise_state("shifted ⊗", [2.0], [3.0])
    assert s.diagonal_w and s.diagonal_x
    np.testing.assert_allclose(s.J_w, [[3.0]])


# --- a learner's own function -------------------------------------------------------------------------------
def test_text_function_is_element_wise_with_symbolic_analytic_diagonals():
    s = elementwise_state("sin(w)*x", W, X)
    np.testing.assert_allclose(s.y, np.sin(W) * X)
    np.testing.assert_allclose(s.J_w, np.diag(np.cos(W) * X), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(s.J_x, np.diag(np.sin(W)), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(s.analytic_w, np.diag(np.cos(W) * X))
    assert s.op == "yours" and s.diagonal_w and s.diagonal_x


def test_general_case_f_of_w_times_g_of_x():
    s = elementwise_state(lambda w, x: np.sin(w) * np.exp(x), W, X * 0.1)
    np.testing.assert_allclose(s.J_w, np.diag(np.cos(W) * np.exp(X * 0.1)), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(s.J_x, np.diag(np.sin(W) * np.exp(X * 0.1)), rtol=1e-7, atol=1e-12)
    assert s.analytic_w is None                        # a Python function: only the numeric Jacobians


def test_a_python_function_that_mixes_entries_is_not_diagonal():
    s = elementwise_state(lambda w, x: w * np.sum(x), W, X)
    np.testing.assert_allclose(s.J_x, np.outer(W, np.ones(3)), rtol=1e-7)
    assert s.diagonal_w and not s.diagonal_x
    assert s.off_x == pytest.approx(3.0)


def test_scalar_only_python_function_works():
    s = elementwise_state(lambda w, x: np.array([math.sin(a) * b for a, b in zip(w, x)]), W, X)
    np.testing.assert_allclose(s.J_w, np.diag(np.cos(W) * X), rtol=1e-7, atol=1e-12)


def test_a_sum_where_an_element_wise_y_is_wanted_is_named_as_chapter_07_s_reduction():
    with pytest.raises(FunctionError, match="returned one number.*sum reduction, chapter 07"):
        elementwise_state(lambda w, x: np.sum(w * x), W, X)
    s = elementwise_state(lambda w, x: 3.0, W, X)                  # a plain constant is a constant vector
    np.testing.assert_allclose(s.y, [3.0, 3.0, 3.0])


# --- undefined entries: ⊘ with xᵢ = 0, a log outside its domain ---------------------------------------------
def test_divide_by_zero_shows_undefined_entries_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = elementwise_state("⊘", [1.0, 2.0, 3.0], [4.0, 0.0, 6.0])
    assert s.caption == ("op = ⊘,  w = [1.00, 2.00, 3.00],  x = [4.00, 0.00, 6.00],  y = [0.25, –, 0.50],  "
                         "∂y/∂w diagonal: yes,  ∂y/∂x diagonal: yes,  y₂ undefined (x₂ = 0: division by zero)")
    assert list(s.defined) == [True, False, True]
    assert np.isnan(s.J_w[1]).all() and np.isnan(s.J_x[1]).all() and np.isnan(s.analytic_x[1]).all()
    np.testing.assert_allclose(s.J_x[[0, 2]][:, [0, 2]], np.diag([-0.0625, -1 / 12]), rtol=1e-7)
    assert s.J_x[0, 1] == 0 and s.J_x[2, 1] == 0


def test_everything_undefined_is_still_a_sentence():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = elementwise_state("⊘", [0.0, 1.0], [0.0, 0.0])
    assert "y = [–, –]" in s.caption and "∂y/∂w diagonal: –" in s.caption and clean(s.caption)
    assert "y₁, y₂ undefined (x₁ = 0, x₂ = 0: division by zero)" in s.caption


def test_learner_function_outside_its_domain_is_not_defined_here_whichever_log_it_uses():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = elementwise_state(lambda w, x: np.log(w) * x, [-1.0, 1.0], [2.0, 3.0])        # NaN in entry 1
        m = elementwise_state(lambda w, x: np.array([math.log(a) for a in w]) * x, [-1.0, 1.0], [2.0, 3.0])
        t = elementwise_state("sqrt(w) + x", [0.0, 1.0], [2.0, 3.0])       # defined at 0, not differentiable
    assert s.caption.endswith("y₁ is not defined here") and clean(s.caption)
    assert np.isnan(s.J_w[0]).all() and s.J_w[1, 1] == pytest.approx(3.0)
    assert m.caption.endswith("y = [–, –],  ∂y/∂w diagonal: –,  ∂y/∂x diagonal: –,  y is not defined here")
    assert np.isnan(t.J_w[0, 0]) and t.J_w[1, 1] == pytest.approx(0.5) and clean(t.caption)


def test_a_rounded_negative_zero_is_printed_as_zero():
    s = elementwise_state("⊗", [-0.001, 1.0], [1.0, 1.0])
    assert "w = [0.00, 1.00]" in s.caption and "y = [0.00, 1.00]" in s.caption


# --- bad inputs -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op, error, match", [
    (3.0, TypeError, "function"),
    ([lambda w, x: w], TypeError, "function"),
    (lambda w: w, FunctionError, "takes 1 argument"),
    (lambda w, x, z: w, FunctionError, "takes 3 arguments"),
    (lambda w, x: np.outer(w, x), FunctionError, r"returned shape \(3, 3\).*vector of 3 values"),
    (lambda w, x: w[5] * x, FunctionError, "raised IndexError at w = .*It should be"),
    (lambda w, x: "oops" + 1, FunctionError, "raised TypeError"),
    ("sin(z)*x", ValueError, "unknown name 'z'"),
    ("__import__('os')", ValueError, "not allowed"),
])
def test_bad_operations_are_refused_clearly(op, error, match):
    with pytest.raises(error, match=match):
        elementwise_state(op, W, X)


def test_bad_vectors_and_options_are_refused_clearly():
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
    with pytest.raises(FunctionError, match="takes 1 argument"):
        elementwise_explorer(lambda w: w)


def test_colour_limits_suit_the_operator():
    assert colour_limits("+", 3, 6.0) == (1.0, 1.0) and colour_limits("⊗", 4, 6.0) == (6.0, 6.0)
    lo_w, lo_x = colour_limits("⊘", 4, 6.0)
    assert lo_w <= 2 and lo_x <= 2                     # a pole near xᵢ = 0 saturates, it does not set the scale


# --- the view -------------------------------------------------------------------------------------------------
@pytest.mark.view
def test_view_drive_every_kind_of_control():
    widget = elementwise_explorer()
    c = widget.controls
    assert tuple(c) == ("op", "n", "w1", "w2", "w3", "w4", "x1", "x2", "x3", "x4")
    assert widget.caption.value == elementwise_state("⊗", W, X).caption
    assert [value for _, value in c["op"].options] == ["+", "-", "*", "/", "shifted ⊗"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c["w2"].value = -2.5                                    # ∂(w ⊗ x)/∂x = diag(w)
        assert widget.heat_x.values[1, 1] == pytest.approx(-2.5)
        assert widget.heat_x.texts[4].get_text() == "−2.5" and widget.heat_x.texts[1].get_text() == "0"
        c["op"].value = "shifted ⊗"
        assert widget.heat_w.values[0, 1] == pytest.approx(4.0)    # off the diagonal: ∂y₁/∂w₂ = x₁
        assert "∂y/∂w diagonal: no" in widget.caption.value
        c["op"].value = "/"
        c["x3"].value = 0.0
        assert [t.get_text() for t in widget.heat_w.texts[6:9]] == ["–", "–", "–"]
        assert "y₃ undefined (x₃ = 0: division by zero)" in widget.caption.value
        caption = widget.caption.value
        c["x4"].value = -3.0                                    # hidden while n = 3: nothing shown changes
        assert widget.caption.value == caption and not widget.active("x4")
        c["n"].value = 4
    assert widget.heat_w.shape == (4, 4) and len(widget.w_box.children) == 4
    assert [t.get_text() for t in widget.heat_w.ax.get_xticklabels()] == ["w₁", "w₂", "w₃", "w₄"]
    assert widget.caption.value == elementwise_state("/", [1.0, -2.5, 3.0, -2.0], [4.0, 5.0, 0.0, -3.0]).caption
    vmax = widget.heat_x.vmax
    for v in (-6.0, 0.5, 6.0):
        c["x1"].value = v
    assert widget.heat_x.vmax == vmax and widget.heat_x.image.get_clim() == (-vmax, vmax)


@pytest.mark.view
def test_view_a_learner_function_that_only_fits_one_length_says_so_and_recovers():
    widget = elementwise_explorer(lambda w, x: np.array([w[0] * x[0], w[1] * x[1], w[2] * x[2]]))
    c = widget.controls
    assert c["op"].value == "yours" and widget.caption.value.startswith("op = yours,")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c["n"].value = 2
        assert widget.caption.value.startswith(MISTAKE_PREFIX + "your f raised IndexError at w = ")
        c["w1"].value = 2.0
        c["n"].value = 4
        assert "returned shape (3,), but it should return a vector of 4 values" in widget.caption.value
        c["n"].value = 3
    assert widget.caption.value.startswith("op = yours,  w = [2.00, 2.00, 3.00]")
    assert widget.heat_w.shape == (3, 3) and widget.current.n == 3


def test_a_learner_function_that_changes_its_arguments_leaves_the_sliders_alone():
    def y(w, x):
        w *= 2
        x[0] = 100.0
        return w * x
    widget = elementwise_explorer(y)
    widget.controls["w2"].value = 1.5
    assert [widget.controls[k].value for k in ("w1", "w2", "w3", "x1", "x2", "x3")] == [1.0, 1.5, 3.0, 4.0, 5.0, 6.0]
    assert widget.caption.value.startswith("op = yours,  w = [1.00, 1.50, 3.00],  x = [4.00, 5.00, 6.00],  "
                                           "y = [200.00, 15.00, 36.00]")


def test_public_name_loads_lazily_from_mcdl():
    assert mcdl.elementwise_explorer is elementwise_explorer


@pytest.mark.view
def test_heatmap_cells_tell_a_small_entry_from_an_exact_zero():
    w = elementwise_explorer(lambda w, x: 1e-5 * w * x, w=(1.0, 2.0), x=(4.0, 0.0))
    texts = [t.get_text() for t in w.heat_w.texts]
    assert texts == ["4e−05", "0", "0", "0"]              # ∂y₂/∂w₂ = 1e-5·x₂ = 0 exactly: grey "0", no noise
    assert "0.00" not in texts and w.current.J_w[1, 1] == 0.0
