"""Headless tests of chapter 07's sum explorer: y = sum(f(x)) and its gradient, the column sums of f's Jacobian.

The pure state function is checked against the paper's examples 16 (sum(x) -> 1ᵀ), 17 (sum(x z) -> [z, …, z]
and sum(x)), 25 and 26 (w·x -> xᵀ and wᵀ) and against hand-derived rows for coupled f; the view is driven
across every control's whole range with warnings as errors.
"""
import base64
import warnings

import numpy as np
import pytest

import mcdl
from mcdl.shapes import ShapeError
from mcdl.widgets.reduction import CASES, as_vector_function, sum_explorer, sum_state


def clean(text):
    low = text.lower()
    return "nan" not in low and "inf" not in low


X = np.array([1.0, 2.0, 3.0])


# --- the paper's examples ------------------------------------------------------------------------------
@pytest.mark.parametrize("x", [X, np.array([-2.5, 0.0, 0.7, 4.0]), np.array([5.0])])
def test_paper_example_16_sum_gives_the_row_of_ones(x):
    s = sum_state(lambda v: v, x)
    n = x.size
    assert s["grad"].shape == (1, n)                                  # a row, not a column
    np.testing.assert_allclose(s["grad"], np.ones((1, n)), rtol=1e-9)
    np.testing.assert_allclose(s["J"], np.eye(n), atol=1e-9)          # f(x) = x: the identity
    assert s["y"] == pytest.approx(x.sum()) and s["diagonal"]
    np.testing.assert_allclose(s["grad"], mcdl.elementwise.vector_sum_gradient(x))


def test_paper_example_16_caption():
    s = sum_state(CASES["sum"], X)
    assert s["caption"] == "x = [1.00, 2.00, 3.00],  y = 6.00,  ∂y/∂x = [1.00, 1.00, 1.00] (1×3 row)"


@pytest.mark.parametrize("z", [3.0, -1.5, 0.0])
def test_paper_example_17_sum_xz_wrt_x_and_z(z):
    x = np.array([1.0, -2.0, 4.0, 0.5])
    s = sum_state(CASES["sum-scalar-product"], x, z=z)
    np.testing.assert_allclose(s["grad"], np.full((1, 4), z), atol=1e-9)      # [z, z, …, z]
    np.testing.assert_allclose(s["J"], z * np.eye(4), atol=1e-9)             # ∂(xz)/∂x = I z
    assert s["dy_dz"].shape == (1, 1)                                          # a scalar: 1×1
    assert s["dy_dz"][0, 0] == pytest.approx(x.sum(), rel=1e-9)               # sum(x)
    np.testing.assert_allclose(s["J_z"], x[:, None], rtol=1e-9)               # ∂(xz)/∂z = x, a column
    assert s["y"] == pytest.approx(x.sum() * z, abs=1e-12)


def test_paper_example_17_caption_shows_both_derivatives():
    s = sum_state(CASES["sum-scalar-product"], X, z=2.0)
    assert s["caption"] == ("x = [1.00, 2.00, 3.00],  z = 2.00,  y = 12.00,  ∂y/∂x = [2.00, 2.00, 2.00] (1×3 row),  "
                            "∂y/∂z = 6.00 (1×1)")


@pytest.mark.parametrize("w, x", [([2.0, -1.0, 0.5], [1.0, 2.0, 3.0]), ([0.3, 0.0, -4.0, 1.0], [-1.0, 2.5, 0.0, 2.0])])
def test_paper_examples_25_and_26_dot_product(w, x):
    w, x = np.array(w), np.array(x)
    s = sum_state(CASES["dot-product"], x, w=w)
    np.testing.assert_allclose(s["grad"], w[None, :], atol=1e-9)             # ex. 26: ∂y/∂x = 1ᵀ diag(w) = wᵀ
    np.testing.assert_allclose(s["dy_dw"], x[None, :], atol=1e-9)            # ex. 25: ∂y/∂w = 1ᵀ diag(x) = xᵀ
    np.testing.assert_allclose(s["J"], np.diag(w), atol=1e-9)
    np.testing.assert_allclose(s["J_w"], np.diag(x), atol=1e-9)
    assert s["y"] == pytest.approx(np.dot(w, x))
    np.testing.assert_allclose(s["grad"], mcdl.elementwise.dot_jacobian_x(w, x), atol=1e-9)
    np.testing.assert_allclose(s["dy_dw"], mcdl.elementwise.dot_jacobian_w(w, x), atol=1e-9)


