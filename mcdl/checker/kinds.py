"""One checker per kind of answer: a value, a function, a formula typed as text, a shape.

Each takes the exercise and the answer and returns (or raises) a :class:`~mcdl.checker.feedback.Verdict`.
A function answer comes in through the course's one door (:func:`mcdl.functions.learner_function`): it is
called on copies of the exercise's points (so ``x *= 2`` inside it cannot change them), a point where it is
undefined counts as NaN, a bug in it is one message naming the point, and a loop that never ends is stopped.
"""
from __future__ import annotations

import inspect
import re

import numpy as np

from .. import text
from ..functions import UNDEFINED, FunctionError, Signature, _builtin_name, learner_function
from ..text import clip, distinct, short, significant
from .answers import NotNumbers, as_numbers, as_shape, describe, is_sympy, quote, sympy_free_names
from .feedback import Verdict
from .mistakes import Case, code_slips, diagnose_shape, diagnose_slip, value_patterns

MAX_LISTED = 5          # entries or points listed in a "wrong values" message
_IMPLICIT_NUMBER_NAME = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*([A-Za-z_]\w*)")


def _close(a, b, ex) -> bool:
    return bool(np.allclose(a, b, rtol=ex.rtol, atol=ex.atol, equal_nan=True))


def _entry(index) -> str:
    index = tuple(int(i) for i in index)
    if index == ():
        return "your value"
    return f"entry {index[0]}" if len(index) == 1 else f"entry {index}"


def error_text(err: BaseException, where: str = "") -> str:
    """'ZeroDivisionError at x = 0.0: float division by zero' (one line, clipped)."""
    try:
        text = str(err)
    except Exception:
        text = ""
    text = clip(" ".join(text.split()), 160)
    name = f"{_builtin_name(err)} at {where}" if where else _builtin_name(err)
    return f"{name}: {text}" if text else name


# --------------------------------------------------------------------------------------------------
# Shapes and values
def fit_shape(got: np.ndarray, ref: np.ndarray, ex, prefix: str = ""):
    """got, possibly reshaped where that is harmless, and notes; or a wrong-shape Verdict (see MISTAKES)."""
    case = Case(got, ref, ex)
    mistake = diagnose_shape(case)
    if mistake is None:
        return got, []
    if mistake.accept:
        return got.reshape(ref.shape), mistake.fix(case)
    raise Verdict("wrong-shape", prefix + mistake.message(case), mistake.fix(case),
                  mistake="" if mistake.name == "other-shape" else mistake.name)


def _declared_slips(ex) -> dict:
    """A value exercise's declared slips as arrays."""
    return {name: np.asarray(value, dtype=float) for name, value in ex.slips.items()}


def _slip_verdict(case: Case, notes: list):
    """The wrong-values verdict of a named slip, or None when no row of MISTAKES recognises the answer."""
    mistake = diagnose_slip(case)
    if mistake is None:
        return None
    return Verdict("wrong-values", mistake.message(case), list(notes) + mistake.fix(case), mistake=mistake.name)


def compare_values(got: np.ndarray, ref: np.ndarray, ex, notes: list) -> Verdict:
    ok = np.isclose(got, ref, rtol=ex.rtol, atol=ex.atol, equal_nan=True)
    if np.all(ok):
        return Verdict("correct", "correct!", notes)
    slip = _slip_verdict(Case(got, ref, ex, slips=_declared_slips(ex)), notes)
    if slip is not None:
        raise slip
    details = list(notes)
    finite = np.isfinite(got)
    if not np.all(finite):
        bad = got[~finite].flat[0]
        where = "" if got.ndim == 0 else f" at {_entry(np.argwhere(~finite)[0])}"
        details.append(f"your answer contains {significant(bad)}{where}: a 0/0, an overflow or a log of a "
                       "negative number?")
    if got.ndim == 0:
        message = f"not quite: {distinct(got, ref)[0]} is not the value asked for"
        if np.isfinite(got) and np.isfinite(ref) and ref != 0:
            rel = abs(float(got) - float(ref)) / abs(float(ref))
            if _close(got, -ref, ex):
                details.append("it has the right size but the wrong sign")
            elif rel < 1e-2:
                details.append(f"close (relative error {rel:.1e}), but the check wants relative accuracy "
                               f"{ex.rtol:.0e}: round-off, or a finite-difference estimate?")
        raise Verdict("wrong-values", message, details)
    wrong = np.argwhere(~ok)
    with np.errstate(all="ignore"):
        diff = np.abs(got - ref)
    finite_diff = diff[~ok & np.isfinite(diff)]
    largest = f"; largest difference {significant(finite_diff.max())}" if finite_diff.size else ""
    message = f"right shape, wrong values: {len(wrong)} of {ok.size} entries differ{largest}"
    details = value_patterns(Case(got, ref, ex), "entry") + details
    for index in wrong[:MAX_LISTED]:
        index = tuple(index)
        off = f" (off by {significant(diff[index])})" if np.isfinite(diff[index]) else ""
        yours, expected = distinct(got[index], ref[index])
        details.append(f"{_entry(index)}: you have {yours}, expected {expected}{off}")
    if len(wrong) > MAX_LISTED:
        details.append(f"… and {len(wrong) - MAX_LISTED} more")
    raise Verdict("wrong-values", message, details)


