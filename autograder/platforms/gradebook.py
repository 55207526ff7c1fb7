"""The batch grader's results in an nbgrader course's gradebook, as formgrader expects them.

For every result of a batch, in one gradebook transaction per student:

- the student is created when the gradebook does not know them yet;
- the submission is created or updated with its arrival time (nbgrader's
  ``timestamp.txt`` beside the notebook when there is one, as ``nbgrader
  autograde`` reads it, else the time the batch grader recorded);
- each grade cell whose ``grade_id`` is a graded function gets the exercise's
  points as its ``auto_score``; a submission that could not be graded gets 0
  everywhere and is flagged for review;
- manual scores and comments are never touched: when an instructor has given a
  manual score and the auto score changes, the cell is flagged for review
  (``needs_manual_grade``), as nbgrader does;

then the autograded notebook formgrader displays is written at
``autograded/<student>/<assignment>/<assignment>.ipynb`` (see ``autograded_notebook``).

The gradebook's address and the course's folders come from nbgrader's own
configuration (``nbgrader_config.py`` of the course directory and Jupyter's
configuration paths: ``CourseDirectory.db_url``, SQLite ``gradebook.db`` by
default, any SQLAlchemy URL nbgrader accepts). The batch grader's own results
store stays the record of what ran; the gradebook is written from it.
"""
import contextlib
import copy
import datetime
import logging
import os
import re
import sys
import warnings
from dataclasses import dataclass, field

import nbformat

from autograder.assignments import exercises as assignment_exercises
from autograder.platforms.common import exercise_text, points

NOTEBOOK_NOTE = ("**Graded by the course's batch grader.** Scores come from its trusted side; the "
                 "outputs below are what the grader recorded when it ran this notebook in its "
                 "sandbox (the notebook's own saved outputs were removed).")


GRADER_ERROR = "error"   # the status of a result the grader failed to produce: never written


class GradebookError(RuntimeError):
    """The gradebook cannot take these results (the message says what to do)."""


@dataclass
class Outcome:
    """What happened to a batch's results: students written, and why others were not."""

    written: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)     # student -> reason


@dataclass(frozen=True)
class Course:
    """Where an nbgrader course keeps things, from nbgrader's configuration."""

    root: str
    db_url: str
    course_id: str
    coursedir: object   # nbgrader.coursedir.CourseDirectory

    def autograded_path(self, student, assignment):
        folder = self.coursedir.format_path(self.coursedir.autograded_directory, student, assignment)
        return os.path.join(folder, f"{assignment}.ipynb")

    def release_path(self, assignment):
        folder = self.coursedir.format_path(self.coursedir.release_directory, ".", assignment)
        return os.path.join(folder, f"{assignment}.ipynb")

    def timestamp_of(self, submission_path):
        """nbgrader's timestamp.txt beside a submitted notebook, as a naive UTC datetime, or None."""
        with contextlib.suppress(Exception):
            return self.coursedir.get_existing_timestamp(os.path.dirname(os.path.abspath(submission_path)))
        return None


@contextlib.contextmanager
def _in_folder(path):
    before, environment = os.getcwd(), dict(os.environ)
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)
        # nbgrader_config.py may set variables (this course's sets the salt): keep them out of
        # the grader's environment.
        os.environ.clear()
        os.environ.update(environment)


def load_course(course_dir, db_url=None):
    """The Course configured in ``course_dir`` (its nbgrader_config.py), ``db_url`` overriding
    ``CourseDirectory.db_url`` when given."""
    from nbgrader.apps.baseapp import NbGrader
    course_dir = os.path.abspath(course_dir)
    if not os.path.isdir(course_dir):
        raise GradebookError(f"no course directory at {course_dir}")
    with _in_folder(course_dir):
        app = NbGrader()
        app.load_cwd_config = True
        app.log_level = logging.ERROR   # nbgrader warns about options of its other apps
        app.initialize([])
        coursedir = app.coursedir
        if db_url:
            coursedir.db_url = db_url
        return Course(root=coursedir.root, db_url=coursedir.db_url, course_id=coursedir.course_id,
                      coursedir=coursedir)


def _arrival(result, course):
    stamp = course.timestamp_of(result["submission"])
    if stamp is not None:
        return stamp.replace(tzinfo=None) if stamp.tzinfo is None else \
            stamp.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    text = result["arrived"].rstrip("Z")
    whole, _, fraction = text.partition(".")
    parsed = datetime.datetime.fromisoformat(whole + (f".{fraction[:6]}" if fraction else ""))
    return parsed   # the batch grader records UTC; nbgrader stores naive UTC


def _valid_student(student):
    return bool(student) and student not in (".", "..") and "/" not in student and "\\" not in student \
        and not student.startswith(".") and len(student) <= 128 and student.isprintable()