# --- coupled f: the Jacobian is not diagonal and every entry of a column counts --------------------------
def test_cyclic_products_gradient_is_the_sum_of_both_neighbours():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    s = sum_state(CASES["cyclic"], x)
    expected = np.roll(x, -1) + np.roll(x, 1)                 # ∂y/∂xⱼ = xⱼ₊₁ + xⱼ₋₁
    np.testing.assert_allclose(s["grad"], expected[None, :], rtol=1e-9)
    assert not s["diagonal"]
    np.testing.assert_allclose(s["grad"], s["J"].sum(axis=0, keepdims=True))   # the column sums
    assert not np.allclose(s["grad"].ravel(), np.diag(s["J"]))                # the diagonal alone is wrong


def test_times_sum_gradient_is_two_sum_x_everywhere():
    x = np.array([1.0, -2.0, 0.5])
    s = sum_state(CASES["times-sum"], x)
    np.testing.assert_allclose(s["J"], x.sum() * np.eye(3) + x[:, None], rtol=1e-9)   # δᵢⱼ s + xᵢ
    np.testing.assert_allclose(s["grad"], np.full((1, 3), 2 * x.sum()), rtol=1e-9)


def test_square_gradient_is_2x_and_checks_against_y_itself():
    x = np.array([-1.5, 0.0, 2.0])
    s = sum_state(CASES["square"], x)
    np.testing.assert_allclose(s["grad"], 2 * x[None, :], atol=1e-9)
    assert s["check_error"] < 1e-7
    np.testing.assert_allclose(s["grad_check"], mcdl.jacobian(lambda v: np.sum(v ** 2), x), atol=1e-9)


def test_non_square_f_sums_over_its_results_not_over_x():
    f = lambda v: np.array([v[0] * v[1], v[1] + v[2]])        # noqa: E731 — 2 results of 3 inputs
    s = sum_state(f, X)
    assert s["m"] == 2 and s["J"].shape == (2, 3)
    np.testing.assert_allclose(s["grad"], [[2.0, 2.0, 1.0]], rtol=1e-9)
    assert s["y"] == pytest.approx(2.0 + 5.0)


# --- what a learner may pass ------------------------------------------------------------------------------
@pytest.mark.parametrize("f", [lambda v: v * np.roll(v, -1), "x1*x2, x2*x3, x3*x1"], ids=["python", "text"])
def test_learner_function_forms_agree(f):
    s = sum_state(f, X)
    np.testing.assert_allclose(s["grad"], [[5.0, 4.0, 3.0]], rtol=1e-8)


def test_elementwise_text_applies_to_each_entry():
    func, n, label = as_vector_function("x**2 + sin(x)")
    assert n is None and label.startswith("fᵢ = ")
    s = sum_state("x**2 + sin(x)", X)
    np.testing.assert_allclose(s["grad"], (2 * X + np.cos(X))[None, :], rtol=1e-8)


def test_component_text_fixes_n():
    assert as_vector_function("x1*x2, x2*x3")[1] == 3
    w = sum_explorer("x1*x2, x2*x3")
    assert w.n == 3 and w.n_slider.disabled


@pytest.mark.parametrize("f, error, match", [
    (3.0, TypeError, "function"),
    (lambda x, y: x, TypeError, "ONE vector"),
    ("x**2 + q", ValueError, "q"),
    ("x1*x9", ValueError, "x1 … x5"),
    (lambda v: v[7], TypeError, "IndexError"),
    (lambda v: np.outer(v, v), ShapeError, "vector"),
])
def test_bad_functions_are_refused_clearly(f, error, match):
    with pytest.raises(error, match=match):
        sum_explorer(f)


def test_bad_points_are_refused():
    with pytest.raises(ShapeError, match=r"shape \(n,\)"):
        sum_state(lambda v: v, [[1.0], [2.0]])
    with pytest.raises(ShapeError, match="same length"):
        sum_state(CASES["dot-product"], X, w=[1.0, 2.0])
    with pytest.raises(TypeError, match="not both"):
        sum_state(lambda v, p: v, X, z=1.0, w=X)
    with pytest.raises(TypeError, match="takes the z argument"):
        sum_state(CASES["sum-scalar-product"], X)
    with pytest.raises(ValueError, match="case must be one of"):
        sum_explorer(case="nope")


