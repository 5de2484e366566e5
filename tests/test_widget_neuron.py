"""The neuron explorer (chapter 09): its pure state function across the slider box, and the view driven headless."""
import warnings

import numpy as np
import pytest

from mcdl.widgets.base import box_points
from mcdl.widgets.neuron import NeuronState, _switch_line, neuron_explorer, neuron_state

BOX = {"w1": (-2.0, 2.0), "w2": (-2.0, 2.0), "b": (-3.0, 3.0), "x1": (-3.0, 3.0), "x2": (-3.0, 3.0)}


def test_active_and_inactive_branches():
    on = neuron_state(1.0, -0.5, 0.5, 1.0, 1.5)
    assert isinstance(on, NeuronState) and on.active
    assert on.z == pytest.approx(0.75) and on.a == pytest.approx(0.75)
    assert on.grad_w == pytest.approx((1.0, 1.5)) and on.grad_b == 1.0     # xᵀ and 1
    assert on.agrees and on.caption.startswith("z = w·x + b = 0.75 > 0: active, activation = 0.75")
    assert "∂a/∂w = xᵀ = [1.00, 1.50],  ∂a/∂b = 1;  numeric check: agrees" in on.caption
    off = neuron_state(1.0, -0.5, -1.5, -1.5, 1.5)
    assert not off.active and off.a == 0.0 and off.grad_w == (0.0, 0.0) and off.grad_b == 0.0   # 0ᵀ and 0
    assert off.agrees and "≤ 0: inactive" in off.caption and "∂a/∂w = 0ᵀ" in off.caption


def test_on_the_kink_the_caption_says_the_paper_takes_zero():
    kink = neuron_state(1.0, 1.0, 0.0, 0.5, -0.5)
    assert kink.on_kink and not kink.active and kink.agrees is None
    assert kink.grad_w == (0.0, 0.0) and "on the kink" in kink.caption and "nan" not in kink.caption.lower()


def test_every_point_of_the_slider_box_agrees_with_finite_differences():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for point in box_points(BOX, samples=150, seed=9, include={"w1": 0.05, "w2": 0.0, "b": 0.01,
                                                                    "x1": 0.1, "x2": 3.0}):
            state = neuron_state(**point)
            assert state.agrees in (True, None), (point, state.caption)
            assert "DISAGREES" not in state.caption


def test_switch_line_lies_on_w_dot_x_plus_b_equals_zero():
    for w, b in [((1.0, -0.5), 0.5), ((0.0, 2.0), 1.0), ((2.0, 0.0), -1.0)]:
        xs, ys = _switch_line(w, b)
        np.testing.assert_allclose(w[0] * xs + w[1] * ys + b, 0.0, atol=1e-12)
    assert _switch_line((0.0, 0.0), 1.0)[0].size == 0


def test_the_view_follows_the_sliders():
    e = neuron_explorer()
    before = e.caption.value
    masked_before = int(np.ma.count_masked(e.image.get_array()))
    e.controls["b"].value = -2.0
    assert e.caption.value != before and e.caption.value == e.current.caption
    assert int(np.ma.count_masked(e.image.get_array())) > masked_before     # more of the plane is inactive
    e.controls["x1"].value = -3.0
    assert not e.current.active and e.slope.get_ydata().tolist() == [0.0, 0.0]
    xs, ys = e.switch.get_data()
    np.testing.assert_allclose(e.current.w[0] * xs + e.current.w[1] * ys + e.current.b, 0.0, atol=1e-9)
    assert e.point.get_data()[0][0] == -3.0
