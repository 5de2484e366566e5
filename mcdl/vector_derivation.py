"""The vector chain rule, step by step, for an expression of vectors, matrices and scalars (paper §4.5.3, §5, §6).

:func:`vector_chain_rule_steps` reads a formula such as ``mean((y - max(0, X @ w + b))**2)`` (safely: a
whitelisted syntax tree, never ``eval``), and derives it the way the paper derives the neuron's gradients:

1. **intermediate variables**, one per operation that depends on the variable, innermost first, each with
   its shape (``dot(a, b)`` becomes the paper's two, ``a ⊗ b`` and ``sum``);
2. **each local Jacobian by its rule**, with its shape: a diagonal for an element-wise operation (§4.2),
   a column (1 or the vector) for the scalar of a scalar expansion (§4.3), 1ᵀ for a sum (§4.4), the matrix
   for ``@``, a diagonal of 0s and 1s for max(0, ·) (§5's ReLU, 0 at the kink);
3. **their product**, the vector chain rule, whose shapes multiply out (m×k · k×n = m×n); where the
   variable reaches the output along several paths (``dot(x, A @ x)``, ``x * sum(x)``) the vector form of the
   total-derivative rule adds the paths;
4. **simplification** into the paper's notation (numbers to the front, I dropped, diag(a)diag(b) =
   diag(a ⊗ b), 1ᵀdiag(v) = vᵀ, diag(v)1 = v, aᵀb = a·b), then the intermediates substituted back.

The result is a :class:`VectorDerivation` (a :class:`~mcdl.derivation.Derivation` the stepper shows) whose
:meth:`~VectorDerivation.evaluate` gives the Jacobian at numbers, in numerator layout: shape (m, n) for an
output of m numbers and a variable of n, so a gradient is a 1×n row.

Everything is plain Python over a small tree of operations; no SymPy, so a derivation takes milliseconds.
"""
from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction

import numpy as np

from .derivation import (
    COMBINE, DIFFERENTIATE, INTRODUCE, RESULT, SUBSTITUTE, Derivation, DerivationError, ShapeProduct, Step,
    _listed, paths_between,
)
from .shapes import ShapeError
from .symbolic import (
    MAX_DEPTH, MAX_LENGTH, ExpressionSyntaxError, UnsafeExpressionError, _caret_message, _check_depth,
    _statement_kind,
)

__all__ = ["vector_chain_rule_steps", "VectorDerivation", "parse_shapes", "FUNCTIONS", "MAX_OPERATIONS",
           "MAX_PATHS"]

MAX_OPERATIONS = 40        # intermediates; more is no longer readable step by step
MAX_PATHS = 64             # paths from the variable to the output; past this the sum is not worth showing
MAX_STEP_LATEX = 8000      # characters of LaTeX in one step; past this the step says so instead of typesetting
MAX_WRITTEN = 3000         # characters of LaTeX: a longer answer stays written in the intermediates
SHOWN_PATHS = 6            # up to this many paths, step 3 writes the sum path by path

SIMPLIFY = "Step 4 · simplify"

# element-wise functions: the derivative as a function of the argument (an Expr), and the rule in words
FUNCTIONS = ("exp", "log", "ln", "sin", "cos", "tanh", "sqrt")
_REDUCTIONS = ("sum", "mean")
_CALLS = FUNCTIONS + _REDUCTIONS + ("dot", "max")
_CONSTANTS = {"pi": math.pi, "e": math.e}
LARGEST = Fraction(10) ** 300     # constants beyond 1e±300 are refused: floating point ends near 1.8e308
MAX_NODES = 150                   # operations in the whole text (a flat chain of 250 terms would exhaust the stack)


# --------------------------------------------------------------------------------------------------
# The tree: one immutable node per operation, value and shape known; equal subexpressions compare equal.
@dataclass(frozen=True)
class Expr:
    """One node of a formula: ``kind`` (var, num, const, ones, add, sub, mul, div, neg, pow, fn, relu, step,
    sum, mean, matvec, vecmat, matmat, dot), its operands ``args``, a parameter ``param`` (a name, a number,
    a function name, an exponent or a threshold) and its ``shape`` (() a scalar, (n,) a vector, (m, n) a
    matrix). ``depends``: whether it changes with the variable the derivative is taken with respect to."""
    kind: str
    args: tuple = ()
    param: object = None
    shape: tuple = ()
    depends: bool = False

    @property
    def size(self) -> int:
        return int(np.prod(self.shape)) if self.shape else 1

    def __str__(self) -> str:
        return _text(self)


def var(name, shape, depends=False) -> Expr:
    return Expr("var", (), name, tuple(shape), depends)


def num(value) -> Expr:
    return Expr("num", (), Fraction(value))


def ones(n: int) -> Expr:
    return Expr("ones", (), None, (n,))


def _is_num(e: Expr, value=None) -> bool:
    return e.kind == "num" and (value is None or e.param == value)


def _is_ones(e: Expr) -> bool:
    return e.kind == "ones" or (e.kind == "num" and e.param == 1 and e.shape == ())


def _shape_of_pair(a: Expr, b: Expr) -> tuple:
    return a.shape if a.shape else b.shape


def mul(a: Expr, b: Expr) -> Expr:
    """a ⊗ b (or a number times anything), with the obvious cases folded: 1 ⊗ b = b, 2·3 = 6."""
    if _is_num(a) and _is_num(b):
        return num(a.param * b.param)
    shape = _shape_of_pair(a, b)
    if _is_ones(a) and (a.shape == shape or not a.shape):
        return b if b.shape == shape else Expr("mul", (ones(shape[0]), b), None, shape, b.depends)
    if _is_ones(b) and (b.shape == shape or not b.shape):
        return a if a.shape == shape else Expr("mul", (a, ones(shape[0])), None, shape, a.depends)
    if _is_num(b) and not _is_num(a):                       # numbers first: 2u, not u·2
        a, b = b, a
    return Expr("mul", (a, b), None, shape, a.depends or b.depends)


def div(a: Expr, b: Expr) -> Expr:
    if _is_num(b, 1) or (b.kind == "ones" and b.shape == a.shape):
        return a
    if _is_num(a) and _is_num(b):
        return num(a.param / b.param)
    return Expr("div", (a, b), None, _shape_of_pair(a, b), a.depends or b.depends)


def power(a: Expr, k: Fraction) -> Expr:
    if k == 1:
        return a
    if k == 0:
        return ones(a.shape[0]) if a.shape else num(1)
    return Expr("pow", (a,), Fraction(k), a.shape, a.depends)


def fn(name: str, a: Expr) -> Expr:
    return Expr("fn", (a,), name, a.shape, a.depends)


# --------------------------------------------------------------------------------------------------
# Printing: LaTeX for the steps, plain text for sentences and str().
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_PRECEDENCE = {"add": 1, "sub": 1, "neg": 2, "mul": 3, "div": 3, "dot": 3, "matvec": 4, "vecmat": 4,
               "matmat": 4, "pow": 5}


def _decimal(q: Fraction) -> str:
    """A number too long to write exactly, in six significant digits (any size: no float overflow)."""
    text = format(Decimal(q.numerator) / Decimal(q.denominator), ".6g")
    return text.replace("E", "e")


def _fraction_latex(q: Fraction) -> str:
    if abs(q.numerator) >= 10**7 or q.denominator > 10_000:
        text = _decimal(q)
        if "e" in text:
            mantissa, exponent = text.split("e")
            return rf"{mantissa} \times 10^{{{int(exponent)}}}"
        return text
    if q.denominator == 1:
        return str(q.numerator)
    sign = "-" if q < 0 else ""
    return rf"{sign}\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"


def _fraction_text(q: Fraction) -> str:
    if abs(q.numerator) >= 10**7 or q.denominator > 10_000:
        return _decimal(q)
    if q.denominator == 1:
        return str(q.numerator)
    return f"{q.numerator}/{q.denominator}"


def _name_latex(name: str, shape: tuple) -> str:
    match = re.fullmatch(r"([A-Za-z]+)_?(\d+)", name)
    stem, index = (match.group(1), match.group(2)) if match else (name, "")
    if len(stem) > 1:
        stem = r"\mathrm{" + stem.replace("_", r"\_") + "}"
    if shape:
        stem = rf"\mathbf{{{stem}}}"
    return f"{stem}_{{{index}}}" if index else stem


def _name_text(name: str) -> str:
    match = re.fullmatch(r"([A-Za-z]+)_?(\d+)", name)
    return match.group(1) + match.group(2).translate(_SUB) if match else name


