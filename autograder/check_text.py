"""The text ``check()`` prints under an exercise, the same in the instructor's notebook and the kit.

Kept apart from both ``check`` functions so that the student kit's check
(expected outputs from data) and the instructor's (expected outputs from the
reference) cannot word a verdict differently.
"""


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


def not_a_graded_function(function):
    return (f"check() needs one of the graded functions, defined with def under its own name; "
            f"got {function!r}. Keep the def line of the exercise as it was given.")


def report(number, name, max_points, result, hidden, reference_module=""):
    """The lines printed for one exercise's ``ExerciseResult``.

    Args:
        number, name, max_points: the exercise.
        result: runner.ExerciseResult (its ``warnings`` hold visible cases' warnings only).
        hidden: True when the hidden cases were run (the instructor's grading).
        reference_module: where the reference lives, named when the function delegated to it.
    """
    visible = [c for c in result.cases if not c.hidden]
    secret = [c for c in result.cases if c.hidden]
    title = f"Exercise {number}, {name}"
    lines = []
    if result.delegated:
        lines.append(f"{title}: this function is, or only calls, the library's reference "
                     f"{reference_module}.{name}; write your own to earn the points.")
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
        lines.append(f"Score: {result.points:g} of {max_points:g} points "
                     f"({result.passed} of {len(result.cases)} cases).")
    if result.warnings:
        lines.append("Warnings raised by your code (not counted against you): "
                     + "; ".join(result.warnings[:3]))
    return lines
