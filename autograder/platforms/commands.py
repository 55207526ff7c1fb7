"""The command-line parts of the platform outputs, hooked into ``autograder.cli``.

- ``grade ... --format gradescope|prairielearn [--output-dir DIR]``: each submission's
  ``results.json`` in ``DIR/<student>/results.json``, or one JSON object per line on
  standard output without ``--output-dir``;
- ``grade ... --gradebook [URL]``: the results into the gradebook of the nbgrader course
  in ``--course-dir`` (URL: any SQLAlchemy URL, default nbgrader's configured one);
- ``gradescope-zip --assignment ID --out FILE``: Gradescope's autograder.zip.
"""
import json
import os
import sys

from autograder.platforms import gradescope, prairielearn

FORMATS = ("gradescope", "prairielearn")
GRADER_ERROR = "error"   # the status of a result the grader failed to produce (never stored)


def add_grade_options(grade):
    """The ``grade`` subcommand's options of this package."""
    grade.add_argument("--output-dir", metavar="DIR",
                       help="with --format gradescope|prairielearn: write DIR/<student>/results.json")
    grade.add_argument("--visibility", choices=gradescope.VISIBILITIES, default="visible",
                       help="Gradescope's top-level visibility of the results (default: visible)")
    grade.add_argument("--gradebook", nargs="?", const="", default=None, metavar="URL",
                       help="also write the results into the nbgrader gradebook of --course-dir "
                            "(URL: a SQLAlchemy URL; default: the course's nbgrader configuration)")


def add_commands(commands, assignment_ids):
    """The subcommands of this package."""
    build = commands.add_parser("gradescope-zip", help="build Gradescope's autograder.zip")
    build.add_argument("--assignment", required=True, choices=assignment_ids)
    build.add_argument("--out", required=True, metavar="FILE", help="the zip file to write")
    build.add_argument("--course-dir", default=".", help="where the grading_salt file is")
    build.add_argument("--visibility", choices=gradescope.VISIBILITIES, default="visible")
    build.add_argument("--grade-arg", action="append", default=[], metavar="ARG",
                       help="an extra argument for `grade` inside Gradescope (repeatable)")
    build.set_defaults(run=_gradescope_zip)


def _gradescope_zip(args):
    from autograder.cli import _salt
    from autograder.platforms import gradescope_zip
    try:
        path = gradescope_zip.build(args.assignment, args.out, _salt(args.course_dir),
                                    visibility=args.visibility, grade_args=args.grade_arg)
    except gradescope_zip.BuildError as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"wrote {path}: an instructor secret (it holds the grading salt); upload it to Gradescope "
          "as the assignment's autograder, and do not share it", file=sys.stderr)
    return 0


def platform_json(fmt, result, seconds=None, visibility="visible"):
    """The platform's results.json object of one result."""
    if fmt == "gradescope":
        return gradescope.results_json(result, seconds, visibility)
    return prairielearn.results_json(result)


def write_formats(args, results, seconds):
    """``--format gradescope|prairielearn``: files under --output-dir, or JSON lines on stdout.
    Returns the exit status (1 when a result could not be written)."""
    seconds = seconds if len(results) == 1 else None
    status = 0
    failed = [r for r in results if r["status"] == GRADER_ERROR]
    for result in failed:   # the grader's failure is not a grade: no file, so the platform says so
        print(f"warning: no {args.format} results for {result['submission']}: {result.get('error')}",
              file=sys.stderr)
        status = 1
    results = [r for r in results if r["status"] != GRADER_ERROR]
    if not args.output_dir:
        for result in results:
            sys.stdout.write(json.dumps(platform_json(args.format, result, seconds, args.visibility),
                                        sort_keys=True) + "\n")
        return status
    students = [r["student"] for r in results]
    for result in results:
        student = result["student"]
        if students.count(student) > 1 or not student or student.startswith(".") or os.sep in student:
            print(f"warning: no {args.format} results for {result['submission']}: its student "
                  f"name {student!r} is repeated in this batch or unusable as a folder", file=sys.stderr)
            status = 1
            continue
        gradescope.write_json(os.path.join(args.output_dir, student, "results.json"),
                              platform_json(args.format, result, seconds, args.visibility))
    return status


def write_gradebook(args, results):
    """``--gradebook``: the results into the course's gradebook; the exit status."""
    from autograder.platforms import gradebook
    try:
        outcome = gradebook.write_to_course(results, args.course_dir, args.assignment, args.gradebook or None)
    except gradebook.GradebookError as exc:
        print(f"error: nothing written to the gradebook: {exc} (the results are stored in "
              f"{args.results}; run the same command again once fixed)", file=sys.stderr)
        return 2
    for student, reason in sorted(outcome.skipped.items()):
        print(f"warning: gradebook: {student} not written: {reason}", file=sys.stderr)
    if not args.quiet:
        print(f"gradebook: {len(outcome.written)} submissions written", file=sys.stderr)
    return 1 if outcome.skipped else 0