class _Printer:
    """One printer for two notations: LaTeX (``latex=True``) and plain text."""

    def __init__(self, latex: bool):
        self.latex = latex

    def __call__(self, e: Expr) -> str:
        return self.expr(e)

    def wrap(self, e: Expr, parent: int, strict: bool = False) -> str:
        """e, in brackets when its operator binds less tightly than its parent's."""
        text = self.expr(e)
        mine = _PRECEDENCE.get(e.kind, 9)
        if e.kind == "sum" and e.args[0].kind == "mul" and e.args[0].args[0].shape and e.args[0].args[1].shape:
            mine = _PRECEDENCE["dot"]                 # printed as a·b
        if not self.latex and (e.kind == "dot" or mine == _PRECEDENCE["dot"] and e.kind == "sum"):
            mine = 9                                  # in text a dot product is the call dot(a, b)
        if e.kind == "num" and e.param < 0:
            mine = 2
        if e.kind == "num" and e.param.denominator != 1 and not self.latex:
            mine = 3
        if mine < parent or (strict and mine == parent):
            return rf"\left({text}\right)" if self.latex else f"({text})"
        return text

    def expr(self, e: Expr) -> str:
        L = self.latex
        k = e.kind
        if k == "var":
            return _name_latex(e.param, e.shape) if L else _name_text(e.param)
        if k == "num":
            return _fraction_latex(e.param) if L else _fraction_text(e.param)
        if k == "const":
            return (r"\pi" if e.param == "pi" else "e") if L else ("π" if e.param == "pi" else "e")
        if k == "ones":
            return r"\mathbf{1}" if L else "1"
        if k in ("add", "sub"):
            op = " + " if k == "add" else " - "
            return self.wrap(e.args[0], 1) + op + self.wrap(e.args[1], 1, strict=k == "sub")
        if k == "neg":
            return "-" + self.wrap(e.args[0], 3)
        if k == "mul":
            a, b = e.args
            if a.shape and b.shape:
                joiner = r" \otimes " if L else " ⊗ "
            else:
                joiner = r" \, " if L else "·"
                if _is_num(a) and L:
                    joiner = " "
            return self.wrap(a, 3) + joiner + self.wrap(b, 3, strict=True)
        if k == "div":
            a, b = e.args
            if L:
                return rf"\frac{{{self.expr(a)}}}{{{self.expr(b)}}}"
            return self.wrap(a, 3) + " / " + self.wrap(b, 3, strict=True)
        if k == "pow":
            base = self.wrap(e.args[0], 6)
            exponent = _fraction_latex(e.param) if L else _fraction_text(e.param)
            if L:
                return f"{base}^{{{exponent}}}"
            return f"{base}^{exponent}" if e.param >= 0 and e.param.denominator == 1 else f"{base}^({exponent})"
        if k == "fn":
            name = "ln" if e.param in ("log", "ln") else e.param
            if L and name == "sqrt":
                return rf"\sqrt{{{self.expr(e.args[0])}}}"
            inner = self.expr(e.args[0])
            return rf"\{name}\left({inner}\right)" if L else f"{name}({inner})"
        if k == "relu":
            c = _fraction_latex(e.param) if L else _fraction_text(e.param)
            inner = self.expr(e.args[0])
            return rf"\max\left({c}, {inner}\right)" if L else f"max({c}, {inner})"
        if k == "step":
            c = _fraction_latex(e.param) if L else _fraction_text(e.param)
            inner = self.expr(e.args[0])
            return rf"\left[{inner} > {c}\right]" if L else f"[{inner} > {c}]"
        if k in ("sum", "mean"):
            a = e.args[0]
            if k == "sum" and a.kind == "mul" and a.args[0].shape and a.args[1].shape:
                return self.expr(Expr("dot", a.args, None, (), e.depends))     # sum(a ⊗ b) reads a·b
            return rf"\operatorname{{{k}}}\left({self.expr(a)}\right)" if L else f"{k}({self.expr(a)})"
        if k == "dot":
            if not L:
                return f"dot({self.expr(e.args[0])}, {self.expr(e.args[1])})"
            return self.wrap(e.args[0], 4) + r" \cdot " + self.wrap(e.args[1], 4)
        if k in ("matvec", "matmat"):
            joiner = " " if L else " "
            return self.wrap(e.args[0], 4) + joiner + self.wrap(e.args[1], 4, strict=True)
        if k == "vecmat":                            # v @ A is the vector Aᵀv (its row is vᵀA)
            t = "^T" if L else "ᵀ"
            return self.wrap(e.args[1], 6) + t + " " + self.wrap(e.args[0], 4, strict=True)
        raise AssertionError(k)


_latex = _Printer(latex=True)
_text = _Printer(latex=False)


def _size_text(shape) -> str:
    """A shape in words: 'a scalar', 'a vector of length 3', 'a 100×3 matrix'."""
    if not shape:
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of length {shape[0]}"
    return f"a {shape[0]}×{shape[1]} matrix"


def _box(shape) -> str:
    return "×".join(str(n) for n in shape)


# --------------------------------------------------------------------------------------------------
# Shapes: the dict a notebook passes, or the text a learner types ("X: 100x3, w: 3, b: scalar").
_SHAPE_ITEM = re.compile(r"^\s*([A-Za-z_]\w*)\s*[:=]?\s*(.*?)\s*$")


def parse_shapes(text: str) -> dict:
    """Read shapes typed as text: ``"X: 100x3, w: 3, b: scalar"`` gives ``{"X": (100, 3), "w": (3,), "b": ()}``.

    Items are separated by commas or semicolons (a comma inside brackets belongs to the shape, as in
    ``X: (100, 3)``); a shape is ``scalar`` (or ``()``, ``1×1`` is not a scalar), a length, or rows×cols
    written with ×, x or *. A ``ValueError`` names the item it cannot read.
    """
    if not isinstance(text, str):
        raise TypeError(f"shapes must be text such as 'X: 100x3, w: 3, b: scalar', got {type(text).__name__}")
    items, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "([" and 1 or (-1 if ch in ")]" else 0)
        if ch in ",;" and depth <= 0:
            items.append(current)
            current = ""
        else:
            current += ch
    items.append(current)
    shapes = {}
    for item in items:
        if not item.strip():
            continue
        match = _SHAPE_ITEM.match(item)
        if not match or not match.group(2):
            raise ValueError(f"could not read the shape {item.strip()!r}: write a name and its shape, "
                             "e.g. 'w: 3' (a vector), 'X: 100x3' (a matrix) or 'b: scalar'")
        name, spec = match.group(1), match.group(2).strip().strip("()[]").strip()
        if spec.lower() in ("scalar", ""):
            shapes[name] = ()
            continue
        sizes = re.fullmatch(r"([0-9]{1,7})(?:\s*[×xX*,]\s*([0-9]{1,7}))?", spec)
        if sizes is None:
            raise ValueError(f"could not read the shape of {name}: {match.group(2).strip()!r}; write a length "
                             "such as 3, rows×cols such as 100x3, or scalar")
        shapes[name] = tuple(int(p) for p in sizes.groups() if p is not None)
    return shapes


def _check_shapes(shapes) -> dict:
    if isinstance(shapes, str):
        shapes = parse_shapes(shapes)
    if not isinstance(shapes, dict):
        raise TypeError("shapes must map each name to its shape, e.g. {'w': (3,), 'X': (100, 3), 'b': ()}, "
                        f"got {type(shapes).__name__}")
    checked = {}
    for name, shape in shapes.items():
        if not isinstance(name, str) or not name.isidentifier() or name in _CALLS or name.startswith("_"):
            raise TypeError(f"{name!r} cannot be a variable's name: use a plain name such as w, X or b "
                            f"(not one of {', '.join(_CALLS)})")
        if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
            shape = (int(shape),)
        if not isinstance(shape, (tuple, list)) or not all(
                isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape):
            raise TypeError(f"the shape of {name} must be a tuple of whole numbers such as (3,) or (100, 3), "
                            f"or () for a scalar; got {shape!r}")
        if len(shape) > 2:
            raise ShapeError(f"{name} has shape {tuple(shape)}: the paper's objects are scalars, vectors and "
                             "matrices (at most two axes)")
        if any(n < 1 for n in shape):
            raise ShapeError(f"{name} has shape {tuple(shape)}: every size must be at least 1")
        checked[name] = tuple(int(n) for n in shape)
    return checked


