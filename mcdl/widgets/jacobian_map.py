"""Jacobians (paper §4, §4.1): what shape ∂f/∂x has, and what the Jacobian *does*.

Two widgets, each a pure state function (tested without a front end) plus a thin view:

* ``shape_explorer()`` — the paper's shape table made interactive.  Pick m (outputs) and n (inputs);
  see whether ∂f/∂x is a scalar, a 1×n row, an m×1 column or an m×n matrix, drawn as a grid with one
  box per partial derivative ∂fᵢ/∂xⱼ (row i = output i, column j = input j: numerator layout), filled
  in by ``mcdl.jacobian`` for a concrete example function.  State: ``shape_state(m, n)``.
* ``jacobian_map(f, x0)`` — the Jacobian as a local linear map, for any f: R² → R².  A circle of
  radius r around x (and its two diameters along x₁ and x₂) is mapped by f; seen in local
  coordinates, (f(v) − f(x)) / r, the image converges to the fixed ellipse J·u of the linear map as r
  shrinks ("zoom in and every smooth map looks linear").  The diameters along x₁ and x₂ land on the
  two columns of J.  State: ``jacobian_map_state(f, x, r)``.

``as_plane_map`` accepts what a learner passes for f: R² → R²: a function of one vector
(``lambda v: [v[0]**2 - v[1], ...]``), a function of two numbers returning a pair
(``lambda x, y: (x**2 - y, ...)``), or the two components as text (``("x**2 - y", "x*y + sin(y)")`` or
``"x**2 - y, x*y + sin(y)"``), parsed safely by :mod:`mcdl.symbolic`.
"""
from __future__ import annotations

import html
import math
import numbers

import numpy as np
import ipywidgets as widgets

from ..numeric import jacobian
from ..plots import COLORS, LiveFigure
from ..shapes import ShapeError, as_point, fmt_shape, require_callable
from .base import LegacyExplorer as Explorer, caption_label, positional_parameters
from .base import caption_number as _num

__all__ = ["shape_state", "shape_html", "shape_explorer", "ShapeExplorer",
           "as_plane_map", "PlaneMap", "jacobian_map_state", "jacobian_map", "JacobianMap"]

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _radius_text(r: float) -> str:
    """The radius on its log slider (10^(k/10): 0.501, 0.398, ..., 0.010) — three decimals."""
    return f"{float(r):.3f}"


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


def shape_state(m: int, n: int) -> dict:
    """Everything the shape explorer shows for f with m outputs of n inputs, as plain values.

    Keys: m, n, kind ("scalar", "row", "column", "matrix"), notation (the paper's ∂f/∂x, ∂f/∂𝐱, ∂𝐟/∂x,
    ∂𝐟/∂𝐱), words (the shape in words), shape (numerator layout, (m, n)), f, x, formulas (text lines),
    J (``mcdl.jacobian`` of the example at x, always 2-D), J_shape, exact (the analytic xⱼⁱ) and caption.
    """
    m, n = _size(m, "m"), _size(n, "n")
    kind, notation, words = KINDS[(m == 1, n == 1)]
    f, x, formulas = example_function(m, n)
    J = jacobian(f, x)
    exact = np.atleast_1d(x)[None, :] ** np.arange(1, m + 1, dtype=float)[:, None]
    words = words.format(m=m, n=n)
    caption = f"m = {m},  n = {n}:  ∂f/∂x is {words},  mcdl.jacobian returns shape {J.shape}"
    return {"m": m, "n": n, "kind": kind, "notation": notation, "words": words, "shape": (m, n),
            "f": f, "x": x, "formulas": formulas, "J": J, "J_shape": J.shape, "exact": exact,
            "caption": caption}


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


