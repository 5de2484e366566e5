"""No exercise's answer appears in its chapter's student copy: not in the text, not in a stored output.

A learner reads the whole page. A worked example, a table or a widget caption that prints the numbers or
the formula an exercise asks for gives the answer away, so this test searches every chapter's student
version (solutions stubbed, as ``make lab`` opens it) for the answer of every exercise of the bank:

* a **value** answer by its numbers: a vector or matrix as the run of its entries (a stored output prints
  them in order), a number wherever it is written or printed.  Numbers too common to search for (an integer
  below 10, a run of 0s and 1s, or a run whose numbers the prompt itself gives, as in ∂(w⊗x)/∂w = diag(x)) are
  skipped, and the test says which;
* a **function** or **expression** answer by its formulas (``Exercise.formulas``, or the reference text),
  each in the ways a page writes a formula: Python (``2*x*y``), LaTeX (``2xy``, ``\\frac{2y}{x^2+y^2}``)
  and Unicode (``x²``), compared with spaces, ``*`` and braces removed.
"""
import re
from functools import lru_cache
from pathlib import Path

import nbformat
import numpy as np
import pytest
import sympy

from mcdl.exercises import EXERCISES
from mcdl.student import student_notebook
from mcdl.symbolic import parse_expression, to_latex

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TEXT_MIMES = ("text/plain", "text/html", "text/latex", "text/markdown")

NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.]*\d)")
SUPERSCRIPTS = str.maketrans({"⁰": "^0", "¹": "^1", "²": "^2", "³": "^3", "⁴": "^4", "⁵": "^5", "⁶": "^6",
                              "⁷": "^7", "⁸": "^8", "⁹": "^9", "·": "", "−": "-"})
MIN_FORMULA = 3          # a canonical formula shorter than this ("2x") is everywhere; not searched


def canonical(text: str) -> str:
    """A formula with everything a page varies removed: spaces, *, braces, \\left/\\right, \\cdot, $."""
    text = text.translate(SUPERSCRIPTS).replace("**", "^")
    for token in (r"\left", r"\right", r"\cdot", r"\,", r"\;", r"\operatorname", "$", "*", "{", "}", " ", "\n"):
        text = text.replace(token, "")
    return text.replace(r"\ln", "ln").replace(r"\log", "ln").replace("log", "ln").replace(r"\sin", "sin") \
        .replace(r"\cos", "cos").replace(r"\exp", "exp").replace("np.", "")


def page_texts(path: Path) -> tuple[list[str], list[str]]:
    """(every text on the student page, the prose and outputs only — no code) of one chapter."""
    nb = student_notebook(nbformat.read(path, as_version=4), name=path.name)
    everything, prose = [], []
    for cell in nb.cells:
        everything.append(cell.source)
        if cell.cell_type == "markdown":
            prose.append(cell.source)
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [
                "".join(v) if isinstance(v, list) else str(v)
                for k, v in output.get("data", {}).items() if k in TEXT_MIMES]
            everything.extend(texts)
            prose.extend(texts)
    return everything, prose


@lru_cache(maxsize=None)
def chapter_page(chapter: str):
    paths = sorted(NOTEBOOKS.glob(f"{chapter}_*.ipynb"))
    return page_texts(paths[0]) if paths else None


def numbers_in(text: str) -> list[tuple[float, int]]:
    """The numbers written in a text, each with its count of decimals."""
    found = []
    for token in NUMBER.findall(text):
        token = token.replace("−", "-")
        try:
            value = float(token)
        except ValueError:
            continue
        decimals = len(token.split(".")[1].split("e")[0]) if "." in token and "e" not in token else 0
        found.append((value, decimals))
    return found


def same_number(written: tuple[float, int], value: float) -> bool:
    shown, decimals = written
    return abs(shown - value) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9) and (decimals > 0 or shown == value)