def check_value(ex, answer) -> Verdict:
    ref = np.asarray(ex.reference, dtype=float)
    wanted = "a number" if ref.ndim == 0 else f"an array of shape {ref.shape}"
    try:
        got = as_numbers(answer)
    except NotNumbers as err:
        raise Verdict("wrong-type", f"expected {wanted}, you gave {err.desc}",
                      [err.advice] if err.advice else []) from None
    got, notes = fit_shape(got, ref, ex)
    return compare_values(got, ref, ex, notes)


# --------------------------------------------------------------------------------------------------
# Functions: through the door, at every point of the exercise (scalar-only and vectorised both work).
def point_text(point, variables) -> str:
    return text.point(variables, _arguments(point, variables))


def _arguments(point, variables) -> tuple:
    return (point,) if len(variables) == 1 else tuple(point)


def points_text(ex) -> str:
    if len(ex.variables) == 1:
        return f"{ex.variables[0]} = " + ", ".join(short(p) for p in ex.points)
    return "; ".join(point_text(p, ex.variables) for p in ex.points)


def _signature(ex) -> Signature:
    """The exercise's function as a signature: its variables, each a number or a vector as its points are."""
    args = _arguments(ex.points[0], ex.variables)
    return Signature.of(ex.variables, ["scalar" if np.ndim(a) == 0 else "vector" for a in args])


def _door(ex, f, subject: str):
    try:
        return learner_function(f, _signature(ex), name="function", label=subject)
    except FunctionError as err:
        raise Verdict("wrong-type", str(err)) from None


def reference_function(ex):
    ref = ex.reference
    if isinstance(ref, str) or is_sympy(ref):
        from ..symbolic import to_function
        ref = to_function(ref, ex.variables)
    if not callable(ref):
        raise Verdict("error", f"exercise {ex.id!r} has no usable reference function")
    return learner_function(ref, _signature(ex), name="reference", label=f"the reference of {ex.id}")


def _reference_values(ex):
    ref_f = reference_function(ex)
    values = []
    for point in ex.points:
        raw = ref_f(*_arguments(point, ex.variables))
        values.append(np.full((), np.nan) if raw is UNDEFINED else as_numbers(raw))
    return values


def compare_function(ex, f, subject: str) -> Verdict:
    """Compare a function answer at the exercise's points; a slip in its code is named in the details."""
    try:
        return _compare_function(ex, f, subject)
    except Verdict as verdict:            # (a right answer is returned, never raised)
        error = verdict.message if verdict.status in ("error", "wrong-type") else ""
        case = Case(None, None, ex, answer=f, error=error)
        found = code_slips(case)
        if found:
            notes = [mistake.message(case) for mistake in found]
            others = [d for d in verdict.details if d not in notes]
            if verdict.status in ("wrong-shape", "wrong-values"):     # the slip explains what went wrong
                verdict.message, verdict.details = notes[0], notes[1:] + [verdict.message] + others
            else:
                verdict.details = notes + others
            verdict.mistake = verdict.mistake or found[0].name
        raise


def _stacked(values: list) -> np.ndarray:
    """Values at the exercise's points as one array: stacked, or (vectors of different lengths) end to end."""
    if len({np.shape(v) for v in values}) == 1:
        return np.stack(values)
    return np.concatenate([np.ravel(v) for v in values])


def _slip_values(ex) -> dict:
    """A function exercise's declared slips, evaluated at its points (a slip that fails is left out)."""
    values = {}
    for name, slip in ex.slips.items():
        try:
            if isinstance(slip, str):
                from ..symbolic import to_function
                slip = to_function(slip, ex.variables)
            F = learner_function(slip, _signature(ex), name="slip", label=f"the slip {name}")
            values[name] = _stacked([as_numbers(F(*_arguments(p, ex.variables))) for p in ex.points])
        except Exception:
            continue
    return values


