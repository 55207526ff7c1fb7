"""Where a batch grader's worker spends its time and memory, against a measured floor of the same pipeline.

Builds a throw-away course (``benchmarks/grading.py``'s ``make_course`` and
``write_submissions``) and, for each batch size, grades that many
``step_by_step`` submissions in ONE fresh worker process, in-process, as
``pool.py``'s worker does (``host.Zygote`` + ``grading.grade_submission``
inside ``wire.Budget``), then saves each result with ``store.Store`` the way
the pool's main process does (``start_attempt`` + ``save``). It prints:

- the per-submission cost split (ms): the pipeline's functions are wrapped with
  timers here (exclusive time: each millisecond is counted under the innermost
  wrapped function): start (``Zygote.spawn``), cells (``_Session.run_cells``),
  seal, observer fork (the "observer" -> "forked" exchange), round trips (time
  waiting for observations; and the trusted side's own work on them: sending the
  cases, reading and hashing the observations), calls (``_Oracle.answer``: the reference answering
  on the trusted side), observer stop/end, judging (``grading._judged``), sandbox
  close, store, and the rest;
- CPU per submission: of every process (the worker, its zygote, sandboxes and
  observers) when the worker can put itself in a cgroup-v1 ``cpuacct`` group of
  its own, else of the trusted process only (it says which); it includes reading
  each notebook and adding its row to the store, which the wall times leave out
  (the pool's main process does both);
- a floor: a minimal prototype of the same pipeline in the same worker (a warm
  interpreter that imported NumPy, matplotlib, IPython and the kit forks a process
  per submission, which execs the same cells and forks one process per exercise;
  each exchanges the same frames, in the same order and of the same sizes, as
  recorded from the real run, as raw array bytes over a socketpair; no judging, no
  isolation), and the ratio of the real pipeline to it;
- peak resident memory (``VmHWM``) of the trusted worker process (after a few
  submissions and at the end), of one sandbox (read just before it is closed; the
  largest and the mean) and of the zygote, for each batch size, and the difference
  between the largest and the smallest batch.

    OPENBLAS_NUM_THREADS=1 python benchmarks/grading_costs.py [--submissions 200] [--sizes 1000]
        [--floor-submissions 100] [--quick]

``--submissions`` is the batch whose floor is measured; ``--sizes`` adds batches for the memory
comparison (each size is graded once, in a worker of its own). ``--quick``: 4 and 8 submissions,
made from the committed release notebook (not one ``nbgrader generate_assignment`` makes).
Targets (issue 15): grading near the floor; memory not growing with the batch size.
"""
import argparse
import collections
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "step_by_step"
SALT = "benchmark-salt"
CGROUP_ROOT = Path("/sys/fs/cgroup/cpuacct")
LABELS = ["start (Zygote.spawn)", "cells (_Session.run_cells)", "seal (before observers)",
          "observer fork (observer -> forked)", "round trips (waiting for observations)",
          "round trips (sending cases, reading observations)", "calls (oracle answers, trusted side)",
          "observer stop/end", "judging (grading._judged)", "sandbox close", "store (start_attempt + save)"]
START, CELLS, SEAL, FORK, TRIPS, HANDLE, CALLS, STOP, JUDGE, CLOSE, STORE = LABELS


# ---------------------------------------------------------------- the timers (worker side)

class Costs:
    """Exclusive wall time per label of wrapped functions, and the frames of each observation.

    ``frames``: per submission, [(exercise, [("out"|"in", body bytes), ...]), ...] as the
    trusted side sent ("out") and received ("in") them while observing each exercise."""

    def __init__(self):
        self.totals = collections.defaultdict(float)
        self.stack = []            # [label for callees, started, time spent in wrapped callees]
        self.frames = None         # this submission's exercises, while recording
        self.exercise = None       # the frames of the exercise being observed
        self.cells = None          # the cell sources sent to the sandbox
        self.sandbox_hwm = []      # VmHWM (kB) of each sandbox, read before it is closed
        self.missing = []

    def wrap(self, owner, name, label):
        """Replace ``owner.name`` with a timed version; ``label``: a text, or a function
        (result, parent label, args) -> text."""
        original = getattr(owner, name, None)
        if original is None:
            self.missing.append(f"{getattr(owner, '__name__', owner)}.{name}")
            return
        costs = self

        def timed(*args, **kwargs):
            parent = costs.stack[-1][0] if costs.stack else None
            # callees see this label (a label chosen from the result: the caller's, meanwhile)
            frame = [label if isinstance(label, str) else parent, time.perf_counter(), 0.0]
            costs.stack.append(frame)
            result = None
            try:
                result = original(*args, **kwargs)
                return result
            finally:
                elapsed = time.perf_counter() - frame[1]
                costs.stack.pop()
                chosen = label if isinstance(label, str) else label(result, parent, args)
                costs.totals[chosen or parent or "rest"] += elapsed - frame[2]
                if costs.stack:
                    costs.stack[-1][2] += elapsed

        timed.__wrapped__ = original
        setattr(owner, name, timed)


