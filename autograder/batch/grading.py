"""Grade one submission: its code runs in sandboxes, every verdict is reached here.

The trusted side holds the cases (``trusted.cases_for`` with the assignment's
salt), the reference and the points. A sandbox imports the assignment's
student kit only; it runs the submission's cells once, then each exercise is
observed in a process of its own forked from that state (``executor``), while
the cells' process is stopped and its writable files sealed, so what one
exercise learns cannot reach another. Cases go to an observer one at a time,
visible ones first; whatever a hidden case makes the code print, warn or raise
is never kept as text. When the student's function calls another graded
function of the same assignment, the reference answers here (``_Oracle``), for
the functions that exercise may call only, while it is observed.

An observation is read as "this is what the student's function returned" and
nothing more; this module judges it with ``runner.judge`` and
``runner.diagnose``, the same functions the notebook's ``check`` uses, so
honest work scores the same here as under ``nbgrader autograde``.

When a sandbox dies or stops answering, only what it was doing fails: a cell
is skipped, or the rest of the exercise being observed fails, and grading goes
on (in a fresh sandbox that runs the cells again when the cells' process is
lost). Every submission has a total time budget (``Limits.submission_seconds``)
for its cells and calls together.
"""
import collections
import contextlib
import copy
import functools
import hashlib
import inspect
import os
import select
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from autograder import assignments
from autograder.batch import executor, isolation, wire
from autograder.batch.channel import ChannelClosed, ChannelTimeout
from autograder.batch.host import PROJECT_ROOT, process_state
from autograder.batch.isolation import Limits
from autograder.batch.submission import InvalidNotebook, Submission, cells_to_run
from autograder.check_text import failure_lines
from autograder.runner import CaseResult, Observation, diagnose, judge, score, visible_warnings
from autograder.trusted import answers_a_documented_example, cases_for, expected_output, mistake_output

MAX_SANDBOXES = 6      # per submission: the first, and fresh ones after crashes or timeouts
GRACE_SECONDS = 5.0    # on top of the sandbox's own alarm, before it is killed
ORACLE_CALLS = 5_000   # answers of other graded functions per exercise observed
UNREADABLE = "the result could not be read"


@dataclass(frozen=True)
class Settings:
    """What every submission of a batch is graded with (the trusted configuration).

    ``salt`` is the assignment's own salt (``autograder.salt.assignment_salt``).
    """

    assignment: str
    salt: str
    limits: Limits = field(default_factory=Limits)


class _Lost(Exception):
    """A sandbox stopped answering properly; ``why`` says how."""

    def __init__(self, why):
        super().__init__(why)
        self.why = why


class _OutOfTime(_Lost):
    """The submission's time budget is used up."""


def _observation(data, case):
    """An Observation from a sandbox message about ``case``; WireError when it is malformed.

    Arguments the sandbox does not list as changed are the case's own (what they were before
    the call); a second answer said to be the same is the first one."""
    if not isinstance(data, dict):
        raise wire.WireError("observation is not an object")
    texts = {key: data.get(key, "") for key in ("error", "repeat_error", "printed")}
    if not all(isinstance(v, str) for v in texts.values()):
        raise wire.WireError("observation text fields are not text")
    caught = data.get("warnings", [])
    if not isinstance(caught, list) or not all(isinstance(w, str) for w in caught):
        raise wire.WireError("warnings are not a list of text")
    count, changed = data.get("inputs_count"), data.get("inputs_changed", [])
    if type(count) is not int or not 0 <= count <= len(case.args) or not isinstance(changed, list):
        raise wire.WireError("malformed inputs_changed")
    after = list(case.args[:count])
    for entry in changed:
        if not isinstance(entry, list) or len(entry) != 2 or type(entry[0]) is not int \
                or not 0 <= entry[0] < count:
            raise wire.WireError("malformed inputs_changed")
        after[entry[0]] = wire.decode(entry[1])
    output = wire.decode(data.get("output"))
    return Observation(
        output=output, error=texts["error"][:2000],
        repeat_output=output if data.get("repeat_same") is True else wire.decode(data.get("repeat_output")),
        repeat_error=texts["repeat_error"][:2000], inputs_after=tuple(after),
        printed="" if case.hidden else texts["printed"][-2000:],
        warnings=[] if case.hidden else [w[:300] for w in caught[:10]])


