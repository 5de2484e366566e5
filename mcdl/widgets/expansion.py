"""Scalar expansion (paper §4.3, reference §8.3): y = x ○ z for a vector x and a scalar z.

numpy lets you write ``x + z`` and ``x * z`` with a scalar z and quietly copies z into every slot; the
paper makes the copy explicit as g(z) = 1z, so y = x ○ 1z is an ordinary element-wise operation.  The
widget draws that copy — one z fanning out into n cells — and the two derivatives side by side:

* ∂y/∂x, an n×n matrix that is still diagonal (yᵢ reads xᵢ only): I for +, Iz for ⊗;
* ∂y/∂z, an n×1 *column* (one input, so one column), not a diagonal matrix: 1 for +, x for ⊗.

``expansion_state(op, x, z)`` decides everything that is shown (pure; tested without a front end): it
computes both derivatives numerically with ``mcdl.jacobian`` and compares them with the analytic ones of
``mcdl.elementwise`` (``ADD_SCALAR``, ``MULTIPLY_SCALAR``, …).  ``expansion_explorer(...)`` is the thin
view: an op choice, an n slider, a z slider, one slider per entry of x, one live figure and a caption.
A learner may pass their own y(x, z) — a Python function of a vector x and a number z, or text such as
``"sin(x)*z"`` — instead of a built-in operator.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import ipywidgets as widgets
import matplotlib as mpl
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.patches import Rectangle

from ..elementwise import OPERATORS, BinaryOp, ScalarExpansion, expand, operator
from ..numeric import jacobian
from ..plots import COLORS, LiveFigure, MatrixHeatmap, cached_text, subscript
from ..shapes import ShapeError, as_array, fmt_shape, require_callable
from .base import LegacyExplorer as Explorer, caption_label, caption_vector, positional_parameters
from .base import caption_number as _num

__all__ = ["Expansion", "as_expansion", "expansion_state", "expansion_explorer", "ExpansionExplorer", "MAX_N"]

MAX_N = 5             # the view offers n = 1..5
_CMAP = mpl.colormaps[MatrixHeatmap.CMAP]              # looked up once: each lookup returns a fresh copy
_ZERO_RGBA = to_rgba(MatrixHeatmap.ZERO)
# how the paper names the two derivatives of x ○ 1z
ANALYTIC_NAMES = {"+": ("I", "1"), "−": ("I", "−1"), "⊗": ("Iz", "x"), "⊘": ("I/z", "−x/z²")}
ANALYTIC_LATEX = {"+": ("I", r"\vec{1}"), "−": ("I", r"-\vec{1}"), "⊗": ("Iz", r"\mathbf{x}"),
                  "⊘": (r"\frac{I}{z}", r"-\frac{\mathbf{x}}{z^2}")}


def _vec(values) -> str:
    return caption_vector(values, undefined="undefined")


# --------------------------------------------------------------------------------------------------
# What the learner passes for the operation: a symbol, a ScalarExpansion, or their own y(x, z).
class Expansion:
    """One scalar-expansion operation y(x, z) in a single calling convention.

    ``symbol`` is "+", "−", "⊗", "⊘" for the built-ins (with ``analytic``, the ScalarExpansion of
    ``mcdl.elementwise`` that knows the exact Jacobians) or "y" for a learner's function; ``label``
    is how the op is shown; ``forward(x, z)`` maps a vector x (or a batch of them as columns) and a
    number z to y of x's shape.
    """

    def __init__(self, symbol: str, label: str, forward, analytic: ScalarExpansion | None = None):
        self.symbol, self.label, self.forward, self.analytic = symbol, label, forward, analytic

    @property
    def builtin(self) -> bool:
        return self.analytic is not None

    def __repr__(self) -> str:
        return f"Expansion({self.label!r})"


def _builtin(op: BinaryOp) -> Expansion:
    return Expansion(op.symbol, op.symbol, op.forward, ScalarExpansion(op))


def as_expansion(op) -> Expansion:
    """Accept "+", "-", "*", "/" (or "⊗", "⊘", "add", "multiply", …), a ``ScalarExpansion`` or ``BinaryOp``
    of ``mcdl.elementwise``, a Python function y(x, z) of a vector x and a number z, or such a function as
    text in x and z (``"sin(x)*z"``, parsed safely, never evaluated as Python)."""
    if isinstance(op, Expansion):
        return op
    if isinstance(op, ScalarExpansion):
        op = op.op
    if isinstance(op, BinaryOp):
        return _builtin(op)
    if isinstance(op, str):
        try:
            return _builtin(operator(op.strip().lower()))
        except ValueError:
            pass                        # not an operator's name: the text of a function y(x, z)
    if isinstance(op, str) or (hasattr(op, "free_symbols") and not callable(op)):
        from ..symbolic import parse_expression, to_function
        expr = parse_expression(op, ("x", "z")) if isinstance(op, str) else op
        func = to_function(expr, ("x", "z"))
        label = op.strip() if isinstance(op, str) else str(op)
        return Expansion("y", f"y(x, z) = {label}", func)
    require_callable(op, "op")
    counts = positional_parameters(op)
    if counts is not None and not counts[2] and not (counts[0] <= 2 <= counts[1]):
        raise TypeError(f"your y should be a function of two arguments, a vector x and a number z "
                        f"(e.g. lambda x, z: np.sin(x) * z); got a function of {counts[0]} argument"
                        f"{'s' if counts[0] != 1 else ''}.")
    name = getattr(op, "__name__", "y")
    label = "y(x, z)" if name in ("<lambda>", "y") else f"y(x, z) = {name}(x, z)"
    return Expansion("y", label, op)


# --------------------------------------------------------------------------------------------------
# The pure state function
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


def _evaluate(exp: Expansion, x: np.ndarray, z: float) -> np.ndarray:
    """y = exp(x, z) as a float (n,) array; NaN where undefined; a clear error where y is the wrong kind."""
    try:
        with np.errstate(all="ignore"):
            y = np.asarray(exp.forward(x, z), dtype=float)
    except ShapeError:
        raise
    except (TypeError, IndexError, KeyError, AttributeError, NameError) as err:
        raise TypeError(f"your y raised {type(err).__name__} when called as y(x, z) with x of shape {x.shape} "
                        f"and z a number: {err}.") from err
    except Exception:                   # ZeroDivisionError, a math domain error, ...: undefined here
        return np.full(x.shape, np.nan)
    if y.shape != x.shape:
        raise ShapeError(f"y(x, z) should return a vector of the same length as x, shape {x.shape}; it returned "
                         f"{fmt_shape(y.shape)}." + (" (A sum over the outputs is chapter 07.)" if y.ndim == 0 else ""))
    return np.where(np.isfinite(y), y, np.nan)


def _numeric_jacobians(exp: Expansion, x: np.ndarray, z: float):
    """∂y/∂x (n, n) and ∂y/∂z (n, 1) by mcdl.jacobian; NaN where y is not differentiable."""
    n = x.size
    out = []
    for f, at, shape in ((lambda v: exp.forward(v, z), x, (n, n)), (lambda s: exp.forward(x, s), z, (n, 1))):
        try:
            with np.errstate(all="ignore"):
                J = jacobian(f, at)
        except (ValueError, TypeError, ArithmeticError):
            J = None
        if J is None or J.shape != shape or not np.all(np.isfinite(J)):
            J = np.full(shape, np.nan)
        out.append(J)
    return out


def expansion_state(op, x, z) -> dict:
    """Everything the scalar-expansion explorer shows for y = x ○ z, as plain values.

    Keys: op (the symbol, or "y" for a learner's function), label, n, x (n,), z, ones_z (the expanded
    vector 1z, (n,)), y (n,), defined, J_x (∂y/∂x by ``mcdl.jacobian``, (n, n)), J_z (∂y/∂z, an (n, 1)
    column), J_x_exact and J_z_exact (from ``mcdl.elementwise``'s ScalarExpansion for the built-in
    operators, else None), error (the largest gap between numeric and exact, NaN for a learner's y),
    diagonal (is ∂y/∂x diagonal?), names (how the paper writes the two derivatives, e.g. ("Iz", "x")),
    shapes ({"J_x": (n, n), "J_z": (n, 1)}) and caption.  NaN marks undefined values; nothing warns.
    """
    exp = as_expansion(op)
    x, z = _as_x(x), _as_z(z)
    n = x.size
    state = {"op": exp.symbol, "label": exp.label, "n": n, "x": x, "z": z, "ones_z": expand(z, n),
             "shapes": {"J_x": (n, n), "J_z": (n, 1)}, "J_x_exact": None, "J_z_exact": None,
             "error": math.nan, "names": ANALYTIC_NAMES.get(exp.symbol)}
    y = _evaluate(exp, x, z)
    J_x, J_z = _numeric_jacobians(exp, x, z)
    state.update(y=y, J_x=J_x, J_z=J_z, defined=bool(np.all(np.isfinite(y))))
    off = J_x - np.diag(np.diag(J_x))
    state["diagonal"] = bool(np.all(np.isfinite(J_x)) and np.allclose(off, 0.0, atol=1e-7 * (1 + np.abs(J_x).max())))
    head = f"op = {exp.symbol},  z = {_num(z)}" if exp.builtin else f"{exp.label},  z = {_num(z)}"
    if exp.builtin:
        try:
            state["J_x_exact"] = exp.analytic.jacobian_x(x, z)
            state["J_z_exact"] = exp.analytic.jacobian_z(x, z)
        except ZeroDivisionError:
            state["caption"] = f"{head},  y = x {exp.symbol} 1z is undefined: it divides by z = 0"
            return state
        state["error"] = float(max(np.max(np.abs(J_x - state["J_x_exact"])),
                                   np.max(np.abs(J_z - state["J_z_exact"]))))
    if not state["defined"]:
        state["caption"] = f"{head},  y = {_vec(y)}: y is not defined at this x and z"
        return state
    shape_x, shape_z = f"({n}×{n})", f"({n}×1 column)"
    if exp.builtin:
        dx, dz = state["names"]
        state["caption"] = f"{head},  y = {_vec(y)},  ∂y/∂x = {dx} {shape_x},  ∂y/∂z = {dz} {shape_z}"
        return state
    if not np.all(np.isfinite(J_x)):
        dx = f"∂y/∂x is undefined here {shape_x}"
    elif state["diagonal"]:
        dx = f"∂y/∂x = diag{_vec(np.diag(J_x))[:-1].replace('[', '(')}) {shape_x}"
    else:
        dx = f"∂y/∂x is not diagonal {shape_x}"
    dz = f"∂y/∂z = {_vec(J_z.ravel())} {shape_z}" if np.all(np.isfinite(J_z)) else \
        f"∂y/∂z is undefined here {shape_z}"
    state["caption"] = f"{head},  y = {_vec(y)},  {dx},  {dz}"
    return state


# --------------------------------------------------------------------------------------------------
# The view
def _colours(values, vmax) -> np.ndarray:
    """RGBA rows for values on the diverging map fixed at ±vmax; exact zeros and NaN pale grey."""
    values = np.asarray(values, dtype=float)
    out = _CMAP(np.clip(0.5 + 0.5 * np.nan_to_num(values) / vmax, 0.0, 1.0))
    out[~np.isfinite(values) | (values == 0)] = _ZERO_RGBA
    return out


def _colour_scale(exp: Expansion, lim: float, rng_seed: int = 0) -> tuple[float, float]:
    """Fixed colour limits (values, derivatives) from y and its partials over the whole slider box.

    Sampled once (seeded), so a slider move never changes the colours' meaning; the 90th percentile
    keeps a pole (x ⊘ z near z = 0) from washing everything else out.
    """
    rng = np.random.default_rng(rng_seed)
    X = rng.uniform(-lim, lim, size=(MAX_N, 64))
    Z = rng.uniform(-lim, lim, size=64)
    h = 1e-5
    values, slopes = [np.full(1, lim)], [np.ones(1)]
    with np.errstate(all="ignore"):
        for k in range(Z.size):
            x, z = X[:, k], float(Z[k])
            try:
                y = np.asarray(exp.forward(x, z), dtype=float)
                dx = (np.asarray(exp.forward(x + h, z), dtype=float) - np.asarray(exp.forward(x - h, z), dtype=float)) / (2 * h)
                dz = (np.asarray(exp.forward(x, z + h), dtype=float) - np.asarray(exp.forward(x, z - h), dtype=float)) / (2 * h)
            except Exception:
                continue
            values.append(np.ravel(y))
            slopes.extend([np.ravel(dx), np.ravel(dz)])
    def scale(parts):
        a = np.abs(np.concatenate(parts))
        a = a[np.isfinite(a)]
        return float(max(np.percentile(a, 90), 1.0)) if a.size else 1.0
    return scale(values), scale(slopes)


class ExpansionExplorer(Explorer):
    """The view: op buttons, an n slider, a z slider, one slider per xᵢ; x, z → 1z, y and both Jacobians."""

    UNIT = 0.46            # inches per cell
    FONT = 9

    def __init__(self, op="⊗", x=(1.0, 2.0, 3.0), z=2.0, lim: float = 3.0, step: float = 0.1):
        self.lim = float(lim)
        x = _as_x(x)
        if x.size > MAX_N:
            raise ShapeError(f"the explorer shows up to {MAX_N} entries; x has shape {fmt_shape(x.shape)}.")
        z = _as_z(z)
        chosen = as_expansion(op)
        self._custom = None if chosen.builtin else chosen
        options = list(OPERATORS)
        if self._custom is not None:
            expansion_state(self._custom, x, z)            # fails fast, and clearly, on a wrong y
            options.append(self._custom.label)
        start = chosen.label if self._custom is not None else chosen.symbol
        style = {"description_width": "initial"}
        self.op_buttons = widgets.ToggleButtons(options=options, value=start, description="op ○",
                                                style={"button_width": "auto", **style})
        self.n_slider = widgets.IntSlider(value=x.size, min=1, max=MAX_N, description="n (size of x)", style=style)
        clip = lambda v: float(np.clip(round(v / step) * step, -self.lim, self.lim))   # noqa: E731
        self.z_slider = widgets.FloatSlider(value=clip(z), min=-self.lim, max=self.lim, step=step, description="z",
                                            readout_format=".2f")
        defaults = [1.0, 2.0, 3.0, -1.0, 0.5]
        values = list(x) + defaults[x.size:]
        self.x_sliders = [widgets.FloatSlider(value=clip(values[i]), min=-self.lim, max=self.lim, step=step,
                                              description=subscript("x", i + 1), readout_format=".2f")
                          for i in range(MAX_N)]
        self.caption = caption_label()
        self._build_figure()
        controls = widgets.VBox([self.op_buttons, widgets.HBox([self.n_slider, self.z_slider],
                                                               layout=widgets.Layout(flex_flow="row wrap")),
                                 widgets.HBox(self.x_sliders, layout=widgets.Layout(flex_flow="row wrap"))])
        super().__init__([controls, self.live.canvas, self.caption])
        self.add_class("mcdl-expansion")
        self.op_buttons.observe(self._on_structure, names="value")
        self.n_slider.observe(self._on_structure, names="value")
        for slider in [self.z_slider] + self.x_sliders:
            slider.observe(self._on_change, names="value")
        self._rebuild(draw=False)   # the front end asks for a full draw when it shows the canvas
        self._apply(self._state())

    # --- state --------------------------------------------------------------------------------------
    @property
    def expansion(self) -> Expansion:
        value = self.op_buttons.value
        return self._custom if (self._custom is not None and value == self._custom.label) else _builtin(OPERATORS[value])

    def _state(self):
        n = self.n_slider.value
        x = [s.value for s in self.x_sliders[:n]]
        return expansion_state(self.expansion, x, self.z_slider.value)

    # --- drawing ------------------------------------------------------------------------------------
    def _build_figure(self):
        u = self.UNIT
        left, self._gap1, self._gap2, right = 0.12, 0.62, 0.9, 0.45
        self._flow_w = 7.0                                 # data units of the flow panel
        top, bottom = 1.05, 0.2
        width = left + self._flow_w * u + self._gap1 + MAX_N * u + self._gap2 + u + right
        height = bottom + MAX_N * u + top
        self._size = (width, height, left, bottom)
        self.live = LiveFigure(figsize=(width, height), ncols=3)
        self.flow_ax, self.jx_ax, self.jz_ax = self.live.axes[0]
        self.flow_ax.set_position([left / width, bottom / height, self._flow_w * u / width, MAX_N * u / height])
        self.flow_ax.set_axis_off()
        self._flow_animated = []
        self.jx_map = MatrixHeatmap(self.jx_ax, (1, 1), live=self.live, fmt="{:.3g}", fontsize=self.FONT)
        self.jz_map = MatrixHeatmap(self.jz_ax, (1, 1), live=self.live, fmt="{:.3g}", fontsize=self.FONT)
        self.live.canvas.layout.flex = "0 0 auto"

    def _place_heatmaps(self, n: int):
        """∂y/∂x as n×n cells right of the flow panel, ∂y/∂z (n×1) just right of it; same cell size, rows aligned."""
        u = self.UNIT
        width, height, left, bottom = self._size
        x0 = left + self._flow_w * u + self._gap1
        top_row = bottom + MAX_N * u                       # rows hang from the top, like the flow panel's
        self.jx_ax.set_position([x0 / width, (top_row - n * u) / height, n * u / width, n * u / height])
        x1 = x0 + n * u + self._gap2
        self.jz_ax.set_position([x1 / width, (top_row - n * u) / height, u / width, n * u / height])

    def _rebuild(self, draw: bool = True):
        """n or the op changed: redraw the scenery (flow cells, arrows, heatmap grids, titles) in full."""
        exp, n = self.expansion, self.n_slider.value
        for i, slider in enumerate(self.x_sliders):
            slider.layout.display = None if i < n else "none"
        self.vmax_values, self.vmax_slopes = _colour_scale(exp, self.lim)
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
        if draw:
            self.live.redraw()

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
        ax.set_ylim(MAX_N - 0.5, -0.5)
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
        text.set_text(f"{value:.3g}".replace("-", "−"))
        text.set_color("white" if abs(value) > 0.6 * vmax else "black")

    def _apply(self, state):
        self.state = state
        vmax = self.vmax_values
        for cell, v in zip(self.x_cells, state["x"]):
            self._paint(cell, v, vmax)
        self._paint(self.z_cell, state["z"], vmax)
        for cell, v in zip(self.ones_cells, state["ones_z"]):
            self._paint(cell, v, vmax)
        for cell, v in zip(self.y_cells, state["y"]):
            self._paint(cell, v, vmax)
        self.squares.set_facecolors(self._colours)
        self.jx_map.set(state["J_x"])
        self.jz_map.set(state["J_z"])
        self.caption.value = state["caption"]

    def _on_change(self, _change=None):
        if self.n_slider.value and _change is not None and _change["owner"] in self.x_sliders[self.n_slider.value:]:
            return                      # a hidden entry: nothing shown changes
        self._apply(self._state())
        self.live.update()

    def _on_structure(self, _change=None):
        self._rebuild()
        self._apply(self._state())
        self.live.update()


def expansion_explorer(op="⊗", x=(1.0, 2.0, 3.0), z: float = 2.0, **kw) -> ExpansionExplorer:
    """See scalar expansion y = x ○ z = x ○ 1z and the shapes of its two derivatives (paper §4.3).

    ``op`` is "+", "-", "*" (⊗) or "/" (⊘) — or your own y(x, z): a Python function of a vector x and a
    number z (``lambda x, z: np.sin(x) * z``) or the same as text (``"sin(x)*z"``).  Move z and the
    entries of x; change n and the op.  ∂y/∂x stays an n×n diagonal; ∂y/∂z is always one n×1 column.
    """
    return ExpansionExplorer(op=op, x=x, z=z, **kw)
