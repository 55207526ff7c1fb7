"""The grader's side of the sandbox: start the warm zygote, open sandboxes, watch and end them for good."""
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict

from autograder.batch import isolation
from autograder.batch.channel import Channel

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZYGOTE_SCRIPT = os.path.join(PROJECT_ROOT, "autograder", "batch", "zygote.py")
ZYGOTE_START_SECONDS = 120


def exposed_directories(kit_dir):
    """What the sandbox must be able to read besides the Python installation: the student kit."""
    return [os.path.realpath(kit_dir)]


def sandbox_environment(scratch):
    """The zygote's whole environment: nothing from the grader's (no salt, no paths)."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": "/sandbox",
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join(scratch, "matplotlib"),
        "IPYTHONDIR": os.path.join(scratch, "ipython"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "DNN_SKIP_TRAINING": "1",
    }


class ZygoteFailed(RuntimeError):
    """The warm interpreter could not start or stopped answering."""


class Zygote:
    """One warm interpreter for one worker; ``spawn`` forks a fresh sandbox from it.

    It starts on the first ``spawn``, with the student kit it is given (and starts again
    if a later spawn names another kit). Its sandboxes run as ``isolation.sandbox_uid()``
    of the calling process.
    """

    def __init__(self, scratch):
        self.uid = isolation.sandbox_uid()
        self.scratch = scratch
        self.kit_dir = None
        self.process = None

    def _start(self, kit_dir, primer):
        os.makedirs(self.scratch, exist_ok=True)
        primer_file = os.path.join(self.scratch, f"primer-{os.getpid()}.json")
        with open(primer_file, "w") as out:
            json.dump(list(primer), out)
        self.control, theirs = socket.socketpair()
        self.log = open(os.path.join(self.scratch, f"zygote-{os.getpid()}.log"), "ab")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", ZYGOTE_SCRIPT, str(theirs.fileno()), str(self.uid),
                 json.dumps(exposed_directories(kit_dir)), str(kit_dir), PROJECT_ROOT, str(os.getpid()),
                 primer_file],
                pass_fds=[theirs.fileno()], env=sandbox_environment(self.scratch), cwd=self.scratch,
                stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        except OSError as exc:
            self.control.close()
            self.log.close()
            raise ZygoteFailed(f"cannot start {sys.executable}: {exc}") from None
        finally:
            theirs.close()
        self.kit_dir = kit_dir
        self.control.settimeout(ZYGOTE_START_SECONDS)
        try:
            ready = self.control.recv(1)
        except OSError as exc:
            ready = str(exc).encode()
        if ready != b"R":
            self.close()
            with open(self.log.name, "rb") as log:
                tail = log.read()[-300:].decode("utf-8", "replace").strip()
            raise ZygoteFailed(f"the warm interpreter did not start: {tail or 'no output'}")
        self.control.settimeout(30)

    def spawn(self, limits, kit_dir, primer=()):
        """A new Sandbox, isolated and waiting for its cells, importing the kit at ``kit_dir``.

        ``primer``: cell sources the zygote prepares when it starts (the release notebook's)."""
        if self.process is not None and (self.kit_dir != kit_dir or not self.alive()):
            self.close()
        if self.process is None:
            self._start(kit_dir, primer)
        template_ours, template_theirs = socket.socketpair()
        warden_ours, warden_theirs = socket.socketpair()
        try:
            socket.send_fds(self.control, [json.dumps(asdict(limits)).encode()],
                            [template_theirs.fileno(), warden_theirs.fileno()])
            first = json.loads(self.control.recv(256).split(b"\n")[0])
        except (OSError, ValueError) as exc:
            template_ours.close()
            warden_ours.close()
            raise ZygoteFailed(f"the warm interpreter stopped answering: {exc}") from None
        finally:
            template_theirs.close()
            warden_theirs.close()
        sandbox = Sandbox(Channel(template_ours), Channel(warden_ours), first["pid"], self.uid)
        try:
            sandbox.pid = int(sandbox.warden.receive(30)["pid"])
            started = sandbox.channel.receive(30)
        except Exception as exc:
            sandbox.close()
            raise ZygoteFailed(f"a sandbox did not start: {exc}") from None
        if started.get("event") == "refused":
            sandbox.close()
            raise ZygoteFailed(f"a sandbox refused to start: {started.get('why')}")
        sandbox.level = started["level"]
        return sandbox

    def alive(self):
        return self.process is None or self.process.poll() is None

    def close(self):
        """Stop the zygote, then kill anything still running as its sandboxes' user."""
        if self.process is None:
            return
        isolation.kill_quietly(self.process.pid)
        self.process.wait()
        self.process = None
        self.control.close()
        self.log.close()
        if os.geteuid() == 0:
            for _ in range(100):
                left = isolation.processes_of(self.uid)
                if not left:
                    break
                for pid in left:
                    isolation.kill_quietly(pid)
                time.sleep(0.01)
            isolation.remove_files_of(self.uid)   # what a fallback sandbox left in /tmp


def process_state(pid):
    """The one-letter state of a process (R, S, T, Z, ...), or "" when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0].decode()
    except (OSError, IndexError):
        return ""


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as found:
            return [int(p) for p in found.read().split()]
    except OSError:
        return []


class Sandbox:
    """An isolated process running one submission; ``close`` kills it and all it started.

    ``channel`` talks to the sandbox (and, through it, to its observers); ``warden`` to the
    privileged process that made it, which never runs student code.
    """

    def __init__(self, channel, warden, first_pid, uid):
        self.channel = channel
        self.warden = warden
        self.first_pid = first_pid
        self.pid = None
        self.uid = uid
        self.level = ""

    def seal(self, seconds=10):
        """Ask the warden to make the sandbox's writable mounts read-only; what it did."""
        self.warden.send({"op": "seal"})
        return self.warden.receive(seconds).get("how", "")

    def stop(self):
        """Stop the sandbox process (SIGSTOP) and wait until it is stopped; False if it is gone."""
        isolation.kill_quietly(self.pid, signal.SIGSTOP)
        for _ in range(2000):
            state = process_state(self.pid)
            if state in ("T", "t"):
                return True
            if state in ("", "Z", "X"):
                return False
            time.sleep(0.0005)
        return False

    def resume(self):
        isolation.kill_quietly(self.pid, signal.SIGCONT)

    def live_children(self):
        """Host process ids of the sandbox process's children that have not exited."""
        return [c for c in _children(self.pid) if process_state(c) not in ("", "Z", "X")]

    def watch_child(self, pid):
        """A pidfd for the sandbox's child ``pid``, or None when it is no longer that child.

        Opened, then checked against the children list again: a pidfd names one process for
        good, so a later kill through it can never reach a process that reused the number."""
        try:
            handle = os.pidfd_open(pid)
        except OSError:
            return None
        if pid not in self.live_children():
            os.close(handle)
            return None
        return handle

    def end_child(self, handle, seconds=5.0):
        """Kill the child behind the pidfd ``handle`` and wait until it has exited (its pidfd
        turns readable when it is a zombie, after its own children were handed on), then kill
        whatever else the sandbox started; closes ``handle``. False as ``kill_all_but_sandbox``."""
        try:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(handle, signal.SIGKILL)
            exited = select.poll()   # poll, not select: a descriptor number may be above 1024
            exited.register(handle, select.POLLIN)
            exited.poll(seconds * 1000)
        finally:
            os.close(handle)
        return self.kill_all_but_sandbox()

    def kill_all_but_sandbox(self):
        """Kill every process the sandbox started (observers and what they started), and wait
        until none is left; False when some could not be ended (the sandbox must not be used on).

        In a PID namespace every orphan becomes a child of the sandbox process; without one,
        whatever still runs as the sandbox's user is killed too."""
        for _ in range(5000):
            left = self.live_children()
            if not self.level.startswith(isolation.FULL):
                left += [p for p in isolation.processes_of(self.uid) if p != self.pid and p not in left]
            if not left:
                return True
            for pid in left:
                isolation.kill_quietly(pid)
            time.sleep(0.0002)
        return False

    def close(self):
        """Kill the sandbox and everything in its PID namespace (or, without one, its session).

        The kernel ends every process of a PID namespace when its first process dies, so
        nothing a sandbox started survives this; ``Zygote.close`` also sweeps its user id.
        """
        self.channel.close()
        self.warden.close()
        if self.pid:
            isolation.kill_quietly(-self.pid)   # its session, when it has no namespace
            isolation.kill_quietly(self.pid)    # init of its PID namespace: takes all with it
            isolation.kill_quietly(self.pid, signal.SIGCONT)
        else:
            isolation.kill_quietly(self.first_pid)
