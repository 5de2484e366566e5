"""Safe parsing of what a learner types, and symbolic derivatives (paper §2, scalar derivative rules).

A learner types ``sin(x**2)`` into an exercise or the stepper. We turn that text into a SymPy expression
**without ever evaluating it as Python**: :func:`parse_expression` asks Python's parser for a syntax tree
(``ast.parse``, which only reads the text) and then walks that tree, accepting a small whitelist of node
kinds and building the SymPy object for each node itself. Anything else — attribute access, imports,
lambdas, strings, indexing, keyword arguments, unknown names — is refused with an
:class:`UnsafeExpressionError` that says what was refused and what is allowed. SymPy's own ``sympify``
and ``parse_expr`` call Python's ``eval`` and must never see learner text.

The grammar a learner may use::

    numbers      2   0.5   1e-3          (short decimals are stored exactly: 0.5 becomes 1/2)
    variables    x   (or whichever names the exercise declares)
    constants    pi   e
    operators    +  -  *  /  **  (and ^ as a synonym for **)   unary + and -
                 (numeric exponents are limited to ±1000)
    functions    sin cos tan cot sec csc asin acos atan    (arcsin arccos arctan are the same)
                 sinh cosh tanh asinh acosh atanh        (arcsinh arccosh arctanh are the same)
                 exp log ln sqrt abs sign max

Symbols are real (``sympy.Symbol(name, real=True)``), which is the setting of the paper: every ``x`` is a
real number. Use :func:`symbols` to make symbols with the same assumptions, so expressions you build in a
notebook compare equal to the ones the parser builds.

Constants must be real numbers too. While it builds, the parser computes every constant part in floating
point (cheap and bounded: SymPy's own reasoning about a constant such as ``pi/log(asin(pi))`` can take
minutes) and treats one that is not real — ``sqrt(-1)``, ``asin(2)``, ``log(-3)``, ``(-8)**(1/3)`` — as
undefined, like ``1/0``. By default such a part becomes SymPy's ``nan`` (``1/0`` stays ``zoo``): the checker
and :mod:`mcdl.functions` report those as undefined everywhere. With ``strict=True``, and in every
derivative and derivation, a part without a real value is refused with an :class:`UndefinedExpressionError`
that names it: "cot(0) is undefined (division by zero)". ``max`` compares real numbers, so an argument
without a real value is always refused.

Every parse, derivative and derivation of a short formula is bounded by deterministic rules (the same text
always gives the same answer, on any machine), never by a clock: :func:`tidy` tries a fixed set of cheap
rewrites and never ``sympy.simplify``; a function of a constant beyond floating point (``sin(10**400)``), more
than :data:`MAX_NON_REAL_DEPTH` operations stacked on a part that may not be real for a real x (``ln(x)``,
``sqrt(x)``: fewer for tanh), and, in a derivative, abs or max of more than :data:`MAX_NON_REAL_PARTS` such
parts are refused with an :class:`UnsafeExpressionError` that says so — SymPy's reasoning about those grows
exponentially.
"""
from __future__ import annotations

import ast
import builtins
import functools
import math
import re
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import sympy
from sympy.printing.latex import LatexPrinter

__all__ = [
    "UnsafeExpressionError", "ExpressionSyntaxError", "UndefinedExpressionError",
    "parse_expression", "symbols", "symbolic_derivative", "tidy", "to_latex", "to_function",
    "FUNCTIONS", "CONSTANTS", "ALIASES", "MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT", "MAX_NON_REAL_PARTS",
    "MAX_NON_REAL_DEPTH",
]

# --------------------------------------------------------------------------------------------------
# Limits: a learner's expression is short; these stop hostile input from exhausting the kernel.
MAX_LENGTH = 500           # characters
MAX_DEPTH = 60             # depth of the syntax tree
MAX_EXPONENT = 1000        # |n| in a power u**n with n a number (9**9**9 would take the kernel down)
MAX_RESULT_BITS = 100_000  # size of an exact number c**n computed from numbers c and n
MAX_NON_REAL_DEPTH = 8     # operations stacked on a part that may not be real (sqrt(x), ln(x), asin(x), ...)
_TANH_DEPTH = 4            # ... and for tanh, sinh, cosh of such a part (see _Builder._maybe_real)
_LIKE_TANH = ("tanh", "sinh", "cosh")
MAX_NON_REAL_PARTS = 2     # parts that may be non-real, inside one abs, sign, max or min, for an exact derivative
_SIMPLIFY_MAX_OPS = 200    # larger derivatives are returned as differentiated, not simplified
_CANCEL_MAX_OPS = 40       # sympy.cancel (polynomial arithmetic) only on expressions this small


class UnsafeExpressionError(ValueError):
    """The text parses as Python, but uses something outside the expression whitelist."""


class ExpressionSyntaxError(ValueError):
    """The text is not a well-formed expression (unbalanced brackets, ``2x``, a dangling ``*``)."""


class UndefinedExpressionError(ValueError):
    """A part of the expression has no real value: a division by zero (``1/0``, ``cot(0)``), the log of 0,
    a number that is not real (``sqrt(-1)``, ``asin(2)``), or ``max`` of such a part.

    ``part`` is that part as the learner wrote it (or as SymPy prints it), ``reason`` says why.
    """

    def __init__(self, message: str, part: str = "", reason: str = ""):
        super().__init__(message)
        self.part, self.reason = part, reason


# --------------------------------------------------------------------------------------------------
# The whitelist: one table each for functions and constants (the error messages read them too).
# name -> (SymPy builder, number of arguments: an int, or (min, None) for "at least min")
FUNCTIONS: dict[str, tuple[Callable, object]] = {
    "sin": (sympy.sin, 1), "cos": (sympy.cos, 1), "tan": (sympy.tan, 1),
    "cot": (sympy.cot, 1), "sec": (sympy.sec, 1), "csc": (sympy.csc, 1),
    "asin": (sympy.asin, 1), "acos": (sympy.acos, 1), "atan": (sympy.atan, 1),
    "arcsin": (sympy.asin, 1), "arccos": (sympy.acos, 1), "arctan": (sympy.atan, 1),
    "sinh": (sympy.sinh, 1), "cosh": (sympy.cosh, 1), "tanh": (sympy.tanh, 1),
    "asinh": (sympy.asinh, 1), "acosh": (sympy.acosh, 1), "atanh": (sympy.atanh, 1),
    "arcsinh": (sympy.asinh, 1), "arccosh": (sympy.acosh, 1), "arctanh": (sympy.atanh, 1),
    "exp": (sympy.exp, 1), "log": (sympy.log, 1), "ln": (sympy.log, 1),
    "sqrt": (sympy.sqrt, 1), "abs": (sympy.Abs, 1), "sign": (sympy.sign, 1),
    "max": (sympy.Max, (2, None)), "Max": (sympy.Max, (2, None)),
}
CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}
# numpy's spellings of the inverse functions: the same function, known by the usual name everywhere else
ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan",
           "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh"}

_FUNCTION_LIST = ("sin, cos, tan, cot, sec, csc, asin, acos, atan (or arcsin, arccos, arctan), sinh, cosh, tanh, "
                  "asinh, acosh, atanh (or arcsinh, ...), exp, log (= ln), sqrt, abs, sign, max")

