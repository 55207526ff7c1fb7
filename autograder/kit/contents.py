"""Which files each assignment's student kit holds.

Course order: ``step_by_step``, ``application``, ``optimization``. A kit holds
the modules given to every student, the given modules that build on an earlier
assignment, and the reference of the earlier assignments only (as the original
course hands assignment 2 the functions of assignment 1). It never holds the
reference of its own or a later assignment, the mistake catalogues, the example
answers, the hidden-case generators, the batch grader or the source notebooks.
"""
from autograder.assignments import ASSIGNMENT_IDS

# dnn_utils modules that are given, not answers (each imports only NumPy, matplotlib, h5py, IPython
# or other given modules).
GIVEN = ("activations", "data", "plots", "toy_data", "training", "initialization", "gradient_checking")
# Given modules that run an earlier assignment's reference: only in kits that hold it.
GIVEN_AFTER = {"evaluation": "step_by_step"}
# The kit's own autograder: the visible check and what it shares with the instructor's.
CHECKER = ("compare", "runner", "exercise", "check_text", "plain_data", "student_check")


def earlier(assignment):
    """The assignments that come before ``assignment`` in the course."""
    return ASSIGNMENT_IDS[:ASSIGNMENT_IDS.index(assignment)]


def later_or_same(assignment):
    """``assignment`` and those after it: their references never ship in its kit."""
    return ASSIGNMENT_IDS[ASSIGNMENT_IDS.index(assignment):]


def dnn_utils_modules(assignment):
    """The dnn_utils modules of the kit, by name."""
    before = earlier(assignment)
    return (GIVEN + tuple(name for name, needs in GIVEN_AFTER.items() if needs in before) + before)
