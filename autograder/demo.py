"""The main job: release the assignment, grade example submissions with nbgrader, report.

    python -m autograder.demo [--course DIR] [--assignment step_by_step]

Steps, each safe to repeat:
1. create the course's grading salt if there is none (file ``grading_salt``);
2. ``nbgrader generate_assignment`` (source/ -> release/);
3. write four example submissions into ``submitted/``: the source solutions,
   an alternative but valid style, a partly wrong one, the untouched release;
4. ``nbgrader autograde`` and ``nbgrader generate_feedback``;
5. print a score table and write ``out/<assignment>_scores.csv``;
6. grade the same submissions with the batch grader (``python -m autograder
   grade``, results in ``grading/``) and report whether it agrees with nbgrader.
"""
import argparse
import csv
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from autograder import examples
from autograder.assignments import exercises

STUDENTS = ("correct", "alternative", "partly_wrong", "untouched")


def tool_environment(base=None):
    """The environment for nbgrader: this interpreter's scripts (alembic) come first on PATH."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    return env


def nbgrader(course, *args, env=None):
    """Run one nbgrader command in the course directory; stop with its output if it fails."""
    command = [sys.executable, "-m", "nbgrader", *args]
    done = subprocess.run(command, cwd=course, capture_output=True, text=True, env=tool_environment(env))
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"nbgrader {' '.join(args)} failed with exit code {done.returncode}")
    return done.stdout + done.stderr


def ensure_salt(course):
    """Create the course's secret grading salt once; never overwrite it."""
    salt = course / "grading_salt"
    if not salt.exists():
        salt.write_text(secrets.token_hex(16) + "\n", encoding="utf-8")
    return salt


def write_submissions(course, assignment):
    """Write the example submissions; returns {student: path}."""
    name = f"{assignment}.ipynb"
    source = nbformat.read(course / "source" / assignment / name, as_version=4)
    release = nbformat.read(course / "release" / assignment / name, as_version=4)
    notebooks = {
        "correct": examples.correct(release, source),
        "alternative": examples.alternative(release),
        "partly_wrong": examples.partly_wrong(release, source),
        "untouched": examples.untouched(release),
    }
    paths = {}
    for student, nb in notebooks.items():
        path = course / "submitted" / student / assignment / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        paths[student] = path
    return paths


def read_scores(course, assignment, students=STUDENTS):
    """{student: {grade_id: points}} from the course gradebook."""
    from nbgrader.api import Gradebook
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            submission = gradebook.find_submission_notebook(assignment, assignment, student)  # notebook, assignment, student
            scores[student] = {grade.name: grade.score for grade in submission.grades}
    return scores


def print_table(scores, assignment, out=sys.stdout):
    """Score table: one row per student, one column per exercise, then the total."""
    names = list(exercises(assignment))
    maximum = sum(e.points for e in exercises(assignment).values())
    short = [f"{i + 1:>5}" for i in range(len(names))]
    out.write(f"{'student':<14}" + "".join(short) + f"{'total':>9}\n")
    for student, grades in scores.items():
        row = "".join(f"{grades.get(n, 0):>5g}" for n in names)
        out.write(f"{student:<14}{row}{sum(grades.get(n, 0) for n in names):>6g}/{maximum:g}\n")
    out.write("columns: " + ", ".join(f"{i + 1}={n}" for i, n in enumerate(names)) + "\n")


def write_csv(scores, assignment, path):
    names = list(exercises(assignment))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *names, "total"])
        for student, grades in scores.items():
            writer.writerow([student, *(grades.get(n, 0) for n in names), sum(grades.values())])


def batch_agrees(course, assignment, scores):
    """Grade ``submitted/`` with the batch grader; print its table and whether it agrees."""
    import json
    print(f"\n[5/5] python -m autograder grade submitted --assignment {assignment}", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "submitted", "--assignment", assignment,
         "--format", "json", "--results", os.path.join("grading", "results.sqlite")],
        cwd=course, capture_output=True, text=True, env=tool_environment())
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit("the batch grader failed")
    sys.stdout.write("".join(line + "\n" for line in done.stderr.splitlines() if " submissions in " in line))
    batch = {r["student"]: {e["function"]: e["points"] for e in r["exercises"]}
             for r in map(json.loads, done.stdout.splitlines())}
    differ = sorted(s for s in scores if batch.get(s) != scores[s])
    print("batch grader: " + ("same scores as nbgrader for every submission" if not differ
                              else f"DIFFERS from nbgrader for {', '.join(differ)}"))
    if differ:
        raise SystemExit(1)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="course directory (default: here)")
    parser.add_argument("--assignment", default="step_by_step")
    args = parser.parse_args(argv)
    course, assignment = args.course.resolve(), args.assignment
    started = time.perf_counter()

    ensure_salt(course)
    print(f"[1/5] nbgrader generate_assignment {assignment}", flush=True)
    nbgrader(course, "generate_assignment", assignment, "--force")
    print(f"[2/5] writing example submissions: {', '.join(STUDENTS)}", flush=True)
    write_submissions(course, assignment)
    print(f"[3/5] nbgrader autograde {assignment}", flush=True)
    nbgrader(course, "autograde", assignment, "--force", "--Autograde.create_student=True")
    print(f"[4/5] nbgrader generate_feedback {assignment}", flush=True)
    nbgrader(course, "generate_feedback", assignment, "--force")

    scores = read_scores(course, assignment)
    print()
    print_table(scores, assignment)
    csv_path = course / "out" / f"{assignment}_scores.csv"
    write_csv(scores, assignment, csv_path)
    print(f"\nscores: {csv_path.relative_to(course)}")
    print(f"feedback: {(course / 'feedback').relative_to(course)}/<student>/{assignment}/{assignment}.html")
    batch_agrees(course, assignment, scores)
    print(f"main job took {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
