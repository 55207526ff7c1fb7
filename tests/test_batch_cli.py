"""The batch grader's command line end to end: idempotence, kill -9 and resume, quarantine,
worker-count independence, feedback and export. Every run is a real subprocess."""
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from autograder.assignments import exercises
from autograder.salt import assignment_salt
from autograder.trusted import cases_for
from batch_tools import (ENV, FAST, TEST_SALT, base_notebooks, count, grade, grade_command, grader_env,
                         sandbox_processes, stored_results, write)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="full isolation needs root (as on CI)")
ASSIGNMENT = "step_by_step"
SLOW_CELL = "import time\nwhile True:\n    try:\n        time.sleep(1)\n    except BaseException:\n        pass"


def _with_cell(nb, source):
    changed = nbformat.from_dict(json.loads(json.dumps(nb)))
    changed.cells.append(nbformat.v4.new_code_cell(source))
    return changed


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    """Twelve submissions: the four honest examples twice, and four slow ones."""
    folder = tmp_path_factory.mktemp("batch") / "submitted"
    bases = base_notebooks(ASSIGNMENT)
    for round_ in (1, 2):
        for name, nb in bases.items():
            write(folder, f"{name}_{round_}", ASSIGNMENT, nb)
    for i in range(4):
        write(folder, f"slow_{i}", ASSIGNMENT, _with_cell(bases["correct"], SLOW_CELL))
    return folder


def _command(folder, store, *extra):
    return grade_command(folder, store, ASSIGNMENT, *extra)




@pytest.fixture(scope="module")
def uninterrupted(submissions, tmp_path_factory):
    store = tmp_path_factory.mktemp("clean") / "results.sqlite"
    done = subprocess.run(_command(submissions, store, "--workers", "2"), capture_output=True,
                          text=True, env=grader_env(), timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout, store


def test_scores_of_the_batch(uninterrupted):
    results = {json.loads(line)["student"]: json.loads(line) for line in uninterrupted[0].splitlines()}
    assert len(results) == 12
    assert {results[f"correct_{r}"]["score"] for r in (1, 2)} == {100}
    assert {results[f"partly_wrong_{r}"]["score"] for r in (1, 2)} == {80}
    assert {results[f"untouched_{r}"]["score"] for r in (1, 2)} == {0}
    assert {results[f"slow_{i}"]["score"] for i in range(4)} == {100}
    assert all("timed out" in results[f"slow_{i}"]["cell_errors"][0]["error"]
               or "skipped" in results[f"slow_{i}"]["cell_errors"][0]["error"] for i in range(4))


def test_grading_again_is_idempotent(submissions, uninterrupted):
    first, store = uninterrupted
    attempts = count(store, "SELECT COUNT(*) FROM attempts")
    again = subprocess.run(_command(submissions, store, "--workers", "2"), capture_output=True,
                           text=True, env=grader_env(), timeout=600)
    assert again.returncode == 0 and again.stdout == first
    assert count(store, "SELECT COUNT(*) FROM attempts") == attempts, "nothing was graded again"
    assert count(store, "SELECT COUNT(*) FROM results") == 12


def test_results_do_not_depend_on_worker_count_or_order(submissions, uninterrupted, tmp_path):
    paths = sorted(str(p) for p in submissions.rglob("*.ipynb"))[::-1]
    one = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", *paths, "--assignment", ASSIGNMENT,
         "--results", str(tmp_path / "one.sqlite"), "--format", "json", "--quiet", *FAST,
         "--workers", "3"], capture_output=True, text=True, env=grader_env(), timeout=600)
    assert one.returncode == 0, one.stderr
    assert one.stdout == uninterrupted[0]


