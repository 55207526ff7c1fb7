"""Per-student HTML feedback from stored results.

Shows each exercise's points, status, message and the names of the mistakes
found, the notebook's own output (escaped) and any cell that failed. Hidden
cases appear only as counts and messages without values: the messages are
built on the trusted side without inputs or expected values, hidden-case
errors carry only the exception's type, and what the code printed while a
hidden case ran is never stored.
"""
import hashlib
import html
import os
import re

from autograder.batch import safe_text

_STYLE = """body{font-family:system-ui,sans-serif;max-width:84rem;margin:2rem auto;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;
vertical-align:top}pre{background:#f6f6f6;padding:.5rem;white-space:pre;overflow-x:auto;margin:0;
max-width:52rem}td small{display:block;max-width:12rem}
.passed{color:#176317}.failed,.missing,.stopped,.delegated{color:#a11}.partial{color:#8a5a00}"""


def _e(text):
    return html.escape(safe_text.text(text, limit=None), quote=True)


def _n(value):
    """A number shown on the page (a stored score is a number; anything else is shown as text)."""
    return f"{value:g}" if isinstance(value, (int, float)) else _e(value)


# What each status means, said to the student.
STATUS_SENTENCES = {
    "passed": "every case passed",
    "partial": "some cases passed: the points are the exercise's points times the share of cases passed",
    "failed": "no case passed",
    "missing": "your function could not run: a name it needs is not defined when the notebook runs "
               "from the top (the function itself, a helper of yours, or a variable from another "
               "cell); the message says which",
    "stopped": "grading stopped before this exercise (time or memory limit): see the message",
    "delegated": "this function only calls the library's version: write your own to earn the points",
    "not graded": "the notebook could not be graded: see the message at the top",
}


def _mistake_sentences(assignment, function, names):
    """The catalogue's sentence for each named mistake (its id when the catalogue has none)."""
    known = {"hard_coded": "the output is a documented example's answer whatever the input "
                           "(hard-coded?)"}
    try:
        from autograder.assignments import exercises
        known.update({m.name: m.message for m in exercises(assignment)[function].mistakes})
    except Exception:   # an unknown assignment or function: the ids are still worth showing
        pass
    return [known.get(name, name) for name in names]


def render(result):
    """The feedback page of one result dict, as HTML text (its strings made safe first)."""
    result = safe_text.clean_result(result)
    rows = []
    for e in result["exercises"]:
        sentences = _mistake_sentences(result["assignment"], e["function"], e.get("mistakes") or [])
        mistakes = "<br>".join(_e(s) for s in sentences) if sentences else "&ndash;"
        meaning = STATUS_SENTENCES.get(e["status"], "")
        rows.append(
            f"<tr><td>{e['number']}</td><td><code>{_e(e['function'])}</code></td>"
            f"<td>{_n(e['points'])} / {_n(e['max_points'])}</td>"
            f"<td class=\"{_e(e['status']).replace(' ', '-')}\">{_e(e['status'])}"
            + (f"<br><small>{_e(meaning)}</small>" if meaning else "") + "</td>"
            f"<td><pre>{_e(e['message'])}</pre></td><td>{mistakes}</td></tr>")
    parts = [
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">",
        f"<title>Feedback: {_e(result['assignment'])}, {_e(result['student'])}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_e(result['assignment'])}: {_n(result['score'])} / {_n(result['max_score'])}</h1>",
        f"<p>Student <b>{_e(result['student'])}</b>, notebook <code>{_e(result['submission'])}</code> "
        f"(sha256 {_e(result['sha256'][:12])}, received {_e(result['arrived'])}).</p>",
    ]
    if result.get("error"):
        parts.append(f"<p class=\"failed\"><b>Not graded:</b> {_e(result['error'])}</p>")
    parts += ["<h2>Exercises</h2><table><tr><th>#</th><th>function</th><th>points</th>"
              "<th>status</th><th>what the checks found</th><th>likely mistakes</th></tr>",
              *rows, "</table>",
              "<p>Each exercise's points are shared equally among its cases: the documented examples "
              "of the notebook and hidden cases with other shapes and seeds. Hidden cases are "
              "described by their structure only; their inputs and expected values are not shown.</p>"]
    printed = [e for e in result["exercises"] if e.get("printed")]
    cells = result.get("cells") or []
    if cells or printed:
        parts.append("<h2>What your notebook printed while graded</h2>")
    for cell in cells:
        title = f"Code cell {cell['cell']}" + (f": {_e(cell['error'])}" if cell.get("error") else "")
        parts.append(f"<h3>{title}</h3>")
        if cell.get("output"):
            parts.append(f"<pre>{_e(cell['output'])}</pre>")
    for e in printed:
        parts.append(f"<h3><code>{_e(e['function'])}</code> on the documented examples</h3>"
                     f"<pre>{_e(e['printed'])}</pre>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _safe(name):
    """A file name for ``name``: itself when it is plain (letters, digits, ``_.-``, not starting
    with a dot), else a plain form with a hash of the name, so two names never share a page."""
    name = safe_text.escaped(name, limit=None)
    plain = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:80]
    if plain == name and not name.startswith("."):
        return plain
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{plain.lstrip('.')[:60] or '_'}-{digest}"


def write_all(results, folder):
    """Write ``folder/<student>/<assignment>.html`` for each result.

    A page that cannot be rendered or written is reported, never stops the others: returns
    ``(written paths, [(student, reason), ...])``. Two results of the same student (never
    from one batch) get their own pages, named after the submission too.
    """
    written, failed, seen = [], [], {}
    for result in results:
        try:
            student, assignment = str(result["student"]), str(result["assignment"])
            folder_name = _safe(student)
            if folder_name in seen and seen[folder_name] != result.get("submission"):
                folder_name = _safe(f"{student}@{result.get('submission')}")
            seen.setdefault(folder_name, result.get("submission"))
            target = os.path.join(folder, folder_name, f"{_safe(assignment)}.html")
            page = render(result)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8", errors="replace") as handle:
                handle.write(page)
        except Exception as exc:  # one bad page must not cost the other students theirs
            failed.append((safe_text.line(result.get("student", "?") if isinstance(result, dict)
                                          else "?"), f"{type(exc).__name__}: {safe_text.line(exc)}"))
            continue
        written.append(target)
    return written, failed
