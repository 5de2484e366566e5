"""The paper's identities as one table of data (paper §4.1–4.4 and the reference section §8.1–8.4).

Each :class:`Identity` holds a name, the paper sections that state it, the forward formula in LaTeX, its
arguments, the forward function and, for each argument, a :class:`Derivative`: the analytic form in LaTeX,
the shape the paper gives it (diagonal matrix, column, row, scalar, matrix) and a function that computes it
in numerator layout.  Everything else reads this one table:

* ``verify(identity, rng)`` compares every analytic derivative with ``mcdl.jacobian`` at random points and
  returns the largest error (the tests verify all of them, and check each derivative has the paper's shape);
* ``table("4.2")`` renders the rows of a section (or named identities) as a Markdown table with LaTeX, which
  the chapters display instead of typing the formulas a second time.

The functions come from :mod:`mcdl.elementwise`, where each operation sits next to its derivative.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import elementwise as ew
from .shapes import ShapeError, fmt_shape

# The shapes the paper names, with the array shape each one has for vectors of length n.
SHAPES = {
    "diagonal": ("n×n diagonal matrix", lambda n: (n, n)),
    "matrix": ("n×n matrix", lambda n: (n, n)),
    "column": ("n×1 column (vertical vector)", lambda n: (n, 1)),
    "row": ("1×n row (horizontal vector)", lambda n: (1, n)),
    "scalar": ("1×1 (a scalar)", lambda n: (1, 1)),
}


@dataclass(frozen=True)
class Argument:
    """An argument of an identity: a vector (length n) or a scalar; ``nonzero`` keeps samples away from 0."""

    name: str
    kind: str = "vector"           # "vector" or "scalar"
    nonzero: bool = False
    size: int | None = None        # a fixed length (e.g. 2 for f(x, y) written as f(𝐱)); None means n

    @property
    def latex(self) -> str:
        return rf"\mathbf{{{self.name}}}" if self.kind == "vector" else self.name

    def sample(self, rng: np.random.Generator, n: int):
        size = None if self.kind == "scalar" else (self.size or n)
        value = rng.uniform(0.5, 2.0, size) * rng.choice([-1.0, 1.0], size) if self.nonzero else \
            rng.uniform(-2.0, 2.0, size)
        return float(value) if self.kind == "scalar" else value


@dataclass(frozen=True)
class Derivative:
    """The derivative of an identity's output with respect to one argument, as the paper gives it."""

    wrt: str                       # the argument's name
    latex: str                     # the analytic result, e.g. r"diag(\mathbf{x})"
    shape: str                     # a key of SHAPES
    function: Callable             # (**arguments) -> 2-D array in numerator layout

    def __post_init__(self):
        if self.shape not in SHAPES:
            raise ValueError(f"derivative shape must be one of {', '.join(SHAPES)}; got {self.shape!r}")