def test_kill_minus_nine_mid_batch_then_resume(submissions, uninterrupted, tmp_path):
    store = tmp_path / "results.sqlite"
    process = subprocess.Popen(_command(submissions, store, "--workers", "2"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=grader_env())
    deadline = time.monotonic() + 120
    while count(store, "SELECT COUNT(*) FROM results") < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done_before = count(store, "SELECT COUNT(*) FROM results")
    assert 3 <= done_before < 12, "the kill must land mid-batch"
    time.sleep(0.5)
    assert sandbox_processes() == [], "nothing outlives a killed grader"
    resumed = subprocess.run(_command(submissions, store, "--workers", "2"), capture_output=True,
                             text=True, env=grader_env(), timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == uninterrupted[0]
    assert count(store, "SELECT COUNT(*) FROM results") == 12
    assert count(store, "SELECT COUNT(*) FROM submissions") == 12


# Quarantine (only a submission that overruns or kills its worker alone) and kills of the grader
# (never counted against anyone) are tested in test_batch_kills.py.


def test_feedback_pages_escape_output_and_hide_hidden_cases(tmp_path):
    bases = base_notebooks(ASSIGNMENT)
    nb = nbformat.from_dict(json.loads(json.dumps(bases["correct"])))
    leaky = ("import numpy as np\n"
             "def linear_forward(A, W, b):\n"
             "    print('inputs', A.tolist())\n"
             "    raise ValueError(repr(A.tolist()))\n")
    next(c for c in nb.cells
         if c.metadata.get("nbgrader", {}).get("grade_id") == "linear_forward_answer").source = leaky
    nb.cells.append(nbformat.v4.new_code_cell("print('<script>alert(1)</script>')"))
    write(tmp_path / "submitted", "mallory", ASSIGNMENT, nb)
    store = tmp_path / "out" / "results.sqlite"
    grade([tmp_path / "submitted"], ASSIGNMENT, store, *FAST)
    pages = tmp_path / "out" / "feedback"
    done = subprocess.run([sys.executable, "-m", "autograder", "feedback", "--assignment", ASSIGNMENT,
                           "--results", str(store), "--output", str(pages)],
                          capture_output=True, text=True, env=grader_env())
    assert done.returncode == 0, done.stderr
    page = (pages / "mallory" / f"{ASSIGNMENT}.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "linear_forward" in page and "95 / 100" in page
    assert TEST_SALT not in page
    exercise = exercises(ASSIGNMENT)["linear_forward"]
    hidden = [c for c in cases_for(ASSIGNMENT, exercise, assignment_salt(TEST_SALT, ASSIGNMENT)) if c.hidden]
    for case in hidden:
        for value in case.args[0].ravel()[:4]:
            assert repr(float(value))[:8] not in page, "a hidden input leaked into the feedback"


def test_export_csv_matches_the_stored_results(uninterrupted):
    _, store = uninterrupted
    done = subprocess.run([sys.executable, "-m", "autograder", "export", "--assignment", ASSIGNMENT,
                           "--results", str(store), "--format", "csv"],
                          capture_output=True, text=True, env=grader_env())
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    stored = stored_results(store)
    possible, rows = rows[0], rows[1:]
    assert len(rows) == 12
    assert list(possible)[:11] == ["assignment", "duedate", "timestamp", "student_id", "last_name",
                                   "first_name", "email", "raw_score", "late_submission_penalty",
                                   "score", "max_score"], "nbgrader's own export columns, in its order"
    assert possible["student_id"] == "Points Possible" and float(possible["max_score"]) == 100
    for exercise in exercises(ASSIGNMENT).values():
        assert float(possible[exercise.name]) == exercise.points
    for row in rows:
        result = stored[row["student_id"]]
        assert float(row["score"]) == float(row["raw_score"]) == result["score"]
        assert row["timestamp"] == result["arrived"] and row["status"] == result["status"]
        for entry in result["exercises"]:
            assert float(row[entry["function"]]) == entry["points"]


def test_table_format_and_missing_paths(submissions, uninterrupted, tmp_path):
    _, store = uninterrupted
    table = subprocess.run([sys.executable, "-m", "autograder", "export", "--assignment", ASSIGNMENT,
                            "--results", str(store), "--format", "table"],
                           capture_output=True, text=True, env=grader_env())
    assert "partly_wrong_1" in table.stdout and "80/100" in table.stdout
    missing = subprocess.run(_command(tmp_path / "nowhere", tmp_path / "r.sqlite"),
                             capture_output=True, text=True, env=grader_env())
    assert missing.returncode != 0 and "no such file or folder" in missing.stderr
    no_salt = subprocess.run(_command(submissions, tmp_path / "r.sqlite"), capture_output=True,
                             text=True, env={k: v for k, v in os.environ.items() if k != ENV},
                             cwd=tmp_path)
    assert no_salt.returncode != 0 and "no grading salt" in no_salt.stderr


AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _interpreter_usable_by_nobody():
    """Whether an unprivileged user can start this interpreter (here it may live under /root)."""
    import shutil
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to run as another user")
    probe = subprocess.run([*AS_NOBODY, sys.executable, "-c",
                            "import subprocess, sys; subprocess.run([sys.executable, '-c', ''], check=True)"],
                           capture_output=True, cwd="/")
    return probe.returncode == 0


def _grade_as_nobody():
    """Grade an honest correct and partly wrong notebook as user nobody; the finished process."""
    import shutil
    import tempfile
    root = tempfile.mkdtemp(prefix="dnn-as-nobody-")   # pytest's own folders are root's only
    try:
        folder = os.path.join(root, "submitted")
        bases = base_notebooks(ASSIGNMENT)
        for name in ("correct", "partly_wrong"):
            write(folder, name, ASSIGNMENT, bases[name])
        for dirpath, dirnames, filenames in os.walk(root):
            os.chmod(dirpath, 0o777)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o644)
        done = subprocess.run(
            [*AS_NOBODY, sys.executable, "-m", "autograder", "grade", folder, "--assignment", ASSIGNMENT,
             "--results", os.path.join(root, "out", "results.sqlite"), "--format", "json", *FAST],
            capture_output=True, text=True, env={**grader_env(), "HOME": root}, cwd=root, timeout=300)
        store = os.path.join(root, "out", "results.sqlite")
        quarantined = count(store, "SELECT COUNT(*) FROM results WHERE status = 'quarantined'")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return done, quarantined


def test_without_root_it_falls_back_to_limits_and_still_grades():
    """Run by an ordinary user, namespaces are refused: the grader says so and grades."""
    if not _interpreter_usable_by_nobody():
        pytest.skip("this interpreter cannot be started by an unprivileged user on this machine")
    done, _ = _grade_as_nobody()
    assert done.returncode == 0, done.stderr
    results = {json.loads(line)["student"]: json.loads(line) for line in done.stdout.splitlines()}
    assert results["correct"]["score"] == 100 and results["partly_wrong"]["score"] == 80
    assert "resource limits and own session only" in done.stderr


def test_when_no_sandbox_can_start_the_batch_stops_and_nobody_is_quarantined(tmp_path):
    """An interpreter that cannot be started for the sandboxes: a clear error, not three
    quarantined students. The grader is told its interpreter lives nowhere (its own process is
    already running), so the test does not depend on where the clone is or who may read it."""
    folder = tmp_path / "submitted"
    bases = base_notebooks(ASSIGNMENT)
    for name in ("correct", "partly_wrong"):
        write(folder, name, ASSIGNMENT, bases[name])
    store = tmp_path / "out" / "results.sqlite"
    store.parent.mkdir()
    nowhere = ("import sys; sys.executable = '/nonexistent/bin/python3'; "
               "from autograder.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", nowhere, "grade", str(folder), "--assignment",
                           ASSIGNMENT, "--results", str(store), "--format", "json", *FAST],
                          capture_output=True, text=True, env=grader_env(), cwd=store.parent, timeout=300)
    assert done.returncode != 0 and "sandboxes cannot be started here" in done.stderr, done.stderr
    assert count(store, "SELECT COUNT(*) FROM results WHERE status = 'quarantined'") == 0
    assert count(store, "SELECT COUNT(*) FROM attempts WHERE outcome LIKE 'failed:%'") == 0
