"""PrairieLearn's external-grader ``results.json`` from a batch-grader result.

Layout (PrairieLearn's "External Grading", "Grading results"): ``score`` in
[0, 1]; ``gradable`` false when the file could not be graded (PrairieLearn then
marks it invalid and does not count the attempt) with the reason in
``format_errors``; ``message`` and ``output`` about the whole submission; one
test per exercise with ``name``, ``description``, ``points``, ``max_points``,
``message`` and ``output``.
"""
from autograder.platforms.common import exercise_text, points, summary_text


def results_json(result):
    """The results.json object of one submission."""
    maximum = float(result["max_score"])
    share = min(1.0, max(0.0, float(result["score"]) / maximum)) if maximum > 0 else 0.0
    tests = [{"name": f"{e['number']}. {e['function']}",
              "description": f"exercise {e['number']}: {e['function']}",
              "points": float(e["points"]), "max_points": float(e["max_points"]),
              "message": f"{points(e['points'])} of {points(e['max_points'])} points ({e['status']})",
              "output": exercise_text(e)}
             for e in result["exercises"]]
    found = {"gradable": result["status"] == "graded", "score": share,
             "message": summary_text(result), "tests": tests}
    if not found["gradable"]:
        found["format_errors"] = [str(result.get("error") or result["status"])]
    return found
