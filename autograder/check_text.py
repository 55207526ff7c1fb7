"""The text ``check()`` prints under an exercise, the same in the instructor's notebook and the kit.

Kept apart from both ``check`` functions so that the student kit's check
(expected outputs from data) and the instructor's (expected outputs from the
reference) cannot word a verdict differently.
"""
import re


class Points(float):
    """Points earned in a check. Its plain text is the bare number, which nbgrader reads as the
    cell's partial credit; Jupyter shows the sentence of ``_repr_html_`` instead.

    Args:
        value: the points earned.
        max_points: the exercise's points (None when unknown).
        hidden: True when the hidden cases were run (grading), False for the visible checks only.
    """

    def __new__(cls, value, max_points=None, hidden=False):
        self = super().__new__(cls, value)
        self.max_points, self.hidden = max_points, hidden
        return self

    def __repr__(self):
        return repr(float(self))

    def _repr_html_(self):
        if self.max_points is None:
            return f"<span>Points from this check: <b>{float(self):g}</b></span>"
        when = ("graded with the hidden cases" if self.hidden else
                "from the examples above only; when your work is graded, the hidden cases count too")
        return (f"<span>Points from this check: <b>{float(self):g} of {float(self.max_points):g}</b> "
                f"({when}).</span>")


_HIDDEN_LABEL = re.compile(r"^hidden case (\d+) of (\d+)(?:: (.*))?$")


def _numbers(numbers):
    numbers = [str(n) for n in numbers]
    return numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]


def _labels(labels):
    """Case labels joined for one failure; hidden cases of the same kind are told once:
    'hidden cases 1 and 3 of 4: a deeper network than the example'."""
    parts, hidden = [], {}
    for label in labels:
        match = _HIDDEN_LABEL.match(label)
        if match is None:
            parts.append(label)
            continue
        key = (match.group(2), match.group(3) or "")
        if key not in hidden:
            hidden[key] = []
            parts.append(key)
        hidden[key].append(int(match.group(1)))
    text = []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
            continue
        numbers = hidden[part]
        what = f"hidden case{'s' if len(numbers) > 1 else ''} {_numbers(numbers)} of {part[0]}"
        text.append(what + (f": {part[1]}" if part[1] else ""))
    return "; ".join(text)


def failure_lines(results):
    """One block per distinct failure; cases failing the same way are listed together."""
    groups = {}
    for result in results:
        if not result.passed:
            groups.setdefault((result.stage, result.message), []).append(result.case_label)
    return [f"  FAILED  {_labels(labels)} [{stage}]\n  {message}"
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
        lines.append(f"Score: {result.points:g} of {max_points:g} points: the exercise's {max_points:g} "
                     f"points times the share of cases passed, {result.passed} of {len(result.cases)} "
                     f"({len(visible)} documented example{'s' if len(visible) != 1 else ''} and "
                     f"{len(secret)} hidden case{'s' if len(secret) != 1 else ''}).")
    if result.warnings:
        lines.append("Warnings raised by your code (not counted against you): "
                     + "; ".join(result.warnings[:3]))
    return lines