@dataclass(frozen=True)
class Identity:
    """One identity: y = forward(arguments) and its derivative with respect to each argument."""

    name: str
    sections: tuple
    title: str
    latex: str                     # the forward formula, e.g. r"\mathbf{y} = \mathbf{w} + \mathbf{x}"
    arguments: tuple
    forward: Callable
    derivatives: tuple
    output: str = "vector"         # "vector" or "scalar": how y is typeset
    note: str = ""                 # e.g. which concrete f and g stand in for a general rule
    fixed_n: int | None = None     # the identity only makes sense for this n
    valid: Callable | None = None  # (**arguments) -> bool: keep random samples where the identity is smooth
    _by_arg: dict = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        names = [a.name for a in self.arguments]
        for d in self.derivatives:
            if d.wrt not in names:
                raise ValueError(f"identity {self.name!r}: derivative with respect to unknown argument {d.wrt!r}")
        object.__setattr__(self, "_by_arg", {d.wrt: d for d in self.derivatives})

    def derivative(self, wrt: str) -> Derivative:
        try:
            return self._by_arg[wrt]
        except KeyError:
            raise KeyError(f"identity {self.name!r} has derivatives with respect to "
                           f"{', '.join(self._by_arg)}, not {wrt!r}") from None

    def sample(self, rng: np.random.Generator, n: int | None = None) -> dict:
        """Random arguments (a dict name -> value) at which to evaluate the identity."""
        n = self.fixed_n or (int(rng.integers(1, 6)) if n is None else int(n))
        for _ in range(1000):
            args = {a.name: a.sample(rng, n) for a in self.arguments}
            if self.valid is None or self.valid(**args):
                return args
        raise ValueError(f"identity {self.name!r}: no valid sample found")

    def lhs(self, wrt: str) -> str:
        """The derivative's left-hand side in LaTeX, e.g. \\frac{\\partial \\mathbf{y}}{\\partial \\mathbf{w}}."""
        named = self.latex.split("=")[0].strip()      # the function's own name: y, z, a, C
        y = named if len(named) <= 12 and "(" not in named else (r"\mathbf{y}" if self.output == "vector" else "y")
        arg = next(a for a in self.arguments if a.name == wrt)
        return rf"\frac{{\partial {y}}}{{\partial {arg.latex}}}"

    def __repr__(self) -> str:
        return f"Identity({self.name!r}, sections={self.sections!r})"

    def _repr_markdown_(self) -> str:
        return table(self)._repr_markdown_()


def _v(name):
    return Argument(name)


def _s(name):
    return Argument(name, kind="scalar")


# --- the registry ---------------------------------------------------------------------------------------------
def _binary(op: ew.BinaryOp, title: str, dw: str, dx: str) -> Identity:
    return Identity(
        f"elementwise-{op.name}", ("4.2", "8.2"), title,
        rf"\mathbf{{y}} = \mathbf{{w}} {op.latex} \mathbf{{x}}",
        (_v("w"), Argument("x", nonzero=op is ew.DIVIDE)),
        lambda w, x: op(w, x),
        (Derivative("w", dw, "diagonal", lambda w, x: op.jacobian_w(w, x)),
         Derivative("x", dx, "diagonal", lambda w, x: op.jacobian_x(w, x))))


def _general_forward(w, x):
    return ew.MULTIPLY(np.sin(w), np.exp(x))


def _coupled(x):
    """fᵢ(x) = xᵢ · xᵢ₊₁ (indices wrap around): every fᵢ reads two entries of x."""
    return x * np.roll(x, -1)


def _coupled_jacobian(x):
    n = x.size
    J = np.zeros((n, n))
    for i in range(n):
        J[i, i] += x[(i + 1) % n]          # ∂(xᵢxᵢ₊₁)/∂xᵢ
        J[i, (i + 1) % n] += x[i]          # ∂(xᵢxᵢ₊₁)/∂xᵢ₊₁
    return J


