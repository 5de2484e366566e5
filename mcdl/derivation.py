"""Derivations as ordered steps, and the paper's four-step chain-rule process (§4.5.1) for any expression.

A :class:`Derivation` is a title and a list of :class:`Step` s; each step is one line of LaTeX and one
plain-English sentence saying why it holds. Build one by hand, or let the paper's recipes build it:

* :func:`chain_rule_steps` — §4.5.1's process, for any single-variable expression:
    1. introduce intermediate variables u₁, u₂, … for nested subexpressions, innermost first, so each
       line is one operator or one function application;
    2. differentiate each intermediate with respect to its own parameter;
    3. combine: multiply the derivatives along the chain; a product of parts that each depend on x is
       combined with §2's product rule, d(fg)/dx = f dg/dx + df/dx g; where x reaches the output along
       several other paths (a sum, x^x), add the paths — §4.5.2's total-derivative chain rule;
    4. substitute the intermediates back, so the answer is in x alone.

  Typed text keeps its structure: x*x**2 is the product of x and x² (§4.5.2), not x³.
* :func:`product_rule_steps` — §2's product rule, d(fg)/dx = f dg/dx + df/dx g.

:func:`stepper` reveals a derivation one step at a time in the notebook (Prev / Next, "step k of n"): the
steps so far stay on screen and the newest is highlighted. It lets the learner type an expression of their
own. What it shows is computed by the pure function :func:`stepper_state`, which the tests call directly.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Iterator

import sympy
from sympy.printing.str import StrPrinter

from .symbolic import (
    _as_expr, _as_symbol, _check_real_parts, _evaluated, _paper_conventions, parse_expression, tidy, to_latex,
)

__all__ = ["Step", "ShapeProduct", "Derivation", "DerivationError", "chain_rule_steps", "product_rule_steps", "stepper_state",
           "stepper", "Stepper"]

MAX_INTERMEDIATES = 40     # more than this is no longer readable step by step (and gets slow)


class DerivationError(ValueError):
    """:func:`chain_rule_steps` cannot show this derivative step by step; the message says why in words a
    learner can act on (too many intermediates; abs or max of a part that is not always real).

    Text that is not a valid expression raises the parser's errors instead (``ExpressionSyntaxError``,
    ``UnsafeExpressionError``, ``UndefinedExpressionError``), all ``ValueError`` s too.
    """

# The four stages of §4.5.1, as the stepper labels them.
INTRODUCE = "Step 1 · introduce intermediate variables"
DIFFERENTIATE = "Step 2 · differentiate each intermediate"
COMBINE = "Step 3 · combine the derivatives"
SUBSTITUTE = "Step 4 · substitute back"
RESULT = "Result"


# --------------------------------------------------------------------------------------------------
# Step and Derivation: plain data with three renderings (text, Markdown, HTML).
@dataclass(frozen=True)
class ShapeProduct:
    """The shapes of a product of matrices and of its result, for the stepper's shape boxes (the paper's
    shape figure): ``factors`` ((rows, cols), …) left to right, ``result`` (rows, cols). No factors: the
    result's shape alone."""
    factors: tuple
    result: tuple


@dataclass(frozen=True)
class Step:
    """One line of a derivation: ``latex`` (no surrounding ``$$``) and a sentence ``text`` explaining it.

    ``stage`` optionally names the part of a recipe the step belongs to (e.g. "Step 2 · differentiate").
    ``shapes`` optionally holds :class:`ShapeProduct` s, drawn as boxes under the line (one per product
    of a sum), so a learner sees m×k · k×n become m×n.
    """
    latex: str
    text: str
    stage: str = ""
    shapes: tuple = ()


@dataclass(frozen=True)
class FlowNode:
    """One variable of a dataflow graph: x, an intermediate u₁, …, or the output y.

    ``introduced_at`` is the index of the step that introduces it (0 for x: it is there from the start).
    """
    name: str
    definition: str = ""           # "x^2", plain text; "" for x itself
    latex: str = ""                # the same, LaTeX
    introduced_at: int = 0


@dataclass(frozen=True)
class FlowEdge:
    """An edge of a dataflow graph: ``source`` is a parameter of ``target``; the label is the local derivative
    ∂target/∂source (text and LaTeX), known from step ``labelled_at`` on."""
    source: str
    target: str
    derivative: str
    latex: str
    labelled_at: int


@dataclass(frozen=True)
class Dataflow:
    """The paper's dataflow picture of a derivation (its sin-square and chain-tree figures): the variables as
    nodes, from ``variable`` to ``output``, and one edge from each parameter to the intermediate that reads it.

    ``paths`` lists every path from the variable to the output (each a tuple of node names): one path means
    the single-variable chain rule applies; more than one means the total derivative sums them (§4.5.2).
    """
    nodes: tuple
    edges: tuple
    variable: str
    output: str
    paths: tuple

    def node(self, name: str) -> FlowNode:
        return next(n for n in self.nodes if n.name == name)


# The shape boxes: each matrix drawn with its width growing with its columns and its height with its rows
# (on a log scale, so 1, 3 and 100 all read at a glance), as in the paper's picture of Jacobian shapes.
BOX_STYLE = ("display: inline-block; box-sizing: border-box; border: 1.5px solid currentColor; "
             "background: rgba(0, 114, 178, 0.18); border-radius: 2px")
RESULT_BOX_STYLE = BOX_STYLE.replace("rgba(0, 114, 178, 0.18)", "rgba(230, 159, 0, 0.35)")


