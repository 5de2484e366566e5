"""Element-wise binary operators (paper §4.2, reference §8.2): when is ∂y/∂w diagonal?

``y = w ○ x`` applies one scalar operator entry by entry: yᵢ = wᵢ ○ xᵢ.  Output i reads input i of each
argument and nothing else (the *element-wise diagonal condition*), so nudging wⱼ or xⱼ with j ≠ i cannot
move yᵢ: both Jacobians are zero off the diagonal, i.e. diag(…) of the per-entry partials.

* ``elementwise_state(op, w, x)`` decides everything that is shown (pure, tested without a front end):
  y, both Jacobians computed *numerically* (``F.jacobian`` of :mod:`mcdl.functions`, so nothing is assumed
  diagonal), the analytic ones, whether each Jacobian is diagonal, the largest off-diagonal |entry| and a
  one-line caption.
* ``ElementwiseExplorer`` is the thin view: an operator menu (+, −, ⊗, ⊘, a counter-example that breaks the
  condition, and the learner's own y(w, x)), a length n, a slider per entry of w and x, and the two
  Jacobians as annotated heatmaps on one live figure.

``op`` may be a paper symbol ("+", "−", "⊗", "⊘", or "-", "*", "/"), "shifted ⊗" (the counter-example
yᵢ = wᵢ₊₁·xᵢ, cyclic), a :class:`mcdl.elementwise.BinaryOp`, or anything :func:`mcdl.functions.learner_function`
accepts as y(w, x): a Python function of two n-vectors returning an n-vector, or text such as ``"sin(w)*x"``
(parsed safely, applied entry by entry).  Every one of them is evaluated through that one door.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Callable

import ipywidgets as widgets
import numpy as np

from .. import elementwise as ew
from ..functions import FunctionError, LearnerFunction, learner_function, round_off_to_zero
from ..plots import LiveFigure, MatrixHeatmap, subscript
from ..shapes import ShapeError, as_vector, fmt_shape
from ..text import number, vector
from .base import Explorer, box_points, factory_of, nice_up, slider

__all__ = ["Operator", "OPERATORS", "ElementwiseState", "elementwise_state", "elementwise_explorer",
           "ElementwiseExplorer"]

UNDEFINED = "–"          # how an undefined number is shown, in the caption and in the heatmaps
YOURS = "yours"


# ==================================================================================================
# The operators the explorer knows: the paper's four, a counter-example, and the learner's own
# ==================================================================================================
@dataclass(frozen=True)
class Operator:
    """One choice of y(w, x): how it is named and the door it is evaluated through.

    ``function`` is the :class:`~mcdl.functions.LearnerFunction` of y(w, x); ``analytic(w, x)`` the exact
    (J_w, J_x) where they are known (the paper's four operators, the counter-example, text); ``why(w, x, i)``
    says why yᵢ is undefined ("x₂ = 0"), for ⊘.
    """

    key: str                      # what the caption calls it: "⊗", "shifted ⊗", "yours"
    label: str                    # the menu entry
    formula: str                  # one line for the figure's title
    function: LearnerFunction
    analytic: Callable | None = None
    why: Callable | None = None


def _paper(op: ew.BinaryOp, formula: str) -> Operator:
    def analytic(w, x):
        with np.errstate(all="ignore"):
            return (np.diag(np.broadcast_to(op.d_dw(w, x), w.shape).astype(float)),
                    np.diag(np.broadcast_to(op.d_dx(w, x), w.shape).astype(float)))
    why = (lambda w, x, i: f"{subscript('x', i + 1)} = 0" if x[i] == 0 else "") if op is ew.DIVIDE else None
    return Operator(op.symbol, f"{op.symbol}    {formula}", formula,
                    learner_function(op.forward, "binary", label=formula), analytic, why)


def _shifted_analytic(w, x):
    n = w.size
    J_w = np.zeros((n, n))
    J_w[np.arange(n), (np.arange(n) + 1) % n] = x          # ∂yᵢ/∂wᵢ₊₁ = xᵢ: one step right of the diagonal
    return J_w, np.diag(np.roll(w, -1))                   # ∂yᵢ/∂xᵢ = wᵢ₊₁: still on the diagonal


OPERATORS = {op.key: op for op in (
    _paper(ew.ADD, "y = w + x"),
    _paper(ew.SUBTRACT, "y = w − x"),
    _paper(ew.MULTIPLY, "y = w ⊗ x"),
    _paper(ew.DIVIDE, "y = w ⊘ x"),
    Operator("shifted ⊗", "shifted ⊗    yᵢ = wᵢ₊₁·xᵢ  (breaks the condition)", "yᵢ = wᵢ₊₁ · xᵢ",
             learner_function(lambda w, x: np.roll(w, -1) * x, "binary", label="yᵢ = wᵢ₊₁ · xᵢ"),
             _shifted_analytic),
)}
_SHIFTED_ALIASES = ("shifted ⊗", "shifted", "shifted *", "shifted-multiply")
_MENU = {"+": "+", "-": "−", "*": "⊗", "/": "⊘", "shifted ⊗": "shifted ⊗"}     # menu value -> operator


def _yours(f, label=None) -> Operator:
    """The learner's y(w, x), through the door; text gets its analytic diagonals from the symbolic derivatives."""
    F = learner_function(f, "binary")
    analytic = None
    if F.expr is not None:
        from ..symbolic import symbolic_derivative, to_function
        dw, dx = (to_function(symbolic_derivative(F.expr, v), ("w", "x")) for v in ("w", "x"))

        def analytic(w, x):
            with np.errstate(all="ignore"):
                return (np.diag(np.broadcast_to(dw(w, x), w.shape).astype(float)),
                        np.diag(np.broadcast_to(dx(w, x), w.shape).astype(float)))
    name = label or (f"yᵢ = {F.source}  (with wᵢ, xᵢ)" if isinstance(F.source, str) else "your y(w, x)")
    return Operator(YOURS, f"{YOURS}    {name}", name, F, analytic)


def _operator(op, label=None) -> Operator:
    if isinstance(op, Operator):
        return op
    if isinstance(op, ew.BinaryOp):
        return OPERATORS[op.symbol]
    if isinstance(op, str):
        key = op.strip()
        if key in _SHIFTED_ALIASES:
            return OPERATORS["shifted ⊗"]
        try:
            return OPERATORS[ew.operator(key).symbol]
        except ValueError:
            pass
    return _yours(op, label)


# ==================================================================================================
# The state
# ==================================================================================================
@dataclass(frozen=True)
class ElementwiseState:
    """What the element-wise explorer shows for y = w ○ x.  NaN marks what is undefined.

    J_w, J_x: n×n numeric Jacobians (rows of undefined outputs NaN, round-off set to exact 0); analytic_w,
    analytic_x: the exact ones, or None for a Python function; diagonal_w / diagonal_x: zero off the diagonal
    (None where nothing is defined); off_w / off_x: the largest off-diagonal |entry|; undefined: which yᵢ are
    undefined, as text ("" when none).
    """

    op: str
    formula: str
    n: int
    w: np.ndarray
    x: np.ndarray
    y: np.ndarray
    defined: np.ndarray
    J_w: np.ndarray
    J_x: np.ndarray
    analytic_w: np.ndarray | None
    analytic_x: np.ndarray | None
    diagonal_w: bool | None
    diagonal_x: bool | None
    off_w: float
    off_x: float
    undefined: str = ""
    caption: str = field(default="", compare=False)


def _jacobian(F: LearnerFunction, w, x, wrt: str, rows) -> np.ndarray:
    """∂y/∂wrt, n×n: NaN rows where y is undefined; a row not differentiable here is NaN alone."""
    n = w.size
    J = np.full((n, n), np.nan)
    if rows.size:
        J[rows] = F.jacobian(w, x, wrt=wrt, rows=rows)
    if rows.size > 1 and not np.all(np.isfinite(J[rows])):        # some entry is not differentiable: row by row
        for i in rows:
            J[i] = F.jacobian(w, x, wrt=wrt, rows=[i])[0]
    return round_off_to_zero(J)


def _off_diagonal(J, rows) -> float:
    """The largest |entry| off the diagonal among the defined rows (0 for n = 1); NaN if no row is defined."""
    if rows.size == 0:
        return math.nan
    sub = np.abs(J[rows])
    sub[np.arange(rows.size), rows] = 0.0
    sub = sub[np.isfinite(sub)]
    return float(sub.max()) if sub.size else 0.0


def elementwise_state(op, w, x) -> ElementwiseState:
    """Everything the element-wise explorer shows for y = w ○ x at (w, x).

    ``op``: see the module docstring.  A mistake in the learner's y raises
    :class:`~mcdl.functions.FunctionError`; where y is undefined (⊘ with some xᵢ = 0, a log outside its
    domain) the entries are NaN and the caption says so — nothing warns.
    """
    spec = _operator(op)
    w, x = as_vector(w, "w"), as_vector(x, "x")
    if w.shape != x.shape:
        raise ShapeError(f"an element-wise operator needs w and x of the same length; got w {fmt_shape(w.shape)} "
                         f"and x {fmt_shape(x.shape)}.")
    n = w.size
    F = spec.function
    y = F(w, x)
    defined = np.isfinite(y)
    rows = np.flatnonzero(defined)
    J_w, J_x = _jacobian(F, w, x, "w", rows), _jacobian(F, w, x, "x", rows)
    analytic_w = analytic_x = None
    if spec.analytic is not None:
        analytic_w, analytic_x = (np.array(J, dtype=float) for J in spec.analytic(w, x))
        analytic_w[~defined], analytic_x[~defined] = np.nan, np.nan
    off_w, off_x = _off_diagonal(J_w, rows), _off_diagonal(J_x, rows)
    both = np.concatenate([J_w.ravel(), J_x.ravel(), [0.0]])
    tol = 1e-7 * max(1.0, float(np.max(np.abs(both[np.isfinite(both)]))))
    diagonal_w = bool(off_w <= tol) if math.isfinite(off_w) else None
    diagonal_x = bool(off_x <= tol) if math.isfinite(off_x) else None

    undefined = ""
    missing = np.flatnonzero(~defined)
    if missing.size:
        names = ", ".join(subscript("y", i + 1) for i in missing)
        whys = [why for why in (spec.why(w, x, i) for i in missing) if why] if spec.why else []
        if whys:
            undefined = f"{names} undefined ({', '.join(whys)}: division by zero)"
        else:
            undefined = f"{'y' if missing.size == n else names} is not defined here"

    def verdict(diagonal, off):
        if diagonal is None:
            return UNDEFINED
        return "yes" if diagonal else f"no (largest off-diagonal |entry| = {number(off)})"

    caption = (f"op = {spec.key},  w = {vector(w)},  x = {vector(x)},  y = {vector(y)},  "
               f"∂y/∂w diagonal: {verdict(diagonal_w, off_w)},  ∂y/∂x diagonal: {verdict(diagonal_x, off_x)}")
    if undefined:
        caption += f",  {undefined}"
    return ElementwiseState(spec.key, spec.formula, n, w, x, y, defined, J_w, J_x, analytic_w, analytic_x,
                            diagonal_w, diagonal_x, off_w, off_x, undefined, caption)


# ==================================================================================================
# The view
# ==================================================================================================
def colour_limits(op, n: int, lim: float, samples: int = 24) -> tuple[float, float]:
    """Fixed colour limits (for ∂y/∂w, for ∂y/∂x) over the slider box [−lim, lim]²ⁿ, rounded up (base.nice_up).

    The 80th percentile of the non-zero |entries| at the box's sample points (base.box_points): typical
    values get clear colours; the rare huge ones (wᵢ/xᵢ² with xᵢ near 0) saturate, and their numbers are
    printed in the cells anyway.
    """
    spec = _operator(op)
    box = {f"{name}{i}": (-lim, lim) for name in "wx" for i in range(1, n + 1)}
    bags = ([], [])
    for point in box_points(box, samples):
        try:
            s = elementwise_state(spec, [point[f"w{i}"] for i in range(1, n + 1)],
                                  [point[f"x{i}"] for i in range(1, n + 1)])
        except (FunctionError, ShapeError):
            continue
        for bag, J in zip(bags, (s.J_w, s.J_x)):
            bag.extend(np.abs(J[np.isfinite(J) & (J != 0)]).tolist())
    return tuple(nice_up(np.percentile(bag, 80)) if bag else 1.0 for bag in bags)


_PAD_W = (1.0, 2.0, 3.0, -2.0, 0.5)           # entries a slider starts at when n grows past the given w, x
_PAD_X = (4.0, 5.0, 6.0, 1.5, -3.0)


class ElementwiseExplorer(Explorer):
    """Explore the Jacobians of element-wise operations y = w ○ x (paper §4.2).

    Pick an operator (+, −, ⊗, ⊘, or the counter-example "shifted ⊗", yᵢ = wᵢ₊₁·xᵢ), a length n and the
    entries of w and x; the heatmaps show ∂y/∂w and ∂y/∂x, computed numerically.  ``f`` (None: none) adds
    your own operation to the menu (and selects it): a Python function of two vectors
    (``lambda w, x: np.sin(w) * x``) or text applied entry by entry (``"sin(w)*x"``); ``label`` names it.  ``op`` picks the operator shown
    first; ``w`` and ``x`` are the starting vectors (length 1 to ``max_n``, at most 5); the sliders run over
    [−lim, lim] in steps of ``step``.
    """

    css_class = "mcdl-elementwise"
    MAX_N = 5

    def __init__(self, f, op=None, w=(1.0, 2.0, 3.0), x=(4.0, 5.0, 6.0), max_n: int = 4, lim: float = 6.0,
                 step: float = 0.5, label: str | None = None, figsize=(6.6, 3.5)):
        if isinstance(max_n, (bool, np.bool_)) or not isinstance(max_n, numbers.Integral) \
                or not 1 <= max_n <= self.MAX_N:
            raise ValueError(f"max_n must be a whole number from 1 to {self.MAX_N}, got {max_n!r}.")
        self.max_n, self.lim = int(max_n), float(lim)
        w, x = as_vector(w, "w"), as_vector(x, "x")
        if w.shape != x.shape:
            raise ShapeError(f"w and x must have the same length; got w {fmt_shape(w.shape)} and x {fmt_shape(x.shape)}.")
        if w.size > self.max_n:
            raise ShapeError(f"the explorer shows vectors of length 1 to {self.max_n}; got length {w.size}.")
        # the menu's values are the spellings a learner types ("*" for ⊗), its labels the paper's symbols
        self.ops = {spelling: OPERATORS[key] for spelling, key in _MENU.items()}
        if f is not None:
            self.ops[YOURS] = _yours(f, label)
            elementwise_state(self.ops[YOURS], w, x)          # fails fast, and clearly, on a wrong f
        key = (YOURS if f is not None else "⊗") if op is None else (YOURS if op == YOURS else _operator(op).key)
        start = next((value for value, spec in self.ops.items() if spec.key == key), None)
        if start is None:
            raise ValueError(f"op must be one of {', '.join(self.ops)}; got {op!r}.")
        self._limits = {}

        controls = {"op": widgets.Dropdown(options=[(spec.label, key) for key, spec in self.ops.items()],
                                           value=start, description="operator",
                                           style={"description_width": "initial"},
                                           layout=widgets.Layout(width="max-content")),
                    "n": slider(w.size, 1, self.max_n, 1, "n (length)", integer=True)}
        for name, given, pad in (("w", w, _PAD_W), ("x", x, _PAD_X)):
            for i, value in enumerate(list(given) + list(pad[given.size:self.max_n])):
                controls[f"{name}{i + 1}"] = slider(value, -self.lim, self.lim, step, subscript(name, i + 1),
                                                    width="290px")
        self.w_box, self.x_box = widgets.VBox(), widgets.VBox()
        live = LiveFigure(figsize=figsize, ncols=2, margins=dict(left=0.07, right=0.98, bottom=0.03, top=0.70,
                                                                 wspace=0.3))
        self.title = live.figure.text(0.5, 0.975, "", fontsize=12, ha="center", va="top")
        self.note = live.figure.text(0.5, 0.905, "", fontsize=8, color="#666666", ha="center", va="top")
        self.heat_w = MatrixHeatmap(live.axes[0, 0], (1, 1), title="∂y/∂w", fmt=".3g", live=live)
        self.heat_x = MatrixHeatmap(live.axes[0, 1], (1, 1), title="∂y/∂x", fmt=".3g", live=live)
        super().__init__(controls, live=live, structural=("op", "n"),
                         rows=[["op", "n"], widgets.HBox([self.w_box, self.x_box],
                                                          layout=widgets.Layout(flex_flow="row wrap"))])

    def active(self, name: str) -> bool:
        return name in ("op", "n") or int(name[1:]) <= self.controls["n"].value

    def state(self, op, n, **entries):
        return elementwise_state(self.ops[op], [entries[f"w{i}"] for i in range(1, n + 1)],
                                 [entries[f"x{i}"] for i in range(1, n + 1)])

    def limits(self, key: str, n: int) -> tuple[float, float]:
        """The colour limits of an operator at length n, sampled once (a slider move never changes them)."""
        if (key, n) not in self._limits:
            self._limits[key, n] = colour_limits(self.ops[key], n, self.lim)
        return self._limits[key, n]

    def scenery(self, state):
        n = state.n
        self.w_box.children = tuple(self.controls[f"w{i}"] for i in range(1, n + 1))
        self.x_box.children = tuple(self.controls[f"x{i}"] for i in range(1, n + 1))
        vmax_w, vmax_x = self.limits(self.controls["op"].value, n)
        rows = [subscript("y", i + 1) for i in range(n)]
        for heat, vmax, name in ((self.heat_w, vmax_w, "w"), (self.heat_x, vmax_x, "x")):
            heat.vmax = vmax
            heat.reset((n, n), row_labels=rows, col_labels=[subscript(name, j + 1) for j in range(n)])
        self.title.set_text(state.formula)
        self.note.set_text(f"colour scales fixed at ±{vmax_w:g} (left) and ±{vmax_x:g} (right);  grey = exactly 0")

    def draw(self, state):
        self.heat_w.set(state.J_w)
        self.heat_x.set(state.J_x)


@factory_of(ElementwiseExplorer)
def elementwise_explorer(f=None, **options) -> ElementwiseExplorer:
    """Explore the Jacobians of element-wise operations y = w ○ x (paper §4.2).

    ``f`` (optional) is your own y(w, x): a Python function of two vectors (``lambda w, x: np.sin(w) * x``)
    or text applied entry by entry (``"sin(w)*x"``); it is added to the operator menu and selected.
    Options (see :class:`ElementwiseExplorer`): ``op`` (the operator shown first: "+", "-", "*", "/",
    "shifted ⊗"), ``w``, ``x`` (the starting vectors, paper example 14 by default), ``max_n``, ``lim``,
    ``step``, ``label`` (the name of your f in the menu), ``figsize``.
    """
    return ElementwiseExplorer(f, **options)