def install(costs):
    """Wrap the pipeline's functions (a benchmark may monkeypatch; autograder/ is not changed)."""
    from autograder.batch import channel, grading, host

    def received(result, parent, args):
        event = result.get("event") if isinstance(result, dict) else None
        if costs.exercise is not None and event is not None:
            costs.exercise.append(("in", len(args[1].last_body)))
        if event in ("cell", "ready"):
            return CELLS
        if event == "forked":
            return FORK
        if event in ("observation", "call", "timeout"):
            return TRIPS
        return parent

    def sent(result, parent, args):
        message = args[1] if len(args) > 1 else None
        op = message.get("op") if isinstance(message, dict) else None
        if op == "cells":
            costs.cells = list(message.get("cells", []))
        return FORK if op == "observer" else parent

    def ending(result, parent, args):
        return STOP if parent in (HANDLE, FORK) else parent

    # every frame the trusted side sends goes through send_frame (remembered replies too)
    original_send_frame = channel.Channel.send_frame

    def send_frame(self, frame):
        if costs.exercise is not None:
            costs.exercise.append(("out", len(frame) - 4))
        return original_send_frame(self, frame)

    channel.Channel.send_frame = send_frame

    original_observe = grading._Session.observe

    def observe(session, sandbox, name):
        costs.exercise = []
        try:
            return original_observe(session, sandbox, name)
        finally:
            if costs.frames is not None:
                costs.frames.append((name, costs.exercise))
            costs.exercise = None

    grading._Session.observe = observe
    costs.wrap(grading._Session, "observe", HANDLE)
    costs.wrap(grading._Session, "_receive", received)
    costs.wrap(grading._Session, "run_cells", CELLS)
    costs.wrap(grading._Session, "seal", SEAL)
    costs.wrap(channel.Channel, "send", sent)
    costs.wrap(grading._Oracle, "answer", CALLS)
    costs.wrap(grading, "_judged", JUDGE)
    costs.wrap(host.Zygote, "spawn", START)
    for name in ("stop", "resume", "watch_child", "end_child", "kill_all_but_sandbox", "live_children"):
        costs.wrap(host.Sandbox, name, ending)

    original_close = host.Sandbox.close

    def close(sandbox):
        if sandbox.pid:
            found = status_kb(sandbox.pid, "VmHWM")
            if found:
                costs.sandbox_hwm.append(found)
        return original_close(sandbox)

    host.Sandbox.close = close
    costs.wrap(host.Sandbox, "close", CLOSE)


