"""The sandbox's operating-system isolation, tried in real processes: the fallback without
namespaces, the seccomp filter, system-call numbers per architecture, the /etc a sandbox sees,
sealing its writable mounts, and inspecting a process before others are forked from it.

Each test compares a sandboxed process with an unsandboxed control where that matters, so
that a denial is shown to come from the sandbox and not from the test's own set-up.
"""
import ctypes
import ctypes.util
import errno
import json
import mmap
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import numpy as np
import pytest

from autograder.batch import isolation, landlock, seccomp_policy

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="dropping to a sandbox user needs root (as on CI)")
needs_seccomp = pytest.mark.skipif(not seccomp_policy.available(), reason=seccomp_policy.UNAVAILABLE)
LANDLOCK_ABI = landlock.abi()
needs_landlock = pytest.mark.skipif(not LANDLOCK_ABI, reason="Landlock is not available on this kernel")
FILES = isolation.LANDLOCK if LANDLOCK_ABI else isolation.NO_LANDLOCK   # what a fallback reaches here

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET = 0x10000000, 0x00020000, 0x40000000
SIGCHLD = 17
PTRACE_ATTACH, PR_SET_DUMPABLE, PR_GET_DUMPABLE = 16, 4, 3
IPC_PRIVATE, IPC_CREAT = 0, 0o1000
EXPOSED = []   # the payloads use modules imported before the sandbox starts, as the warm zygote does


def _c_call(result):
    """(result, errno) of a libc call made just now."""
    return [int(result), ctypes.get_errno() if result == -1 else 0]


