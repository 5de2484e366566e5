"""A small class at once: 4 kernels, each working through the student version of the whole course in order
(``tools/class_load.py``; ``make bench`` runs 20).  No cell may fail; the figures go to artifacts/ and are
measured, never asserted (memory and time targets live in ``make bench``)."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("class_load", ROOT / "tools" / "class_load.py")
class_load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(class_load)


@pytest.mark.slow
def test_four_students_work_through_the_whole_course_at_once(tmp_path):
    outcome = class_load.run_class(4, workdir=tmp_path)
    text = class_load.report(outcome)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "class_load.txt").write_text(text + "\n", encoding="utf-8")
    failures = [line for student in outcome["students"] for line in student["failures"]]
    assert not failures, text
    chapters = len(outcome["chapters"])
    assert chapters == len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    assert all(len(student["rss_kib"]) == chapters and student["peak_kib"] > 0 for student in outcome["students"])
    # student versions answer nothing, so nobody has attempted anything yet
    assert not list(tmp_path.glob("student*/mcdl-progress.json"))
