"""Vector sum reduction (paper §4.4, reference §8.4): y = sum(f(x)) and its gradient, a 1×n row.

The sum runs over the *results* of f, not over x, and each fᵢ may read all of x.  Moving the derivative
inside the sum gives entry j of the gradient as Σᵢ ∂fᵢ/∂xⱼ: the j-th **column sum** of f's Jacobian,
∂y/∂x = 1ᵀ · ∂f/∂x (``mcdl.elementwise.sum_gradient``).  The explorer shows exactly that: the bars of
fᵢ(x) and of their sum y, f's Jacobian as an annotated heatmap, and under it the gradient row, one entry
per column.

* ``sum_state(f, x, z=None, w=None)`` — pure: f(x), y, the Jacobian of f (``mcdl.jacobian``), the
  gradient row (its column sums), checked against ``mcdl.jacobian`` of y itself, the derivative with
  respect to the extra argument (a scalar z: ∂y/∂z, 1×1; a vector w: ∂y/∂w, 1×n) and a caption.
* ``sum_explorer(...)`` — the view: a choice among the paper's cases (``CASES``) and the learner's own f,
  an n control, one slider per entry of x (and z or w), one live figure, one caption.

``as_vector_function`` accepts what a learner passes for f: a Python function of one vector
(``lambda x: x * np.roll(x, -1)``), an element-wise expression as text in ``x`` (``"x**2"``: fᵢ = xᵢ²), or
the components as text in x1, x2, … (``"x1*x2, x2*x3, x3*x1"``), parsed safely by :mod:`mcdl.symbolic`.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import ipywidgets as widgets

from ..elementwise import sum_gradient
from ..numeric import jacobian
from ..plots import COLORS, LiveFigure, MatrixHeatmap, cached_text, subscript
from ..shapes import ShapeError, as_array, as_scalar, as_vector, fmt_shape, require_callable
from .base import LegacyExplorer as Explorer, caption_label, positional_parameters
from .base import caption_number as _num, caption_vector as _vec

__all__ = ["SumCase", "CASES", "as_vector_function", "sum_state", "sum_explorer", "SumExplorer"]

MAX_N = 5


# ==================================================================================================
# The built-in cases (paper §4.4 and §8.4), each f written so it also takes a batch of points as columns
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
            lambda x: np.array(x, dtype=float, copy=True)),
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
# Accepting the learner's f: a function of one vector, or text
# ==================================================================================================
_X_NAME = re.compile(r"\bx(\d+)\b")


def as_vector_function(f):
    """(function of one vector, n it needs or None, label) for what a learner passes as f.

    Text with commas is a list of components in x1, x2, … (``"x1*x2, x2*x3, x3*x1"``; n is the highest
    index used); text without commas is one element-wise expression in x (``"x**2"``: fᵢ = xᵢ²).  Both are
    parsed safely, never evaluated as Python.  A Python function must take one argument, the vector x.
    """
    if isinstance(f, str):
        from ..symbolic import parse_expression, to_function
        from .jacobian_map import _split_components
        parts = _split_components(f)
        indices = [int(k) for k in _X_NAME.findall(f)]
        if len(parts) == 1 and not indices:                        # element-wise: fᵢ = g(xᵢ)
            g = to_function(parse_expression(parts[0], ("x",)), ("x",))
            return (lambda x: g(x)), None, f"fᵢ = {parts[0].replace('x', 'xᵢ')}"
        n = max(indices, default=1)
        if n > MAX_N or min(indices, default=1) < 1:
            raise ValueError(f"the components may use x1 … x{MAX_N}; got x{n if n > MAX_N else min(indices)}.")
        names = tuple(f"x{j}" for j in range(1, n + 1))
        comps = [to_function(parse_expression(p, names), names) for p in parts]

        def components(x):
            x = np.asarray(x, dtype=float)
            if x.shape[0] != n:
                raise ShapeError(f"these components use x1 … x{n}, so x needs {n} entries; got {fmt_shape(x.shape)}.")
            return np.stack([c(*x) for c in comps])
        return components, n, "f = (" + ", ".join(parts) + ")"
    if hasattr(f, "free_symbols") and not callable(f):
        raise TypeError("f should be a Python function of one vector, or text such as 'x**2' or 'x1*x2, x2*x3'; "
                        "got a sympy expression: pass str(expr).")
    require_callable(f)
    counts = positional_parameters(f)
    if counts is not None and not counts[2] and not (counts[0] <= 1 <= counts[1]):
        raise TypeError(f"f should be a function of ONE vector x (lambda x: x**2, or def f(x): ...), whose results "
                        f"are summed; got a function of {counts[0]} arguments. Use x[0], x[1], … inside it.")
    return f, None, "your f"


# ==================================================================================================
# The pure state function
# ==================================================================================================
def _output(f, x, p, param):
    """f(x) (or f(x, p)) as a 1-D float array; NaN where f is undefined; TypeError where f is wrong."""
    try:
        with np.errstate(all="ignore"):
            out = f(x) if param is None else f(x, p)
    except (ShapeError, TypeError, IndexError, KeyError, AttributeError, NameError) as err:
        kind = type(err).__name__
        raise TypeError(f"f raised {kind} at x = {_vec(x)}: {err}. f should take one vector x of "
                        f"{x.size} entries and return a vector (the values that are summed).") from err
    except Exception:                   # ValueError (math domain), ZeroDivisionError, OverflowError, ...
        return None
    out = np.asarray(out, dtype=float)
    if out.ndim > 1:
        raise ShapeError(f"f should return a vector (the values that are summed), got shape {fmt_shape(out.shape)}.")
    out = np.atleast_1d(out)
    return np.where(np.isfinite(out), out, np.nan)


def _quiet_jacobian(g, x):
    """mcdl.jacobian(g, x), or None where g is not differentiable (or not defined) around x."""
    try:
        with np.errstate(all="ignore"):
            J = jacobian(g, x)
    except (ValueError, TypeError, ArithmeticError, IndexError):
        return None
    return J if np.all(np.isfinite(J)) else None


def _snap(M, scale):
    """Round finite-difference noise far below the matrix's scale to an exact 0 (so it shows as a zero)."""
    M = np.array(M, dtype=float)
    M[np.abs(M) < 1e-10 * max(1.0, scale)] = 0.0
    return M


