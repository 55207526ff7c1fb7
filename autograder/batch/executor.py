"""Inside the sandbox: run a submission's cells, then call its functions on the cases sent.

Runs in the isolated process only. It receives, in order:

1. ``{"op": "cells", "cells": [source, ...], "assignment": id}``: it runs each
   cell in an IPython shell and answers ``cell`` events (start, then end with
   ``ok``, ``error`` and the cell's output, truncated), then ``ready``;
2. any number of ``{"op": "observe", "exercise": name, "cases": [args, ...]}``:
   it calls the function the cells defined under that name on each case (as
   ``runner.observe`` does in a notebook) and answers one ``observation`` per
   case, then ``done``. After a case that runs out of time the rest of that
   exercise is not run (``timeout``).

Everything it sends is plain data (``wire``); what it says is only ever
compared on the trusted side, never believed as a grade.
"""
import contextlib
import io
import linecache
import signal
import sys
import warnings

from autograder.batch import wire
from autograder.exercise import Case

CELL_OUTPUT_LIMIT = 8_000


class Timeout(BaseException):
    """Raised by the alarm; a BaseException so that the student's ``except Exception`` lets it by."""


class BoundedText(io.TextIOBase):
    """A text stream keeping the first ``limit`` characters and counting the rest."""

    def __init__(self, limit=CELL_OUTPUT_LIMIT):
        self.limit, self.kept, self.dropped = limit, [], 0
        self.size = 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.kept.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self):
        more = f"\n[... {self.dropped} more characters not kept]" if self.dropped else ""
        return "".join(self.kept) + more


@contextlib.contextmanager
def alarm(seconds):
    """Raise Timeout in this thread after ``seconds`` of wall time."""
    def ring(signum, frame):
        raise Timeout(f"timed out after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _describe(exc):
    return f"{type(exc).__name__}: {exc}"[:500]


def run_cell(shell, source, filename):
    """Run one cell as Jupyter would, minus displaying its last value: IPython's syntax
    (magics) is translated by the shell, then the code runs in the notebook's namespace.
    The source is registered under ``filename`` so error messages can quote its lines."""
    code = shell.transform_cell(source)
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    exec(compile(code, filename, "exec"), shell.user_ns)  # noqa: S102  (the submission, sandboxed)


def run_cells(channel, shell, cells, seconds):
    """Run each cell, reporting its start and its end."""
    for index, source in enumerate(cells):
        channel.send({"event": "cell", "index": index, "phase": "start"})
        output = BoundedText()
        error = ""
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output), \
                warnings.catch_warnings():
            warnings.simplefilter("default")
            try:
                with alarm(seconds):
                    run_cell(shell, source, f"<cell {index + 1}>")
            except BaseException as exc:  # the cell's error, SystemExit or our Timeout: reported
                error = _describe(exc)
        channel.send({"event": "cell", "index": index, "phase": "end", "ok": not error,
                      "error": error, "output": output.text()})
    channel.send({"event": "ready"})


def _lookup(shell, name):
    value = shell.user_ns.get(name)
    if value is None:
        return None, f"NameError: {name} is not defined (run the cell with its def line)"
    if not callable(value):
        return None, f"TypeError: {name} is a {type(value).__name__}, not a function"
    return value, ""


# Modules whose functions the harness itself uses while observing. A submission may monkeypatch
# them (np.allclose, builtins, sys.setprofile, copy.deepcopy, ...); they are put back before each
# case, so what is observed does not depend on what a cell did to the grader's own tools.
HARNESS_MODULES = ("builtins", "sys", "copy", "io", "contextlib", "warnings", "inspect", "traceback",
                   "json", "base64", "signal", "numpy", "numpy.random", "numpy.linalg", "numpy.lib.format",
                   "autograder.runner", "autograder.compare", "autograder.exercise",
                   "autograder.batch.wire", "autograder.batch.channel", "autograder.batch.executor")
_MODULES = {}      # name -> module, as imported before any submission ran
_ATTRIBUTES = {}   # name -> the module's attributes then


def snapshot_harness():
    """Remember the harness modules as they are (called once, before any submission runs)."""
    _MODULES.clear()
    _MODULES.update(sys.modules)
    _ATTRIBUTES.clear()
    for name in HARNESS_MODULES:
        if name in sys.modules:
            _ATTRIBUTES[name] = dict(vars(sys.modules[name]))


def restore_harness():
    """Put back the remembered modules and their attributes (names a cell added stay)."""
    modules, attributes = _MODULES, _ATTRIBUTES   # locals: the loop below restores these globals too
    for name, saved in attributes.items():
        vars(modules[name]).update(saved)
    sys.modules.update(modules)


def observe_cases(channel, shell, assignment, name, cases, seconds):
    """Observe the student's ``name`` on every case; see the module docstring."""
    restore_harness()
    from autograder.assignments import exercises, references
    from autograder.runner import Observation, observe
    exercise = exercises(assignment)[name]
    refs = references(assignment)
    func, missing = _lookup(shell, name)
    for index, args in enumerate(cases):
        restore_harness()
        if missing:
            observation = Observation(error=missing)
        else:
            try:
                with alarm(seconds):
                    observation = observe(func, Case("", tuple(wire.decode(args))), refs, exercise.uses)
            except Timeout:
                channel.send({"event": "timeout", "index": index})
                break
            except BaseException as exc:  # SystemExit, KeyboardInterrupt from student code: an error
                observation = Observation(error=_describe(exc))
        # Not restored again before sending: a function that sabotages the encoding of its
        # own answer only makes that answer unreadable, which fails it on the trusted side.
        channel.send({"event": "observation", "index": index, "observation": {
            "output": wire.encode(observation.output), "error": observation.error,
            "repeat_output": wire.encode(observation.repeat_output),
            "repeat_error": observation.repeat_error,
            "inputs_after": wire.encode(tuple(observation.inputs_after)),
            "printed": observation.printed, "warnings": list(observation.warnings),
            "delegated": bool(observation.delegated)}})
    channel.send({"event": "done"})


def serve(channel, shell):
    """Answer the grader until it says ``exit`` or goes away."""
    first = channel.receive()
    assignment = first["assignment"]
    run_cells(channel, shell, first["cells"], first["cell_seconds"])
    while True:
        request = channel.receive()
        if request.get("op") != "observe":
            return
        observe_cases(channel, shell, assignment, request["exercise"], request["cases"],
                      request["call_seconds"])


def quiet_check(function, hidden=False):
    """Stands in for ``autograder.check`` in the sandbox: grading happens outside, so the
    notebook's own check cells need not run their cases."""
    return None


def install_quiet_check():
    """Make ``from autograder import check`` give ``quiet_check`` in the sandbox."""
    import autograder
    import autograder.check as module
    autograder.check = quiet_check
    module.check = quiet_check
    sys.modules["autograder.check"] = module