def run_forked(function, *args, timeout=60):
    """``function(*args)`` in a forked child: {"ok": its JSON-able result} or {"error": why}."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            try:
                answer = {"ok": function(*args)}
            except BaseException as exc:  # reported to the test, which asserts on it
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(json.dumps(answer).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    data = b""
    deadline = time.monotonic() + timeout
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while time.monotonic() < deadline:
            if select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))[0]:
                chunk = pipe.read(65536)
                if not chunk:
                    break
                data += chunk
        else:
            os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return json.loads(data.decode()) if data else {"error": "the child died without an answer"}


def in_sandbox(payload, *, namespaces, mount_point=None, limits=None, uid=None):
    """Run ``payload()`` in a sandbox made as the zygote makes one: a first child (namespaces
    or not), then the sandbox proper, which isolates itself and runs the payload.
    Returns {"ok": {"level": ..., "result": ...}} or {"error": ...}."""
    limits = limits or isolation.Limits(namespaces=namespaces)
    uid = isolation.sandbox_uid() if uid is None else uid

    def sandbox():
        level = isolation.enter_sandbox(uid, limits, EXPOSED, namespaces, mount_point)
        return {"level": level, "result": payload()}

    def first_child():
        try:   # as the zygote's first child does: namespaces when possible, else the fallback
            isolation.unshare_namespaces(enabled=namespaces)
        except OSError:
            if namespaces:
                raise
        answer = run_forked(sandbox)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["ok"]

    try:
        return run_forked(first_child)
    finally:
        if os.geteuid() == 0:
            isolation.remove_files_of(uid)


@pytest.fixture
def exposed_tree():
    """A folder every user can enter (as /tmp is), holding what a sandbox user must not read
    (a 0600 salt file, a 0700 course folder with a salt inside, a 0600 results store) and one
    world-readable file, the control that shows the sandbox user does reach the folder."""
    root = tempfile.mkdtemp(prefix="isolation-test-", dir="/tmp")
    os.chmod(root, 0o755)
    paths = {"root": root, "salt": os.path.join(root, "grading_salt"),
             "course": os.path.join(root, "course"), "results": os.path.join(root, "results.sqlite"),
             "public": os.path.join(root, "public.txt"), "shared": os.path.join(root, "shared")}
    os.mkdir(paths["course"], 0o700)
    os.mkdir(paths["shared"])
    os.chmod(paths["shared"], 0o1777)   # as /tmp is
    for path, mode in ((paths["salt"], 0o600), (os.path.join(paths["course"], "grading_salt"), 0o644),
                       (paths["results"], 0o600), (paths["public"], 0o644)):
        with open(path, "w") as handle:
            handle.write("secret-salt\n" if "public" not in path else "anyone may read this\n")
        os.chmod(path, mode)
    yield paths
    shutil.rmtree(root, ignore_errors=True)


def _try_read(path):
    try:
        if os.path.isdir(path):
            return sorted(os.listdir(path))
        with open(path) as handle:
            return handle.read()
    except OSError as exc:
        return errno.errorcode[exc.errno]


def _try_write(path):
    try:
        with open(path, "x") as handle:
            handle.write("x")
        return "written"
    except OSError as exc:
        return errno.errorcode[exc.errno]


# ---------------------------------------------------------------- system-call numbers


def test_pivot_root_has_its_number_on_x86_64_and_aarch64():
    # the kernel's tables: arch/x86/entry/syscalls/syscall_64.tbl and include/uapi/asm-generic/unistd.h
    assert seccomp_policy.syscall_number("pivot_root", "x86_64") == 155
    assert seccomp_policy.syscall_number("pivot_root", "aarch64") == 41
    assert seccomp_policy.syscall_number("pivot_root", "arm64") == 41
    assert seccomp_policy.syscall_number("unshare", "aarch64") == 97


def test_the_built_in_table_agrees_with_libseccomp_and_answers_without_it(monkeypatch):
    if not seccomp_policy.available():
        pytest.skip(seccomp_policy.UNAVAILABLE)
    import pyseccomp
    for machine, numbers in seccomp_policy.KNOWN_NUMBERS.items():
        arch = getattr(pyseccomp.Arch, {"x86_64": "X86_64", "aarch64": "AARCH64"}[machine])
        for name, number in numbers.items():
            assert pyseccomp.resolve_syscall(arch, name) == number, (machine, name)
    monkeypatch.setattr(seccomp_policy, "pyseccomp", None)
    assert seccomp_policy.syscall_number("pivot_root", "aarch64") == 41
    assert seccomp_policy.syscall_number("pivot_root", "x86_64") == 155
    with pytest.raises(OSError, match="riscv64"):
        seccomp_policy.syscall_number("pivot_root", "riscv64")


def test_every_denied_call_exists_on_x86_64_and_aarch64():
    """A name libseccomp does not know would be skipped silently: none of ours is unknown."""
    for machine in ("x86_64", "aarch64"):
        for name in (*seccomp_policy.DENIED, *seccomp_policy.ENOSYS_CALLS, "clone", "prctl"):
            assert seccomp_policy.syscall_number(name, machine) >= 0, (machine, name)


# ---------------------------------------------------------------- the seccomp filter


def _with_a_child(act):
    """``act(pid)`` on a child that waits until this process lets it go (under the filter this
    process may not signal it)."""
    held, release = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(release)
        os.read(held, 1)
        os._exit(0)
    os.close(held)
    try:
        return act(child)
    finally:
        os.close(release)
        os.waitpid(child, 0)


def _ptrace_a_child():
    return _with_a_child(lambda child: _c_call(libc.ptrace(PTRACE_ATTACH, child, 0, 0)))


def _python_call(call):
    try:
        call()
        return [0, 0]
    except OSError as exc:
        return [-1, exc.errno]


def _set_socket_option():
    import socket
    one, other = socket.socketpair()
    with one, other:
        return _python_call(lambda: one.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, 5))


def _signal_child(number):
    def act(child):
        return _python_call(lambda: os.kill(child, number))
    return _with_a_child(act)


def _limit_child():
    import resource
    return _with_a_child(lambda child: _python_call(
        lambda: resource.prlimit(child, resource.RLIMIT_MSGQUEUE, (1000, resource.getrlimit(resource.RLIMIT_MSGQUEUE)[1]))))


def _raw_clone(flags):
    result = libc.syscall(seccomp_policy.syscall_number("clone"), flags | SIGCHLD, 0, 0, 0, 0)
    if result == 0:   # the new process (it runs on a copy of this stack, as after fork)
        os._exit(0)
    answer = _c_call(result)
    if result > 0:
        os.waitpid(result, 0)
    return answer


def _python_socket():
    import socket
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        return [0, 0]
    except OSError as exc:
        return [-1, exc.errno]


def _os_unshare():
    try:
        os.unshare(CLONE_NEWUSER)
        return [0, 0]
    except OSError as exc:
        return [-1, exc.errno]


PROBES = {   # name: the call, made for real; each in a fresh process with a mount namespace of its own
    "unshare(CLONE_NEWUSER)": lambda: _c_call(libc.unshare(CLONE_NEWUSER)),
    "unshare(CLONE_NEWNET)": lambda: _c_call(libc.unshare(CLONE_NEWNET)),
    "clone(CLONE_NEWUSER)": lambda: _raw_clone(CLONE_NEWUSER),
    "mount": lambda: _c_call(libc.mount(b"none", os.environ["PROBE_DIR"].encode(), b"tmpfs", 0, None)),
    "ptrace(ATTACH)": _ptrace_a_child,
    "memfd_create": lambda: _c_call(libc.memfd_create(b"channel", 0)),
    "shmget": lambda: _c_call(libc.shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o600)),
    "prctl(PR_SET_DUMPABLE)": lambda: _c_call(libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)),
    "socket(AF_INET)": _python_socket,
    "keyctl": lambda: _c_call(libc.syscall(seccomp_policy.syscall_number("keyctl"), 0, -1, 0, 0, 0)),
    "clone3": lambda: _c_call(libc.syscall(seccomp_policy.syscall_number("clone3"), 0, 0)),
    "dumpable": lambda: libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0),
    "setsockopt": _set_socket_option,
    "kill(child, SIGCONT)": lambda: _signal_child(signal.SIGCONT),
    "kill(child, 0)": lambda: _signal_child(0),
    "prlimit(child)": _limit_child,
    "prlimit(self)": lambda: _python_call(lambda: __import__("resource").prlimit(0, __import__("resource").RLIMIT_MSGQUEUE)),
}
if hasattr(os, "unshare"):   # Python 3.12 and later
    PROBES["os.unshare"] = _os_unshare


def _probe(name, filtered):
    # A private mount namespace first (before any filter), so that a mount never reaches the host.
    assert libc.unshare(CLONE_NEWNS) == 0 and libc.mount(b"none", b"/", None, isolation.MS_REC | isolation.MS_PRIVATE, None) == 0
    if filtered:
        seccomp_policy.install()
    return PROBES[name]()


def _denied_calls(filtered, tmp_path):
    os.environ["PROBE_DIR"] = str(tmp_path)
    found = {}
    for name in PROBES:
        answer = run_forked(_probe, name, filtered)
        assert "ok" in answer, (name, answer)
        found[name] = answer["ok"]
    return found


def _sibling_reads_memory_of(filtered):
    """Two processes of one sandbox user: the first (filtered or not) waits, the second tries
    to open its /proc/<pid>/mem, as one exercise's observer could try on another's."""
    uid = isolation.sandbox_uid()
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)   # as its own process; the change of user cleared it
    ready_read, ready_write = os.pipe()
    first = os.fork()
    if first == 0:
        try:
            if filtered:
                seccomp_policy.install()
            os.write(ready_write, b"1")
            time.sleep(30)
        finally:
            os._exit(0)
    try:
        os.read(ready_read, 1)
        try:
            with open(f"/proc/{first}/mem", "rb"):
                return "opened"
        except OSError as exc:
            return errno.errorcode[exc.errno]
    finally:
        os.kill(first, signal.SIGKILL)
        os.waitpid(first, 0)


@needs_root
@needs_seccomp
def test_a_process_of_the_same_user_cannot_open_a_filtered_process_memory():
    assert run_forked(_sibling_reads_memory_of, False)["ok"] == "opened", "the control"
    assert run_forked(_sibling_reads_memory_of, True)["ok"] == "EACCES"


def _filtered(function):
    def run():
        seccomp_policy.install()
        return function()
    return run


def _honest_work():
    """What an honest notebook does: NumPy, threads, fork, a subprocess, IPython cells, a plot."""
    import matplotlib.pyplot as plt
    from IPython.core.interactiveshell import InteractiveShell
    rng = np.random.default_rng(0)
    a = rng.standard_normal((50, 50))
    product = a @ np.linalg.inv(a)
    worker = threading.Thread(target=lambda: None)
    worker.start()
    worker.join()
    child = os.fork()
    if child == 0:
        os._exit(3)
    _, status = os.waitpid(child, 0)
    echoed = subprocess.run(["/bin/echo", "hello"], capture_output=True, text=True).stdout
    shell = InteractiveShell.instance()
    cell = shell.run_cell("x = sum(range(10))\n%time y = x * 2", store_history=False)
    figure = plt.figure()
    plt.plot([1, 2, 3], [3, 1, 2])
    figure.canvas.draw()
    plt.close(figure)
    return {"identity": bool(np.allclose(product, np.eye(50))), "fork": os.waitstatus_to_exitcode(status),
            "echo": echoed, "cell": cell.success, "y": shell.user_ns.get("y")}


@needs_seccomp
def test_each_denied_call_fails_with_eperm_under_the_filter_and_not_without_it(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the unfiltered control (mount, ptrace) needs root")
    control = _denied_calls(False, tmp_path)
    filtered = _denied_calls(True, tmp_path)
    for name in ("unshare(CLONE_NEWUSER)", "unshare(CLONE_NEWNET)", "clone(CLONE_NEWUSER)", "mount",
                 "ptrace(ATTACH)", "memfd_create", "shmget", "prctl(PR_SET_DUMPABLE)", "socket(AF_INET)",
                 "setsockopt", "kill(child, SIGCONT)", "prlimit(child)"):
        assert control[name][0] != -1, f"{name} should work without the filter: {control[name]}"
        assert filtered[name] == [-1, errno.EPERM], name
    assert filtered["keyctl"] == [-1, errno.EPERM] and control["keyctl"][1] != errno.EPERM
    assert filtered["clone3"] == [-1, errno.ENOSYS] and control["clone3"][1] != errno.ENOSYS
    if "os.unshare" in filtered:
        assert filtered["os.unshare"] == [-1, errno.EPERM] and control["os.unshare"] == [0, 0]
    assert filtered["dumpable"] == 0 and control["dumpable"] == 1
    for name in ("kill(child, 0)", "prlimit(self)"):   # probing a process and its own limits stay allowed
        assert filtered[name] == control[name] == [0, 0], name


def _x32_unshare():
    libc.syscall(0x40000000 | seccomp_policy.syscall_number("unshare"), CLONE_NEWUSER)
    return ctypes.get_errno()


@needs_seccomp
@pytest.mark.skipif(seccomp_policy.machine() != "x86_64", reason="the x32 ABI exists on x86_64 only")
def test_a_call_through_the_x32_abi_kills_the_process_instead_of_slipping_past_the_rules():
    assert run_forked(_x32_unshare)["ok"] in (errno.ENOSYS, errno.EINVAL, 0)   # unfiltered: the kernel's answer
    pid = os.fork()
    if pid == 0:
        try:
            seccomp_policy.install()
            _x32_unshare()
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSYS


@needs_seccomp
def test_numpy_threads_fork_subprocess_ipython_and_matplotlib_work_under_the_filter():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401  (imported before the filter, as the warm zygote does)
    import IPython.core.interactiveshell  # noqa: F401
    answer = run_forked(_filtered(_honest_work))
    assert answer == {"ok": {"identity": True, "fork": 3, "echo": "hello\n", "cell": True, "y": 90}}


def test_without_libseccomp_the_sandbox_is_refused_unless_unsafe_is_allowed(monkeypatch):
    monkeypatch.setattr(seccomp_policy, "pyseccomp", None)
    monkeypatch.setattr(seccomp_policy, "UNAVAILABLE", "libseccomp missing (test)")
    with pytest.raises(isolation.SandboxRefused, match="libseccomp missing"):
        isolation.preflight(isolation.Limits())
    with pytest.raises(seccomp_policy.SeccompUnavailable):
        seccomp_policy.install()
    level, _ = isolation.preflight(isolation.Limits(unsafe_root=True))
    assert level.endswith(isolation.NO_SECCOMP)
    if os.geteuid() == 0:   # the sandbox itself refuses too, and says so when allowed
        for unsafe in (False, True):
            answer = in_sandbox(lambda: None, namespaces=False,
                                limits=isolation.Limits(namespaces=False, unsafe_root=unsafe))
            if unsafe:
                assert answer["ok"]["level"].endswith(isolation.NO_SECCOMP), answer
            else:
                assert "libseccomp missing" in answer["error"], answer


# ---------------------------------------------------------------- the fallback without namespaces


def _fallback_view(paths):
    """What sandboxed code sees of the grader's files, and who it is."""
    here = os.getcwd()
    info = os.stat(here)
    return {
        "ids": [list(os.getresuid()), list(os.getresgid()), os.getgroups()],
        "cwd": here, "cwd_owner": info.st_uid, "cwd_mode": oct(info.st_mode & 0o7777),
        "cwd_entries": os.listdir(here), "home": os.environ.get("HOME"),
        "nproc": list(__import__("resource").getrlimit(__import__("resource").RLIMIT_NPROC)),
        "read": {name: _try_read(paths[name]) for name in ("salt", "course", "results", "public")},
        "read_inner_salt": _try_read(os.path.join(paths["course"], "grading_salt")),
        "write": {where: _try_write(os.path.join(where, "planted.txt"))
                  for where in (paths["root"], paths["course"], "/etc", "/root", "/usr", sys.prefix)},
        "write_tmp": _try_write(os.path.join(paths["shared"], f"planted-{os.getpid()}.txt")),
        "write_own": _try_write(os.path.join(here, "mine.txt")),
        "numpy": float(np.linalg.det(np.diag([2.0, 3.0]))),
    }


