"""Command line: ``python -m mcdl doctor | student OUT | mywork | course OUT | grading | progress DIR... |
cheatsheet`` (``python -m mcdl --help`` says what each does)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import doctor

    return doctor()


def _student(args: argparse.Namespace) -> int:
    from .student import SolutionBlockError, make_student_versions

    try:
        written = make_student_versions(args.src, args.out, force=args.force)
    except (FileExistsError, FileNotFoundError, SolutionBlockError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    print(f"{len(written)} student notebook(s) written to {args.out}"
          + ("" if written else " (all up to date)"))
    return 0


def _mywork(args: argparse.Namespace) -> int:
    from .student import SolutionBlockError, update_working_copy

    try:
        report = update_working_copy(args.src, args.out)
    except (FileNotFoundError, SolutionBlockError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for name in report["written"]:
        print(f"new chapter: {args.out}/{name}")
    for name in report["refreshed"]:
        print(f"updated (you had not changed it): {args.out}/{name}")
    for name in report["kept"]:
        print(f"kept your work in {args.out}/{name}; the course's newer version of this chapter is in "
              f"{args.src}/{name} (delete your copy to start it afresh)")
    if not any(report.values()):
        print(f"your working copy in {args.out} is up to date")
    return 0


def _course(args: argparse.Namespace) -> int:
    from .grading import make_course

    try:
        written = make_course(args.out, args.src, course_id=args.course_id, force=args.force)
    except (FileExistsError, FileNotFoundError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    print(f"the nbgrader course is in {args.out} ({len(written)} file(s) written"
          + ("" if written else ", all up to date") + f"); next: cd {args.out} && nbgrader generate_assignment "
          "01_scalar_derivative_rules (docs/teaching.md walks through grading)")
    return 0


def _grading(args: argparse.Namespace) -> int:
    import nbformat

    from .grading import mark_notebook
    from .student import SolutionBlockError, read_course_notebook

    stale = []
    try:
        for path in sorted(Path(args.src).glob("*.ipynb")):
            nb = read_course_notebook(path)
            before = nbformat.writes(nb)
            ids = mark_notebook(nb, name=path.name)
            if nbformat.writes(nb) != before:
                stale.append(path)
                if args.mark:
                    nbformat.write(nb, path)
            print(f"{path.name}: {len(ids)} graded exercise(s)" + (" (marked now)" if args.mark and
                                                                    path in stale else ""))
    except (SolutionBlockError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if stale and not args.mark:
        print("not marked for nbgrader: " + ", ".join(p.name for p in stale)
              + " (run: python -m mcdl grading --mark, then make notebooks)", file=sys.stderr)
        return 1
    return 0


def _progress(args: argparse.Namespace) -> int:
    from .tracking import class_report, report_csv, report_table

    rows, problems = class_report(args.folders)
    for line in problems:
        print(f"skipped: {line}", file=sys.stderr)
    if not rows:
        print("no progress files found", file=sys.stderr)
        return 1
    print(report_table(rows))
    if args.csv:
        try:
            with open(args.csv, "w", encoding="utf-8", newline="") as handle:
                handle.write(report_csv(rows))
        except OSError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"one row per student and exercise: {args.csv}")
    return 0


def _cheatsheet(args: argparse.Namespace) -> int:
    from .reference import cheatsheet

    try:
        paths = cheatsheet(args.out)
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"the cheat sheet: {paths['pdf']} (two A4 pages to print) and {paths['html']} (the same pages, "
          "for a browser)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .student import NOTEBOOKS

    parser = argparse.ArgumentParser(
        prog="python -m mcdl",
        description="The Matrix Calculus You Need For Deep Learning, as an interactive course.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    doctor = commands.add_parser("doctor", help="check this Python, JupyterLab, widgets and kernel setup",
                                 description="Check the setup the notebooks need; print a fix for each problem. "
                                             "Exit status 0 when everything is fine. No network access.")
    doctor.set_defaults(run=_doctor)

    student = commands.add_parser("student", help="write student versions of the notebooks (solutions removed)",
                                  description="Write every notebook with its '### BEGIN SOLUTION' ... "
                                              "'### END SOLUTION' blocks replaced by '...' and the outputs "
                                              "of those cells cleared.")
    student.add_argument("out", help="folder to write the student notebooks into (e.g. build/student)")
    student.add_argument("--src", default=str(NOTEBOOKS), help="folder of the course notebooks (default: %(default)s)")
    student.add_argument("--force", action="store_true",
                         help="replace student notebooks that differ (the old ones are kept as .bak)")
    student.set_defaults(run=_student)

    from .student import WORKDIR
    mywork = commands.add_parser("mywork", help="make or refresh your own working copy of the course",
                                 description="Write the student version of every chapter into your working "
                                             "folder: new chapters are added, chapters you have not touched "
                                             "are refreshed, chapters you edited are never overwritten.")
    mywork.add_argument("--out", default=str(WORKDIR), help="your working folder (default: %(default)s)")
    mywork.add_argument("--src", default=str(NOTEBOOKS), help="folder of the course notebooks (default: %(default)s)")
    mywork.set_defaults(run=_mywork)

    course = commands.add_parser("course", help="lay out an nbgrader course directory (source/<chapter>/)",
                                 description="Copy every chapter into OUT/source/<chapter>/ as an nbgrader "
                                             "source notebook and write OUT/nbgrader_config.py, so nbgrader's "
                                             "generate_assignment, autograde, generate_feedback and export "
                                             "work from OUT.")
    course.add_argument("out", help="the course folder (e.g. build/course)")
    course.add_argument("--src", default=str(NOTEBOOKS), help="folder of the course notebooks (default: %(default)s)")
    course.add_argument("--course-id", default="mcdl", help="nbgrader's course id (default: %(default)s)")
    course.add_argument("--force", action="store_true",
                        help="replace files that differ (the old ones are kept as .bak)")
    course.set_defaults(run=_course)

    grading = commands.add_parser("grading", help="check (or add) the nbgrader cells of the course notebooks",
                                  description="Every answer cell must be an nbgrader solution cell followed by "
                                              "its locked graded cell. Exit status 1 when one is missing; "
                                              "--mark adds them.")
    grading.add_argument("--src", default=str(NOTEBOOKS), help="folder of the course notebooks (default: %(default)s)")
    grading.add_argument("--mark", action="store_true", help="add or repair the nbgrader cells in place")
    grading.set_defaults(run=_grading)

    report = commands.add_parser("progress", help="a class's progress: one folder per student",
                                 description="Read the mcdl-progress.json files under each folder (one folder "
                                             "per student, e.g. their home directories) and print solved "
                                             "exercises per student and chapter. Runs nothing.")
    report.add_argument("folders", nargs="+", help="one folder per student")
    report.add_argument("--csv", help="also write one row per student and exercise to this CSV file")
    report.set_defaults(run=_progress)

    sheet = commands.add_parser("cheatsheet", help="write the two-page matrix-calculus cheat sheet (PDF and HTML)",
                                description="Draw every identity of the course, the chain rules and the notation "
                                            "on two A4 pages, each rule checked against finite differences; "
                                            "matplotlib alone, no LaTeX and no network needed.")
    sheet.add_argument("--out", default="build/cheatsheet", help="folder to write into (default: %(default)s)")
    sheet.set_defaults(run=_cheatsheet)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
