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
