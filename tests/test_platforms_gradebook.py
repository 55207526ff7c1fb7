"""The batch grader's results in a real nbgrader course's gradebook, as formgrader and export see them.

One course in a temporary folder: ``nbgrader generate_assignment``, then ``python -m autograder
grade submitted --gradebook`` on the four example students (one of them with doctored nbgrader
metadata and saved outputs) and a damaged file. nbgrader's own API, ``nbgrader export``
and a real formgrader server on localhost must then show the batch grader's scores.
"""
import csv
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request

import nbformat
import pytest

from autograder import demo
from autograder.assignments import exercises
from batch_tools import base_notebooks, grade, points, write
from conftest import free_port
from notebook_tools import ROOT, nbgrader_environment

pytestmark = pytest.mark.nbgrader
ASSIGNMENT = "step_by_step"
SALT = "gradebook-salt-5d1e"
PLANTED = "planted-output-7c41"   # in a saved output of a submission: must never be shown


def _tampered(nb):
    """A right notebook whose saved outputs carry a script and whose metadata claim more points."""
    nb = nbformat.from_dict(json.loads(nbformat.writes(nb)))
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "linear_forward":
            meta["points"] = 1000
        if cell.cell_type == "code" and not cell.outputs:
            cell.outputs = [nbformat.v4.new_output(
                "display_data", data={"text/html": f"<script>alert('{PLANTED}')</script>"})]
    nb.cells.append(nbformat.v4.new_markdown_cell(f"<img src=x onerror=alert('{PLANTED}')> my answer: a < b"))
    raw = nbformat.v4.new_raw_cell(f"<script>alert('{PLANTED}')</script>")
    raw.metadata["format"] = "text/html"
    nb.cells.append(raw)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {PLANTED: {}}}}
    fake = nbformat.v4.new_code_cell("x = 1")
    fake.metadata["nbgrader"] = {"grade": True, "grade_id": "extra_credit", "points": 50,
                                 "solution": False, "locked": False, "schema_version": 3}
    nb.cells.append(fake)
    return nb


