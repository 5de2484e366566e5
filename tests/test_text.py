"""mcdl.text: numbers and arrays as machine-independent text (what the chapters print)."""
import numpy as np

from mcdl.text import bmatrix, inline, matrix_text


def test_inline_prints_fixed_precision_nested_lists_without_minus_zero():
    assert inline(3) == "3.00"
    assert inline(np.float64(-0.001)) == "0.00"
    assert inline([[12, 3], [2, 1024]]) == "[[12.00, 3.00], [2.00, 1024.00]]"
    assert inline([0.25, -0.4], digits=4) == "[0.2500, -0.4000]"


def test_matrix_text_aligns_rows_and_treats_a_vector_as_one_row():
    assert matrix_text([[1, -2.5], [10, 0]], digits=2) == "[ 1.00  -2.50]\n[10.00   0.00]"
    assert matrix_text([1, 2]) == "[1.0000  2.0000]"


def test_bmatrix_builds_latex_rows():
    assert bmatrix([["a", 1], [2, r"\frac{1}{2}"]]) == r"\begin{bmatrix} a & 1 \\ 2 & \frac{1}{2} \end{bmatrix}"
