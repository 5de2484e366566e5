"""mcdl.student (student versions of the notebooks), mcdl.doctor (the setup check) and ``python -m mcdl``."""
import io
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import mcdl.doctor as doctor_module
from mcdl.doctor import CheckResult, doctor
from mcdl.grading import solution_metadata
from mcdl.student import NotebookError, SolutionBlockError, make_student_versions, strip_solutions


def dedent(text):
    return textwrap.dedent(text).strip("\n")


# --- strip_solutions: the convention documented in mcdl/student.py --------------------------------
@pytest.mark.parametrize("solution, student", [
    pytest.param("""
        answer = None
        ### BEGIN SOLUTION
        answer = 6 * x * y
        ### END SOLUTION
        check("ex1", answer)
        """, """
        answer = None
        answer = ...
        check("ex1", answer)
        """, id="assignment"),
    pytest.param("""
        def f(x):
            ### BEGIN SOLUTION
            return 3 * x**2
            ### END SOLUTION
        check("ex2", f)
        """, """
        def f(x):
            ...
        check("ex2", f)
        """, id="function-body"),
    pytest.param("""
        ### BEGIN SOLUTION
        def g(x):
            \"\"\"The slope of x**3.\"\"\"
            return 3 * x**2
        ### END SOLUTION
        """, """
        def g(x):
            \"\"\"The slope of x**3.\"\"\"
            ...
        """, id="whole-def-keeps-signature-and-docstring"),
    pytest.param("""
        if True:
            ### BEGIN SOLUTION
            J = np.array([
                [1, 2],
            ])
            a, (b, *c) = 1, (2, 3, 4)
            n: int = 3
            total += 1
            M[0] = 1
            print(J)
            ### END SOLUTION
        """, """
        if True:
            J = ...
            a = ...
            b = ...
            c = ...
            n: int = ...
            total = ...
        """, id="indented-assignments"),
    pytest.param("""
        answer = ...
        ### BEGIN SOLUTION
        answer = 6 * x * y
        ### END SOLUTION
        """, """
        answer = ...
        """, id="placeholder-above-is-not-repeated"),
    pytest.param("""
        ### BEGIN SOLUTION
        for i in range(3):
            print(i)
        ### END SOLUTION
        """, """
        ...
        """, id="nothing-to-keep"),
    pytest.param("""
        x = 1
        ### BEGIN SOLUTION
        a = 1
        ### END SOLUTION
        y = 2
        ### BEGIN SOLUTION
        b = 2
        ### END SOLUTION
        """, """
        x = 1
        a = ...
        y = 2
        b = ...
        """, id="two-blocks"),
])
def test_strip_solutions(solution, student):
    assert strip_solutions(dedent(solution)) == dedent(student)


def test_stripped_solution_still_runs():
    source = dedent("""
        def f(x):
            ### BEGIN SOLUTION
            return 3 * x**2
            ### END SOLUTION
        ### BEGIN SOLUTION
        answer = f(2)
        ### END SOLUTION
        result = (f(1), answer)
        """)
    namespace = {}
    exec(strip_solutions(source), namespace)
    assert namespace["result"] == (None, ...)


@pytest.mark.parametrize("source", [
    "### BEGIN SOLUTION\nanswer = 1",
    "answer = 1\n### END SOLUTION",
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
])
def test_unbalanced_markers_are_reported(source):
    with pytest.raises(SolutionBlockError):
        strip_solutions(source)


# --- make_student_versions ---------------------------------------------------------------------------
SOLUTION_CELL = 'answer = None\n### BEGIN SOLUTION\nanswer = 6\n### END SOLUTION\nprint(answer)'


def write_course(folder, extra_cell=""):
    folder.mkdir(parents=True, exist_ok=True)
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    shown = new_code_cell("print('worked example')" + extra_cell, execution_count=1,
                          outputs=[new_output("stream", name="stdout", text="worked example\n")])
    solved = new_code_cell(SOLUTION_CELL, execution_count=2,
                           outputs=[new_output("stream", name="stdout", text="6\n")])
    solved.metadata["nbgrader"] = solution_metadata("ex1")       # an nbgrader solution cell
    nb.cells = [new_markdown_cell("# Chapter"), shown, solved]
    nbformat.write(nb, folder / "01_chapter.ipynb")
    (folder / "data.csv").write_text("not a notebook\n")
    return folder


