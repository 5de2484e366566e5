"""Drawing helpers shared by the widgets and the chapters.

The live figure mechanism (why, in short — the README's Architecture section has the numbers):
a widget owns ONE matplotlib figure whose canvas is an ipympl ``Canvas`` widget.  The slow part of
a redraw is the static scenery (axes, ticks, labels, the curve); those are rendered once and kept as
a background.  A slider move changes only the "animated" artists (a tangent line, a point), which
are drawn over the saved background and blitted; ipympl then ships only the changed pixels to the
browser.  A full redraw happens only when the scenery changes (e.g. new limits) or the browser asks.
"""
from __future__ import annotations

import io
import math
import numbers
import struct
import types
import warnings
import zlib

import numpy as np
from matplotlib.colors import Normalize

try:                                    # ISA-L's deflate: the same zlib stream, ~10× faster at level 1
    from isal.isal_zlib import compress as _deflate
except ImportError:                     # (a conda install without python-isal): the standard library's
    from zlib import compress as _deflate
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text

from .text import number

# One palette for the whole course (colour-blind safe: Okabe–Ito).
COLORS = {
    "curve": "#0072B2",
    "tangent": "#D55E00",
    "secant": "#009E73",
    "point": "#000000",
    "accent": "#CC79A7",
    "muted": "#999999",
}


def sample_curve(f, xlim, num: int = 400):
    """Sample f on [xlim]: returns (xs, ys) with points outside f's domain set to NaN, no warnings.

    f may be vectorised (numpy) or scalar-only; both work.
    """
    xs = np.linspace(float(xlim[0]), float(xlim[1]), num)
    with np.errstate(all="ignore"):
        try:
            ys = np.asarray(f(xs), dtype=float)
            if ys.shape != xs.shape:
                raise ValueError
        except Exception:
            ys = np.array([_safe_scalar(f, x) for x in xs])
    ys = np.where(np.isfinite(ys), ys, np.nan)
    return xs, ys


def _safe_scalar(f, x) -> float:
    try:
        with np.errstate(all="ignore"):
            return float(f(x))
    except Exception:
        return np.nan


def nice_ylim(ys, pad: float = 0.12, clip: float = 1e3):
    """y-limits that show the finite part of a sampled curve with some air; robust to huge spikes.

    The 1st and 99th percentiles ignore a pole's few huge samples; where the bulk of the curve is moderate
    (its median within ±``clip``) the limits are also clipped to ±``clip``, so 1/x near 0 cannot flatten the
    picture.  A curve that lives far from 0 (5000 + x³) keeps its own range.  Always lo < hi, both finite.
    """
    ys = np.asarray(ys, dtype=float)
    finite = ys[np.isfinite(ys)]
    if finite.size == 0:
        return (-1.0, 1.0)
    lo, hi = np.percentile(finite, [1, 99]) if finite.size > 20 else (finite.min(), finite.max())
    lo, hi = float(lo), float(hi)
    if abs(float(np.median(finite))) < clip:
        lo, hi = max(lo, -clip), min(hi, clip)
    span = hi - lo
    if not (span >= 1e-9 * max(1.0, abs(hi))):            # a constant (or a span lost to round-off)
        lo, hi, span = lo - max(1.0, abs(lo) * 0.1), hi + max(1.0, abs(hi) * 0.1), None
    span = hi - lo if span is None else span
    if not np.isfinite(span):                              # values near the float limit
        return (float(np.nextafter(-np.inf, 0) / 2), float(np.nextafter(np.inf, 0) / 2))
    return (float(lo - pad * span), float(hi + pad * span))


def _ipympl():
    """Import ipympl's canvas without letting it take over pyplot.

    ``import ipympl`` calls ``matplotlib.use('module://ipympl.backend_nbagg')`` when matplotlib is
    loaded, which would turn every later ``plt`` figure of the chapter into an interactive canvas
    (and drop the inline PNG formatter).  mcdl's widgets build their canvases explicitly, so that one
    call is skipped while ipympl is imported; the notebook keeps its own backend.
    """
    import sys

    import matplotlib

    if "ipympl.backend_nbagg" not in sys.modules:
        real_use = matplotlib.use
        matplotlib.use = lambda *args, **kwargs: None
        try:
            import ipympl.backend_nbagg  # noqa: F401
        finally:
            matplotlib.use = real_use
    from ipympl.backend_nbagg import Canvas, FigureManager
    return Canvas, FigureManager


# matplotlib's webagg state that fast_frames relies on; if a future version lacks it, nothing is changed.
_WEBAGG_STATE = ("_png_is_old", "_force_full", "_last_buff", "set_image_mode", "get_renderer")


def png_rgba(pixels: np.ndarray, level: int = 1) -> bytes:
    """An (h, w, 4) uint8 RGBA array as PNG bytes: no row filter, zlib at ``level``.

    A diff frame is mostly zeros (only the moving artists' pixels differ), which deflate squeezes well without
    PNG's row filters.  Measured on a 577×345 frame: PIL's encoder 2.8 ms, this with the standard zlib 1.5 ms,
    with ISA-L's deflate (``isal``, used when installed) 0.2 ms.
    """
    h, w = pixels.shape[:2]
    rows = np.empty((h, 4 * w + 1), dtype=np.uint8)
    rows[:, 0] = 0                                            # filter type 0 (None) for every row
    rows[:, 1:] = pixels.reshape(h, 4 * w)
    data = _deflate(rows.data, min(int(level), 3))           # ISA-L has levels 0-3 (zlib's 1-3 are alike)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)      # 8-bit RGBA, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def _diff_image(canvas):
    """matplotlib's ``FigureCanvasWebAggCore.get_diff_image`` with a faster encoder (:func:`png_rgba`, zlib 1).

    Encoding was 60 % of a widget update with matplotlib's zlib level 6.
    """
    if not canvas._png_is_old:
        return None
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    buff = pixels.view(np.uint32).squeeze(2)
    if canvas._force_full or buff.shape != canvas._last_buff.shape or (pixels[:, :, 3] != 255).any():
        canvas.set_image_mode("full")
        output = buff
    else:
        canvas.set_image_mode("diff")
        output = np.where(buff != canvas._last_buff, buff, 0)
    canvas._last_buff = buff.copy()
    canvas._force_full = False
    canvas._png_is_old = False
    return png_rgba(output.view(np.uint8).reshape((*output.shape, 4)))


def fast_frames(canvas) -> bool:
    """Make an ipympl canvas encode its frames with :func:`_diff_image`; False (no change) if it cannot."""
    if not all(hasattr(canvas, name) for name in _WEBAGG_STATE):
        return False
    canvas.get_diff_image = types.MethodType(_diff_image, canvas)
    return True


def close_widget(widget) -> None:
    """Close an ipywidget with its layout and style (each is a widget of its own that ipywidgets keeps alive)."""
    for part in ("layout", "style"):
        inner = getattr(widget, part, None)
        if inner is not None and hasattr(inner, "close") and inner is not widget:
            inner.close()
    widget.close()


