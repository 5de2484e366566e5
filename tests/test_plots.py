"""plots.py: the live figure's blitting and its faster frame encoder."""
import io
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from mcdl.plots import LiveFigure, fast_frames, nice_ylim, sample_curve


def test_frames_are_diffs_that_decode_to_exactly_the_changed_pixels():
    live = LiveFigure()
    line = live.add_animated(live.ax.plot([0, 1], [0, 1])[0])
    live.ax.set_xlim(-2, 2)
    live.ax.set_ylim(-2, 2)
    assert live.canvas.get_diff_image.__func__.__name__ == "_diff_image"
    live.redraw()
    live.update()                                     # the first blit after a redraw ships a full frame ...
    live.canvas._png_is_old = True
    live.canvas.get_diff_image()                      # ... as the browser would get it; diffs follow
    before = np.asarray(live.canvas.get_renderer().buffer_rgba()).copy()
    sent = []
    live.canvas.send_binary = sent.append             # what ipympl would ship to the browser
    line.set_data([0, -1], [0, 1])
    live.update()
    after = np.asarray(live.canvas.get_renderer().buffer_rgba())
    assert len(sent) == 1 and live.canvas._current_image_mode == "diff"
    frame = np.asarray(Image.open(io.BytesIO(sent[0])).convert("RGBA"))
    changed = (before != after).any(axis=2)
    assert changed.any()
    assert (frame[changed] == after[changed]).all() and (frame[~changed] == 0).all()


def test_fast_frames_leaves_an_unknown_canvas_alone():
    class Other:
        def get_diff_image(self):
            return b"stock"
    other = Other()
    assert fast_frames(other) is False and other.get_diff_image() == b"stock"


def test_png_includes_the_moving_artists_and_keeps_them_animated():
    live = LiveFigure()
    line = live.add_animated(live.ax.plot([0, 1], [0, 1], lw=8)[0])
    png = live.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert line.get_animated()
    without = LiveFigure()
    assert without.png() != png


def test_sample_curve_marks_points_outside_the_domain_as_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xs, ys = sample_curve(np.log, (-1, 1), num=11)
    assert np.isnan(ys[xs <= 0]).all() and np.isfinite(ys[xs > 0]).all()
    lo, hi = nice_ylim(ys)
    assert lo < np.nanmin(ys) and hi > np.nanmax(ys)


def test_importing_the_canvas_does_not_switch_pyplots_backend():
    import matplotlib
    import matplotlib.pyplot as plt     # noqa: F401
    before = matplotlib.get_backend()
    LiveFigure()
    assert matplotlib.get_backend() == before


def heatmap(shape=(3, 3), vmax=2.0):
    from mcdl.plots import MatrixHeatmap, subscript
    live = LiveFigure(figsize=(3, 3))
    hm = MatrixHeatmap(live.ax, shape, vmax=vmax, title="∂y/∂x", live=live,
                       row_labels=[subscript("y", i + 1) for i in range(shape[0])],
                       col_labels=[subscript("x", j + 1) for j in range(shape[1])])
    return live, hm


def test_heatmap_shows_numbers_greys_exact_zeros_and_keeps_artists_animated():
    live, hm = heatmap()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hm.set(np.diag([1.5, -0.25, np.nan]))
        live.redraw()
        live.update()
    texts = [t.get_text() for t in hm.texts]
    assert texts == ["1.50", "0", "0", "0", "−0.25", "0", "0", "0", "–"]
    data = hm.image.get_array()
    assert data.mask.tolist() == (~np.eye(3, dtype=bool) | np.diag([False, False, True])).tolist()
    assert hm.texts[0].get_color() == "white" and hm.texts[4].get_color() == "black"      # |1.5| > 0.6·vmax
    assert all(a.get_animated() for a in [hm.image, *hm.texts]) and hm.image in live._animated
    assert [t.get_text() for t in live.ax.get_yticklabels()] == ["y₁", "y₂", "y₃"]


def test_heatmap_reset_rebuilds_for_a_new_shape_and_forgets_old_artists():
    live, hm = heatmap()
    old = [hm.image, *hm.texts]
    hm.reset((4, 1), row_labels=list("abcd"), col_labels=["z"])
    assert hm.shape == (4, 1) and len(hm.texts) == 4
    assert not any(a in live._animated for a in old)
    hm.set(np.array([[1.0], [0.0], [-1.0], [2.0]]))
    live.redraw()
    assert [t.get_text() for t in hm.texts] == ["1.00", "0", "−1.00", "2.00"]
    assert live.png().startswith(b"\x89PNG")


def test_subscript_numbers_from_one_like_the_paper():
    from mcdl.plots import subscript
    assert subscript("x", 1) == "x₁" and subscript("w", 12) == "w₁₂"