def test_student_versions_replace_solutions_and_clear_their_outputs(tmp_path):
    src = write_course(tmp_path / "notebooks")
    written = make_student_versions(src, tmp_path / "student")
    assert [p.name for p in written] == ["01_chapter.ipynb"]
    assert sorted(p.name for p in (tmp_path / "student").iterdir()) == ["01_chapter.ipynb"]  # nothing else
    nb = nbformat.read(written[0], as_version=4)
    _, shown, solved = nb.cells
    assert solved.source == "answer = None\nanswer = ...\nprint(answer)"
    assert solved.outputs == [] and solved.execution_count is None
    assert shown.outputs[0]["text"] == "worked example\n" and shown.execution_count == 1  # kept
    assert "BEGIN SOLUTION" not in written[0].read_text()


def test_student_versions_are_idempotent(tmp_path):
    src, out = write_course(tmp_path / "notebooks"), tmp_path / "student"
    first = make_student_versions(src, out)
    before = first[0].read_bytes()
    assert make_student_versions(src, out) == []  # nothing to do, and no error without force
    assert first[0].read_bytes() == before
    assert not list(out.glob("*.bak*"))


def test_student_versions_never_overwrite_without_force(tmp_path):
    src, out = write_course(tmp_path / "notebooks"), tmp_path / "student"
    (target,) = make_student_versions(src, out)
    target.write_text(target.read_text().replace("worked example", "teacher's edit"))
    edited = target.read_bytes()
    write_course(src, extra_cell="  # changed")
    with pytest.raises(FileExistsError, match="01_chapter.ipynb"):
        make_student_versions(src, out)
    assert target.read_bytes() == edited


def test_student_versions_with_force_keep_a_backup(tmp_path):
    src, out = write_course(tmp_path / "notebooks"), tmp_path / "student"
    (target,) = make_student_versions(src, out)
    target.write_text(target.read_text().replace("worked example", "teacher's edit"))
    edited = target.read_bytes()
    assert make_student_versions(src, out, force=True) == [target]
    assert (out / "01_chapter.ipynb.bak").read_bytes() == edited
    assert "teacher's edit" not in target.read_text()
    target.write_text("edited again")
    make_student_versions(src, out, force=True)
    assert (out / "01_chapter.ipynb.bak1").read_text() == "edited again"  # the first backup survives
    assert (out / "01_chapter.ipynb.bak").read_bytes() == edited


def test_student_versions_refuse_to_write_over_the_sources(tmp_path):
    src = write_course(tmp_path / "notebooks")
    with pytest.raises(ValueError):
        make_student_versions(src, src)


