#!/usr/bin/env python3
"""Re-execute the course notebooks in place, deterministically, and normalise what they store.

    python tools/run_notebooks.py                      # every notebooks/*.ipynb
    python tools/run_notebooks.py notebooks/03_*.ipynb # just these

Each notebook runs top to bottom in a fresh ``python3`` kernel (nbclient, cwd = the notebook's folder,
``PYTHONHASHSEED=0``, ``MPLBACKEND`` unset so the inline backend draws).  Then only what a reader or
nbval needs is kept:

* the kernelspec is ``python3`` / "Python 3 (ipykernel)"; ``language_info`` is just ``{"name": "python"}``;
* ``metadata.widgets`` (saved widget state) is removed, and the now dangling widget views get an empty
  ``model_id`` (JupyterLab hides an empty-id view; GitHub shows the output's PNG/text fallback);
* per-cell ``execution`` timings, ``collapsed`` and ``scrolled`` are removed;
* execution counts are renumbered 1..N in order and **kept** (nbval compares only cells with a count);
* consecutive stream outputs of the same name are joined (how many chunks a print arrives in depends on
  timing), outputs are otherwise kept as executed.

Running it twice changes nothing (tests/test_notebooks.py checks that).  Cells tagged ``skip-execution``
are not run, so they keep no outputs; cells tagged ``raises-exception`` may raise.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from pathlib import Path

import nbformat
import nbformat.reader

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "python3"
TIMEOUT = 300  # seconds per cell

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SKIP_TAG = "skip-execution"
CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


# --- predicates -------------------------------------------------------------------------------------
def is_code_cell(cell) -> bool:
    return cell.cell_type == "code"


def is_empty_cell(cell) -> bool:
    return not cell.source.strip()


def is_skipped_cell(cell) -> bool:
    return SKIP_TAG in cell.metadata.get("tags", [])


def runs(cell) -> bool:
    """Would nbclient execute this cell?"""
    return is_code_cell(cell) and not is_empty_cell(cell) and not is_skipped_cell(cell)


# --- normalising steps ------------------------------------------------------------------------------
def normalise_metadata(nb) -> None:
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata.pop("widgets", None)


def normalise_cell_metadata(cell) -> None:
    for key in VOLATILE_CELL_METADATA:
        cell.metadata.pop(key, None)


def fill_missing_ids(nb) -> None:
    """nbformat would invent random ids for cells without one; derive stable ones instead."""
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):
        return
    seen = {cell.get("id") for cell in nb.cells}
    for index, cell in enumerate(nb.cells):
        if CELL_ID.match(cell.get("id") or ""):
            continue
        digest = hashlib.sha1(f"{index}:{cell.source}".encode()).hexdigest()[:8]
        new_id = f"cell-{index}-{digest}"
        while new_id in seen:
            new_id += "x"
        cell["id"] = new_id
        seen.add(new_id)


def join_consecutive_streams(outputs: list) -> list:
    joined = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (output.output_type == "stream" and previous is not None
                and previous.output_type == "stream" and previous.name == output.name):
            previous.text += output.text
        else:
            joined.append(output)
    return joined


def blank_widget_model_ids(outputs: list) -> None:
    """Saved widget state is stripped, so a stored view's model id points nowhere (and is random)."""
    for output in outputs:
        view = output.get("data", {}).get(WIDGET_VIEW)
        if isinstance(view, dict) and "model_id" in view:
            view["model_id"] = ""


def clear_unrun_cell(cell) -> None:
    cell.execution_count = None
    cell.outputs = []


def renumber_execution_counts(nb) -> None:
    count = 0
    for cell in filter(is_code_cell, nb.cells):
        if cell.execution_count is None:
            continue
        count += 1
        cell.execution_count = count
        for output in cell.outputs:
            if output.output_type == "execute_result":
                output.execution_count = count


def normalise_notebook(nb):
    """Every step that does not need a kernel; applying it twice is the same as once."""
    normalise_metadata(nb)
    fill_missing_ids(nb)
    for cell in nb.cells:
        normalise_cell_metadata(cell)
        if is_code_cell(cell):
            if not runs(cell):
                clear_unrun_cell(cell)
            cell.outputs = join_consecutive_streams(cell.outputs)
            blank_widget_model_ids(cell.outputs)
    renumber_execution_counts(nb)
    return nb


# --- executing --------------------------------------------------------------------------------------
def kernel_env() -> dict:
    env = dict(os.environ, PYTHONHASHSEED="0", SOURCE_DATE_EPOCH="0")
    env.pop("MPLBACKEND", None)  # ipykernel then picks the inline backend, as in JupyterLab
    return env


def check_kernel_is_this_python() -> None:
    """The ``python3`` kernelspec must start this interpreter, or outputs come from another environment."""
    from jupyter_client.kernelspec import KernelSpecManager

    argv0 = KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv[0]
    this_python = {"python", f"python{sys.version_info[0]}", "python%d.%d" % sys.version_info[:2]}
    if argv0 in this_python or Path(argv0).parent == Path(sys.executable).parent:
        return
    sys.exit(f"the '{KERNEL_NAME}' kernel starts {argv0}, not {sys.executable}; "
             f"run `{sys.executable} -m mcdl doctor` for the fix")


def execute_notebook(nb, cwd: Path):
    from nbclient import NotebookClient

    for cell in filter(is_code_cell, nb.cells):
        clear_unrun_cell(cell)
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name=KERNEL_NAME, record_timing=False,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute(env=kernel_env())
    return nb


def read_notebook(path: Path):
    """Read without nbformat's validation, which would give id-less cells random ids."""
    nb = nbformat.reader.reads(Path(path).read_text(encoding="utf-8"))
    return nb if nb.nbformat == 4 else nbformat.convert(nb, 4)


def write_notebook(nb, path: Path) -> None:
    nbformat.write(nb, path)  # nbformat's own layout (indent 1, sorted keys) and a trailing newline


def run_notebook(path: Path) -> float:
    start = time.perf_counter()
    nb = read_notebook(path)
    execute_notebook(nb, cwd=path.parent)
    normalise_notebook(nb)
    write_notebook(nb, path)
    return time.perf_counter() - start


def default_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: notebooks/*.ipynb)")
    args = parser.parse_args(argv)
    paths = args.paths or default_notebooks()
    if not paths:
        print("no notebooks to run")
        return 0
    check_kernel_is_this_python()
    from nbclient.exceptions import CellExecutionError

    total, failed = 0.0, []
    for path in paths:
        print(f"{path} ...", end=" ", flush=True)
        try:
            seconds = run_notebook(Path(path).resolve())
        except CellExecutionError as error:  # leave the file as it was, report, go on
            print(f"FAILED (file left unchanged)\n{error}", flush=True)
            failed.append(path)
            continue
        total += seconds
        print(f"{seconds:.1f} s", flush=True)
    print(f"{len(paths) - len(failed)} notebook(s) in {total:.1f} s")
    if failed:
        print("failed: " + ", ".join(map(str, failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
