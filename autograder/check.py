"""``check(function)``: the one call under each exercise in the notebooks.

In a student's notebook it runs the documented examples and prints what is
right or wrong. In the instructor's source notebook the hidden-test region
calls ``check(function, hidden=True)``, which adds the salted hidden cases;
nbgrader reads the number it returns as the cell's partial credit.

It never writes to stderr (nbgrader scores any stderr output as zero) and
never raises for a wrong answer: a wrong answer is reported, not crashed on.
"""
from autograder.assignments import find
from autograder.runner import run_exercise
from autograder.salt import grading_salt

RULE = "-" * 72


class Points(float):
    """Points earned in a check; prints as a plain number so nbgrader can read it."""

    def __repr__(self):
        return repr(float(self))


def failure_lines(results):
    """One block per distinct failure; cases failing the same way are listed together."""
    groups = {}
    for result in results:
        if not result.passed:
            groups.setdefault((result.stage, result.message), []).append(result.case_label)
    return [f"  FAILED  {'; '.join(labels)} [{stage}]\n  {message}"
            for (stage, message), labels in groups.items()]


def check(function, hidden=False):
    """Check one graded function and return the points it earns.

    Args:
        function: the student's implementation, e.g. ``linear_forward``.
        hidden: also run the hidden cases drawn from the instructor's salt
            (only the source notebook's hidden-test region sets this).

    Returns:
        Points: the exercise's points times the share of cases passed; with
        ``hidden=False`` only the visible cases count.
    """
    try:
        assignment, exercise = find(getattr(function, "__name__", ""))
    except LookupError:
        print(f"check() needs one of the graded functions, defined with def under its own name; "
              f"got {function!r}. Keep the def line of the exercise as it was given.")
        return Points(0.0)
    salt = grading_salt() if hidden else None
    result = run_exercise(function, assignment, exercise, salt)
    visible = [c for c in result.cases if not c.hidden]
    secret = [c for c in result.cases if c.hidden]
    title = f"Exercise {exercise.number}, {exercise.name}"
    lines = []
    if result.delegated:
        lines.append(f"{title}: this function is, or only calls, the library's reference "
                     f"dnn_utils.{assignment}.{exercise.name}; write your own to earn the points.")
    elif not hidden:
        passed = sum(c.passed for c in visible)
        if passed == len(visible):
            checks = "the visible check" if len(visible) == 1 else f"all {len(visible)} visible checks"
            lines.append(f"{title}: {checks} passed "
                         "(type, shape, values, inputs left unchanged, same answer twice).")
        else:
            lines.append(f"{title}: {passed} of {len(visible)} visible checks passed.")
            lines += failure_lines(visible)
        lines.append("Hidden cases with other shapes and seeds run when your work is graded.")
    else:
        passed = sum(c.passed for c in secret)
        lines.append(f"{title}, hidden cases: {passed} of {len(secret)} passed.")
        lines += failure_lines(secret)
        lines.append(f"Score: {result.points:g} of {exercise.points:g} points "
                     f"({result.passed} of {len(result.cases)} cases).")
    if result.warnings:
        lines.append("Warnings raised by your code (not counted against you): "
                     + "; ".join(result.warnings[:3]))
    print("\n".join(lines))
    return Points(result.points)
