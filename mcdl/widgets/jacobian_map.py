"""Jacobians (paper §4, §4.1): what shape ∂f/∂x has, and what the Jacobian *does*.

Two widgets, each a pure state function (tested without a front end) plus a thin view:

* ``shape_explorer()`` — the paper's shape table made interactive.  Pick m (outputs) and n (inputs);
  see whether ∂f/∂x is a scalar, a 1×n row, an m×1 column or an m×n matrix, drawn as a grid with one
  box per partial derivative ∂fᵢ/∂xⱼ (row i = output i, column j = input j: numerator layout), filled
  in by ``mcdl.jacobian`` for a concrete example function.  State: ``shape_state(m, n)``.
* ``jacobian_map(f, x0)`` — the Jacobian as a local linear map, for any f: R² → R² (anything
  :func:`mcdl.functions.learner_function` accepts as a "plane-map": a function of one vector, of two
  numbers returning a pair, or the two components as text).  A circle of radius r around x (and its two
  diameters along x₁ and x₂) is mapped by f; seen in local coordinates, (f(v) − f(x)) / r, the image
  converges to the fixed ellipse J·u of the linear map as r shrinks ("zoom in and every smooth map looks
  linear").  The diameters along x₁ and x₂ land on the two columns of J.  State:
  ``jacobian_map_state(f, x, r)``.
"""
from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import ipywidgets as widgets
from matplotlib.ticker import MaxNLocator

from ..functions import learner_function
from ..numeric import jacobian
from ..plots import COLORS, SUBSCRIPTS, LiveFigure
from ..shapes import ShapeError, as_point, fmt_shape
from ..text import number, vector
from .base import Explorer, factory_of, fixed_scale, slider


__all__ = ["ShapeState", "shape_state", "shape_html", "shape_explorer", "ShapeExplorer",
           "JacobianMapState", "jacobian_map_state", "domain_window", "jacobian_map", "JacobianMap"]

GRID_COLOUR = "#777777"      # the grid and its image: grey under the coloured circle and diameters
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


# ==================================================================================================
# 1. The shape explorer (paper §4.1, the table of the four shapes of ∂f/∂x)
# ==================================================================================================
KINDS = {
    # (m == 1, n == 1) -> kind, how the paper writes the derivative, the shape in words
    (True, True): ("scalar", "∂f/∂x", "a scalar"),
    (True, False): ("row", "∂f/∂𝐱", "a {m}×{n} row vector (the gradient ∇f)"),
    (False, True): ("column", "∂𝐟/∂x", "a {m}×{n} column vector"),
    (False, False): ("matrix", "∂𝐟/∂𝐱", "a {m}×{n} matrix"),
}
MAX_SIZE = 8          # the view offers 1..5; the state function refuses silly sizes


def _size(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number (the count of {'outputs' if name == 'm' else 'inputs'}), "
                        f"got {type(value).__name__}.")
    value = int(value)
    if not 1 <= value <= MAX_SIZE:
        raise ValueError(f"{name} must be between 1 and {MAX_SIZE}, got {value}.")
    return value


def example_function(m: int, n: int):
    """The example used for (m, n): fᵢ(𝐱) = (x₁ⁱ⁺¹ + ⋯ + xₙⁱ⁺¹) / (i+1), so ∂fᵢ/∂xⱼ = xⱼⁱ.

    Returns (f, x, lines): a Python function in mcdl's conventions (a scalar x when n = 1, a scalar
    result when m = 1), the point 𝐱 = (2, 3, …, n+1) (x = 2 when n = 1), and the formulas as text.
    """
    powers = np.arange(2, m + 2, dtype=float)

    def f(x):
        x = np.asarray(x, dtype=float)
        if n == 1:
            out = np.array([x ** p / p for p in powers])
        else:                                   # x is (n,) or a batch (n, k) of points as columns
            out = np.array([np.sum(x ** p, axis=0) / p for p in powers])
        return out[0] if m == 1 else out

    x = 2.0 if n == 1 else np.arange(2.0, n + 2.0)
    arg = "x" if n == 1 else "𝐱"
    names = ["x"] if n == 1 else [f"x{j}".translate(SUBSCRIPTS) for j in range(1, n + 1)]
    lines = []
    for i in range(1, m + 1):
        p = str(i + 1).translate(SUPERSCRIPTS)
        total = " + ".join(name + p for name in names)
        body = f"{total}/{i + 1}" if n == 1 else f"({total})/{i + 1}"
        out = "f" if m == 1 else f"f{i}".translate(SUBSCRIPTS)
        lines.append(f"{out}({arg}) = {body}")
    return f, x, lines


