"""Reading a class's results and answer cells out of the results store, read-only.

Everything here comes from students and is treated as hostile data: a notebook
that is not JSON, a cell whose source is not text or an answer larger than
``MAX_ANSWER_CHARS`` is cut down or dropped with a note, never raised on.
"""
import json
import multiprocessing
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

MAX_ANSWER_CHARS = 20_000
ANSWER_SUFFIX = "_answer"


class StoreError(Exception):
    """The results store cannot be read; the message says why."""


@dataclass
class Submission:
    """The newest graded result of one submitted path.

    Attributes:
        student: the student's name as the grader recorded it (untrusted text).
        path: the submitted path.
        result: the result dict (see ``autograder.cli``); ``exercises`` is a list.
        answers: {exercise name: source of its answer cell}; exercises without
            one are absent.
        notes: what could not be read, for the report's reader.
    """

    student: str
    path: str
    result: dict
    answers: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    outcomes: dict = field(default_factory=dict, repr=False)   # stats.outcome's memo


def _text(source):
    """A cell's source as one string ('' when it is neither text nor a list of text)."""
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return ""


def answer_cells(notebook, names=None):
    """{exercise: code} of the code cells whose nbgrader ``grade_id`` is ``<exercise>_answer``.

    ``notebook`` is the parsed JSON (any value: a non-notebook gives {}). With
    ``names``, other grade ids are ignored. The first cell of a name wins.
    """
    found = {}
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return found
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        if not isinstance(grade_id, str) or not grade_id.endswith(ANSWER_SUFFIX):
            continue
        name = grade_id[: -len(ANSWER_SUFFIX)]
        if (names is None or name in names) and name not in found:
            found[name] = _text(cell.get("source"))[:MAX_ANSWER_CHARS]
    return found


def code_cells(notebook):
    """The source of every code cell of a parsed notebook, in order."""
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    return [_text(c.get("source")) for c in cells or [] if isinstance(c, dict)
            and c.get("cell_type") == "code"]


def read_notebook(raw):
    """The parsed notebook, or None when the bytes are not a JSON object."""
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None


@dataclass
class Release:
    """The release notebook's own text: what every student was given."""

    answers: dict      # {exercise: the stub of its answer cell}
    code: list         # every code cell of the release
    path: str = ""     # where it was read from ('' when not found)

    def __post_init__(self):
        self.stubs = {name: trimmed(code) for name, code in self.answers.items()}


def trimmed(code):
    """``code`` without leading and trailing blank lines or trailing spaces (to compare with a stub)."""
    return "\n".join(line.rstrip() for line in code.strip().splitlines())


def find_release(assignment, given=None, course_dir="."):
    """The release notebook: ``given``, else ``<course_dir>/release/<id>/<id>.ipynb``, else
    the project's own; an empty Release (path '') when none exists."""
    project = Path(__file__).resolve().parents[2]
    candidates = [Path(given)] if given else [
        Path(course_dir) / "release" / assignment / f"{assignment}.ipynb",
        project / "release" / assignment / f"{assignment}.ipynb"]
    for path in candidates:
        if path.is_file():
            notebook = read_notebook(path.read_bytes())
            if notebook is None:
                raise StoreError(f"the release notebook {path} is not a notebook")
            return Release(answer_cells(notebook), code_cells(notebook), str(path))
    if given:
        raise StoreError(f"no release notebook at {given}")
    return Release({}, [], "")


def _connect(path):
    if not os.path.isfile(path):
        raise StoreError(f"no results store at {path}; run 'grade' first")
    try:
        db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=30)
        db.execute("SELECT 1 FROM submissions LIMIT 1").fetchall()
        db.execute("SELECT 1 FROM results LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the results store {path}: {exc}") from None
    return db


PARALLEL_FROM = 2000   # submissions: below this, one process reads them all


def load(path, assignment, exercise_names=None):
    """The newest result of every submitted path of ``assignment``, sorted by path.

    Reads the store without writing to it (a grader may be writing at the same
    time: WAL readers see the last committed state). Large classes are parsed by
    forked worker processes, each reading its share of the rows itself.
    """
    db = _connect(path)
    try:
        newest = {}
        for sub_id, sub_path in db.execute(
                "SELECT s.id, s.path FROM submissions s JOIN results r ON r.submission_id = s.id "
                "WHERE s.assignment=? ORDER BY s.path, s.arrived, r.graded_at", (assignment,)):
            newest[sub_path] = sub_id
    finally:
        db.close()
    ids = [newest[p] for p in sorted(newest)]
    workers = min(os.cpu_count() or 1, 8)
    if len(ids) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _read(path, ids, exercise_names)
    size = -(-len(ids) // workers)
    jobs = [(path, ids[i:i + size], exercise_names) for i in range(0, len(ids), size)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return [found for part in pool.starmap(_read, jobs) for found in part]


def _read(path, ids, names):
    """The Submissions of these submission ids, in order."""
    db = _connect(path)
    try:
        found = []
        for sub_id in ids:
            row = db.execute("SELECT s.path, s.student, s.raw, r.result FROM submissions s JOIN results r "
                             "ON r.submission_id = s.id WHERE s.id=?", (sub_id,)).fetchone()
            found.append(_submission(*row, names))
        return found
    finally:
        db.close()


def _submission(path, student, raw, result_text, names):
    notes = []
    try:
        result = json.loads(result_text)
    except ValueError:
        result = None
    if not isinstance(result, dict) or not isinstance(result.get("exercises", []), list):
        result = {"status": "unreadable", "score": 0.0, "max_score": 0.0, "exercises": []}
        notes.append("the stored result could not be read")
    notebook = read_notebook(raw or b"")
    if notebook is None:
        notes.append("the submitted file is not a notebook")
    return Submission(str(student), str(path), result,
                      answer_cells(notebook, names) if notebook else {}, notes)