@contextlib.contextmanager
def _time_limit(seconds):
    """Interrupt the block after ``seconds`` (TimeoutError) when this is the main thread; signals
    reach the main thread only, so elsewhere (a Dask worker's thread) there is no limit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        with executor.alarm(seconds):
            yield
    except executor.Timeout as out:
        raise TimeoutError(str(out)) from None


@functools.lru_cache(maxsize=None)
def _signature(function):
    return inspect.signature(function)


class _Oracle:
    """Answers, with the reference, the calls an exercise's function makes to the other graded
    functions of the assignment it may use (``Exercise.uses``), while that exercise is observed."""

    def __init__(self, exercise, graded, seconds):
        self.allowed = {name: graded[name].reference for name in exercise.uses if name in graded}
        self.seconds, self.calls = seconds, 0

    def answer(self, message, body):
        """The frame replying to a ``call`` message (``body``: its bytes), holding
        {"op": "answer", "output" or "error"}. The reference gives the same answer to the same
        call, so a reply given before (to any submission of the batch) is sent again."""
        name = message.get("function")
        self.calls += 1
        if name not in self.allowed:
            return wire.pack({"op": "answer",
                              "error": f"{str(name)[:80]!r} is not a graded function this exercise may call"})
        if self.calls > ORACLE_CALLS:
            return wire.pack({"op": "answer", "error": f"more than {ORACLE_CALLS} calls of other graded functions"})
        found = _ANSWERS.get(body)
        if found is not None:
            return found
        reply = self._compute(name, message)
        frame = wire.pack(reply)
        if "output" in reply and len(body) + len(frame) <= MEMO_MAX_BYTES:
            _ANSWERS.put(body, frame, len(body) + len(frame))
        return frame

    def _compute(self, name, message):
        reference = self.allowed[name]
        try:
            args, kwargs = wire.decode(message.get("args")), wire.decode(message.get("kwargs"))
            if not isinstance(args, tuple) or not isinstance(kwargs, dict) or \
                    not all(isinstance(k, str) for k in kwargs):
                raise TypeError("arguments are not a tuple and a dict of names")
            _signature(reference).bind(*args, **kwargs)
            saved = np.random.get_state()
            try:   # the arguments were just decoded: no one else holds them, no copy needed
                with _time_limit(self.seconds), np.errstate(all="ignore"):
                    output = reference(*args, **kwargs)
            finally:
                np.random.set_state(saved)
            return {"op": "answer", "output": wire.encode(output)}
        except Exception as exc:   # arguments the reference cannot take: the student's call fails
            return {"op": "answer", "error": f"{name}() could not answer this call: "
                                             f"{type(exc).__name__}: {str(exc)[:200]}"}


def _send(channel, message, framed=False):
    """Send (``framed``: a frame ``wire.pack`` made), or _Lost when the sandbox has gone away."""
    try:
        channel.send_frame(message) if framed else channel.send(message)
    except ChannelClosed:
        raise _Lost("stopped (it crashed, exited or was killed)") from None


class _Session:
    """The state of grading one submission across one or more sandboxes."""

    def __init__(self, cells, plan, settings):
        self.cells, self.plan, self.settings = cells, plan, settings
        self.graded = assignments.exercises(settings.assignment)
        self.skipped = {}        # cell index -> why it is no longer run
        self.cell_reports = {}   # cell index -> {"ok", "error", "output"} of its last run
        self.observations = {name: [None] * len(cases) for name, cases in plan.items()}
        # what each observation was made from: the sandbox's message (its digest), or the
        # grader's own reason; equal keys mean equal observations (see ``_judged``)
        self.keys = {name: [None] * len(cases) for name, cases in plan.items()}
        self.level = ""
        self.sealed = ""
        self.deadline = time.monotonic() + settings.limits.submission_seconds

    def pending(self):
        return [name for name, found in self.observations.items() if None in found]

    def _seconds(self, wanted):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _OutOfTime(f"used up the submission's time budget of "
                             f"{self.settings.limits.submission_seconds:g} s")
        return min(wanted, left)

    def _receive(self, channel, seconds, alive=None):
        """The next message within ``seconds`` (and the budget); ``alive()`` False ends the wait."""
        deadline = time.monotonic() + self._seconds(seconds)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                if time.monotonic() >= self.deadline:
                    self._seconds(0)
                raise _Lost("timed out")
            readable, _, _ = select.select([channel.sock], [], [], min(left, 0.1))
            if readable:
                break
            if alive is not None and not alive():
                raise _Lost("stopped (it crashed, exited or was killed)")
        try:
            message = channel.receive(max(deadline - time.monotonic(), 0.01))
        except ChannelTimeout:
            raise _Lost("timed out") from None
        except ChannelClosed:
            raise _Lost("stopped (it crashed, exited or was killed)") from None
        except wire.WireError:
            raise _Lost("sent data the grader could not read") from None
        if not isinstance(message, dict) or not isinstance(message.get("event"), str):
            raise _Lost("sent data the grader could not read")
        return message

    def _index(self, message, items):
        index = message.get("index")
        if type(index) is not int or not 0 <= index < len(items):
            raise _Lost("sent data the grader could not read")
        return items[index]

    def run_cells(self, sandbox):
        """Run the cells not skipped yet; returns the descriptor number of the sandbox's channel."""
        limits = self.settings.limits
        order = [i for i in range(len(self.cells)) if i not in self.skipped]
        _send(sandbox.channel, {"op": "cells", "cells": [self.cells[i] for i in order],
                                "cell_seconds": limits.cell_seconds})
        current = order[0] if order else None
        try:
            while True:
                message = self._receive(sandbox.channel, limits.cell_seconds + GRACE_SECONDS)
                if message["event"] == "ready":
                    return message.get("channel_fd")
                if message["event"] != "cell":
                    raise _Lost("sent data the grader could not read")
                cell = self._index(message, order)
                if message.get("phase") == "start":
                    current = cell
                    continue
                output, error = message.get("output"), message.get("error")
                self.cell_reports[cell] = {"ok": not error, "error": str(error or "")[:500],
                                           "output": str(output or "")[:9000]}
                later = order[order.index(cell) + 1:]
                current = later[0] if later else None
        except _Lost as lost:
            if current is None or isinstance(lost, _OutOfTime):
                raise
            self.skipped[current] = lost.why
            self.cell_reports[current] = {
                "ok": False, "output": "",
                "error": f"the sandbox {lost.why} while running this cell; it was skipped "
                         "and the rest of the notebook graded in a fresh sandbox"}
            raise

    def seal(self, sandbox, channel_fd):
        """Before the first observer: nothing writable left to share between observers.
        Returns "" when the sandbox is ready, or why exercises cannot be observed apart."""
        self.sealed = sandbox.seal()
        if not sandbox.kill_all_but_sandbox():
            raise _Lost("kept a process running that could not be stopped")
        try:
            problems = isolation.process_problems(sandbox.pid, [channel_fd] if type(channel_fd) is int else [])
        except ProcessLookupError:
            raise _Lost("stopped (it crashed, exited or was killed)") from None
        return "; ".join(problems)

    def observe(self, sandbox, name):
        """Observe one exercise in a fresh observer process; fail what it could not answer."""
        limits = self.settings.limits
        exercise, cases = self.graded[name], self.plan[name]
        todo = [k for k, found in enumerate(self.observations[name]) if found is None]
        encoded = _cached(_ENCODED, (self.settings.salt, name), lambda: [wire.encode(c.args) for c in cases])
        oracle = _Oracle(exercise, self.graded, limits.call_seconds)
        earlier = {use: owner for use in exercise.uses if use not in self.graded
                   for owner in [assignments.find(use)[0]]}
        _send(sandbox.channel, {"op": "observer", "exercise": name, "call_seconds": limits.call_seconds,
                                "oracle": sorted(oracle.allowed), "earlier": earlier,
                                "forbid_writes": not sandbox.level.startswith(isolation.FULL)})
        message = self._receive(sandbox.channel, GRACE_SECONDS)
        if message["event"] != "forked":
            raise _Lost("sent data the grader could not read")
        if not sandbox.stop():
            raise _Lost("stopped (it crashed, exited or was killed)")
        handle = None
        try:
            observers = sandbox.live_children()
            handle = sandbox.watch_child(observers[0]) if len(observers) == 1 else None
            if handle is None:
                self._fail_rest(name, todo, "the notebook's process did not start exactly one observer")
                return
            observer = observers[0]

            def alive():
                return process_state(observer) not in ("", "Z", "X")

            waiting = list(todo)
            try:
                # the visible cases first; the hidden ones only once every visible one is answered
                for batch in ([k for k in todo if not cases[k].hidden], [k for k in todo if cases[k].hidden]):
                    if not batch:
                        continue
                    _send(sandbox.channel, {"op": "cases", "cases": [{"index": k, "args": encoded[k]}
                                                                     for k in batch]})
                    for k in batch:
                        while True:
                            message = self._receive(sandbox.channel, limits.call_seconds + GRACE_SECONDS,
                                                    alive)
                            if message["event"] == "call":
                                _send(sandbox.channel, oracle.answer(message, sandbox.channel.last_body),
                                      framed=True)
                                continue
                            if message.get("index") != k:
                                raise _Lost("sent data the grader could not read")
                            break
                        if message["event"] == "timeout":
                            self._fail_rest(name, waiting, f"timed out after {limits.call_seconds:g} s")
                            waiting = []
                            raise _Lost("timed out")
                        if message["event"] != "observation":
                            raise _Lost("sent data the grader could not read")
                        self.keys[name][k] = hashlib.blake2b(sandbox.channel.last_body, digest_size=16).digest()
                        try:
                            self.observations[name][k] = _observation(message.get("observation"), cases[k])
                        except wire.WireError as exc:
                            self.observations[name][k] = Observation(
                                error=f"UnreadableResult: the function returned data the grader could "
                                      f"not read ({exc})")
                        waiting.remove(k)
            except _OutOfTime:
                raise
            except _Lost as lost:
                self._fail_rest(name, waiting, f"the function's process {lost.why}")
                # Whether the observer read all we sent cannot be known (a message it forged looks
                # like an answer): what is left in the socket would reach the cells' process, so
                # this sandbox is not used for another exercise (a fresh one runs the cells again).
                raise _Lost(lost.why) from None
        finally:
            ended = sandbox.kill_all_but_sandbox() if handle is None else sandbox.end_child(handle)
            if not ended:   # a process of this observer may live on: no other exercise in this sandbox
                raise _Lost("kept a process running that could not be stopped")
            sandbox.resume()

    def _fail_rest(self, name, waiting, why):
        """Fail the cases not answered yet: the first with the reason, the others as not run."""
        for position, k in enumerate(waiting):
            self.observations[name][k] = Observation(error=(
                f"GradingStopped: {why} while running this case" if position == 0 else
                f"NotRun: not run after an earlier case of this exercise {why}"))
            self.keys[name][k] = self.observations[name][k].error

    def _fail_pending(self, why):
        for name in self.pending():
            self._fail_rest(name, [k for k, o in enumerate(self.observations[name]) if o is None], why)

    def run(self, zygote, kit_dir):
        try:
            for attempt in range(MAX_SANDBOXES):
                if attempt and not self.pending():
                    return
                sandbox = zygote.spawn(self.settings.limits, kit_dir, release_cells(self.settings.assignment))
                self.level = sandbox.level
                try:
                    channel_fd = self.run_cells(sandbox)
                    problem = self.seal(sandbox, channel_fd)
                    if problem:
                        self._fail_pending("the notebook's cells left something that would let one exercise's "
                                           f"checks reach another's ({problem}): stop threads and close files "
                                           "in the cells")
                        return
                    for name in self.pending():
                        self.observe(sandbox, name)
                    return
                except _OutOfTime:
                    raise
                except _Lost:
                    continue
                finally:
                    sandbox.close()
            self._fail_pending(f"gave up after {MAX_SANDBOXES} sandboxes failed")
        except _OutOfTime as out:
            self._fail_pending(f"the submission {out.why}")


