"""mcdl.symbolic: the safe parser (whitelisted AST -> SymPy) and symbolic derivatives (paper §2)."""
import builtins
import pathlib
import re
import time

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings, strategies as st

from mcdl import symbolic
from mcdl.symbolic import (
    MAX_LENGTH, ExpressionSyntaxError, UndefinedExpressionError, UnsafeExpressionError, parse_expression,
    symbolic_derivative, symbols, tidy, to_function, to_latex,
)

x, y = symbols("x", "y")
MODULES = [pathlib.Path(__file__).parents[1] / "mcdl" / name for name in ("symbolic.py", "derivation.py")]


# ------------------------------------------------------------------------------------------------
# Hostile input: refused with a message that names what was refused.
HOSTILE = [
    ("__import__('os')", UnsafeExpressionError, "function '__import__' is not allowed"),
    ("os.system('ls')", UnsafeExpressionError, "attribute access (`.`) is not allowed"),
    ("x.__class__", UnsafeExpressionError, "attribute access (`.`) is not allowed"),
    ("lambda x: x", UnsafeExpressionError, "lambda"),
    ("[x for x in y]", UnsafeExpressionError, "list comprehension"),
    ("(lambda: 1)()", UnsafeExpressionError, "only named functions can be called"),
    ("open('f')", UnsafeExpressionError, "function 'open' is not allowed"),
    ("x if x else 1", UnsafeExpressionError, "conditional expression"),
    ("x; y", UnsafeExpressionError, "more than one expression"),
    ('"abc"', UnsafeExpressionError, "string"),
    ('f"{x}"', UnsafeExpressionError, "f-string"),
    ("x[0]", UnsafeExpressionError, "indexing"),
    ("{1:2}", UnsafeExpressionError, "dict"),
    ("import os", UnsafeExpressionError, "`import` statement"),
    ("z", UnsafeExpressionError, "unknown name 'z': this exercise uses the variable x"),
    ("max(0, x=1)", UnsafeExpressionError, "keyword argument"),
    ("sin(*x)", UnsafeExpressionError, "argument unpacking"),
    ("x" * (MAX_LENGTH + 1), UnsafeExpressionError, "too long"),
    ("-" * 400 + "x", UnsafeExpressionError, "nested too deeply"),
    ("sin(" * 70 + "x" + ")" * 70, UnsafeExpressionError, "nested too deeply"),
    ("9**9**9", UnsafeExpressionError, "too large"),
    ("(10**400)**1000", UnsafeExpressionError, "too large"),
    ("x**(10**6)", UnsafeExpressionError, "too large"),
    ("1e999", UnsafeExpressionError, "too large"),
    ("x = 1", UnsafeExpressionError, "assignment"),
    ("(y := 1)", UnsafeExpressionError, "assignment"),
    ("def f(): pass", UnsafeExpressionError, "function definition"),
    ("x > 0", UnsafeExpressionError, "comparison"),
    ("x and 1", UnsafeExpressionError, "logical operator"),
    ("True", UnsafeExpressionError, "True"),
    ("1j", UnsafeExpressionError, "complex"),
    ("x // 2", UnsafeExpressionError, "//"),
    ("x % 2", UnsafeExpressionError, "%"),
    ("x @ x", UnsafeExpressionError, "@"),
    ("~x", UnsafeExpressionError, "~"),
    ("x, 1", UnsafeExpressionError, "tuple"),
    ("(yield)", UnsafeExpressionError, "yield"),
    ("sin", UnsafeExpressionError, "'sin' is a function"),
    ("x(2)", UnsafeExpressionError, "'x' is a variable, not a function"),
    ("2(x+1)", UnsafeExpressionError, "write 2*(...)"),
    ("(x+1)(x-1)", UnsafeExpressionError, "(a)*(b)"),
    ("sin(x, x)", UnsafeExpressionError, "takes 1 argument"),
    ("max(x)", UnsafeExpressionError, "at least 2"),
    ("getattr(x, 'a')", UnsafeExpressionError, "function 'getattr'"),
    ("x\0", UnsafeExpressionError, "NUL"),
    ("2x", ExpressionSyntaxError, "Multiplication must be written with '*'"),
    ("sin(x", ExpressionSyntaxError, "matching ')'"),
    ("x)", ExpressionSyntaxError, "without a matching '('"),
    ("x**", ExpressionSyntaxError, "could not read"),
    ("(" * 240 + "x" + ")" * 240, ValueError, ""),    # Python's own parser limit, still a ValueError
    # escapes through Python's object model, builtins and other constructs
    ("().__class__.__bases__[0].__subclasses__()", UnsafeExpressionError, "attribute access (`.`) is not allowed"),
    ("sin.__globals__", UnsafeExpressionError, "attribute access (`.`) is not allowed"),
    ("acosh(x).real", UnsafeExpressionError, "attribute access (`.`) is not allowed"),
    ("__builtins__", UnsafeExpressionError, "unknown name '__builtins__'"),
    ("__import__", UnsafeExpressionError, "unknown name '__import__'"),
    ("globals()['x']", UnsafeExpressionError, "indexing"),
    ("vars()", UnsafeExpressionError, "function 'vars' is not allowed"),
    ("type(x)", UnsafeExpressionError, "function 'type' is not allowed"),
    ("print(x)", UnsafeExpressionError, "function 'print' is not allowed"),
    ("breakpoint()", UnsafeExpressionError, "function 'breakpoint' is not allowed"),
    ("lambda: sinh(x)", UnsafeExpressionError, "lambda"),
    ("{x for x in y}", UnsafeExpressionError, "set comprehension"),
    ("{x: 1 for x in y}", UnsafeExpressionError, "dict comprehension"),
    ("(x for x in y)", UnsafeExpressionError, "generator expression"),
    ("[sinh(x) for x in (1,)]", UnsafeExpressionError, "list comprehension"),
    ("sinh(x)(2)", UnsafeExpressionError, "only named functions can be called"),
    ("sinh(x=1)", UnsafeExpressionError, "keyword argument"),
    ("b'x'", UnsafeExpressionError, "string"),
    ("...", UnsafeExpressionError, "Ellipsis"),
    ("None", UnsafeExpressionError, "None"),
    ("x[::2]", UnsafeExpressionError, "indexing"),
    # huge numbers: factorials are not in the whitelist, towers of powers and functions of huge numbers stop early
    ("factorial(100000)", UnsafeExpressionError, "function 'factorial' is not allowed"),
    ("gamma(10**6)", UnsafeExpressionError, "function 'gamma' is not allowed"),
    ("x!", ExpressionSyntaxError, "could not read"),
    ("2**2**2**2**2**2", UnsafeExpressionError, "too large"),
    ("10**10**10", UnsafeExpressionError, "too large"),
    ("x**(-10**6)", UnsafeExpressionError, "too large"),
    ("exp(exp(exp(100)))*x", UnsafeExpressionError, "too large to compute"),
    ("sinh(10**400)", UnsafeExpressionError, "too large to compute"),
    ("cosh(exp(1000))", UnsafeExpressionError, "too large to compute"),
    # the new functions keep the rules of the old ones
    ("sinh(x, x)", UnsafeExpressionError, "takes 1 argument"),
    ("sign", UnsafeExpressionError, "'sign' is a function"),
    ("atanh", UnsafeExpressionError, "'atanh' is a function"),
    ("x²", ExpressionSyntaxError, "invalid character"),
]


