"""A real class on a local JupyterHub: the instructor releases two chapters with nbgrader, three students
(alice, bob, carol) log in, follow the nbgitpuller link, answer, run the chapter in their own kernels; the
instructor collects, grades, reads the class's progress and changes the course; the students pull again.

Loopback only; one hub for the module; every file in pytest's tmp dir; teardown stops everything by PID.
The design and its pitfalls (P1..P20) are in /work/shared/hub-recipes.md.  Run alone with
    .venv/bin/python -m pytest tests/hub -q
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest

pytestmark = pytest.mark.hub

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BIN = Path(sys.prefix) / "bin"


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"the hub tier is required under CI=true but {reason}", pytrace=False)
    pytest.skip(f"hub tier skipped: {reason} (pip install -e '.[hub]'; git from the OS)", allow_module_level=True)


_missing = [name for name in ("jupyterhub", "nbgitpuller") if find_spec(name) is None]
_missing += [] if os.access(BIN / "configurable-http-proxy", os.X_OK) else ["configurable-http-proxy"]
_missing += [] if shutil.which("git") else ["git"]
if _missing:
    _unavailable(", ".join(_missing) + " missing")

import nbformat  # noqa: E402
import requests  # noqa: E402

import hubkit as hk  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PYTHON, NBGRADER = str(BIN / "python"), str(BIN / "nbgrader")
CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = ROOT / "artifacts" / "hub-lab.png"
STUDENTS = ("alice", "bob", "carol")
CH00, CH01 = "00_start_here", "01_scalar_derivative_rules"
NB01 = f"course/{CH01}/{CH01}.ipynb"                    # in a student's home
POWER = "01-power"
POWER_STUB = 'def answer(x):\n    ...\nmcdl.check("01-power", answer)'
ANSWERS = {"alice": "    return 5 * x**4", "bob": "    return 4 * x**5"}       # right, wrong; carol: none
VERDICTS = {"alice": "✓", "bob": "✗", "carol": "not answered yet"}
CH00_NOTE = "*(Updated by your instructor: office hours are on Fridays.)*"
CH01_NEW_CELL = "## Extra practice\n\nAdded by your instructor after the first class."
RSS_BUDGET_MIB = 300


def parallel(fn, items) -> dict:
    with ThreadPoolExecutor(max(1, len(items))) as pool:
        return dict(zip(items, pool.map(fn, items)))


def power_cell(nb):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == POWER)


# ---------------------------------------------------------------------------------------------- instructor
def run(*cmd, cwd: Path) -> subprocess.CompletedProcess:
    """A command of the instructor's: the venv's bin first on PATH (nbgrader runs `alembic`), no MPLBACKEND,
    a HOME of its own (no ~/.jupyter config leaks in)."""
    home = cwd.parent / "instructor-home"
    home.mkdir(exist_ok=True)
    r = subprocess.run(cmd, cwd=cwd, env=hk.clean_env(HOME=str(home)), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r


@dataclass
class Course:
    dir: Path             # the nbgrader course: source/, release/, submitted/, gradebook.db
    bare: Path            # the class repo the students pull from

    @property
    def release(self) -> Path:
        return self.dir / "release"          # also the instructor's git work tree

    def edit(self, chapter: str, change) -> None:
        path = self.release / chapter / f"{chapter}.ipynb"
        nb = nbformat.read(path, as_version=4)
        change(nb)
        nbformat.write(nb, path)             # canonical JSON, as the students' servers save it (P19)

    def push(self, message: str) -> None:
        hk.git("add", "-A", cwd=self.release)
        hk.git("commit", "-q", "-m", message, cwd=self.release)
        hk.git("push", "-q", "origin", "main", cwd=self.release)


def build_course(tmp: Path) -> Course:
    course = Course(tmp / "course", tmp / "class.git")
    run(PYTHON, "-m", "mcdl", "course", str(course.dir), cwd=tmp)
    for chapter in (CH00, CH01):
        run(NBGRADER, "generate_assignment", chapter, cwd=course.dir)
    assert sorted(p.name for p in course.release.iterdir()) == [CH00, CH01]
    hk.git("init", "-q", "-b", "main", cwd=course.release)
    hk.git("add", "-A", cwd=course.release)
    hk.git("commit", "-q", "-m", "release chapters 00 and 01", cwd=course.release)
    hk.git("clone", "-q", "--bare", str(course.release), str(course.bare))
    hk.git("remote", "add", "origin", str(course.bare), cwd=course.release)
    return course


# ---------------------------------------------------------------------------------------------- the class
@dataclass
class Classroom:
    tmp: Path
    hub: hk.Hub
    course: Course
    sessions: dict        # student -> a requests.Session logged in through the login form
    tokens: dict          # student -> an API token with the student's own rights

    @property
    def link(self) -> str:
        return hk.gitpuller_link(self.hub.url, "file://" + str(self.course.bare), urlpath=f"lab/tree/{NB01}")

    def pull(self, student: str) -> dict:
        return hk.follow_gitpuller_link(self.sessions[student], self.link)

    def home(self, student: str) -> Path:
        return self.hub.homes / student / "course"

    def server(self, student: str) -> str:
        return f"{self.hub.url}/user/{student}"

    def contents(self, student: str, path: str, method: str = "GET", **kw) -> requests.Response:
        r = requests.request(method, f"{self.server(student)}/api/contents/{path}", timeout=60,
                             headers={"Authorization": f"token {self.tokens[student]}"}, **kw)
        r.raise_for_status()
        return r

    def notebook(self, student: str, path: str = NB01):
        return nbformat.from_dict(self.contents(student, path).json()["content"])


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    hub = hk.Hub(tmp / "hub")
    pool = ThreadPoolExecutor(1)
    try:
        course = pool.submit(build_course, tmp)         # the instructor prepares the course meanwhile
        hub.start()
        hub.create_users(STUDENTS)
        parallel(hub.spawn, STUDENTS)                   # each POST blocks until ready (P9): one thread each
        yield Classroom(tmp, hub, course.result(), {s: hub.login(s) for s in STUDENTS},
                        {s: hub.user_token(s) for s in STUDENTS})
    finally:
        try:
            parallel(hub.stop_server, [s for s in STUDENTS if f"server-{s}" in hub.pids])
        finally:
            pool.shutdown(wait=True)
            stopped = hub.stop()
        alive = {name: pid for name, pid in hub.pids.items() if hk.pid_alive(pid)}
        assert not alive, f"still running after teardown: {alive} ({stopped})"
        assert not hk.procs_mentioning(str(tmp)), f"processes still use {tmp}: {hk.procs_mentioning(str(tmp))}"


@pytest.fixture(scope="module")
def pulled(classroom):
    return parallel(classroom.pull, STUDENTS)


@pytest.fixture(scope="module")
def answered(classroom, pulled):
    """alice and bob edit the 01-power answer cell and save through the contents API, as JupyterLab does:
    its save also writes the kernel's language_info into the notebook's metadata (10 more lines)."""
    from ipykernel.ipkernel import IPythonKernel

    for student, line in ANSWERS.items():
        nb = classroom.notebook(student)
        assert power_cell(nb).source == POWER_STUB
        power_cell(nb).source = POWER_STUB.replace("    ...", line)
        nb.metadata.language_info = IPythonKernel.language_info
        classroom.contents(student, NB01, "PUT", json={"type": "notebook", "format": "json", "content": nb})


@pytest.fixture(scope="module")
def ran(classroom, answered):
    """Each student runs the whole chapter 01 in a kernel of their own server, over the websocket."""
    probe = "import os, matplotlib\nprint(os.getcwd(), matplotlib.get_backend())"

    def run_chapter(student):
        cells = [c for c in classroom.notebook(student).cells if c.cell_type == "code"]
        outs = hk.run_notebook_via_ws(classroom.server(student), classroom.tokens[student], NB01,
                                      [c.source for c in cells] + [probe])
        return list(zip(cells, outs[:-1])), outs[-1]
    return parallel(run_chapter, STUDENTS)


@pytest.fixture(scope="module")
def collected(classroom, ran):
    """The instructor collects chapter 01 from each home into submitted/ and starts autograding it; it runs
    while the class carries on, and test_instructor_grades_the_class waits for it."""
    course = classroom.course.dir
    for student in STUDENTS:
        (course / "submitted" / student / CH01).mkdir(parents=True)
        shutil.copy2(classroom.home(student) / CH01 / f"{CH01}.ipynb", course / "submitted" / student / CH01)
    with ThreadPoolExecutor(1) as pool:
        yield pool.submit(run, NBGRADER, "autograde", CH01, cwd=course)


@pytest.fixture(scope="module")
def updated(classroom, collected):
    """The instructor edits chapter 00's first text cell and adds a text cell at the end of chapter 01."""
    def note_office_hours(nb):
        assert nb.cells[0].cell_type == "markdown"
        nb.cells[0].source += "\n\n" + CH00_NOTE

    def add_extra_practice(nb):
        nb.cells.append(nbformat.v4.new_markdown_cell(CH01_NEW_CELL, id="extra-practice"))

    classroom.course.edit(CH00, note_office_hours)
    classroom.course.edit(CH01, add_extra_practice)
    classroom.course.push("chapter 00: office hours; chapter 01: extra practice")
    return parallel(classroom.pull, STUDENTS)