@needs_root
@needs_seccomp
@pytest.mark.parametrize("with_landlock", [False, pytest.param(True, marks=needs_landlock)])
def test_fallback_runs_as_the_sandbox_user_in_a_private_empty_folder_and_cannot_read_secrets(
        exposed_tree, monkeypatch, with_landlock):
    if not with_landlock:   # as on a kernel without Landlock: permissions alone protect the files
        monkeypatch.setattr(landlock, "abi", lambda: 0)
    uid = isolation.sandbox_uid()
    answer = in_sandbox(lambda: _fallback_view(exposed_tree), namespaces=False, uid=uid)
    assert "ok" in answer, answer
    level, seen = answer["ok"]["level"], answer["ok"]["result"]
    files = isolation.LANDLOCK if with_landlock else isolation.NO_LANDLOCK
    assert level == f"{isolation.OWN_USER}, {files}, {isolation.SECCOMP}"
    assert seen["ids"] == [[uid] * 3, [uid] * 3, []]
    assert seen["cwd_owner"] == uid and seen["cwd_mode"] == "0o700" and seen["cwd_entries"] == []
    assert seen["home"] == seen["cwd"] and not seen["cwd"].startswith(exposed_tree["root"])
    assert seen["nproc"] == [isolation.Limits().processes] * 2
    assert seen["read"]["salt"] == "EACCES" and seen["read"]["results"] == "EACCES"
    assert seen["read"]["course"] == "EACCES" and seen["read_inner_salt"] == "EACCES"
    assert seen["write_own"] == "written"
    assert set(seen["write"].values()) <= {"EACCES", "EROFS", "EPERM"}, seen["write"]
    assert seen["numpy"] == 6.0
    if with_landlock:   # what permissions allow (the controls below) Landlock still denies
        assert seen["read"]["public"] == "EACCES" and seen["write_tmp"] == "EACCES"
    else:
        assert seen["read"]["public"] == "anyone may read this\n", "the control: the folder is reachable"
        assert seen["write_tmp"] == "written", "the control: a world-writable folder is writable"
    assert not os.path.exists(seen["cwd"]), "the sandbox user's folder is removed afterwards"