class LiveFigure:
    """A matplotlib figure on an ipympl canvas, with blitting for the artists that move.

    ``add_animated(artist)`` marks an artist as one that changes on every update; ``update()`` draws
    the animated artists over the cached background and ships the changed pixels.  ``redraw()`` is
    the full (slow) redraw for when the scenery changes.  ``png()`` renders the current state as PNG
    bytes — the static picture a notebook keeps for readers without a kernel.
    """

    def __init__(self, figsize=(6.0, 3.6), dpi: int = 96, nrows: int = 1, ncols: int = 1,
                 margins=None, **subplot_kw):
        Canvas, FigureManager = _ipympl()

        # Fixed margins, not constrained layout: the layout engine re-measured every label on each
        # full draw and cost ~0.1 s per draw, most of a widget's start-up time.
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self.figure.subplots_adjust(**(margins or dict(left=0.1, right=0.97, bottom=0.14, top=0.96,
                                                       wspace=0.3, hspace=0.35)))
        self.canvas = Canvas(self.figure)
        with warnings.catch_warnings():     # ipympl's Toolbar passes traitlets an argument it deprecates; not ours
            warnings.filterwarnings("ignore", message=r"Passing unrecognized arguments to super\(Toolbar\)",
                                    category=DeprecationWarning)
            self.manager = FigureManager(self.canvas, id(self))
        fast_frames(self.canvas)
        for trait, value in (("toolbar_visible", False), ("header_visible", False),
                             ("footer_visible", False), ("resizable", False),
                             ("syncing_data_url", False)):   # our own PNG fallback replaces it; saves a 2nd PNG encode per frame
            setattr(self.canvas, trait, value)
        self.axes = self.figure.subplots(nrows, ncols, squeeze=False, **subplot_kw)
        self._animated = []
        self._background = None
        self._suspended = False
        self._full_next = False
        self.canvas.mpl_connect("draw_event", self._on_draw)

    @property
    def ax(self):
        return self.axes[0, 0]

    def add_animated(self, artist):
        artist.set_animated(True)
        self._animated.append(artist)
        return artist

    def remove_animated(self, artist):
        """Stop treating ``artist`` as a moving one (e.g. before it is removed from the figure)."""
        if artist in self._animated:
            self._animated.remove(artist)

    def _on_draw(self, event):
        if self._suspended:
            return
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._draw_animated()

    def _draw_animated(self):
        for artist in self._animated:
            artist.axes.draw_artist(artist) if artist.axes is not None else self.figure.draw_artist(artist)

    def redraw(self):
        """Full render (scenery and animated artists); refreshes the cached background.

        The next blit then ships a full frame, not a diff: the browser shows only the last of several frames
        that arrive while one is still loading, so a redraw's frame can be lost, and diffs on top of a lost
        frame would leave the old scenery on the page.
        """
        self.canvas.draw()
        self._full_next = True

    def update(self):
        """Fast path: restore the background, draw the moving artists, send the changed pixels."""
        if self._background is None:
            self.redraw()
            return
        self.canvas.restore_region(self._background)
        if self._full_next:
            self.canvas._force_full = True              # (fast_frames and matplotlib both honour it)
            self._full_next = False
        self.figure._mcdl_blitting = True          # the scenery is unchanged: CachedText may reuse positions
        try:
            self._draw_animated()
        finally:
            self.figure._mcdl_blitting = False
        self.canvas.blit(self.figure.bbox)

    def close(self):
        """Close the canvas and the toolbar ipympl made for it (widgets live until closed) and empty the figure,
        so a finished explorer keeps none of its artists or pixels."""
        toolbar = getattr(self.manager, "toolbar", None)
        for widget in (toolbar, self.canvas):
            if widget is not None:
                close_widget(widget)
        self.figure.clear()
        self._animated, self._background = [], None
        for name in ("renderer", "_last_buff"):      # the canvas's pixels: kept by the object, not the widget
            if hasattr(self.canvas, name):
                delattr(self.canvas, name)
        self.canvas._lastKey = None

    def png(self) -> bytes:
        """The figure as it looks now, as PNG bytes (animated artists included)."""
        self._suspended = True
        for artist in self._animated:
            artist.set_animated(False)
        try:
            buf = io.BytesIO()
            self.figure.savefig(buf, format="png", dpi=self.figure.dpi)
        finally:
            for artist in self._animated:
                artist.set_animated(True)
            self._suspended = False
        # The cached background is still right (the scenery did not change); a front end asks for a
        # full draw when it shows the canvas, so no redraw is needed here.
        return buf.getvalue()


SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def subscript(name: str, i: int) -> str:
    """'x', 3 -> 'x₃' (1-based, as the paper numbers vector entries)."""
    return f"{name}{str(i).translate(SUBSCRIPTS)}"


