"""Element-wise binary operators (paper §4.2, reference §8.2): when is ∂y/∂w diagonal?

``y = w ○ x`` applies one scalar operator entry by entry: yᵢ = wᵢ ○ xᵢ.  Output i reads input i of each
argument and nothing else (the *element-wise diagonal condition*), so nudging wⱼ or xⱼ with j ≠ i cannot
move yᵢ: both Jacobians are zero off the diagonal, i.e. diag(…) of the per-entry partials.

* ``elementwise_state(op, w, x)`` decides everything that is shown (pure, tested without a front end):
  y, both Jacobians computed *numerically* with ``mcdl.jacobian`` (so nothing is assumed diagonal), the
  analytic ones from :mod:`mcdl.elementwise` for the paper's four operators, whether each Jacobian is
  diagonal, the largest off-diagonal |entry| and a one-line caption.
* ``elementwise_explorer(f=None)`` is the thin view: an operator menu (+, −, ⊗, ⊘, a counter-example
  that breaks the condition, and the learner's own y(w, x)), a length n, a slider per entry of w and x,
  and the two Jacobians as annotated heatmaps on one live figure.

``op`` may be a paper symbol ("+", "−", "⊗", "⊘", or "-", "*", "/"), "shifted ⊗" (the counter-example
yᵢ = wᵢ₊₁·xᵢ, cyclic), a :class:`mcdl.elementwise.BinaryOp`, a Python function y(w, x) of two n-vectors
returning an n-vector, or text such as ``"sin(w)*x"`` (parsed safely by :mod:`mcdl.symbolic`, applied
entry by entry).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import ipywidgets as widgets

from .. import elementwise as ew
from ..numeric import jacobian
from ..plots import LiveFigure, MatrixHeatmap, subscript
from ..shapes import ShapeError, as_vector, fmt_shape, require_callable
from .base import LegacyExplorer as Explorer, caption_label, positional_parameters
from .base import caption_number as _num, caption_vector as _vec

__all__ = ["ElementwiseOp", "as_elementwise_op", "elementwise_state", "elementwise_explorer",
           "ElementwiseExplorer", "SHIFTED", "OPERATOR_KEYS"]

UNDEFINED = "–"          # how an undefined number is shown, in the caption and in the heatmaps


# ==================================================================================================
# The operators the explorer knows: the paper's four, a counter-example, and the learner's own
# ==================================================================================================
@dataclass
class ElementwiseOp:
    """One choice of y(w, x) in a single calling convention.

    ``forward(w, x)`` takes two (n,) vectors and returns an (n,) vector; when ``batch`` is True it also
    takes (n, k) arrays whose columns are points (how ``mcdl.jacobian`` batches).  ``binary`` is the
    paper's :class:`~mcdl.elementwise.BinaryOp` when there is one (then the analytic Jacobians come from
    :mod:`mcdl.elementwise`); ``analytic`` is an alternative (w, x) -> (J_w, J_x) for the others.
    """

    key: str                      # what the caption calls it: "⊗", "shifted ⊗", "yours"
    label: str                    # the menu entry
    formula: str                  # one line for the figure's title
    forward: Callable
    batch: bool = True
    binary: ew.BinaryOp | None = None
    analytic: Callable | None = None
    undefined_why: Callable | None = None       # (w, x, i) -> text, e.g. "x₂ = 0"
    _limits: dict = field(default_factory=dict, repr=False)

    def __call__(self, w, x):
        return self.forward(w, x)


def _binary_op(op: ew.BinaryOp, formula: str) -> ElementwiseOp:
    def forward(w, x):
        return op.forward(w, x)          # numpy arithmetic: works on (n,) and on (n, k) batches alike
    why = None
    if op is ew.DIVIDE:
        why = lambda w, x, i: f"{subscript('x', i + 1)} = 0" if x[i] == 0 else ""    # noqa: E731
    return ElementwiseOp(op.symbol, f"{op.symbol}    {formula}", formula, forward, binary=op, undefined_why=why)


def _shifted_forward(w, x):
    return np.roll(w, -1, axis=0) * x          # yᵢ = wᵢ₊₁ xᵢ (cyclic); axis 0 also shifts a batch correctly


def _shifted_analytic(w, x):
    n = w.size
    J_w = np.zeros((n, n))
    J_w[np.arange(n), (np.arange(n) + 1) % n] = x          # ∂yᵢ/∂wᵢ₊₁ = xᵢ: one step right of the diagonal
    return J_w, np.diag(np.roll(w, -1))                   # ∂yᵢ/∂xᵢ = wᵢ₊₁: still on the diagonal


SHIFTED = ElementwiseOp("shifted ⊗", "shifted ⊗    yᵢ = wᵢ₊₁·xᵢ  (breaks the condition)", "yᵢ = wᵢ₊₁ · xᵢ",
                        _shifted_forward, analytic=_shifted_analytic)

_BUILT_IN = {
    "+": _binary_op(ew.ADD, "y = w + x"),
    "−": _binary_op(ew.SUBTRACT, "y = w − x"),
    "⊗": _binary_op(ew.MULTIPLY, "y = w ⊗ x"),
    "⊘": _binary_op(ew.DIVIDE, "y = w ⊘ x"),
    "shifted ⊗": SHIFTED,
}
OPERATOR_KEYS = tuple(_BUILT_IN)
_SHIFTED_ALIASES = ("shifted ⊗", "shifted", "shifted *", "shifted-multiply")


def _arity(f) -> int | None:
    counts = positional_parameters(f)
    if counts is None or counts[2]:
        return None
    required, total, _ = counts
    return 2 if required <= 2 <= total else required


def as_elementwise_op(op, label: str | None = None) -> ElementwiseOp:
    """Turn what a learner passes into an :class:`ElementwiseOp` (see the module docstring for the forms)."""
    if isinstance(op, ElementwiseOp):
        return op
    if isinstance(op, ew.BinaryOp):
        return _BUILT_IN[op.symbol]
    if isinstance(op, str):
        key = op.strip()
        if key in _SHIFTED_ALIASES:
            return SHIFTED
        try:
            return _BUILT_IN[ew.operator(key).symbol]
        except ValueError:
            pass
        return _text_op(key, label)
    if hasattr(op, "free_symbols") and not callable(op):          # a sympy expression
        return _text_op(op, label)
    if isinstance(op, (list, tuple)):
        raise TypeError("op should be one function y(w, x) of two vectors (or text such as 'sin(w)*x'), "
                        f"not a {type(op).__name__}.")
    f = require_callable(op, "y")
    arity = _arity(f)
    if arity is not None and arity != 2:
        raise TypeError(f"y should be a function of two vectors, y(w, x) (e.g. lambda w, x: np.sin(w) * x); "
                        f"got a function of {arity} argument{'s' if arity != 1 else ''}.")
    name = label or "your y(w, x)"

    def forward(w, x):
        return f(w, x)

    return ElementwiseOp("yours", f"yours    {name}", name, forward, batch=False)


def _text_op(text, label=None) -> ElementwiseOp:
    """'sin(w)*x' -> an element-wise op, with its analytic diagonals from the symbolic derivatives."""
    from ..symbolic import parse_expression, symbolic_derivative, to_function

    names = ("w", "x")
    expr = parse_expression(text, names) if isinstance(text, str) else text
    f = to_function(expr, names)
    dw, dx = (to_function(symbolic_derivative(expr, v), names) for v in names)
    shown = text if isinstance(text, str) else str(expr)
    name = label or f"yᵢ = {shown}  (with wᵢ, xᵢ)"

    def analytic(w, x):
        with np.errstate(all="ignore"):
            return np.diag(dw(w, x)), np.diag(dx(w, x))

    return ElementwiseOp("yours", f"yours    {name}", name, lambda w, x: f(w, x), analytic=analytic)


# ==================================================================================================
# The state
# ==================================================================================================
def _evaluate(op: ElementwiseOp, w, x) -> np.ndarray:
    """y(w, x) as an (n,) float array, NaN where undefined; a learner's mistake becomes a clear error."""
    n = w.size
    try:
        with np.errstate(all="ignore"):
            y = op(w, x)
    except ZeroDivisionError:                  # plain Python division by 0 somewhere: y is undefined
        return np.full(n, np.nan)
    except (TypeError, IndexError, KeyError, AttributeError, NameError, ValueError) as err:
        raise TypeError(f"y raised {type(err).__name__} when called with w and x of shape ({n},): {err}. "
                        "y should take two vectors of the same length n and return a vector of length n.") from err
    try:
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"y(w, x) should return numbers, got {type(y).__name__}.") from err
    if y.shape != (n,):
        what = "a scalar" if y.ndim == 0 else f"shape {fmt_shape(y.shape)}"
        raise ShapeError(f"y(w, x) should return a vector of shape ({n},) like w and x — an element-wise "
                         f"operation maps two {n}-vectors to one {n}-vector — but it returned {what}.")
    return np.where(np.isfinite(y), y, np.nan)


