"""Gradescope's ``autograder.zip``: ``setup.sh`` and ``run_autograder`` at the root of the archive.

What the zip holds:

- ``setup.sh`` (run once by Gradescope, as root, when it builds the image): moves the
  grading salt to ``/autograder/secret/grading_salt`` (folder 0700, file 0600, owned by
  root), makes ``/autograder/source`` readable by root only, then installs Python, a
  virtual environment in ``/autograder/venv`` and this project's wheel with its pinned
  dependencies (``requirements.lock`` as pip constraints);
- ``run_autograder`` (run for every submission): ``python -m
  autograder.platforms.gradescope_run``, which grades ``/autograder/submission/`` into
  ``/autograder/results/results.json``;
- ``gradescope.json``: the assignment, the results' visibility and extra ``grade`` arguments;
- ``dist/<wheel>``, ``requirements.lock``, ``grading_salt``.

The zip is an instructor secret: it holds the salt the hidden cases are drawn from and
the reference solutions (inside the wheel). It is written readable by its owner only.
Both scripts read ``AUTOGRADER_ROOT`` (default ``/autograder``), so they can be tried in
a scratch folder laid out like Gradescope's; ``setup.sh`` skips the installation when
``DNN_SETUP_SKIP_INSTALL=1`` and ``run_autograder`` uses ``DNN_AUTOGRADER_PYTHON`` when set.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
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
# (the grader drops to an unprivileged one) can read neither it nor the zip's contents.
install -d -m 700 "$ROOT/secret"
if [ -f "$SOURCE/grading_salt" ]; then
    install -m 600 "$SOURCE/grading_salt" "$ROOT/secret/grading_salt"
    rm -f "$SOURCE/grading_salt"
fi
chmod -R go-rwx "$SOURCE"
if [ "${DNN_SETUP_SKIP_INSTALL:-0}" = "1" ]; then
    exit 0
fi
# Python 3.11 or newer (choose an Ubuntu 24.04 base image in Gradescope's settings).
apt-get install -y --no-install-recommends python3 python3-venv python3-pip
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
"$ROOT/venv/bin/python" -m pip install --quiet -c "$SOURCE/requirements.lock" "$SOURCE"/dist/*.whl
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission/ into
# /autograder/results/results.json (see autograder.platforms.gradescope_run).
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${DNN_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
mkdir -p "$ROOT/results"
cd "$ROOT"
exec "$PYTHON" -m autograder.platforms.gradescope_run --root "$ROOT"
"""


class BuildError(RuntimeError):
    """The zip cannot be built (the message says why)."""


def build_wheel(folder):
    """Build this project's wheel into ``folder`` from a copy of its sources; returns its path."""
    if not (PROJECT / "pyproject.toml").is_file():
        raise BuildError(f"no pyproject.toml in {PROJECT}: pass --wheel with a built wheel of the project")
    with tempfile.TemporaryDirectory(prefix="wheel-src-") as copy:
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(PROJECT / name, copy)
        for package in ("autograder", "dnn_utils", "testcases"):
            shutil.copytree(PROJECT / package, Path(copy) / package,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                               str(folder), copy], capture_output=True, text=True)
    if done.returncode != 0:
        raise BuildError(f"building the wheel failed:\n{done.stderr[-2000:]}")
    wheels = sorted(Path(folder).glob("*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"expected one wheel in {folder}, found {len(wheels)}")
    return wheels[0]


def _add(archive, name, data, mode):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16   # a regular file with these permissions
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build(assignment, out, salt, wheel=None, visibility="visible", grade_args=()):
    """Write the autograder.zip of ``assignment`` at ``out``; returns its path."""
    if visibility not in VISIBILITIES:
        raise BuildError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    if not salt:
        raise BuildError("no grading salt")
    lock = PROJECT / "requirements.lock"
    if not lock.is_file():
        raise BuildError(f"no requirements.lock in {PROJECT}: the zip must pin every dependency")
    config = {"assignment": assignment, "visibility": visibility, "grade_args": list(grade_args)}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gradescope-zip-") as scratch:
        wheel = Path(wheel) if wheel else build_wheel(scratch)
        if not wheel.is_file():
            raise BuildError(f"no wheel at {wheel}")
        partial = out.with_name(out.name + ".part")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            _add(archive, "setup.sh", SETUP, 0o755)
            _add(archive, "run_autograder", RUN, 0o755)
            _add(archive, CONFIG, json.dumps(config, indent=1) + "\n", 0o644)
            _add(archive, "requirements.lock", lock.read_bytes(), 0o644)
            _add(archive, f"dist/{wheel.name}", wheel.read_bytes(), 0o644)
            _add(archive, SALT, salt + "\n", 0o600)
        os.chmod(partial, 0o600)
        os.replace(partial, out)
    return out
