"""The slice explorer (paper §3): its pure state function over the whole slider range, and one short drive of
the view."""
import math
import warnings

import numpy as np
import pytest

from mcdl.functions import FunctionError, learner_function
from mcdl.shapes import ShapeError
from mcdl.widgets.partials import SliceState, panel_limits, slice_explorer, slice_state


def paper(x, y):                                   # paper example 9: f(x, y) = 3x²y
    return 3 * x**2 * y


# --- the pure state function ------------------------------------------------------------------------
@pytest.mark.parametrize("f", [paper, "3*x**2*y", lambda v: 3 * v[0]**2 * v[1]],
                         ids=["function of (x, y)", "text", "function of a vector"])
def test_paper_example_9_at_1_2(f):
    s = slice_state(f, 1.0, 2.0)
    assert isinstance(s, SliceState) and s.defined
    assert s.value == pytest.approx(6.0)
    assert s.dfdx == pytest.approx(12.0, rel=1e-8)             # 6yx
    assert s.dfdy == pytest.approx(3.0, rel=1e-8)              # 3x²
    assert s.caption == "x = 1.00,  y = 2.00,  f = 6.00,  ∂f/∂x = 12.00,  ∂f/∂y = 3.00"


def test_partials_match_the_analytic_ones_everywhere():
    rng = np.random.default_rng(0)
    for x, y in rng.uniform(-3, 3, size=(25, 2)):
        s = slice_state(paper, x, y)
        assert s.dfdx == pytest.approx(6 * y * x, rel=1e-7, abs=1e-7)
        assert s.dfdy == pytest.approx(3 * x**2, rel=1e-7, abs=1e-7)


def test_slices_hold_the_other_variable_constant_and_tangents_have_the_partials_as_slopes():
    s = slice_state(paper, -1.5, 0.5, xlim=(-2, 2), ylim=(-1, 3))
    xs, along_x = s.x_slice
    ys, along_y = s.y_slice
    assert xs[0] == -2 and xs[-1] == 2 and ys[0] == -1 and ys[-1] == 3
    assert along_x == pytest.approx(3 * xs**2 * 0.5)           # y held at 0.5
    assert along_y == pytest.approx(3 * 1.5**2 * ys)           # x held at -1.5
    tx, ty = s.x_tangent
    assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == pytest.approx(6 * 0.5 * -1.5)
    assert ty == pytest.approx(s.value + s.dfdx * (tx + 1.5))
    ux, uy = s.y_tangent
    assert (uy[1] - uy[0]) / (ux[1] - ux[0]) == pytest.approx(3 * 1.5**2)
    assert uy == pytest.approx(s.value + s.dfdy * (ux - 0.5))


def test_the_other_variable_really_is_a_constant():
    # f = x²y + sin(y): the sin(y) term shifts the x-slice up or down but never changes its slope
    for y in (-2.0, 0.3, 1.7):
        s = slice_state("x**2*y + sin(y)", 0.8, y)
        assert s.dfdx == pytest.approx(2 * 0.8 * y, abs=1e-8)
        assert s.dfdy == pytest.approx(0.8**2 + math.cos(y), abs=1e-8)


def test_no_minus_zero_in_captions():
    s = slice_state(paper, 0.0, -1.0)                # ∂f/∂x = 6yx = -0.0
    assert "-0.00" not in s.caption and "∂f/∂x = 0.00" in s.caption
    s = slice_state(paper, -0.001, 1.0)              # x = -0.001 prints 0.00 (and f = 3e-6 too)
    assert s.caption.startswith("x = 0.00,  y = 1.00,  f = 0.00,")


def test_outside_the_domain_the_caption_says_so_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = slice_state(lambda x, y: np.log(x * y), -1.0, 1.0)
        t = slice_state(lambda x, y: math.log(x * y), -1.0, 1.0)        # math raises where numpy gives nan
        edge = slice_state(lambda x, y: np.sqrt(x * y), 0.0, 1.0)       # defined, but not differentiable in x
    for state in (s, t):
        assert state.caption == "x = -1.00,  y = 1.00,  f is not defined here" and not state.defined
        assert state.x_tangent[0].size == 0 and math.isnan(state.dfdx)
        xs, along_x = state.x_slice                  # the slice is still drawn where f is defined
        assert np.isnan(along_x[xs < 0]).all() and np.isfinite(along_x[xs > 0]).all()
    assert "f = 0.00" in edge.caption and "∂f/∂x = undefined" in edge.caption
    assert "∂f/∂y = 0.00" in edge.caption and edge.y_tangent[0].size == 2     # one partial without the other


