"""The notebook tier: committed outputs, nbval (strict), student versions, and the tool that runs notebooks.

* every chapter is stored as ``make notebooks`` writes it: normalised, every code cell with an execution
  count (nbval compares only those), outputs in most code cells, nothing machine- or run-dependent;
* ``pytest --nbval`` (strict: outputs compared) passes on ``notebooks/``, run in a subprocess so it gets
  the kernel environment a learner gets (``MPLBACKEND`` unset) whatever this process uses;
* the student versions (``python -m mcdl student``) run top to bottom without an error;
* ``tools/run_notebooks.py`` is deterministic: a second run changes no byte.

With no notebooks yet the chapter tests skip; once a notebook exists, a broken one fails.
"""
import copy
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("*.ipynb"))
SANITIZE = ROOT / "tools" / "nbval_sanitize.cfg"
ARTIFACTS = ROOT / "artifacts"
MIN_SHARE_WITH_OUTPUTS = 0.8  # of the code cells that run; a stripped notebook has 0

FORBIDDEN_IN_OUTPUTS = {
    "a memory address (end the line with ';' or call plt.show())": re.compile(r"\b0x[0-9a-fA-F]{6,}\b"),
    "a numpy-2 scalar repr (print with a fixed precision: f'{x:.4f}')":
        re.compile(r"\bnp\.((float|u?int|complex)\d*\(|(True|False)_\b|str_\()"),
    "a traceback (tag an intended error 'raises-exception')": re.compile(r"Traceback"),
    "a kernel temp path (a warning was printed?)": re.compile(r"/tmp/ipykernel_"),
}
FIGURE_REPR = re.compile(r"<Figure size [^>]*>")
TEXT_MIMES = ("text/plain", "text/html", "text/latex", "text/markdown")

needs_chapters = pytest.mark.skipif(not CHAPTERS, reason="no notebooks in notebooks/ yet")
chapter_params = [pytest.param(path, id=path.stem) for path in CHAPTERS] or [
    pytest.param(None, marks=pytest.mark.skip(reason="no notebooks in notebooks/ yet"), id="none")]


def load_tool():
    spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "tools" / "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run_notebooks = load_tool()


def kernel_env():
    """What a learner's kernel sees: MPLBACKEND unset (the Makefile sets Agg for the unit tests)."""
    return run_notebooks.kernel_env()


def tags(cell):
    return cell.metadata.get("tags", [])


def text_of(output):
    """The text nbval compares for one output (images are not compared, and skipped here)."""
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return "\n".join([output.ename, output.evalue, *output.traceback])
    data = output.get("data", {})
    return "\n".join(str(data[mime]) for mime in TEXT_MIMES if mime in data)


# --- (a) what is stored ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", chapter_params)
def test_chapter_is_stored_executed_and_normalised(path):
    nb = run_notebooks.read_notebook(path)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "kernelspec must be python3"
    assert "widgets" not in nb.metadata, "saved widget state: run `make notebooks`"
    assert run_notebooks.normalise_notebook(copy.deepcopy(nb)) == nb, (
        f"{path.name} is not as `make notebooks` writes it (edited and saved in JupyterLab?): "
        "run `make notebooks` and commit the result")

    running = [cell for cell in nb.cells if run_notebooks.runs(cell)]
    assert running, "a chapter without code?"
    uncounted = [i for i, cell in enumerate(nb.cells) if run_notebooks.runs(cell) and cell.execution_count is None]
    assert not uncounted, f"code cells {uncounted} have no execution count, so nbval would not compare them"
    shown = [cell for cell in running if not cell.metadata.get("nbgrader", {}).get("grade")]  # graded: silent
    with_outputs = sum(bool(cell.outputs) for cell in shown)
    assert with_outputs >= MIN_SHARE_WITH_OUTPUTS * len(shown), (
        f"only {with_outputs} of {len(shown)} code cells have stored outputs: run `make notebooks`")


@pytest.mark.parametrize("path", chapter_params)
def test_chapter_outputs_do_not_depend_on_the_machine(path):
    nb = run_notebooks.read_notebook(path)
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            if output.output_type == "error" and "raises-exception" in tags(cell):
                continue  # nbval compares only the error's name and value
            text = text_of(output)
            for why, pattern in FORBIDDEN_IN_OUTPUTS.items():
                if pattern.search(text):
                    problems.append(f"cell {index}: {why}: {pattern.search(text)[0]!r}")
            has_image = any(mime.startswith("image/") for mime in output.get("data", {}))
            if FIGURE_REPR.search(text) and not has_image:
                problems.append(f"cell {index}: a figure repr with no picture (MPLBACKEND=Agg, or a bare "
                                "plt.figure() as the last line?)")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


