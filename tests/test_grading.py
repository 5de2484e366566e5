"""The course as nbgrader source notebooks: the cells nbgrader needs, ``mcdl.grade``, ``python -m mcdl course``,
and a real round trip through nbgrader (generate_assignment, autograde, generate_feedback, export)."""
import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import mcdl
from mcdl import grading
from mcdl.exercises import EXERCISES
from mcdl.grading import GRADED_SUFFIX, make_course, mark_notebook
from mcdl.student import SolutionBlockError, read_course_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("*.ipynb"))
BIN = Path(sys.executable).parent


def nbgrader_env():
    """nbgrader runs alembic as a program, so this venv's bin goes first on PATH; kernels get no MPLBACKEND."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", PYTHONHASHSEED="0")
    env.pop("MPLBACKEND", None)
    env.pop("NBGRADER_EXECUTION", None)
    return env


def nbgrader(*args, cwd):
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=nbgrader_env(), capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, f"nbgrader {' '.join(args)}\n{done.stdout}\n{done.stderr}"
    assert "Exception while loading config file" not in done.stderr, done.stderr
    return done


def cells_by_grade_id(nb):
    return {cell.metadata["nbgrader"]["grade_id"]: (index, cell) for index, cell in enumerate(nb.cells)
            if "nbgrader" in cell.metadata}


# --- the source notebooks -------------------------------------------------------------------------------
def test_every_exercise_is_a_solution_cell_followed_by_its_locked_graded_cell():
    seen = []
    for path in CHAPTERS:
        nb = read_course_notebook(path)
        cells = cells_by_grade_id(nb)
        for grade_id, (index, cell) in cells.items():
            if grade_id.endswith(GRADED_SUFFIX):
                continue
            meta = cell.metadata["nbgrader"]
            assert meta["solution"] and not meta["grade"] and not meta["locked"], (path.name, grade_id)
            assert grade_id in EXERCISES and f'check("{grade_id}"' in cell.source.replace("'", '"')
            graded_index, graded = cells[grade_id + GRADED_SUFFIX]
            assert graded_index == index + 1, f"{path.name}: the graded cell of {grade_id} must follow it"
            assert graded.metadata["nbgrader"]["grade"] and graded.metadata["nbgrader"]["locked"]
            assert graded.metadata["nbgrader"]["points"] == 1
            assert graded.metadata["editable"] is False and graded.metadata["deletable"] is False
            assert f'mcdl.grade("{grade_id}")' in graded.source
            seen.append(grade_id)
    assert sorted(seen) == sorted(EXERCISES)                       # every exercise once, no other


def test_the_grading_command_finds_nothing_to_mark(capsys):
    from mcdl.__main__ import main

    assert main(["grading"]) == 0, capsys.readouterr().err


def test_marking_is_idempotent_and_repairs_a_moved_graded_cell():
    nb = new_notebook(cells=[
        new_markdown_cell("# ch"),
        new_code_cell("answer = ...\n### BEGIN SOLUTION\nanswer = 1\n### END SOLUTION\nmcdl.check('00-warmup', answer)"),
        new_code_cell("print('worked example')"),
    ])
    assert mark_notebook(nb) == ["00-warmup"]
    once = nbformat.writes(nb)
    assert mark_notebook(nb) == ["00-warmup"] and nbformat.writes(nb) == once
    graded = nb.cells.pop(2)                                       # an author moved it away from its answer
    nb.cells.append(graded)
    mark_notebook(nb)
    assert nbformat.writes(nb) == once


def test_a_solution_without_a_check_call_cannot_be_graded():
    nb = new_notebook(cells=[new_code_cell("### BEGIN SOLUTION\nanswer = 1\n### END SOLUTION")])
    with pytest.raises(SolutionBlockError, match="cell 0: a solution block without an mcdl.check"):
        mark_notebook(nb, name="ch.ipynb")


def test_run_notebooks_keeps_the_nbgrader_metadata():
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "tools" / "run_notebooks.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    nb = read_course_notebook(CHAPTERS[1])
    before = {i: c.metadata.get("nbgrader") for i, c in enumerate(nb.cells)}
    tool.normalise_notebook(nb)
    assert {i: c.metadata.get("nbgrader") for i, c in enumerate(nb.cells)} == before


# --- mcdl.grade ------------------------------------------------------------------------------------------
def test_grade_shows_nothing_to_a_learner(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    mcdl.check("00-warmup", 99.0)
    assert mcdl.grade("00-warmup") is None                        # the feedback is already on the page
    assert mcdl.grade("00-not-checked-here") is None


def test_under_nbgrader_grade_fails_with_the_checkers_message(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("MCDL_PROGRESS", "off")
    wrong = mcdl.check("01-power", lambda x: 4 * x**5)
    with pytest.raises(AssertionError) as raised:
        mcdl.grade("01-power")
    assert str(raised.value) == str(wrong) and "01-power" in str(raised.value)
    mcdl.check("01-power", lambda x: 5 * x**4)
    assert mcdl.grade("01-power") is None
    grading._LAST.pop("01-operator", None)
    with pytest.raises(AssertionError, match="did not reach its mcdl.check"):
        mcdl.grade("01-operator")


def test_a_check_from_another_cell_does_not_grade_an_answer_cell_that_failed(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    counts = iter([3, 5, 6, 7])                    # scratch check in cell 3; answer cell 5 fails; graded cell 6
    monkeypatch.setattr(grading, "_execution_count", lambda: next(counts))
    mcdl.check("00-warmup", 6.0)                   # (recorded at 3)
    with pytest.raises(AssertionError, match="did not reach its mcdl.check"):
        mcdl.grade("00-warmup")                    # graded at 5: the verdict is from cell 3, not the one above
    mcdl.check("00-warmup", 6.0)                   # the answer cell (6) does reach its check
    mcdl.grade("00-warmup")                        # graded at 7


# --- validate, and a whole round trip through nbgrader ------------------------------------------------------
@pytest.mark.slow
def test_nbgrader_validate_passes_on_every_chapter():
    done = nbgrader("validate", *map(str, CHAPTERS), cwd=ROOT)
    assert done.stdout.count("Success! Your notebook passes all the tests.") == len(CHAPTERS), done.stdout


def test_make_course_is_idempotent_and_never_overwrites_an_edit(tmp_path):
    written = make_course(tmp_path / "course")
    assert len(written) == len(CHAPTERS) + 1
    assert make_course(tmp_path / "course") == []
    config = tmp_path / "course" / "nbgrader_config.py"
    config.write_text(config.read_text() + "c.Exchange.root = '/srv/exchange'\n")     # the instructor's now
    source = tmp_path / "course" / "source" / CHAPTERS[1].stem / CHAPTERS[1].name
    source.write_text(source.read_text().replace("Scalar derivative rules", "Rules (my notes)"))
    with pytest.raises(FileExistsError, match=CHAPTERS[1].name):
        make_course(tmp_path / "course")
    assert make_course(tmp_path / "course", force=True) == [source]
    assert "/srv/exchange" in config.read_text()                                     # never replaced
    backup = tmp_path / "course" / "backups" / "source" / CHAPTERS[1].stem / (CHAPTERS[1].name + ".bak")
    assert "Rules (my notes)" in backup.read_text()
    assert sorted(p.name for p in source.parent.iterdir()) == [CHAPTERS[1].name]      # nothing else to release


slow_course = pytest.mark.slow
ROUND_TRIP = ("01_scalar_derivative_rules", "00_start_here")


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """A course for three students: alice hands in the instructor's solutions, bob one wrong answer and carol
    the release untouched; everything autograded, feedback generated, grades exported."""
    root = tmp_path_factory.mktemp("course")
    done = subprocess.run([sys.executable, "-m", "mcdl", "course", str(root)], capture_output=True, text=True,
                          env=nbgrader_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    for chapter in ROUND_TRIP:
        nbgrader("generate_assignment", chapter, cwd=root)
        release = root / "release" / chapter / f"{chapter}.ipynb"
        for student in ("alice", "bob", "carol"):
            (root / "submitted" / student / chapter).mkdir(parents=True)
        shutil.copy(root / "source" / chapter / f"{chapter}.ipynb", root / "submitted" / "alice" / chapter)
        shutil.copy(release, root / "submitted" / "carol" / chapter)
        nb = nbformat.read(release, as_version=4)
        if chapter == ROUND_TRIP[0]:
            _, cell = cells_by_grade_id(nb)["01-power"]
            cell.source = cell.source.replace("    ...", "    return 4 * x**5")     # d/dx x⁵ ≠ 4x⁵
        nbformat.write(nb, root / "submitted" / "bob" / chapter / f"{chapter}.ipynb")
        nbgrader("autograde", chapter, cwd=root)
        nbgrader("generate_feedback", chapter, cwd=root)
    nbgrader("export", cwd=root)
    return root


def test_links_between_chapters_follow_them_into_their_folders(tmp_path):
    make_course(tmp_path / "course")
    nb = nbformat.read(tmp_path / "course" / "source" / "00_start_here" / "00_start_here.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    links = re.findall(r"\]\(([^)]*\.ipynb)", text)
    assert "../01_scalar_derivative_rules/01_scalar_derivative_rules.ipynb" in links
    for link in links:
        assert (tmp_path / "course" / "source" / "00_start_here" / link).resolve().is_file(), link
    assert grading.relink("[x](notes.ipynb) [y](01_a.ipynb#top)", {"01_a.ipynb"}) == \
        "[x](notes.ipynb) [y](../01_a/01_a.ipynb#top)"


@slow_course
def test_the_release_is_the_course_student_version(graded_course):
    for chapter in ROUND_TRIP:
        release = nbformat.read(graded_course / "release" / chapter / f"{chapter}.ipynb", as_version=4)
        text = "\n".join(cell.source for cell in release.cells)
        assert "BEGIN SOLUTION" not in text and "NotImplementedError" not in text   # the course's stubs
        for grade_id, (_, cell) in cells_by_grade_id(release).items():
            if not grade_id.endswith(GRADED_SUFFIX):
                assert re.search(r"^(answer = \.\.\.|def answer\(.*\):\n\s+\.\.\.)$|= \.\.\.$|^\s+\.\.\.$",
                                 cell.source, re.MULTILINE), (grade_id, cell.source)


@slow_course
def test_autograde_scores_right_wrong_and_untouched_work(graded_course):
    with open(graded_course / "grades.csv", newline="") as handle:
        rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(handle)}
    for chapter in ROUND_TRIP:
        total = float(rows[chapter, "alice"]["max_score"])
        assert total == len([e for e in EXERCISES.values() if e.chapter == chapter[:2]])
        assert float(rows[chapter, "alice"]["score"]) == total       # the solutions put back pass every cell
        assert float(rows[chapter, "carol"]["score"]) == 0.0
    assert float(rows[ROUND_TRIP[0], "bob"]["score"]) == 0.0


@slow_course
def test_the_feedback_a_student_reads_is_the_checkers_message(graded_course):
    chapter = ROUND_TRIP[0]
    graded = nbformat.read(graded_course / "autograded" / "bob" / chapter / f"{chapter}.ipynb", as_version=4)
    _, cell = cells_by_grade_id(graded)["01-power" + GRADED_SUFFIX]
    (error,) = [out for out in cell.outputs if out.output_type == "error"]
    expected = str(mcdl.check("01-power", lambda x: 4 * x**5))
    assert error.ename == "AssertionError" and error.evalue == expected
    _, untouched = cells_by_grade_id(graded)["01-operator" + GRADED_SUFFIX]
    assert "not answered yet" in untouched.outputs[0].evalue
    page = (graded_course / "feedback" / "bob" / chapter / f"{chapter}.html").read_text(encoding="utf-8")
    assert "your function differs from the expected one" in page