def _grid_of_boxes(state: dict) -> str:
    """One box per partial derivative ∂fᵢ/∂xⱼ: row i = output i, column j = input j, value inside."""
    m, n, J = state["m"], state["n"], state["J"]
    colour = _BOX[state["kind"]]
    out = ["f"] if m == 1 else [f"f{i}".translate(SUBSCRIPTS) for i in range(1, m + 1)]
    ins = ["x"] if n == 1 else [f"x{j}".translate(SUBSCRIPTS) for j in range(1, n + 1)]
    head = "".join(f'<th style="padding:0 4px;font-weight:normal;color:#555">{name}</th>' for name in ins)
    rows = []
    for i in range(m):
        cells = "".join(
            f'<td style="border:2px solid {colour};background:{colour}1a;width:62px;height:40px;'
            f'text-align:center;padding:2px"><small style="color:#555">∂{out[i]}/∂{ins[j]}</small><br>'
            f'<b>{J[i, j]:.4g}</b></td>' for j in range(n))
        rows.append(f'<tr><th style="padding:0 6px;font-weight:normal;color:#555">{out[i]}</th>{cells}</tr>')
    return ('<table style="border-collapse:separate;border-spacing:3px;margin:0">'
            f'<tr><th></th>{head}</tr>{"".join(rows)}</table>')


def shape_html(state: dict) -> str:
    """The shape explorer's picture as HTML: the table of cases, the grid of boxes, the example."""
    x = np.atleast_1d(state["x"])
    point = f"x = {x[0]:g}" if state["n"] == 1 else "𝐱 = (" + ", ".join(f"{v:g}" for v in x) + ")"
    formulas = "<br>".join(html.escape(line) for line in state["formulas"])
    return (
        '<div style="display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start;font-size:14px;line-height:1.35">'
        '<div><div style="margin-bottom:4px;color:#555">the four cases (paper §4.1)</div>'
        f'{_table_of_cases(state["kind"])}</div>'
        f'<div><div style="margin-bottom:4px"><b>{state["notation"]}</b> has shape ({state["m"]}, {state["n"]}): '
        f'{html.escape(state["words"])}</div>{_grid_of_boxes(state)}</div>'
        f'<div style="max-width:330px"><div style="color:#555">example, evaluated at {point}:</div>'
        f'<div style="font-family:monospace;margin:4px 0">{formulas}</div>'
        f'<div style="color:#555">∂fᵢ/∂xⱼ = xⱼⁱ; mcdl.jacobian(f, x) returns shape <b>{state["J_shape"]}</b>'
        f'{" (always 2-D)" if state["kind"] != "matrix" else ""}</div></div></div>')


class ShapeExplorer(Explorer):
    """The view: two IntSliders (m outputs, n inputs), an HTML picture and a caption."""

    def __init__(self, m: int = 2, n: int = 3, max_size: int = 5):
        max_size = _size(max_size, "max_size")
        style = {"description_width": "initial"}
        self.m_slider = widgets.IntSlider(value=_size(m, "m"), min=1, max=max_size, description="m (outputs of f)",
                                          style=style)
        self.n_slider = widgets.IntSlider(value=_size(n, "n"), min=1, max=max_size, description="n (inputs, size of x)",
                                          style=style)
        self.picture = widgets.HTML()
        self.caption = caption_label()
        super().__init__([widgets.HBox([self.m_slider, self.n_slider]), self.picture, self.caption])
        self.add_class("mcdl-shape-explorer")
        self.m_slider.observe(self._on_change, names="value")
        self.n_slider.observe(self._on_change, names="value")
        self._on_change()

    def _on_change(self, _change=None):
        self.state = shape_state(self.m_slider.value, self.n_slider.value)
        self.picture.value = shape_html(self.state)
        self.caption.value = self.state["caption"]

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:          # readers without a kernel see the picture as static HTML
            bundle["text/html"] = self.picture.value + f"<p><code>{html.escape(self.caption.value)}</code></p>"
        return bundle


def shape_explorer(m: int = 2, n: int = 3) -> ShapeExplorer:
    """Explore the shape of ∂f/∂x for f with m outputs and n inputs (paper §4.1, numerator layout)."""
    return ShapeExplorer(m=m, n=n)


