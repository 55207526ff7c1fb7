"""Throughput of the batch grader against ``nbgrader autograde`` on the same submissions.

Builds a throw-away course directory with N distinct ``step_by_step``
submissions (honest examples with random subsets of catalogued mistakes,
each one different), grades them with ``nbgrader autograde`` and with
``python -m autograder grade --workers W`` in the same run, checks the two
agree on every score, and prints submissions per second for both and the
ratio. Then it grades ``--large`` submissions with the batch grader alone
(the one-minute target for 1,000), and the same ``--large`` submissions on a
Dask ``LocalCluster`` of W worker processes (``--scheduler local:W``), checks
the JSON is byte-identical and prints both throughputs; then it times the
results store's single writer (what the client does per submission), and
prints the paper plan of ``docs/cluster_plan.md`` from these numbers.

    OPENBLAS_NUM_THREADS=1 python benchmarks/grading.py [--submissions 100] [--workers 2] [--large 1000]
        [--no-cluster] [--only-large]

Targets (issue 3): at least 30 times nbgrader's throughput on 2 cores, and
1,000 submissions in under a minute. Issue 14: the cluster within 15% of the
local pool's throughput on one machine.
"""
import argparse
import json
import math
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import demo, examples
from autograder.assignments import exercises

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "step_by_step"


def make_course(folder, salt):
    shutil.copytree(ROOT / "source", folder / "source")
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    (folder / "grading_salt").write_text(salt + "\n")
    demo.nbgrader(folder, "generate_assignment", ASSIGNMENT, "--force")


def write_submissions(course, count, seed):
    """``count`` distinct notebooks: every fourth honest, the others with 1-3 catalogued mistakes."""
    name = f"{ASSIGNMENT}.ipynb"
    source = nbformat.read(course / "source" / ASSIGNMENT / name, as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / name, as_version=4)
    rng = random.Random(seed)
    catalogue = {name: ex.mistakes for name, ex in exercises(ASSIGNMENT).items() if ex.mistakes}
    functions = sorted(catalogue)
    honest = [examples.correct(release, source), examples.alternative(release), examples.untouched(release)]
    for i in range(count):
        if i % 4 == 0:
            nb = honest[(i // 4) % len(honest)]
        else:
            chosen = rng.sample(functions, rng.randint(1, 3))
            nb = examples.partly_wrong(release, source,
                                       {f: rng.choice(catalogue[f]).name for f in chosen})
        nb = nbformat.from_dict(json.loads(json.dumps(nb)))
        nb.cells.append(nbformat.v4.new_markdown_cell(f"Submission {i}."))   # distinct bytes
        path = course / "submitted" / f"student{i:04d}" / ASSIGNMENT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)


def batch_grade(course, workers, results, scheduler=None, raw=False):
    """Seconds, and results by student (or the JSON text when ``raw``), of one CLI run."""
    where = ["--scheduler", scheduler] if scheduler else ["--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--assignment",
         ASSIGNMENT, "--results", str(results), *where, "--format", "json",
         "--quiet", "--course-dir", str(course)],
        capture_output=True, text=True, env=demo.tool_environment(), cwd=course)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    if raw:
        return elapsed, done.stdout
    return elapsed, {json.loads(line)["student"]: json.loads(line) for line in done.stdout.splitlines()}


def store_rates(results_store, folder):
    """What the client's single writer sustains, replaying a graded batch into a new store.

    Returns (notebooks/s added, results/s saved, results/s handled, mean notebook bytes, mean
    result bytes). Per result the client writes ``start_attempt`` then ``save`` (result and
    attempt closed together): two transactions, as in a real batch; "handled" adds what it
    does before saving (parse the JSON text from the worker, ``safe_text.clean_result``).
    ``add_all`` (the notebooks' bytes, one transaction per batch) is timed apart.
    """
    from autograder.batch import safe_text
    from autograder.batch.store import Store
    from autograder.batch.submission import Submission
    source = sqlite3.connect(results_store)
    rows = source.execute("SELECT s.path, s.student, s.sha256, s.arrived, s.raw, r.config, r.result "
                          "FROM submissions s JOIN results r ON r.submission_id = s.id").fetchall()
    source.close()
    rates = []
    for handle in (False, True):
        store = Store(str(folder / f"replay-{handle}.sqlite"))
        try:
            items = [Submission(path, student, sha, arrived, raw)
                     for path, student, sha, arrived, raw, _, _ in rows]
            started = time.perf_counter()
            ids = store.add_all(items, ASSIGNMENT)
            added = time.perf_counter() - started
            results = [json.loads(text) for *_, text in rows]
            started = time.perf_counter()
            for sid, (*_, config, text), result in zip(ids, rows, results):
                if handle:
                    result = safe_text.clean_result(json.loads(text))
                attempt = store.start_attempt(sid, config)
                store.save(sid, config, result, attempt)
            rates.append(len(rows) / (time.perf_counter() - started))
        finally:
            store.close()
    size = sum(len(raw) for *_, raw, _, _ in rows) / len(rows)
    result_size = sum(len(text) for *_, text in rows) / len(rows)
    return len(rows) / added, rates[0], rates[1], size, result_size