def _grade(root):
    found, done = grade([root / "submitted"], ASSIGNMENT, root / "grading" / "results.sqlite",
                        "--gradebook", "--course-dir", str(root), "--workers", "2",
                        env=nbgrader_environment())
    return found, done


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """(course root, {student: batch result}) after one batch graded into the gradebook."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    (root / "grading_salt").write_text(SALT + "\n")
    demo.nbgrader(root, "generate_assignment", ASSIGNMENT, "--force", env=nbgrader_environment())
    notebooks = base_notebooks(ASSIGNMENT)
    notebooks["alternative"] = _tampered(notebooks["alternative"])   # still right, but doctored
    for student, nb in notebooks.items():
        write(root / "submitted", student, ASSIGNMENT, nb)
    write(root / "submitted", "broken", ASSIGNMENT, b"{ this is not a notebook")
    # nbgrader's collect writes the submission time beside the notebook
    (root / "submitted" / "alternative" / ASSIGNMENT / "timestamp.txt").write_text(
        "2026-03-04 05:06:07.000000 UTC")
    found, done = _grade(root)
    assert "gradebook: 5 submissions written" in done.stderr, done.stderr[-2000:]
    return root, found


def _gradebook(root):
    from nbgrader.api import Gradebook
    return Gradebook(f"sqlite:///{root / 'gradebook.db'}")


def _grades(root, student):
    with _gradebook(root) as gb:
        notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        return {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in notebook.grades}


def test_each_grade_cell_holds_the_batch_graders_points(course):
    root, found = course
    full = {name: float(e.points) for name, e in exercises(ASSIGNMENT).items()}
    for student in ("correct", "alternative", "partly_wrong", "untouched"):
        grades = _grades(root, student)
        assert {name: auto for name, (auto, _, _) in grades.items()} == points(found[student]), student
        assert not any(flag for _, _, flag in grades.values()), student
    assert points(found["correct"]) == full and points(found["alternative"]) == full
    assert points(found["partly_wrong"]) == dict(full, linear_backward=0.0, update_parameters=0.0)
    assert set(points(found["untouched"]).values()) == {0.0}


def test_a_submission_that_could_not_be_graded_is_zero_and_flagged_for_review(course):
    root, found = course
    assert found["broken"]["status"] == "invalid_notebook"
    grades = _grades(root, "broken")
    assert grades and all(auto == 0 and flag for auto, _, flag in grades.values())
    nb = nbformat.read(root / "autograded" / "broken" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert "could not be read as a valid notebook" in nb.cells[0].source
    assert {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata} >= set(grades)


def test_answer_cells_left_as_released_say_no_response_as_nbgrader_does(course):
    root, _ = course
    with _gradebook(root) as gb:
        untouched = gb.find_comment("linear_backward_answer", ASSIGNMENT, ASSIGNMENT, "untouched")
        answered = gb.find_comment("linear_backward_answer", ASSIGNMENT, ASSIGNMENT, "correct")
        assert (untouched.auto_comment, answered.auto_comment) == ("No response.", None)


def test_submission_times_are_nbgraders_timestamp_or_the_files_arrival(course):
    root, _ = course
    with _gradebook(root) as gb:
        stamped = gb.find_submission(ASSIGNMENT, "alternative").timestamp
        arrived = gb.find_submission(ASSIGNMENT, "correct").timestamp
    assert stamped == datetime.datetime(2026, 3, 4, 5, 6, 7)
    mtime = os.stat(root / "submitted" / "correct" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").st_mtime
    expected = datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).replace(tzinfo=None)
    assert abs((arrived - expected).total_seconds()) < 1e-3


def test_nbgrader_export_shows_the_batch_graders_totals(course):
    root, found = course
    demo.nbgrader(root, "export", env=nbgrader_environment())
    with open(root / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(found)
    for student, result in found.items():
        if student == "untouched":   # its scores are changed by another test
            continue
        assert float(rows[student]["raw_score"]) == pytest.approx(result["score"]), student
        assert float(rows[student]["max_score"]) == pytest.approx(result["max_score"]), student


def test_the_autograded_notebook_has_trusted_metadata_and_no_saved_outputs(course):
    root, _ = course
    path = root / "autograded" / "alternative" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    text = path.read_text()
    assert "<img" not in text and SALT not in text
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata
    raw = [c for c in nb.cells if c.cell_type == "raw"]
    assert raw and all("format" not in c.metadata and "raw_mimetype" not in c.metadata for c in raw)
    assert not any(PLANTED in json.dumps(c.get("outputs", [])) for c in nb.cells)
    meta = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in nb.cells
            if "nbgrader" in c.metadata}
    assert "extra_credit" not in meta
    assert meta["linear_forward"]["points"] == exercises(ASSIGNMENT)["linear_forward"].points
    test_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "linear_forward")
    report = "".join(o.get("text", "") for o in test_cell.outputs)
    assert report.startswith("linear_forward: 5 of 5 points (passed)"), report


@pytest.fixture(scope="module")
def formgrader(course):
    """A real Jupyter server with nbgrader's formgrader, serving the course on localhost."""
    root, _ = course
    port, token = free_port(), "formgrader-test-token"
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}", "--ServerApp.open_browser=False",
         "--ServerApp.allow_root=True", f"--ServerApp.root_dir={root}",
         "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True}"],
        cwd=root, env=nbgrader_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def get(path):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                         headers={"Authorization": f"token {token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get("/api/status")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read().decode()[-3000:]
            assert time.monotonic() < deadline, "the Jupyter server did not start"
            time.sleep(0.3)
        yield types.SimpleNamespace(get=get, url=f"http://127.0.0.1:{port}", token=token)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_formgrader_shows_the_batch_graders_report(course, formgrader):
    root, _ = course
    with _gradebook(root) as gb:
        submission_id = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "partly_wrong").id
        tampered_id = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "alternative").id
    status, page = formgrader.get(f"/formgrader/submissions/{submission_id}/")
    assert status == 200, page[-2000:]
    assert "linear_backward: 0 of 10 points (failed)" in page
    assert "dW and db are not divided by m" in page          # the grader's diagnosis, in the test cell
    assert "Graded by the course&#39;s batch grader" in page or "Graded by the course's batch grader" in page
    for name in exercises(ASSIGNMENT):                          # formgrader's score box of each cell
        assert f'id="{name}"' in page, name
    status, page = formgrader.get(f"/formgrader/submissions/{tampered_id}/")
    assert status == 200 and SALT not in page
    assert f"<script>alert('{PLANTED}')" not in page and "onerror" not in page.replace("&lt;img src=x onerror", "")
    assert "my answer: a &lt; b" in page            # the student's own words are still shown, as text


# Formgrader loads MathJax from a CDN; the test browser never leaves this machine, so a stand-in
# answers that request (formgrader only waits for MathJax's start-up signal).
MATHJAX_STAND_IN = ("window.MathJax={Hub:{Config:function(){},Queue:function(){},Typeset:function(){},"
                    "Startup:{signal:{Interest:function(f){setTimeout(function(){f('End')},0)}}},"
                    "Register:{StartupHook:function(){},MessageHook:function(){}}}};")