# The cases, and the reference's and the mistakes' outputs on them, are the same for every submission of a
# batch (the cases depend on the salt only): a worker computes each once.
class _Memo:
    """At most ``size`` entries and ``budget`` bytes (as told by ``put``), the least recently
    used dropped first: a worker's memory stays bounded however long the batch."""

    def __init__(self, size, budget=None):
        self.size, self.budget, self.used = size, budget, 0
        self.entries = collections.OrderedDict()   # key -> (value, bytes)

    def get(self, key):
        found = self.entries.get(key)
        if found is None:
            return None
        self.entries.move_to_end(key)
        return found[0]

    def put(self, key, value, size=0):
        if key in self.entries:
            self.used -= self.entries.pop(key)[1]
        self.entries[key] = (value, size)
        self.used += size
        while len(self.entries) > self.size or (self.budget is not None and self.used > self.budget):
            self.used -= self.entries.popitem(last=False)[1][1]


MEMO_MAX_BYTES = 64 * 1024           # a call and its reply larger than this are answered afresh each time
_ANSWERS = _Memo(4096, 16 * 2**20)   # request bytes -> the frame of the reference's reply
_JUDGED = _Memo(1024)                   # (salt, exercise, observation keys) -> the exercise's entry
_PLANS = {}
_ENCODED = {}
_EXPECTED = {}
_VARIANTS = {}
_KITS = {}
_RELEASE_CELLS = {}