def paper_plan(seconds_per_submission, write_rate, notebook_bytes, result_bytes, target=100_000,
               minutes=10):
    """Lines of the plan: workers needed for ``target`` in ``minutes``, the writer's ceiling and
    the client's traffic, from measured per-submission cost, write rate and sizes."""
    needed_rate = target / (60 * minutes)
    workers = math.ceil(needed_rate * seconds_per_submission)
    ceiling = int(write_rate * seconds_per_submission)
    traffic = needed_rate * (notebook_bytes + 2 * result_bytes) / 1e6   # results come twice
    return [f"paper plan: {target:,} submissions in {minutes} min need {needed_rate:.0f} results/s; "
            f"at {seconds_per_submission:.3f} worker-seconds each (measured above, start-up "
            f"included) that is {workers} worker processes (one core each)",
            f"  the single writer handles {write_rate:.0f} results/s, {write_rate / needed_rate:.1f}x "
            f"what is needed: it becomes the bottleneck past ~{ceiling} worker processes",
            f"  the client sends {notebook_bytes / 1e3:.0f} kB per notebook and gets "
            f"{result_bytes / 1e3:.1f} kB per result (twice: event and task value): "
            f"{traffic:.1f} MB/s at {needed_rate:.0f}/s"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--large", type=int, default=1000, help="0 to skip the large batch")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-cluster", action="store_true", help="skip the Dask cluster run")
    parser.add_argument("--only-large", action="store_true",
                        help="skip the nbgrader comparison (the large batch and cluster run only)")
    args = parser.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("note: set OPENBLAS_NUM_THREADS=1 for comparable timings", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        course = Path(tmp) / "course"
        course.mkdir()
        make_course(course, "benchmark-salt")
        write_submissions(course, args.submissions, args.seed)

        if not args.only_large:
            started = time.perf_counter()
            demo.nbgrader(course, "autograde", ASSIGNMENT, "--force", "--Autograde.create_student=True")
            nbgrader_seconds = time.perf_counter() - started
            ours_seconds, ours = batch_grade(course, args.workers, Path(tmp) / "ours.sqlite")

            reference = demo.read_scores(course, ASSIGNMENT, sorted(ours))
            disagree = [s for s, scores in reference.items()
                        if {e["function"]: e["points"] for e in ours[s]["exercises"]} != scores]
            n = args.submissions
            ours_rate, nbgrader_rate = n / ours_seconds, n / nbgrader_seconds
            print(f"submissions: {n} distinct step_by_step notebooks; workers: {args.workers}; "
                  f"cores: {os.cpu_count()}")
            print(f"nbgrader autograde: {nbgrader_seconds:8.2f} s  {nbgrader_rate:8.2f} submissions/s")
            print(f"autograder grade:   {ours_seconds:8.2f} s  {ours_rate:8.2f} submissions/s")
            print(f"ratio (ours / nbgrader throughput): {ours_rate / nbgrader_rate:.1f}x  (target >= 30x)")
            print(f"scores that differ from nbgrader's: {len(disagree)} of {n}"
                  + (f" ({', '.join(disagree[:5])})" if disagree else ""))

        if args.large:
            shutil.rmtree(course / "submitted")
            write_submissions(course, args.large, args.seed + 1)
            seconds, text = batch_grade(course, args.workers, Path(tmp) / "large.sqlite", raw=True)
            found = text.count("\n")
            print(f"large batch: {found} submissions in {seconds:.1f} s "
                  f"({found / seconds:.1f}/s; target: 1,000 in under 60 s)")
            if not args.no_cluster:
                cluster_run(course, Path(tmp), args.workers, found, seconds, text)


def cluster_run(course, folder, workers, count, pool_seconds, pool_text):
    """The large batch again on a LocalCluster of ``workers`` processes; the store's write rate."""
    seconds, text = batch_grade(course, workers, folder / "cluster.sqlite", f"local:{workers}", raw=True)
    pool_rate, cluster_rate = count / pool_seconds, count / seconds
    print(f"cluster (--scheduler local:{workers}): {count} submissions in {seconds:.1f} s "
          f"({cluster_rate:.1f}/s); local pool {pool_rate:.1f}/s; cluster / pool throughput "
          f"{cluster_rate / pool_rate:.2f} (target >= 0.85); JSON byte-identical: {text == pool_text}")
    add_rate, write_rate, handle_rate, size, result_size = store_rates(folder / "cluster.sqlite", folder)
    print(f"results store (single writer, WAL): {write_rate:.0f} results/s saved (start_attempt + "
          f"save: 2 transactions each); {handle_rate:.0f}/s with the client's parse and clean; "
          f"add_all {add_rate:.0f} notebooks/s")
    for line in paper_plan(workers * seconds / count, min(handle_rate, add_rate), size, result_size):
        print(line)


if __name__ == "__main__":
    main()