def has_run(text: str, values) -> bool:
    numbers = numbers_in(text)
    k = len(values)
    return any(all(same_number(numbers[i + j], v) for j, v in enumerate(values)) for i in range(len(numbers) - k + 1))


def searchable_values(ex):
    """The run of numbers to search for a value exercise, or None (with the reason) when it cannot be searched."""
    ref = np.asarray(ex.reference, dtype=float)
    prompt_numbers = [v for v, _ in numbers_in(ex.prompt)]
    if ref.ndim == 0:
        v = float(ref)
        if v == int(v) and abs(v) < 10:
            return None, "a small integer"
        return [v], ""
    values = list(ref.ravel())
    if ref.ndim == 2 and ref.shape[0] == ref.shape[1] and np.allclose(ref, np.diag(np.diag(ref))):
        values = list(np.diag(ref))          # a diagonal matrix: its diagonal is what a page would show
    if len(set(values)) == 1 and abs(values[0]) < 10 and values[0] == int(values[0]):
        return None, "a run of one small integer"
    if set(values) <= {0.0, 1.0}:
        return None, "a run of 0s and 1s (any sentence about the ReLU's two slopes writes one)"
    nonzero = [v for v in values if v != 0]
    if nonzero and all(any(np.isclose(v, p) for p in prompt_numbers) for v in nonzero):
        return None, "the prompt gives these numbers"
    return values, ""


def formula_forms(ex) -> set[str]:
    formulas = ex.formulas or ((ex.reference,) if isinstance(ex.reference, str) else ())
    forms = set()
    for formula in formulas:
        try:
            expr = parse_expression(formula, ex.variables)
            texts = (formula, str(expr), to_latex(expr), sympy.latex(expr))
        except Exception:          # a formula the parser does not read (x/‖x‖): searched as written
            texts = (formula,)
        for text in texts:
            form = canonical(text)
            if len(form) >= MIN_FORMULA:
                forms.add(form)
    return forms


BANK = [pytest.param(ex, id=ex.id) for ex in EXERCISES.values() if ex.kind != "shape"]


@pytest.mark.parametrize("ex", BANK)
def test_the_answer_is_not_on_its_own_page(ex):
    page = chapter_page(ex.chapter)
    if page is None:
        pytest.skip(f"no notebook for chapter {ex.chapter}")
    everything, prose = page
    if ex.kind == "value":
        values, why = searchable_values(ex)
        if values is None:
            pytest.skip(f"{ex.id}: {why}; not searchable by its numbers")
        where = prose if len(values) == 1 else everything
        hits = [text for text in where if has_run(text, values)]
        assert not hits, f"{ex.id}'s answer {values} is printed on its own page: {hits[0][:300]!r}"
    else:
        assert ex.formulas or isinstance(ex.reference, str), \
            f"{ex.id}: give the exercise its formulas (Exercise.formulas) so the page can be searched"
        forms = formula_forms(ex)
        if not forms:
            pytest.skip(f"{ex.id}: its formulas are too short to search for ({', '.join(ex.formulas)})")
        for text in everything:
            flat = canonical(text)
            for form in forms:
                assert form not in flat, (f"{ex.id}'s answer ({form}) is written on its own page: "
                                          f"{text[:300]!r}")


def test_the_search_finds_what_it_looks_for():
    assert has_run("∂y/∂x = [6.0000, 4.0000, 6.0000, 4.0000]", [6.0, 4.0, 6.0, 4.0])
    assert not has_run("[6.0, 4.0, 5.0, 4.0]", [6.0, 4.0, 6.0, 4.0])
    assert has_run("at (-1, 3): ∂f/∂x = −18.00", [-18.0])
    assert not has_run("x = 118", [18.0]) and not has_run("1.8", [18.0])
    assert canonical(r"$\frac{2 y}{x^{2} + y^{2}}$") == canonical(sympy.latex(parse_expression("2*y/(x**2+y**2)",
                                                                                              ("x", "y"))))
    assert canonical("6*x**2*cos(x**3)") == canonical("6x²cos(x³)")