# --------------------------------------------------------------------------------------------------
# Parsing: a syntax tree walked node by node, every operation shape-checked as it is built.
class _Reader:
    def __init__(self, source: str, shapes: dict, wrt: str):
        self.source, self.shapes, self.wrt = source, shapes, wrt
        self.used: set[str] = set()

    def said(self, node) -> str:
        """The learner's own text of a subexpression, for messages."""
        text = ast.get_source_segment(self.source, node) or ast.unparse(node)
        text = " ".join(text.split())
        return text if len(text) <= 40 else text[:37] + "…"

    def refuse(self, what: str) -> UnsafeExpressionError:
        return UnsafeExpressionError(
            f"{what} is not allowed here. Allowed: the names in shapes ({', '.join(self.shapes)}), numbers, "
            "+ - * / (element-wise, with scalar expansion), @, ** with a number, dot(a, b), sum(v), mean(v), "
            f"max(0, v) and {', '.join(FUNCTIONS)}.")

    def read(self, node) -> Expr:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise self.refuse(_WHAT.get(type(node).__name__, f"`{self.said(node)}`"))
        return method(node)

    def _Expression(self, node):
        return self.read(node.body)

    def _Constant(self, node):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.refuse(f"the constant {self.said(node)}")
        if isinstance(value, int) and value.bit_length() > 1000 or isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"the number {self.said(node)} is too large: numbers up to 1e300 are allowed")
        return self.number(node, Fraction(repr(value)) if isinstance(value, float) else Fraction(value))

    def number(self, node, value: Fraction) -> Expr:
        """A constant the text computes, refused when it is beyond what floating point can hold."""
        if abs(value) > LARGEST or (value != 0 and abs(value) < 1 / LARGEST):
            raise ValueError(f"{self.said(node)} is {'too large' if abs(value) > 1 else 'too small'}: the numbers "
                             "in an expression must lie between 1e-300 and 1e300 in size")
        if value.denominator > 10**12:               # an exact fraction that would print with hundreds of digits
            value = Fraction(float(value)).limit_denominator(10**12)
        return num(value)

    def _Name(self, node):
        name = node.id
        if name in self.shapes:
            self.used.add(name)
            return var(name, self.shapes[name], depends=name == self.wrt)
        if name in _CONSTANTS:
            return Expr("const", (), name)
        if name in _CALLS:
            raise ExpressionSyntaxError(f"{name} is a function: write {name}(...) with its argument in brackets")
        raise ShapeError(f"{name} has no shape: add it to shapes, e.g. {name}: (3,) for a vector of length 3, "
                         f"(2, 3) for a 2×3 matrix, () for a scalar (typed: {name}: 3, {name}: 2x3, {name}: scalar). "
                         f"The names with shapes are {', '.join(self.shapes) or 'none'}.")

    def _UnaryOp(self, node):
        operand = self.read(node.operand)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.USub):
            if _is_num(operand):
                return num(-operand.param)
            return Expr("neg", (operand,), None, operand.shape, operand.depends)
        raise self.refuse(_WHAT.get(type(node.op).__name__, "this operator"))

    def _BinOp(self, node):
        op = type(node.op).__name__
        if op == "Pow":
            return self.power(node)
        if op not in ("Add", "Sub", "Mult", "Div", "MatMult"):
            raise self.refuse(_WHAT.get(op, f"the operator in {self.said(node)}"))
        a, b = self.read(node.left), self.read(node.right)
        if op == "MatMult":
            return self.matmul(node, a, b)
        symbol = {"Add": "+", "Sub": "-", "Mult": "*", "Div": "/"}[op]
        shape = self.elementwise_shape(node, symbol, a, b)
        if op == "Div" and _is_num(b) and b.param == 0:
            raise ValueError(f"{self.said(node)} divides by zero")
        if _is_num(a) and _is_num(b):
            return self.number(node, {"Add": a.param + b.param, "Sub": a.param - b.param,
                                      "Mult": a.param * b.param, "Div": a.param / (b.param or 1)}[op])
        kind = {"Add": "add", "Sub": "sub", "Mult": "mul", "Div": "div"}[op]
        return Expr(kind, (a, b), None, shape, a.depends or b.depends)

    def elementwise_shape(self, node, symbol, a, b):
        if a.shape == b.shape or not a.shape or not b.shape:
            return _shape_of_pair(a, b)
        left, right = self.said(node.left), self.said(node.right)
        message = (f"{self.said(node)}: element-wise {symbol} needs two operands of the same shape, or a scalar "
                   f"on one side (scalar expansion); {left} is {_size_text(a.shape)} and {right} is "
                   f"{_size_text(b.shape)}.")
        if len(a.shape) != len(b.shape):
            message += (" numpy would broadcast these; the paper's notation does not, so write the shapes out "
                        "(a matrix times a vector is @).")
        raise ShapeError(message)

    def power(self, node):
        base, exponent = self.read(node.left), self.read(node.right)
        if not _is_num(exponent):
            raise UnsafeExpressionError(
                f"{self.said(node)}: the exponent of ** must be a number (u**2, u**0.5, u**-1); "
                "for a power with a variable exponent write exp(k * log(u))")
        k = exponent.param
        if abs(k) > 1000:
            raise UnsafeExpressionError(f"{self.said(node)}: the exponent is limited to ±1000")
        if _is_num(base):
            c = base.param
            if c == 0 and k < 0:
                raise ValueError(f"{self.said(node)} divides by zero")
            if c < 0 and k.denominator != 1:
                raise ValueError(f"{self.said(node)} has no real value")
            if c != 0 and abs(float(k) * math.log10(abs(float(c)))) > 300:
                raise ValueError(f"{self.said(node)} is too large or too small: the numbers in an expression must "
                                 "lie between 1e-300 and 1e300 in size")
            exact = k.denominator == 1
            return self.number(node, c ** int(k) if exact else Fraction(float(c) ** float(k)))
        return Expr("pow", (base,), k, base.shape, base.depends)

    def matmul(self, node, a, b):
        left, right = self.said(node.left), self.said(node.right)
        if not a.shape or not b.shape:
            scalar = left if not a.shape else right
            raise ShapeError(f"{self.said(node)}: @ multiplies matrices and vectors, and {scalar} is a scalar; "
                             "to multiply by a scalar use *")
        if len(a.shape) == 1 and len(b.shape) == 1:
            if a.shape != b.shape:
                raise ShapeError(f"{self.said(node)}: a vector @ a vector is their dot product, which needs the "
                                 f"same length; {left} has length {a.shape[0]} and {right} has length "
                                 f"{b.shape[0]}")
            return self.dot(a, b)
        inner_a = a.shape[-1]
        inner_b = b.shape[0]
        if inner_a != inner_b:
            def said_shape(e, name):
                return f"{name} is {_box(e.shape)}" if len(e.shape) == 2 else f"{name} has length {e.shape[0]}"
            first = f"the columns of {left} ({inner_a})" if len(a.shape) == 2 else f"the length of {left} ({inner_a})"
            second = f"the rows of {right} ({inner_b})" if len(b.shape) == 2 else f"the length of {right} ({inner_b})"
            message = (f"{self.said(node)}: {said_shape(a, left)} and {said_shape(b, right)}: {first} must match "
                       f"{second}.")
            if len(a.shape) == 2 and len(b.shape) == 1 and a.shape[0] == inner_b:
                message += f" {left} transposed ({a.shape[1]}×{a.shape[0]}) would fit."
            raise ShapeError(message)
        if len(a.shape) == 2 and len(b.shape) == 1:
            kind, shape = "matvec", (a.shape[0],)
        elif len(a.shape) == 1:
            kind, shape = "vecmat", (b.shape[1],)
        else:
            kind, shape = "matmat", (a.shape[0], b.shape[1])
        if len(a.shape) == 2 and a.depends or len(b.shape) == 2 and b.depends:
            matrix = left if len(a.shape) == 2 and a.depends else right
            raise _matrix_depends(matrix, self.wrt)
        return Expr(kind, (a, b), None, shape, a.depends or b.depends)

    def dot(self, a, b):
        if a.depends or b.depends:              # the paper's w·x = sum(w ⊗ x): two intermediates
            product = Expr("mul", (a, b), None, a.shape, True)
            return Expr("sum", (product,), "dot", (), True)
        return Expr("dot", (a, b), None, (), False)

    def _Call(self, node):
        if not isinstance(node.func, ast.Name):
            raise self.refuse(f"calling `{self.said(node.func)}`")
        name = node.func.id
        if name not in _CALLS:
            raise self.refuse(f"the function {name}")
        if node.keywords:
            raise self.refuse(f"a keyword argument in {self.said(node)}")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.refuse(f"*arguments in {self.said(node)}")
        wanted = 2 if name in ("dot", "max") else 1
        if len(node.args) != wanted:
            usage = {"dot": "dot(a, b)", "max": "max(0, v)"}.get(name, f"{name}(v)")
            raise ExpressionSyntaxError(f"{self.said(node)}: {name} takes {wanted} argument"
                                        f"{'s' if wanted > 1 else ''}, as in {usage}")
        args = [self.read(a) for a in node.args]
        if name == "dot":
            a, b = args
            if len(a.shape) != 1 or a.shape != b.shape:
                raise ShapeError(f"{self.said(node)}: dot needs two vectors of the same length; "
                                 f"{self.said(node.args[0])} is {_size_text(a.shape)} and "
                                 f"{self.said(node.args[1])} is {_size_text(b.shape)}")
            return self.dot(a, b)
        if name == "max":
            numbers = [a for a in args if _is_num(a)]
            if not numbers or all(_is_num(a) for a in args):
                if all(_is_num(a) for a in args):
                    return num(max(a.param for a in args))
                raise UnsafeExpressionError(f"{self.said(node)}: max compares with a number, as in max(0, v) "
                                            "(the ReLU); max of two variables is not covered here")
            threshold = numbers[0].param
            other = args[1] if _is_num(args[0]) else args[0]
            return Expr("relu", (other,), threshold, other.shape, other.depends)
        (a,) = args
        if name in _REDUCTIONS:
            if len(a.shape) == 2 and a.depends:
                raise _matrix_depends(self.said(node.args[0]), self.wrt)
            if _is_num(a):
                return a
            return Expr(name, (a,), None, (), a.depends)
        if _is_num(a):
            with np.errstate(all="ignore"):
                value = float(_NUMPY[name](float(a.param)))
            if name in ("log", "ln") and a.param <= 0 or math.isnan(value):
                raise ValueError(f"{self.said(node)} has no real value")
            if not math.isfinite(value):
                raise ValueError(f"{self.said(node)} is too large: the numbers in an expression must lie between "
                                 "1e-300 and 1e300 in size")
            return self.number(node, Fraction(value))
        return fn("log" if name == "ln" else name, a)


_WHAT = {"Attribute": "attribute access (a.b)", "Subscript": "indexing (a[i])", "Lambda": "lambda",
         "Compare": "a comparison", "BoolOp": "and / or", "IfExp": "if … else", "List": "a list",
         "Tuple": "a tuple", "Dict": "a dict", "Set": "a set", "ListComp": "a comprehension",
         "GeneratorExp": "a generator", "JoinedStr": "an f-string", "NamedExpr": ":=", "Await": "await",
         "Starred": "*", "Mod": "%", "FloorDiv": "//", "BitXor": "^ as xor", "BitAnd": "&", "BitOr": "|",
         "LShift": "<<", "RShift": ">>", "Invert": "~", "Not": "not"}
