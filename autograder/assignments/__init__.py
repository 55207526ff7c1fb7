"""Registry of the graded assignments: id -> module with ASSIGNMENT and EXERCISES."""
import importlib

ASSIGNMENT_IDS = ("step_by_step", "application", "optimization")


def load(assignment):
    """The module describing one assignment; ValueError for an unknown id."""
    if assignment not in ASSIGNMENT_IDS:
        raise ValueError(f"unknown assignment {assignment!r}; known: {', '.join(ASSIGNMENT_IDS)}")
    return importlib.import_module(f"autograder.assignments.{assignment}")


def exercises(assignment):
    """{function name: Exercise} of one assignment, in notebook order."""
    return {exercise.name: exercise for exercise in load(assignment).EXERCISES}


def references(assignment):
    """{function name: reference function} of every graded function up to this assignment."""
    found = {}
    for known in ASSIGNMENT_IDS:
        found.update({name: ex.reference for name, ex in exercises(known).items()})
        if known == assignment:
            break
    return found


def find(function_name):
    """(assignment id, Exercise) of the graded function with that name."""
    for assignment in ASSIGNMENT_IDS:
        found = exercises(assignment).get(function_name)
        if found is not None:
            return assignment, found
    raise LookupError(f"{function_name!r} is not a graded function of this course")
