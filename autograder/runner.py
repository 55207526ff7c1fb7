"""Run a graded function on cases and judge what it returned.

The two halves are separate on purpose: ``observe`` calls student code and
returns plain data; ``judge`` compares that data with the reference on the
trusted side. In a notebook both run in one process; the batch grader runs
``observe`` in a sandbox and ``judge`` outside it.
"""
import contextlib
import copy
import inspect
import io
import re
import sys
import traceback
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from autograder.compare import Comparison, Mismatch, Tolerance, compare, identical, same
from autograder.exercise import Case


@dataclass
class Observation:
    """What one call of the student's function did (plain data only)."""

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


@contextlib.contextmanager
def _references_in_place_of(func, names, references):
    """Swap the other graded functions in ``func``'s globals for the reference ones."""
    namespace = getattr(func, "__globals__", None)
    if namespace is None:
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
    """Record whether a function with code object ``code`` runs (delegation to the reference)."""
    seen = []
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
def _caller_random_state_kept():
    """Give NumPy's global generator back as it was, whatever the block drew or seeded."""
    saved = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(saved)


@contextlib.contextmanager
def _fixed_global_random_state():
    """Seed NumPy's global generator with UNSEEDED_STATE; give the caller's state back after."""
    with _caller_random_state_kept():
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


def observe(func, case, reference, references, uses):
    """Call ``func`` twice on fresh copies of the case's arguments.

    Args:
        func: the student's function.
        case: the Case to run.
        reference: the library's version of this exercise (calls to it are watched).
        references: {name: reference function} of every graded function.
        uses: names swapped for the reference during the call.
    """
    printed = io.StringIO()
    with _caller_random_state_kept(), warnings.catch_warnings(record=True) as caught, \
            contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed), \
            _references_in_place_of(func, uses, references), \
            _watch_for_calls(reference.__code__) as delegated:
        warnings.simplefilter("always")
        output, error, after = _call(func, case.args)
        repeat, repeat_error, _ = _call(func, case.args) if not error else (None, "", None)
    return Observation(
        output=output, error=error, repeat_output=repeat, repeat_error=repeat_error,
        inputs_after=tuple(after), printed=printed.getvalue()[-2000:],
        warnings=sorted({f"{w.category.__name__}: {w.message}" for w in caught}),
        delegated=bool(delegated) or getattr(func, "__code__", None) is reference.__code__)


STAGE_ORDER = ("type", "keys", "length", "shape", "value")


def _compare_outputs(exercise, expected, output):
    """Compare every named output; keep the mismatches of the earliest failing stage."""
    if isinstance(exercise.outputs, str):
        return compare(expected, output, exercise.outputs, exercise.tolerance)
    if not isinstance(output, (tuple, list)) or len(output) != len(exercise.outputs):
        got = f"{len(output)} values" if isinstance(output, (tuple, list)) else type(output).__name__
        wanted = f"{len(exercise.outputs)} values ({', '.join(exercise.outputs)})"
        return Comparison((Mismatch("return value", "type", wanted, got),), ())
    results = [compare(value, got, name, exercise.tolerance)
               for (name, value), got in zip(exercise.name_outputs(expected), output)]
    mismatches = [m for r in results for m in r.mismatches]
    if not mismatches:
        return Comparison((), tuple(p for r in results for p in r.matched))
    first = min(STAGE_ORDER.index(m.stage) for m in mismatches)
    matched = tuple(p for r in results for p in r.matched)
    return Comparison(tuple(m for m in mismatches if STAGE_ORDER.index(m.stage) == first), matched)


OUTPUT_STAGES = ("type", "keys", "length", "shape", "value")
_ERROR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,80}")


def _public_error(error, hidden):
    """The error as the student may see it: for a hidden case only the exception's type, since
    its message (or a message the code wrote on purpose) can hold the hidden inputs."""
    if not hidden:
        return error
    match = _ERROR_NAME.match(error)
    return f"{match.group(0) if match else 'an exception'} (details of hidden cases are not shown)"


def judge(exercise, case, observation, expected=None):
    """Compare one observation with the reference; stages in order: runs, type, shape, values,
    inputs unchanged, same answer on a second call. Mistakes are named later by ``diagnose``.

    ``expected`` is the reference's output on the case, when the caller already has it.
    """
    label, hidden = case.label, case.hidden

    def fail(stage, message):
        return CaseResult(label, hidden, False, stage, message)

    if observation.error:
        return fail("error", f"raised {_public_error(observation.error, hidden)}")
    if expected is None:
        expected = exercise.reference(*copy.deepcopy(case.args))
    result = _compare_outputs(exercise, expected, observation.output)
    if not result.ok:
        lines = [m.describe(show_values=not hidden) for m in result.mismatches[:3]]
        if result.matched and result.mismatches[0].stage == "value":
            lines.append("matched: " + ", ".join(result.matched[:6]))
        return fail(result.mismatches[0].stage, "\n  ".join(lines))
    names = list(inspect.signature(exercise.reference).parameters)
    for name, before, after in zip(names, case.args, observation.inputs_after):
        if identical(before, after):
            continue
        changed = compare(before, after, name, Tolerance(0.0, 0.0))
        if not changed.ok:
            return fail("inputs", f"{changed.mismatches[0].quantity} was changed by the call: leave the "
                        "caller's arguments as they were and build new arrays or dicts (dict.copy() "
                        "shares the arrays, so '-=' on them changes the caller's too)")
    if observation.repeat_error or not (identical(observation.output, observation.repeat_output)
                                        or same(observation.output, observation.repeat_output)):
        repeat_error = _public_error(observation.repeat_error, hidden) if observation.repeat_error else ""
        return fail("repeat", "a second call with the same inputs gave a different answer"
                    + (f" ({repeat_error})" if repeat_error else ""))
    return CaseResult(label, hidden, True)


