"""The doctor: checks what a learner's JupyterLab actually uses, and prints a fix for each problem.

``python -m mcdl doctor`` (or ``make doctor``): the Python version, every package against its lower bound, the
JupyterLab widget extensions, the ``python3`` kernel, the matplotlib backends, and that ``mcdl`` imports from
the notebooks folder.  No network access.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .student import NOTEBOOKS, REPO


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