IDENTITIES: tuple = (
    Identity(
        "identity", ("4.1", "8.1"), "Jacobian of the identity function",
        r"\mathbf{y} = \mathbf{f(x)} = \mathbf{x}",
        (_v("x"),), lambda x: np.array(x, dtype=float),
        (Derivative("x", "I", "diagonal", lambda x: np.eye(np.size(x))),)),
    _binary(ew.ADD, "Element-wise addition", "I", "I"),
    _binary(ew.SUBTRACT, "Element-wise subtraction", "I", "-I"),
    _binary(ew.MULTIPLY, "Element-wise multiplication (Hadamard product)",
            r"diag(\mathbf{x})", r"diag(\mathbf{w})"),
    _binary(ew.DIVIDE, "Element-wise division",
            r"diag(\ldots \frac{1}{x_i} \ldots)", r"diag(\ldots \frac{-w_i}{x_i^2} \ldots)"),
    Identity(
        "elementwise-general", ("4.2", "8.2"), "Any element-wise binary operator (element-wise diagonal condition)",
        r"\mathbf{y} = \mathbf{f(w)} \bigcirc \mathbf{g(x)}",
        (_v("w"), _v("x")), _general_forward,
        (Derivative("w", r"diag\left(\ldots \frac{\partial}{\partial w_i}(f_i(w_i) \bigcirc g_i(x_i)) \ldots\right)",
                    "diagonal", lambda w, x: ew.diag(np.cos(w) * np.exp(x))),
         Derivative("x", r"diag\left(\ldots \frac{\partial}{\partial x_i}(f_i(w_i) \bigcirc g_i(x_i)) \ldots\right)",
                    "diagonal", lambda w, x: ew.diag(np.sin(w) * np.exp(x)))),
        note="checked with f = sin, g = exp and ○ = ⊗"),
    Identity(
        "scalar-add", ("4.3", "8.3"), "Adding a scalar to a vector (scalar expansion)",
        r"\mathbf{y} = \mathbf{x} + z = \mathbf{x} + \vec{1}z",
        (_v("x"), _s("z")), lambda x, z: ew.ADD_SCALAR(x, z),
        (Derivative("x", r"diag(\vec{1}) = I", "diagonal", lambda x, z: ew.ADD_SCALAR.jacobian_x(x, z)),
         Derivative("z", r"\vec{1}", "column", lambda x, z: ew.ADD_SCALAR.jacobian_z(x, z)))),
    Identity(
        "scalar-multiply", ("4.3", "8.3"), "Multiplying a vector by a scalar (scalar expansion)",
        r"\mathbf{y} = \mathbf{x}z = \mathbf{x} \otimes \vec{1}z",
        (_v("x"), _s("z")), lambda x, z: ew.MULTIPLY_SCALAR(x, z),
        (Derivative("x", r"diag(\vec{1}z) = Iz", "diagonal", lambda x, z: ew.MULTIPLY_SCALAR.jacobian_x(x, z)),
         Derivative("z", r"\mathbf{x}", "column", lambda x, z: ew.MULTIPLY_SCALAR.jacobian_z(x, z)))),
    Identity(
        "sum", ("4.4", "8.4"), "Sum of a vector's elements",
        r"y = sum(\mathbf{x})",
        (_v("x"),), lambda x: ew.vector_sum(x),
        (Derivative("x", r"\vec{1}^T", "row", lambda x: ew.vector_sum_gradient(x)),), output="scalar"),
    Identity(
        "sum-scalar-product", ("4.4", "8.4"), "Sum of a vector times a scalar",
        r"y = sum(\mathbf{x}z)",
        (_v("x"), _s("z")), lambda x, z: ew.vector_sum(ew.MULTIPLY_SCALAR(x, z)),
        (Derivative("x", r"[z, z, \ldots, z]", "row",
                    lambda x, z: ew.sum_gradient(ew.MULTIPLY_SCALAR.jacobian_x(x, z))),
         Derivative("z", r"sum(\mathbf{x})", "scalar",
                    lambda x, z: ew.sum_gradient(ew.MULTIPLY_SCALAR.jacobian_z(x, z)))),
        output="scalar"),
    Identity(
        "sum-general", ("4.4", "8.4"), "Sum of a vector function's results",
        r"y = sum(\mathbf{f(x)}) = \sum_i f_i(\mathbf{x})",
        (_v("x"),), lambda x: ew.sum_of(_coupled, x),
        (Derivative("x", r"\left[\sum_i \frac{\partial f_i(\mathbf{x})}{\partial x_1}, \ldots, "
                         r"\sum_i \frac{\partial f_i(\mathbf{x})}{\partial x_n}\right]",
                    "row", lambda x: ew.sum_gradient(_coupled_jacobian(np.asarray(x, dtype=float)))),),
        output="scalar", note="checked with fᵢ(x) = xᵢxᵢ₊₁ (indices wrap around), so each fᵢ reads two entries"),
    Identity(
        "dot-product", ("4.4", "8.4"), "Dot product as a sum of an element-wise product",
        r"y = \mathbf{w} \cdot \mathbf{x} = sum(\mathbf{w} \otimes \mathbf{x})",
        (_v("w"), _v("x")), ew.dot,
        (Derivative("w", r"\vec{1}^T diag(\mathbf{x}) = \mathbf{x}^T", "row", ew.dot_jacobian_w),
         Derivative("x", r"\vec{1}^T diag(\mathbf{w}) = \mathbf{w}^T", "row", ew.dot_jacobian_x)),
        output="scalar"),
)

