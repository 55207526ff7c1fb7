"""The warm start: one interpreter per worker that has imported the student kit once, then forks sandboxes.

Started by ``host.Zygote`` as a script (``python -I zygote.py ...``), with a
minimal environment that holds no secret and before the grader reads the salt.
It loads the grader's own sandbox-side modules (``executor``, ``channel``,
``wire``, ``isolation``, ``seccomp_policy``) from their files without running
the project's package ``__init__`` (which would import the answers), then
forgets every module of the project and imports the assignment's **student
kit** instead: from here on, ``import dnn_utils``, ``testcases`` and
``autograder`` find the kit's modules and nothing else of the project. It
imports NumPy, matplotlib, IPython and the kit, creates the IPython shell,
translates and compiles the release notebook's cells (``executor.prime``),
then waits on its control socket. For each request (which carries the ends of
two fresh socket pairs) it forks:

- the **warden** (never runs student code): enters new namespaces (when it
  may), forks the sandbox proper, tells the grader the sandbox's process id,
  then serves the grader's requests over its own socket (``seal``: make the
  sandbox's writable mounts read-only once its cells have run);
- the **sandbox proper**: isolates itself (``isolation.enter_sandbox``), then
  serves the grader over the other socket (``executor.serve``).

Usage (by ``host.Zygote`` only):
``python -I zygote.py CONTROL_FD UID EXPOSED_JSON KIT_DIR PROJECT_ROOT WORKER_PID PRIMER_JSON``
(PRIMER_JSON: a file holding the release notebook's code cells, a JSON list of strings).
"""
import gc
import importlib.util
import json
import os
import signal
import socket
import sys
import types

GRADER_MODULES = ("wire", "channel", "landlock", "seccomp_policy", "isolation", "executor")


