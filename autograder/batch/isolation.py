"""Operating-system isolation of one sandbox process (Linux, x86_64 and aarch64).

``enter_sandbox`` is called in a freshly forked process before any student
code runs. It reaches one of these levels (the string returned says which,
and is reported with every batch):

- **full** (root with namespaces, as on the course's grading machines and CI):
  new mount, network, PID, IPC and UTS namespaces (no network but a downed
  loopback; every process the submission starts dies with the sandbox); a
  new root file system holding only what Python needs: the system
  directories read-only, of ``/etc`` only ``ETC_FILES`` plus a generated
  ``passwd``/``group`` naming the sandbox user, the Python installation, the
  exposed packages, an empty ``/sandbox`` working directory and a small
  private ``/tmp``; the course directory (source notebooks, salt, gradebook),
  the results store and the other submissions are not in it;
- **fallback with its own user** (root without namespaces, e.g. in a Docker or
  Gradescope container, or ``Limits(namespaces=False)``): the same user
  switch, limits and filter, in a fresh empty working directory (mode 0700,
  owned by the sandbox user) under the system's temporary folder; the file
  system is the host's: where the kernel has Landlock (``landlock.py``) the
  sandbox may read only the system, Python, the exposed packages and /proc,
  and write only its folder (and /dev/null); without it only permissions
  protect the course. Either way ``preflight`` refuses to start when the
  sandbox user could read the salt, the course, the results or the
  submissions, and says which ``chmod`` fixes it;
- **as root** (namespaces unavailable and no other user id usable, e.g. a user
  namespace that maps only root): refused (``SandboxRefused``) unless
  ``Limits(unsafe_root=True)`` (``grade --allow-unsafe-root``); Landlock still
  applies where available;
- **same user as the grader** (the grader is not root): resource limits, own
  session, the filter and Landlock where available; without Landlock the
  sandbox can read what the grader's user can.

The level string names each layer reached: ``FULL`` / ``OWN_USER`` / ``AS_ROOT``
/ ``LIMITS_ONLY``, then (without namespaces) ``LANDLOCK`` or ``NO_LANDLOCK``,
then ``SECCOMP`` or ``NO_SECCOMP``, joined by ", ".

In the first two levels the sandbox runs as a user id of its own
(``sandbox_uid``: derived from its worker's process id, so concurrent graders
never share one), with no supplementary groups; in every level with
``NO_NEW_PRIVS``, resource limits (CPU time, address space, file size, open
files; processes too with an own user id), the parent-death signal, and the
seccomp filter of ``seccomp_policy`` (not dumpable; no new namespaces, mount,
ptrace, keyctl, bpf, shared memory, sockets, ...). Without libseccomp the
sandbox is refused unless unsafe grading is allowed.

Primitives for the grader's trusted processes:

- ``preflight(limits, secrets, needed)``: run by the grader before a batch;
  predicts the level, refuses unsafe set-ups with a message saying how to fix
  them, and returns warnings. ``protect_grader()``: the grader's processes
  made non-dumpable, so that a same-user sandbox cannot read their
  environment (the salt may be there) or memory.
- ``seal_writable_mounts(paths=("/tmp", "/sandbox"), exposed=())``: run by a privileged
  process inside the sandbox's mount namespace that never runs student code
  (the zygote's first child; after the sandbox's ``pivot_root`` its root is
  the sandbox's root too): makes the writable tmpfs mounts read-only, or, when
  a file on one is still open for writing (EBUSY), hides it under an empty
  read-only tmpfs. Processes forked afterwards share nothing writable there.
- ``process_problems(pid, allowed_fds=())``: inspects a process through
  ``/proc/<pid>`` and lists what would let it pass information to processes
  forked from it later: more than one thread, open descriptors other than 0,
  1, 2 and ``allowed_fds``, shared writable memory mappings.
- ``processes_of(uid)``, ``orphaned_sandbox_processes()``, ``remove_files_of(uid)``,
  ``remove_orphaned_workdirs()``: what a sandbox user left behind (processes;
  fallback working directories and files in the world-writable folders).
"""
import contextlib
import ctypes
import ctypes.util
import errno
import glob
import json
import os
import resource
import shutil
import signal
import stat
import sys
import tempfile
from dataclasses import dataclass

from autograder.batch import landlock, seccomp_policy

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
# What of /etc a sandbox sees (found by tracing a warm interpreter running cells that use NumPy,
# matplotlib, IPython, tracebacks, time zones and lazily imported extension modules): the dynamic
# linker's cache (extension modules loaded after the warm-up) and the time zone. passwd and
# group are generated: they name the sandbox user without listing the host's accounts.
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")   # where a fallback sandbox user can leave files
WORKDIR_PREFIX = "dnn-sandbox-"

