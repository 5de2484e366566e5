"""Vector sum reduction (paper §4.4, reference §8.4): y = sum(f(x)) and its gradient, a 1×n row.

The sum runs over the *results* of f, not over x, and each fᵢ may read all of x.  Moving the derivative
inside the sum gives entry j of the gradient as Σᵢ ∂fᵢ/∂xⱼ: the j-th **column sum** of f's Jacobian,
∂y/∂x = 1ᵀ · ∂f/∂x (``mcdl.elementwise.sum_gradient``).  The explorer shows exactly that: the bars of
fᵢ(x) and of their sum y, f's Jacobian as an annotated heatmap, and under it the gradient row, one entry
per column.

* ``sum_state(f, x, z=None, w=None)`` — pure: f(x), y, the Jacobian of f (``F.jacobian`` of
  :mod:`mcdl.functions`), the gradient row (its column sums), checked against the numeric gradient of y
  itself, the derivative with respect to the extra argument (a scalar z: ∂y/∂z, 1×1; a vector w: ∂y/∂w,
  1×n) and a caption.
* ``SumExplorer`` — the view: a choice among the paper's cases (``CASES``) and the learner's own f, an n
  control, one slider per entry of x (and z or w), one live figure, one caption.

The learner's f comes in through :func:`mcdl.functions.learner_function` ("vector" signature): a Python
function of one vector (``lambda x: x * np.roll(x, -1)``), an element-wise expression as text in ``x``
(``"x**2"``: fᵢ = xᵢ²), or the components as text in x1, x2, … (``"x1*x2, x2*x3, x3*x1"``), parsed safely.
The paper's cases go through the same door.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import ipywidgets as widgets
import numpy as np

from ..elementwise import sum_gradient
from ..functions import FunctionError, LearnerFunction, learner_function, round_off_to_zero
from ..plots import COLORS, LiveFigure, MatrixHeatmap, cached_text, subscript
from ..shapes import ShapeError, as_array, as_scalar, as_vector, fmt_shape
from ..text import number, vector
from .base import Explorer, box_points, factory_of, nice_up, slider

__all__ = ["SumCase", "CASES", "SumState", "sum_state", "bar_limits", "sum_explorer", "SumExplorer"]

MAX_N = 5


# ==================================================================================================
# The built-in cases (paper §4.4 and §8.4)
# ==================================================================================================
@dataclass(frozen=True)
class SumCase:
    """One choice of the explorer: y = sum(f(x)) for a named f, maybe with an extra argument z or w.

    ``f(x)`` — or ``f(x, z)`` / ``f(x, w)`` when ``param`` is "z" / "w" — returns the vector that is summed.
    ``rule`` is the gradient in the paper's notation (text), ``formula`` what fᵢ is.
    """

    key: str
    label: str          # for the drop-down
    formula: str        # fᵢ in words/symbols
    rule: str           # ∂y/∂x (and the other derivative) as the paper writes it
    f: Callable
    param: str | None = None


def _roll(x):
    return np.roll(x, -1, axis=0)       # x₍ᵢ₊₁₎, cyclic: the last entry's neighbour is the first


CASES = {case.key: case for case in (
    SumCase("sum", "y = sum(x)", "fᵢ = xᵢ", "∂y/∂x = 1ᵀ",
            lambda x: x),
    SumCase("sum-scalar-product", "y = sum(x z)", "fᵢ = xᵢ z", "∂y/∂x = [z, …, z],  ∂y/∂z = sum(x)",
            lambda x, z: x * z, param="z"),
    SumCase("square", "y = sum(x²)", "fᵢ = xᵢ²", "∂y/∂x = [2x₁, …, 2xₙ]",
            lambda x: x ** 2),
    SumCase("cyclic", "y = Σ xᵢ·xᵢ₊₁ (cyclic)", "fᵢ = xᵢ·xᵢ₊₁ (xₙ₊₁ = x₁)", "(∂y/∂x)ⱼ = xⱼ₊₁ + xⱼ₋₁",
            lambda x: x * _roll(x)),
    SumCase("times-sum", "y = Σ xᵢ·sum(x)", "fᵢ = xᵢ·sum(x)", "(∂y/∂x)ⱼ = 2·sum(x)",
            lambda x: x * np.sum(x, axis=0)),
    SumCase("dot-product", "y = w · x = sum(w ⊗ x)", "fᵢ = wᵢxᵢ", "∂y/∂x = wᵀ,  ∂y/∂w = xᵀ",
            lambda x, w: w * x, param="w"),
)}
YOURS = "yours"


# ==================================================================================================
# The pure state function
# ==================================================================================================
@dataclass(frozen=True)
class SumState:
    """What the sum explorer shows for y = sum(f(x)).  NaN where f (or its derivative) is undefined.

    fx = f(x) (m,); J = ∂f/∂x (m, n); grad = ∂y/∂x as a (1, n) row — the column sums 1ᵀJ
    (``mcdl.elementwise.sum_gradient``); grad_check: the numeric gradient of y itself, check_error their
    largest difference; diagonal: is J diagonal?  For z: J_z = ∂f/∂z (m, 1) and dy_dz = 1ᵀJ_z (1, 1); for w:
    J_w = ∂f/∂w (m, n) and dy_dw = 1ᵀJ_w (1, n) (None otherwise).
    """

    x: np.ndarray
    n: int
    param: str | None
    z: float | None
    w: np.ndarray | None
    fx: np.ndarray
    m: int
    y: float
    J: np.ndarray
    grad: np.ndarray
    grad_check: np.ndarray
    check_error: float = math.nan
    diagonal: bool = False
    defined: bool = False
    J_z: np.ndarray | None = None
    dy_dz: np.ndarray | None = None
    J_w: np.ndarray | None = None
    dy_dw: np.ndarray | None = None
    caption: str = field(default="", compare=False)

    @property
    def bar_lim(self) -> tuple:
        """The bar panel's limits for these bars alone (:func:`bar_limits`; the view keeps them in steps)."""
        return bar_limits(np.append(self.fx, self.y))


