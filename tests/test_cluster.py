"""Grading on a Dask cluster (``grade --scheduler``), end to end in real subprocesses: the same
bytes as the local pool, a worker killed mid-batch, the client killed and run again, a
submission that kills its worker three times, the scheduler going away, and no salt where a
sandbox can look for it."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import nbformat
import pytest

from batch_tools import ENV, FAST, TEST_SALT, base_notebooks, sandbox_processes, stored_results, write
from conftest import free_port

psutil = pytest.importorskip("psutil")
pytest.importorskip("distributed", reason="the [cluster] extra is not installed")
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="full isolation needs root (as on CI)")

ASSIGNMENT = "step_by_step"
SLOW_CELL = "import time\ntime.sleep(1.5)"   # inside the 2 s limit: long enough to be caught in it
# Looks for the salt everywhere a sandbox can read: every file it can see, every process's
# environment and command line, its own environment.
# The installed software (system, Python) is left out: the salt is never written there.
SALT_PROBE = f"""
import os, sys
secret = {TEST_SALT[::-1]!r}[::-1].encode()
software = {{os.path.realpath(p) for p in ("/usr", sys.prefix, sys.base_prefix)}}
found = []
for top in ("/proc", "/"):
    for dirpath, dirnames, filenames in os.walk(top):
        if top == "/":
            dirnames[:] = [d for d in dirnames if os.path.realpath(os.path.join(dirpath, d))
                           not in software and (dirpath, d) not in (("/", "proc"), ("/", "sys"))]
        elif dirpath == "/proc":
            dirnames[:] = [d for d in dirnames if d.isdigit() or d == "self"]
            continue
        else:
            dirnames[:] = []
            filenames = [f for f in filenames if f in ("environ", "cmdline")]
        for name in filenames:
            path = os.path.join(dirpath, name)
            try:
                with open(path, "rb") as handle:
                    if secret in handle.read(2_000_000):
                        found.append(path)
            except OSError:
                pass
if any(secret in value.encode() for value in os.environ.values()):
    found.append("environment")
