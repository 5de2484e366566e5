"""Chapter 07's sum explorer: y = sum(f(x)) and its gradient, the column sums of f's Jacobian.

The pure state function is checked against the paper's examples 16 (sum(x) -> 1ᵀ), 17 (sum(x z) -> [z, …, z]
and sum(x)), 25 and 26 (w·x -> xᵀ and wᵀ) and hand-derived rows for coupled f, over the whole slider range;
then one short drive of the view.
"""
import math
import warnings

import numpy as np
import pytest

import mcdl
from mcdl.functions import FunctionError
from mcdl.shapes import ShapeError
from mcdl.widgets.base import MISTAKE_PREFIX
from mcdl.widgets.reduction import CASES, SumState, bar_limits, sum_explorer, sum_state


def clean(text):
    low = text.lower()
    return "nan" not in low and "inf" not in low and "-0.00" not in text


X = np.array([1.0, 2.0, 3.0])


# --- the paper's examples ------------------------------------------------------------------------------
@pytest.mark.parametrize("x", [X, np.array([-2.5, 0.0, 0.7, 4.0]), np.array([5.0])])
def test_paper_example_16_sum_gives_the_row_of_ones(x):
    s = sum_state(lambda v: v, x)
    n = x.size
    assert isinstance(s, SumState) and s.grad.shape == (1, n)            # a row, not a column
    np.testing.assert_allclose(s.grad, np.ones((1, n)), rtol=1e-9)
    np.testing.assert_allclose(s.J, np.eye(n), atol=1e-9)               # f(x) = x: the identity
    assert s.y == pytest.approx(x.sum()) and s.diagonal
    np.testing.assert_allclose(s.grad, mcdl.elementwise.vector_sum_gradient(x))


def test_paper_example_16_caption():
    assert sum_state(CASES["sum"], X).caption == "x = [1.00, 2.00, 3.00],  y = 6.00,  ∂y/∂x = [1.00, 1.00, 1.00] (1×3 row)"


@pytest.mark.parametrize("z", [3.0, -1.5, 0.0])
def test_paper_example_17_sum_xz_wrt_x_and_z(z):
    x = np.array([1.0, -2.0, 4.0, 0.5])
    s = sum_state(CASES["sum-scalar-product"], x, z=z)
    np.testing.assert_allclose(s.grad, np.full((1, 4), z), atol=1e-9)      # [z, z, …, z]
    np.testing.assert_allclose(s.J, z * np.eye(4), atol=1e-9)             # ∂(xz)/∂x = I z
    assert s.dy_dz.shape == (1, 1)                                          # a scalar: 1×1
    assert s.dy_dz[0, 0] == pytest.approx(x.sum(), rel=1e-9)               # sum(x)
    np.testing.assert_allclose(s.J_z, x[:, None], rtol=1e-9)               # ∂(xz)/∂z = x, a column
    assert s.y == pytest.approx(x.sum() * z, abs=1e-12)


def test_paper_example_17_caption_shows_both_derivatives():
    assert sum_state(CASES["sum-scalar-product"], X, z=2.0).caption == (
        "x = [1.00, 2.00, 3.00],  z = 2.00,  y = 12.00,  ∂y/∂x = [2.00, 2.00, 2.00] (1×3 row),  ∂y/∂z = 6.00 (1×1)")


@pytest.mark.parametrize("w, x", [([2.0, -1.0, 0.5], [1.0, 2.0, 3.0]), ([0.3, 0.0, -4.0, 1.0], [-1.0, 2.5, 0.0, 2.0])])
def test_paper_examples_25_and_26_dot_product(w, x):
    w, x = np.array(w), np.array(x)
    s = sum_state(CASES["dot-product"], x, w=w)
    np.testing.assert_allclose(s.grad, w[None, :], atol=1e-9)             # ex. 26: ∂y/∂x = 1ᵀ diag(w) = wᵀ
    np.testing.assert_allclose(s.dy_dw, x[None, :], atol=1e-9)            # ex. 25: ∂y/∂w = 1ᵀ diag(x) = xᵀ
    np.testing.assert_allclose(s.J, np.diag(w), atol=1e-9)
    np.testing.assert_allclose(s.J_w, np.diag(x), atol=1e-9)
    assert s.y == pytest.approx(np.dot(w, x))
    np.testing.assert_allclose(s.grad, mcdl.elementwise.dot_jacobian_x(w, x), atol=1e-9)
    np.testing.assert_allclose(s.dy_dw, mcdl.elementwise.dot_jacobian_w(w, x), atol=1e-9)


