"""The matrix-calculus reference (paper §8–9): every identity of the registry, each verified when it is shown.

:func:`reference_table` reads :data:`mcdl.identities.IDENTITIES` — the element-wise rules, scalar expansion,
reductions, the chain rules and the neuron's gradients — and checks every derivative against finite differences
(:func:`mcdl.identities.verify`) as it builds the rows. It renders as HTML (formulas for MathJax, the shape as a
small drawn box: a square with its diagonal for a diagonal matrix, a tall bar for a column, a wide one for a row,
a dot for a scalar) and as plain text.

:func:`cheatsheet` draws the same rules, the chain-rule summary and the notation on two printable A4 pages with
matplotlib alone (its mathtext typesets the formulas, so no LaTeX installation and no network are needed) and
writes a PDF, one PNG per page and an HTML page showing them: ``make cheatsheet``.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path

from . import identities

__all__ = ["ReferenceRow", "ReferenceTable", "reference_table", "chain_rules", "notation", "cheatsheet",
           "CHAIN_RULES", "NOTATION"]

# The paper's §8.5 summary, and its §9 notation, said in the course's words.
CHAIN_RULES = (
    ("single-variable", r"\frac{dy}{dx} = \frac{dy}{du}\frac{du}{dx}",
     "one path from x to y, every intermediate a function of one variable"),
    ("total derivative", r"\frac{\partial f}{\partial x} = \frac{\partial f}{\partial x}\Big\rvert_{u} + "
                         r"\sum_i \frac{\partial f}{\partial u_i}\frac{\partial u_i}{\partial x}",
     "x reaches y along several paths: add the contribution of each"),
    ("vector", r"\frac{\partial}{\partial \mathbf{x}}\mathbf{f}(\mathbf{g}(\mathbf{x})) = "
               r"\frac{\partial \mathbf{f}}{\partial \mathbf{g}}\frac{\partial \mathbf{g}}{\partial \mathbf{x}}",
     "the general case: (m×k)(k×n) = m×n, the outer Jacobian first; the other two are special cases"),
)
NOTATION = (
    (r"x,\ \mathbf{x},\ X", "a scalar (italic), a vector (bold, a column), a matrix (upper case)"),
    (r"x_i", "entry i of the vector x (a scalar)"),
    (r"\mathbf{x}^T", "the transpose: a column becomes a row"),
    (r"\lvert\mathbf{x}\rvert", "the length (number of entries) of x; its size as a distance is written ‖x‖"),
    (r"\vec{1},\ \vec{0}", "the vectors of ones and of zeros, as long as needed"),
    (r"I", "the identity matrix: ones on the diagonal, zeros elsewhere"),
    (r"diag(\mathbf{x})", "the square matrix with x on its diagonal"),
    (r"\mathbf{w} \otimes \mathbf{x},\ \mathbf{w} \oslash \mathbf{x}", "entry-by-entry product and division"),
    (r"\mathbf{w} \cdot \mathbf{x}", "the dot product Σᵢ wᵢxᵢ = sum(w ⊗ x) = wᵀx"),
    (r"\frac{\partial y}{\partial \mathbf{x}}", "numerator layout: one row per output, one column per input; "
                                                "f: Rⁿ → Rᵐ has an m×n Jacobian, a gradient is a 1×n row"),
    (r"[z > 0]", "1 where the condition holds, 0 where it does not"),
    (r"\eta", "the learning rate of gradient descent"),
)

# The shape each derivative has, as (rows, cols) drawn for n = 4, and its words.
_SHAPE_BOXES = {"diagonal": (4, 4), "matrix": (4, 4), "column": (4, 1), "row": (1, 4), "scalar": (1, 1)}
_SHAPE_WORDS = {"diagonal": "n×n diagonal", "matrix": "n×n", "column": "n×1 column", "row": "1×n row",
                "scalar": "1×1"}
_CELL = 'style="text-align: left; vertical-align: middle"'
_TIGHT = 'style="text-align: left; vertical-align: middle; white-space: nowrap; padding-right: 1.2em"'


@dataclass(frozen=True)
class ReferenceRow:
    """One derivative of the registry: the identity it belongs to, its sections, its formulas (LaTeX), its
    shape (a key of :data:`mcdl.identities.SHAPES`) and the largest error found against finite differences."""
    name: str
    title: str
    sections: tuple
    function: str
    derivative: str
    result: str
    shape: str
    error: float
    note: str = ""

    @property
    def verified(self) -> str:
        return error_bound(self.error)


def error_bound(error: float) -> str:
    """An error as a bound, '≤ 1e-10' (a power of ten: the same on any machine), or 'exact'."""
    if error == 0:
        return "exact"
    exponent = math.ceil(math.log10(error)) if error > 0 else -16
    return f"≤ 1e{exponent:+03d}".replace("+", "")


def shape_icon(shape: str, unit: int = 5) -> str:
    """A small inline SVG of the shape: a square with its diagonal, a square, a tall or a wide bar, a dot."""
    rows, cols = _SHAPE_BOXES[shape]
    w, h = cols * unit, rows * unit
    diagonal = f'<line x1="0" y1="0" x2="{w}" y2="{h}" stroke="currentColor" stroke-width="1.5"/>' \
        if shape == "diagonal" else ""
    return (f'<svg width="{w + 2}" height="{h + 2}" viewBox="-1 -1 {w + 2} {h + 2}" role="img" '
            f'aria-label="{html.escape(identities.SHAPES[shape][0])}" style="vertical-align: middle">'
            f'<rect x="0" y="0" width="{w}" height="{h}" fill="rgba(0, 114, 178, 0.25)" stroke="currentColor" '
            f'stroke-width="1"/>{diagonal}</svg>')


class ReferenceTable:
    """The rows of the reference, grouped by the paper's sections; HTML in a notebook, text elsewhere."""

    def __init__(self, rows):
        self.rows = list(rows)

    @property
    def worst(self) -> float:
        return max(r.error for r in self.rows)

    def _repr_html_(self) -> str:
        head = "<tr>" + "".join(f"<th {_CELL}>{h}</th>" for h in (
            "paper", "rule", "function", "derivative", "shape", "verified: max error")) + "</tr>"
        body, last = [], None
        for r in self.rows:
            first = r.name != last
            last = r.name
            title = f"<strong>{html.escape(r.title)}</strong>" + (
                f"<br><small>{html.escape(r.note)}</small>" if r.note and first else "")
            body.append(
                "<tr>"
                f"<td {_TIGHT}>{', '.join('§' + s for s in r.sections) if first else ''}</td>"
                f"<td {_CELL}>{title if first else ''}</td>"
                f"<td {_CELL}>{'$' + html.escape(r.function) + '$' if first else ''}</td>"
                f"<td {_CELL}>${html.escape(r.derivative)} = {html.escape(r.result)}$</td>"
                f"<td {_TIGHT}>{shape_icon(r.shape)} {html.escape(_SHAPE_WORDS[r.shape])}</td>"
                f"<td {_TIGHT}>{html.escape(r.verified)}</td>"
                "</tr>")
        return (f'<table class="mcdl-reference"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'
                f"<p>{len(self.rows)} derivatives of {len({r.name for r in self.rows})} identities, each compared "
                f"with finite differences at random points: the largest error is {html.escape(error_bound(self.worst))}."
                "</p>")

    def __str__(self) -> str:
        lines = []
        for r in self.rows:
            lines.append(f"{'§' + '/'.join(r.sections):<12} {r.name:<22} {r.derivative} = {r.result}   "
                         f"[{identities.SHAPES[r.shape][0]}]  {r.verified}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def reference_table(seed: int = 0, trials: int = 3) -> ReferenceTable:
    """Every derivative of the registry, verified against finite differences (``trials`` random points per
    identity, drawn from ``seed``), in the registry's order. The check covers all of an identity's derivatives
    at once, so its rows share the error shown."""
    rows = []
    for identity in identities.IDENTITIES:
        error = identities.verify(identity, seed, trials=trials)       # every derivative of it, at once
        for d in identity.derivatives:
            rows.append(ReferenceRow(identity.name, identity.title, identity.sections, identity.latex,
                                     identity.lhs(d.wrt), d.latex, d.shape, error, identity.note))
    return ReferenceTable(rows)


class _Markdown:
    """A small table shown as Markdown (LaTeX in $…$) in a notebook and as text elsewhere."""

    def __init__(self, header: tuple, rows: list, math_columns: tuple):
        self.header, self.rows, self.math = header, rows, math_columns

    def _repr_markdown_(self) -> str:
        lines = ["| " + " | ".join(self.header) + " |", "|" + "---|" * len(self.header)]
        for row in self.rows:
            cells = [f"${c}$" if k in self.math else c.replace("|", "\\|") for k, c in enumerate(row)]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def __str__(self) -> str:
        return "\n".join("  ".join(row) for row in self.rows)

    __repr__ = __str__


def chain_rules() -> _Markdown:
    """The paper's §8.5 summary of the chain rules, as a table."""
    return _Markdown(("rule", "formula", "when"), [list(r) for r in CHAIN_RULES], (1,))


def notation() -> _Markdown:
    """The notation used throughout (paper §9), as a table."""
    return _Markdown(("symbol", "meaning"), [list(r) for r in NOTATION], (0,))


# --------------------------------------------------------------------------------------------------
# The printable cheat sheet: matplotlib only.
def _mathtext(latex: str) -> str:
    """The registry's LaTeX in the subset matplotlib's mathtext typesets."""
    replace = {r"\mathbf{f(x)}": r"\mathbf{f}(\mathbf{x})", r"\mathbf{f(w)}": r"\mathbf{f}(\mathbf{w})",
               r"\mathbf{g(x)}": r"\mathbf{g}(\mathbf{x})", r"\left": "", r"\right": "", r"\Big|": "|",
               "diag(": r"\mathrm{diag}(", "sum(": r"\mathrm{sum}(", "max(": r"\max(", r"\ ": r"\ ",
               r"\Big\rvert": "|", r"\lvert": "|", r"\rvert": "|"}
    for a, b in replace.items():
        latex = latex.replace(a, b)
    return f"${latex}$"


def _draw_shape(ax, x, y, shape, unit=0.006):
    from matplotlib.patches import Rectangle
    rows, cols = _SHAPE_BOXES[shape]
    w, h = cols * unit, rows * unit * 0.7071       # A4 aspect: keep squares square
    ax.add_patch(Rectangle((x, y - h / 2), w, h, transform=ax.transAxes, facecolor="#cfe3f1", edgecolor="black",
                           lw=0.6))
    if shape == "diagonal":
        ax.plot([x, x + w], [y + h / 2, y - h / 2], transform=ax.transAxes, color="black", lw=0.6)


def cheatsheet(out_dir="build/cheatsheet", seed: int = 0) -> dict:
    """Write the two-page cheat sheet: ``cheatsheet.pdf``, ``cheatsheet-1.png``, ``cheatsheet-2.png`` and
    ``cheatsheet.html`` (the pages as images, printable) into ``out_dir``. Returns the paths written."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = reference_table(seed)
    per_page = 22
    pages = [table.rows[:per_page], table.rows[per_page:]]
    paths = {"pdf": out / "cheatsheet.pdf", "html": out / "cheatsheet.html"}
    figures = []
    for number, rows in enumerate(pages, 1):
        fig = Figure(figsize=(8.27, 11.69))               # A4, portrait
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        top = 0.965
        ax.text(0.05, top, "The Matrix Calculus You Need For Deep Learning — cheat sheet"
                + ("" if number == 1 else " (continued)"), fontsize=13, weight="bold", transform=ax.transAxes)
        ax.text(0.05, top - 0.018, "Parr & Howard, arXiv:1802.01528 · numerator layout · every row checked "
                f"against finite differences (largest error {error_bound(table.worst)})", fontsize=7.5, color="#444444",
                transform=ax.transAxes)
        y = top - 0.05
        for col, label in ((0.05, "paper"), (0.13, "function"), (0.47, "derivative"), (0.82, "shape"),
                           (0.9, "checked")):
            ax.text(col, y, label, fontsize=7.5, weight="bold", transform=ax.transAxes)
        y -= 0.012
        ax.plot([0.05, 0.96], [y, y], color="black", lw=0.6, transform=ax.transAxes)
        last = None
        step = 0.0385 if number == 1 else 0.036
        for r in rows:
            y -= step
            if r.name != last:
                ax.text(0.05, y, "/".join(r.sections), fontsize=7, transform=ax.transAxes, va="center")
                ax.text(0.13, y + 0.014, r.title, fontsize=6.5, color="#555555", transform=ax.transAxes,
                        va="center")
                ax.text(0.13, y - 0.004, _mathtext(r.function), fontsize=8.5, transform=ax.transAxes, va="center")
            last = r.name
            ax.text(0.47, y - 0.004, _mathtext(f"{r.derivative} = {r.result}"), fontsize=8.5,
                    transform=ax.transAxes, va="center")
            _draw_shape(ax, 0.82, y, r.shape)
            ax.text(0.9, y, r.verified, fontsize=7, transform=ax.transAxes, va="center")
        if number == 2:
            y -= 0.05
            ax.text(0.05, y, "The chain rules (§8.5)", fontsize=10, weight="bold", transform=ax.transAxes)
            for name, formula, words in CHAIN_RULES:
                y -= 0.04
                ax.text(0.05, y, name, fontsize=7.5, transform=ax.transAxes, va="center")
                ax.text(0.2, y, _mathtext(formula), fontsize=9, transform=ax.transAxes, va="center")
                ax.text(0.6, y, words, fontsize=6.5, transform=ax.transAxes, va="center", wrap=True)
            y -= 0.05
            ax.text(0.05, y, "Notation (§9)", fontsize=10, weight="bold", transform=ax.transAxes)
            for symbol, words in NOTATION:
                y -= 0.022
                ax.text(0.05, y, _mathtext(symbol), fontsize=8.5, transform=ax.transAxes, va="center")
                ax.text(0.25, y, words, fontsize=7, transform=ax.transAxes, va="center")
        ax.text(0.5, 0.02, f"page {number} of 2 · made by mcdl from its identities registry", fontsize=6.5,
                color="#666666", ha="center", transform=ax.transAxes)
        figures.append(fig)
    with PdfPages(paths["pdf"], metadata={"Title": "Matrix calculus cheat sheet", "CreationDate": None}) as pdf:
        for fig in figures:
            pdf.savefig(fig)
    for number, fig in enumerate(figures, 1):
        paths[f"png{number}"] = out / f"cheatsheet-{number}.png"
        fig.savefig(paths[f"png{number}"], dpi=110, metadata={"Software": None})
    pages_html = "".join(f'<img src="cheatsheet-{k}.png" alt="cheat sheet, page {k}" '
                         'style="width: 100%; max-width: 900px; page-break-after: always; display: block">'
                         for k in (1, 2))
    paths["html"].write_text("<!doctype html><html><head><meta charset='utf-8'><title>Matrix calculus cheat sheet"
                             "</title><style>@media print { img { max-width: 100% } }</style></head><body>"
                             + pages_html + "</body></html>", encoding="utf-8")
    return paths
