"""Finding submissions on disk and reading them without trusting them.

A submission is the raw bytes of one notebook file. Everything needed to
grade it is decided here or on the trusted side: the cells to run are its
code cells in order (minus those tagged ``skip-when-grading``); its test
cells, metadata and points are ignored, because the cases, expected values
and points come from ``autograder.assignments``.
"""
import datetime
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from dnn_utils.training import CELL_TAG

MAX_BYTES = 20 * 2**20
MAX_CELLS = 2000
SUPPORTED_NBFORMAT = 4


class InvalidNotebook(ValueError):
    """A file that cannot be graded as this assignment's notebook; the message says why."""


@dataclass(frozen=True)
class Submission:
    """One notebook file as it arrived.

    Attributes:
        path: the path given on the command line (or found in a folder).
        student: the folder naming its owner (nbgrader layout: ``<student>/<assignment>/``).
        sha256: hash of the bytes.
        arrived: the file's modification time, UTC, ISO 8601 (nanoseconds).
        raw: the bytes.
    """

    path: str
    student: str
    sha256: str
    arrived: str
    raw: bytes


def find_notebooks(paths, assignment, other_assignments=()):
    """Notebook files named by ``paths`` (files, or folders searched recursively), sorted.

    In folders, checkpoint copies (``.ipynb_checkpoints``) and notebooks inside a
    folder named after one of ``other_assignments`` (nbgrader's
    ``submitted/<student>/<other>/``) are left out; any other notebook is a
    submission of ``assignment``, and is reported as invalid if misnamed. A path
    that does not exist raises FileNotFoundError.
    """
    found = set()
    skip = {".ipynb_checkpoints", *other_assignments} - {assignment}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.update(p for p in path.rglob("*.ipynb")
                         if not skip & set(p.relative_to(path).parts[:-1]) and p.is_file())
        elif path.exists():
            found.add(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {given}")
    return sorted(str(p) for p in found)


def student_of(path, assignment):
    """The nearest folder above the file that is not named after the assignment."""
    for parent in Path(path).resolve().parents:
        if parent.name and parent.name != assignment:
            return parent.name
    return Path(path).stem


def read(path, assignment):
    """The Submission at ``path`` (its bytes, hash and arrival time)."""
    with open(path, "rb") as handle:
        raw = handle.read()
        stat = os.fstat(handle.fileno())
    arrived = datetime.datetime.fromtimestamp(stat.st_mtime_ns // 10**9, datetime.timezone.utc)
    stamp = arrived.strftime("%Y-%m-%dT%H:%M:%S") + f".{stat.st_mtime_ns % 10**9:09d}Z"
    return Submission(path=str(path), student=student_of(path, assignment),
                      sha256=hashlib.sha256(raw).hexdigest(), arrived=stamp, raw=raw)


def _source(cell, index):
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise InvalidNotebook(f"cell {index + 1} has a source that is neither text nor a list of lines")


def cells_to_run(submission, assignment, graded_functions):
    """The code cells to run, in order; InvalidNotebook with a reason when it cannot be graded.

    Args:
        submission: Submission.
        assignment: the assignment id it was handed in for.
        graded_functions: names of the assignment's graded functions.
    """
    expected_name = f"{assignment}.ipynb"
    name = os.path.basename(submission.path)
    if name != expected_name:
        raise InvalidNotebook(f"the file is named {name!r}, but this assignment's notebook is "
                              f"{expected_name!r}; hand in the notebook under its original name")
    if len(submission.raw) > MAX_BYTES:
        raise InvalidNotebook(f"the file is larger than {MAX_BYTES // 2**20} MB; clear the outputs "
                              "(Kernel > Restart & Clear Output) and save again")
    try:
        text = submission.raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidNotebook(f"the file is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
                              f"offset {exc.start}); it may be damaged or not a notebook") from None
    try:
        notebook = json.loads(text)
    except RecursionError:
        raise InvalidNotebook("the file's JSON is nested too deeply to be a notebook") from None
    except ValueError as exc:
        raise InvalidNotebook(f"the file is not valid JSON ({exc}); it may have been cut short "
                              "or edited outside Jupyter") from None
    if not isinstance(notebook, dict):
        raise InvalidNotebook("the file is JSON but not a notebook (no list of cells)")
    version = notebook.get("nbformat")
    if version != SUPPORTED_NBFORMAT:
        raise InvalidNotebook(f"notebook format {version!r} is not supported; this grader reads "
                              f"nbformat {SUPPORTED_NBFORMAT} (save it with a current Jupyter)")
    if not isinstance(notebook.get("cells"), list):
        raise InvalidNotebook("the file is JSON but not a notebook (no list of cells)")
    if len(notebook["cells"]) > MAX_CELLS:
        raise InvalidNotebook(f"the notebook has more than {MAX_CELLS} cells")
    sources = []
    for index, cell in enumerate(notebook["cells"]):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise InvalidNotebook(f"cell {index + 1} is not a notebook cell")
        if cell["cell_type"] != "code":
            continue
        source = _source(cell, index)
        metadata = cell.get("metadata")
        tags = metadata.get("tags", []) if isinstance(metadata, dict) else []
        if isinstance(tags, list) and CELL_TAG in tags:
            continue
        sources.append(source)
    defined = [f for f in graded_functions
               if any(re.search(rf"^\s*def\s+{re.escape(f)}\s*\(", s, re.M) for s in sources)]
    if not defined:
        raise InvalidNotebook(f"none of this assignment's functions ({', '.join(graded_functions)}) "
                              f"is defined in it: is it the notebook of another assignment?")
    return sources