@needs_root
@needs_seccomp
def test_the_same_code_unsandboxed_reads_everything(exposed_tree):
    """The control of the test above: as the grader (root), every secret is readable."""
    seen = run_forked(lambda: {n: _try_read(exposed_tree[n]) for n in ("salt", "course", "results")})["ok"]
    assert seen["salt"] == "secret-salt\n" and seen["course"] == ["grading_salt"]


NOBODY = 65534


def _as_a_grader_that_is_not_root(folder, salt):
    """A process of an ordinary user (the grader's) becomes a sandbox: no other user to drop to."""
    os.chdir(folder)
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)
    level = isolation.enter_sandbox(isolation.sandbox_uid(), isolation.Limits(), EXPOSED, False, None)
    return {"level": level, "uid": os.getuid(), "salt": _try_read(salt), "numpy": float(np.ones(3).sum()),
            "write_own": _try_write("mine.txt"), "write_beside": _try_write(os.path.join(folder, "beside.txt"))}


@needs_root
@needs_seccomp
@pytest.mark.parametrize("with_landlock", [False, pytest.param(True, marks=needs_landlock)])
def test_a_grader_that_is_not_root_gets_limits_seccomp_and_landlock(monkeypatch, with_landlock):
    if not with_landlock:
        monkeypatch.setattr(landlock, "abi", lambda: 0)
    folder = tempfile.mkdtemp(prefix="isolation-user-", dir="/tmp")
    try:
        os.chmod(folder, 0o755)
        os.chown(folder, NOBODY, NOBODY)
        salt = os.path.join(folder, "grading_salt")
        with open(salt, "w") as handle:
            handle.write("the grader's own salt")
        os.chown(salt, NOBODY, NOBODY)
        os.chmod(salt, 0o600)
        seen = run_forked(_as_a_grader_that_is_not_root, folder, salt)["ok"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    files = isolation.LANDLOCK if with_landlock else isolation.NO_LANDLOCK
    assert seen["level"] == f"{isolation.LIMITS_ONLY}, {files}, {isolation.SECCOMP}"
    assert seen["uid"] == NOBODY and seen["numpy"] == 3.0 and seen["write_own"] == "written"
    if with_landlock:
        assert seen["salt"] == "EACCES" and seen["write_beside"] == "EACCES"
    else:   # the control: the same user reads and writes what the grader can
        assert seen["salt"] == "the grader's own salt" and seen["write_beside"] == "written"


def _enter_root_only_user_namespace():
    """Become root of a new user namespace where root is the only user id: no other user
    exists to drop to, as in a container whose user namespace maps root alone."""
    me, my_group = os.geteuid(), os.getegid()
    assert libc.unshare(CLONE_NEWUSER) == 0, os.strerror(ctypes.get_errno())
    with open("/proc/self/setgroups", "w") as handle:
        handle.write("deny")
    with open("/proc/self/uid_map", "w") as handle:
        handle.write(f"0 {me} 1")
    with open("/proc/self/gid_map", "w") as handle:
        handle.write(f"0 {my_group} 1")


def _fallback_where_only_root_exists(unsafe):
    _enter_root_only_user_namespace()
    limits = isolation.Limits(namespaces=False, unsafe_root=unsafe)
    try:
        preflight = isolation.preflight(limits)[0]
    except isolation.SandboxRefused as exc:
        preflight = f"refused: {exc}"
    uid = isolation.sandbox_uid()
    try:
        level = isolation.enter_sandbox(uid, limits, EXPOSED, False, None)
    except isolation.SandboxRefused as exc:
        level = f"refused: {exc}"
    return {"preflight": preflight, "level": level, "euid": os.geteuid(), "cwd": os.getcwd(), "uid": uid}


@needs_seccomp
def test_where_student_code_could_only_run_as_root_it_is_refused_without_the_unsafe_flag():
    if not run_forked(lambda: libc.unshare(CLONE_NEWUSER) == 0).get("ok"):
        pytest.skip("user namespaces are not available here")
    refused = run_forked(_fallback_where_only_root_exists, False)["ok"]
    assert refused["preflight"].startswith("refused:") and "--allow-unsafe-root" in refused["preflight"]
    assert refused["level"].startswith("refused:") and "--allow-unsafe-root" in refused["level"]
    left = [p for p in os.listdir("/tmp") if p.startswith(f"{isolation.WORKDIR_PREFIX}{refused['uid']}-")]
    assert left == [], "a refused sandbox leaves no working directory behind"
    allowed = run_forked(_fallback_where_only_root_exists, True)["ok"]
    shutil.rmtree(allowed["cwd"])   # its working directory: a sandbox as root has nobody to clean up after it
    assert allowed["preflight"] == f"{isolation.AS_ROOT}, {FILES}, {isolation.SECCOMP}"
    assert allowed["level"] == f"{isolation.AS_ROOT}, {FILES}, {isolation.SECCOMP}" and allowed["euid"] == 0


@needs_root
@needs_seccomp
def test_preflight_refuses_a_fallback_whose_user_could_read_a_secret_and_says_how_to_fix_it(exposed_tree):
    limits = isolation.Limits(namespaces=False)
    secrets = [exposed_tree[name] for name in ("salt", "course", "results")]
    level, warnings = isolation.preflight(limits, secrets, needed=[exposed_tree["public"]])
    assert level == f"{isolation.OWN_USER}, {FILES}, {isolation.SECCOMP}" and warnings == []
    os.chmod(exposed_tree["salt"], 0o644)
    os.chmod(exposed_tree["course"], 0o755)
    with pytest.raises(isolation.SandboxRefused) as refused:
        isolation.preflight(limits, secrets)
    message = str(refused.value)
    assert f"chmod o-rwx {exposed_tree['salt']}" in message and f"chmod o-rwx {exposed_tree['course']}" in message
    assert exposed_tree["results"] not in message
    os.chmod(exposed_tree["public"], 0o600)
    os.chmod(exposed_tree["salt"], 0o600)
    os.chmod(exposed_tree["course"], 0o700)
    _, warnings = isolation.preflight(limits, secrets, needed=[exposed_tree["public"]])
    assert len(warnings) == 1 and exposed_tree["public"] in warnings[0]


@needs_root
def test_preflight_predicts_full_isolation_where_namespaces_work():
    level, _ = isolation.preflight(isolation.Limits())
    if not level.startswith(isolation.FULL):
        pytest.skip(f"namespaces are not available here: {level}")
    assert level.startswith(isolation.FULL)
    assert isolation.preflight(isolation.Limits(namespaces=False))[0].startswith(isolation.OWN_USER)


@needs_root
def test_working_directories_of_workers_that_are_gone_are_removed_and_others_kept():
    gone = subprocess.Popen(["true"])
    gone.wait()   # a process id that no longer exists: the worker of a killed grader
    dead_uid, live_uid = isolation.sandbox_uid(gone.pid), isolation.sandbox_uid()
    made = {}
    for uid in (dead_uid, live_uid):
        made[uid] = tempfile.mkdtemp(prefix=f"{isolation.WORKDIR_PREFIX}{uid}-", dir="/tmp")
        with open(os.path.join(made[uid], "left.txt"), "w") as handle:
            handle.write("left behind")
        os.chown(made[uid], uid, uid)
    try:
        removed = isolation.remove_orphaned_workdirs()
        assert made[dead_uid] in removed and not os.path.exists(made[dead_uid])
        assert made[live_uid] not in removed and os.path.exists(made[live_uid])
    finally:
        for path in made.values():
            shutil.rmtree(path, ignore_errors=True)


def _landlocked(function, read=("/proc",), write=()):
    def run():
        _check_nnp()
        landlock.restrict(read=read, write=write)
        return function()
    return run


def _check_nnp():
    assert libc.prctl(isolation.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0


@needs_landlock
def test_landlock_keeps_a_sandbox_out_of_other_processes_memory():
    grader = os.getpid()

    def peek():
        return {what: _try_read(f"/proc/{grader}/{what}")[:20] for what in ("mem", "cmdline")}

    plain = run_forked(peek)["ok"]
    confined = run_forked(_landlocked(peek))["ok"]
    assert plain["mem"] not in ("EACCES", "EPERM") and confined["mem"] in ("EACCES", "EPERM")
    assert confined["cmdline"] == plain["cmdline"], "the control: /proc itself stays readable"


def _same_user_reads_environ_of(protect):
    """As a grader that is not root: this process (an ordinary user, the salt in its environment)
    forks a process of the same user (the sandbox) that tries to read its environment."""
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)   # as a process the user started (a change of user cleared it)
    if protect:
        isolation.protect_grader()
    me = os.getpid()
    return run_forked(lambda: _try_read(f"/proc/{me}/environ")[:3] and _try_read(f"/proc/{me}/environ"))["ok"]


@needs_root
def test_a_protected_grader_keeps_its_environment_from_a_sandbox_of_the_same_user():
    # /proc/<pid>/environ is the environment the process started with (this test's): PATH is in it
    plain = run_forked(_same_user_reads_environ_of, False)["ok"]
    protected = run_forked(_same_user_reads_environ_of, True)["ok"]
    assert "PATH=" in plain, "the control: same user, not protected"
    assert protected == "EACCES"


@needs_landlock
def test_forbid_writes_leaves_nothing_writable_not_even_the_own_folder(tmp_path):
    folder = str(tmp_path)

    def writes():
        before = _try_write(os.path.join(folder, "before.txt"))
        landlock.forbid_writes()
        return {"before": before, "after": _try_write(os.path.join(folder, "after.txt")),
                "remove": _try_remove(os.path.join(folder, "before.txt")),
                "read": _try_read(os.path.join(folder, "before.txt"))}

    seen = run_forked(_landlocked(writes, read=("/proc",), write=(folder,)))["ok"]
    assert seen == {"before": "written", "after": "EACCES", "remove": "EACCES", "read": "x"}


def _try_remove(path):
    try:
        os.unlink(path)
        return "removed"
    except OSError as exc:
        return errno.errorcode[exc.errno]


def test_unshare_namespaces_raises_when_told_not_to_use_them():
    with pytest.raises(OSError):
        isolation.unshare_namespaces(enabled=False)


# ---------------------------------------------------------------- the full sandbox


def _etc_view():
    import pwd
    return {"etc": sorted(os.listdir("/etc")), "me": pwd.getpwuid(os.getuid()).pw_name,
            "localtime": os.path.exists("/etc/localtime"),
            "dumpable": libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0),
            "unshare": _c_call(libc.unshare(CLONE_NEWUSER)), "numpy": float(np.arange(4).sum())}


