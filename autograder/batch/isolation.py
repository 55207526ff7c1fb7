"""Operating-system isolation of one sandbox process (Linux).

``enter_sandbox`` is called in a freshly forked process before any student
code runs. With the privileges to do so (root, as on the course's grading
machines and CI), it gives the process:

- new mount, network, PID, IPC and UTS namespaces: no network but a downed
  loopback; every process the submission starts dies with the sandbox;
- a new root file system holding only what Python needs to run: the system
  directories read-only, the Python installation, the project's packages,
  an empty ``/sandbox`` working directory and a small private ``/tmp``; the
  course directory (source notebooks, salt, gradebook), the results store
  and the other submissions are not in it;
- a user id of its own (derived from its worker's process id, so concurrent
  graders never share one), no supplementary groups, no
  way to gain privileges, and resource limits (CPU time, address space, file
  size, open files, processes).

Without those privileges it falls back to what an ordinary user can do
(resource limits, an empty working directory, its own session) and says so:
the level is reported with every batch.
"""
import contextlib
import ctypes
import ctypes.util
import os
import resource
import signal
import sys
import tempfile
from dataclasses import dataclass

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
SANDBOX_UID_BASE = 100_000
PID_LIMIT = 2**22   # Linux's largest pid_max: sandbox user ids lie in [BASE, BASE + PID_LIMIT)

FULL = "namespaces, private file system, own user, resource limits"
LIMITS_ONLY = "resource limits and own session only"

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox; the time limits are enforced by both sides."""

    cell_seconds: float = 30.0      # one notebook cell
    call_seconds: float = 20.0      # one call of a graded function
    cpu_seconds: int = 600          # CPU time of the whole sandbox
    memory_bytes: int = 3 * 2**30   # address space, on top of what the warm interpreter maps
    file_bytes: int = 16 * 2**20    # largest file it may write
    processes: int = 16             # processes and threads of its user (own-user mode only)
    open_files: int = 256
    tmp_bytes: int = 32 * 2**20     # size of its /sandbox and /tmp


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def set_parent_death_signal():
    """Die with the parent: a grader killed with -9 leaves no sandbox behind."""
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")


def unshare_namespaces():
    """New namespaces for this process (PID: for its next child). OSError without privileges."""
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS),
           "unshare")


def _mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(source.encode() if source else None, target.encode(),
                       fstype.encode() if fstype else None, flags,
                       data.encode() if data else None), f"mount {target}")


def _bind(source, new_root, writable=False):
    """Bind ``source`` at the same path under ``new_root``, read-only unless ``writable``."""
    target = new_root + source
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (0 if writable else MS_RDONLY)
    _mount(None, target, None, flags)


def _system_paths(exposed):
    """Directories to show, outermost first, without any path nested in another."""
    wanted = ["/usr", "/etc", sys.prefix, sys.base_prefix, sys.exec_prefix, *exposed]
    real = sorted({os.path.realpath(p) for p in wanted if os.path.exists(p)})
    kept = []
    for path in real:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def build_root(mount_point, exposed, uid, limits):
    """Make a new root file system at ``mount_point`` (an empty directory that holds none of
    the exposed paths) and switch to it; needs the mount namespace."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    new_root = mount_point
    _mount("sandbox-root", new_root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    # The private /tmp comes first, so that exposed paths under /tmp are bound on top of it.
    os.mkdir(f"{new_root}/tmp")
    _mount("sandbox-tmp", f"{new_root}/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={limits.tmp_bytes},mode=1777")
    for path in _system_paths(exposed):
        _bind(path, new_root)
    for name in ("bin", "lib", "lib64", "sbin"):   # merged-/usr systems link these into /usr
        host = "/" + name
        if os.path.islink(host):
            os.symlink(os.readlink(host), f"{new_root}/{name}")
        elif os.path.isdir(host):
            _bind(host, new_root)
    for device in ("null", "zero", "urandom", "random"):
        _bind(f"/dev/{device}", new_root, writable=True)
    os.mkdir(f"{new_root}/sandbox")
    _mount("sandbox-work", f"{new_root}/sandbox", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={limits.tmp_bytes},mode=700,uid={uid},gid={uid}")
    os.mkdir(f"{new_root}/proc")
    os.mkdir(f"{new_root}/.old")
    os.chdir(new_root)
    _check(_libc.syscall(155, b".", b".old"), "pivot_root")   # 155: pivot_root on x86_64
    os.chdir("/")
    _check(_libc.umount2(b"/.old", MNT_DETACH), "umount old root")
    os.rmdir("/.old")
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def drop_privileges(uid):
    """Become ``uid`` (group ``uid``), with no supplementary groups and no way back."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")


def apply_limits(limits, mapped, own_user):
    """Resource limits; the process count only when the sandbox has a user id of its own.

    ``mapped`` is the address space the warm interpreter already maps, so the
    memory limit is what the submission may add on top of it.
    """
    for kind, value in ((resource.RLIMIT_CPU, limits.cpu_seconds),
                        (resource.RLIMIT_FSIZE, limits.file_bytes),
                        (resource.RLIMIT_NOFILE, limits.open_files),
                        (resource.RLIMIT_CORE, 0),
                        (resource.RLIMIT_AS, mapped + limits.memory_bytes)):
        hard = resource.getrlimit(kind)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))
    if own_user:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


def mapped_bytes():
    """Address space this process already maps (the warm interpreter with NumPy)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def sandbox_uid(worker_pid=None):
    """The user id of the sandboxes of a worker process: unique while that worker lives."""
    return SANDBOX_UID_BASE + (os.getpid() if worker_pid is None else worker_pid)


def enter_sandbox(uid, limits, exposed, namespaces, mount_point):
    """Isolate this process; returns the level reached (FULL or LIMITS_ONLY).

    Args:
        uid: the user id to run as (``sandbox_uid`` of the worker).
        mount_point: an empty directory to build the new root on (outside the exposed paths).
        limits: Limits.
        exposed: directories the sandbox must be able to read (the project's packages).
        namespaces: True when the caller already entered new namespaces (``unshare_namespaces``).
    """
    mapped = mapped_bytes()
    if not namespaces:
        os.setsid()
        os.chdir(tempfile.mkdtemp(prefix="sandbox-", dir=os.getcwd()))   # empty; the batch removes it
        apply_limits(limits, mapped, own_user=False)
        return LIMITS_ONLY
    build_root(mount_point, exposed, uid, limits)
    os.chdir("/sandbox")
    drop_privileges(uid)
    set_parent_death_signal()   # a change of user clears it
    apply_limits(limits, mapped, own_user=True)
    return FULL


def processes_of(uid):
    """PIDs of the processes running as ``uid`` (to kill what a sandbox left behind)."""
    return [pid for pid, owner in _live_processes() if owner == uid]


def orphaned_sandbox_processes():
    """PIDs running as a sandbox user whose worker no longer exists: what a grader left behind."""
    return [pid for pid, owner in _live_processes()
            if SANDBOX_UID_BASE <= owner < SANDBOX_UID_BASE + PID_LIMIT
            and not os.path.exists(f"/proc/{owner - SANDBOX_UID_BASE}")]


def _live_processes():
    """(pid, uid) of every process that is not a zombie."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                for line in status:
                    if line.startswith("State:") and line.split()[1] in ("Z", "X"):
                        break   # dead already, waiting to be reaped
                    if line.startswith("Uid:"):
                        found.append((int(entry), int(line.split()[1])))
                        break
        except OSError:
            continue
    return found


def kill_quietly(pid, sig=signal.SIGKILL):
    """Send ``sig``; a process that is already gone is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)