# What each refused node kind is called in a message (the key is the ast class name).
_REFUSED = {
    "Attribute": "attribute access (`.`)",
    "Subscript": "indexing (`[...]`)",
    "Lambda": "a lambda function",
    "ListComp": "a list comprehension", "SetComp": "a set comprehension",
    "DictComp": "a dict comprehension", "GeneratorExp": "a generator expression",
    "List": "a list (`[...]`)", "Tuple": "a tuple (values separated by commas)",
    "Set": "a set (`{...}`)", "Dict": "a dict (`{...: ...}`)",
    "IfExp": "a conditional expression (`... if ... else ...`)",
    "Compare": "a comparison (`<`, `>`, `==`, ...)",
    "BoolOp": "a logical operator (`and`, `or`)",
    "NamedExpr": "an assignment (`:=`)",
    "JoinedStr": "an f-string", "FormattedValue": "an f-string",
    "Starred": "argument unpacking (`*`)",
    "Await": "`await`", "Yield": "`yield`", "YieldFrom": "`yield from`",
    "Slice": "a slice (`:`)",
}
_REFUSED_OPERATORS = {
    ast.FloorDiv: "`//` (floor division)", ast.Mod: "`%` (remainder)", ast.MatMult: "`@`",
    ast.LShift: "`<<`", ast.RShift: "`>>`", ast.BitOr: "`|`", ast.BitAnd: "`&`", ast.BitXor: "`^`",
    ast.Not: "`not`", ast.Invert: "`~`",
}
_REFUSED_STATEMENTS = {
    "Import": "an `import` statement", "ImportFrom": "an `import` statement",
    "Assign": "an assignment (`=`)", "AugAssign": "an assignment (`+=`, ...)",
    "AnnAssign": "an annotated assignment", "FunctionDef": "a function definition (`def`)",
    "AsyncFunctionDef": "a function definition (`def`)", "ClassDef": "a class definition",
    "For": "a `for` loop", "While": "a `while` loop", "With": "a `with` block", "If": "an `if` statement",
    "Try": "a `try` block", "Delete": "a `del` statement", "Global": "a `global` statement",
    "Nonlocal": "a `nonlocal` statement", "Return": "a `return` statement", "Raise": "a `raise` statement",
    "Assert": "an `assert` statement", "Pass": "a `pass` statement",
}
_IMPLICIT_PRODUCT = re.compile(r"\d\s*[A-Za-z_(]|\)\s*[\w(]")


def _allowed(variables: tuple[str, ...]) -> str:
    """The sentence every refusal ends with: what *is* allowed."""
    names = ", ".join(variables) if variables else "(none)"
    word = "variable" if len(variables) == 1 else "variables"
    return (f"use only numbers, the {word} {names}, the constants pi and e, the operators + - * / ** "
            f"and the functions {_FUNCTION_LIST}")


def _refuse(what: str, variables: tuple[str, ...]) -> UnsafeExpressionError:
    return UnsafeExpressionError(f"{what} is not allowed in an expression; {_allowed(variables)}.")


def _short(value) -> str:
    """A number for a message: long ones are abbreviated (10**400 has 401 digits)."""
    text = str(value)
    return text if len(text) <= 24 else f"{text[:10]}…({len(text)} digits)"


# --------------------------------------------------------------------------------------------------
# Symbols
def _normalise_names(names: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(names, str):
        names = [n for n in re.split(r"[\s,]+", names) if n]
    names = tuple(names)
    for name in names:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"variable names must be identifiers like 'x' or 'w1', got {name!r}")
        if name in FUNCTIONS or name in CONSTANTS:
            raise ValueError(f"{name!r} is a function or constant name and cannot be a variable")
    return names


def symbols(*names: str) -> tuple[sympy.Symbol, ...]:
    """Real SymPy symbols, the same ones :func:`parse_expression` creates.

    ``x, = symbols("x")`` or ``x, y = symbols("x", "y")`` (``symbols("x y")`` works too). Always a tuple.
    """
    flat: list[str] = []
    for name in names:
        flat.extend(_normalise_names(name))
    return tuple(sympy.Symbol(name, real=True) for name in flat)


# --------------------------------------------------------------------------------------------------
# Parsing: text -> syntax tree (Python's parser; nothing is executed) -> checked -> SymPy, node by node.
def _caret_message(text: str, err: SyntaxError) -> str:
    """A friendly syntax-error message with a caret under the place where Python's parser stopped."""
    lines = text.split("\n")
    lineno = min(max(err.lineno or 1, 1), len(lines))
    line = lines[lineno - 1]
    # The parser saw ^ replaced by **: map its column back to the text the learner typed.
    column = (err.offset or 0) - 1
    if column < 0:
        column = len(line.replace("^", "**"))
    original, seen = 0, 0
    for ch in line:
        width = 2 if ch == "^" else 1
        if seen + width > column:
            break
        seen += width
        original += 1
    reason = err.msg or "invalid syntax"
    hint = ""
    if "never closed" in reason or text.count("(") > text.count(")"):
        hint = "Check that every '(' has a matching ')'."
    elif text.count(")") > text.count("("):
        hint = "There is a ')' without a matching '('."
    elif _IMPLICIT_PRODUCT.search(text):
        hint = "Multiplication must be written with '*', e.g. 2*x or (x+1)*(x-1)."
    message = f"could not read this expression ({reason}) at position {original + 1}:\n{line}\n{' ' * original}^"
    return f"{message}\n{hint}" if hint else message


def _statement_kind(text: str) -> str | None:
    """If the text is a Python statement (``import os``, ``x = 1``, ``x; y``), say which; else None.

    ``ast.parse`` in exec mode only parses; nothing is run.
    """
    try:
        module = ast.parse(text, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(module.body) > 1:
        return "more than one expression (separated by `;` or new lines)"
    if module.body and not isinstance(module.body[0], ast.Expr):
        kind = type(module.body[0]).__name__
        return _REFUSED_STATEMENTS.get(kind, f"a Python statement ({kind})")
    return None


_CHAINABLE = (ast.Add, ast.Sub, ast.Mult, ast.Div)


def _is_chain_link(node: ast.AST) -> bool:
    """A left-associative link of a flat chain such as a + b - c + d or a*b/c (not nesting)."""
    return isinstance(node, ast.BinOp) and isinstance(node.op, _CHAINABLE)


def _check_depth(tree: ast.AST) -> None:
    """Refuse trees nested deeper than MAX_DEPTH (checked iteratively, so no RecursionError can escape).

    A flat chain like x + x + ... + x is not nesting, so its left spine does not add depth.
    """
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UnsafeExpressionError(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels); "
                "split it into smaller pieces")
        for child in ast.iter_child_nodes(node):
            same_chain = _is_chain_link(node) and child is node.left and _is_chain_link(child)
            stack.append((child, depth if same_chain else depth + 1))


