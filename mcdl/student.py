"""Student versions of the notebooks: every solution block replaced by a runnable stub.

``python -m mcdl student OUT/`` (see ``mcdl/__main__.py``); the setup check is :mod:`mcdl.doctor`.

Solution blocks — the convention for notebook authors
------------------------------------------------------
A solution lives in a code cell between nbgrader's markers, each on its own line::

    answer = ...                       # optional; the full version then reads like the student one
    ### BEGIN SOLUTION
    answer = 6 * x * y
    ### END SOLUTION
    mcdl.check("02-partial", answer)

Inside a block, write exactly what the learner must complete.  The student version keeps the block's
indentation and replaces it, statement by statement:

* an assignment ``name = expr`` becomes ``name = ...`` (``a, b = expr`` becomes ``a = ...`` and ``b = ...``;
  ``name: T = expr`` becomes ``name: T = ...``), so the cell still runs and ``check`` says "not answered yet"
  (a stub identical to the line just above the block, like ``answer = ...`` here, is not repeated);
* a ``def`` keeps its name, its arguments' names and its docstring (defaults become ``...``; annotations
  and decorators go) and its body becomes ``...`` (the function returns None;
  a ``def`` wholly inside a block is rewritten by ``ast.unparse``, so its comments go and spacing may change);
* everything else (``return``, loops, prints, assignments to ``x[i]`` or ``obj.attr``) is dropped;
  if nothing is left, the block becomes a single ``...``.

So for a function the learner writes, put the ``def`` line outside the block (or the whole ``def`` inside)::

    def f(x):                                  def f(x):
        ### BEGIN SOLUTION          ->              ...
        return 3 * x**2
        ### END SOLUTION

The markers must be spelt exactly so, each alone on its line. Anything else that reads like a marker (more or
fewer ``#``, no space, another case, trailing text, a marker after code, an END without a BEGIN, a marker
line in a Markdown cell) is a :class:`SolutionBlockError` naming the notebook, the cell and the line, and
nothing is written: nbgrader would honour such spellings, and a solution must never reach a student copy
because this tool read past it.

Keep the ``check(...)`` call in the same cell as the block: only the outputs of cells that contain a
solution block are cleared (with their execution counts); every other cell keeps its stored outputs.  A
later cell that prints the answer would still show the instructor's output.
"""
from __future__ import annotations

import ast
import copy
import os
import re
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"

BEGIN_SOLUTION = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
END_SOLUTION = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
# Any line that mentions a marker in any spelling (nbgrader honours "BEGIN SOLUTION" anywhere in a line: more or
# fewer #, no space, trailing text, other case). Only the exact forms above are markers here; every other
# spelling is an error, so a solution can never reach a student copy because its marker was misspelt.
ANY_MARKER = re.compile(r"(begin|end)\s*solution", re.IGNORECASE)
# nbgrader takes "BEGIN SOLUTION" anywhere in a Markdown line as a marker too, so prose must not name them.
MARKDOWN_MARKER = ANY_MARKER


# ====================================================================================================
# Student versions
# ====================================================================================================
class SolutionBlockError(ValueError):
    """A ``### BEGIN SOLUTION`` without its ``### END SOLUTION`` (or the reverse), a marker spelt in another
    way, or a marker in a Markdown cell: anything that could let a solution into a student copy."""


def has_solution(source: str) -> bool:
    """Does the cell mention a solution marker at all (in any spelling)? Such a cell is always processed, so
    an END without a BEGIN or a misspelt marker is reported instead of being copied with its solution."""
    return any(ANY_MARKER.search(line) for line in source.splitlines())


def _check_spelling(line: str, number: int, where: str) -> None:
    if ANY_MARKER.search(line) and not (BEGIN_SOLUTION.match(line) or END_SOLUTION.match(line)):
        raise SolutionBlockError(
            f"{where}, line {number}: {line.strip()!r} looks like a solution marker but is not one: write "
            "'### BEGIN SOLUTION' or '### END SOLUTION' exactly, alone on its line (nbgrader would take this "
            "spelling as a marker, this tool would not, and the solution could reach the students)")