def _cached(table, key, compute):
    if key not in table:
        table[key] = compute()
    return table[key]


def _rounded(array):
    """``array`` rounded to six significant digits of its largest finite magnitude."""
    finite = np.abs(array[np.isfinite(array)])
    top = float(finite.max()) if finite.size else 0.0
    return np.round(array, 6 - int(np.floor(np.log10(top))) if top > 0 else 6)


def output_digest(value):
    """A short digest of an output, equal for outputs that agree to about six significant digits
    (the insight report groups identical wrong answers by it); "" for an output it cannot read."""
    def canonical(item):
        if isinstance(item, np.ndarray) and item.dtype.kind in "biuf":
            return ["a", list(item.shape), _rounded(item.astype(float)).tolist()]
        if isinstance(item, (float, np.floating)):
            return ["f", float(f"{float(item):.6g}")]
        if isinstance(item, dict):
            return ["d", [[repr(k), canonical(v)] for k, v in item.items()]]
        if isinstance(item, (tuple, list)):
            return ["l", [canonical(v) for v in item]]
        return ["o", repr(item)[:200]]
    try:
        with np.errstate(all="ignore"):
            return hashlib.sha256(repr(canonical(value)).encode()).hexdigest()[:16]
    except Exception:   # an output too odd to digest belongs to no group
        return ""


