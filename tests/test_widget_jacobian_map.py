"""Chapter 04's explorers: the shape explorer and the Jacobian as a local linear map.

The pure state functions are checked against analytic values (the paper's examples 11 and 13 where they
apply) and swept over their sliders' whole range; each view gets one short drive.
"""
import base64
import math
import warnings

import numpy as np
import pytest

import mcdl
from mcdl.functions import FunctionError, learner_function
from mcdl.shapes import ShapeError
from mcdl.widgets.jacobian_map import (JacobianMapState, ShapeState, _columns_html, domain_window, jacobian_map,
                                       jacobian_map_state, shape_explorer, shape_html, shape_state)


def gentle(v):
    """The chapter's default map: f(x) = [x₁² − x₂, x₁x₂ + sin x₂]."""
    return [v[0] ** 2 - v[1], v[0] * v[1] + np.sin(v[1])]


def gentle_J(x):
    return np.array([[2 * x[0], -1.0], [x[1], x[0] + np.cos(x[1])]])


def paper_fg(x, y):
    """Paper example 11: [f, g] = [3x²y, 2x + y⁸]."""
    return (3 * x ** 2 * y, 2 * x + y ** 8)


def clean(text):
    low = text.lower()
    return "nan" not in low and "inf" not in low and "-0.00" not in text


# --- the shape explorer: state ------------------------------------------------------------------------
@pytest.mark.parametrize("m, n, kind, words", [
    (1, 1, "scalar", "a scalar"),
    (1, 3, "row", "a 1×3 row vector (the gradient ∇f)"),
    (4, 1, "column", "a 4×1 column vector"),
    (2, 3, "matrix", "a 2×3 matrix"),
])
def test_shape_state_names_the_four_cases_of_the_paper(m, n, kind, words):
    s = shape_state(m, n)
    assert isinstance(s, ShapeState) and s.kind == kind and s.words == words
    assert s.shape == (m, n) and s.J_shape == (m, n)         # mcdl.jacobian is always 2-D, (m, n)
    assert s.caption == f"m = {m},  n = {n}:  ∂f/∂x is {words},  mcdl.jacobian returns shape ({m}, {n})"


def test_shape_state_and_picture_over_every_size():
    for m in range(1, 6):
        for n in range(1, 6):
            s = shape_state(m, n)
            x = np.atleast_1d(s.x)
            exact = np.array([[x[j] ** i for j in range(n)] for i in range(1, m + 1)])   # ∂fᵢ/∂xⱼ = xⱼⁱ
            np.testing.assert_allclose(s.J, exact, rtol=1e-7)
            np.testing.assert_allclose(s.exact, exact)
            assert len(s.formulas) == m
            page = shape_html(s)
            assert f"({m}, {n})" in page and page.count("width:62px") == m * n
            assert clean(s.caption) and clean(page)


def test_shape_state_example_function_follows_mcdls_conventions():
    s = shape_state(1, 1)
    assert np.ndim(s.x) == 0 and np.ndim(s.f(s.x)) == 0        # scalar in, scalar out
    assert s.formulas == ["f(x) = x²/2"]
    s = shape_state(2, 3)
    assert s.formulas == ["f₁(𝐱) = (x₁² + x₂² + x₃²)/2", "f₂(𝐱) = (x₁³ + x₂³ + x₃³)/3"]
    assert np.shape(s.f(s.x)) == (2,)
    row = shape_state(1, 4)
    np.testing.assert_allclose(mcdl.gradient(row.f, row.x), row.x, rtol=1e-8)  # ∇ of Σx²/2 is x


@pytest.mark.parametrize("bad, error", [(0, ValueError), (9, ValueError), (2.5, TypeError), ("2", TypeError),
                                        (True, TypeError)])
def test_shape_state_refuses_bad_sizes(bad, error):
    with pytest.raises(error, match="m must"):
        shape_state(bad, 2)
    with pytest.raises(error, match="n must"):
        shape_explorer(2, bad)


