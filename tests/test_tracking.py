"""The learner's progress: what ``check`` records, ``mcdl.progress()``, and a class's report."""
import csv
import io
import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import mcdl
from mcdl import tracking as progress_module
from mcdl.__main__ import main
from mcdl.exercises import EXERCISES
from mcdl.tracking import FILENAME, class_report, progress, read_record, record


@pytest.fixture
def file(tmp_path, monkeypatch):
    """Progress recorded to a file of this test (MCDL_PROGRESS names it), as a kernel would record it."""
    target = tmp_path / "learner" / FILENAME
    monkeypatch.setenv("MCDL_PROGRESS", str(target))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return target


def test_check_records_attempts_and_the_first_solve_but_never_the_answer(file):
    mcdl.check("01-operator", 12345.678)                  # wrong
    mcdl.check("01-operator", 15.4)                       # 5(3·0.36 + 2) = 15.4
    mcdl.check("01-operator", 99.0)                       # wrong again: still solved
    entry = read_record(file)["exercises"]["01-operator"]
    assert entry["attempts"] == 3 and entry["solved"] is True and entry["last"] == "wrong-values"
    assert entry["chapter"] == "01" and entry["first_at"] <= entry["solved_at"] <= entry["last_at"]
    text = file.read_text()
    assert "12345" not in text and "15.4" not in text     # none of the learner's answers is stored
    assert set(json.loads(text)) == {"format", "version", "user", "exercises"}


def test_not_answered_yet_is_not_an_attempt_and_ad_hoc_exercises_are_not_recorded(file):
    mcdl.check("01-operator", ...)
    demo = mcdl.Exercise("demo", "01", "d/dx x", "function", "1", points=(0.0, 1.0))
    mcdl.check(demo, lambda x: 1.0)
    assert not file.exists()