def write_results(results, course, assignment):
    """Write a batch's results into the course's gradebook and autograded folder; an Outcome.

    A student with more than one result in the batch is skipped (which one counts is the
    instructor's decision), and so is a folder name that cannot be an nbgrader student id.
    GradebookError when the gradebook does not hold the assignment (not generated yet).
    """
    with _scripts_on_path():
        return _write_results(results, course, assignment)


@contextlib.contextmanager
def _scripts_on_path():
    """nbgrader's Gradebook runs ``alembic``, installed beside this interpreter (maybe not on PATH)."""
    before = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), before])
    try:
        yield
    finally:
        os.environ["PATH"] = before


def _write_results(results, course, assignment):
    from nbgrader.api import Gradebook, MissingEntry
    outcome = Outcome()
    by_student = {}
    for result in results:
        by_student.setdefault(result["student"], []).append(result)
    with Gradebook(course.db_url, course.course_id) as gradebook, warnings.catch_warnings():
        # nbgrader's own update_or_create_submission makes SQLAlchemy warn (nbgrader autograde too)
        warnings.simplefilter("ignore", category=_sa_warning())
        try:
            notebook = gradebook.find_notebook(assignment, assignment)
        except MissingEntry:
            raise GradebookError(
                f"the gradebook at {course.db_url} has no notebook {assignment!r} of assignment "
                f"{assignment!r}: run `nbgrader generate_assignment {assignment}` in {course.root} "
                "first") from None
        trusted = _TrustedCells(notebook)
        for student, found in sorted(by_student.items()):
            if len(found) > 1:
                outcome.skipped[student] = (f"{len(found)} submissions in this batch "
                                            f"({', '.join(r['submission'] for r in found)}); grade one")
                continue
            if not _valid_student(student):
                outcome.skipped[student] = "the folder name cannot be an nbgrader student id"
                continue
            result = found[0]
            if result["status"] == GRADER_ERROR:
                outcome.skipped[student] = "the grader failed on it (not a grade); run `grade` again"
                continue
            nb = autograded_notebook(result, trusted, course.release_path(assignment))
            try:
                _write_scores(gradebook, result, assignment, _arrival(result, course), nb, trusted)
            except Exception as exc:   # one student's failure must not stop the others
                gradebook.db.rollback()
                outcome.skipped[student] = f"the gradebook refused it: {type(exc).__name__}: {exc}"
                continue
            try:
                _write_notebook(nb, course.autograded_path(student, assignment))
            except OSError as exc:
                outcome.skipped[student] = f"scores written, but not the autograded notebook: {exc}"
                continue
            outcome.written.append(student)
    return outcome


def _sa_warning():
    from sqlalchemy.exc import SAWarning
    return SAWarning


def _write_scores(gradebook, result, assignment, arrived, nb, trusted):
    """Student, submission time, auto scores and (as nbgrader autograde does) "No response." on
    answer cells left as released; manual scores and comments are not touched."""
    student = result["student"]
    gradebook.update_or_create_student(student)
    gradebook.update_or_create_submission(assignment, student, timestamp=arrived)
    submission = gradebook.find_submission_notebook(assignment, assignment, student)
    graded = result["status"] == "graded"
    scores = {e["function"]: float(e["points"]) for e in result["exercises"]}
    for grade in submission.grades:
        before = grade.auto_score
        if grade.name in scores:
            new = scores[grade.name] if graded else 0.0
        else:
            new = None   # not a graded function: left to the instructor, as nbgrader does
        grade.auto_score = new
        if not graded or new is None:
            grade.needs_manual_grade = True
        elif grade.manual_score is not None:
            if before is None or abs(before - new) > 1e-9:
                grade.needs_manual_grade = True
        else:
            grade.needs_manual_grade = False
    from nbgrader.utils import compute_checksum
    cells = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}
    for comment in submission.comments:
        cell = cells.get(comment.name)
        unchanged = cell is not None and comment.name not in trusted.task and \
            cell.metadata["nbgrader"].get("checksum") == compute_checksum(cell)
        comment.auto_comment = "No response." if unchanged else None
    gradebook.db.commit()


class _TrustedCells:
    """The cells nbgrader recorded at generate_assignment: what a submission's metadata must say."""

    def __init__(self, notebook):
        self.source = {c.name: c for c in notebook.source_cells}
        self.grade = {c.name: c for c in notebook.grade_cells}
        self.solution = {c.name for c in notebook.solution_cells}
        self.task = {c.name for c in getattr(notebook, "task_cells", [])}
        self.order = [c.name for c in notebook.source_cells]

    def metadata(self, name):
        cell = self.source[name]
        meta = {"grade": name in self.grade, "grade_id": name, "locked": bool(cell.locked),
                "schema_version": 3, "solution": name in self.solution, "task": name in self.task}
        if name in self.grade:
            meta["points"] = self.grade[name].max_score
        if cell.checksum:
            meta["checksum"] = cell.checksum
        return meta

    def fresh_cell(self, name):
        cell = self.source[name]
        maker = nbformat.v4.new_code_cell if cell.cell_type == "code" else nbformat.v4.new_markdown_cell
        made = maker(cell.source)
        made.metadata["nbgrader"] = self.metadata(name)
        made.metadata["editable"] = False
        made.metadata["deletable"] = False
        return made


