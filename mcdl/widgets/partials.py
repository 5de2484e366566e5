"""Slice explorer (paper §3): a partial derivative is the slope of a one-variable slice.

Hold y fixed at y₀ and f(x, y) becomes a function of x alone, g(x) = f(x, y₀): a curve you get by
cutting the surface along the horizontal line y = y₀ of its contour map.  ∂f/∂x at (x₀, y₀) is the
slope of that curve's tangent at x₀.  Hold x at x₀ instead and the cut h(y) = f(x₀, y) has slope ∂f/∂y.

``slice_state`` decides everything that is shown (pure, tested without a front end);
``SliceExplorer`` is the thin view: two sliders, one live figure (contour map plus the two slices),
one caption.
"""
from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
from matplotlib.ticker import MaxNLocator

from ..functions import learner_function
from ..plots import COLORS, LiveFigure, nice_ylim
from ..shapes import ShapeError
from ..text import number
from .base import Explorer, factory_of, slider

__all__ = ["SliceState", "slice_state", "panel_limits", "slice_explorer", "SliceExplorer"]

# The two directions keep one colour each everywhere: the dashed line on the map, the slice curve
# and the slice panel's title (Okabe–Ito orange and blue: told apart with any colour vision).
X_COLOUR = COLORS["tangent"]      # along x: y held at y₀
Y_COLOUR = COLORS["curve"]        # along y: x held at x₀
TANGENT_COLOUR = "#222222"
_EMPTY = (np.array([]), np.array([]))


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
@dataclass(frozen=True)
class SliceState:
    """What the slice explorer shows at (x0, y0).  NaN and empty tangents where f or a partial is undefined.

    ``x_slice``: (xs, f(xs, y0)), the curve along x with y held at y0; ``y_slice``: (ys, f(x0, ys));
    ``x_tangent`` / ``y_tangent``: the tangent lines of the two slices at the point, whose slopes are
    ∂f/∂x and ∂f/∂y.  ``x_ylim`` / ``y_ylim``: each slice panel's own y-limits (:func:`panel_limits` of its
    curve), so a slope of 3 is as visible as one of 12 beside it.
    """

    x0: float
    y0: float
    value: float = math.nan                 # f(x0, y0)
    dfdx: float = math.nan
    dfdy: float = math.nan
    x_slice: tuple = _EMPTY
    y_slice: tuple = _EMPTY
    x_tangent: tuple = _EMPTY
    y_tangent: tuple = _EMPTY
    x_ylim: tuple = (-1.0, 1.0)
    y_ylim: tuple = (-1.0, 1.0)
    caption: str = field(default="", compare=False)

    @property
    def defined(self) -> bool:
        return math.isfinite(self.value)


def panel_limits(ys, value: float = math.nan, ticks: int = 5) -> tuple:
    """y-limits for one slice panel, from its own curve ``ys`` (and the point's ``value``), with margins.

    :func:`mcdl.plots.nice_ylim` (robust to a pole's spikes) padded, then widened to the nearest round tick
    marks: the limits change in steps, not on every slider move, and always hold the curve with some air.
    """
    values = np.append(np.asarray(ys, dtype=float), value)
    if not np.isfinite(values).any():
        return (-1.0, 1.0)
    lo, hi = nice_ylim(values, pad=0.06)
    marks = MaxNLocator(ticks).tick_values(lo, hi)
    marks = marks[np.isfinite(marks)]
    if marks.size >= 2 and marks[0] <= lo and marks[-1] >= hi:
        lo, hi = float(marks[0]), float(marks[-1])
    return (lo, hi)