def _parse_block(code: str) -> list[ast.stmt] | None:
    """Parse a block's dedented code; a block inside a ``def`` may ``return``, so retry inside one."""
    try:
        return ast.parse(code).body
    except SyntaxError:
        pass
    try:
        return ast.parse("def _block():\n" + textwrap.indent(code or "pass", "    ")).body[0].body
    except SyntaxError:
        return None


def _names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _names(element)]
    if isinstance(target, ast.Starred):
        return _names(target.value)
    return []  # x[i] = ..., obj.attr = ...: not a name the learner defines


def _stub(statement: ast.stmt) -> list[str]:
    """What one solution statement becomes in the student version."""
    if isinstance(statement, ast.Assign):
        names = [name for target in statement.targets for name in _names(target)]
        return [f"{name} = ..." for name in dict.fromkeys(names)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        annotation = statement.annotation            # a type is kept; anything else might be the answer
        kept = isinstance(annotation, (ast.Name, ast.Attribute, ast.Subscript)) and not any(
            isinstance(node, ast.Constant) for node in ast.walk(annotation))
        return [f"{statement.target.id}: {ast.unparse(annotation)} = ..." if kept else f"{statement.target.id} = ..."]
    if isinstance(statement, ast.AugAssign):
        return [f"{name} = ..." for name in _names(statement.target)]
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        stub = copy.copy(statement)  # the name and the argument names; defaults, annotations and decorators
        stub.decorator_list, stub.returns = [], None      # could hold part of the answer, so they go
        arguments = copy.copy(statement.args)
        arguments.defaults = [ast.Constant(...) for _ in arguments.defaults]
        arguments.kw_defaults = [None if d is None else ast.Constant(...) for d in arguments.kw_defaults]
        for argument in arguments.posonlyargs + arguments.args + arguments.kwonlyargs:
            argument.annotation = None
        stub.args = arguments
        stub.body = [ast.Expr(ast.Constant(...))]
        if ast.get_docstring(statement, clean=False) is not None:
            stub.body.insert(0, statement.body[0])
        return ast.unparse(stub).splitlines()
    return []


def stub_solution(block_lines: list[str], indent: str) -> list[str]:
    """The student replacement for the lines between the markers (see the module docstring)."""
    statements = _parse_block(textwrap.dedent("\n".join(block_lines)))
    stubbed = [line for statement in statements or [] for line in _stub(statement)]
    return [indent + line if line else line for line in (stubbed or ["..."])]


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block of ``source``."""
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    for number, line in enumerate(source.splitlines(), start=1):
        _check_spelling(line, number, where)
        begin = BEGIN_SOLUTION.match(line)
        if block is None:
            if begin:
                block, indent = [], begin["indent"]
            elif END_SOLUTION.match(line):
                raise SolutionBlockError(f"{where}, line {number}: '### END SOLUTION' without a BEGIN")
            else:
                out.append(line)
        elif begin:
            raise SolutionBlockError(f"{where}, line {number}: nested '### BEGIN SOLUTION'")
        elif END_SOLUTION.match(line):
            stub = stub_solution(block, indent)
            if out and stub[0] == out[-1]:  # `answer = ...` already written just above the block
                stub = stub[1:]
            out.extend(stub)
            block = None
        else:
            block.append(line)
    if block is not None:
        raise SolutionBlockError(f"{where}: '### BEGIN SOLUTION' without '### END SOLUTION'")
    return "\n".join(out) + ("\n" if source.endswith("\n") else "")


def _clear_solutions_class():
    """The course's ``ClearSolutions``: nbgrader's preprocessor with the course's stubs (made on first use, so
    importing mcdl does not import nbgrader)."""
    global _CLEAR_SOLUTIONS
    if _CLEAR_SOLUTIONS is not None:
        return _CLEAR_SOLUTIONS
    from nbgrader.preprocessors import ClearSolutions as NbgraderClearSolutions

    class CourseClearSolutions(NbgraderClearSolutions):
        """nbgrader's ``ClearSolutions``, but a solution block in a code cell becomes the course's stub
        (:func:`strip_solutions`: ``answer = ...``, a ``def`` keeps its signature) instead of one ``...``, and
        only the exact markers count (every other spelling is a :class:`SolutionBlockError`)."""

        _where = "notebook"

        def preprocess_cell(self, cell, resources, cell_index):
            self._where = f"{resources.get('mcdl_name', 'notebook')}, cell {cell_index}"
            return super().preprocess_cell(cell, resources, cell_index)

        def _replace_solution_region(self, cell, language):
            if cell.cell_type != "code":
                return super()._replace_solution_region(cell, language)
            lines = cell.source.splitlines()
            found = any(BEGIN_SOLUTION.match(line) for line in lines)
            cell.source = strip_solutions(cell.source, where=self._where)
            return found

    CourseClearSolutions.__name__ = CourseClearSolutions.__qualname__ = "ClearSolutions"
    CourseClearSolutions.__module__ = __name__
    _CLEAR_SOLUTIONS = CourseClearSolutions
    return CourseClearSolutions


_CLEAR_SOLUTIONS = None   # mcdl.student.ClearSolutions, made on first use
_ATTACHMENTS = None       # mcdl.student.ClearSolutionAttachments, likewise


def _attachments_class():
    from nbconvert.preprocessors import Preprocessor

    class ClearSolutionAttachments(Preprocessor):
        """nbgrader's release keeps the images attached to a Markdown solution cell; this step drops them."""

        def preprocess(self, nb, resources):
            return clear_solution_attachments(nb), resources

    ClearSolutionAttachments.__module__ = __name__
    return ClearSolutionAttachments


