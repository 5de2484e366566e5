"""How far a learner has come: every ``mcdl.check`` of a bank exercise is recorded in a small JSON file.

The file is :data:`FILENAME` in the folder the notebook runs in (beside the learner's notebooks).  It holds,
per exercise, how many times it was checked, whether it was ever solved, the last verdict and when; never
the learner's code or answers.  Nothing leaves the machine.

* :func:`record` — called by ``check``; records nothing when nbgrader runs the notebook, outside a Jupyter
  kernel, in the course's own ``notebooks/`` folder (the instructor's copy) or inside an nbgrader course
  directory (a folder with ``nbgrader_config.py`` up to three levels up), or with ``MCDL_PROGRESS=off``
  (``MCDL_PROGRESS=/some/file.json`` records there instead);
* :func:`progress` — ``mcdl.progress()`` in a notebook: per chapter, which exercises are solved, attempted,
  untouched; a table and a picture;
* :func:`class_report` — ``python -m mcdl progress DIR...``: a class's files, per student and exercise, as a
  table and a CSV; a missing or corrupted file is reported and skipped.  It only reads JSON.
"""
from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

FILENAME = "mcdl-progress.json"
FORMAT = "mcdl-progress"
VERSION = 1
STATES = ("solved", "attempted", "untouched")
COLOURS = {"solved": "#2e7d32", "attempted": "#f9a825", "untouched": "#e0e0e0"}
TITLES = {"00": "Start here", "01": "Scalar derivative rules", "02": "Partial derivatives", "03": "Gradients",
          "04": "Jacobians", "05": "Element-wise operations", "06": "Scalar expansion", "07": "Sum reduction",
          "08": "Chain rules", "09": "The neuron's gradient", "10": "Training the neuron",
          "11": "The reference"}


ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class ProgressError(ValueError):
    """A progress file that cannot be read (one line, naming the file)."""


# ====================================================================================================
# Recording
# ====================================================================================================
def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _in_kernel() -> bool:
    shell = sys.modules.get("IPython") and getattr(sys.modules["IPython"], "get_ipython", lambda: None)()
    return shell is not None and "ipykernel" in sys.modules and hasattr(shell, "kernel")


def progress_path() -> Path | None:
    """Where this kernel records progress, or None when it does not (see the module docstring)."""
    from .grading import under_nbgrader
    from .student import NOTEBOOKS

    setting = os.environ.get("MCDL_PROGRESS", "").strip()
    if setting.lower() in ("0", "off", "no", "false") or under_nbgrader():
        return None
    if setting and setting.lower() not in ("1", "on", "yes", "true"):
        target = Path(setting)
        return target / FILENAME if target.is_dir() else target
    if not _in_kernel():
        return None
    folder = Path.cwd()
    try:
        here = folder.resolve()
        if here == NOTEBOOKS.resolve():
            return None
        # an instructor's nbgrader course (source/, release/, autograded/...): a file there could be published
        if any((parent / "nbgrader_config.py").is_file() for parent in [here, *here.parents][:4]):
            return None
    except OSError:
        return None
    return folder / FILENAME


def empty_record() -> dict:
    user = os.environ.get("JUPYTERHUB_USER") or os.environ.get("USER") or os.environ.get("USERNAME") or ""
    return {"format": FORMAT, "version": VERSION, "user": user, "exercises": {}}


