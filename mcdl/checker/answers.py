"""Reading an answer: what a value is, in words, and the numbers (or the shape) in it.

Nothing here evaluates learner text or calls a repr that could print an address; a value that is not
numbers raises :class:`NotNumbers` with a description and an advice, which the checkers turn into feedback.
"""
from __future__ import annotations

import inspect
import math
import numbers
import re
import warnings

import numpy as np

from ..text import clip as _clip, significant as _num
from .feedback import Verdict as _Verdict


class NotNumbers(Exception):
    """The value is not numbers.  ``desc`` names what it is, ``advice`` says what to do."""

    def __init__(self, desc: str, advice: str = ""):
        super().__init__(desc)
        self.desc, self.advice = desc, advice


_NotNumbers = NotNumbers


def quote(text) -> str:
    return _clip(repr(text), 42)


_quote = quote


def shape_text(shape) -> str:
    shape = tuple(shape)
    return "a scalar" if shape == () else f"shape {shape}"


_shape_text = shape_text


def is_sympy(value) -> bool:
    return type(value).__module__.split(".")[0] == "sympy"


def sympy_free_names(value) -> list:
    try:
        return sorted(str(s) for s in value.free_symbols)
    except Exception:
        return []


def describe(value) -> str:
    """What a value is, in words, without calling its repr (no addresses, nothing huge)."""
    if value is None:
        return "None"
    if value is Ellipsis:
        return "..."
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {bool(value)}"
    if isinstance(value, str):
        return f"the text {_quote(value)}"
    if isinstance(value, (bytes, bytearray)):
        return "bytes"
    if _is_sympy(value):
        try:
            return f"the sympy object {_clip(str(value))}"
        except Exception:
            return "a sympy object"
    if isinstance(value, numbers.Real):
        return f"the number {_num(value)}"
    if isinstance(value, numbers.Complex):
        return f"the complex number {_clip(str(complex(value)))}"
    if isinstance(value, np.ndarray):
        if value.ndim == 0 and value.dtype.kind in "iuf":
            return f"the number {_num(value)}"
        return f"an array of {_shape_text(value.shape)}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if inspect.isclass(value):
        return f"the class {getattr(value, '__name__', '?')}"
    if callable(value):
        return "a function"
    return f"an object of type {type(value).__name__}"


