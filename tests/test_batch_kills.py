"""Killing or interrupting the grader: nothing of it outlives it, nothing counts against a student.

The main grader is killed (SIGKILL) or interrupted (SIGINT, SIGTERM) at many
moments of its start-up and of a batch. A second later no process of that
grader may remain: not its workers (forks of it, same command line), not their
warm interpreters (``autograder.batch.zygote``, started in the results folder)
and not their sandboxes (running as the user id of a worker that is gone).
After three kills, running the same command again must give output identical
byte for byte to an uninterrupted run, with nobody quarantined.

Quarantine is for a submission that brings down its worker while graded alone:
one that keeps overrunning the worker's deadline is quarantined after three
tries, while the honest neighbour in the same batch keeps its exact result.
"""
import json
import os
import signal
import subprocess
import time

import nbformat
import pytest

from autograder.batch.isolation import PID_LIMIT, SANDBOX_UID_BASE
from batch_tools import base_notebooks, count, grade_command, grader_env, write

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="full isolation needs root (as on CI)")
ASSIGNMENT = "step_by_step"
SLOW_CELLS = "import time\ntime.sleep(1.5)\n"


def _with_cells(nb, source, count):
    changed = nbformat.from_dict(json.loads(json.dumps(nb)))
    changed.cells.extend(nbformat.v4.new_code_cell(source) for _ in range(count))
    return changed


def _command(folder, store, *extra):
    return grade_command(folder, store, ASSIGNMENT, *extra)




def _process_table():
    """(pid, uid, argv list of str, cwd or "") of every live, non-zombie process."""
    table = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
            if fields["State"].split()[0] in ("Z", "X"):
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = [a.decode("utf-8", "replace") for a in handle.read().split(b"\0") if a]
            try:
                cwd = os.readlink(f"/proc/{entry}/cwd")
            except OSError:
                cwd = ""
            table.append((int(entry), int(fields["Uid"].split()[0]), argv, cwd))
        except (OSError, KeyError, ValueError):
            continue
    return table


def grader_processes(marker):
    """Processes of a grader run whose results folder is ``marker``: its main process and workers
    (``marker`` on their command line), its warm interpreters (working directory inside it), and
    any zygote or sandbox whose worker is gone (the user id names the worker)."""
    marker, found = str(marker), []
    for pid, uid, argv, cwd in _process_table():
        if pid == os.getpid():
            continue
        if any(marker in a for a in argv) or cwd.startswith(marker):
            found.append((pid, argv[:4]))
            continue
        owner = None
        if SANDBOX_UID_BASE <= uid < SANDBOX_UID_BASE + PID_LIMIT:
            owner = uid - SANDBOX_UID_BASE
        elif len(argv) >= 5 and argv[2] == "autograder.batch.zygote" and argv[4].isdigit():
            owner = int(argv[4]) - SANDBOX_UID_BASE
        if owner is not None and not os.path.exists(f"/proc/{owner}"):
            found.append((pid, argv[:4]))
    return found


def _assert_nothing_left(marker, what):
    time.sleep(1.0)
    left = grader_processes(marker)
    assert left == [], f"{what}: still running a second later: {left}"