def _read_submission(result, release_path):
    """The submitted notebook, or the release (with a note saying why) when it cannot be read."""
    reason = None
    try:
        with open(result["submission"], encoding="utf-8") as handle:
            nb = nbformat.read(handle, as_version=4)
        nbformat.validate(nb)
        return nb, None
    except Exception as exc:   # anything unreadable: shown as the release with the reason
        reason = f"the submitted file could not be read as a valid notebook ({type(exc).__name__})"
    if os.path.isfile(release_path):
        return nbformat.read(release_path, as_version=4), reason
    return nbformat.v4.new_notebook(), reason


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")   # where an HTML tag or comment could begin


def _defuse(cell, trusted):
    """Keep a submission's own text from becoming markup in formgrader's page: HTML in a
    markdown cell the student could edit is shown as text, raw cells are not exported as HTML."""
    if cell.cell_type == "markdown":
        name = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not (name in trusted.source and trusted.source[name].locked):
            cell.source = _TAG_START.sub("&lt;", cell.source)
        cell.pop("attachments", None)
    elif cell.cell_type == "raw":
        cell.metadata.pop("format", None)
        cell.metadata.pop("raw_mimetype", None)


def _stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def _report_text(entry, graded):
    head = f"{entry['function']}: {points(entry['points'])} of {points(entry['max_points'])} points"
    if graded:
        head += f" ({entry['status']})"
    return head + "\n" + exercise_text(entry) + "\n"


def autograded_notebook(result, trusted, release_path):
    """The notebook formgrader shows for one result.

    The submission's cells in its order, with every output it was saved with removed
    (a notebook can carry any HTML or script in its outputs); nbgrader metadata
    restored from the gradebook for cells it knows (read-only cells get their
    source back too, as ``nbgrader autograde`` does), dropped from cells it does not
    know or that repeat a grade_id; grade cells missing from the submission appended;
    each code cell's output is what the grader recorded when it ran, and each graded
    function's test cell shows the grader's report for that exercise.
    """
    nb, unreadable = _read_submission(result, release_path)
    nb = copy.deepcopy(nb)
    # Notebook-level metadata can carry widget state that HTML exports run as scripts.
    nb.metadata = nbformat.from_dict({k: v for k, v in nb.metadata.items()
                                      if k in ("kernelspec", "language_info")})
    graded = result["status"] == "graded"
    entries = {e["function"]: e for e in result["exercises"]}
    ran = {c["cell"]: c for c in result.get("cells", [])}
    from dnn_utils.training import CELL_TAG
    seen, code_index = set(), 0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        name = meta.get("grade_id") if isinstance(meta, dict) else None
        if name in trusted.source and name not in seen:
            seen.add(name)
            cell.metadata["nbgrader"] = trusted.metadata(name)
            if trusted.source[name].locked:
                cell.source = trusted.source[name].source
        else:
            cell.metadata.pop("nbgrader", None)
        _defuse(cell, trusted)
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        if CELL_TAG not in cell.metadata.get("tags", []):
            code_index += 1
            report = ran.get(code_index)
            if graded and report:
                if report.get("output"):
                    cell.outputs.append(_stream(report["output"]))
                if report.get("error"):
                    cell.outputs.append(_stream(report["error"] + "\n", "stderr"))
        if name in entries and name in trusted.grade and name in seen:
            cell.outputs.append(_stream(_report_text(entries[name], graded)))
    for name in trusted.order:
        if name in trusted.grade and name not in seen:
            cell = trusted.fresh_cell(name)
            if name in entries and cell.cell_type == "code":
                cell.outputs = [_stream(_report_text(entries[name], graded))]
            nb.cells.append(cell)
    lines = [NOTEBOOK_NOTE, f"\n\nScore: {points(result['score'])} of {points(result['max_score'])}"
             f" ({result['status']})."]
    if not graded:
        lines.append(f"\n\nNot graded: {_TAG_START.sub('&lt;', str(result.get('error') or result['status']))}.")
    if unreadable:
        lines.append(f"\n\n{unreadable}; the cells below are the released notebook's.")
    if result.get("isolation"):
        lines.append(f"\n\nSandbox: {result['isolation']}.")
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("".join(lines)))
    return nb


def _write_notebook(nb, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".part"
    nbformat.write(nb, temporary)
    os.replace(temporary, path)


def write_to_course(results, course_dir, assignment, db_url=None):
    """``load_course`` then ``write_results``: what ``grade --gradebook`` does after a batch."""
    known = set(assignment_exercises(assignment))
    for result in results:
        unknown = {e["function"] for e in result["exercises"]} - known
        if unknown:
            raise GradebookError(f"results of {result['student']} name exercises {sorted(unknown)} "
                                 f"that {assignment} does not have")
    return write_results(results, load_course(course_dir, db_url), assignment)