@dataclass(frozen=True)
class ShapeState:
    """What the shape explorer shows for f with m outputs of n inputs.

    kind ("scalar", "row", "column", "matrix"), notation (the paper's ∂f/∂x, ∂f/∂𝐱, ∂𝐟/∂x, ∂𝐟/∂𝐱), words
    (the shape in words), shape (numerator layout, (m, n)), f, x, formulas (text lines), J (``mcdl.jacobian``
    of the example at x, always 2-D), J_shape, exact (the analytic xⱼⁱ).
    """

    m: int
    n: int
    kind: str
    notation: str
    words: str
    shape: tuple
    f: object
    x: object
    formulas: list
    J: np.ndarray
    J_shape: tuple
    exact: np.ndarray
    caption: str = field(default="", compare=False)


def shape_state(m: int, n: int) -> ShapeState:
    """Everything the shape explorer shows for f with m outputs of n inputs, as plain values."""
    m, n = _size(m, "m"), _size(n, "n")
    kind, notation, words = KINDS[(m == 1, n == 1)]
    f, x, formulas = example_function(m, n)
    J = jacobian(f, x)
    exact = np.atleast_1d(x)[None, :] ** np.arange(1, m + 1, dtype=float)[:, None]
    words = words.format(m=m, n=n)
    caption = f"m = {m},  n = {n}:  ∂f/∂x is {words},  mcdl.jacobian returns shape {J.shape}"
    return ShapeState(m, n, kind, notation, words, (m, n), f, x, formulas, J, J.shape, exact, caption)


_BOX = {"scalar": COLORS["point"], "row": COLORS["curve"], "column": COLORS["tangent"], "matrix": COLORS["secant"]}


def _table_of_cases(kind: str) -> str:
    """The paper's 2×2 table of cases, the current one highlighted."""
    def cell(case, notation, what):
        on = case == kind
        style = (f"border:2px solid {_BOX[case]};background:{_BOX[case]}22;font-weight:bold" if on
                 else "border:1px solid #ccc;color:#777")
        return f'<td style="{style};padding:4px 10px;text-align:center">{notation}<br><small>{what}</small></td>'
    th = 'style="padding:2px 8px;text-align:center;font-weight:normal"'
    return ('<table style="border-collapse:separate;border-spacing:4px;margin:0">'
            f'<tr><th></th><th {th}>scalar x<br><small>n = 1</small></th>'
            f'<th {th}>vector 𝐱<br><small>n &gt; 1</small></th></tr>'
            f'<tr><th {th}>scalar f<br><small>m = 1</small></th>{cell("scalar", "∂f/∂x", "scalar")}'
            f'{cell("row", "∂f/∂𝐱", "1×n row")}</tr>'
            f'<tr><th {th}>vector 𝐟<br><small>m &gt; 1</small></th>{cell("column", "∂𝐟/∂x", "m×1 column")}'
            f'{cell("matrix", "∂𝐟/∂𝐱", "m×n matrix")}</tr></table>')


