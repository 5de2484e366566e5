"""The gradient explorer (paper §3–4): its pure state function over the whole slider range, the static field,
and one short drive of the view."""
import math
import warnings

import numpy as np
import pytest
import sympy

from mcdl.functions import FunctionError, learner_function
from mcdl.widgets.gradient_field import (GradientField, GradientState, arrow_length, gradient_explorer,
                                         gradient_state, sample_field)


def f_paper(x, y):                      # paper §3, example 9: ∇f = [6yx, 3x²]
    return 3 * x**2 * y


def g_paper(x, y):                      # paper §4, example 10: ∇g = [2, 8y⁷]
    return 2 * x + y**8


def bowl(x, y):
    return x**2 + 3 * y**2


# ---- the state function against analytic values --------------------------------------------------
def test_paper_example_10_gradient_of_g_at_1_2():
    s = gradient_state(g_paper, 1.0, 2.0, theta=90.0, ylim=(-3, 3))
    assert isinstance(s, GradientState) and s.grad.shape == (2,)
    assert s.grad == pytest.approx([2.0, 1024.0], rel=1e-8)
    assert s.norm == pytest.approx(math.hypot(2, 1024))
    assert s.directional == pytest.approx(1024.0, rel=1e-8)      # u = (0, 1) picks ∂g/∂y
    assert s.caption.startswith("x = 1.00,  y = 2.00,  ∇f = [2.00, 1024.00],  ‖∇f‖ = 1024.00,  θ = 90°")


def test_paper_example_9_gradient_of_f_and_the_caption_format():
    s = gradient_state(f_paper, 1.0, 2.0, theta=0.0)
    assert s.grad == pytest.approx([6 * 2 * 1, 3 * 1**2], rel=1e-8)            # [6yx, 3x²] = [12, 3]
    assert s.directional == pytest.approx(12.0, rel=1e-8)                     # u = (1, 0) picks ∂f/∂x
    s = gradient_state(g_paper, 1.0, 1.0, theta=45.0)
    assert s.caption == ("x = 1.00,  y = 1.00,  ∇f = [2.00, 8.00],  ‖∇f‖ = 8.25,  θ = 45°,  ∇f·u = 7.07,  "
                         "steepest at θ = 76°")


@pytest.mark.parametrize("theta", [0, 30, 45, 90, 135, 180, 225, 270, 300, 360])
def test_directional_derivative_is_grad_dot_u_and_matches_a_finite_difference(theta):
    x0, y0 = 0.7, -0.4
    s = gradient_state(f_paper, x0, y0, theta=theta)
    u = np.array([math.cos(math.radians(theta)), math.sin(math.radians(theta))])
    assert s.u == pytest.approx(u, abs=1e-15) and np.linalg.norm(s.u) == pytest.approx(1.0)
    assert 0.0 in s.u or theta % 90                                 # cos 90° is exactly 0, not 6e-17
    exact = np.array([6 * y0 * x0, 3 * x0**2]) @ u
    assert s.directional == pytest.approx(exact, rel=1e-7, abs=1e-9)
    t = 1e-6                                                   # d/dt f(p + t u) at t = 0
    numeric = (f_paper(x0 + t * u[0], y0 + t * u[1]) - f_paper(x0 - t * u[0], y0 - t * u[1])) / (2 * t)
    assert s.directional == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_the_rate_curve_peaks_along_the_gradient_at_the_gradient_size():
    s = gradient_state(bowl, 1.0, 0.5, theta=10.0)
    thetas, rates = s.curve
    assert thetas[0] == 0 and thetas[-1] == 360
    assert rates.max() == pytest.approx(s.norm, rel=1e-3)          # sampled every 2°
    assert s.steepest == pytest.approx(math.degrees(math.atan2(3.0, 2.0)), rel=1e-8)
    assert thetas[np.argmax(rates)] == pytest.approx(s.steepest, abs=1.0)
    at_peak = gradient_state(bowl, 1.0, 0.5, theta=s.steepest)
    assert at_peak.directional == pytest.approx(s.norm, rel=1e-6)
    assert rates.min() == pytest.approx(-s.norm, rel=1e-3)          # straight downhill


def test_gradient_is_perpendicular_to_the_level_curve_tangent_and_points_uphill():
    s = gradient_state(f_paper, 1.0, 1.0)
    (xa, xb), (ya, yb) = s.tangent
    tangent = np.array([xb - xa, yb - ya])
    assert tangent @ s.grad == pytest.approx(0.0, abs=1e-12)
    assert (xa + xb) / 2 == pytest.approx(1.0) and (ya + yb) / 2 == pytest.approx(1.0)
    (x0, y0), (x1, y1) = s.arrow
    tip = np.array([x1 - x0, y1 - y0])
    assert tip @ s.grad == pytest.approx(np.linalg.norm(tip) * s.norm)     # same direction
    small = 1e-3 * tip / np.linalg.norm(tip)
    assert f_paper(x0 + small[0], y0 + small[1]) > f_paper(x0, y0) > f_paper(x0 - small[0], y0 - small[1])