def _box_px(n: int) -> int:
    """Side of a box, in pixels, for a size n: 8 for 1, about 27 for 3, 88 for 100; at most 100."""
    import math
    return int(min(100, round(8 + 12 * math.log2(max(1, n)))))


def shape_text(product: "ShapeProduct") -> str:
    """'1×6 · 6×6 · 6×3 = 1×3' (or '1×3' alone)."""
    size = lambda s: "×".join(str(n) for n in s)       # noqa: E731
    if not product.factors:
        return size(product.result)
    return " · ".join(size(f) for f in product.factors) + " = " + size(product.result)


def shape_boxes_html(products) -> str:
    """The shape boxes of a step: one line per product, each factor a box labelled rows×cols, then = and
    the result's box (another colour); a product without factors is one box. Deterministic HTML with inline styles; each line carries an
    ``aria-label`` reading its shapes, and the class ``mcdl-shapes``."""
    lines = []
    for product in products:
        cells = []
        shapes = list(product.factors) + [product.result]
        for position, shape in enumerate(shapes):
            rows, cols = shape
            style = RESULT_BOX_STYLE if position == len(shapes) - 1 and product.factors else BOX_STYLE
            cells.append(
                '<span style="display: inline-flex; flex-direction: column; align-items: center; gap: 2px">'
                f'<span style="{style}; width: {_box_px(cols)}px; height: {_box_px(rows)}px"></span>'
                f'<span style="font-size: 0.8em">{rows}×{cols}</span></span>')
            if position < len(shapes) - 2:
                cells.append('<span style="font-size: 1.2em">·</span>')
            elif position == len(shapes) - 2:
                cells.append('<span style="font-size: 1.2em">=</span>')
        lines.append(f'<div class="mcdl-shapes" role="img" aria-label="shapes: {html.escape(shape_text(product))}" '
                     'style="display: flex; align-items: center; gap: 0.5em; flex-wrap: wrap; margin: 0.3em 0">'
                     + "".join(cells) + "</div>")
    return "".join(lines)


def paths_between(pairs, start: str, end: str, limit: int | None = None) -> tuple:
    """Every path from ``start`` to ``end`` along the (source, target) ``pairs`` of a graph without cycles, as
    tuples of names; with ``limit``, the search stops once more than ``limit`` are found (the scalar steps'
    dataflow graph and the vector engine's graph both use it)."""
    following: dict[str, list[str]] = {}
    for source, target in pairs:
        following.setdefault(source, []).append(target)
    found = []

    def walk(path):
        if limit is not None and len(found) > limit:
            return
        if path[-1] == end:
            found.append(tuple(path))
            return
        for nxt in following.get(path[-1], []):
            walk(path + [nxt])

    walk([start])
    return tuple(found)


@dataclass(repr=False)
class Derivation:
    """An ordered list of steps with a title; ``result`` is the final SymPy expression when there is one.

    ``Derivation("d/dx 3x", [Step("\\\\frac{d}{dx} 3x = 3", "Pull the constant out.")], result=3)``.
    Supports ``len``, indexing and iteration, and renders as a numbered list in Jupyter.
    """
    title: str
    steps: list[Step] = field(default_factory=list)
    result: sympy.Expr | None = None
    expression: sympy.Expr | None = None
    variable: sympy.Symbol | None = None
    dataflow: Dataflow | None = None        # the graph of the intermediates, for chain_rule_steps

    def add(self, latex: str, text: str, stage: str = "") -> "Derivation":
        """Append a step; returns the derivation so calls can be chained."""
        self.steps.append(Step(latex, text, stage))
        return self

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index):
        return self.steps[index]

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __str__(self) -> str:
        lines = [self.title]
        for number, step in enumerate(self.steps, 1):
            stage = f"[{step.stage}] " if step.stage else ""
            lines.append(f"{number}. {stage}{step.text}")
            if step.latex:
                lines.append(f"   $${step.latex}$$")
            for product in step.shapes:
                if product.factors:
                    lines.append(f"   shapes: {shape_text(product)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        result = "" if self.result is None else f", result={self.result}"
        return f"Derivation({self.title!r}, {len(self.steps)} steps{result})"

    def _repr_pretty_(self, printer, cycle) -> None:
        """IPython's text/plain: every step, as ``str`` gives it."""
        printer.text(repr(self) if cycle else str(self))

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.title}**", ""]
        for number, step in enumerate(self.steps, 1):
            stage = f"*{step.stage}:* " if step.stage else ""
            lines += [f"{number}. {stage}{step.text}", ""]
            if step.latex:
                lines += [f"   $${step.latex}$$", ""]
            lines += [f"   shapes: {shape_text(p)}" for p in step.shapes if p.factors] + ([""] if step.shapes else [])
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        items = []
        for step in self.steps:
            stage = f"<em>{html.escape(step.stage)}:</em> " if step.stage else ""
            latex = f"<p>$${html.escape(step.latex)}$$</p>" if step.latex else ""
            items.append(f"<li><p>{stage}{html.escape(step.text)}</p>{latex}{shape_boxes_html(step.shapes)}</li>")
        return (f'<div class="mcdl-derivation"><p><strong>{html.escape(self.title)}</strong></p>'
                f"<ol>{''.join(items)}</ol></div>")


# --------------------------------------------------------------------------------------------------
# Small printing helpers: LaTeX pieces, and plain text for the sentences (u_1 -> u₁, ** -> ^).
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


