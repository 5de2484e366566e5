"""Gradient-field explorer (paper §3–4): ∇f = [∂f/∂x, ∂f/∂y] as an arrow on the contour map of f.

What the picture shows, and what the learner can read off it:

* the arrow ∇f at the point (x₀, y₀) points uphill and stands at a right angle to the level curve through
  the point (drawn as its short tangent line); a sparse field of small arrows shows the same everywhere;
* a direction slider θ draws the unit vector u = (cos θ, sin θ); the rate of change of f in that direction
  is the directional derivative ∇f·u, plotted for every θ in a second panel.  It is largest, and equal to
  |∇f|, when u points along ∇f; zero along the level curve; most negative straight downhill.

``gradient_state`` decides everything that is shown (pure, tested without a front end);
``gradient_explorer`` is the thin view: three sliders, one live figure with two panels, one caption.
``sample_field`` and ``draw_contours`` are the static scenery, also used by the chapter's own plots.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import ipywidgets as widgets
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from ..numeric import gradient
from ..plots import COLORS, LiveFigure
from ..shapes import ShapeError, require_callable
from .base import LegacyExplorer as Explorer, caption_label, positional_parameters

__all__ = ["as_function_xy", "sample_field", "draw_contours", "gradient_state", "gradient_explorer",
           "GradientExplorer", "arrow_length"]

ZERO_GRADIENT = 1e-8          # |∇f| below this times the map's typical |∇f| counts as 0 (finite-difference noise)
THETAS = np.linspace(0.0, 360.0, 181)   # degrees: the directional-derivative panel's curve
_COS, _SIN = np.cos(np.radians(THETAS)), np.sin(np.radians(THETAS))


# --------------------------------------------------------------------------------------------------
# Accepting any f the learner passes: f(x, y), f(vector), text, or a SymPy expression.
def _positional(f):
    """(required, most) positional parameters of f; (2, 2) when that cannot be read (then try f(x, y))."""
    counts = positional_parameters(f)
    if counts is None:
        return 2, 2
    required, total, varargs = counts
    return (min(required, 2), max(total, 2)) if varargs else (required, total)


def as_function_xy(f):
    """f as a function of two numbers (or two arrays of the same shape), f(x, y).

    Accepts a Python function of (x, y); a function of ONE vector v = [x, y] (then v[0] is x and v[1]
    is y); an expression typed as text (``"3*x**2*y"``, parsed safely, never run as code); or a SymPy
    expression in x and y.  Anything else raises TypeError saying what was expected.
    """
    if getattr(f, "_mcdl_xy", False):
        return f
    if isinstance(f, str) or (hasattr(f, "free_symbols") and not callable(f)):
        from ..symbolic import to_function
        g = to_function(f, ("x", "y"))
        xy = lambda x, y: g(x, y)                                   # noqa: E731
        xy.vector = lambda v: g(v[0], v[1])
        xy.expr = g.expr
    else:
        f = require_callable(f)
        required, most = _positional(f)
        if required <= 2 <= most:
            xy = lambda x, y: f(x, y)                               # noqa: E731
            xy.vector = lambda v: f(v[0], v[1])
        elif most == 1:
            xy = lambda x, y: f(np.array([x, y], dtype=float))      # noqa: E731
            xy.vector = f
        else:
            what = f"{required} arguments" if required > 2 else f"{most} argument{'s' if most != 1 else ''}"
            raise TypeError(f"f must be a function of two numbers, f(x, y), or of one vector, f(v) with "
                            f"v = [x, y]; this function takes {what}.")
    xy._mcdl_xy = True
    xy.original = f
    return xy


def _scalar(value, x, y) -> float:
    """One value of f as a float (NaN if it is not finite); a vector result is a ShapeError."""
    arr = np.asarray(value)
    if arr.size != 1:
        raise ShapeError(f"f(x, y) must return one number (a scalar), but at x = {x:.2f}, y = {y:.2f} it "
                         f"returned shape {arr.shape}. The gradient is for scalar-valued functions; a "
                         "vector-valued f has a Jacobian (chapter 04).")
    try:
        v = float(arr.reshape(()).real) if np.isrealobj(arr) or np.all(arr.imag == 0) else math.nan
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def _value(f, x: float, y: float) -> float:
    """f(x, y) as a float; NaN where f is undefined or raises (outside its domain), never a warning."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = f(x, y)
    except (ArithmeticError, ValueError, OverflowError) as err:
        if isinstance(err, ShapeError):
            raise
        return math.nan
    return _scalar(raw, x, y)


