"""Chapter 06's scalar-expansion explorer (paper §4.3, example 15): the pure state function over the whole slider
range, against the analytic derivatives (I, 1; Iz, x) of mcdl.elementwise, and one short drive of the view."""
import math
import warnings

import numpy as np
import pytest

import mcdl
from mcdl.elementwise import ADD_SCALAR, MULTIPLY_SCALAR, OPERATORS
from mcdl.functions import FunctionError
from mcdl.shapes import ShapeError
from mcdl.widgets.base import MISTAKE_PREFIX
from mcdl.widgets.expansion import ExpansionState, colour_scale, expansion_explorer, expansion_state


def clean(text):
    low = text.lower()
    return "nan" not in low and "inf" not in low and "-0.00" not in text


# --- the state: paper example 15 ----------------------------------------------------------------------
@pytest.mark.parametrize("x, z", [([1.0, 2.0, 3.0], 2.0), ([-0.5, 0.0, 4.0, 1e-3], -1.5), ([2.5], 0.3),
                                  (np.linspace(-2, 2, 5), 0.0)])
def test_paper_example_15_x_plus_z(x, z):
    """∂(x + z)/∂x = I (n×n) and ∂(x + z)/∂z = 1, an n×1 column."""
    s = expansion_state("+", x, z)
    n = len(x)
    assert isinstance(s, ExpansionState)
    np.testing.assert_allclose(s.y, np.asarray(x) + z)
    np.testing.assert_allclose(s.J_x, np.eye(n), atol=1e-8)
    np.testing.assert_allclose(s.J_z, np.ones((n, 1)), atol=1e-8)
    assert s.J_x.shape == (n, n) and s.J_z.shape == (n, 1) and s.shapes == {"J_x": (n, n), "J_z": (n, 1)}
    np.testing.assert_array_equal(s.J_x_exact, np.eye(n))
    np.testing.assert_array_equal(s.J_z_exact, np.ones((n, 1)))
    assert s.names == ("I", "1") and s.diagonal and s.error < 1e-7


@pytest.mark.parametrize("x, z", [([1.0, 2.0, 3.0], 2.0), ([-0.5, 0.0, 4.0, 1e-3], -1.5), ([2.5], 0.3),
                                  (np.linspace(-2, 2, 5), 0.0)])
def test_paper_example_15_x_times_z(x, z):
    """∂(x z)/∂x = Iz (z on the diagonal, not x) and ∂(x z)/∂z = x, an n×1 column."""
    s = expansion_state("*", x, z)
    n = len(x)
    x = np.asarray(x, dtype=float)
    np.testing.assert_allclose(s.y, x * z)
    np.testing.assert_allclose(s.J_x, np.eye(n) * z, atol=1e-8)
    np.testing.assert_allclose(s.J_z, x[:, None], atol=1e-8)
    np.testing.assert_allclose(s.J_x_exact, np.eye(n) * z)
    np.testing.assert_allclose(s.J_z_exact, x[:, None])
    assert s.names == ("Iz", "x") and s.diagonal and s.error < 1e-7


@pytest.mark.parametrize("symbol", list(OPERATORS))
def test_every_operator_over_the_whole_slider_range_is_clean_and_exact(symbol):
    """Every n, z at each slider step (−3 … 3 by 0.1), x random in the box: the numeric derivatives are the
    exact ones of mcdl.elementwise, the caption names them, nothing warns."""
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in range(1, 6):
            for z in np.round(np.arange(-3.0, 3.05, 0.1), 1):
                x = np.round(rng.uniform(-3, 3, n), 1)
                s = expansion_state(symbol, x, z)
                assert clean(s.caption) and s.caption.startswith(f"op = {symbol},  z = {z:.2f}".replace("-0.00", "0.00"))
                if symbol == "⊘" and z == 0:
                    assert s.caption.endswith("it divides by z = 0")
                    continue
                assert s.error < 1e-6 * max(1.0, np.max(np.abs(s.J_z_exact))), (x, z)
                assert s.diagonal and f"({n}×1 column)" in s.caption


