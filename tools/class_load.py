#!/usr/bin/env python3
"""A class on one server: K students, each one kernel working through the student version of the whole
course, chapter after chapter in that same kernel (as one learner does), all K at once.

    python tools/class_load.py            # K = 20
    python tools/class_load.py -k 4       # the small class make test runs (tests/test_class_load.py)

Reports the wall time, the cells that failed (must be 0), and per kernel the peak resident memory (VmHWM)
and the resident memory after the last chapter.  ``make bench`` runs it with K = 20.  Each student gets a
folder of their own (their progress file lands there); the kernels see no MPLBACKEND, as in JupyterLab.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TIMEOUT = 600  # seconds a cell may take when 20 kernels share 2 cores


def _status(pid: int, key: str) -> int:
    """A /proc/<pid>/status figure in KiB (VmRSS, VmHWM); 0 when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(rf"^{key}:\s+(\d+)\s+kB", text, re.MULTILINE)
    return int(found.group(1)) if found else 0


def kernel_env() -> dict:
    env = dict(os.environ, PYTHONHASHSEED="0")
    for name in ("MPLBACKEND", "MCDL_PROGRESS", "NBGRADER_EXECUTION"):
        env.pop(name, None)
    return env


def learner(folder: Path, chapters: list[Path], result: dict) -> None:
    """One student: a kernel of their own, every chapter's code cells in order, in that one kernel."""
    import nbformat
    from jupyter_client import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(folder), env=kernel_env(), extra_arguments=["--IPKernelApp.log_level=ERROR"])
    client = km.client()
    client.start_channels()
    result.update(failures=[], rss_kib=[], peak_kib=0, seconds=0.0)
    start = time.perf_counter()
    try:
        client.wait_for_ready(timeout=120)
        pid = km.provisioner.process.pid
        for path in chapters:
            nb = nbformat.read(folder / path.name, as_version=4)
            for index, cell in enumerate(nb.cells):
                tags = cell.metadata.get("tags", [])
                if cell.cell_type != "code" or not cell.source.strip() or "skip-execution" in tags:
                    continue
                reply = client.execute_interactive(cell.source, timeout=TIMEOUT, output_hook=lambda msg: None,
                                                   allow_stdin=False)
                if reply["content"]["status"] != "ok" and "raises-exception" not in tags:
                    content = reply["content"]
                    result["failures"].append(f"{path.name} cell {index}: {content.get('ename')}: "
                                              f"{str(content.get('evalue'))[:120]}")
            result["rss_kib"].append(_status(pid, "VmRSS"))
        result["peak_kib"] = _status(pid, "VmHWM")
    except Exception as error:          # a dead or stuck kernel is a failure of the class, not of this tool
        result["failures"].append(f"{type(error).__name__}: {error}")
    finally:
        result["seconds"] = time.perf_counter() - start
        client.stop_channels()
        km.shutdown_kernel(now=True)


def run_class(k: int = 20, chapters: list[Path] | None = None, workdir: Path | None = None) -> dict:
    """K students at once through ``chapters`` (default: every chapter); returns the per-student results."""
    sys.path.insert(0, str(ROOT))
    from mcdl.student import make_student_versions

    chapters = chapters or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    own = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="mcdl-class-")) if own else Path(workdir)
    try:
        release = workdir / "release"
        make_student_versions(NOTEBOOKS, release)
        results = [dict() for _ in range(k)]
        threads = []
        for number in range(k):
            home = workdir / f"student{number + 1:02d}"
            shutil.copytree(release, home)
            threads.append(threading.Thread(target=learner, args=(home, chapters, results[number])))
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return {"k": k, "chapters": [p.name for p in chapters], "wall": time.perf_counter() - start,
                "students": results}
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


def report(outcome: dict) -> str:
    students = outcome["students"]
    failures = [line for s in students for line in s["failures"]]
    peaks = [s["peak_kib"] / 1024 for s in students]
    finals = [s["rss_kib"][-1] / 1024 if s["rss_kib"] else 0.0 for s in students]
    per_chapter = [statistics.median(s["rss_kib"][i] for s in students) / 1024
                   for i in range(min(len(s["rss_kib"]) for s in students))] if all(
        s["rss_kib"] for s in students) else []
    lines = [f"Class load: {outcome['k']} kernels at once on {os.cpu_count()} cores, each through "
             f"{len(outcome['chapters'])} chapters in order",
             f"  wall time {outcome['wall']:.0f} s; per kernel {min(s['seconds'] for s in students):.0f}–"
             f"{max(s['seconds'] for s in students):.0f} s",
             f"  failed cells: {len(failures)} (must be 0)",
             f"  peak RSS per kernel (VmHWM): median {statistics.median(peaks):.0f} MiB, max {max(peaks):.0f} MiB "
             f"(target ≤ 150 MiB)",
             f"  RSS after the last chapter: median {statistics.median(finals):.0f} MiB, max {max(finals):.0f} MiB"]
    if per_chapter:
        lines.append("  median RSS after each chapter (MiB): "
                     + ", ".join(f"{name[:2]} {mib:.0f}" for name, mib in zip(outcome["chapters"], per_chapter)))
    lines += [f"  ✗ {line}" for line in failures[:20]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=int(os.environ.get("CLASS_K", 20)), help="students (default 20)")
    args = parser.parse_args(argv)
    outcome = run_class(args.k)
    print(report(outcome))
    return 1 if any(s["failures"] for s in outcome["students"]) else 0


if __name__ == "__main__":
    sys.exit(main())
