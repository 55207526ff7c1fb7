"""Which files each assignment's student kit holds.

Course order: ``step_by_step``, ``application``, ``optimization``. A kit holds
the modules given to every student, the given modules that build on an earlier
assignment, and the reference of the earlier assignments only (as the original
course hands assignment 2 the functions of assignment 1). It never holds the
reference of its own or a later assignment, the mistake catalogues, the example
answers, the hidden-case generators, the batch grader or the source notebooks.
"""
import ast
from pathlib import Path

from autograder.assignments import ASSIGNMENT_IDS

PACKAGE = Path(__file__).resolve().parents[1]

# dnn_utils modules that are given, not answers (each imports only NumPy, matplotlib, h5py, IPython
# or other given modules).
GIVEN = ("activations", "data", "plots", "toy_data", "training", "initialization", "gradient_checking")
# Given modules that run an earlier assignment's reference: only in kits that hold it.
GIVEN_AFTER = {"evaluation": "step_by_step"}
# The kit's own autograder: the visible check and the modules of ``autograder`` it imports (found by
# ``checker_modules``; none of them may be an instructor's module).
CHECKER = ("student_check",)
INSTRUCTORS_ONLY = ("check", "trusted", "assignments", "mistakes", "examples", "batch", "kit", "demo",
                    "cli", "salt", "platforms", "insight")


def earlier(assignment):
    """The assignments that come before ``assignment`` in the course."""
    return ASSIGNMENT_IDS[:ASSIGNMENT_IDS.index(assignment)]


def later_or_same(assignment):
    """``assignment`` and those after it: their references never ship in its kit."""
    return ASSIGNMENT_IDS[ASSIGNMENT_IDS.index(assignment):]


def dnn_utils_modules(assignment):
    """The dnn_utils modules of the kit, by name: the given ones, the earlier references, and
    every dnn_utils module they import (ValueError if that reaches a forbidden reference)."""
    before = earlier(assignment)
    roots = GIVEN + tuple(name for name, needs in GIVEN_AFTER.items() if needs in before) + before
    forbidden = set(later_or_same(assignment))
    found, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        if name in forbidden:
            raise ValueError(f"the {assignment} kit would need dnn_utils.{name}, the reference of "
                             f"{name}: it may only hold earlier assignments' references")
        found.add(name)
        todo.extend(_imported_modules(PACKAGE.parent / "dnn_utils" / f"{name}.py", "dnn_utils"))
    return tuple(sorted(found))


def _imported_modules(path, package):
    """The modules of ``package`` that the file ``path`` imports at module level (names right
    below the package). An import inside a function runs only when that function is called: a
    given helper that needs a later reference (``plots.plot_decision_boundary``) simply cannot
    run in an earlier kit, where the notebook does not call it."""
    found = set()
    for node in ast.parse(Path(path).read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == package:
            parts = node.module.split(".")
            found.update([parts[1]] if len(parts) > 1 else [alias.name for alias in node.names])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith(package + "."))
    return found


def _imported_autograder_modules(name):
    return _imported_modules(PACKAGE / f"{name}.py", "autograder")


def checker_modules():
    """``CHECKER`` and every ``autograder`` module it imports, transitively, by name.

    Raises ValueError when one of them is an instructor's module (the kit would carry answers
    or the grader), so a new import in the visible check cannot smuggle one into a kit."""
    found, todo = set(), list(CHECKER)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        if name in INSTRUCTORS_ONLY or not (PACKAGE / f"{name}.py").is_file():
            raise ValueError(f"the student kit's check would need autograder.{name}, which is not "
                             "kit-safe (or not a module)")
        found.add(name)
        todo.extend(_imported_autograder_modules(name))
    return tuple(sorted(found))
