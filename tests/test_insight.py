"""The course insight report on a synthetic class whose facts were planted (autograder.insight.synthetic).

The class is written straight into a results store (results in the grader's
schema, per-case outputs included), and the report is built by the real
command line. What it must find: the planted mistakes ranked by their planted
counts, the group of three identical unnamed wrong answers, the copied pair
(code and rare wrong outputs) and nothing else; every piece of student text
escaped; older results without per-case outputs still reported.
"""
import json
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from autograder import assignments, cli, insight
from autograder.insight import load, render, similarity, synthetic

ASSIGNMENT = synthetic.ASSIGNMENT
EXERCISES = assignments.exercises(ASSIGNMENT)


def run_report(store, out, *extra):
    return subprocess.run([sys.executable, "-m", "autograder", "report", "--assignment", ASSIGNMENT,
                           "--results", str(store), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(plan, store path, report path, the report's computed values) for the synthetic class."""
    folder = tmp_path_factory.mktemp("insight")
    plan = synthetic.plan_class()
    store = folder / "results.sqlite"
    synthetic.write_store(plan, store)
    done = run_report(store, folder / "out")
    assert done.returncode == 0, done.stderr
    page = Path(done.stdout.strip())
    assert page == folder / "out" / f"{ASSIGNMENT}_insight.html"
    values = render.context(load.load(str(store), ASSIGNMENT, set(EXERCISES)), ASSIGNMENT,
                            load.find_release(ASSIGNMENT))
    return plan, store, page, values


def test_named_mistakes_ranked_by_planted_counts(built):
    plan, _, _, values = built
    shown = {m.name: m for m in values["mistakes"]}
    for exercise, planted in plan.planted.items():
        expected = sorted(planted.items(), key=lambda item: (-len(item[1]), item[0]))
        ranked = shown[exercise].ranked
        assert [(n.name, n.students) for n in ranked] == [(m, sorted(who)) for m, who in expected]
        messages = {m.name: m.message for m in EXERCISES[exercise].mistakes}
        assert all(n.message == messages[n.name] for n in ranked)
    untouched = set(synthetic.PLANTED) | {"linear_backward"}
    assert all(not m.ranked for m in values["mistakes"] if m.name not in untouched)


def test_unnamed_share_counts_wrong_answers_without_a_name(built):
    plan, _, _, values = built
    shown = {m.name: m for m in values["mistakes"]}
    backward = shown["linear_backward"]
    # 3 planted catalogue mistakes and 3 unnamed ones; the untouched stub is not attempted
    assert (backward.wrong, backward.unnamed) == (6, 3)
    assert (shown["update_parameters"].wrong, shown["update_parameters"].unnamed) == (7, 0)
    # the timed-out L_model_backward is wrong and names nothing
    assert (shown["L_model_backward"].wrong, shown["L_model_backward"].unnamed) == (1, 1)


def test_scores_and_outcomes_per_exercise(built):
    plan, _, _, values = built
    rows = {r["name"]: r for r in values["per_exercise"]}
    students = len(plan.students)
    assert values["submissions"] == students
    for name, row in rows.items():
        assert sum(row["counts"].values()) == students
        assert row["counts"]["not attempted"] == 1     # the untouched release
        kinds = Counter(answers[name].kind for answers in plan.students.values())
        assert row["counts"]["full"] == kinds["right"]
    assert rows["L_model_backward"]["counts"]["timed out"] == 1
    assert rows["linear_backward"]["counts"]["zero"] == 6      # 3 named, 3 unnamed mistakes
    assert rows["compute_cost"]["counts"]["zero"] == 5
    assert rows["linear_activation_forward"]["counts"]["partial"] == 2   # the copied leaky ReLU


def test_the_group_of_three_comes_first(built):
    plan, _, _, values = built
    groups = values["groups"]
    assert (groups[0].exercise, groups[0].students) == ("linear_backward", sorted(plan.unnamed_group))
    author = groups[0].representative_of
    assert groups[0].representative == plan.students[author]["linear_backward"].code
    # the copied leaky ReLU is the only other group
    assert [(g.exercise, g.students) for g in groups[1:]] == [
        ("linear_activation_forward", sorted(plan.copied_pair))]


def test_similarity_finds_the_copied_pair_and_no_honest_one(built):
    plan, _, _, values = built
    code_pairs = [p.students for p in values["code"].pairs]
    output_pairs = [p.students for p in values["outputs"].pairs]
    assert code_pairs == [plan.copied_pair]
    assert output_pairs == [plan.copied_pair]
    flagged = {e.exercise for e in values["code"].pairs[0].evidence}
    assert flagged == {"L_model_forward", "linear_activation_forward"}
    # LSH proposed few candidates: not all pairs of answers were compared
    answers = len(plan.students) * len(EXERCISES)
    assert values["code"].candidates < answers // 10


def test_the_page_marks_shared_code_and_calls_pairs_leads(built):
    _, _, page, _ = built
    text = page.read_text(encoding="utf-8")
    assert "leads for a person to review, never verdicts" in text
    assert "<mark>" in text and "all_caches" in text and "history" in text


def test_student_text_is_escaped(built):
    _, _, page, _ = built
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text and "onerror=alert" not in text.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in text
    assert "&lt;/pre&gt;&lt;script&gt;alert(&#39;code&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in text


def test_no_external_resource_in_the_page(built):
    _, _, page, _ = built
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text
    assert text.count('src="data:image/png;base64,') == 4


def test_case_family_pass_rates(built):
    plan, _, _, values = built
    rows = {(r.exercise, r.family): r for r in values["family_rows"]}
    attempted = len(plan.students) - 1
    documented = rows[("linear_backward", "documented example")]
    # failing the documented example: 3 named mistakes and 3 unnamed answers
    assert (documented.passed, documented.total) == (attempted - 6, attempted)
    leaky = rows[("linear_activation_forward", "second documented example")]
    assert (leaky.passed, leaky.total) == (attempted - 2, attempted)
    leaky_hidden = rows[("linear_activation_forward", "hidden: other shapes")]
    assert (leaky_hidden.passed, leaky_hidden.total) == (2 * attempted, 2 * attempted)
    deeper = rows[("linear_backward", "hidden: deeper network")]
    assert deeper.hidden and (deeper.passed, deeper.total) == (attempted - 6, attempted)


def test_release_text_alone_never_makes_a_pair():
    """Two students who kept all of the release's text (docstrings, comments, helper code) and
    wrote short answers of their own: no pair; without the release removed, the same pair is flagged."""
    plan = synthetic.plan_class(honest=8)
    release = load.find_release(ASSIGNMENT)
    stub = release.answers["L_model_backward"]
    helper = "\n".join(cell for cell in release.code if "def " in cell and "_answer" not in cell)[:3000]
    padding = "\n".join(release.code[:6])
    mine = ["    grads = {}\n    return grads\n", "    out = dict()\n    out['dA0'] = AL * 0\n    return out\n"]
    submissions = []
    for index, (name, answers) in enumerate(plan.students.items()):
        code = {n: a.code for n, a in answers.items()}
        if index < 2:
            code["L_model_backward"] = (padding + "\n" + helper + "\n" +
                                        stub.replace("    raise NotImplementedError()\n", mine[index]))
        submissions.append(load.Submission(name, f"{name}.ipynb", {"exercises": []}, code))
    with_release = similarity.CodeSimilarity(submissions, EXERCISES, release).run()
    assert [p.students for p in with_release] == [plan.copied_pair]
    blind = similarity.CodeSimilarity(submissions, EXERCISES, load.Release({}, [], "")).run()
    assert (submissions[0].student, submissions[1].student) in [p.students for p in blind]


def test_older_results_without_case_results(tmp_path, built):
    plan, store, _, _ = built
    old = tmp_path / "old.sqlite"
    old.write_bytes(store.read_bytes())
    db = sqlite3.connect(old)
    for row_id, text in db.execute("SELECT submission_id, result FROM results").fetchall():
        result = json.loads(text)
        for entry in result["exercises"]:
            del entry["case_results"]
        db.execute("UPDATE results SET result=? WHERE submission_id=?", (json.dumps(result), row_id))
    db.commit()
    db.close()
    values = render.context(load.load(str(old), ASSIGNMENT), ASSIGNMENT, load.find_release(ASSIGNMENT))
    text = render.render(values)
    assert "carry no per-case outputs" in text and "grade again" in text
    assert text.count('src="data:image/png;base64,') == 3
    assert values["groups"] == [] and values["outputs"].pairs == []
    assert [p.students for p in values["code"].pairs] == [plan.copied_pair]
    ranked = {m.name: [n.name for n in m.ranked] for m in values["mistakes"]}
    assert ranked["update_parameters"] == ["update_parameters_no_rate", "update_parameters_sign"]


def test_unreadable_submissions_are_noted_not_fatal(tmp_path):
    plan = synthetic.plan_class(honest=4)
    store = tmp_path / "results.sqlite"
    broken = synthetic.result("broken", "submitted/broken/x.ipynb", next(iter(plan.students.values())))
    synthetic.write_store(plan, store, extra=[("not_json", b"\x00\xffnot a notebook", broken),
                                             ("list_json", b"[1, 2, 3]", broken)])
    db = sqlite3.connect(store)
    db.execute("UPDATE results SET result='{broken' WHERE submission_id=(SELECT MAX(submission_id) "
               "FROM results)")
    db.commit()
    db.close()
    text = insight.build(str(store), ASSIGNMENT, tmp_path / "out").read_text(encoding="utf-8")
    assert "not_json (submitted/not_json/step_by_step/step_by_step.ipynb): the submitted file is not a notebook" in text
    assert "the stored result could not be read" in text


def test_missing_store_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["report", "--assignment", ASSIGNMENT, "--results", str(tmp_path / "nothing.sqlite"),
                  "--out", str(tmp_path / "out")])
    assert "no results store at" in str(stopped.value.code)
    assert not (tmp_path / "out").exists()


def test_missing_release_given_is_a_clear_error(tmp_path, built):
    _, store, _, _ = built
    with pytest.raises(SystemExit) as stopped:
        cli.main(["report", "--assignment", ASSIGNMENT, "--results", str(store), "--out",
                  str(tmp_path / "out"), "--release", str(tmp_path / "none.ipynb")])
    assert "no release notebook at" in str(stopped.value.code)


def _compiled(code, name):
    namespace = {}
    exec("import copy\nimport numpy as np\nfrom dnn_utils.activations import *\n"
         "from dnn_utils.step_by_step import *\n", namespace)
    exec(code, namespace)
    return namespace[name]


def test_planted_answers_are_what_the_checker_says():
    """The synthetic results claim what the real checker finds for the planted code (hidden cases
    included): named mistakes are named, the unnamed ones are not, the copies score as planted."""
    from conftest import run_check
    plan = synthetic.plan_class(honest=2)
    for exercise, planted in plan.planted.items():
        messages = {m.name: m.message for m in EXERCISES[exercise].mistakes}
        for mistake_name, who in planted.items():
            for student in who:
                points, report = run_check(_compiled(plan.students[student][exercise].code, exercise))
                assert points == 0 and messages[mistake_name] in report, (student, report)
    catalogue = [m.message for m in EXERCISES["linear_backward"].mistakes]
    for student in plan.unnamed_group:
        points, report = run_check(_compiled(plan.students[student]["linear_backward"].code,
                                             "linear_backward"))
        assert points == 0 and not any(message in report for message in catalogue)
    for student in plan.copied_pair:
        answers = plan.students[student]
        assert run_check(_compiled(answers["L_model_forward"].code, "L_model_forward"))[0] == 15
        leaky = answers["linear_activation_forward"]
        points, _ = run_check(_compiled(leaky.code, "linear_activation_forward"))
        assert points == pytest.approx(10 * len(leaky.passing) / 6, abs=1e-3)


def test_only_the_newest_submission_of_a_path_counts(tmp_path):
    plan = synthetic.plan_class(honest=4)
    student = next(iter(plan.students))
    answers = dict(plan.students[student])
    answers["compute_cost"] = synthetic.with_mistake(answers["compute_cost"], "compute_cost",
                                                     "compute_cost_sign")
    path = f"submitted/{student}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    raw = synthetic.nbformat.writes(synthetic.notebook(answers)).encode()
    store = tmp_path / "results.sqlite"
    synthetic.write_store(plan, store, extra=[(student, raw, synthetic.result(student, path, answers),
                                               "2026-12-02T09:00:00Z")])
    found = load.load(str(store), ASSIGNMENT)
    assert len(found) == len(plan.students)
    mine = [s for s in found if s.student == student]
    assert len(mine) == 1 and mine[0].answers["compute_cost"] == answers["compute_cost"].code


def test_parallel_paths_give_the_same_report(built, monkeypatch):
    """Large classes are read and compared in forked workers: same submissions, same pairs."""
    plan, store, _, values = built
    alone = load.load(str(store), ASSIGNMENT, set(EXERCISES))
    monkeypatch.setattr(load, "PARALLEL_FROM", 1)
    monkeypatch.setattr(similarity, "PARALLEL_FROM", 1)
    forked = load.load(str(store), ASSIGNMENT, set(EXERCISES))
    assert len(forked) == len(plan.students)
    assert [(s.student, s.path, s.answers, s.result) for s in forked] == \
        [(s.student, s.path, s.answers, s.result) for s in alone]
    code = similarity.CodeSimilarity(forked, EXERCISES, load.find_release(ASSIGNMENT))
    assert [p.students for p in code.run()] == [p.students for p in values["code"].pairs]
    assert code.candidates == values["code"].candidates


def test_malformed_result_fields_do_not_break_the_report(tmp_path):
    """Odd values in stored results (a damaged or foreign store) are skipped or shown as text."""
    plan = synthetic.plan_class(honest=4)
    student = "odd"
    answers = next(iter(plan.students.values()))
    found = synthetic.result(student, "x", answers)
    first, second = found["exercises"][0], found["exercises"][1]
    first.update(points="abc", max_points=None, mistakes="compute_cost_sign", status=7)
    first["case_results"] = [{"index": "x", "hidden": True, "family": "$\\frac{1}{0}$ <b>bold</b>",
                              "passed": False, "stage": None, "output_digest": None},
                             {"index": 2, "hidden": "yes", "passed": "no"}, "not a dict"]
    second["case_results"] = {"not": "a list"}
    found["exercises"].append("not a dict")
    raw = synthetic.nbformat.writes(synthetic.notebook(answers)).encode()
    store = tmp_path / "results.sqlite"
    synthetic.write_store(plan, store, extra=[(student, raw, found)])
    values = render.context(load.load(str(store), ASSIGNMENT), ASSIGNMENT, load.find_release(ASSIGNMENT))
    text = render.render(values)
    assert "$\\frac{1}{0}$ &lt;b&gt;bold&lt;/b&gt;" in text
    assert "<b>bold" not in text
    shown = {m.name: m for m in values["mistakes"]}
    assert student not in [s for n in shown["initialize_parameters"].ranked for s in n.students]


def test_the_page_shows_the_largest_groups_only(built, monkeypatch):
    plan, store, _, _ = built
    monkeypatch.setattr(render, "MAX_GROUPS", 1)
    values = render.context(load.load(str(store), ASSIGNMENT), ASSIGNMENT, load.find_release(ASSIGNMENT))
    assert [g.students for g in values["groups"]] == [sorted(plan.unnamed_group)]
    assert values["more_groups"] == 1
    assert "1 smaller groups not shown." in render.render(values)


def test_an_assignment_with_no_results_gives_an_empty_report(tmp_path):
    from autograder.batch.store import Store
    Store(str(tmp_path / "results.sqlite")).close()
    path = insight.build(str(tmp_path / "results.sqlite"), "optimization", tmp_path / "out")
    text = path.read_text(encoding="utf-8")
    assert path.name == "optimization_insight.html" and "0 submissions" in text
    assert "No pair of answers is alike" in text
