"""Headless tests of the tangent explorer: the pure state function and the view, every control driven."""
import math
import warnings

import numpy as np
import pytest

from mcdl.widgets.tangent import tangent_explorer, tangent_state


def cubic(x):
    return x**3 - 2 * x


def test_state_matches_analytic_slope_and_secant():
    s = tangent_state(cubic, 1.5, h=0.5)
    assert s["slope"] == pytest.approx(3 * 1.5**2 - 2, rel=1e-8)
    assert s["secant_slope"] == pytest.approx((cubic(2.0) - cubic(1.5)) / 0.5)
    assert s["caption"].startswith("x = 1.50,  f(x) = 0.38,  slope = 4.75")
    xs, ys = s["tangent"]
    assert ys == pytest.approx(s["y0"] + s["slope"] * (xs - 1.5))


def test_secant_slope_converges_to_slope_as_h_shrinks():
    errors = [abs(tangent_state(np.sin, 0.7, h=h)["secant_slope"] - math.cos(0.7)) for h in (1.0, 0.1, 0.01)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.01


def test_outside_the_domain_the_caption_says_so_and_nothing_is_nan_warned():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = tangent_state(np.log, -0.5, h=0.5)
    assert "not defined" in s["caption"]
    assert s["tangent"][0].size == 0


def test_secant_falls_back_to_backward_step_at_domain_edge():
    s = tangent_state(lambda x: np.sqrt(1 - x), 0.9, h=0.5)
    assert s["secant_h"] == -0.5
    assert math.isfinite(s["secant_slope"])


@pytest.mark.parametrize("f, xlim", [(cubic, (-3, 3)), (np.log, (-1, 3)), (np.sqrt, (-2, 2)),
                                     (lambda x: 1 / x, (-2, 2)), (np.abs, (-2, 2)), ("x**2 - 1", (-3, 3))])
def test_view_every_slider_position_is_clean(f, xlim):
    w = tangent_explorer(f, x0=1.0, xlim=xlim)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in np.linspace(w.x_slider.min, w.x_slider.max, 41):
            w.x_slider.value = float(x)
            assert w.caption.value.startswith(f"x = {w.x_slider.value:.2f},")
            assert "nan" not in w.caption.value.lower()
        for h in np.linspace(w.h_slider.min, w.h_slider.max, 21):
            w.h_slider.value = float(h)
            assert "nan" not in w.caption.value.lower()


def test_view_moves_the_tangent_line_and_point():
    w = tangent_explorer(cubic, x0=0.0)
    before = np.array(w.tangent_line.get_ydata(), dtype=float).copy()
    w.x_slider.value = 2.0
    after = np.array(w.tangent_line.get_ydata(), dtype=float)
    assert not np.allclose(before, after)
    assert w.point.get_xdata()[0] == pytest.approx(2.0)
    assert "slope = 10.00" in w.caption.value


def test_static_picture_for_readers_without_a_kernel():
    w = tangent_explorer(cubic)
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == w.caption.value
    import base64
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_function_is_refused_clearly():
    with pytest.raises(TypeError, match="function"):
        tangent_explorer(3.0)