def _family(case):
    return "hidden case" if case.hidden else "documented example"


def _exercise_entry(exercise, cases, observations, salt):
    """Judge one exercise on the trusted side: the dict reported for it."""
    key = (salt, exercise.name)

    def expected(index):
        return _cached(_EXPECTED, (*key, index), lambda: expected_output(exercise, cases[index]))

    def variant(mistake, index):
        return _cached(_VARIANTS, (*key, mistake.name, index),
                       lambda: mistake_output(mistake, cases[index]))

    saved = np.random.get_state()
    try:
        verdicts = []
        for i, (case, obs) in enumerate(zip(cases, observations)):
            try:
                with np.errstate(all="ignore"):
                    verdicts.append(judge(exercise, case, obs, expected(i)))
            except Exception:   # what the sandbox sent broke the comparison: that case fails
                verdicts.append(CaseResult(case.label, case.hidden, False, "error", UNREADABLE))
        try:
            with np.errstate(all="ignore"):
                results = diagnose(exercise, exercise.mistakes, cases, observations, verdicts, variant,
                                   lambda i, output: answers_a_documented_example(exercise, cases[i], output))
        except Exception:   # naming a mistake is a courtesy: the verdicts stand without it
            results = verdicts
    finally:
        np.random.set_state(saved)
    points = score(exercise.points, results)
    passed = sum(r.passed for r in results)
    errors = [o.error for o in observations if o.error]
    if passed == len(results):
        status, message = "passed", f"all {len(results)} cases passed"
    else:
        if len(errors) == len(results) and all(e.startswith(f"NameError: {exercise.name} is not defined")
                                               for e in errors):   # the function itself, not a helper
            status = "missing"
        elif any(e.startswith(("GradingStopped", "NotRun")) for e in errors):
            status = "stopped"
        else:
            status = "partial" if passed else "failed"
        message = "\n".join([f"{passed} of {len(results)} cases passed"] + failure_lines(results))
    return {"function": exercise.name, "number": exercise.number, "points": points,
            "max_points": float(exercise.points), "status": status, "message": message,
            "cases_passed": passed, "cases": len(results),
            "mistakes": sorted({r.mistake for r in results if r.mistake}),
            "warnings": list(visible_warnings(cases, observations))[:5],
            "printed": "".join(o.printed for o, c in zip(observations, cases) if not c.hidden)[-2000:],
            "case_results": [{"index": i, "hidden": c.hidden, "family": _family(c), "passed": r.passed,
                              "stage": r.stage, "mistake": r.mistake,
                              "output_digest": "" if o.error else output_digest(o.output)}
                             for i, (c, o, r) in enumerate(zip(cases, observations, results))]}