FULL = "namespaces, private file system, own user, resource limits"
OWN_USER = "no namespaces: own user, empty private working directory, resource limits"
AS_ROOT = ("UNSAFE: no namespaces and no other user id usable, student code runs as root "
           "(allowed by --allow-unsafe-root): resource limits and own session only")
LIMITS_ONLY = "resource limits and own session only (same user as the grader, no namespaces)"
LANDLOCK = "Landlock (reads only the system, Python and the exposed packages; writes only its folder)"
NO_LANDLOCK = "no Landlock (the host's files are protected by their permissions only)"
SECCOMP = "seccomp filter"
NO_SECCOMP = "NO seccomp filter (libseccomp missing; allowed by --allow-unsafe-root)"

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


class SandboxRefused(RuntimeError):
    """The sandbox would not be isolated enough to run student code; the message says how to fix it."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox; the time limits are enforced by both sides.

    ``namespaces=False`` forces the fallback without namespaces (tests; instructors whose
    machine misbehaves with them); ``unsafe_root=True`` allows running student code as root
    or without the seccomp filter when nothing better is possible.
    """

    cell_seconds: float = 30.0      # one notebook cell
    call_seconds: float = 20.0      # one call of a graded function
    cpu_seconds: int = 600          # CPU time of the whole sandbox
    memory_bytes: int = 3 * 2**30   # address space, on top of what the warm interpreter maps
    file_bytes: int = 16 * 2**20    # largest file it may write
    processes: int = 16             # processes and threads of its user (own-user modes only)
    open_files: int = 256
    tmp_bytes: int = 32 * 2**20     # size of its /sandbox and /tmp
    namespaces: bool = True         # try namespaces (False: the fallback, as when they are unavailable)
    unsafe_root: bool = False       # allow student code as root / without seccomp when nothing else works
    submission_seconds: float = 120.0   # all cells and calls of one submission together (its budget)


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def set_parent_death_signal():
    """Die with the parent: a grader killed with -9 leaves no sandbox behind."""
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")


def unshare_namespaces(enabled=True):
    """New namespaces for this process (PID: for its next child).

    OSError without privileges, and when ``enabled`` is false (``Limits.namespaces``), so
    that the caller takes the same fallback path as on a machine without namespaces.
    """
    if not enabled:
        raise OSError(errno.EPERM, "unshare: namespaces disabled by the grader's settings")
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS),
           "unshare")


def _mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(source.encode() if source else None, target.encode(),
                       fstype.encode() if fstype else None, flags,
                       data.encode() if data else None), f"mount {target}")


def pivot_root(new_root, put_old):
    """The pivot_root system call (no C library wrapper), numbered for this architecture."""
    number = seccomp_policy.syscall_number("pivot_root")
    _check(_libc.syscall(number, new_root.encode(), put_old.encode()), "pivot_root")


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
    wanted = ["/usr", sys.prefix, sys.base_prefix, sys.exec_prefix, *exposed]
    real = sorted({os.path.realpath(p) for p in wanted if os.path.exists(p)})
    kept = []
    for path in real:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def _populate_etc(new_root, uid):
    """``ETC_FILES`` (a symbolic link stays a link, resolved inside the new root) and a
    ``passwd``/``group`` that know only root and the sandbox user."""
    os.makedirs(f"{new_root}/etc", exist_ok=True)
    for path in ETC_FILES:
        if os.path.islink(path):
            os.symlink(os.readlink(path), new_root + path)
        elif os.path.isfile(path):
            _bind(path, new_root)
    with open(f"{new_root}/etc/passwd", "w") as passwd:
        passwd.write(f"root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
                     f"sandbox:x:{uid}:{uid}:sandbox:/sandbox:/usr/sbin/nologin\n")
    with open(f"{new_root}/etc/group", "w") as group:
        group.write(f"root:x:0:\nsandbox:x:{uid}:\n")


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
    _populate_etc(new_root, uid)
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
    pivot_root(".", ".old")
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
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid) or os.getgroups():
        raise OSError(errno.EPERM, f"could not become user {uid}")
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


def _is_sandbox_uid(uid):
    return SANDBOX_UID_BASE <= uid < SANDBOX_UID_BASE + PID_LIMIT


def remove_files_of(uid, folders=WORLD_WRITABLE):
    """Remove what sandbox user ``uid`` left at the top of the world-writable folders (its
    fallback working directories included); only for sandbox user ids, never a real user's."""
    if not _is_sandbox_uid(uid):
        raise ValueError(f"{uid} is not a sandbox user id")
    for folder in folders:
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for name in entries:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if info.st_uid != uid:
                continue
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(path)