def __getattr__(name):
    if name == "ClearSolutions":
        return _clear_solutions_class()
    if name == "ClearSolutionAttachments":
        global _ATTACHMENTS
        _ATTACHMENTS = _ATTACHMENTS or _attachments_class()
        return _ATTACHMENTS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class NotebookError(ValueError):
    """A file that is not a notebook this course's tools can read (one line, naming the file)."""


def read_course_notebook(path: str | os.PathLike, text: str | None = None):
    """Read an nbformat 4 notebook, or raise :class:`NotebookError` with one line saying what is wrong."""
    import json

    import nbformat

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
        raw = json.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        raise NotebookError(f"{path.name}: cannot be read ({error})") from None
    except (ValueError, RecursionError) as error:
        raise NotebookError(f"{path.name}: not a notebook (not JSON: {str(error)[:200]})") from None
    if not isinstance(raw, dict):
        raise NotebookError(f"{path.name}: not a notebook (a JSON {type(raw).__name__.replace('dict', 'object')}, "
                            "not an object with cells)")
    if raw.get("nbformat") != 4:
        found = f"nbformat {raw['nbformat']}" if "nbformat" in raw else "no nbformat version"
        raise NotebookError(f"{path.name}: {found}; the course's notebooks are nbformat 4 (open and save it in "
                            "JupyterLab, or: jupyter nbconvert --to notebook --nbformat 4)")
    if not isinstance(raw.get("cells"), list):
        raise NotebookError(f"{path.name}: not a notebook (no list of cells)")
    for index, cell in enumerate(raw["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise NotebookError(f"{path.name}, cell {index}: not a cell (no cell_type code, markdown or raw)")
        if not isinstance(cell.get("source"), (str, list)):
            raise NotebookError(f"{path.name}, cell {index}: a cell without source")
        if cell["cell_type"] == "code" and not isinstance(cell.get("outputs", []), list):
            raise NotebookError(f"{path.name}, cell {index}: a code cell whose outputs are not a list")
    try:
        nb = nbformat.reader.reads(text)
        nbformat.validate(nb, relax_add_props=True)
    except Exception as error:          # nbformat's own complaint, reduced to its first line
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise NotebookError(f"{path.name}: not a valid notebook ({first[:200]})") from None
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                          "language": "python"})
    for cell in nb.cells:
        cell.setdefault("metadata", {})
        if cell.cell_type == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
    return nb


def _is_solution_cell(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("solution"))


