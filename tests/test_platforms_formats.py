"""Gradescope's and PrairieLearn's results.json from real batch-grader runs, checked against schemas
written from the platforms' published specifications, and for hidden-case leaks.

One batch of five submissions: correct, partly wrong, not a notebook, one whose function never
returns (timed out), and one whose function prints its inputs and raises with them in the message.
"""
import argparse
import json

import jsonschema
import nbformat
import pytest

from autograder.assignments import exercises
from autograder.platforms import gradescope
from batch_tools import FAST, base_notebooks, grade, write
from conftest import TEST_SALT
from platforms_tools import (GRADESCOPE, GRADESCOPE_OURS, PRAIRIELEARN, PRAIRIELEARN_MAX_BYTES,
                             PRAIRIELEARN_OURS, hidden_fingerprints, leaks, read_json, visible_fingerprints)

ASSIGNMENT = "step_by_step"
STUDENTS = ("correct", "partly_wrong", "invalid", "timed_out", "leaky")


def _replace_answer(nb, function, code):
    nb = nbformat.from_dict(json.loads(nbformat.writes(nb)))
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{function}_answer")
    cell.source = code
    return nb


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """{format: {student: results.json object}} and the results the grader printed."""
    folder = tmp_path_factory.mktemp("platforms")
    notebooks = base_notebooks(ASSIGNMENT)
    write(folder / "in", "correct", ASSIGNMENT, notebooks["correct"])
    write(folder / "in", "partly_wrong", ASSIGNMENT, notebooks["partly_wrong"])
    write(folder / "in", "invalid", ASSIGNMENT, b'{"cells": "not a list"')
    write(folder / "in", "timed_out", ASSIGNMENT, _replace_answer(
        notebooks["correct"], "linear_forward",
        "def linear_forward(A, W, b):\n    while True:\n        pass\n"))
    write(folder / "in", "leaky", ASSIGNMENT, _replace_answer(
        notebooks["correct"], "linear_forward",
        "def linear_forward(A, W, b):\n    print('inputs', A.tolist(), W.tolist(), b.tolist())\n"
        "    raise ValueError(repr((A.tolist(), W.tolist(), b.tolist())))\n"))
    store = folder / "grading" / "results.sqlite"
    found = {}
    for fmt in ("gradescope", "prairielearn"):   # the second run reuses the stored results
        grade([folder / "in"], ASSIGNMENT, store, *FAST, "--format", fmt,
              "--output-dir", str(folder / fmt), "--workers", "2")
        found[fmt] = {s: read_json(folder / fmt / s / "results.json") for s in STUDENTS}
    found["folder"] = folder
    return found


@pytest.mark.parametrize("student", STUDENTS)
def test_gradescope_results_follow_the_specification(batch, student):
    data = batch["gradescope"][student]
    jsonschema.validate(data, GRADESCOPE)
    jsonschema.validate(data, GRADESCOPE_OURS)
    names = list(exercises(ASSIGNMENT))
    assert [t["name"] for t in data["tests"]] == [f"{i + 1}. {n}" for i, n in enumerate(names)]
    assert [t["number"] for t in data["tests"]] == [str(i + 1) for i in range(len(names))]
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))
    assert all(0 <= t["score"] <= t["max_score"] for t in data["tests"])
    assert all(t["status"] == ("passed" if t["score"] == t["max_score"] else "failed") for t in data["tests"])
    assert data["stdout_visibility"] == "hidden" and data["visibility"] == "visible"


@pytest.mark.parametrize("student", STUDENTS)
def test_prairielearn_results_follow_the_specification(batch, student):
    data = batch["prairielearn"][student]
    jsonschema.validate(data, PRAIRIELEARN)
    jsonschema.validate(data, PRAIRIELEARN_OURS)
    path = batch["folder"] / "prairielearn" / student / "results.json"
    assert path.stat().st_size <= PRAIRIELEARN_MAX_BYTES
    same = batch["gradescope"][student]   # the same stored result, as Gradescope's
    assert data["gradable"] == (same["extra_data"]["status"] == "graded")
    assert [t["points"] for t in data["tests"]] == [t["score"] for t in same["tests"]]
    if data["gradable"]:
        assert data["score"] == pytest.approx(same["score"] / sum(t["max_score"] for t in same["tests"]))