def sum_state(f, x, z=None, w=None) -> dict:
    """Everything the sum explorer shows for y = sum(f(x)), as plain numbers.

    ``f`` is a function of one vector (or of (x, z) when the scalar ``z`` is given, of (x, w) when the
    vector ``w`` is given), a :class:`SumCase`, or text (see :func:`as_vector_function`).

    Keys: x, n, z / w (as given), fx = f(x) (m,), m, y, J = ∂f/∂x (m, n) from ``mcdl.jacobian``, grad =
    ∂y/∂x as a (1, n) row — the column sums 1ᵀJ (``mcdl.elementwise.sum_gradient``) — grad_check
    (``mcdl.jacobian`` of y itself), check_error (their largest difference), diagonal (is J diagonal?),
    for z: J_z = ∂f/∂z (m, 1) and dy_dz = 1ᵀJ_z (1, 1); for w: J_w = ∂f/∂w (m, n) and dy_dw = 1ᵀJ_w (1, n);
    defined; caption.
    Where f is undefined the values are NaN and the caption says so — never a warning.
    """
    if z is not None and w is not None:
        raise TypeError("give z (a scalar) or w (a vector), not both.")
    param = "z" if z is not None else "w" if w is not None else None
    if isinstance(f, SumCase):
        if f.param != param:
            need = f"the {f.param} argument" if f.param else "no extra argument"
            raise TypeError(f"the case {f.key!r} takes {need}.")
        f = f.f
    elif isinstance(f, str):
        f = as_vector_function(f)[0]
    else:
        require_callable(f)
    x = as_vector(x, "x")
    n = x.size
    p = None
    if param == "z":
        p = as_scalar(z, "z")
    elif param == "w":
        p = as_vector(w, "w")
        if p.shape != x.shape:
            raise ShapeError(f"w and x must have the same length: got w {fmt_shape(p.shape)} and x {fmt_shape(x.shape)}.")

    head = f"x = {_vec(x)}"
    if param == "z":
        head += f",  z = {_num(p)}"
    elif param == "w":
        head += f",  w = {_vec(p)}"
    state = {"x": x, "n": n, "param": param, "z": p if param == "z" else None, "w": p if param == "w" else None,
             "fx": np.full(n, np.nan), "m": n, "y": math.nan, "J": np.full((n, n), np.nan),
             "grad": np.full((1, n), np.nan), "grad_check": np.full((1, n), np.nan), "check_error": math.nan,
             "diagonal": False, "defined": False}
    fx = _output(f, x, p, param)
    if fx is None or not np.all(np.isfinite(fx)):
        state["caption"] = f"{head},  f is not defined here"
        return state
    m = fx.size
    y = float(np.sum(fx))
    state.update(fx=fx, m=m, y=y, J=np.full((m, n), np.nan))
    of_x = (lambda v: f(v)) if param is None else (lambda v: f(v, p))
    J = _quiet_jacobian(of_x, x)
    check = _quiet_jacobian(lambda v: np.sum(of_x(v), axis=0), x)
    if J is None or check is None or J.shape != (m, n):
        state["caption"] = f"{head},  y = {_num(y)},  ∂y/∂x is undefined here (f is not differentiable at x)"
        return state
    J = _snap(J, np.max(np.abs(J)))
    grad = sum_gradient(J)                                     # 1ᵀ J: the column sums, shape (1, n)
    check = _snap(check.reshape(1, n), np.max(np.abs(grad)))
    state.update(J=J, grad=grad, grad_check=check, check_error=float(np.max(np.abs(grad - check))),
                 diagonal=bool(m == n and np.all(J[~np.eye(n, dtype=bool)] == 0)), defined=True)
    tail = f",  ∂y/∂x = {_vec(grad)} (1×{n} row)"
    if param == "z":
        J_z = _quiet_jacobian(lambda t: f(x, t), p)
        if J_z is not None:
            state["J_z"] = J_z.reshape(m, 1)
            state["dy_dz"] = sum_gradient(state["J_z"])           # 1ᵀ ∂f/∂z: the same rule, (1, 1)
            tail += f",  ∂y/∂z = {_num(state['dy_dz'][0, 0])} (1×1)"
    elif param == "w":
        J_w = _quiet_jacobian(lambda t: f(x, t), p)
        if J_w is not None and J_w.shape == (m, n):
            state["J_w"] = _snap(J_w, np.max(np.abs(J_w)))
            state["dy_dw"] = sum_gradient(state["J_w"])           # 1ᵀ ∂f/∂w, (1, n)
            tail += f",  ∂y/∂w = {_vec(state['dy_dw'])} (1×{n} row)"
    state["caption"] = f"{head},  y = {_num(y)}{tail}"
    return state


