"""Gradient-field explorer (paper §3–4): ∇f = [∂f/∂x, ∂f/∂y] as an arrow on the contour map of f.

What the picture shows, and what the learner can read off it:

* the arrow ∇f at the point (x₀, y₀) points uphill and stands at a right angle to the level curve through
  the point (drawn as its short tangent line); a sparse field of small arrows shows the same everywhere;
* a direction slider θ draws the unit vector u = (cos θ, sin θ); the rate of change of f in that direction
  is the directional derivative ∇f·u, plotted for every θ in a second panel.  It is largest, and equal to
  ‖∇f‖, when u points along ∇f; zero along the level curve; most negative straight downhill.

``gradient_state`` decides everything that is shown (pure, tested without a front end);
``GradientExplorer`` is the thin view: three sliders, one live figure with two panels, one caption.
``sample_field`` and ``draw_contours`` are the static scenery, also used by the chapter's own plots.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from ..functions import FunctionError, learner_function, round_off_to_zero
from ..numeric import EPS, derivative
from ..numeric import jacobian as numeric_jacobian
from ..plots import COLORS, LiveFigure
from ..text import number
from .base import Explorer, factory_of, fixed_scale, slider

__all__ = ["GradientField", "sample_field", "draw_contours", "GradientState", "gradient_state", "gradient_explorer",
           "GradientExplorer", "arrow_length", "gradient_estimate", "below_error"]

LABEL_COLOUR = "#1a1a1a"    # the level curves' numbers: near-black (blue on blue was illegible)
THETAS = np.linspace(0.0, 360.0, 181)   # degrees: the directional-derivative panel's curve
_COS, _SIN = np.cos(np.radians(THETAS)), np.sin(np.radians(THETAS))
_EMPTY = (np.array([]), np.array([]))
_NO_ARROW = ((math.nan, math.nan), (math.nan, math.nan))     # an arrow patch at NaN draws nothing


# --------------------------------------------------------------------------------------------------
# The static scenery: f on a grid, ∇f on a sparser one.
@dataclass(frozen=True)
class GradientField:
    """f on a grid and ∇f on a sparser grid: the still part of a gradient map.

    X, Y, Z (num × num, NaN outside f's domain); QX, QY, GX, GY (arrows × arrows, the gradient by
    ``mcdl.numeric``); typical (the median ‖∇f‖ over the sparse grid: the size at which a drawn arrow
    reaches about two thirds of its longest); xlim, ylim.
    """

    X: np.ndarray
    Y: np.ndarray
    Z: np.ndarray
    QX: np.ndarray
    QY: np.ndarray
    GX: np.ndarray
    GY: np.ndarray
    typical: float
    xlim: tuple
    ylim: tuple


def _grid_gradient(F, X, Y):
    """∇f at every point of a grid, (GX, GY): mcdl.numeric's derivative of f's samples along x and along y."""
    x, y = X.ravel(), Y.ravel()
    GX = derivative(lambda xs: F.sample(xs, y), x).reshape(X.shape)
    GY = derivative(lambda ys: F.sample(x, ys), y).reshape(X.shape)
    return np.where(np.isfinite(GX), GX, np.nan), np.where(np.isfinite(GY), GY, np.nan)


def sample_field(f, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), num: int = 121, arrows: int = 13) -> GradientField:
    """The static scenery of a gradient map (a :class:`GradientField`).  Raises ValueError if f is defined nowhere."""
    F = learner_function(f, "surface")
    lo_x, hi_x = float(xlim[0]), float(xlim[1])
    lo_y, hi_y = float(ylim[0]), float(ylim[1])
    if not (lo_x < hi_x and lo_y < hi_y):
        raise ValueError(f"xlim and ylim must each be (low, high) with low < high; got {xlim} and {ylim}")
    X, Y = np.meshgrid(np.linspace(lo_x, hi_x, num), np.linspace(lo_y, hi_y, num))
    Z = F.sample(X, Y)
    if not np.isfinite(Z).any():
        raise ValueError(f"f is not defined anywhere on x in {xlim}, y in {ylim}: choose other limits")
    QX, QY = np.meshgrid(np.linspace(lo_x, hi_x, arrows + 2)[1:-1], np.linspace(lo_y, hi_y, arrows + 2)[1:-1])
    GX, GY = _grid_gradient(F, QX, QY)
    sizes = np.hypot(GX, GY)
    sizes = sizes[np.isfinite(sizes)]
    typical = float(np.median(sizes)) if sizes.size else 0.0
    return GradientField(X, Y, Z, QX, QY, GX, GY, typical if typical > 0 else 1.0, (lo_x, hi_x), (lo_y, hi_y))


def arrow_length(size, typical: float, longest: float):
    """How long an arrow for a gradient of this size is drawn: longest·(1 − e^(−size/typical)).

    Proportional to ‖∇f‖ for small gradients (so a vanishing gradient gives a vanishing arrow), and
    saturating for large ones, so a steep corner cannot push an arrow off the map.  The exact size is
    always in the caption.
    """
    return longest * -np.expm1(-np.asarray(size, dtype=float) / typical)


# --------------------------------------------------------------------------------------------------
# The state: everything the explorer shows, as plain numbers.
@dataclass(frozen=True)
class GradientState:
    """What the gradient explorer shows at (x0, y0) with direction θ (degrees).

    grad (shape (2,): the paper's row vector ∇f), norm (‖∇f‖), zero (∇f = 0 here), u (cos θ, sin θ),
    directional (∇f·u), steepest (the angle of ∇f in degrees, where ∇f·u is largest and equal to ‖∇f‖),
    arrow ((x0, y0) and the arrow's tip; None when there is no arrow), arrow_u (the same for u),
    tangent ((xs, ys) of a short piece of the level curve's tangent line), curve (θs in degrees and
    ∇f·u(θ) for each).  NaN and None where f or ∇f is undefined.
    """

    x0: float
    y0: float
    theta: float
    u: np.ndarray
    value: float = math.nan
    grad: np.ndarray = field(default_factory=lambda: np.full(2, np.nan))
    norm: float = math.nan
    zero: bool = False
    directional: float = math.nan
    steepest: float = math.nan
    arrow: tuple | None = None
    arrow_u: tuple | None = None
    tangent: tuple = _EMPTY
    curve: tuple = (THETAS, np.full(THETAS.shape, np.nan))
    caption: str = field(default="", compare=False)

    @property
    def defined(self) -> bool:
        return math.isfinite(self.value)


def _format_of(v: float) -> str:
    """Two decimals, but a tiny non-zero number in e-notation: a gradient that is not zero never shows as 0.00."""
    return ".2e" if 0 < abs(v) < 0.005 else ".2f"


def gradient_estimate(F, x0: float, y0: float) -> tuple[np.ndarray, np.ndarray]:
    """∇f at (x0, y0) and the estimated absolute error of each entry (``mcdl.numeric``'s ``full_output``).

    The same numbers as ``F.gradient(x0, y0)``; NaN where f is not differentiable.  A mistake in the
    learner's f raises :class:`~mcdl.functions.FunctionError`, as there.
    """
    nan = np.full(2, np.nan)
    mistakes = []

    def of(v):
        try:
            return F(float(v[0]), float(v[1]))
        except FunctionError as err:
            mistakes.append(err)
            return math.nan

    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            J, info = numeric_jacobian(of, np.array([x0, y0]), batch=False, full_output=True)
    except (ValueError, ArithmeticError):
        J = None
    if mistakes:
        raise mistakes[0]
    if J is None or not np.all(np.isfinite(J)):
        return nan, nan
    return np.array(J[0], dtype=float), np.array(info.error[0], dtype=float)


def below_error(value: float, error: float) -> float:
    """``value``, or an exact 0 where it is no larger than its estimated ``error`` (noise on a true 0)."""
    return 0.0 if math.isfinite(value) and math.isfinite(error) and abs(value) <= error else float(value)


def gradient_state(f, x0: float, y0: float, theta: float = 45.0, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0),
                   typical: float | None = None) -> GradientState:
    """Everything the gradient explorer shows at the point (x0, y0) with direction angle ``theta`` (degrees).

    ``f`` is anything :func:`mcdl.functions.learner_function` accepts as f(x, y); ∇f comes from
    ``mcdl.numeric``, and entries that are round-off next to ``typical`` (see :func:`arrow_length`; by
    default from :func:`sample_field`) count as 0.  Where f or ∇f is undefined the numbers are NaN,
    nothing is drawn and the caption says so; where ∇f = 0 the arrow vanishes and the caption says the
    gradient is zero — never a warning.
    """
    F = learner_function(f, "surface")
    x0, y0, theta = float(x0), float(y0), float(theta)
    span = min(float(xlim[1]) - float(xlim[0]), float(ylim[1]) - float(ylim[0]))
    if typical is None:
        typical = sample_field(F, xlim, ylim).typical
    rad = math.radians(theta)
    u = round_off_to_zero([math.cos(rad), math.sin(rad)])       # cos 90° is 6e-17 in floating point: 0
    head = f"x = {number(x0)},  y = {number(y0)}"
    value = F(x0, y0)
    if not math.isfinite(value):
        return GradientState(x0, y0, theta, u, caption=f"{head},  f is not defined here")
    arrow_u = ((x0, y0), (x0 + 0.2 * span * u[0], y0 + 0.2 * span * u[1]))
    grad, error = gradient_estimate(F, x0, y0)
    if not np.all(np.isfinite(grad)):
        return GradientState(x0, y0, theta, u, value, arrow_u=arrow_u,
                             caption=f"{head},  ∇f is undefined here (f is not smooth, or not defined on both sides)")
    # an entry within its estimated error of 0 (or round-off next to the typical gradient) is an exact 0
    grad = round_off_to_zero([below_error(g, e) for g, e in zip(grad, error)], scale=typical)
    norm = float(np.hypot(*grad))
    # ∇f·u carries the entries' errors (and the dot product's rounding): u ⊥ ∇f shows 0, never 1.30e-11 of noise
    dot_error = float(np.abs(u) @ error + 4 * EPS * (np.abs(grad) @ np.abs(u)))
    directional = float(round_off_to_zero([below_error(float(grad @ u), dot_error)], scale=norm)[0])
    common = dict(value=value, grad=grad, norm=norm, directional=directional, arrow_u=arrow_u,
                  curve=(THETAS, grad[0] * _COS + grad[1] * _SIN))          # ∇f·u(θ) for every θ of the panel
    rate = f"θ = {number(theta, '.0f')}°,  ∇f·u = {number(directional, _format_of(directional))}"
    if norm == 0.0:
        return GradientState(x0, y0, theta, u, zero=True, **common,
                             caption=(f"{head},  ∇f = [0.00, 0.00],  the gradient is zero here (a flat spot: "
                                      f"no uphill direction),  {rate}"))
    steepest = math.degrees(math.atan2(grad[1], grad[0])) % 360.0
    direction = grad / norm
    length = float(arrow_length(norm, typical / 2, 0.25 * span))   # reaches ~86 % of 0.25·span at ‖∇f‖ = typical
    tangent = np.array([-direction[1], direction[0]]) * 0.12 * span
    shown = ", ".join(number(g, _format_of(g)) for g in grad)
    return GradientState(
        x0, y0, theta, u, steepest=steepest, **common,
        arrow=((x0, y0), (x0 + length * direction[0], y0 + length * direction[1])),
        tangent=(np.array([x0 - tangent[0], x0 + tangent[0]]), np.array([y0 - tangent[1], y0 + tangent[1]])),
        caption=(f"{head},  ∇f = [{shown}],  ‖∇f‖ = {number(norm, _format_of(norm))},  {rate},  "
                 f"steepest at θ = {number(steepest, '.0f')}°"))


# --------------------------------------------------------------------------------------------------
# Static scenery shared by the view and the chapter's plots.
def draw_contours(ax, field: GradientField, levels: int = 14, arrows: bool = True, labels: bool = True):
    """Draw f's filled contours, labelled level curves and (optionally) the sparse field of small
    gradient arrows on ``ax``, with equal axis scales so right angles look right.

    The levels are evenly spaced (then crowded level curves mean a steep slope), unless that would
    leave most of the map in a single band; then they are spaced by quantiles of f's values.
    """
    Z = field.Z
    finite = Z[np.isfinite(Z)]
    lo, hi = np.percentile(finite, [1, 99]) if finite.size > 20 else (finite.min(), finite.max())
    lo, hi = float(lo), float(hi)
    if hi - lo > 1e-12 * max(1.0, abs(hi)):                     # (an inf span, f ~ ±1e308: quantiles below)
        values = np.linspace(lo, hi, levels)
        if not np.all(np.isfinite(values)) or np.histogram(finite, bins=values)[0].max() > 0.4 * finite.size:
            # evenly spaced levels would leave most of the map in one band (2x + y⁸ on [-3, 3]²):
            # space them by quantiles instead, so level curves cross the whole map
            values = np.unique(np.quantile(finite, np.linspace(0.02, 0.98, levels)))
        try:
            ax.contourf(field.X, field.Y, Z, levels=values, cmap="Blues", alpha=0.55, extend="both")
            lines = ax.contour(field.X, field.Y, Z, levels=values, colors=COLORS["curve"], linewidths=0.6,
                               alpha=0.8, negative_linestyles="solid")
            if labels:                  # dark text on a pale halo: legible on the palest and the darkest blue
                for text in ax.clabel(lines, lines.levels[1::3], inline=True, fontsize=7, fmt="%.3g",
                                      colors=LABEL_COLOUR):
                    text.set_color(LABEL_COLOUR)                     # opaque (the lines' alpha is not)
                    text.set_path_effects([patheffects.withStroke(linewidth=2.2, foreground="white", alpha=0.85)])
        except ValueError:              # values near the float limit (±1e308): matplotlib cannot contour them
            ax.text(0.5, 0.04, "f's values are too large to draw its level curves", transform=ax.transAxes,
                    ha="center", fontsize=8, color=COLORS["muted"])
    if arrows:
        GX, GY = field.GX, field.GY
        size = np.hypot(GX, GY)
        ok = np.isfinite(size) & (size > 0)
        spacing = min(field.QX[0, 1] - field.QX[0, 0], field.QY[1, 0] - field.QY[0, 0])
        length = arrow_length(size[ok], field.typical, 0.75 * spacing)
        ax.quiver(field.QX[ok], field.QY[ok], GX[ok] / size[ok] * length, GY[ok] / size[ok] * length,
                  angles="xy", scale_units="xy", scale=1, color=COLORS["muted"], width=0.004, headwidth=4,
                  headlength=4.5, headaxislength=4, zorder=2)
    ax.set_xlim(*field.xlim)
    ax.set_ylim(*field.ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("x")
    ax.set_ylabel("y")


# --------------------------------------------------------------------------------------------------
# The view.
class GradientExplorer(Explorer):
    """Sliders x₀, y₀ and θ; the contour map with ∇f, the level-curve tangent and u; the ∇f·u(θ) panel."""

    css_class = "mcdl-gradient"

    def __init__(self, f, x0=1.0, y0=1.0, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), theta=45.0, step=0.05,
                 title="f(x, y)", rate_limit=None, figsize=(7.4, 3.9)):
        self.f = learner_function(f, "surface")
        self.field = sample_field(self.f, xlim, ylim)
        self.xlim, self.ylim, self.typical = self.field.xlim, self.field.ylim, self.field.typical
        self.title = title
        label = "6.5em"                                   # the three slider tracks line up
        controls = {"x0": slider(x0, *self.xlim, step, "x₀", label_width=label),
                    "y0": slider(y0, *self.ylim, step, "y₀", label_width=label),
                    "theta": slider(int(round(theta)) % 360, 0, 360, 5, "θ (degrees)", label_width=label,
                                    integer=True)}
        # the rate panel's limit, fixed once over the slider box: every move can be blitted
        start = {name: controls[name].value for name in ("x0", "y0")}
        self.rate_limit = float(rate_limit) if rate_limit else fixed_scale(
            lambda x0, y0: self.f.gradient(x0, y0), {"x0": self.xlim, "y0": self.ylim},
            lambda grad: np.hypot(*grad), include=start, margin=1.08)
        live = LiveFigure(figsize=figsize, ncols=2, width_ratios=[1.0, 1.1],
                          margins=dict(left=0.08, right=0.98, bottom=0.25, top=0.92, wspace=0.22))
        self.ax, self.rate_ax = live.axes[0]
        super().__init__(controls, live=live)

    def state(self, x0, y0, theta):
        return gradient_state(self.f, x0, y0, theta, self.xlim, self.ylim, typical=self.typical)

    def scenery(self, state):
        ax, rate_ax = self.ax, self.rate_ax
        draw_contours(ax, self.field)
        ax.set_title(f"{self.title}: contours, ∇f and u", fontsize=10)
        add = self.live.add_animated
        self.tangent_line = add(ax.plot([], [], color=COLORS["secant"], lw=2.2, solid_capstyle="round",
                                        label="tangent to the level curve")[0])
        self.u_arrow = add(FancyArrowPatch(*_NO_ARROW, arrowstyle="-|>", mutation_scale=13, lw=1.8, shrinkA=0,
                                           shrinkB=0, color=COLORS["accent"], label="u: direction θ (unit vector)",
                                           zorder=5))
        self.grad_arrow = add(FancyArrowPatch(*_NO_ARROW, arrowstyle="-|>", mutation_scale=16, lw=2.6, shrinkA=0,
                                              shrinkB=0, color=COLORS["tangent"], label="∇f (uphill)", zorder=6))
        ax.add_patch(self.u_arrow)
        ax.add_patch(self.grad_arrow)
        self.point = add(ax.plot([], [], "o", color=COLORS["point"], ms=5, zorder=7)[0])
        proxies = [Line2D([], [], color=COLORS["tangent"], lw=2.6, label="∇f (uphill)"), self.tangent_line,
                   Line2D([], [], color=COLORS["accent"], lw=1.8, label="u: direction θ (unit vector)")]
        ax.legend(handles=proxies, loc="upper left", bbox_to_anchor=(-0.12, -0.15), ncol=1, fontsize=7.5,
                  frameon=False, handlelength=1.6, borderaxespad=0.0, labelspacing=0.25)
        rate_ax.set_xlim(0, 360)
        rate_ax.set_ylim(-self.rate_limit, self.rate_limit)
        rate_ax.set_xticks([0, 90, 180, 270, 360])
        rate_ax.axhline(0, color=COLORS["muted"], lw=0.8)
        rate_ax.grid(alpha=0.3)
        rate_ax.set_xlabel("θ, the direction of u (degrees)", fontsize=9)
        rate_ax.set_title("rate of change ∇f·u in direction θ", fontsize=10)
        self.rate_curve = add(rate_ax.plot([], [], color=COLORS["curve"], lw=2)[0])
        self.theta_line = add(rate_ax.axvline(0, color=COLORS["accent"], lw=1, ls="--"))
        self.peak_dot = add(rate_ax.plot([], [], "o", color=COLORS["tangent"], ms=7,
                                         label="largest: ‖∇f‖, u along ∇f")[0])
        self.theta_dot = add(rate_ax.plot([], [], "o", color=COLORS["accent"], ms=6,
                                          label="∇f·u at the slider's θ")[0])
        rate_ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.15), ncol=1, fontsize=7.5, frameon=False,
                       handlelength=1.2, borderaxespad=0.0, labelspacing=0.25)
        for axis in (ax, rate_ax):
            axis.tick_params(labelsize=8)
            axis.xaxis.labelpad = 1

    def draw(self, state):
        self.point.set_data([state.x0] if state.defined else [], [state.y0] if state.defined else [])
        self.grad_arrow.set_positions(*(state.arrow or _NO_ARROW))
        self.u_arrow.set_positions(*(state.arrow_u or _NO_ARROW))
        self.tangent_line.set_data(*state.tangent)
        self.rate_curve.set_data(*state.curve)
        self.theta_line.set_xdata([state.theta, state.theta])
        finite = math.isfinite(state.directional)
        self.theta_dot.set_data([state.theta] if finite else [], [state.directional] if finite else [])
        finite = math.isfinite(state.steepest)
        self.peak_dot.set_data([state.steepest] if finite else [], [state.norm] if finite else [])


@factory_of(GradientExplorer)
def gradient_explorer(f, *args, **kw) -> GradientExplorer:
    """Explore the gradient of any f: R² → R on its contour map (paper §3–4).

    ``f`` is a Python function of (x, y) (``lambda x, y: x**2 + 3*y**2``), a function of one vector
    (``lambda v: v[0]**2 + 3*v[1]**2``) or an expression as text (``"3*x**2*y"``).  Drag x₀ and y₀ to
    move the point: the orange arrow ∇f points uphill, at a right angle to the level curve (green).
    Drag θ to turn the unit vector u: the right panel shows the rate ∇f·u for every direction, largest
    along ∇f.  Options (see :class:`GradientExplorer`): ``x0=1.0, y0=1.0``, ``xlim=(-3, 3), ylim=(-3, 3)``,
    ``theta=45`` (degrees), ``step=0.05`` (slider step), ``title="f(x, y)"``, ``rate_limit`` (the right
    panel's y-limit; by default a round number above the largest ‖∇f‖ over the sliders' box), ``figsize``.
    """
    return GradientExplorer(f, *args, **kw)