def test_a_live_figure_is_built_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LiveFigure()


def test_cached_text_looks_like_matplotlib_text():
    """CachedText pastes what matplotlib itself would draw (to within half a pixel)."""
    from matplotlib.text import Text

    def picture(plain):
        live, hm = heatmap((3, 3), vmax=2.0)
        hm.set([[1.25, -0.5, 0.0], [2.0, -1.75, 0.125], [np.nan, 0.0, 3.0]])
        if plain:
            for text in hm.texts:
                text.__class__ = Text          # matplotlib's own drawing, for comparison
        return np.asarray(Image.open(io.BytesIO(live.png())).convert("L"), dtype=float)

    cached, plain = picture(False), picture(True)
    assert cached.shape == plain.shape
    assert np.mean(np.abs(cached - plain)) < 1.0


def test_blitted_cached_text_follows_its_moves_and_matches_a_full_draw():
    from mcdl.plots import cached_text
    live = LiveFigure(figsize=(3, 2))
    live.ax.set_xlim(0, 10)
    live.ax.set_ylim(0, 10)
    label = live.add_animated(cached_text(live.ax, 2, 2, "1.50"))
    live.redraw()
    for x, y, s in ((5, 5, "2.25"), (8, 3, "−1.00"), (8, 3, "0")):
        label.set_position((x, y))
        label.set_text(s)
        live.update()                                       # a blit: positions may be reused only if unmoved
        blitted = np.asarray(live.canvas.get_renderer().buffer_rgba()).copy()
        live.redraw()
        full = np.asarray(live.canvas.get_renderer().buffer_rgba())
        assert np.array_equal(blitted, full), (x, y, s)


def test_the_first_blit_after_a_redraw_ships_a_full_frame_then_diffs_again():
    live = LiveFigure(figsize=(3, 2))
    line = live.add_animated(live.ax.plot([0, 1], [0, 1])[0])
    live.canvas.get_diff_image()                              # the front end's first picture
    sent = []
    live.canvas.send_binary = sent.append
    live.redraw()
    modes = []
    for y in (0.5, 0.2):
        line.set_data([0, 1], [0, y])
        live.update()
        modes.append(live.canvas._current_image_mode)
    assert modes == ["full", "diff"]


def test_png_frames_decode_to_exactly_their_pixels_with_either_deflate(monkeypatch):
    import io
    import zlib

    from PIL import Image

    from mcdl import plots
    rng = np.random.default_rng(0)
    pixels = np.zeros((37, 53, 4), dtype=np.uint8)
    pixels[5:9, 3:40] = rng.integers(0, 256, size=(4, 37, 4))          # a diff frame: mostly zeros
    for deflate in (plots._deflate, zlib.compress):
        monkeypatch.setattr(plots, "_deflate", deflate)
        back = np.asarray(Image.open(io.BytesIO(plots.png_rgba(pixels))).convert("RGBA"))
        np.testing.assert_array_equal(back, pixels)


def test_nice_ylim_keeps_a_curve_far_from_zero_and_never_turns_upside_down():
    lo, hi = nice_ylim(np.linspace(4997, 5003, 50))
    assert 4990 < lo < 4997 and 5003 < hi < 5010
    lo, hi = nice_ylim(1 / np.linspace(-1, 1, 400))               # a pole: its spikes do not flatten the rest
    assert -100 < lo < -10 and 10 < hi < 100
    for ys in (np.array([1e308, -1e308] * 20), np.full(30, 3.0), np.array([np.nan, np.inf])):
        lo, hi = nice_ylim(ys)
        assert np.isfinite(lo) and np.isfinite(hi) and lo < hi


# --- heatmap cells: an exact zero is told from a small number ---------------------------------------------
def test_cell_text_tells_an_exact_zero_from_a_small_number():
    from mcdl.plots import cell_text
    assert cell_text(0.0) == "0" and cell_text(-0.0) == "0"
    assert cell_text(np.nan) == "–" and cell_text(np.inf, ".3g") == "–"
    assert cell_text(0.004) == "0.004" and cell_text(-1.3e-5) == "−1.3e−05"      # never "0.00"
    assert cell_text(1.3e-11, ".3g") == "1.3e−11" and cell_text(2.0) == "2.00" and cell_text(-6.0, ".1f") == "−6.0"
    assert cell_text(-0.001, ".1f") == "−0.001" and cell_text(0.015, ".2f") in ("0.01", "0.02")