_NUMPY = {"exp": np.exp, "log": np.log, "ln": np.log, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
          "sqrt": np.sqrt}


def _matrix_depends(matrix: str, wrt: str) -> ShapeError:
    return ShapeError(f"{matrix} is a matrix that changes with {wrt}: its derivative would be a 3-D array, not a "
                      "Jacobian. The paper's vector chain rule covers intermediates that are scalars or vectors; "
                      f"keep the matrices constant (take the derivative with respect to a vector or a scalar).")


def _parse(text: str, shapes: dict, wrt: str) -> tuple[Expr, set]:
    if not isinstance(text, str):
        raise TypeError(f"an expression must be a str such as 'sum(w * x)', got {type(text).__name__}")
    if not text.strip():
        raise ValueError("the expression is empty: type something like sum(w * x)")
    if len(text) > MAX_LENGTH:
        raise UnsafeExpressionError(f"the expression is too long ({len(text)} characters; the limit is "
                                    f"{MAX_LENGTH})")
    if "\x00" in text:
        raise UnsafeExpressionError("the expression contains a NUL character")
    source = text.strip().replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        statement = _statement_kind(source)
        if statement is not None:
            raise UnsafeExpressionError(f"{statement} is not allowed here: type one expression") from None
        raise ExpressionSyntaxError(_caret_message(text.strip(), err)) from None
    except (RecursionError, MemoryError):
        raise UnsafeExpressionError(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)") from None
    _check_depth(tree)
    operations = sum(isinstance(n, (ast.BinOp, ast.UnaryOp, ast.Call)) for n in ast.walk(tree))
    if operations > MAX_NODES:
        raise UnsafeExpressionError(f"the expression has {operations} operations; the limit is {MAX_NODES}: split "
                                    "it into smaller pieces")
    reader = _Reader(source, shapes, wrt)
    return reader.read(tree), reader.used


# --------------------------------------------------------------------------------------------------
# Jacobians as sums of products of a few kinds of factor, with shapes.
@dataclass(frozen=True)
class Factor:
    """One factor of a Jacobian: I (identity), diag(v), a column v, a row vᵀ, a matrix A or Aᵀ."""
    kind: str                   # "I", "diag", "col", "row", "mat", "matT"
    expr: Expr | None = None
    n: int = 0                  # the size of I

    @property
    def shape(self) -> tuple:
        if self.kind == "I":
            return (self.n, self.n)
        if self.kind == "diag":
            return (self.expr.shape[0],) * 2
        if self.kind == "col":
            return (self.expr.shape[0], 1)
        if self.kind == "row":
            return (1, self.expr.shape[0])
        if self.kind == "mat":
            return self.expr.shape
        return self.expr.shape[::-1]

    def latex(self, alone: bool = True) -> str:
        return self._string(_latex, alone)

    def text(self, alone: bool = True) -> str:
        return self._string(_text, alone)

    def _string(self, printer, alone: bool) -> str:
        """The factor; ``alone`` False when it stands beside other parts (then a compound column or matrix is
        bracketed: (x - s)·1ᵀ, not x - s·1ᵀ)."""
        if self.kind == "I":
            return "I"
        L = printer.latex
        if self.kind in ("row", "matT"):
            e = printer.wrap(self.expr, 6)
        elif self.kind == "diag":
            e = printer(self.expr)
        else:
            e = printer(self.expr) if alone else printer.wrap(self.expr, 4)
        t = "^T" if L else "ᵀ"
        if self.kind == "diag":
            return rf"\operatorname{{diag}}\left({e}\right)" if L else f"diag({e})"
        return f"{e}{t}" if self.kind in ("row", "matT") else e

    def apply(self, values: dict, right: np.ndarray | None) -> np.ndarray:
        """This factor times ``right`` (or the factor itself as a matrix when right is None), without ever
        building a diagonal matrix: diag(v) M is v[:, None] * M."""
        if self.kind == "I":
            return np.eye(self.n) if right is None else right
        v = _evaluate(self.expr, values)
        if self.kind == "diag":
            v = np.broadcast_to(v, self.expr.shape)
            return np.diag(v) if right is None else v[:, None] * right
        if self.kind == "col":
            m = np.broadcast_to(v, self.expr.shape).reshape(-1, 1)
        elif self.kind == "row":
            m = np.broadcast_to(v, self.expr.shape).reshape(1, -1)
        elif self.kind == "mat":
            m = v
        else:
            m = v.T
        return m if right is None else m @ right


@dataclass(frozen=True)
class Term:
    """coefficient · scalars · factors: a number, scalar expressions (1×1 quantities) and matrix factors
    multiplied left to right. ``shape`` is the term's (rows, cols); ``per`` holds the sizes a mean divides
    by, kept apart so that 2/N reads as 2/100 rather than 1/50."""
    coef: Fraction
    scalars: tuple
    factors: tuple
    shape: tuple
    per: tuple = ()

    @property
    def value(self) -> Fraction:
        return self.coef / math.prod(self.per) if self.per else self.coef

    def latex(self, brackets: bool = False) -> str:
        return _term_string(self, latex=True, brackets=brackets)

    def text(self) -> str:
        return _term_string(self, latex=False)

    def evaluate(self, values: dict) -> np.ndarray:
        result = None
        for factor in reversed(self.factors):
            result = factor.apply(values, result)
        scale = float(self.value)
        for s in self.scalars:
            scale = scale * _evaluate(s, values)
        if result is None:
            return np.full((1, 1), scale, dtype=float)
        return scale * np.asarray(result, dtype=float).reshape(self.shape)


def _coef_string(t: Term, latex: bool, alone: bool) -> tuple[str, str]:
    """(sign, magnitude) of a term's number: ('-', '\\frac{2}{100}'), ('', '') for 1 with more to follow."""
    sign = "-" if t.coef < 0 else ""
    c = abs(t.coef)
    per = math.prod(t.per) if t.per else 1
    if per != 1 and (c / per).denominator == 1:          # 3 · (1/3) is 1: no fraction to keep
        c, per = c / per, 1
    if per != 1:                                         # 2/N kept as 2/100, not 1/50
        top = _fraction_text(c) if not latex else _fraction_latex(c)
        denominator = per
        if c.denominator != 1:
            top, denominator = str(c.numerator), per * c.denominator
        return sign, (rf"\frac{{{top}}}{{{denominator}}}" if latex else f"{top}/{denominator}")
    if c == 1 and not alone:
        return sign, ""
    return sign, (_fraction_latex(c) if latex else _fraction_text(c))


def _term_string(t: Term, latex: bool, brackets: bool = False) -> str:
    """A term as LaTeX (factors side by side) or text (joined by ·); ``brackets`` for a factor of a product."""
    printer = _latex if latex else _text
    alone = not t.scalars and not t.factors
    sign, number = _coef_string(t, latex, alone)
    parts = [number] if number else []
    if not number and not sign and len(t.scalars) == 1 and not t.factors:
        parts.append(printer(t.scalars[0]))
    else:
        parts += [printer.wrap(s, 3, strict=True) for s in t.scalars]
    single = not parts and not sign and len(t.factors) == 1
    parts += [f.latex(single) if latex else f.text(single) for f in t.factors]
    body = (r" \, " if latex else "·").join(parts)
    text = sign + body
    if brackets and (sign or len(parts) > 1):
        return rf"\left({text}\right)" if latex else f"({text})"
    return text


@dataclass(frozen=True)
class Jacobian:
    """A sum of terms, all of one shape (rows, cols); no terms is the zero matrix."""
    terms: tuple
    shape: tuple

    def latex(self, brackets: bool = False) -> str:
        if not self.terms:
            return r"\mathbf{0}" if self.shape != (1, 1) else "0"
        if len(self.terms) == 1:
            return self.terms[0].latex(brackets=brackets)
        text = _join([t.latex() for t in self.terms], latex=True)
        return rf"\left({text}\right)" if brackets else text

    def text(self) -> str:
        if not self.terms:
            return "0"
        return _join([t.text() for t in self.terms], latex=False)

    def __str__(self) -> str:
        return self.text()

    def evaluate(self, values: dict) -> np.ndarray:
        total = np.zeros(self.shape)
        for t in self.terms:
            total = total + t.evaluate(values)
        return total

    def __matmul__(self, other: "Jacobian") -> "Jacobian":
        shape = (self.shape[0], other.shape[1])
        terms = tuple(Term(a.coef * b.coef, a.scalars + b.scalars, a.factors + b.factors, shape, a.per + b.per)
                      for a in self.terms for b in other.terms)
        return Jacobian(terms, shape)

    def __add__(self, other: "Jacobian") -> "Jacobian":
        return Jacobian(self.terms + other.terms, self.shape)


def _join(parts, latex: bool) -> str:
    out = parts[0]
    for p in parts[1:]:
        out += (" - " + p[1:]) if p.startswith("-") else (" + " + p)
    return out


def _term(shape, *factors, coef=1, scalars=(), per=()) -> Term:
    return Term(Fraction(coef), tuple(scalars), tuple(factors), tuple(shape), tuple(per))


def _single(term: Term) -> Jacobian:
    return Jacobian((term,), term.shape)