def _grid_values(f, X, Y):
    """f on a grid: one vectorised call if f takes arrays, else point by point. NaN outside the domain."""
    first_error = None
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            Z = np.asarray(f(X, Y))
            if Z.shape != X.shape or Z.dtype.kind not in "iuf":
                raise ValueError("not element-wise")
            Z = Z.astype(float)
        except Exception:
            Z = np.empty(X.shape)
            for index in np.ndindex(X.shape):
                x, y = float(X[index]), float(Y[index])
                try:
                    raw = f(x, y)
                except Exception as err:          # outside the domain (math.log(-1)), or a broken f
                    first_error = first_error or (err, x, y)
                    Z[index] = math.nan
                    continue
                Z[index] = _scalar(raw, x, y)
    Z = np.where(np.isfinite(Z), Z, np.nan)
    return Z, first_error


def _grid_gradient(f, X, Y):
    """Central differences of f on a grid, vectorised: (GX, GY), NaN where f is undefined nearby."""
    hx = np.cbrt(np.finfo(float).eps) * np.maximum(np.abs(X), 1.0)
    hy = np.cbrt(np.finfo(float).eps) * np.maximum(np.abs(Y), 1.0)
    with np.errstate(all="ignore"):
        GX = (_grid_values(f, X + hx, Y)[0] - _grid_values(f, X - hx, Y)[0]) / (2 * hx)
        GY = (_grid_values(f, X, Y + hy)[0] - _grid_values(f, X, Y - hy)[0]) / (2 * hy)
    return GX, GY


def sample_field(f, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), num: int = 121, arrows: int = 13) -> dict:
    """The static scenery of a gradient map: f on a grid, and ∇f on a sparser grid.

    Keys: X, Y, Z (num × num, NaN outside f's domain); QX, QY, GX, GY (arrows × arrows, the gradient
    by central differences); typical (the median |∇f| over the sparse grid: the size at which a drawn
    arrow reaches about two thirds of its longest) and peak (the largest |∇f| found on a 41 × 41 grid,
    which fixes the directional-derivative panel's limits).  Raises ValueError if f is defined nowhere.
    """
    f = as_function_xy(f)
    lo_x, hi_x = float(xlim[0]), float(xlim[1])
    lo_y, hi_y = float(ylim[0]), float(ylim[1])
    if not (lo_x < hi_x and lo_y < hi_y):
        raise ValueError(f"xlim and ylim must each be (low, high) with low < high; got {xlim} and {ylim}")
    X, Y = np.meshgrid(np.linspace(lo_x, hi_x, num), np.linspace(lo_y, hi_y, num))
    Z, error = _grid_values(f, X, Y)
    if not np.isfinite(Z).any():
        if error is not None:
            err, x, y = error
            raise TypeError(f"f(x, y) could not be evaluated on the plot: at x = {x:.2f}, y = {y:.2f} it raised "
                            f"{type(err).__name__}: {err}") from err
        raise ValueError(f"f is not defined anywhere on x in {xlim}, y in {ylim}: choose other limits")
    QX, QY = np.meshgrid(np.linspace(lo_x, hi_x, arrows + 2)[1:-1], np.linspace(lo_y, hi_y, arrows + 2)[1:-1])
    GX, GY = _grid_gradient(f, QX, QY)
    SX, SY = np.meshgrid(np.linspace(lo_x, hi_x, 41), np.linspace(lo_y, hi_y, 41))
    sizes = np.hypot(*_grid_gradient(f, SX, SY))
    sizes = sizes[np.isfinite(sizes)]
    arrow_sizes = np.hypot(GX, GY)
    arrow_sizes = arrow_sizes[np.isfinite(arrow_sizes)]
    typical = float(np.median(arrow_sizes)) if arrow_sizes.size else 0.0
    peak = float(sizes.max()) if sizes.size else 0.0
    if not typical > 0:
        typical = float(np.median(sizes)) if sizes.size and np.median(sizes) > 0 else 1.0
    if not peak > 0:
        peak = 1.0
    return {"X": X, "Y": Y, "Z": Z, "QX": QX, "QY": QY, "GX": GX, "GY": GY,
            "typical": typical, "peak": peak, "xlim": (lo_x, hi_x), "ylim": (lo_y, hi_y)}


