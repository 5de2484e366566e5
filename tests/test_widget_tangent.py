"""The tangent explorer: its pure state function over the whole slider range, and one short drive of the view."""
import math
import warnings

import numpy as np
import pytest

from mcdl.functions import FunctionError
from mcdl.widgets.tangent import TangentState, tangent_explorer, tangent_state


def cubic(x):
    return x**3 - 2 * x


def test_state_matches_analytic_slope_and_secant():
    s = tangent_state(cubic, 1.5, h=0.5)
    assert isinstance(s, TangentState)
    assert s.slope == pytest.approx(3 * 1.5**2 - 2, rel=1e-8)
    assert s.secant_slope == pytest.approx((cubic(2.0) - cubic(1.5)) / 0.5)
    assert s.caption.startswith("x = 1.50,  f(x) = 0.38,  slope = 4.75")
    xs, ys = s.tangent
    assert ys == pytest.approx(s.y0 + s.slope * (xs - 1.5))


def test_secant_slope_converges_to_slope_as_h_shrinks():
    errors = [abs(tangent_state(np.sin, 0.7, h=h).secant_slope - math.cos(0.7)) for h in (1.0, 0.1, 0.01)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.01


def test_outside_the_domain_the_caption_says_so_and_nothing_is_nan_warned():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = tangent_state(np.log, -0.5, h=0.5)
        t = tangent_state(lambda x: math.log(x), -0.5)          # math raises where numpy returns nan
    for state in (s, t):
        assert "not defined" in state.caption and state.tangent[0].size == 0 and not state.defined


def test_secant_falls_back_to_backward_step_at_domain_edge():
    s = tangent_state(lambda x: np.sqrt(1 - x), 0.9, h=0.5)
    assert s.secant_h == -0.5
    assert math.isfinite(s.secant_slope)


def test_a_rounded_negative_zero_is_printed_as_zero():
    s = tangent_state(cubic, math.sqrt(2) - 1e-4)          # f(x) = -0.0003: shown as 0.00, not -0.00
    assert "f(x) = 0.00," in s.caption and "-0.00" not in s.caption


@pytest.mark.parametrize("f, xlim", [(cubic, (-3, 3)), (np.log, (-1, 3)), (np.sqrt, (-2, 2)),
                                     (lambda x: 1 / x, (-2, 2)), (np.abs, (-2, 2)), ("x**2 - 1", (-3, 3)),
                                     ("1/x", (-2, 2)), (lambda x: math.sqrt(x), (-1, 2))])
def test_state_over_the_whole_slider_range_is_clean(f, xlim):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in np.linspace(*xlim, 61):
            for h in (0.01, 0.5, 2.0):
                s = tangent_state(f, x, h, xlim)
                assert s.caption.startswith(f"x = {x:.2f},".replace("-0.00", "0.00"))
                assert "nan" not in s.caption.lower()


@pytest.mark.view
def test_view_moves_the_tangent_line_and_point_and_every_control_is_named():
    w = tangent_explorer(cubic, x0=0.0)
    assert set(w.controls) == {"x", "h"} and "mcdl-control-x" in w.controls["x"]._dom_classes
    before = np.array(w.tangent_line.get_ydata(), dtype=float).copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in (-3.0, 2.0):
            w.controls["x"].value = x
        w.controls["h"].value = 0.01
    after = np.array(w.tangent_line.get_ydata(), dtype=float)
    assert not np.allclose(before, after)
    assert w.point.get_xdata()[0] == pytest.approx(2.0)
    assert w.caption.value == tangent_state(cubic, 2.0, 0.01).caption and "slope = 10.00" in w.caption.value


def test_bad_function_is_refused_clearly():
    with pytest.raises(TypeError, match="function"):
        tangent_explorer(3.0)
    with pytest.raises(FunctionError, match="takes 2 arguments"):
        tangent_explorer(lambda x, y: x * y)