def _compare_function(ex, f, subject: str) -> Verdict:
    F = _door(ex, f, subject)
    wants = _reference_values(ex)
    gots, wheres, notes, undefined = [], [], [], []
    for point, want in zip(ex.points, wants):
        where = point_text(point, ex.variables)
        try:
            raw = F(*_arguments(point, ex.variables))
        except FunctionError as err:
            raise Verdict("error", str(err), [f"the check calls it at {points_text(ex)}"]) from None
        except (ValueError, TypeError) as err:         # the exercise's point does not fit (mcdl's own check)
            raise Verdict("error", f"{subject} could not be called: {error_text(err, where)}") from None
        if raw is UNDEFINED:
            undefined.append(f"at {where} {subject} is not defined ({F.undefined_reason or 'undefined'})")
            got = np.full(np.shape(want), np.nan)
        elif raw is None or raw is Ellipsis:
            if not gots:
                raise Verdict("not-answered", f"not answered yet: {subject} returns {describe(raw)} — "
                              "replace the ... in its body with return <your formula>")
            raise Verdict("wrong-type", f"{subject} returned {describe(raw)} at {where}; "
                          "does every branch end in a return?")
        else:
            try:
                got = as_numbers(raw)
            except NotNumbers as err:
                wanted = "a number" if np.ndim(want) == 0 else f"an array of shape {np.shape(want)}"
                raise Verdict("wrong-type", f"{subject} returned {err.desc} at {where}; it should return {wanted}",
                              [err.advice] if err.advice else []) from None
        got, fit_notes = fit_shape(got, want, ex, prefix=f"at {where}: ")
        if fit_notes and not notes:
            notes.extend(fit_notes)
        gots.append(got)
        wheres.append(where)
    n = len(gots)
    oks = [bool(np.all(np.isclose(g, w, rtol=ex.rtol, atol=ex.atol, equal_nan=True))) for g, w in zip(gots, wants)]
    if all(oks):
        return Verdict("correct", f"correct! {subject} matches at all {n} points checked", notes)
    wrong = [i for i, ok in enumerate(oks) if not ok]
    message = f"{subject} differs from the expected one at {len(wrong)} of {n} points"
    details = list(notes)
    if [g.shape for g in gots] == [np.shape(w) for w in wants]:
        case = Case(_stacked(gots), _stacked(wants), ex, slips=_slip_values(ex) if ex.slips else {})
        slip = _slip_verdict(case, notes)
        if slip is not None:
            raise slip
        if len({g.shape for g in gots}) == 1:
            details += value_patterns(case, "value")
    details += undefined[:MAX_LISTED]
    for i in wrong[:MAX_LISTED]:
        if not np.all(np.isnan(gots[i])) or not undefined:
            yours, expected = distinct(gots[i], wants[i])
            details.append(f"at {wheres[i]} yours gives {yours}, expected {expected}")
    if len(wrong) > MAX_LISTED:
        details.append(f"… and {len(wrong) - MAX_LISTED} more")
    if any(not np.all(np.isfinite(gots[i])) for i in wrong):
        details.append("nan or inf means a 0/0, an overflow or a log of a negative number at that point")
    raise Verdict("wrong-values", message, details)


def _variables_text(ex) -> str:
    return ", ".join(ex.variables)


def sympy_function(ex, expr, subject: str):
    """A SymPy expression in the exercise's variables as a numpy function (or a wrong-type verdict)."""
    extra = [name for name in sympy_free_names(expr) if name not in ex.variables]
    if extra:
        word = "variable is" if len(ex.variables) == 1 else "variables are"
        raise Verdict("wrong-type", f"{subject} uses {', '.join(extra)}, but this exercise's {word} "
                      f"{_variables_text(ex)}")
    import sympy
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise Verdict("wrong-values", f"{subject} is undefined or infinite: it reads as {clip(str(expr), 80)} "
                      "(a division by zero such as 1/0?)")
    from ..symbolic import to_function
    try:
        return to_function(expr, ex.variables)
    except Exception as err:
        raise Verdict("error", f"mcdl could not turn {subject} into numbers ({error_text(err)})") from None


def python_code(expr) -> str:
    """A SymPy expression as the numpy code a learner would write: x**2*np.sin(x)."""
    from sympy.printing.numpy import NumPyPrinter
    return NumPyPrinter().doprint(expr).replace("numpy.", "np.")


def is_sympy_formula(value) -> bool:
    """A SymPy expression with free symbols (a formula, not a number)."""
    if not is_sympy(value):
        return False
    import sympy
    return isinstance(value, sympy.Expr) and not callable(value) and bool(sympy_free_names(value))