def arrow_length(size, typical: float, longest: float):
    """How long an arrow for a gradient of this size is drawn: longest·(1 − e^(−size/typical)).

    Proportional to |∇f| for small gradients (so a vanishing gradient gives a vanishing arrow), and
    saturating for large ones, so a steep corner cannot push an arrow off the map.  The exact size is
    always in the caption.
    """
    return longest * -np.expm1(-np.asarray(size, dtype=float) / typical)


# --------------------------------------------------------------------------------------------------
# The state: everything the explorer shows, as plain numbers.
def _fmt(v: float) -> str:
    """Two decimals ("+ 0.0" turns a rounded -0.00 into 0.00); a tiny non-zero number in e-notation, so
    a gradient that is not zero is never shown as 0.00."""
    v = float(v)
    if v != 0 and abs(v) < 0.005:
        return f"{v:.2e}"
    return f"{round(v, 2) + 0.0:.2f}"


def gradient_state(f, x0: float, y0: float, theta: float = 45.0, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0),
                   typical: float | None = None) -> dict:
    """Everything the gradient explorer shows at the point (x0, y0) with direction angle ``theta`` (degrees).

    Keys: x0, y0, value (f there), grad (shape (2,): the paper's row vector ∇f, by ``mcdl.gradient``),
    norm (|∇f|), zero (True where ∇f = 0), theta (degrees), u (the unit vector (cos θ, sin θ)),
    directional (∇f·u), steepest (the angle of ∇f in degrees, where ∇f·u is largest and equal to |∇f|),
    arrow ((x0, y0) and the arrow's tip; None when there is no arrow), arrow_u (the same for u),
    tangent ((xs, ys) of a short piece of the level curve's tangent line), curve (θs in degrees and
    ∇f·u(θ) for each), and caption.  ``typical`` sets the arrow scale (see :func:`arrow_length`); by
    default it comes from :func:`sample_field`.  Where f or ∇f is undefined the numbers are NaN, nothing
    is drawn and the caption says so; where ∇f = 0 the arrow vanishes and the caption says the gradient
    is zero — never a warning.
    """
    f = as_function_xy(f)
    x0, y0, theta = float(x0), float(y0), float(theta)
    span = min(float(xlim[1]) - float(xlim[0]), float(ylim[1]) - float(ylim[0]))
    if typical is None:
        typical = sample_field(f, xlim, ylim)["typical"]
    rad = math.radians(theta)
    u = np.array([math.cos(rad), math.sin(rad)])
    u[np.abs(u) < 1e-15] = 0.0                        # cos 90° is 6e-17 in floating point: show it as 0
    nan2 = np.array([math.nan, math.nan])
    empty = (np.array([]), np.array([]))
    state = {"x0": x0, "y0": y0, "theta": theta, "u": u, "value": _value(f, x0, y0), "grad": nan2,
             "norm": math.nan, "zero": False, "directional": math.nan, "steepest": math.nan,
             "arrow": None, "arrow_u": None, "tangent": empty, "curve": (THETAS, np.full(THETAS.shape, np.nan))}
    head = f"x = {_fmt(x0)},  y = {_fmt(y0)}"
    if not math.isfinite(state["value"]):
        state["caption"] = f"{head},  f is not defined here"
        return state
    state["arrow_u"] = ((x0, y0), (x0 + 0.2 * span * u[0], y0 + 0.2 * span * u[1]))
    try:
        grad = gradient(f.vector, np.array([x0, y0]))
    except ShapeError:
        raise
    except (ValueError, ArithmeticError):
        state["caption"] = f"{head},  ∇f is undefined here (f is not smooth, or not defined on both sides)"
        return state
    norm = float(np.hypot(*grad))
    zero = norm <= ZERO_GRADIENT * typical
    if zero:
        grad = np.zeros(2)
        norm = 0.0
    directional = float(grad @ u)
    rates = grad[0] * _COS + grad[1] * _SIN                          # ∇f·u(θ) for every θ of the panel
    state.update(grad=grad, norm=norm, zero=zero, directional=directional, curve=(THETAS, rates))
    rate = f"θ = {theta:.0f}°,  ∇f·u = {_fmt(directional)}"
    if zero:
        state["caption"] = (f"{head},  ∇f = [0.00, 0.00],  the gradient is zero here (a flat spot: "
                            f"no uphill direction),  {rate}")
        return state
    steepest = math.degrees(math.atan2(grad[1], grad[0])) % 360.0
    direction = grad / norm
    length = float(arrow_length(norm, typical / 2, 0.25 * span))   # reaches ~86 % of 0.25·span at |∇f| = typical
    tangent = np.array([-direction[1], direction[0]]) * 0.12 * span
    state.update(steepest=steepest,
                 arrow=((x0, y0), (x0 + length * direction[0], y0 + length * direction[1])),
                 tangent=(np.array([x0 - tangent[0], x0 + tangent[0]]), np.array([y0 - tangent[1], y0 + tangent[1]])))
    state["caption"] = (f"{head},  ∇f = [{_fmt(grad[0])}, {_fmt(grad[1])}],  |∇f| = {_fmt(norm)},  {rate},  "
                        f"steepest at θ = {steepest:.0f}°")
    return state


