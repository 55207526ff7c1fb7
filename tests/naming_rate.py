"""Naming rates of wrong answers: how many the instructor's check names, and names correctly.

    python tests/naming_rate.py            # this checkout
    PYTHONPATH=/path/to/old/checkout python tests/naming_rate.py   # another version of the grader

Two sets: the project's catalogue of mistakes (each variant checked as a student's answer; named
correctly when its own message is printed) and the fresh wrong answers of ``wrong_answers.py``
(named when the report holds a "Likely mistake" or a description of the output; correctly when it
holds the answer's phrase). Only the report's text is read, so any version of the grader can be
measured with the same script.
"""
import contextlib
import io
import os
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DNN_GRADING_SALT", "tests-salt-7f3a")

NAMED_MARKERS = ("Likely mistake:", "What your output looks like:")


def _as(function, name):
    return types.FunctionType(function.__code__, function.__globals__, name, function.__defaults__,
                              function.__closure__)


def report_of(function, name, hidden=True):
    """(points, text) printed by the instructor's check (stdout and stderr)."""
    from autograder import check
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        points = check(_as(function, name), hidden=hidden)
    return float(points), out.getvalue()


def catalogue_rates():
    """{assignment: (caught, named, named correctly)} over every catalogued mistake."""
    from autograder.assignments import ASSIGNMENT_IDS, exercises
    rates = {}
    for assignment in ASSIGNMENT_IDS:
        caught = named = right = 0
        for name, exercise in exercises(assignment).items():
            for mistake in exercise.mistakes:
                points, text = report_of(mistake.variant, name)
                if points >= exercise.points:
                    continue
                caught += 1
                named += any(marker in text for marker in NAMED_MARKERS)
                right += mistake.message in text
        rates[assignment] = (caught, named, right)
    return rates


def fresh_rates():
    """{assignment: (caught, named, named correctly)} over the fresh wrong answers, and the reports."""
    from autograder.assignments import exercises
    from wrong_answers import ANSWERS
    rates, reports = {}, {}
    for answer in ANSWERS:
        points, text = report_of(answer.answer, answer.function)
        reports[answer.answer.__name__] = text
        caught, named, right = rates.get(answer.assignment, (0, 0, 0))
        if points < exercises(answer.assignment)[answer.function].points:
            caught += 1
            is_named = any(marker in text for marker in NAMED_MARKERS)
            named += is_named
            right += bool(answer.names) and is_named and answer.names in text
        rates[answer.assignment] = (caught, named, right)
    return rates, reports


def main():
    for title, rates in (("catalogue", catalogue_rates()), ("fresh wrong answers", fresh_rates()[0])):
        print(title)
        for assignment, (caught, named, right) in rates.items():
            print(f"  {assignment:14s} caught {caught:3d}  named {named:3d}  named correctly {right:3d}")
        total = [sum(r[i] for r in rates.values()) for i in range(3)]
        print(f"  {'total':14s} caught {total[0]:3d}  named {total[1]:3d}  named correctly {total[2]:3d}")


if __name__ == "__main__":
    main()
