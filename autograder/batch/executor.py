"""Inside the sandbox: run a submission's cells once, then observe each exercise in a process of its own.

Runs in the isolated process only, which can import the assignment's student
kit and nothing else of the project. It receives, in order:

1. ``{"op": "cells", "cells": [source, ...], "cell_seconds": s}``: it runs each
   cell in an IPython shell and answers ``cell`` events (start, then end with
   ``ok``, ``error`` and the cell's output, truncated), closes every file it
   does not need, then answers ``ready`` (with the channel's descriptor number,
   which the grader checks);
2. for each exercise, ``{"op": "observer", "exercise": name, ...}``: it forks an
   observer from the state the cells left and answers ``forked``; the grader
   then stops this process until the observer is gone, so what one exercise's
   observer learns (its hidden inputs) never reaches another's. The observer
   takes ``{"op": "cases", "cases": [{"index": k, "args": ...}, ...]}`` (the visible
   cases, then, once they are all answered, the hidden ones) and answers one
   ``observation`` per case (``timeout`` when a call runs out of time): the output, and
   of the arguments only those the call changed, of the second call's answer only
   whether it was the same (or what it was). When the student's function calls another graded
   function of the same assignment, the observer asks the grader
   (``{"event": "call", ...}``) and returns its answer.

Everything it sends is plain data (``wire``); the grader reads an observation as
"this is what the student's function returned", never as a verdict.
"""
import contextlib
import gc
import io
import linecache
import os
import signal
import sys
import warnings

from autograder.batch import landlock, wire

CELL_OUTPUT_LIMIT = 8_000


class Timeout(BaseException):
    """Raised by the alarm; a BaseException so that the student's ``except Exception`` lets it by."""


class GraderAnswer(Exception):
    """The grader could not answer a call of another graded function (its words)."""


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


_PRIMED = {}   # (source, filename) -> (translated source, code object), made once in the zygote


def _translated(shell, source, filename):
    found = _PRIMED.get((source, filename))
    if found is None:
        code = shell.transform_cell(source)
        found = code, compile(code, filename, "exec")
    return found


def prime(shell, sources):
    """Translate and compile ``sources`` (the release notebook's cells, which most submissions
    keep as they are) once, in the zygote: every sandbox forked from it finds them done.
    Translating IPython's syntax tokenizes the whole cell, the dearest step of running one."""
    for index, source in enumerate(sources):
        filename = f"<cell {index + 1}>"
        try:
            _PRIMED[(source, filename)] = _translated(shell, source, filename)
        except (SyntaxError, ValueError):   # left for the sandbox to report, as for any cell
            continue


def run_cell(shell, source, filename):
    """Run one cell as Jupyter would, minus displaying its last value: IPython's syntax
    (magics) is translated by the shell, then the code runs in the notebook's namespace.
    The source is registered under ``filename`` so error messages can quote its lines."""
    code, compiled = _translated(shell, source, filename)
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    exec(compiled, shell.user_ns)  # noqa: S102  (the submission, sandboxed)


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


def close_other_files(keep):
    """Close every descriptor but 0, 1, 2 and ``keep``: a file, pipe or socket a cell left open
    would be shared by the observers forked after it (the grader checks that none is left)."""
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)


def _lookup(shell, name):
    value = shell.user_ns.get(name)
    if value is None:
        return None, f"NameError: {name} is not defined (run the cell with its def line)"
    if not callable(value):
        return None, f"TypeError: {name} is a {type(value).__name__}, not a function"
    return value, ""


# Modules whose functions the harness itself uses while observing. A submission's cells may
# monkeypatch them (np.allclose, builtins, sys.setprofile, copy.deepcopy, ...); they are put back
# after the cells ran, before any observer is forked, so what is observed does not depend on what a
# cell did to the grader's own tools. (This is for honest mistakes: what an observer reports is
# only ever read as the student's return value.)
HARNESS_MODULES = ("builtins", "sys", "copy", "io", "contextlib", "warnings", "inspect", "traceback",
                   "json", "base64", "signal", "numpy", "numpy.random", "numpy.linalg", "numpy.lib.format",
                   "autograder.runner", "autograder.compare", "autograder.exercise")
_MODULES = {}      # name -> module, as imported before any submission ran
_ATTRIBUTES = {}   # name -> the module's attributes then


def snapshot_harness(own=()):
    """Remember the harness modules as they are (called once, before any submission runs).

    ``own`` are the grader's own modules loaded in this process (not importable by name)."""
    _MODULES.clear()
    _MODULES.update(sys.modules)
    _ATTRIBUTES.clear()
    for name in HARNESS_MODULES:
        if name in sys.modules:
            _ATTRIBUTES[name] = (sys.modules[name], dict(vars(sys.modules[name])))
    for module in own:
        _ATTRIBUTES[f"<grader>{module.__name__}"] = (module, dict(vars(module)))