def _number(value, variables: tuple[str, ...]) -> sympy.Expr:
    """A numeric literal. Short decimals are stored exactly (0.1 -> 1/10) so comparisons are exact."""
    if isinstance(value, bool) or value is None or value is Ellipsis:
        raise _refuse(f"the value {value!r}", variables)
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnsafeExpressionError("a number in the expression is too large (beyond about 1e308)")
        text = repr(value)
        if "e" in text or len(text) > 12:     # 1e300 or 0.1234567890123 stay floating point
            return sympy.Float(text)
        return sympy.Rational(text)
    if isinstance(value, complex):
        raise _refuse("a complex number (`j`)", variables)
    if isinstance(value, (str, bytes)):
        raise _refuse("text in quotes (a string)", variables)
    raise _refuse(f"the literal {value!r}", variables)


def _power(base: sympy.Expr, exponent: sympy.Expr, variables) -> sympy.Expr:
    """base ** exponent, refusing numeric exponents beyond ±MAX_EXPONENT (9**9**9 would never finish)
    and exact numeric powers with more than MAX_RESULT_BITS bits."""
    if exponent.is_Number and exponent.is_finite:       # (nan and zoo are Numbers too)
        if abs(exponent) > MAX_EXPONENT:
            raise UnsafeExpressionError(
                f"the exponent in {_short(base)} ** {_short(exponent)} is too large: numeric exponents are "
                f"limited to ±{MAX_EXPONENT}")
        if base.is_Rational and base != 0:
            bits = float(abs(exponent)) * max(math.log2(abs(base.p)), math.log2(abs(base.q)), 1.0)
            if bits > MAX_RESULT_BITS:
                raise UnsafeExpressionError(
                    f"the power {_short(base)} ** {_short(exponent)} is too large to compute exactly")
    return sympy.Pow(base, exponent)


# --------------------------------------------------------------------------------------------------
# Real values of constant parts, in floating point. SymPy decides whether a constant such as
# pi/log(asin(pi)) is real by symbolic reasoning that can take minutes; one floating-point operation per
# node is enough to see that asin(pi) is not real (|pi| > 1), so no SymPy builder ever sees such a part.
_UNDEFINED_ATOMS = (sympy.S.ComplexInfinity, sympy.S.NaN, sympy.S.Infinity, sympy.S.NegativeInfinity)
_EDGE = 1e-12       # a computed (inexact) operand this close to a domain's edge counts as on the edge


@dataclass(frozen=True)
class _Part:
    """What is known about one SymPy subexpression: constant or not, its real value, whether it is undefined."""
    constant: bool                 # no variables in it
    value: float | None = None     # its real value (a constant), None when floating point cannot say
    exact: bool = False            # the value is an exact rational (so no rounding slack at a domain edge)
    undefined: bool = False        # it contains zoo, nan, oo or -oo


_VARIES = _Part(constant=False)


def _slack(value: float, exact: bool) -> float:
    return 0.0 if exact else _EDGE * max(1.0, abs(value))


def _approx(value: float, exact: bool = False) -> str:
    """'= -1' for an exact value, '≈ 3.142' for a computed one."""
    return f"= {value:.4g}" if exact and float(value).is_integer() else f"≈ {value:.4g}"


def _real_value(kind: str, values: list, exact: list) -> tuple[float | None, str | None]:
    """The real value of one operation on real constants: ``(value, None)``; ``(None, None)`` when floating point
    cannot say (an overflow, a pole); ``(None, why)`` when the result is not a real number.

    ``kind`` is an operator (add, sub, mul, div, neg, pow) or a function name (sin, sqrt, max, ...).
    """
    if any(v is None for v in values):
        return None, None
    u = values[0] if values else 0.0
    try:
        if kind == "pow":
            base, power = values
            whole = power.is_integer() if exact[1] else abs(power - round(power)) <= _slack(power, False)
            if base < -_slack(base, exact[0]) and not whole:
                return None, (f"a negative number to a fractional power is not real: the base "
                              f"{_approx(base, exact[0])}, the exponent {_approx(power, exact[1])}")
            if base < 0 and not whole:
                base = 0.0
            value = math.pow(base, round(power) if whole else power)
        elif kind == "sqrt":
            if u < -_slack(u, exact[0]):
                return None, f"sqrt(u) needs u ≥ 0, and here u {_approx(u, exact[0])}"
            value = math.sqrt(max(u, 0.0))
        elif kind in ("log", "ln"):
            if u < -_slack(u, exact[0]):
                return None, f"log(u) needs u > 0, and here u {_approx(u, exact[0])}"
            value = math.log(u) if u > 0 else None
        elif kind in ("asin", "acos"):
            if abs(u) > 1 + _slack(1.0, exact[0]):
                return None, f"{kind}(u) needs −1 ≤ u ≤ 1, and here u {_approx(u, exact[0])}"
            value = (math.asin if kind == "asin" else math.acos)(min(1.0, max(-1.0, u)))
        elif kind == "acosh":
            if u < 1 - _slack(1.0, exact[0]):
                return None, f"acosh(u) needs u ≥ 1, and here u {_approx(u, exact[0])}"
            value = math.acosh(max(u, 1.0))
        elif kind == "atanh":
            if abs(u) > 1 + _slack(1.0, exact[0]):
                return None, f"atanh(u) needs −1 < u < 1, and here u {_approx(u, exact[0])}"
            value = math.atanh(u) if abs(u) < 1 else None      # atanh(±1) is infinite
        elif kind in _FLOAT_RULES:
            value = _FLOAT_RULES[kind](*values)
        else:
            return None, None
    except (OverflowError, ValueError, ZeroDivisionError):
        return None, None
    if value is None or not math.isfinite(value):
        return None, None
    return float(value), None


_FLOAT_RULES: dict[str, Callable] = {
    "add": lambda *v: math.fsum(v), "sub": lambda a, b: a - b, "neg": lambda a: -a,
    "mul": lambda *v: math.prod(v), "div": lambda a, b: a / b,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "atan": math.atan, "exp": math.exp, "tanh": math.tanh,
    "sinh": math.sinh, "cosh": math.cosh, "asinh": math.asinh, "sign": lambda u: float((u > 0) - (u < 0)),
    "cot": lambda u: 1 / math.tan(u), "sec": lambda u: 1 / math.cos(u), "csc": lambda u: 1 / math.sin(u),
    "abs": abs, "max": max, "min": min,
}
# SymPy classes whose constant instances _Reals evaluates, by the kind _real_value knows them as.
_SYMPY_KINDS: dict[type, str] = {sympy.Add: "add", sympy.Mul: "mul", sympy.Pow: "pow", sympy.Abs: "abs",
                                 sympy.log: "log", sympy.exp: "exp", sympy.Max: "max", sympy.Min: "min"}
_SYMPY_KINDS.update({getattr(sympy, name): name for name in
                     ("sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "tanh", "sinh", "cosh",
                      "asinh", "acosh", "atanh", "sign")})


