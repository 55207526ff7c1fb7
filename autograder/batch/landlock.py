"""Landlock (Linux 5.13+): file-system confinement a process puts on itself, without privileges.

Used by a sandbox without namespaces (``isolation.enter_sandbox``'s fallback), where the
host's file system is shared: after ``restrict(read, write)`` the process (and every process
it starts) may only read beneath ``read`` and read or write beneath ``write``, whatever the
files' permissions say; and, as a Landlock domain, it can no longer ptrace processes outside
it nor open their ``/proc/<pid>/mem`` (their ``environ`` and ``maps`` stay as readable as
permissions make them: a grader keeps those from a same-user sandbox by being non-dumpable).
``forbid_writes()`` adds a layer that denies every write, creation or removal anywhere (for a
process forked to observe one exercise, which must leave nothing behind for the next).

The kernel's interface (three system calls with the same numbers on x86_64 and aarch64) is
called through ctypes, as the C library has no wrapper. ``abi()`` is 0 where Landlock is
missing or disabled (old kernel, ``lsm=`` without it, a container whose seccomp profile denies
it); callers report what they reached.
"""
import ctypes
import ctypes.util
import os

from autograder.batch import seccomp_policy

CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15   # ABI 2, 3 and 5
FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV   # what a rule on a file may grant
READ = EXECUTE | READ_FILE | READ_DIR
KNOWN_NUMBERS = {"landlock_create_ruleset": 444, "landlock_add_rule": 445, "landlock_restrict_self": 446}

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _number(name):
    try:
        return seccomp_policy.syscall_number(name)
    except OSError:
        return KNOWN_NUMBERS[name]


def _call(name, *args):
    result = _libc.syscall(_number(name), *args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}: {os.strerror(err)}")
    return result


def abi():
    """The Landlock ABI version the kernel offers here, 0 when it offers none."""
    try:
        return _call("landlock_create_ruleset", None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    except OSError:
        return 0


def handled_access(version):
    """Every file-system right the given ABI version knows (all of them are confined)."""
    rights = (1 << 13) - 1
    if version >= 2:
        rights |= REFER
    if version >= 3:
        rights |= TRUNCATE
    if version >= 5:
        rights |= IOCTL_DEV
    return rights


def _ruleset(rights):
    attr = _RulesetAttr(rights)
    return _call("landlock_create_ruleset", ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)),
                 ctypes.c_uint32(0))


def _allow(ruleset, path, rights):
    """Grant ``rights`` beneath ``path`` (only the file rights when it is a file)."""
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        if not os.path.isdir(path):
            rights &= FILE_ONLY
        rule = _PathBeneathAttr(rights, fd)
        _call("landlock_add_rule", ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0))
    finally:
        os.close(fd)


def _enforce(ruleset):
    try:
        _call("landlock_restrict_self", ruleset, ctypes.c_uint32(0))   # needs NO_NEW_PRIVS (or CAP_SYS_ADMIN)
    finally:
        os.close(ruleset)


def restrict(read=(), write=()):
    """Confine this thread and its future children: read beneath ``read``, read and write beneath
    ``write``, nothing else. Paths that do not exist are skipped. Returns the ABI version used;
    OSError when Landlock is unavailable or refuses."""
    version = abi()
    if not version:
        raise OSError("Landlock is not available on this kernel")
    rights = handled_access(version)
    ruleset = _ruleset(rights)
    try:
        for path in read:
            if os.path.exists(path):
                _allow(ruleset, path, READ & rights)
        for path in write:
            if os.path.exists(path):
                _allow(ruleset, path, rights)
    except BaseException:
        os.close(ruleset)
        raise
    _enforce(ruleset)
    return version


def forbid_writes():
    """Add a layer that denies writing, creating, renaming or removing anything anywhere (files
    already open stay usable); reading is left as the layers below allow. OSError without Landlock."""
    version = abi()
    if not version:
        raise OSError("Landlock is not available on this kernel")
    _enforce(_ruleset(handled_access(version) & ~READ))