# --------------------------------------------------------------------------------------------------
# Static scenery shared by the view and the chapter's plots.
def draw_contours(ax, field: dict, levels: int = 14, arrows: bool = True, labels: bool = True):
    """Draw f's filled contours, labelled level curves and (optionally) the sparse field of small
    gradient arrows on ``ax``, with equal axis scales so right angles look right.

    The levels are evenly spaced (then crowded level curves mean a steep slope), unless that would
    leave most of the map in a single band; then they are spaced by quantiles of f's values.
    """
    Z = field["Z"]
    finite = Z[np.isfinite(Z)]
    lo, hi = np.percentile(finite, [1, 99]) if finite.size > 20 else (finite.min(), finite.max())
    if hi - lo > 1e-12 * max(1.0, abs(hi)):
        values = np.linspace(lo, hi, levels)
        if np.histogram(finite, bins=values)[0].max() > 0.4 * finite.size:
            # evenly spaced levels would leave most of the map in one band (2x + y⁸ on [-3, 3]²):
            # space them by quantiles instead, so level curves cross the whole map
            values = np.unique(np.quantile(finite, np.linspace(0.02, 0.98, levels)))
        ax.contourf(field["X"], field["Y"], Z, levels=values, cmap="Blues", alpha=0.55, extend="both")
        lines = ax.contour(field["X"], field["Y"], Z, levels=values, colors=COLORS["curve"], linewidths=0.6,
                           alpha=0.8, negative_linestyles="solid")
        if labels:
            ax.clabel(lines, lines.levels[1::3], inline=True, fontsize=7, fmt="%.3g")
    if arrows:
        GX, GY = field["GX"], field["GY"]
        size = np.hypot(GX, GY)
        ok = np.isfinite(size) & (size > 0)
        spacing = min(field["QX"][0, 1] - field["QX"][0, 0], field["QY"][1, 0] - field["QY"][0, 0])
        length = arrow_length(size[ok], field["typical"], 0.75 * spacing)
        ax.quiver(field["QX"][ok], field["QY"][ok], GX[ok] / size[ok] * length, GY[ok] / size[ok] * length,
                  angles="xy", scale_units="xy", scale=1, color=COLORS["muted"], width=0.004, headwidth=4,
                  headlength=4.5, headaxislength=4, zorder=2)
    ax.set_xlim(*field["xlim"])
    ax.set_ylim(*field["ylim"])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("x")
    ax.set_ylabel("y")


