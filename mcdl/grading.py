"""Grading with nbgrader: the course's notebooks are nbgrader source notebooks.

Every exercise is two cells in its chapter:

* the **answer cell**, an nbgrader solution cell whose ``grade_id`` is the exercise id.  The learner's part is
  between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; the cell ends with ``mcdl.check("ID", answer)``;
* the **graded cell** right after it, locked, worth :data:`POINTS` point(s), ``grade_id`` ``ID-graded``::

      mcdl.grade("ID")

  :func:`grade` looks up the verdict of the last ``check`` of that exercise in this kernel.  In a learner's
  kernel it shows nothing (the feedback is already on the page, and Run All must not stop at an exercise not
  done yet).  When nbgrader runs the notebook (``autograde``, ``validate``: it sets ``NBGRADER_EXECUTION``)
  it raises ``AssertionError`` with the checker's own message unless the answer is correct, so the grade is
  nbgrader's and the feedback a student reads is the checker's.

:func:`mark_notebook` adds (or repairs) that metadata and the graded cells; ``python -m mcdl grading --mark``
runs it over ``notebooks/`` and tests check it is a no-op there.  :func:`make_course` lays out a course
directory for nbgrader (``source/<chapter>/<chapter>.ipynb`` and ``nbgrader_config.py``).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

POINTS = 1
SCHEMA_VERSION = 3
GRADED_SUFFIX = "-graded"
BACKUPS = "backups"
CHECK_CALL = re.compile(r"""check\(\s*['"](?P<id>[A-Za-z0-9_-]+)['"]""")
GRADE_CALL = re.compile(r"""^mcdl\.grade\(\s*['"](?P<id>[A-Za-z0-9_-]+)['"]\s*\)$""", re.MULTILINE)

# The last verdict of check() per exercise id, in this kernel (what grade() reads).
_LAST: dict = {}


def under_nbgrader() -> bool:
    """Is nbgrader executing this notebook (autograde or validate)?"""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def _execution_count() -> int | None:
    """The number of the cell running now, in an IPython kernel (None elsewhere)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return None if shell is None else int(shell.execution_count)
    except Exception:
        return None


def remember(feedback) -> None:
    """Called by ``check``: keep the verdict, and the cell that gave it, for the graded cell that follows."""
    if getattr(feedback, "exercise_id", ""):
        _LAST[feedback.exercise_id] = (feedback, _execution_count())


def grade(exercise_id: str) -> None:
    """The graded cell of an exercise: nothing for a learner; under nbgrader, pass or fail with the checker's
    message (``AssertionError``).  Only a check made by the cell just above counts: a verdict from another
    cell (an earlier scratch check, with the answer cell itself failing) is not this answer's."""
    if not under_nbgrader():
        return None
    feedback, count = _LAST.get(exercise_id, (None, None))
    now = _execution_count()
    if feedback is None or (count is not None and now is not None and count != now - 1):
        raise AssertionError(f"{exercise_id}: the answer cell above did not reach its mcdl.check(...) call "
                             "(it raised an error, or the call was removed)")
    if not feedback:
        raise AssertionError(str(feedback))
    return None


# ====================================================================================================
# Marking source notebooks
# ====================================================================================================
def solution_metadata(exercise_id: str) -> dict:
    return {"grade": False, "grade_id": exercise_id, "locked": False, "schema_version": SCHEMA_VERSION,
            "solution": True, "task": False}


def graded_metadata(exercise_id: str, points: int = POINTS) -> dict:
    return {"grade": True, "grade_id": exercise_id + GRADED_SUFFIX, "locked": True, "points": points,
            "schema_version": SCHEMA_VERSION, "solution": False, "task": False}


def graded_source(exercise_id: str) -> str:
    return (f"# Read-only, and silent while you work: a class that grades with nbgrader scores the check above.\n"
            f'mcdl.grade("{exercise_id}")')


def exercise_of(cell) -> str | None:
    """The exercise id an answer cell checks, or None for a cell that is not an answer cell."""
    from .student import has_solution

    if cell.cell_type != "code" or not has_solution(cell.source):
        return None
    ids = CHECK_CALL.findall(cell.source)
    return ids[-1] if ids else None


def mark_notebook(nb, name: str = "notebook"):
    """Give every answer cell its nbgrader solution metadata and a graded cell after it (in place; idempotent).

    An answer cell is a code cell with a solution block and an ``mcdl.check("ID", ...)`` call.  A solution
    block without a check call is an error (nbgrader could not grade it).  Returns the exercise ids marked.
    """
    import nbformat

    from .exercises import get
    from .student import SolutionBlockError, has_solution

    marked: list[str] = []
    index = 0
    while index < len(nb.cells):
        cell = nb.cells[index]
        if cell.cell_type == "code" and GRADE_CALL.search(cell.source):
            if index == 0 or exercise_of(nb.cells[index - 1]) != GRADE_CALL.search(cell.source)["id"]:
                del nb.cells[index]          # a graded cell whose answer cell moved or went: made afresh below
                continue
        if cell.cell_type == "code" and has_solution(cell.source):
            exercise_id = exercise_of(cell)
            if exercise_id is None:
                raise SolutionBlockError(f"{name}, cell {index}: a solution block without an mcdl.check(\"ID\", "
                                         "...) call, so nbgrader could not grade it")
            get(exercise_id)                  # an unknown id is an error here, not at grading time
            cell.metadata["nbgrader"] = solution_metadata(exercise_id)
            following = nb.cells[index + 1] if index + 1 < len(nb.cells) else None
            if following is None or not (following.cell_type == "code"
                                         and GRADE_CALL.search(following.source)):
                following = nbformat.v4.new_code_cell(graded_source(exercise_id))
                following["id"] = f"graded-{exercise_id}"
                nb.cells.insert(index + 1, following)
            following.source = graded_source(exercise_id)
            following.metadata["nbgrader"] = graded_metadata(exercise_id)
            following.metadata["editable"] = False
            following.metadata["deletable"] = False
            marked.append(exercise_id)
            index += 2
            continue
        if "nbgrader" in cell.metadata:
            del cell.metadata["nbgrader"]
        index += 1
    return marked


# ====================================================================================================
# A course directory for nbgrader
# ====================================================================================================
CONFIG = '''\
# nbgrader configuration for the mcdl course (written by `python -m mcdl course`; edit freely).
# Run nbgrader from this folder: nbgrader generate_assignment 01_scalar_derivative_rules, autograde, ...
import mcdl.grading

c = get_config()
c.CourseDirectory.course_id = {course_id!r}
# The student version: the course's own stubs (`answer = ...`, a def keeps its signature), not a bare `...`.
c.GenerateAssignment.preprocessors = mcdl.grading.assignment_preprocessors()
c.ClearSolutions.code_stub = {{"python": "..."}}
c.ClearSolutions.enforce_metadata = True
# Autograding runs every chapter top to bottom; the slowest take a few seconds a cell.
c.ExecutePreprocessor.timeout = 300
'''


def assignment_preprocessors() -> list:
    """nbgrader's ``GenerateAssignment`` pipeline with the course's :class:`~mcdl.student.ClearSolutions`."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions as NbgraderClearSolutions

    from .student import ClearSolutions

    from .student import ClearSolutionAttachments

    steps = [ClearSolutions if p is NbgraderClearSolutions else p
             for p in GenerateAssignment.class_traits()["preprocessors"].default()]
    return steps[:steps.index(ClearSolutions) + 1] + [ClearSolutionAttachments] + steps[steps.index(ClearSolutions) + 1:]


LINK = re.compile(r"\]\((?P<name>[\w-]+)\.ipynb(?P<anchor>#[^)]*)?\)")


def relink(markdown: str, chapters: set) -> str:
    """Links between chapters, ``](02_x.ipynb)``, rewritten for nbgrader's one folder per chapter."""
    def move(match):
        name = match["name"]
        if f"{name}.ipynb" not in chapters:
            return match.group(0)
        return f"](../{name}/{name}.ipynb{match['anchor'] or ''})"
    return LINK.sub(move, markdown)


