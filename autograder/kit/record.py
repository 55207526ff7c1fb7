"""The data a student kit's ``check`` judges with, computed on the instructor's side.

For every graded function of the assignment: its ``Spec`` (with the
reference's default arguments), the visible cases (the documented examples),
the reference's output on each, every catalogued mistake's output on each
(so mistakes are named from data, never from code), and the answers the
reference gave to the other graded functions of the same assignment that it
calls. Those answers are recorded while the reference, the source solution,
every alternative-style answer and every catalogued mistake run on the
visible cases, exactly as the check will run a student's function, so each of
them gets the same verdict from the kit as from the instructor's check.
"""
import importlib
import inspect

import nbformat

from autograder import assignments, examples, plain_data
from autograder.examples import ALTERNATIVE_MODULES
from autograder.kit.contents import earlier
from autograder.runner import observe
from autograder.trusted import expected_output, mistake_output

ROOT = examples.__file__.rsplit("/autograder/", 1)[0]


def _spec(exercise):
    spec = exercise.spec()
    defaults = {name: plain_data.encode(p.default)
                for name, p in inspect.signature(exercise.reference).parameters.items()
                if p.default is not inspect.Parameter.empty}
    return {"name": spec.name, "number": spec.number, "points": spec.points,
            "outputs": spec.outputs if isinstance(spec.outputs, str) else list(spec.outputs),
            "tolerance": [spec.tolerance.rtol, spec.tolerance.atol],
            "parameters": list(spec.parameters), "uses": list(spec.uses), "defaults": defaults}


class _Recorder:
    """Stands in for one graded function while answers are recorded: calls the reference,
    keeps (arguments bound to its signature, answer)."""

    def __init__(self, reference, calls):
        self.reference, self.calls = reference, calls
        self.signature = inspect.signature(reference)
        self.__name__ = reference.__name__

    def __call__(self, *args, **kwargs):
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        key = tuple(bound.arguments.values())
        try:
            output = self.reference(*args, **kwargs)
        except Exception as exc:   # recorded too: the kit raises the same kind of error
            self.calls.append((key, {"error": f"{type(exc).__name__}: {exc}"}))
            raise
        self.calls.append((key, {"output": output}))
        return output


def _answerers(assignment, source_nb):
    """Every function whose calls to the other graded functions must be answerable in the kit:
    {exercise name: [function, ...]} (reference, source solution, alternative styles, mistakes)."""
    solved = examples.solution_namespace(source_nb)
    alternatives = [importlib.import_module(f"autograder.examples.{m}") for m in ALTERNATIVE_MODULES]
    found = {}
    for name, exercise in assignments.exercises(assignment).items():
        functions = [exercise.reference, solved[name]]
        functions += [getattr(m, name) for m in alternatives if hasattr(m, name)]
        functions += [m.variant for m in exercise.mistakes]
        found[name] = functions
    return found


def _record_calls(exercise, same_assignment, cases, functions):
    """{graded function name: [(args, answer), ...]} of the calls ``functions`` make on ``cases``."""
    calls = {name: [] for name in same_assignment}
    graded = assignments.exercises(exercise_assignment(exercise))
    recorders = {name: _Recorder(graded[name].reference, calls[name]) for name in same_assignment}
    for function in functions:
        for case in cases:
            observe(function, case, recorders, tuple(same_assignment))
    unique = {}
    for name, made in calls.items():
        seen, kept = set(), []
        for args, answer in made:
            encoded = [plain_data.encode(args), {k: plain_data.encode(v) if k == "output" else v
                                                 for k, v in answer.items()}]
            key = repr(encoded[0])
            if key not in seen:
                seen.add(key)
                kept.append(encoded)
        unique[name] = kept
    return unique


def exercise_assignment(exercise):
    return assignments.find(exercise.name)[0]


def checks(assignment, source_nb=None):
    """The kit's stored checks of ``assignment`` (a JSON-compatible dict)."""
    if source_nb is None:
        source_nb = nbformat.read(f"{ROOT}/source/{assignment}/{assignment}.ipynb", as_version=4)
    graded = assignments.exercises(assignment)
    answerers = _answerers(assignment, source_nb)
    entries = {}
    for name, exercise in graded.items():
        cases = exercise.visible()
        same_assignment = [u for u in exercise.uses if u in graded]
        entries[name] = {
            "spec": _spec(exercise),
            "cases": [{"label": c.label, "args": plain_data.encode(c.args)} for c in cases],
            "expected": [plain_data.encode(expected_output(exercise, c)) for c in cases],
            "mistakes": [{"name": m.name, "message": m.message,
                          "outputs": [[ran, plain_data.encode(out) if ran else None]
                                      for ran, out in (mistake_output(m, c) for c in cases)]}
                         for m in exercise.mistakes],
            "recorded": _record_calls(exercise, same_assignment, cases, answerers[name])
            if same_assignment else {},
        }
    earlier_functions = {name: owner for owner in earlier(assignment)
                         for name in assignments.exercises(owner)}
    return {"assignment": assignment, "earlier": earlier_functions, "exercises": entries}


def case_inputs(assignment):
    """{function name: {"doc": docstring, "editions": {edition: encoded inputs}}} of every
    documented example generator (``*_case(edition)``) of ``testcases.<assignment>``."""
    module = importlib.import_module(f"testcases.{assignment}")
    found = {}
    for name, function in vars(module).items():
        if not (name.endswith("_case") and callable(function) and function.__module__ == module.__name__):
            continue
        if list(inspect.signature(function).parameters) != ["edition"]:
            continue
        found[name] = {"doc": inspect.getdoc(function) or "",
                       "editions": {e: plain_data.encode(function(e)) for e in module.EDITIONS}}
    return {"editions": list(module.EDITIONS), "cases": found}