def slice_state(f, x0: float, y0: float, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), num: int = 201) -> SliceState:
    """Everything the slice explorer shows at the point (x0, y0), as plain numbers (paper §3).

    ``f`` is anything :func:`mcdl.functions.learner_function` accepts as f(x, y) (a function of two
    numbers or of one vector, text, SymPy).  The partials come from ``mcdl.numeric``.  The caption reads
    ``x = 1.00,  y = 2.00,  f = 6.00,  ∂f/∂x = 12.00,  ∂f/∂y = 3.00``.  Outside f's domain the values are
    NaN, the tangents empty, and the caption says so; never a warning.
    """
    F = learner_function(f, "surface")
    x0, y0 = float(x0), float(y0)
    xlo, xhi = _limits(xlim, "xlim")
    ylo, yhi = _limits(ylim, "ylim")
    where = f"x = {number(x0)},  y = {number(y0)}"
    value = F(x0, y0)
    xs, ys = np.linspace(xlo, xhi, num), np.linspace(ylo, yhi, num)
    slices = dict(x_slice=(xs, F.sample(xs, y0)), y_slice=(ys, F.sample(x0, ys)))
    slices.update(x_ylim=panel_limits(slices["x_slice"][1], value), y_ylim=panel_limits(slices["y_slice"][1], value))
    if not math.isfinite(value):
        return SliceState(x0, y0, caption=f"{where},  f is not defined here", **slices)
    dfdx = F.derivative(x0, y0, wrt="x")                  # each on its own: one may exist without the other
    dfdy = F.derivative(x0, y0, wrt="y")
    tangents = {}
    if math.isfinite(dfdx):
        ends = np.array([xlo, xhi])
        tangents["x_tangent"] = (ends, value + dfdx * (ends - x0))
    if math.isfinite(dfdy):
        ends = np.array([ylo, yhi])
        tangents["y_tangent"] = (ends, value + dfdy * (ends - y0))
    caption = (f"{where},  f = {number(value)},  ∂f/∂x = {number(dfdx, undefined='undefined')},  "
               f"∂f/∂y = {number(dfdy, undefined='undefined')}")
    return SliceState(x0, y0, value, dfdx, dfdy, caption=caption, **slices, **tangents)


