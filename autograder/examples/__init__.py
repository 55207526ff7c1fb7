"""Example submissions built from the release notebook, for the main job and the tests.

- ``correct``: every answer cell gets the source notebook's solution.
- ``alternative``: answers from ``alternative_style.py`` (step_by_step),
  ``alternative_application.py`` and ``alternative_optimization.py`` (same results, other style).
- ``partly_wrong``: correct, except the exercises given, which get a catalogued mistake
  (by default those of ``DEFAULT_MISTAKES`` that the notebook has).
- ``untouched``: the release as a student receives it.
"""
import inspect
import re

import nbformat

from autograder.assignments import find

SOLUTION = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
DEFAULT_MISTAKES = {"linear_backward": "linear_backward_no_mean",
                    "update_parameters": "update_parameters_in_place",
                    "L_layer_model": "L_layer_model_weights_times_0_01",
                    "random_mini_batches": "random_mini_batches_drops_one_per_batch",
                    "update_parameters_with_adam": "update_parameters_with_adam_no_bias_correction"}
ALTERNATIVE_MODULES = ("alternative_style", "alternative_application", "alternative_optimization")


def _answer_cells(nb):
    """{exercise name: cell} for the answer cells (grade_id '<name>_answer')."""
    found = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if cell.cell_type == "code" and grade_id.endswith("_answer"):
            found[grade_id[: -len("_answer")]] = cell
    return found


def solutions(source_nb):
    """{exercise name: answer code} from the source notebook, solution markers removed."""
    return {name: SOLUTION.sub("", cell.source) for name, cell in _answer_cells(source_nb).items()}


def provided_definitions(nb):
    """Code cells without nbgrader metadata that only define functions (helpers the notebook gives)."""
    import ast
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "nbgrader" in cell.metadata or cell.source.lstrip().startswith("%"):
            continue
        body = ast.parse(cell.source).body
        if body and all(isinstance(node, ast.FunctionDef) for node in body):
            found.append(cell.source)
    return found


def solution_namespace(source_nb):
    """Run the setup cell (without its IPython magics), every solution and the provided function
    definitions of a source notebook in a fresh namespace; return it ({name: value})."""
    namespace = {}
    setup = next((c for c in source_nb.cells
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup"), None)
    if setup is not None:
        python = "\n".join(line for line in setup.source.splitlines() if not line.lstrip().startswith("%"))
        exec(compile(python, "<setup cell>", "exec"), namespace)  # noqa: S102  (the course's own notebook)
    for code in list(solutions(source_nb).values()) + provided_definitions(source_nb):
        exec(compile(code, "<source solution>", "exec"), namespace)  # noqa: S102
    return namespace


def _renamed_source(function, name):
    """Source of ``function`` as a top-level ``def name(...)``, decorators dropped."""
    lines = inspect.getsource(function).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("def "))
    lines[start] = re.sub(r"^def \w+", f"def {name}", lines[start])
    return "\n".join(lines[start:]) + "\n"


def _imports(function):
    needed = [line for line in ("import copy", "import numpy as np")
              if line.split()[-1] + "." in inspect.getsource(function)]
    return "\n".join(needed) + "\n\n" if needed else ""


def _fill(release_nb, answers):
    nb = nbformat.from_dict(release_nb)
    for name, cell in _answer_cells(nb).items():
        if name in answers:
            cell.source = answers[name]
    return nb


def correct(release_nb, source_nb):
    """The release with every answer cell holding the source solution."""
    return _fill(release_nb, solutions(source_nb))


def alternative(release_nb):
    """The release answered in the alternative style (``ALTERNATIVE_MODULES``, found by function name)."""
    import importlib
    modules = [importlib.import_module(f"autograder.examples.{name}") for name in ALTERNATIVE_MODULES]
    answers = {}
    for name in _answer_cells(release_nb):
        function = next((getattr(m, name) for m in modules if hasattr(m, name)), None)
        if function is not None:
            answers[name] = _imports(function) + _renamed_source(function, name)
    return _fill(release_nb, answers)


def partly_wrong(release_nb, source_nb, mistakes=None):
    """Correct except for ``mistakes`` ({exercise: mistake name}), which use the catalogue's code.

    By default, the exercises of ``DEFAULT_MISTAKES`` that this notebook has.
    """
    answers = solutions(source_nb)
    if mistakes is None:
        mistakes = {name: wrong for name, wrong in DEFAULT_MISTAKES.items() if name in answers}
    for exercise, mistake_name in mistakes.items():
        variant = next(m.variant for m in find(exercise)[1].mistakes if m.name == mistake_name)
        answers[exercise] = _imports(variant) + _renamed_source(variant, exercise)
    return _fill(release_nb, answers)


def untouched(release_nb):
    """The release exactly as handed out."""
    return nbformat.from_dict(release_nb)
