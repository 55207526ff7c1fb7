"""``check(function)`` as the student kit runs it: visible cases judged against stored data.

The kit holds no reference of its own assignment. When the kit was built
(``python -m autograder kit ASSIGNMENT``), the reference's outputs on the
documented examples, every catalogued mistake's outputs on them, and the
answers the reference gave to the other graded functions it calls were stored
in ``visible_checks.json.gz`` beside this module. This check observes the
student's function exactly as the instructor's does (``runner.observe``),
judges and names mistakes with the same functions (``runner.judge``,
``runner.diagnose``) and prints the same words (``check_text.emit``).

While one function is checked, the other graded functions of the same
assignment it calls answer from those recordings (so one mistake still costs
one exercise); a call with arguments the reference never passed them is
reported as such instead of being answered.
"""
import copy
import functools
import hashlib
import importlib
import inspect
import json
from dataclasses import dataclass
from pathlib import Path

from autograder import plain_data
from autograder.check_text import emit, emit_not_a_graded_function
from autograder.compare import Tolerance, same
from autograder.exercise import Case, Spec
from autograder.runner import ExerciseResult, diagnose, judge, observe, score, visible_warnings

DATA_FILE = Path(__file__).with_name("visible_checks.json.gz")
# Arguments a student's function passes to another graded function may differ from the
# reference's by rounding (the same formula written another way); recorded answers are
# matched within this tolerance.
ARGUMENT_TOLERANCE = Tolerance(rtol=1e-7, atol=1e-10)


class NotRecorded(LookupError):
    """A graded function was called with arguments the kit holds no answer for."""


@dataclass(frozen=True)
class StoredMistake:
    """A catalogued mistake as the kit knows it: its name, message and outputs on the visible cases."""

    name: str
    message: str
    outputs: tuple   # (ran, output) per visible case


def _shapes(value):
    if hasattr(value, "shape"):
        return f"array of shape {tuple(value.shape)}"
    if isinstance(value, dict):
        return "dict with keys " + ", ".join(map(str, value))
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__} of {len(value)}"
    return type(value).__name__


def _fingerprint(value):
    """Bit-exact key of a value (the common case: arguments equal to the recorded ones)."""
    try:
        text = json.dumps(plain_data.encode(value), sort_keys=True)
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode()).hexdigest()


class Recorded:
    """Stands in for a graded function: answers the calls the reference made on the visible cases."""

    def __init__(self, name, parameters, calls, checked):
        self.__name__ = name
        self.parameters, self.checked = parameters, checked
        self.calls = [(plain_data.decode(args), answer) for args, answer in calls]
        self.exact = {}
        for index, (args, _) in enumerate(self.calls):
            self.exact.setdefault(_fingerprint(args), index)

    def _bound(self, args, kwargs):
        try:
            bound = self.parameters.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{self.__name__}(): {exc}") from None
        bound.apply_defaults()
        return tuple(bound.arguments.values())

    def __call__(self, *args, **kwargs):
        given = self._bound(args, kwargs)
        index = self.exact.get(_fingerprint(given))
        if index is None:
            index = next((i for i, (recorded, _) in enumerate(self.calls)
                          if same(recorded, given, ARGUMENT_TOLERANCE)), None)
        if index is None:
            described = ", ".join(f"{name}: {_shapes(value)}"
                                  for name, value in zip(self.parameters.parameters, given))
            raise NotRecorded(
                f"{self.__name__}() was called with arguments the reference never passes it on these "
                f"examples ({described}). While {self.checked} is checked, the other graded functions "
                f"answer with the reference's results for the arguments it gives them: compare the "
                f"arguments of your call to {self.__name__} with the instructions.")
        answer = self.calls[index][1]
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return copy.deepcopy(plain_data.decode(answer["output"]))


@functools.lru_cache(maxsize=None)
def load_checks(path=DATA_FILE):
    """The kit's stored checks (the decoded JSON of ``visible_checks.json.gz``)."""
    return plain_data.load(path)


def _spec(data):
    outputs = data["outputs"] if isinstance(data["outputs"], str) else tuple(data["outputs"])
    return Spec(data["name"], data["number"], data["points"], outputs, Tolerance(*data["tolerance"]),
                tuple(data["parameters"]), tuple(data["uses"]))


def _references(checks, entry, spec):
    """{name: function} answering the graded functions ``spec`` may call."""
    found = {}
    for name in spec.uses:
        owner = checks["earlier"].get(name)
        if owner is not None:   # an earlier assignment's function: its reference ships in the kit
            found[name] = getattr(importlib.import_module(f"dnn_utils.{owner}"), name)
        else:
            parameters = inspect.Signature([inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                            for p in checks["exercises"][name]["spec"]["parameters"]])
            found[name] = Recorded(name, _with_defaults(parameters, checks["exercises"][name]),
                                   entry["recorded"].get(name, []), spec.name)
    return found


def _with_defaults(signature, entry):
    defaults = {name: plain_data.decode(value) for name, value in entry["spec"].get("defaults", {}).items()}
    return signature.replace(parameters=[p.replace(default=defaults[p.name]) if p.name in defaults else p
                                         for p in signature.parameters.values()])


def run_visible(function, entry, checks):
    """ExerciseResult of ``function`` on the stored visible cases of one exercise."""
    spec = _spec(entry["spec"])
    cases = [Case(c["label"], plain_data.decode(c["args"])) for c in entry["cases"]]
    references = _references(checks, entry, spec)
    observations = [observe(function, case, references, spec.uses) for case in cases]
    expected = [plain_data.decode(e) for e in entry["expected"]]
    verdicts = [judge(spec, case, obs, want) for case, obs, want in zip(cases, observations, expected)]
    mistakes = [StoredMistake(m["name"], m["message"],
                              tuple((ran, plain_data.decode(out) if ran else None) for ran, out in m["outputs"]))
                for m in entry["mistakes"]]
    results = diagnose(spec, mistakes, cases, observations, verdicts, lambda m, i: m.outputs[i])
    return spec, ExerciseResult(spec.name, score(spec.points, results), spec.points, tuple(results),
                                False, visible_warnings(cases, observations))


def check(function, hidden=False, checks=None):
    """Check one graded function on the documented examples and return the points it earns.

    Args:
        function: the student's implementation, e.g. ``linear_forward``.
        hidden: accepted for compatibility with the instructor's check; the kit holds no hidden
            case, so only the visible ones run (hidden cases run when the work is graded).
        checks: the stored checks (default: the kit's own data file).
    """
    checks = load_checks() if checks is None else checks
    entry = checks["exercises"].get(getattr(function, "__name__", ""))
    if entry is None:
        return emit_not_a_graded_function(function)
    spec, result = run_visible(function, entry, checks)
    return emit(spec.number, spec.name, spec.points, result, False)