# ==================================================================================================
# 2. The Jacobian as a local linear map (f: R² → R²)
# ==================================================================================================
def _split_components(text: str) -> list[str]:
    """'x**2 - y, max(x, y)' -> ['x**2 - y', 'max(x, y)']: split on commas outside brackets."""
    text = text.strip()
    if len(text) >= 2 and text[0] in "([" and text[-1] in ")]":
        inner, depth = text[1:-1], 0
        for ch in inner:                 # strip one pair of outer brackets only if they enclose everything
            depth += (ch in "([") - (ch in ")]")
            if depth < 0:
                break
        else:
            text = inner
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:k])
            start = k + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _positional_arity(f) -> int | None:
    """How many positional arguments f requires (None if it cannot be told, or takes *args)."""
    counts = positional_parameters(f)
    return None if counts is None or counts[2] else counts[0]


class PlaneMap:
    """A map f: R² → R² in one calling convention, whatever form the learner gave it in.

    ``pm(v)`` takes a point of shape (2,) and returns shape (2,); it also takes a batch of points as
    the columns of a (2, N) array and returns (2, N) — which is how ``mcdl.jacobian`` batches.
    ``pm.batch(V)`` is the quiet version for drawing: never a warning, NaN where f is undefined.
    """

    def __init__(self, func, two_args: bool, label: str = "f"):
        self.func, self.two_args, self.label = func, two_args, label
        self._batch_ok = None           # unknown until the first batch

    def _raw(self, v):
        out = self.func(v[0], v[1]) if self.two_args else self.func(v)
        if isinstance(out, (list, tuple)) and len(out) == 2:       # (array, 1.0): broadcast the parts
            parts = [np.asarray(c, dtype=float) for c in out]
            shape = np.broadcast_shapes(*(p.shape for p in parts), np.shape(v)[1:])
            return np.stack([np.broadcast_to(p, shape) for p in parts])
        return np.asarray(out, dtype=float)

    def _one(self, v) -> np.ndarray:
        y = self._raw(np.asarray(v, dtype=float))
        if y.shape != (2,):
            raise ShapeError(f"{self.label} should map R² to R² (return 2 values), but at x of shape (2,) it returned "
                             f"{fmt_shape(y.shape)}.")
        return y

    def __call__(self, v):
        v = np.asarray(v, dtype=float)
        if v.ndim == 2 and v.shape[0] == 2:
            return self._batched(v, quiet=False)
        if v.shape != (2,):
            raise ShapeError(f"{self.label} is a map of R²: its argument should have shape (2,), "
                             f"got {fmt_shape(v.shape)}.")
        return self._one(v)

    def _batched(self, V, quiet: bool):
        N = V.shape[1]
        if self._batch_ok is not False:
            try:
                with np.errstate(all="ignore"):
                    Y = self._raw(V)
                ok = Y.shape == (2, N)
                if ok and self._batch_ok is None:      # first time: does column k equal f(column k)?
                    for k in {0, N // 2, N - 1}:
                        with np.errstate(all="ignore"):
                            y = self._one(V[:, k].copy())
                        if not np.allclose(Y[:, k], y, rtol=1e-12, atol=1e-12, equal_nan=True):
                            ok = False
                self._batch_ok = ok
                if ok:
                    return Y
            except Exception:
                self._batch_ok = False
        Y = np.full((2, N), np.nan)
        for k in range(N):
            try:
                with np.errstate(all="ignore"):
                    Y[:, k] = self._one(V[:, k].copy())
            except Exception:
                if not quiet:
                    raise
        return Y

    def batch(self, V) -> np.ndarray:
        """f at every column of V (2, N), as a (2, N) float array; NaN where f is undefined or fails."""
        with np.errstate(all="ignore"):
            Y = self._batched(np.asarray(V, dtype=float), quiet=True)
        return np.where(np.isfinite(Y), Y, np.nan)


def as_plane_map(f, variables=None) -> PlaneMap:
    """Accept f: R² → R² as a function of a vector, a function of (x, y), or two components as text.

    Text is parsed safely (never evaluated as Python), in the variables x, y — or x1, x2 if the text
    uses those.  Anything else raises TypeError saying what is accepted.
    """
    if isinstance(f, PlaneMap):
        return f
    if isinstance(f, str) or (isinstance(f, (list, tuple)) and len(f) and all(isinstance(c, str) for c in f)):
        from ..symbolic import UnsafeExpressionError, parse_expression, to_function
        parts = _split_components(f) if isinstance(f, str) else [str(c) for c in f]
        if len(parts) != 2:
            raise ShapeError(f"f should map R² to R²: give its 2 components, e.g. ('x**2 - y', 'x*y'); "
                             f"got {len(parts)}.")
        candidates = [tuple(variables)] if variables else [("x", "y"), ("x1", "x2")]
        first_error = None
        for names in candidates:
            try:
                exprs = [parse_expression(p, names) for p in parts]
                break
            except UnsafeExpressionError as err:
                first_error = first_error or err
        else:
            raise first_error
        comps = [to_function(e, names) for e in exprs]
        label = f"f({names[0]}, {names[1]}) = ({parts[0]}, {parts[1]})"
        return PlaneMap(lambda a, b: (comps[0](a, b), comps[1](a, b)), two_args=True, label=label)
    if isinstance(f, (list, tuple)) and len(f) == 2 and all(callable(c) for c in f):
        g, h = f
        two = _positional_arity(g) == 2
        return PlaneMap((lambda a, b: (g(a, b), h(a, b))) if two else (lambda v: (g(v), h(v))), two_args=two)
    if hasattr(f, "free_symbols") and not callable(f):
        raise TypeError("f should be a map R² → R²: give two sympy expressions as a tuple of text, "
                        "or a Python function.")
    require_callable(f)
    arity = _positional_arity(f)
    if arity not in (None, 1, 2):
        raise TypeError(f"f should be a function of one vector (lambda v: [v[0]*v[1], v[0] - v[1]]) or of two numbers "
                        f"(lambda x, y: (x*y, x - y)); got a function of {arity} arguments.")
    return PlaneMap(f, two_args=arity == 2)


def _unit_shapes(n_circle: int = 121, n_diameter: int = 41):
    """The unit circle and the two unit diameters (along x₁ and x₂), as (2, N) arrays."""
    t = np.linspace(0.0, 2.0 * np.pi, n_circle)
    circle = np.vstack([np.cos(t), np.sin(t)])
    s = np.linspace(-1.0, 1.0, n_diameter)
    along1 = np.vstack([s, np.zeros_like(s)])
    along2 = np.vstack([np.zeros_like(s), s])
    return circle, along1, along2


_UNIT = _unit_shapes()
_EMPTY = np.empty((2, 0))


def _value_at(pm: PlaneMap, x) -> np.ndarray:
    """f(x) as a (2,) array; NaN where f is undefined (a domain error), a clear error where f is wrong."""
    try:
        with np.errstate(all="ignore"):
            y = pm._one(x)
    except ShapeError:
        raise
    except (TypeError, IndexError, KeyError, AttributeError, NameError) as err:
        raise TypeError(f"f raised {type(err).__name__} when called at x = ({_num(x[0])}, {_num(x[1])}): {err}. "
                        "f should take one point of R² (lambda v: ...) or two numbers (lambda x, y: ...) and "
                        "return 2 values.") from err
    except Exception:               # ValueError (math domain), ZeroDivisionError, OverflowError, ...
        return np.full(2, np.nan)
    return np.where(np.isfinite(y), y, np.nan)


def _fmt_matrix(J) -> str:
    return "[" + ", ".join("[" + ", ".join(_num(v) for v in row) + "]" for row in J) + "]"


def jacobian_map_state(f, x, r: float = 0.5) -> dict:
    """What the Jacobian-map widget shows at the point x with radius r, as plain numbers.

    Keys: x (2,), r, fx = f(x), J (2, 2) from ``mcdl.jacobian`` (NaN if f is not differentiable at x),
    defined; the domain shapes around x: circle, along1, along2 (each (2, N): x + r·u); their images in
    local coordinates, (f(x + r·u) − f(x)) / r: image, image1, image2; the images under the linear map,
    J·u: linear, linear1, linear2 (the last two end at the columns of J); gap, the largest distance
    between the two images (local units, so it shrinks like r for smooth f); and caption.
    NaN marks points where f is undefined; nothing here warns.
    """
    pm = as_plane_map(f)
    x = as_point(x, "x")
    if x.shape != (2,):
        raise ShapeError(f"x should be a point of R², shape (2,), got {fmt_shape(x.shape)}.")
    r = float(r)
    if not (math.isfinite(r) and r > 0):
        raise ValueError(f"the radius r must be a positive number, got {r}.")
    state = {"x": x, "r": r, "fx": np.full(2, np.nan), "J": np.full((2, 2), np.nan), "defined": False,
             "gap": math.nan}
    circle, along1, along2 = _UNIT
    for key, unit in (("circle", circle), ("along1", along1), ("along2", along2)):
        state[key] = x[:, None] + r * unit
    for key in ("image", "image1", "image2", "linear", "linear1", "linear2"):
        state[key] = _EMPTY
    head = f"x = ({_num(x[0])}, {_num(x[1])}),  r = {_radius_text(r)}"
    fx = _value_at(pm, x)
    if not np.all(np.isfinite(fx)):
        state["caption"] = f"{head},  f is not defined at x"
        return state
    state["fx"] = fx
    try:
        with np.errstate(all="ignore"):
            J = jacobian(pm, x)
    except (ValueError, TypeError, ArithmeticError):
        J = None
    if J is None or J.shape != (2, 2) or not np.all(np.isfinite(J)):
        state["caption"] = f"{head},  f(x) = ({_num(fx[0])}, {_num(fx[1])}),  J is undefined here (f is not " \
                           "differentiable at x)"
        return state
    state["J"], state["defined"] = J, True
    gaps = []
    for key, unit, suffix in (("circle", circle, ""), ("along1", along1, "1"), ("along2", along2, "2")):
        image = (pm.batch(state[key]) - fx[:, None]) / r
        linear = J @ unit
        state["image" + suffix], state["linear" + suffix] = image, linear
        d = np.hypot(*(image - linear))
        gaps.append(d[np.isfinite(d)])
    gaps = np.concatenate(gaps)
    state["gap"] = float(gaps.max()) if gaps.size else math.nan
    gap = _num(state["gap"], ".3f") if math.isfinite(state["gap"]) else "undefined (f is not defined around x)"
    state["caption"] = f"{head},  J = {_fmt_matrix(J)},  max gap = {gap}"
    return state


def _local_limit(pm: PlaneMap, xlim, ylim, samples: int = 9) -> float:
    """A half-width for the zoomed panel that holds the ellipse J·u at every x the sliders reach.

    The ellipse's semi-axes are J's singular values; the largest one over a grid of the slider range
    (central differences on one batch, quiet) fixes the limits once, so every move can be blitted.
    """
    g1, g2 = np.meshgrid(np.linspace(*xlim, samples), np.linspace(*ylim, samples))
    P = np.vstack([g1.ravel(), g2.ravel()])
    h = 1e-5
    cols = []
    for e in (np.array([[h], [0.0]]), np.array([[0.0], [h]])):
        cols.append((pm.batch(P + e) - pm.batch(P - e)) / (2 * h))
    J = np.stack(cols, axis=-1).transpose(1, 0, 2)            # (N, 2, 2)
    good = np.all(np.isfinite(J), axis=(1, 2))
    if not good.any():
        return 2.0
    sigma = np.linalg.svd(J[good], compute_uv=False)[:, 0]
    top = float(np.max(sigma))
    if not math.isfinite(top) or top < 1e-6:
        return 2.0
    return 1.15 * top


def _columns_html(state: dict) -> str:
    """The side panel: J with its two columns in the colours of the diameters they come from."""
    c1, c2 = COLORS["tangent"], COLORS["secant"]
    if not state["defined"]:
        why = "f is not differentiable at x" if np.all(np.isfinite(state["fx"])) else "f is not defined at x"
        return f'<div style="font-size:14px;color:#555">{why}</div>'
    J, fx = state["J"], state["fx"]
    cell = 'style="padding:1px 8px;text-align:right;font-family:monospace;color:{}"'
    rows = "".join(f"<tr><td {cell.format(c1)}>{_num(J[i, 0])}</td>"
                   f"<td {cell.format(c2)}>{_num(J[i, 1])}</td></tr>" for i in range(2))
    gap = _num(state["gap"], ".3f") if math.isfinite(state["gap"]) else "undefined"
    return ('<div style="font-size:14px;line-height:1.5">'
            '<div style="display:flex;align-items:center;gap:6px"><b>J</b> =<table style="border-left:2px solid #333;'
            f'border-right:2px solid #333;border-collapse:collapse">{rows}</table></div>'
            f'<div><span style="color:{c1}">column 1</span> = where the x₁-diameter goes,<br>'
            f'<span style="color:{c2}">column 2</span> = where the x₂-diameter goes</div>'
            f'<div style="margin-top:6px">f(x) = ({_num(fx[0])}, {_num(fx[1])})</div>'
            f'<div>max gap = {gap}<br>'
            '<small style="color:#555">(true image vs. linear map, shrinks like r)</small></div>'
            '</div>')


class JacobianMap(Explorer):
    """The view: sliders for x₁, x₂ and r; the domain (left), the zoomed image (right), J beside it, a caption."""

    R_MIN, R_MAX = -2.0, 0.0       # r from 10⁻² to 10⁰ on a log scale (exponent steps of 0.1)

    def __init__(self, f, x0=(1.0, 0.5), r=0.5, xlim=(-2.0, 2.0), ylim=None, step=0.05, label=None,
                 figsize=(5.9, 3.3), local_lim=None):
        self.f = as_plane_map(f)
        x0 = as_point(x0, "x0")
        if x0.shape != (2,):
            raise ShapeError(f"x0 should be a point of R², shape (2,), got {fmt_shape(x0.shape)}.")
        self.xlim = (float(xlim[0]), float(xlim[1]))
        self.ylim = self.xlim if ylim is None else (float(ylim[0]), float(ylim[1]))
        r = float(r)
        jacobian_map_state(self.f, x0, r)        # fails fast, and clearly, on a wrong f, x0 or r
        exponent = min(max(round(math.log10(r) * 10) / 10, self.R_MIN), self.R_MAX)   # on the slider's grid
        self.x1_slider = widgets.FloatSlider(value=float(np.clip(x0[0], *self.xlim)), min=self.xlim[0],
                                             max=self.xlim[1], step=step, description="x₁", readout_format=".2f")
        self.x2_slider = widgets.FloatSlider(value=float(np.clip(x0[1], *self.ylim)), min=self.ylim[0],
                                             max=self.ylim[1], step=step, description="x₂", readout_format=".2f")
        self.r_slider = widgets.FloatLogSlider(value=10 ** exponent, base=10, min=self.R_MIN, max=self.R_MAX,
                                               step=0.1, description="radius r", readout_format=".3f",
                                               style={"description_width": "initial"})
        self.caption = caption_label()
        self.side = widgets.HTML(layout=widgets.Layout(min_width="230px", margin="30px 0 0 8px"))
        self.live = LiveFigure(figsize=figsize, ncols=2, gridspec_kw={"width_ratios": [0.85, 1.0]},
                               margins=dict(left=0.085, right=0.99, bottom=0.25, top=0.93, wspace=0.32))
        self._draw_scenery(label, local_lim)
        self.live.canvas.layout.flex = "0 0 auto"         # as wide as the figure, the side panel right beside it
        super().__init__([widgets.HBox([self.x1_slider, self.x2_slider, self.r_slider],
                                       layout=widgets.Layout(flex_flow="row wrap")),
                          widgets.HBox([self.live.canvas, self.side], layout=widgets.Layout(flex_flow="row wrap")),
                          self.caption])
        self.add_class("mcdl-jacobian-map")
        for slider in (self.x1_slider, self.x2_slider, self.r_slider):
            slider.observe(self._on_change, names="value")
        self._apply(self._state())

    # --- drawing -----------------------------------------------------------------------------------
    def _draw_scenery(self, label, local_lim):
        left, right = self.live.axes[0]
        pad = 10 ** self.R_MAX
        left.set_xlim(self.xlim[0] - pad, self.xlim[1] + pad)
        left.set_ylim(self.ylim[0] - pad, self.ylim[1] + pad)
        left.set_aspect("equal", adjustable="box")
        left.set_title("domain: a circle of radius r around x", fontsize=9)
        left.set_xlabel("x₁", labelpad=1)
        left.set_ylabel("x₂", labelpad=1)
        left.grid(alpha=0.3)
        L = float(local_lim) if local_lim is not None else _local_limit(self.f, self.xlim, self.ylim)
        self.local_lim = L
        right.set_xlim(-L, L)
        right.set_ylim(-L, L)
        right.set_aspect("equal", adjustable="box")
        right.set_title(label or "zoomed in: (f(v) − f(x)) / r", fontsize=9)
        right.set_xlabel("output 1", labelpad=1)
        right.set_ylabel("output 2", labelpad=1)
        right.axhline(0, color=COLORS["muted"], lw=0.8)
        right.axvline(0, color=COLORS["muted"], lw=0.8)
        right.grid(alpha=0.3)
        for ax in (left, right):
            ax.tick_params(labelsize=8)
        add = self.live.add_animated
        c1, c2 = COLORS["tangent"], COLORS["secant"]
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
        handles = [self.circle, self.linear, self.along1, self.along2]
        self.live.figure.legend(handles=handles, labels=[h.get_label() for h in handles], loc="lower center",
                                ncol=2, fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.0), handlelength=2.5)

    def _state(self):
        return jacobian_map_state(self.f, (self.x1_slider.value, self.x2_slider.value), self.r_slider.value)

    def _apply(self, state):
        self.state = state
        self.circle.set_data(*state["circle"])
        self.along1.set_data(*state["along1"])
        self.along2.set_data(*state["along2"])
        self.point.set_data([state["x"][0]], [state["x"][1]])
        for name in ("image", "image1", "image2", "linear"):
            getattr(self, name).set_data(*state[name])
        J = state["J"]
        if state["defined"]:
            self.columns.set_data(J[0], J[1])           # the tips J·e₁ and J·e₂: the columns of J
        else:
            self.columns.set_data([], [])
        self.side.value = _columns_html(state)
        self.caption.value = state["caption"]

    def _on_change(self, _change=None):
        self._apply(self._state())
        self.live.update()


def jacobian_map(f, x0=(1.0, 0.5), r: float = 0.5, xlim=(-2.0, 2.0), ylim=None, **kw) -> JacobianMap:
    """See the Jacobian of any f: R² → R² as the linear map that f looks like near x (paper §4).

    ``f`` is a function of one vector (``lambda v: [v[0]**2 - v[1], v[0]*v[1]]``), a function of two
    numbers returning a pair (``lambda x, y: (x**2 - y, x*y)``), or the two components as text
    (``("x**2 - y", "x*y + sin(y)")``).  Move x with the x₁, x₂ sliders; shrink the radius r and watch
    the true image of the circle settle onto the ellipse of the linear map J·u.
    """
    return JacobianMap(f, x0=x0, r=r, xlim=xlim, ylim=ylim, **kw)
