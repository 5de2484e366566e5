"""Numbers and arrays as text that is the same on every machine: what the chapters print and typeset.

numpy's own repr changes between versions (``np.float64(3.0)``) and shows a rounded −0 as ``-0.``; a stored
notebook output must not.  Every function here prints fixed precision, and ``+ 0.0`` turns a rounded −0 into 0.
"""
from __future__ import annotations

import numpy as np


def _fixed(value, digits: int) -> str:
    return f"{round(float(value), digits) + 0.0:.{digits}f}"


def inline(M, digits: int = 2) -> str:
    """A number, vector or matrix on one line, as nested lists: ``[[12.00, 3.00], [2.00, 1024.00]]``."""
    M = np.asarray(M, dtype=float)
    if M.ndim == 0:
        return _fixed(M, digits)
    return "[" + ", ".join(inline(row, digits) for row in M) + "]"


def matrix_text(M, digits: int = 4) -> str:
    """A vector or matrix as aligned fixed-precision rows, one per line."""
    rows = [[_fixed(v, digits) for v in row] for row in np.atleast_2d(np.asarray(M, dtype=float))]
    width = max(len(entry) for row in rows for entry in row)
    return "\n".join("[" + "  ".join(entry.rjust(width) for entry in row) + "]" for row in rows)


def bmatrix(rows) -> str:
    """LaTeX for a matrix given as rows of LaTeX strings (or numbers)."""
    body = r" \\ ".join(" & ".join(str(entry) for entry in row) for row in rows)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def number(value, fmt: str = ".2f", undefined: str = "–") -> str:
    """A number as a caption or a message shows it: fixed precision, never '-0.00', ``undefined`` when not finite.

    From a million up, three significant digits in e-notation (1.23e+06), so a steep function's numbers stay short.
    """
    value = float(np.real(value)) if np.ndim(value) == 0 else float(np.ravel(value)[0])
    if not np.isfinite(value):
        return undefined
    if abs(value) >= 1e6 and fmt.endswith("f"):
        fmt = ".3g"                                  # 2.69e+45, not forty-five digits in a caption
    text = f"{value:{fmt}}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def vector(values, fmt: str = ".2f", undefined: str = "–") -> str:
    """A vector as a caption shows it: '[1.00, -2.50, 3.00]' (any shape is read entry by entry)."""
    return "[" + ", ".join(number(v, fmt, undefined) for v in np.ravel(values)) + "]"


def show(value, width: int = 9, digits: int = 4) -> str:
    """A number right-aligned in a column of ``width`` characters: the chapters' tables of values."""
    return f"{_fixed(value, digits):>{width}}"


def significant(value, digits: int = 4) -> str:
    """A number with 4 significant digits that always looks like a float: 6.0, 0.3333, 1.235e+06, nan, -inf.

    What feedback and error messages print: short, exact where the number is simple, never a numpy repr.
    """
    try:
        v = float(value)
    except Exception:
        return "?"
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0.0"
    out = f"{v:.{digits}g}"
    return out + ".0" if out.lstrip("-").isdigit() else out


def short(value, limit: int = 6, digits: int = 4) -> str:
    """A number or a small array in :func:`significant` digits: 2.0, [2.0, 3.0], [[1.0, 2.0], [0.0, 1.0]] (long ones cut)."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return significant(arr, digits)
    items = [short(row, limit, digits) for row in arr[:limit]]
    if arr.shape[0] > limit:
        items.append("…")
    return "[" + ", ".join(items) + "]"


def distinct(a, b, limit: int = 6) -> tuple[str, str]:
    """``a`` and ``b`` as :func:`short` prints them, with as many digits as it takes for the two to differ.

    A near miss must not read "yours gives 25.31, expected 25.31": from 4 significant digits up to 17.
    """
    first = (short(a, limit), short(b, limit))
    for digits in range(4, 18):
        pair = (short(a, limit, digits), short(b, limit, digits))
        if pair[0] != pair[1]:
            return pair
    return first


def clip(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def point(names, values) -> str:
    """'x = 1.0, y = 2.0' — a point as a message names it (vectors print as lists)."""
    return ", ".join(f"{name} = {short(value)}" for name, value in zip(names, values))


def entries(M, fmt: str = "g") -> list:
    """A number, vector or matrix as rows of text for :func:`bmatrix`: [['12', '3'], ['2', '1024']] (no '-0')."""
    return [[format(round(float(v), 6) + 0.0, fmt) for v in row] for row in np.atleast_2d(np.asarray(M, dtype=float))]