def _grid_of_boxes(state: ShapeState) -> str:
    """One box per partial derivative ∂fᵢ/∂xⱼ: row i = output i, column j = input j, value inside."""
    m, n, J = state.m, state.n, state.J
    colour = _BOX[state.kind]
    out = ["f"] if m == 1 else [f"f{i}".translate(SUBSCRIPTS) for i in range(1, m + 1)]
    ins = ["x"] if n == 1 else [f"x{j}".translate(SUBSCRIPTS) for j in range(1, n + 1)]
    head = "".join(f'<th style="padding:0 4px;font-weight:normal;color:#555">{name}</th>' for name in ins)
    rows = []
    for i in range(m):
        cells = "".join(
            f'<td style="border:2px solid {colour};background:{colour}1a;width:62px;height:40px;'
            f'text-align:center;padding:2px"><small style="color:#555">∂{out[i]}/∂{ins[j]}</small><br>'
            f'<b>{number(J[i, j], ".4g")}</b></td>' for j in range(n))
        rows.append(f'<tr><th style="padding:0 6px;font-weight:normal;color:#555">{out[i]}</th>{cells}</tr>')
    return ('<table style="border-collapse:separate;border-spacing:3px;margin:0">'
            f'<tr><th></th>{head}</tr>{"".join(rows)}</table>')


def shape_html(state: ShapeState) -> str:
    """The shape explorer's picture as HTML: the table of cases, the grid of boxes, the example."""
    x = np.atleast_1d(state.x)
    point = f"x = {number(x[0], 'g')}" if state.n == 1 else "𝐱 = (" + ", ".join(number(v, "g") for v in x) + ")"
    formulas = "<br>".join(html.escape(line) for line in state.formulas)
    return (
        '<div style="display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start;font-size:14px;line-height:1.35">'
        '<div><div style="margin-bottom:4px;color:#555">the four cases (paper §4.1)</div>'
        f'{_table_of_cases(state.kind)}</div>'
        f'<div><div style="margin-bottom:4px"><b>{state.notation}</b> has shape ({state.m}, {state.n}): '
        f'{html.escape(state.words)}</div>{_grid_of_boxes(state)}</div>'
        f'<div style="max-width:330px"><div style="color:#555">example, evaluated at {point}:</div>'
        f'<div style="font-family:monospace;margin:4px 0">{formulas}</div>'
        f'<div style="color:#555">∂fᵢ/∂xⱼ = xⱼⁱ; mcdl.jacobian(f, x) returns shape <b>{state.J_shape}</b>'
        f'{" (always 2-D)" if state.kind != "matrix" else ""}</div></div></div>')


class ShapeExplorer(Explorer):
    """The view: two sliders (m outputs, n inputs), an HTML picture and a caption; no function, no figure."""

    css_class = "mcdl-shape-explorer"

    def __init__(self, m: int = 2, n: int = 3, max_size: int = 5):
        max_size = _size(max_size, "max_size")
        controls = {"m": slider(_size(m, "m"), 1, max_size, 1, "m (outputs of f)", integer=True),
                    "n": slider(_size(n, "n"), 1, max_size, 1, "n (inputs, size of x)", integer=True)}
        self.picture = widgets.HTML()
        super().__init__(controls, rows=[["m", "n"]], below=[self.picture])

    def state(self, m, n):
        return shape_state(m, n)

    def draw(self, state):
        self.picture.value = shape_html(state)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:          # readers without a kernel see the picture as static HTML
            bundle["text/html"] = self.picture.value + f"<p><code>{html.escape(self.caption.value)}</code></p>"
        return bundle


@factory_of(ShapeExplorer)
def shape_explorer(*args, **kw) -> ShapeExplorer:
    """Explore the shape of ∂f/∂x for f with m outputs and n inputs (paper §4.1, numerator layout).

    Options (see :class:`ShapeExplorer`): ``m=2, n=3`` (the start), ``max_size=5`` (the sliders' top).
    """
    return ShapeExplorer(*args, **kw)


# ==================================================================================================
# 2. The Jacobian as a local linear map (f: R² → R²)
# ==================================================================================================
def _unit_shapes(n_circle: int = 121, n_diameter: int = 41):
    """The unit circle and the two unit diameters (along x₁ and x₂), as (2, N) arrays."""
    t = np.linspace(0.0, 2.0 * np.pi, n_circle)
    circle = np.vstack([np.cos(t), np.sin(t)])
    s = np.linspace(-1.0, 1.0, n_diameter)
    along1 = np.vstack([s, np.zeros_like(s)])
    along2 = np.vstack([np.zeros_like(s), s])
    return circle, along1, along2