def _numeric_jacobian(g, at, rows, n, batch) -> np.ndarray:
    """mcdl.jacobian of g at ``at`` for the outputs in ``rows``; the other rows (undefined outputs) are NaN."""
    J = np.full((n, n), np.nan)
    if rows.size == 0:
        return J
    mode = None if batch else False
    try:
        with np.errstate(all="ignore"):
            J[rows] = jacobian(lambda v: g(v)[rows], at, batch=mode)
        return J
    except (ValueError, ArithmeticError):            # some output is undefined near the point: row by row
        pass
    for i in rows:
        try:
            with np.errstate(all="ignore"):
                J[i] = jacobian(lambda v, i=i: g(v)[i], at, batch=mode)[0]
        except (ValueError, ArithmeticError):
            pass
    return J


def _clean(J) -> np.ndarray:
    """Round-off below 1e-9 of the largest entry becomes an exact 0 (drawn grey); -0.0 becomes 0.0."""
    finite = np.isfinite(J)
    scale = max(1.0, float(np.max(np.abs(J[finite]))) if finite.any() else 1.0)
    J = np.where(finite & (np.abs(J) < 1e-9 * scale), 0.0, J)
    return J + 0.0


def _off_diagonal(J, rows) -> float:
    """The largest |entry| off the diagonal among the defined rows (0 for n = 1); NaN if no row is defined."""
    if rows.size == 0:
        return math.nan
    sub = np.abs(J[rows]).copy()
    sub[np.arange(rows.size), rows] = 0.0
    sub = sub[np.isfinite(sub)]
    return float(sub.max()) if sub.size else 0.0