def check_function(ex, answer) -> Verdict:
    if is_sympy_formula(answer):
        f = sympy_function(ex, answer, "your expression")
        return compare_function(ex, f, "your expression")
    if callable(answer) and not inspect.isclass(answer):
        return compare_function(ex, answer, "your function")
    wanted = f"a function of {_variables_text(ex)} (def or lambda)"
    if isinstance(answer, str):
        details = ["write it as a Python function, e.g. lambda x: 2*x"]
        try:
            from ..symbolic import parse_expression
            import sympy
            expr = parse_expression(answer, ex.variables)
            if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):          # 1/0: nothing worth writing out
                details = ["this text is undefined everywhere (a division by zero such as 1/0?)"]
            else:
                details = [f"write it as a Python function: lambda {_variables_text(ex)}: "
                           f"{clip(python_code(expr), 80)}"]
        except Exception:
            pass
        raise Verdict("wrong-type", f"expected {wanted}, you gave the text {quote(answer)}", details)
    try:
        value = as_numbers(answer)
    except NotNumbers as err:
        raise Verdict("wrong-type", f"expected {wanted}, you gave {err.desc}") from None
    given = f"the number {significant(value)}" if value.ndim == 0 else f"an array of shape {value.shape}"
    details = []
    if value.ndim == 0:
        try:
            hits = [point for point, want in zip(ex.points, _reference_values(ex)) if _close(value, want, ex)]
        except Exception:
            hits = []
        if hits and len(hits) == len(ex.points):
            details.append(f"your number is right at every point checked: write it as the constant function "
                           f"lambda {_variables_text(ex)}: {significant(value)}")
        elif hits:
            details.append(f"that is the value at {point_text(hits[0], ex.variables)}; "
                           "the exercise wants the whole function")
    raise Verdict("wrong-type", f"expected {wanted}, you gave {given}", details)


# --------------------------------------------------------------------------------------------------
# Expressions: learner text, parsed safely, compared numerically.
def _syntax_details(text: str, parser_message: str) -> tuple[str, list]:
    """The parser's first line as the message; 'write 3*x, not 3x' when a number touches a name."""
    lines = parser_message.split("\n")
    message = lines[0].rstrip(":")
    details = []
    match = _IMPLICIT_NUMBER_NAME.search(text)
    if match and not re.fullmatch(r"[eE]\d+", match.group(2)):
        number, name = match.groups()
        details.append(f"write {number}*{name}, not {number}{name}: multiplication needs an explicit *")
    else:
        details += [line for line in lines[3:] if line.strip()]
    return message, details


def _parse(ex, text: str):
    from ..symbolic import ExpressionSyntaxError, UnsafeExpressionError, parse_expression
    try:
        return parse_expression(text, ex.variables)
    except ExpressionSyntaxError as err:
        message, details = _syntax_details(text, str(err))
        raise Verdict("wrong-type", message, details) from None
    except UnsafeExpressionError as err:
        head, sep, tail = str(err).partition("; use only")
        raise Verdict("wrong-type", f"mcdl refused this text: {head}", [f"use only{tail}"] if sep else []) from None
    except ValueError as err:
        raise Verdict("wrong-type", f"mcdl could not read this text: {clip(str(err), 160)}") from None


def check_expression(ex, answer) -> Verdict:
    example = "type the formula as text in quotes, e.g. answer = \"2*x + 1\""
    if isinstance(answer, str):
        if not answer.strip():
            raise Verdict("not-answered", "not answered yet: type your formula between the quotes")
        expr = _parse(ex, answer)
    elif is_sympy_formula(answer):
        expr = answer
    else:
        given = describe(answer)
        if not callable(answer):
            try:
                value = as_numbers(answer)
                given = f"the number {significant(value)}" if value.ndim == 0 else given
            except NotNumbers:
                pass
        raise Verdict("wrong-type", f"expected the formula as text, you gave {given}", [example])
    f = sympy_function(ex, expr, "your expression")
    try:
        verdict = compare_function(ex, f, "your expression")
    except Verdict as verdict_raised:
        verdict = verdict_raised
    reading = f"mcdl read it as {clip(str(expr), 120)}"
    if verdict.status == "correct":
        return Verdict("correct", f"correct! ({reading})", verdict.details)
    verdict.details.insert(0, reading)
    raise verdict


# --------------------------------------------------------------------------------------------------
# Shapes as answers: (2, 3).
def check_shape(ex, answer) -> Verdict:
    expected = tuple(ex.reference)
    got = as_shape(answer)
    shown = clip(str(got), 40)
    if got == expected:
        return Verdict("correct", f"correct! {shown}")
    if len(got) == 2 and len(expected) == 2 and got == expected[::-1] and got[0] != got[1]:
        raise Verdict("wrong-shape", f"{shown} is the denominator layout — the transpose",
                      ["numerator layout: one row per output (m of them), one column per input (n): (m, n)"])
    if len(got) != len(expected):
        raise Verdict("wrong-shape", f"{shown} has {len(got)} number{'s' if len(got) != 1 else ''}; "
                      f"this shape has {len(expected)}",
                      ["a matrix has two: (rows, columns)"] if len(expected) == 2 else [])
    raise Verdict("wrong-values", f"not {shown}: count the outputs and the inputs again")


CHECKERS = {"value": check_value, "function": check_function, "expression": check_expression, "shape": check_shape}
