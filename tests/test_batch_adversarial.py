"""The batch grader against faulty, malicious and malformed submissions, all in one real batch.

Every attack must get its honest baseline score and the expected kind of
message; the honest neighbours in the same batch must get exactly what they
get when graded alone; no file outside the output folder may change and no
process may be left behind.
"""
import json
import os

import nbformat
import pytest

from batch_attacks import ATTACKS
from batch_tools import (FAST, base_notebooks, grade, points, sandbox_processes, stored_results,
                         tree_state, write)
from notebook_tools import ROOT

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="full isolation needs root (as on CI)")
ASSIGNMENT = "step_by_step"
WATCHED = ("source", "release", "dnn_utils", "autograder", "testcases")


def _fill(code, **values):
    for key, value in values.items():
        code = code.replace("{" + key + "}", str(value))
    return code


def _build(attack, folder, bases, other, canary, store):
    fill = {"repo": ROOT, "store": store, "canary": canary}
    if attack.raw == "application":
        return write(folder, attack.name, ASSIGNMENT, other)
    if attack.raw is not None:
        return write(folder, attack.name, ASSIGNMENT, attack.raw)
    nb = nbformat.from_dict(json.loads(json.dumps(bases[attack.base])))
    for function, code in attack.answer.items():
        cell = next(c for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == f"{function}_answer")
        cell.source = _fill(code, **fill)
    if attack.cell:
        nb.cells.append(nbformat.v4.new_code_cell(_fill(attack.cell, **fill)))
    if attack.edit:
        attack.edit(nb)
    path = write(folder, attack.name, ASSIGNMENT, nb, attack.filename or None)
    for name, text in attack.files.items():
        (path.parent / name).write_text(text)
    return path


def _sleepers():
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if handle.read().split(b"\0")[:2] == [b"sleep", b"300"]:
                        found.append(int(entry))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("adversarial")
    folder, canary, out = root / "submissions", root / "canary", root / "out"
    canary.mkdir()
    out.mkdir()
    store = out / "results.sqlite"
    bases = base_notebooks(ASSIGNMENT)
    other = base_notebooks("application")["correct"]
    for name in ("correct", "partly_wrong"):
        write(folder, f"honest_{name}", ASSIGNMENT, bases[name])
    for attack in ATTACKS:
        _build(attack, folder, bases, other, canary, store)
    before_repo = {d: tree_state(ROOT / d, skip=("__pycache__",)) for d in WATCHED}
    before_submissions = tree_state(folder)
    sleepers_before = set(_sleepers())
    found, done = grade([folder], ASSIGNMENT, store, *FAST, "--workers", "2")
    alone_folder = root / "alone"
    for name in ("correct", "partly_wrong"):
        write(alone_folder, f"honest_{name}", ASSIGNMENT, bases[name])
    alone, _ = grade([alone_folder], ASSIGNMENT, root / "alone-out" / "results.sqlite", *FAST)
    full = stored_results(store)
    assert set(full) == set(found)
    return {"results": full, "alone": alone, "canary": canary, "store": store, "stderr": done.stderr,
            "repo_changed": [d for d in WATCHED
                             if tree_state(ROOT / d, skip=("__pycache__",)) != before_repo[d]],
            "submissions_changed": tree_state(folder) != before_submissions,
            "sleepers": set(_sleepers()) - sleepers_before, "processes": sandbox_processes()}


def test_there_are_at_least_forty_attacks():
    assert len(ATTACKS) >= 40 and len({a.name for a in ATTACKS}) == len(ATTACKS)


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack_gets_its_honest_baseline(batch, attack):
    result = batch["results"][attack.name]
    assert result["score"] == pytest.approx(attack.score, abs=1e-9), json.dumps(result, indent=1)[:4000]
    assert result["max_score"] == 100
    assert attack.category(result), f"expected: {attack.category.__doc__}\n" + json.dumps(result)[:4000]


@pytest.mark.parametrize("name", ["correct", "partly_wrong"])
def test_honest_neighbours_are_unaffected(batch, name):
    student = f"honest_{name}"
    mixed, alone = batch["results"][student], batch["alone"][student]
    assert points(mixed) == points(alone)
    assert [e["message"] for e in mixed["exercises"]] == [e["message"] for e in alone["exercises"]]
    assert mixed["score"] == {"correct": 100, "partly_wrong": 80}[name]


def test_nothing_outside_the_output_folder_changed(batch):
    assert list(batch["canary"].iterdir()) == []
    assert batch["repo_changed"] == [], "changed while the batch ran (nothing else may write there)"
    assert not batch["submissions_changed"]
    assert not (ROOT / "written-by-submission").exists()
    assert not os.path.exists("/tmp/written-by-submission")


def test_no_process_is_left_behind(batch):
    assert batch["processes"] == []
    assert batch["sleepers"] == set()


def test_results_store_holds_exactly_one_result_per_submission(batch):
    import sqlite3
    db = sqlite3.connect(batch["store"])
    (count,) = db.execute("SELECT COUNT(*) FROM results").fetchone()
    (distinct,) = db.execute("SELECT COUNT(DISTINCT submission_id) FROM results").fetchone()
    assert count == distinct == len(ATTACKS) + 2
    scores = dict(db.execute("SELECT s.student, r.score FROM results r JOIN submissions s "
                             "ON s.id = r.submission_id").fetchall())
    assert scores["writes_results_store"] == 100 and scores["honest_partly_wrong"] == 80


def test_raw_bytes_of_invalid_notebooks_are_kept(batch):
    import sqlite3
    db = sqlite3.connect(batch["store"])
    raw = dict(db.execute("SELECT student, raw FROM submissions").fetchall())
    assert raw["invalid_json"] == b'{"cells": [ {"cell_type": '
    assert raw["not_utf8"].endswith(b'"\xff\xfe"}')


def test_summary_reports_full_isolation(batch):
    assert "namespaces, private file system, own user" in batch["stderr"]