def test_a_scalar_only_python_function_works():
    def f(x, y):                                     # math.* refuses arrays: sampled point by point
        return math.sin(x) * math.exp(y)
    s = slice_state(f, 0.5, 0.2)
    assert s.dfdx == pytest.approx(math.cos(0.5) * math.exp(0.2), rel=1e-7)
    assert s.dfdy == pytest.approx(f(0.5, 0.2), rel=1e-7)
    assert np.isfinite(s.x_slice[1]).all()


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
def test_state_over_the_whole_slider_box_is_clean(f, xlim, ylim):
    F = learner_function(f, "surface")               # as the view passes it: text is parsed once
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in np.linspace(*xlim, 19):
            for y in np.linspace(*ylim, 9):
                s = slice_state(F, x, y, xlim, ylim, num=51)
                assert s.caption.startswith(f"x = {x:.2f},  y = {y:.2f},".replace("-0.00", "0.00")), s.caption
                low = s.caption.lower()
                assert "nan" not in low and "inf" not in low and "-0.00" not in s.caption, s.caption
                assert s.defined == ("not defined" not in s.caption)


# --- the view: one short drive ------------------------------------------------------------------------
@pytest.mark.view
def test_view_moves_the_point_the_cuts_and_the_slices_by_blitting():
    w = slice_explorer(paper, x0=1.0, y0=2.0)
    assert list(w.controls) == ["x0", "y0"] and "mcdl-slices" in w._dom_classes
    assert w.caption.value == slice_state(paper, 1.0, 2.0).caption
    limits = [ax.get_ylim() for ax in (w.ax_x, w.ax_y)] + [w.ax_map.get_xlim(), w.ax_map.get_ylim()]
    along_x = np.array(w.x_curve.get_ydata(), dtype=float).copy()
    along_y = np.array(w.y_curve.get_ydata(), dtype=float).copy()
    w.live.redraw()
    calls = []
    original = w.live.canvas.blit
    w.live.canvas.blit = lambda *a, **k: (calls.append(1), original(*a, **k))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w.controls["y0"].value = -1.0                # the x-slice changes, the y-slice does not
        assert not np.allclose(w.x_curve.get_ydata(), along_x)
        assert np.allclose(w.y_curve.get_ydata(), along_y)
        assert list(w.x_cut.get_ydata()) == [-1.0, -1.0]
        assert w.map_point.get_ydata()[0] == -1.0 and w.y_point.get_xdata()[0] == -1.0
        assert "∂f/∂x = -6.00,  ∂f/∂y = 3.00" in w.caption.value
        w.controls["x0"].value = 2.0                 # now the y-slice changes
    assert calls and all(a.get_animated() for a in (w.x_curve, w.y_curve, w.x_tangent, w.map_point, w.x_cut))
    assert not np.allclose(w.y_curve.get_ydata(), along_y)
    assert list(w.y_cut.get_xdata()) == [2.0, 2.0]
    assert w.x_point.get_xdata()[0] == 2.0 and w.x_point.get_ydata()[0] == pytest.approx(-12.0)
    tx, ty = w.x_tangent.get_data()
    assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == pytest.approx(-12.0)      # 6yx at (2, -1)
    assert w.caption.value == "x = 2.00,  y = -1.00,  f = -12.00,  ∂f/∂x = -12.00,  ∂f/∂y = 12.00"
    # the map's axes are fixed; each slice panel is on its own limits, the state's
    assert [w.ax_map.get_xlim(), w.ax_map.get_ylim()] == limits[2:]
    assert (w.ax_x.get_ylim(), w.ax_y.get_ylim()) == (w.current.x_ylim, w.current.y_ylim)
    assert limits[:2] == [slice_state(paper, 1.0, 2.0).x_ylim, slice_state(paper, 1.0, 2.0).y_ylim]


