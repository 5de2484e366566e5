"""The three descriptions of the environment agree: pyproject.toml (ranges), constraints.txt (the exact
versions CI tested) and environment.yml (conda/Binder convenience; conda cannot run on the CI machines,
so it is checked here, offline, instead of solved)."""
import importlib.metadata
import os
import platform
import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
LOCK_TEXT = (ROOT / "constraints.txt").read_text(encoding="utf-8")

PYPI_TO_CONDA = {"isal": "python-isal"}  # the runtime dependencies whose conda-forge name differs


def requirements(texts):
    return {canonicalize_name(req.name): req for req in map(Requirement, texts)}


def lower_bound(req):
    bounds = [spec.version for spec in req.specifier if spec.operator == ">="]
    assert len(bounds) == 1, f"{req}: give exactly one lower bound (>=), the oldest version tested"
    return Version(bounds[0])


RUNTIME = requirements(PYPROJECT["dependencies"])
EXTRAS = {name: requirements(texts) for name, texts in PYPROJECT["optional-dependencies"].items()}


def conda_dependencies():
    """environment.yml's conda packages (python and pip apart) as Requirements, and its pip section."""
    conda, pip_section = {}, None
    for entry in ENVIRONMENT["dependencies"]:
        if isinstance(entry, dict):
            pip_section = entry["pip"]
            continue
        name = re.match(r"[A-Za-z0-9_.-]+", entry)[0]
        if name not in ("python", "pip"):
            conda[canonicalize_name(name)] = Requirement(entry)
    return conda, pip_section


def pins():
    pinned = {}
    for line in LOCK_TEXT.splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"constraints.txt: {line!r} is not an exact pin (name==version)"
        pinned[canonicalize_name(name)] = version.strip()
    return pinned


# --- environment.yml ---------------------------------------------------------------------------------
def test_environment_yml_is_thin_and_conda_forge():
    assert ENVIRONMENT["channels"] == ["conda-forge"]
    conda, pip_section = conda_dependencies()
    assert pip_section == ["-e ."], "the course itself comes from pip: ['-e .']"
    assert "pip" in ENVIRONMENT["dependencies"]


def test_environment_yml_python_satisfies_requires_python():
    (python,) = [e for e in ENVIRONMENT["dependencies"] if isinstance(e, str) and re.match(r"python\s*=", e)]
    version = re.fullmatch(r"python\s*=\s*([\d.]+)", python)[1]
    from packaging.specifiers import SpecifierSet
    assert SpecifierSet(PYPROJECT["requires-python"]).contains(version + ".0")


def test_environment_yml_has_the_runtime_dependencies_with_the_same_lower_bounds():
    conda, _ = conda_dependencies()
    expected = {canonicalize_name(PYPI_TO_CONDA.get(name, name)): req for name, req in RUNTIME.items()}
    assert set(conda) == set(expected), (
        f"only in pyproject: {sorted(set(expected) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(expected))}")
    for name, req in expected.items():
        assert lower_bound(conda[name]) == lower_bound(req), f"{name}: {conda[name]} vs pyproject {req}"
        assert str(conda[name].specifier) == str(req.specifier), f"{name}: {conda[name]} vs pyproject {req}"


# --- constraints.txt ---------------------------------------------------------------------------------
def all_declared():
    declared = dict(RUNTIME)
    for extra in EXTRAS.values():
        declared.update(extra)
    return declared


def test_lock_pins_every_declared_dependency_within_its_range():
    pinned = pins()
    missing = sorted(set(all_declared()) - set(pinned))
    assert not missing, f"constraints.txt does not pin {missing}: run `make lock` in a green .venv"
    for name, req in all_declared().items():
        lower_bound(req)
        assert req.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name}=={pinned[name]}, outside pyproject's {req}")


def test_lock_does_not_pin_the_course_itself():
    assert "mcdl" not in pins()
    assert not re.search(r"^\s*-e\b", LOCK_TEXT, flags=re.MULTILINE)


def lock_python():
    found = re.search(r"Python (\d+\.\d+)", LOCK_TEXT)
    return found[1] if found else None


def test_this_environment_is_the_locked_one():
    """What `make test` just tested is what the lock promises (catches a hand-upgraded .venv)."""
    made_with = lock_python()
    here = "%s.%s" % platform.python_version_tuple()[:2]
    if made_with != here:
        pytest.skip(f"constraints.txt was made on Python {made_with}, this is {here}: the lock is not used here")
    differ = []
    for name, version in pins().items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # a pin for another platform
        if Version(installed) != Version(version):
            differ.append(f"{name} {installed} (lock: {version})")
    assert not differ, ("installed versions differ from constraints.txt: " + ", ".join(differ) +
                        ". Reinstall (rm .venv/.installed && make setup) or, if this is a tested upgrade, `make lock`")


# --- binder/ -------------------------------------------------------------------------------------------
def test_binder_environment_matches_the_top_level_one_without_the_editable_install():
    """Binder reads binder/ first; its environment is the top-level one minus `pip: [-e .]`, which
    repo2docker cannot run before the repository is copied in (postBuild installs the package)."""
    binder = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text(encoding="utf-8"))
    top = [e for e in ENVIRONMENT["dependencies"] if isinstance(e, str)]
    assert binder["channels"] == ENVIRONMENT["channels"]
    assert binder["dependencies"] == top
    post_build = (ROOT / "binder" / "postBuild").read_text(encoding="utf-8")
    assert "pip install" in post_build and "-e ." in post_build
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)


# --- Binder ------------------------------------------------------------------------------------------
BINDER_BADGE = re.compile(r"https://mybinder\.org/v2/gh/(?P<repo>[\w.-]+/[\w.-]+)/HEAD\?urlpath=lab/tree/"
                          r"(?P<path>[\w./-]+\.ipynb)")


@pytest.mark.parametrize("document", ["README.md", "docs/teaching.md"])
def test_the_binder_badge_opens_chapter_00_of_this_repository(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    badges = list(BINDER_BADGE.finditer(text))
    assert badges, f"{document} has no Binder badge"
    repository = PYPROJECT["urls"]["Repository"].removeprefix("https://github.com/")
    for badge in badges:
        assert badge["repo"] == repository and (ROOT / badge["path"]).is_file(), badge.group(0)
    assert "docs/teaching.md" in (ROOT / "README.md").read_text(encoding="utf-8")

