"""``check(function)``: the instructor's check, used by the source notebooks and ``nbgrader autograde``.

In the instructor's environment it runs the documented examples and, with
``hidden=True`` (the source notebook's hidden-test region), the hidden cases
drawn from the grading salt; nbgrader reads the number it returns as the
cell's partial credit. Students never run this one: their kit's ``check``
(``autograder.student_check``) judges the same visible cases against expected
outputs stored as data, and prints the same words (``autograder.check_text``).

It writes to stderr only when the cell earns nothing anyway (nbgrader scores any stderr output
as zero; ``check_text.emit`` says why it does) and never raises for a wrong answer: a wrong
answer is reported, not crashed on.
"""
from autograder.assignments import find
from autograder.check_text import emit, emit_not_a_graded_function
from autograder.salt import grading_salt
from autograder.trusted import run_exercise


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
        return emit_not_a_graded_function(function, hidden)
    salt = grading_salt(assignment) if hidden else None
    result = run_exercise(function, assignment, exercise, salt)
    return emit(exercise.number, exercise.name, exercise.points, result, hidden, f"dnn_utils.{assignment}")