@pytest.fixture
def mount_point(tmp_path):
    path = tmp_path / "sandbox-root"
    path.mkdir()
    return str(path)


NAMESPACES = os.geteuid() == 0 and isolation.namespaces_available()
needs_namespaces = pytest.mark.skipif(not NAMESPACES, reason="namespaces are not available here")


@needs_namespaces
@needs_seccomp
def test_the_full_sandbox_sees_only_the_etc_files_python_needs(mount_point):
    answer = in_sandbox(_etc_view, namespaces=True, mount_point=mount_point)
    assert "ok" in answer, answer
    seen = answer["ok"]
    assert seen["level"] == f"{isolation.FULL}, {isolation.SECCOMP}"
    view = seen["result"]
    wanted = {os.path.basename(p) for p in isolation.ETC_FILES if os.path.lexists(p)}
    assert set(view["etc"]) == wanted | {"passwd", "group"}
    assert view["me"] == "sandbox" and view["localtime"] == os.path.exists("/etc/localtime")
    assert view["dumpable"] == 0 and view["unshare"] == [-1, errno.EPERM] and view["numpy"] == 6.0


def _sandbox_then_seal(mount_point, keep_open, uid, exposed):
    """First child: namespaces, a sandbox that writes in /tmp (and may keep a file open for
    writing), then seal its mounts from here, then let the sandbox try to write again.
    (No thread here: a process that unshared its PID namespace cannot start one.)"""
    isolation.unshare_namespaces()
    go_read, go_write = os.pipe()
    ready_read, ready_write = os.pipe()

    def sandbox():
        os.close(go_write)
        os.close(ready_read)
        isolation.enter_sandbox(uid, isolation.Limits(), exposed, True, mount_point)
        held = open("/tmp/before.txt", "w")
        held.write("written before sealing")
        held.flush()
        if not keep_open:
            held.close()
        os.write(ready_write, b"1")
        os.read(go_read, 1)
        return {"tmp": _try_write("/tmp/after.txt"), "sandbox": _try_write("/sandbox/after.txt"),
                "listing": sorted(os.listdir("/tmp")), "uid": os.getuid(),
                "exposed": [_try_read(os.path.join(path, "kit.txt")) for path in exposed]}

    result_read, result_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(result_read)
            try:
                answer = {"ok": sandbox()}
            except BaseException as exc:  # reported to the test
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            with os.fdopen(result_write, "wb") as pipe:
                pipe.write(json.dumps(answer).encode())
        finally:
            os._exit(0)
    for fd in (go_read, ready_write, result_write):
        os.close(fd)
    seen = {}
    if os.read(ready_read, 1) == b"1":
        seen["root"] = sorted(os.listdir("/"))
        seen["sealed"] = isolation.seal_writable_mounts()   # as the warden calls it
    os.write(go_write, b"1")
    with os.fdopen(result_read, "rb") as pipe:
        answer = json.loads(pipe.read().decode() or '{"error": "the sandbox died"}')
    os.waitpid(pid, 0)
    return {**seen, **answer}