def test_heatmap_cells_print_small_entries_and_exact_zeros_differently():
    from mcdl.plots import MatrixHeatmap
    fig = Figure()
    heat = MatrixHeatmap(fig.add_subplot(), (1, 3), fmt=".2f")
    heat.set([[0.0, 2e-4, 1.5]])
    assert [t.get_text() for t in heat.texts] == ["0", "0.0002", "1.50"]
    assert heat.image.get_array().mask.tolist() == [[True, False, False]]       # only the exact 0 is grey


# --- the chapters' static pictures -------------------------------------------------------------------------
def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [fig._suptitle.get_text()] + \
        [ax.get_title() for ax in fig.axes]


def _pixels(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGBA"))


def test_product_rule_rectangle_has_the_four_pieces_labelled():
    from matplotlib.patches import Rectangle
    from mcdl.plots import product_rule_rectangle
    fig = product_rule_rectangle(3, 2, 0.6, 0.4)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    rects = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [r.get_label() for r in rects] == ["u·v", "v·du", "u·dv", "du·dv"]
    np.testing.assert_allclose([(r.get_x(), r.get_y(), r.get_width(), r.get_height()) for r in rects],
                               [(0, 0, 3, 2), (3, 0, 0.6, 2), (0, 2, 3, 0.4), (3, 2, 0.6, 0.4)])
    text = " | ".join(_texts(fig))
    for piece in ("u·v = 6", "v·du = 1.2", "u·dv = 1.2", "du·dv = 0.24", "vanishes", "d(uv)"):
        assert piece in text
    assert np.array_equal(_pixels(fig), _pixels(product_rule_rectangle(3, 2, 0.6, 0.4)))     # deterministic


@pytest.mark.parametrize("args, error", [(("3", 2, 0.1, 0.1), TypeError), ((3, True, 0.1, 0.1), TypeError),
                                         ((3, 2, 0.0, 0.1), ValueError), ((-1, 2, 0.1, 0.1), ValueError),
                                         ((3, 2, 0.1, np.nan), ValueError)])
def test_product_rule_rectangle_refuses_bad_sides(args, error):
    from mcdl.plots import product_rule_rectangle
    with pytest.raises(error):
        product_rule_rectangle(*args)


def test_neuron_diagram_draws_inputs_weights_sum_bias_and_activation():
    from matplotlib.patches import Circle
    from mcdl.plots import neuron_diagram
    fig = neuron_diagram([0.5, -1.0, 2.0], 0.1)
    ax = fig.axes[0]
    assert sum(isinstance(p, Circle) for p in ax.patches) == 4          # three inputs and Σ
    text = " | ".join(_texts(fig))
    for piece in ("x₁", "x₂", "x₃", "w₁ = 0.5", "w₂ = −1", "w₃ = 2", "Σ", "bias b = 0.1", "z = w·x + b",
                  "max(0, z)", "activation"):
        assert piece in text, piece
    assert "= 0.1" not in text.replace("b = 0.1", "")                     # no numbers for z without x
    with_x = " | ".join(_texts(neuron_diagram([0.5, -1.0, 2.0], 0.1, x=[1.0, 2.0, 0.75])))
    assert "= 0.1" in with_x.replace("b = 0.1", "") and "activation\n= 0.1" in with_x   # z = 0.5 − 2 + 1.5 + 0.1
    assert "w₂x₂ = −2" in with_x
    negative = " | ".join(_texts(neuron_diagram([1.0], -2.0, x=[0.5])))
    assert "= −1.5" in negative and "activation\n= 0" in negative         # max(0, −1.5) = 0
    assert np.array_equal(_pixels(fig), _pixels(neuron_diagram([0.5, -1.0, 2.0], 0.1)))


@pytest.mark.parametrize("args, error", [(("w", 1.0), TypeError), (([1.0, 2.0], "b"), TypeError),
                                         (([1.0, 2.0], 0.0, [1.0]), ValueError), (([], 0.0), ValueError),
                                         (([[1.0, 2.0]], 0.0), ValueError), (([1.0] * 9, 0.0), ValueError),
                                         (([1.0, np.inf], 0.0), ValueError), (([1.0], None), TypeError)])
def test_neuron_diagram_refuses_bad_input(args, error):
    from mcdl.plots import neuron_diagram
    with pytest.raises(error):
        neuron_diagram(*args)


def test_pictures_show_themselves_as_png_the_same_every_time():
    from mcdl.plots import neuron_diagram, product_rule_rectangle
    for make in (lambda: neuron_diagram([0.5, -1.0], 0.2, [1.0, 2.0]), lambda: product_rule_rectangle(3, 2, 0.5, 0.4)):
        first, second = make()._repr_png_(), make()._repr_png_()
        assert first.startswith(b"\x89PNG") and first == second
        assert "0x" not in repr(make())