def remove_orphaned_workdirs(folder="/tmp"):
    """Remove the fallback working directories whose worker no longer exists (a grader killed
    before it could clean up); returns their paths. Run by the grader (root) before a batch."""
    removed = []
    for path in glob.glob(os.path.join(folder, f"{WORKDIR_PREFIX}[0-9]*-*")):
        try:
            uid = int(os.path.basename(path)[len(WORKDIR_PREFIX):].split("-")[0])
            owner = os.lstat(path).st_uid
        except (ValueError, OSError):
            continue
        if (_is_sandbox_uid(uid) and owner in (uid, 0)
                and not os.path.exists(f"/proc/{uid - SANDBOX_UID_BASE}")):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _fallback_workdir(uid):
    """A fresh empty folder owned by ``uid``, mode 0700, in the system's temporary folder
    (reachable whatever the permissions of the course's folders); what the previous sandbox
    of the same user left there is removed first."""
    remove_files_of(uid)
    path = tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{uid}-", dir="/tmp" if os.path.isdir("/tmp") else None)
    try:
        os.chown(path, uid, uid)   # EINVAL where the user id does not exist (a user namespace mapping root only)
    except OSError:
        os.rmdir(path)
        raise
    os.chmod(path, 0o700)
    return path


def _confine(workdir, exposed):
    """Without a private root: Landlock keeps reads to the system, Python and ``exposed``, and
    writes to ``workdir`` (and /dev/null); returns the phrase for the level reached."""
    read = ["/usr", "/bin", "/lib", "/lib64", "/sbin", *ETC_FILES, sys.prefix, sys.base_prefix,
            sys.exec_prefix, *exposed, "/proc", "/dev/urandom", "/dev/random"]
    try:
        landlock.restrict(read=read, write=[workdir, "/dev/null", "/dev/zero"])
    except OSError:
        return NO_LANDLOCK
    return LANDLOCK


def _seccomp(limits):
    """Install the filter; without libseccomp refuse, unless unsafe grading is allowed."""
    if not seccomp_policy.available():
        if limits.unsafe_root:
            seccomp_policy.set_not_dumpable()
            return NO_SECCOMP
        raise SandboxRefused(seccomp_policy.UNAVAILABLE + "; or pass --allow-unsafe-root to grade without it")
    return seccomp_policy.install()


def enter_sandbox(uid, limits, exposed, namespaces, mount_point):
    """Isolate this process; returns the level reached (see the module docstring).

    Args:
        uid: the user id to run as (``sandbox_uid`` of the worker).
        limits: Limits.
        exposed: directories the sandbox must be able to read (the project's packages).
        namespaces: True when the caller already entered new namespaces (``unshare_namespaces``).
        mount_point: an empty directory to build the new root on (outside the exposed paths).

    Raises:
        SandboxRefused: student code would run as root, or without the seccomp filter, and
            ``limits.unsafe_root`` does not allow it.
    """
    parent = os.getppid()
    mapped = mapped_bytes()
    if namespaces:
        build_root(mount_point, exposed, uid, limits)
        os.chdir("/sandbox")
        drop_privileges(uid)
        level = FULL
    elif os.geteuid() == 0:
        os.setsid()
        workdir = None
        try:
            workdir = _fallback_workdir(uid)
            drop_privileges(uid)
            level = OWN_USER
        except OSError as exc:
            if os.geteuid() != 0 or not limits.unsafe_root:
                raise SandboxRefused(f"cannot run student code as another user here ({exc}); "
                                     "it would run as root: pass --allow-unsafe-root to accept that") from None
            workdir = workdir or tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}root-")
            level = AS_ROOT
    else:
        os.setsid()
        workdir = tempfile.mkdtemp(prefix="sandbox-", dir=os.getcwd())   # empty; the batch removes it
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        level = LIMITS_ONLY
    if not namespaces:
        os.chdir(workdir)
        os.environ.update(HOME=workdir, TMPDIR=workdir)
        tempfile.tempdir = workdir
        if level == AS_ROOT:   # Landlock needs NO_NEW_PRIVS, which root did not get from drop_privileges
            _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        level = f"{level}, {_confine(workdir, exposed)}"
    set_parent_death_signal()   # after the change of user, which clears it
    if os.getppid() != parent:   # the parent died before the signal was armed
        os._exit(1)
    apply_limits(limits, mapped, own_user=level.startswith((FULL, OWN_USER)))
    return f"{level}, {_seccomp(limits)}"