@pytest.fixture
def kit_under_tmp():
    """An exposed folder under /tmp, as a project cloned into ``mktemp -d`` is."""
    path = tempfile.mkdtemp(prefix="isolation-kit-", dir="/tmp")
    os.chmod(path, 0o755)
    with open(os.path.join(path, "kit.txt"), "w") as handle:
        handle.write("kit file")
    os.chmod(os.path.join(path, "kit.txt"), 0o644)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@needs_namespaces
@needs_seccomp
def test_sealing_makes_tmp_read_only_for_the_sandbox_user(mount_point, kit_under_tmp):
    uid = isolation.sandbox_uid()
    seen = run_forked(_sandbox_then_seal, mount_point, False, uid, [kit_under_tmp])["ok"]
    assert "sandbox" in seen["root"] and "tmp" in seen["root"], "the first child sees the sandbox's root"
    assert seen["sealed"] == "/tmp read-only; /sandbox read-only"
    after = seen["ok"]
    assert after["uid"] == uid and "before.txt" in after["listing"]
    assert after["tmp"] == "EROFS" and after["sandbox"] == "EROFS"
    assert after["exposed"] == ["kit file"]


@needs_namespaces
@needs_seccomp
def test_a_file_held_open_for_writing_is_covered_by_an_empty_read_only_mount(mount_point, kit_under_tmp):
    seen = run_forked(_sandbox_then_seal, mount_point, True, isolation.sandbox_uid(), [kit_under_tmp])["ok"]
    assert seen["sealed"].startswith("/tmp covered by an empty read-only file system")
    assert seen["sealed"].endswith("/sandbox read-only")
    after = seen["ok"]
    assert "before.txt" not in after["listing"] and os.path.basename(kit_under_tmp) in after["listing"]
    assert after["tmp"] == "EROFS" and after["sandbox"] == "EROFS"
    assert after["exposed"] == ["kit file"], "what was exposed under /tmp stays visible"


