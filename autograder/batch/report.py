"""Results as JSON lines, a table or CSV, and the end-of-batch summary."""
import csv
import io
import json

PUBLIC_FIELDS = ("submission", "student", "assignment", "status", "score", "max_score", "error",
                 "sha256", "arrived", "isolation")
EXERCISE_FIELDS = ("function", "number", "points", "max_points", "status", "message",
                   "cases_passed", "cases", "mistakes", "warnings")


def public(result):
    """The result as printed: the notebook's own output is left for the feedback pages."""
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
    width = max(12, *(len(r["student"]) for r in results))
    lines = [f"{'student':<{width}}" + "".join(f"{n:>6}" for n in numbers) + f"{'total':>12}  status"]
    for r in results:
        cells = "".join(f"{_points(e['points']):>6}" for e in r["exercises"])
        total = f"{_points(r['score'])}/{_points(r['max_score'])}"
        lines.append(f"{r['student']:<{width}}{cells}{total:>12}  {r['status']}")
    return "\n".join(lines) + "\n"


def as_csv(results):
    """student, submission, score, max_score, status, one column per function, error."""
    buffer = io.StringIO()
    functions = [e["function"] for e in results[0]["exercises"]] if results else []
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "submission", "assignment", "score", "max_score", "status",
                     *functions, "error"])
    for r in results:
        points = {e["function"]: _points(e["points"]) for e in r["exercises"]}
        writer.writerow([r["student"], r["submission"], r["assignment"], _points(r["score"]),
                         _points(r["max_score"]), r["status"], *(points[f] for f in functions),
                         r["error"] or ""])
    return buffer.getvalue()


FORMATS = {"json": as_json_lines, "table": as_table, "csv": as_csv}


def summary(results, seconds, isolation_levels):
    """A few lines for stderr at the end of a batch."""
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
    return "\n".join(lines) + "\n"