def status_kb(pid, field):
    """A ``kB`` field of /proc/<pid>/status, or 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpuacct_ns(group):
    return int((group / "cpuacct.usage").read_text()) if group else 0


def own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- one worker (a fresh process)

def worker(course, count, floor_count, scratch, group):
    """Grade the first ``count`` submissions of ``course``; a dict of what was measured."""
    group = Path(group) if group else None
    if group:
        (group / "cgroup.procs").write_text(str(os.getpid()))
    from autograder.batch import grading, isolation, safe_text, submission, wire
    from autograder.batch.host import Zygote
    from autograder.batch.isolation import Limits
    from autograder.batch.store import Store
    from autograder.cli import config_fingerprint
    from autograder.salt import assignment_salt

    # read one at a time, as a pool worker receives them: the batch's bytes are not the worker's to hold
    found, _ = submission.discover([str(course / "submitted")], ASSIGNMENT)
    found = sorted(found, key=lambda one: one.path)[:count]
    salt = assignment_salt(SALT, ASSIGNMENT)
    settings = grading.Settings(ASSIGNMENT, salt, Limits())
    config = config_fingerprint(ASSIGNMENT, salt, settings.limits)
    isolation.protect_grader()
    kit_dir, primer = grading.kit_for(ASSIGNMENT), grading.release_cells(ASSIGNMENT)
    costs = Costs()
    install(costs)
    os.makedirs(scratch, exist_ok=True)
    store = Store(os.path.join(scratch, "results.sqlite"))
    zygote = Zygote(os.path.join(scratch, "zygote"))
    started = time.perf_counter()
    zygote._start(kit_dir, primer)
    zygote_seconds = time.perf_counter() - started
    costs.totals.clear()

    warm_mark = min(10, max(1, count // 10))
    recordings, statuses, per_submission = [], collections.Counter(), []
    trusted_warm, cpu_floor_mark = 0, None
    cpu0, own0 = cpuacct_ns(group), own_cpu()
    for n, one in enumerate(found, 1):
        item = submission.read(one, ASSIGNMENT)
        sid = store.add(item, ASSIGNMENT)   # the pool's main process adds them (add_all) before grading
        record = n <= floor_count
        costs.frames, costs.cells = ([] if record else None), None
        t0 = time.perf_counter()
        with wire.Budget(wire.SUBMISSION_BYTES):
            result = grading.grade_submission(item, settings, zygote)
        result = safe_text.clean_result(result)
        t1 = time.perf_counter()
        attempt = store.start_attempt(sid, config)
        store.save(sid, config, result, attempt)
        t2 = time.perf_counter()
        costs.totals[STORE] += t2 - t1
        per_submission.append(t2 - t0)
        statuses[result["status"]] += 1
        if record and costs.cells is not None:
            recordings.append((costs.cells, costs.frames))
        if n == warm_mark:
            trusted_warm = status_kb(os.getpid(), "VmHWM")
        if n == floor_count:
            cpu_floor_mark = (cpuacct_ns(group) - cpu0) if group else None
    wall = sum(per_submission)   # reading and adding the notebooks (the pool's main process) left out
    cpu_all = (cpuacct_ns(group) - cpu0) if group else None
    cpu_trusted = own_cpu() - own0
    trusted_end = status_kb(os.getpid(), "VmHWM")
    zygote_hwm = status_kb(zygote.process.pid, "VmHWM")
    store.close()
    zygote.close()

    measured = {"count": count, "wall": wall, "zygote_start": zygote_seconds,
                "costs": dict(costs.totals), "missing": costs.missing,
                "cpu_all_ns": cpu_all, "cpu_trusted": cpu_trusted, "statuses": dict(statuses),
                "trusted_warm_kb": trusted_warm, "warm_mark": warm_mark, "trusted_end_kb": trusted_end,
                "sandbox_max_kb": max(costs.sandbox_hwm, default=0),
                "sandbox_mean_kb": sum(costs.sandbox_hwm) / max(len(costs.sandbox_hwm), 1),
                "sandboxes": len(costs.sandbox_hwm), "zygote_kb": zygote_hwm,
                "frames_per_submission": (sum(len(e) for _, f in recordings for _, e in f)
                                          / max(len(recordings), 1))}
    if floor_count and recordings:
        from grading_floor import Floor
        from autograder.batch.host import sandbox_environment
        folder = os.path.join(scratch, "floor")
        os.makedirs(folder)
        with Floor(folder, kit_dir, primer, sandbox_environment(folder)) as floor:
            cpu0, own0, began = cpuacct_ns(group), own_cpu(), time.perf_counter()
            floor.grade(recordings, len(recordings))
            floor_wall = time.perf_counter() - began
            floor_cpu, floor_own = (cpuacct_ns(group) - cpu0) if group else None, own_cpu() - own0
        seconds, cases = observed_seconds(salt)
        measured["observed"] = {"seconds": seconds, "cases": cases}
        measured["floor"] = {"count": len(recordings), "wall": floor_wall, "cpu_all_ns": floor_cpu,
                             "cpu_trusted": floor_own, "real_same_wall": sum(per_submission[:len(recordings)]),
                             "real_same_cpu_ns": cpu_floor_mark if len(recordings) == floor_count else None}
    return measured


def observed_seconds(salt, repeats=5):
    """Seconds to observe every case of every exercise once, with the reference as the student's
    function (``runner.observe``: two calls on fresh copies, as an observer does), in this process;
    the best of ``repeats``. What the sandboxes' own work on a correct submission costs at least."""
    from autograder import assignments
    from autograder.runner import observe
    from autograder.trusted import cases_for
    work = [(ex.reference, case) for ex in assignments.exercises(ASSIGNMENT).values()
            for case in cases_for(ASSIGNMENT, ex, salt)]
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for reference, case in work:
            observe(reference, case, {}, ())
        best = min(best, time.perf_counter() - started)
    return best, len(work)