def test_state_agrees_with_mcdl_elementwise_and_mcdl_jacobian():
    rng = np.random.default_rng(0)
    for _ in range(5):
        n = int(rng.integers(1, 6))
        x, z = rng.normal(size=n), float(rng.normal())
        for op, exact in (("+", ADD_SCALAR), ("⊗", MULTIPLY_SCALAR)):
            s = expansion_state(op, x, z)
            np.testing.assert_allclose(s.J_x, exact.jacobian_x(x, z), atol=1e-8)
            np.testing.assert_allclose(s.J_z, exact.jacobian_z(x, z), atol=1e-8)
            np.testing.assert_allclose(s.J_z, mcdl.jacobian(lambda t: exact(x, t), z), atol=1e-8)
            np.testing.assert_allclose(s.ones_z, np.full(n, z))


def test_captions_name_the_derivatives_and_their_shapes():
    s = expansion_state("⊗", [1.0, 2.0, 3.0], 2.0)
    assert s.caption == "op = ⊗,  z = 2.00,  y = [2.00, 4.00, 6.00],  ∂y/∂x = Iz (3×3),  ∂y/∂z = x (3×1 column)"
    s = expansion_state("+", [1.0, -2.0], 0.5)
    assert s.caption == "op = +,  z = 0.50,  y = [1.50, -1.50],  ∂y/∂x = I (2×2),  ∂y/∂z = 1 (2×1 column)"
    assert expansion_state("-", [1.0], 1.0).caption.endswith("∂y/∂x = I (1×1),  ∂y/∂z = −1 (1×1 column)")
    s = expansion_state("/", [1.0, 2.0], 2.0)
    np.testing.assert_allclose(s.J_z, [[-0.25], [-0.5]], rtol=1e-7)        # −x / z²
    assert "∂y/∂x = I/z (2×2),  ∂y/∂z = −x/z² (2×1 column)" in s.caption


def test_division_by_zero_is_reported_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = expansion_state("⊘", [1.0, 2.0], 0.0)
    assert s.caption == "op = ⊘,  z = 0.00,  y = x ⊘ 1z is undefined: it divides by z = 0"
    assert not s.defined and clean(s.caption)


def test_no_minus_zero_in_captions():
    s = expansion_state("*", [-1.0, 0.0], 0.0)
    assert "-0.00" not in s.caption and "y = [0.00, 0.00]" in s.caption
    assert "z = 0.00" in expansion_state("*", [1.0], -0.001).caption


# --- a learner's own y(x, z) ----------------------------------------------------------------------------
@pytest.mark.parametrize("y", [lambda x, z: np.sin(x) * z, "sin(x)*z"], ids=["function", "text"])
def test_learner_function_elementwise(y):
    x, z = np.array([0.5, 1.0, -2.0]), 1.5
    s = expansion_state(y, x, z)
    np.testing.assert_allclose(s.y, np.sin(x) * z)
    np.testing.assert_allclose(s.J_x, np.diag(np.cos(x) * z), atol=1e-8)
    np.testing.assert_allclose(s.J_z, np.sin(x)[:, None], atol=1e-8)
    assert s.diagonal and s.J_x_exact is None and math.isnan(s.error)
    assert "∂y/∂x = diag(1.32, 0.81, -0.62) (3×3)" in s.caption
    assert "∂y/∂z = [0.48, 0.84, -0.91] (3×1 column)" in s.caption


def test_learner_function_that_mixes_entries_is_not_diagonal():
    s = expansion_state(lambda x, z: x * np.sum(x) * z, [1.0, 2.0], 1.0)
    assert not s.diagonal and "∂y/∂x is not diagonal (2×2)" in s.caption
    np.testing.assert_allclose(s.J_x, [[4.0, 1.0], [2.0, 5.0]], atol=1e-7)


def test_learner_function_outside_its_domain_is_quiet_whichever_log_it_uses():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for y in ("log(x)*z", lambda x, z: np.array([math.log(v) for v in x]) * z):
            s = expansion_state(y, [-1.0, 2.0], 2.0)
            assert not s.defined and s.caption.endswith(": y is not defined at this x and z") and clean(s.caption)
        s = expansion_state("sqrt(x)*z", [0.0, 2.0], 2.0)         # defined, but not differentiable at 0
    assert s.defined and "∂y/∂x is undefined here (2×2)" in s.caption and clean(s.caption)


