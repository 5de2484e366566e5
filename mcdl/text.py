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