# --------------------------------------------------------------------------------------------------
# The view.
class SliceExplorer(Explorer):
    """Contour map with the point (x₀, y₀) and the two cutting lines; beside it the two slices with
    their tangents; sliders x₀ and y₀; a caption with f and both partials."""

    css_class = "mcdl-slices"

    def __init__(self, f, x0=1.0, y0=2.0, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), label=None, step=0.05,
                 figsize=(8.4, 3.8), num=201, grid=121, cmap="Greys"):
        for name, value in (("x0", x0), ("y0", y0)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a number, got {type(value).__name__}")
        self.f = learner_function(f, "surface")
        self.xlim = _limits(xlim, "xlim")
        self.ylim = _limits(ylim, "ylim")
        self.num, self.grid, self.cmap = int(num), int(grid), cmap
        self.label = label or (self.f.label if self.f.source is not None else "f(x, y)")
        wide = dict(width="390px", label_width="2em")
        controls = {"x0": slider(x0, *self.xlim, step, "x₀", **wide),
                    "y0": slider(y0, *self.ylim, step, "y₀", **wide)}
        live = LiveFigure(figsize=figsize, nrows=2, ncols=2, width_ratios=[1.0, 1.15],
                          margins=dict(left=0.065, right=0.985, bottom=0.115, top=0.9, wspace=0.3, hspace=0.62))
        spec = live.axes[0, 0].get_gridspec()
        live.axes[0, 0].remove()
        live.axes[1, 0].remove()
        self.ax_map = live.figure.add_subplot(spec[:, 0])
        self.ax_x, self.ax_y = live.axes[0, 1], live.axes[1, 1]
        super().__init__(controls, live=live, rows=[["x0", "y0"]])

    def state(self, x0, y0):
        return slice_state(self.f, x0, y0, self.xlim, self.ylim, self.num)

    # ---- the still parts: the map (one fixed value range for its colours and the slice axes) ----------
    def scenery(self, state):
        X, Y = np.meshgrid(np.linspace(*self.xlim, self.grid), np.linspace(*self.ylim, self.grid))
        Z = self.f.sample(X, Y)
        self.zlim = nice_ylim(Z.ravel())
        self._draw_map(X, Y, Z)
        self.ax_map.set_title(self.label, fontsize=10)
        for ax, lim, name, colour, title in (
                (self.ax_x, self.xlim, "x", X_COLOUR, "y held at y₀:  f(x, y₀) against x,  slope = ∂f/∂x"),
                (self.ax_y, self.ylim, "y", Y_COLOUR, "x held at x₀:  f(x₀, y) against y,  slope = ∂f/∂y")):
            ax.set_xlim(*lim)
            ax.set_xlabel(name, labelpad=1)
            ax.set_title(title, fontsize=9.5, color=colour, loc="left")
            ax.axhline(0, color=COLORS["muted"], lw=0.8)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
        self._ylims = None
        self._set_ylims(state)
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

    def _draw_map(self, X, Y, Z):
        ax = self.ax_map
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*self.ylim)
        ax.set_xlabel("x", labelpad=1)
        ax.set_ylabel("y", labelpad=1)
        ax.tick_params(labelsize=8)
        if not np.isfinite(Z).any():
            ax.text(0.5, 0.5, "f is not defined\nanywhere in this window", transform=ax.transAxes,
                    ha="center", va="center", color=COLORS["muted"])
            return
        levels = MaxNLocator(12).tick_values(*self.zlim)
        masked = np.ma.masked_invalid(Z)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # e.g. "no contour levels" for a constant f
            try:
                filled = ax.contourf(X, Y, masked, levels=levels, cmap=self.cmap, extend="both", alpha=0.5)
                inside = levels[(levels > np.nanmin(Z)) & (levels < np.nanmax(Z))]
                if inside.size:
                    lines = ax.contour(X, Y, masked, levels=inside, colors="#666666", linewidths=0.6,
                                       linestyles="solid")
                    ax.clabel(lines, inside[::2], fontsize=7, fmt="%.3g")
            except ValueError:                       # values near the float limit: matplotlib cannot contour them
                ax.text(0.5, 0.5, "f's values are too large\nto draw its level curves", transform=ax.transAxes,
                        ha="center", va="center", color=COLORS["muted"])
                return
        bar = self.live.figure.colorbar(filled, ax=ax, fraction=0.05, pad=0.03, aspect=30)
        bar.ax.tick_params(labelsize=7)
        bar.ax.set_title("f", fontsize=8)

    def _set_ylims(self, state) -> bool:
        """Each slice panel on its own limits (the state's); True if they changed (then a full redraw)."""
        ylims = (state.x_ylim, state.y_ylim)
        if ylims == self._ylims:
            return False
        self.ax_x.set_ylim(*state.x_ylim)
        self.ax_y.set_ylim(*state.y_ylim)
        self._ylims = ylims
        return True

    # ---- what moves ------------------------------------------------------------------------------------
    def draw(self, state):
        rescaled = self._set_ylims(state)      # a slice outgrew (or shrank inside) its panel: new ticks
        x0, y0 = state.x0, state.y0
        self.x_cut.set_data(self.xlim, (y0, y0))
        self.y_cut.set_data((x0, x0), self.ylim)
        self.map_point.set_data([x0], [y0])
        self.x_curve.set_data(*state.x_slice)
        self.y_curve.set_data(*state.y_slice)
        self.x_tangent.set_data(*state.x_tangent)
        self.y_tangent.set_data(*state.y_tangent)
        value = [state.value] if state.defined else []
        self.x_point.set_data([x0] if state.defined else [], value)
        self.y_point.set_data([y0] if state.defined else [], value)
        if rescaled:
            self.live.redraw()


@factory_of(SliceExplorer)
def slice_explorer(f, *args, **kw) -> SliceExplorer:
    """Explore the partial derivatives of any f(x, y) as slopes of slices (paper §3).

    ``f`` is a Python function of (x, y) such as ``lambda x, y: 3*x**2*y``, a function of one vector
    ``lambda v: 3*v[0]**2*v[1]``, or text such as ``"3*x**2*y"``.  Drag x₀ and y₀ to move the point
    on the contour map; the right-hand panels show f along the two dashed lines through it, with the
    tangents whose slopes are ∂f/∂x and ∂f/∂y.

    Options (see :class:`SliceExplorer`): ``x0=1.0, y0=2.0`` (the start), ``xlim=(-3, 3), ylim=(-3, 3)``
    (the window and the sliders' ranges), ``label`` (the map's title; by default the formula of text, else
    "f(x, y)"), ``step=0.05``, ``figsize=(8.4, 3.8)``, ``num=201`` (points per slice), ``grid=121``
    (the map's grid), ``cmap="Greys"``.
    """
    return SliceExplorer(f, *args, **kw)