class CachedText(Text):
    """A Text whose Agg rendering is kept as a bitmap per (string, colour, font, alignment, dpi) and pasted later.

    Measured here: matplotlib lays out and rasterises a short label in 1–2 ms (text layout plus one FreeType
    render per glyph), so a widget that moves 30 numbers per slider step would spend its whole 20 ms budget
    on them.  The first time a string is drawn, matplotlib itself renders it once on a small scratch canvas
    at a known anchor (so alignment and hinting are exactly matplotlib's); the ink is cropped and kept with
    its offset from the anchor, and later draws paste it (~0.02 ms).  Unrotated single-line text on the Agg
    renderer takes this path; anything else (rotation, maths, PDF/SVG output) is drawn by matplotlib.
    """

    _cache: dict = {}
    _scratch: dict = {}
    _CACHE_MAX = 4000
    _W, _H = 480, 160           # the scratch canvas, in pixels: room for any label a widget draws

    def draw(self, renderer):
        from matplotlib.backends.backend_agg import RendererAgg

        s = self.get_text()
        if (not self.get_visible() or not s or not isinstance(renderer, RendererAgg) or self.get_rotation() != 0
                or self.get_usetex() or "\n" in s or "$" in s):
            return super().draw(renderer)
        x, y = self._pixel_position()
        if not (np.isfinite(x) and np.isfinite(y)):
            return
        key = (s, str(self.get_color()), self.get_alpha(), hash(self.get_fontproperties()), self.get_ha(),
               self.get_va(), renderer.dpi)
        entry = self._cache.get(key)
        if entry is None:
            if len(self._cache) > self._CACHE_MAX:
                self._cache.clear()
            entry = self._cache[key] = self._render(s, renderer.dpi)
        image, dx, dy = entry
        if image is not None:
            gc = renderer.new_gc()
            renderer.draw_image(gc, int(round(x)) + dx, int(round(y)) + dy, image)
            gc.restore()
        self.stale = False

    def _pixel_position(self):
        """Where the anchor lands on the canvas.  A blit (LiveFigure.update) redraws over unchanged scenery, so
        the position computed at the last full draw still holds unless the text itself moved; reusing it saves
        matplotlib's transform of one point (~0.07 ms, several times the cost of the paste)."""
        stamp = (self._x, self._y)
        cached = self.__dict__.get("_mcdl_xy")
        if cached is not None and cached[0] == stamp and getattr(self.figure, "_mcdl_blitting", False):
            return cached[1]
        xy = tuple(self.get_transform().transform(self.get_unitless_position()))
        self._mcdl_xy = (stamp, xy)
        return xy

    def _render(self, s, dpi):
        """(ink as an RGBA image, bottom row first; its x and y offset from the anchor, in pixels)."""
        from matplotlib.backends.backend_agg import RendererAgg
        from matplotlib.transforms import IdentityTransform

        if dpi not in self._scratch:
            self._scratch[dpi] = Figure(dpi=dpi).text(0, 0, "", transform=IdentityTransform())
        scratch = self._scratch[dpi]
        scratch.update_from(self)
        scratch.set_text(s)
        scratch.set_transform(IdentityTransform())
        scratch.set_position((self._W // 2, self._H // 2))
        scratch.set_clip_on(False)
        canvas = RendererAgg(self._W, self._H, dpi)
        scratch.draw(canvas)
        pixels = np.asarray(canvas.buffer_rgba())
        rows = np.flatnonzero(pixels[:, :, 3].any(axis=1))
        cols = np.flatnonzero(pixels[:, :, 3].any(axis=0))
        if rows.size == 0:
            return None, 0, 0
        r0, r1, c0, c1 = rows[0], rows[-1], cols[0], cols[-1]
        image = pixels[r0:r1 + 1, c0:c1 + 1][::-1].copy()          # draw_image wants the bottom row first
        return image, int(c0 - self._W // 2), int(self._H - 1 - r1 - self._H // 2)


def cached_text(ax, x, y, s, **kwargs) -> CachedText:
    """Like ``ax.text(x, y, s, ...)`` (data coordinates, centred), but a :class:`CachedText` for fast redraws."""
    kwargs = {"ha": "center", "va": "center", "transform": ax.transData, "clip_on": False, **kwargs}
    text = CachedText(x, y, s, **kwargs)
    ax.add_artist(text)
    return text


class CellImage(AxesImage):
    """A small matrix drawn as flat cells by numpy indexing, with a thin white gap between cells.

    matplotlib's general resampler took ~6 ms to blow a 3×3 matrix up to its ~150×150 pixels; indexing the
    RGBA cells does the same picture in well under 1 ms.  Non-Agg renderers get matplotlib's own drawing.
    """

    GAP = 2          # pixels of white between neighbouring cells (the heatmap's grid)

    def draw(self, renderer):
        if not self.get_visible():
            return
        if not hasattr(renderer, "_renderer") or self.axes is None:
            return super().draw(renderer)
        A = self.get_array()
        rows, cols = A.shape[:2]
        (xa, ya), (xb, yb) = self.get_transform().transform([[-0.5, -0.5], [cols - 0.5, rows - 0.5]])
        left, right = int(round(min(xa, xb))), int(round(max(xa, xb)))
        bottom, top = int(round(min(ya, yb))), int(round(max(ya, yb)))
        W, H = right - left, top - bottom
        if W <= 0 or H <= 0:
            return
        rgba = self.to_rgba(A, bytes=True)                             # masked (exact 0, NaN) -> the 'bad' grey
        u = (np.arange(W) + 0.5) / W * cols                            # position of each pixel, in cells
        v = (np.arange(H) + 0.5) / H * rows
        jj, ii = np.minimum(u.astype(int), cols - 1), np.minimum(v.astype(int), rows - 1)
        picture = rgba[ii][:, jj].copy()
        half_x, half_y = self.GAP / 2 / (W / cols), self.GAP / 2 / (H / rows)    # half a gap, in cells
        gap_x = (u % 1 < half_x) | (u % 1 > 1 - half_x)
        gap_y = (v % 1 < half_y) | (v % 1 > 1 - half_y)
        picture[gap_y, :, 3] = 0
        picture[:, gap_x, 3] = 0
        gc = renderer.new_gc()
        gc.set_alpha(self.get_alpha())
        renderer.draw_image(gc, left, bottom, np.ascontiguousarray(picture[::-1]))   # bottom row first
        gc.restore()
        self.stale = False


def cell_text(value, fmt: str = ".2f") -> str:
    """What a heatmap cell prints for ``value``: "0" for an exact zero, "–" where undefined, else the number.

    A small non-zero number that ``fmt`` would round to zero ("0.00") is printed in two significant digits
    instead ("0.004", "1.3e−05"): a cell shows "0" only for an entry that *is* 0 (the state functions set
    finite-difference noise on a true 0 to an exact 0 first).  Minus signs are typographic (−), never "−0".
    """
    v = float(value)
    if not math.isfinite(v):
        return "–"
    if v == 0:
        return "0"
    text = number(v, fmt)
    if float(text) == 0:
        text = f"{v:.2g}"
    return text.replace("-", "−")


class MatrixHeatmap:
    """An annotated heatmap of a small matrix (a Jacobian, a column, a row) on one axes.

    Colours are a diverging map fixed at ±``vmax`` (blue negative, red positive); entries that are
    exactly 0 are drawn pale grey with a grey "0", so a diagonal Jacobian *looks* diagonal.  Each cell
    carries its number (:func:`cell_text`: a small non-zero entry is never printed as 0).  The cells are a :class:`CellImage` and the numbers :class:`CachedText`, so
    redrawing two 5×5 Jacobians costs about a millisecond, not the ~50 ms of imshow and plain text.  ``set(values)`` changes colours and numbers only, so with a :class:`LiveFigure`
    (pass ``live``) an update is a blit; ``reset(shape)`` rebuilds the cells for a new shape (the caller
    then does a full ``live.redraw()``).
    """

    CMAP = "RdBu_r"
    ZERO = "#eeeeee"

    def __init__(self, ax, shape, *, vmax: float = 1.0, title: str | None = None, fmt: str = ".2f",
                 row_labels=None, col_labels=None, live: "LiveFigure | None" = None, fontsize: float = 9):
        self.ax, self.live, self.fmt, self.vmax, self.fontsize = ax, live, fmt, float(vmax), fontsize
        self.title = title
        self.image = None
        self.texts = []
        self.reset(shape, row_labels=row_labels, col_labels=col_labels)

    def _animate(self, artist):
        if self.live is not None:
            self.live.add_animated(artist)
        return artist

    def reset(self, shape, *, row_labels=None, col_labels=None):
        """Rebuild the grid for a matrix of ``shape`` (rows, columns); values start at 0."""
        import matplotlib as mpl

        rows, cols = (int(s) for s in shape)
        for artist in ([self.image] if self.image is not None else []) + self.texts:
            if self.live is not None:
                self.live.remove_animated(artist)
            artist.remove()
        ax = self.ax
        ax.clear()
        cmap = mpl.colormaps[self.CMAP].with_extremes(bad=self.ZERO)
        self.shape = (rows, cols)
        image = CellImage(ax, cmap=cmap, norm=Normalize(-self.vmax, self.vmax), interpolation="nearest",
                          origin="upper", extent=(-0.5, cols - 0.5, rows - 0.5, -0.5))
        image.set_data(np.ma.masked_all(self.shape))
        self.image = self._animate(ax.add_image(image))
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_aspect("equal")
        self.texts = [self._animate(cached_text(ax, j, i, "", fontsize=self.fontsize))
                      for i in range(rows) for j in range(cols)]
        ax.set_xticks(range(cols), col_labels if col_labels is not None else [""] * cols, fontsize=self.fontsize)
        ax.set_yticks(range(rows), row_labels if row_labels is not None else [""] * rows, fontsize=self.fontsize)
        ax.set_xticks(np.arange(cols + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(rows + 1) - 0.5, minor=True)
        ax.tick_params(which="both", length=0)
        ax.xaxis.tick_top()
        for spine in ax.spines.values():
            spine.set_visible(False)
        if self.title:
            ax.set_title(self.title, fontsize=self.fontsize + 1, pad=self.fontsize + 14)
        self.values = np.zeros(self.shape)
        self.set(self.values)

    def set(self, values):
        """Show ``values`` (an array of this heatmap's shape); non-finite entries show as '–'."""
        values = np.asarray(values, dtype=float).reshape(self.shape)
        self.values = values
        finite = np.isfinite(values)
        self.image.set_data(np.ma.masked_where(~finite | (values == 0), np.where(finite, values, 0.0)))
        for text, v in zip(self.texts, values.flat):
            text.set_text(cell_text(v, self.fmt))
            if not np.isfinite(v) or v == 0:
                text.set_color(COLORS["muted"])
            else:
                text.set_color("white" if abs(v) > 0.6 * self.vmax else "black")


# ==================================================================================================
# Static pictures for the chapters (pure matplotlib: each returns a Figure, the same on every run)
# ==================================================================================================
def _real_number(value, name: str) -> float:
    """A finite real number, or a clear TypeError / ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}.")
    return value


class Picture(Figure):
    """A still figure that shows itself in a notebook as a PNG, whatever backend is active (no pyplot needed)."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
        return buffer.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        # ahead of the inline backend's own Figure formatter, which draws nothing for a figure without Axes
        return {"image/png": self._repr_png_(), "text/plain": repr(self)}

    def __repr__(self) -> str:
        width, height = self.get_size_inches() * self.dpi
        return f"<Picture {width:.0f}×{height:.0f} px>"


def product_rule_rectangle(u: float, v: float, du: float, dv: float, figsize=(6.4, 4.4)) -> Figure:
    """The product rule as a growing rectangle: d(uv) = u·dv + v·du + du·dv, and du·dv vanishes.

    A u×v rectangle (area uv) grows to (u + du)×(v + dv).  The new area is two strips, v·du on the right
    and u·dv on top, and the small corner du·dv, which is second order: halve du and dv and the strips
    halve, the corner quarters, so it drops out of the derivative.  ``u, v > 0`` and ``du, dv > 0`` are the
    sides; each piece is labelled with its name and area.  Returns a matplotlib Figure (no pyplot).
    """
    u, v = _real_number(u, "u"), _real_number(v, "v")
    du, dv = _real_number(du, "du"), _real_number(dv, "dv")
    for name, value in (("u", u), ("v", v), ("du", du), ("dv", dv)):
        if value <= 0:
            raise ValueError(f"{name} must be positive (a side of the rectangle), got {value:g}.")
    fig = Picture(figsize=figsize, dpi=100)
    fig.subplots_adjust(left=0.09, right=0.97, bottom=0.1, top=0.86)
    ax = fig.add_subplot()
    from matplotlib.patches import Rectangle

    pieces = [  # (lower-left, width, height, colour, alpha, name, area)
        ((0.0, 0.0), u, v, COLORS["curve"], 0.22, "u·v", u * v),
        ((u, 0.0), du, v, COLORS["tangent"], 0.55, "v·du", v * du),
        ((0.0, v), u, dv, COLORS["secant"], 0.55, "u·dv", u * dv),
        ((u, v), du, dv, COLORS["accent"], 0.85, "du·dv", du * dv),
    ]
    for (x0, y0), w, h, colour, alpha, name, _ in pieces:
        ax.add_patch(Rectangle((x0, y0), w, h, facecolor=colour, alpha=alpha, edgecolor=COLORS["point"],
                               lw=1.2, label=name))
    W, H = u + du, v + dv
    ax.set_xlim(-0.08 * W, 1.55 * W)
    ax.set_ylim(-0.1 * H, 1.32 * H)
    ax.set_aspect("equal", adjustable="box")
    text = dict(fontsize=10, color=COLORS["point"])
    (_, _, _, _, _, n0, a0), (_, _, _, c1, _, n1, a1), (_, _, _, c2, _, n2, a2), (_, _, _, c3, _, n3, a3) = pieces
    ax.text(u / 2, v / 2, f"{n0} = {number(a0, '.3g')}\n(the old area)", ha="center", va="center", **text)
    # the thin pieces are labelled outside, each with a short pointer
    arrow = dict(arrowstyle="-", lw=0.8, color=COLORS["point"], shrinkA=2, shrinkB=0)
    ax.annotate(f"{n1} = {number(a1, '.3g')}", xy=(u + du / 2, v * 0.45), xytext=(W + 0.08 * W, v * 0.45),
                ha="left", va="center", arrowprops=arrow, fontsize=10, color=c1)
    ax.annotate(f"{n2} = {number(a2, '.3g')}", xy=(u * 0.5, v + dv / 2), xytext=(u * 0.5, H + 0.1 * H),
                ha="center", va="bottom", arrowprops=arrow, fontsize=10, color=c2)
    ax.annotate(f"{n3} = {number(a3, '.3g')}\nsecond order: vanishes", xy=(u + du / 2, v + dv / 2),
                xytext=(W + 0.08 * W, H + 0.12 * H), ha="left", va="center", arrowprops=arrow, fontsize=10,
                color=COLORS["point"])
    # the sides, written under and beside the pieces they measure (no axis: the picture is about areas)
    ax.set_axis_off()
    side = dict(fontsize=11, color=COLORS["point"])
    ax.text(u / 2, -0.03 * H, "u", ha="center", va="top", **side)
    ax.text(u + du / 2, -0.03 * H, "du", ha="center", va="top", **side)
    ax.text(-0.02 * W, v / 2, "v", ha="right", va="center", **side)
    ax.text(-0.02 * W, v + dv / 2, "dv", ha="right", va="center", **side)
    grown = W * H - u * v
    fig.suptitle("the product rule:  d(uv) = u·dv + v·du + du·dv  →  u dv + v du", fontsize=11)
    ax.set_title(f"new area {number(grown, '.3g')} = {number(a2, '.3g')} + {number(a1, '.3g')} + "
                 f"{number(a3, '.3g')}   (u = {number(u, 'g')}, v = {number(v, 'g')}, du = {number(du, 'g')}, "
                 f"dv = {number(dv, 'g')})", fontsize=8.5, color="#444444")
    return fig


def _as_numbers(value, name: str) -> np.ndarray:
    """A non-empty 1-D vector of finite numbers (a scalar counts as one entry), or a clear TypeError / ValueError."""
    from .shapes import as_array

    arr = as_array(value, name)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a vector of numbers (shape (n,)), got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite numbers (no NaN or inf).")
    return arr


NEURON_MAX_INPUTS = 8


def neuron_diagram(w, b, x=None, figsize=(7.6, 3.0)) -> Figure:
    """The paper's neuron as a picture: inputs x₁…xₙ, weights wᵢ on the edges, Σ plus the bias, then max(0, z).

    The affine part z(𝐰, b, 𝐱) = 𝐰·𝐱 + b is drawn as a summing node Σ fed by the weighted inputs and the bias
    b; the activation is max(0, z).  ``w`` has 1 to 8 entries, ``b`` is a number; with ``x`` (the same length
    as w) the inputs, the products wᵢxᵢ, z and the activation are shown as numbers.  ``figsize`` is
    (width, least height); the height grows with n.  Returns a Figure.
    """
    w = _as_numbers(w, "w")
    b = _real_number(b, "b") if not isinstance(b, np.ndarray) else _real_number(float(_as_numbers(b, "b")[0]), "b")
    n = w.size
    if n > NEURON_MAX_INPUTS:
        raise ValueError(f"the diagram draws 1 to {NEURON_MAX_INPUTS} inputs, got {n} weights.")
    if x is not None:
        x = _as_numbers(x, "x")
        if x.shape != w.shape:
            raise ValueError(f"x and w must have the same length, got x of length {x.size} and w of length {n}.")
    top = float(max(n - 1, 1))
    X_IN, X_SUM, X_RELU, X_OUT = 0.0, 5.0, 8.4, 10.1
    lo_x, hi_x, lo_y, hi_y = -1.5, 12.3, -0.6, max(top + 0.5, top / 2 + 1.65)
    width = figsize[0]
    fig = Picture(figsize=(width, max(figsize[1], 0.5 + width * (hi_y - lo_y) / (hi_x - lo_x))), dpi=100)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99 - 0.45 / fig.get_size_inches()[1])
    ax = fig.add_subplot()
    ax.set_axis_off()
    from matplotlib.patches import Circle, FancyBboxPatch

    ax.set_xlim(lo_x, hi_x)
    ax.set_ylim(lo_y, hi_y)
    ax.set_aspect("equal", adjustable="box")
    ys = np.linspace(top, 0.0, n) if n > 1 else np.array([top / 2])
    mid = top / 2
    R = 0.32
    z = float(w @ x + b) if x is not None else None
    a = max(0.0, z) if z is not None else None
    sign = lambda text: text.replace("-", "−")                      # noqa: E731
    for i, (yi, wi) in enumerate(zip(ys, w)):
        ax.add_patch(Circle((X_IN, yi), R, facecolor="white", edgecolor=COLORS["curve"], lw=1.6))
        ax.text(X_IN, yi, subscript("x", i + 1), ha="center", va="center", fontsize=11)
        if x is not None:
            ax.text(X_IN - R - 0.12, yi, sign(number(x[i], ".3g")), ha="right", va="center",
                    fontsize=9, color=COLORS["curve"])
        ax.annotate("", xy=(X_SUM - R - 0.14, mid), xytext=(X_IN + R, yi),
                    arrowprops=dict(arrowstyle="-|>", color=COLORS["muted"], lw=1.2, shrinkA=0, shrinkB=0))
        t = 0.3                                                     # the weight's label, near its input
        lx, ly = X_IN + R + t * (X_SUM - 2 * R - X_IN), yi + t * (mid - yi)
        label = f"{subscript('w', i + 1)} = {number(wi, '.3g')}"
        if x is not None:
            label += f",  {subscript('w', i + 1)}{subscript('x', i + 1)} = {number(wi * x[i], '.3g')}"
        ax.text(lx, ly, sign(label), ha="center", va="center", fontsize=8.5, color=COLORS["tangent"],
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.9))
    # the summing node and its bias
    ax.add_patch(Circle((X_SUM, mid), R + 0.12, facecolor="#f4f4f4", edgecolor=COLORS["point"], lw=1.6))
    ax.text(X_SUM, mid, "Σ", ha="center", va="center", fontsize=15)
    ax.annotate("", xy=(X_SUM, mid + R + 0.14), xytext=(X_SUM, mid + 1.15),
                arrowprops=dict(arrowstyle="-|>", color=COLORS["secant"], lw=1.4, shrinkA=0, shrinkB=0))
    ax.text(X_SUM, mid + 1.2, sign(f"bias b = {number(b, '.3g')}"), ha="center", va="bottom",
            fontsize=9.5, color=COLORS["secant"])
    # z, then max(0, z)
    ax.annotate("", xy=(X_RELU - 0.8, mid), xytext=(X_SUM + R + 0.12, mid),
                arrowprops=dict(arrowstyle="-|>", color=COLORS["point"], lw=1.4, shrinkA=0, shrinkB=0))
    ax.text((X_SUM + X_RELU) / 2 - 0.1, mid + 0.12, "z = w·x + b", ha="center", va="bottom", fontsize=9.5)
    if z is not None:
        ax.text((X_SUM + X_RELU) / 2 - 0.1, mid - 0.12, sign(f"= {number(z, '.3g')}"), ha="center", va="top",
                fontsize=9.5)
    ax.add_patch(FancyBboxPatch((X_RELU - 0.75, mid - 0.36), 1.5, 0.72, boxstyle="round,pad=0.05",
                                facecolor="white", edgecolor=COLORS["accent"], lw=1.8))
    ax.text(X_RELU, mid, "max(0, z)", ha="center", va="center", fontsize=10)
    ax.annotate("", xy=(X_OUT - 0.1, mid), xytext=(X_RELU + 0.82, mid),
                arrowprops=dict(arrowstyle="-|>", color=COLORS["point"], lw=1.4, shrinkA=0, shrinkB=0))
    out = "activation\n" + (sign(f"= {number(a, '.3g')}") if a is not None else "max(0, w·x + b)")
    ax.text(X_OUT, mid, out, ha="left", va="center", fontsize=10, color=COLORS["point"])
    title = "a neuron: the affine function z = w·x + b, then the activation max(0, z)"
    fig.suptitle(title, fontsize=11)
    return fig


# ==================================================================================================
# The dataflow graph of a chain-rule derivation (paper §4.5.1-4.5.2: the sin-square and chain-tree figures)
# ==================================================================================================
# A path's colour (Okabe–Ito, colour-blind safe), then, past seven paths, the same colours dashed, then dotted.
PATH_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
PATH_STYLES = ("-", (0, (4, 1.5)), (0, (1, 1.2)))
FLOW_NEUTRAL = "#555555"
FLOW_UNKNOWN = "?"                 # an edge whose local derivative a later step works out
_FLOW = dict(node_size=11.0, label_size=10.0, title_size=11.0, legend_size=9.0,
             layer_gap=0.62,       # inches of air between two layers' boxes (the edge labels sit in it)
             node_gap=0.3,         # inches between two boxes of one layer
             pad=0.07,             # inches inside a box around its text
             margin=0.12, stroke=1.8, spacing=0.042, head=0.09, max_coloured=len(PATH_COLORS))
_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def _tex_name(name: str) -> str:
    """'u₁₂' -> 'u_{12}' (mathtext), 'y' -> 'y'."""
    base = name.rstrip("₀₁₂₃₄₅₆₇₈₉")
    digits = name[len(base):].translate(_SUBSCRIPT_DIGITS)
    return f"{base}_{{{digits}}}" if digits else base


_TEXT_SIZES: dict = {}


def _text_size(s: str, size: float, dpi: float, ismath: bool):
    """(width, height) in inches of a string as matplotlib's Agg renderer sets it; None if mathtext refuses it."""
    key = (s, size, dpi, ismath)
    if key not in _TEXT_SIZES:
        from matplotlib.backends.backend_agg import RendererAgg
        from matplotlib.font_manager import FontProperties

        if ("renderer", dpi) not in _TEXT_SIZES:
            _TEXT_SIZES[("renderer", dpi)] = RendererAgg(8, 8, dpi)
        renderer = _TEXT_SIZES[("renderer", dpi)]
        try:
            w, h, _ = renderer.get_text_width_height_descent(s, FontProperties(size=size), ismath=ismath)
            value = (w / dpi, h / dpi)
        except Exception:                   # (ValueError from the mathtext parser; anything else alike)
            value = None
        if len(_TEXT_SIZES) > 4000:
            _TEXT_SIZES.clear()
        _TEXT_SIZES[key] = value
    return _TEXT_SIZES[key]


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def pretty_plain(text: str) -> str:
    """Plain maths text made easier to read without mathtext: x^2 -> x², sqrt( -> √(, - -> −."""
    import re

    text = re.sub(r"\^(\d+)\b", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    return text.replace("sqrt(", "√(").replace("-", "−")


def _flow_text(tex: str, plain: str, size: float, dpi: float, math: bool = True):
    """The label as mathtext if ``math`` and matplotlib sets it, else the plain text made pretty:
    (string, (width, height) inches)."""
    if tex and math:
        measured = _text_size(f"${tex}$", size, dpi, True)
        if measured is not None:
            return f"${tex}$", measured
    plain = pretty_plain(plain).replace("$", r"\$")
    return plain, _text_size(plain, size, dpi, False) or (0.08 * len(plain), 0.18)


def _bezier(p0, c, p2, samples: int = 48):
    t = np.linspace(0.0, 1.0, samples)[:, None]
    return (1 - t) ** 2 * np.asarray(p0) + 2 * (1 - t) * t * np.asarray(c) + t ** 2 * np.asarray(p2)


def _inside(points, box, air: float = 0.02):
    cx, cy, w, h = box
    return (np.abs(points[:, 0] - cx) <= w / 2 + air) & (np.abs(points[:, 1] - cy) <= h / 2 + air)


def _clip_to_boxes(points, source_box, target_box):
    """The part of a polyline between the two boxes' borders (a sample point exactly on each border)."""
    def border(a, b, box):                 # a inside, b outside: bisect to the border
        for _ in range(20):
            m = (a + b) / 2
            a, b = (m, b) if _inside(m[None], box)[0] else (a, m)
        return b
    out_src = np.flatnonzero(~_inside(points, source_box))
    out_tgt = np.flatnonzero(~_inside(points, target_box))
    first, last = out_src[0], out_tgt[-1]
    start = border(points[first - 1], points[first], source_box) if first > 0 else points[0]
    end = border(points[last + 1], points[last], target_box) if last < len(points) - 1 else points[-1]
    return np.vstack([start, points[first:last + 1], end])


def _along(points, fraction: float):
    """The point at ``fraction`` of a polyline's length, and the unit direction there."""
    seg = np.diff(points, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    total = lengths.sum()
    if total <= 0:
        return points[0], np.array([0.0, 1.0])
    at = fraction * total
    i = min(int(np.searchsorted(np.cumsum(lengths), at)), len(lengths) - 1)
    before = lengths[:i].sum()
    t = (at - before) / lengths[i] if lengths[i] > 0 else 0.0
    return points[i] + t * seg[i], seg[i] / max(lengths[i], 1e-12)


def _offset(points, distance: float):
    """A polyline moved sideways (to the left of its direction) by ``distance``."""
    if distance == 0:
        return points
    d = np.gradient(points, axis=0)
    n = np.column_stack([-d[:, 1], d[:, 0]])
    n /= np.maximum(np.hypot(n[:, 0], n[:, 1]), 1e-12)[:, None]
    return points + distance * n


def _shorten_end(points, length: float):
    """The polyline without its last ``length`` inches (room for the arrowhead)."""
    seg = np.diff(points, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    remaining = lengths.sum() - length
    if remaining <= 0:
        return points[:1]
    cum = np.concatenate([[0.0], np.cumsum(lengths)])
    i = int(np.searchsorted(cum, remaining)) - 1
    i = max(0, min(i, len(seg) - 1))
    t = (remaining - cum[i]) / lengths[i] if lengths[i] > 0 else 0.0
    return np.vstack([points[:i + 1], points[i] + t * seg[i]])


class _FlowLayout:
    """Where everything of a dataflow picture goes, in inches from the figure's lower left corner.

    Layers by depth (the longest path from the variable): the variable at the bottom, the output at the top.
    Within a layer the boxes sit near the mean position of their parameters (fewer crossings), in order.
    An edge that skips layers bends round the boxes in its way.  Computed once per (dataflow, dpi).
    """

    def __init__(self, dataflow, dpi: float, math: bool = True):
        P = _FLOW
        nodes = list(dataflow.nodes)
        names = [n.name for n in nodes]
        order = {name: i for i, name in enumerate(names)}
        preds: dict = {name: [] for name in names}
        for e in dataflow.edges:
            preds[e.target].append(e.source)
        depth = {}
        for name in names:                                  # the nodes come innermost first (topological)
            depth[name] = 0 if name == dataflow.variable else 1 + max((depth[p] for p in preds[name]
                                                                        if p in depth), default=0)
        # the text of each box
        self.texts, self.sizes = {}, {}
        for n in nodes:
            if n.name == dataflow.variable or not n.definition:
                tex, plain = _tex_name(n.name), n.name
            else:
                tex, plain = f"{_tex_name(n.name)} = {n.latex}", f"{n.name} = {n.definition}"
            if n.name == dataflow.output and n.name != "y" and n.name != dataflow.variable:
                tex, plain = f"y = {tex}", f"y = {plain}"
            s, (w, h) = _flow_text(tex, plain, P["node_size"], dpi, math)
            self.texts[n.name] = s
            self.sizes[n.name] = (w + 2 * P["pad"] + 0.06, max(h, 0.16) + 2 * P["pad"])
        # the edge labels (known and unknown) and which paths run along each edge
        self.labels = {}
        for e in dataflow.edges:
            self.labels[(e.source, e.target)] = _flow_text(e.latex, e.derivative, P["label_size"], dpi, math)
        self.unknown = _flow_text("", FLOW_UNKNOWN, P["label_size"], dpi)
        self.paths_of = {}
        for i, path in enumerate(dataflow.paths):
            for a, b in zip(path, path[1:]):
                self.paths_of.setdefault((a, b), []).append(i)
        # layers, bottom up; heights: each layer as tall as its tallest box, label room between layers
        top = max(depth.values())
        layers = [[name for name in names if depth[name] == d] for d in range(top + 1)]
        label_h = max([size[1] for _, size in self.labels.values()] + [0.2])
        gap = max(P["layer_gap"], label_h + 0.3)
        ys, y = [], 0.0
        for d, layer in enumerate(layers):
            h = max(self.sizes[name][1] for name in layer) if layer else 0.3
            y += (h / 2) if d == 0 else (prev_h / 2 + gap + h / 2)
            ys.append(y)
            prev_h = h
        xs = {}
        for d, layer in enumerate(layers):
            wanted = {name: (np.mean([xs[p] for p in preds[name] if p in xs]) if any(p in xs for p in preds[name])
                             else 0.0) for name in layer}
            row = sorted(layer, key=lambda name: (wanted[name], order[name]))
            placed = []
            for name in row:                              # left to right, no overlaps
                x = wanted[name]
                if placed:
                    left = placed[-1]
                    x = max(x, xs[left] + (self.sizes[left][0] + self.sizes[name][0]) / 2 + P["node_gap"])
                xs[name] = x
                placed.append(name)
            shift = np.mean([wanted[n] - xs[n] for n in row])   # keep the row centred on where it wants to be
            for name in row:
                xs[name] += shift
        self.boxes = {name: (xs[name], ys[depth[name]], *self.sizes[name]) for name in names}
        # the edges' lines: straight, or bent round the boxes of the layers they skip
        self.lines, self.label_at = {}, {}
        for e in dataflow.edges:
            key = (e.source, e.target)
            (x0, y0, _, h0), (x1, y1, _, h1) = self.boxes[e.source][:4], self.boxes[e.target][:4]
            p0, p2 = np.array([x0, y0]), np.array([x1, y1])
            between = [self.boxes[name] for name in names if depth[e.source] < depth[name] < depth[e.target]]
            bend = self._bend(p0, p2, between) if between else 0.0
            if bend:
                mid = (p0 + p2) / 2
                points = _bezier(p0, mid + np.array([bend, 0.0]), p2)
            else:
                points = np.column_stack([np.linspace(x0, x1, 12), np.linspace(y0, y1, 12)])
            points = _clip_to_boxes(points, self.boxes[e.source], self.boxes[e.target])
            self.lines[key] = points
            self.label_at[key] = _along(points, 0.5)[0]
        # the picture's extent: boxes and labels, then the title and the legend above
        lo = np.array([np.inf, np.inf])
        hi = -lo
        for cx, cy, w, h in self.boxes.values():
            lo = np.minimum(lo, [cx - w / 2, cy - h / 2])
            hi = np.maximum(hi, [cx + w / 2, cy + h / 2])
        for key, (lx, ly) in self.label_at.items():
            w, h = self.labels[key][1]
            lo = np.minimum(lo, [lx - w / 2 - 0.05, ly - h / 2 - 0.05])
            hi = np.maximum(hi, [lx + w / 2 + 0.05, ly + h / 2 + 0.05])
        for points in self.lines.values():
            lo = np.minimum(lo, points.min(axis=0) - 0.05)
            hi = np.maximum(hi, points.max(axis=0) + 0.05)
        self.paths = dataflow.paths
        self.title, self.legend = _flow_title(dataflow), _flow_legend(dataflow)
        partial = _flow_partial_title(len(nodes) - 1, len(nodes) - 1)
        title_w = max([_text_size(t, P["title_size"], dpi, False)[0] * 1.12 for t in (self.title, partial)] +
                      [_text_size(s, P["legend_size"], dpi, False)[0] for s in self.legend])
        head = 0.3 + 0.19 * len(self.legend)
        width = max(hi[0] - lo[0], title_w) + 2 * P["margin"]
        self.offset = np.array([P["margin"] + (width - 2 * P["margin"] - (hi[0] - lo[0])) / 2 - lo[0],
                                P["margin"] - lo[1]])
        self.size = (float(width), float(hi[1] - lo[1] + 2 * P["margin"] + head))
        self.head = head

    @staticmethod
    def _bend(p0, p2, boxes, air: float = 0.1) -> float:
        """How far sideways (inches; + is right) an edge that skips layers must bow so that it misses every box
        of the layers between: 0 if the straight line does; else the smallest bow that clears them all, right
        first on a tie; failing that, round the outside of all of them."""
        def clear(bend):
            mid = (p0 + p2) / 2
            points = _bezier(p0, mid + np.array([bend, 0.0]), p2, 40) if bend else np.linspace(p0, p2, 40)
            return not any(_inside(points, box, air).any() for box in boxes)
        if clear(0.0):
            return 0.0
        for k in range(1, 25):
            for bend in (0.25 * k, -0.25 * k):
                if clear(bend):
                    return bend
        right = max(cx + w / 2 for cx, _, w, _ in boxes) - (p0[0] + p2[0]) / 2
        return 2 * (right + 0.4)


def _flow_title(dataflow) -> str:
    n = len(dataflow.paths)
    if n == 1:
        return f"1 path: single-variable chain rule ({dataflow.variable} → y)"
    return f"{n} paths: total derivative (add the {n} paths from {dataflow.variable} to y)"


def _flow_partial_title(count: int, total: int) -> str:
    return f"building the graph: {count} of {total} variables"


def _flow_legend(dataflow) -> list:
    n = len(dataflow.paths)
    if n < 2:
        return []
    out = lambda name: "y" if name == dataflow.output else name        # noqa: E731
    shown = [f"path {i + 1}: " + " → ".join(out(name) for name in path) for i, path in enumerate(dataflow.paths[:6])]
    if n > 6:
        shown.append(f"… and {n - 6} more paths")
    return shown


_LAYOUTS: dict = {}


def _flow_layout(dataflow, dpi: float, math: bool = True) -> _FlowLayout:
    key = (dataflow, dpi, math)
    if key not in _LAYOUTS:
        if len(_LAYOUTS) > 64:
            _LAYOUTS.clear()
        _LAYOUTS[key] = _FlowLayout(dataflow, dpi, math)
    return _LAYOUTS[key]


def path_style(i: int):
    """(colour, line style) of the i-th path (0-based): Okabe–Ito colours, then dashed, then dotted."""
    return PATH_COLORS[i % len(PATH_COLORS)], PATH_STYLES[(i // len(PATH_COLORS)) % len(PATH_STYLES)]


def dataflow_figure(dataflow, step: int | None = None, highlight: bool = True, math: bool = True,
                    dpi: float = 100) -> Picture:
    """The paper's dataflow picture of a chain-rule derivation (§4.5.1's sin-square figure, §4.5.2's chain tree).

    ``dataflow`` is ``chain_rule_steps(text).dataflow``: the variable x at the bottom, the output y at the top,
    the intermediate variables in layers by depth between them, one arrow from each parameter to the
    intermediate that uses it, labelled with the local derivative: mathtext from the LaTeX where matplotlib
    sets it, else (and with ``math=False``, ~10× faster to draw: mathtext costs ~10 ms a label) plain text
    such as ``3·u₁²``.  With ``highlight`` every path from x to y has its own colour-blind
    safe colour (an edge on several paths carries one stroke per path), the title counts the paths ("2 paths:
    total derivative" where x reaches y along two) and a legend spells each out.

    ``step`` (0-based, as :func:`mcdl.widgets.stepper.stepper_state` counts) shows the graph as it stands after
    that step: only the variables introduced so far, and ``?`` on each edge whose local derivative a later
    step works out.  The layout is that of the whole graph, so nothing moves as it fills in.  Deterministic.
    Returns a :class:`Picture` (no pyplot).  A dataflow that is not a ``Dataflow`` raises TypeError.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch, Polygon

    from .derivation import Dataflow

    if not isinstance(dataflow, Dataflow):
        raise TypeError("dataflow_figure needs a Dataflow (chain_rule_steps(text).dataflow), got "
                        f"{type(dataflow).__name__}.")
    if step is not None and (isinstance(step, (bool, np.bool_)) or not isinstance(step, numbers.Integral)):
        raise TypeError(f"step must be a whole number (0-based) or None, got {type(step).__name__}.")
    if step is not None and step < 0:
        raise ValueError(f"step counts from 0, got {step}.")
    P = _FLOW
    L = _flow_layout(dataflow, float(dpi), bool(math))
    W, H = L.size
    fig = Picture(figsize=(W, H), dpi=dpi)
    inches = fig.dpi_scale_trans           # no Axes (their set-up and autoscaling were half the time): inches

    def put(artist):
        artist.set_transform(inches)
        artist.set_clip_on(False)
        fig.add_artist(artist)
        return artist

    def text(x, y, s, **kwargs):           # cached: the labels of step k are pasted again at step k + 1
        return put(CachedText(x, y, s, **{"ha": "center", "va": "center", **kwargs}))
    off = L.offset
    shown = {n.name for n in dataflow.nodes if step is None or n.name == dataflow.variable or n.introduced_at <= step}
    complete = dataflow.output in shown
    many = len(dataflow.paths) > P["max_coloured"]
    for e in dataflow.edges:
        key = (e.source, e.target)
        if e.source not in shown or e.target not in shown:
            continue
        points = L.lines[key] + off
        on = L.paths_of.get(key, [])
        if not highlight or not on:
            strokes = [(0.0, FLOW_NEUTRAL, "-", P["stroke"])]
        elif many:                               # too many paths to tell apart by colour: width counts them
            strokes = [(0.0, FLOW_NEUTRAL, "-", P["stroke"] * min(1 + 0.35 * (len(on) - 1), 4.0))]
        else:
            k = len(on)
            strokes = [((j - (k - 1) / 2) * P["spacing"], *path_style(i), P["stroke"]) for j, i in enumerate(on)]
        body = _shorten_end(points, P["head"] * 0.8)
        for shift, colour, style, lw in strokes:
            line = _offset(body, shift)
            put(Line2D(line[:, 0], line[:, 1], color=colour, ls=style, lw=lw, solid_capstyle="butt", zorder=2))
        tip, direction = points[-1], _along(points, 1.0)[1]
        normal = np.array([-direction[1], direction[0]])
        half = max(0.035, (len(strokes) - 1) * P["spacing"] / 2 + 0.035)
        base = tip - P["head"] * direction
        head_colour = strokes[0][1] if len(strokes) == 1 else FLOW_NEUTRAL
        put(Polygon([tip, base + half * normal, base - half * normal], closed=True, color=head_colour, lw=0,
                    zorder=3))
        known = step is None or e.labelled_at <= step
        s, (w, h) = L.labels[key] if known else L.unknown
        lx, ly = L.label_at[key] + off
        colour = (strokes[0][1] if len(strokes) == 1 and highlight else "#222222") if known else COLORS["muted"]
        put(FancyBboxPatch((lx - w / 2, ly - h / 2), w, h, boxstyle="round,pad=0.04,rounding_size=0.05",
                           facecolor="white", edgecolor="none", alpha=0.92, zorder=4))
        text(lx, ly, s, fontsize=P["label_size"], color=colour, zorder=4.5)
    for n in dataflow.nodes:
        if n.name not in shown:
            continue
        cx, cy, w, h = L.boxes[n.name]
        cx, cy = cx + off[0], cy + off[1]
        is_out, is_var = n.name == dataflow.output, n.name == dataflow.variable
        face = "#e8f1f8" if is_var else ("#fbeee6" if is_out else "white")
        put(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.06",
                           facecolor=face, edgecolor=COLORS["point"], lw=1.8 if is_out else 1.1, zorder=5))
        text(cx, cy, L.texts[n.name], fontsize=P["node_size"], zorder=6)
    if complete:
        title = L.title
    else:
        count = sum(1 for n in dataflow.nodes if n.name in shown and n.name != dataflow.variable)
        total = len(dataflow.nodes) - 1
        title = _flow_partial_title(count, total)
    text(W / 2, H - 0.08, title, va="top", fontsize=P["title_size"], fontweight="bold")
    if highlight and complete and not many:
        for i, line in enumerate(L.legend):
            colour, style = path_style(i) if i < len(L.paths) and line.startswith("path") else (FLOW_NEUTRAL, "-")
            text(P["margin"], H - 0.36 - 0.19 * i, line, ha="left", va="top", fontsize=P["legend_size"],
                 color=colour)
    elif highlight and complete and L.legend:
        text(P["margin"], H - 0.36, f"{len(L.paths)} paths (the thicker an edge, the more paths use it)",
             ha="left", va="top", fontsize=P["legend_size"], color=FLOW_NEUTRAL)
    return fig


def picture_png(fig: Figure) -> bytes:
    """A figure's pixels as PNG bytes, fast (Agg, then :func:`png_rgba`): no tight bounding box, no metadata."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return png_rgba(np.asarray(canvas.buffer_rgba()), level=1)