# ---------------------------------------------------------------- the parent: course, workers, report

def make_group(tag):
    """A cgroup-v1 cpuacct group of our own, or None when we may not make one."""
    if not os.access(CGROUP_ROOT, os.W_OK):
        return None
    group = CGROUP_ROOT / f"h9-grading-costs-{os.getpid()}-{tag}"
    try:
        group.mkdir()
        (group / "cpuacct.usage").read_text()
    except OSError:
        return None
    return group


def remove_group(group):
    for _ in range(100):
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.05)
    print(f"note: could not remove {group} (a process is still in it)", file=sys.stderr)


def run_worker(course, count, floor_count, scratch):
    group = make_group(count)
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", str(course), str(count), str(floor_count), str(scratch),
             str(group or "")], capture_output=True, text=True,
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    finally:
        if group:
            remove_group(group)
    if done.returncode != 0:
        raise SystemExit(f"the worker failed:\n{done.stderr[-4000:]}")
    sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1]), group is not None


def report(m, cgroup):
    n = m["count"]
    per = {label: 1000 * m["costs"].get(label, 0.0) / n for label in LABELS}
    others = {k: v for k, v in m["costs"].items() if k not in LABELS and k != "rest"}
    total = 1000 * m["wall"] / n
    print(f"batch of {n} submissions: {m['wall']:.2f} s graded in one worker, {total:.1f} ms per "
          f"submission (zygote start {m['zygote_start']:.2f} s, once per worker, not counted); "
          f"statuses: {', '.join(f'{k} {v}' for k, v in sorted(m['statuses'].items()))}")
    print("  per-submission cost split (ms, trusted side's wall time, each ms counted once):")
    for label in LABELS:
        print(f"    {label:<50} {per[label]:8.2f}")
    rest = total - sum(per.values()) - sum(1000 * v / n for v in others.values())
    for label, value in others.items():
        print(f"    {label:<50} {1000 * value / n:8.2f}")
    print(f"    {'rest':<50} {rest:8.2f}")
    print(f"    {'total':<50} {total:8.2f}")
    trusted = 1000 * m["cpu_trusted"] / n
    if cgroup and m["cpu_all_ns"] is not None:
        print(f"  CPU per submission: {m['cpu_all_ns'] / 1e6 / n:.1f} ms all processes (cgroup v1 "
              f"cpuacct), of which the trusted process {trusted:.1f} ms")
    else:
        print(f"  CPU per submission: {trusted:.1f} ms trusted process only (no writable cgroup v1 "
              "cpuacct here: sandboxes not counted)")
    if m["missing"]:
        print(f"  note: not found, so not timed: {', '.join(m['missing'])}")