def _scale(e: Expr, shape, *factors, coef=1) -> Jacobian:
    """A Jacobian c·e·factors where e is a scalar expression: numbers go to the coefficient."""
    if _is_num(e):
        return _single(_term(shape, *factors, coef=Fraction(coef) * e.param))
    if e.kind == "neg":
        return _scale(e.args[0], shape, *factors, coef=-Fraction(coef))
    if e.kind == "mul" and _is_num(e.args[0]):          # 2u: the 2 joins the coefficient
        return _scale(e.args[1], shape, *factors, coef=Fraction(coef) * e.args[0].param)
    return _single(_term(shape, *factors, coef=coef, scalars=(e,)))


def _vector_factor(kind: str, e: Expr, n: int, coef=1) -> Jacobian:
    """diag(e) or the column e, with a number or a leading number of e pulled out (diag(2u) = 2 diag(u))."""
    shape = (n, n) if kind == "diag" else (n, 1)
    if e.kind == "mul" and _is_num(e.args[0]):
        return _vector_factor(kind, e.args[1], n, Fraction(coef) * e.args[0].param)
    if e.kind == "neg":
        return _vector_factor(kind, e.args[0], n, -Fraction(coef))
    if _is_num(e) or (not e.shape):                       # a scalar on the diagonal: c·I, or the column c·1
        base = Factor("I", n=n) if kind == "diag" else Factor("col", ones(n))
        return _scale(e, shape, base, coef=coef)
    if e.kind == "ones":
        return _single(_term(shape, Factor("I", n=n) if kind == "diag" else Factor("col", e), coef=coef))
    return _single(_term(shape, Factor(kind, e), coef=coef))


# --------------------------------------------------------------------------------------------------
# Step 2: each operation's local Jacobian, by the rule of the chapter that teaches it.
@dataclass(frozen=True)
class LocalJacobian:
    """∂``of``/∂``by`` for one edge of the graph: the Jacobian, its shape and the rule that gave it."""
    of: str
    by: str
    jacobian: Jacobian
    rule: str

    @property
    def shape(self) -> tuple:
        return self.jacobian.shape

    @property
    def label(self) -> str:
        """'∂u₂/∂u₁', as the steps write it."""
        return f"∂{_name_text(self.of)}/∂{_name_text(self.by)}"


def _derivative_of_function(name: str, u: Expr) -> tuple[Expr, str]:
    """f'(u) for an element-wise function, and the rule in words."""
    if name == "exp":
        return fn("exp", u), "d/du exp(u) = exp(u)"
    if name == "log":
        return div(num(1), u), "d/du ln(u) = 1/u"
    if name == "sin":
        return fn("cos", u), "d/du sin(u) = cos(u)"
    if name == "cos":
        return Expr("neg", (fn("sin", u),), None, u.shape), "d/du cos(u) = -sin(u)"
    if name == "tanh":
        return (Expr("sub", (num(1), power(fn("tanh", u), Fraction(2))), None, u.shape),
                "d/du tanh(u) = 1 - tanh(u)²")
    if name == "sqrt":
        return div(num(1), mul(num(2), fn("sqrt", u))), "d/du √u = 1/(2√u)"
    raise AssertionError(name)


def _local(node: Expr, operand_index: int, out_n: int) -> tuple[Jacobian, str]:
    """The Jacobian of ``node`` with respect to its operand number ``operand_index``, and the rule's name."""
    k = node.kind
    args = node.args
    a = args[operand_index]
    n_in = a.size
    shape = (out_n, n_in)
    vector_out = bool(node.shape)
    if k in ("add", "sub"):
        sign = -1 if (k == "sub" and operand_index == 1) else 1
        if not a.shape and vector_out:            # the scalar of a scalar expansion: a column of ones
            return (_single(_term(shape, Factor("col", ones(out_n)), coef=sign)),
                    "scalar expansion (chapter 06): one scalar moves every output by the same amount, so its "
                    "Jacobian is a column of ones" + (", negated" if sign < 0 else ""))
        if not vector_out:
            return _single(_term(shape, coef=sign)), f"the derivative of a {'difference' if k == 'sub' else 'sum'} of scalars"
        if not args[1 - operand_index].shape:       # the vector of a scalar expansion: x + z moves each entry alone
            return (_single(_term(shape, Factor("I", n=out_n), coef=sign)),
                    f"scalar expansion (chapter 06): the scalar is added to every entry, so each output still reads "
                    f"one entry of this vector, with slope {sign}: {'-' if sign < 0 else ''}I")
        return (_single(_term(shape, Factor("I", n=out_n), coef=sign)),
                f"element-wise {'-' if k == 'sub' else '+'} (chapter 05): each output reads one entry of this "
                f"operand, with slope {sign}, so the Jacobian is {'-' if sign < 0 else ''}I")
    if k == "mul":
        other = args[1 - operand_index]
        if not vector_out:
            return _scale(other, shape), "the product rule for scalars: the derivative by one factor is the other"
        if not a.shape:
            return (_vector_factor("col", other, out_n),
                    "scalar expansion (chapter 06): the scalar multiplies every entry, so its Jacobian is the "
                    "column of the other operand")
        if not other.shape:
            return (_vector_factor("diag", other, out_n),
                    "scalar expansion (chapter 06): a vector times a scalar z has Jacobian zI")
        return (_vector_factor("diag", other, out_n),
                "element-wise ⊗ (chapter 05): output i reads only entry i, so the Jacobian is diagonal, "
                "diag of the other operand")
    if k == "div":
        top, bottom = args
        if operand_index == 0:
            d = div(num(1), bottom)
            rule = "division: ∂(a/b)/∂a = 1/b"
        else:
            d = Expr("neg", (div(top, power(bottom, Fraction(2))),), None, _shape_of_pair(top, bottom))
            rule = "division: ∂(a/b)/∂b = -a/b²"
        if not vector_out:
            return _scale(d, shape), rule
        if not a.shape:
            return _vector_factor("col", d, out_n), rule + ", for the scalar of a scalar expansion a column (chapter 06)"
        return _vector_factor("diag", d, out_n), rule + ", entry by entry: a diagonal Jacobian (chapter 05)"
    if k == "neg":
        if not vector_out:
            return _single(_term(shape, coef=-1)), "a minus sign: slope -1"
        return _single(_term(shape, Factor("I", n=out_n), coef=-1)), "a minus sign on every entry: -I"
    if k == "pow":
        kexp = node.param
        d = mul(num(kexp), power(a, kexp - 1))
        def up(q):
            return _fraction_text(q) if q.denominator == 1 and q >= 0 else f"({_fraction_text(q)})"
        lower = "" if kexp - 1 == 0 else ("·u" if kexp - 1 == 1 else f"·u^{up(kexp - 1)}")
        rule = f"the power rule, d/du u^{up(kexp)} = {_fraction_text(kexp)}{lower}"
        if not vector_out:
            return _scale(d, shape), rule
        return _vector_factor("diag", d, out_n), rule + ", entry by entry: a diagonal Jacobian (chapter 05)"
    if k == "fn":
        d, rule = _derivative_of_function(node.param, a)
        if not vector_out:
            return _scale(d, shape), rule
        return _vector_factor("diag", d, out_n), rule + ", entry by entry: a diagonal Jacobian (chapter 05)"
    if k == "relu":
        c = node.param
        step = Expr("step", (a,), c, a.shape)
        if not vector_out:
            return (_scale(step, shape),
                    f"max({_fraction_text(c)}, u) has slope 1 where u > {_fraction_text(c)} and 0 elsewhere "
                    "(0 at the kink, the paper's convention)")
        return (_single(_term(shape, Factor("diag", step))),
                f"max({_fraction_text(c)}, ·) entry by entry: a diagonal of 1s where the entry is above "
                f"{_fraction_text(c)} and 0s elsewhere (0 at the kink). The paper writes this as a vector of 0s "
                "and 1s; as a Jacobian it is that vector on a diagonal")
    if k in ("sum", "mean"):
        if not a.shape:
            return _single(_term(shape)), f"{k} of a single number is that number"
        per = (a.size,) if k == "mean" else ()
        rule = ("sum reduction (chapter 07): every entry adds to the total with slope 1, so the Jacobian is the "
                "row 1ᵀ") if k == "sum" else (f"the mean is sum/{a.size}: the row 1ᵀ divided by {a.size}")
        return _single(_term(shape, Factor("row", ones(a.size)), per=per)), rule
    if k == "matvec":
        return (_single(_term(shape, Factor("mat", args[0]))),
                "a matrix times a vector, A v: output i is row i of A dotted with v, so the Jacobian is A itself")
    if k == "vecmat":
        return (_single(_term(shape, Factor("matT", args[1]))),
                "a vector times a matrix, vᵀA: output j is column j of A dotted with v, so the Jacobian is Aᵀ")
    raise AssertionError(k)


# --------------------------------------------------------------------------------------------------
# Step 4: simplification into the paper's notation, one kind of rewrite at a time.
def _pass_identity(t: Term, used: list) -> Term:
    factors = [f for f in t.factors if f.kind != "I"]
    if len(factors) == len(t.factors):
        return t
    if not factors and t.shape != (1, 1):         # the identity alone stays
        return t if len(t.factors) == 1 else Term(t.coef, t.scalars, (Factor("I", n=t.shape[0]),), t.shape, t.per)
    used.append("I·A = A·I = A: the identity matrices drop out")
    return Term(t.coef, t.scalars, tuple(factors), t.shape, t.per)