def _analytic(op: ElementwiseOp, w, x, defined):
    """The analytic Jacobians (n×n) with NaN rows where y is undefined, or (None, None)."""
    if op.binary is not None:
        if defined.all():
            return op.binary.jacobian_w(w, x), op.binary.jacobian_x(w, x)      # mcdl.elementwise, as is
        with np.errstate(all="ignore"):        # ⊘ with some xᵢ = 0: the same formulas, entry by entry
            dw = np.broadcast_to(op.binary.d_dw(w, x), w.shape).astype(float)
            dx = np.broadcast_to(op.binary.d_dx(w, x), w.shape).astype(float)
        J_w, J_x = np.diag(np.where(defined, dw, 0.0)), np.diag(np.where(defined, dx, 0.0))
    elif op.analytic is not None:
        J_w, J_x = (np.asarray(J, dtype=float) for J in op.analytic(w, x))
    else:
        return None, None
    J_w, J_x = J_w.copy(), J_x.copy()
    J_w[~defined], J_x[~defined] = np.nan, np.nan
    return J_w, J_x


def elementwise_state(op, w, x) -> dict:
    """Everything the element-wise explorer shows for y = w ○ x at (w, x), as plain values.

    Keys: op (the caption's name for it), formula, n, w, x, y (NaN where undefined), defined (bool per
    entry of y), J_w and J_x (n×n, from ``mcdl.jacobian``; rows of undefined outputs are NaN, round-off
    is cleaned to exact zeros), analytic_w and analytic_x (n×n from :mod:`mcdl.elementwise` for the
    paper's four operators, the known formula for the counter-example and for text; None for a Python
    function), diagonal_w / diagonal_x (is the Jacobian zero off its diagonal?), off_w / off_x (the
    largest off-diagonal |entry|), undefined (text, "" if y is defined everywhere) and caption.
    Nothing here warns: ⊘ with some xᵢ = 0 reports the undefined entries instead.
    """
    spec = as_elementwise_op(op)
    w, x = as_vector(w, "w"), as_vector(x, "x")
    if w.shape != x.shape:
        raise ShapeError(f"an element-wise operator needs w and x of the same length; got w {fmt_shape(w.shape)} "
                         f"and x {fmt_shape(x.shape)}.")
    n = w.size
    y = _evaluate(spec, w, x)
    defined = np.isfinite(y)
    rows = np.flatnonzero(defined)

    def wrt_w(v):
        return spec(v, x if v.ndim == 1 else x[:, None])

    def wrt_x(v):
        return spec(w if v.ndim == 1 else w[:, None], v)

    J_w = _clean(_numeric_jacobian(wrt_w, w, rows, n, spec.batch))
    J_x = _clean(_numeric_jacobian(wrt_x, x, rows, n, spec.batch))
    analytic_w, analytic_x = _analytic(spec, w, x, defined)
    off_w, off_x = _off_diagonal(J_w, rows), _off_diagonal(J_x, rows)
    tol = 1e-7 * max(1.0, float(np.nanmax(np.abs(np.concatenate([J_w.ravel(), J_x.ravel(), [0.0]])))))
    diagonal_w = bool(off_w <= tol) if math.isfinite(off_w) else None
    diagonal_x = bool(off_x <= tol) if math.isfinite(off_x) else None

    undefined = ""
    missing = np.flatnonzero(~defined)
    if missing.size:
        names = ", ".join(subscript("y", i + 1) for i in missing)
        whys = [spec.undefined_why(w, x, i) for i in missing] if spec.undefined_why else []
        whys = [why for why in whys if why]
        undefined = f"{names} undefined" + (f" ({', '.join(whys)}: division by zero)" if whys else "")

    def verdict(diagonal, off):
        if diagonal is None:
            return UNDEFINED
        return "yes" if diagonal else f"no (largest off-diagonal |entry| = {_num(off)})"

    caption = (f"op = {spec.key},  w = {_vec(w)},  x = {_vec(x)},  y = {_vec(y)},  "
               f"∂y/∂w diagonal: {verdict(diagonal_w, off_w)},  ∂y/∂x diagonal: {verdict(diagonal_x, off_x)}")
    if undefined:
        caption += f",  {undefined}"
    return {"op": spec.key, "formula": spec.formula, "n": n, "w": w, "x": x, "y": y, "defined": defined,
            "J_w": J_w, "J_x": J_x, "analytic_w": analytic_w, "analytic_x": analytic_x,
            "diagonal_w": diagonal_w, "diagonal_x": diagonal_x, "off_w": off_w, "off_x": off_x,
            "undefined": undefined, "caption": caption}


