"""Results as JSON lines, a table or CSV, and the end-of-batch summary.

Every text a submission controls is shown through ``safe_text``: the table
never prints a control character or terminal escape, and no CSV cell starts
like a spreadsheet formula.
"""
import csv
import io
import json

from autograder.batch import safe_text

PUBLIC_FIELDS = ("submission", "student", "assignment", "status", "score", "max_score", "error",
                 "sha256", "arrived", "isolation")
EXERCISE_FIELDS = ("function", "number", "points", "max_points", "status", "message",
                   "cases_passed", "cases", "mistakes", "warnings")


def public(result):
    """The result as printed: the notebook's own output is left for the feedback pages."""
    result = safe_text.clean_result(result)
    shown = {key: result.get(key) for key in PUBLIC_FIELDS}
    shown["exercises"] = [{key: e.get(key) for key in EXERCISE_FIELDS} for e in result["exercises"]]
    shown["cell_errors"] = [{"cell": c["cell"], "error": c["error"]}
                            for c in result.get("cells", []) if c.get("error")]
    return shown


def as_json_lines(results):
    return "".join(json.dumps(public(r), sort_keys=True) + "\n" for r in results)


def _points(value):
    return f"{value:g}"


def as_table(results):
    """One row per submission: points per exercise, total, status."""
    if not results:
        return "no submissions\n"
    numbers = [e["number"] for e in results[0]["exercises"]]
    names = [safe_text.line(r["student"], limit=40) for r in results]
    width = max(12, *(len(n) for n in names))
    lines = [f"{'student':<{width}}" + "".join(f"{n:>6}" for n in numbers) + f"{'total':>12}  status"]
    for name, r in zip(names, results):
        cells = "".join(f"{_points(e['points']):>6}" for e in r["exercises"])
        total = f"{_points(r['score'])}/{_points(r['max_score'])}"
        lines.append(f"{name:<{width}}{cells}{total:>12}  {safe_text.line(r['status'], limit=40)}")
    return "\n".join(lines) + "\n"


# The columns of nbgrader's own CSV export (``nbgrader export``), in its order; the batch grader
# knows no due dates, late penalties or names, so those cells are empty or zero.
NBGRADER_COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
                    "email", "raw_score", "late_submission_penalty", "score", "max_score")
POINTS_POSSIBLE = "Points Possible"


def as_csv(results):
    """nbgrader's export columns, then one column per exercise (its points, headed by the
    function's name), then ``status``, ``submission`` and ``error``.

    The first row after the header is the points-possible row (``student_id`` is
    ``Points Possible``, every score column holds its maximum), as LMS gradebook imports
    expect. Every cell is formula-safe (``safe_text.csv_cell``).
    """
    buffer = io.StringIO()
    exercises = results[0]["exercises"] if results else []
    functions = [e["function"] for e in exercises]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*NBGRADER_COLUMNS, *functions, "status", "submission", "error"])
    if results:
        top = _points(results[0]["max_score"])
        possible = {"assignment": results[0]["assignment"], "student_id": POINTS_POSSIBLE,
                    "raw_score": top, "score": top, "max_score": top}
        writer.writerow([safe_text.csv_cell(possible.get(c, "")) for c in NBGRADER_COLUMNS]
                        + [_points(e["max_points"]) for e in exercises] + ["", "", ""])
    for r in results:
        points = {e["function"]: _points(e["points"]) for e in r["exercises"]}
        row = {"assignment": r["assignment"], "timestamp": r.get("arrived") or "",
               "student_id": r["student"], "raw_score": _points(r["score"]),
               "late_submission_penalty": "0", "score": _points(r["score"]),
               "max_score": _points(r["max_score"])}
        writer.writerow([safe_text.csv_cell(row.get(c, "")) for c in NBGRADER_COLUMNS]
                        + [points.get(f, "") for f in functions]
                        + [safe_text.csv_cell(v) for v in (r["status"], r["submission"], r["error"])])
    return buffer.getvalue()


FORMATS = {"json": as_json_lines, "table": as_table, "csv": as_csv}


def summary(results, seconds, isolation_levels, budget=None):
    """A few lines for stderr at the end of a batch (``budget``: seconds per submission)."""
    counts = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    graded = [r for r in results if r["status"] == "graded"]
    mean = sum(r["score"] for r in graded) / len(graded) if graded else 0.0
    top = results[0]["max_score"] if results else 0
    lines = [f"{len(results)} submissions in {seconds:.1f} s "
             f"({len(results) / max(seconds, 1e-9):.1f} per second): "
             + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())),
             f"mean score of graded submissions: {mean:.2f} of {top:g}"]
    if isolation_levels:
        lines.append("sandbox isolation: " + "; ".join(sorted(isolation_levels)))
    if budget is not None:
        lines.append(f"time budget per submission: {budget:g} s for its cells and calls together "
                     "(--submission-timeout)")
    return "\n".join(lines) + "\n"
