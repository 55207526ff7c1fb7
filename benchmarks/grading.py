"""Throughput of the batch grader against ``nbgrader autograde`` on the same submissions.

Builds a throw-away course directory with N distinct ``step_by_step``
submissions (honest examples with random subsets of catalogued mistakes,
each one different), grades them with ``nbgrader autograde`` and with
``python -m autograder grade --workers W`` in the same run, checks the two
agree on every score, and prints submissions per second for both and the
ratio. Then it grades ``--large`` submissions with the batch grader alone
(the one-minute target for 1,000).

    OPENBLAS_NUM_THREADS=1 python benchmarks/grading.py [--submissions 100] [--workers 2] [--large 1000]

Targets (issue 3): at least 30 times nbgrader's throughput on 2 cores, and
1,000 submissions in under a minute.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import demo, examples
from autograder.assignments import exercises

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "step_by_step"


def make_course(folder, salt):
    shutil.copytree(ROOT / "source", folder / "source")
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    (folder / "grading_salt").write_text(salt + "\n")
    demo.nbgrader(folder, "generate_assignment", ASSIGNMENT, "--force")


def write_submissions(course, count, seed):
    """``count`` distinct notebooks: every fourth honest, the others with 1-3 catalogued mistakes."""
    name = f"{ASSIGNMENT}.ipynb"
    source = nbformat.read(course / "source" / ASSIGNMENT / name, as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / name, as_version=4)
    rng = random.Random(seed)
    catalogue = {name: ex.mistakes for name, ex in exercises(ASSIGNMENT).items() if ex.mistakes}
    functions = sorted(catalogue)
    honest = [examples.correct(release, source), examples.alternative(release), examples.untouched(release)]
    for i in range(count):
        if i % 4 == 0:
            nb = honest[(i // 4) % len(honest)]
        else:
            chosen = rng.sample(functions, rng.randint(1, 3))
            nb = examples.partly_wrong(release, source,
                                       {f: rng.choice(catalogue[f]).name for f in chosen})
        nb = nbformat.from_dict(json.loads(json.dumps(nb)))
        nb.cells.append(nbformat.v4.new_markdown_cell(f"Submission {i}."))   # distinct bytes
        path = course / "submitted" / f"student{i:04d}" / ASSIGNMENT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)


def batch_grade(course, workers, results):
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--assignment",
         ASSIGNMENT, "--results", str(results), "--workers", str(workers), "--format", "json",
         "--quiet", "--course-dir", str(course)],
        capture_output=True, text=True, env=demo.tool_environment(), cwd=course)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return elapsed, {json.loads(line)["student"]: json.loads(line) for line in done.stdout.splitlines()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--large", type=int, default=1000, help="0 to skip the large batch")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("note: set OPENBLAS_NUM_THREADS=1 for comparable timings", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        course = Path(tmp) / "course"
        course.mkdir()
        make_course(course, "benchmark-salt")
        write_submissions(course, args.submissions, args.seed)

        started = time.perf_counter()
        demo.nbgrader(course, "autograde", ASSIGNMENT, "--force", "--Autograde.create_student=True")
        nbgrader_seconds = time.perf_counter() - started
        ours_seconds, ours = batch_grade(course, args.workers, Path(tmp) / "ours.sqlite")

        reference = demo.read_scores(course, ASSIGNMENT, sorted(ours))
        disagree = [s for s, scores in reference.items()
                    if {e["function"]: e["points"] for e in ours[s]["exercises"]} != scores]
        n = args.submissions
        ours_rate, nbgrader_rate = n / ours_seconds, n / nbgrader_seconds
        print(f"submissions: {n} distinct step_by_step notebooks; workers: {args.workers}; "
              f"cores: {os.cpu_count()}")
        print(f"nbgrader autograde: {nbgrader_seconds:8.2f} s  {nbgrader_rate:8.2f} submissions/s")
        print(f"autograder grade:   {ours_seconds:8.2f} s  {ours_rate:8.2f} submissions/s")
        print(f"ratio (ours / nbgrader throughput): {ours_rate / nbgrader_rate:.1f}x  (target >= 30x)")
        print(f"scores that differ from nbgrader's: {len(disagree)} of {n}"
              + (f" ({', '.join(disagree[:5])})" if disagree else ""))

        if args.large:
            shutil.rmtree(course / "submitted")
            write_submissions(course, args.large, args.seed + 1)
            seconds, found = batch_grade(course, args.workers, Path(tmp) / "large.sqlite")
            print(f"large batch: {len(found)} submissions in {seconds:.1f} s "
                  f"({len(found) / seconds:.1f}/s; target: 1,000 in under 60 s)")


if __name__ == "__main__":
    main()
