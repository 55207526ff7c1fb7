"""Command line of the batch grader: ``python -m autograder {grade,feedback,export,report}``.

``grade PATH [PATH ...] --assignment ID`` grades notebooks (files, or folders
searched for ``<assignment>.ipynb``; nbgrader's ``submitted/<student>/<assignment>/``
layout names the students) and prints one result per submission. With
``--format json`` each line is a JSON object with ``submission``, ``student``,
``assignment``, ``status`` (graded, invalid_notebook or quarantined), ``score``,
``max_score``, ``error`` (null or the reason it was not graded), ``sha256``,
``arrived`` and ``exercises``: a list of objects with ``function``, ``number``,
``points``, ``max_points``, ``status``, ``message``, ``cases_passed``, ``cases``,
``mistakes`` and ``warnings``.

Results go to an SQLite store (``--results``, default ``grading/results.sqlite``).
Grading is idempotent: a submission already graded under the same salt and
limits is not graded again, and a batch that was killed is finished by running
the same command again. ``feedback`` writes one HTML page per student and
``export`` prints the stored results as CSV or JSON; ``report`` writes the
course insight page (``autograder.insight``).

The grading salt comes from ``DNN_GRADING_SALT`` or the course directory's
``grading_salt`` file (``--course-dir``, default: the current directory); it
is read after the sandboxes' warm interpreters are started and never reaches them.
"""
import argparse
import hashlib
import json
import os
import signal
import sys
import time

from autograder.assignments import ASSIGNMENT_IDS
from autograder.batch import feedback, report
from autograder.batch.isolation import Limits
from autograder.batch.store import Store
from autograder.platforms import commands as platforms_cli

DEFAULT_RESULTS = os.path.join("grading", "results.sqlite")
GRADER_VERSION = "1"


def _salt(course_dir):
    salt = os.environ.get("DNN_GRADING_SALT", "")
    path = os.path.join(course_dir, "grading_salt")
    if not salt and os.path.isfile(path):
        with open(path, encoding="utf-8") as handle:
            salt = handle.read().strip()
    if not salt:
        raise SystemExit(f"error: no grading salt: set DNN_GRADING_SALT or put it in {path}")
    return salt


