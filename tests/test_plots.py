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


# ---- the dataflow graph of a chain-rule derivation (dataflow_figure) ----------------------------------------
def _flow(text):
    from mcdl.derivation import chain_rule_steps
    return chain_rule_steps(text)


def _texts(fig):
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_text())]


def _strokes(fig):
    from matplotlib.lines import Line2D
    return [a for a in fig.findobj(Line2D)]


def _pixels(fig):
    from mcdl.plots import picture_png
    return np.asarray(Image.open(io.BytesIO(picture_png(fig))).convert("RGB"))


def test_dataflow_figure_of_sin_square_has_one_path_x_at_the_bottom_and_labels():
    from mcdl.plots import PATH_COLORS, Picture, dataflow_figure
    d = _flow("sin(x**2)")
    for math_ in (True, False):
        fig = dataflow_figure(d.dataflow, math=math_)
        assert isinstance(fig, Picture) and fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
        texts = _texts(fig)
        assert texts[-1].startswith("1 path: single-variable chain rule")
        assert not any("?" == t for t in texts)                      # every local derivative is known
        strokes = _strokes(fig)
        assert len(strokes) == 2 and all(s.get_color() == PATH_COLORS[0] for s in strokes)
    plain = _texts(dataflow_figure(d.dataflow, math=False))
    assert {"x", "u = x²", "y = sin(u)", "2·x", "cos(u)"} <= set(plain)
    mathtext = _texts(dataflow_figure(d.dataflow))
    assert "$2 x$" in mathtext and r"$\cos{\left(u \right)}$" in mathtext
    # x below u below y (the paper's figure: the output at the top)
    from mcdl.plots import _flow_layout
    boxes = _flow_layout(d.dataflow, 100.0, False).boxes
    assert boxes["x"][1] < boxes["u"][1] < boxes["y"][1]


def test_dataflow_figure_of_x_plus_x_squared_colours_two_paths_and_says_total_derivative():
    from mcdl.plots import PATH_COLORS, dataflow_figure
    d = _flow("x + x**2")
    assert len(d.dataflow.paths) == 2
    fig = dataflow_figure(d.dataflow, math=False)
    texts = _texts(fig)
    title = next(t for t in texts if "paths" in t and ":" in t and not t.startswith("path "))
    assert title.startswith("2 paths: total derivative")
    assert "path 1: x → u → y" in texts and "path 2: x → y" in texts
    colours = {s.get_color() for s in _strokes(fig)}
    assert colours == {PATH_COLORS[0], PATH_COLORS[1]}                 # each path its own colour
    # the edge that skips a layer (x → y) bends round u instead of running through it
    from mcdl.plots import _flow_layout, _inside
    L = _flow_layout(d.dataflow, 100.0, False)
    assert not _inside(L.lines[("x", "y")], L.boxes["u"]).any()
    # without highlighting: one neutral colour, the same layout
    plain = dataflow_figure(d.dataflow, highlight=False, math=False)
    assert {s.get_color() for s in _strokes(plain)} == {"#555555"}
    assert plain.get_size_inches().tolist() == fig.get_size_inches().tolist()


def test_an_edge_on_two_paths_carries_one_stroke_per_path():
    from mcdl.plots import PATH_COLORS, dataflow_figure
    d = _flow("exp(x + x**2)")                     # x → u₁ → u₂ and x → u₂ share the edge u₂ → u₃
    fig = dataflow_figure(d.dataflow, math=False)
    assert len(d.dataflow.paths) == 2
    per_edge = len(d.dataflow.edges) + 1           # every edge one stroke, the shared one two
    assert len(_strokes(fig)) == per_edge
    assert {s.get_color() for s in _strokes(fig)} == set(PATH_COLORS[:2])


