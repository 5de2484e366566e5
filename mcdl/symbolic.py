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
    functions    sin cos tan cot sec csc asin acos atan exp log ln sqrt abs tanh max

Symbols are real (``sympy.Symbol(name, real=True)``), which is the setting of the paper: every ``x`` is a
real number. Use :func:`symbols` to make symbols with the same assumptions, so expressions you build in a
notebook compare equal to the ones the parser builds.
"""
from __future__ import annotations

import ast
import math
import re
from typing import Callable, Iterable

import numpy as np
import sympy

__all__ = [
    "UnsafeExpressionError", "ExpressionSyntaxError",
    "parse_expression", "symbols", "symbolic_derivative", "tidy", "to_latex", "to_function",
    "FUNCTIONS", "CONSTANTS", "MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT",
]

# --------------------------------------------------------------------------------------------------
# Limits: a learner's expression is short; these stop hostile input from exhausting the kernel.
MAX_LENGTH = 500           # characters
MAX_DEPTH = 60             # depth of the syntax tree
MAX_EXPONENT = 1000        # |n| in a power u**n with n a number (9**9**9 would take the kernel down)
MAX_RESULT_BITS = 100_000  # size of an exact number c**n computed from numbers c and n
_SIMPLIFY_MAX_OPS = 200    # larger derivatives are returned as differentiated, not simplified


class UnsafeExpressionError(ValueError):
    """The text parses as Python, but uses something outside the expression whitelist."""


class ExpressionSyntaxError(ValueError):
    """The text is not a well-formed expression (unbalanced brackets, ``2x``, a dangling ``*``)."""


# --------------------------------------------------------------------------------------------------
# The whitelist: one table each for functions and constants (the error messages read them too).
# name -> (SymPy builder, number of arguments: an int, or (min, None) for "at least min")
FUNCTIONS: dict[str, tuple[Callable, object]] = {
    "sin": (sympy.sin, 1), "cos": (sympy.cos, 1), "tan": (sympy.tan, 1),
    "cot": (sympy.cot, 1), "sec": (sympy.sec, 1), "csc": (sympy.csc, 1),
    "asin": (sympy.asin, 1), "acos": (sympy.acos, 1), "atan": (sympy.atan, 1),
    "exp": (sympy.exp, 1), "log": (sympy.log, 1), "ln": (sympy.log, 1),
    "sqrt": (sympy.sqrt, 1), "abs": (sympy.Abs, 1), "tanh": (sympy.tanh, 1),
    "max": (sympy.Max, (2, None)), "Max": (sympy.Max, (2, None)),
}
CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}

_FUNCTION_LIST = "sin, cos, tan, cot, sec, csc, asin, acos, atan, exp, log (= ln), sqrt, abs, tanh, max"

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
    if exponent.is_Number:
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


# The five arithmetic operators, each mapped to the SymPy object it builds.
_ARITHMETIC = {
    ast.Add: lambda a, b, v: sympy.Add(a, b),
    ast.Sub: lambda a, b, v: sympy.Add(a, -b),
    ast.Mult: lambda a, b, v: sympy.Mul(a, b),
    ast.Div: lambda a, b, v: sympy.Mul(a, sympy.Pow(b, -1)),
    ast.Pow: _power,
}


class _Builder:
    """Walks a syntax tree and builds the SymPy expression: one method per allowed node kind.

    ``_ALLOWED`` (below the class) is the whole whitelist; every other node kind is refused.
    """

    def __init__(self, variables: tuple[str, ...]):
        self.variables = variables
        self.symbols = dict(zip(variables, symbols(*variables))) if variables else {}

    def build(self, node: ast.AST) -> sympy.Expr:
        method = _ALLOWED.get(type(node))
        if method is None:
            what = _REFUSED.get(type(node).__name__, f"the Python construct `{type(node).__name__}`")
            raise _refuse(what, self.variables)
        return method(self, node)

    def _Expression(self, node):
        return self.build(node.body)

    def _Constant(self, node):
        return _number(node.value, self.variables)

    def _Name(self, node):
        name = node.id
        if name in self.symbols:
            return self.symbols[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS:
            raise UnsafeExpressionError(
                f"'{name}' is a function: call it with brackets, like {name}(x); {_allowed(self.variables)}.")
        word = "variable" if len(self.variables) == 1 else "variables"
        names = ", ".join(self.variables) if self.variables else "(none)"
        raise UnsafeExpressionError(
            f"unknown name '{name}': this exercise uses the {word} {names}; {_allowed(self.variables)}.")

    def _UnaryOp(self, node):
        if isinstance(node.op, ast.USub):
            return -self.build(node.operand)
        if isinstance(node.op, ast.UAdd):
            return self.build(node.operand)
        raise _refuse(_REFUSED_OPERATORS.get(type(node.op), "this operator"), self.variables)

    def _BinOp(self, node):
        spine = []                         # a flat chain a + b - c ... is built in a loop, not recursion
        while _is_chain_link(node):
            spine.append(node)
            node = node.left
        if spine:
            value = self.build(node)
            for link in reversed(spine):
                value = _ARITHMETIC[type(link.op)](value, self.build(link.right), self.variables)
            return value
        rule = _ARITHMETIC.get(type(node.op))
        if rule is None:
            raise _refuse(_REFUSED_OPERATORS.get(type(node.op), "this operator"), self.variables)
        return rule(self.build(node.left), self.build(node.right), self.variables)

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
        args = [self.build(arg) for arg in node.args]
        try:
            return builder(*args)
        except (ValueError, TypeError, ArithmeticError) as err:   # e.g. max(0, ln(-2)): not a real number
            shown = ", ".join(_short(a) for a in args)
            raise ValueError(f"{name}({shown}) cannot be computed: {err}") from None


_ALLOWED = {
    ast.Expression: _Builder._Expression, ast.Constant: _Builder._Constant, ast.Name: _Builder._Name,
    ast.UnaryOp: _Builder._UnaryOp, ast.BinOp: _Builder._BinOp, ast.Call: _Builder._Call,
}


def parse_expression(text: str, variables: Iterable[str] | str = ("x",)) -> sympy.Expr:
    """Parse what a learner typed into a SymPy expression, safely (nothing is evaluated as Python).

    ``parse_expression("sin(x^2)")`` gives ``sin(x**2)``; ``parse_expression("3*x**2*y", ("x", "y"))``
    gives ``3*x**2*y``. The variables are real symbols (see :func:`symbols`).

    Raises ``TypeError`` if ``text`` is not a string, ``ValueError`` if it is empty,
    :class:`ExpressionSyntaxError` (a ``ValueError``) if it is not well formed, and
    :class:`UnsafeExpressionError` (a ``ValueError``) if it uses anything outside the whitelist in the
    module docstring. Every message says what went wrong and what is allowed.
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
    return _Builder(variables).build(tree)


