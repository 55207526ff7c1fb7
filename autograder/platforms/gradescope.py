"""Gradescope's ``results.json`` from a batch-grader result.

Layout (Gradescope's autograder specification, "Output format"): a top-level
``score`` (the total, which Gradescope takes over the sum of the tests),
``execution_time`` (whole seconds), ``output`` (text about the whole submission),
``visibility`` and ``stdout_visibility``, and one test per exercise with
``score``, ``max_score``, ``status`` (``passed`` or ``failed``), ``name``,
``number`` and ``output``.

Visibility: each test is ``visible`` by default (its output is the grader's
message, which names what differs on the documented examples and only counts
the hidden cases). The top-level ``visibility`` applies to the whole result
(``--visibility``: ``visible``, ``hidden``, ``after_due_date`` or
``after_published``); ``stdout_visibility`` is always ``hidden``, because the
grader's log in ``/autograder/results/stdout`` is for the instructor.
"""
import json
import os

from autograder.platforms.common import exercise_text, passed, summary_text

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


def results_json(result, execution_seconds=None, visibility="visible"):
    """The results.json object of one submission (a dict ready for ``json.dump``)."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}")
    tests = [{"name": f"{e['number']}. {e['function']}", "number": str(e["number"]),
              "score": float(e["points"]), "max_score": float(e["max_points"]),
              "status": "passed" if passed(e) else "failed",
              "output": exercise_text(e), "output_format": "text", "visibility": "visible"}
             for e in result["exercises"]]
    found = {"score": float(result["score"]), "output": summary_text(result), "output_format": "text",
             "visibility": visibility, "stdout_visibility": "hidden", "tests": tests,
             "extra_data": {"status": result["status"], "isolation": result.get("isolation") or "",
                            "sha256": result.get("sha256", "")}}
    if execution_seconds is not None:
        found["execution_time"] = max(0, int(round(execution_seconds)))
    return found


def write(path, result, execution_seconds=None, visibility="visible"):
    """Write one submission's results.json at ``path`` (atomically: a reader never sees half)."""
    write_json(path, results_json(result, execution_seconds, visibility))


def write_json(path, data):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    temporary = f"{path}.part"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.replace(temporary, path)
