"""plots.py: the live figure's blitting and its faster frame encoder."""
import io
import warnings

import numpy as np
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