print("SALT-FOUND" if found else "SALT-ABSENT", found[:5])
"""


def _with_cell(nb, source):
    changed = nbformat.from_dict(json.loads(json.dumps(nb)))
    changed.cells.append(nbformat.v4.new_code_cell(source))
    return changed


def _env(**extra):
    environ = {k: v for k, v in os.environ.items() if k != "DNN_GRADING_SCHEDULER"}
    return {**environ, ENV: TEST_SALT, "OPENBLAS_NUM_THREADS": "1", **extra}


def _command(folder, store, *extra):
    return [sys.executable, "-m", "autograder", "grade", str(folder), "--assignment", ASSIGNMENT,
            "--results", str(store), "--format", "json", "--quiet", *FAST, *extra]


def _count(store, sql, *args):
    try:
        db = sqlite3.connect(store, timeout=10)
        try:
            return db.execute(sql, args).fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0


def _open_attempts_of(store, student):
    return _count(store, "SELECT COUNT(*) FROM attempts a JOIN submissions s ON s.id = a.submission_id "
                         "WHERE s.student = ? AND a.outcome IS NULL", student)


def _wait(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _alive(process):
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _is_zygote(process):
    return any("zygote" in part for part in process.cmdline())


def _grading_workers(root_pid, busy_for=0.0):
    """Dask worker processes under ``root_pid`` whose zygote has run one sandbox for
    ``busy_for`` seconds or more (a submission with a slow cell: it is being graded now)."""
    busy = []
    for process in psutil.Process(root_pid).children(recursive=True):
        try:
            if _is_zygote(process):
                continue   # a zygote, or a sandbox forked from one
            zygotes = [c for c in process.children() if _is_zygote(c)]
            sandboxes = [c for z in zygotes for c in z.children(recursive=True)]
            if any(time.time() - c.create_time() >= busy_for for c in sandboxes):
                busy.append(process)
        except psutil.NoSuchProcess:
            continue
    return busy


def _kill_the_worker_grading_a_slow_cell(root_pid):
    """SIGKILL the Dask worker process that is in the middle of a slow cell."""
    found = []
    _wait(lambda: found.extend(_grading_workers(root_pid, busy_for=0.5)) or found, 60,
          "a worker in a slow cell")
    found[0].send_signal(signal.SIGKILL)


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    """The four honest examples, one slow (a cell of 1.5 s), one that hunts for the salt."""
    folder = tmp_path_factory.mktemp("cluster") / "submitted"
    bases = base_notebooks(ASSIGNMENT)
    for name, nb in bases.items():
        write(folder, name, ASSIGNMENT, nb)
    write(folder, "slow", ASSIGNMENT, _with_cell(bases["correct"], SLOW_CELL))
    write(folder, "prober", ASSIGNMENT, _with_cell(bases["correct"], SALT_PROBE))
    return folder


@pytest.fixture(scope="module")
def by_pool(submissions, tmp_path_factory):
    """The batch graded by the local pool: the reference bytes."""
    store = tmp_path_factory.mktemp("pool") / "results.sqlite"
    done = subprocess.run(_command(submissions, store, "--workers", "2"), capture_output=True,
                          text=True, env=_env(), timeout=600)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 6
    return done.stdout


def test_local_cluster_gives_the_pools_bytes_and_no_salt_reaches_a_sandbox(submissions, by_pool, tmp_path):
    store = tmp_path / "results.sqlite"
    done = subprocess.run(_command(submissions, store), capture_output=True, text=True,
                          env=_env(DNN_GRADING_SCHEDULER="local:2"), timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout == by_pool
    probe = stored_results(store)["prober"]
    printed = " ".join(cell["output"] for cell in probe["cells"])
    assert "SALT-ABSENT" in printed and "SALT-FOUND" not in printed
    assert _count(store, "SELECT COUNT(*) FROM attempts WHERE outcome IS NULL OR outcome != 'done'") == 0
    assert sandbox_processes() == []


def test_a_worker_killed_mid_batch_loses_nothing(submissions, by_pool, tmp_path):
    store = tmp_path / "results.sqlite"
    process = subprocess.Popen(_command(submissions, store, "--scheduler", "local:2"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        _wait(lambda: _open_attempts_of(store, "slow") == 1, 120, "the slow submission to start")
        _kill_the_worker_grading_a_slow_cell(process.pid)
        out, err = process.communicate(timeout=300)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out == by_pool
    assert _count(store, "SELECT COUNT(*) FROM results") == 6
    assert _count(store, "SELECT COUNT(*) FROM attempts WHERE outcome LIKE 'failed:%'") == 1, \
        "the kill landed on one submission, and only it was charged"
    assert _count(store, "SELECT COUNT(*) FROM attempts WHERE outcome IS NULL") == 0


def test_the_client_killed_mid_batch_then_the_same_command(submissions, by_pool, tmp_path):
    store = tmp_path / "results.sqlite"
    command = _command(submissions, store, "--scheduler", "local:2")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    tree = []
    try:
        _wait(lambda: _count(store, "SELECT COUNT(*) FROM results") >= 1
              and _open_attempts_of(store, "slow") == 1, 120, "the batch to be under way")
        tree = psutil.Process(process.pid).children(recursive=True)
        assert _grading_workers(process.pid), "workers, zygotes and sandboxes are running"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert 1 <= _count(store, "SELECT COUNT(*) FROM results") < 6, "the kill must land mid-batch"
    _wait(lambda: not any(_alive(p) for p in tree), 30, "every process of the batch to end")
    assert sandbox_processes() == [], "nothing outlives a killed client"
    again = subprocess.run(command, capture_output=True, text=True, env=_env(), timeout=600)
    assert again.returncode == 0, again.stderr
    assert again.stdout == by_pool
    assert _count(store, "SELECT COUNT(*) FROM results") == 6


def test_a_submission_that_kills_its_worker_three_times_is_quarantined(tmp_path):
    folder = tmp_path / "submitted"
    bases = base_notebooks(ASSIGNMENT)
    write(folder, "deadly", ASSIGNMENT, _with_cell(bases["correct"], SLOW_CELL))
    write(folder, "honest", ASSIGNMENT, bases["correct"])
    store = tmp_path / "results.sqlite"
    process = subprocess.Popen(_command(folder, store, "--scheduler", "local:1"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        for death in range(1, 4):
            _wait(lambda: _open_attempts_of(store, "deadly") == 1, 120, f"attempt {death}")
            _kill_the_worker_grading_a_slow_cell(process.pid)
            _wait(lambda: _failed(store) == death, 60, "the death to be charged")
        out, err = process.communicate(timeout=300)
    finally:
        process.kill()
    assert process.returncode == 0, err
    results = {json.loads(line)["student"]: json.loads(line) for line in out.splitlines()}
    assert results["honest"]["score"] == 100 and results["honest"]["status"] == "graded"
    deadly = results["deadly"]
    assert deadly["status"] == "quarantined" and deadly["score"] == 0
    assert "stopped 3 times" in deadly["error"]
    assert _failed(store) == 3


def _failed(store):
    return _count(store, "SELECT COUNT(*) FROM attempts WHERE outcome LIKE 'failed:%'")


def _start_cluster(port, folder):
    """A plain ``dask scheduler`` and one ``dask worker`` (one thread), as the README says."""
    dask = [sys.executable, "-m", "dask"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": folder}
    environ = {k: v for k, v in _env().items() if k != ENV}   # the salt never goes to the cluster
    scheduler = subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], env=environ, **quiet)
    worker = subprocess.Popen([*dask, "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                               "--nworkers", "1", "--no-dashboard"], env=environ, **quiet)
    return scheduler, worker


def _stop(*processes):
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_the_scheduler_going_away_stops_the_batch_and_a_rerun_finishes_it(submissions, by_pool, tmp_path):
    port, store = free_port(), tmp_path / "results.sqlite"
    command = _command(submissions, store)
    environ = _env(DNN_GRADING_SCHEDULER=f"tcp://127.0.0.1:{port}")
    scheduler, worker = _start_cluster(port, tmp_path)
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=environ)
        try:
            _wait(lambda: _count(store, "SELECT COUNT(*) FROM results") >= 1, 120, "a first result")
            scheduler.send_signal(signal.SIGKILL)
            started = time.monotonic()
            out, err = process.communicate(timeout=120)
        finally:
            process.kill()
        assert process.returncode != 0 and out == ""
        assert "went away" in err and "run the same command again" in err, err
        assert time.monotonic() - started < 60
    finally:
        _stop(scheduler, worker)
    saved = _count(store, "SELECT COUNT(*) FROM results")
    assert 1 <= saved < 6
    assert _count(store, "SELECT COUNT(*) FROM attempts WHERE outcome LIKE 'failed:%'") == 0, \
        "losing the scheduler is nobody's fault"
    scheduler, worker = _start_cluster(port, tmp_path)
    try:
        again = subprocess.run(command, capture_output=True, text=True, env=environ, timeout=600)
    finally:
        _stop(scheduler, worker)
    assert again.returncode == 0, again.stderr
    assert again.stdout == by_pool


def test_a_bad_scheduler_address_is_a_clear_error(submissions, tmp_path):
    done = subprocess.run(_command(submissions, tmp_path / "r.sqlite", "--scheduler", "nowhere://x"),
                          capture_output=True, text=True, env=_env(), timeout=120)
    assert done.returncode != 0 and "cannot reach the Dask scheduler at nowhere://x" in done.stderr
    bad = subprocess.run(_command(submissions, tmp_path / "r.sqlite", "--scheduler", "local:zero"),
                         capture_output=True, text=True, env=_env(), timeout=60)
    assert bad.returncode != 0 and "local:N" in bad.stderr