def protect_grader():
    """Make the grader's own processes non-dumpable (inherited by the workers it forks): a
    sandbox running as the same user (a grader that is not root) can then not read their
    ``/proc/<pid>/environ`` (where ``DNN_GRADING_SALT`` may be), memory or file descriptors."""
    seccomp_policy.set_not_dumpable()


def _probe_in_child(function, *args):
    """Run ``function(*args)`` in a forked child; its JSON-able result, or the child's error."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            try:
                answer = {"ok": function(*args)}
            except BaseException as exc:  # reported to the parent, which decides
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            os.write(write_end, json.dumps(answer).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    try:
        return json.loads(data.decode())
    except ValueError:
        return {"error": "the probe process died"}


def _namespaces_probe(enabled):
    unshare_namespaces(enabled)
    return True


def namespaces_available(enabled=True):
    """True when a process may enter the sandbox's namespaces here (tried in a throwaway child)."""
    return bool(_probe_in_child(_namespaces_probe, enabled).get("ok"))


def _can_read(path):
    """True when this process can list the folder or read the file ``path``."""
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as handle:
                handle.read(1)
        return True
    except OSError:
        return False


def _permissions_probe(uid, secrets, needed):
    drop_privileges(uid)
    return {"readable": [p for p in secrets if _can_read(p)],
            "unreadable": [p for p in needed if not _can_read(p)]}


def _fix_for(path):
    """The chmod that keeps others out of ``path``."""
    return f"chmod o-rwx {path}" + ("  (and chmod 700 or 711 on its parents)" if os.path.isfile(path) else "")


def preflight(limits, secrets=(), needed=()):
    """Check, before a batch, that its sandboxes will be safe here; returns (level, warnings).

    Args:
        limits: Limits of the batch.
        secrets: paths the sandbox must not read: the salt file, the course directory, the
            results store and its folder, the submissions.
        needed: paths it should read (the packages and the Python installation); when it
            cannot, modules the warm interpreter has not imported cannot be imported: a warning.

    The level is a prediction (the sandbox reports the one it reached). Raises SandboxRefused,
    with how to fix it, when student code would run as root, without the seccomp filter (unless
    ``limits.unsafe_root``), or as a user that could read one of ``secrets``.
    """
    warnings = []
    seccomp = SECCOMP
    files = LANDLOCK if landlock.abi() else NO_LANDLOCK
    if not seccomp_policy.available():
        if not limits.unsafe_root:
            raise SandboxRefused(seccomp_policy.UNAVAILABLE + "; or pass --allow-unsafe-root to grade without it")
        seccomp = NO_SECCOMP
    if os.geteuid() != 0:
        warnings.append("the grader is not root: student code runs as the grader's own user"
                        + (", confined by Landlock" if files == LANDLOCK else " and can read whatever it can")
                        + " (run the grader as root, with namespaces, to isolate submissions fully)")
        return f"{LIMITS_ONLY}, {files}, {seccomp}", warnings
    if namespaces_available(limits.namespaces):
        return f"{FULL}, {seccomp}", warnings
    remove_orphaned_workdirs()
    uid = sandbox_uid(PID_LIMIT - 1)   # a sandbox user id no worker gets
    secrets = [os.path.abspath(p) for p in secrets if os.path.exists(p)]
    needed = [os.path.abspath(p) for p in needed if os.path.exists(p)]
    probe = _probe_in_child(_permissions_probe, uid, secrets, needed)
    if "error" in probe:
        if not limits.unsafe_root:
            raise SandboxRefused(
                f"namespaces are not available and student code cannot run as another user here "
                f"({probe['error']}): it would run as root and could read the salt, the course and "
                "the results. Grade on a machine or container that allows namespaces or other user "
                "ids, or pass --allow-unsafe-root to accept running it as root")
        warnings.append("student code runs as root (--allow-unsafe-root)")
        return f"{AS_ROOT}, {files}, {seccomp}", warnings
    readable = probe["ok"]["readable"]
    if readable:
        raise SandboxRefused(
            "namespaces are not available, so sandboxes share this machine's files and only "
            "permissions protect them; the sandbox user could read: " + ", ".join(readable)
            + ". Make them private, e.g.: " + "; ".join(_fix_for(p) for p in readable))
    for path in probe["ok"]["unreadable"]:
        warnings.append(f"the sandbox user cannot read {path}: modules the warm interpreter did not "
                        "import before the sandbox started cannot be imported (chmod o+rX on it "
                        "and o+x on its parents to allow it)")
    return f"{OWN_USER}, {files}, {seccomp}", warnings