class _PlainPrinter(StrPrinter):
    """SymPy's text printer, but the step function (the derivative of max) reads as cases, not Heaviside."""

    def _print_Heaviside(self, expr):
        argument = self._print(expr.args[0])
        at_zero = expr.args[1] if len(expr.args) > 1 else None
        if at_zero == 0:
            return f"(1 if {argument} > 0, else 0)"
        if at_zero == 1:
            return f"(1 if {argument} ≥ 0, else 0)"
        middle = f"{self._print(at_zero)} if {argument} = 0, " if at_zero is not None else ""
        return f"(1 if {argument} > 0, {middle}0 if {argument} < 0)"


def _plain(expr) -> str:
    """A short plain-text form for sentences: ``sin(u₁)``, ``x^3``, ``ln(u₃)``, and the step function as
    ``(1 if x > 0, else 0)`` (the paper's convention: 0 at x = 0)."""
    text = _PlainPrinter().doprint(expr)
    if isinstance(expr, sympy.Heaviside) and text.startswith("(") and text.endswith(")"):
        text = text[1:-1]                        # on its own, the cases need no brackets
    text = text.replace("**", "^").replace("*", "·")
    text = text.replace("log(", "ln(").replace("Max(", "max(").replace("Min(", "min(").replace("Abs(", "abs(")
    text = text.replace("DiracDelta(", "δ(")
    for name in sorted({s.name for s in getattr(expr, "free_symbols", ())}, key=len, reverse=True):
        if "_" in name:
            stem, index = name.split("_", 1)
            text = text.replace(name, stem + index.translate(_SUBSCRIPTS))
    return text


def _listed(names) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _grouped(expr) -> str:
    """LaTeX of a factor or an operand, in brackets when it would otherwise read wrongly."""
    latex = to_latex(expr)
    if isinstance(expr, sympy.Add) or latex.startswith("-"):
        return rf"\left({latex}\right)"
    return latex


def _product(*factors) -> str:
    """``a \\cdot b \\cdot c``: the factors side by side, before SymPy multiplies them out."""
    return r" \cdot ".join(_grouped(f) for f in factors)


def _d(top, bottom, partial: bool = False) -> str:
    """``\\frac{dy}{du}`` (or with ∂)."""
    d = r"\partial " if partial else "d"
    return rf"\frac{{{d}{sympy.latex(top)}}}{{{d}{sympy.latex(bottom)}}}"


def _d_of(expr, var) -> str:
    """``\\frac{d}{dx} sin(x)``: the operator applied to an expression."""
    return rf"\frac{{d}}{{d{sympy.latex(var)}}} {_grouped(expr)}"


def _d_text(top, bottom) -> str:
    """``du₁/dx`` for a sentence."""
    return f"d{_plain(top)}/d{_plain(bottom)}"


# --------------------------------------------------------------------------------------------------
# Step 1 of §4.5.1: break an expression into intermediate variables, innermost first.
@dataclass
class _Intermediate:
    symbol: sympy.Symbol       # u₁, u₂, … (y for the outermost)
    definition: sympy.Expr     # one operator or function, written in its parameters
    params: tuple              # the parameters it depends on: x and/or earlier intermediates
    original: sympy.Expr       # the same subexpression written in x
    operands_on_x: int         # how many operands depend on x (2 or more: not a single chain link)


def _decompose(expr: sympy.Expr, x: sympy.Symbol) -> list[_Intermediate]:
    """Name every subexpression that depends on x, innermost first (a repeated one is named once).

    Leaves are x itself and anything constant with respect to x, which stays inline (in 3x², the 3).
    """
    nodes: list[_Intermediate] = []
    named: dict[sympy.Expr, sympy.Symbol] = {}
    order: dict[sympy.Symbol, int] = {}

    def visit(e):
        if e == x or not e.has(x):
            return e
        if e in named:
            return named[e]
        if isinstance(e, sympy.Mul):              # in the order a reader sees them: x²·sin(x) names x² first
            args = e.as_ordered_factors()
        elif isinstance(e, sympy.Add):
            args = e.as_ordered_terms()
        else:
            args = e.args
        operands = [visit(arg) for arg in args]
        dependent = [op for op in operands if op == x or op in order]
        params = tuple(sorted(set(dependent), key=lambda p: order.get(p, -1)))   # x first, then u₁, u₂, …
        placeholder = sympy.Dummy(f"u{len(nodes) + 1}", real=True)
        nodes.append(_Intermediate(placeholder, e.func(*operands), params, e, len(dependent)))
        named[e] = placeholder
        order[placeholder] = len(order)
        return placeholder

    visit(expr)
    return nodes


# Functions whose derivative at a non-real number is not the one SymPy gives for a real parameter: the steps
# differentiate each intermediate as a real variable (abs(u) -> sign(u)), so its parameter must be real.
_REAL_ONLY = (sympy.Abs, sympy.sign, sympy.Max, sympy.Min, sympy.Heaviside, sympy.floor, sympy.ceiling,
              sympy.re, sympy.im, sympy.arg, sympy.conjugate, sympy.DiracDelta)
_REAL_ONLY_NAMES = {sympy.Abs: "abs", sympy.Max: "max", sympy.Min: "min"}