def _check_markers(nb, name: str) -> None:
    """What must hold before nbgrader sees the notebook: no marker in Markdown, every block balanced and spelt
    exactly, every block in an nbgrader solution cell."""
    seen: dict = {}
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if meta is not None:
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if not isinstance(grade_id, str) or not grade_id:
                raise SolutionBlockError(f"{name}, cell {index}: its nbgrader metadata has no grade_id "
                                         "(mark the notebook: python -m mcdl grading --mark)")
            if grade_id in seen:
                raise SolutionBlockError(f"{name}, cells {seen[grade_id]} and {index}: the same nbgrader grade_id "
                                         f"{grade_id!r} (a copied answer cell?); each exercise once")
            seen[grade_id] = index
        if cell.cell_type != "code":
            if any(MARKDOWN_MARKER.search(line) for line in cell.source.splitlines()):
                raise SolutionBlockError(f"{name}, cell {index}: a solution marker in a {cell.cell_type} cell; "
                                         "solutions live in code cells (a Markdown answer would be copied as "
                                         "it is)")
            continue
        if not has_solution(cell.source):
            continue
        strip_solutions(cell.source, where=f"{name}, cell {index}")       # balance and spelling
        if not _is_solution_cell(cell):
            raise SolutionBlockError(f"{name}, cell {index}: a solution block in a cell that is not an nbgrader "
                                     "solution cell (mark the notebook: python -m mcdl grading --mark)")


class _ClearSolutionOutputs:
    """The learner's own copy keeps the figures of the chapter; only the cells that held a solution (and
    the graded cells) lose their outputs.  (nbgrader's release clears every output instead.)"""

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and (meta.get("solution") or meta.get("grade")):
                cell.outputs = []
                cell.execution_count = None
        return clear_solution_attachments(nb), resources


def clear_solution_attachments(nb):
    """A Markdown or raw solution cell's attached images are part of its answer (nbgrader keeps them)."""
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and "attachments" in cell:
            del cell["attachments"]
    return nb


def student_notebook(nb, name: str = "notebook"):
    """The student version of a course notebook: nbgrader's own preprocessors (locked cells, solutions
    replaced by the course's stubs, hidden tests and mark schemes cleared, checksums), with the outputs of
    the answer cells cleared and every other output kept.  ``nb`` is not changed.

    Raises :class:`SolutionBlockError` (naming the notebook, cell and line) for anything that could let a
    solution through, before nbgrader runs.
    """
    from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme,
                                        ComputeChecksums, LockCells)

    nb = copy.deepcopy(nb)
    _check_markers(nb, name)
    resources = {"mcdl_name": name}
    steps = [LockCells(), _clear_solutions_class()(code_stub={"python": "..."}, enforce_metadata=True),
             _ClearSolutionOutputs(), CheckCellMetadata(), ClearHiddenTests(), ClearMarkScheme(),
             ComputeChecksums(), CheckCellMetadata()]
    for step in steps:
        try:
            nb, resources = step.preprocess(nb, resources)
        except SolutionBlockError:
            raise
        except Exception as error:       # nbgrader's own complaints (jsonschema, schema versions, ...): one line
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise SolutionBlockError(f"{name}: nbgrader refused it: {first[:200]}") from None
    return nb


def _backup_path(path: Path) -> Path:
    backup = path.with_name(path.name + ".bak")
    number = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.bak{number}")
        number += 1
    return backup


def make_student_versions(src_dir: str | os.PathLike = NOTEBOOKS, out_dir: str | os.PathLike = "build/student",
                          force: bool = False) -> list[Path]:
    """Write the student version of every ``src_dir/*.ipynb`` into ``out_dir``; return the paths written.

    A file that already holds exactly the new content is left alone (so a second run writes nothing).  A
    file that differs is only replaced with ``force=True``, and then the old one is kept as
    ``NAME.ipynb.bak`` (``.bak1``, ``.bak2``, ... if that exists).  Without ``force`` nothing at all is
    written and ``FileExistsError`` names the files.  Only notebooks are written.
    """
    if not str(out_dir).strip():
        raise ValueError("name a folder for the student versions (e.g. build/student); an empty name is refused")
    src, out = Path(src_dir), Path(out_dir)
    if not src.is_dir():
        raise FileNotFoundError(f"no notebook folder at {src}")
    if out.resolve() == src.resolve():
        raise ValueError("the student versions must go to another folder than the notebooks")

    planned = [(out / path.name, notebook_text(student_notebook(read_course_notebook(path), name=path.name)))
               for path in sorted(src.glob("*.ipynb"))]
    written = write_planned(planned, force, backup=_backup_path, kept="as .bak")
    out.mkdir(parents=True, exist_ok=True)
    return written