# --- the chain rules (§4.5, §8.5) and the neuron (§5, §6), each checked on a concrete instance ------------------
def _away_from_kink(w, x, b) -> bool:
    return abs(float(np.dot(w, x)) + b) > 0.05         # finite differences across the ReLU's kink mean nothing


_LOSS_X = np.random.default_rng(6).normal(size=(8, 3))           # a fixed data set for the loss: 8 samples, n = 3
_LOSS_Y = np.random.default_rng(7).normal(size=8) + 1.0


def _neuron():
    from . import neuron
    return neuron


IDENTITIES = IDENTITIES + (
    Identity(
        "chain-single", ("4.5.1", "8.5"), "Single-variable chain rule",
        r"y = f(u),\ u = g(x)",
        (_s("x"),), lambda x: np.sin(x ** 2),
        (Derivative("x", r"\frac{dy}{du}\frac{du}{dx}", "scalar",
                    lambda x: np.array([[np.cos(x ** 2) * 2 * x]])),),
        output="scalar", note="checked with f = sin and g(x) = x², so dy/dx = cos(x²)·2x"),
    Identity(
        "chain-total", ("4.5.2", "8.5"), "Total-derivative chain rule",
        r"y = f(x, u_1(x), \ldots, u_n(x))",
        (_s("x"),), lambda x: x + x ** 2,
        (Derivative("x", r"\frac{\partial f}{\partial x} + \sum_{i} \frac{\partial f}{\partial u_i}\frac{\partial u_i}{\partial x}",
                    "scalar", lambda x: np.array([[1 + 2 * x]])),),
        output="scalar", note="checked with y = x + x², two paths: 1 + 2x"),
    Identity(
        "chain-vector", ("4.5.3", "8.5"), "Vector chain rule (element-wise case)",
        r"\mathbf{y} = \mathbf{f}(\mathbf{g}(\mathbf{x}))",
        (_v("x"),), lambda x: np.sin(x ** 2),
        (Derivative("x", r"\frac{\partial \mathbf{f}}{\partial \mathbf{g}}\frac{\partial \mathbf{g}}{\partial \mathbf{x}}",
                    "diagonal", lambda x: ew.diag(np.cos(x ** 2) * 2 * x)),),
        note="checked with element-wise f = sin and g = x², where both factors are diagonal: diag(cos(x²) ⊗ 2x)"),
    Identity(
        "affine", ("5",), "The neuron's affine function",
        r"z = \mathbf{w} \cdot \mathbf{x} + b",
        (_v("w"), _v("x"), _s("b")), lambda w, x, b: float(np.dot(w, x) + b),
        (Derivative("w", r"\mathbf{x}^T", "row", lambda w, x, b: np.asarray(x, dtype=float).reshape(1, -1)),
         Derivative("b", "1", "scalar", lambda w, x, b: np.ones((1, 1))),
         Derivative("x", r"\mathbf{w}^T", "row", lambda w, x, b: np.asarray(w, dtype=float).reshape(1, -1))),
        output="scalar"),
    Identity(
        "relu-broadcast", ("5",), "ReLU on every entry of a vector",
        r"\mathbf{y} = max(0, \mathbf{x})",
        (Argument("x", nonzero=True),), lambda x: np.maximum(0.0, x),
        (Derivative("x", r"diag([x_1 > 0], \ldots, [x_n > 0])", "diagonal",
                    lambda x: ew.diag((np.asarray(x) > 0) * 1.0)),),
        note="the paper writes the vector of 0s and 1s; the Jacobian is that vector on a diagonal (0 at the kink)"),
    Identity(
        "activation", ("5",), "The neuron's activation",
        r"a = max(0, \mathbf{w} \cdot \mathbf{x} + b)",
        (_v("w"), _v("x"), _s("b")), lambda w, x, b: max(0.0, float(np.dot(w, x) + b)),
        (Derivative("w", r"[\mathbf{w} \cdot \mathbf{x} + b > 0]\ \mathbf{x}^T", "row",
                    lambda w, x, b: _neuron().activation_gradients(w, b, x).w.reshape(1, -1)),
         Derivative("b", r"[\mathbf{w} \cdot \mathbf{x} + b > 0]", "scalar",
                    lambda w, x, b: np.full((1, 1), _neuron().activation_gradients(w, b, x).b))),
        output="scalar", valid=_away_from_kink,
        note="[·] is 1 where the neuron is active and 0 elsewhere: xᵀ or 0ᵀ"),
    Identity(
        "mse-loss", ("6",), "The neuron's mean-squared-error loss",
        r"C = \frac{1}{N}\sum_{i=1}^{N} (y_i - max(0, \mathbf{w} \cdot \mathbf{x}_i + b))^2",
        (_v("w"), _s("b")), lambda w, b: _neuron().mse_loss(w, b, _LOSS_X, _LOSS_Y),
        (Derivative("w", r"\frac{2}{N}\sum_{i=1}^{N} e_i \mathbf{x}_i^T", "row",
                    lambda w, b: _neuron().loss_gradient(w, b, _LOSS_X, _LOSS_Y).w.reshape(1, -1)),
         Derivative("b", r"\frac{2}{N}\sum_{i=1}^{N} e_i", "scalar",
                    lambda w, b: np.full((1, 1), _neuron().loss_gradient(w, b, _LOSS_X, _LOSS_Y).b))),
        output="scalar", fixed_n=3,
        valid=lambda w, b: float(np.min(np.abs(_LOSS_X @ w + b))) > 0.05,
        note="eᵢ = w·xᵢ + b − yᵢ on an active sample and 0 on an inactive one (the case inside the sum); "
             "checked on a fixed data set of 8 samples with n = 3"),
)