def _where_not_real(expr: sympy.Expr, x: sympy.Symbol) -> str:
    """Where a part of expr stops being real, in words: 'sqrt(x) is not real where x < 0'."""
    for part in sympy.postorder_traversal(expr):
        if not part.has(x) or part.is_extended_real is True:
            continue
        if isinstance(part, sympy.Pow) and not part.exp.has(x) and not part.exp.is_integer:
            return f"{_plain(part)} is not real where {_plain(part.base)} < 0"
        if isinstance(part, sympy.log):
            return f"{_plain(part)} is not real where {_plain(part.args[0])} < 0"
        if isinstance(part, (sympy.asin, sympy.acos, sympy.atanh)):
            return f"{_plain(part)} is not real where |{_plain(part.args[0])}| > 1"
        if isinstance(part, sympy.acosh):
            return f"{_plain(part)} is not real where {_plain(part.args[0])} < 1"
        return f"{_plain(part)} may not be real for every real {x}"
    return f"it may not be real for every real {x}"


def _check_real_parameters(nodes: list[_Intermediate], x: sympy.Symbol) -> None:
    """Refuse abs, max, sign, ... of an intermediate that may be non-real for a real x (sqrt(x), ln(x), asin(x)).

    The steps treat every intermediate as a real variable; d/du abs(u) = sign(u) is wrong when u = sqrt(x) is
    imaginary (x < 0), where abs(sqrt(x)) = sqrt(|x|) still has a real derivative. The question asked of SymPy
    is its cheap assumption query ``is_extended_real`` with x declared real; anything but True is refused."""
    for node in nodes:
        if not isinstance(node.original, _REAL_ONLY):
            continue
        for arg in node.original.args:
            if arg.has(x) and arg.is_extended_real is not True:
                name = _REAL_ONLY_NAMES.get(type(node.original), type(node.original).__name__.lower())
                if isinstance(node.original, sympy.Abs):
                    rule = "the rule d/du abs(u) = sign(u) holds only for real u"
                elif isinstance(node.original, (sympy.Max, sympy.Min)):
                    rule = f"{name} compares real numbers only"
                else:
                    rule = f"the derivative rule of {name} holds only for real arguments"
                raise DerivationError(
                    f"{name}(...) is applied to {_plain(arg)}, which is not a real number for every real {x} "
                    f"({_where_not_real(arg, x)}). The chain-rule steps treat each intermediate variable as a real "
                    f"number, and {rule}: the steps could be wrong here, so they are not shown. "
                    "mcdl.symbolic_derivative still gives SymPy's derivative.")


def _names(count: int, taken: set[str]) -> list[sympy.Symbol]:
    """The paper's names: one step is y; two are u, y; more are u₁ … uₙ (with y = uₙ)."""
    free = [l for l in "uvwpq" if l not in taken and not any(t.startswith(l + "_") for t in taken)]
    letter = free[0] if free else "u"
    if count == 1:
        names = ["y" if "y" not in taken else "f"]
    elif count == 2:
        names = [letter, "y" if "y" not in taken else "f"]
    else:
        names = [f"{letter}_{k}" for k in range(1, count + 1)]
    return [sympy.Symbol(name, real=True) for name in names]


def _rename(nodes: list[_Intermediate], expr: sympy.Expr) -> sympy.Symbol:
    """Replace the placeholders with display names; returns the output's name (y)."""
    taken = {s.name for s in expr.free_symbols}
    new = _names(len(nodes), taken)
    mapping = {node.symbol: name for node, name in zip(nodes, new)}
    for node in nodes:
        node.symbol = mapping[node.symbol]
        node.definition = node.definition.xreplace(mapping)
        node.params = tuple(mapping.get(p, p) for p in node.params)
    return sympy.Symbol("y" if "y" not in taken else "f", real=True)


# --------------------------------------------------------------------------------------------------
# Products of parts that each depend on x are combined with the product rule (§2), in d/dx notation.
def _is_product(node: _Intermediate) -> bool:
    """A product of two or more factors that each depend on x (x itself or an intermediate), times constants."""
    return (isinstance(node.definition, sympy.Mul) and len(node.params) > 1
            and node.operands_on_x == len(node.params))


def _coefficient(node: _Intermediate) -> sympy.Expr:
    """The constant factor of a product: 3 in y = 3·u₁·u₂ (1 when there is none)."""
    return node.definition.as_independent(*node.params, as_Add=False)[0]


def _product_rule_latex(node: _Intermediate, x, derivative, joiner: str = " ") -> str:
    """The product rule for ``node``: one term per factor, that factor replaced by ``derivative(factor)``
    (a LaTeX string, or None for the derivative 1 of x itself), the other factors kept; ``c(… + …)`` for a
    constant factor c."""
    terms = []
    for p in reversed(node.params):          # f dg/dx + df/dx g: the order of chapter 01's table (§2)
        factors = [derivative(q) if q == p else sympy.latex(q) for q in node.params]
        terms.append(joiner.join(f for f in factors if f is not None))
    total = " + ".join(terms)
    c = _coefficient(node)
    if c == 1:
        return total
    return rf"-\left({total}\right)" if c == -1 else rf"{to_latex(c)} \left({total}\right)"


def _product_words(node: _Intermediate) -> str:
    """'the two factors u₁ and u₂' / 'the 3 factors x, u₁ and u₂'."""
    count = "two" if len(node.params) == 2 else str(len(node.params))
    return f"the {count} factors {_listed(_plain(p) for p in node.params)}"


