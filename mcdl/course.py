"""Running the course: student versions of the notebooks, and a ``doctor`` for the learner's setup.

``python -m mcdl student OUT/`` and ``python -m mcdl doctor`` (see ``mcdl/__main__.py``).

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
* a ``def`` keeps its signature and docstring and its body becomes ``...`` (the function returns None;
  a ``def`` wholly inside a block is rewritten by ``ast.unparse``, so its comments go and spacing may change);
* everything else (``return``, loops, prints, assignments to ``x[i]`` or ``obj.attr``) is dropped;
  if nothing is left, the block becomes a single ``...``.

So for a function the learner writes, put the ``def`` line outside the block (or the whole ``def`` inside)::

    def f(x):                                  def f(x):
        ### BEGIN SOLUTION          ->              ...
        return 3 * x**2
        ### END SOLUTION

Keep the ``check(...)`` call in the same cell as the block: only the outputs of cells that contain a
solution block are cleared (with their execution counts); every other cell keeps its stored outputs.  A
later cell that prints the answer would still show the instructor's output.
"""
from __future__ import annotations

import ast
import copy
import importlib
import importlib.metadata
import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"

BEGIN_SOLUTION = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
END_SOLUTION = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")


# ====================================================================================================
# Student versions
# ====================================================================================================
class SolutionBlockError(ValueError):
    """A ``### BEGIN SOLUTION`` without its ``### END SOLUTION`` (or the reverse)."""


def has_solution(source: str) -> bool:
    return any(BEGIN_SOLUTION.match(line) for line in source.splitlines())


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
        return [f"{statement.target.id}: {ast.unparse(statement.annotation)} = ..."]
    if isinstance(statement, ast.AugAssign):
        return [f"{name} = ..." for name in _names(statement.target)]
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        stub = copy.copy(statement)  # same decorators, name, arguments; the body becomes `...`
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


def student_notebook(nb, name: str = "notebook"):
    """A copy of ``nb`` with solutions stubbed and the outputs of solution cells cleared."""
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and has_solution(cell.source):
            cell.source = strip_solutions(cell.source, where=f"{name}, cell {index}")
            cell.outputs = []
            cell.execution_count = None
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
    import nbformat
    import nbformat.reader

    src, out = Path(src_dir), Path(out_dir)
    if not src.is_dir():
        raise FileNotFoundError(f"no notebook folder at {src}")
    if out.resolve() == src.resolve():
        raise ValueError("the student versions must go to another folder than the notebooks")

    planned: list[tuple[Path, str]] = []
    for path in sorted(src.glob("*.ipynb")):
        nb = nbformat.reader.reads(path.read_text(encoding="utf-8"))
        text = nbformat.writes(student_notebook(nb, name=path.name))
        planned.append((out / path.name, text if text.endswith("\n") else text + "\n"))

    changed = [(target, text) for target, text in planned
               if not (target.exists() and target.read_text(encoding="utf-8") == text)]
    clashes = [target for target, _ in changed if target.exists()]
    if clashes and not force:
        names = ", ".join(str(path) for path in clashes)
        raise FileExistsError(f"would overwrite {names}; pass force=True (--force) to replace them "
                              "(the old files are kept as .bak)")
    out.mkdir(parents=True, exist_ok=True)
    for target, text in changed:
        if target.exists():
            target.replace(_backup_path(target))
        target.write_text(text, encoding="utf-8")
    return [target for target, _ in changed]


# ====================================================================================================
# Doctor
# ====================================================================================================
@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str = ""
    fix: str = ""


def _pip(requirement: str) -> str:
    return f'{sys.executable} -m pip install "{requirement}"'


def _runtime_requirements():
    """``mcdl``'s own dependencies (without extras) as ``packaging`` Requirements."""
    from packaging.requirements import Requirement

    requirements = [Requirement(text) for text in importlib.metadata.requires("mcdl") or []]
    return [req for req in requirements if req.marker is None or req.marker.evaluate({"extra": ""})]


