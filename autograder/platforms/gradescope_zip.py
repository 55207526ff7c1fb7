"""Gradescope's ``autograder.zip``: ``setup.sh`` and ``run_autograder`` at the root of the archive.

What the zip holds:

- ``setup.sh`` (run once by Gradescope, as root, when it builds the image): moves the
  grading salt to ``/autograder/secret/grading_salt`` (folder 0700, file 0600, owned by
  root), makes ``/autograder/source`` readable by root only, installs Python, a virtual
  environment in ``/autograder/venv`` and the project (``pip install -e``, with
  ``requirements.lock`` as pip constraints), then checks that the grader imports from there;
- ``run_autograder`` (run for every submission): ``python -m
  autograder.platforms.gradescope_run``, which grades ``/autograder/submission/`` into
  ``/autograder/results/results.json``;
- ``gradescope.json``: the assignment, the results' visibility and extra ``grade`` arguments;
- ``project/``: the project's packages, its source notebooks (the grader builds each
  assignment's student kit from them) and ``pyproject.toml``; ``requirements.lock``;
  ``grading_salt``.

The zip is an instructor secret: it holds the salt the hidden cases are drawn from, the
reference solutions and the source notebooks. It is written readable by its owner only.
Both scripts read ``AUTOGRADER_ROOT`` (default ``/autograder``), so they can be tried in
a scratch folder laid out like Gradescope's; ``setup.sh`` skips the installation (not the
checks and permissions) when ``DNN_SETUP_SKIP_INSTALL=1``, and ``run_autograder`` uses
``DNN_AUTOGRADER_PYTHON`` when set.
"""
import json
import os
import zipfile
from pathlib import Path

from autograder.platforms.gradescope import VISIBILITIES
from autograder.platforms.gradescope_run import CONFIG, SALT

PROJECT = Path(__file__).resolve().parents[2]

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
# The grading salt: readable by root only, outside the unpacked zip; the sandbox's user
# (the grader drops to an unprivileged one) can read neither it nor the zip's contents
# (the project holds the reference answers and the source notebooks).
install -d -m 700 "$ROOT/secret"
if [ -f "$SOURCE/grading_salt" ]; then
    install -m 600 "$SOURCE/grading_salt" "$ROOT/secret/grading_salt"
    rm -f "$SOURCE/grading_salt"
fi
chmod -R go-rwx "$SOURCE"
if [ "${DNN_SETUP_SKIP_INSTALL:-0}" != "1" ]; then
    # Python 3.11 or newer (choose an Ubuntu 24.04 base image in Gradescope's settings).
    apt-get install -y --no-install-recommends python3 python3-venv python3-pip
    python3 -m venv "$ROOT/venv"
    "$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
    "$ROOT/venv/bin/python" -m pip install --quiet -c "$SOURCE/requirements.lock" -e "$SOURCE/project"
fi
"$ROOT/venv/bin/python" -I - "$SOURCE/project" <<'PYTHON'
import os
import sys
import autograder
project = os.path.realpath(sys.argv[1])
found = os.path.dirname(os.path.dirname(os.path.realpath(autograder.__file__)))
if found != project:
    sys.exit(f"setup.sh: the grader imports from {found}, not from {project}")
for name in ("autograder", "dnn_utils", "testcases", "source", "release"):
    path = os.path.join(project, name)
    if os.path.isdir(path):
        os.chmod(path, 0o700)
print("grader installed from", project)
PYTHON
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission/ into
# /autograder/results/results.json (see autograder.platforms.gradescope_run).
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${DNN_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
mkdir -p "$ROOT/results"
cd "$ROOT"
exec "$PYTHON" -I -m autograder.platforms.gradescope_run --root "$ROOT"
"""


class BuildError(RuntimeError):
    """The zip cannot be built (the message says why)."""


PROJECT_PARTS = ("autograder", "dnn_utils", "testcases", "source", "release")
PROJECT_FILES = ("pyproject.toml", "README.md")


def _project_files():
    """(name in the zip, path) of the project's files the grader needs, sorted."""
    found = []
    for name in PROJECT_FILES:
        if not (PROJECT / name).is_file():
            raise BuildError(f"no {name} in {PROJECT}: build the zip from a checkout of the project")
        found.append((f"project/{name}", PROJECT / name))
    for part in PROJECT_PARTS:
        for path in sorted((PROJECT / part).rglob("*")):
            relative = path.relative_to(PROJECT)
            if path.is_file() and not path.is_symlink() and "__pycache__" not in relative.parts \
                    and ".ipynb_checkpoints" not in relative.parts and path.suffix != ".pyc":
                found.append((f"project/{relative.as_posix()}", path))
    return found


def _add(archive, name, data, mode):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16   # a regular file with these permissions
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build(assignment, out, salt, visibility="visible", grade_args=()):
    """Write the autograder.zip of ``assignment`` at ``out``; returns its path."""
    if visibility not in VISIBILITIES:
        raise BuildError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    if not salt:
        raise BuildError("no grading salt")
    lock = PROJECT / "requirements.lock"
    if not lock.is_file():
        raise BuildError(f"no requirements.lock in {PROJECT}: the zip must pin every dependency")
    files = _project_files()
    config = {"assignment": assignment, "visibility": visibility, "grade_args": list(grade_args)}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
        _add(archive, "setup.sh", SETUP, 0o755)
        _add(archive, "run_autograder", RUN, 0o755)
        _add(archive, CONFIG, json.dumps(config, indent=1) + "\n", 0o644)
        _add(archive, "requirements.lock", lock.read_bytes(), 0o644)
        for name, path in files:
            _add(archive, name, path.read_bytes(), 0o644)
        _add(archive, SALT, salt + "\n", 0o600)
    os.chmod(partial, 0o600)
    os.replace(partial, out)
    return out
