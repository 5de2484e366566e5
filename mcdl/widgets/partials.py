"""Slice explorer (paper §3): a partial derivative is the slope of a one-variable slice.

Hold y fixed at y₀ and f(x, y) becomes a function of x alone, g(x) = f(x, y₀): a curve you get by
cutting the surface along the horizontal line y = y₀ of its contour map.  ∂f/∂x at (x₀, y₀) is the
slope of that curve's tangent at x₀.  Hold x at x₀ instead and the cut h(y) = f(x₀, y) has slope ∂f/∂y.

``slice_state`` decides everything that is shown (pure, tested without a front end);
``slice_explorer`` is the thin view: two sliders, one live figure (contour map plus the two slices),
one caption.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import ipywidgets as widgets

from matplotlib.ticker import MaxNLocator

from ..numeric import partial
from ..plots import COLORS, LiveFigure, nice_ylim
from ..shapes import ShapeError, require_callable
from .base import LegacyExplorer as Explorer, caption_label, positional_parameters

__all__ = ["Surface", "as_surface", "slice_state", "slice_explorer", "SliceExplorer"]

# The two directions keep one colour each everywhere: the dashed line on the map, the slice curve
# and the slice panel's title (Okabe–Ito orange and blue: told apart with any colour vision).
X_COLOUR = COLORS["tangent"]      # along x: y held at y₀
Y_COLOUR = COLORS["curve"]        # along y: x held at x₀
TANGENT_COLOUR = "#222222"


# --------------------------------------------------------------------------------------------------
# Any function of two variables, made safe to sample.
def _arity_error(required, total) -> TypeError:
    takes = f"{required} argument{'s' if required != 1 else ''}" if required == total else \
        f"{required} to {total} arguments"
    return TypeError(f"slice_explorer needs a function of two variables, f(x, y) (or f(v) of one vector "
                     f"v = [x, y]); this function takes {takes}. Example: lambda x, y: 3*x**2*y, "
                     f"or the text \"3*x**2*y\".")


class Surface:
    """f(x, y) wrapped so that it can be sampled anywhere: NaN outside f's domain, never a warning.

    ``f`` is called as f(x, y), or as f(v) with v = [x, y] when ``vector`` is true.  ``grid(X, Y)``
    samples arrays (one vectorised call when f allows it, else point by point); ``at(x, y)`` is one
    number; ``as_vector`` is the same function of one vector, as ``mcdl.partial`` wants it.
    """

    def __init__(self, f, vector: bool = False, label: str = "f(x, y)"):
        self.f = f
        self.vector = bool(vector)
        self.label = label
        self._vectorised = None          # learnt on first use: does f take whole arrays?

    def _call(self, x, y):
        return self.f(np.array([x, y])) if self.vector else self.f(x, y)

    def as_vector(self, v):
        return self.f(v) if self.vector else self.f(v[0], v[1])

    def at(self, x: float, y: float) -> float:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = np.asarray(self._call(float(x), float(y)), dtype=float)
        except Exception:
            return math.nan
        if value.size != 1:
            return math.nan
        value = float(value.reshape(()))
        return value if math.isfinite(value) else math.nan

    def grid(self, X, Y) -> np.ndarray:
        X, Y = np.broadcast_arrays(np.asarray(X, dtype=float), np.asarray(Y, dtype=float))
        Z = None
        if self._vectorised is not False:
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    raw = self.f(np.stack([X, Y])) if self.vector else self.f(X, Y)
                    Z = np.asarray(raw, dtype=float)
                if Z.shape != X.shape:
                    Z = np.broadcast_to(Z, X.shape).copy() if Z.size == 1 else None
            except Exception:
                Z = None
            if self._vectorised is None:
                self._vectorised = Z is not None
        if Z is None:
            Z = np.array([self.at(x, y) for x, y in zip(X.ravel(), Y.ravel())]).reshape(X.shape)
        return np.where(np.isfinite(Z), Z, np.nan)


def as_surface(f, variables=("x", "y")) -> Surface:
    """Accept what a learner passes and return a :class:`Surface`.

    * a Python function of two numbers, ``lambda x, y: 3*x**2*y`` (numpy functions inside are best);
    * a Python function of one vector, ``lambda v: 3*v[0]**2*v[1]`` (as ``mcdl.partial`` takes);
    * text such as ``"3*x**2*y"`` or a SymPy expression in x and y (parsed safely, never ``eval``).

    Anything else raises TypeError; a function of the wrong number of arguments raises TypeError
    saying how many it takes; one that returns several numbers raises ShapeError.
    """
    if isinstance(f, Surface):
        return f
    variables = tuple(variables)
    if isinstance(f, str) or (hasattr(f, "free_symbols") and not callable(f)):
        from ..symbolic import parse_expression, to_function
        expr = parse_expression(f, variables) if isinstance(f, str) else f
        return Surface(to_function(expr, variables), label=f"f(x, y) = {f if isinstance(f, str) else expr}")
    f = require_callable(f)
    counts = positional_parameters(f)
    if counts is None:
        vector = False                                  # cannot tell: call it as f(x, y)
    else:
        required, total, varargs = counts
        if varargs or required == 2 or (required < 2 <= total):
            vector = False
        elif required == 1 or (required == 0 and total == 1):
            vector = True
        else:
            raise _arity_error(required, total)
    return Surface(f, vector=vector)


def _probe(surface: Surface, points) -> None:
    """Call f at a few points; refuse a wrong arity or a vector result with a clear message."""
    for x, y in points:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                raw = surface._call(float(x), float(y))
        except TypeError as err:
            form = "f(v) with one vector v = [x, y]" if surface.vector else "f(x, y) with two numbers"
            raise TypeError(f"slice_explorer called your function as {form} and it raised "
                            f"TypeError: {err}. It needs a function of two variables, e.g. "
                            "lambda x, y: 3*x**2*y (or the text \"3*x**2*y\").") from None
        except Exception:
            continue                                   # outside f's domain: try the next point
        try:
            value = np.asarray(raw, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"f(x, y) must return a number, got {type(raw).__name__}") from None
        if value.size != 1:
            extra = (" A function of one argument is called with the vector v = [x, y]: "
                     "for f(x, y) write lambda x, y: ...") if surface.vector else ""
            raise ShapeError(f"f(x, y) must return one number (a scalar), got shape {value.shape}."
                             f"{extra}")
        return


def _limits(lim, name):
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise ShapeError(f"{name} must be two numbers (low, high), got {lim!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be two finite numbers with low < high, got ({lo}, {hi})")
    return lo, hi


# --------------------------------------------------------------------------------------------------
# The pure part: everything that is shown, as numbers.
def _partial_at(surface: Surface, x0: float, y0: float, i: int) -> float:
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = partial(surface.as_vector, np.array([x0, y0]), i)
    except (ValueError, TypeError, ArithmeticError, IndexError):
        return math.nan
    return value if math.isfinite(value) else math.nan


def _text(value: float) -> str:
    """Two decimals without a '-0.00'; 'undefined' for NaN."""
    if not math.isfinite(value):
        return "undefined"
    return f"{round(value, 2) + 0.0:.2f}"


def slice_state(f, x0: float, y0: float, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), num: int = 201) -> dict:
    """Everything the slice explorer shows at the point (x0, y0), as plain numbers (paper §3).

    ``f`` is anything :func:`as_surface` accepts.  Keys:

    * ``x0``, ``y0``, ``value`` (f(x0, y0)), ``dfdx`` and ``dfdy`` (the partials, by finite differences);
    * ``x_slice``: (xs, f(xs, y0)), the curve along x with y held at y0; ``y_slice``: (ys, f(x0, ys));
    * ``x_tangent`` / ``y_tangent``: the tangent lines of the two slices at the point, whose slopes
      are ∂f/∂x and ∂f/∂y;
    * ``caption``: ``x = 1.00,  y = 2.00,  f = 6.00,  ∂f/∂x = 12.00,  ∂f/∂y = 3.00``.

    Outside f's domain the values are NaN, the tangents empty, and the caption says so; never a warning.
    """
    surface = as_surface(f)
    x0, y0 = float(x0), float(y0)
    xlo, xhi = _limits(xlim, "xlim")
    ylo, yhi = _limits(ylim, "ylim")
    xs = np.linspace(xlo, xhi, num)
    ys = np.linspace(ylo, yhi, num)
    empty = (np.array([]), np.array([]))
    value = surface.at(x0, y0)
    state = {"x0": x0, "y0": y0, "value": value, "dfdx": math.nan, "dfdy": math.nan,
             "x_slice": (xs, surface.grid(xs, y0)), "y_slice": (ys, surface.grid(x0, ys)),
             "x_tangent": empty, "y_tangent": empty}
    where = f"x = {x0:.2f},  y = {y0:.2f}"
    if not math.isfinite(value):
        state["caption"] = f"{where},  f is not defined here"
        return state
    state["dfdx"] = dfdx = _partial_at(surface, x0, y0, 0)
    state["dfdy"] = dfdy = _partial_at(surface, x0, y0, 1)
    if math.isfinite(dfdx):
        ends = np.array([xlo, xhi])
        state["x_tangent"] = (ends, value + dfdx * (ends - x0))
    if math.isfinite(dfdy):
        ends = np.array([ylo, yhi])
        state["y_tangent"] = (ends, value + dfdy * (ends - y0))
    state["caption"] = (f"{where},  f = {_text(value)},  ∂f/∂x = {_text(dfdx)},  ∂f/∂y = {_text(dfdy)}")
    return state


# --------------------------------------------------------------------------------------------------
# The view.
class SliceExplorer(Explorer):
    """Contour map with the point (x₀, y₀) and the two cutting lines; beside it the two slices with
    their tangents; sliders for x₀ and y₀; a caption with f and both partials."""

    def __init__(self, f, x0=1.0, y0=2.0, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), label=None, step=0.05,
                 figsize=(8.4, 3.8), num=201, grid=121, cmap="Greys"):
        self.surface = as_surface(f)
        self.xlim = _limits(xlim, "xlim")
        self.ylim = _limits(ylim, "ylim")
        self.num = int(num)
        x0 = float(np.clip(x0, *self.xlim))
        y0 = float(np.clip(y0, *self.ylim))
        _probe(self.surface, [(x0, y0), (np.mean(self.xlim), np.mean(self.ylim)),
                              (self.xlim[1], self.ylim[1]), (self.xlim[0], self.ylim[0])])
        label = label or self.surface.label
        wide = dict(layout=widgets.Layout(width="390px"), style={"description_width": "2em"})
        self.x_slider = widgets.FloatSlider(value=x0, min=self.xlim[0], max=self.xlim[1], step=step,
                                            description="x₀", readout_format=".2f", continuous_update=True,
                                            **wide)
        self.y_slider = widgets.FloatSlider(value=y0, min=self.ylim[0], max=self.ylim[1], step=step,
                                            description="y₀", readout_format=".2f", continuous_update=True,
                                            **wide)
        self.caption = caption_label()

        # ---- static scenery: drawn once, cached as the blitting background ----
        gx = np.linspace(*self.xlim, int(grid))
        gy = np.linspace(*self.ylim, int(grid))
        X, Y = np.meshgrid(gx, gy)
        Z = self.surface.grid(X, Y)
        self.zlim = nice_ylim(Z.ravel())                # one fixed value range: map colours and slice axes
        self.live = LiveFigure(figsize=figsize, nrows=2, ncols=2, width_ratios=[1.0, 1.15],
                               margins=dict(left=0.065, right=0.985, bottom=0.115, top=0.9,
                                            wspace=0.3, hspace=0.62))
        fig = self.live.figure
        axes = self.live.axes
        spec = axes[0, 0].get_gridspec()
        axes[0, 0].remove()
        axes[1, 0].remove()
        self.ax_map = fig.add_subplot(spec[:, 0])
        self.ax_x, self.ax_y = axes[0, 1], axes[1, 1]
        self._draw_map(X, Y, Z, cmap)
        self.ax_map.set_title(label, fontsize=10)
        for ax, lim, name, colour, title in (
                (self.ax_x, self.xlim, "x", X_COLOUR, "y held at y₀:  f(x, y₀) against x,  slope = ∂f/∂x"),
                (self.ax_y, self.ylim, "y", Y_COLOUR, "x held at x₀:  f(x₀, y) against y,  slope = ∂f/∂y")):
            ax.set_xlim(*lim)
            ax.set_ylim(*self.zlim)
            ax.set_xlabel(name, labelpad=1)
            ax.set_title(title, fontsize=9.5, color=colour, loc="left")
            ax.axhline(0, color=COLORS["muted"], lw=0.8)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)

        # ---- what moves ----
        add = self.live.add_animated
        amap = self.ax_map
        self.x_cut = add(amap.plot([], [], ls="--", lw=2, color=X_COLOUR)[0])
        self.y_cut = add(amap.plot([], [], ls="--", lw=2, color=Y_COLOUR)[0])
        self.map_point = add(amap.plot([], [], "o", ms=8, color=COLORS["point"], mec="white", mew=1.2)[0])
        # tangents first, so a straight slice (its own tangent) still shows its colour on top
        self.x_tangent = add(self.ax_x.plot([], [], lw=1.4, color=TANGENT_COLOUR)[0])
        self.y_tangent = add(self.ax_y.plot([], [], lw=1.4, color=TANGENT_COLOUR)[0])
        self.x_curve = add(self.ax_x.plot([], [], lw=2.2, color=X_COLOUR)[0])
        self.y_curve = add(self.ax_y.plot([], [], lw=2.2, color=Y_COLOUR)[0])
        self.x_point = add(self.ax_x.plot([], [], "o", ms=6, color=COLORS["point"])[0])
        self.y_point = add(self.ax_y.plot([], [], "o", ms=6, color=COLORS["point"])[0])
        super().__init__([widgets.HBox([self.x_slider, self.y_slider]), self.live.canvas, self.caption])
        self.add_class("mcdl-slices")
        self.x_slider.observe(self._on_change, names="value")
        self.y_slider.observe(self._on_change, names="value")
        self._apply(self._state())
        # no draw yet: the front end asks for one when it shows the canvas (see TangentExplorer)

    def _draw_map(self, X, Y, Z, cmap):
        ax = self.ax_map
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*self.ylim)
        ax.set_xlabel("x", labelpad=1)
        ax.set_ylabel("y", labelpad=1)
        ax.tick_params(labelsize=8)
        finite = np.isfinite(Z)
        if not finite.any():
            ax.text(0.5, 0.5, "f is not defined\nanywhere in this window", transform=ax.transAxes,
                    ha="center", va="center", color=COLORS["muted"])
            return
        levels = MaxNLocator(12).tick_values(*self.zlim)
        masked = np.ma.masked_invalid(Z)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # e.g. "no contour levels" for a constant f
            filled = ax.contourf(X, Y, masked, levels=levels, cmap=cmap, extend="both", alpha=0.5)
            inside = levels[(levels > np.nanmin(Z)) & (levels < np.nanmax(Z))]
            if inside.size:
                lines = ax.contour(X, Y, masked, levels=inside, colors="#666666", linewidths=0.6,
                                   linestyles="solid")
                ax.clabel(lines, inside[::2], fontsize=7, fmt=_level_text)
        bar = self.live.figure.colorbar(filled, ax=ax, fraction=0.05, pad=0.03, aspect=30)
        bar.ax.tick_params(labelsize=7)
        bar.ax.set_title("f", fontsize=8)

    def _state(self):
        return slice_state(self.surface, self.x_slider.value, self.y_slider.value, self.xlim, self.ylim,
                           self.num)

    def _apply(self, state):
        self.state = state
        x0, y0 = state["x0"], state["y0"]
        self.x_cut.set_data(self.xlim, (y0, y0))
        self.y_cut.set_data((x0, x0), self.ylim)
        self.map_point.set_data([x0], [y0])
        self.x_curve.set_data(*state["x_slice"])
        self.y_curve.set_data(*state["y_slice"])
        self.x_tangent.set_data(*state["x_tangent"])
        self.y_tangent.set_data(*state["y_tangent"])
        defined = math.isfinite(state["value"])
        self.x_point.set_data([x0] if defined else [], [state["value"]] if defined else [])
        self.y_point.set_data([y0] if defined else [], [state["value"]] if defined else [])
        self.caption.value = state["caption"]

    def _on_change(self, _change=None):
        self._apply(self._state())
        self.live.update()


def _level_text(level) -> str:
    return f"{level:.3g}"


def slice_explorer(f, x0: float = 1.0, y0: float = 2.0, xlim=(-3, 3), ylim=(-3, 3), label: str | None = None,
                   **kw) -> SliceExplorer:
    """Explore the partial derivatives of any f(x, y) as slopes of slices (paper §3).

    ``f`` is a Python function of (x, y) such as ``lambda x, y: 3*x**2*y``, a function of one vector
    ``lambda v: 3*v[0]**2*v[1]``, or text such as ``"3*x**2*y"``.  Drag x₀ and y₀ to move the point
    on the contour map; the right-hand panels show f along the two dashed lines through it, with the
    tangents whose slopes are ∂f/∂x and ∂f/∂y.
    """
    for name, value in (("x0", x0), ("y0", y0)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    return SliceExplorer(f, x0=x0, y0=y0, xlim=xlim, ylim=ylim, label=label, **kw)