def looks_numeric(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return bool(re.fullmatch(r"\s*[\[(][\d\s.,eE+\-\[\]()]*[\])]\s*", text))

_is_sympy, _sympy_free_names, _describe, _looks_numeric = is_sympy, sympy_free_names, describe, looks_numeric


def _one_number(el) -> float:
    """One entry of an object array: a real number, or _NotNumbers naming what it is."""
    if el is None or el is Ellipsis or isinstance(el, (bool, np.bool_, str, bytes, list, tuple, dict,
                                                       set, np.ndarray)):
        raise _NotNumbers(_describe(el) if not isinstance(el, (list, tuple, np.ndarray)) else
                          "nested lists of different lengths (a ragged list)",
                          "every row needs the same number of entries" if isinstance(el, (list, tuple))
                          else "")
    if _is_sympy(el):
        names = _sympy_free_names(el)
        if names:
            raise _NotNumbers(f"a sympy expression that still contains {', '.join(names)}",
                              f"substitute numbers first, e.g. expr.subs({names[0]}, 3)")
    try:
        return float(el)
    except OverflowError:
        try:
            return -math.inf if el < 0 else math.inf      # an int too large for a float
        except Exception:
            return math.inf
    except Exception:
        pass
    try:
        z = complex(el)
    except Exception:
        raise _NotNumbers(_describe(el)) from None
    if z.imag == 0:
        return z.real
    raise _NotNumbers(f"the complex number {_clip(str(z))}", "the answer is a real number")


def _numeric_array(arr: np.ndarray) -> np.ndarray:
    kind = arr.dtype.kind
    if kind in "iuf":
        return np.asarray(arr, dtype=float)
    if kind == "b":
        raise _NotNumbers("True/False values" if arr.ndim else f"the boolean {bool(arr)}",
                          "a comparison gives booleans; the answer is a number")
    if kind in "US":
        raise _NotNumbers("an array of text" if arr.ndim else f"the text {_quote(str(arr))}")
    if kind == "c":
        if np.all(arr.imag == 0):
            return np.asarray(arr.real, dtype=float)
        raise _NotNumbers("complex numbers", "the answer is real; did a complex step leak through?")
    if kind == "O":
        if arr.size > 1_000_000:
            raise _NotNumbers("a very large array of Python objects")
        out = np.empty(arr.shape, dtype=float)
        for index, el in np.ndenumerate(arr):
            try:
                out[index] = _one_number(el)
            except _NotNumbers as err:
                if arr.ndim == 0:
                    raise
                raise _NotNumbers(f"an array with an entry that is {err.desc}", err.advice) from None
        return out
    raise _NotNumbers(f"an array of {arr.dtype}")


def as_numbers(value) -> np.ndarray:
    """value as a float array, or _NotNumbers saying what it is instead."""
    if value is None or value is Ellipsis:
        raise _NotNumbers(_describe(value))
    if isinstance(value, (bool, np.bool_)):
        raise _NotNumbers(f"the boolean {bool(value)}", "True/False is not a number here")
    if isinstance(value, str):
        advice = ("remove the quotes: write the number itself" if _looks_numeric(value)
                  else "give the answer as numbers (a number, or a numpy array), not text")
        raise _NotNumbers(f"the text {_quote(value)}", advice)
    if isinstance(value, (bytes, bytearray, dict, set, frozenset)) or inspect.isclass(value):
        raise _NotNumbers(_describe(value))
    if _is_sympy(value):
        try:
            import sympy
            if isinstance(value, sympy.MatrixBase):
                value = np.array(value.tolist(), dtype=object)
        except Exception:
            pass
        return _numeric_array(np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value)
    if callable(value) and not isinstance(value, np.ndarray):
        raise _NotNumbers("a function", "this exercise wants the value itself: call your function at the point")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = np.asarray(value)
    except ValueError as err:
        if "inhomogeneous" in str(err) or "sequence" in str(err):
            raise _NotNumbers("nested lists of different lengths (a ragged list)",
                              "every row needs the same number of entries") from None
        raise _NotNumbers(f"{_describe(value)} that numpy cannot read as numbers") from None
    except Exception:
        raise _NotNumbers(f"{_describe(value)} that numpy cannot read as numbers") from None
    return _numeric_array(arr)


def as_shape(answer) -> tuple:
    if isinstance(answer, (bool, np.bool_)):
        raise _Verdict("wrong-type", f"expected a shape like (2, 3), you gave {_describe(answer)}")
    if isinstance(answer, numbers.Integral) or (isinstance(answer, np.ndarray) and answer.ndim == 0
                                                and answer.dtype.kind in "iu"):
        answer = (int(answer),)
    if isinstance(answer, str):
        advice = ["remove the quotes: write the tuple itself, e.g. (2, 3)"] if _looks_numeric(answer) else []
        raise _Verdict("wrong-type", f"expected a shape like (2, 3), you gave the text {_quote(answer)}", advice)
    if isinstance(answer, np.ndarray):
        if answer.ndim != 1 or answer.dtype.kind not in "iu":
            raise _Verdict("wrong-type", f"expected a shape like (2, 3), you gave an array of "
                           f"{_shape_text(answer.shape)}", ["did you mean its .shape?"])
        answer = answer.tolist()
    if not isinstance(answer, (tuple, list)):
        raise _Verdict("wrong-type", f"expected a shape like (2, 3), you gave {_describe(answer)}")
    shape = []
    for n in answer:
        if isinstance(n, (bool, np.bool_)):
            n = None
        elif isinstance(n, numbers.Integral):
            n = int(n)
        elif isinstance(n, numbers.Real) and math.isfinite(float(n)) and float(n).is_integer():
            n = int(n)
        else:
            n = None
        if n is None or n < 0:
            raise _Verdict("wrong-type", "expected a shape like (2, 3): a tuple of whole numbers ≥ 0, "
                           f"you gave {_describe(answer)} with an entry that is not one")
        shape.append(n)
    return tuple(shape)


def has_ellipsis(value, depth: int = 3) -> bool:
    if value is Ellipsis:
        return True
    if depth and isinstance(value, (list, tuple)):
        return any(has_ellipsis(v, depth - 1) for v in value[:1000])
    if isinstance(value, np.ndarray) and value.dtype == object and value.size <= 10_000:
        return any(v is Ellipsis for v in value.flat)
    return False
