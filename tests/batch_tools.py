"""Building submissions and running the batch grader as a real subprocess, for the batch tests."""
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import examples
from autograder.batch.isolation import orphaned_sandbox_processes
from autograder.salt import ENV
from conftest import TEST_SALT
from notebook_tools import ROOT

# Short limits keep the runaway submissions cheap; honest work needs a fraction of them.
FAST = ["--cell-timeout", "2", "--call-timeout", "2"]


def base_notebooks(assignment):
    """{"correct", "alternative", "partly_wrong", "untouched"}: honest example notebooks."""
    name = f"{assignment}.ipynb"
    source = nbformat.read(ROOT / "source" / assignment / name, as_version=4)
    release = nbformat.read(ROOT / "release" / assignment / name, as_version=4)
    return {"correct": examples.correct(release, source), "alternative": examples.alternative(release),
            "partly_wrong": examples.partly_wrong(release, source), "untouched": examples.untouched(release)}


def write(folder, student, assignment, notebook_or_bytes, filename=None):
    """Write a submission in nbgrader's layout ``folder/student/assignment/<file>``; returns its path."""
    path = Path(folder) / student / assignment / (filename or f"{assignment}.ipynb")
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(notebook_or_bytes, bytes):
        path.write_bytes(notebook_or_bytes)
    else:
        nbformat.write(notebook_or_bytes, path)
    return path


def grade_command(folder, store, assignment, *extra):
    """The command line of a quiet ``grade --format json`` run with the fast limits."""
    return [sys.executable, "-m", "autograder", "grade", str(folder), "--assignment", assignment,
            "--results", str(store), "--format", "json", "--quiet", *FAST, *extra]


def grader_env():
    """This environment with the tests' salt."""
    return {**os.environ, ENV: TEST_SALT}


def count(store, sql):
    """One number from the results store, read-only (a grader may be writing); 0 before it exists."""
    import sqlite3
    try:
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute(sql).fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0


def grade(paths, assignment, results, *extra, env=None, timeout=900):
    """Run ``python -m autograder grade ... --format json``; returns (results by student, process)."""
    environ = dict(os.environ if env is None else env)
    environ.setdefault(ENV, TEST_SALT)
    Path(results).parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", *map(str, paths), "--assignment", assignment,
         "--results", str(results), "--format", "json", *extra],
        capture_output=True, text=True, env=environ, timeout=timeout, cwd=str(Path(results).parent))
    assert done.returncode == 0, done.stderr[-3000:]
    found = {}
    for line in done.stdout.splitlines():
        result = json.loads(line)
        found[result["student"]] = result
    return found, done


def stored_results(store):
    """{student: full result dict} as the results store holds them (with the cells' output)."""
    import sqlite3
    db = sqlite3.connect(store)
    try:
        rows = db.execute("SELECT s.student, r.result FROM results r JOIN submissions s "
                          "ON s.id = r.submission_id").fetchall()
    finally:
        db.close()
    return {student: json.loads(text) for student, text in rows}


def points(result):
    """{function: points} of one result."""
    return {e["function"]: e["points"] for e in result["exercises"]}


def sandbox_processes():
    """PIDs still running as the user of a sandbox whose grader is gone (should be none)."""
    return orphaned_sandbox_processes()


def tree_state(folder, skip=()):
    """{relative path: (size, mtime_ns)} of every file under ``folder``, minus ``skip`` folders."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in skip]
        for name in filenames:
            path = os.path.join(dirpath, name)
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue
            state[os.path.relpath(path, folder)] = (info.st_size, info.st_mtime_ns)
    return state


def assert_agrees_with_nbgrader(course_root, assignment, env):
    """Grade the course's ``submitted/`` with the batch grader; every exercise's points must equal
    what ``nbgrader autograde`` put in the course's gradebook (same salt, from the course)."""
    from autograder import demo
    environ = {k: v for k, v in env.items() if k != ENV}
    environ[ENV] = (Path(course_root) / "grading_salt").read_text().strip()
    found, _ = grade([Path(course_root) / "submitted"], assignment,
                     Path(course_root) / "grading" / "results.sqlite", env=environ)
    nbgrader_scores = demo.read_scores(Path(course_root), assignment)
    assert set(found) == set(nbgrader_scores)
    for student, scores in nbgrader_scores.items():
        assert points(found[student]) == pytest.approx(scores, abs=1e-9), student
    return found
