"""Run a graded function on cases and judge what it returned.

The halves are separate on purpose: ``observe`` calls student code and
returns plain data; ``judge`` and ``diagnose`` compare that data with expected
outputs handed to them. Nothing here knows a reference, a salt or a hidden-case
generator, so this module ships in the student kit as it is: the kit's
``check`` judges with expected outputs stored as data, the instructor's
``check`` (``autograder.trusted``) computes them with the reference, and the
batch grader runs ``observe`` in a sandbox and judges outside it.

``spec`` below is anything with the attributes of ``autograder.exercise.Spec``:
``name``, ``outputs``, ``tolerance``, ``parameters``.
"""
import builtins
import contextlib
import copy
import io
import re
import sys
import traceback
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from autograder import diagnosis
from autograder.compare import Comparison, Mismatch, Tolerance, compare, identical, same


@dataclass
class Observation:
    """What one call of the student's function did (plain data only).

    ``delegated`` is only ever set in the instructor's own process (the nbgrader
    path); a sandbox cannot report it.
    """

    output: object = None
    error: str = ""
    repeat_output: object = None
    repeat_error: str = ""
    inputs_after: tuple = ()
    printed: str = ""
    warnings: list = field(default_factory=list)
    delegated: bool = False


@dataclass(frozen=True)
class CaseResult:
    """The verdict on one case."""

    case_label: str
    hidden: bool
    passed: bool
    stage: str = ""
    message: str = ""
    mistake: str = ""
    findings: object = field(default=None, compare=False, repr=False)  # {quantity: [Finding]} of a wrong output
    diagnosis: str = ""         # the shape of the wrong answer, when it explains every failing case


@contextlib.contextmanager
def _references_in_place_of(func, names, references):
    """Swap the other graded functions in ``func``'s globals for ``references[name]``."""
    namespace = getattr(func, "__globals__", None)
    if namespace is None or not names:
        yield
        return
    missing = object()
    saved = {name: namespace.get(name, missing) for name in names}
    namespace.update({name: references[name] for name in names})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


@contextlib.contextmanager
def _watch_for_calls(code):
    """Record whether a function with code object ``code`` runs (delegation to the reference).

    Only the instructor's own process watches (``code`` is None elsewhere): there the
    reference is importable, and a student function that merely calls it earns nothing.
    """
    seen = []
    if code is None:
        yield seen
        return
    previous = sys.getprofile()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code is code:
            seen.append(True)

    sys.setprofile(profile)
    try:
        yield seen
    finally:
        sys.setprofile(previous)


def _describe_error(exc, code=None):
    """One line: the exception, and the student's line that led to it."""
    if isinstance(exc, NotImplementedError):
        return "NotImplementedError: not implemented yet"
    frames = traceback.extract_tb(exc.__traceback__)[1:]
    own = [f for f in frames if code is not None and f.filename == code.co_filename]
    where = ""
    if own:
        where = f" (line {own[-1].lineno}: {own[-1].line})"
        if frames[-1] is not own[-1]:
            where += f", inside {frames[-1].name}()"
    elif frames:
        where = f" (in {frames[-1].name}(): {frames[-1].line})"
    return f"{type(exc).__name__}: {exc}{where}"


# The state NumPy's global generator is put in before every call of a student's function or of
# a catalogued mistake. Not 1 or 3, the seeds the exercises use: a function that forgets to
# seed must not land on the right draws by luck, and should give the same (wrong) answer as the
# catalogued "not seeded" mistake, so that the mistake can be named.
UNSEEDED_STATE = 20231


@contextlib.contextmanager
def caller_random_state_kept():
    """Give NumPy's global generator back as it was, whatever the block drew or seeded."""
    saved = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(saved)


@contextlib.contextmanager
def fixed_global_random_state():
    """Seed NumPy's global generator with UNSEEDED_STATE; give the caller's state back after."""
    with caller_random_state_kept():
        np.random.seed(UNSEEDED_STATE)
        yield


def _call(func, args):
    """Call on a private copy of ``args`` with the global generator at UNSEEDED_STATE;
    return (output, error, args_after). The caller restores the generator."""
    call_args = copy.deepcopy(args)
    np.random.seed(UNSEEDED_STATE)
    try:
        output = func(*call_args)
    except Exception as exc:  # the student's exception is the observation
        return None, _describe_error(exc, getattr(func, "__code__", None)), call_args
    return copy.deepcopy(output), "", call_args