@pytest.mark.parametrize("text, error, fragment", HOSTILE, ids=[h[0][:30] for h in HOSTILE])
def test_hostile_input_is_refused_with_a_clear_message(text, error, fragment):
    started = time.perf_counter()
    with pytest.raises(error) as info:
        parse_expression(text)
    assert fragment in str(info.value)
    assert time.perf_counter() - started < 2.0


def test_refusals_say_what_is_allowed():
    with pytest.raises(UnsafeExpressionError) as info:
        parse_expression("x.__class__", variables=("x", "y"))
    message = str(info.value)
    assert "attribute access (`.`) is not allowed in an expression" in message
    assert "the variables x, y" in message and "sin, cos" in message
    assert "sinh, cosh, tanh" in message and "sign" in message and "arcsin" in message


def test_error_classes_are_value_errors():
    assert issubclass(UnsafeExpressionError, ValueError)
    assert issubclass(ExpressionSyntaxError, ValueError)


def test_unknown_variable_names_the_exercise_variables():
    with pytest.raises(UnsafeExpressionError, match=r"unknown name 'z': this exercise uses the variables x, y"):
        parse_expression("x + z", ("x", "y"))


def test_syntax_error_points_at_the_position():
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_expression("x^2 +* 1")
    lines = str(info.value).splitlines()
    assert lines[1] == "x^2 +* 1"          # what the learner typed, ^ and all
    assert lines[2] == "     ^"            # the caret under the '*'
    assert "position 6" in lines[0]


@pytest.mark.parametrize("value", [b"x", 3, None, ["x"], sympy.Symbol("x")])
def test_non_strings_are_a_type_error(value):
    with pytest.raises(TypeError, match=type(value).__name__):
        parse_expression(value)


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_input_is_a_value_error(text):
    with pytest.raises(ValueError, match="empty"):
        parse_expression(text)


def test_bad_variable_names_are_refused():
    with pytest.raises(ValueError):
        parse_expression("x", variables=("sin",))
    with pytest.raises(ValueError):
        parse_expression("x", variables=("x.y",))


