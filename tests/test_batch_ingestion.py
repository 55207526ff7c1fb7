"""The ingestion boundary and the text a submission controls, end to end.

One student per row, found in nbgrader's layout; links, FIFOs, folders named
like notebooks, extra and nested notebooks and names that cannot be shown each
get a row with the reason or a warning, and the batch goes on. Names and output
reach the table, the CSV export and the feedback pages only as safe text. The
honest neighbours keep their exact score and feedback page.
"""
import csv
import io
import json
import os
import sqlite3
import subprocess
import sys

import nbformat
import pytest

from autograder.batch import submission
from batch_tools import ENV, FAST, TEST_SALT, base_notebooks, grade, write

ASSIGNMENT = "step_by_step"
OTHERS = ("step_by_step", "application", "optimization")
HYPERLINK = "=HYPERLINK(\"evil.example\",\"x\")"   # a folder name: no slash
ESCAPED_NAME = "\x1b[31mivan"
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="full isolation needs root (as on CI)")


def _layout(folder, nb=b"{}"):
    """A submitted/ folder holding every kind of entry the boundary must handle."""
    def put(student, name=f"{ASSIGNMENT}.ipynb", *, sub=(), content=nb):
        return write(folder, student, os.path.join(ASSIGNMENT, *sub) if sub else ASSIGNMENT,
                     content, name)

    alice = put("alice")
    put("bob")
    (folder / "bob" / ASSIGNMENT / os.fsdecode(b"notes-\xff.ipynb")).write_bytes(b"{}")
    put("mallory", sub=("alice",))                                  # only a nested notebook
    (folder / "carol" / ASSIGNMENT).mkdir(parents=True)
    (folder / "carol" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").symlink_to(alice)   # a classmate's
    outside = folder.parent / "outside.ipynb"
    outside.write_bytes(nb if isinstance(nb, bytes) else nbformat.writes(nb).encode())
    (folder / "dave" / ASSIGNMENT).mkdir(parents=True)
    (folder / "dave" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").symlink_to(outside)
    (folder / "eve" / ASSIGNMENT).mkdir(parents=True)
    os.mkfifo(folder / "eve" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (folder / "frank" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").mkdir(parents=True)
    put("joe")
    for index in range(7):
        put("joe", sub=(f"copy{index}",))
    (folder / "hank").symlink_to(folder.parent / "elsewhere", target_is_directory=True)
    (folder.parent / "elsewhere" / ASSIGNMENT).mkdir(parents=True)
    (folder.parent / "elsewhere" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_bytes(b"{}")
    put(ESCAPED_NAME)
    put(HYPERLINK)
    put("greg", "application.ipynb", content=b"{}").parent.rename(folder / "greg" / "application")
    return outside


def test_discovery_gives_one_row_per_student_and_the_reason_for_each_refusal(tmp_path):
    folder = tmp_path / "submitted"
    _layout(folder)
    found, warnings = submission.discover([folder], ASSIGNMENT, OTHERS)
    by_student = {f.student: f for f in found}
    assert sorted(by_student) == sorted(["alice", "bob", "mallory", "carol", "dave", "eve", "frank",
                                         "joe", "hank", ESCAPED_NAME, HYPERLINK])
    accepted = {s for s, f in by_student.items() if not f.rejected}
    assert accepted == {"alice", "bob", "joe", HYPERLINK}
    assert "symbolic link" in by_student["carol"].rejected
    assert "symbolic link" in by_student["dave"].rejected
    assert "symbolic link" in by_student["hank"].rejected
    assert "FIFO" in by_student["eve"].rejected
    assert "folder named like a notebook" in by_student["frank"].rejected
    assert "no step_by_step.ipynb" in by_student["mallory"].rejected
    assert "control characters" in by_student[ESCAPED_NAME].rejected
    assert by_student["joe"].path.endswith(os.path.join("joe", ASSIGNMENT, f"{ASSIGNMENT}.ipynb"))
    assert sum("ignored" in w and "joe" in w for w in warnings) == 7
    assert any("notes-\\xff.ipynb" in w for w in warnings), "the undecodable extra is named, escaped"
    assert all(w.encode("utf-8") for w in warnings)
    assert not any("greg" in f.path for f in found), "another assignment's notebook is not this one"


def test_reading_never_follows_a_link_nor_leaves_the_root(tmp_path):
    folder = tmp_path / "submitted"
    outside = _layout(folder, b'{"secret": 1}')
    found, _ = submission.discover([folder], ASSIGNMENT, OTHERS)
    for item in found:
        read = submission.read(item, ASSIGNMENT)
        assert (read.raw == b"") == bool(read.rejected), item
        assert b"secret" not in read.raw or item.student in ("alice", "bob", "joe", HYPERLINK)
        read.path.encode("utf-8")
        read.student.encode("utf-8")
    # a folder swapped for a link after it was found (a race) is refused when opened
    alice = next(f for f in found if f.student == "alice")
    real = folder / "alice" / ASSIGNMENT
    real.rename(folder / "alice" / "moved")
    real.symlink_to(outside.parent, target_is_directory=True)
    os.replace(outside, outside.parent / f"{ASSIGNMENT}.ipynb")
    read = submission.read(alice, ASSIGNMENT)
    assert read.rejected and read.raw == b"" and "link" in read.rejected


def test_explicit_paths_bytes_paths_and_two_notebooks_for_one_student(tmp_path):
    folder = tmp_path / "submitted"
    _layout(folder)
    alice = folder / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    found, _ = submission.discover([os.fsencode(alice)], ASSIGNMENT, OTHERS)
    assert [(f.student, f.rejected) for f in found] == [("alice", "")]
    found, _ = submission.discover([folder / "carol" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"],
                                   ASSIGNMENT, OTHERS)
    assert found[0].student == "carol" and "symbolic link" in found[0].rejected
    (folder / "zed").symlink_to(folder / "alice", target_is_directory=True)
    through_a_link = folder / "zed" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    found, _ = submission.discover([through_a_link], ASSIGNMENT, OTHERS)
    assert found[0].student == "zed" and not found[0].rejected
    read = submission.read(found[0], ASSIGNMENT)
    assert read.rejected and read.raw == b"", "a student folder that is a link is not followed"
    assert submission.read(submission.discover([alice], ASSIGNMENT)[0][0]).raw == b"{}"
    twice, _ = submission.discover([alice, folder / "alice"], ASSIGNMENT, OTHERS)
    assert len(twice) == 1 and "2 notebooks were given" in twice[0].rejected
    with pytest.raises(FileNotFoundError):
        submission.discover([tmp_path / "nowhere"], ASSIGNMENT, OTHERS)


# ---- one real batch -------------------------------------------------------------------------

PRINTS = ("print('\\udc80 lone surrogate')\n"
          "print('\\x1b[2J\\x1b]0;owned\\x07 terminal escapes')\n"
          "print('=cmd|calc!A1')\n")


def _with_cell(nb, source):
    changed = nbformat.from_dict(json.loads(json.dumps(nb)))
    changed.cells.append(nbformat.v4.new_code_cell(source))
    return changed


def _feedback(store, pages):
    return subprocess.run([sys.executable, "-m", "autograder", "feedback", "--assignment", ASSIGNMENT,
                           "--results", str(store), "--output", str(pages)],
                          capture_output=True, text=True, env={**os.environ, ENV: TEST_SALT})


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("ingestion")
    folder = root / "submitted"
    bases = base_notebooks(ASSIGNMENT)
    _layout(folder, bases["correct"])
    honest = [write(folder, "honest_correct", ASSIGNMENT, bases["correct"]),
              write(folder, "honest_partly_wrong", ASSIGNMENT, bases["partly_wrong"])]
    write(folder, "printer", ASSIGNMENT, _with_cell(bases["correct"], PRINTS))
    store = root / "out" / "results.sqlite"
    found, done = grade([folder], ASSIGNMENT, store, *FAST, "--workers", "2")
    pages = _feedback(store, root / "out" / "feedback")
    alone_store = root / "alone" / "results.sqlite"
    alone, _ = grade(honest, ASSIGNMENT, alone_store, *FAST)
    alone_pages = _feedback(alone_store, root / "alone" / "feedback")
    env = {**os.environ, ENV: TEST_SALT}
    exported = {fmt: subprocess.run(
        [sys.executable, "-m", "autograder", "export", "--assignment", ASSIGNMENT,
         "--results", str(store), "--format", fmt], capture_output=True, text=True, env=env)
        for fmt in ("csv", "table")}
    return {"root": root, "found": found, "stderr": done.stderr, "store": store, "pages": pages,
            "alone": alone, "alone_pages": alone_pages, "exported": exported}


@root_only
def test_the_batch_goes_on_with_a_row_or_warning_for_each_bad_entry(batch):
    found = batch["found"]
    assert {s: r["status"] for s, r in found.items() if r["status"] == "rejected"}.keys() == {
        "carol", "dave", "eve", "frank", "hank", "mallory", "\\x1b[31mivan"}
    for student in ("alice", "bob", "joe", HYPERLINK, "printer"):
        assert found[student]["status"] == "graded" and found[student]["score"] == 100, student
    assert found["carol"]["error"].startswith("rejected: is a symbolic link")
    assert "ignored" in batch["stderr"] and "notes-\\xff.ipynb" in batch["stderr"]
    db = sqlite3.connect(batch["store"])
    raws = dict(db.execute("SELECT student, raw FROM submissions").fetchall())
    assert raws["dave"] == b"" and raws["carol"] == b"", "nothing behind a link was read or stored"
    assert len(raws) == len(found) == 14


@root_only
def test_honest_neighbours_keep_their_exact_score_and_feedback_page(batch):
    for student in ("honest_correct", "honest_partly_wrong"):
        mixed, alone = batch["found"][student], batch["alone"][student]
        assert mixed["score"] == alone["score"] == {"honest_correct": 100,
                                                    "honest_partly_wrong": 80}[student]
        assert mixed["exercises"] == alone["exercises"]
        name = f"{ASSIGNMENT}.html"
        page = batch["root"] / "out" / "feedback" / student / name
        assert page.read_bytes() == (batch["root"] / "alone" / "feedback" / student / name).read_bytes()
    alice = (batch["root"] / "out" / "feedback" / "alice" / f"{ASSIGNMENT}.html").read_text()
    assert "mallory" not in alice and "100 / 100" in alice


@root_only
def test_feedback_never_crashes_and_shows_only_safe_text(batch):
    assert batch["pages"].returncode == 0, batch["pages"].stderr
    pages = list((batch["root"] / "out" / "feedback").rglob("*.html"))
    assert len(pages) == 14, "one page per row, none lost to a neighbour with the same safe name"
    printer = (batch["root"] / "out" / "feedback" / "printer" / f"{ASSIGNMENT}.html").read_text()
    assert "lone surrogate" in printer and "terminal escapes" in printer
    for page in pages:
        text = page.read_bytes().decode("utf-8")   # valid UTF-8
        assert "\x1b" not in text and "\x07" not in text


@root_only
def test_csv_export_neutralises_formulas_and_table_prints_no_escapes(batch):
    csv_text, table = batch["exported"]["csv"], batch["exported"]["table"]
    assert csv_text.returncode == 0 and table.returncode == 0, csv_text.stderr + table.stderr
    rows = list(csv.reader(io.StringIO(csv_text.stdout)))
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "@", "\t", "\r")), row
            assert not (cell.startswith("-") and not cell.lstrip("-").replace(".", "").isdigit()), row
    assert any(cell == "'" + HYPERLINK for row in rows for cell in row)
    assert "\x1b" not in table.stdout and "\x1b" not in batch["stderr"]
    assert "\\x1b[31mivan" in table.stdout
