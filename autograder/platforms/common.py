"""What every platform format shows of a result: the same words for the same verdicts."""

OUTPUT_LIMIT = 4000     # characters of one exercise's text: platforms show it in a <pre> block


def points(value):
    """Points as a short number: 7.5, 10, 0."""
    return f"{value:g}"


def exercise_text(entry):
    """The text shown for one exercise: the grader's message and what the function printed
    on the visible cases (never anything of a hidden case)."""
    text = str(entry.get("message") or "")
    printed = str(entry.get("printed") or "")
    if printed.strip():
        text += "\n\nprinted by your function on the documented examples:\n" + printed
    if len(text) > OUTPUT_LIMIT:
        text = text[:OUTPUT_LIMIT - 30] + "\n... (cut short)"
    return text


def summary_text(result):
    """One paragraph about the whole submission: status, score, why it was not graded, isolation."""
    lines = [f"{result['assignment']}: {points(result['score'])} of {points(result['max_score'])} points"]
    if result["status"] != "graded":
        why = str(result.get("error") or "")
        why = why[len(result["status"]) + 2:] if why.startswith(f"{result['status']}: ") else why
        lines.append(f"not graded ({result['status']}): {why}".rstrip(": "))
    errors = [c for c in result.get("cells", []) if c.get("error")]
    if errors:
        lines.append(f"{len(errors)} cell(s) of the notebook raised an error when run; "
                     "the exercises they define may have failed because of it")
    if result.get("isolation"):
        lines.append(f"sandbox: {result['isolation']}")
    return "\n".join(lines)


def passed(entry):
    """True when the exercise earned all its points."""
    return entry["max_points"] > 0 and entry["points"] >= entry["max_points"]