# ---------------------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("student", STUDENTS)
def test_link_delivers_the_course(classroom, pulled, student):
    res = pulled[student]
    assert res["phase"] == "finished", res["output"]
    assert res["landing_status"] == 200 and res["landing_url"].endswith(f"/user/{student}/lab/tree/{NB01}")
    for chapter in (CH00, CH01):
        assert (classroom.home(student) / chapter / f"{chapter}.ipynb").is_file()
    listing = classroom.contents(student, "course").json()["content"]
    assert sorted(item["name"] for item in listing) == [CH00, CH01]


def test_lab_never_asks_about_news(classroom):
    """P15: the override in the state dir reaches JupyterLab's settings (the popup reads fetchNews)."""
    r = requests.get(f"{classroom.server('alice')}/lab/api/settings/@jupyterlab/apputils-extension:notification",
                     headers={"Authorization": f"token {classroom.tokens['alice']}"}, timeout=60)
    r.raise_for_status()
    props = r.json()["schema"]["properties"]
    assert props["fetchNews"]["default"] == "false" and props["checkForUpdates"]["default"] is False


@pytest.mark.parametrize("student", STUDENTS)
def test_student_runs_chapter_01_in_their_kernel(classroom, ran, student):
    cells, probe = ran[student]
    errors = [(i, out["error"]) for i, (cell, out) in enumerate(cells)
              if out["status"] != "ok" and "raises-exception" not in cell.metadata.get("tags", [])]
    assert not errors, errors
    check = next(out for cell, out in cells if cell.metadata.get("nbgrader", {}).get("grade_id") == POWER)
    assert VERDICTS[student] in check["text"], check["text"]
    assert any("image/png" in out["mime"] for _, out in cells), "no inline plot in chapter 01"
    cwd, backend = probe["text"].split()          # the kernel runs beside the notebook, plots inline (P14)
    assert cwd == str(classroom.home(student) / CH01) and backend.endswith("backend_inline"), probe
    assert "MPLBACKEND" not in hk.environ(classroom.hub.pids[f"server-{student}"])    # (ipykernel sets its own)
    progress = classroom.home(student) / CH01 / "mcdl-progress.json"
    if student == "carol":                                  # "not answered yet" is not an attempt
        assert not progress.exists()
    else:
        record = json.loads(progress.read_text())
        assert record["user"] == student
        assert record["exercises"][POWER]["solved"] is (student == "alice")
        assert record["exercises"][POWER]["attempts"] == 1