class _Reals:
    """Floating-point facts about the subexpressions of SymPy expressions (memoised, one visit per node)."""

    def __init__(self):
        self.parts: dict[sympy.Basic, _Part] = {}

    def __getitem__(self, expr) -> _Part:
        return self.parts[expr]

    def visit(self, expr: sympy.Basic) -> tuple[sympy.Basic, str] | None:
        """Learn about expr and its subexpressions, innermost first; return the first constant part that is
        not a real number and why, or None."""
        parts, stack = self.parts, [expr]
        while stack:
            e = stack[-1]
            if e in parts:
                stack.pop()
                continue
            pending = [a for a in e.args if a not in parts]
            if pending:
                stack.extend(reversed(pending))
                continue
            stack.pop()
            part, why = self._one(e)
            parts[e] = part
            if why:
                return e, why
        return None

    def _one(self, e) -> tuple[_Part, str | None]:
        if e in _UNDEFINED_ATOMS:
            return _Part(constant=True, undefined=True), None
        if e.is_Symbol:
            return _VARIES, None
        if e is sympy.S.ImaginaryUnit:
            return _Part(constant=True), "I is the imaginary unit"
        if e.is_Number or e.is_NumberSymbol:
            try:
                value = float(e)
            except (OverflowError, TypeError, ValueError):
                value = None
            return _Part(True, value if value is not None and math.isfinite(value) else None, e.is_Rational), None
        children = [self.parts[a] for a in e.args]
        undefined = any(c.undefined for c in children)
        if not children or not all(c.constant for c in children):
            return _Part(constant=False, undefined=undefined), None
        kind = _SYMPY_KINDS.get(type(e))
        if kind is None or undefined:
            return _Part(constant=True, undefined=undefined), None
        value, why = _real_value(kind, [c.value for c in children], [c.exact for c in children])
        return _Part(constant=True, value=value), why

    def first_undefined(self, expr) -> sympy.Basic | None:
        """The first of zoo, nan, oo, -oo in expr (expr visited already), or None."""
        if not self.parts[expr].undefined:
            return None
        return next((a for a in sympy.preorder_traversal(expr) if a in _UNDEFINED_ATOMS), None)


_ATOM_NAMES = {sympy.S.ComplexInfinity: "zoo (complex infinity, what 1/0 gives)",
               sympy.S.NaN: "nan (not a number, what 0/0 gives)",
               sympy.S.Infinity: "oo (infinity)", sympy.S.NegativeInfinity: "-oo (minus infinity)"}


def _require_defined(expr: sympy.Expr, what: str = "the expression") -> sympy.Expr:
    """expr itself, or an UndefinedExpressionError naming a part of it without a real value (for SymPy input)."""
    reals = _Reals()
    found = reals.visit(expr)
    if found is not None:
        part, why = found
        shown = _clip(sympy.sstr(part), 60)
        raise UndefinedExpressionError(
            f"{shown} in {what} is not a real number ({why}), so {what} is undefined; this course works with "
            "real numbers", shown, why)
    atom = reals.first_undefined(expr)
    if atom is not None:
        raise UndefinedExpressionError(
            f"{what} contains {_ATOM_NAMES[atom]}, so it is undefined here; remove or change that part",
            str(atom), _ATOM_NAMES[atom])
    return expr


# The five arithmetic operators, each mapped to the SymPy object it builds.
_ARITHMETIC = {
    ast.Add: lambda a, b, v: sympy.Add(a, b),
    ast.Sub: lambda a, b, v: sympy.Add(a, -b),
    ast.Mult: lambda a, b, v: sympy.Mul(a, b),
    ast.Div: lambda a, b, v: sympy.Mul(a, sympy.Pow(b, -1)),
    ast.Pow: _power,
}


# --------------------------------------------------------------------------------------------------
# Keeping the learner's structure (parse_expression(..., evaluate=False), which the chain-rule steps use):
# SymPy would merge x*x**2 into x**3 and x + x into 2*x before a derivation could show the paper's
# intermediates. Here sums and products are only flattened (a*b*c is one product, as a reader sees it), their
# numbers gathered into one coefficient, and the remaining parts put in SymPy's own order, so that an expression
# with nothing to merge is the very object the evaluating parser builds.
try:
    from sympy.core.add import _addsort as _sort_terms
    from sympy.core.mul import _mulsort as _sort_factors
except ImportError:                      # an older or newer SymPy without them: keep the written order
    def _sort_terms(args):
        return None

    _sort_factors = _sort_terms


def _kept_add(*terms) -> sympy.Expr:
    flat = [a for t in terms for a in (t.args if t.is_Add else (t,))]
    constant = sympy.Add(*[a for a in flat if a.is_Number])
    rest = [a for a in flat if not a.is_Number]
    _sort_terms(rest)
    args = ([constant] if constant != 0 else []) + rest
    return args[0] if len(args) == 1 else sympy.Add(*args, evaluate=False)


def _kept_mul(*factors) -> sympy.Expr:
    flat = [a for f in factors for a in (f.args if f.is_Mul else (f,))]
    coefficient = sympy.Mul(*[a for a in flat if a.is_Number])
    if coefficient == 0:
        return sympy.Integer(0)
    rest = [a for a in flat if not a.is_Number]
    _sort_factors(rest)
    args = ([coefficient] if coefficient != 1 else []) + rest
    return args[0] if len(args) == 1 else sympy.Mul(*args, evaluate=False)


def _kept_pow(base, exponent) -> sympy.Expr:
    return sympy.Pow(base, exponent) if base.is_Number and exponent.is_Number else \
        sympy.Pow(base, exponent, evaluate=False)


_KEPT: dict[str, Callable] = {
    "add": _kept_add, "sub": lambda a, b: _kept_add(a, _kept_mul(sympy.Integer(-1), b)),
    "neg": lambda a: _kept_mul(sympy.Integer(-1), a), "mul": _kept_mul,
    "div": lambda a, b: _kept_mul(a, _kept_pow(b, sympy.Integer(-1))),
}


def _kept(kind: str, build: Callable) -> Callable:
    """The structure-keeping version of one operation (``build`` is the evaluating one)."""
    if kind in _KEPT:
        return _KEPT[kind]
    if kind == "pow":
        def power(base, exponent):
            build(base, exponent)        # the evaluating builder's checks: exponents within ±MAX_EXPONENT, ...
            return _kept_pow(base, exponent)
        return power
    if kind in ("max", "min"):           # SymPy compares the arguments: nothing of the learner's to lose
        return build
    return lambda *args: build(*args, evaluate=False)