def _pairs(t: Term, rewrite, used: list) -> Term:
    """Apply ``rewrite(left, right)`` to adjacent factors until nothing changes; it returns None (no
    rewrite) or (new, rule): new is a Factor (the pair becomes one factor) or an Expr (a 1×1 number, which
    joins the scalars); rule says which identity was used."""
    factors = list(t.factors)
    scalars = list(t.scalars)
    changed = True
    while changed:
        changed = False
        for i in range(len(factors) - 1):
            found = rewrite(factors[i], factors[i + 1])
            if found is None:
                continue
            new, rule = found
            used.append(rule)
            if isinstance(new, Factor):
                factors[i:i + 2] = [new]
            else:
                factors[i:i + 2] = []
                scalars.append(new)
            changed = True
            break
    return _numbers_in_scalars(Term(t.coef, tuple(scalars), tuple(factors), t.shape, t.per))


def _diagonals(left: Factor, right: Factor):
    if left.kind == "diag" and right.kind == "diag":
        return (Factor("diag", mul(left.expr, right.expr)),
                "diag(a)·diag(b) = diag(a ⊗ b): diagonal matrices multiply entry by entry")
    return None


def _rows_and_columns(left: Factor, right: Factor):
    if left.kind == "row" and right.kind == "diag":
        rule = ("1ᵀdiag(v) = vᵀ: the row of ones adds up each column of the diagonal, which leaves its entries"
                if left.expr.kind == "ones" else "aᵀdiag(b) = (a ⊗ b)ᵀ: a row times a diagonal scales each entry")
        return Factor("row", mul(left.expr, right.expr)), rule
    if left.kind == "diag" and right.kind == "col":
        rule = ("diag(v)·1 = v: a diagonal times the column of ones is its diagonal"
                if right.expr.kind == "ones" else "diag(b)·a = b ⊗ a: a diagonal times a column scales each entry")
        return Factor("col", mul(left.expr, right.expr)), rule
    return None


def _inner(left: Factor, right: Factor):
    if left.kind == "row" and right.kind == "col":
        a, b = left.expr, right.expr
        if a.kind == "ones" and b.kind == "ones":
            return num(a.shape[0]), f"1ᵀ1 = {a.shape[0]}: a row of ones times a column of ones counts the entries"
        if a.kind == "ones" or b.kind == "ones":
            return (Expr("sum", (b if a.kind == "ones" else a,), None, ()),
                    "1ᵀv = sum(v): a row of ones times a column adds its entries")
        return Expr("dot", (a, b), None, ()), "aᵀb = a·b: a row times a column is the dot product, one number"
    return None


def _numbers_in_scalars(t: Term) -> Term:
    """Numbers among the scalar factors join the coefficient."""
    coef = t.coef
    scalars = []
    for s in t.scalars:
        if _is_num(s):
            coef *= s.param
        else:
            scalars.append(s)
    return Term(coef, tuple(scalars), t.factors, t.shape, t.per)


def _collect(terms) -> tuple:
    """Add the coefficients of terms that are the same apart from their number; drop zeros."""
    order, totals, pers = [], {}, {}
    for t in terms:
        key = (t.scalars, t.factors)
        if key not in totals:
            order.append(key)
            totals[key] = Fraction(0)
            pers[key] = t.per
        if pers[key] != t.per:
            totals[key] = totals[key] / math.prod(pers[key]) if pers[key] else totals[key]
            pers[key] = ()
            totals[key] += t.value
        else:
            totals[key] += t.coef
    shape = terms[0].shape if terms else None
    return tuple(Term(totals[k], k[0], k[1], shape, pers[k]) for k in order if totals[k] != 0)


_PASSES = (
    lambda t, used: _pass_identity(t, used),
    lambda t, used: _pairs(t, _diagonals, used),
    lambda t, used: _pairs(t, _rows_and_columns, used),
    lambda t, used: _pairs(t, _inner, used),
)


def _simplify(j: Jacobian) -> list[tuple[str, Jacobian]]:
    """The rewrites that changed something, in order: (the identities used, in words; the Jacobian after)."""
    out = []
    current = Jacobian(_collect([_numbers_in_scalars(t) for t in j.terms]), j.shape)
    for _ in range(8):
        changed = False
        for rewrite in _PASSES:
            used: list = []
            new = Jacobian(_collect([rewrite(t, used) for t in current.terms]), j.shape)
            if new != current:
                if len(new.terms) < len(current.terms) and not used:
                    used.append("equal terms add up")
                rules = list(dict.fromkeys(used))
                out.append((_sentence(rules), new))
                current = new
                changed = True
        if not changed:
            break
    return out


def _sentence(rules) -> str:
    return "; ".join(rules) + "."


def _substitute(e: Expr, definitions: dict) -> Expr:
    if e.kind == "var" and e.param in definitions:
        return definitions[e.param]
    if not e.args:
        return e
    args = tuple(_substitute(a, definitions) for a in e.args)
    return Expr(e.kind, args, e.param, e.shape, e.depends)


def _substitute_jacobian(j: Jacobian, definitions: dict) -> Jacobian:
    def factor(f: Factor) -> Factor:
        return f if f.expr is None else Factor(f.kind, _substitute(f.expr, definitions), f.n)
    terms = tuple(Term(t.coef, tuple(_substitute(s, definitions) for s in t.scalars),
                       tuple(factor(f) for f in t.factors), t.shape, t.per) for t in j.terms)
    return Jacobian(terms, j.shape)


# --------------------------------------------------------------------------------------------------
# Numbers: evaluating a tree at given values (intermediates computed once, in order).
def _evaluate(e: Expr, values: dict):
    k = e.kind
    if k == "var":
        return values[e.param]
    if k == "num":
        return float(e.param)
    if k == "const":
        return _CONSTANTS[e.param]
    if k == "ones":
        return np.ones(e.shape)
    args = [_evaluate(a, values) for a in e.args]
    with np.errstate(all="ignore"):
        if k == "add":
            out = args[0] + args[1]
        elif k == "sub":
            out = args[0] - args[1]
        elif k == "mul":
            out = args[0] * args[1]
        elif k == "div":
            out = args[0] / args[1]
        elif k == "neg":
            out = -args[0]
        elif k == "pow":
            out = np.power(args[0], float(e.param))
        elif k == "fn":
            out = _NUMPY[e.param](args[0])
        elif k == "relu":
            out = np.maximum(float(e.param), args[0])
        elif k == "step":
            out = (np.asarray(args[0]) > float(e.param)).astype(float)
        elif k == "sum":
            out = np.sum(args[0])
        elif k == "mean":
            out = np.mean(args[0])
        elif k in ("matvec", "vecmat", "matmat"):
            out = args[0] @ args[1]
        elif k == "dot":
            out = np.dot(args[0], args[1])
        else:
            raise AssertionError(k)
    if not np.all(np.isfinite(out)):
        where = ""
        bad = np.flatnonzero(~np.isfinite(np.atleast_1d(out)))
        if np.ndim(out):
            where = f" (entry {int(bad[0]) + 1} of {np.size(out)})"
        raise ValueError(f"{_text(e)} is not defined at these values{where}: "
                         f"{_undefined_reason(e, args)}")
    return out


def _undefined_reason(e: Expr, args) -> str:
    if e.kind == "fn" and e.param == "log":
        return "ln needs positive numbers"
    if e.kind == "fn" and e.param == "sqrt":
        return "√ needs numbers ≥ 0 (and its derivative 1/(2√u) needs u > 0)"
    if e.kind == "div":
        return "a division by zero"
    if e.kind == "pow":
        return "a negative or zero number to this power has no real value"
    return "the result overflows"


# --------------------------------------------------------------------------------------------------
# The derivation.
@dataclass(frozen=True)
class Intermediate:
    """One intermediate variable: its ``name`` (u1, u2, …, y for the output), what it computes
    (``definition``, in earlier intermediates), the same ``in_variables`` (substituted back) and its shape."""
    name: str
    definition: Expr
    in_variables: Expr
    shape: tuple

    @property
    def latex(self) -> str:
        return _name_latex(self.name, self.shape)

    @property
    def label(self) -> str:
        """The name as the steps write it: 'u₁'."""
        return _name_text(self.name)


