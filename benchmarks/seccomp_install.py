"""What the seccomp filter adds to starting a sandbox: fork + exit (the baseline), fork +
building and loading the filter in the child, fork + loading a filter built in the parent
(what ``seccomp_policy.prepare`` at import gives every sandbox forked from the warm zygote).

    OPENBLAS_NUM_THREADS=1 python benchmarks/seccomp_install.py [--rounds 200]

Prints the median time of each and its ratio to the baseline, measured in the same run.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autograder.batch import seccomp_policy  # noqa: E402


def _forked(work):
    """Seconds from fork to the child's exit, with ``work`` done in the child."""
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        work()
        os._exit(0)
    os.waitpid(pid, 0)
    return time.perf_counter() - started


def _build_and_load():
    policy = seccomp_policy.build_filter()
    seccomp_policy.set_not_dumpable()
    policy.load()


def main():
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rounds", type=int, default=200)
    rounds = options.parse_args().rounds
    if not seccomp_policy.available():
        raise SystemExit(seccomp_policy.UNAVAILABLE)
    seccomp_policy.prepare()
    ways = {"fork only (baseline)": lambda: None, "fork + build and load": _build_and_load,
            "fork + load prebuilt": seccomp_policy.install}
    times = {name: [] for name in ways}
    for _ in range(rounds):   # interleaved, so that a busy moment of the machine hits every way
        for name, work in ways.items():
            times[name].append(_forked(work))
    baseline = statistics.median(times["fork only (baseline)"])
    for name, found in times.items():
        median = statistics.median(found)
        print(f"{name:24s} median {median * 1e3:7.2f} ms   x{median / baseline:5.2f} of the baseline")


if __name__ == "__main__":
    main()
