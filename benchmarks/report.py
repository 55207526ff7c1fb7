"""Time to build the course insight report (issue 13) for a large class.

Writes N synthetic ``step_by_step`` results into a throw-away results store
(``autograder.insight.synthetic``: the planted class, scaled up), every answer
made personal with a few random lines of its own so that no two students'
code is the same and the similarity step has real work (MinHash and LSH on
every answer), plus ``--copies`` planted pairs in which one student handed in
another's answer cell reformatted. Then it builds the report in this process
and prints the time (wall and CPU, with the machine's load average) of each
step and in total, and how many planted copies the similarity step found among
the pairs it flagged. Baseline in the same run: on ``--baseline`` students,
candidate pairs from LSH against copydetect comparing every pair.

    OPENBLAS_NUM_THREADS=1 python benchmarks/report.py [--students 10000] [--copies 10] [--baseline 100]

Target (issue 13): 10,000 results in under a minute on 2 cores.
"""
import argparse
import copy
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder import assignments  # noqa: E402
from autograder.batch.store import Store  # noqa: E402
from autograder.insight import load, render, similarity, synthetic  # noqa: E402

OPERATORS = ("+", "-", "*", "//", "%")


def personal_lines(rng, count=3):
    """Lines no one else writes: small computations with random numbers and shapes."""
    lines = []
    for _ in range(count):
        terms = [str(rng.randrange(2, 999)) for _ in range(rng.randrange(3, 7))]
        expression = terms[0]
        for term in terms[1:]:
            expression += f" {rng.choice(OPERATORS)} {term}"
        lines.append(f"    check_{rng.randrange(10**6)} = ({expression}) % {rng.randrange(2, 50)}")
    return lines


def personalise(code, rng):
    """``code`` with personal lines put at the top of its function body."""
    lines = code.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("def "):
            body = index + 1
            while body < len(lines) and not lines[body].strip():
                body += 1
            # after the docstring, when there is one
            if lines[body].strip().startswith('"""'):
                while body < len(lines) and not (lines[body].rstrip().endswith('"""') and
                                                 (lines[body].strip() != '"""' or body > index + 1)):
                    body += 1
                body += 1
            return "\n".join(lines[:body] + personal_lines(rng) + lines[body:]) + "\n"
    return code


def reformat(code):
    """The same code as another student would hand in a copy: spacing changed, comments added."""
    out = []
    for line in code.splitlines():
        out.append(line.replace(" = ", "=").replace(", ", ","))
        if line.strip().startswith("return"):
            out.insert(len(out) - 1, "    # done")
    return "\n".join(out) + "\n"


def build_class(students, copies, seed=1):
    """(rows of (student, raw notebook bytes, result), the planted copied pairs)."""
    rng = random.Random(seed)
    planted_students = len(synthetic.plan_class(honest=0).students)
    plan = synthetic.plan_class(honest=max(1, students - planted_students))
    names = list(plan.students)[:students]
    release = json.loads(synthetic.ROOT.joinpath(
        "release", synthetic.ASSIGNMENT, f"{synthetic.ASSIGNMENT}.ipynb").read_text())
    positions = {}
    for index, cell in enumerate(release["cells"]):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_answer"):
            positions[grade_id[:-len("_answer")]] = index
    codes = {}
    for name in names:
        codes[name] = {ex: (personalise(a.code, rng) if a.kind != "stub" else a.code)
                       for ex, a in plan.students[name].items()}
    planted = []
    exercises = list(assignments.exercises(synthetic.ASSIGNMENT))
    for pair in range(copies):
        original, copier = names[2 * pair], names[2 * pair + 1]
        exercise = exercises[pair % len(exercises)]
        codes[copier][exercise] = reformat(codes[original][exercise])
        planted.append((original, copier))
    rows = []
    for name in names:
        notebook = copy.copy(release)
        notebook["cells"] = list(release["cells"])
        for exercise, index in positions.items():
            cell = dict(notebook["cells"][index])
            cell["source"] = codes[name][exercise]
            notebook["cells"][index] = cell
        path = f"submitted/{name}/{synthetic.ASSIGNMENT}/{synthetic.ASSIGNMENT}.ipynb"
        rows.append((name, path, json.dumps(notebook).encode(),
                     synthetic.result(name, path, plan.students[name])))
    return rows, planted