def test_parser_never_calls_eval_exec_or_sympify(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec/sympify called on learner text")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(sympy, "sympify", forbidden)
    monkeypatch.setattr(sympy, "parse_expr", forbidden, raising=False)
    for text in ["sin(x**2)", "ln(sin(x^3)^2)", "max(0, 3*x + 1) / 2", "e**x - pi", "0.25*x"]:
        parse_expression(text)
    for text in ["__import__('os')", "x.__class__"]:
        with pytest.raises(UnsafeExpressionError):
            parse_expression(text)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_contain_no_eval(path):
    source = path.read_text()
    for forbidden in ("eval(", "exec(", "sympify(", "parse_expr("):
        assert forbidden not in source, f"{forbidden} found in {path.name}"


# ------------------------------------------------------------------------------------------------
# Valid input parses to the right SymPy object.
VALID = [
    ("sin(x**2)", sympy.sin(x**2)),
    ("sin(x^2)", sympy.sin(x**2)),
    ("2*x^2 + 1", 2 * x**2 + 1),
    ("x^2^3", x**8),                            # right-associative, like **
    ("-x**2", -(x**2)),
    ("+x", x),
    ("ln(sin(x**3)**2)", sympy.log(sympy.sin(x**3) ** 2)),
    ("log(x)", sympy.log(x)),
    ("exp(x) + e**x", 2 * sympy.exp(x)),
    ("pi*x", sympy.pi * x),
    ("max(0, x)", sympy.Max(0, x)),
    ("Max(0, x, 1)", sympy.Max(1, x)),
    ("abs(x)", sympy.Abs(x)),
    ("sqrt(x)", sympy.sqrt(x)),
    ("tanh(x) + atan(x) + asin(x) + acos(x)", sympy.tanh(x) + sympy.atan(x) + sympy.asin(x) + sympy.acos(x)),
    ("cot(x) + sec(x) + csc(x) + tan(x) + cos(x)",
     sympy.cot(x) + sympy.sec(x) + sympy.csc(x) + sympy.tan(x) + sympy.cos(x)),
    ("sinh(x) + cosh(x) + asinh(x) + acosh(x) + atanh(x)",
     sympy.sinh(x) + sympy.cosh(x) + sympy.asinh(x) + sympy.acosh(x) + sympy.atanh(x)),
    ("sign(x)*abs(x)", sympy.sign(x) * sympy.Abs(x)),
    ("arcsin(x) + arccos(x) + arctan(x)", sympy.asin(x) + sympy.acos(x) + sympy.atan(x)),
    ("arcsinh(x) + arccosh(x) + arctanh(x)", sympy.asinh(x) + sympy.acosh(x) + sympy.atanh(x)),
    ("sign(-2)*x + cosh(0)", 1 - x),
    ("1/x", 1 / x),
    ("x - 3*x", -2 * x),
    ("0.5*x", sympy.Rational(1, 2) * x),
    ("0.1", sympy.Rational(1, 10)),
    ("99", sympy.Integer(99)),
    ("  x  ", x),
]


@pytest.mark.parametrize("text, expected", VALID, ids=[v[0] for v in VALID])
def test_valid_expressions_parse_to_sympy(text, expected):
    assert parse_expression(text) == expected


def test_several_variables_and_symbol_assumptions():
    expr = parse_expression("3*x**2*y", ("x", "y"))
    assert expr == 3 * x**2 * y
    assert expr - 3 * x**2 * y == 0
    assert all(s.is_real for s in expr.free_symbols)
    assert parse_expression("x**2") - x**2 == 0
    assert parse_expression("3*x**2*y", "x, y") == expr            # names as one string


def test_symbols_helper():
    (a,) = symbols("a")
    assert a.is_real and a.name == "a"
    assert symbols("x y") == (x, y)
    assert symbols("x", "y") == (x, y)


def test_large_float_literals_stay_floats():
    expr = parse_expression("1e300*x")
    assert expr.has(sympy.Float)


# Property: a random expression written as text parses to the same SymPy object built directly.
_LEAVES = st.sampled_from([("x", x), ("2", sympy.Integer(2)), ("3", sympy.Integer(3)), ("pi", sympy.pi)])
_UNARY = {"sin": sympy.sin, "cos": sympy.cos, "exp": sympy.exp, "tanh": sympy.tanh, "atan": sympy.atan,
          "abs": sympy.Abs, "sqrt": sympy.sqrt, "ln": sympy.log}


def _grow(children):
    unary = st.tuples(st.sampled_from(sorted(_UNARY)), children).map(
        lambda t: (f"{t[0]}({t[1][0]})", _UNARY[t[0]](t[1][1])))
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
        lambda t: (f"({t[0][0]}){t[1]}({t[2][0]})",
                   {"+": sympy.Add, "-": lambda a, b: a - b, "*": sympy.Mul, "/": lambda a, b: a / b}[t[1]](
                       t[0][1], t[2][1])))
    power = st.tuples(children, st.sampled_from(["2", "3", "-1"]), st.sampled_from(["**", "^"])).map(
        lambda t: (f"({t[0][0]}){t[2]}{t[1]}", t[0][1] ** int(t[1])))
    return st.one_of(unary, binary, power)