def check_python() -> CheckResult:
    from packaging.specifiers import SpecifierSet

    wanted = importlib.metadata.metadata("mcdl").get("Requires-Python") or ">=3.10"
    version = "%d.%d.%d" % sys.version_info[:3]
    ok = SpecifierSet(wanted).contains(version)
    return CheckResult("Python", ok, f"{version} ({sys.executable}), course needs {wanted}",
                       "" if ok else f"install Python {wanted} and rerun `make lab` with it "
                                     "(`make lab PYTHON=python3.11`)")


def check_mcdl_installed() -> CheckResult:
    try:
        version = importlib.metadata.version("mcdl")
    except importlib.metadata.PackageNotFoundError:
        return CheckResult("mcdl installed", False, "no package metadata for mcdl",
                           f'from the course folder: {sys.executable} -m pip install -e ".[test]"')
    return CheckResult("mcdl installed", True, f"mcdl {version}")


# Importing jupyterlab starts a good part of jupyter_server (~3 s here, mostly a grammar that
# rfc3987_syntax builds at import); finding its module is enough for the doctor.
FIND_ONLY = {"jupyterlab"}


def dependency_check(requirement) -> Callable[[], CheckResult]:
    """A check that ``requirement`` (a packaging Requirement) imports and satisfies its version range."""

    def check() -> CheckResult:
        name = requirement.name
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return CheckResult(name, False, "not installed", _pip(str(requirement)))
        if requirement.specifier and not requirement.specifier.contains(version, prereleases=True):
            return CheckResult(name, False, f"{version} installed, course needs {requirement.specifier}",
                               _pip(str(requirement)))
        module = name.replace("-", "_")
        try:
            if name in FIND_ONLY:
                if importlib.util.find_spec(module) is None:
                    raise ImportError(f"no module named {module!r}")
            else:
                importlib.import_module(module)
        except Exception as error:  # a broken install shows up here, not in the metadata
            return CheckResult(name, False, f"{version} installed but `import {name}` fails: {error!r}",
                               f'{sys.executable} -m pip install --force-reinstall "{requirement}"')
        return CheckResult(name, True, f"{version} (needs {requirement.specifier or 'any'})")

    check.__name__ = f"check_{requirement.name}"
    return check


LAB_EXTENSIONS = {
    "@jupyter-widgets/jupyterlab-manager": "jupyterlab_widgets",  # ipywidgets' front end
    "jupyter-matplotlib": "ipympl",                               # %matplotlib widget
}


def _labextension_dirs() -> list[Path]:
    from jupyter_core.paths import jupyter_path

    return [Path(p) for p in jupyter_path("labextensions")]


def labextension_check(extension: str, package: str) -> Callable[[], CheckResult]:
    def check() -> CheckResult:
        for directory in _labextension_dirs():
            if (directory / extension / "package.json").is_file():
                return CheckResult(f"JupyterLab extension {extension}", True, str(directory / extension))
        return CheckResult(f"JupyterLab extension {extension}", False,
                           "not found in " + ", ".join(map(str, _labextension_dirs())),
                           f"{sys.executable} -m pip install --force-reinstall {package}  "
                           "(in the same environment as JupyterLab; then restart JupyterLab)")

    check.__name__ = f"check_labextension_{package}"
    return check


def _starts_this_python(argv0: str) -> bool:
    """jupyter_client itself replaces a bare ``python``/``python3`` with the server's interpreter."""
    if argv0 in {"python", f"python{sys.version_info[0]}", "python%d.%d" % sys.version_info[:2]}:
        return True
    return Path(argv0).absolute().parent == Path(sys.executable).absolute().parent


def check_kernelspec() -> CheckResult:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    name = "kernel 'python3'"
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return CheckResult(name, False, "JupyterLab finds no 'python3' kernel",
                           f"{sys.executable} -m ipykernel install --sys-prefix")
    argv0 = spec.argv[0] if spec.argv else ""
    if _starts_this_python(argv0):
        return CheckResult(name, True, f"starts {sys.executable}")
    return CheckResult(name, False,
                       f"{spec.resource_dir} starts {argv0}, not this environment's {sys.executable}",
                       f"remove that kernel (`jupyter kernelspec remove python3`, or delete {spec.resource_dir}) "
                       f"or point it here: {sys.executable} -m ipykernel install --user")


