"""The system-call filter of a sandbox, and system-call numbers for the running architecture.

``install()`` is called in the sandbox after it dropped its privileges and
before any student code runs. It first makes the process non-dumpable (so
that no other process of the same user can open its ``/proc/<pid>/mem``),
then loads a seccomp filter (through libseccomp, binding ``pyseccomp``) that
allows every system call except those student code never needs and that
would open a channel out of the sandbox or between two sandboxed processes
(for example the per-exercise observers forked from one post-cells state):

- denied with EPERM: every call in ``DENIED`` (new namespaces, mounts,
  ``ptrace`` and cross-process memory access, kernel keyrings, ``bpf``,
  ``perf_event_open``, ``userfaultfd``, io_uring, kernel modules and
  ``kexec``, anonymous memory files, System V and POSIX IPC, the new mount
  API, taking another process's file descriptors); ``clone`` with any
  ``CLONE_NEW*`` flag; ``prctl(PR_SET_DUMPABLE, ...)``; ``socket`` of any
  family (a sandbox talks only over the socket it was given; ``socketpair``
  stays allowed); ``setsockopt`` (the options of the socket the observers share
  would carry data from one to the next);
- denied with EPERM, because one observer could leave data in the notebook's
  process (stopped while it runs, resumed after it died) or in a later observer:
  sending a signal other than the probe 0 (``kill``, ``tkill``, ``tgkill``; real-time
  signals queue with their order and values), ``rt_sigqueueinfo``,
  ``rt_tgsigqueueinfo``, ``pidfd_send_signal``; changing another process's limits
  (``prlimit64`` with a pid), scheduling (``sched_set*`` with a pid,
  ``setpriority`` of anything but itself) or I/O priority (``ioprio_set``);
- ``clone3`` fails with ENOSYS: its flags sit in memory a filter cannot read,
  and the C library then falls back to ``clone``, which is filtered;
- a system call of another architecture or ABI (i386 ``int 0x80`` or x32
  calls on x86_64, which the filter's rules would not see) kills the process.

Every child of a sandboxed process inherits the filter.

Without libseccomp (Debian package ``libseccomp2``, present in Debian's base
images because apt depends on it) ``install`` raises ``SeccompUnavailable``;
the caller refuses to run student code unless the instructor allowed unsafe
grading.
"""
import ctypes
import ctypes.util
import errno
import os
import platform

try:
    import pyseccomp
    UNAVAILABLE = ""
except (ImportError, RuntimeError, OSError) as exc:   # RuntimeError: libseccomp.so.2 not found
    pyseccomp = None
    UNAVAILABLE = (f"the seccomp library cannot be loaded ({exc}); install it "
                   "(Debian/Ubuntu: apt-get install libseccomp2) and the pyseccomp package")

PR_SET_DUMPABLE = 4
CLONE_NEW_FLAGS = {   # CLONE_NEWTIME (0x80) is not listed: for clone() that bit is part of the exit signal
    "CLONE_NEWNS": 0x00020000, "CLONE_NEWCGROUP": 0x02000000, "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000, "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}
DENIED = (
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd", "kcmp",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "memfd_create", "memfd_secret", "shmget", "shmat", "msgget", "semget", "mq_open",
    "socket", "setsockopt",
    "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal", "ioprio_set",
)
SIGNAL_ARGUMENT = {"kill": 1, "tkill": 1, "tgkill": 2}   # which argument is the signal (0 stays allowed)
SELF_ONLY = ("prlimit64", "sched_setaffinity", "sched_setparam", "sched_setscheduler", "sched_setattr")
ENOSYS_CALLS = ("clone3",)

# The calls isolation.py makes by number (no C library wrapper), for machines without libseccomp.
KNOWN_NUMBERS = {
    "x86_64": {"pivot_root": 155},
    "aarch64": {"pivot_root": 41},
}
_MACHINE_ALIASES = {"amd64": "x86_64", "arm64": "aarch64"}
_LIBSECCOMP_ARCH = {"x86_64": "X86_64", "aarch64": "AARCH64"}

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