def test_shape_html_shows_one_box_per_partial_and_highlights_the_case():
    page = shape_html(shape_state(3, 2))
    assert page.count("∂f₂/∂x₁") == 1 and page.count("<b>") >= 6
    assert "3×2 matrix" in page and "∂𝐟/∂𝐱" in page
    assert "font-weight:bold" in page and "<b>27</b>" in page          # ∂f₃/∂x₂ = x₂³ = 27 at 𝐱 = (2, 3)
    assert "𝐱 = (2, 3)" in page


# --- the shape explorer: view ---------------------------------------------------------------------------
@pytest.mark.view
def test_shape_explorer_view_and_its_html_fallback():
    w = shape_explorer(2, 3)
    assert list(w.controls) == ["m", "n"] and w.live is None and "mcdl-shape-explorer" in w._dom_classes
    assert w.caption.value == shape_state(2, 3).caption
    w.controls["m"].value = 1
    w.controls["n"].value = 1
    assert w.caption.value.startswith("m = 1,  n = 1:  ∂f/∂x is a scalar")
    assert w.picture.value == shape_html(shape_state(1, 1))
    w.controls["m"].value = 4
    assert w.caption.value == shape_state(4, 1).caption and w.current.kind == "column"
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == w.caption.value and "∂f₄/∂x" in bundle["text/html"]
    assert w.controls["m"].max == 5 and shape_explorer(max_size=8).controls["n"].max == 8


# --- the Jacobian map: accepting f ---------------------------------------------------------------------
@pytest.mark.parametrize("f", [
    gentle,
    lambda x, y: (x ** 2 - y, x * y + np.sin(y)),
    "x**2 - y, x*y + sin(y)",
    ("x**2 - y", "x*y + sin(y)"),
    "[x1**2 - x2, x1*x2 + sin(x2)]",
    (lambda x, y: x ** 2 - y, lambda x, y: x * y + np.sin(y)),
    lambda v: [v[0] ** 2 - v[1], v[0] * v[1] + math.sin(v[1])],        # scalar-only: math.sin
], ids=["vector", "two-args", "text", "text-pair", "text-x1x2", "two-functions", "math-module"])
def test_every_form_of_f_gives_the_same_state(f):
    s = jacobian_map_state(f, (1.0, 0.5), 0.5)
    assert isinstance(s, JacobianMapState) and s.defined
    np.testing.assert_allclose(s.J, gentle_J((1.0, 0.5)), rtol=1e-7)
    ref = jacobian_map_state(gentle, (1.0, 0.5), 0.5)
    np.testing.assert_allclose(s.image, ref.image, atol=1e-12)          # batch or point by point: the same
    assert s.caption == "x = (1.00, 0.50),  r = 0.500,  J = [[2.00, -1.00], [0.50, 1.88]],  max gap = 0.500"


# --- the Jacobian map: state ---------------------------------------------------------------------------
def test_paper_example_11_jacobian_at_1_2():
    s = jacobian_map_state(paper_fg, (1.0, 2.0), 0.01)
    np.testing.assert_allclose(s.J, [[12.0, 3.0], [2.0, 1024.0]], rtol=1e-7)
    np.testing.assert_allclose(s.fx, [6.0, 258.0])
    assert "J = [[12.00, 3.00], [2.00, 1024.00]]" in s.caption


def test_identity_map_is_its_own_linearisation():            # paper example 13, n = 2
    s = jacobian_map_state(lambda v: v, (0.3, -1.2), 0.7)
    np.testing.assert_allclose(s.J, np.eye(2), atol=1e-9)
    assert s.gap < 1e-9                                       # a linear map is its own linearisation
    np.testing.assert_allclose(s.image, s.linear, atol=1e-9)