def _unit_grid(lines: int = 5, samples: int = 21):
    """A square grid over [−1, 1]² (``lines`` lines each way) as one (2, N) polyline, NaN between the lines."""
    at = np.linspace(-1.0, 1.0, lines)
    s = np.linspace(-1.0, 1.0, samples)
    gap = np.full((2, 1), np.nan)
    parts = []
    for c in at:
        parts += [np.vstack([s, np.full_like(s, c)]), gap, np.vstack([np.full_like(s, c), s]), gap]
    return np.hstack(parts[:-1])


_UNIT = _unit_shapes()
_SIZES = [u.shape[1] for u in _UNIT]
_GRID = _unit_grid()
_GRID_POINTS = np.isfinite(_GRID[0])          # the grid's real points (the rest are the NaN gaps)
_EMPTY = np.empty((2, 0))
WINDOW = 1.6          # the domain panel shows x ± WINDOW·r: it zooms with r, so the circle always fills it


def _radius(r) -> float:
    r = float(r)
    if not (math.isfinite(r) and r > 0):
        raise ValueError(f"the radius r must be a positive number, got {r}.")
    return r


def _point(x, name: str) -> np.ndarray:
    x = as_point(x, name)
    if x.shape != (2,):
        raise ShapeError(f"{name} should be a point of R², shape (2,), got {fmt_shape(x.shape)}.")
    return x


def domain_window(x, r: float, shown=None, slack: float = 0.25) -> tuple:
    """The domain panel's limits (x₁ lo, x₁ hi, x₂ lo, x₂ hi): x ± 1.6·r, so the panel zooms with r.

    ``shown`` (the limits on show) is kept while it has the same size and x is within ``slack``·r of its
    centre: small moves of x are then blitted, and the panel re-centres (a full redraw) only in steps.
    """
    x, r = _point(x, "x"), _radius(r)
    half = WINDOW * r
    if shown is not None:
        lo1, hi1, lo2, hi2 = (float(v) for v in shown)
        same_size = math.isclose(hi1 - lo1, 2 * half, rel_tol=1e-9) and math.isclose(hi2 - lo2, 2 * half, rel_tol=1e-9)
        if same_size and abs((lo1 + hi1) / 2 - x[0]) <= slack * r and abs((lo2 + hi2) / 2 - x[1]) <= slack * r:
            return (lo1, hi1, lo2, hi2)
    return (x[0] - half, x[0] + half, x[1] - half, x[1] + half)


@dataclass(frozen=True)
class JacobianMapState:
    """What the Jacobian-map widget shows at the point x with radius r.

    fx = f(x), J (2, 2) from ``mcdl.numeric`` (NaN if f is not differentiable at x), defined; the domain
    shapes around x: circle, along1, along2 (each (2, N): x + r·u); their images in local coordinates,
    (f(x + r·u) − f(x)) / r: image, image1, image2; the images under the linear map, J·u: linear, linear1,
    linear2 (the last two end at the columns of J); gap, the largest distance between the two images
    (local units, so it shrinks like r for smooth f).  window: the domain panel's limits (x₁ lo, x₁ hi, x₂ lo,
    x₂ hi) = x ± 1.6·r, so that panel zooms with r; grid: a square grid of side 2r around x (one (2, N)
    polyline, NaN between its lines) and grid_image its image in local coordinates — curved for a large r,
    a parallelogram grid (the linear map J) as r shrinks.  NaN marks points where f is undefined.
    """

    x: np.ndarray
    r: float
    circle: np.ndarray
    along1: np.ndarray
    along2: np.ndarray
    fx: np.ndarray = field(default_factory=lambda: np.full(2, np.nan))
    J: np.ndarray = field(default_factory=lambda: np.full((2, 2), np.nan))
    defined: bool = False
    gap: float = math.nan
    window: tuple = (math.nan, math.nan, math.nan, math.nan)
    grid: np.ndarray = field(default_factory=_EMPTY.copy)
    grid_image: np.ndarray = field(default_factory=_EMPTY.copy)
    image: np.ndarray = field(default_factory=_EMPTY.copy)
    image1: np.ndarray = field(default_factory=_EMPTY.copy)
    image2: np.ndarray = field(default_factory=_EMPTY.copy)
    linear: np.ndarray = field(default_factory=_EMPTY.copy)
    linear1: np.ndarray = field(default_factory=_EMPTY.copy)
    linear2: np.ndarray = field(default_factory=_EMPTY.copy)
    caption: str = field(default="", compare=False)