def read_record(path: str | os.PathLike) -> dict:
    """The record in ``path``; :class:`ProgressError` (one line) when it is missing or not a progress file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProgressError(f"{path}: no progress file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProgressError(f"{path}: cannot be read ({error})") from None
    except (ValueError, RecursionError) as error:
        raise ProgressError(f"{path}: corrupted (not JSON: {str(error)[:120]})") from None
    if not (isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("exercises"), dict)):
        raise ProgressError(f"{path}: not an mcdl progress file")
    exercises = {}
    for exercise_id, entry in data["exercises"].items():        # keep only well-formed entries, as they are
        if not isinstance(entry, dict):
            continue
        attempts = entry.get("attempts", 0)
        if not (isinstance(attempts, int) and not isinstance(attempts, bool) and 0 <= attempts < 10**9):
            continue
        stamp = entry.get("last_at", "")
        exercises[str(exercise_id)] = {**entry, "attempts": attempts, "solved": entry.get("solved") is True,
                                       "last_at": stamp if isinstance(stamp, str) and ISO.match(stamp) else ""}
    data["exercises"] = exercises
    return data


def _locked(handle):
    try:
        import fcntl
    except ImportError:             # Windows: two chapters checking in the same second may lose one count
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def record(feedback, ex, path: str | os.PathLike | None = None) -> Path | None:
    """Add one check's outcome to the learner's progress file; returns the file, or None if not recorded.

    "Not answered yet" is not an attempt.  A corrupted file is kept as ``FILENAME.corrupt`` and a new one is
    started, so a broken file never stops a check.
    """
    if feedback.status == "not-answered":
        return None
    target = Path(path) if path is not None else progress_path()
    if target is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".lock"), "a") as lock:
        _locked(lock)
        try:
            data = read_record(target)
        except ProgressError:
            if target.exists():
                if target.name != FILENAME or not target.is_file():
                    return None         # someone else's file: never moved aside or written over
                target.replace(target.with_name(target.name + ".corrupt"))
            data = empty_record()
        now = _now()
        entry = data["exercises"].setdefault(ex.id, {"chapter": ex.chapter, "attempts": 0, "solved": False,
                                                     "first_at": now})
        entry["attempts"] = int(entry.get("attempts", 0)) + 1
        entry["last"] = feedback.status
        entry["last_at"] = now
        if feedback.correct and not entry.get("solved"):
            entry["solved"], entry["solved_at"] = True, now
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        temporary.replace(target)
    return target


# ====================================================================================================
# One learner's progress
# ====================================================================================================
def state_of(entry: dict | None) -> str:
    if not entry:
        return "untouched"
    return "solved" if entry.get("solved") else ("attempted" if entry.get("attempts") else "untouched")


@dataclass
class Progress:
    """One learner's progress: ``states`` maps every bank exercise id to solved / attempted / untouched."""

    states: dict
    source: str = ""
    user: str = ""
    note: str = ""
    attempts: dict = field(default_factory=dict)

    def chapters(self) -> list[dict]:
        """One row per chapter: its title and how many exercises are in each state."""
        from .exercises import CHAPTERS, for_chapter

        rows = []
        for chapter in CHAPTERS:
            ids = [ex.id for ex in for_chapter(chapter)]
            row = {"chapter": chapter, "title": TITLES.get(chapter, chapter), "total": len(ids)}
            row.update({state: sum(self.states[i] == state for i in ids) for state in STATES})
            rows.append(row)
        return rows

    @property
    def solved(self) -> int:
        return sum(state == "solved" for state in self.states.values())

    def summary(self) -> str:
        total = len(self.states)
        attempted = sum(state == "attempted" for state in self.states.values())
        return f"{self.solved} of {total} exercises solved, {attempted} attempted"

    def __str__(self) -> str:
        lines = [f"{'chapter':<32} solved  attempted  untouched"]
        for row in self.chapters():
            lines.append(f"{row['chapter'] + ' ' + row['title']:<32} {row['solved']:>3}/{row['total']:<3} "
                         f"{row['attempted']:>6}  {row['untouched']:>9}")
        lines.append(self.summary() + (f" ({self.note})" if self.note else ""))
        return "\n".join(lines)

    __repr__ = __str__

    def figure(self):
        """The picture: one row per chapter, one square per exercise, coloured by its state."""
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch, Rectangle

        from .exercises import CHAPTERS, for_chapter

        widest = max(len(for_chapter(chapter)) for chapter in CHAPTERS)
        fig = Figure(figsize=(7.2, 0.3 * len(CHAPTERS) + 1.0), dpi=100)
        ax = fig.add_axes([0.34, 0.14, 0.64, 0.74])
        for row, chapter in enumerate(CHAPTERS):
            for column, ex in enumerate(for_chapter(chapter)):
                state = self.states[ex.id]
                ax.add_patch(Rectangle((column + 0.08, row + 0.1), 0.84, 0.8, color=COLOURS[state], lw=0))
        ax.set_xlim(0, widest)
        ax.set_ylim(len(CHAPTERS), 0)
        ax.set_yticks([row + 0.5 for row in range(len(CHAPTERS))],
                      [f"{chapter} {TITLES.get(chapter, '')}" for chapter in CHAPTERS], fontsize=8)
        ax.set_xticks([])
        for side in ax.spines.values():
            side.set_visible(False)
        ax.tick_params(left=False)
        ax.set_title(self.summary(), fontsize=9, loc="left")
        fig.legend(handles=[Patch(color=COLOURS[s], label=s) for s in STATES], loc="lower center", ncol=3,
                   fontsize=8, frameon=False)
        return fig

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png")
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        import base64

        rows = "".join(
            f"<tr><td>{html.escape(r['chapter'])} {html.escape(r['title'])}</td><td>{r['solved']} / {r['total']}"
            f"</td><td>{r['attempted']}</td><td>{r['untouched']}</td></tr>" for r in self.chapters())
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        picture = base64.b64encode(self.png()).decode("ascii")
        return (f'<div class="mcdl-progress">{note}<img alt="{html.escape(self.summary())}" '
                f'src="data:image/png;base64,{picture}"/><table><thead><tr><th>chapter</th><th>solved</th>'
                f"<th>attempted</th><th>untouched</th></tr></thead><tbody>{rows}</tbody></table></div>")