LOCAL_LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)\s#]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("path", chapter_params)
def test_chapter_links_point_to_files_that_exist(path):
    """A chapter's links to other chapters (and to files of the repository) lead somewhere: no link to a
    chapter that is still in preparation, no typo in a notebook's name."""
    nb = run_notebooks.read_notebook(path)
    broken = [f"cell {index}: {target}" for index, cell in enumerate(nb.cells) if cell.cell_type == "markdown"
              for target in LOCAL_LINK.findall(cell.source) if not (path.parent / target).exists()]
    assert not broken, f"{path.name} links to missing files:\n" + "\n".join(broken)


# --- (b) nbval, strict -------------------------------------------------------------------------------
@needs_chapters
def test_nbval_strict():
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
               "--nbval-sanitize-with", str(SANITIZE.relative_to(ROOT)), "notebooks/",
               "-p", "no:cacheprovider", "-q", "-r", "fE", "--color=no"]
    done = subprocess.run(command, cwd=ROOT, env=kernel_env(), capture_output=True, text=True, timeout=3600)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "nbval.txt").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"


# --- (c) student versions ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    done = subprocess.run([sys.executable, "-m", "mcdl", "student", str(out), "--src", str(NOTEBOOKS)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.mark.parametrize("path", chapter_params)
def test_student_version_runs(path, student_dir):
    from nbclient import NotebookClient

    student = student_dir / path.name
    nb = nbformat.read(student, as_version=4)
    leftovers = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source]
    assert not leftovers, f"solution blocks left in code cells {leftovers}"
    # raises CellExecutionError on the first error, except in cells tagged raises-exception
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(student_dir)}}).execute(env=kernel_env())
    # every exercise says "not answered yet", and nothing has been recorded as an attempt
    answers = [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("solution")]
    assert answers, "a chapter without exercises"
    for cell in answers:
        shown = " ".join(str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
                         for out in cell.outputs)
        exercise_id = cell.metadata["nbgrader"]["grade_id"]
        assert f"{exercise_id}: not answered yet" in shown, (exercise_id, shown[:300])
    assert not (student_dir / "mcdl-progress.json").exists()


# --- tools/run_notebooks.py --------------------------------------------------------------------------
def tiny_notebook():
    nb = new_notebook()
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.cells = [
        new_markdown_cell("# tiny"),
        new_code_cell("import ipywidgets as w\nimport matplotlib.pyplot as plt\nfor i in range(3):\n    print(i)",
                      metadata={"execution": {"iopub.status.busy": "2026-01-01"}, "scrolled": True}),
        new_code_cell("plt.plot([0, 1], [1, 0])\nplt.show()", execution_count=41),
        new_code_cell("w.FloatSlider(description='x')", metadata={"tags": ["nbval-ignore-output"]}),
        new_code_cell(""),
        new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]}),
        new_code_cell("print('never run')", metadata={"tags": ["nbval-skip", "skip-execution"]},
                      execution_count=7),
        new_code_cell("print(f'{2 / 3:.4f}')\n2 + 2"),
    ]
    for cell in nb.cells[2:]:
        del cell["id"]  # as in hand-made notebooks: the tool must not invent random ids
    return nb


def test_run_notebooks_is_deterministic(tmp_path):
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps(tiny_notebook()), encoding="utf-8")  # as is: nbformat would add random ids
    tool = [sys.executable, str(ROOT / "tools" / "run_notebooks.py"), str(path)]
    digests = []
    for _ in range(2):
        done = subprocess.run(tool, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        assert re.search(r"tiny\.ipynb \.\.\. \d+\.\d s", done.stdout), done.stdout
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
    assert digests[0] == digests[1], "a second run changed the notebook"
    assert path.read_text(encoding="utf-8").endswith("}\n")

    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec == {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                      "language": "python"}
    assert nb.metadata.language_info == {"name": "python"}
    assert "widgets" not in nb.metadata
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == [1, 2, 3, None, 4, None, 5]
    assert all("execution" not in cell.metadata and "scrolled" not in cell.metadata for cell in code)
    assert code[0].outputs[0].text == "0\n1\n2\n"                     # one stream, not three chunks
    assert any("image/png" in out.get("data", {}) for out in code[1].outputs)
    assert code[2].outputs[0].data["application/vnd.jupyter.widget-view+json"]["model_id"] == ""
    assert code[4].outputs[0].ename == "ZeroDivisionError"
    assert code[5].outputs == []                                        # skip-execution: not run
    assert code[6].outputs[-1].execution_count == 5                     # execute_result renumbered too
    assert all(cell.id.startswith("cell-") for cell in nb.cells[2:])  # derived, not random


def test_normalising_twice_is_normalising_once():
    nb = tiny_notebook()
    once = run_notebooks.normalise_notebook(copy.deepcopy(nb))
    twice = run_notebooks.normalise_notebook(copy.deepcopy(once))
    assert once == twice
    assert nbformat.writes(once) == nbformat.writes(twice)