# --------------------------------------------------------------------------------------------------
# The view.
class GradientExplorer(Explorer):
    """Sliders x₀, y₀ and θ; the contour map with ∇f, the level-curve tangent and u; the ∇f·u(θ) panel."""

    def __init__(self, f, x0=1.0, y0=1.0, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), theta=45.0, step=0.05,
                 title="f(x, y)", rate_limit=None, figsize=(7.4, 3.9)):
        self.f = as_function_xy(f)
        self.field = sample_field(self.f, xlim, ylim)
        self.xlim, self.ylim = self.field["xlim"], self.field["ylim"]
        self.typical = self.field["typical"]
        clamp = lambda v, lim: min(max(float(v), lim[0]), lim[1])   # noqa: E731
        label = {"description_width": "6.5em"}                      # the three slider tracks line up
        self.x_slider = widgets.FloatSlider(value=clamp(x0, self.xlim), min=self.xlim[0], max=self.xlim[1],
                                            step=step, description="x₀", readout_format=".2f", style=label)
        self.y_slider = widgets.FloatSlider(value=clamp(y0, self.ylim), min=self.ylim[0], max=self.ylim[1],
                                            step=step, description="y₀", readout_format=".2f", style=label)
        self.theta_slider = widgets.IntSlider(value=int(round(theta)) % 360, min=0, max=360, step=5,
                                              description="θ (degrees)", style=label)
        self.caption = caption_label()
        self.live = LiveFigure(figsize=figsize, ncols=2, width_ratios=[1.0, 1.1],
                               margins=dict(left=0.08, right=0.98, bottom=0.25, top=0.92, wspace=0.22))
        ax, rate_ax = self.live.axes[0]
        self.ax, self.rate_ax = ax, rate_ax
        draw_contours(ax, self.field)
        ax.set_title(f"{title}: contours, ∇f and u", fontsize=10)
        add = self.live.add_animated
        self.tangent_line = add(ax.plot([], [], color=COLORS["secant"], lw=2.2, solid_capstyle="round",
                                        label="tangent to the level curve")[0])
        self.u_arrow = add(FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=13, lw=1.8, shrinkA=0, shrinkB=0,
                                           color=COLORS["accent"], label="u: direction θ (unit vector)", zorder=5))
        self.grad_arrow = add(FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=16, lw=2.6, shrinkA=0, shrinkB=0,
                                              color=COLORS["tangent"], label="∇f (uphill)", zorder=6))
        ax.add_patch(self.u_arrow)
        ax.add_patch(self.grad_arrow)
        self.point = add(ax.plot([], [], "o", color=COLORS["point"], ms=5, zorder=7)[0])
        proxies = [Line2D([], [], color=COLORS["tangent"], lw=2.6, label="∇f (uphill)"), self.tangent_line,
                   Line2D([], [], color=COLORS["accent"], lw=1.8, label="u: direction θ (unit vector)")]
        ax.legend(handles=proxies, loc="upper left",
                  bbox_to_anchor=(-0.12, -0.15), ncol=1, fontsize=7.5, frameon=False, handlelength=1.6,
                  borderaxespad=0.0, labelspacing=0.25)

        limit = float(rate_limit) if rate_limit else 1.08 * self.field["peak"]
        rate_ax.set_xlim(0, 360)
        rate_ax.set_ylim(-limit, limit)
        rate_ax.set_xticks([0, 90, 180, 270, 360])
        rate_ax.axhline(0, color=COLORS["muted"], lw=0.8)
        rate_ax.grid(alpha=0.3)
        rate_ax.set_xlabel("θ, the direction of u (degrees)", fontsize=9)
        rate_ax.set_title("rate of change ∇f·u in direction θ", fontsize=10)
        self.rate_curve = add(rate_ax.plot([], [], color=COLORS["curve"], lw=2)[0])
        self.theta_line = add(rate_ax.axvline(0, color=COLORS["accent"], lw=1, ls="--"))
        self.peak_dot = add(rate_ax.plot([], [], "o", color=COLORS["tangent"], ms=7,
                                         label="largest: |∇f|, u along ∇f")[0])
        self.theta_dot = add(rate_ax.plot([], [], "o", color=COLORS["accent"], ms=6,
                                          label="∇f·u at the slider's θ")[0])
        rate_ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.15), ncol=1, fontsize=7.5, frameon=False,
                       handlelength=1.2, borderaxespad=0.0, labelspacing=0.25)
        for axis in (ax, rate_ax):
            axis.tick_params(labelsize=8)
            axis.xaxis.labelpad = 1
        super().__init__([self.x_slider, self.y_slider, self.theta_slider, self.live.canvas, self.caption])
        self.add_class("mcdl-gradient")
        for slider in (self.x_slider, self.y_slider, self.theta_slider):
            slider.observe(self._on_change, names="value")
        self._apply(self._state())

    def _state(self):
        return gradient_state(self.f, self.x_slider.value, self.y_slider.value, self.theta_slider.value,
                              self.xlim, self.ylim, typical=self.typical)

    @staticmethod
    def _set_arrow(arrow, ends):
        if ends is None:
            arrow.set_visible(False)
        else:
            arrow.set_positions(*ends)
            arrow.set_visible(True)

    def _apply(self, state):
        self.state = state
        defined = math.isfinite(state["value"])
        self.point.set_data([state["x0"]] if defined else [], [state["y0"]] if defined else [])
        self._set_arrow(self.grad_arrow, state["arrow"])
        self._set_arrow(self.u_arrow, state["arrow_u"])
        self.tangent_line.set_data(*state["tangent"])
        self.rate_curve.set_data(*state["curve"])
        theta = state["theta"]
        self.theta_line.set_xdata([theta, theta])
        if math.isfinite(state["directional"]):
            self.theta_dot.set_data([theta], [state["directional"]])
        else:
            self.theta_dot.set_data([], [])
        if math.isfinite(state["steepest"]):
            self.peak_dot.set_data([state["steepest"]], [state["norm"]])
        else:
            self.peak_dot.set_data([], [])
        self.caption.value = state["caption"]

    def _on_change(self, _change=None):
        self._apply(self._state())
        self.live.update()


def gradient_explorer(f, x0: float = 1.0, y0: float = 1.0, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0),
                      theta: float = 45.0, **kw) -> GradientExplorer:
    """Explore the gradient of any f: R² → R on its contour map (paper §3–4).

    ``f`` is a Python function of (x, y) (``lambda x, y: x**2 + 3*y**2``), a function of one vector
    (``lambda v: v[0]**2 + 3*v[1]**2``) or an expression as text (``"3*x**2*y"``).  Drag x₀ and y₀ to
    move the point: the orange arrow ∇f points uphill, at a right angle to the level curve (green).
    Drag θ to turn the unit vector u: the right panel shows the rate ∇f·u for every direction, largest
    along ∇f.  Options: ``theta`` (degrees), ``step`` (slider step), ``title``, ``rate_limit`` (the right
    panel's y-limit; by default the largest |∇f| on the map), ``figsize``.
    """
    return GradientExplorer(f, x0=x0, y0=y0, xlim=xlim, ylim=ylim, theta=theta, **kw)
