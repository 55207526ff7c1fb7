"""Finding submissions on disk and reading them without trusting them.

A submission is the raw bytes of one notebook file. Everything needed to
grade it is decided here or on the trusted side: the cells to run are its
code cells in order (minus those tagged ``skip-when-grading``); its test
cells, metadata and points are ignored, because the cases, expected values
and points come from ``autograder.assignments``.
"""
import datetime
import errno
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from autograder.batch import safe_text
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
        path: the path given on the command line (or found in a folder), as safe text.
        student: the folder naming its owner (nbgrader layout: ``<student>/<assignment>/``).
        sha256: hash of the bytes.
        arrived: the file's modification time, UTC, ISO 8601 (nanoseconds).
        raw: the bytes (at most ``MAX_BYTES + 1`` of them are kept).
        rejected: empty, or why it was refused before its bytes were read (a link, a FIFO, a
            folder, a name that cannot be shown...): it gets a row with that reason, ungraded.
    """

    path: str
    student: str
    sha256: str
    arrived: str
    raw: bytes
    rejected: str = ""


@dataclass(frozen=True)
class Found:
    """A notebook located on disk, not read yet.

    Attributes:
        path: where it is (``str``; undecodable bytes kept as os.fsdecode keeps them).
        student: its owner, from the layout (never from where a link points).
        root: the folder it was found under: it is opened beneath it without following links.
        parts: the path's components below ``root``.
        rejected: empty, or why it is refused.
    """

    path: str
    student: str
    root: str
    parts: tuple
    rejected: str = ""


MAX_DEPTH = 8            # folders below a root that are searched
MAX_ENTRIES = 100_000    # entries looked at per root; beyond, the rest of the root is reported


def _kind(mode):
    if stat.S_ISLNK(mode):
        return ("is a symbolic link; links are never followed (hand in the notebook file itself, "
                "not a link to one)")
    if stat.S_ISDIR(mode):
        return "is a folder named like a notebook, not a notebook file"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a FIFO, socket or device); only notebook files are read"
    return ""


def _shown(path):
    """A path as safe text (control characters and undecodable bytes escaped)."""
    return path if safe_text.is_safe_name(path) else safe_text.escaped(path, limit=1000)


def _walk(root, other_assignments, warnings):
    """(parts, lstat mode) of every ``*.ipynb`` entry below ``root``, and of each symbolic link
    or unsearchable folder met on the way; no link is followed."""
    found, seen, stack = [], 0, [()]
    skip = {".ipynb_checkpoints", *other_assignments}
    while stack:
        parts = stack.pop()
        folder = os.path.join(root, *parts)
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            warnings.append(f"cannot read the folder {_shown(folder)}: {exc.strerror}")
            continue
        for entry in listed:
            seen += 1
            if seen > MAX_ENTRIES:
                warnings.append(f"more than {MAX_ENTRIES} files under {_shown(root)}; the rest "
                                "was not searched")
                return found
            here = parts + (entry.name,)
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if entry.name.endswith(".ipynb"):
                found.append((here, mode))
            elif stat.S_ISDIR(mode):
                if entry.name in skip:   # another assignment's folder, or Jupyter's copies
                    continue
                if len(here) <= MAX_DEPTH:
                    stack.append(here)
            elif stat.S_ISLNK(mode) and len(here) == 1:
                found.append((here, mode))   # a student folder that is a link: reported
    return found


def _choose(student, items, assignment, root, offset, warnings):
    """The one notebook of a student among ``items`` ((parts, mode) below ``root``, the
    student's folder being ``root`` when ``offset`` is 0 or ``root/parts[0]`` when it is 1)."""
    expected = f"{assignment}.ipynb"
    layout = [(p, m) for p, m in items
              if p[offset:] in ((assignment, expected), (expected,))]
    shallow = [(p, m) for p, m in items if len(p) - offset == 1
               or (len(p) - offset == 2 and p[offset] == assignment)]
    if layout:
        chosen = layout[0]
    elif len(shallow) == 1:
        chosen = shallow[0]
    else:
        names = ", ".join(_shown(os.path.join(*p)) for p, _ in items[:5])
        first = items[0][0]
        return Found(os.path.join(root, *first), student, root, first,
                     f"there is no {expected} in nbgrader's layout "
                     f"(<student>/{assignment}/{expected}) but {len(items)} other notebook(s): "
                     f"{names}; hand in exactly one notebook, under its original name")
    for parts, _ in items:
        if parts != chosen[0]:
            warnings.append(f"ignored {_shown(os.path.join(root, *parts))}: only "
                            f"{_shown(os.path.join(root, *chosen[0]))} is graded for this student")
    parts, mode = chosen
    path = os.path.join(root, *parts)
    reason = _kind(mode)
    if not reason and not safe_text.is_safe_name(parts[-1]):
        reason = "the file name is not valid UTF-8 text or holds control characters; rename it"
    return Found(path, student, root, parts, reason)


def _in_folder(root, assignment, other, warnings):
    """The Found of each student under ``root``: a folder of student folders (``submitted/``),
    or one student's folder (holding ``<assignment>/`` or the notebook, or named after the
    assignment: then its parent names the student)."""
    absolute = os.path.abspath(root)
    expected = f"{assignment}.ipynb"
    items = _walk(root, other, warnings)
    one_student = (os.path.basename(absolute) == assignment
                   or os.path.isdir(os.path.join(root, assignment))
                   or os.path.lexists(os.path.join(root, expected)))
    if one_student:
        student = os.path.basename(absolute)
        if student == assignment:
            student = os.path.basename(os.path.dirname(absolute))
        notebooks = [(p, m) for p, m in items if p[-1].endswith(".ipynb")]
        return [_choose(student, notebooks, assignment, root, 0, warnings)] if notebooks else []
    groups, found = {}, []
    for parts, mode in items:
        if len(parts) == 1 and stat.S_ISLNK(mode) and not parts[0].endswith(".ipynb"):
            found.append(Found(os.path.join(root, *parts), parts[0], root, parts,
                               "the student's folder is a symbolic link; links are never followed"))
        elif len(parts) == 1:
            warnings.append(f"ignored {_shown(os.path.join(root, *parts))}: not inside a student's "
                            f"folder (nbgrader's layout is <student>/{assignment}/{expected})")
        else:
            groups.setdefault(parts[0], []).append((parts, mode))
    for student, notebooks in sorted(groups.items()):
        found.append(_choose(student, notebooks, assignment, root, 1, warnings))
    return found


def discover(paths, assignment, other_assignments=()):
    """The submissions named by ``paths``: one Found per student, and warning lines.

    A folder is searched (without following links) for nbgrader's layout
    ``<student>/<assignment>/<assignment>.ipynb``; a student folder may also hold the
    notebook directly, or a single misnamed notebook (reported invalid when graded).
    Notebooks inside folders named after one of ``other_assignments`` or
    ``.ipynb_checkpoints`` are not this assignment's. Extra and nested notebooks are
    ignored with a warning; links, FIFOs and folders named like notebooks, several
    notebooks without the expected one, names that cannot be shown and two notebooks
    for one student give a Found with ``rejected`` set. A path that does not exist
    raises FileNotFoundError.

    Args:
        paths: files or folders (str, bytes or path-like).
        assignment: the assignment id.
        other_assignments: the course's other assignment ids.
    Returns:
        (list of Found sorted by path, list of warning lines).
    """
    other = set(other_assignments) - {assignment}
    located, warnings = [], []
    for given in paths:
        path = os.fsdecode(given)
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            raise FileNotFoundError(f"no such file or folder: {_shown(path)}") from None
        if os.path.isdir(path):
            located += _in_folder(path, assignment, other, warnings)
        else:
            absolute = os.path.abspath(path)
            folder = os.path.dirname(absolute)
            name = os.path.basename(absolute)
            # the folders that name the student are opened without following links too
            parts = (os.path.basename(folder), name)
            if parts[0] == assignment:
                folder = os.path.dirname(folder)
                parts = (os.path.basename(folder), assignment, name)
            student, root = parts[0], os.path.dirname(folder)
            if not student:   # a notebook directly under / : no folder names its owner
                student, root, parts = os.path.splitext(name)[0], folder, (name,)
            reason = _kind(mode) or ("" if safe_text.is_safe_name(name) else
                                     "the file name is not valid UTF-8 text or holds control "
                                     "characters; rename it")
            located.append(Found(path, student, root, parts, reason))
    by_student = {}
    for found in located:
        by_student.setdefault(found.student, []).append(found)
    result = []
    for student, group in by_student.items():
        group.sort(key=lambda f: f.path)
        if len(group) > 1:
            listed = ", ".join(_shown(f.path) for f in group[:5])
            result.append(Found(group[0].path, student, group[0].root, group[0].parts,
                                f"{len(group)} notebooks were given for this student ({listed}); "
                                "none is graded until there is exactly one"))
        else:
            result.append(group[0])
    for found in result:
        if not found.rejected and not safe_text.is_safe_name(found.student):
            result[result.index(found)] = Found(
                found.path, found.student, found.root, found.parts,
                "the student's folder name is not valid UTF-8 text or holds control characters; "
                "rename the folder")
    return sorted(result, key=lambda f: f.path), warnings


def find_notebooks(paths, assignment, other_assignments=()):
    """The paths of the submissions ``discover`` accepts, sorted (rejected ones left out)."""
    found, _ = discover(paths, assignment, other_assignments)
    return [f.path for f in found if not f.rejected]


def student_of(path, assignment):
    """The student of a notebook path by nbgrader's layout, read from the path as written
    (a link is never resolved): the folder above, or above ``<assignment>/``."""
    folder = os.path.dirname(os.path.abspath(os.fsdecode(path)))
    if os.path.basename(folder) == assignment:
        folder = os.path.dirname(folder)
    return os.path.basename(folder) or Path(path).stem


def _open_beneath(root, parts):
    """A read-only descriptor of ``root/parts``, no component below ``root`` followed if it is a
    link; OSError (ELOOP for a link) otherwise. Never blocks on a FIFO."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts[:-1]:
            inner = os.open(part, flags | os.O_DIRECTORY, dir_fd=folder)
            os.close(folder)
            folder = inner
        return os.open(parts[-1], flags | os.O_NONBLOCK, dir_fd=folder)
    finally:
        os.close(folder)


def _stamp(mtime_ns):
    arrived = datetime.datetime.fromtimestamp(mtime_ns // 10**9, datetime.timezone.utc)
    return arrived.strftime("%Y-%m-%dT%H:%M:%S") + f".{mtime_ns % 10**9:09d}Z"


def rejected(found, reason=None):
    """The Submission of a refused Found: no bytes read, the reason kept."""
    try:
        stamp = _stamp(os.lstat(found.path).st_mtime_ns)
    except OSError:
        stamp = _stamp(0)
    return Submission(path=_shown(found.path), student=safe_text.escaped(found.student),
                      sha256=hashlib.sha256(b"").hexdigest(), arrived=stamp, raw=b"",
                      rejected=reason or found.rejected)


def read(found, assignment=None):
    """The Submission of ``found`` (a Found, or a path for compatibility): its bytes, hash and
    arrival time, read without following a link; a refused one comes back with ``rejected``.

    At most ``MAX_BYTES + 1`` bytes are kept (the hash covers the whole file); a file that is
    not a regular file when opened is refused. Raises OSError only when it cannot be read.
    """
    if not isinstance(found, Found):
        path = os.fsdecode(found)
        absolute = os.path.abspath(path)
        found = Found(path, student_of(path, assignment), os.path.dirname(absolute),
                      (os.path.basename(absolute),))
    if found.rejected:
        return rejected(found)
    try:
        fd = _open_beneath(found.root, found.parts)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            return rejected(found, "a link was met on the way to this file; links are never followed")
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        why = _kind(info.st_mode)
        if why:
            return rejected(found, why)
        digest, kept = hashlib.sha256(), []
        size = 0
        while True:
            chunk = handle.read(1 << 20)
            if not chunk:
                break
            digest.update(chunk)
            if size <= MAX_BYTES:
                kept.append(chunk[:MAX_BYTES + 1 - size])
            size += len(chunk)
    return Submission(path=_shown(found.path), student=found.student, sha256=digest.hexdigest(),
                      arrived=_stamp(info.st_mtime_ns), raw=b"".join(kept))


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
