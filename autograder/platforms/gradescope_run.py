"""What Gradescope's ``run_autograder`` executes: grade ``<root>/submission/`` into
``<root>/results/results.json``.

``python -m autograder.platforms.gradescope_run [--root DIR]`` (default: ``$AUTOGRADER_ROOT``,
else ``/autograder``). The configuration written by ``gradescope-zip`` is
``<root>/source/gradescope.json`` (assignment, visibility, extra ``grade`` arguments); the
salt is ``<root>/secret/grading_salt``, which ``setup.sh`` moved there, readable by root only
(if it is still in ``source/``, it is moved here the same way before anything runs).

The submission is graded by the batch grader in a subprocess (``grade --format
gradescope``); its sandbox is whatever the container allows (Docker usually forbids new
namespaces: the grader then falls back, and the level reached is written in the results).
When the grader itself cannot run, no results.json is written and the exit status is 1:
Gradescope then reports that the autograder failed instead of a score.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.platforms import gradescope

CONFIG = "gradescope.json"
SALT = "grading_salt"


def secure_salt(root):
    """The folder that holds the salt (0700, the file 0600); moves it out of source/ if needed."""
    secret = root / "secret"
    secret.mkdir(mode=0o700, exist_ok=True)
    os.chmod(secret, 0o700)
    unpacked = root / "source" / SALT
    if unpacked.exists():
        shutil.move(str(unpacked), secret / SALT)
    if not (secret / SALT).is_file():
        raise SystemExit(f"error: no grading salt in {secret}: the autograder.zip was built without one")
    os.chmod(secret / SALT, 0o600)
    return secret


def find_submission(root, assignment):
    """The notebook to grade: ``<assignment>.ipynb`` anywhere in the submission, else any
    notebook (graded as invalid, with the reason), else None."""
    notebooks = []
    for top, folders, files in os.walk(root / "submission"):   # links are not followed
        folders[:] = sorted(f for f in folders if f != ".ipynb_checkpoints")
        notebooks.extend(Path(top) / f for f in files if f.endswith(".ipynb")
                         and not os.path.islink(os.path.join(top, f)))
    notebooks.sort()
    named = [p for p in notebooks if p.name == f"{assignment}.ipynb"]
    return (named or notebooks or [None])[0]


def no_notebook(assignment, visibility):
    """results.json when the student uploaded no notebook at all."""
    return {"score": 0.0, "output": f"No notebook was found in your submission: upload "
                                    f"{assignment}.ipynb (the notebook you worked in).",
            "output_format": "text", "visibility": visibility, "stdout_visibility": "hidden",
            "tests": []}


def run(root):
    config = json.loads((root / "source" / CONFIG).read_text(encoding="utf-8"))
    assignment, visibility = config["assignment"], config.get("visibility", "visible")
    secret = secure_salt(root)
    results = root / "results" / "results.json"
    notebook = find_submission(root, assignment)
    if notebook is None:
        gradescope.write_json(results, no_notebook(assignment, visibility))
        return 0
    work = root / "grading"
    work.mkdir(mode=0o700, exist_ok=True)
    command = [sys.executable, "-I", "-m", "autograder", "grade", str(notebook), "--assignment", assignment,
               "--course-dir", str(secret), "--results", str(work / "results.sqlite"),
               "--format", "gradescope", "--visibility", visibility, "--workers", "1",
               *config.get("grade_args", [])]
    environment = {k: v for k, v in os.environ.items() if k != "DNN_GRADING_SALT"}
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, env=environment)
    sys.stdout.write(done.stderr)   # the instructor's log (results/stdout), never shown to students
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or len(lines) != 1:
        print(f"the grader failed (exit status {done.returncode}); no results were written", flush=True)
        return 1
    gradescope.write_json(results, json.loads(lines[0]))
    print(f"wrote {results}", flush=True)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.platforms.gradescope_run")
    parser.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    args = parser.parse_args(argv)
    return run(Path(args.root).resolve())


if __name__ == "__main__":
    sys.exit(main())