EXPRESSIONS = st.recursive(_LEAVES, _grow, max_leaves=6)


@settings(max_examples=150, deadline=None)
@given(EXPRESSIONS)
def test_property_text_parses_to_the_same_expression(pair):
    text, expected = pair
    parsed = parse_expression(text)
    if parsed is sympy.nan and expected is not sympy.nan:       # ln(cos(2)): a constant that is not real
        with pytest.raises(UndefinedExpressionError, match="is not a real number"):
            parse_expression(text, strict=True)
        return
    assert parsed == expected


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60),
                 st.text(alphabet="x+-*/^()[]{}.,:;'\"=<>!@#%&|~0123456789 sincoexplgabmqrtuh_",
                         max_size=60)))
def test_property_any_text_gives_a_value_error_or_an_expression(text):
    try:
        result = parse_expression(text)
    except ValueError as err:          # includes UnsafeExpressionError and ExpressionSyntaxError
        assert str(err)
    else:
        assert isinstance(result, sympy.Basic)


# ------------------------------------------------------------------------------------------------
# Symbolic derivatives: the paper's §2 examples (paper-map §3 #1–#8) and #18, #19.
PAPER_DERIVATIVES = [
    ("99", sympy.Integer(0)),
    ("3*x", sympy.Integer(3)),
    ("x**3", 3 * x**2),
    ("x**2 + 3*x", 2 * x + 3),
    ("x**2 - 3*x", 2 * x - 3),
    ("x**2*x", 3 * x**2),
    ("ln(x**2)", 2 / x),
    ("9*(x + x**2)", 9 + 18 * x),
    ("sin(x**2)", 2 * x * sympy.cos(x**2)),
    ("ln(sin(x**3)**2)", 6 * x**2 * sympy.cos(x**3) / sympy.sin(x**3)),
]


@pytest.mark.parametrize("text, expected", PAPER_DERIVATIVES, ids=[p[0] for p in PAPER_DERIVATIVES])
def test_paper_derivatives(text, expected):
    derivative = symbolic_derivative(text)
    assert sympy.simplify(derivative - expected) == 0


def test_derivatives_keep_the_papers_form():
    assert symbolic_derivative("ln(x**2)") == 2 / x
    # not 6x²/tan(x³): simplification may not bring in functions the reader did not write
    assert symbolic_derivative("ln(sin(x**3)**2)") == 6 * x**2 * sympy.cos(x**3) / sympy.sin(x**3)
    assert symbolic_derivative("tanh(x)") == 1 - sympy.tanh(x) ** 2


