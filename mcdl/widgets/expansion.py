"""Scalar expansion (paper §4.3, reference §8.3): y = x ○ z for a vector x and a scalar z.

numpy lets you write ``x + z`` and ``x * z`` with a scalar z and quietly copies z into every slot; the
paper makes the copy explicit as g(z) = 1z, so y = x ○ 1z is an ordinary element-wise operation.  The
widget draws that copy — one z fanning out into n cells — and the two derivatives side by side:

* ∂y/∂x, an n×n matrix that is still diagonal (yᵢ reads xᵢ only): I for +, Iz for ⊗;
* ∂y/∂z, an n×1 *column* (one input, so one column), not a diagonal matrix: 1 for +, x for ⊗.

``expansion_state(op, x, z)`` decides everything that is shown (pure; tested without a front end): it
computes both derivatives numerically (``F.jacobian`` of :mod:`mcdl.functions`) and compares them with the
analytic ones of ``mcdl.elementwise`` (``ADD_SCALAR``, ``MULTIPLY_SCALAR``, …).  ``ExpansionExplorer`` is the
thin view: an op choice, an n slider, a z slider, one slider per entry of x, one live figure and a caption.
A learner may pass their own y(x, z) — anything :func:`mcdl.functions.learner_function` accepts for the
"expansion" signature: a Python function of a vector x and a number z, or text such as ``"sin(x)*z"`` —
instead of a built-in operator.  Built-in or not, y is evaluated through that one door.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.patches import Rectangle

from ..elementwise import OPERATORS, BinaryOp, ScalarExpansion, expand, operator
from ..functions import FunctionError, LearnerFunction, learner_function, round_off_to_zero
from ..plots import COLORS, LiveFigure, MatrixHeatmap, cached_text, subscript
from ..shapes import ShapeError, as_array, fmt_shape
from ..text import number, vector
from .base import Explorer, box_points, factory_of, nice_up, slider

__all__ = ["Expansion", "ExpansionState", "expansion_state", "expansion_explorer", "ExpansionExplorer", "MAX_N"]

MAX_N = 5             # the view offers n = 1..5
_CMAP = mpl.colormaps[MatrixHeatmap.CMAP]              # looked up once: each lookup returns a fresh copy
_ZERO_RGBA = to_rgba(MatrixHeatmap.ZERO)
# how the paper names the two derivatives of x ○ 1z
ANALYTIC_NAMES = {"+": ("I", "1"), "−": ("I", "−1"), "⊗": ("Iz", "x"), "⊘": ("I/z", "−x/z²")}


# --------------------------------------------------------------------------------------------------
# What the learner passes for the operation: a symbol, a ScalarExpansion, or their own y(x, z).
@dataclass(frozen=True)
class Expansion:
    """One scalar-expansion operation y(x, z): its name and the door it is evaluated through.

    ``symbol`` is "+", "−", "⊗", "⊘" for the built-ins (with ``analytic``, the ScalarExpansion of
    ``mcdl.elementwise`` that knows the exact Jacobians) or "y" for a learner's function; ``label`` is how
    the op is shown; ``function`` the :class:`~mcdl.functions.LearnerFunction` of y(x, z).
    """

    symbol: str
    label: str
    function: LearnerFunction
    analytic: ScalarExpansion | None = None

    @property
    def builtin(self) -> bool:
        return self.analytic is not None


BUILT_IN = {op.symbol: Expansion(op.symbol, op.symbol, learner_function(op.forward, "expansion",
                                                                           label=f"y = x {op.symbol} 1z"),
                                 ScalarExpansion(op))
            for op in OPERATORS.values()}


def _expansion(op) -> Expansion:
    """"+", "-", "*", "/" (or "⊗", "⊘", "add", "multiply", …), a ``ScalarExpansion`` or ``BinaryOp`` of
    ``mcdl.elementwise``, or the learner's y(x, z) (a function, or text in x and z)."""
    if isinstance(op, Expansion):
        return op
    if isinstance(op, ScalarExpansion):
        op = op.op
    if isinstance(op, BinaryOp):
        return BUILT_IN[op.symbol]
    if isinstance(op, str):
        try:
            return BUILT_IN[operator(op.strip().lower()).symbol]
        except ValueError:
            pass                        # not an operator's name: the text of a function y(x, z)
    F = learner_function(op, "expansion")
    if F.source is not None:
        label = f"y(x, z) = {F.source.strip() if isinstance(F.source, str) else F.source}"
    else:
        name = getattr(op, "__name__", "y")
        label = "y(x, z)" if name in ("<lambda>", "y") else f"y(x, z) = {name}(x, z)"
    return Expansion("y", label, F)