def report_floor(m, cgroup):
    f = m.get("floor")
    if not f:
        return
    n = f["count"]
    real, floor = 1000 * f["real_same_wall"] / n, 1000 * f["wall"] / n
    print(f"floor (prototype: warm fork, same cells, a fork per exercise, the same "
          f"{m['frames_per_submission']:.0f} frames per submission of the same sizes, no judging), "
          f"over the first {n} submissions:")
    print(f"  real pipeline: {real:.1f} ms per submission (wall); floor: {floor:.1f} ms; "
          f"real / floor: {real / floor:.2f}x (wall)")
    if cgroup and f["cpu_all_ns"] is not None and f.get("real_same_cpu_ns") is not None:
        real_cpu = f["real_same_cpu_ns"] / 1e6 / n
        floor_cpu = f["cpu_all_ns"] / 1e6 / n
        print(f"  CPU all processes: real {real_cpu:.1f} ms per submission; floor {floor_cpu:.1f} ms; "
              f"real / floor: {real_cpu / floor_cpu:.2f}x (CPU)")
    else:
        print(f"  CPU trusted process: real {1000 * m['cpu_trusted'] / m['count']:.1f} ms; floor "
              f"{1000 * f['cpu_trusted'] / n:.1f} ms")
    seen = m.get("observed")
    if seen:
        print(f"  not in the floor: the functions' own work; observing the reference on the "
              f"{seen['cases']} cases of a submission (runner.observe, two calls each, in one process) "
              f"takes {1000 * seen['seconds']:.1f} ms")


def report_memory(runs):
    mb = 1 / 1024
    print("peak resident memory (VmHWM, MB):")
    print(f"  {'batch':>6} {'trusted (early)':>16} {'trusted (end)':>14} {'sandbox max':>12} "
          f"{'sandbox mean':>13} {'zygote':>8} {'sandboxes':>10}")
    for m in runs:
        print(f"  {m['count']:>6} {m['trusted_warm_kb'] * mb:>16.1f} {m['trusted_end_kb'] * mb:>14.1f} "
              f"{m['sandbox_max_kb'] * mb:>12.1f} {m['sandbox_mean_kb'] * mb:>13.1f} "
              f"{m['zygote_kb'] * mb:>8.1f} {m['sandboxes']:>10}")
    small, large = runs[0], runs[-1]
    print(f"  difference ({large['count']} - {small['count']} submissions): trusted "
          f"{(large['trusted_end_kb'] - small['trusted_end_kb']) * mb:+.1f} MB, sandbox max "
          f"{(large['sandbox_max_kb'] - small['sandbox_max_kb']) * mb:+.1f} MB, zygote "
          f"{(large['zygote_kb'] - small['zygote_kb']) * mb:+.1f} MB")
    print("  (trusted early: after the first "
          + ", ".join(f"{m['warm_mark']} of {m['count']}" for m in runs) + " submissions)")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        sys.path.insert(0, str(ROOT))
        course, count, floor_count, scratch, group = sys.argv[2:7]
        print(json.dumps(worker(Path(course), int(count), int(floor_count), scratch, group)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200,
                        help="the batch whose cost split and floor are measured")
    parser.add_argument("--sizes", default="1000",
                        help="more batch sizes (comma-separated) for the memory comparison")
    parser.add_argument("--floor-submissions", type=int, default=100,
                        help="submissions the floor replays (the first ones of --submissions)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    args = parser.parse_args()
    if args.quick:
        args.submissions, args.sizes, args.floor_submissions = 4, "8", 4
    sizes = sorted({args.submissions, *(int(s) for s in args.sizes.split(",") if s.strip())})
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("note: set OPENBLAS_NUM_THREADS=1 for comparable timings", file=sys.stderr)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from grading import make_course, write_submissions
    with tempfile.TemporaryDirectory(prefix="grading-costs-") as tmp:
        course = Path(tmp) / "course"
        course.mkdir()
        released = ROOT / "release" / ASSIGNMENT
        if args.quick and released.is_dir():   # the committed release: nbgrader's generate_assignment is slow
            shutil.copytree(ROOT / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
            shutil.copytree(released, course / "release" / ASSIGNMENT)
        else:
            make_course(course, SALT)
        write_submissions(course, max(sizes), args.seed)
        print(f"grading costs: {ASSIGNMENT}, one worker process grading in-process, cores: {os.cpu_count()}, "
              f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
        runs, cgroup = [], False
        for size in sizes:
            floor = min(args.floor_submissions, size) if size == args.submissions else 0
            measured, cgroup = run_worker(course, size, floor, Path(tmp) / f"scratch-{size}")
            report(measured, cgroup)
            report_floor(measured, cgroup)
            runs.append(measured)
            shutil.rmtree(Path(tmp) / f"scratch-{size}", ignore_errors=True)
        report_memory(runs)


if __name__ == "__main__":
    main()