class _Builder:
    """Walks a syntax tree and builds the SymPy expression: one method per allowed node kind.

    ``_ALLOWED`` (below the class) is the whole whitelist; every other node kind is refused. Every operator and
    function goes through :meth:`_combine`, which keeps constant parts real and notes (``strict``: refuses) the
    first part without a value.
    """

    def __init__(self, variables: tuple[str, ...], source: str = "", strict: bool = False, caret: bool = False,
                 evaluate: bool = True):
        self.variables = variables
        self.symbols = dict(zip(variables, symbols(*variables))) if variables else {}
        self.source, self.strict, self.caret = source, strict, caret     # caret: the learner wrote ^ for powers
        self.evaluate = evaluate       # False: keep the learner's structure wherever a variable is involved
        self.reals = _Reals()
        self.undefined: list[UndefinedExpressionError] = []    # each part found without a value, in order
        self.unreal: dict[sympy.Basic, tuple[int, bool, str]] = {}  # see _maybe_real: (depth, ≥ 0, origin)

    def build(self, node: ast.AST) -> sympy.Expr:
        method = _ALLOWED.get(type(node))
        if method is None:
            what = _REFUSED.get(type(node).__name__, f"the Python construct `{type(node).__name__}`")
            raise _refuse(what, self.variables)
        return method(self, node)

    # -- what the learner wrote, for messages
    def _text(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node) or ast.unparse(node)
        return _clip(text.replace("**", "^") if self.caret else text, 60)

    # -- every operation: constants stay real; a part without a value is noted, or refused when strict
    def _leaf(self, value: sympy.Expr) -> sympy.Expr:
        self.reals.visit(value)
        return value

    def _combine(self, node, kind: str, build: Callable, operands: list, name: str = "") -> sympy.Expr:
        parts = [self.reals[op] for op in operands]
        undefined_before = any(p.undefined for p in parts)
        if not undefined_before and all(p.constant for p in parts):
            _, why = _real_value(kind, [p.value for p in parts], [p.exact for p in parts])
            if why:
                return self._no_value(node, f"{self._text(node)} is not a real number ({why})", why)
        exact_power = kind == "pow" and all(op.is_Rational for op in operands)     # MAX_RESULT_BITS bounds it
        if kind not in ("add", "sub", "mul", "div", "neg", "max", "min") and not exact_power and \
                any(p.constant and p.value is None and not p.undefined for p in parts):
            # sin(10**(10**13)) would need 10**13 digits of pi: SymPy tries, and never finishes
            raise UnsafeExpressionError(
                f"{self._text(node)} is too large to compute: a number in it is beyond about 1e308")
        maybe = self._maybe_real(node, kind, operands, parts)
        if not self.evaluate and not all(p.constant for p in parts):
            build = _kept(kind, build)
        if name:
            try:
                result = build(*operands)
            except (ValueError, TypeError, ArithmeticError) as err:      # e.g. an overflow inside SymPy
                raise UnsafeExpressionError(f"{self._text(node)} cannot be computed: {err}") from None
        else:
            result = build(*operands)
        found = self.reals.visit(result)
        if found is not None:                # SymPy made a non-real number (rare: the rules above come first)
            return self._no_value(node, f"{self._text(node)} is not a real number ({found[1]})", found[1])
        if self.reals[result].undefined and not undefined_before:
            why = _why_undefined(kind, operands, result)
            self._no_value(node, f"{self._text(node)} is undefined ({why})", why, keep=True)
        if not self.reals[result].constant:
            self.unreal[result] = maybe
        return result

    def _maybe_real(self, node, kind: str, operands: list, parts: list) -> tuple[int, bool, str]:
        """How deep this node sits above a part that may not be real for real variables, by cheap rules of our
        own (no SymPy queries): (depth, known to be ≥ 0, the innermost such part). 0 means real.

        SymPy's own assumption queries on a function of a part that may be non-real (is tanh(u) real?) expand
        the real and imaginary parts of u, a cost that multiplies with every such layer (seconds at 7 layers),
        so nodes deeper than MAX_NON_REAL_DEPTH are refused before SymPy builds them."""
        known = [self.unreal.get(op, (0, p.constant and p.value is not None and p.value >= 0, ""))
                 for op, p in zip(operands, parts)]
        depths = [k[0] for k in known]
        nonneg = all(k[1] for k in known)
        deepest = max(range(len(known)), key=lambda i: depths[i]) if known else 0
        origin = known[deepest][2] if known else ""
        if not any(depths):
            if kind in ("add", "mul", "div"):
                return 0, nonneg, ""
            if kind in ("sub", "neg"):
                return 0, False, ""
            if kind == "pow":
                base, exponent = operands
                if parts[1].constant and parts[1].value is not None and float(parts[1].value).is_integer():
                    return 0, known[0][1] or parts[1].value % 2 == 0, ""
                if known[0][1]:                            # a base ≥ 0: 2**x, (x**2 + 1)**0.5
                    return 0, True, ""
            elif kind in ("sin", "cos", "tan", "cot", "sec", "csc", "atan", "tanh", "sinh", "asinh", "sign",
                          "max", "min"):
                return 0, False, ""
            elif kind in ("exp", "abs", "cosh"):
                return 0, True, ""
            elif kind in ("sqrt", "log", "ln") and known[0][1]:
                return 0, kind == "sqrt", ""
            elif kind in ("asin", "acos") and isinstance(operands[0], (sympy.sin, sympy.cos, sympy.tanh)):
                return 0, kind == "acos", ""
            return 1, False, self._text(node)     # sqrt(x), ln(x), asin(x), acosh(x), x**0.5: may not be real
        if kind == "abs":
            return 0, True, ""                                  # |u| is real
        several = sum(1 for d in depths if d) > 1
        depth = max(depths) + (0 if kind in ("add", "sub", "neg") and not several else 1)
        # tanh is the costly one: SymPy decides whether tanh(u) is real by expanding u's real and imaginary
        # parts and reducing them modulo pi (2.6 s for tanh of 5 stacked operations on ln(x); other functions: 0.2 s)
        limit = _TANH_DEPTH if kind in _LIKE_TANH else MAX_NON_REAL_DEPTH
        if depth > limit:
            raise UnsafeExpressionError(
                f"{self._text(node)} stacks more than {limit} operations on {origin}, which may not be a real "
                "number: deciding whether such an expression is real takes SymPy far too long; split it into "
                "smaller pieces")
        return depth, False, origin

    def _no_value(self, node, what: str, why: str, keep: bool = False) -> sympy.Expr:
        """A part without a value: strict, refuse it; else note it and go on with nan (zoo etc. stay as built)."""
        error = UndefinedExpressionError(f"{what}, so the whole expression is undefined; remove or change "
                                         "that part", self._text(node), why)
        if self.strict:
            raise error
        self.undefined.append(error)
        return None if keep else self._leaf(sympy.nan)

    # -- the node kinds
    def _Expression(self, node):
        return self.build(node.body)

    def _Constant(self, node):
        return self._leaf(_number(node.value, self.variables))

    def _Name(self, node):
        name = node.id
        if name in self.symbols:
            return self._leaf(self.symbols[name])
        if name in CONSTANTS:
            return self._leaf(CONSTANTS[name])
        if name in FUNCTIONS:
            raise UnsafeExpressionError(
                f"'{name}' is a function: call it with brackets, like {name}(x); {_allowed(self.variables)}.")
        word = "variable" if len(self.variables) == 1 else "variables"
        names = ", ".join(self.variables) if self.variables else "(none)"
        raise UnsafeExpressionError(
            f"unknown name '{name}': this exercise uses the {word} {names}; {_allowed(self.variables)}.")

    def _UnaryOp(self, node):
        if isinstance(node.op, ast.USub):
            return self._combine(node, "neg", lambda a: -a, [self.build(node.operand)])
        if isinstance(node.op, ast.UAdd):
            return self.build(node.operand)
        raise _refuse(_REFUSED_OPERATORS.get(type(node.op), "this operator"), self.variables)

    def _arithmetic(self, node, left, right):
        rule = _ARITHMETIC[type(node.op)]
        return self._combine(node, _KINDS[type(node.op)], lambda a, b: rule(a, b, self.variables), [left, right])

    def _BinOp(self, node):
        spine = []                         # a flat chain a + b - c ... is built in a loop, not recursion
        while _is_chain_link(node):
            spine.append(node)
            node = node.left
        if spine:
            value = self.build(node)
            for link in reversed(spine):
                value = self._arithmetic(link, value, self.build(link.right))
            return value
        if type(node.op) not in _ARITHMETIC:
            raise _refuse(_REFUSED_OPERATORS.get(type(node.op), "this operator"), self.variables)
        return self._arithmetic(node, self.build(node.left), self.build(node.right))

    def _Call(self, node):
        func = node.func
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Attribute):
                raise _refuse("attribute access (`.`)", self.variables)
            if isinstance(func, ast.Constant) and isinstance(func.value, (int, float)):
                raise UnsafeExpressionError(
                    f"a number cannot be called like a function: write {func.value!r}*(...) to multiply; "
                    f"{_allowed(self.variables)}.")
            raise UnsafeExpressionError(
                "only named functions can be called, like sin(x); to multiply two brackets write "
                f"(a)*(b) with an explicit '*'; {_allowed(self.variables)}.")
        name = func.id
        if name not in FUNCTIONS:
            if name in self.symbols:
                raise UnsafeExpressionError(
                    f"'{name}' is a variable, not a function: write {name}*(...) to multiply; "
                    f"{_allowed(self.variables)}.")
            raise _refuse(f"the function '{name}'", self.variables)
        if node.keywords:
            raise _refuse(f"a keyword argument in {name}(...)", self.variables)
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise _refuse("argument unpacking (`*`)", self.variables)
        builder, arity = FUNCTIONS[name]
        count = len(node.args)
        if isinstance(arity, int) and count != arity:
            raise UnsafeExpressionError(
                f"{name}(...) takes {arity} argument{'s' if arity != 1 else ''}, got {count}")
        if isinstance(arity, tuple) and count < arity[0]:
            raise UnsafeExpressionError(f"{name}(...) takes at least {arity[0]} arguments, got {count}")
        if builder in (sympy.Max, sympy.Min):
            return self._extremum(node, name, builder)
        args = [self.build(arg) for arg in node.args]
        return self._combine(node, ALIASES.get(name, name).lower(), builder, args, name=name)

    def _extremum(self, node, name: str, builder) -> sympy.Expr:
        """max (or min) of real arguments. An argument without a real value is refused; constant arguments
        are compared here, in floating point, so SymPy only ever compares one constant with the variable parts."""
        args = []
        for arg_node in node.args:
            noted = len(self.undefined)
            arg = self.build(arg_node)
            if self.reals[arg].undefined:
                inner = self.undefined[noted] if len(self.undefined) > noted else None
                shown = self._text(arg_node)
                if inner is None:
                    detail = f"{shown} has no real value"
                elif inner.part == shown:
                    detail = str(inner).split(", so the whole expression")[0]
                else:
                    detail = f"{shown} has no real value: " + str(inner).split(", so the whole expression")[0]
                raise UndefinedExpressionError(
                    f"{name}(...) compares real numbers, but its argument {detail}", shown,
                    inner.reason if inner else "no real value")
            args.append(arg)
        pick = max if builder is sympy.Max else min
        known = [a for a in args if self.reals[a].constant and self.reals[a].value is not None]
        rest = [a for a in args if a not in known]
        if known:                          # the largest (smallest) constant; of equal ones, the first written
            best = known[0]
            for a in known[1:]:
                if pick(self.reals[a].value, self.reals[best].value) != self.reals[best].value:
                    best = a
            rest.insert(0, best)
        if len(rest) == 1:
            return rest[0]
        try:
            return self._combine(node, name.lower(), builder, rest, name=name)
        except UnsafeExpressionError as err:
            never_real = [a for a in rest if not self.reals[a].constant and a.is_extended_real is False]
            if "not comparable" not in str(err) or not never_real:
                raise
            shown = self._text(node.args[args.index(never_real[0])])
            raise UndefinedExpressionError(           # e.g. max(x, ln(-1 - x**2))
                f"{name}(...) compares real numbers, but its argument {shown} is not a real number for any real "
                f"value of {', '.join(self.variables)}", shown, "never real") from None