def jacobian_map_state(f, x, r: float = 0.5) -> JacobianMapState:
    """What the Jacobian-map widget shows at the point x with radius r, as plain numbers.

    ``f`` is anything :func:`mcdl.functions.learner_function` accepts as a map of the plane.  The caption
    reads ``x = (1.00, 0.50),  r = 0.500,  J = [[2.00, -1.00], [0.50, 1.88]],  max gap = 0.500``; where f
    is undefined or not differentiable at x it says so.  Nothing here warns.
    """
    F = learner_function(f, "plane-map")
    x, r = _point(x, "x"), _radius(r)
    shapes = dict(zip(("circle", "along1", "along2"), (x[:, None] + r * unit for unit in _UNIT)))
    shapes["grid"] = x[:, None] + r * _GRID
    shapes["window"] = domain_window(x, r)
    head = f"x = ({number(x[0])}, {number(x[1])}),  r = {number(r, '.3f')}"
    fx = F(x)
    if not np.all(np.isfinite(fx)):
        return JacobianMapState(x, r, **shapes, caption=f"{head},  f is not defined at x")
    J = F.jacobian(x)
    if not np.all(np.isfinite(J)):
        return JacobianMapState(x, r, **shapes, fx=fx, caption=(
            f"{head},  f(x) = ({number(fx[0])}, {number(fx[1])}),  J is undefined here (f is not differentiable at x)"))
    domain = [shapes["circle"], shapes["along1"], shapes["along2"], shapes["grid"][:, _GRID_POINTS]]
    moved = (F.columns(np.hstack(domain), quiet=True) - fx[:, None]) / r
    images = np.split(moved, np.cumsum(_SIZES), axis=1)
    grid_image = np.full(_GRID.shape, np.nan)
    grid_image[:, _GRID_POINTS] = images.pop()
    linears = [J @ unit for unit in _UNIT]
    gaps = np.concatenate([np.hypot(*(image - linear)) for image, linear in zip(images, linears)])
    gaps = gaps[np.isfinite(gaps)]
    gap = float(gaps.max()) if gaps.size else math.nan
    matrix = "[" + ", ".join(vector(row) for row in J) + "]"
    caption = (f"{head},  J = {matrix},  max gap = "
               f"{number(gap, '.3f', undefined='undefined (f is not defined around x)')}")
    return JacobianMapState(x, r, **shapes, fx=fx, J=J, defined=True, gap=gap, image=images[0], image1=images[1],
                            image2=images[2], linear=linears[0], linear1=linears[1], linear2=linears[2],
                            grid_image=grid_image, caption=caption)


def _columns_html(state: JacobianMapState) -> str:
    """The side panel: J with its two columns in the colours of the diameters they come from."""
    c1, c2 = COLORS["tangent"], COLORS["secant"]
    if not state.defined:
        why = "f is not differentiable at x" if np.all(np.isfinite(state.fx)) else "f is not defined at x"
        return f'<div style="font-size:14px;color:#555">{why}</div>'
    J, fx = state.J, state.fx
    cell = 'style="padding:1px 8px;text-align:right;font-family:monospace;color:{}"'
    rows = "".join(f"<tr><td {cell.format(c1)}>{number(J[i, 0])}</td>"
                   f"<td {cell.format(c2)}>{number(J[i, 1])}</td></tr>" for i in range(2))
    bracket = 'style="width:5px;border:2px solid #333;border-{}:none"'      # [ and ]: a matrix, not |det|
    return ('<div style="font-size:14px;line-height:1.5">'
            '<div class="mcdl-matrix" style="display:flex;align-items:center;gap:6px"><b>J</b> ='
            f'<div style="display:flex;align-items:stretch"><div {bracket.format("right")}></div>'
            f'<table style="border-collapse:collapse;margin:2px 0">{rows}</table>'
            f'<div {bracket.format("left")}></div></div></div>'
            f'<div><span style="color:{c1}">column 1</span> = where the x₁-diameter goes,<br>'
            f'<span style="color:{c2}">column 2</span> = where the x₂-diameter goes</div>'
            f'<div style="margin-top:6px">f(x) = ({number(fx[0])}, {number(fx[1])})</div>'
            f'<div>max gap = {number(state.gap, ".3f", undefined="undefined")}<br>'
            '<small style="color:#555">(true image vs. linear map, shrinks like r)</small></div>'
            '</div>')