def notebook_text(nb) -> str:
    """A notebook as nbformat writes it, ending in a newline (what JupyterLab saves, byte for byte)."""
    import nbformat

    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def write_planned(planned: list[tuple[Path, str]], force: bool, backup, kept: str) -> list[Path]:
    """Write each ``(path, text)`` whose file differs; return the paths written.

    A file already holding that text is left alone.  A file that differs is only replaced with ``force``,
    after it is moved to ``backup(path)``; without ``force`` nothing at all is written and
    ``FileExistsError`` names the files (``kept`` says where old files go).
    """
    changed = [(target, text) for target, text in planned
               if not (target.exists() and target.read_text(encoding="utf-8") == text)]
    clashes = [target for target, _ in changed if target.exists()]
    if clashes and not force:
        raise FileExistsError(f"would overwrite {', '.join(map(str, clashes))}; pass force=True (--force) to "
                              f"replace them (the old files are kept {kept})")
    for target, text in changed:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            saved = backup(target)
            saved.parent.mkdir(parents=True, exist_ok=True)
            target.replace(saved)
        target.write_text(text, encoding="utf-8")
    return [target for target, _ in changed]


# ====================================================================================================
# The learner's own working copy (what ``make lab`` opens)
# ====================================================================================================
WORKDIR = REPO / "my-work"
MANIFEST = ".mcdl-written.json"


def update_working_copy(src_dir: str | os.PathLike = NOTEBOOKS, out_dir: str | os.PathLike = WORKDIR) -> dict:
    """Make or refresh the learner's copy of the course: the student version of every chapter.

    A chapter that is not there yet is written.  One the learner has not touched (its bytes are still the
    ones written last time, which ``MANIFEST`` records) is refreshed when the course changed.  One the learner
    has edited is never overwritten.  Returns ``{"written": [...], "refreshed": [...], "kept": [...]}``
    (file names; ``kept`` lists the edited chapters whose newer version was not written).
    """
    import hashlib
    import json

    if not str(out_dir).strip():
        raise ValueError("name a folder for your working copy (e.g. my-work); an empty name is refused")
    src, out = Path(src_dir), Path(out_dir)
    if not src.is_dir():
        raise FileNotFoundError(f"no notebook folder at {src}")
    if out.resolve() == src.resolve():
        raise ValueError("the working copy must go to another folder than the course notebooks")
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            manifest = {}
    except (OSError, ValueError):
        manifest = {}

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    report = {"written": [], "refreshed": [], "kept": []}
    for path in sorted(src.glob("*.ipynb")):
        text = notebook_text(student_notebook(read_course_notebook(path), name=path.name))
        target = out / path.name
        if not target.exists():
            report["written"].append(path.name)
        else:
            current = target.read_text(encoding="utf-8")
            if current == text:
                manifest[path.name] = digest(text)
                continue
            if manifest.get(path.name) != digest(current):      # the learner's own work: never replaced
                if manifest.get(path.name) != digest(text):
                    report["kept"].append(path.name)
                continue
            report["refreshed"].append(path.name)
        target.write_text(text, encoding="utf-8")
        manifest[path.name] = digest(text)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return report


# ====================================================================================================
# A solution, one call away
# ====================================================================================================
class SolutionText(str):
    """A solution's code: a str that Jupyter shows as code, without quotes."""

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def _repr_markdown_(self) -> str:
        return "```python\n" + str(self) + "\n```"


def solution(exercise_id: str, src_dir: str | os.PathLike = NOTEBOOKS) -> SolutionText:
    """The worked solution of an exercise, as the course's own notebook has it (the cell that checks it).

    ``mcdl.solution("07-cyclic")`` — try the exercise first; the checker and ``mcdl.hint`` come before this.
    """
    import nbformat

    from .exercises import get

    ex = get(exercise_id)
    pattern = re.compile(r"""check\(\s*['"]""" + re.escape(ex.id) + r"""['"]""")
    for path in sorted(Path(src_dir).glob(f"{ex.chapter}_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and has_solution(cell.source) and pattern.search(cell.source):
                lines = [line for line in cell.source.splitlines()
                         if not (BEGIN_SOLUTION.match(line) or END_SOLUTION.match(line))]
                return SolutionText(f"# {ex.id}: a solution (from {path.name})\n" + "\n".join(lines).strip())
    hints = " ".join(ex.hints) if ex.hints else ex.prompt
    return SolutionText(f"# {ex.id}: no worked solution in the notebooks; the hints say: {hints}")