def bar_limits(values, shown=None, floor: float = 1.0, margin: float = 1.15, keep: float = 3.0) -> tuple:
    """The bar panel's y-limits for the bars ``values`` (the fᵢ and y): round numbers that hold them with air.

    The top is a round number (base.nice_up: 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ᵏ) ≥ ``margin`` × the largest
    value, the bottom likewise below the most negative one (0 when none is negative); each side is at least
    ``floor`` where it is used, so bars near 0 do not fill the panel with noise.  ``shown`` (the limits on
    show) is kept while it still holds every bar with that margin and is less than ``keep`` times the span needed: dragging a
    slider then changes the scale only in steps.  Non-finite values are ignored.
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    hi = float(v.max()) if v.size else 0.0
    lo = float(v.min()) if v.size else 0.0
    top = nice_up(margin * hi, floor) if hi > 0 or lo >= 0 else 0.0
    bottom = -nice_up(margin * -lo, floor) if lo < 0 else 0.0
    if shown is not None:
        s_lo, s_hi = (float(b) for b in shown)
        holds = s_lo <= margin * min(lo, 0.0) and margin * max(hi, 0.0) <= s_hi and (s_lo < 0) == (lo < 0) and (s_hi > 0) == (top > 0)
        if holds and (s_hi - s_lo) <= keep * (top - bottom):
            return (s_lo, s_hi)
    return (bottom, top)


def _door(f, param):
    """f as a LearnerFunction: of x ("vector"), of (x, z) ("expansion"), of (x, w) ("pair")."""
    if isinstance(f, LearnerFunction):
        return f
    if param == "z":
        return learner_function(f, "expansion")
    if param == "w":
        return learner_function(f, "pair")
    return learner_function(f, "vector")


def sum_state(f, x, z=None, w=None, check: bool = False) -> SumState:
    """Everything the sum explorer shows for y = sum(f(x)).

    ``f`` is a function of one vector (or of (x, z) when the scalar ``z`` is given, of (x, w) when the
    vector ``w`` is given), a :class:`SumCase`, or text (see the module docstring).  A mistake in f raises
    :class:`~mcdl.functions.FunctionError`; where f is undefined the values are NaN and the caption says so.
    With ``check``, ``grad_check`` is the numeric gradient of y itself and ``check_error`` its largest
    difference from the column sums (the explorer does not show it, so it leaves it out: a second Jacobian).
    """
    if z is not None and w is not None:
        raise TypeError("give z (a scalar) or w (a vector), not both.")
    param = "z" if z is not None else "w" if w is not None else None
    if isinstance(f, SumCase):
        if f.param != param:
            need = f"the {f.param} argument" if f.param else "no extra argument"
            raise TypeError(f"the case {f.key!r} takes {need}.")
        f = f.f
    F = _door(f, param)
    x = as_vector(x, "x")
    n = x.size
    p = None
    if param == "z":
        p = as_scalar(z, "z")
    elif param == "w":
        p = as_vector(w, "w")
        if p.shape != x.shape:
            raise ShapeError(f"w and x must have the same length: got w {fmt_shape(p.shape)} and x {fmt_shape(x.shape)}.")
    args = (x,) if param is None else (x, p)

    head = f"x = {vector(x)}"
    if param == "z":
        head += f",  z = {number(p)}"
    elif param == "w":
        head += f",  w = {vector(p)}"
    base = dict(x=x, n=n, param=param, z=p if param == "z" else None, w=p if param == "w" else None)
    fx = np.atleast_1d(F(*args))
    if not np.all(np.isfinite(fx)):
        return SumState(**base, fx=np.full(n, np.nan), m=n, y=math.nan, J=np.full((n, n), np.nan),
                        grad=np.full((1, n), np.nan), grad_check=np.full((1, n), np.nan),
                        caption=f"{head},  f is not defined here")
    m = fx.size
    y = float(np.sum(fx))
    J = F.jacobian(*args, wrt="x")
    if check:
        of_y = learner_function(lambda v: [np.sum(F(*[v if a is x else a for a in args]))], "vector", label=F.label)
        check = of_y.jacobian(x)
    else:
        check = np.full((1, n), np.nan)
    if not np.all(np.isfinite(J)):
        return SumState(**base, fx=fx, m=m, y=y, J=np.full((m, n), np.nan), grad=np.full((1, n), np.nan),
                        grad_check=np.full((1, n), np.nan),
                        caption=f"{head},  y = {number(y)},  ∂y/∂x is undefined here (f is not differentiable at x)")
    J = round_off_to_zero(J)
    grad = sum_gradient(J)                                     # 1ᵀ J: the column sums, shape (1, n)
    check = round_off_to_zero(check, scale=np.max(np.abs(grad)))          # (NaN stays NaN)
    extra = {}
    tail = f",  ∂y/∂x = {vector(grad)} (1×{n} row)"
    if param is not None:
        J_p = F.jacobian(*args, wrt=param)
        if np.all(np.isfinite(J_p)):
            J_p = round_off_to_zero(J_p)                                  # noise on a true 0 is an exact 0
            if param == "z":
                extra = dict(J_z=J_p, dy_dz=sum_gradient(J_p))           # 1ᵀ ∂f/∂z: the same rule, (1, 1)
                tail += f",  ∂y/∂z = {number(extra['dy_dz'][0, 0])} (1×1)"
            else:
                extra = dict(J_w=J_p, dy_dw=sum_gradient(J_p))           # 1ᵀ ∂f/∂w, (1, n)
                tail += f",  ∂y/∂w = {vector(extra['dy_dw'])} (1×{n} row)"
    return SumState(**base, fx=fx, m=m, y=y, J=J, grad=grad, grad_check=check,
                    check_error=float(np.max(np.abs(grad - check))),
                    diagonal=bool(m == n and np.all(J[~np.eye(n, dtype=bool)] == 0)), defined=True, **extra,
                    caption=f"{head},  y = {number(y)}{tail}")


# ==================================================================================================
# The view
# ==================================================================================================
class SumExplorer(Explorer):
    """Explore y = sum(f(x)) and its gradient ∂y/∂x, the 1×n row of column sums of f's Jacobian (paper §4.4).

    ``case`` picks one of the paper's examples (``CASES``: "sum", "sum-scalar-product", "square", "cyclic",
    "times-sum", "dot-product"); your own ``f`` (None: none) — a function of one vector (``lambda x: np.sin(x)``),
    an element-wise expression as text (``"x**2"``) or components (``"x1*x2, x2*x3, x3*x1"``, which fix n) —
    is added to the choices and selected.  ``n`` is the starting length; ``x0``, ``z`` and ``w0`` the starting
    entries; the sliders run over ``xlim`` in steps of ``step``.  Drag the entries of x (and z or w) and
    watch every gradient entry be the sum down one column of the Jacobian.
    """

    css_class = "mcdl-sum"
    SAMPLES = 40          # points of the slider box sampled (once per case / n) for the fixed limits

    def __init__(self, f, case=None, n=3, x0=(1.0, 2.0, 3.0, -1.0, -2.0), z=2.0,
                 w0=(2.0, -1.0, 0.5, 1.0, -1.5), xlim=(-3.0, 3.0), step=0.1, figsize=(6.4, 3.6)):
        self.custom, self.fixed_n = None, None
        if f is not None:
            F = learner_function(f, "vector")
            self.fixed_n = getattr(F, "length", None)
            if self.fixed_n is not None and self.fixed_n > MAX_N:
                raise ValueError(f"the components may use x1 … x{MAX_N}; got x{self.fixed_n}.")
            label = F.label if isinstance(f, str) else "your f"
            self.custom = SumCase(YOURS, "y = sum(f(x)), your f", label, "∂y/∂x = 1ᵀ ∂f/∂x", F)
        case = case or (YOURS if f is not None else "sum")
        self.cases = {**CASES, **({YOURS: self.custom} if self.custom is not None else {})}
        if case not in self.cases:
            raise ValueError(f"case must be one of {', '.join(repr(k) for k in self.cases)}; got {case!r}.")
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_N:
            raise ValueError(f"n must be a whole number from 1 to {MAX_N}, got {n!r}.")
        self.xlim = (float(xlim[0]), float(xlim[1]))
        x0 = list(np.ravel(as_array(x0, "x0"))) + [1.0] * MAX_N
        w0 = list(np.ravel(as_array(w0, "w0"))) + [1.0] * MAX_N
        if f is not None:                  # fail fast, and clearly, on a wrong f (later failures go to the caption)
            sum_state(self.custom.f, np.clip(x0[:self.fixed_n or n], *self.xlim))
        self._ranges = {}
        entry = dict(width="270px", label_width="24px")
        controls = {"case": widgets.Dropdown(options=[(c.label, k) for k, c in self.cases.items()], value=case,
                                             description="case", layout=widgets.Layout(width="300px")),
                    "n": slider(self.fixed_n or n, 1, MAX_N, 1, "n (length of x)", width="260px", integer=True)}
        for name, values in (("x", x0), ("w", w0)):
            for j in range(MAX_N):
                controls[f"{name}{j + 1}"] = slider(values[j], *self.xlim, step, subscript(name, j + 1), **entry)
        controls["z"] = slider(z, *self.xlim, step, "z", **entry)
        self.x_box = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.p_box = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.rule = widgets.HTML()
        self.note = widgets.HTML()
        live = LiveFigure(figsize=figsize, nrows=2, ncols=2,
                          gridspec_kw={"width_ratios": [1.0, 1.05], "height_ratios": [3, 1]},
                          margins=dict(left=0.075, right=0.985, bottom=0.08, top=0.85, wspace=0.22, hspace=0.45))
        self.live = live
        axes = live.axes
        self.grid = axes[0, 0].get_subplotspec().get_gridspec()
        axes[0, 0].remove()
        axes[1, 0].remove()
        self.bar_ax = live.figure.add_subplot(self.grid[:, 0])
        self.jac_ax, self.row_ax = axes[0, 1], axes[1, 1]
        self.jac_map = MatrixHeatmap(self.jac_ax, (1, 1), live=live, fontsize=8, title="∂f/∂x, the Jacobian of f")
        self.row_map = MatrixHeatmap(self.row_ax, (1, 1), live=live, fontsize=8,
                                     title="∂y/∂x = column sums ↓ (1×n row)")
        self.bars, self.bar_texts = [], []
        live.canvas.layout.flex = "0 0 auto"
        super().__init__(controls, live=live, structural=("case", "n"),
                         rows=[["case", "n"], self.rule, self.x_box, self.p_box], below=[self.note])

    # --- what is chosen ----------------------------------------------------------------------------
    def _n(self, case: SumCase, n: int) -> int:
        return self.fixed_n if case.key == YOURS and self.fixed_n is not None else n

    def active(self, name: str) -> bool:
        case = self.cases[self.controls["case"].value]
        n = self._n(case, self.controls["n"].value)
        if name in ("case", "n"):
            return name == "case" or not (case.key == YOURS and self.fixed_n is not None)
        if name == "z":
            return case.param == "z"
        return (name[0] == "x" or case.param == "w") and int(name[1:]) <= n

    def state(self, case, n, z, **entries):
        case = self.cases[case]
        n = self._n(case, n)
        x = [entries[f"x{j}"] for j in range(1, n + 1)]
        extra = {"z": z} if case.param == "z" else {"w": [entries[f"w{j}"] for j in range(1, n + 1)]} \
            if case.param == "w" else {}
        return sum_state(case, x, **extra) if case.key != YOURS else sum_state(case.f, x)

    # --- limits fixed over the slider box, so every slider move can be blitted --------------------------
    def ranges(self, key: str, n: int, include: dict):
        """(vmax of J, vmax of the gradient row) over the slider box of this case and n.

        One pass over the box's points (base.box_points, plus the current values): round numbers (base.nice_up)
        above the largest |entry| seen.  (The bars are scaled to the data on show: :func:`bar_limits`.)
        """
        if (key, n) in self._ranges:
            return self._ranges[key, n]
        case = self.cases[key]
        names = [f"x{j}" for j in range(1, n + 1)] + (["z"] if case.param == "z" else
                                                       [f"w{j}" for j in range(1, n + 1)] if case.param == "w" else [])
        box = {name: self.xlim for name in names}
        jmax, gmax = 1.0, 1.0
        for point in box_points(box, self.SAMPLES, include={k: include[k] for k in names}):
            try:
                s = self.state(key, n, **{"z": 0.0, **point})
            except (FunctionError, ShapeError):
                continue
            if s.defined:
                jmax = max(jmax, np.max(np.abs(s.J)))
                gmax = max(gmax, np.max(np.abs(s.grad)))
        self._ranges[key, n] = (nice_up(1.25 * jmax), nice_up(1.25 * gmax))
        return self._ranges[key, n]

    # --- building the figure (on a case or n change: a full redraw) ----------------------------------
    def scenery(self, state):
        key = self.controls["case"].value
        case, n, m = self.cases[key], state.n, state.m
        fixed = case.key == YOURS and self.fixed_n is not None
        self.controls["n"].disabled = fixed
        if fixed and self.controls["n"].value != n:
            self.controls["n"].value = n                 # the components fix n (this move itself is ignored)
        self.x_box.children = tuple(self.controls[f"x{j}"] for j in range(1, n + 1))
        self.p_box.children = ((self.controls["z"],) if case.param == "z" else
                               tuple(self.controls[f"w{j}"] for j in range(1, n + 1)) if case.param == "w" else ())
        self.rule.value = (f'<div style="font-size:14px">{case.formula}; &nbsp; the paper\'s rule: '
                           f"<b>{case.rule}</b></div>")
        jmax, gmax = self.ranges(key, n, self.values())
        self._draw_bars(m, state.bar_lim, case)
        xs = [subscript("x", j + 1) for j in range(n)]
        self.jac_map.vmax, self.row_map.vmax = jmax, gmax
        self.jac_map.title = f"∂f/∂x: the Jacobian of f ({m}×{n})"
        self.row_map.title = f"∂y/∂x: the column sums (1×{n} row)"
        self.grid.set_height_ratios([max(m, 1) + 0.9, 1.9])
        small = n >= 4 or m >= 4
        for heatmap in (self.jac_map, self.row_map):
            heatmap.fmt, heatmap.fontsize = (".1f", 7) if small else (".2f", 8)
        self.jac_map.reset((m, n), row_labels=[subscript("f", i + 1) for i in range(m)], col_labels=xs)
        self.row_map.reset((1, n), row_labels=["y"], col_labels=xs)
        self._align_heatmaps(m, n)
        self._scene = (key, n, m)

    def _align_heatmaps(self, m, n):
        """Give both heatmaps the same cell size and the same columns: column j of J sits over entry j of ∂y/∂x."""
        fig = self.live.figure
        W, H = fig.get_size_inches()
        top_box = self.jac_ax.get_subplotspec().get_position(fig)
        row_box = self.row_ax.get_subplotspec().get_position(fig)
        cell = min(top_box.width * W / n, top_box.height * H / m, row_box.height * H)       # inches
        width = cell * n / W
        x0 = top_box.x0 + (top_box.width - width) / 2
        self.jac_ax.set_position([x0, top_box.y1 - cell * m / H, width, cell * m / H])
        self.row_ax.set_position([x0, row_box.y1 - cell / H, width, cell / H])

    def _draw_bars(self, m, ylim, case):
        ax = self.bar_ax
        for artist in self.bars + self.bar_texts:
            self.live.remove_animated(artist)
        ax.clear()
        positions = list(range(m)) + [m + 0.6]
        labels = [subscript("f", i + 1) for i in range(m)] + ["y = Σfᵢ"]
        colours = [COLORS["curve"]] * m + [COLORS["tangent"]]
        add = self.live.add_animated
        self.bars = [add(ax.bar(p, 0.0, width=0.7, color=c)[0]) for p, c in zip(positions, colours)]
        self.bar_texts = [add(cached_text(ax, p, 0.0, "", fontsize=7)) for p in positions]
        ax.set_xticks(positions, labels, fontsize=8)
        ax.set_xlim(-0.7, m + 1.3)
        ax.set_ylim(*ylim)
        ax.axhline(0, color=COLORS["muted"], lw=0.8)
        ax.axvline(m - 0.2, color=COLORS["muted"], lw=0.8, ls=":")
        ax.tick_params(labelsize=8)
        ax.grid(axis="y", alpha=0.3)
        ax.set_title(f"the results fᵢ(x) and their sum y\n{case.formula}", fontsize=9)

    # --- a slider move: only the animated artists change -------------------------------------------
    def draw(self, state):
        redraw = False
        if self._scene != (self.controls["case"].value, state.n, state.m):   # a new shape (f's output size,
            self.scenery(state)                                                  # or n during a mistake)
            redraw = True
        values = np.append(state.fx, state.y)
        shown = self.bar_ax.get_ylim()
        ylim = bar_limits(values, shown)
        if ylim != tuple(shown):             # the bars outgrew the scale, or shrank well inside it: one step
            self.bar_ax.set_ylim(*ylim)
            redraw = True
        lo, hi = ylim
        span = hi - lo
        for bar, text, v in zip(self.bars, self.bar_texts, values):
            finite = math.isfinite(v)
            bar.set_height(v if finite else 0.0)
            text.set_text(number(v).replace("-", "−"))
            if not finite:
                where = 0.035 * span
            elif v >= 0:                                  # the number just above a bar, or below a negative one
                where = min(v + 0.035 * span, hi - 0.03 * span)
            else:
                where = max(v - 0.035 * span, lo + 0.03 * span)
            text.set_position((bar.get_x() + bar.get_width() / 2, where))
        self.jac_map.set(state.J)
        self.row_map.set(state.grad)
        extra = []
        if state.dy_dz is not None:
            extra.append(f"∂y/∂z = sum(x) = {number(state.dy_dz[0, 0])}")
        if state.dy_dw is not None:
            extra.append(f"∂y/∂w = xᵀ = {vector(state.dy_dw)}")
        if state.defined and state.diagonal and state.n > 1:
            extra.append("J is diagonal: each column sum is just its diagonal entry")
        elif state.defined and state.n > 1:
            extra.append("J is not diagonal: every entry of a column counts")
        self.note.value = f'<div style="font-size:13px;color:#333">{" &nbsp;·&nbsp; ".join(extra)}</div>'
        if redraw:
            self.live.redraw()


@factory_of(SumExplorer)
def sum_explorer(f=None, **options) -> SumExplorer:
    """Explore y = sum(f(x)) and its gradient ∂y/∂x, the 1×n row of column sums of f's Jacobian (paper §4.4).

    ``f`` (optional) is your own f: a function of one vector (``lambda x: np.sin(x)``), an element-wise
    expression as text (``"x**2"``) or components (``"x1*x2, x2*x3, x3*x1"``); it is added to the choices and
    selected.  Options (see :class:`SumExplorer`): ``case`` (one of ``CASES``: "sum", "sum-scalar-product",
    "square", "cyclic", "times-sum", "dot-product"), ``n``, ``x0``, ``z``, ``w0``, ``xlim``, ``step``,
    ``figsize``.  Drag the entries of x (and z or w) and watch every gradient entry be the sum down one
    column of the Jacobian.
    """
    return SumExplorer(f, **options)
