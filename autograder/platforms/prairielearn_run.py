"""PrairieLearn's external-grading entrypoint: grade ``<root>/student/`` into
``<root>/results/results.json``.

``python -m autograder.platforms.prairielearn_run --assignment ID [--root /grade]
[--salt FILE] [-- GRADE-ARGS...]``, run as root in an image that has this project
installed readable by root only (as ``gradescope-zip``'s ``setup.sh`` leaves it). The salt
is moved from ``--salt`` (default ``<root>/serverFilesCourse/grading_salt``) into
``/root/dnn-grading-secret/`` (0700, file 0600) before anything runs, and the folders
PrairieLearn mounts for the course (``serverFilesCourse``, ``tests``, ``data``) are made
root-only: the sandbox's unprivileged user can read neither.

PrairieLearn's format (see ``autograder.platforms.prairielearn``): ``score`` in [0, 1],
``gradable`` false for a file that is not the assignment's notebook or when no notebook
was submitted (the attempt is not counted). When the grader itself cannot run, no
results file is written and the exit status is 1: PrairieLearn reports a grading failure.
"""
import argparse
import os
import sys
from pathlib import Path

from autograder.platforms import container
from autograder.platforms.gradescope import write_json

SECRET = Path("/root/dnn-grading-secret")


def no_notebook(assignment):
    return {"gradable": False, "format_errors": [f"no notebook was submitted: upload {assignment}.ipynb"],
            "message": f"No notebook was found in your submission: upload {assignment}.ipynb.", "tests": []}


def run(root, assignment, salt, secret, extra=()):
    for name in ("serverFilesCourse", "tests", "data"):
        if (root / name).is_dir():
            os.chmod(root / name, 0o700)
    secret = container.secure_salt(secret, [salt])
    results = root / "results" / "results.json"
    notebook = container.find_notebook(root / "student", assignment)
    if notebook is None:
        write_json(results, no_notebook(assignment))
        return 0
    found = container.grade_one(notebook, assignment, secret, root / "grading", "prairielearn", extra)
    if found is None:
        return 1
    write_json(results, found)
    print(f"wrote {results}", flush=True)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.platforms.prairielearn_run")
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--root", default="/grade")
    parser.add_argument("--salt", help="the salt file (default: <root>/serverFilesCourse/grading_salt)")
    parser.add_argument("--secret-dir", default=str(SECRET), help="where the salt is kept, root only")
    parser.add_argument("grade_args", nargs="*", help="extra arguments for `grade` (after --)")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    salt = Path(args.salt) if args.salt else root / "serverFilesCourse" / container.SALT
    return run(root, args.assignment, salt, Path(args.secret_dir), args.grade_args)


if __name__ == "__main__":
    sys.exit(main())