class JacobianMap(Explorer):
    """The view: sliders x₁, x₂ and r; the domain (left), the zoomed image (right), J beside it, a caption."""

    css_class = "mcdl-jacobian-map"
    R_MIN, R_MAX = -2.0, 0.0       # r from 10⁻² to 10⁰ on a log scale (exponent steps of 0.1)

    def __init__(self, f, x0=(1.0, 0.5), r=0.5, xlim=(-2.0, 2.0), ylim=None, step=0.05, label=None,
                 figsize=(5.9, 3.6), local_lim=None):
        self.f = learner_function(f, "plane-map")
        x0, r = _point(x0, "x0"), _radius(r)
        self.xlim = (float(xlim[0]), float(xlim[1]))
        self.ylim = self.xlim if ylim is None else (float(ylim[0]), float(ylim[1]))
        self.label = label
        exponent = min(max(round(math.log10(r) * 10) / 10, self.R_MIN), self.R_MAX)   # on the slider's grid
        controls = {"x1": slider(x0[0], *self.xlim, step, "x₁"),
                    "x2": slider(x0[1], *self.ylim, step, "x₂"),
                    "r": widgets.FloatLogSlider(value=10 ** exponent, base=10, min=self.R_MIN, max=self.R_MAX,
                                                step=0.1, description="radius r", readout_format=".3f",
                                                style={"description_width": "initial"})}
        # the zoomed panel's half-width, fixed once: the ellipse J·u fits at every x the sliders reach (the
        # ellipse reaches ‖row i of J‖ along output i), so every move can be blitted
        start = {"x1": controls["x1"].value, "x2": controls["x2"].value}
        self.local_lim = float(local_lim) if local_lim is not None else fixed_scale(
            lambda x1, x2: self.f.jacobian(np.array([x1, x2])), {"x1": self.xlim, "x2": self.ylim},
            lambda J: np.hypot(J[:, 0], J[:, 1]), include=start, margin=1.15)
        self.side = widgets.HTML(layout=widgets.Layout(min_width="230px", margin="30px 0 0 8px"))
        live = LiveFigure(figsize=figsize, ncols=2, gridspec_kw={"width_ratios": [0.85, 1.0]},
                          margins=dict(left=0.1, right=0.99, bottom=0.3, top=0.93, wspace=0.32))
        super().__init__(controls, live=live, rows=[["x1", "x2", "r"]], beside=[self.side])

    def state(self, x1, x2, r):
        return jacobian_map_state(self.f, (x1, x2), r)

    def scenery(self, state):
        left, right = self.live.axes[0]
        self._window = None
        self._set_window(state.window)
        left.set_aspect("equal", adjustable="box")
        left.xaxis.set_major_locator(MaxNLocator(4))
        left.yaxis.set_major_locator(MaxNLocator(4))
        left.set_title("domain near x (zooms with r)", fontsize=9)
        left.set_xlabel("x₁", labelpad=1)
        left.set_ylabel("x₂", labelpad=1)
        left.grid(alpha=0.3)
        L = self.local_lim
        right.set_xlim(-L, L)
        right.set_ylim(-L, L)
        right.set_aspect("equal", adjustable="box")
        right.set_title(self.label or "zoomed in: (f(v) − f(x)) / r", fontsize=9)
        right.set_xlabel("output 1", labelpad=1)
        right.set_ylabel("output 2", labelpad=1)
        right.axhline(0, color=COLORS["muted"], lw=0.8)
        right.axvline(0, color=COLORS["muted"], lw=0.8)
        right.grid(alpha=0.3)
        for ax in (left, right):
            ax.tick_params(labelsize=8)
        add = self.live.add_animated
        c1, c2 = COLORS["tangent"], COLORS["secant"]
        grid = dict(color=GRID_COLOUR, lw=0.8)
        self.grid = add(left.plot([], [], **grid, label="a grid around x, and its image under f")[0])
        self.grid_image = add(right.plot([], [], **grid)[0])
        self.circle = add(left.plot([], [], color=COLORS["curve"], lw=2,
                                    label="circle around x, and its image under f")[0])
        self.along1 = add(left.plot([], [], color=c1, lw=2, label="x₁-diameter → column 1 of J")[0])
        self.along2 = add(left.plot([], [], color=c2, lw=2, label="x₂-diameter → column 2 of J")[0])
        self.point = add(left.plot([], [], "o", color=COLORS["point"], ms=4)[0])
        self.image = add(right.plot([], [], color=COLORS["curve"], lw=2)[0])
        self.image1 = add(right.plot([], [], color=c1, lw=2)[0])
        self.image2 = add(right.plot([], [], color=c2, lw=2)[0])
        self.linear = add(right.plot([], [], color=COLORS["accent"], lw=2, ls=(0, (4, 3)),
                                     label="image under the linear map J (an ellipse)")[0])
        self.columns = add(right.plot([], [], "o", color=COLORS["point"], ms=4)[0])
        handles = [self.circle, self.linear, self.grid, self.along1, self.along2]
        self.live.figure.legend(handles=handles, labels=[h.get_label() for h in handles], loc="lower center",
                                ncol=2, fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.0), handlelength=2.5)

    def _set_window(self, window) -> bool:
        """Put the domain panel on ``window`` (x ± 1.6·r); True if that changed its limits (a full redraw)."""
        window = tuple(float(v) for v in window)
        if window == self._window or not all(math.isfinite(v) for v in window):
            return False
        left = self.live.axes[0, 0]
        left.set_xlim(*window[:2])
        left.set_ylim(*window[2:])
        self._window = window
        return True

    def draw(self, state):
        moved = self._set_window(domain_window(state.x, state.r, self._window))
        for name in ("circle", "along1", "along2", "grid", "image", "image1", "image2", "linear", "grid_image"):
            getattr(self, name).set_data(*getattr(state, name))
        self.point.set_data([state.x[0]], [state.x[1]])
        # the tips J·e₁ and J·e₂: the columns of J
        self.columns.set_data(*((state.J[0], state.J[1]) if state.defined else ([], [])))
        self.side.value = _columns_html(state)
        if moved:                                  # the domain panel zoomed or followed x: new ticks, full draw
            self.live.redraw()


@factory_of(JacobianMap)
def jacobian_map(f, *args, **kw) -> JacobianMap:
    """See the Jacobian of any f: R² → R² as the linear map that f looks like near x (paper §4).

    ``f`` is a function of one vector (``lambda v: [v[0]**2 - v[1], v[0]*v[1]]``), a function of two
    numbers returning a pair (``lambda x, y: (x**2 - y, x*y)``), or the two components as text
    (``("x**2 - y", "x*y + sin(y)")``).  Move x with the x₁, x₂ sliders; shrink the radius r and watch
    the true image of the circle settle onto the ellipse of the linear map J·u.  Options (see
    :class:`JacobianMap`): ``x0=(1.0, 0.5)``, ``r=0.5`` (put on the log slider's grid: 0.501),
    ``xlim=(-2, 2)``, ``ylim`` (by default xlim), ``step=0.05``, ``label`` (the right panel's title),
    ``figsize=(5.9, 3.6)``, ``local_lim`` (the right panel's half-width; by default a round number that
    holds the ellipse J·u at every x the sliders reach).
    """
    return JacobianMap(f, *args, **kw)
