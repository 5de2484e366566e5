"""The exercise bank: one table, read by the checker (``mcdl.check``), the notebooks and the student tool.

Each :class:`Exercise` says what the learner is asked (``prompt``), what kind of answer it takes and the
reference answer, in the paper's conventions (numerator layout, §4.1):

* ``"value"``      — a number or an array.  The reference's *shape* is part of the answer: a 2×3 Jacobian
  is ``(2, 3)``, a gradient is ``(n,)`` (the paper's row vector), a diagonal matrix is ``(n, n)`` and not
  the vector of its diagonal.  ``expect`` names what the array is, so feedback can speak about it.
* ``"function"``   — a Python function (``def`` or ``lambda``); the reference is a function, a SymPy
  expression or the text of one, compared at ``points`` (awkward ones: negative, zero, fractional, large).
* ``"expression"`` — text such as ``"3*x**2 + 3"``, parsed safely by ``mcdl.symbolic.parse_expression``
  (never ``eval``) and compared numerically at ``points``.  The reference is text, a SymPy expression or a
  function.
* ``"shape"``      — a tuple such as ``(2, 3)``.

``slips`` names the wrong answers this exercise is built to catch: a row name of the checker's MISTAKES
table → the value that slip gives (for a function exercise, a function of the same variables).  When an
answer equals one, the checker says which slip it is instead of listing numbers.  ``formulas`` writes a
function answer in the course's text syntax (one formula per entry of a vector or matrix answer): it is what
``mcdl.solution`` shows and what the test that keeps answers off their own page searches for.

Each chapter's exercises live in their own file, ``chNN.py`` (``EXERCISES``, a tuple built with
:func:`exercise`, which reads the chapter from the id: ``"05-diag-w"`` is chapter 05).  The bank is every
chapter's tuple in order; a notebook may also build an ad-hoc ``Exercise`` and pass it to ``check`` directly.
"""
from __future__ import annotations

import difflib
from importlib import import_module
from dataclasses import dataclass, field
from typing import Any

import numpy as np

KINDS = ("value", "function", "expression", "shape")

# What a "value" answer is, so feedback can name it (and be lenient where the paper allows it).
#   scalar    a number; a size-1 array is accepted with a note
#   vector    shape (n,)
#   gradient  shape (n,), the paper's row vector ∇f: a (1, n) row is accepted too, an (n, 1) column is not
#   jacobian  shape (m, n) in numerator layout: one row per output, one column per input
#   diagonal  an (n, n) diagonal matrix (not the vector of its diagonal)
#   column    an (n, 1) column: the derivative of a vector with respect to a scalar (a 1-D (n,) is accepted)
#   matrix    any other 2-D array
EXPECTS = (None, "scalar", "vector", "gradient", "jacobian", "diagonal", "column", "matrix")


class UnknownExerciseError(KeyError):
    """An exercise id that is not in the bank.  ``str()`` is the plain message (KeyError would quote it)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown exercise"


@dataclass(frozen=True, eq=False)
class Exercise:
    """One exercise: what is asked, what kind of answer it takes, and the reference answer."""

    id: str
    chapter: str
    prompt: str
    kind: str
    reference: Any
    points: tuple | None = None
    variables: tuple = ("x",)
    hints: tuple = ()
    expect: str | None = None
    rtol: float = 1e-6
    atol: float = 1e-8
    slips: dict = field(default_factory=dict)
    formulas: tuple = ()

    def __post_init__(self):
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"an exercise id must be a non-empty str, got {self.id!r}")
        if self.kind not in KINDS:
            raise ValueError(f"exercise {self.id!r}: kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if self.expect not in EXPECTS:
            raise ValueError(f"exercise {self.id!r}: expect must be one of {EXPECTS}; got {self.expect!r}")
        variables = (self.variables,) if isinstance(self.variables, str) else tuple(self.variables)
        hints = (self.hints,) if isinstance(self.hints, str) else tuple(self.hints)
        points = None if self.points is None else tuple(self.points)
        object.__setattr__(self, "variables", variables)
        object.__setattr__(self, "hints", hints)
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "formulas", (self.formulas,) if isinstance(self.formulas, str)
                           else tuple(self.formulas))
        if not variables or not all(isinstance(v, str) and v.isidentifier() for v in variables):
            raise ValueError(f"exercise {self.id!r}: variables must be names like ('x',); got {variables!r}")
        if self.kind in ("function", "expression") and not points:
            raise ValueError(f"exercise {self.id!r}: a {self.kind} exercise needs the points to compare at")
        if self.kind == "shape":
            ref = self.reference
            if not isinstance(ref, tuple) or not all(isinstance(n, int) and n >= 0 for n in ref):
                raise ValueError(f"exercise {self.id!r}: a shape reference is a tuple of ints; got {ref!r}")
        if self.kind == "value":
            np.asarray(self.reference, dtype=float)     # fails here, not in a learner's notebook
        if not isinstance(self.slips, dict):
            raise ValueError(f"exercise {self.id!r}: slips maps a mistake's name to its value; got {self.slips!r}")
        object.__setattr__(self, "slips", dict(self.slips))
        for name, value in self.slips.items():
            if self.kind == "value":
                np.asarray(value, dtype=float)
            elif self.kind in ("function", "expression") and not (callable(value) or isinstance(value, str)):
                raise ValueError(f"exercise {self.id!r}: the slip {name!r} of a {self.kind} exercise is a "
                                 f"function or formula text; got {type(value).__name__}")

    def __repr__(self) -> str:          # no function addresses: notebook outputs must be deterministic
        return f"Exercise({self.id!r}, chapter={self.chapter!r}, kind={self.kind!r})"


def exercise(id: str, prompt: str, kind: str, reference, **kwargs) -> Exercise:
    """An exercise of the bank: its chapter is the id's prefix (``"05-diag-w"`` → ``"05"``)."""
    chapter, sep, rest = str(id).partition("-")
    if not (sep and rest and chapter.isdigit() and len(chapter) == 2):
        raise ValueError(f"a bank exercise id starts with its two-digit chapter, like '05-diag-w'; got {id!r}")
    return Exercise(id, chapter, prompt, kind, reference, **kwargs)


def _index(bank) -> dict[str, Exercise]:
    table: dict[str, Exercise] = {}
    for ex in bank:
        if ex.id in table:
            raise ValueError(f"duplicate exercise id {ex.id!r}")
        table[ex.id] = ex
    return table


CHAPTERS = ("00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11")

EXERCISES: dict[str, Exercise] = _index(
    ex for chapter in CHAPTERS for ex in import_module(f"{__name__}.ch{chapter}").EXERCISES)


def get(exercise_id) -> Exercise:
    """The exercise with this id; an unknown id raises KeyError naming the known ones (and a close match)."""
    try:
        return EXERCISES[exercise_id]
    except (KeyError, TypeError):
        pass
    shown = repr(exercise_id)
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    message = f"unknown exercise {shown}; known: {', '.join(EXERCISES)}"
    if isinstance(exercise_id, str):
        close = difflib.get_close_matches(exercise_id, list(EXERCISES), n=1, cutoff=0.6)
        if close:
            message += f". Did you mean {close[0]!r}?"
    raise UnknownExerciseError(message)


def for_chapter(chapter: str) -> list[Exercise]:
    """The bank's exercises for one chapter ("00", "01", ...), in the order they appear."""
    return [ex for ex in EXERCISES.values() if ex.chapter == chapter]