def test_linear_map_images_are_J_times_the_unit_circle_and_diameters():
    A = np.array([[2.0, 1.0], [-0.5, 3.0]])
    s = jacobian_map_state(lambda v: A @ v, (1.0, 1.0), 0.3)
    np.testing.assert_allclose(s.J, A, rtol=1e-9)
    np.testing.assert_allclose(s.linear1[:, -1], A[:, 0])     # the x₁-diameter ends at column 1 of J
    np.testing.assert_allclose(s.linear2[:, -1], A[:, 1])
    np.testing.assert_allclose(s.image1, s.linear1, atol=1e-9)
    np.testing.assert_allclose(s.image2, s.linear2, atol=1e-9)


def test_the_gap_shrinks_like_r_and_the_true_image_converges_to_the_ellipse():
    gaps = [jacobian_map_state(gentle, (1.0, 0.5), r).gap for r in (1.0, 0.1, 0.01)]
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 0.02
    ratios = np.array(gaps) / np.array([1.0, 0.1, 0.01])       # first order in r: gap ≈ C·r
    assert np.all(np.abs(ratios - ratios[-1]) < 0.2 * ratios[-1])
    # absolute gap (not divided by r) is second order: the whole point of a linearisation
    s = jacobian_map_state(gentle, (1.0, 0.5), 0.01)
    absolute = 0.01 * np.hypot(*(s.image - s.linear))
    assert absolute.max() < 2e-4


def test_domain_shapes_are_the_circle_and_diameters_around_x():
    s = jacobian_map_state(gentle, (-0.5, 1.5), 0.25)
    np.testing.assert_allclose(np.hypot(*(s.circle - s.x[:, None])), 0.25)
    np.testing.assert_allclose(s.along1[1], 1.5)
    np.testing.assert_allclose(s.along2[0], -0.5)


def test_outside_the_domain_the_caption_says_so_quietly():
    f = lambda x, y: (np.log(x), np.sqrt(y))          # noqa: E731
    g = lambda v: [math.log(v[0]), math.sqrt(v[1])]   # noqa: E731  (math raises where numpy gives nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for h in (f, g):
            s = jacobian_map_state(h, (-1.0, 1.0), 0.5)
            assert s.caption == "x = (-1.00, 1.00),  r = 0.500,  f is not defined at x" and not s.defined
            assert s.image.size == 0
            s = jacobian_map_state(h, (0.3, 1.0), 0.5)       # x inside, part of the circle outside
            assert s.defined and clean(s.caption)
            assert np.isnan(s.image).any() and np.isfinite(s.image).any() and np.isfinite(s.gap)


def test_not_differentiable_at_x_is_reported():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = jacobian_map_state(lambda x, y: (np.sqrt(x), y), (0.0, 0.3), 0.5)     # f defined on one side only
    assert "J is undefined here" in s.caption and clean(s.caption) and not s.defined
    assert s.caption.startswith("x = (0.00, 0.30),  r = 0.500,  f(x) = (0.00, 0.30)")


def test_a_bug_at_x_is_the_one_message_and_one_near_x_leaves_a_gap():
    def buggy(v):
        if v[0] > 1.2:
            return "oops" + 1
        return [v[0] * v[1], v[0] - v[1]]
    with pytest.raises(FunctionError, match=r"your f raised TypeError at v = \[1.5, 0.5\].*It should be"):
        jacobian_map_state(buggy, (1.5, 0.5), 0.1)
    s = jacobian_map_state(buggy, (1.0, 0.5), 0.5)           # the right part of the circle is not drawn
    assert s.defined and np.isnan(s.image[:, s.circle[0] > 1.2]).all()
    assert np.isfinite(s.image[:, s.circle[0] < 1.2]).all()


@pytest.mark.parametrize("f", [gentle, paper_fg, "x**2 - y, x*y + sin(y)",
                               lambda x, y: (np.log(x), np.sqrt(y)),           # restricted domain
                               lambda x, y: (np.sqrt(x ** 2 + y ** 2), np.arctan2(y, x)),   # singular at 0
                               lambda x, y: (np.abs(x), 1.0 / y)],
                         ids=["gentle", "paper-fg", "text", "log-sqrt", "polar", "abs-reciprocal"])
