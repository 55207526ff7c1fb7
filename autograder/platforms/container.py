"""Grading one submission inside a platform's container (Gradescope, PrairieLearn).

Both platforms run the grader as root in a container that usually forbids new namespaces;
the grader then sandboxes as an unprivileged user, and refuses to start while that user
could read the salt or the project (``autograder.batch.isolation.preflight``). What is
shared here: putting the salt where only root reads it, finding the notebook without
following links, and running ``python -m autograder grade`` on it in a subprocess.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SALT = "grading_salt"


def secure_salt(folder, found=()):
    """``folder`` (made 0700) holding the salt file (0600), moved there from the first of
    ``found`` that exists; SystemExit when there is no salt at all."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    for path in map(Path, found):
        if path.is_file() and not path.is_symlink() and path.resolve() != (folder / SALT).resolve():
            shutil.move(str(path), folder / SALT)
            break
    if not (folder / SALT).is_file():
        raise SystemExit(f"error: no grading salt in {folder}")
    os.chmod(folder / SALT, 0o600)
    return folder


def find_notebook(folder, assignment):
    """The notebook to grade in ``folder``: ``<assignment>.ipynb`` anywhere in it, else any
    notebook (graded as invalid, with the reason), else None. Links are not followed."""
    notebooks = []
    for top, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if f != ".ipynb_checkpoints")
        notebooks.extend(Path(top) / f for f in files if f.endswith(".ipynb")
                         and not os.path.islink(os.path.join(top, f)))
    notebooks.sort()
    named = [p for p in notebooks if p.name == f"{assignment}.ipynb"]
    return (named or notebooks or [None])[0]


def grade_one(notebook, assignment, secret, work, fmt, extra=()):
    """The platform's results object for one notebook, graded by ``python -m autograder grade
    --format fmt`` in a subprocess; None (its log printed) when the grader could not run."""
    work = Path(work)
    work.mkdir(mode=0o700, parents=True, exist_ok=True)
    command = [sys.executable, "-I", "-m", "autograder", "grade", str(notebook), "--assignment", assignment,
               "--course-dir", str(secret), "--results", str(work / "results.sqlite"),
               "--format", fmt, "--workers", "1", *extra]
    environment = {k: v for k, v in os.environ.items() if k != "DNN_GRADING_SALT"}
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, env=environment)
    sys.stdout.write(done.stderr)   # the instructor's log, never shown to students
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or len(lines) != 1:
        print(f"the grader failed (exit status {done.returncode}); no results were written", flush=True)
        return None
    return json.loads(lines[0])