def test_zero_gradient_vanishes_gracefully_with_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = gradient_state(bowl, 0.0, 0.0, theta=45.0)
        saddle_line = gradient_state(f_paper, 0.0, 1.5, theta=200.0)   # ∇(3x²y) = 0 all along x = 0
    for state in (s, saddle_line):
        assert state.zero and state.norm == 0.0
        assert state.arrow is None and state.tangent[0].size == 0
        assert state.directional == 0.0
        assert np.all(state.curve[1] == 0.0)
        assert "the gradient is zero here" in state.caption
        assert "nan" not in state.caption.lower()
    assert s.caption.startswith("x = 0.00,  y = 0.00,  ∇f = [0.00, 0.00],")


def test_a_tiny_but_nonzero_gradient_is_not_called_zero():
    tiny = lambda x, y: 1e-9 * (x**2 + y**2)                     # noqa: E731
    s = gradient_state(tiny, 1.0, 1.0, theta=0.0)
    assert not s.zero and s.arrow is not None
    assert s.grad == pytest.approx([2e-9, 2e-9], rel=1e-6)
    assert "∇f = [2.00e-09, 2.00e-09]" in s.caption
    assert gradient_state(tiny, 0.0, 0.0).zero


def test_outside_the_domain_and_on_its_edge_the_caption_says_so():
    f = "log(x) + sqrt(y)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outside = gradient_state(f, -1.0, 1.0)
        edge = gradient_state(f, 1.0, 0.0)            # sqrt(y) is defined at 0, not on both sides
        raising = gradient_state(lambda x, y: math.log(x) * y, -1.0, 1.0, typical=1.0)   # math raises there
    for state in (outside, raising):
        assert state.caption == "x = -1.00,  y = 1.00,  f is not defined here"
        assert state.arrow is None and state.arrow_u is None and math.isnan(state.directional) and not state.defined
    assert "∇f is undefined here" in edge.caption and edge.defined
    assert edge.arrow is None and edge.arrow_u is not None


def test_arrow_length_is_proportional_near_zero_and_saturates():
    assert arrow_length(0.0, 2.0, 1.0) == 0.0
    assert arrow_length(1e-6, 2.0, 1.0) == pytest.approx(0.5e-6, rel=1e-5)
    assert arrow_length(1e6, 2.0, 1.0) == pytest.approx(1.0)
    lengths = arrow_length(np.array([0.1, 1.0, 10.0]), 2.0, 1.0)
    assert np.all(np.diff(lengths) > 0)


@pytest.mark.parametrize("f", [
    f_paper,
    "3*x**2*y",
    "3*x^2*y",
    sympy.Symbol("x", real=True)**2 * sympy.Symbol("y", real=True) * 3,
    lambda v: 3 * v[0]**2 * v[1],                              # a function of one vector
    lambda v: 3 * np.prod(np.array([v[0], v[0], v[1]]), axis=0),
    lambda x, y: 3 * math.pow(x, 2) * y,                        # scalar-only (math module)
])
def test_every_form_of_f_gives_the_same_gradient(f):
    s = gradient_state(f, 1.0, 2.0, theta=0.0, typical=1.0)
    assert s.grad == pytest.approx([12.0, 3.0], rel=1e-7)


CASES = [
    (f_paper, dict(xlim=(-2, 2), ylim=(-2, 2))),
    ("x**2 + 3*y**2", dict(xlim=(-2, 2), ylim=(-1.5, 1.5))),
    ("2*x + y**8", dict()),
    ("log(x) + sqrt(y)", dict()),                                 # restricted domain
    (lambda x, y: 1 / (x**2 + y**2), dict(xlim=(-1, 1), ylim=(-1, 1))),      # a pole at the origin
    (lambda x, y: math.exp(-x * x - y * y), dict()),              # scalar-only
    (lambda v: v[0] ** 2 - v[1] ** 2, dict()),                    # a saddle, as a function of a vector
    ("abs(x) + abs(y)", dict()),                                  # kinks
    ("5", dict()),                                                # constant: ∇f = 0 everywhere
]