def _operation(node: _Intermediate) -> str:
    """What an intermediate with several parameters does with them: 'multiplies u₁ and u₂', 'adds u and x'."""
    names = _listed(_plain(p) for p in node.params)
    if _is_product(node):
        return f"multiplies {names}"
    if isinstance(node.definition, sympy.Add):
        return f"adds {names}"
    return f"combines {names}"


# --------------------------------------------------------------------------------------------------
# The four-step process.
def _introduce(d: Derivation, nodes: list[_Intermediate], x, y) -> None:
    """Step 1: one line per intermediate, innermost first; each sentence says what the operation reads."""
    last = len(nodes) - 1
    branches = sum(node.params == (x,) for node in nodes)      # intermediates that start again from x
    for k, node in enumerate(nodes):
        name, definition = _plain(node.symbol), _plain(node.definition)
        latex = rf"{sympy.latex(node.symbol)} = {to_latex(node.definition)}"
        if k == last and node.symbol != y:
            latex += rf" \qquad ({sympy.latex(y)} = {sympy.latex(node.symbol)})"
        if len(nodes) == 1:
            text = f"Nothing is nested: {name} = {definition} is a single operation on {x}."
            if node.operands_on_x == 1:
                text += " The chain has just one link."
        elif k == 0:
            innermost = (f"an innermost subexpression, one that works on {x} directly," if branches > 1
                         else "the innermost subexpression")
            text = (f"Start with {innermost} and give it a name: {name} = {definition}. "
                    "Each intermediate variable holds one operator or one function application.")
        elif k == last:
            output = (f"The outermost operation gives the output: {name} = {definition}." if node.symbol == y
                      else f"The outermost operation, {definition}, gives the output: {_plain(y)} = {name}.")
            text = output if len(node.params) == 1 else f"{output} It {_operation(node)}."
        elif node.params == (x,):
            before = _plain(nodes[0].symbol) if k == 1 else "the intermediate variables before it"
            text = (f"Next, {name} = {definition}: an operation on {x} itself, not on {before}. "
                    f"It starts a separate branch from {x}.")
        elif len(node.params) == 1:
            text = f"Next, {name} = {definition}: one more operation, applied to {_plain(node.params[0])}."
        else:
            text = f"Next, {name} = {definition}: it {_operation(node)}."
        if _is_product(node):
            text += (f" Both factors depend on {x}, so its derivative needs the product rule."
                     if len(node.params) == 2 else
                     f" All {len(node.params)} factors depend on {x}, so its derivative needs the product rule.")
        elif len(node.params) > 1:
            operands = "both operands" if node.operands_on_x == 2 else f"{node.operands_on_x} operands"
            text += (f" Here {operands} depend on {x}, so {x} reaches {name} along more than one path: "
                     "the single-variable chain rule does not apply directly, and we will need the total "
                     "derivative (§4.5.2).")
        elif node.operands_on_x > 1:
            operands = "both operands" if node.operands_on_x == 2 else f"{node.operands_on_x} operands"
            text += (f" Here {operands} are {_plain(node.params[0])}, so {_plain(node.params[0])} reaches "
                     f"{name} along more than one path; its derivative adds the contribution of each "
                     "(the total derivative, §4.5.2).")
        d.add(latex, text, INTRODUCE)


# The derivative of each elementary function of one parameter u, as the sentence of step 2 says it (the
# derivative itself is SymPy's; these say the rule in words a learner can check against a table).
_FUNCTION_RULES = {
    sympy.sin: "The derivative of sin({u}) is cos({u}).",
    sympy.cos: "The derivative of cos({u}) is −sin({u}).",
    sympy.tan: "The derivative of tan({u}) is 1 + tan²({u}), which is the same as 1/cos²({u}).",
    sympy.cot: "The derivative of cot({u}) is −1 − cot²({u}), which is the same as −1/sin²({u}).",
    sympy.sec: "The derivative of sec({u}) is sec({u})·tan({u}).",
    sympy.csc: "The derivative of csc({u}) is −csc({u})·cot({u}).",
    sympy.asin: "The derivative of asin({u}) is 1/√(1 − {u}²), for −1 < {u} < 1.",
    sympy.acos: "The derivative of acos({u}) is −1/√(1 − {u}²), for −1 < {u} < 1.",
    sympy.atan: "The derivative of atan({u}) is 1/(1 + {u}²).",
    sympy.sinh: "The derivative of sinh({u}) is cosh({u}).",
    sympy.cosh: "The derivative of cosh({u}) is sinh({u}), with no minus sign (unlike cos).",
    sympy.tanh: "The derivative of tanh({u}) is 1 − tanh²({u}).",
    sympy.asinh: "The derivative of asinh({u}) is 1/√({u}² + 1).",
    sympy.acosh: "The derivative of acosh({u}) is 1/√({u}² − 1), for {u} > 1; SymPy writes it as "
                 "1/(√({u} − 1)·√({u} + 1)).",
    sympy.atanh: "The derivative of atanh({u}) is 1/(1 − {u}²), for −1 < {u} < 1.",
    sympy.exp: "e^{u} is its own derivative.",
    sympy.log: "The derivative of ln({u}) is 1/{u}.",
    sympy.Abs: ("The derivative of abs({u}) is sign({u}): −1 where {u} < 0 and 1 where {u} > 0. At the kink "
                "{u} = 0 it is taken as 0, the same convention as for max(0, {u})."),
    sympy.sign: ("sign({u}) is flat on each side of 0, so its slope is 0 wherever {u} ≠ 0. At {u} = 0 it jumps "
                 "from −1 to 1 and has no derivative; SymPy writes that jump as 2·δ({u}), a spike at 0 "
                 "(the Dirac delta) that is 0 everywhere else."),
}


