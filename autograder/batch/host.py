"""The grader's side of the sandbox: start the warm zygote, open sandboxes, end them for good."""
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import asdict

from autograder.batch import isolation
from autograder.batch.channel import Channel

PACKAGES = ("dnn_utils", "autograder", "testcases")
ZYGOTE_START_SECONDS = 120


def exposed_directories():
    """The project's package directories, which the sandbox must be able to read."""
    found = []
    for name in PACKAGES:
        module = sys.modules.get(name) or __import__(name)
        found.append(os.path.dirname(os.path.abspath(module.__file__)))
    return found


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

    Its sandboxes run as ``isolation.sandbox_uid()`` of the calling process.
    """

    def __init__(self, scratch):
        self.uid = isolation.sandbox_uid()
        os.makedirs(scratch, exist_ok=True)
        self.control, theirs = socket.socketpair()
        self.log = open(os.path.join(scratch, f"zygote-{os.getpid()}.log"), "ab")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "autograder.batch.zygote", str(theirs.fileno()), str(self.uid),
                 json.dumps(exposed_directories())],
                pass_fds=[theirs.fileno()], env=sandbox_environment(scratch), cwd=scratch,
                stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        except OSError as exc:
            self.control.close()
            self.log.close()
            raise ZygoteFailed(f"cannot start {sys.executable}: {exc}") from None
        finally:
            theirs.close()
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

    def spawn(self, limits):
        """A new Sandbox, isolated and waiting for its cells."""
        ours, theirs = socket.socketpair()
        try:
            socket.send_fds(self.control, [json.dumps(asdict(limits)).encode()], [theirs.fileno()])
            first = json.loads(self.control.recv(256).split(b"\n")[0])
        except (OSError, ValueError) as exc:
            ours.close()
            raise ZygoteFailed(f"the warm interpreter stopped answering: {exc}") from None
        finally:
            theirs.close()
        sandbox = Sandbox(Channel(ours), first["pid"], self.uid)
        try:
            sandbox.pid = int(sandbox.channel.receive(30)["pid"])
            sandbox.level = sandbox.channel.receive(30)["level"]
        except Exception as exc:
            sandbox.close()
            raise ZygoteFailed(f"a sandbox did not start: {exc}") from None
        return sandbox

    def alive(self):
        return self.process.poll() is None

    def close(self):
        """Stop the zygote, then kill anything still running as its sandboxes' user."""
        isolation.kill_quietly(self.process.pid)
        self.process.wait()
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


class Sandbox:
    """An isolated process running one submission; ``close`` kills it and all it started."""

    def __init__(self, channel, first_pid, uid):
        self.channel = channel
        self.first_pid = first_pid
        self.pid = None
        self.uid = uid
        self.level = ""

    def close(self):
        """Kill the sandbox and everything in its PID namespace (or, without one, its session).

        The kernel ends every process of a PID namespace when its first process dies, so
        nothing a sandbox started survives this; ``Zygote.close`` also sweeps its user id.
        """
        self.channel.close()
        if self.pid:
            isolation.kill_quietly(-self.pid)   # its session, when it has no namespace
            isolation.kill_quietly(self.pid)    # init of its PID namespace: takes all with it
        else:
            isolation.kill_quietly(self.first_pid)