# ==================================================================================================
# The view
# ==================================================================================================
_NICE = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0)


def _nice_limit(value: float) -> float:
    for v in _NICE:
        if value <= v:
            return v
    return float(10 ** math.ceil(math.log10(value)))


def colour_limits(op, lim: float = 6.0, step: float = 0.5, n: int = 4, trials: int = 16) -> tuple[float, float]:
    """Fixed colour limits (vmax for ∂y/∂w, for ∂y/∂x) that suit the slider range [−lim, lim].

    The 80th percentile of the non-zero |entries| at random slider positions (seeded), rounded up to a
    round number: typical values get clear colours; the rare huge ones (wᵢ/xᵢ² with xᵢ near 0) saturate,
    and their numbers are printed in the cells anyway.
    """
    spec = as_elementwise_op(op)
    key = (lim, step, n)
    if key in spec._limits:
        return spec._limits[key]
    rng = np.random.default_rng(0)
    grid = np.arange(-lim, lim + step / 2, step)
    samples = ([], [])
    for _ in range(trials):
        w, x = rng.choice(grid, n), rng.choice(grid, n)
        try:
            s = elementwise_state(spec, w, x)
        except (TypeError, ValueError):
            continue
        for bag, J in zip(samples, (s["J_w"], s["J_x"])):
            values = np.abs(J[np.isfinite(J) & (J != 0)])
            bag.extend(values.tolist())
    limits = tuple(_nice_limit(float(np.percentile(bag, 80))) if bag else 1.0 for bag in samples)
    spec._limits[key] = limits
    return limits


