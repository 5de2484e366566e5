"""The learner's working copy that ``make lab`` opens, and ``mcdl.solution``.

The copy holds the student versions; it is made on the first run, refreshed for chapters the learner has
not touched when the course changes, and never overwrites a chapter the learner edited.
"""
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import mcdl
from mcdl.grading import mark_notebook
from mcdl.student import MANIFEST, update_working_copy

ROOT = Path(__file__).resolve().parents[1]


def chapter(path: Path, answer_line: str, title: str = "# Chapter"):
    nb = new_notebook(cells=[new_markdown_cell(title),
                             new_code_cell(f"### BEGIN SOLUTION\n{answer_line}\n### END SOLUTION\n"
                                           "mcdl.check('00-warmup', answer)")])
    mark_notebook(nb)                     # nbgrader's solution cell and the graded cell, as the course has
    nbformat.write(nb, path)


@pytest.fixture
def course(tmp_path):
    src = tmp_path / "course"
    src.mkdir()
    chapter(src / "00_a.ipynb", "answer = 6.0")
    chapter(src / "01_b.ipynb", "answer = 2.0")
    return src, tmp_path / "mine"


def test_first_run_writes_student_versions_without_solutions(course):
    src, mine = course
    report = update_working_copy(src, mine)
    assert report == {"written": ["00_a.ipynb", "01_b.ipynb"], "refreshed": [], "kept": []}
    text = (mine / "00_a.ipynb").read_text()
    assert "answer = ..." in text and "6.0" not in text and "BEGIN SOLUTION" not in text
    assert json.loads((mine / MANIFEST).read_text()).keys() == {"00_a.ipynb", "01_b.ipynb"}


def test_a_second_run_changes_nothing(course):
    src, mine = course
    update_working_copy(src, mine)
    before = {p.name: p.read_bytes() for p in mine.iterdir()}
    assert update_working_copy(src, mine) == {"written": [], "refreshed": [], "kept": []}
    assert before == {p.name: p.read_bytes() for p in mine.iterdir()}


def test_untouched_chapters_follow_the_course_and_edited_ones_are_kept(course):
    src, mine = course
    update_working_copy(src, mine)
    nb = nbformat.read(mine / "01_b.ipynb", as_version=4)       # the learner works on chapter 01
    nb.cells[1].source = "answer = 2.0  # mine\nmcdl.check('00-warmup', answer)"
    nbformat.write(nb, mine / "01_b.ipynb")
    mine_text = (mine / "01_b.ipynb").read_text()

    chapter(src / "00_a.ipynb", "answer = 6.0", title="# Chapter, improved")   # the course changes
    chapter(src / "01_b.ipynb", "answer = 2.0", title="# Chapter, improved")
    chapter(src / "02_c.ipynb", "answer = 1.0")                                # and grows
    report = update_working_copy(src, mine)
    assert report == {"written": ["02_c.ipynb"], "refreshed": ["00_a.ipynb"], "kept": ["01_b.ipynb"]}
    assert "improved" in (mine / "00_a.ipynb").read_text()
    assert (mine / "01_b.ipynb").read_text() == mine_text
    # a later run still keeps it, and still says where the newer version is
    assert update_working_copy(src, mine)["kept"] == ["01_b.ipynb"]
    assert (mine / "01_b.ipynb").read_text() == mine_text


def test_a_deleted_chapter_comes_back_and_a_lost_manifest_loses_no_work(course):
    src, mine = course
    update_working_copy(src, mine)
    (mine / "00_a.ipynb").unlink()
    (mine / "01_b.ipynb").write_text((mine / "01_b.ipynb").read_text().replace("# Chapter", "# my notes"))
    (mine / MANIFEST).write_text("not json")
    chapter(src / "01_b.ipynb", "answer = 2.0", title="# Chapter, improved")
    report = update_working_copy(src, mine)
    assert report["written"] == ["00_a.ipynb"] and report["kept"] == ["01_b.ipynb"]
    assert "# my notes" in (mine / "01_b.ipynb").read_text()


def test_the_copy_may_not_be_the_course_itself(course):
    src, _ = course
    with pytest.raises(ValueError, match="another folder"):
        update_working_copy(src, src)
    with pytest.raises(FileNotFoundError):
        update_working_copy(src / "missing", src.parent / "x")


def test_the_command_line_and_the_makefile(course, tmp_path):
    src, mine = course
    run = subprocess.run([sys.executable, "-m", "mcdl", "mywork", "--src", str(src), "--out", str(mine)],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "new chapter" in run.stdout, run.stderr
    run = subprocess.run([sys.executable, "-m", "mcdl", "mywork", "--src", str(src), "--out", str(mine)],
                         capture_output=True, text=True)
    assert "up to date" in run.stdout
    makefile = (ROOT / "Makefile").read_text()
    assert "mcdl mywork" in makefile and "root_dir=$(MYWORK)" in makefile
    assert "my-work/" in (ROOT / ".gitignore").read_text()


def test_a_solution_is_one_call_away():
    text = mcdl.solution("07-cyclic")
    assert "07-cyclic" in text and "BEGIN SOLUTION" not in text and "answer" in text
    assert "mcdl.check(\"07-cyclic\"" in text or "mcdl.check('07-cyclic'" in text
    with pytest.raises(KeyError, match="unknown exercise"):
        mcdl.solution("07-nope")


@pytest.mark.parametrize("exercise_id", list(mcdl.exercises.EXERCISES))
def test_every_exercise_of_the_bank_has_a_worked_solution_in_its_chapter(exercise_id):
    assert "no worked solution" not in mcdl.solution(exercise_id)
