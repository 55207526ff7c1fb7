"""End to end with the real grader: part of the synthetic class is graded by
``python -m autograder grade`` (sandboxes, the lead's per-case results), then
``python -m autograder report`` is run on that store. The report must find
what was planted in code the grader really ran, not only in synthetic results."""
import subprocess
import sys

import pytest

from autograder.insight import load, render, synthetic
from batch_tools import FAST, grade, write


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("insight_grader")
    plan = synthetic.plan_class(honest=0)
    chosen = [*plan.copied_pair, *plan.unnamed_group, *plan.planted["compute_cost"]["compute_cost_no_mean"][:2],
              *plan.planted["compute_cost"]["compute_cost_sign"]]
    folders = {}
    for student in chosen:
        folders[student] = student if student.isidentifier() else "hostile_student"
        write(folder / "submitted", folders[student], synthetic.ASSIGNMENT,
              synthetic.notebook(plan.students[student]))
    store = folder / "grading" / "results.sqlite"
    grade([folder / "submitted"], synthetic.ASSIGNMENT, store, *FAST, "--workers", "2", "--quiet")
    done = subprocess.run([sys.executable, "-m", "autograder", "report", "--assignment", synthetic.ASSIGNMENT,
                           "--results", str(store), "--out", str(folder / "insight")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    values = render.context(load.load(str(store), synthetic.ASSIGNMENT), synthetic.ASSIGNMENT,
                            load.find_release(synthetic.ASSIGNMENT))
    return plan, folders, values, done.stdout.strip()


def test_report_on_really_graded_submissions(graded):
    plan, folders, values, page = graded
    named = {m.name: [(n.name, len(n.students)) for n in m.ranked] for m in values["mistakes"]}
    assert named["compute_cost"] == [("compute_cost_no_mean", 2), ("compute_cost_sign", 1)]
    assert values["has_cases"], "the grader's results carry per-case results"
    groups = [(g.exercise, g.students) for g in values["groups"]]
    assert ("linear_backward", sorted(folders[s] for s in plan.unnamed_group)) in groups
    copied = tuple(folders[s] for s in plan.copied_pair)
    assert [p.students for p in values["outputs"].pairs] == [copied]
    assert copied in [p.students for p in values["code"].pairs]
    assert page.endswith("step_by_step_insight.html")