def test_relu_derivative_uses_the_papers_convention_at_zero():
    derivative = symbolic_derivative("max(0, x)")
    assert derivative == sympy.Heaviside(x, 0)
    values = to_function(derivative)(np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(values, [0.0, 0.0, 1.0])


def test_symbolic_derivative_accepts_expressions_and_other_variables():
    assert symbolic_derivative(sympy.sin(x**2)) == 2 * x * sympy.cos(x**2)
    (t,) = symbols("t")
    assert symbolic_derivative("t**3", var="t") == 3 * t**2
    assert symbolic_derivative(3 * x**2 * y, var=y) == 3 * x**2
    assert symbolic_derivative(3 * x**2 * y, var="x") == 6 * x * y


def test_tidy_simplifies_when_it_helps():
    assert tidy(x / x**2 + 1 / x) == 2 / x


# ------------------------------------------------------------------------------------------------
# Views: LaTeX and numpy functions.
def test_to_latex_uses_ln():
    assert to_latex(sympy.log(x)) == r"\ln{\left(x \right)}"
    assert r"\ln" in to_latex("ln(x**2)")
    assert to_latex("sin(x^2)") == r"\sin{\left(x^{2} \right)}"


def test_to_latex_writes_the_step_function_as_cases():
    latex = to_latex(symbolic_derivative("max(0, x)"))
    assert r"\begin{cases}" in latex and "x > 0" in latex


def test_to_function_matches_numpy():
    grid = np.linspace(0.1, 2.0, 7)
    np.testing.assert_allclose(to_function("sin(x**2)")(grid), np.sin(grid**2))
    np.testing.assert_allclose(to_function("x*y", ("x", "y"))(grid, 2.0), 2 * grid)
    assert to_function(sympy.sin(x))(0.5).shape == ()


def test_to_function_broadcasts_constants():
    values = to_function("3")(np.arange(4.0))
    assert values.shape == (4,) and values.dtype == float
    np.testing.assert_array_equal(values, 3.0)


def test_to_function_checks_argument_count():
    with pytest.raises(TypeError, match="takes 1 argument"):
        to_function("x")(1.0, 2.0)


def test_no_eval_in_docstring_examples_text():
    # the module explains why eval is avoided; make sure it stays a sentence, not a call
    text = MODULES[0].read_text()
    assert re.search(r"\beval\s*\(", text) is None


# ------------------------------------------------------------------------------------------------
# Bounded symbolic work on what a learner types (issue 9): every part must have a real value, SymPy is never
# asked to reason about a non-real constant, and tidy never runs the unbounded sympy.simplify.
def test_max_of_a_constant_that_is_not_real_is_refused_before_sympy_compares(monkeypatch):
    # asin(pi) is not real; SymPy's Max spent 20-40 s deciding that pi/log(asin(pi)) cannot be compared
    def compare(cls, args):
        raise AssertionError("SymPy's Max was asked to compare a non-real constant")

    monkeypatch.setattr(sympy.Max, "_new_args_filter", classmethod(compare))
    text = "max(pi/log(asin(pi)), log(cos(csc(1))))"
    with pytest.raises(UndefinedExpressionError) as info:
        parse_expression(text)
    message = str(info.value)
    assert "compares real numbers" in message and "pi/log(asin(pi))" in message
    assert "asin(pi) is not a real number" in message and "−1 ≤ u ≤ 1" in message
    with pytest.raises(UndefinedExpressionError, match=r"asin\(pi\) is not a real number"):
        symbolic_derivative(text)


def test_max_compares_real_constants_in_floating_point():
    assert parse_expression("max(1, 2)") == 2
    assert parse_expression("max(pi, 3)") == sympy.pi
    assert parse_expression("max(log(cos(csc(1))), x, 1)") == sympy.Max(1, x)
    assert parse_expression("Max(0, x, 1)") == sympy.Max(1, x)
    with pytest.raises(UndefinedExpressionError, match=r"its argument 1/0 is undefined \(division by zero\)"):
        parse_expression("max(1/0, x)")
    with pytest.raises(UndefinedExpressionError, match=r"ln\(-1 - x\*\*2\) is not a real number for any real"):
        parse_expression("max(x, ln(-1 - x**2))")


@pytest.mark.parametrize("text, part", [
    ("sqrt(-1)*x", "sqrt(-1) is not a real number (sqrt(u) needs u ≥ 0, and here u = -1)"),
    ("x + asin(2)", "asin(2) is not a real number"),
    ("ln(-3) + x", "ln(-3) is not a real number (log(u) needs u > 0"),
    ("(-8)**(1/3)", "(-8)**(1/3) is not a real number (a negative number to a fractional power"),
    ("sqrt(pi/log(asin(pi)))", "asin(pi) is not a real number"),      # SymPy alone: 40 s
    ("cot(0) + csc(cot(x))", "cot(0) is undefined (division by zero)"),
    ("x/(x - x)", "x/(x - x) is undefined (division by zero)"),
    ("log(0)*x", "log(0) is undefined (the logarithm of 0)"),
    ("0/0 + x", "0/0 is undefined (division by zero)"),
    ("1/(1/0)", "1/0 is undefined (division by zero)"),                # SymPy would make it 0
    ("x^2 + tan(pi/2)", "tan(pi/2) is undefined (division by zero)"),
    ("acosh(0.5)*x", "acosh(0.5) is not a real number (acosh(u) needs u ≥ 1"),
    ("x + atanh(2)", "atanh(2) is not a real number (atanh(u) needs −1 < u < 1, and here u = 2)"),
    ("arctanh(-3)*x", "arctanh(-3) is not a real number (atanh(u) needs −1 < u < 1"),
    ("x + atanh(1)", "atanh(1) is undefined (atanh(u) grows without bound"),
    ("x*atanh(cos(0))", "atanh(cos(0)) is undefined"),
    ("acosh(cos(1)) + x", "acosh(cos(1)) is not a real number (acosh(u) needs u ≥ 1, and here u ≈ 0.5403)"),
])
def test_strict_parsing_names_the_part_without_a_real_value(text, part):
    with pytest.raises(UndefinedExpressionError) as info:
        parse_expression(text, strict=True)
    assert part in str(info.value) and "undefined" in str(info.value)
    assert info.value.part and info.value.reason
    with pytest.raises(UndefinedExpressionError, match=re.escape(part)):
        symbolic_derivative(text)


def test_by_default_a_part_without_a_value_makes_the_text_undefined_everywhere():
    # the checker and mcdl.functions read zoo and nan as "undefined everywhere" (text such as 1/0)
    assert parse_expression("1/0") == sympy.zoo
    assert parse_expression("cot(0) + csc(cot(x))").has(sympy.zoo)
    assert parse_expression("sqrt(-1)*x") is sympy.nan                  # was I*x: not a real number
    assert parse_expression("abs(sqrt(-4))") is sympy.nan               # sqrt(-4) is undefined in the reals
    assert parse_expression("x^2 + sqrt(2)") == x**2 + sympy.sqrt(2)


def test_sympy_input_without_a_value_is_refused_by_derivatives():
    with pytest.raises(UndefinedExpressionError, match=r"zoo \(complex infinity"):
        symbolic_derivative(sympy.zoo + x)
    with pytest.raises(UndefinedExpressionError, match=r"asin\(2\).*not a real number"):
        symbolic_derivative(sympy.asin(2) * x)
    with pytest.raises(UndefinedExpressionError, match="nan"):
        tidy(sympy.nan * x)


def test_tidy_never_calls_sympy_simplify(monkeypatch):
    def unbounded(*args, **kwargs):
        raise AssertionError("sympy.simplify has no time bound")

    monkeypatch.setattr(sympy, "simplify", unbounded)
    for text, expected in PAPER_DERIVATIVES:
        assert symbolic_derivative(text).equals(expected)
    assert symbolic_derivative("ln(sin(x**3)**2)") == 6 * x**2 * sympy.cos(x**3) / sympy.sin(x**3)
    assert symbolic_derivative("(1 - x)/(1 + x)") == -2 / (x + 1) ** 2                 # cancel, on a small one
    assert symbolic_derivative("exp(-x**2)/(1 + x**2)") == -2 * x * (x**2 + 2) * sympy.exp(-x**2) / (x**2 + 1) ** 2


def test_tidy_leaves_large_expressions_as_they_are(monkeypatch):
    big = sympy.Add(*[sympy.sin(k * x) ** k / (x + k) for k in range(1, 60)])
    assert sympy.count_ops(big) > 200

    def refuse(*args, **kwargs):
        raise AssertionError("rewrites are only tried on expressions of at most 200 operations")

    for name in ("together", "factor_terms", "cancel", "simplify"):
        monkeypatch.setattr(sympy, name, refuse)
    assert tidy(big) == big


def test_tidy_does_not_cancel_a_high_power_of_a_sum(monkeypatch):
    def slow(*args, **kwargs):
        raise AssertionError("cancel would expand (x**2 + 1)**999")

    monkeypatch.setattr(sympy, "cancel", slow)
    derivative = symbolic_derivative("(x**2 + 1)**999 / (x - 1)")
    assert derivative.subs(x, 0) == -1                  # (999·2x·(x²+1)^998·(x-1) - (x²+1)^999)/(x-1)² at 0
    assert derivative.has((x**2 + 1) ** 998)


def test_abs_of_a_part_too_deeply_non_real_is_refused_quickly():
    # SymPy differentiates abs(u) through re(u) and im(u): here 13 s and 90 000 operations
    text = "abs(sec(csc(sec(asin(acos(sin(0.5^x)))))))"
    with pytest.raises(UnsafeExpressionError, match="too hard to differentiate exactly"):
        symbolic_derivative(text)
    assert symbolic_derivative("abs(sqrt(x))").has(sympy.sign)                 # one such part: SymPy's answer
    assert symbolic_derivative("abs(sin(x))") == sympy.sign(sympy.sin(x)) * sympy.cos(x)


# Property: any formula from the whole whitelist, up to 200 characters, gives a result or a documented error.
_DOCUMENTED = (ExpressionSyntaxError, UnsafeExpressionError, UndefinedExpressionError)


@st.composite
def _formula(draw, budget):
    if budget <= 4:
        return draw(st.sampled_from(["x", "x", "x", "pi", "e", "0", "1", "2", "0.5", "10"]))
    kind = draw(st.sampled_from(["call", "call", "call", "many", "binary", "binary", "binary"]))
    if kind == "call":
        name = draw(st.sampled_from(sorted(n for n, (_, arity) in symbolic.FUNCTIONS.items() if arity == 1)))
        return f"{name}({draw(_formula(budget - len(name) - 2))})"
    if kind == "many":
        name = draw(st.sampled_from(sorted(n for n, (_, arity) in symbolic.FUNCTIONS.items() if arity != 1)))
        return f"{name}({draw(_formula((budget - 6) // 2))}, {draw(_formula((budget - 6) // 2))})"
    left = draw(st.integers(1, max(1, budget - 6)))
    op = draw(st.sampled_from(["+", "-", "*", "/", "**", "^"]))
    return f"({draw(_formula(left))}){op}({draw(_formula(budget - 6 - left))})"


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.integers(3, 200).flatmap(_formula).filter(lambda text: len(text) <= 200))
def test_property_formulas_parse_and_differentiate_or_are_refused_with_a_documented_error(text):
    for step in (parse_expression, symbolic_derivative):
        try:
            result = step(text)
        except _DOCUMENTED as err:
            assert str(err)
            return
        assert isinstance(result, sympy.Expr)
    assert not result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


