"""The warm start: one interpreter per worker that has imported everything once, then forks sandboxes.

Started by ``host.Zygote`` with a minimal environment that holds no secret,
before the grader reads the salt. It imports NumPy, matplotlib, IPython and
the course's packages, creates the IPython shell, then waits on its control
socket. For each request (which carries one end of a fresh socket pair) it
forks a sandbox:

- the first child enters new namespaces (when it may), forks the sandbox
  proper, tells the grader the sandbox's process id, waits for it and exits;
- the sandbox proper isolates itself (``isolation.enter_sandbox``), then
  serves the grader over its socket (``executor.serve``).

Usage (by ``host.Zygote`` only): ``python -m autograder.batch.zygote CONTROL_FD UID EXPOSED_JSON``.
"""
import gc
import json
import os
import signal
import socket
import sys


def warm_up():
    """Import what every submission needs and build the IPython shell (done once)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import numpy as np
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    import autograder.runner  # noqa: F401
    import dnn_utils.plots  # noqa: F401
    import dnn_utils.training  # noqa: F401
    from autograder import assignments
    for assignment in assignments.ASSIGNMENT_IDS:
        assignments.exercises(assignment)
        __import__(f"testcases.{assignment}")
    for module in ("data", *assignments.ASSIGNMENT_IDS):
        __import__(f"dnn_utils.{module}")
    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "NoColor"
    shell = InteractiveShell.instance(config=config)
    # the grader runs without a display: figures are not drawn, so `%matplotlib inline` is a no-op
    shell.register_magic_function(lambda line: None, magic_kind="line", magic_name="matplotlib")
    shell.run_cell("pass", store_history=False)
    np.random.seed(0)
    from autograder.batch import executor
    executor.snapshot_harness()
    # Forked sandboxes share the warm heap copy-on-write; a garbage collection in a child would
    # touch (and so copy) every object. Frozen objects are left out of collections.
    gc.collect()
    gc.freeze()
    return shell


def sandbox_child(sock, uid, limits, exposed, namespaces, go):
    """The sandbox proper: wait for the go-ahead, isolate, serve, exit."""
    from autograder.batch import executor, isolation
    from autograder.batch.channel import Channel
    os.read(go, 1)
    os.close(go)
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    level = isolation.enter_sandbox(uid, limits, exposed, namespaces, MOUNT_POINT)
    channel = Channel(sock)
    channel.send({"event": "isolated", "level": level})
    executor.install_quiet_check()
    executor.serve(channel, SHELL)


def first_child(sock, uid, limits, exposed):
    """Between the zygote and the sandbox: namespaces, then fork, report, wait."""
    from autograder.batch import isolation
    from autograder.batch.channel import Channel
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    isolation.set_parent_death_signal()
    try:
        isolation.unshare_namespaces(enabled=limits.namespaces)
        namespaces = True
    except OSError:
        namespaces = False
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(write_end)
        try:
            sandbox_child(sock, uid, limits, exposed, namespaces, read_end)
        finally:
            os._exit(0)
    os.close(read_end)
    Channel(sock).send({"event": "spawned", "pid": pid})
    sock.close()
    os.write(write_end, b"1")
    os.close(write_end)
    os.waitpid(pid, 0)


def main():
    control_fd, uid, exposed = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]
    from autograder.batch import isolation
    isolation.set_parent_death_signal()
    global SHELL, MOUNT_POINT
    SHELL = warm_up()
    # Each sandbox builds its root here, in its own mount namespace: on the host it stays empty.
    MOUNT_POINT = os.path.join(os.getcwd(), "sandbox-root")
    os.makedirs(MOUNT_POINT, exist_ok=True)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # children are reaped by the kernel
    control = socket.socket(fileno=control_fd)
    control.sendall(b"R")
    while True:
        message, fds, _, _ = socket.recv_fds(control, 65536, 1)
        if not message or not fds:
            return
        limits = isolation.Limits(**json.loads(message.decode()))
        pid = os.fork()
        if pid == 0:
            control.close()
            sock = socket.socket(fileno=fds[0])
            try:
                first_child(sock, uid, limits, exposed)
            finally:
                os._exit(0)
        os.close(fds[0])
        control.sendall(json.dumps({"pid": pid}).encode() + b"\n")


SHELL = None
MOUNT_POINT = None

if __name__ == "__main__":
    main()