def _rule(definition: sympy.Expr, p: sympy.Symbol) -> str:
    """Which §2 rule (or standard derivative) differentiates one intermediate, as a sentence."""
    if isinstance(definition, sympy.Pow) and definition.base == p and not definition.exp.has(p):
        return "Power rule: bring the exponent down and lower it by one."
    if isinstance(definition, sympy.Pow) and definition.exp == p and not definition.base.has(p):
        return "Exponential rule: c^u has derivative c^u·ln(c)."
    if isinstance(definition, sympy.Mul) and sum(a.has(p) for a in definition.args) == 1:
        return "Multiplication by a constant: the constant factor stays."
    if isinstance(definition, sympy.Add) and sum(a.has(p) for a in definition.args) == 1:
        return "Sum rule: a constant term contributes nothing."
    if type(definition) in _FUNCTION_RULES and definition.args == (p,):
        return _FUNCTION_RULES[type(definition)].format(u=_plain(p))
    if isinstance(definition, sympy.Max):
        return "max(0, u) has slope 1 where u > 0 and 0 elsewhere (0 at u = 0, the paper's convention)."
    if isinstance(definition, sympy.Function):
        return f"This is the standard derivative of {type(definition).__name__.lower()}."
    return ""


def _local_derivatives(d: Derivation, nodes: list[_Intermediate], x) -> dict:
    """Step 2: each intermediate's derivative with respect to its own parameter(s); a product states the
    product rule instead (its factors' derivatives are put in at step 3)."""
    local = {}
    for node in nodes:
        name = _plain(node.symbol)
        if len(node.params) == 1:
            (p,) = node.params
            value = _paper_conventions(sympy.diff(node.definition, p))
            local[node.symbol, p] = value
            latex = rf"{_d(node.symbol, p)} = {_d_of(node.definition, p)} = {to_latex(value)}"
            if p == x:
                text = f"Differentiate {name} with respect to {x}."
            else:
                text = (f"Differentiate {name} with respect to its own parameter {_plain(p)}, not {x}: "
                        f"treat {_plain(p)} as the variable.")
            rule = _rule(node.definition, p) if node.operands_on_x == 1 else ""
            if rule:
                text = f"{text} {rule}"
            if node.operands_on_x > 1:
                text += f" {_plain(p)} appears more than once, and the derivative includes every appearance."
        elif _is_product(node):
            for p in node.params:
                local[node.symbol, p] = _paper_conventions(sympy.diff(node.definition, p))
            rule = _product_rule_latex(node, x, lambda p: None if p == x else _d(p, x))
            latex = (rf"{_d(node.symbol, x)} = \frac{{d}}{{d{sympy.latex(x)}}} "
                     rf"\left({to_latex(node.definition)}\right) = {rule}")
            others = "the other as it is" if len(node.params) == 2 else "the others as they are"
            terms = "the two terms" if len(node.params) == 2 else "the terms"
            taken = {str(x)} | {n.symbol.name for n in nodes}
            f, g = next(pair for pair in (("f", "g"), ("a", "b"), ("F", "G")) if not taken & set(pair))
            text = (f"{name} = {_plain(node.definition)} is a product of {_product_words(node)}, so use the "
                    f"product rule, d({f}·{g})/d{x} = {f}·d{g}/d{x} + d{f}/d{x}·{g}: differentiate one factor at a "
                    f"time, keep {others}, and add {terms}.")
            if x in node.params:
                text += f" The derivative of {x} itself is 1."
            c = _coefficient(node)
            if c != 1:
                text += f" The constant factor {_plain(c)} stays in front."
        else:
            parts = []
            for p in node.params:
                value = _paper_conventions(sympy.diff(node.definition, p))
                local[node.symbol, p] = value
                parts.append(rf"{_d(node.symbol, p, partial=True)} = {to_latex(value)}")
            latex = r";\quad ".join(parts)
            text = (f"{name} = {_plain(node.definition)} depends on {x} in more than one way, so take its "
                    "partial derivative with respect to each parameter, holding the others fixed.")
        d.add(latex, text, DIFFERENTIATE)
    return local