def config_fingerprint(assignment, salt, limits):
    """Identifies the grading configuration: stored results are reused only under the same one."""
    text = json.dumps([GRADER_VERSION, assignment, salt, limits.__dict__], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _check_sandbox(args, limits, kit_dir):
    """Refuse to grade where sandboxes would be unsafe (``isolation.preflight``), before any runs.

    The project itself is a secret too (its packages hold the answers); the sandbox needs the
    Python installation and the assignment's student kit."""
    from autograder.batch import host, isolation
    isolation.protect_grader()   # before the salt is read: a same-user sandbox cannot read our memory
    results = os.path.abspath(args.results)
    secrets = [os.path.join(args.course_dir, "grading_salt"), args.course_dir, results,
               os.path.dirname(results), *args.paths,
               *(os.path.join(host.PROJECT_ROOT, p) for p in ("autograder", "dnn_utils", "testcases", "source"))]
    needed = [sys.prefix, sys.base_prefix, *host.exposed_directories(kit_dir)]
    try:
        _, warnings = isolation.preflight(limits, secrets, needed)
    except isolation.SandboxRefused as exc:
        raise SystemExit(f"error: sandboxes would not be safe here, nothing was graded: {exc}") from None
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _interrupted(signum, frame):
    """SIGTERM ends a batch as Ctrl-C does: workers stopped, no attempt counted."""
    raise KeyboardInterrupt


def _grade(args):
    from autograder.batch import grading, pool, submission
    started = time.monotonic()
    from autograder.batch import safe_text
    try:   # H1: the ingestion boundary (one per student, no links followed, rows for refusals)
        found, warnings = submission.discover(args.paths, args.assignment, ASSIGNMENT_IDS)
    except FileNotFoundError as exc:
        raise SystemExit(f"error: {exc}") from None
    for warning in warnings:
        print(f"warning: {safe_text.line(warning, limit=1000)}", file=sys.stderr)
    items = []
    for one in found:
        try:
            items.append(submission.read(one, args.assignment))
        except OSError as exc:
            items.append(submission.rejected(one, f"the file cannot be read ({exc.strerror})"))
    limits = Limits(cell_seconds=args.cell_timeout, call_seconds=args.call_timeout,
                    memory_bytes=args.memory_mb * 2**20, namespaces=not args.no_namespaces,
                    unsafe_root=args.allow_unsafe_root, submission_seconds=args.submission_timeout)
    _check_sandbox(args, limits, grading.kit_for(args.assignment))
    from autograder.salt import assignment_salt
    salt = assignment_salt(_salt(args.course_dir), args.assignment)   # this assignment's salt only
    settings = grading.Settings(args.assignment, salt, limits)
    store = Store(args.results)
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        progress = pool.Progress(len(items), enabled=not args.quiet)
        # the submission's own budget, plus room for sandboxes to start and for judging
        deadline = args.worker_deadline or 1.5 * limits.submission_seconds + 60
        if args.scheduler:   # grading on a Dask cluster (autograder.batch.cluster)
            results = _cluster_grade(items, settings, store,
                                     config_fingerprint(args.assignment, salt, limits), args, progress,
                                     deadline)
        else:
            results = pool.grade_batch(
                items, settings, store, config_fingerprint(args.assignment, salt, limits),
                args.workers, os.path.join(os.path.dirname(os.path.abspath(args.results)), ".scratch"),
                progress, deadline)
    except pool.GraderBroken as exc:
        raise SystemExit(f"error: sandboxes cannot be started here, nothing was graded further: {exc}")
    except KeyboardInterrupt:   # H1: Ctrl-C or SIGTERM; the attempts cut short do not count
        raise SystemExit("error: interrupted; run the same command again to finish the batch") from None
    finally:
        store.close()
    if args.format in platforms_cli.FORMATS:
        status = platforms_cli.write_formats(args, results, time.monotonic() - started)
    else:
        status = 0
        sys.stdout.write(report.FORMATS[args.format](results))
    if args.gradebook is not None:
        status = max(status, platforms_cli.write_gradebook(args, results))
    if not args.quiet:
        levels = {r["isolation"] for r in results if r.get("isolation")}
        sys.stderr.write(report.summary(results, time.monotonic() - started, levels, limits.submission_seconds))
    return status


def _cluster_grade(items, settings, store, config, args, progress, deadline):
    try:
        from autograder.batch import cluster
    except ImportError as exc:
        raise SystemExit(f"error: --scheduler needs Dask ({exc}): pip install -e '.[cluster]'") from None
    try:
        return cluster.grade_batch(items, settings, store, config, args.scheduler, progress, deadline)
    except cluster.SchedulerLost as exc:
        raise SystemExit(f"error: {exc}; the results received so far are saved: run the same "
                         "command again to finish the batch") from None
    except cluster.ClusterError as exc:
        raise SystemExit(f"error: {exc}") from None


def _stored(args):
    if not os.path.isfile(args.results):
        raise SystemExit(f"error: no results store at {args.results}; run 'grade' first")
    store = Store(args.results)
    try:
        return store.latest(args.assignment)
    finally:
        store.close()


def _feedback(args):
    written, failed = feedback.write_all(_stored(args), args.output)
    for student, reason in failed:
        print(f"warning: no feedback page for {student}: {reason}", file=sys.stderr)
    print(f"wrote {len(written)} feedback pages under {args.output}", file=sys.stderr)
    return 1 if failed else 0


def _export(args):
    text = report.FORMATS[args.format](_stored(args))
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _report(args):
    from autograder import insight
    from autograder.insight.load import StoreError
    try:
        path = insight.build(args.results, args.assignment, args.out, args.release, args.course_dir)
    except StoreError as exc:
        raise SystemExit(f"error: {exc}") from None
    print(path)
    return 0


def parser():
    top = argparse.ArgumentParser(prog="python -m autograder",
                                  description="Grade notebooks safely, in parallel, resumably.")
    commands = top.add_subparsers(dest="command", required=True)

    def common(sub):
        sub.add_argument("--assignment", required=True, choices=ASSIGNMENT_IDS)
        sub.add_argument("--results", default=DEFAULT_RESULTS, help="SQLite results store")

    grade = commands.add_parser("grade", help="grade notebooks")
    grade.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of them")
    common(grade)
    grade.add_argument("--format", choices=sorted(report.FORMATS) + list(platforms_cli.FORMATS), default="table")
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    grade.add_argument("--course-dir", default=".", help="where the grading_salt file is")
    grade.add_argument("--cell-timeout", type=float, default=Limits.cell_seconds, metavar="SECONDS")
    grade.add_argument("--call-timeout", type=float, default=Limits.call_seconds, metavar="SECONDS")
    grade.add_argument("--memory-mb", type=int, default=Limits.memory_bytes // 2**20)
    grade.add_argument("--submission-timeout", type=float, default=Limits.submission_seconds,
                       metavar="SECONDS", help="time budget of one submission, its cells and calls together")
    grade.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    grade.add_argument("--scheduler", metavar="ADDRESS", default=os.environ.get("DNN_GRADING_SCHEDULER"),
                       help="grade on a Dask cluster: the scheduler's address (tcp://host:8786), or "
                            "local:N for N local worker processes (default: $DNN_GRADING_SCHEDULER)")
    grade.add_argument("--worker-deadline", type=float, default=None, metavar="SECONDS",
                       help="kill a worker that has not finished one submission after this long; "
                            "the attempt counts against the submission (quarantined after 3)")
    grade.add_argument("--no-namespaces", action="store_true",
                       help="sandboxes without namespaces (the fallback used where they are unavailable)")
    grade.add_argument("--allow-unsafe-root", action="store_true",
                       help="grade even where student code would run as root or without the seccomp filter")
    platforms_cli.add_grade_options(grade)
    grade.set_defaults(run=_grade)

    notes = commands.add_parser("feedback", help="write per-student HTML feedback")
    common(notes)
    notes.add_argument("--output", default=os.path.join("grading", "feedback"))
    notes.set_defaults(run=_feedback)

    export = commands.add_parser("export", help="print stored results as CSV or JSON lines")
    common(export)
    export.add_argument("--format", choices=["csv", "json", "table"], default="csv")
    export.add_argument("--output", help="file to write instead of standard output")
    export.set_defaults(run=_export)

    insight = commands.add_parser(
        "report", help="write the course insight report (one self-contained HTML page)")
    common(insight)
    insight.add_argument("--out", default=os.path.join("grading", "insight"), metavar="DIR",
                         help="folder of the page <assignment>_insight.html")
    insight.add_argument("--release", metavar="NOTEBOOK",
                         help="the release notebook (default: release/<id>/<id>.ipynb here, "
                              "else the project's)")
    insight.add_argument("--course-dir", default=".", help="where release/ is")
    insight.set_defaults(run=_report)

    platforms_cli.add_commands(commands, ASSIGNMENT_IDS)

    kit = commands.add_parser("kit", help="build an assignment's student kit (a wheel students install)")
    kit.add_argument("assignment", choices=ASSIGNMENT_IDS)
    kit.add_argument("--out", default=os.path.join("dist", "kits"), metavar="DIR")
    kit.set_defaults(run=_kit)
    return top


def _kit(args):
    from autograder.kit import build
    path = build.build_wheel(args.assignment, args.out)
    print(path)
    return 0


def main(argv=None):
    args = parser().parse_args(argv)
    if getattr(args, "workers", 1) < 1:
        raise SystemExit("error: --workers must be at least 1")
    return args.run(args)
