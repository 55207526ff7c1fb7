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
import sys
from pathlib import Path

from autograder.platforms import container, gradescope
from autograder.platforms.container import SALT  # noqa: F401  (the zip names the file)

CONFIG = "gradescope.json"


def no_notebook(assignment, visibility):
    """results.json when the student uploaded no notebook at all."""
    return {"score": 0.0, "output": f"No notebook was found in your submission: upload "
                                    f"{assignment}.ipynb (the notebook you worked in).",
            "output_format": "text", "visibility": visibility, "stdout_visibility": "hidden",
            "tests": []}


def run(root):
    config = json.loads((root / "source" / CONFIG).read_text(encoding="utf-8"))
    assignment, visibility = config["assignment"], config.get("visibility", "visible")
    secret = container.secure_salt(root / "secret", [root / "source" / container.SALT])
    results = root / "results" / "results.json"
    notebook = container.find_notebook(root / "submission", assignment)
    if notebook is None:
        gradescope.write_json(results, no_notebook(assignment, visibility))
        return 0
    found = container.grade_one(notebook, assignment, secret, root / "grading", "gradescope",
                                ["--visibility", visibility, *config.get("grade_args", [])])
    if found is None:
        return 1
    gradescope.write_json(results, found)
    print(f"wrote {results}", flush=True)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.platforms.gradescope_run")
    parser.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    args = parser.parse_args(argv)
    return run(Path(args.root).resolve())


if __name__ == "__main__":
    sys.exit(main())