def _stop(process, sig):
    process.send_signal(sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"the grader did not stop within 30 s of {sig!r}")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Five submissions (honest ones and a slow one) and their uninterrupted JSON output."""
    root = tmp_path_factory.mktemp("kills")
    folder = root / "submitted"
    bases = base_notebooks(ASSIGNMENT)
    for name, nb in bases.items():
        write(folder, name, ASSIGNMENT, nb)
    # slow enough (9 s of cells) that three kills always land before it is graded, however fast
    # the honest ones go
    write(folder, "slow", ASSIGNMENT, _with_cells(bases["correct"], SLOW_CELLS, 6))
    clean = root / "clean"
    done = subprocess.run(_command(folder, clean / "results.sqlite", "--workers", "2"),
                          capture_output=True, text=True, env=grader_env(), timeout=600)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 5
    return {"root": root, "folder": folder, "clean": done.stdout}


def _wait_for(store, sql, at_least, process, limit=120):
    deadline = time.monotonic() + limit
    while count(store, sql) < at_least and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)


def test_three_kills_then_a_rerun_give_the_uninterrupted_results_and_nobody_quarantined(batch):
    out = batch["root"] / "killed"
    store = out / "results.sqlite"
    out.mkdir()
    moments = [  # (signal, what to wait for before sending it)
        (signal.SIGKILL, ("SELECT COUNT(*) FROM attempts", 1)),       # the first submission handed out
        (signal.SIGINT, ("SELECT COUNT(*) FROM attempts WHERE outcome IS NULL", 1)),   # mid-batch
        (signal.SIGKILL, ("SELECT COUNT(*) FROM results", 2)),        # with results already saved
    ]
    for sig, (sql, at_least) in moments:
        process = subprocess.Popen(_command(batch["folder"], store, "--workers", "2"), env=grader_env(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=out)
        _wait_for(store, sql, at_least, process)
        assert process.poll() is None, "the batch finished before it could be interrupted"
        _stop(process, sig)
        _assert_nothing_left(out, f"after {sig!r}")
    # the kills cut grading short: some attempt was left open or closed as interrupted (how many
    # results were saved before them depends on the machine's speed, not on the grader)
    cut_short = count(store, "SELECT COUNT(*) FROM attempts WHERE outcome IS NULL OR outcome LIKE 'interrupted%'")
    assert cut_short >= 1, "no kill landed while a submission was being graded"
    again = subprocess.run(_command(batch["folder"], store, "--workers", "2"), capture_output=True,
                           text=True, env=grader_env(), timeout=600, cwd=out)
    assert again.returncode == 0, again.stderr
    assert again.stdout == batch["clean"]
    assert count(store, "SELECT COUNT(*) FROM results WHERE status = 'quarantined'") == 0
    assert count(store, "SELECT COUNT(*) FROM attempts WHERE outcome LIKE 'failed:%'") == 0
    assert count(store, "SELECT COUNT(*) FROM attempts WHERE outcome IS NULL") == 0
    _assert_nothing_left(out, "after the rerun")


def test_killed_at_many_points_of_start_up_nothing_remains(batch):
    out = batch["root"] / "startup"
    out.mkdir()
    moments = [(signal.SIGKILL, 0.05), (signal.SIGINT, 0.3), (signal.SIGTERM, 0.8),
               (signal.SIGKILL, 1.5), (signal.SIGINT, 2.5), (signal.SIGKILL, 4.0)]
    for sig, delay in moments:
        process = subprocess.Popen(_command(batch["folder"], out / "results.sqlite", "--workers", "2"),
                                   env=grader_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   cwd=out)
        time.sleep(delay)
        if process.poll() is not None:
            break
        _stop(process, sig)
        _assert_nothing_left(out, f"{sig!r} after {delay} s")
    assert count(out / "results.sqlite", "SELECT COUNT(*) FROM attempts WHERE outcome LIKE 'failed:%'") == 0


def test_only_a_submission_that_overruns_its_worker_alone_is_quarantined(batch, tmp_path):
    folder = tmp_path / "submitted"
    bases = base_notebooks(ASSIGNMENT)
    write(folder, "honest", ASSIGNMENT, bases["partly_wrong"])
    # 12 cells of 1.5 s (each under the cell limit): at least 18 s, past the 10 s deadline; the
    # honest neighbour needs about a second, so the deadline leaves it a wide margin under load
    write(folder, "hog", ASSIGNMENT, _with_cells(bases["correct"], SLOW_CELLS, 12))
    store = tmp_path / "out" / "results.sqlite"
    store.parent.mkdir()
    done = subprocess.run(_command(folder, store, "--workers", "2", "--worker-deadline", "10"),
                          capture_output=True, text=True, env=grader_env(), timeout=600, cwd=store.parent)
    assert done.returncode == 0, done.stderr
    found = {json.loads(line)["student"]: json.loads(line) for line in done.stdout.splitlines()}
    assert found["hog"]["status"] == "quarantined" and found["hog"]["score"] == 0
    assert "stopped 3 times" in found["hog"]["error"] and "deadline" in found["hog"]["error"]
    clean = {json.loads(line)["student"]: json.loads(line) for line in batch["clean"].splitlines()}
    honest, alone = found["honest"], clean["partly_wrong"]
    assert honest["score"] == alone["score"] == 80
    assert honest["exercises"] == alone["exercises"]
    _assert_nothing_left(store.parent, "after the batch")
