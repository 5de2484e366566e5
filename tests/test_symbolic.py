"""mcdl.symbolic: the safe parser (whitelisted AST -> SymPy) and symbolic derivatives (paper §2)."""
import builtins
import pathlib
import re
import time

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

from mcdl.symbolic import (
    MAX_LENGTH, ExpressionSyntaxError, UnsafeExpressionError, parse_expression, symbolic_derivative,
    symbols, tidy, to_function, to_latex,
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
    assert parse_expression(text) == expected


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