def test_scores_and_messages_say_what_happened(batch):
    gs, pl = batch["gradescope"], batch["prairielearn"]
    full = sum(e.points for e in exercises(ASSIGNMENT).values())
    assert gs["correct"]["score"] == full and pl["correct"]["score"] == 1.0
    assert all(t["status"] == "passed" for t in gs["correct"]["tests"])
    wrong = {t["name"].split(". ")[1]: t for t in gs["partly_wrong"]["tests"] if t["status"] == "failed"}
    assert set(wrong) == {"linear_backward", "update_parameters"}
    assert "dW and db are not divided by m" in wrong["linear_backward"]["output"]
    assert gs["invalid"]["score"] == 0 and "invalid_notebook" in gs["invalid"]["output"]
    assert pl["invalid"]["gradable"] is False and pl["invalid"]["format_errors"]
    slow = next(t for t in gs["timed_out"]["tests"] if t["name"].endswith("linear_forward"))
    assert slow["score"] == 0 and "timed out" in slow["output"]
    others = [t for t in gs["timed_out"]["tests"] if t is not slow]
    assert all(t["status"] == "passed" for t in others)     # one runaway function costs only its points
    for data in (gs["correct"], gs["partly_wrong"]):
        assert data["extra_data"]["isolation"] and f"sandbox: {data['extra_data']['isolation']}" in data["output"]


def test_no_hidden_input_or_expected_value_reaches_a_platform_file(batch):
    hidden = hidden_fingerprints(ASSIGNMENT, TEST_SALT)
    assert len(hidden) > 100   # the detector has something to look for
    for fmt in ("gradescope", "prairielearn"):
        for student in STUDENTS:
            text = json.dumps(batch[fmt][student])
            assert leaks(text, hidden) == [], (fmt, student)
    # the leaky function printed and raised its inputs: the visible ones are shown, hidden ones not
    leaky = json.dumps(batch["gradescope"]["leaky"])
    assert "inputs [[" in leaky and "details of hidden cases are not shown" in leaky


def test_the_detector_finds_values_that_are_shown(batch):
    """The partly wrong submission's report shows linear_backward's documented expected values:
    the same detector must find them (so an empty result above means something)."""
    text = json.dumps(batch["gradescope"]["partly_wrong"])
    assert leaks(text, visible_fingerprints(ASSIGNMENT, "linear_backward"))


def test_without_output_dir_one_json_object_per_line(capsys):
    from autograder.platforms import commands
    results = [{"assignment": ASSIGNMENT, "student": s, "submission": s, "score": 1.0, "max_score": 2.0,
                "status": "graded", "isolation": "test", "exercises": [
                    {"function": "f", "number": 1, "points": 1.0, "max_points": 2.0, "status": "partial",
                     "message": "1 of 2 cases passed", "printed": ""}]} for s in ("a", "b")]
    args = argparse.Namespace(format="prairielearn", output_dir=None, visibility="visible")
    assert commands.write_formats(args, results, 3.0) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2 and all(line["score"] == 0.5 for line in lines)
    for data in lines:
        jsonschema.validate(data, PRAIRIELEARN_OURS)
    # a result the grader failed to produce is no grade: nothing written, exit status 1
    failed = [dict(results[0], status="error", error="error: the grader failed")]
    assert commands.write_formats(args, failed, 3.0) == 1
    assert capsys.readouterr().out == ""


def test_visibility_is_checked():
    result = {"assignment": ASSIGNMENT, "score": 0.0, "max_score": 1.0, "status": "graded",
              "exercises": [], "isolation": ""}
    assert gradescope.results_json(result, visibility="after_due_date")["visibility"] == "after_due_date"
    with pytest.raises(ValueError, match="visibility"):
        gradescope.results_json(result, visibility="sometimes")