# --------------------------------------------------------------------------------------------------
# The pure state function
@dataclass(frozen=True)
class ExpansionState:
    """What the scalar-expansion explorer shows for y = x ○ z.  NaN marks undefined values.

    ones_z: the expanded vector 1z; J_x: ∂y/∂x (n, n) and J_z: ∂y/∂z, an (n, 1) column, numerically;
    J_x_exact / J_z_exact: from ``mcdl.elementwise``'s ScalarExpansion for the built-in operators (else None);
    error: the largest gap between numeric and exact (NaN for a learner's y); diagonal: is ∂y/∂x diagonal?;
    names: how the paper writes the two derivatives, e.g. ("Iz", "x").
    """

    op: str
    label: str
    n: int
    x: np.ndarray
    z: float
    ones_z: np.ndarray
    y: np.ndarray
    defined: bool
    J_x: np.ndarray
    J_z: np.ndarray
    J_x_exact: np.ndarray | None = None
    J_z_exact: np.ndarray | None = None
    error: float = math.nan
    diagonal: bool = False
    names: tuple | None = None
    caption: str = field(default="", compare=False)

    @property
    def shapes(self) -> dict:
        return {"J_x": (self.n, self.n), "J_z": (self.n, 1)}


def _as_x(x) -> np.ndarray:
    arr = as_array(x, "x")
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or not 1 <= arr.size <= 8:
        hint = " Pass x.ravel(): mcdl keeps vectors 1-D." if arr.ndim == 2 and 1 in arr.shape else ""
        raise ShapeError(f"x should be a vector of shape (n,) with 1 ≤ n ≤ 8, got {fmt_shape(arr.shape)}.{hint}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("x should hold finite numbers (no NaN or inf).")
    return arr


def _as_z(z) -> float:
    arr = as_array(z, "z")
    if arr.size != 1 or arr.ndim > 1:
        raise ShapeError(f"z is the scalar that gets expanded: it should be one number, got {fmt_shape(arr.shape)}.")
    value = float(arr.reshape(()))
    if not math.isfinite(value):
        raise ValueError("z should be a finite number.")
    return value


def expansion_state(op, x, z) -> ExpansionState:
    """Everything the scalar-expansion explorer shows for y = x ○ z.

    ``op``: a built-in operator or the learner's y(x, z) (see the module docstring).  A mistake in the
    learner's y raises :class:`~mcdl.functions.FunctionError`; where y is undefined the caption says so.
    """
    exp = _expansion(op)
    x, z = _as_x(x), _as_z(z)
    n = x.size
    F = exp.function
    y = F(x, z)
    J_x, J_z = F.jacobian(x, z, wrt="x"), F.jacobian(x, z, wrt="z")
    both = np.abs(np.concatenate([J_x.ravel(), J_z.ravel()]))
    scale = float(both[np.isfinite(both)].max()) if np.isfinite(both).any() else 0.0
    # finite-difference noise on a true 0 (x₄ + 2z at x₄ = 2, z = −1 came out 1.95e-17) becomes an exact 0,
    # so a heatmap cell shows "0" only for a zero and never prints noise as a number
    J_x, J_z = round_off_to_zero(J_x, scale=scale), round_off_to_zero(J_z, scale=scale)
    off = J_x - np.diag(np.diag(J_x))
    values = dict(op=exp.symbol, label=exp.label, n=n, x=x, z=z, ones_z=expand(z, n), y=y,
                  defined=bool(np.all(np.isfinite(y))), J_x=J_x, J_z=J_z, names=ANALYTIC_NAMES.get(exp.symbol),
                  diagonal=bool(np.all(np.isfinite(J_x)) and np.allclose(off, 0.0, atol=1e-7 * (1 + np.abs(J_x).max()))))
    head = f"op = {exp.symbol},  z = {number(z)}" if exp.builtin else f"{exp.label},  z = {number(z)}"
    if exp.builtin:
        if exp.symbol == "⊘" and z == 0:
            return ExpansionState(**values, caption=f"{head},  y = x {exp.symbol} 1z is undefined: it divides by z = 0")
        exact_x, exact_z = exp.analytic.jacobian_x(x, z), exp.analytic.jacobian_z(x, z)
        values.update(J_x_exact=exact_x, J_z_exact=exact_z,
                      error=float(max(np.max(np.abs(J_x - exact_x)), np.max(np.abs(J_z - exact_z)))))
    if not values["defined"]:
        return ExpansionState(**values, caption=f"{head},  y = {vector(y)}: y is not defined at this x and z")
    shape_x, shape_z = f"({n}×{n})", f"({n}×1 column)"
    if exp.builtin:
        dx, dz = values["names"]
        return ExpansionState(**values, caption=f"{head},  y = {vector(y)},  ∂y/∂x = {dx} {shape_x},  "
                                                f"∂y/∂z = {dz} {shape_z}")
    if not np.all(np.isfinite(J_x)):
        dx = f"∂y/∂x is undefined here {shape_x}"
    elif values["diagonal"]:
        dx = f"∂y/∂x = diag({', '.join(number(v) for v in np.diag(J_x))}) {shape_x}"
    else:
        dx = f"∂y/∂x is not diagonal {shape_x}"
    dz = f"∂y/∂z = {vector(J_z)} {shape_z}" if np.all(np.isfinite(J_z)) else f"∂y/∂z is undefined here {shape_z}"
    return ExpansionState(**values, caption=f"{head},  y = {vector(y)},  {dx},  {dz}")


# --------------------------------------------------------------------------------------------------
# The view
def _colours(values, vmax) -> np.ndarray:
    """RGBA rows for values on the diverging map fixed at ±vmax; exact zeros and NaN pale grey."""
    values = np.asarray(values, dtype=float)
    out = _CMAP(np.clip(0.5 + 0.5 * np.nan_to_num(values) / vmax, 0.0, 1.0))
    out[~np.isfinite(values) | (values == 0)] = _ZERO_RGBA
    return out


def colour_scale(op, lim: float, samples: int = 40) -> tuple[float, float]:
    """Fixed colour limits (values, derivatives) over the whole slider box, rounded up (base.nice_up).

    Sampled once per op at the box's points (base.box_points), so a slider move never changes the colours'
    meaning.  A percentile, not the largest value: a pole (x ⊘ z near z = 0) must not wash everything else
    out, and the box's points sit at its corners a third of the time each, so the 60th percentile is about
    what the typical (uniform) slider position shows.  The slack keeps finite-difference noise on a round 1
    from pushing the limit to the next round number.
    """
    exp = _expansion(op)
    box = {**{f"x{i}": (-lim, lim) for i in range(1, MAX_N + 1)}, "z": (-lim, lim)}
    values, slopes = [lim], [1.0]
    for point in box_points(box, samples):
        try:
            s = expansion_state(exp, [point[f"x{i}"] for i in range(1, MAX_N + 1)], point["z"])
        except (FunctionError, ShapeError):
            continue
        values.extend(np.ravel(s.y))
        slopes.extend(np.diag(s.J_x))
        slopes.extend(np.ravel(s.J_z))

    def scale(parts):
        a = np.abs(np.asarray(parts, dtype=float))
        a = a[np.isfinite(a)]
        return nice_up(np.percentile(a, 60) * (1 - 1e-9)) if a.size else 1.0
    return scale(values), scale(slopes)


class ExpansionExplorer(Explorer):
    """See scalar expansion y = x ○ z = x ○ 1z and the shapes of its two derivatives (paper §4.3).

    ``op`` is "+", "-", "*" (⊗) or "/" (⊘) — or your own y(x, z): a Python function of a vector x and a
    number z (``lambda x, z: np.sin(x) * z``) or the same as text (``"sin(x)*z"``), offered beside the four
    operators.  ``x`` (1 to 5 entries) and ``z`` are where the sliders start; they run over [−lim, lim] in
    steps of ``step``.  ∂y/∂x stays an n×n diagonal; ∂y/∂z is always one n×1 column.
    """

    css_class = "mcdl-expansion"
    UNIT = 0.46            # inches per cell
    FONT = 9

    def __init__(self, op, x=(1.0, 2.0, 3.0), z=2.0, lim: float = 3.0, step: float = 0.1):
        self.lim = float(lim)
        x = _as_x(x)
        if x.size > MAX_N:
            raise ShapeError(f"the explorer shows up to {MAX_N} entries; x has shape {fmt_shape(x.shape)}.")
        z = _as_z(z)
        chosen = _expansion(op)
        self.ops = dict(BUILT_IN)
        if not chosen.builtin:
            self.ops[chosen.label] = chosen
        self._scales = {}
        clip = lambda v: round(v / step) * step                  # noqa: E731  (slider() clips to the range)
        values = list(x) + [1.0, 2.0, 3.0, -1.0, 0.5][x.size:]
        controls = {"op": widgets.ToggleButtons(options=list(self.ops), value=chosen.label if not chosen.builtin
                                                else chosen.symbol, description="op ○",
                                                style={"button_width": "auto", "description_width": "initial"}),
                    "n": slider(x.size, 1, MAX_N, 1, "n (size of x)", integer=True)}
        for i in range(MAX_N):
            controls[f"x{i + 1}"] = slider(clip(values[i]), -self.lim, self.lim, step, subscript("x", i + 1),
                                           label_width="")
        controls["z"] = slider(clip(z), -self.lim, self.lim, step, "z", label_width="")
        self._build_figure()
        super().__init__(controls, live=self.live, structural=("op", "n"),
                         rows=["op", ["n", "z"], [f"x{i}" for i in range(1, MAX_N + 1)]])

    def active(self, name: str) -> bool:
        return not (name.startswith("x") and int(name[1:]) > self.controls["n"].value)

    def state(self, op, n, z, **entries):
        return expansion_state(self.ops[op], [entries[f"x{i}"] for i in range(1, n + 1)], z)

    def scale(self, key: str) -> tuple[float, float]:
        """The colour limits (values, derivatives) of an op, sampled once."""
        if key not in self._scales:
            self._scales[key] = colour_scale(self.ops[key], self.lim)
        return self._scales[key]

    # --- drawing ------------------------------------------------------------------------------------
    def figure_size(self, n: int) -> tuple:
        """(width, height, left, bottom) in inches of the figure for n entries: it fits the n rows and n + 1
        columns of cells exactly, so no part of it is left empty (the figure is resized when n changes)."""
        u = self.UNIT
        left, right, top = 0.12, 0.62, 1.05
        width = left + self._flow_w * u + self._gap1 + n * u + self._gap2 + u + right
        mid = (n - 1) / 2                                  # the "copied ×n" note hangs ~1.35 cells under z
        bottom = 0.2 + max(0.0, mid + 1.35 - (n - 0.5)) * u
        return (width, bottom + n * u + top, left, bottom)

    def _build_figure(self):
        self._gap1, self._gap2 = 0.62, 0.75
        self._flow_w = 7.0                                 # data units of the flow panel
        self._size = self.figure_size(MAX_N)
        self.live = LiveFigure(figsize=self._size[:2], ncols=3)
        self.flow_ax, self.jx_ax, self.jz_ax = self.live.axes[0]
        self.flow_ax.set_axis_off()
        self._flow_animated = []
        self.jx_map = MatrixHeatmap(self.jx_ax, (1, 1), live=self.live, fmt=".3g", fontsize=self.FONT)
        self.jz_map = MatrixHeatmap(self.jz_ax, (1, 1), live=self.live, fmt=".3g", fontsize=self.FONT)
        self.live.canvas.layout.flex = "0 0 auto"

    def _place_heatmaps(self, n: int):
        """The figure sized for n; the flow panel on the left, ∂y/∂x as n×n cells right of it, ∂y/∂z (n×1) just
        right of that; the same cell size everywhere, rows aligned."""
        u = self.UNIT
        self._size = width, height, left, bottom = self.figure_size(n)
        if tuple(self.live.figure.get_size_inches()) != (width, height):
            self.live.figure.set_size_inches(width, height, forward=True)
        self.flow_ax.set_position([left / width, bottom / height, self._flow_w * u / width, n * u / height])
        x0 = left + self._flow_w * u + self._gap1
        top_row = bottom + n * u
        self.jx_ax.set_position([x0 / width, (top_row - n * u) / height, n * u / width, n * u / height])
        x1 = x0 + n * u + self._gap2
        self.jz_ax.set_position([x1 / width, (top_row - n * u) / height, u / width, n * u / height])

    def scenery(self, state):
        """n or the op changed: the scenery (flow cells, arrows, heatmap grids, titles), drawn in full."""
        key, n = self.controls["op"].value, state.n
        exp = self.ops[key]
        for i in range(1, MAX_N + 1):
            self.controls[f"x{i}"].layout.display = None if i <= n else "none"
        self.vmax_values, self.vmax_slopes = self.scale(key)
        self._place_heatmaps(n)
        self._draw_flow(exp, n)
        ys = [subscript("y", i + 1) for i in range(n)]
        xs = [subscript("x", j + 1) for j in range(n)]
        dx, dz = ANALYTIC_NAMES.get(exp.symbol, (None, None))
        for heatmap, ax, shape, cols, title in (
                (self.jx_map, self.jx_ax, (n, n), xs,
                 f"∂y/∂x = {dx}" if dx else "∂y/∂x"),
                (self.jz_map, self.jz_ax, (n, 1), ["z"],
                 f"∂y/∂z = {dz}" if dz else "∂y/∂z")):
            heatmap.vmax = self.vmax_slopes
            heatmap.reset(shape, row_labels=ys, col_labels=cols)
            ax.set_aspect("auto")
            kind = ("diagonal" if exp.builtin else "matrix") if heatmap is self.jx_map else "column"
            shape_text = f"{shape[0]}×{shape[1]} {kind}" if n > 1 else f"{shape[0]}×{shape[1]}"
            ax.set_title(f"{title}\n{shape_text}", fontsize=self.FONT + 1, loc="left" if heatmap is self.jx_map
                         else "center", pad=self.FONT + 12, color=COLORS["point"])

    def _cell(self, ax, cx, cy):
        """One value cell of the flow panel: a square (collected into one artist later) and its number."""
        self._squares.append(Rectangle((cx - 0.42, cy - 0.42), 0.84, 0.84))
        text = cached_text(ax, cx, cy, "", fontsize=self.FONT)
        self._flow_animated.append(self.live.add_animated(text))
        return len(self._squares) - 1, text

    def _draw_flow(self, exp: Expansion, n: int):
        ax = self.flow_ax
        for artist in self._flow_animated:
            self.live.remove_animated(artist)
        self._flow_animated = []
        ax.clear()
        ax.set_axis_off()
        ax.set_xlim(-0.55, self._flow_w - 0.55)
        ax.set_ylim(n - 0.5, -0.5)
        mid = (n - 1) / 2
        X, OP, Z, ONES, EQ, Y = 0.0, 1.0, 2.0, 4.0, 5.2, 6.2
        self._squares = []
        self.x_cells = [self._cell(ax, X, i) for i in range(n)]
        self.z_cell = self._cell(ax, Z, mid)
        self.ones_cells = [self._cell(ax, ONES, i) for i in range(n)]
        self.y_cells = [self._cell(ax, Y, i) for i in range(n)]
        self.squares = PatchCollection(self._squares, facecolors=MatrixHeatmap.ZERO, edgecolors="white",
                                       linewidths=1.5, zorder=1)
        ax.add_collection(self.squares, autolim=False)
        self._flow_animated.insert(0, self.live.add_animated(self.squares))
        # the numbers must be drawn after the squares they sit on
        for text in self._flow_animated[1:]:
            self.live.remove_animated(text)
            self.live.add_animated(text)
        self._colours = np.tile(to_rgba_array(MatrixHeatmap.ZERO), (len(self._squares), 1))
        symbol = exp.symbol if exp.builtin else "○"
        ax.text(OP, mid, symbol, ha="center", va="center", fontsize=16, color=COLORS["point"])
        ax.text(EQ, mid, "=", ha="center", va="center", fontsize=16, color=COLORS["point"])
        for i in range(n):              # the copy: one z, n arrows, n cells of 1z
            ax.annotate("", xy=(ONES - 0.45, i), xytext=(Z + 0.45, mid),
                        arrowprops=dict(arrowstyle="-|>", color=COLORS["tangent"], lw=1.2, shrinkA=0, shrinkB=1,
                                        mutation_scale=9))
        head = dict(ha="center", va="bottom", fontsize=self.FONT + 1, clip_on=False)
        ax.text(X, -0.62, "x", **head)
        ax.text(Z, mid - 0.62, "z", **head)
        ax.text(ONES, -0.62, "1z", **head)
        ax.text(Y, -0.62, "y", **head)
        title = f"y = x {exp.symbol} 1z" if exp.builtin else exp.label
        ax.text(-0.45, -1.75, title + ":  z is copied into every entry of 1z", ha="left", va="bottom",
                fontsize=self.FONT + 1, clip_on=False)
        ax.text(Z, mid + 0.5, f"copied\n×{n}", ha="center", va="top", fontsize=self.FONT - 1,
                color=COLORS["tangent"], linespacing=1.0)

    def _paint(self, cell, value, vmax):
        index, text = cell
        if not math.isfinite(value) or value == 0:
            self._colours[index] = _ZERO_RGBA
            text.set_text("0" if value == 0 else "–")
            text.set_color(COLORS["muted"])
            return
        self._colours[index] = _colours([value], vmax)[0]
        text.set_text(number(value, ".3g").replace("-", "−"))
        text.set_color("white" if abs(value) > 0.6 * vmax else "black")

    def draw(self, state):
        vmax = self.vmax_values
        for cell, v in zip(self.x_cells, state.x):
            self._paint(cell, v, vmax)
        self._paint(self.z_cell, state.z, vmax)
        for cell, v in zip(self.ones_cells, state.ones_z):
            self._paint(cell, v, vmax)
        for cell, v in zip(self.y_cells, state.y):
            self._paint(cell, v, vmax)
        self.squares.set_facecolors(self._colours)
        self.jx_map.set(state.J_x)
        self.jz_map.set(state.J_z)


@factory_of(ExpansionExplorer)
def expansion_explorer(op="⊗", **options) -> ExpansionExplorer:
    """See scalar expansion y = x ○ z = x ○ 1z and the shapes of its two derivatives (paper §4.3).

    ``op`` is "+", "-", "*" (⊗) or "/" (⊘) — or your own y(x, z): a Python function of a vector x and a
    number z (``lambda x, z: np.sin(x) * z``) or the same as text (``"sin(x)*z"``).  Options (see
    :class:`ExpansionExplorer`): ``x`` (the starting vector, 1 to 5 entries), ``z``, ``lim``, ``step``.  Move z
    and the entries of x; change n and the op.  ∂y/∂x stays an n×n diagonal; ∂y/∂z is always one n×1 column.
    """
    return ExpansionExplorer(op, **options)