# the gradient rows the paper's rules give, to compare with the numeric column sums
RULES = {
    "sum": lambda x, p: np.ones_like(x),
    "sum-scalar-product": lambda x, z: np.full_like(x, z),
    "square": lambda x, p: 2 * x,
    "cyclic": lambda x, p: np.roll(x, -1) + np.roll(x, 1) if x.size > 1 else 2 * x,
    "times-sum": lambda x, p: np.full_like(x, 2 * x.sum()),
    "dot-product": lambda x, w: w,
}


@pytest.mark.parametrize("key", list(CASES))
def test_every_case_over_the_whole_slider_range_follows_the_paper_s_rule(key):
    """Every n, each entry of x (and z or w) at the slider's ends and steps, the rest random in the box."""
    case, rng = CASES[key], np.random.default_rng(0)
    grid = np.round(np.arange(-3.0, 3.05, 0.5), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in range(1, 6):
            for v in grid:
                x = np.round(rng.uniform(-3, 3, n), 1)
                x[rng.integers(n)] = v
                p = {"z": v} if case.param == "z" else {"w": np.round(rng.uniform(-3, 3, n), 1)} \
                    if case.param == "w" else {}
                s = sum_state(case, x, **p, check=True)
                assert s.defined and clean(s.caption) and s.caption.startswith("x = [")
                np.testing.assert_allclose(s.grad[0], RULES[key](x, next(iter(p.values()), None)), atol=1e-7)
                np.testing.assert_allclose(s.grad, s.J.sum(axis=0, keepdims=True))      # the column sums
                assert s.check_error < 1e-6 * max(1.0, np.max(np.abs(s.grad)))          # = ∂y/∂x of y itself


# --- coupled f: the Jacobian is not diagonal and every entry of a column counts --------------------------
def test_cyclic_products_gradient_is_the_sum_of_both_neighbours():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    s = sum_state(CASES["cyclic"], x)
    np.testing.assert_allclose(s.grad, (np.roll(x, -1) + np.roll(x, 1))[None, :], rtol=1e-9)   # xⱼ₊₁ + xⱼ₋₁
    assert not s.diagonal
    assert not np.allclose(s.grad.ravel(), np.diag(s.J))                  # the diagonal alone is wrong


def test_times_sum_jacobian():
    x = np.array([1.0, -2.0, 0.5])
    s = sum_state(CASES["times-sum"], x)
    np.testing.assert_allclose(s.J, x.sum() * np.eye(3) + x[:, None], rtol=1e-9)   # δᵢⱼ s + xᵢ


def test_square_gradient_checks_against_y_itself():
    x = np.array([-1.5, 0.0, 2.0])
    s = sum_state(CASES["square"], x, check=True)
    np.testing.assert_allclose(s.grad_check, mcdl.jacobian(lambda v: np.sum(v ** 2), x), atol=1e-9)
    assert s.diagonal and s.J[0, 1] == 0.0                                 # round-off shown as an exact zero


def test_non_square_f_sums_over_its_results_not_over_x():
    s = sum_state(lambda v: np.array([v[0] * v[1], v[1] + v[2]]), X)      # 2 results of 3 inputs
    assert s.m == 2 and s.J.shape == (2, 3) and not s.diagonal
    np.testing.assert_allclose(s.grad, [[2.0, 2.0, 1.0]], rtol=1e-9)
    assert s.y == pytest.approx(2.0 + 5.0)


# --- what a learner may pass ------------------------------------------------------------------------------
@pytest.mark.parametrize("f", [lambda v: v * np.roll(v, -1), "x1*x2, x2*x3, x3*x1"], ids=["python", "text"])
def test_learner_function_forms_agree(f):
    np.testing.assert_allclose(sum_state(f, X).grad, [[5.0, 4.0, 3.0]], rtol=1e-8)


def test_elementwise_text_applies_to_each_entry():
    s = sum_state("x**2 + sin(x)", X)
    np.testing.assert_allclose(s.grad, (2 * X + np.cos(X))[None, :], rtol=1e-8)
    assert sum_explorer("x**2 + sin(x)").cases["yours"].formula == "fᵢ = xᵢ**2 + sin(xᵢ)"


def test_component_text_fixes_n():
    w = sum_explorer("x1*x2, x2*x3")
    assert w.controls["n"].value == 3 and w.controls["n"].disabled and not w.active("n")
    assert w.cases["yours"].formula == "f = (x1*x2, x2*x3)"


@pytest.mark.parametrize("f, error, match", [
    (3.0, TypeError, "function"),
    (lambda x, y: x, FunctionError, "takes 2 arguments"),
    ("x**2 + q", ValueError, "q"),
    ("x1*x9", ValueError, "x1 … x5"),
    (lambda v: v[7], FunctionError, "raised IndexError at x = .*It should be"),
    (lambda v: np.outer(v, v), FunctionError, r"returned shape \(3, 3\)"),
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


def test_outside_the_domain_the_caption_says_so_quietly_whichever_log_it_uses():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in (np.log, lambda x: np.array([math.log(v) for v in x])):
            s = sum_state(f, np.array([-1.0, 2.0]))
            assert s.caption == "x = [-1.00, 2.00],  f is not defined here" and not s.defined
        s = sum_state(np.sqrt, np.array([0.0, 2.0]))                       # on the edge: no derivative
    assert s.caption == "x = [0.00, 2.00],  y = 1.41,  ∂y/∂x is undefined here (f is not differentiable at x)"


def test_a_rounded_negative_zero_is_printed_as_zero():
    s = sum_state(CASES["sum"], np.array([-0.001, 1.0]))
    assert s.caption.startswith("x = [0.00, 1.00],  y = 1.00")


# --- the view ---------------------------------------------------------------------------------------------
@pytest.mark.view
def test_view_drive_every_kind_of_control():
    w = sum_explorer(case="cyclic")
    c = w.controls
    assert tuple(c) == ("case", "n", "x1", "x2", "x3", "x4", "x5", "w1", "w2", "w3", "w4", "w5", "z")
    assert w.caption.value == "x = [1.00, 2.00, 3.00],  y = 11.00,  ∂y/∂x = [5.00, 4.00, 3.00] (1×3 row)"
    heights = [bar.get_height() for bar in w.bars]
    ylim = w.bar_ax.get_ylim()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c["x2"].value = -1.0
        assert [bar.get_height() for bar in w.bars] != heights
        assert ylim == (0.0, 15.0) and w.bar_ax.get_ylim() == (-4.0, 4.0)      # scaled to the bars, in steps
        assert w.bars[-1].get_height() == pytest.approx(w.current.y)
        np.testing.assert_allclose(w.row_map.values, w.jac_map.values.sum(axis=0, keepdims=True))
        assert w.caption.value == "x = [1.00, -1.00, 3.00],  y = -1.00,  ∂y/∂x = [2.00, 4.00, 0.00] (1×3 row)"
        assert [t.get_text() for t in w.row_map.texts] == ["2.00", "4.00", "0"]
        assert "every entry of a column counts" in w.note.value
        caption = w.caption.value
        for name in ("x4", "w1", "z"):                      # hidden for this case and n: nothing shown changes
            c[name].value = 0.5
            assert w.caption.value == caption and not w.active(name)
        c["n"].value = 5
        assert len(w.x_box.children) == 5 and w.jac_map.shape == (5, 5) and w.row_map.shape == (1, 5)
        assert w.caption.value == sum_state(CASES["cyclic"], [1.0, -1.0, 3.0, 0.5, -2.0]).caption
        c["n"].value = 3
        c["case"].value = "sum-scalar-product"
        assert w.p_box.children == (c["z"],)
        c["z"].value = -1.0
        assert "∂y/∂z = 3.00 (1×1)" in w.caption.value and "∂y/∂z = sum(x) = 3.00" in w.note.value
        c["case"].value = "dot-product"
        assert w.p_box.children == (c["w1"], c["w2"], c["w3"])
        c["w1"].value = 0.0
    assert w.caption.value == sum_state(CASES["dot-product"], [1.0, -1.0, 3.0], w=[0.0, -1.0, 0.5]).caption
    assert "∂y/∂w = xᵀ = [1.00, -1.00, 3.00]" in w.note.value


@pytest.mark.view
def test_view_reports_a_learner_function_that_fails_for_some_n_and_recovers():
    w = sum_explorer(lambda v: v * v[2])                       # needs at least 3 entries
    c = w.controls
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c["n"].value = 2
        assert w.caption.value.startswith(MISTAKE_PREFIX + "your f raised IndexError at x = ")
        assert w.current is None
        c["x1"].value = 0.5                                    # still the mistake, quietly
        c["n"].value = 4
    assert w.current.defined and w.caption.value.startswith("x = [0.50, 2.00, 3.00, -1.00],  y = ")
    assert w.jac_map.shape == (4, 4) and len(w.bars) == 5


@pytest.mark.view
def test_view_a_learner_function_whose_output_size_changes_rebuilds_the_figure():
    w = sum_explorer(lambda v: v[: 2 if v[0] > 0 else 3])
    assert w.jac_map.shape == (2, 3) and len(w.bars) == 3
    w.controls["x1"].value = -1.0
    assert w.jac_map.shape == (3, 3) and len(w.bars) == 4 and w.current.m == 3


@pytest.mark.view
def test_view_with_a_restricted_domain_says_not_defined():
    w = sum_explorer(lambda v: np.log(v + 1) + np.sqrt(v))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w.controls["x1"].value = -1.0
        assert w.caption.value == "x = [-1.00, 2.00, 3.00],  f is not defined here"
        assert [t.get_text() for t in w.bar_texts] == ["–"] * 4
        w.controls["x1"].value = 0.0
    assert "∂y/∂x is undefined here" in w.caption.value


def test_a_learner_function_that_changes_its_argument_leaves_the_sliders_alone():
    def f(x):
        x *= 2
        return x
    w = sum_explorer(f)
    w.controls["x1"].value = 1.5
    assert [w.controls[k].value for k in ("x1", "x2", "x3")] == [1.5, 2.0, 3.0]
    assert w.caption.value.startswith("x = [1.50, 2.00, 3.00],  y = 13.00,  ∂y/∂x = [2.00, 2.00, 2.00]")


def test_public_name_loads_lazily_from_mcdl():
    assert mcdl.sum_explorer is sum_explorer


def test_the_self_check_is_left_out_unless_asked_for():
    s = sum_state(CASES["cyclic"], X)                      # what the explorer computes on every move
    assert np.all(np.isnan(s.grad_check)) and math.isnan(s.check_error) and s.defined


def test_bar_limits_fit_the_data_with_round_bounds_that_change_in_steps():
    assert bar_limits([1.0, 2.0, 3.0, 6.0]) == (0.0, 8.0)                  # not ±10 for bars up to 6
    assert bar_limits([5.0, -7.0, 3.0, 1.0]) == (-10.0, 6.0)
    assert bar_limits([-1.0, -2.0]) == (-2.5, 0.0)
    assert bar_limits([0.01, 0.02]) == (0.0, 1.0) and bar_limits([0.0, 0.0]) == (0.0, 1.0)   # a minimum span
    assert bar_limits([120.0, 3.0]) == (0.0, 150.0) and bar_limits([np.nan, 2.0]) == (0.0, 2.5)
    shown = bar_limits([6.0])                                              # (0, 8)
    assert bar_limits([6.5], shown) == shown and bar_limits([4.0], shown) == shown     # small drags: kept
    assert bar_limits([7.5], shown) == (0.0, 10.0)                          # outgrown: the next round bound
    assert bar_limits([1.0], shown) == (0.0, 1.5)                           # shrunk well inside: rescaled
    assert bar_limits([6.0, -0.5], shown) == (-1.0, 8.0)                    # a negative bar needs room below
    s = sum_state(CASES["square"], [1.0, 2.0, 3.0])
    assert s.bar_lim == bar_limits(np.append(s.fx, s.y)) == (0.0, 20.0)