def progress_of(data: dict | None, source: str = "", note: str = "") -> Progress:
    from .exercises import EXERCISES

    entries = (data or {}).get("exercises", {})
    return Progress({i: state_of(entries.get(i)) for i in EXERCISES}, source=source,
                    user=(data or {}).get("user", ""), note=note,
                    attempts={i: int(entries.get(i, {}).get("attempts", 0)) for i in EXERCISES})


def progress(path: str | os.PathLike | None = None) -> Progress:
    """Your progress through the course: ``mcdl.progress()`` in any chapter (its folder's progress file) or
    ``mcdl.progress("some/folder")``.  Shows a table and a picture; ``str()`` of it is the table as text."""
    if path is None:
        target = progress_path() or Path.cwd() / FILENAME
    else:
        target = Path(path)
        target = target / FILENAME if target.is_dir() else target
    try:
        return progress_of(read_record(target), source=str(target))
    except ProgressError as error:
        note = ("nothing recorded yet: check an exercise and come back" if "no progress file" in str(error)
                else f"{error}; starting afresh at the next check")
        return progress_of(None, source=str(target), note=note)


# ====================================================================================================
# A class's progress
# ====================================================================================================
def find_files(folder: str | os.PathLike) -> list[Path]:
    folder = Path(folder)
    if folder.is_file():
        return [folder]
    return sorted(folder.rglob(FILENAME)) if folder.is_dir() else []


def class_report(folders: list[str | os.PathLike]) -> tuple[list[dict], list[str]]:
    """Read every student's progress file under ``folders`` (one folder per student, e.g. their homes).

    Returns ``(rows, problems)``: one row per student and exercise (student, chapter, exercise, state,
    attempts, last_at) and one line per folder or file that was skipped.  The student is the folder's name.
    """
    from .exercises import EXERCISES

    rows, problems = [], []
    for folder, student in zip(folders, student_names(folders)):
        files = find_files(folder)
        if not files:
            problems.append(f"{folder}: no {FILENAME} (nothing checked yet, or not a student's folder)")
            continue
        merged: dict = {}
        read = 0
        for path in files:
            try:
                data = read_record(path)
            except ProgressError as error:
                problems.append(f"{error}; skipped")
                continue
            read += 1
            for exercise_id, entry in data["exercises"].items():     # several files: add them up
                if exercise_id not in EXERCISES:
                    continue
                total = merged.setdefault(exercise_id, {"attempts": 0, "solved": False, "last_at": ""})
                total["attempts"] += int(entry.get("attempts", 0))
                total["solved"] = total["solved"] or bool(entry.get("solved"))
                total["last_at"] = max(total["last_at"], str(entry.get("last_at", "")))
        if not read:
            continue
        for exercise_id, ex in EXERCISES.items():
            entry = merged.get(exercise_id)
            rows.append({"student": student, "chapter": ex.chapter, "exercise": exercise_id,
                         "state": state_of(entry), "attempts": int((entry or {}).get("attempts", 0)),
                         "last_at": (entry or {}).get("last_at", "")})
    return rows, problems


def student_names(folders) -> list[str]:
    """A name per student folder: its own name or, when those repeat (``/home/*/mcdl``), the first parent
    whose names tell the folders apart (``/home/alice/mcdl`` is alice)."""
    paths = [(Path(f) if Path(f).is_dir() else Path(f).parent).resolve() for f in folders]
    for up in range(max((len(p.parts) for p in paths), default=1)):
        names = [p.parts[-1 - up] if len(p.parts) > up else str(p) for p in paths]
        if len(set(names)) == len(names):
            return names
    return [str(p) for p in paths]


def report_table(rows: list[dict]) -> str:
    """Students down, chapters across: solved/total per chapter and in all."""
    from .exercises import CHAPTERS, for_chapter

    students = list(dict.fromkeys(row["student"] for row in rows))
    width = max([7] + [len(s) for s in students])
    header = f"{'student':<{width}} " + " ".join(f"{c:>5}" for c in CHAPTERS) + "   total"
    lines = [header]
    for student in students:
        mine = [row for row in rows if row["student"] == student]
        cells = []
        for chapter in CHAPTERS:
            solved = sum(row["state"] == "solved" for row in mine if row["chapter"] == chapter)
            cells.append(f"{solved}/{len(for_chapter(chapter))}".rjust(5))
        total = sum(row["state"] == "solved" for row in mine)
        lines.append(f"{student:<{width}} " + " ".join(cells) + f"   {total}/{len(mine)}")
    return "\n".join(lines)


def report_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["student", "chapter", "exercise", "state", "attempts", "last_at"],
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:        # a spreadsheet must never read a cell as a formula
        writer.writerow({key: "'" + value if isinstance(value, str) and value[:1] in "=+-@" else value
                         for key, value in row.items()})
    return buffer.getvalue()
