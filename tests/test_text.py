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


def test_caption_numbers_vectors_and_points():
    from mcdl.text import number, point, vector
    assert number(-0.004) == "0.00" and number(1.005, ".1f") == "1.0" and number(float("nan")) == "–"
    assert number(np.array([2.5])) == "2.50" and vector([[1.0, -0.001]]) == "[1.00, 0.00]"
    assert number(2.688e45) == "2.69e+45" and number(-1234567.0) == "-1.23e+06" and number(999999.0) == "999999.00"
    assert point(("x", "y"), (1.0, np.array([2.0, 0.5]))) == "x = 1.0, y = [2.0, 0.5]"


def test_feedback_numbers_have_four_significant_digits_and_look_like_floats():
    from mcdl.text import clip, short, significant
    assert [significant(v) for v in (6, 1 / 3, 1234567.0, 0.0, float("inf"), -float("inf"), float("nan"))] == \
        ["6.0", "0.3333", "1.235e+06", "0.0", "inf", "-inf", "nan"]
    assert short(np.arange(8.0)) == "[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, …]" and short([[1, 2], [0, 1]]) == "[[1.0, 2.0], [0.0, 1.0]]"
    assert clip("abcdef", 4) == "abc…" and clip("abc", 4) == "abc"


def test_table_columns_and_matrix_entries():
    from mcdl.text import entries, show
    assert show(-0.00001) == "   0.0000" and show(3.14159, 6, 2) == "  3.14"
    assert entries([[12.0, -0.0000001], [2.0, 1024.0]]) == [["12", "0"], ["2", "1024"]]
    assert entries(5.0, ".1f") == [["5.0"]]
