"""Grade one submission: its code runs in sandboxes, every verdict is reached here.

The trusted side holds the cases (``runner.cases_for`` with the salt), the
reference and the points. A sandbox runs the submission's cells and answers,
for each case sent, what the student's function returned (plain data). This
module judges those answers with ``runner.judge`` and ``runner.diagnose``, the
same functions the notebook's ``check`` uses, so honest work scores the same
here as under ``nbgrader autograde``.

When a sandbox dies or stops answering, only what it was doing fails: a cell
is skipped, or the rest of the exercise being called fails, and grading goes on
in a fresh sandbox that runs the cells again.
"""
import copy
from dataclasses import dataclass

import numpy as np

from autograder import assignments
from autograder.batch import wire
from autograder.batch.channel import ChannelClosed, ChannelTimeout
from autograder.batch.isolation import Limits
from autograder.batch.submission import InvalidNotebook, cells_to_run
from autograder.check_text import failure_lines
from autograder.runner import Observation, diagnose, judge, score
from autograder.trusted import answers_a_documented_example, cases_for, expected_output, mistake_output

MAX_SANDBOXES = 6      # per submission: the first, and fresh ones after crashes or timeouts
GRACE_SECONDS = 5.0    # on top of the sandbox's own alarm, before it is killed


@dataclass(frozen=True)
class Settings:
    """What every submission of a batch is graded with (the trusted configuration)."""

    assignment: str
    salt: str
    limits: Limits = Limits()


class _Lost(Exception):
    """A sandbox stopped answering properly; ``why`` says how."""

    def __init__(self, why):
        super().__init__(why)
        self.why = why


def _observation(data, hidden):
    """An Observation from a sandbox message; WireError when it is malformed."""
    if not isinstance(data, dict):
        raise wire.WireError("observation is not an object")
    texts = {key: data.get(key, "") for key in ("error", "repeat_error", "printed")}
    if not all(isinstance(v, str) for v in texts.values()):
        raise wire.WireError("observation text fields are not text")
    caught = data.get("warnings", [])
    if not isinstance(caught, list) or not all(isinstance(w, str) for w in caught):
        raise wire.WireError("warnings are not a list of text")
    after = wire.decode(data.get("inputs_after"))
    return Observation(
        output=wire.decode(data.get("output")), error=texts["error"][:2000],
        repeat_output=wire.decode(data.get("repeat_output")), repeat_error=texts["repeat_error"][:2000],
        inputs_after=tuple(after) if isinstance(after, (tuple, list)) else (),
        printed="" if hidden else texts["printed"][-2000:],
        warnings=[w[:300] for w in caught[:10]], delegated=data.get("delegated") is True)