# --- doctor ------------------------------------------------------------------------------------------
def run_mcdl(*args, env_update=None, cwd=None):
    env = dict(os.environ, **(env_update or {}))
    env.pop("MPLBACKEND", None)  # as when a learner starts JupyterLab; the Makefile sets Agg for tests
    return subprocess.run([sys.executable, "-m", "mcdl", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def test_doctor_passes_in_this_environment():
    done = run_mcdl("doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✗" not in done.stdout and "kernel 'python3'" in done.stdout
    assert len(done.stdout.splitlines()) == len(doctor_module.default_checks()) + 1  # one line per check + total


def test_doctor_prints_the_fix_of_a_failing_check():
    out = io.StringIO()
    checks = [lambda: CheckResult("fine", True, "all good"),
              lambda: CheckResult("broken", False, "it is broken", "do this to fix it")]
    assert doctor(checks, out=out) == 1
    text = out.getvalue()
    assert "✓ fine: all good" in text
    assert "✗ broken: it is broken\n    fix: do this to fix it" in text
    assert "1 of 2 checks passed" in text


def test_doctor_survives_a_crashing_check():
    def check_crashes():
        raise RuntimeError("boom")
    out = io.StringIO()
    assert doctor([check_crashes], out=out) == 1
    assert "crashes" in out.getvalue() and "boom" in out.getvalue()


def test_doctor_reports_an_old_dependency(monkeypatch):
    from packaging.requirements import Requirement

    real_version = doctor_module.importlib.metadata.version
    monkeypatch.setattr(doctor_module.importlib.metadata, "version",
                        lambda name: "1.0" if name == "numpy" else real_version(name))
    result = doctor_module.dependency_check(Requirement("numpy>=1.26"))()
    assert not result.ok and "1.0 installed" in result.detail
    assert result.fix.endswith('pip install "numpy>=1.26"')


def test_doctor_reports_a_kernel_from_another_python(monkeypatch, tmp_path):
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    spec = KernelSpec(argv=["/opt/other/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                      display_name="Python 3", language="python", resource_dir=str(tmp_path))
    monkeypatch.setattr(KernelSpecManager, "get_kernel_spec", lambda self, name: spec)
    result = doctor_module.check_kernelspec()
    assert not result.ok and "/opt/other/bin/python" in result.detail
    assert "ipykernel install" in result.fix
    out = io.StringIO()
    assert doctor(out=out) == 1  # the full doctor, with this one check failing
    assert f"✗ kernel 'python3': {tmp_path} starts /opt/other/bin/python" in out.getvalue()
    assert f"    fix: {result.fix}" in out.getvalue()


def test_doctor_reports_a_forced_matplotlib_backend(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    result = doctor_module.check_matplotlib_backend()
    assert not result.ok and "unset MPLBACKEND" in result.fix
    monkeypatch.delenv("MPLBACKEND")
    assert doctor_module.check_matplotlib_backend().ok


def test_doctor_reports_a_missing_lab_extension(monkeypatch, tmp_path):
    monkeypatch.setattr(doctor_module, "_labextension_dirs", lambda: [tmp_path])
    result = doctor_module.labextension_check("jupyter-matplotlib", "ipympl")()
    assert not result.ok and "ipympl" in result.fix


# --- command line ------------------------------------------------------------------------------------
def test_help():
    done = run_mcdl("--help")
    assert done.returncode == 0
    assert "doctor" in done.stdout and "student" in done.stdout


def test_student_command(tmp_path, capsys):
    from mcdl.__main__ import main  # in-process: each `python -m mcdl student` pays ~3 s of imports

    src, out = write_course(tmp_path / "notebooks"), tmp_path / "student"
    assert main(["student", str(out), "--src", str(src)]) == 0
    assert "1 student notebook(s) written" in capsys.readouterr().out
    assert main(["student", str(out), "--src", str(src)]) == 0
    assert "all up to date" in capsys.readouterr().out
    write_course(src, extra_cell="  # changed")
    assert main(["student", str(out), "--src", str(src)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["student", str(out), "--src", str(src), "--force"]) == 0
    assert (out / "01_chapter.ipynb.bak").exists()


def test_student_command_runs_as_a_module(tmp_path):
    src, out = write_course(tmp_path / "notebooks"), tmp_path / "student"
    done = run_mcdl("student", str(out), "--src", str(src))
    assert done.returncode == 0, done.stderr
    assert (out / "01_chapter.ipynb").exists()


# --- leaks: every way a solution could reach a student copy is an error naming the cell ------------------
@pytest.mark.parametrize("source", [
    "#### BEGIN SOLUTION\nanswer = 1\n#### END SOLUTION",          # more #
    "###BEGIN SOLUTION\nanswer = 1\n###END SOLUTION",              # no space
    "### BEGIN SOLUTION here\nanswer = 1\n### END SOLUTION",       # trailing text
    "### begin solution\nanswer = 1\n### end solution",            # lower case
    "# BEGIN SOLUTION\nanswer = 1\n# END SOLUTION",                # fewer #
    "answer = 1  ### END SOLUTION",                                 # inline
])
def test_misspelt_markers_are_errors_not_silently_copied(source):
    with pytest.raises(SolutionBlockError, match="looks like a solution marker"):
        strip_solutions(source, where="ch.ipynb, cell 3")


@pytest.mark.parametrize("cell, match", [
    (lambda: new_code_cell("answer = 6\n### END SOLUTION\nmcdl.check('x', answer)"), "END SOLUTION' without a BEGIN"),
    (lambda: new_code_cell("#### BEGIN SOLUTION\nanswer = 6\n#### END SOLUTION"), "looks like a solution marker"),
    (lambda: new_markdown_cell("The answer:\n### BEGIN SOLUTION\n6\n### END SOLUTION"), "in a markdown cell"),
])
def test_a_notebook_that_would_leak_a_solution_is_refused(tmp_path, cell, match):
    src = write_course(tmp_path / "notebooks")
    nb = nbformat.read(src / "01_chapter.ipynb", as_version=4)
    nb.cells.append(cell())
    nbformat.write(nb, src / "01_chapter.ipynb")
    with pytest.raises(SolutionBlockError, match=match) as caught:
        make_student_versions(src, tmp_path / "student")
    assert "01_chapter.ipynb, cell 3" in str(caught.value)
    assert not (tmp_path / "student").exists()                    # nothing written at all


def test_a_solution_block_outside_an_nbgrader_solution_cell_is_refused(tmp_path):
    src = write_course(tmp_path / "notebooks")
    nb = nbformat.read(src / "01_chapter.ipynb", as_version=4)
    del nb.cells[2].metadata["nbgrader"]                         # the block is there, the metadata is not
    nbformat.write(nb, src / "01_chapter.ipynb")
    with pytest.raises(SolutionBlockError, match=r"01_chapter.ipynb, cell 2: .*not an nbgrader solution cell"):
        make_student_versions(src, tmp_path / "student")
    assert not (tmp_path / "student").exists()


def test_a_solution_cell_without_markers_becomes_a_bare_stub(tmp_path):
    src = write_course(tmp_path / "notebooks")
    nb = nbformat.read(src / "01_chapter.ipynb", as_version=4)
    nb.cells[1].metadata["nbgrader"] = solution_metadata("ex0")   # nbgrader's rule: the whole cell is the answer
    nbformat.write(nb, src / "01_chapter.ipynb")
    (written,) = make_student_versions(src, tmp_path / "student")
    assert nbformat.read(written, as_version=4).cells[1].source == "..."


@pytest.mark.parametrize("text, match", [
    ("[]", r"not a notebook \(a JSON list"),
    ("{}", "no nbformat version"),
    ('{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}', "nbformat 3"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}}]}',
     "cell 0: a cell without source"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [7]}', "cell 0: not a cell"),
    ("{not json", "not JSON"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}, '
     '"source": ["x = 1\\n", 5], "outputs": [], "execution_count": null}]}', "not a valid notebook"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": [], '
     '"source": "x", "outputs": [], "execution_count": null}]}', "not a valid notebook"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": "x", "cells": []}', "not a valid notebook"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}, '
     '"source": "x", "outputs": [1], "execution_count": null}]}', "not a valid notebook"),
    ("[" * 100000 + "]" * 100000, "not JSON"),
])
def test_a_broken_notebook_gets_one_line_not_a_traceback(tmp_path, capsys, text, match):
    from mcdl.__main__ import main

    src = write_course(tmp_path / "notebooks")
    (src / "02_broken.ipynb").write_text(text)
    with pytest.raises(NotebookError, match=match):
        make_student_versions(src, tmp_path / "student")
    assert main(["student", str(tmp_path / "student"), "--src", str(src)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: 02_broken.ipynb") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "student").exists()                    # nothing written, not even the good chapter


def test_an_empty_out_folder_name_is_refused(tmp_path, capsys, monkeypatch):
    from mcdl.__main__ import main

    src = write_course(tmp_path / "notebooks")
    monkeypatch.chdir(tmp_path)
    for out in ("", "  "):
        assert main(["student", out, "--src", str(src)]) == 1
        assert "empty name is refused" in capsys.readouterr().err
        assert main(["mywork", "--out", out, "--src", str(src)]) == 1
        assert "empty name is refused" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks"]


def test_a_copied_answer_cell_is_one_line_not_nbgraders_traceback(tmp_path):
    src = write_course(tmp_path / "notebooks")
    nb = nbformat.read(src / "01_chapter.ipynb", as_version=4)
    copy = new_code_cell(SOLUTION_CELL)
    copy.metadata["nbgrader"] = solution_metadata("ex1")
    nb.cells.append(copy)
    nbformat.write(nb, src / "01_chapter.ipynb")
    with pytest.raises(SolutionBlockError, match=r"cells 2 and 3: the same nbgrader grade_id 'ex1'"):
        make_student_versions(src, tmp_path / "student")


def test_nbgraders_own_refusals_are_one_line(tmp_path):
    src = write_course(tmp_path / "notebooks")
    nb = nbformat.read(src / "01_chapter.ipynb", as_version=4)
    nb.cells[2].metadata["nbgrader"] = {"solution": True, "grade_id": "ex1"}      # no schema_version
    nbformat.write(nb, src / "01_chapter.ipynb")
    with pytest.raises(SolutionBlockError, match="nbgrader refused it") as caught:
        make_student_versions(src, tmp_path / "student")
    assert len(str(caught.value).splitlines()) == 1


def test_a_markdown_solution_keeps_no_attached_image(tmp_path):
    src = write_course(tmp_path / "notebooks")
    nb = nbformat.read(src / "01_chapter.ipynb", as_version=4)
    answer = new_markdown_cell("Answer: ![sketch](attachment:sol.png)")
    answer["attachments"] = {"sol.png": {"image/png": "U0VDUkVU"}}
    answer.metadata["nbgrader"] = dict(solution_metadata("ex2"), grade=True, points=1)
    nb.cells.append(answer)
    nbformat.write(nb, src / "01_chapter.ipynb")
    (written,) = make_student_versions(src, tmp_path / "student")
    assert "U0VDUkVU" not in written.read_text() and "attachments" not in nbformat.read(written, 4).cells[-1]


def test_a_def_inside_a_block_keeps_only_its_names():
    source = ("### BEGIN SOLUTION\n@lru_cache(SECRET_A)\ndef f(x, k=SECRET_B, *, m: 'SECRET_C' = 2) -> 'SECRET_D':\n"
              "    \"\"\"the docstring\"\"\"\n    return k * x\nanswer: 'SECRET_E' = 6\n### END SOLUTION")
    stubbed = strip_solutions(source)
    assert "SECRET" not in stubbed and "def f(x, k=..., *, m=...):" in stubbed and "the docstring" in stubbed
    assert "answer = ..." in stubbed