_BY_NAME = {identity.name: identity for identity in IDENTITIES}
assert len(_BY_NAME) == len(IDENTITIES), "identity names must be unique"


def get(name) -> Identity:
    """The identity called ``name`` (e.g. "elementwise-multiply"); an Identity is returned as it is."""
    if isinstance(name, Identity):
        return name
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise KeyError(f"unknown identity {name!r}; known: {', '.join(_BY_NAME)}") from None


def for_section(section: str) -> list:
    """The identities a paper section states ("4.2" or "8.2"; "4" gives every §4.x)."""
    section = str(section)
    return [i for i in IDENTITIES if any(s == section or s.startswith(section + ".") for s in i.sections)]


def _select(keys) -> list:
    chosen = []
    for key in keys or (None,):
        found = list(IDENTITIES) if key is None else (
            [key] if isinstance(key, Identity) else [get(key)] if key in _BY_NAME else for_section(key))
        if not found:
            raise KeyError(f"{key!r} is neither an identity name nor a paper section with identities; "
                           f"sections: {', '.join(sorted({s for i in IDENTITIES for s in i.sections}))}")
        chosen.extend(i for i in found if i not in chosen)
    return chosen


# --- verification against finite differences --------------------------------------------------------------------
def _check_shape(identity: Identity, d: Derivative, J: np.ndarray, n: int):
    expected = SHAPES[d.shape][1](n)
    if J.shape != expected:
        raise ShapeError(f"identity {identity.name!r}: ∂/∂{d.wrt} should be the paper's {SHAPES[d.shape][0]}, "
                         f"shape {fmt_shape(expected)} for n = {n}; the analytic form gave {fmt_shape(J.shape)}.")
    if d.shape == "diagonal" and np.any(J[~np.eye(n, dtype=bool)] != 0):
        raise ShapeError(f"identity {identity.name!r}: ∂/∂{d.wrt} should be diagonal but has off-diagonal entries.")