def mistake_output(mistake, case):
    try:
        with warnings.catch_warnings(), _fixed_global_random_state():
            warnings.simplefilter("ignore")
            return True, mistake.variant(*copy.deepcopy(case.args))
    except Exception:  # a variant that cannot run on these inputs is simply not this mistake
        return False, None


def _answers_a_documented_example(exercise, case, output):
    """True when some returned quantity is a documented example's value, and not this case's."""
    expected = exercise.reference(*copy.deepcopy(case.args))
    if isinstance(exercise.outputs, str):
        output, expected = (output,), (expected,)
    elif not isinstance(output, (tuple, list)) or len(output) != len(exercise.outputs):
        return False
    for example in exercise.visible():
        documented = exercise.reference(*copy.deepcopy(example.args))
        if isinstance(exercise.outputs, str):
            documented = (documented,)
        for got, doc, exp in zip(output, documented, expected):
            if same(doc, got, exercise.tolerance) and not same(exp, got, exercise.tolerance):
                return True
    return False


def diagnose(exercise, cases, observations, results, variant_output=None):
    """Name the likely mistake of each case that failed on its output.

    A catalogued mistake whose outputs equal the student's on every case that
    ran is preferred (it explains the passes too); otherwise the first one
    matching that case. A hidden case answered with a documented example's
    output is called hard-coded. ``variant_output(mistake, index)`` gives a
    mistake's (ran, output) on case ``index`` when the caller keeps them.
    """
    if variant_output is None:
        def variant_output(mistake, index):
            return mistake_output(mistake, cases[index])
    failing = [i for i, r in enumerate(results) if not r.passed and r.stage in OUTPUT_STAGES]
    if not failing:
        return list(results)
    ran = [i for i, o in enumerate(observations) if not o.error]
    table = {}
    for mistake in exercise.mistakes:
        for i in ran:
            ok, wrong = variant_output(mistake, i)
            table[mistake.name, i] = ok and same(wrong, observations[i].output, exercise.tolerance)
    consistent = [m for m in exercise.mistakes if all(table[m.name, i] for i in ran)]
    explained = list(results)
    for i in failing:
        mistake = next(iter(consistent), None) or next(
            (m for m in exercise.mistakes if table[m.name, i]), None)
        if mistake is not None:
            explained[i] = replace(results[i], mistake=mistake.name,
                                   message=f"{results[i].message}\n  Likely mistake: {mistake.message}")
            continue
        if cases[i].hidden and _answers_a_documented_example(exercise, cases[i], observations[i].output):
            explained[i] = replace(results[i], mistake="hard_coded", message=(
                f"{results[i].message}\n  Likely mistake: the output is a documented example's "
                "answer whatever the input (hard-coded?)"))
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


def score(exercise, cases, delegated):
    """Points earned: a share of the exercise's points per case passed; none when delegated."""
    if delegated or not cases:
        return 0.0
    return round(exercise.points * sum(c.passed for c in cases) / len(cases), 4)


def cases_for(assignment, exercise, salt=None):
    """The visible cases, then ``exercise.n_hidden`` hidden ones when a salt is given."""
    from autograder.salt import case_rng
    found = list(exercise.visible())
    if salt is not None:
        for index in range(exercise.n_hidden):
            args = exercise.hidden(case_rng(salt, assignment, exercise.name, index), index)
            found.append(Case(f"hidden case {index + 1} of {exercise.n_hidden}", args, hidden=True))
    return found


def run_exercise(func, assignment, exercise, salt=None):
    """Observe and judge ``func`` on every case of ``exercise`` in this process.

    NumPy's global random state is the same afterwards as before: the
    references and the initialisers seed it, and the caller's draws must not
    depend on whether a check ran.
    """
    from autograder.assignments import references
    refs = references(assignment)
    saved = np.random.get_state()
    try:
        cases = cases_for(assignment, exercise, salt)   # documented examples seed it too
        observations = [observe(func, case, exercise.reference, refs, exercise.uses) for case in cases]
        results = diagnose(exercise, cases, observations,
                           [judge(exercise, case, obs) for case, obs in zip(cases, observations)])
    finally:
        np.random.set_state(saved)
    delegated = any(o.delegated for o in observations)
    caught = {w for o in observations for w in o.warnings}
    return ExerciseResult(exercise.name, score(exercise, results, delegated), exercise.points,
                          tuple(results), delegated, tuple(sorted(caught)))