def _combine(d: Derivation, nodes: list[_Intermediate], local: dict, x, y) -> sympy.Expr:
    """Step 3: multiply along the chain; a product by the product rule; where other paths branch, add them
    (total derivative)."""
    out = nodes[-1].symbol
    head = _d(y, x) if out == y else rf"{_d(y, x)} = {_d(out, x)}"
    if all(len(n.params) == 1 for n in nodes):                               # one path: §4.5.1
        links = [(n.symbol, n.params[0]) for n in reversed(nodes)]          # output first, as the paper
        factors = [local[link] for link in links]
        total = sympy.Mul(*factors)
        if len(nodes) > 1:
            chain = "".join(_d(top, bottom) for top, bottom in links)
            latex = rf"{head} = {chain} = {_product(*factors)}"
            if to_latex(total) != _product(*factors):
                latex += rf" = {to_latex(total)}"
            d.add(latex, f"Multiply the derivatives together, from the output down to {x}. This "
                         "multiplication is the 'chain' in the chain rule.", COMBINE)
        return total

    totals = {x: sympy.Integer(1)}                                          # several paths
    for node in nodes:
        terms = [local[node.symbol, p] * totals[p] for p in node.params]
        totals[node.symbol] = sympy.Add(*terms)
        if node.params == (x,):
            continue            # its derivative with respect to x is already its local derivative
        lhs = head if node.symbol == out else _d(node.symbol, x)
        if _is_product(node):                                               # the product rule (§2)
            symbolic = _product_rule_latex(node, x, lambda p: None if p == x else _d(p, x))
            numeric = _product_rule_latex(node, x, lambda p: None if p == x else _grouped(totals[p]),
                                          joiner=r" \cdot ")
            latex = rf"{lhs} = {symbolic} = {numeric}"
            if to_latex(totals[node.symbol]) != numeric:
                latex += rf" = {to_latex(totals[node.symbol])}"
            found = _listed(_d_text(p, x) for p in node.params if p != x)
            text = (f"Put the derivatives of the factors into the product rule: {found} "
                    f"{'is' if len(node.params) - (x in node.params) == 1 else 'are'} known from the lines "
                    "above.")
            d.add(latex, text, COMBINE)
            continue
        partial = len(node.params) > 1
        symbolic = " + ".join(
            _d(node.symbol, p, partial) if p == x else _d(node.symbol, p, partial) + _d(p, x)
            for p in node.params)
        numeric = " + ".join(_product(local[node.symbol, p]) if p == x
                             else _product(local[node.symbol, p], totals[p]) for p in node.params)
        latex = rf"{lhs} = {symbolic} = {numeric}"
        if to_latex(totals[node.symbol]) != numeric:
            latex += rf" = {to_latex(totals[node.symbol])}"
        if partial:
            text = (f"{x} reaches {_plain(node.symbol)} along more than one path. The total derivative adds "
                    "the contribution of every path, each a product of derivatives along it (§4.5.2).")
        else:
            text = (f"{_plain(node.symbol)} has one parameter, {_plain(node.params[0])}: multiply its derivative "
                    f"by the derivative of {_plain(node.params[0])} with respect to {x} (the chain).")
        d.add(latex, text, COMBINE)
    return totals[out]


def _substitute(d: Derivation, nodes: list[_Intermediate], total: sympy.Expr, x, y) -> sympy.Expr:
    """Step 4: put the intermediates back in terms of x, then tidy."""
    substituted = total.xreplace({n.symbol: n.original for n in nodes})
    result = tidy(_evaluated(substituted))
    if total.free_symbols & {n.symbol for n in nodes}:
        latex = rf"{_d(y, x)} = {to_latex(substituted)}"
        if result != substituted:
            latex += rf" = {to_latex(result)}"
        d.add(latex, f"Substitute the intermediate variables back in, so the derivative is written in {x} "
                     "alone" + (", then simplify." if result != substituted else "."), SUBSTITUTE)
    return result


def _dataflow(nodes: list[_Intermediate], local: dict, x, first_intro: int, first_local: int) -> Dataflow:
    """The graph of the intermediates: one node per variable, one edge per (parameter, intermediate) pair,
    labelled with the local derivative computed in step 2. Node k is introduced by the k-th step of step 1
    and its edges labelled by the k-th step of step 2."""
    flow_nodes = [FlowNode(_plain(x), "", "", 0)]
    edges = []
    for k, node in enumerate(nodes):
        name = _plain(node.symbol)
        flow_nodes.append(FlowNode(name, _plain(node.definition), to_latex(node.definition), first_intro + k))
        for p in node.params:
            value = local.get((node.symbol, p))
            if value is None:
                value = _paper_conventions(sympy.diff(node.definition, p))
            edges.append(FlowEdge(_plain(p), name, _plain(value), to_latex(value), first_local + k))
    output = _plain(nodes[-1].symbol)
    paths = paths_between(((e.source, e.target) for e in edges), _plain(x), output)
    return Dataflow(tuple(flow_nodes), tuple(edges), _plain(x), output, paths)