def verify(identity, rng=None, n: int | None = None, trials: int = 3) -> float:
    """Largest error of ``identity``'s analytic derivatives against ``mcdl.jacobian``, over random points.

    The error of one entry is |analytic − numeric| / max(1, |numeric|), so it reads as a relative error for
    big entries and an absolute one near 0; a correct identity gives about 1e-9 or less.  Each derivative's
    shape is checked too (a column must be n×1, a row 1×n, a diagonal must be diagonal): a wrong shape raises
    ShapeError rather than returning a number.  ``rng`` is a numpy Generator or a seed (default 0).
    """
    from .numeric import jacobian

    identity = get(identity)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(0 if rng is None else rng)
    worst = 0.0
    for _ in range(int(trials)):
        args = identity.sample(rng, n)
        size = next((np.size(v) for a, v in zip(identity.arguments, args.values()) if a.kind == "vector"), 1)
        for d in identity.derivatives:
            analytic = np.asarray(d.function(**args), dtype=float)
            _check_shape(identity, d, analytic, size)

            def moved(value, _wrt=d.wrt):
                return identity.forward(**{**args, _wrt: value})

            numeric = jacobian(moved, args[d.wrt])
            worst = max(worst, float(np.max(np.abs(analytic - numeric) / np.maximum(1.0, np.abs(numeric)))))
    return worst


# --- rendering --------------------------------------------------------------------------------------------------
class IdentityTable:
    """Rows of the registry, one per derivative; Markdown with LaTeX in Jupyter, aligned text elsewhere."""

    def __init__(self, identities):
        self.identities = list(identities)

    def rows(self) -> list:
        """(function, derivative, result, shape, sections) per derivative, in LaTeX where it is maths."""
        out = []
        for identity in self.identities:
            for k, d in enumerate(identity.derivatives):
                first = k == 0        # the function and its sections are written once per identity
                out.append((identity.latex if first else "", identity.lhs(d.wrt), d.latex, SHAPES[d.shape][0],
                            ", ".join(f"§{s}" for s in identity.sections) if first else ""))
        return out

    def _repr_markdown_(self) -> str:
        lines = ["| function | derivative | result | shape | paper |", "|---|---|---|---|---|"]
        for function, lhs, result, shape, sections in self.rows():
            lines.append(f"| {f'${function}$' if function else ''} | ${lhs}$ | ${result}$ | {shape} | {sections} |")
        notes = [f"*{i.name}*: {i.note}" for i in self.identities if i.note]
        return "\n".join(lines) + ("\n\n" + "; ".join(notes) + "." if notes else "")

    def __str__(self) -> str:
        rows = [(i.name, f"∂/∂{d.wrt}", d.latex, SHAPES[d.shape][0]) for i in self.identities for d in i.derivatives]
        widths = [max(len(r[k]) for r in rows) for k in range(3)]
        return "\n".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {s}" for a, b, c, s in rows)

    def __repr__(self) -> str:
        return str(self)


def table(*keys) -> IdentityTable:
    """A table of identities: ``table("4.2")`` for a section, ``table("sum", "dot-product")`` by name, ``table()`` all."""
    return IdentityTable(_select(keys))


__all__ = ["Argument", "Derivative", "Identity", "IDENTITIES", "SHAPES", "get", "for_section", "verify", "table",
           "IdentityTable"]
