"""Headless tests of the slice explorer (paper §3): the pure state function and the view, every control
driven across its whole range."""
import base64
import math
import warnings

import numpy as np
import pytest

from mcdl.shapes import ShapeError
from mcdl.widgets.partials import as_surface, slice_explorer, slice_state


def paper(x, y):                                   # paper example 9: f(x, y) = 3x²y
    return 3 * x**2 * y


# --- the pure state function ------------------------------------------------------------------------
@pytest.mark.parametrize("f", [paper, "3*x**2*y", lambda v: 3 * v[0]**2 * v[1]],
                         ids=["function of (x, y)", "text", "function of a vector"])
def test_paper_example_9_at_1_2(f):
    s = slice_state(f, 1.0, 2.0)
    assert s["value"] == pytest.approx(6.0)
    assert s["dfdx"] == pytest.approx(12.0, rel=1e-8)           # 6yx
    assert s["dfdy"] == pytest.approx(3.0, rel=1e-8)            # 3x²
    assert s["caption"] == "x = 1.00,  y = 2.00,  f = 6.00,  ∂f/∂x = 12.00,  ∂f/∂y = 3.00"


def test_partials_match_the_analytic_ones_everywhere():
    rng = np.random.default_rng(0)
    for x, y in rng.uniform(-3, 3, size=(25, 2)):
        s = slice_state(paper, x, y)
        assert s["dfdx"] == pytest.approx(6 * y * x, rel=1e-7, abs=1e-7)
        assert s["dfdy"] == pytest.approx(3 * x**2, rel=1e-7, abs=1e-7)


def test_slices_hold_the_other_variable_constant_and_tangents_have_the_partials_as_slopes():
    s = slice_state(paper, -1.5, 0.5, xlim=(-2, 2), ylim=(-1, 3))
    xs, along_x = s["x_slice"]
    ys, along_y = s["y_slice"]
    assert xs[0] == -2 and xs[-1] == 2 and ys[0] == -1 and ys[-1] == 3
    assert along_x == pytest.approx(3 * xs**2 * 0.5)           # y held at 0.5
    assert along_y == pytest.approx(3 * 1.5**2 * ys)           # x held at -1.5
    tx, ty = s["x_tangent"]
    assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == pytest.approx(6 * 0.5 * -1.5)
    assert ty == pytest.approx(s["value"] + s["dfdx"] * (tx + 1.5))
    ux, uy = s["y_tangent"]
    assert (uy[1] - uy[0]) / (ux[1] - ux[0]) == pytest.approx(3 * 1.5**2)
    assert uy == pytest.approx(s["value"] + s["dfdy"] * (ux - 0.5))


def test_the_other_variable_really_is_a_constant():
    # f = x²y + sin(y): the sin(y) term shifts the x-slice up or down but never changes its slope
    f = "x**2*y + sin(y)"
    for y in (-2.0, 0.3, 1.7):
        s = slice_state(f, 0.8, y)
        assert s["dfdx"] == pytest.approx(2 * 0.8 * y, abs=1e-8)
        assert s["dfdy"] == pytest.approx(0.8**2 + math.cos(y), abs=1e-8)


def test_no_minus_zero_in_captions():
    s = slice_state(paper, 0.0, -1.0)                # ∂f/∂x = 6yx = -0.0
    assert "-0.00" not in s["caption"]
    assert "∂f/∂x = 0.00" in s["caption"]


def test_outside_the_domain_the_caption_says_so_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = slice_state(lambda x, y: np.log(x * y), -1.0, 1.0)
        assert s["caption"] == "x = -1.00,  y = 1.00,  f is not defined here"
        assert s["x_tangent"][0].size == 0 and math.isnan(s["dfdx"])
        xs, along_x = s["x_slice"]                   # the slice is still drawn where f is defined
        assert np.isnan(along_x[xs < 0]).all() and np.isfinite(along_x[xs > 0]).all()
        edge = slice_state(lambda x, y: np.sqrt(x * y), 0.0, 1.0)   # defined, but not differentiable
        assert "f = 0.00" in edge["caption"] and "∂f/∂x = undefined" in edge["caption"]


def test_a_scalar_only_python_function_works():
    def f(x, y):                                     # math.* refuses arrays: sampled point by point
        return math.sin(x) * math.exp(y)
    s = slice_state(f, 0.5, 0.2)
    assert s["dfdx"] == pytest.approx(math.cos(0.5) * math.exp(0.2), rel=1e-7)
    assert s["dfdy"] == pytest.approx(f(0.5, 0.2), rel=1e-7)
    assert np.isfinite(s["x_slice"][1]).all()


# --- the view: every control, its whole range ---------------------------------------------------------
CASES = [
    (paper, (-3, 3), (-3, 3)),
    ("3*x**2*y", (-3, 3), (-3, 3)),
    (lambda x, y: np.sin(x) * np.cos(y), (-3, 3), (-3, 3)),
    (lambda v: v[0]**2 - v[1]**2, (-2, 2), (-2, 2)),          # a vector function (saddle)
    (lambda x, y: np.log(x * y), (-2, 3), (-2, 3)),           # restricted domain
    (lambda x, y: np.sqrt(x**2 + y**2), (-2, 2), (-2, 2)),    # a cone: no partials at the tip
    (lambda x, y: 1 / (x * y), (-2, 2), (-2, 2)),             # spikes
    (lambda x, y: math.hypot(x, y), (-1, 1), (-1, 1)),        # scalar-only
    ("5", (-1, 1), (-1, 1)),                                  # constant
    (np.hypot, (-1, 1), (-1, 1)),                             # a numpy ufunc of two arguments
]