def test_nothing_is_recorded_under_nbgrader_outside_a_kernel_or_when_switched_off(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MCDL_PROGRESS", raising=False)
    mcdl.check("01-operator", 15.4)                        # pytest is not a Jupyter kernel
    monkeypatch.setenv("MCDL_PROGRESS", str(tmp_path / FILENAME))
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    mcdl.check("01-operator", 15.4)
    monkeypatch.delenv("NBGRADER_EXECUTION")
    monkeypatch.setenv("MCDL_PROGRESS", "off")
    mcdl.check("01-operator", 15.4)
    assert list(tmp_path.iterdir()) == []


def test_a_corrupted_file_is_kept_aside_and_the_check_still_answers(file):
    file.parent.mkdir(parents=True)
    file.write_text("{ this is not json")
    feedback = mcdl.check("01-operator", 15.4)
    assert feedback.correct
    assert (file.parent / (FILENAME + ".corrupt")).read_text() == "{ this is not json"
    assert read_record(file)["exercises"]["01-operator"]["solved"] is True


def test_an_unwritable_folder_never_turns_a_check_into_a_traceback(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("MCDL_PROGRESS", str(blocker / FILENAME))     # its parent is a file
    assert mcdl.check("01-operator", 15.4).correct


def test_progress_shows_solved_attempted_and_untouched_per_chapter(file):
    mcdl.check("01-operator", 15.4)
    mcdl.check("01-power", lambda x: 4 * x**5)
    mine = progress(file)
    assert mine.states["01-operator"] == "solved" and mine.states["01-power"] == "attempted"
    assert sum(s == "untouched" for s in mine.states.values()) == len(EXERCISES) - 2
    row = [r for r in mine.chapters() if r["chapter"] == "01"][0]
    assert (row["solved"], row["attempted"], row["untouched"]) == (1, 1, row["total"] - 2)
    text = str(mine)
    assert "01 Scalar derivative rules" in text and f"1 of {len(EXERCISES)} exercises solved, 1 attempted" in text
    page = mine._repr_html_()
    assert page.count("<tr>") == 13 and 'src="data:image/png;base64,' in page
    assert mine.png().startswith(b"\x89PNG")
    assert progress(file.parent).states == mine.states                # a folder works as well as the file


def test_progress_without_a_file_says_so(tmp_path):
    empty = progress(tmp_path)
    assert empty.solved == 0 and "nothing recorded yet" in str(empty)
    (tmp_path / FILENAME).write_text("[]")
    assert "not an mcdl progress file" in str(progress(tmp_path))


def test_check_in_a_real_kernel_records_beside_the_notebook(tmp_path):
    from nbclient import NotebookClient

    nb = new_notebook(cells=[new_code_cell("import mcdl\nmcdl.check('01-operator', 15.4)"),
                             new_code_cell("print(mcdl.progress().summary())")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("MCDL_PROGRESS", "NBGRADER_EXECUTION")}
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)
    assert read_record(tmp_path / FILENAME)["exercises"]["01-operator"]["solved"] is True
    assert nb.cells[1].outputs[0].text.startswith("1 of ")


# --- a class ------------------------------------------------------------------------------------------------
def write_student(home: Path, solved=(), attempted=()):
    data = progress_module.empty_record()
    for exercise_id in solved:
        data["exercises"][exercise_id] = {"chapter": exercise_id[:2], "attempts": 2, "solved": True,
                                          "last_at": "2026-12-01T10:00:00Z"}
    for exercise_id in attempted:
        data["exercises"][exercise_id] = {"chapter": exercise_id[:2], "attempts": 1, "solved": False,
                                          "last_at": "2026-12-01T11:00:00Z"}
    (home / "course").mkdir(parents=True)
    (home / "course" / FILENAME).write_text(json.dumps(data))


def test_a_class_report_per_student_and_exercise(tmp_path, capsys):
    write_student(tmp_path / "alice", solved=["01-power", "01-operator"], attempted=["02-partial-x"])
    write_student(tmp_path / "bob", attempted=["01-power"])
    (tmp_path / "carol" / "course").mkdir(parents=True)
    (tmp_path / "carol" / "course" / FILENAME).write_text("{ broken")
    (tmp_path / "dan").mkdir()
    folders = [tmp_path / name for name in ("alice", "bob", "carol", "dan")]
    rows, problems = class_report(folders)
    assert len(rows) == 2 * len(EXERCISES)
    assert len(problems) == 2 and "corrupted" in problems[0] and "dan: no" in problems[1]
    state = {(r["student"], r["exercise"]): r["state"] for r in rows}
    assert state["alice", "01-power"] == "solved" and state["alice", "02-partial-x"] == "attempted"
    assert state["bob", "01-power"] == "attempted" and state["bob", "01-operator"] == "untouched"

    out = tmp_path / "class.csv"
    assert main(["progress", *map(str, folders), "--csv", str(out)]) == 0
    printed = capsys.readouterr()
    table = printed.out.splitlines()
    assert table[0].split()[:3] == ["student", "00", "01"]
    assert table[1].split()[0] == "alice" and table[1].split()[2].startswith("2/")
    assert printed.err.count("skipped:") == 2
    with open(out, newline="") as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == len(rows) and written[0].keys() == {"student", "chapter", "exercise", "state",
                                                               "attempts", "last_at"}


def test_a_class_report_with_no_files_fails_clearly(tmp_path, capsys):
    assert main(["progress", str(tmp_path)]) == 1
    assert "no progress files found" in capsys.readouterr().err


def test_nothing_is_recorded_inside_an_instructors_nbgrader_course(tmp_path, monkeypatch):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    chapter = tmp_path / "release" / "01_x"
    chapter.mkdir(parents=True)
    monkeypatch.chdir(chapter)
    monkeypatch.delenv("MCDL_PROGRESS", raising=False)
    monkeypatch.setattr(progress_module, "_in_kernel", lambda: True)
    assert progress_module.progress_path() is None
    monkeypatch.chdir(tmp_path.parent)
    assert progress_module.progress_path() == tmp_path.parent / FILENAME


def test_progress_pointed_at_a_folder_records_inside_it_and_never_moves_a_foreign_file(tmp_path, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "essay.txt").write_text("mine")
    monkeypatch.setenv("MCDL_PROGRESS", str(tmp_path / "work"))
    mcdl.check("01-operator", 15.4)
    assert read_record(tmp_path / "work" / FILENAME)["exercises"]["01-operator"]["solved"] is True
    foreign = tmp_path / "notes.json"
    foreign.write_text('{"not": "progress"}')
    monkeypatch.setenv("MCDL_PROGRESS", str(foreign))
    assert mcdl.check("01-operator", 15.4).correct
    assert foreign.read_text() == '{"not": "progress"}' and not list(tmp_path.glob("*.corrupt"))


def test_hostile_progress_files_are_read_safely(tmp_path):
    entries = {"01-power": {"attempts": "x", "solved": True}, "01-operator": {"attempts": 3, "solved": "false"},
               "01-typed": {"attempts": 10**400, "solved": True},
               "01-product": {"attempts": 1, "solved": False, "last_at": "=HYPERLINK(1)"}}
    data = dict(progress_module.empty_record(), exercises=entries)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / FILENAME).write_text(json.dumps(data))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / FILENAME).write_text('{"format": "mcdl-progress", "exercises": ' + "[" * 50000 + "]" * 50000 + "}")
    mine = progress(tmp_path / "a")
    assert mine.states["01-power"] == "untouched" and mine.states["01-operator"] == "attempted"
    assert mine.states["01-typed"] == "untouched" and mine.states["01-product"] == "attempted"
    rows, problems = class_report([tmp_path / "a", tmp_path / "b"])
    assert len(problems) == 1 and "corrupted" in problems[0]
    assert "HYPERLINK" not in progress_module.report_csv(rows)
    assert "=" not in "".join(r["last_at"] for r in rows)


def test_students_are_named_by_the_folder_that_tells_them_apart(tmp_path):
    for name in ("alice", "bob"):
        write_student(tmp_path / name)
    folders = [tmp_path / "alice" / "course", tmp_path / "bob" / "course"]     # /home/*/course
    assert progress_module.student_names(folders) == ["alice", "bob"]
    assert progress_module.student_names([tmp_path / "alice", tmp_path / "bob"]) == ["alice", "bob"]
    rows, _ = class_report(folders)
    assert {r["student"] for r in rows} == {"alice", "bob"}