def check_matplotlib_backend() -> CheckResult:
    name = "matplotlib backend"
    forced = os.environ.get("MPLBACKEND", "")
    if forced and "inline" not in forced and "ipympl" not in forced and "widget" not in forced:
        return CheckResult(name, False, f"MPLBACKEND={forced} is set: notebooks will draw no plots",
                           "unset MPLBACKEND before starting JupyterLab (`unset MPLBACKEND`)")
    try:
        importlib.import_module("matplotlib_inline.backend_inline")
        importlib.import_module("ipympl.backend_nbagg")
    except Exception as error:
        return CheckResult(name, False, f"a notebook backend does not import: {error!r}",
                           f"{sys.executable} -m pip install --force-reinstall matplotlib-inline ipympl")
    return CheckResult(name, True, "inline and ipympl (%matplotlib widget) backends import")


def check_mcdl_from_notebooks() -> CheckResult:
    name = "mcdl from notebooks/"
    if not NOTEBOOKS.is_dir():
        return CheckResult(name, True, "no notebooks folder next to this mcdl (installed as a package)")
    code = "import mcdl, pathlib; print(pathlib.Path(mcdl.__file__).resolve().parent)"
    done = subprocess.run([sys.executable, "-c", code], cwd=NOTEBOOKS, capture_output=True, text=True,
                          timeout=60)
    where = done.stdout.strip()
    if done.returncode != 0 or Path(where) != Path(__file__).resolve().parent:
        found = where or done.stderr.strip().splitlines()[-1:]
        return CheckResult(name, False, f"a kernel in {NOTEBOOKS} imports {found}",
                           f'cd {REPO} && {sys.executable} -m pip install -e ".[test]"')
    return CheckResult(name, True, f"imports {where}")


def default_checks() -> list[Callable[[], CheckResult]]:
    checks: list[Callable[[], CheckResult]] = [check_python, check_mcdl_installed]
    try:
        checks += [dependency_check(req) for req in _runtime_requirements()]
    except importlib.metadata.PackageNotFoundError:
        pass  # reported by check_mcdl_installed
    checks += [labextension_check(ext, pkg) for ext, pkg in LAB_EXTENSIONS.items()]
    checks += [check_kernelspec, check_matplotlib_backend, check_mcdl_from_notebooks]
    return checks


def run_check(check: Callable[[], CheckResult]) -> CheckResult:
    try:
        return check()
    except Exception as error:  # the doctor reports, it never crashes
        name = getattr(check, "__name__", "check").removeprefix("check_")
        return CheckResult(name, False, f"the check itself failed: {error!r}",
                           "run `python -m mcdl doctor` again; if it repeats, report this line")


def _marks(stream) -> tuple[str, str]:
    try:
        "✓✗".encode(getattr(stream, "encoding", None) or "utf-8")
        return "✓", "✗"
    except (UnicodeEncodeError, LookupError):
        return "ok", "XX"


def doctor(checks: Iterable[Callable[[], CheckResult]] | None = None, out=None) -> int:
    """Check the learner's setup, print one line per check (and the fix for each ✗); 0 if all is well.

    Never uses the network.
    """
    out = out or sys.stdout
    good, bad = _marks(out)
    results = [run_check(check) for check in (default_checks() if checks is None else checks)]
    for result in results:
        print(f"{good if result.ok else bad} {result.name}: {result.detail}", file=out)
        if not result.ok and result.fix:
            print(f"    fix: {result.fix}", file=out)
    failed = sum(not result.ok for result in results)
    print(f"{len(results) - failed} of {len(results)} checks passed" +
          ("" if not failed else f"; fix the {failed} marked {bad} and run this again"), file=out)
    return 1 if failed else 0