def _judged(exercise, cases, observations, keys, salt):
    """``_exercise_entry``, remembered: the verdicts are a function of the cases (the salt) and
    the observations alone, and many submissions of a batch give the same observations."""
    if any(key is None for key in keys):
        return _exercise_entry(exercise, cases, observations, salt)
    memo_key = (salt, exercise.name, tuple(keys))
    entry = _JUDGED.get(memo_key)
    if entry is None:
        entry = _exercise_entry(exercise, cases, observations, salt)
        _JUDGED.put(memo_key, entry)
    return copy.deepcopy(entry)


def _summary(submission, assignment, exercise_entries, status, error, cells=(), level=""):
    return {"submission": submission.path, "student": submission.student, "assignment": assignment,
            "sha256": submission.sha256, "arrived": submission.arrived, "status": status,
            "score": round(sum(e["points"] for e in exercise_entries), 4),
            "max_score": float(sum(e["max_points"] for e in exercise_entries)),
            "exercises": exercise_entries, "error": error, "cells": list(cells), "isolation": level}


def not_graded(submission, assignment, status, reason):
    """The result of a submission that could not be graded: zero points, with the reason."""
    entries = [{"function": ex.name, "number": ex.number, "points": 0.0,
                "max_points": float(ex.points), "status": "not graded", "message": reason,
                "cases_passed": 0, "cases": 0, "mistakes": [], "warnings": [], "printed": "",
                "case_results": []}
               for ex in assignments.exercises(assignment).values()]
    return _summary(submission, assignment, entries, status, f"{status}: {reason}")


def release_cells(assignment):
    """The code cells of the assignment's release notebook as a submission's would be run
    (the zygote prepares them once); () when the project has no release notebook."""
    def read():
        path = os.path.join(PROJECT_ROOT, "release", assignment, f"{assignment}.ipynb")
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
            release = Submission(path=path, student="", sha256="", arrived="", raw=raw)
            return tuple(cells_to_run(release, assignment, list(assignments.exercises(assignment))))
        except (OSError, InvalidNotebook):
            return ()
    return _cached(_RELEASE_CELLS, assignment, read)


def kit_for(assignment):
    """The assignment's student kit as a folder (built once per process and project version)."""
    from autograder.kit import build
    return _cached(_KITS, assignment, lambda: str(build.unpacked(assignment)))


def grade_submission(submission, settings, zygote):
    """The result dict of one submission (see ``autograder.cli`` for its fields)."""
    exercises = assignments.exercises(settings.assignment)
    try:
        cells = cells_to_run(submission, settings.assignment, list(exercises))
    except InvalidNotebook as exc:
        return not_graded(submission, settings.assignment, "invalid_notebook", str(exc))
    plan = _cached(_PLANS, (settings.assignment, settings.salt), lambda: {
        name: cases_for(settings.assignment, ex, settings.salt) for name, ex in exercises.items()})
    session = _Session(cells, plan, settings)
    session.run(zygote, kit_for(settings.assignment))
    entries = [_judged(ex, plan[name], session.observations[name], session.keys[name], settings.salt)
               for name, ex in exercises.items()]
    cells_report = [{"cell": index + 1, **report} for index, report in sorted(session.cell_reports.items())
                    if report["error"] or report["output"]]
    level = session.level + (f"; {session.sealed}" if session.sealed else "")
    return _summary(submission, settings.assignment, entries, "graded", None, cells_report, level)
