"""The results store: one SQLite file, written by one process, in transactions (WAL).

Tables:

- ``submissions``: one row per notebook as it arrived, keyed by assignment,
  path, hash of the bytes and arrival time; the raw bytes are kept, so an
  invalid file can be looked at later;
- ``results``: the graded result (JSON) of a submission under a grading
  configuration (``config``: the salt's fingerprint and the grader's version);
- ``attempts``: a row is written before a submission is handed to a worker
  and closed with its result, or with ``failed: ...`` when its worker died or
  ran past its deadline while the grader was alive (the submission's doing: a
  worker grades one submission at a time), or ``interrupted: ...`` when the
  grader itself stopped. Attempts never closed are what a killed grader leaves
  behind; the next run closes them as interrupted. Only failed attempts count:
  a submission with ``QUARANTINE_AFTER`` of them is quarantined instead of
  being tried again.

Writing a result and closing its attempt happen in one transaction, so a
grader killed at any moment leaves either both or neither.
"""
import datetime
import json
import os
import sqlite3

QUARANTINE_AFTER = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    assignment TEXT NOT NULL,
    path TEXT NOT NULL,
    student TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    arrived TEXT NOT NULL,
    raw BLOB NOT NULL,
    UNIQUE (assignment, path, sha256, arrived)
);
CREATE TABLE IF NOT EXISTS results (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    config TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    result TEXT NOT NULL,
    graded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    config TEXT NOT NULL,
    started_at TEXT NOT NULL,
    outcome TEXT
);
CREATE INDEX IF NOT EXISTS attempts_open ON attempts (submission_id, config) WHERE outcome IS NULL;
"""


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


class Store:
    """The results of every submission graded into one file."""

    def __init__(self, path):
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, mode=0o700, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        os.chmod(path, 0o600)
        self.db.execute("PRAGMA journal_mode=WAL")
        # NORMAL: in WAL mode a commit survives the grader being killed at any moment; only a
        # power cut can lose the last commits, and those submissions are then simply graded again
        # (their attempt rows are lost with them, so nothing is counted twice).
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(_SCHEMA)

    def close(self):
        self.db.close()

    def descriptors(self):
        """This process's open descriptors of the store's files (the database, its WAL and
        shared memory), which a forked child must let go of."""
        prefix = os.path.realpath(self.path)
        found = []
        for name in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink(f"/proc/self/fd/{name}")
            except OSError:
                continue
            if target == prefix or target.startswith(prefix + "-"):
                found.append(int(name))
        return found

    def close_open_attempts(self, outcome):
        """Close every attempt left open by a grader that was killed (they never count)."""
        with self._transaction():
            self.db.execute("UPDATE attempts SET outcome=? WHERE outcome IS NULL", (outcome,))

    def _transaction(self):
        return _Transaction(self.db)

    def add(self, submission, assignment):
        """The id of the submission's row, added when new (same key: same row)."""
        return self.add_all([submission], assignment)[0]

    def add_all(self, submissions, assignment):
        """The ids of the submissions' rows, in order, new ones added in one transaction."""
        ids = []
        with self._transaction():
            for item in submissions:
                key = (assignment, item.path, item.sha256, item.arrived)
                self.db.execute(
                    "INSERT OR IGNORE INTO submissions (assignment, path, sha256, arrived, student, raw) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (*key, item.student, item.raw))
                (row,) = self.db.execute(
                    "SELECT id FROM submissions WHERE assignment=? AND path=? AND sha256=? AND arrived=?",
                    key).fetchone()
                ids.append(row)
        return ids

    def result(self, submission_id, config):
        """The stored result dict under ``config``, or None."""
        row = self.db.execute("SELECT result FROM results WHERE submission_id=? AND config=?",
                              (submission_id, config)).fetchone()
        return json.loads(row[0]) if row else None

    def open_attempts(self, submission_id, config):
        """How many times grading this submission started and never finished."""
        return self.db.execute(
            "SELECT COUNT(*) FROM attempts WHERE submission_id=? AND config=? AND outcome IS NULL",
            (submission_id, config)).fetchone()[0]

    def start_attempt(self, submission_id, config):
        """Record that grading starts; returns the attempt id."""
        with self._transaction():
            cursor = self.db.execute(
                "INSERT INTO attempts (submission_id, config, started_at) VALUES (?, ?, ?)",
                (submission_id, config, _now()))
        return cursor.lastrowid

    def fail_attempt(self, attempt_id, why):
        """Close an attempt that ended without a result (the worker died): it still counts."""
        self.close_attempt(attempt_id, f"failed: {why}")

    def close_attempt(self, attempt_id, outcome):
        """Close an attempt that ended for a reason that is not the submission's (not counted)."""
        with self._transaction():
            self.db.execute("UPDATE attempts SET outcome=? WHERE id=?", (outcome, attempt_id))

    def failed_attempts(self, submission_id, config):
        """Attempts whose worker died or overran while grading this submission alone; attempts
        cut short by the grader stopping (open, or closed as interrupted) are not counted."""
        return self.db.execute(
            "SELECT COUNT(*) FROM attempts WHERE submission_id=? AND config=? "
            "AND outcome LIKE 'failed:%'", (submission_id, config)).fetchone()[0]

    def save(self, submission_id, config, result, attempt_id=None):
        """Store ``result`` (replacing an older one) and close the attempt, atomically."""
        with self._transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO results (submission_id, config, status, score, max_score, "
                "result, graded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (submission_id, config, result["status"], result["score"], result["max_score"],
                 json.dumps(result, sort_keys=True), _now()))
            if attempt_id is not None:
                self.db.execute("UPDATE attempts SET outcome='done' WHERE id=?", (attempt_id,))

    def latest(self, assignment):
        """The newest result of each path of an assignment, as dicts, sorted by path."""
        rows = self.db.execute(
            "SELECT s.path, r.result FROM submissions s JOIN results r ON r.submission_id = s.id "
            "WHERE s.assignment=? ORDER BY s.path, s.arrived, r.graded_at", (assignment,)).fetchall()
        newest = {}
        for path, text in rows:
            newest[path] = json.loads(text)
        return [newest[p] for p in sorted(newest)]


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on an exception."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, traceback):
        self.db.execute("ROLLBACK" if kind else "COMMIT")
        return False