def test_stacks_of_operations_on_a_part_that_may_not_be_real_are_bounded():
    # is tanh(u) real? SymPy expands u's real and imaginary parts: seconds for 5 layers over ln(x)
    with pytest.raises(UnsafeExpressionError, match=r"stacks more than \d+ operations on log\(x\)"):
        parse_expression("tanh(tanh(tanh(tanh(tanh(log(x))))))")
    for text in ["sqrt(1 + tanh(2*x))", "ln(1 + sqrt(x))**2", "exp(-sqrt(x))/(1 + sqrt(x))", "asin(sqrt(x))",
                 "sin(sqrt(x))*cos(sqrt(x))", "tanh(log(x))**2 + 1", "sqrt(x**2 + 1)", "log(1 + exp(x))"]:
        assert isinstance(symbolic_derivative(text), sympy.Expr)


def test_constants_beyond_floating_point_are_refused_inside_functions():
    # sin(10**(10**13)) needs 10**13 digits of pi: SymPy would try
    with pytest.raises(UnsafeExpressionError, match="too large to compute"):
        parse_expression("sin((pi^2/4)^exp(pi^3))")
    with pytest.raises(UnsafeExpressionError, match="too large to compute"):
        parse_expression("sin(10**400)")
    assert parse_expression("exp(1000)*x") == sympy.exp(1000) * x          # plain arithmetic is fine