def observe(func, case, references, uses, watch=None):
    """Call ``func`` twice on fresh copies of the case's arguments.

    Args:
        func: the student's function.
        case: the Case to run.
        references: {name: function} answering the other graded functions ``func`` may call.
        uses: names swapped for ``references[name]`` during the call.
        watch: code object whose calls mean delegation (the reference; instructor's process only).
    """
    printed = io.StringIO()
    with caller_random_state_kept(), warnings.catch_warnings(record=True) as caught, \
            contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed), \
            _references_in_place_of(func, uses, references), \
            _watch_for_calls(watch) as delegated:
        warnings.simplefilter("always")
        output, error, after = _call(func, case.args)
        repeat, repeat_error, _ = _call(func, case.args) if not error else (None, "", None)
    return Observation(
        output=output, error=error, repeat_output=repeat, repeat_error=repeat_error,
        inputs_after=tuple(after), printed=printed.getvalue()[-2000:],
        warnings=sorted({f"{w.category.__name__}: {w.message}" for w in caught}),
        delegated=watch is not None and (bool(delegated) or getattr(func, "__code__", None) is watch))


STAGE_ORDER = ("type", "keys", "length", "shape", "value")
OUTPUT_STAGES = STAGE_ORDER


def _compare_outputs(spec, expected, output):
    """Compare every named output; keep the mismatches of the earliest failing stage."""
    if isinstance(spec.outputs, str):
        return compare(expected, output, spec.outputs, spec.tolerance)
    if not isinstance(output, (tuple, list)) or len(output) != len(spec.outputs):
        got = f"{len(output)} values" if isinstance(output, (tuple, list)) else type(output).__name__
        wanted = f"{len(spec.outputs)} values ({', '.join(spec.outputs)})"
        return Comparison((Mismatch("return value", "type", wanted, got),), ())
    results = [compare(value, got, name, spec.tolerance)
               for name, value, got in zip(spec.outputs, expected, output)]
    mismatches = [m for r in results for m in r.mismatches]
    matched = tuple(p for r in results for p in r.matched)
    if not mismatches:
        return Comparison((), matched)
    first = min(STAGE_ORDER.index(m.stage) for m in mismatches)
    return Comparison(tuple(m for m in mismatches if STAGE_ORDER.index(m.stage) == first), matched)


_ERROR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,80}")
_BUILTIN_ERRORS = frozenset(name for name, value in vars(builtins).items()
                            if isinstance(value, type) and issubclass(value, BaseException))


def public_error(error, hidden):
    """The error as the student may see it. For a hidden case only a built-in exception's name
    survives: its message, and the name of an exception class the submission defined, can carry
    the hidden inputs."""
    if not hidden:
        return error
    match = _ERROR_NAME.match(error)
    name = match.group(0) if match else ""
    return f"{name if name in _BUILTIN_ERRORS else 'an exception'} (details of hidden cases are not shown)"


def judge(spec, case, observation, expected):
    """Compare one observation with ``expected`` (the reference's output on the case).

    Stages in order: runs, type, shape, values, inputs unchanged, same answer on a second call.
    Mistakes are named later by ``diagnose``. On a hidden case the message holds only the
    grader's own words: stage, quantity names taken from the expected output, never a value,
    an index or a name built by the student's objects.
    """
    label, hidden = case.label, case.hidden

    def fail(stage, message):
        return CaseResult(label, hidden, False, stage, message)

    if observation.error:
        return fail("error", f"raised {public_error(observation.error, hidden)}")
    result = _compare_outputs(spec, expected, observation.output)
    if not result.ok:
        lines = [m.describe(show_values=not hidden) for m in result.mismatches[:3]]
        if result.matched and result.mismatches[0].stage == "value":
            lines.append("matched: " + ", ".join(result.matched[:6]))
        return replace(fail(result.mismatches[0].stage, "\n  ".join(lines)),
                       findings=diagnosis.case_findings(spec, case.args, expected, observation.output))
    for name, before, after in zip(spec.parameters, case.args, observation.inputs_after):
        if identical(before, after):
            continue
        changed = compare(before, after, name, Tolerance(0.0, 0.0))
        if not changed.ok:
            return fail("inputs", f"{changed.mismatches[0].quantity} was changed by the call: leave the "
                        "caller's arguments as they were and build new arrays or dicts (dict.copy() "
                        "shares the arrays, so '-=' on them changes the caller's too)")
    if observation.repeat_error or not (identical(observation.output, observation.repeat_output)
                                        or same(observation.output, observation.repeat_output)):
        repeat_error = public_error(observation.repeat_error, hidden) if observation.repeat_error else ""
        return fail("repeat", "a second call with the same inputs gave a different answer"
                    + (f" ({repeat_error})" if repeat_error else ""))
    return CaseResult(label, hidden, True)