def write(rows, store_path):
    store = Store(str(store_path))
    try:
        store.db.execute("BEGIN")
        for student, path, raw, found in rows:
            store.db.execute(
                "INSERT INTO submissions (assignment, path, student, sha256, arrived, raw) "
                "VALUES (?, ?, ?, ?, ?, ?)", (synthetic.ASSIGNMENT, path, student,
                                              hashlib.sha256(raw).hexdigest(), "2026-12-01T12:00:00Z", raw))
            (sub_id,) = store.db.execute("SELECT last_insert_rowid()").fetchone()
            store.db.execute(
                "INSERT INTO results (submission_id, config, status, score, max_score, result, graded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", (sub_id, "benchmark", found["status"], found["score"],
                                                 found["max_score"], json.dumps(found), "now"))
        store.db.execute("COMMIT")
    finally:
        store.close()


def _cpu(since):
    """(own CPU seconds, workers' CPU seconds) since the os.times() ``since``."""
    now = os.times()
    return (now.user + now.system - since.user - since.system,
            now.children_user + now.children_system - since.children_user - since.children_system)


def all_pairs_baseline(submissions, exercises, release):
    """Seconds to compare every pair of answers of every exercise with copydetect (no LSH)."""
    code = similarity.CodeSimilarity(submissions, exercises, release)
    started = time.perf_counter()
    for name in exercises:
        answers = code._answers(name)
        prints = {i: similarity.fingerprints(text, code.boilerplate) for i, text in answers.items()}
        keys = sorted(prints)
        for position, a in enumerate(keys):
            for b in keys[position + 1:]:
                similarity._compare(name, answers[a], answers[b], prints[a], prints[b])
    return time.perf_counter() - started


def lsh_time(submissions, exercises, release):
    saved = similarity.PARALLEL_FROM
    similarity.PARALLEL_FROM = 10**12   # one process, as the baseline
    try:
        started = time.perf_counter()
        similarity.CodeSimilarity(submissions, exercises, release).run()
        return time.perf_counter() - started
    finally:
        similarity.PARALLEL_FROM = saved


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--baseline", type=int, default=100,
                        help="students on which LSH is timed against comparing all pairs (0: skip)")
    args = parser.parse_args()
    exercises = assignments.exercises(synthetic.ASSIGNMENT)
    release = load.find_release(synthetic.ASSIGNMENT)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        rows, planted = build_class(args.students, args.copies)
        store_path = Path(folder) / "results.sqlite"
        write(rows, store_path)
        del rows
        print(f"wrote {args.students} synthetic results in {time.perf_counter() - started:.1f} s "
              f"({store_path.stat().st_size / 2**20:.0f} MiB store)")

        cpu0 = os.times()
        t0 = time.perf_counter()
        submissions = load.load(str(store_path), synthetic.ASSIGNMENT, set(exercises))
        t1, cpu1 = time.perf_counter(), _cpu(cpu0)
        values = render.context(submissions, synthetic.ASSIGNMENT, release)
        page = render.render(values)
        (Path(folder) / "report.html").write_text(page, encoding="utf-8")
        t2, cpu2 = time.perf_counter(), _cpu(cpu0)
        print(f"load: {t1 - t0:.1f} s wall, CPU {cpu1[0]:.1f} s here + {cpu1[1]:.1f} s in workers")
        print(f"statistics, similarity, charts, page: {t2 - t1:.1f} s wall, CPU "
              f"{cpu2[0] - cpu1[0]:.1f} s here + {cpu2[1] - cpu1[1]:.1f} s in workers")
        print(f"report for {len(submissions)} results: {t2 - t0:.1f} s wall (target: under 60 s on "
              f"2 cores), {sum(cpu2):.1f} s of CPU; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores during the run (other work on the machine stretches wall time)")

        shown = values["code"]
        flagged = {tuple(sorted(p.students)) for p in shown.pairs}
        found = sum(1 for pair in planted if tuple(sorted(pair)) in flagged)
        possible = len(submissions) * (len(submissions) - 1) // 2 * len(exercises)
        print(f"similarity: {shown.compared} answers sketched, {shown.candidates} candidate pairs from "
              f"LSH (of {possible} possible), {len(shown.pairs) + shown.more} pairs flagged, "
              f"{found} of {len(planted)} planted copies among them")

        if args.baseline:
            subset = submissions[:args.baseline]
            ours, everything = lsh_time(subset, exercises, release), all_pairs_baseline(
                subset, exercises, release)
            print(f"baseline on {len(subset)} students, one process: LSH candidates {ours:.1f} s, "
                  f"copydetect on all pairs {everything:.1f} s ({everything / ours:.1f} times longer; "
                  f"all pairs grow with the square of the class)")


if __name__ == "__main__":
    main()