def _as_expr(expr, variables: Iterable[str] | str = ("x",)) -> sympy.Expr:
    """Accept a SymPy expression, a Python number, or learner text (parsed safely)."""
    if isinstance(expr, str):
        return parse_expression(expr, variables)
    if isinstance(expr, sympy.Basic):
        return expr
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


def _cheap_to_simplify(expr: sympy.Expr) -> bool:
    """Full ``sympy.simplify`` can take minutes (it expands (x²+1)**999, splits nested abs into cases);
    only try it on small expressions without those features."""
    if sympy.count_ops(expr) > 60:
        return False
    if any(p.base.is_Add and p.exp.is_Integer and abs(p.exp) > 6 for p in expr.atoms(sympy.Pow)):
        return False
    return len(expr.atoms(sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Max)) <= 1


def tidy(expr) -> sympy.Expr:
    """Simplify a derivative, but only when that helps a reader, and only as far as is quick.

    Cheap rewrites (pulling out common factors, one fraction) are always tried; ``sympy.simplify`` only
    on small expressions. A rewrite is accepted when it is shorter *and* brings in no function the
    reader did not see: ``6x²cos(x³)/sin(x³)`` stays as the paper writes it instead of becoming
    ``6x²/tan(x³)``, and ``1 - tanh²`` does not turn into ``1/cosh²``.
    """
    expr = _paper_conventions(_as_expr(expr))
    if sympy.count_ops(expr) > _SIMPLIFY_MAX_OPS:
        return expr
    candidates = [sympy.factor_terms(expr), sympy.factor_terms(sympy.together(expr))]
    if _cheap_to_simplify(expr):
        candidates.append(sympy.simplify(expr))
    best, best_ops = expr, sympy.count_ops(expr)
    for candidate in map(_paper_conventions, candidates):
        ops = sympy.count_ops(candidate)
        if ops < best_ops and _function_kinds(candidate) <= _function_kinds(expr):
            best, best_ops = candidate, ops
    return best


def symbolic_derivative(expr, var: str | sympy.Symbol = "x") -> sympy.Expr:
    """d expr / d var, exactly (paper §2's rules, applied by SymPy), tidied by :func:`tidy`.

    ``expr`` may be a SymPy expression or learner text (parsed safely with ``var`` as the variable).
    ``symbolic_derivative("ln(x**2)")`` gives ``2/x``; ``symbolic_derivative("max(0, x)")`` gives the step
    function ``Heaviside(x, 0)`` (0 at x = 0: the paper's convention for the derivative of ReLU).
    """
    name = var.name if isinstance(var, sympy.Symbol) else var
    expr = _as_expr(expr, (name,))
    symbol = _as_symbol(var, expr)
    return tidy(sympy.diff(expr, symbol))


# --------------------------------------------------------------------------------------------------
# Views of an expression: LaTeX for the page, a numpy function for plots and checks.
def _readable(expr: sympy.Expr) -> sympy.Expr:
    """Write the step function (derivative of max(0, z)) as the paper's cases: 1 if z > 0, else 0."""
    return expr.replace(lambda e: isinstance(e, sympy.Heaviside),
                        lambda e: sympy.Piecewise((1, e.args[0] > 0), (0, True)))


def to_latex(expr) -> str:
    """LaTeX for an expression, with ``ln`` for the natural log as the paper writes it.

    Accepts a SymPy expression or learner text (parsed safely, variable ``x``). The step function
    ``Heaviside(z, 0)`` is written as cases (1 for z > 0, 0 otherwise).
    """
    expr = _as_expr(expr)
    return sympy.latex(_readable(expr), ln_notation=True)


def to_function(expr, variables: Iterable[str] | str = ("x",)) -> Callable[..., np.ndarray]:
    """A numpy function of the given variables: ``to_function("sin(x**2)")(np.linspace(0, 1, 5))``.

    The result is a float array with the broadcast shape of the inputs, even for a constant
    expression (``"3"`` gives an array of 3s, not a bare 3). The SymPy expression is ``function.expr``.
    """
    names = _normalise_names(variables)
    expr = _as_expr(expr, names)
    syms = [_as_symbol(name, expr) for name in names]
    # complex infinity (text such as 1/0) has no numpy name: it is undefined, NaN, at every point
    compiled = sympy.lambdify(syms, expr.xreplace({sympy.zoo: sympy.nan}), modules="numpy")   # our own SymPy object

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