def test_instructor_reads_the_class_progress(classroom, ran):
    report = classroom.tmp / "class.csv"
    r = run(PYTHON, "-m", "mcdl", "progress", *(str(classroom.hub.homes / s) for s in STUDENTS),
            "--csv", str(report), cwd=classroom.tmp)
    with open(report, newline="") as handle:
        state = {(row["student"], row["exercise"]): row["state"] for row in csv.DictReader(handle)}
    assert state[("alice", POWER)] == "solved" and state[("bob", POWER)] == "attempted"
    assert "carol" not in {student for student, _ in state}
    assert f"skipped: {classroom.hub.homes / 'carol'}: no mcdl-progress.json" in r.stderr, r.stderr


@pytest.mark.parametrize("student", STUDENTS)
def test_course_update_reaches_students_and_keeps_their_work(classroom, updated, student):
    assert updated[student]["phase"] == "finished", updated[student]["output"]
    ch01 = nbformat.read(classroom.home(student) / CH01 / f"{CH01}.ipynb", as_version=4)
    nbformat.validate(ch01)
    assert power_cell(ch01).source == POWER_STUB.replace("    ...", ANSWERS.get(student, "    ..."))
    assert ch01.cells[-1].source == CH01_NEW_CELL
    ch00 = nbformat.read(classroom.home(student) / CH00 / f"{CH00}.ipynb", as_version=4)
    assert ch00.cells[0].source.endswith(CH00_NOTE)