def _why_undefined(kind: str, operands: list, result: sympy.Expr) -> str:
    """Why an operation on defined operands gave zoo, nan or oo, in a few words."""
    if kind == "div" or (kind == "pow" and operands[0] == 0):
        return "division by zero"
    if result is sympy.nan or (result.has(sympy.nan) and not result.has(sympy.zoo)):
        return "it has no value, like 0/0"
    if kind in ("cot", "csc", "tan", "sec"):
        return "division by zero"          # cot(0) = cos(0)/sin(0), tan(pi/2) = sin(pi/2)/cos(pi/2), ...
    if kind in ("log", "ln"):
        return "the logarithm of 0"
    if kind == "atanh":
        return "atanh(u) grows without bound as u approaches 1 or −1"
    return "it is infinite"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


_KINDS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}


_ALLOWED = {
    ast.Expression: _Builder._Expression, ast.Constant: _Builder._Constant, ast.Name: _Builder._Name,
    ast.UnaryOp: _Builder._UnaryOp, ast.BinOp: _Builder._BinOp, ast.Call: _Builder._Call,
}


def parse_expression(text: str, variables: Iterable[str] | str = ("x",), *, strict: bool = False,
                     evaluate: bool = True) -> sympy.Expr:
    """Parse what a learner typed into a SymPy expression, safely (nothing is evaluated as Python).

    ``parse_expression("sin(x^2)")`` gives ``sin(x**2)``; ``parse_expression("3*x**2*y", ("x", "y"))``
    gives ``3*x**2*y``. The variables are real symbols (see :func:`symbols`).

    A part without a real value is kept as SymPy's ``zoo`` (``1/0``, ``cot(0)``, ``log(0)``) or becomes ``nan``
    (a constant that is not real: ``sqrt(-1)``, ``asin(2)``), so the text is undefined everywhere; with
    ``strict=True`` it raises :class:`UndefinedExpressionError` naming that part instead.

    ``evaluate=False`` keeps the structure the learner wrote wherever a variable is involved: ``x*x**2`` stays
    the product of x and x² (SymPy would make it x³), ``x + x`` a sum of two terms, ``exp(ln(x))`` an exp of
    a log. Sums and products are still flattened (``2*x*sin(x)`` is one product), and parts without a variable
    are computed as usual (``1/2`` is the number one half). The chain-rule steps use it, so that they show
    the intermediates of the expression as it was typed (paper §4.5.2's x·x²). The result is a valid SymPy
    expression; any SymPy operation on it evaluates as usual.

    Raises ``TypeError`` if ``text`` is not a string, ``ValueError`` if it is empty,
    :class:`ExpressionSyntaxError` (a ``ValueError``) if it is not well formed,
    :class:`UnsafeExpressionError` (a ``ValueError``) if it uses anything outside the whitelist in the
    module docstring (or is too large to compute), and :class:`UndefinedExpressionError` (a ``ValueError``)
    for ``max`` of a part without a real value, or (``strict``) any such part. Every message says what went
    wrong and what is allowed.
    """
    if not isinstance(text, str):
        raise TypeError(f"an expression must be a str such as 'sin(x**2)', got {type(text).__name__}")
    variables = _normalise_names(variables)
    if not text.strip():
        raise ValueError("the expression is empty: type something like sin(x**2)")
    if len(text) > MAX_LENGTH:
        raise UnsafeExpressionError(
            f"the expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})")
    if "\x00" in text:
        raise UnsafeExpressionError("the expression contains a NUL character")
    text = text.strip()
    source = text.replace("^", "**")   # a learner habit: x^2 means x squared
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        statement = _statement_kind(source)
        if statement is not None:
            raise _refuse(statement, variables) from None
        raise ExpressionSyntaxError(_caret_message(text, err)) from None
    except (RecursionError, MemoryError):
        raise UnsafeExpressionError(
            f"the expression is nested too deeply (more than {MAX_DEPTH} levels)") from None
    _check_depth(tree)
    caret = "^" in text and "**" not in text
    return _Builder(variables, source, strict=strict, caret=caret, evaluate=evaluate).build(tree)