@dataclass(repr=False)
class VectorDerivation(Derivation):
    """:func:`vector_chain_rule_steps`'s result: the steps, and the pieces they are made of.

    ``intermediates`` (in order, the output last), ``local_jacobians`` (one per edge of the graph),
    ``paths`` (each a tuple of names, from the variable to the output), ``product`` (the chain rule's sum of
    products, before simplification), ``simplified`` (in the intermediates) and ``jacobian`` (the result, in
    the original variables), ``shape`` (m, n) of the result, ``shapes`` (every variable's), ``wrt``.
    """
    intermediates: tuple = ()
    local_jacobians: tuple = ()
    paths: tuple = ()
    product: Jacobian | None = None
    simplified: Jacobian | None = None
    jacobian: Jacobian | None = None
    shape: tuple = ()
    shapes: dict = field(default_factory=dict)
    wrt: str = ""
    text: str = ""
    tree: Expr | None = None
    used: tuple = ()

    def __repr__(self) -> str:
        return f"VectorDerivation({self.title!r}, {len(self.steps)} steps, result {self.jacobian})"

    def _values(self, values: dict) -> dict:
        unknown = sorted(set(values) - set(self.shapes))
        if unknown:
            raise TypeError(f"evaluate() got {', '.join(unknown)}, which the derivation does not know; it "
                            f"takes {', '.join(self.used)}")
        missing = [name for name in self.used if name not in values]
        if missing:
            raise TypeError(f"evaluate() needs a value for {', '.join(missing)} "
                            f"(the expression uses {', '.join(self.used)})")
        out = {}
        for name in self.used:
            arr = np.asarray(values[name], dtype=float) if not isinstance(values[name], str) else None
            if arr is None:
                raise TypeError(f"{name} must be numbers, got text")
            if arr.shape != self.shapes[name]:
                raise ShapeError(f"{name} should be {_size_text(self.shapes[name])} (shape {self.shapes[name]}), "
                                 f"as declared in shapes; got shape {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name} contains NaN or infinite entries")
            out[name] = arr
        return out

    def _forward(self, values: dict) -> dict:
        env = self._values(values)
        for node in self.intermediates:
            env[node.name] = _evaluate(node.definition, env)
        return env

    def value(self, /, **values):
        """The expression itself at these values (a number or a 1-D array)."""
        env = self._values(values)
        return _evaluate(self.tree, env) if self.tree is not None else None

    def evaluate(self, /, **values) -> np.ndarray:
        """The derivative at these values, in numerator layout: an (m, n) array for an output of m numbers
        and a variable of n (a scalar counts as 1, so a gradient is a 1×n row). Every name the expression
        uses needs a value of its declared shape."""
        env = self._forward(values)
        return self.simplified.evaluate(env)

    def evaluate_product(self, /, **values) -> np.ndarray:
        """Step 3's product of the local Jacobians, before any simplification, at these values (equal to
        :meth:`evaluate`: the simplification changes how the result is written, not what it is)."""
        env = self._forward(values)
        return self.product.evaluate(env)


def _names_for(count: int, taken: set) -> list[str]:
    """u1 … u(k-1) and y for the output — letters and names no declared variable uses (nor u_1 for u1)."""
    def clashes(letter):
        return any(t == letter or re.fullmatch(re.escape(letter) + r"_?\d+", t) for t in taken)
    letters = [l for l in "uvpqrstabcdgh" if not clashes(l)]
    letter = letters[0] if letters else next(f"u{'_' * k}" for k in range(1, 99) if not clashes(f"u{'_' * k}"))
    outputs = [o for o in ("y", "f", "g", "h", "out", "result") if o not in taken and not clashes(o)]
    out = outputs[0] if outputs else next(f"y{'_' * k}out" for k in range(1, 99) if f"y{'_' * k}out" not in taken)
    if count == 1:
        return [out]
    return [f"{letter}{k}" for k in range(1, count)] + [out]


def _decompose(tree: Expr, wrt: str, taken: set):
    """The intermediates, innermost first (a repeated subexpression is named once), each written in its
    parameters; and the edges (parameter name -> intermediate) with the operand positions they come from."""
    order: list[Expr] = []
    seen: set = set()

    def visit(e: Expr):
        if not e.depends or e.kind == "var" or e in seen:
            return
        for a in e.args:
            visit(a)
        seen.add(e)
        order.append(e)

    visit(tree)
    if len(order) > MAX_OPERATIONS:
        raise DerivationError(f"the expression has {len(order)} operations that depend on {wrt}; more than "
                              f"{MAX_OPERATIONS} are not readable step by step: split it into parts")
    names = _names_for(len(order), taken) if order else []
    name_of = {e: n for e, n in zip(order, names)}

    def written(e: Expr) -> Expr:
        if e in name_of:
            return var(name_of[e], e.shape, True)
        if not e.args or not e.depends:
            return e
        return Expr(e.kind, tuple(written(a) for a in e.args), e.param, e.shape, e.depends)

    intermediates = []
    for e in order:
        definition = Expr(e.kind, tuple(written(a) for a in e.args), e.param, e.shape, e.depends)
        intermediates.append(Intermediate(name_of[e], definition, e, e.shape))
    return intermediates, name_of


def _parameters(node: Intermediate, wrt: str) -> list[tuple[str, list[int]]]:
    """The parameters of an intermediate that depend on the variable, each with the operand positions it
    fills (x ⊗ x fills both)."""
    found: dict[str, list[int]] = {}
    for i, a in enumerate(node.definition.args):
        if a.kind == "var" and a.depends:
            found.setdefault(a.param, []).append(i)
    return list(found.items())


def _d_latex(top: str, top_shape, bottom: str, bottom_shape) -> str:
    return rf"\frac{{\partial {_name_latex(top, top_shape)}}}{{\partial {_name_latex(bottom, bottom_shape)}}}"


def _d_text(top: str, bottom: str) -> str:
    return f"∂{_name_text(top)}/∂{_name_text(bottom)}"


def _jshape(shape) -> tuple:
    return (int(np.prod(shape)) if shape else 1,)