def test_dataflow_figure_of_ln_sin_cube_squared_and_a_ten_intermediate_graph_stay_readable():
    from mcdl.plots import _flow_layout, dataflow_figure
    d = _flow("ln(sin(x**3)**2)")
    fig = dataflow_figure(d.dataflow, math=False)
    texts = _texts(fig)
    assert "y = u₄ = ln(u₃)" in texts and {"3·x²", "cos(u₁)", "2·u₂", "1/u₃"} <= set(texts)
    assert texts[-1].startswith("1 path")
    big = _flow("exp(sin(x)**2) + log(1 + x**2)*cos(3*x) - sqrt(x**4 + 1)").dataflow
    assert len(big.nodes) >= 11
    L = _flow_layout(big, 100.0, False)
    boxes = list(L.boxes.values())
    for i, (ax_, ay, aw, ah) in enumerate(boxes):                   # no two boxes overlap
        for bx, by, bw, bh in boxes[i + 1:]:
            assert abs(ax_ - bx) >= (aw + bw) / 2 or abs(ay - by) >= (ah + bh) / 2
    for (source, target), points in L.lines.items():                # no edge runs through another box
        for name, box in L.boxes.items():
            if name not in (source, target):
                from mcdl.plots import _inside
                assert not _inside(points, box, 0.0).any(), (source, target, name)
    w, h = L.size
    assert w < 8 and h < 9                                           # fits a page
    rows, cols = _pixels(dataflow_figure(big, math=False)).shape[:2]
    assert abs(rows - h * 100) <= 1 and abs(cols - w * 100) <= 1


def test_dataflow_figure_fills_in_step_by_step_without_moving():
    from mcdl.plots import FLOW_UNKNOWN, dataflow_figure
    d = _flow("sin(x**2)")
    flow = d.dataflow
    sizes, seen = set(), []
    for k in range(len(d)):
        fig = dataflow_figure(flow, step=k, math=False)
        sizes.add(tuple(fig.get_size_inches()))
        texts = set(_texts(fig))
        nodes = {n.name for n in flow.nodes if n.introduced_at <= k or n.name == flow.variable}
        assert ("y = sin(u)" in texts) == ("y" in nodes)
        for e in flow.edges:
            known = e.labelled_at <= k
            label = {"2·x": "2·x", "cos(u)": "cos(u)"}[e.derivative]
            assert (label in texts) == (known and e.source in nodes and e.target in nodes)
        seen.append(texts)
    assert len(sizes) == 1                                            # the layout of the whole graph throughout
    first = seen[0]
    assert "u = x²" in first and "y = sin(u)" not in first and FLOW_UNKNOWN in first
    assert any(t.startswith("building the graph: 1 of 2") for t in first)
    assert FLOW_UNKNOWN not in seen[-1]
    # deterministic: the same picture twice, pixel for pixel; and step=None is the last step
    a, b = _pixels(dataflow_figure(flow, step=3)), _pixels(dataflow_figure(flow, step=3))
    assert np.array_equal(a, b)
    assert np.array_equal(_pixels(dataflow_figure(flow, math=False)),
                          _pixels(dataflow_figure(flow, step=len(d) - 1, math=False)))
    assert np.array_equal(_pixels(dataflow_figure(flow, step=99, math=False)),
                          _pixels(dataflow_figure(flow, math=False)))


def test_dataflow_figure_refuses_what_is_not_a_dataflow():
    from mcdl.plots import dataflow_figure
    d = _flow("sin(x**2)")
    for bad in (None, "sin(x**2)", d, d.steps, 3):
        with pytest.raises(TypeError, match="Dataflow"):
            dataflow_figure(bad)
    for bad in ("2", 1.5, True):
        with pytest.raises(TypeError, match="step"):
            dataflow_figure(d.dataflow, step=bad)
    with pytest.raises(ValueError, match="from 0"):
        dataflow_figure(d.dataflow, step=-1)


def test_many_paths_fall_back_to_width_and_a_mathtext_refusal_to_plain_text():
    from mcdl.derivation import Dataflow, FlowEdge, FlowNode
    from mcdl.plots import _flow_text, dataflow_figure
    s, _ = _flow_text(r"\begin{cases} 1 \end{cases}", "1 if x>0", 10.0, 100.0)
    assert s == "1 if x>0"
    # x -> a1..a8 -> y: eight paths, more than the palette tells apart
    nodes = (FlowNode("x"),) + tuple(FlowNode(f"a{i}", "x", "x", i) for i in range(8)) + (FlowNode("y", "sum", "s", 8),)
    edges = tuple(FlowEdge("x", f"a{i}", "1", "1", 9) for i in range(8)) + tuple(
        FlowEdge(f"a{i}", "y", "1", "1", 9) for i in range(8))
    paths = tuple(("x", f"a{i}", "y") for i in range(8))
    fig = dataflow_figure(Dataflow(nodes, edges, "x", "y", paths), math=False)
    assert _texts(fig)[-1].startswith("8 paths")
    assert {s.get_color() for s in _strokes(fig)} == {"#555555"}


def test_pretty_plain_text():
    from mcdl.plots import pretty_plain
    assert pretty_plain("3·x^2 - sqrt(u₂)^10") == "3·x² − √(u₂)¹⁰"