def test_latex_never_runs_simplify_on_a_negative_symbolic_exponent(monkeypatch):
    # SymPy's printer asks exponent.is_constant(), which simplifies it: seconds for one line of a derivation
    expressions = [x**(-sympy.tanh(x)**2 - 1) * sympy.sin(x), x * sympy.exp(-x**2 - 1) / (x + 1),
                   sympy.exp(-x**2) / (1 + x**2), 6 * x**2 * sympy.cos(x**3) / sympy.sin(x**3)]
    expected = [sympy.latex(e, ln_notation=True) for e in expressions]

    def unbounded(self, *args, **kwargs):
        raise AssertionError("is_constant runs simplify")

    monkeypatch.setattr(sympy.Expr, "is_constant", unbounded)
    assert [to_latex(e) for e in expressions] == expected


# ------------------------------------------------------------------------------------------------
# The hyperbolic functions, their inverses and sign: parsed, differentiated, evaluated, and kept to the reals.
@pytest.mark.parametrize("text, expected", [
    ("sinh(x)", sympy.cosh(x)),
    ("cosh(x)", sympy.sinh(x)),
    ("tanh(x)", 1 - sympy.tanh(x) ** 2),
    ("asinh(x)", 1 / sympy.sqrt(x**2 + 1)),
    ("acosh(x)", 1 / (sympy.sqrt(x - 1) * sympy.sqrt(x + 1))),
    ("atanh(x)", 1 / (1 - x**2)),
    ("arcsin(x)", 1 / sympy.sqrt(1 - x**2)),
    ("sinh(x**2)", 2 * x * sympy.cosh(x**2)),
    ("sign(x)", 2 * sympy.DiracDelta(x)),
])
def test_derivatives_of_the_new_functions(text, expected):
    assert sympy.simplify(symbolic_derivative(text) - expected) == 0


def test_constants_of_the_new_functions_are_real_or_undefined():
    assert parse_expression("acosh(1) + x") == x
    assert parse_expression("acosh(0.5)") is sympy.nan            # not a real number: undefined everywhere
    assert parse_expression("atanh(2)") is sympy.nan
    assert parse_expression("atanh(1)") == sympy.oo               # infinite: undefined too, and refused when strict
    assert parse_expression("sign(-3) + sign(0) + sign(pi)") == 0
    with pytest.raises(UndefinedExpressionError, match=r"atanh\(1\) is undefined"):
        symbolic_derivative("atanh(1)*x")