def _as_expr(expr, variables: Iterable[str] | str = ("x",), strict: bool = False) -> sympy.Expr:
    """Accept a SymPy expression, a Python number, or learner text (parsed safely).

    ``strict``: refuse (UndefinedExpressionError) an expression with a part that has no real value."""
    if isinstance(expr, str):
        return parse_expression(expr, variables, strict=strict)
    if isinstance(expr, sympy.Basic):
        return _require_defined(expr) if strict else expr
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        return _number(expr, _normalise_names(variables))
    raise TypeError(f"expected a SymPy expression or a str, got {type(expr).__name__}")


def _as_symbol(var, expr: sympy.Expr | None = None) -> sympy.Symbol:
    """'x' -> the real symbol x (reusing the expression's own symbol of that name if it has one)."""
    if isinstance(var, sympy.Symbol):
        return var
    if not isinstance(var, str):
        raise TypeError(f"the variable must be a name like 'x' or a SymPy Symbol, got {type(var).__name__}")
    (name,) = _normalise_names([var])
    if expr is not None:
        for sym in expr.free_symbols:
            if sym.name == name:
                return sym
    return symbols(name)[0]


# --------------------------------------------------------------------------------------------------
# Derivatives (§2): SymPy differentiates; we only decide how much to tidy the answer.
def _function_kinds(expr: sympy.Expr) -> set:
    return {type(f) for f in expr.atoms(sympy.Function)}


def _paper_conventions(expr: sympy.Expr) -> sympy.Expr:
    """The paper's convention: the derivative of max(0, z) at z = 0 is 0, i.e. Heaviside(0) = 0."""
    return expr.replace(lambda e: isinstance(e, sympy.Heaviside),
                        lambda e: sympy.Heaviside(e.args[0], 0))


def _cheap_to_cancel(expr: sympy.Expr, ops: int) -> bool:
    """``sympy.cancel`` (one fraction, common polynomial factors removed) is polynomial arithmetic: quick on a
    small expression, slow when it must expand a high power of a sum such as (x² + 1)**999."""
    if ops > _CANCEL_MAX_OPS:
        return False
    return not any(p.base.is_Add and p.exp.is_Integer and abs(p.exp) > 6 for p in expr.atoms(sympy.Pow))


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    """:func:`tidy` for a SymPy expression already known to be defined."""
    expr = _paper_conventions(expr)
    ops = sympy.count_ops(expr)
    if ops > _SIMPLIFY_MAX_OPS:
        return expr
    together = sympy.together(expr)
    candidates = [sympy.factor_terms(expr), sympy.factor_terms(together)]
    if _cheap_to_cancel(together, ops):
        try:
            cancelled = sympy.cancel(together)
        except sympy.PolynomialError:        # e.g. a Piecewise or a relation inside: not a rational function
            pass
        else:
            candidates += [cancelled, sympy.factor_terms(cancelled)]
    best, best_ops = expr, ops
    kinds = _function_kinds(expr)
    for candidate in map(_paper_conventions, candidates):
        candidate_ops = sympy.count_ops(candidate)
        if candidate_ops < best_ops and _function_kinds(candidate) <= kinds \
                and not candidate.has(*_UNDEFINED_ATOMS):
            best, best_ops = candidate, candidate_ops
    return best


def tidy(expr) -> sympy.Expr:
    """Simplify a derivative, but only when that helps a reader, and only as far as is cheap.

    The same input always gives the same output, on any machine: a fixed set of cheap rewrites is tried —
    pulling out common factors (``factor_terms``), one fraction (``together``) and, on small expressions,
    cancelling common polynomial factors (``cancel``) — and ``sympy.simplify``, whose time has no bound
    (seconds for a 20-operation derivative), is never called. Expressions of more than 200 operations are
    returned as they are. A rewrite is accepted when it is shorter *and* brings in no function the reader did
    not see: ``6x²cos(x³)/sin(x³)`` stays as the paper writes it instead of becoming ``6x²/tan(x³)``, and
    ``1 - tanh²`` does not turn into ``1/cosh²``.

    Raises :class:`UndefinedExpressionError` if ``expr`` has a part without a real value (zoo, nan, ...).
    """
    return _tidy(_as_expr(expr, strict=True))


# abs, max, ... of a part that may not be real: SymPy differentiates abs(u) through re(u) and im(u), and checks
# im(u) = 0 for the step function of max. Both expand u's real and imaginary parts, a cost that multiplies with
# each nested part that may be non-real (abs of 5 such nested functions: 13 s and 90 000 operations).
_THROUGH_REAL_PARTS = (sympy.Abs, sympy.sign, sympy.Max, sympy.Min, sympy.Heaviside, sympy.DiracDelta)


def _check_real_parts(expr: sympy.Expr, symbol: sympy.Symbol) -> None:
    """Refuse abs, max, ... of an argument with more than MAX_NON_REAL_PARTS parts that may not be real for a real
    variable (a cheap assumption query per part: ``is_extended_real``); their exact derivative would be huge."""
    for node in sympy.preorder_traversal(expr):
        if not isinstance(node, _THROUGH_REAL_PARTS) or not node.has(symbol):
            continue
        parts = {part for arg in node.args for part in sympy.preorder_traversal(arg) if part.has(symbol)}
        maybe = {part for part in parts if part.is_extended_real is not True}
        if not maybe:
            continue
        # a max or min inside counts too: SymPy rebuilds it, comparing its arguments again, at every rewrite
        cost = len(maybe | {part for part in parts if isinstance(part, (sympy.Max, sympy.Min))})
        if cost > MAX_NON_REAL_PARTS:
            name = {sympy.Abs: "abs", sympy.Max: "max", sympy.Min: "min"}.get(type(node), type(node).__name__)
            shown = _clip(", ".join(sympy.sstr(a) for a in node.args), 80)
            raise UnsafeExpressionError(
                f"{name}({shown}) is too hard to differentiate exactly: {len(maybe)} of its parts may not be real "
                "numbers, and then its exact derivative goes through their real and imaginary parts, which grow "
                f"too large (mcdl allows {MAX_NON_REAL_PARTS} such parts, or max and min, inside abs, sign, max "
                "or min)")