class _Session:
    """The state of grading one submission across one or more sandboxes."""

    def __init__(self, cells, plan, settings):
        self.cells, self.plan, self.settings = cells, plan, settings
        self.skipped = {}        # cell index -> why it is no longer run
        self.cell_reports = {}   # cell index -> {"ok", "error", "output"} of its last run
        self.observations = {name: [None] * len(cases) for name, cases in plan.items()}
        self.level = ""

    def pending(self):
        return [name for name, found in self.observations.items() if None in found]

    def _receive(self, sandbox, seconds):
        try:
            message = sandbox.channel.receive(seconds)
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
        limits = self.settings.limits
        order = [i for i in range(len(self.cells)) if i not in self.skipped]
        sandbox.channel.send({"op": "cells", "cells": [self.cells[i] for i in order],
                              "assignment": self.settings.assignment,
                              "cell_seconds": limits.cell_seconds})
        current = order[0] if order else None
        try:
            while True:
                message = self._receive(sandbox, limits.cell_seconds + GRACE_SECONDS)
                if message["event"] == "ready":
                    return
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
            if current is None:
                raise
            self.skipped[current] = lost.why
            self.cell_reports[current] = {
                "ok": False, "output": "",
                "error": f"the sandbox {lost.why} while running this cell; it was skipped "
                         "and the rest of the notebook graded in a fresh sandbox"}
            raise

    def observe(self, sandbox, name):
        limits = self.settings.limits
        cases = self.plan[name]
        todo = [k for k, found in enumerate(self.observations[name]) if found is None]
        encoded = _cached(_ENCODED, (self.settings.salt, name), lambda: [wire.encode(c.args) for c in cases])
        sandbox.channel.send({"op": "observe", "exercise": name, "call_seconds": limits.call_seconds,
                              "cases": [encoded[k] for k in todo]})
        waiting = list(todo)
        try:
            while True:
                message = self._receive(sandbox, 2 * limits.call_seconds + GRACE_SECONDS)
                if message["event"] == "done":
                    break
                k = self._index(message, todo)
                if message["event"] == "timeout":
                    self._fail_rest(name, waiting, f"timed out after {limits.call_seconds:g} s")
                    waiting = []
                elif message["event"] == "observation":
                    try:
                        self.observations[name][k] = _observation(message.get("observation"),
                                                                  cases[k].hidden)
                    except wire.WireError as exc:
                        self.observations[name][k] = Observation(
                            error=f"UnreadableResult: the function returned data the grader "
                                  f"could not read ({exc})")
                    waiting = [w for w in waiting if w != k]
                else:
                    raise _Lost("sent data the grader could not read")
        except _Lost as lost:
            self._fail_rest(name, waiting, f"the sandbox {lost.why}")
            raise
        self._fail_rest(name, waiting, "the sandbox gave no answer for this case")

    def _fail_rest(self, name, waiting, why):
        """Fail the cases not answered yet: the first with the reason, the others as not run."""
        for position, k in enumerate(waiting):
            self.observations[name][k] = Observation(error=(
                f"GradingStopped: {why} while running this case" if position == 0 else
                f"NotRun: not run after an earlier case of this exercise {why}"))

    def run(self, zygote):
        for attempt in range(MAX_SANDBOXES):
            if attempt and not self.pending():
                return
            sandbox = zygote.spawn(self.settings.limits)
            self.level = sandbox.level
            try:
                self.run_cells(sandbox)
                for name in self.pending():
                    self.observe(sandbox, name)
                return
            except _Lost:
                continue
            finally:
                sandbox.close()
        for name in self.pending():
            self._fail_rest(name, [k for k, o in enumerate(self.observations[name]) if o is None],
                            f"gave up after {MAX_SANDBOXES} sandboxes failed")


# The cases, and the reference's and the mistakes' outputs on them, are the same for every submission of a
# batch (the cases depend on the salt only): a worker computes each once.
_PLANS = {}
_ENCODED = {}
_EXPECTED = {}
_VARIANTS = {}


def _cached(table, key, compute):
    if key not in table:
        table[key] = compute()
    return table[key]


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
        verdicts = [judge(exercise, case, obs, expected(i))
                    for i, (case, obs) in enumerate(zip(cases, observations))]
        results = diagnose(exercise, exercise.mistakes, cases, observations, verdicts, variant,
                           lambda i, output: answers_a_documented_example(exercise, cases[i], output))
    finally:
        np.random.set_state(saved)
    delegated = any(o.delegated for o in observations)
    points = score(exercise.points, results, delegated)
    passed = sum(r.passed for r in results)
    errors = [o.error for o in observations if o.error]
    if delegated:
        status = "delegated"
        message = ("this function is, or only calls, the library's reference; "
                   "write your own to earn the points")
    elif passed == len(results):
        status, message = "passed", f"all {len(results)} cases passed"
    else:
        if errors and all(e.startswith("NameError") for e in errors) and len(errors) == len(results):
            status = "missing"
        elif any(e.startswith(("GradingStopped", "NotRun")) for e in errors):
            status = "stopped"
        else:
            status = "partial" if passed else "failed"
        message = "\n".join([f"{passed} of {len(results)} cases passed"] + failure_lines(results))
    caught = sorted({w for o in observations for w in o.warnings})
    return {"function": exercise.name, "number": exercise.number, "points": points,
            "max_points": float(exercise.points), "status": status, "message": message,
            "cases_passed": passed, "cases": len(results),
            "mistakes": sorted({r.mistake for r in results if r.mistake}),
            "warnings": caught[:5],
            "printed": "".join(o.printed for o, c in zip(observations, cases) if not c.hidden)[-2000:]}


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
                "cases_passed": 0, "cases": 0, "mistakes": [], "warnings": [], "printed": ""}
               for ex in assignments.exercises(assignment).values()]
    return _summary(submission, assignment, entries, status, f"{status}: {reason}")


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
    session.run(zygote)
    entries = [_exercise_entry(ex, plan[name], session.observations[name], settings.salt)
               for name, ex in exercises.items()]
    cells_report = [{"cell": index + 1, **report} for index, report in sorted(session.cell_reports.items())
                    if report["error"] or report["output"]]
    return _summary(submission, settings.assignment, entries, "graded", None, cells_report,
                    session.level)