def test_each_slice_panel_is_scaled_to_its_own_slice():
    s = slice_state(paper, 1.0, 2.0)                 # slices 6x² (0 … 54) and 3y (−9 … 9): slopes 12 and 3
    for (xs, ys), (lo, hi) in ((s.x_slice, s.x_ylim), (s.y_slice, s.y_ylim)):
        assert lo < np.nanmin(ys) and np.nanmax(ys) < hi                  # the whole slice, with margins
        assert hi - lo < 1.6 * (np.nanmax(ys) - np.nanmin(ys))            # ... and not much more
    assert s.y_ylim[1] - s.y_ylim[0] < 0.5 * (s.x_ylim[1] - s.x_ylim[0])
    assert panel_limits([5.0] * 10) == pytest.approx(panel_limits([5.0] * 10))      # a constant slice: finite
    lo, hi = panel_limits([5.0] * 10)
    assert lo < 5.0 < hi and np.isfinite([lo, hi]).all()
    assert panel_limits([np.nan, np.nan]) == (-1.0, 1.0)
    # the limits move in steps (round tick marks), not on every slider move
    steps = {slice_state(paper, 1.0, y).y_ylim for y in np.linspace(2.0, 2.2, 5)}
    assert len(steps) <= 2


@pytest.mark.view
def test_view_outside_the_domain_hides_the_points_and_clips_the_start_onto_the_sliders():
    w = slice_explorer(lambda x, y: np.log(x * y), x0=10.0, y0=-10.0, xlim=(-2, 3), ylim=(-2, 3))
    assert (w.controls["x0"].value, w.controls["y0"].value) == (3.0, -2.0)
    assert w.caption.value == "x = 3.00,  y = -2.00,  f is not defined here"
    assert len(w.x_point.get_xdata()) == 0 and len(w.x_tangent.get_xdata()) == 0
    w.controls["y0"].value = 1.0
    assert len(w.x_point.get_xdata()) == 1 and "f = 1.10" in w.caption.value


def test_the_map_title_is_the_formula_of_text_or_the_label():
    assert slice_explorer("x*y").ax_map.get_title() == "f(x, y) = x*y"
    assert slice_explorer(paper).ax_map.get_title() == "f(x, y)"
    assert slice_explorer(paper, label="3x²y").ax_map.get_title() == "3x²y"


# --- bad inputs -----------------------------------------------------------------------------------------
def test_not_a_function_is_refused_clearly():
    with pytest.raises(TypeError, match="function"):
        slice_explorer(3.0)
    with pytest.raises(TypeError, match="function"):
        slice_explorer(paper(1.0, 2.0))                # the value, not the function


def test_wrong_number_of_arguments_is_refused_clearly():
    with pytest.raises(FunctionError, match=r"takes 3 arguments.*f\(x, y\) of two numbers"):
        slice_explorer(lambda x, y, z: x * y * z)
    with pytest.raises(FunctionError, match="takes 0 arguments"):
        slice_explorer(lambda: 1.0)


def test_a_one_variable_function_returning_a_vector_is_refused_with_a_hint():
    with pytest.raises(FunctionError, match=r"returned 2 values.*not one number.*lambda x, y"):
        slice_explorer(lambda x: x**2)                 # called with v = [x, y], returns two numbers


def test_a_function_that_raises_gets_the_one_message():
    def wants_text(x, y):
        return len(x) * y                              # TypeError: a float has no len()
    with pytest.raises(FunctionError, match=r"your f raised TypeError at x = 1\.0, y = 2\.0.*It should be"):
        slice_explorer(wants_text)


def test_text_with_other_variables_is_refused():
    with pytest.raises(ValueError, match="z"):
        slice_explorer("x*z")


@pytest.mark.parametrize("kw", [dict(xlim=(1, -1)), dict(ylim=(0, 0)), dict(xlim=(0, np.inf))])
def test_bad_limits(kw):
    with pytest.raises(ValueError, match="low < high"):
        slice_explorer(paper, **kw)
    with pytest.raises(ValueError, match="low < high"):
        slice_state(paper, 0.0, 0.0, **kw)


def test_bad_limit_shape():
    with pytest.raises(ShapeError, match="two numbers"):
        slice_explorer(paper, xlim=3)


def test_bad_start_point():
    with pytest.raises(TypeError, match="x0 must be a number"):
        slice_explorer(paper, x0="1")
    with pytest.raises(TypeError, match="y0 must be a number"):
        slice_explorer(paper, y0=True)