def symbolic_derivative(expr, var: str | sympy.Symbol = "x") -> sympy.Expr:
    """d expr / d var, exactly (paper §2's rules, applied by SymPy), tidied by :func:`tidy`.

    ``expr`` may be a SymPy expression or learner text (parsed safely with ``var`` as the variable).
    ``symbolic_derivative("ln(x**2)")`` gives ``2/x``; ``symbolic_derivative("max(0, x)")`` gives the step
    function ``Heaviside(x, 0)`` (0 at x = 0: the paper's convention for the derivative of ReLU).

    An expression with a part that has no real value is refused with :class:`UndefinedExpressionError`
    naming that part (``cot(0) + x``: "cot(0) is undefined (division by zero)"); so is a derivative that
    comes out undefined. abs, max or min of an argument with more than :data:`MAX_NON_REAL_PARTS` parts that
    may not be real (``abs(tan(sqrt(ln(asin(x)))))``) is refused with :class:`UnsafeExpressionError`: its exact
    derivative goes through real and imaginary parts and grows without bound.
    """
    name = var.name if isinstance(var, sympy.Symbol) else var
    expr = _as_expr(expr, (name,), strict=True)
    symbol = _as_symbol(var, expr)
    _check_real_parts(expr, symbol)
    derivative = sympy.diff(expr, symbol)
    _require_defined(derivative, f"the derivative of {_clip(sympy.sstr(expr), 60)}")
    return _tidy(derivative)


# --------------------------------------------------------------------------------------------------
# Views of an expression: LaTeX for the page, a numpy function for plots and checks.
def _readable(expr: sympy.Expr) -> sympy.Expr:
    """Write the step function (derivative of max(0, z)) as the paper's cases: 1 if z > 0, else 0."""
    return expr.replace(lambda e: isinstance(e, sympy.Heaviside),
                        lambda e: sympy.Piecewise((1, e.args[0] > 0), (0, True)))


def _symbolic_negative_power(factor) -> bool:
    if not (factor.is_commutative and (factor.is_Pow or isinstance(factor, sympy.exp))):
        return False
    exponent = factor.as_base_exp()[1]
    return bool(exponent.free_symbols) and exponent.is_negative is True


class _LatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer, but bounded: to place a factor b**e of a product whose exponent e is symbolic and
    negative (``x**(-tanh(x)**2 - 1)``), SymPy's printer asks ``e.is_constant()``, which runs the unbounded
    ``simplify`` on e (seconds for one line of a derivation). Here such a factor is printed as it stands, in the
    numerator, where SymPy puts it whenever e does depend on the variables."""

    def _print_Mul(self, expr):
        factors = [f for f in expr.args]
        if not any(map(_symbolic_negative_power, factors)):
            return super()._print_Mul(expr)
        stand_ins = getattr(self, "_stand_ins", {})
        self._stand_ins = stand_ins
        replaced = []
        for factor in factors:
            if _symbolic_negative_power(factor):       # the exponent stands in as a symbol without a sign
                base, exponent = factor.as_base_exp()
                stand_in = sympy.Dummy("exponent")
                stand_ins[stand_in] = self._print(exponent)
                factor = (sympy.exp(stand_in, evaluate=False) if isinstance(factor, sympy.exp)
                          else sympy.Pow(base, stand_in, evaluate=False))
            replaced.append(factor)
        return super()._print_Mul(sympy.Mul(*replaced, evaluate=False))

    def _print_Symbol(self, expr, style="plain"):
        if expr in getattr(self, "_stand_ins", {}):
            return self._stand_ins[expr]
        return super()._print_Symbol(expr, style=style)

    _print_Dummy = _print_Symbol


def _evaluated(expr: sympy.Expr) -> sympy.Expr:
    """expr with every operation carried out, as SymPy normally keeps it: what ``evaluate=False`` kept as the
    learner wrote it (x·x²) becomes SymPy's usual form (x³)."""
    done: dict = {}
    for part in sympy.postorder_traversal(expr):
        if part not in done:
            done[part] = part.func(*(done[a] for a in part.args)) if part.args else part
    return done[expr]


def _reciprocals(expr: sympy.Expr) -> sympy.Expr:
    """b**(-n) written as 1/(b**n) for a product or power b kept as typed: SymPy's LaTeX printer never returns
    from (x/x)**(-2) when it is not evaluated, and prints 1/((x/x)**2) without trouble."""
    def rewrite(e):
        return sympy.Pow(sympy.Pow(e.base, -e.exp, evaluate=False), -1, evaluate=False)
    with sympy.core.parameters.evaluate(False):          # the parts around it stay as typed too
        return expr.replace(lambda e: e.is_Pow and not e.base.is_Atom and e.exp.is_Number and e.exp.is_negative
                            and e.exp != -1, rewrite)


def to_latex(expr) -> str:
    """LaTeX for an expression, with ``ln`` for the natural log as the paper writes it.

    Accepts a SymPy expression or learner text (parsed safely, variable ``x``). The step function
    ``Heaviside(z, 0)`` is written as cases (1 for z > 0, 0 otherwise).
    """
    expr = _readable(_as_expr(expr))
    for attempt in (lambda e: e, _reciprocals, _evaluated):      # for expressions kept as typed, see above
        try:
            return _LatexPrinter({"ln_notation": True}).doprint(attempt(expr))
        except RecursionError:
            continue
    raise UnsafeExpressionError("this expression is too deeply nested to be written in LaTeX")


# lambdify(modules="numpy") runs `from numpy import *`, which loads some 80 numpy submodules (testing, f2py, ...)
# and costs a kernel 9-16 MiB; the same numpy printer with only the names its code uses does not.
_LAMBDIFY_NAMESPACE = {"numpy": np, "math": math, "functools": functools, "builtins": builtins}


def _numpy_printer():
    from sympy.printing.numpy import NumPyPrinter

    return NumPyPrinter({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": True,
                         "user_functions": {}})


def to_function(expr, variables: Iterable[str] | str = ("x",)) -> Callable[..., np.ndarray]:
    """A numpy function of the given variables: ``to_function("sin(x**2)")(np.linspace(0, 1, 5))``.

    The result is a float array with the broadcast shape of the inputs, even for a constant
    expression (``"3"`` gives an array of 3s, not a bare 3). The SymPy expression is ``function.expr``.
    Where the expression is undefined the value is NaN (``1/0`` everywhere; the Dirac delta ``2*DiracDelta(x)``,
    the derivative of ``sign(x)``, at x = 0, and 0 elsewhere).
    """
    names = _normalise_names(variables)
    expr = _as_expr(expr, names)
    syms = [_as_symbol(name, expr) for name in names]
    # complex infinity (text such as 1/0) has no numpy name: it is undefined, NaN, at every point; the Dirac
    # delta (the derivative of sign) is 0 away from its spike and undefined, NaN, on it
    numeric = expr.xreplace({sympy.zoo: sympy.nan}).replace(
        lambda e: isinstance(e, sympy.DiracDelta),
        lambda e: sympy.Piecewise((sympy.nan, sympy.Eq(e.args[0], 0)), (0, True)))
    compiled = sympy.lambdify(syms, numeric, modules=[_LAMBDIFY_NAMESPACE], printer=_numpy_printer())

    def function(*args):
        if len(args) != len(syms):
            raise TypeError(f"this function takes {len(syms)} argument(s) ({', '.join(names)}), "
                            f"got {len(args)}")
        arrays = [np.asarray(a, dtype=float) for a in args]
        value = np.asarray(compiled(*arrays), dtype=float)
        shape = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else value.shape
        return np.broadcast_to(value, shape).copy()

    function.__doc__ = f"numpy function of ({', '.join(names)}): {expr}"
    function.expr = expr
    return function