def test_a_sum_where_an_expanded_vector_is_wanted_is_named_as_chapter_07_s_reduction():
    with pytest.raises(FunctionError, match="returned one number.*sum reduction, chapter 07"):
        expansion_state(lambda x, z: np.sum(x * z), [1.0, 2.0, 3.0], 2.0)


@pytest.mark.parametrize("op, error, match", [
    (3.0, TypeError, "function"),
    (lambda x: x, FunctionError, "takes 1 argument"),
    (lambda x, y, z: x, FunctionError, "takes 3 arguments"),
    ("x + w", ValueError, "unknown name 'w'"),
    (lambda x, z: x[7] * z, FunctionError, "raised IndexError at x = .*It should be"),
    (lambda x, z: np.outer(x, x), FunctionError, r"returned shape \(3, 3\)"),
])
def test_bad_ops_are_refused_clearly(op, error, match):
    with pytest.raises(error, match=match):
        expansion_state(op, [1.0, 2.0, 3.0], 2.0)
    with pytest.raises(error, match=match):
        expansion_explorer(op)


def test_bad_x_and_z_are_refused_clearly():
    with pytest.raises(ShapeError, match=r"z is the scalar.*\(2,\)"):
        expansion_state("+", [1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ShapeError, match=r"x should be a vector of shape \(n,\).*ravel"):
        expansion_state("+", np.ones((3, 1)), 1.0)
    with pytest.raises(TypeError, match="x must be"):
        expansion_state("+", "1, 2", 1.0)
    with pytest.raises(ShapeError, match="up to 5"):
        expansion_explorer("+", x=np.ones(6))


def test_every_spelling_of_an_operator_is_accepted():
    for spelling in ("*", "⊗", "multiply", MULTIPLY_SCALAR, mcdl.elementwise.MULTIPLY):
        assert expansion_state(spelling, [1.0], 1.0).op == "⊗"
    for spelling in ("+", "add", ADD_SCALAR):
        assert expansion_state(spelling, [1.0], 1.0).op == "+"


def test_colour_scales_are_round_and_a_pole_does_not_set_them():
    assert colour_scale("+", 3.0) == (4.0, 1.0) and colour_scale("*", 3.0) == (8.0, 3.0)
    values, slopes = colour_scale("/", 3.0)
    assert values <= 3 and slopes <= 3                  # x ⊘ z near z = 0 saturates instead


# --- the view ------------------------------------------------------------------------------------------
@pytest.mark.view
def test_view_drive_every_kind_of_control():
    w = expansion_explorer("*", x=(1.0, 2.0, 3.0), z=2.0)
    c = w.controls
    assert tuple(c) == ("op", "n", "x1", "x2", "x3", "x4", "x5", "z")
    assert w.caption.value == expansion_state("*", [1.0, 2.0, 3.0], 2.0).caption
    colours = w.squares.get_facecolors().copy()
    scale = (w.vmax_values, w.vmax_slopes)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c["z"].value = -1.0
        assert [t.get_text() for _, t in w.ones_cells] == ["−1"] * 3            # z copied into every cell of 1z
        assert w.z_cell[1].get_text() == "−1" and [t.get_text() for _, t in w.y_cells] == ["−1", "−2", "−3"]
        assert not np.allclose(colours, w.squares.get_facecolors())
        np.testing.assert_allclose(w.jx_map.values, -np.eye(3))                  # Iz: z on the diagonal
        c["x2"].value = 0.5
        np.testing.assert_allclose(w.jz_map.values, [[1.0], [0.5], [3.0]])      # ∂y/∂z = x, a column
        assert (w.vmax_values, w.vmax_slopes) == scale
        c["n"].value = 5
        assert w.jx_map.shape == (5, 5) and w.jz_map.shape == (5, 1)
        assert [c[f"x{i}"].layout.display for i in range(1, 6)] == [None] * 5
        assert "5×5 diagonal" in w.jx_ax.get_title(loc="left") and "5×1 column" in w.jz_ax.get_title()
        c["n"].value = 2
        assert [c[f"x{i}"].layout.display for i in range(1, 6)] == [None, None, "none", "none", "none"]
        caption = w.caption.value
        c["x5"].value = -2.0                           # a hidden entry changes nothing shown
        assert w.caption.value == caption and not w.active("x5")
        c["op"].value = "+"
        assert "∂y/∂x = I" in w.jx_ax.get_title(loc="left") and "∂y/∂z = 1" in w.jz_ax.get_title()
        c["op"].value = "⊘"
        c["z"].value = 0.0
    assert w.caption.value == "op = ⊘,  z = 0.00,  y = x ⊘ 1z is undefined: it divides by z = 0"
    assert len(w.y_cells) == 2 and [t.get_text() for _, t in w.y_cells] == ["–", "–"]


@pytest.mark.view
def test_view_offers_a_learner_function_beside_the_operators_and_reports_its_bug_in_the_caption():
    def wave(x, z):
        if z < -2:
            return x[9]
        return np.sin(x) * z
    w = expansion_explorer(wave)
    assert list(w.controls["op"].options) == ["+", "−", "⊗", "⊘", "y(x, z) = wave(x, z)"]
    assert w.caption.value.startswith("y(x, z) = wave(x, z),  z = 2.00")
    w.controls["z"].value = -2.5
    assert w.caption.value.startswith(MISTAKE_PREFIX + "your f raised IndexError at x = ") and w.current is None
    w.controls["z"].value = 1.0
    assert w.caption.value.startswith("y(x, z) = wave(x, z),  z = 1.00")
    w.controls["op"].value = "+"
    assert w.caption.value.startswith("op = +,")
    assert list(expansion_explorer("sin(x)*z").controls["op"].options)[-1] == "y(x, z) = sin(x)*z"


def test_a_learner_function_that_changes_its_arguments_leaves_the_sliders_alone():
    def y(x, z):
        x *= 2
        return x * z
    w = expansion_explorer(y, x=(1.0, 2.0, 3.0), z=1.0)
    w.controls["x1"].value = 1.5
    assert [w.controls[k].value for k in ("x1", "x2", "x3", "z")] == [1.5, 2.0, 3.0, 1.0]
    assert "y = [3.00, 4.00, 6.00]" in w.caption.value
    assert [t.get_text() for _, t in w.x_cells] == ["1.5", "2", "3"]


def test_public_name_loads_lazily_from_mcdl():
    assert mcdl.expansion_explorer is expansion_explorer


def test_an_exact_zero_of_the_derivative_is_an_exact_zero_not_noise():
    # ∂y/∂z = x + 2z: its 4th entry is 2 + 2·(−1) = 0; finite differences gave 1.95e-17 before round-off
    s = expansion_state("x*z + z**2", [-3.0, 0.0, -1.0, 2.0], -1.0)
    assert s.J_z[3, 0] == 0.0 and s.J_z[0, 0] == pytest.approx(-5.0)
    assert np.all(s.J_x[~np.eye(4, dtype=bool)] == 0.0)


@pytest.mark.view
def test_the_figure_fits_its_n_rows_and_columns():
    from mcdl.plots import cell_text
    w = expansion_explorer("x*z + z**2", x=(-3.0, 0.0, -1.0, 2.0), z=-1.0)
    assert [t.get_text() for t in w.jz_map.texts] == ["−5", "−2", "−3", "0"] and cell_text(0.0) == "0"
    sizes = {}
    for n in (1, 3, 5):
        w.controls["n"].value = n
        W, H = w.live.figure.get_size_inches()
        sizes[n] = (W, H)
        assert (W, H) == pytest.approx(w.figure_size(n)[:2])
        # the flow panel and the heatmaps span the rows: the cells fill the height under the titles
        flow, jx, jz = (ax.get_position() for ax in (w.flow_ax, w.jx_ax, w.jz_ax))
        assert flow.height * H == pytest.approx(n * w.UNIT) and jx.height * H == pytest.approx(n * w.UNIT)
        assert jz.x1 * W < W - 0.3 and jx.y0 == pytest.approx(flow.y0)
    assert sizes[1][1] < sizes[3][1] < sizes[5][1] and sizes[1][0] < sizes[5][0]