def test_outside_the_domain_the_caption_says_so_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sum_state(np.log, np.array([-1.0, 2.0]))
        assert s["caption"] == "x = [-1.00, 2.00],  f is not defined here" and not s["defined"]
        s = sum_state(np.sqrt, np.array([0.0, 2.0]))                          # on the edge: no derivative
        assert "∂y/∂x is undefined here" in s["caption"] and clean(s["caption"])


# --- the view ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", list(CASES))
def test_view_every_control_across_its_range_is_clean(case):
    w = sum_explorer(case=case)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in range(w.n_slider.min, w.n_slider.max + 1):
            w.n_slider.value = n
            assert len(w.x_box.children) == n
            for slider in w._visible_sliders():
                for v in (slider.min, slider.max):
                    slider.value = v
                    assert clean(w.caption.value), w.caption.value
                    assert w.caption.value.startswith("x = [")
            assert w.state["grad"].shape == (1, n) and w.state["defined"]
            np.testing.assert_allclose(w.row_map.values, w.state["grad"])
            np.testing.assert_allclose(w.jac_map.values, w.state["J"])


def test_view_with_a_restricted_domain_is_clean_at_slider_ends():
    w = sum_explorer(lambda v: np.log(v) + np.sqrt(v))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for slider in w.x_sliders[:3]:
            for v in np.linspace(slider.min, slider.max, 13):
                slider.value = float(v)
                assert clean(w.caption.value)
        w.n_slider.value = 1
        w.x_sliders[0].value = 0.0
    assert "not defined" in w.caption.value or "undefined" in w.caption.value


def test_view_reports_a_learner_function_that_fails_for_some_n():
    w = sum_explorer(lambda v: v * v[2])                       # needs at least 3 entries
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w.n_slider.value = 2
        assert "f does not work for n = 2: f raised IndexError" in w.caption.value
        w.x_sliders[0].value = 0.5                            # still quiet
        w.n_slider.value = 4
    assert w.state["defined"] and w.caption.value.startswith("x = [0.50, 2.00, 3.00, -1.00],  y = ")


def test_view_moves_the_artists_and_shows_the_column_sums():
    w = sum_explorer(case="cyclic")
    assert w.caption.value == "x = [1.00, 2.00, 3.00],  y = 11.00,  ∂y/∂x = [5.00, 4.00, 3.00] (1×3 row)"
    heights = [bar.get_height() for bar in w.bars]
    w.x_sliders[1].value = -1.0
    assert [bar.get_height() for bar in w.bars] != heights
    assert w.bars[-1].get_height() == pytest.approx(w.state["y"])
    np.testing.assert_allclose(w.row_map.values, w.jac_map.values.sum(axis=0, keepdims=True))
    assert w.caption.value == "x = [1.00, -1.00, 3.00],  y = -1.00,  ∂y/∂x = [2.00, 4.00, 0.00] (1×3 row)"
    assert [t.get_text() for t in w.row_map.texts] == ["2.00", "4.00", "0"]


def test_view_case_switch_shows_the_right_extra_slider_and_note():
    w = sum_explorer(case="sum")
    assert w.p_box.children == ()
    w.case_menu.value = "sum-scalar-product"
    assert w.p_box.children == (w.z_slider,)
    w.z_slider.value = -1.0
    assert "∂y/∂z = 6.00 (1×1)" in w.caption.value and "∂y/∂z = sum(x)" in w.note.value
    w.case_menu.value = "dot-product"
    assert w.p_box.children == tuple(w.w_sliders[:3])
    w.w_sliders[0].value = 0.0
    assert "∂y/∂x = [0.00, -1.00, 0.50]" in w.caption.value and "∂y/∂w = [1.00, 2.00, 3.00]" in w.caption.value


def test_view_limits_stay_fixed_while_sliders_move():
    w = sum_explorer(case="square")
    ylim = w.bar_ax.get_ylim()
    for v in np.linspace(-3, 3, 13):
        w.x_sliders[0].value = float(v)
        for bar in w.bars:
            assert ylim[0] <= bar.get_height() <= ylim[1]
    assert w.bar_ax.get_ylim() == ylim


def test_view_has_the_classes_the_browser_tests_use_and_a_png_fallback():
    w = sum_explorer()
    assert "mcdl-sum" in w._dom_classes and "mcdl-caption" in w.caption._dom_classes
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == w.caption.value
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_public_name_loads_lazily_from_mcdl():
    assert mcdl.sum_explorer is sum_explorer