def test_mount_points_are_read_with_their_escapes_and_only_the_outermost_kept(tmp_path):
    table = tmp_path / "mountinfo"
    table.write_text("".join(f"{i} 1 0:1 / {point} rw - tmpfs x rw\n" for i, point in enumerate(
        ["/", "/tmp", "/tmp/my\\040kit", "/tmp/my\\040kit/inner", "/tmp/other", "/tmpx", "/sandbox"])))
    assert isolation._mounts_beneath("/tmp", (), tables=[str(table)]) == ["/tmp/my kit", "/tmp/other"]
    unreadable = [str(tmp_path / "no-such-table")]   # then the exposed folders are what is kept
    assert str(tmp_path) in isolation._mounts_beneath(str(tmp_path.parent), [str(tmp_path)], tables=unreadable)


# ---------------------------------------------------------------- process_problems

WARM = textwrap.dedent("""
    import os, sys, threading, mmap
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config
    config = Config()
    config.HistoryManager.enabled = False   # as the zygote: no history database, no thread writing it
    shell = InteractiveShell.instance(config=config)
    shell.run_cell("import numpy as np\\nz = np.ones((200, 200)) @ np.ones((200, 200))", store_history=False)
    plt.plot([1, 2])
    keep = []
    for command in sys.stdin:   # each command adds one thing to the process, then says which fds it made
        made = []
        if command.strip() == "thread":
            keep.append(threading.Event())
            threading.Thread(target=keep[-1].wait, daemon=True).start()
        elif command.strip() == "pipe":
            made = list(os.pipe())
        elif command.strip() == "shared":
            keep.append(mmap.mmap(-1, 4096, flags=mmap.MAP_SHARED))
        print(",".join(map(str, made)), flush=True)
""")


def test_process_problems_finds_nothing_in_a_warm_process_then_a_thread_a_pipe_and_shared_memory():
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    process = subprocess.Popen([sys.executable, "-c", WARM], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, env=env)

    def after(command):
        process.stdin.write(command + "\n")
        process.stdin.flush()
        made = process.stdout.readline().strip()
        return [int(fd) for fd in made.split(",")] if made else []

    try:
        after("nothing")
        assert isolation.process_problems(process.pid) == []
        after("thread")
        assert isolation.process_problems(process.pid) == ["2 threads (one expected)"]
        pipe = after("pipe")
        found = isolation.process_problems(process.pid)
        assert found[0] == "2 threads (one expected)" and len(found) == 3
        assert [p.split(" (")[0] for p in found[1:]] == [f"open file descriptor {fd}" for fd in pipe]
        assert all("pipe:" in p for p in found[1:])
        assert isolation.process_problems(process.pid, allowed_fds=pipe) == ["2 threads (one expected)"]
        after("shared")
        found = isolation.process_problems(process.pid, allowed_fds=pipe)
        assert len(found) == 2 and found[1].startswith("shared writable memory")
    finally:
        process.stdin.close()
        process.wait(timeout=30)