def test_same_cell_conflict_student_version_wins_silently(classroom, updated):
    """nbgitpuller merges with -Xours (recipe 6d): when the instructor changes the very cell a student edited,
    the student's cell stays as it is, the instructor's change to it is dropped, with no backup and no
    message; a student who left the cell alone gets the change."""
    fixed = POWER_STUB.replace("    ...", "    ...  # the derivative of x**5")

    def fix_the_stub(nb):
        power_cell(nb).source = fixed

    classroom.course.edit(CH01, fix_the_stub)
    classroom.course.push("chapter 01: a comment in the 01-power stub")
    pulls = parallel(classroom.pull, STUDENTS)
    for student in STUDENTS:
        assert pulls[student]["phase"] == "finished", pulls[student]["output"]     # no error, no message
        home = classroom.home(student)
        hk.git("merge-base", "--is-ancestor", "origin/main", "HEAD", cwd=home)      # the update was merged ...
        cell = power_cell(nbformat.read(home / CH01 / f"{CH01}.ipynb", as_version=4)).source
        if student in ANSWERS:                              # ... yet the student's own cell is untouched
            assert cell == POWER_STUB.replace("    ...", ANSWERS[student]), (student, cell)
        else:
            assert cell == fixed, (student, cell)
        assert sorted(p.name for p in (home / CH01).glob("*.ipynb")) == [f"{CH01}.ipynb"]   # no backup copy
        assert not list(home.parent.glob("course_backup*"))


def test_student_in_a_real_browser_lands_on_the_chapter(classroom, pulled):
    """Headless Chromium: the link, the login form it leads to, then JupyterLab showing chapter 01."""
    if not os.path.exists(CHROMIUM) or find_spec("playwright") is None:
        if IN_CI:
            pytest.fail(f"the browser test is required under CI=true but {CHROMIUM} or playwright is missing")
        pytest.skip(f"{CHROMIUM} or the playwright package is missing")
    seen, failure = {}, []

    def browse():                 # in a thread of its own: another sync_playwright() may be running in this one
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as p:
                context = p.chromium.launch_persistent_context(
                    str(classroom.tmp / "chromium"), executable_path=CHROMIUM, headless=True,
                    viewport={"width": 1280, "height": 800},
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync",
                          "--disable-component-update", "--no-first-run", "--disable-quic",
                          "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"])    # loopback only
                page = context.pages[0] if context.pages else context.new_page()
                try:
                    page.goto(classroom.link)              # logged out: the hub asks to log in first
                    page.fill("input[name=username]", "carol")
                    page.fill("input[name=password]", classroom.hub.password)
                    page.click("input[type=submit], button[type=submit]")
                    page.wait_for_url(f"**/user/carol/lab/tree/{NB01}", timeout=90_000)
                    page.locator(".jp-RenderedMarkdown h1", has_text="Chapter 01").first.wait_for(timeout=90_000)
                    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=60_000)
                    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(SCREENSHOT))
                    seen["url"], seen["news"] = page.url, page.get_by_text("Jupyter news").count()
                finally:          # P12: leave JupyterLab cleanly, or its server can hang at stop
                    try:
                        page.goto("about:blank")
                        page.wait_for_timeout(1000)
                    finally:
                        context.close()
        except BaseException as error:  # noqa: BLE001  (re-raised in the test's thread)
            failure.append(error)

    thread = threading.Thread(target=browse)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    assert seen["url"].endswith(f"/user/carol/lab/tree/{NB01}") and seen["news"] == 0, seen


def test_instructor_grades_the_class(classroom, collected):
    course = classroom.course.dir
    collected.result()                                      # nbgrader autograde 01_scalar_derivative_rules
    run(NBGRADER, "export", cwd=course)
    with open(course / "grades.csv", newline="") as handle:
        grades = {r["student_id"]: r for r in csv.DictReader(handle) if r["assignment"] == CH01}
    assert sorted(grades) == sorted(STUDENTS)
    score = {s: float(grades[s]["raw_score"]) for s in STUDENTS}
    assert score["alice"] >= 1 and score["bob"] == score["carol"] == 0.0, score
    assert score["alice"] - score["bob"] == 1.0, score
    assert {float(grades[s]["max_score"]) for s in STUDENTS} == {8.0}


def test_student_servers_stay_under_the_memory_budget(classroom, ran):
    rss = {s: hk.rss_mib(classroom.hub.pids[f"server-{s}"]) for s in STUDENTS}
    assert all(mib is not None and mib < RSS_BUDGET_MIB for mib in rss.values()), rss