def chain_rule_steps(expression, var: str | sympy.Symbol = "x") -> Derivation:
    """The paper's four-step chain-rule process (§4.5.1) for any single-variable expression, with §2's
    product rule (in d/dx notation) for a product of parts that each depend on the variable.

    ``expression`` is a SymPy expression or learner text (parsed safely by
    :func:`mcdl.symbolic.parse_expression`). The steps: intermediate variables innermost first, the
    derivative of each with respect to its parameter, their product (or, where x reaches the output along
    several paths, the total-derivative sum of §4.5.2), substitution back into x, and the result, which
    is also ``derivation.result`` and equals SymPy's own derivative.

    ``chain_rule_steps("sin(x**2)")``: u = x², y = sin(u); du/dx = 2x, dy/du = cos(u);
    dy/dx = cos(u)·2x; dy/dx = 2x cos(x²).

    Text is derived as the learner wrote it (parsed with ``evaluate=False``): ``chain_rule_steps("x*x**2")``
    is §4.5.2's example, u = x², y = u·x, whose two factors both depend on x, so the product rule gives
    dy/dx = x·du/dx + u = x·2x + u, which is 3x² once u = x² is put back; SymPy would have turned the text
    into x³ before any step could be shown. A SymPy expression is taken as it is. Either way the result is an
    ordinary (evaluated) SymPy expression.

    ``chain_rule_steps("x**2*sin(x)")``: u₁ = x², u₂ = sin(x), y = u₃ = u₁·u₂; du₁/dx = 2x, du₂/dx = cos(x)
    and the product rule dy/dx = u₁·du₂/dx + du₁/dx·u₂; dy/dx = u₁·cos(x) + 2x·u₂;
    dy/dx = x(x cos(x) + 2 sin(x)).

    What it refuses, with the reason: text the parser refuses, and any part without a real value
    (``cot(0) + csc(cot(x))``: cot(0) is undefined) — the parser's errors; more than
    :data:`MAX_INTERMEDIATES` intermediates, and abs, max, ... applied to an intermediate that may be non-real
    for a real x (``abs(sqrt(x))``: sqrt(x) is imaginary for x < 0, where the steps' d/du abs(u) = sign(u)
    would be wrong) — :class:`DerivationError`. All are ``ValueError`` s.
    """
    name = var.name if isinstance(var, sympy.Symbol) else var
    expr = _as_expr(expression, (name,), strict=True)           # every refusal of the parser, as everywhere
    if isinstance(expression, str):                               # then the learner's own structure (x·x²)
        expr = parse_expression(expression, (name,), strict=True, evaluate=False)
    x = _as_symbol(var, expr)
    title = f"The chain rule, step by step: d/d{x} {_plain(expr) if not expr.is_Add else f'({_plain(expr)})'}"
    d = Derivation(title, expression=expr, variable=x)

    if not expr.has(x):                                 # the constant rule (§2)
        y = sympy.Symbol("y", real=True)
        d.add(rf"{sympy.latex(y)} = {to_latex(expr)}",
              f"{_plain(expr)} does not depend on {x}: it is a constant.", INTRODUCE)
        d.result = sympy.Integer(0)
    elif expr == x:
        y = sympy.Symbol("y", real=True)
        d.add(rf"{sympy.latex(y)} = {sympy.latex(x)}", f"The function is {x} itself.", INTRODUCE)
        d.result = sympy.Integer(1)
    else:
        nodes = _decompose(expr, x)
        if len(nodes) > MAX_INTERMEDIATES:
            raise DerivationError(
                f"this expression needs {len(nodes)} intermediate variables; a step-by-step derivation is "
                f"limited to {MAX_INTERMEDIATES}. Try a smaller piece of it (symbolic_derivative works "
                "for the whole thing).")
        _check_real_parameters(nodes, x)
        y = _rename(nodes, expr)
        if any(map(_is_product, nodes)):
            chained = any(not _is_product(n) and set(n.params) - {x} for n in nodes)
            rules = "The product rule and the chain rule" if chained else "The product rule"
            d.title = d.title.replace("The chain rule", rules, 1)
        first_intro = len(d)
        _introduce(d, nodes, x, y)
        first_local = len(d)
        local = _local_derivatives(d, nodes, x)
        d.dataflow = _dataflow(nodes, local, x, first_intro, first_local)
        total = _combine(d, nodes, local, x, y)
        d.result = _substitute(d, nodes, total, x, y)
    d.add(rf"\frac{{d}}{{d{sympy.latex(x)}}} {_grouped(expr)} = {to_latex(d.result)}",
          f"The result: the derivative of {_plain(expr)} with respect to {x} is {_plain(d.result)}.",
          RESULT)
    return d


def product_rule_steps(f, g, var: str | sympy.Symbol = "x") -> Derivation:
    """The product rule (§2): d(fg)/dx = f dg/dx + df/dx g, with f and g kept apart.

    ``f`` and ``g`` are SymPy expressions or learner text. The paper's example is
    ``product_rule_steps("x**2", "x")``: x²·1 + 2x·x = 3x² (SymPy alone would merge x²·x into x³ first).
    """
    name = var.name if isinstance(var, sympy.Symbol) else var
    f, g = _as_expr(f, (name,), strict=True), _as_expr(g, (name,), strict=True)
    x = _as_symbol(var, f * g)
    _check_real_parts(f, x)                    # abs of a deeply non-real part: SymPy's derivative has no bound
    _check_real_parts(g, x)
    df, dg = tidy(sympy.diff(f, x)), tidy(sympy.diff(g, x))
    result = tidy(f * dg + df * g)
    d = Derivation(f"The product rule, step by step: d/d{x} ({_plain(f)})·({_plain(g)})",
                   result=result, expression=sympy.Mul(f, g, evaluate=False), variable=x)
    stage = "The product rule (§2)"
    d.add(rf"y = f g = {_product(f, g)}",
          f"The function is a product of two factors, f = {_plain(f)} and g = {_plain(g)}. Keep them apart: "
          "the product rule differentiates each factor on its own.", stage)
    d.add(rf"\frac{{df}}{{d{sympy.latex(x)}}} = {_d_of(f, x)} = {to_latex(df)}",
          f"Differentiate the first factor, f = {_plain(f)}.", stage)
    d.add(rf"\frac{{dg}}{{d{sympy.latex(x)}}} = {_d_of(g, x)} = {to_latex(dg)}",
          f"Differentiate the second factor, g = {_plain(g)}.", stage)
    combined = f"{_product(f, dg)} + {_product(df, g)}"
    d.add(rf"\frac{{dy}}{{d{sympy.latex(x)}}} = f \frac{{dg}}{{d{sympy.latex(x)}}} + "
          rf"\frac{{df}}{{d{sympy.latex(x)}}} g = {combined}",
          "Each factor times the derivative of the other, added together.", stage)
    d.add(rf"\frac{{d}}{{d{sympy.latex(x)}}} \left({_product(f, g)}\right) = {to_latex(result)}",
          f"Simplify: the derivative is {_plain(result)}.", RESULT)
    return d