def diagnose(spec, mistakes, cases, observations, results, variant_output, hard_coded=None):
    """Name the likely mistake of each case that failed on its output.

    A catalogued mistake whose outputs equal the student's on every case that ran is preferred
    (it explains the passes too, and the only one named for a case failed because its inputs were
    changed: such a mistake's outputs are right). Otherwise a failing case gets the first mistake
    matching it that also gives the student's output on every case the student passed (a mistake
    that would have failed a case the student passed is not theirs). Failing cases no mistake
    explains are described by the shape of their wrong outputs (``autograder.diagnosis``) when
    one kind of finding explains every one of them.

    Args:
        mistakes: objects with ``name`` and ``message``, in catalogue order.
        variant_output: (mistake, case index) -> (ran, output) of that mistake on that case.
        hard_coded: optional (case index, output) -> True when a hidden case was answered
            with a documented example's output (the trusted side alone can tell).
    """
    failing = [i for i, r in enumerate(results) if not r.passed and r.stage in OUTPUT_STAGES]
    changed_inputs = [i for i, r in enumerate(results) if not r.passed and r.stage == "inputs"]
    if not failing and not changed_inputs:
        return list(results)
    ran = [i for i, o in enumerate(observations) if not o.error]
    passed = [i for i in ran if results[i].passed]
    table = {}
    for mistake in mistakes:
        for i in ran:
            ok, wrong = variant_output(mistake, i)
            table[mistake.name, i] = ok and same(wrong, observations[i].output, spec.tolerance)
    consistent = [m for m in mistakes if all(table[m.name, i] for i in ran)]
    explained = list(results)
    unexplained = []
    for i in failing + [i for i in changed_inputs if consistent]:
        mistake = next(iter(consistent), None) or next(
            (m for m in mistakes if table[m.name, i] and all(table[m.name, j] for j in passed)), None)
        if mistake is not None:
            explained[i] = replace(results[i], mistake=mistake.name,
                                   message=f"{results[i].message}\n  Likely mistake: {mistake.message}")
        elif hard_coded is not None and cases[i].hidden and hard_coded(i, observations[i].output):
            explained[i] = replace(results[i], mistake="hard_coded", message=(
                f"{results[i].message}\n  Likely mistake: the output is a documented example's "
                "answer whatever the input (hard-coded?)"))
        elif i in failing:
            unexplained.append(i)
    if unexplained:
        sentences = diagnosis.explain([(cases[i].hidden, results[i].findings) for i in unexplained])
        for i, sentence in zip(unexplained, sentences or ()):
            explained[i] = replace(explained[i], diagnosis=sentence,
                                   message=f"{explained[i].message}\n  What your output looks like: {sentence}")
    return explained


@dataclass(frozen=True)
class ExerciseResult:
    """All case verdicts of one exercise and the points they earn."""

    exercise: str
    points: float
    max_points: float
    cases: tuple
    delegated: bool = False
    warnings: tuple = ()

    @property
    def passed(self):
        return sum(c.passed for c in self.cases)


def score(points, cases, delegated=False):
    """Points earned: a share of the exercise's ``points`` per case passed; none when delegated."""
    if delegated or not cases:
        return 0.0
    return round(points * sum(c.passed for c in cases) / len(cases), 4)


def visible_warnings(cases, observations):
    """Warnings raised on visible cases only: a hidden case's warning text can carry its inputs."""
    return tuple(sorted({w for c, o in zip(cases, observations) if not c.hidden for w in o.warnings}))