def restore_harness():
    """Put back the remembered modules and their attributes (names a cell added stay)."""
    modules, attributes = _MODULES, _ATTRIBUTES   # locals: the loop below restores these globals too
    for module, saved in attributes.values():
        vars(module).update(saved)
    sys.modules.update(modules)


class Oracle:
    """Stands in for another graded function of the assignment: the grader answers each call
    with its reference (plain data both ways), while this exercise is observed."""

    def __init__(self, channel, name):
        self.channel, self.__name__ = channel, name
        self.answers = {}   # request frame -> answer: a reference gives the same answer to the same call

    def __call__(self, *args, **kwargs):
        request = {"event": "call", "function": self.__name__,
                   "args": wire.encode(tuple(args)), "kwargs": wire.encode(dict(kwargs))}
        key = wire.pack(request)
        answer = self.answers.get(key)
        if answer is None:
            self.channel.send(request)
            answer = self.channel.receive()
            if not isinstance(answer, dict) or answer.get("op") != "answer":
                raise GraderAnswer("the grader did not answer")
            self.answers[key] = answer
        if answer.get("error"):
            raise GraderAnswer(str(answer["error"]))
        return wire.decode(answer.get("output"))


def _references(channel, request):
    """{name: function} for the graded functions this exercise may call."""
    import importlib
    found = {name: Oracle(channel, name) for name in request.get("oracle", ())}
    for name, owner in request.get("earlier", {}).items():
        found[name] = getattr(importlib.import_module(f"dnn_utils.{owner}"), name)
    return found


def observe_exercise(channel, shell, request):
    """The observer: call the student's function on each case the grader sends, until ``end``."""
    from autograder.exercise import Case
    from autograder.runner import Observation, observe
    name, seconds = request["exercise"], request["call_seconds"]
    references = _references(channel, request)
    uses = tuple(references)
    func, missing = _lookup(shell, name)
    while True:
        message = channel.receive()
        if message.get("op") != "cases":
            return
        for item in message["cases"]:
            index = item["index"]
            args = tuple(wire.decode(item["args"]))
            if missing:
                observation = Observation(error=missing)
            else:
                try:
                    with alarm(seconds):
                        observation = observe(func, Case("", args), references, uses)
                except Timeout:
                    channel.send({"event": "timeout", "index": index})
                    return
                except BaseException as exc:  # SystemExit, KeyboardInterrupt from student code: an error
                    observation = Observation(error=_describe(exc))
            _send_observation(channel, index, args, observation)


def _send_observation(channel, index, args, observation):
    """Send what the call did. Most calls leave their arguments alone and give the same answer
    twice: only arguments the call changed, and a second answer that differs, are sent."""
    changed = [[i, wire.encode(after)] for i, (before, after) in enumerate(zip(args, observation.inputs_after))
               if not _identical(before, after)]
    same = not observation.error and not observation.repeat_error and \
        _identical(observation.output, observation.repeat_output)
    channel.send({"event": "observation", "index": index, "observation": {
            "output": wire.encode(observation.output), "error": observation.error,
            "repeat_same": same, "repeat_output": None if same else wire.encode(observation.repeat_output),
            "repeat_error": observation.repeat_error,
            "inputs_count": len(observation.inputs_after), "inputs_changed": changed,
            "printed": observation.printed, "warnings": list(observation.warnings)}})


def _identical(a, b):
    """compare.identical as a plain bool; False when the student's objects cannot be compared."""
    from autograder.compare import identical
    try:
        return bool(identical(a, b))
    except Exception:   # an object whose == raises: sent as it is, the grader compares it
        return False


def _reap():
    """Collect finished children (this process is the PID namespace's first, so orphans come here)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def serve(channel, shell):
    """Answer the grader until it says something else or goes away."""
    first = channel.receive()
    run_cells(channel, shell, first["cells"], first["cell_seconds"])
    keep = channel.sock.fileno()
    close_other_files(keep)
    # Once, here: an observer that restored the harness itself would touch (and so copy) every
    # page of the warm heap it shares with this process.
    restore_harness()
    gc.freeze()
    channel.send({"event": "ready", "channel_fd": keep})
    while True:
        request = channel.receive()
        if request.get("op") != "observer":
            return
        _reap()   # what the grader killed since: zombies would count against the process limit
        pid = os.fork()
        if pid == 0:
            try:
                if request.get("forbid_writes"):   # no mount namespace to seal: Landlock instead
                    with contextlib.suppress(OSError):
                        landlock.forbid_writes()
                observe_exercise(channel, shell, request)
            finally:
                os._exit(0)
        channel.send({"event": "forked"})
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        _reap()


def quiet_check(function, hidden=False):
    """Stands in for ``autograder.check`` in the sandbox: grading happens outside, so the
    notebook's own check cells need not run their cases."""
    return None


def install_quiet_check():
    """Make ``from autograder import check`` give ``quiet_check`` in the sandbox (the kit's package)."""
    import autograder
    autograder.check = quiet_check
    for name in ("autograder.check", "autograder.student_check"):
        module = sys.modules.get(name)
        if module is not None:
            module.check = quiet_check
