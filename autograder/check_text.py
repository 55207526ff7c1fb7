"""The text ``check()`` prints under an exercise, the same in the instructor's notebook and the kit.

Kept apart from both ``check`` functions so that the student kit's check
(expected outputs from data) and the instructor's (expected outputs from the
reference) cannot word a verdict differently.

A check that earns nothing also writes a short verdict to stderr (``emit``). nbgrader scores a test
cell with stderr output as zero, which is what the cell earns anyway, so no grade changes; what
changes is what nbgrader's Validate says about the cell. It shows the stderr text as the
cell's error; without it, it would read the returned 0 as "Partial credit; passed some but not
all of the tests", which a student who has not started, or whose every case failed, would
misread. An exercise not started (every case raised ``NotImplementedError``) is told in that
verdict and nothing else.

One exception keeps every grade as it was: under ``nbgrader autograde`` the visible check shares
its test cell with the hidden check, whose number is the cell's score, and a function can fail
the documented examples yet pass hidden cases. There the visible check's verdict goes to stdout
(a stderr line would zero a cell the hidden check gives points to); the hidden check's own
verdict still goes to stderr, being said only when the cell earns nothing.
"""
import os
import re
import sys

# Set by nbgrader in the kernels it runs: "autograde" when grading, "validate" for Validate.
NBGRADER_EXECUTION = "NBGRADER_EXECUTION"


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


def _not_implemented(result):
    """True when every case raised NotImplementedError (the untouched stub, or a function the
    student has not written yet)."""
    return bool(result.cases) and all(
        not c.passed and c.stage == "error" and c.message.startswith("raised NotImplementedError")
        for c in result.cases)


# nbgrader's Validate cuts each line of a cell's error at 87 characters, indent included: the
# stderr lines below stay under that with the longest exercise name (49 characters with its title).

def not_started(number, name, max_points, hidden):
    """The lines told about an exercise whose every case raised NotImplementedError."""
    title = f"Exercise {number}, {name}:"
    if hidden:
        return f"{title} not implemented,\nevery case raised NotImplementedError: 0 of {max_points:g} points."
    return (f"{title} not implemented yet.\n"
            "Write your code in place of `raise NotImplementedError()` in its cell,\n"
            "run that cell, then run this check again.")


def nothing_earned(number, name, max_points, result, hidden):
    """The stderr lines of a check that earns no points (its reasons are in the lines printed above)."""
    title = f"Exercise {number}, {name}:"
    if result.delegated:
        return f"{title} 0 of {max_points:g} points,\nthe function is, or only calls, the library's reference."
    if hidden:
        return f"{title} no case passed: 0 of {max_points:g} points."
    return f"{title} no visible check passed,\nthe check's report says why."


def emit(number, name, max_points, result, hidden, reference_module=""):
    """Print the verdict of one exercise as ``check()`` does and return its ``Points``.

    The report goes to stdout; a result earning no points adds a short verdict on stderr (see
    the module's docstring), and an exercise not started prints that verdict only.
    """
    if _not_implemented(result):
        _verdict(not_started(number, name, max_points, hidden), hidden)
    else:
        print("\n".join(report(number, name, max_points, result, hidden, reference_module)))
        if float(result.points) == 0:
            _verdict(nothing_earned(number, name, max_points, result, hidden), hidden)
    return Points(result.points, max_points, hidden)


def emit_not_a_graded_function(function, hidden=False):
    """What ``check()`` says when given something other than a graded function: it earns nothing."""
    _verdict(not_a_graded_function(function), hidden)
    return Points(0.0)


def verdict_on_stderr(hidden, environ=None):
    """Whether a verdict of nothing earned goes to stderr: always for the hidden check, and for
    the visible one except under ``nbgrader autograde`` (see the module's docstring)."""
    environ = os.environ if environ is None else environ
    return hidden or environ.get(NBGRADER_EXECUTION) != "autograde"


def _verdict(text, hidden):
    if not verdict_on_stderr(hidden):
        print(text)
        return
    sys.stdout.flush()   # the report's lines stay above the verdict in the notebook
    print(text, file=sys.stderr)
    sys.stderr.flush()


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
            lines.append(f"{title}: {passed} of {len(visible)} visible check{'s' if len(visible) != 1 else ''} "
                         "passed.")
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