# ==================================================================================================
# The view
# ==================================================================================================
def _nice_up(v: float) -> float:
    """A round number ≥ v (1, 2, 2.5, 5 × 10ᵏ), at least 1."""
    v = max(float(v), 1.0)
    k = 10 ** math.floor(math.log10(v))
    for s in (1, 2, 2.5, 5, 10):
        if s * k >= v - 1e-12:
            return s * k
    return 10 * k


class SumExplorer(Explorer):
    """The view: a case chooser and n; sliders for x (and z or w); bars, Jacobian, gradient row; a caption."""

    SAMPLES = 40          # points of the slider box sampled (once per case / n) for the fixed limits

    def __init__(self, f=None, case=None, n=3, x0=(1.0, 2.0, 3.0, -1.0, -2.0), z=2.0,
                 w0=(2.0, -1.0, 0.5, 1.0, -1.5), xlim=(-3.0, 3.0), step=0.1, figsize=(6.4, 3.6)):
        self.custom = None
        fixed_n = None
        if f is not None:
            func, fixed_n, label = as_vector_function(f)
            self.custom = SumCase(YOURS, "y = sum(f(x)), your f", label, "∂y/∂x = 1ᵀ ∂f/∂x", func)
        case = case or (YOURS if f is not None else "sum")
        options = [(c.label, k) for k, c in CASES.items()] + ([(self.custom.label, YOURS)] if f is not None else [])
        if case not in dict((k, None) for _, k in options):
            raise ValueError(f"case must be one of {', '.join(repr(k) for _, k in options)}; got {case!r}.")
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_N:
            raise ValueError(f"n must be a whole number from 1 to {MAX_N}, got {n!r}.")
        self.fixed_n = fixed_n
        self.xlim = (float(xlim[0]), float(xlim[1]))
        x0 = list(np.ravel(as_array(x0, "x0"))) + [1.0] * MAX_N
        if f is not None:                  # fail fast, and clearly, on a wrong f (later failures go to the caption)
            sum_state(self.custom.f, np.clip(x0[:fixed_n or n], *self.xlim))
        w0 = list(np.ravel(as_array(w0, "w0"))) + [1.0] * MAX_N
        style = {"description_width": "initial"}
        slider = dict(min=self.xlim[0], max=self.xlim[1], step=step, readout_format=".2f",
                      style={"description_width": "24px"}, layout=widgets.Layout(width="270px"))
        self.case_menu = widgets.Dropdown(options=options, value=case, description="case",
                                          layout=widgets.Layout(width="300px"))
        self.n_slider = widgets.IntSlider(value=fixed_n or n, min=1, max=MAX_N, description="n (length of x)",
                                          style=style, layout=widgets.Layout(width="260px"))
        self.x_sliders = [widgets.FloatSlider(value=float(np.clip(x0[j], *self.xlim)),
                                              description=subscript("x", j + 1), **slider) for j in range(MAX_N)]
        self.w_sliders = [widgets.FloatSlider(value=float(np.clip(w0[j], *self.xlim)),
                                              description=subscript("w", j + 1), **slider) for j in range(MAX_N)]
        self.z_slider = widgets.FloatSlider(value=float(np.clip(z, *self.xlim)), description="z", **slider)
        self.x_box = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.p_box = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.rule = widgets.HTML()
        self.note = widgets.HTML()
        self.caption = caption_label()
        self.live = LiveFigure(figsize=figsize, nrows=2, ncols=2,
                               gridspec_kw={"width_ratios": [1.0, 1.05], "height_ratios": [3, 1]},
                               margins=dict(left=0.075, right=0.985, bottom=0.08, top=0.85, wspace=0.22, hspace=0.45))
        axes = self.live.axes
        grid = axes[0, 0].get_subplotspec().get_gridspec()
        axes[0, 0].remove()
        axes[1, 0].remove()
        self.bar_ax = self.live.figure.add_subplot(grid[:, 0])
        self.jac_ax, self.row_ax = axes[0, 1], axes[1, 1]
        self.grid = grid
        self.jac_map = MatrixHeatmap(self.jac_ax, (1, 1), live=self.live, fontsize=8,
                                     title="∂f/∂x, the Jacobian of f")
        self.row_map = MatrixHeatmap(self.row_ax, (1, 1), live=self.live, fontsize=8,
                                     title="∂y/∂x = column sums ↓ (1×n row)")
        self.bars, self.bar_texts = [], []
        self.live.canvas.layout.flex = "0 0 auto"
        super().__init__([widgets.HBox([self.case_menu, self.n_slider], layout=widgets.Layout(flex_flow="row wrap")),
                          self.rule, self.x_box, self.p_box, self.live.canvas, self.note, self.caption])
        self.add_class("mcdl-sum")
        self.case_menu.observe(self._on_structure, names="value")
        self.n_slider.observe(self._on_structure, names="value")
        for s in self.x_sliders + self.w_sliders + [self.z_slider]:
            s.observe(self._on_change, names="value")
        self._rebuild()

    # --- what is chosen ----------------------------------------------------------------------------
    @property
    def case(self) -> SumCase:
        key = self.case_menu.value
        return self.custom if key == YOURS else CASES[key]

    @property
    def n(self) -> int:
        return self.n_slider.value

    def _x(self):
        return np.array([s.value for s in self.x_sliders[:self.n]])

    def _param(self):
        case = self.case
        if case.param == "z":
            return {"z": self.z_slider.value}
        if case.param == "w":
            return {"w": np.array([s.value for s in self.w_sliders[:self.n]])}
        return {}

    def _state(self):
        x = self._x()
        try:
            return sum_state(self.case.f, x, **self._param())
        except (TypeError, ShapeError) as err:        # e.g. the learner's f reads x[3] and n is now 3
            m = self.jac_map.shape[0] if self.jac_map.shape[1] == x.size else x.size
            first = str(err).split(". ")[0]
            return {"x": x, "n": x.size, "m": m, "fx": np.full(m, np.nan), "y": math.nan,
                    "J": np.full((m, x.size), np.nan), "grad": np.full((1, x.size), np.nan), "defined": False,
                    "diagonal": False, "caption": f"x = {_vec(x)},  f does not work for n = {x.size}: {first}"}

    # --- limits fixed over the slider box, so every slider move can be blitted --------------------------
    def _ranges(self):
        case, n = self.case, self.n
        rng = np.random.default_rng(0)
        lo, hi = self.xlim
        k = n + (1 if case.param == "z" else n if case.param == "w" else 0)
        picks = rng.integers(0, 3, size=(self.SAMPLES, k))
        points = np.where(picks == 0, lo, np.where(picks == 1, hi, rng.uniform(lo, hi, size=(self.SAMPLES, k))))
        current = np.concatenate([self._x(), np.ravel(list(self._param().values())) if case.param else []])
        fmax, fmin, jmax, gmax = 1.0, 0.0, 1.0, 1.0
        for point in np.vstack([points, current]):
            kw = {}
            if case.param == "z":
                kw = {"z": point[n]}
            elif case.param == "w":
                kw = {"w": point[n:]}
            try:
                s = sum_state(case.f, point[:n], **kw)
            except (TypeError, ShapeError):
                continue
            values = np.append(s["fx"], s["y"])
            values = values[np.isfinite(values)]
            if values.size:
                fmax, fmin = max(fmax, values.max()), min(fmin, values.min())
            if s["defined"]:
                jmax = max(jmax, np.max(np.abs(s["J"])))
                gmax = max(gmax, np.max(np.abs(s["grad"])))
        pad = 0.12 * (fmax - fmin)
        return (fmin - pad if fmin < 0 else 0.0, fmax + pad), _nice_up(1.25 * jmax), _nice_up(1.25 * gmax)

    # --- building the figure (on a case or n change: a full redraw) ----------------------------------
    def _rebuild(self):
        case = self.case
        if case.key == YOURS and self.fixed_n is not None and self.n != self.fixed_n:
            self.n_slider.value = self.fixed_n           # its observer calls _rebuild again
            return
        self.n_slider.disabled = case.key == YOURS and self.fixed_n is not None
        n = self.n
        self.x_box.children = tuple(self.x_sliders[:n])
        self.p_box.children = ((self.z_slider,) if case.param == "z" else
                               tuple(self.w_sliders[:n]) if case.param == "w" else ())
        self.rule.value = (f'<div style="font-size:14px">{case.formula}; &nbsp; the paper\'s rule: '
                           f"<b>{case.rule}</b></div>")
        state = self._state()
        try:
            ylim, jmax, gmax = self._ranges()
        except Exception:
            ylim, jmax, gmax = (-1.0, 1.0), 1.0, 1.0
        m = state["m"]
        self._draw_bars(m, ylim, case)
        xs = [subscript("x", j + 1) for j in range(n)]
        self.jac_map.vmax, self.row_map.vmax = jmax, gmax
        self.jac_map.title = f"∂f/∂x: the Jacobian of f ({m}×{n})"
        self.row_map.title = f"∂y/∂x: the column sums ({'1'}×{n} row)"
        self.grid.set_height_ratios([max(m, 1) + 0.9, 1.9])
        small = n >= 4 or m >= 4
        for heatmap in (self.jac_map, self.row_map):
            heatmap.fmt, heatmap.fontsize = ("{:.1f}", 7) if small else ("{:.2f}", 8)
        self.jac_map.reset((m, n), row_labels=[subscript("f", i + 1) for i in range(m)], col_labels=xs)
        self.row_map.reset((1, n), row_labels=["y"], col_labels=xs)
        self._align_heatmaps(m, n)
        self._apply(state)
        self.live.redraw()

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
    def _apply(self, state):
        self.state = state
        values = np.append(state["fx"], state["y"])
        lo, hi = self.bar_ax.get_ylim()
        span = hi - lo
        for bar, text, v in zip(self.bars, self.bar_texts, values):
            finite = math.isfinite(v)
            bar.set_height(v if finite else 0.0)
            text.set_text(_num(v).replace("-", "−") if finite else "–")
            if not finite:
                where = 0.035 * span
            elif v >= 0:                                  # the number just above a bar, or below a negative one
                where = min(v + 0.035 * span, hi - 0.03 * span)
            else:
                where = max(v - 0.035 * span, lo + 0.03 * span)
            text.set_position((bar.get_x() + bar.get_width() / 2, where))
        self.jac_map.set(state["J"])
        self.row_map.set(state["grad"])
        extra = []
        if "dy_dz" in state:
            extra.append(f"∂y/∂z = sum(x) = {_num(state['dy_dz'][0, 0])}")
        if "dy_dw" in state:
            extra.append(f"∂y/∂w = xᵀ = {_vec(state['dy_dw'])}")
        if state["defined"] and state["diagonal"] and state["n"] > 1:
            extra.append("J is diagonal: each column sum is just its diagonal entry")
        elif state["defined"] and state["n"] > 1:
            extra.append("J is not diagonal: every entry of a column counts")
        self.note.value = f'<div style="font-size:13px;color:#333">{" &nbsp;·&nbsp; ".join(extra)}</div>'
        self.caption.value = state["caption"]

    def _on_change(self, change=None):
        owner = change.get("owner") if change is not None else None        # traitlets passes a dict-like Bunch
        if owner is not None and owner not in self._visible_sliders():
            return                                       # a hidden slider (beyond n, or another case's)
        state = self._state()
        if state["m"] != self.jac_map.shape[0]:          # a learner's f whose output size changed: rebuild
            self._rebuild()
            return
        self._apply(state)
        self.live.update()

    def _visible_sliders(self):
        return list(self.x_box.children) + list(self.p_box.children)

    def _on_structure(self, _change=None):
        self._rebuild()


def sum_explorer(f=None, case=None, n: int = 3, x0=(1.0, 2.0, 3.0, -1.0, -2.0), z: float = 2.0,
                 w0=(2.0, -1.0, 0.5, 1.0, -1.5), **kw) -> SumExplorer:
    """Explore y = sum(f(x)) and its gradient ∂y/∂x, the 1×n row of column sums of f's Jacobian (paper §4.4).

    ``case`` picks one of the paper's examples (``CASES``: "sum", "sum-scalar-product", "square", "cyclic",
    "times-sum", "dot-product"); pass your own ``f`` — a function of one vector (``lambda x: np.sin(x)``),
    an element-wise expression as text (``"x**2"``) or components (``"x1*x2, x2*x3, x3*x1"``) — and it is
    added to the choices and selected.  Drag the entries of x (and z or w) and watch every gradient
    entry be the sum down one column of the Jacobian.
    """
    return SumExplorer(f=f, case=case, n=n, x0=x0, z=z, w0=w0, **kw)