def test_an_instructor_in_formgrader_sees_the_batch_scores_and_grades_by_hand(course, formgrader):
    """Formgrader in headless chromium, as an instructor uses it: each score box shows the batch
    grader's points, the test cell its report; a score typed in is saved as a manual score."""
    from browser import SCREENSHOTS, open_browser
    root, found = course
    with _gradebook(root) as gb:
        submission_id = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "partly_wrong").id
    with open_browser(allow_hosts=("127.0.0.1",)) as browser:
        page = browser.page()
        page.set_extra_http_headers({"Authorization": f"token {formgrader.token}"})
        page.route("https://cdnjs.cloudflare.com/**", lambda route: route.fulfill(
            status=200, content_type="application/javascript", body=MATHJAX_STAND_IN))
        page.goto(f"{formgrader.url}/formgrader/submissions/{submission_id}/")
        page.wait_for_load_state("networkidle")
        shown = {name: page.locator(f"input#{name}").get_attribute("placeholder") for name in exercises(ASSIGNMENT)}
        assert {name: float(value) for name, value in shown.items()} == points(found["partly_wrong"])
        assert "linear_backward: 0 of 10 points (failed)" in page.locator("body").inner_text()
        box = page.locator("input#linear_backward")
        box.scroll_into_view_if_needed()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)   # what the instructor sees around that cell
        page.screenshot(path=str(SCREENSHOTS / "formgrader_batch_graded_linear_backward.png"))
        box.fill("6")
        box.press("Tab")
        page.wait_for_load_state("networkidle")
        assert browser.problems() == []
    deadline = time.monotonic() + 10
    while _grades(root, "partly_wrong")["linear_backward"][1] != 6.0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _grades(root, "partly_wrong")["linear_backward"] == (0.0, 6.0, False)
    from autograder.platforms import gradebook
    gradebook.write_to_course([found["partly_wrong"]], root, ASSIGNMENT)   # written again: kept
    assert _grades(root, "partly_wrong")["linear_backward"] == (0.0, 6.0, False)


def test_manual_scores_survive_a_regrade_and_a_changed_auto_score_asks_for_review(course):
    root, found = course
    with _gradebook(root) as gb:
        grade_cell = gb.find_grade("linear_backward", ASSIGNMENT, ASSIGNMENT, "untouched")
        grade_cell.manual_score = 7.0
        grade_cell.needs_manual_grade = False
        comment = gb.find_comment("linear_backward_answer", ASSIGNMENT, ASSIGNMENT, "untouched")
        comment.manual_comment = "see me"
        gb.db.commit()
    _, done = _grade(root)   # a second `grade`: stored results reused, the gradebook written again
    assert "gradebook: 5 submissions written" in done.stderr
    assert _grades(root, "untouched")["linear_backward"] == (0.0, 7.0, False)
    # a result whose auto score differs (as after a fix or a new grader version) for that cell
    from autograder.platforms import gradebook
    changed = json.loads(json.dumps(found["untouched"]))
    entry = next(e for e in changed["exercises"] if e["function"] == "linear_backward")
    entry["points"] = entry["max_points"]
    changed["score"] = sum(e["points"] for e in changed["exercises"])
    gradebook.write_to_course([changed], root, ASSIGNMENT)
    assert _grades(root, "untouched")["linear_backward"] == (10.0, 7.0, True)
    with _gradebook(root) as gb:
        assert gb.find_grade("linear_backward", ASSIGNMENT, ASSIGNMENT, "untouched").score == 7.0
        assert gb.find_comment("linear_backward_answer", ASSIGNMENT, ASSIGNMENT,
                               "untouched").manual_comment == "see me"
        assert gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "untouched").needs_manual_grade
    # an unchanged auto score leaves the instructor's decision alone: no new review flag
    with _gradebook(root) as gb:
        gb.find_grade("linear_backward", ASSIGNMENT, ASSIGNMENT, "untouched").needs_manual_grade = False
        gb.db.commit()
    gradebook.write_to_course([changed], root, ASSIGNMENT)
    assert _grades(root, "untouched")["linear_backward"] == (10.0, 7.0, False)


def test_an_assignment_the_gradebook_lacks_is_refused_with_what_to_do(course):
    root, _ = course
    from autograder.platforms import gradebook
    with pytest.raises(gradebook.GradebookError, match="nbgrader generate_assignment application"):
        gradebook.write_to_course([], root, "application")
    assert not (root / "autograded" / "correct" / "application").exists()


def test_two_submissions_of_one_student_are_not_written(tmp_path, course):
    root, found = course
    from autograder.platforms import gradebook
    twice = [dict(found["untouched"], submission=str(tmp_path / "a.ipynb")),
             dict(found["untouched"], submission=str(tmp_path / "b.ipynb"))]
    before = _grades(root, "untouched")
    outcome = gradebook.write_to_course(twice, root, ASSIGNMENT)
    assert outcome.written == [] and "2 submissions" in outcome.skipped["untouched"]
    assert _grades(root, "untouched") == before


def test_a_result_the_grader_failed_to_produce_is_not_written(course):
    root, found = course
    from autograder.platforms import gradebook
    failed = dict(found["correct"], status="error", score=0.0, error="error: the grader failed")
    before = _grades(root, "correct")
    outcome = gradebook.write_to_course([failed], root, ASSIGNMENT)
    assert outcome.written == [] and "the grader failed" in outcome.skipped["correct"]
    assert _grades(root, "correct") == before