def make_course(out: str | os.PathLike, src: str | os.PathLike | None = None, course_id: str = "mcdl",
                force: bool = False) -> list[Path]:
    """Lay out an nbgrader course directory at ``out``: ``source/<chapter>/<chapter>.ipynb`` for every
    course notebook, and ``nbgrader_config.py``.  Returns the paths written.

    Files that already hold the same bytes are left alone; a source notebook the instructor changed is only
    replaced with ``force=True``, the old one kept under ``OUT/backups/`` (never beside it: nbgrader copies
    every file of ``source/<chapter>/`` into the students' release).  ``nbgrader_config.py`` is written once
    and is the instructor's from then on: it is never replaced.
    """
    from .student import NOTEBOOKS, _backup_path, notebook_text, read_course_notebook, student_notebook, write_planned

    src_dir, root = Path(src or NOTEBOOKS), Path(out)
    if not str(out).strip():
        raise ValueError("name a folder for the course (e.g. build/course)")
    if not src_dir.is_dir():
        raise FileNotFoundError(f"no notebook folder at {src_dir}")
    planned: list[tuple[Path, str]] = []
    chapters = {path.name for path in src_dir.glob("*.ipynb")}
    for path in sorted(src_dir.glob("*.ipynb")):
        nb = read_course_notebook(path)
        student_notebook(nb, name=path.name)     # every check of the student tool, before nbgrader sees it
        for cell in nb.cells:                    # each chapter sits in a folder of its own now
            if cell.cell_type == "markdown":
                cell.source = relink(cell.source, chapters)
        planned.append((root / "source" / path.stem / path.name, notebook_text(nb)))
    config = root / "nbgrader_config.py"        # the instructor's file once written: never replaced
    if not config.exists():
        planned.append((config, CONFIG.format(course_id=course_id)))
    # backups go outside source/: nbgrader copies every file of a chapter's folder into the release
    return write_planned(planned, force, backup=lambda target: _backup_path(root / BACKUPS / target.relative_to(root)),
                         kept=f"in {root / BACKUPS}")