@pytest.mark.parametrize("f, kw", CASES)
def test_state_over_the_whole_slider_box_is_clean(f, kw):
    F = learner_function(f, "surface")
    xlim, ylim = kw.get("xlim", (-3, 3)), kw.get("ylim", (-3, 3))
    typical = sample_field(F, xlim, ylim).typical
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in np.linspace(*xlim, 19):
            for y in np.linspace(*ylim, 7):
                for theta in (0, 90, 215, 360):
                    s = gradient_state(F, x, y, theta, xlim, ylim, typical)
                    head = f"x = {x:.2f},  y = {y:.2f},".replace("-0.00", "0.00")
                    assert s.caption.startswith(head), s.caption
                    low = s.caption.lower()
                    assert "nan" not in low and "inf" not in low and "-0.00" not in s.caption, s.caption
                    if s.defined and np.all(np.isfinite(s.grad)):
                        assert f"θ = {theta}°" in s.caption
                        assert s.zero == (s.arrow is None) == ("the gradient is zero here" in s.caption)


# ---- the static field -------------------------------------------------------------------------------
def test_sample_field_values_and_scales():
    field = sample_field(bowl, (-2, 2), (-1, 1), num=41)
    assert isinstance(field, GradientField) and field.Z.shape == (41, 41) and field.QX.shape == (13, 13)
    assert field.Z == pytest.approx(bowl(field.X, field.Y))
    assert field.GX == pytest.approx(2 * field.QX, abs=1e-6)
    assert field.GY == pytest.approx(6 * field.QY, abs=1e-6)
    assert field.typical == pytest.approx(np.median(np.hypot(2 * field.QX, 6 * field.QY)), rel=1e-6)


def test_a_vector_function_that_does_not_vectorise_over_a_grid_still_draws():
    field = sample_field(lambda v: float(np.sum(np.asarray(v) ** 2)), (-1, 1), (-1, 1), num=21)
    assert np.nanmax(field.Z) == pytest.approx(2.0)
    assert field.GX == pytest.approx(2 * field.QX, abs=1e-6) and field.typical > 0


def test_sample_field_is_nan_outside_the_domain_and_refuses_an_empty_window():
    field = sample_field("log(x) + sqrt(y)", num=31)
    assert np.isnan(field.Z[field.X <= 0]).all() and np.isfinite(field.Z[(field.X > 0) & (field.Y >= 0)]).all()
    assert np.isnan(field.GX[field.QX < 0]).all()
    with pytest.raises(ValueError, match="not defined anywhere"):
        sample_field("sqrt(-x**2 - y**2 - 1)")
    with pytest.raises(ValueError, match="low < high"):
        sample_field("3*x**2*y", xlim=(2, -2))


# ---- bad inputs --------------------------------------------------------------------------------------
def test_bad_functions_are_refused_clearly():
    with pytest.raises(TypeError, match="function"):
        gradient_explorer(3.0)
    with pytest.raises(FunctionError, match="takes 3 arguments"):
        gradient_explorer(lambda x, y, z: x + y + z)
    with pytest.raises(FunctionError, match="takes 0 arguments"):
        gradient_state(lambda: 1.0, 1.0, 1.0, typical=1.0)
    with pytest.raises(FunctionError, match="returned 2 values.*not one number"):
        gradient_explorer(lambda x, y: np.array([x, y]) if np.ndim(x) == 0 else np.stack([x, y]))
    with pytest.raises(FunctionError, match="returned 2 values.*not one number"):
        gradient_state(lambda x, y: [x, y], 1.0, 1.0, typical=1.0)
    with pytest.raises(FunctionError, match=r"raised AttributeError at x = .*It should be"):
        gradient_explorer(lambda x, y: x.nonexistent_method())
    with pytest.raises(ValueError, match="not defined anywhere"):
        gradient_explorer("sqrt(-x**2 - y**2 - 1)")
    with pytest.raises(ValueError):
        gradient_explorer("3*x**2*y", xlim=(2, -2))
    with pytest.raises(ValueError, match="refused|not allowed|unknown|use only"):
        gradient_explorer("__import__('os').system('true')")