_PAD_W = (1.0, 2.0, 3.0, -2.0, 0.5)           # entries a slider starts at when n grows past the given w, x
_PAD_X = (4.0, 5.0, 6.0, 1.5, -3.0)


class ElementwiseExplorer(Explorer):
    """The view: operator menu, length n, one slider per wᵢ and xᵢ, ∂y/∂w and ∂y/∂x as heatmaps, a caption."""

    MAX_N = 5

    def __init__(self, f=None, op=None, w=(1.0, 2.0, 3.0), x=(4.0, 5.0, 6.0), max_n: int = 4, lim: float = 6.0,
                 step: float = 0.5, label: str | None = None, figsize=(6.6, 3.5)):
        if isinstance(max_n, (bool, np.bool_)) or not isinstance(max_n, numbers.Integral) \
                or not 1 <= max_n <= self.MAX_N:
            raise ValueError(f"max_n must be a whole number from 1 to {self.MAX_N}, got {max_n!r}.")
        self.max_n, self.lim, self.step = int(max_n), float(lim), float(step)
        w, x = as_vector(w, "w"), as_vector(x, "x")
        if w.shape != x.shape:
            raise ShapeError(f"w and x must have the same length; got w {fmt_shape(w.shape)} and x {fmt_shape(x.shape)}.")
        if w.size > self.max_n:
            raise ShapeError(f"the explorer shows vectors of length 1 to {self.max_n}; got length {w.size}.")
        self.ops = dict(_BUILT_IN)
        if f is not None:
            self.ops["yours"] = as_elementwise_op(f, label)
        if op is None:
            op = "yours" if f is not None else "⊗"
        start = "yours" if op == "yours" else as_elementwise_op(op).key
        if start not in self.ops:
            raise ValueError(f"op must be one of {', '.join(self.ops)}; got {op!r}.")
        elementwise_state(self.ops[start], w, x)          # fails fast, and clearly, on a wrong f, w or x
        if "yours" in self.ops:
            elementwise_state(self.ops["yours"], w, x)

        style = {"description_width": "initial"}
        self.op_menu = widgets.Dropdown(options=[(spec.label, key) for key, spec in self.ops.items()], value=start,
                                        description="operator", style=style,
                                        layout=widgets.Layout(width="max-content"))
        self.n_slider = widgets.IntSlider(value=w.size, min=1, max=self.max_n, description="n (length)", style=style)
        padded_w = list(w) + list(_PAD_W[w.size:self.max_n])
        padded_x = list(x) + list(_PAD_X[x.size:self.max_n])

        def slider(name, i, value):
            value = float(np.clip(value, -self.lim, self.lim))
            return widgets.FloatSlider(value=value, min=-self.lim, max=self.lim, step=self.step,
                                       description=subscript(name, i + 1), readout_format=".2f",
                                       layout=widgets.Layout(width="290px"))
        self.w_sliders = [slider("w", i, v) for i, v in enumerate(padded_w)]
        self.x_sliders = [slider("x", i, v) for i, v in enumerate(padded_x)]
        self.w_box, self.x_box = widgets.VBox(), widgets.VBox()
        self.caption = caption_label()
        self.live = LiveFigure(figsize=figsize, ncols=2,
                               margins=dict(left=0.07, right=0.98, bottom=0.03, top=0.70, wspace=0.3))
        self.title = self.live.figure.text(0.5, 0.975, "", fontsize=12, ha="center", va="top")
        self.note = self.live.figure.text(0.5, 0.905, "", fontsize=8, color="#666666", ha="center", va="top")
        n = w.size
        self.heat_w = MatrixHeatmap(self.live.axes[0, 0], (n, n), title="∂y/∂w", fmt="{:.3g}", live=self.live)
        self.heat_x = MatrixHeatmap(self.live.axes[0, 1], (n, n), title="∂y/∂x", fmt="{:.3g}", live=self.live)
        super().__init__([widgets.HBox([self.op_menu, self.n_slider], layout=widgets.Layout(flex_flow="row wrap")),
                          widgets.HBox([self.w_box, self.x_box], layout=widgets.Layout(flex_flow="row wrap")),
                          self.live.canvas, self.caption])
        self.add_class("mcdl-elementwise")
        self._rebuild(draw=False)
        self.op_menu.observe(self._on_structure, names="value")
        self.n_slider.observe(self._on_structure, names="value")
        for s in self.w_sliders + self.x_sliders:
            s.observe(self._on_entry, names="value")
        # no draw yet: the front end requests one when it shows the canvas

    # --- reading the controls ----------------------------------------------------------------------
    @property
    def n(self) -> int:
        return int(self.n_slider.value)

    @property
    def op(self) -> ElementwiseOp:
        return self.ops[self.op_menu.value]

    def _state(self) -> dict:
        n = self.n
        w = np.array([s.value for s in self.w_sliders[:n]], dtype=float)
        x = np.array([s.value for s in self.x_sliders[:n]], dtype=float)
        try:
            return elementwise_state(self.op, w, x)
        except (TypeError, ShapeError) as err:        # the learner's y does not work for this n: say so
            nan = np.full((n, n), np.nan)
            return {"op": self.op.key, "formula": self.op.formula, "n": n, "w": w, "x": x, "y": np.full(n, np.nan),
                    "J_w": nan, "J_x": nan, "caption": f"op = {self.op.key},  n = {n}:  {err}"}

    # --- drawing -----------------------------------------------------------------------------------
    def _rebuild(self, draw: bool = True):
        """New operator or new n: the sliders shown, the colour limits, the grids; then a full redraw."""
        n = self.n
        self.w_box.children = tuple(self.w_sliders[:n])
        self.x_box.children = tuple(self.x_sliders[:n])
        vmax_w, vmax_x = colour_limits(self.op, self.lim, self.step, self.max_n)
        rows = [subscript("y", i + 1) for i in range(n)]
        for heat, vmax, name in ((self.heat_w, vmax_w, "w"), (self.heat_x, vmax_x, "x")):
            heat.vmax = vmax
            heat.reset((n, n), row_labels=rows, col_labels=[subscript(name, j + 1) for j in range(n)])
        self.title.set_text(self.op.formula)
        self.note.set_text(f"colour scales fixed at ±{vmax_w:g} (left) and ±{vmax_x:g} (right);  grey = exactly 0")
        self._apply(self._state())
        if draw:
            self.live.redraw()

    def _apply(self, state: dict):
        self.state = state
        self.heat_w.set(state["J_w"])
        self.heat_x.set(state["J_x"])
        self.caption.value = state["caption"]

    def _on_structure(self, _change=None):
        self._rebuild()

    def _on_entry(self, change):
        if change["owner"] not in self.w_sliders[:self.n] + self.x_sliders[:self.n]:
            return                                    # a hidden slider (beyond n): nothing on screen changes
        self._apply(self._state())
        self.live.update()


def elementwise_explorer(f=None, op=None, w=(1.0, 2.0, 3.0), x=(4.0, 5.0, 6.0), max_n: int = 4, lim: float = 6.0,
                         step: float = 0.5, label: str | None = None, **kw) -> ElementwiseExplorer:
    """Explore the Jacobians of element-wise operations y = w ○ x (paper §4.2).

    Pick an operator (+, −, ⊗, ⊘, or the counter-example "shifted ⊗", yᵢ = wᵢ₊₁·xᵢ), a length n and the
    entries of w and x; the heatmaps show ∂y/∂w and ∂y/∂x, computed numerically by ``mcdl.jacobian``.
    ``f`` adds your own operation to the menu: a Python function of two vectors
    (``lambda w, x: np.sin(w) * x``) or text applied entry by entry (``"sin(w)*x"``).
    """
    return ElementwiseExplorer(f, op=op, w=w, x=x, max_n=max_n, lim=lim, step=step, label=label, **kw)