def load_grader_modules(project_root):
    """The grader's sandbox-side modules, loaded from their files under their usual names
    without running ``autograder/__init__.py``; returns them by short name."""
    packages = {"autograder": os.path.join(project_root, "autograder"),
                "autograder.batch": os.path.join(project_root, "autograder", "batch")}
    for name, path in packages.items():
        package = types.ModuleType(name)
        package.__path__ = [path]
        sys.modules[name] = package
    loaded = {}
    for short in GRADER_MODULES:
        name = f"autograder.batch.{short}"
        spec = importlib.util.spec_from_file_location(name, os.path.join(packages["autograder.batch"],
                                                                         f"{short}.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        setattr(sys.modules["autograder.batch"], short, module)
        loaded[short] = module
    return loaded


def forget_the_project(kit_dir, project_root):
    """From now on only the kit is importable: drop the project's modules and import paths."""
    for name in list(sys.modules):
        if name.split(".")[0] in ("autograder", "dnn_utils", "testcases"):
            del sys.modules[name]
    root = os.path.realpath(project_root)
    sys.path[:] = [kit_dir] + [p for p in sys.path if p and os.path.realpath(p) != root]
    # editable installs of the project resolve its packages through a finder of their own
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    importlib.invalidate_caches()


def warm_up(kit_dir):
    """Import what every submission needs (the kit included) and build the IPython shell (once)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import numpy as np
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config
    for package in ("dnn_utils", "testcases", "autograder"):
        for file in sorted(os.listdir(os.path.join(kit_dir, package))):
            if file.endswith(".py") and file != "__init__.py":
                importlib.import_module(f"{package}.{file[:-3]}")
        importlib.import_module(package)
    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "NoColor"
    shell = InteractiveShell.instance(config=config)
    # the grader runs without a display: figures are not drawn, so `%matplotlib inline` is a no-op
    shell.register_magic_function(lambda line: None, magic_kind="line", magic_name="matplotlib")
    shell.run_cell("pass", store_history=False)
    np.random.seed(0)
    return shell


def sandbox_child(sock, uid, limits, exposed, namespaces, go):
    """The sandbox proper: wait for the go-ahead, isolate, serve, exit."""
    executor, isolation, channel = GRADER["executor"], GRADER["isolation"], GRADER["channel"]
    os.read(go, 1)
    os.close(go)
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    talk = channel.Channel(sock)
    try:
        level = isolation.enter_sandbox(uid, limits, exposed, namespaces, MOUNT_POINT)
    except isolation.SandboxRefused as exc:
        talk.send({"event": "refused", "why": str(exc)})
        return
    talk.send({"event": "isolated", "level": level})
    executor.install_quiet_check()
    executor.serve(talk, SHELL)


def warden(template_sock, warden_sock, uid, limits, exposed, zygote_pid):
    """Between the zygote and the sandbox: namespaces, fork, report, then serve the grader."""
    isolation, channel = GRADER["isolation"], GRADER["channel"]
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    isolation.set_parent_death_signal()
    if os.getppid() != zygote_pid:   # the zygote died before the death signal was armed
        return
    try:
        isolation.unshare_namespaces(enabled=limits.namespaces)
        namespaces = True
    except OSError:
        namespaces = False
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(write_end)
        warden_sock.close()
        try:
            sandbox_child(template_sock, uid, limits, exposed, namespaces, read_end)
        finally:
            os._exit(0)
    os.close(read_end)
    template_sock.close()
    talk = channel.Channel(warden_sock)
    talk.send({"event": "spawned", "pid": pid})
    os.write(write_end, b"1")
    os.close(write_end)
    try:
        while True:
            request = talk.receive()
            if request.get("op") == "seal":
                how = (isolation.seal_writable_mounts() if namespaces
                       else "not sealed (no mount namespace: the sandbox shares the host's file system)")
                talk.send({"event": "sealed", "how": how})
            else:
                return
    except (channel.ChannelClosed, OSError):
        return
    finally:
        isolation.kill_quietly(pid)


def main():
    control_fd, uid, exposed = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    kit_dir, project_root, worker, primer = sys.argv[4], sys.argv[5], int(sys.argv[6]), sys.argv[7]
    sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != os.path.dirname(os.path.realpath(__file__))]
    global GRADER, SHELL, MOUNT_POINT
    GRADER = load_grader_modules(project_root)
    isolation, executor = GRADER["isolation"], GRADER["executor"]
    isolation.set_parent_death_signal()
    if os.getppid() != worker:   # the worker died before the death signal was armed
        return
    forget_the_project(kit_dir, project_root)
    SHELL = warm_up(kit_dir)
    with open(primer) as cells:
        executor.prime(SHELL, json.load(cells))
    executor.snapshot_harness(own=tuple(GRADER.values()))
    # Forked sandboxes share the warm heap copy-on-write; a garbage collection in a child would
    # touch (and so copy) every object. Frozen objects are left out of collections.
    gc.collect()
    gc.freeze()
    # Each sandbox builds its root here, in its own mount namespace: on the host it stays empty.
    MOUNT_POINT = os.path.join(os.getcwd(), "sandbox-root")
    os.makedirs(MOUNT_POINT, exist_ok=True)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # children are reaped by the kernel
    control = socket.socket(fileno=control_fd)
    control.sendall(b"R")
    me = os.getpid()
    while True:
        message, fds, _, _ = socket.recv_fds(control, 65536, 2)
        if not message or len(fds) != 2:
            return
        limits = isolation.Limits(**json.loads(message.decode()))
        pid = os.fork()
        if pid == 0:
            control.close()
            template_sock, warden_sock = socket.socket(fileno=fds[0]), socket.socket(fileno=fds[1])
            try:
                warden(template_sock, warden_sock, uid, limits, exposed, me)
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        control.sendall(json.dumps({"pid": pid}).encode() + b"\n")


GRADER = {}
SHELL = None
MOUNT_POINT = None

if __name__ == "__main__":
    main()