class SeccompUnavailable(RuntimeError):
    """The filter cannot be installed on this machine (libseccomp missing)."""


def machine(name=None):
    """The kernel's name of an architecture (``platform.machine()`` by default): x86_64, aarch64, ..."""
    name = (name or platform.machine()).lower()
    return _MACHINE_ALIASES.get(name, name)


def _libseccomp_number(name, arch_name):
    if pyseccomp is None:
        return None
    if arch_name is None:
        arch = pyseccomp.Arch.NATIVE
    elif arch_name in _LIBSECCOMP_ARCH:
        arch = getattr(pyseccomp.Arch, _LIBSECCOMP_ARCH[arch_name])
    else:
        return None
    number = pyseccomp.resolve_syscall(arch, name)
    return number if number >= 0 else None   # negative: unknown, or absent on that architecture


def syscall_number(name, arch=None):
    """The number of system call ``name`` on ``arch`` (default: this machine); OSError if unknown.

    libseccomp's resolver answers for any architecture it knows; ``KNOWN_NUMBERS``
    answers for the calls this package makes by number when libseccomp is missing.
    """
    wanted = machine(arch)
    native = wanted == machine()
    number = _libseccomp_number(name, None if native else wanted)
    if number is None:
        number = KNOWN_NUMBERS.get(wanted, {}).get(name)
    if number is None:
        raise OSError(errno.ENOSYS, f"the number of system call {name} on {wanted} is not known "
                                    f"({UNAVAILABLE or 'libseccomp does not know it'})")
    return number


def available():
    """True when the filter can be installed here."""
    return pyseccomp is not None


def build_filter():
    """The filter described in the module docstring, not loaded (SeccompUnavailable without libseccomp)."""
    if pyseccomp is None:
        raise SeccompUnavailable(UNAVAILABLE)
    policy = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    policy.set_attr(pyseccomp.Attr.CTL_TSYNC, 1)   # every thread of the process, not only this one
    policy.set_attr(pyseccomp.Attr.ACT_BADARCH, pyseccomp.KILL_PROCESS)   # 32-bit or x32 calls
    eperm = pyseccomp.ERRNO(errno.EPERM)
    for name in DENIED:
        if pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name) != -1:   # -1: unknown to this libseccomp
            policy.add_rule(eperm, name)
    for name in ENOSYS_CALLS:
        policy.add_rule(pyseccomp.ERRNO(errno.ENOSYS), name)
    for flag in CLONE_NEW_FLAGS.values():
        policy.add_rule(eperm, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, flag, flag))
    policy.add_rule(eperm, "prctl", pyseccomp.Arg(0, pyseccomp.EQ, PR_SET_DUMPABLE))
    for name, argument in SIGNAL_ARGUMENT.items():
        policy.add_rule(eperm, name, pyseccomp.Arg(argument, pyseccomp.NE, 0))
    for name in SELF_ONLY:   # their first argument is a process id; 0 is the caller itself
        policy.add_rule(eperm, name, pyseccomp.Arg(0, pyseccomp.NE, 0))
    policy.add_rule(eperm, "setpriority", pyseccomp.Arg(0, pyseccomp.NE, 0))   # PRIO_PGRP, PRIO_USER
    policy.add_rule(eperm, "setpriority", pyseccomp.Arg(1, pyseccomp.NE, 0))   # another process
    return policy


def set_not_dumpable():
    """No core dumps and no ``/proc/<pid>/mem`` (nor ptrace) for other processes of the same user."""
    if _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_DUMPABLE): {os.strerror(err)}")


_PREPARED = []


def prepare():
    """The filter, built once per process: built in the warm parent at import, each forked
    sandbox only loads it (benchmarks/seccomp_install.py measures both ways)."""
    if pyseccomp is None:
        raise SeccompUnavailable(UNAVAILABLE)
    if not _PREPARED:
        _PREPARED.append(build_filter())
    return _PREPARED[0]


def install():
    """Make this process non-dumpable, then load the filter for every thread; returns a description."""
    policy = prepare()
    set_not_dumpable()
    policy.load()
    return "seccomp filter"


if pyseccomp is not None:
    prepare()