# ---- the view: one short drive ---------------------------------------------------------------------------
@pytest.mark.view
def test_view_moves_the_arrows_the_tangent_and_the_rate_curve_on_fixed_axes():
    w = gradient_explorer(f_paper, x0=1.0, y0=1.0, xlim=(-2, 2), ylim=(-2, 2))
    assert list(w.controls) == ["x0", "y0", "theta"] and "mcdl-gradient" in w._dom_classes
    limits = [(ax.get_xlim(), ax.get_ylim()) for ax in (w.ax, w.rate_ax)]
    assert w.rate_ax.get_ylim()[1] >= math.hypot(24, 12)           # the largest ‖∇f‖ of the box, at (±2, ±2)
    w.live.redraw()
    arrow_before = w.grad_arrow.get_path().vertices.copy()
    tangent_before = np.array(w.tangent_line.get_xydata()).copy()
    curve_before = np.array(w.rate_curve.get_ydata(), dtype=float).copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w.controls["x0"].value = -1.5
        assert not np.allclose(arrow_before, w.grad_arrow.get_path().vertices)
        assert not np.allclose(tangent_before, w.tangent_line.get_xydata())
        assert not np.allclose(curve_before, w.rate_curve.get_ydata())
        assert w.point.get_xdata()[0] == pytest.approx(-1.5)
        assert w.caption.value == gradient_state(f_paper, -1.5, 1.0, 45, (-2, 2), (-2, 2), w.typical).caption
        assert "∇f = [-9.00, 6.75]" in w.caption.value                 # [6yx, 3x²] at (-1.5, 1)
        u_before = w.u_arrow.get_path().vertices.copy()
        w.controls["theta"].value = 180
        assert not np.allclose(u_before, w.u_arrow.get_path().vertices)
        assert w.theta_dot.get_xdata()[0] == 180
        assert w.theta_dot.get_ydata()[0] == pytest.approx(9.0, rel=1e-7)     # ∇f·(−1, 0)
        assert w.peak_dot.get_ydata()[0] == pytest.approx(math.hypot(9, 6.75), rel=1e-7)
        w.controls["x0"].value = 0.0                                       # on the line where ∇f = 0
        assert np.isnan(w.grad_arrow.get_path().vertices[0]).all()         # no arrow drawn
        assert "the gradient is zero here" in w.caption.value
        for v in (-2.0, 2.0):
            w.controls["x0"].value = v
            w.controls["y0"].value = -v
    assert [(ax.get_xlim(), ax.get_ylim()) for ax in (w.ax, w.rate_ax)] == limits
    w.live.canvas._png_is_old = True                                        # a diff frame is a valid PNG
    assert w.live.canvas.get_diff_image()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_given_rate_limit_is_kept():
    w = gradient_explorer(g_paper, ylim=(-1.5, 1.5), rate_limit=50)
    assert w.rate_ax.get_ylim() == (-50.0, 50.0)


# ---- the chapter's exercise bank entries agree with mcdl.gradient ---------------------------------------
def test_chapter03_exercise_references_agree_with_numeric_gradients():
    import mcdl
    from mcdl.exercises import for_chapter, get

    assert len(for_chapter("03")) >= 4
    grad = lambda f, p: mcdl.gradient(f, np.array(p, dtype=float))          # noqa: E731
    assert get("03-gradient-point").reference == pytest.approx(grad(lambda v: v[0]**2 * v[1] + v[1]**3, (2, -1)))
    assert mcdl.jacobian(lambda v: np.sum(v**2), np.ones(5)).shape == get("03-gradient-shape").reference
    assert get("03-directional").reference == pytest.approx(grad(lambda v: f_paper(*v), (2, -1)) @ [0.8, -0.6])
    assert get("03-max-rate").reference == pytest.approx(np.linalg.norm(grad(lambda v: g_paper(*v), (1, 1))))
    descent = -grad(lambda v: bowl(*v), (1, 1))
    assert get("03-steepest-descent").reference == pytest.approx(descent / np.linalg.norm(descent))
    ex = get("03-gradient-function")
    for x, y in ex.points:
        assert ex.reference(x, y) == pytest.approx(grad(lambda v: v[0] * np.exp(v[1]) + v[1]**2, (x, y)), rel=1e-7)


# ---- a finite-difference estimate of an exact 0 is shown as 0 (it once printed ∇f·u = 1.30e-11) ----------
def test_values_below_their_estimated_error_are_exact_zeros():
    from mcdl.functions import learner_function
    from mcdl.widgets.gradient_field import below_error, gradient_estimate
    F = learner_function("3*x**2*y", "surface")
    grad, error = gradient_estimate(F, 1.0, 1.0)
    np.testing.assert_array_equal(grad, F.gradient(1.0, 1.0))
    assert error.shape == (2,) and np.all(error >= 0) and np.all(error < 1e-6)
    assert below_error(1e-12, 1e-11) == 0.0 and below_error(1e-10, 1e-11) == 1e-10 and math.isnan(below_error(np.nan, 1.0))
    for theta in range(0, 360, 5):
        for x0, y0 in ((1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (-0.5, 0.25)):
            s = gradient_state(F, x0, y0, theta, (-2, 2), (-2, 2), typical=6.0)
            assert "e-" not in s.caption, s.caption                # no noise in e-notation
            assert s.directional == 0.0 or abs(s.directional) > 1e-9


def test_contour_labels_are_dark_on_a_halo():
    from matplotlib.figure import Figure
    from mcdl.widgets.gradient_field import LABEL_COLOUR, draw_contours, sample_field
    ax = Figure().add_subplot()
    draw_contours(ax, sample_field("3*x**2*y", (-2, 2), (-2, 2)))
    labels = [t for t in ax.texts if t.get_path_effects()]
    assert labels and all(t.get_color() == LABEL_COLOUR for t in labels)          # opaque near-black