def vector_chain_rule_steps(text: str, wrt: str, shapes) -> VectorDerivation:
    """The paper's derivation of a vector expression's Jacobian, step by step (§4.5.3, as §5–6 use it).

    ``text`` is a formula over the names in ``shapes``: ``+ - * /`` element-wise (a scalar on one side is a
    scalar expansion), ``@`` (matrix–vector, vector–matrix, vector–vector), ``dot(a, b)``, ``sum(v)``,
    ``mean(v)``, ``max(0, v)``, ``exp log ln sin cos tanh sqrt`` entry by entry, ``** k`` for a number k,
    numbers, ``pi`` and ``e``. ``wrt`` names the variable (a scalar or a vector). ``shapes`` maps names to
    shapes, ``{"w": (3,), "X": (100, 3), "b": ()}``, or is text, ``"w: 3, X: 100x3, b: scalar"``.

    ``vector_chain_rule_steps("max(0, dot(w, x) + b)", "w", {"w": (3,), "x": (3,), "b": ()})`` gives §5's
    neuron: u₁ = w ⊗ x, u₂ = sum(u₁), u₃ = u₂ + b, y = max(0, u₃); diag(x), 1ᵀ, 1 and [u₃ > 0]; their product
    [u₃ > 0]·1ᵀdiag(x), which simplifies to [w·x + b > 0] xᵀ: the row xᵀ where the neuron is active, 0ᵀ where
    it is not. ``d.evaluate(w=…, x=…, b=…)`` is that 1×3 row at numbers.

    Refused, each with a message that says why: text outside the grammar (``UnsafeExpressionError``,
    ``ExpressionSyntaxError``, never evaluated); a name without a shape and operands whose shapes do not fit
    (``W @ x`` with W 3×4 and x of length 3), naming the operation and both shapes, and a matrix that would
    depend on ``wrt`` (``ShapeError``); a matrix output or ``wrt`` (the derivative would be a 3-D array);
    more than :data:`MAX_OPERATIONS` intermediates or :data:`MAX_PATHS` paths (``DerivationError``).
    """
    shapes = _check_shapes(shapes)
    if not isinstance(wrt, str):
        raise TypeError(f"wrt must name a variable, e.g. 'w'; got {type(wrt).__name__}")
    if wrt not in shapes:
        raise ShapeError(f"wrt = {wrt!r} has no shape: add it to shapes (the names with shapes are "
                         f"{', '.join(shapes) or 'none'})")
    if len(shapes[wrt]) == 2:
        raise ShapeError(f"{wrt} is a {_box(shapes[wrt])} matrix: the derivative with respect to a matrix is not "
                         "a Jacobian matrix (it would have three or four axes). Take it with respect to a vector "
                         "or a scalar, as the paper does.")
    tree, used = _parse(text, shapes, wrt)
    if len(tree.shape) == 2:
        raise ShapeError(f"{text.strip()} is a {_box(tree.shape)} matrix: the Jacobians here are of a scalar or a "
                         "vector function. Reduce it (sum, mean, @ a vector) first.")
    n = _jshape(shapes[wrt])[0]
    m = tree.size
    out_shape = (m, n)
    used_order = tuple(name for name in shapes if name in used)
    wrt_latex = _name_latex(wrt, shapes[wrt])
    title = f"The vector chain rule, step by step: ∂/∂{wrt} of {text.strip()}"
    d = VectorDerivation(title, shape=out_shape, shapes=shapes, wrt=wrt, text=text.strip(), tree=tree,
                         used=used_order)
    d.steps.append(Step(
        r",\quad ".join(f"{_name_latex(name, shapes[name])} \\in {_space(shapes[name])}" for name in used_order),
        ("The variables: " + "; ".join(f"{name} is {_size_text(shapes[name])}" for name in used_order)
         if used_order else "The expression uses no variable")
        + f". We differentiate with respect to {wrt}, so the other names are constants here. The answer is "
        f"{m}×{n}: one row per output, one column per "
        + (f"entry of {wrt}" if shapes[wrt] else f"variable ({wrt} is a single number)")
        + " (numerator layout).", INTRODUCE))

    if not tree.depends:
        zero = Jacobian((), out_shape)
        d.product = d.simplified = d.jacobian = zero
        d.steps.append(Step(rf"\frac{{\partial}}{{\partial {wrt_latex}}} \left({_latex(tree)}\right) = "
                            + zero.latex(),
                            f"{text.strip()} does not depend on {wrt}: its derivative is the {m}×{n} zero matrix.",
                            RESULT, (ShapeProduct((), out_shape),)))
        return d
    if tree.kind == "var":
        identity = Jacobian((_term(out_shape, Factor("I", n=n)),), out_shape) if shapes[wrt] else \
            Jacobian((_term(out_shape),), out_shape)
        d.product = d.simplified = d.jacobian = identity
        d.steps.append(Step(rf"\frac{{\partial {wrt_latex}}}{{\partial {wrt_latex}}} = {identity.latex()}",
                            f"The expression is {wrt} itself: each entry moves only itself, so the Jacobian is "
                            f"the {n}×{n} identity.", RESULT, (ShapeProduct((), out_shape),)))
        return d

    taken = set(shapes) | set(_CONSTANTS)
    intermediates, _ = _decompose(tree, wrt, taken)
    d.intermediates = tuple(intermediates)
    shape_of = {wrt: shapes[wrt]} | {node.name: node.shape for node in intermediates}

    # step 1: the intermediates, with their shapes
    for node in intermediates:
        definition = node.definition
        note = ""
        if definition.kind == "sum" and definition.param == "dot":
            note = " dot(a, b) is sum(a ⊗ b), so the dot product takes two intermediates, as in the paper's §5."
        d.steps.append(Step(
            rf"{node.latex} = {_latex(definition)} \qquad \text{{({_shape_words(node.shape)})}}",
            f"{_name_text(node.name)} = {_text(definition)}: {_size_text(node.shape)}.{note}", INTRODUCE))

    # step 2: the local Jacobians
    edges: dict[tuple[str, str], LocalJacobian] = {}
    locals_ = []
    for node in intermediates:
        out_n = _jshape(node.shape)[0]
        for param, positions in _parameters(node, wrt):
            parts = [_local(node.definition, i, out_n) for i in positions]
            jac = parts[0][0]
            for extra in parts[1:]:
                jac = jac + extra[0]
            jac = Jacobian(_collect(jac.terms), jac.shape)
            rule = parts[0][1] if len(parts) == 1 else (
                f"{_name_text(param)} is both operands, so the two contributions add: "
                + " plus ".join(f"{part[0].text()} (as the {('first', 'second')[i]} operand)"
                                for i, part in enumerate(parts)) + f", which is {jac.text()}")
            local = LocalJacobian(node.name, param, jac, rule)
            edges[(node.name, param)] = local
            locals_.append(local)
            rows, cols = jac.shape
            d.steps.append(Step(
                rf"{_d_latex(node.name, node.shape, param, shape_of[param])} = {jac.latex()}"
                rf" \qquad \text{{({rows}×{cols})}}",
                f"{_d_text(node.name, param)}, {rows}×{cols}: {rule}.", DIFFERENTIATE,
                (ShapeProduct((), jac.shape),)))
    d.local_jacobians = tuple(locals_)

    # step 3: the product along every path, summed over the paths
    output = intermediates[-1].name
    paths = paths_between(((source, target) for target, source in edges), wrt, output, limit=MAX_PATHS)
    if len(paths) > MAX_PATHS:
        raise DerivationError(f"{wrt} reaches the output along more than {MAX_PATHS} paths; that sum is too "
                              "long to show step by step: split the expression into parts")
    d.paths = tuple(paths)
    path_products = []
    for path in paths:
        jac = None
        for source, target in zip(path, path[1:]):
            local = edges[(target, source)].jacobian
            jac = local if jac is None else local @ jac
        path_products.append(jac)
    product = path_products[0]
    for p in path_products[1:]:
        product = product + p
    d.product = product
    y_latex = _name_latex(output, intermediates[-1].shape)

    def chain_latex(path) -> str:
        return " ".join(_d_latex(t, shape_of[t], s, shape_of[s]) for s, t in reversed(list(zip(path, path[1:]))))

    def boxes(path) -> ShapeProduct:
        factors = tuple(edges[(t, s)].shape for s, t in reversed(list(zip(path, path[1:]))))
        return ShapeProduct(factors, out_shape)

    lhs = rf"\frac{{\partial {y_latex}}}{{\partial {wrt_latex}}}"
    if len(paths) <= SHOWN_PATHS:
        symbolic = " + ".join(chain_latex(p) for p in paths)
        filled = " + ".join(r" \; ".join(edges[(t, s)].jacobian.latex(brackets=True)
                                     for s, t in reversed(list(zip(p, p[1:])))) for p in paths)
        if len(paths) == 1:
            words = (f"The vector chain rule: multiply the local Jacobians along the chain, the outermost first. "
                     f"The shapes multiply out to {out_shape[0]}×{out_shape[1]}: each inner size matches.")
        else:
            words = (f"{wrt} reaches {_name_text(output)} along {len(paths)} paths "
                     f"({'; '.join(' → '.join(_name_text(s) for s in p) for p in paths)}). The vector form of the "
                     "total-derivative rule: multiply the Jacobians along each path, then add the paths.")
        one_edge = len(paths) == 1 and len(paths[0]) == 2
        if not one_edge:                     # with a single operation the chain is that operation's Jacobian
            d.steps.append(Step(f"{lhs} = {symbolic}", words, COMBINE, tuple(boxes(p) for p in paths)))
        d.steps.append(Step(f"{lhs} = {filled}", "Put in the local Jacobians from step 2." if not one_edge else
                            "A single operation: its local Jacobian is the whole derivative.", COMBINE,
                            tuple(boxes(p) for p in paths)))
    else:
        d.steps.append(Step(
            f"{lhs} = " + " + ".join(chain_latex(p) for p in paths[:2]) + r" + \cdots", f"{wrt} reaches {_name_text(output)} along {len(paths)} paths; the vector "
            "form of the total-derivative rule adds the product of the Jacobians along each of them.", COMBINE,
            tuple(boxes(p) for p in paths[:SHOWN_PATHS])))

    # step 4: simplify, then substitute back
    rewrites = _simplify(product)
    distributed = Jacobian(_collect([_numbers_in_scalars(t) for t in product.terms]), out_shape)
    locals_on_paths = [edges[(t, s)].jacobian for p in paths for s, t in zip(p, p[1:])]
    if (any(t.coef != 1 or t.scalars or t.per for j in locals_on_paths for t in j.terms)
            and not (len(paths) == 1 and len(paths[0]) == 2)):
        words = ("Multiply out: numbers and 1×1 factors commute with everything, so they move to the front; the "
                 "matrices keep their order.")
        if len(distributed.terms) < len(product.terms):
            words += " Equal terms add up."
        d.steps.append(Step(f"{lhs} = {distributed.latex()}", words, SIMPLIFY))
    simplified = distributed
    for sentence, jac in rewrites:
        d.steps.append(Step(f"{lhs} = {jac.latex()}", sentence, SIMPLIFY))
        simplified = jac
    d.simplified = simplified
    definitions = {}
    for node in intermediates:
        definitions[node.name] = _substitute(node.definition, definitions)
    result = _substitute_jacobian(simplified, definitions)
    result = Jacobian(_collect(result.terms), out_shape)        # terms equal once written in the variables
    written = result.latex()
    if result != simplified and len(written) > MAX_WRITTEN:
        d.steps.append(Step("", f"Written in the original variables the answer would take {len(written):,} "
                                "characters, so it stays in the intermediates above.", SUBSTITUTE))
        result = simplified
    elif result != simplified:
        names = _listed([_name_text(node.name) for node in intermediates[:-1]
                         if _mentions(simplified, node.name)] or ["the intermediates"])
        d.steps.append(Step(rf"\frac{{\partial}}{{\partial {wrt_latex}}} {_latex.wrap(tree, 9)} = {written}",
                            f"Substitute back {names}, so the answer is in the original variables.", SUBSTITUTE))
    d.jacobian = result
    d.steps.append(Step(
        rf"\frac{{\partial}}{{\partial {wrt_latex}}} {_latex.wrap(tree, 9)} = {result.latex()}"
        rf" \qquad \text{{({out_shape[0]}×{out_shape[1]})}}",
        _result_words(out_shape, wrt, _name_text(output)), RESULT, (ShapeProduct((), out_shape),)))
    d.steps[:] = [_typesettable(step) for step in d.steps]
    return d


def _typesettable(step: Step) -> Step:
    """A step whose formula is too long to typeset readably keeps its sentence and says so."""
    if len(step.latex) <= MAX_STEP_LATEX:
        return step
    return replace(step, latex="", text=step.text + f" (The formula here runs to {len(step.latex):,} characters of "
                                                    "LaTeX, too long to show.)")


def _space(shape) -> str:
    if not shape:
        return r"\mathbb{R}"
    sizes = r" \times ".join(str(n) for n in shape)
    return rf"\mathbb{{R}}^{{{sizes}}}"


def _mentions(j: Jacobian, name: str) -> bool:
    def walk(e: Expr) -> bool:
        return (e.kind == "var" and e.param == name) or any(walk(a) for a in e.args)
    return any(walk(s) for t in j.terms for s in t.scalars) or any(
        f.expr is not None and walk(f.expr) for t in j.terms for f in t.factors)


def _shape_words(shape) -> str:
    if not shape:
        return "scalar"
    if len(shape) == 1:
        return f"vector, {shape[0]}"
    return f"{shape[0]}×{shape[1]}"


def _result_words(out_shape, wrt: str, output: str) -> str:
    rows, cols = out_shape
    if rows == 1 and cols == 1:
        return "The result: a 1×1 derivative, a number."
    if rows == 1:
        return (f"The result: the gradient, a 1×{cols} row (numerator layout). For a gradient-descent step on "
                f"the column vector {wrt}, transpose it: {wrt} − η (∂{output}/∂{wrt})ᵀ.")
    if cols == 1:
        return f"The result: a {rows}×1 column, one entry per output (the variable is a single number)."
    return f"The result: the {rows}×{cols} Jacobian, one row per output and one column per entry of {wrt}."