def test_state_over_the_whole_slider_box_is_clean(f):
    F = learner_function(f, "plane-map")
    radii = [float(10 ** e) for e in np.arange(-2.0, 0.05, 0.5)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x1 in np.linspace(-2, 2, 11):
            for x2 in np.linspace(-2, 2, 7):
                for r in radii:
                    s = jacobian_map_state(F, (x1, x2), r)
                    head = f"x = ({x1:.2f}, {x2:.2f}),  r = {r:.3f}".replace("-0.00", "0.00")
                    assert s.caption.startswith(head) and clean(s.caption), s.caption
                    assert s.defined == ("J = [[" in s.caption)


@pytest.mark.parametrize("f, error, match", [
    (3.0, TypeError, "function"),
    (lambda x, y, z: (x, y), FunctionError, "takes 3 arguments"),
    (lambda v: [v[0], v[1], v[0]], FunctionError, "returned shape \\(3,\\), but it should return a vector of 2"),
    (lambda v: v[0] * v[1], FunctionError, "should return a vector of 2 values"),
    (lambda v: [v[2], v[0]], FunctionError, "raised IndexError"),
    ("x**2, y, x*y", ShapeError, "2 components"),
    ("x**2 + z, y", ValueError, "unknown name 'z'"),
])
def test_bad_functions_are_refused_clearly(f, error, match):
    with pytest.raises(error, match=match):
        jacobian_map(f)


def test_bad_point_and_radius_are_refused():
    with pytest.raises(ShapeError, match=r"shape \(2,\)"):
        jacobian_map_state(gentle, (1.0, 2.0, 3.0), 0.5)
    with pytest.raises(ValueError, match="positive"):
        jacobian_map_state(gentle, (1.0, 2.0), 0.0)
    with pytest.raises(ValueError, match="positive"):
        jacobian_map(gentle, r=-1.0)
    with pytest.raises(ShapeError, match=r"x0 should be a point of R²"):
        jacobian_map(gentle, x0=(1.0,))


# --- the Jacobian map: view ----------------------------------------------------------------------------
@pytest.mark.view
def test_view_moves_the_artists_and_the_side_panel_on_fixed_limits_that_hold_the_ellipse():
    w = jacobian_map(gentle)
    assert list(w.controls) == ["x1", "x2", "r"] and "mcdl-jacobian-map" in w._dom_classes
    assert w.caption.value == "x = (1.00, 0.50),  r = 0.501,  J = [[2.00, -1.00], [0.50, 1.88]],  max gap = 0.501"
    assert any(w.live.canvas in getattr(child, "children", ()) and w.side in child.children
               for child in w.children)                    # the side panel sits beside the figure
    left, right = w.live.axes[0]
    limits = (left.get_xlim(), left.get_ylim(), right.get_xlim(), right.get_ylim())
    circle = np.array(w.circle.get_xydata()).copy()
    image = np.array(w.image.get_xydata()).copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w.controls["x1"].value = -1.0
        assert not np.allclose(circle, w.circle.get_xydata())
        assert w.point.get_xdata()[0] == pytest.approx(-1.0)
        assert "J = [[-2.00, -1.00]" in w.caption.value and "-2.00" in w.side.value
        np.testing.assert_allclose(np.array(w.columns.get_xydata()).T, gentle_J((-1.0, 0.5)), rtol=1e-7)
        w.controls["r"].value = 0.01
        assert not np.allclose(image, w.image.get_xydata())
        assert "max gap = 0.010" in w.caption.value
        assert w.caption.value == jacobian_map_state(gentle, (-1.0, 0.5), 0.01).caption
        linear = np.array(w.linear.get_xydata())
        assert np.max(np.abs(np.array(w.image.get_xydata()) - linear)) < 0.02      # converged onto the ellipse
        L = right.get_xlim()[1]
        for x1 in (-2.0, 2.0):
            for x2 in (-2.0, 2.0):
                w.controls["x1"].value, w.controls["x2"].value = x1, x2
                assert np.max(np.abs(w.linear.get_xydata())) <= L
        # the domain panel zooms with r and follows x; the zoomed panel's limits never change
        x = w.current.x
        assert left.get_xlim() == pytest.approx((x[0] - 0.016, x[0] + 0.016))
        assert left.get_ylim() == pytest.approx((x[1] - 0.016, x[1] + 0.016))
    assert limits[2:] == (right.get_xlim(), right.get_ylim())
    r0 = 10 ** -0.3                                  # the start, r = 0.5 on the log slider's grid
    assert limits[0] == pytest.approx((1.0 - 1.6 * r0, 1.0 + 1.6 * r0))
    assert limits[1] == pytest.approx((0.5 - 1.6 * r0, 0.5 + 1.6 * r0))
    assert len(w.grid.get_xdata()) == len(w.grid_image.get_xdata()) > 0
    bundle = w._repr_mimebundle_()
    assert bundle["text/plain"] == w.caption.value
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_domain_panel_zooms_with_r_and_recentres_in_steps():
    s = jacobian_map_state(gentle, (1.0, 0.5), 0.01)
    assert s.window == pytest.approx((0.984, 1.016, 0.484, 0.516))
    assert domain_window((1.0, 0.5), 0.5) == pytest.approx((0.2, 1.8, -0.3, 1.3))
    shown = domain_window((1.0, 0.5), 0.5)
    assert domain_window((1.1, 0.45), 0.5, shown) == shown                  # within r/4 of the centre: kept
    assert domain_window((1.2, 0.5), 0.5, shown) == pytest.approx((0.4, 2.0, -0.3, 1.3))    # re-centred
    assert domain_window((1.0, 0.5), 0.25, shown) == pytest.approx((0.6, 1.4, 0.1, 0.9))    # r changed: resized
    with pytest.raises(ValueError, match="positive"):
        domain_window((1.0, 0.5), 0.0)


def test_the_grid_around_x_maps_onto_a_parallelogram_grid_as_r_shrinks():
    def lin_gap(s):
        finite = np.isfinite(s.grid_image[0])
        unit = (s.grid[:, finite] - s.x[:, None]) / s.r
        return np.max(np.abs(s.grid_image[:, finite] - s.J @ unit))
    big, small = jacobian_map_state(gentle, (1.0, 0.5), 1.0), jacobian_map_state(gentle, (1.0, 0.5), 0.01)
    for s in (big, small):
        assert s.grid.shape == s.grid_image.shape and np.isnan(s.grid[0]).sum() == 9     # 10 lines, 9 gaps
        finite = np.isfinite(s.grid[0])
        assert np.array_equal(finite, np.isfinite(s.grid_image[0]))
        assert np.max(np.abs(s.grid[:, finite] - s.x[:, None])) == pytest.approx(s.r)   # a square of side 2r
    assert lin_gap(big) > 0.3 and lin_gap(small) < 0.02           # curved far out, the linear map J close in
    assert lin_gap(small) == pytest.approx(small.gap, rel=0.5)
    undefined = jacobian_map_state(lambda x, y: (np.log(x), y), (-1.0, 0.5), 0.5)
    assert undefined.grid_image.size == 0 and undefined.grid.shape[1] > 0


def test_the_side_panel_draws_J_in_brackets_not_bars():
    html = _columns_html(jacobian_map_state(gentle, (1.0, 0.5), 0.5))
    assert "mcdl-matrix" in html and "border-right:none" in html and "border-left:none" in html
    assert "border-left:2px solid #333;border-right:2px solid #333" not in html    # |J| would read as det J


@pytest.mark.view
def test_view_where_f_is_undefined_says_so_beside_the_figure():
    w = jacobian_map(lambda x, y: (np.log(x), np.sqrt(y)), x0=(-1.0, 1.0))
    assert w.caption.value.endswith("f is not defined at x") and "f is not defined at x" in w.side.value
    assert len(w.columns.get_xdata()) == 0 and len(w.image.get_xdata()) == 0


def test_public_names_load_lazily_from_mcdl():
    assert mcdl.shape_explorer is shape_explorer
    assert mcdl.jacobian_map is jacobian_map