@pytest.mark.parametrize("f, xlim, ylim", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_view_every_slider_position_is_clean(f, xlim, ylim):
    w = slice_explorer(f, x0=1.0, y0=1.0, xlim=xlim, ylim=ylim)
    limits = [ax.get_ylim() for ax in (w.ax_x, w.ax_y)] + [w.ax_map.get_xlim(), w.ax_map.get_ylim()]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for slider, other in ((w.x_slider, w.y_slider), (w.y_slider, w.x_slider)):
            for v in np.linspace(slider.min, slider.max, 25):
                slider.value = float(v)
                text = w.caption.value
                assert text.startswith(f"x = {w.x_slider.value:.2f},  y = {w.y_slider.value:.2f},"), text
                assert "nan" not in text.lower() and "inf" not in text.lower(), text
            slider.value = float(slider.min)
            other.value = float(other.max)
    # fixed axes: blitting never needs a full redraw
    assert [ax.get_ylim() for ax in (w.ax_x, w.ax_y)] + [w.ax_map.get_xlim(), w.ax_map.get_ylim()] == limits


def test_view_moves_the_point_the_cuts_and_the_slices():
    w = slice_explorer(paper, x0=1.0, y0=2.0)
    assert w.caption.value == "x = 1.00,  y = 2.00,  f = 6.00,  ∂f/∂x = 12.00,  ∂f/∂y = 3.00"
    along_x = np.array(w.x_curve.get_ydata(), dtype=float).copy()
    along_y = np.array(w.y_curve.get_ydata(), dtype=float).copy()
    w.y_slider.value = -1.0                           # the x-slice changes, the y-slice does not
    assert not np.allclose(w.x_curve.get_ydata(), along_x)
    assert np.allclose(w.y_curve.get_ydata(), along_y)
    assert list(w.x_cut.get_ydata()) == [-1.0, -1.0]
    assert w.map_point.get_ydata()[0] == -1.0 and w.y_point.get_xdata()[0] == -1.0
    assert "∂f/∂x = -6.00,  ∂f/∂y = 3.00" in w.caption.value
    w.x_slider.value = 2.0                            # now the y-slice changes
    assert not np.allclose(w.y_curve.get_ydata(), along_y)
    assert list(w.y_cut.get_xdata()) == [2.0, 2.0]
    assert w.x_point.get_xdata()[0] == 2.0 and w.x_point.get_ydata()[0] == pytest.approx(-12.0)
    tx, ty = w.x_tangent.get_data()
    assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == pytest.approx(-12.0)      # 6yx at (2, -1)
    assert w.caption.value == "x = 2.00,  y = -1.00,  f = -12.00,  ∂f/∂x = -12.00,  ∂f/∂y = 12.00"


def test_view_updates_by_blitting_the_moving_artists():
    w = slice_explorer(paper)
    w.live.redraw()
    calls = []
    original = w.live.canvas.blit
    w.live.canvas.blit = lambda *a, **k: (calls.append(1), original(*a, **k))
    w.x_slider.value = 0.5
    assert calls and w.live._background is not None
    for artist in (w.x_curve, w.y_curve, w.x_tangent, w.y_tangent, w.map_point, w.x_cut, w.y_cut):
        assert artist.get_animated()


def test_static_picture_for_readers_without_a_kernel():
    w = slice_explorer("3*x**2*y")
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == w.caption.value
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert w._dom_classes and "mcdl-slices" in w._dom_classes


def test_start_point_outside_the_window_is_clipped_onto_the_sliders():
    w = slice_explorer(paper, x0=10.0, y0=-10.0)
    assert (w.x_slider.value, w.y_slider.value) == (3.0, -3.0)


# --- bad inputs -----------------------------------------------------------------------------------------
def test_not_a_function_is_refused_clearly():
    with pytest.raises(TypeError, match="function"):
        slice_explorer(3.0)
    with pytest.raises(TypeError, match="function"):
        slice_explorer(paper(1.0, 2.0))                # the value, not the function


def test_wrong_number_of_arguments_is_refused_clearly():
    with pytest.raises(TypeError, match="two variables.*takes 3 arguments"):
        slice_explorer(lambda x, y, z: x * y * z)
    with pytest.raises(TypeError, match="two variables.*takes 0 arguments"):
        slice_explorer(lambda: 1.0)


def test_a_one_variable_function_returning_a_vector_is_a_shape_error():
    with pytest.raises(ShapeError, match=r"one number.*shape \(2,\).*lambda x, y"):
        slice_explorer(lambda x: x**2)                 # called with v = [x, y], returns two numbers


def test_a_function_that_raises_type_error_gets_a_clear_message():
    def wants_text(x, y):
        return len(x) * y                              # TypeError: a float has no len()
    with pytest.raises(TypeError, match=r"called your function as f\(x, y\).*two variables"):
        slice_explorer(wants_text)


def test_text_with_other_variables_is_refused():
    with pytest.raises(ValueError, match="z"):
        slice_explorer("x*z")


@pytest.mark.parametrize("kw", [dict(xlim=(1, -1)), dict(ylim=(0, 0)), dict(xlim=(0, np.inf))])
def test_bad_limits(kw):
    with pytest.raises(ValueError, match="low < high"):
        slice_explorer(paper, **kw)


def test_bad_limit_shape():
    with pytest.raises(ShapeError, match="two numbers"):
        slice_explorer(paper, xlim=3)


def test_bad_start_point():
    with pytest.raises(TypeError, match="x0 must be a number"):
        slice_explorer(paper, x0="1")


def test_as_surface_forms():
    assert as_surface(paper).vector is False
    assert as_surface(lambda v: v[0] * v[1]).vector is True
    assert as_surface(np.hypot).vector is False
    s = as_surface("x*y")
    assert s.at(2.0, 3.0) == 6.0
    grid = s.grid(np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]]))
    assert grid.tolist() == [[3.0, 8.0]]