def test_process_problems_of_a_process_that_is_gone_raises():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    with pytest.raises(ProcessLookupError):
        isolation.process_problems(process.pid)


# ---------------------------------------------------------------- end to end: the grader without namespaces

SNOOP = textwrap.dedent("""
    import os
    def _look(path):
        try:
            if os.path.isdir(path):
                return "LISTED " + ",".join(sorted(os.listdir(path)))
            with open(path) as handle:
                return "READ " + handle.read().strip()
        except OSError as exc:
            return "DENIED " + type(exc).__name__
    for _name, _path in {PATHS}.items():
        print("SNOOP", _name, _look(_path))
    print("SNOOP uid", os.getuid())
""")


def _grader_tree(public=True):
    """A course as an instructor keeps it (0700, salt 0600 inside, submissions and results in it)
    in a folder every user may enter, beside a world-readable control file."""
    from batch_tools import base_notebooks, write
    root = tempfile.mkdtemp(prefix="isolation-grader-", dir="/tmp")
    os.chmod(root, 0o755)
    course = os.path.join(root, "course")
    os.mkdir(course, 0o700)
    salt = os.path.join(course, "grading_salt")
    with open(salt, "w") as handle:
        handle.write("isolation-test-salt\n")
    os.chmod(salt, 0o600)
    with open(os.path.join(root, "public.txt"), "w") as handle:
        handle.write("public control\n")
    os.chmod(os.path.join(root, "public.txt"), 0o644 if public else 0o600)
    results = os.path.join(course, "grading", "results.sqlite")
    paths = {"salt": salt, "course": course, "results": results, "public": os.path.join(root, "public.txt")}
    import nbformat
    bases = base_notebooks("step_by_step")
    snooping = nbformat.from_dict(json.loads(json.dumps(bases["correct"])))
    snooping.cells.append(nbformat.v4.new_code_cell(SNOOP.replace("{PATHS}", repr(paths))))
    write(os.path.join(course, "submitted"), "honest", "step_by_step", bases["correct"])
    write(os.path.join(course, "submitted"), "snoop", "step_by_step", snooping)
    return root, paths


PROJECT_PARTS = ("autograder", "dnn_utils", "testcases", "source", "release")


@pytest.fixture(scope="module")
def private_project():
    """The project's code copied into a folder only root may enter (as a clone made inside
    ``mktemp -d`` is): the grader counts the project's packages among what a sandbox user must
    not read, so these tests must not depend on the permissions of wherever the suite was cloned."""
    import autograder
    source = os.path.dirname(os.path.dirname(os.path.abspath(autograder.__file__)))
    root = tempfile.mkdtemp(prefix="isolation-project-")   # mode 0700
    for part in PROJECT_PARTS:
        shutil.copytree(os.path.join(source, part), os.path.join(root, part),
                        ignore=shutil.ignore_patterns("__pycache__"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _grade_without_namespaces(project, paths, *extra):
    from batch_tools import FAST
    env = {k: v for k, v in os.environ.items() if k != "DNN_GRADING_SALT"}
    env["PYTHONPATH"] = project   # the private copy comes before the installed project
    os.makedirs(os.path.dirname(paths["results"]), exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "autograder", "grade", os.path.join(paths["course"], "submitted"),
         "--assignment", "step_by_step", "--results", paths["results"], "--course-dir", paths["course"],
         "--format", "json", "--workers", "1", "--no-namespaces", *FAST, *extra],
        capture_output=True, text=True, env=env, cwd=paths["course"], timeout=300)


@needs_root
@needs_seccomp
def test_grader_without_namespaces_grades_as_the_sandbox_user_that_cannot_read_the_course(private_project):
    root, paths = _grader_tree()
    try:
        done = _grade_without_namespaces(private_project, paths)
        assert done.returncode == 0, done.stderr[-3000:]
        found = {json.loads(line)["student"]: json.loads(line) for line in done.stdout.splitlines()}
        from batch_tools import stored_results
        stored = stored_results(paths["results"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert found["honest"]["score"] == found["honest"]["max_score"] > 0
    assert found["snoop"]["score"] == found["honest"]["score"]
    assert f"{isolation.OWN_USER}, {FILES}, {isolation.SECCOMP}" in done.stderr
    printed = "\n".join(cell.get("output", "") for cell in stored["snoop"]["cells"])
    seen = dict(line.split(" ", 2)[1:] for line in printed.splitlines() if line.startswith("SNOOP "))
    if LANDLOCK_ABI:   # Landlock denies even what permissions allow
        assert seen["public"] == "DENIED PermissionError"
    else:
        assert seen["public"] == "READ public control", "the control: the sandbox reaches the folder"
    assert seen["salt"] == seen["course"] == seen["results"] == "DENIED PermissionError"
    assert isolation._is_sandbox_uid(int(seen["uid"]))


@needs_root
@needs_seccomp
def test_grader_without_namespaces_refuses_when_the_sandbox_user_could_read_the_salt(private_project):
    root, paths = _grader_tree()
    try:
        os.chmod(paths["course"], 0o755)
        os.chmod(paths["salt"], 0o644)
        done = _grade_without_namespaces(private_project, paths)
        graded = os.path.exists(paths["results"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert done.returncode != 0 and "nothing was graded" in done.stderr
    assert f"chmod o-rwx {paths['salt']}" in done.stderr and f"chmod o-rwx {paths['course']}" in done.stderr
    assert not graded