def test_numeric_functions_of_the_new_functions_match_numpy():
    grid = np.array([-0.9, -0.2, 0.0, 0.4, 0.8])
    np.testing.assert_allclose(to_function("sinh(x) + cosh(x) + asinh(x)")(grid),
                               np.sinh(grid) + np.cosh(grid) + np.arcsinh(grid))
    np.testing.assert_allclose(to_function("atanh(x)*sign(x)")(grid), np.arctanh(grid) * np.sign(grid))
    np.testing.assert_allclose(to_function("acosh(x + 2)")(grid), np.arccosh(grid + 2))


def test_the_derivative_of_sign_is_zero_away_from_its_jump_and_undefined_on_it():
    derivative = to_function(symbolic_derivative("sign(x**2 - 1)"))
    values = derivative(np.array([-2.0, -1.0, 0.0, 0.5, 1.0]))
    np.testing.assert_array_equal(np.isnan(values), [False, True, False, False, True])
    np.testing.assert_array_equal(values[[0, 2, 3]], 0.0)


def test_a_variable_may_not_be_named_like_a_new_function():
    for name in ("sinh", "sign", "arcsin"):
        with pytest.raises(ValueError, match="function or constant name"):
            parse_expression("x", variables=(name,))


def test_stacked_hyperbolic_functions_of_a_part_that_may_not_be_real_are_bounded():
    started = time.perf_counter()
    with pytest.raises(UnsafeExpressionError, match="stacks more than"):
        parse_expression("sinh(cosh(sinh(cosh(sinh(log(x))))))")
    assert time.perf_counter() - started < 2.0
    assert isinstance(symbolic_derivative("cosh(sqrt(x))*sinh(log(x))"), sympy.Expr)


# ------------------------------------------------------------------------------------------------
# evaluate=False: the learner's structure, for the chain-rule steps (x·x² is not x³ there).
@pytest.mark.parametrize("text, kept", [
    ("x*x**2", sympy.Mul(x, sympy.Pow(x, 2), evaluate=False)),
    ("x**2*x", sympy.Mul(x, sympy.Pow(x, 2), evaluate=False)),     # factors in SymPy's order: x before x²
    ("x + x", sympy.Add(x, x, evaluate=False)),
    ("(x**2)**3", sympy.Pow(sympy.Pow(x, 2), 3, evaluate=False)),
    ("exp(ln(x))", sympy.exp(sympy.log(x), evaluate=False)),
    ("sqrt(x**2)", sympy.Pow(sympy.Pow(x, 2), sympy.Rational(1, 2), evaluate=False)),
])
def test_evaluate_false_keeps_what_the_learner_wrote(text, kept):
    structured = parse_expression(text, evaluate=False)
    assert structured == kept and sympy.srepr(structured) == sympy.srepr(kept)
    assert sympy.simplify(structured - parse_expression(text)) == 0          # the same function of x


@pytest.mark.parametrize("text", ["2*x*sin(x)", "-3*x*exp(x)*sin(x)", "ln(x**2 + 1)", "1/x", "x/2", "2*x^2 + 1",
                                  "exp(-x**2)/(1 + x**2)", "ln(sin(x**3)**2)", "sin(x**2)", "1/2 + pi*x"])
def test_evaluate_false_changes_nothing_when_nothing_would_merge(text):
    # sums and products are flattened, their numbers gathered, their parts in SymPy's order
    assert parse_expression(text, evaluate=False) == parse_expression(text)


def test_evaluate_false_still_computes_constants_and_refuses_what_the_parser_refuses():
    assert parse_expression("(1/2 + 1/4)*x", evaluate=False) == sympy.Rational(3, 4) * x
    assert parse_expression("sin(0)*x + cos(0)", evaluate=False) == 1
    for text, error in [("x.__class__", UnsafeExpressionError), ("x**(10**6)", UnsafeExpressionError),
                        ("9**9**9", UnsafeExpressionError), ("sqrt(x", ExpressionSyntaxError)]:
        with pytest.raises(error):
            parse_expression(text, evaluate=False)
    with pytest.raises(UndefinedExpressionError, match=r"acosh\(0.5\) is not a real number"):
        parse_expression("x*acosh(0.5)", strict=True, evaluate=False)


@pytest.mark.parametrize("text", ["(x/x)**(-2)", "((x/x)**(-2))**(-2)", "tan(((x/x)**(-2))**(-2))", "(x*x**2)**(-3)"])
def test_latex_of_an_expression_kept_as_typed_always_returns(text):
    # SymPy's own printer never returns from an unevaluated (x/x)**(-2); to_latex writes it as 1/((x/x)²)
    started = time.perf_counter()
    latex = to_latex(parse_expression(text, evaluate=False))
    assert latex and time.perf_counter() - started < 2.0
    assert to_latex(parse_expression("(x/x)**(-2)", evaluate=False)) == r"\frac{1}{\left(\frac{x}{x}\right)^{2}}"