def _cover(path, keep):
    """Mount an empty read-only tmpfs over ``path``, then bind the directories ``keep`` (mounts
    beneath ``path``, e.g. a project cloned under /tmp) again at their places, read-only."""
    held = [(sub, os.open(sub, os.O_PATH | os.O_DIRECTORY)) for sub in sorted(keep)]
    here = os.open(".", os.O_PATH | os.O_DIRECTORY)
    try:
        _mount("sealed", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=755")
        for sub, fd in held:
            os.makedirs(sub, exist_ok=True)
            os.fchdir(fd)   # the covered directory, reached through the descriptor opened before
            _mount(".", sub, None, MS_BIND | MS_REC)
            _mount(None, sub, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
    finally:
        os.fchdir(here)
        for _, fd in held:
            os.close(fd)
        os.close(here)


def _unescape(field):
    """A path as /proc/<pid>/mountinfo writes it (space, tab, newline, backslash in octal)."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def _mounts_beneath(path, exposed, tables=("/proc/1/mountinfo", "/proc/self/mountinfo")):
    """The outermost mount points strictly beneath ``path`` in this mount namespace, read from
    the namespace's first process (this process's own /proc entry may not exist in a sandbox's
    PID namespace); from ``exposed`` and the system paths when that cannot be read."""
    inside = path.rstrip("/") + "/"
    found = None
    for source in tables:
        try:
            with open(source) as mountinfo:
                found = [_unescape(line.split()[4]) for line in mountinfo if len(line.split()) > 4]
            break
        except OSError:
            continue
    if found is None:
        found = _system_paths(exposed)
    below = sorted({m for m in found if m.startswith(inside)})
    return [m for m in below if not any(m.startswith(k.rstrip("/") + "/") for k in below if k != m)]


def seal_writable_mounts(paths=("/tmp", "/sandbox"), exposed=()):
    """Make the sandbox's writable mounts read-only; returns what was done, one phrase per path.

    Called by a privileged process in the sandbox's mount namespace (see the module
    docstring). A bind remount read-only fails with EBUSY while a file on the mount is open
    for writing: the mount is then covered by an empty read-only tmpfs, and the mounts that
    were beneath it (a kit or a project under /tmp: found in the namespace's mount table, or
    else among ``exposed`` and the system paths) are bound again, so that nothing written
    there is visible by name any more (an open descriptor still reaches it:
    ``process_problems`` reports those).
    """
    done = []
    for path in paths:
        try:
            _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
            done.append(f"{path} read-only")
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                raise
            _cover(path, [p for p in _mounts_beneath(path, exposed) if os.path.isdir(p)])
            done.append(f"{path} covered by an empty read-only file system (a file was open for writing)")
    return "; ".join(done)


def process_problems(pid, allowed_fds=()):
    """What in process ``pid`` could carry information to processes forked from it later.

    Returns human-readable problems (empty when none): more than one thread; an open file
    descriptor other than 0, 1, 2 and ``allowed_fds``; a shared writable memory mapping
    (``rw-s`` in ``/proc/<pid>/maps``). A warm interpreter with NumPy, matplotlib and IPython
    has none of these (checked by the tests), so nothing is excused. Raises
    ProcessLookupError when the process is gone.
    """
    problems = []
    try:
        with open(f"/proc/{pid}/status") as status:
            threads = next(int(line.split()[1]) for line in status if line.startswith("Threads:"))
        fds = sorted(int(fd) for fd in os.listdir(f"/proc/{pid}/fd"))
        with open(f"/proc/{pid}/maps") as maps:
            mappings = maps.read().splitlines()
    except FileNotFoundError:
        raise ProcessLookupError(pid) from None
    if threads != 1:
        problems.append(f"{threads} threads (one expected)")
    allowed = {0, 1, 2, *allowed_fds}
    for fd in fds:
        if fd not in allowed:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                target = "?"
            problems.append(f"open file descriptor {fd} ({target})")
    for line in mappings:
        fields = line.split(maxsplit=5)
        if len(fields) >= 2 and fields[1].startswith("rw") and fields[1].endswith("s"):
            where = fields[5] if len(fields) == 6 else "anonymous"
            problems.append(f"shared writable memory {fields[0]} ({where})")
    return problems


def processes_of(uid):
    """PIDs of the processes running as ``uid`` (to kill what a sandbox left behind)."""
    return [pid for pid, owner in _live_processes() if owner == uid]


def orphaned_sandbox_processes():
    """PIDs running as a sandbox user whose worker no longer exists: what a grader left behind."""
    return [pid for pid, owner in _live_processes()
            if _is_sandbox_uid(owner) and not os.path.exists(f"/proc/{owner - SANDBOX_UID_BASE}")]


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
