"""Diagnosis from outputs alone (``autograder.diagnosis``) and the messages it adds (issue 11).

Unit tests build expected and wrong outputs by hand for each kind of finding; the end-to-end
tests run the instructor's ``check`` on a fresh set of wrong answers that no catalogue entry
describes (``wrong_answers.py``) and on right answers, and the kit's check on the same answers.
"""
import contextlib
import io
import json
import re
import types

import numpy as np
import pytest

from autograder import diagnosis
from autograder.compare import Tolerance
from autograder.exercise import Spec
from autograder.runner import CaseResult, Observation, diagnose, judge
from autograder.salt import ENV
from conftest import TEST_SALT, own_copy, run_check
from wrong_answers import ANSWERS

TOL = Tolerance(1e-6, 1e-8)
BACKWARD = Spec("linear_backward", 7, 10.0, ("dA_prev", "dW", "db"), TOL, ("dZ", "cache"))
DROPOUT = Spec("L_model_backward_with_dropout", 6, 8.0, "grads", TOL,
               ("AL", "Y", "caches", "masks", "keep_prob"))
UPDATE = Spec("update_parameters", 10, 10.0, "parameters", TOL, ("params", "grads", "learning_rate"))


def _backward_case(rng, n_prev=3, n=2, m=4):
    dZ, A_prev, W, b = rng.randn(n, m), rng.randn(n_prev, m), rng.randn(n, n_prev), rng.randn(n, 1)
    expected = (W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m)
    return (dZ, (A_prev, W, b)), expected


def _kinds(found, quantity):
    return [f.kind for f in found[quantity]]


def test_a_factor_m_is_named_as_the_missing_division_by_m():
    args, (dA, dW, db) = _backward_case(np.random.RandomState(0), m=4)
    found = diagnosis.findings(BACKWARD, args, (dA, dW, db), (dA, dW * 4, db))
    assert list(found) == ["dW"] and _kinds(found, "dW")[0] == "factor_m"
    assert "dW is 4 times the expected value, and 4 is m" in found["dW"][0].visible


def test_factors_one_over_m_sign_two_and_half():
    args, (dA, dW, db) = _backward_case(np.random.RandomState(1), m=5)
    for factor, kind in ((1 / 5, "factor_1_over_m"), (-1.0, "sign"), (2.0, "factor_2"), (0.5, "factor_half"),
                         (3.7, "factor_constant")):
        found = diagnosis.findings(BACKWARD, args, (dA, dW, db), (dA * factor, dW, db))
        assert kind in _kinds(found, "dA_prev"), (factor, found)


def test_keep_prob_factor_is_named_from_the_argument():
    rng = np.random.RandomState(2)
    grads = {"dW1": rng.randn(3, 2), "dA0": rng.randn(2, 5)}
    args = (rng.rand(1, 5), np.ones((1, 5)), [((rng.randn(2, 5), None, None), None)], [np.ones((3, 5))], 0.8)
    wrong = {"dW1": grads["dW1"] * 0.8, "dA0": grads["dA0"]}
    found = diagnosis.findings(DROPOUT, args, grads, wrong)
    assert _kinds(found, 'grads["dW1"] (dW of layer 1)')[0] == "factor_keep_prob"


def test_shape_findings_transpose_lost_dimension_broadcast_wrong_axis_not_summed():
    args, (dA, dW, db) = _backward_case(np.random.RandomState(3), n_prev=3, n=2, m=4)
    assert _kinds(diagnosis.findings(BACKWARD, args, (dA, dW, db), (dA, dW.T, db)), "dW")[0] == "transposed"
    assert _kinds(diagnosis.findings(BACKWARD, args, (dA, dW, db), (dA, dW, db.ravel())), "db")[0] \
        == "lost_dimension"
    assert "broadcast" in _kinds(diagnosis.findings(BACKWARD, args, (dA, dW, db), (dA, dW, db + db.ravel())), "db")
    dZ = args[0]
    assert "wrong_axis" in _kinds(diagnosis.findings(BACKWARD, args, (dA, dW, db), (dA, dW, dZ.sum(axis=0) / 4)), "db")
    assert "not_summed" in _kinds(diagnosis.findings(BACKWARD, args, (dA, dW, db), (dA, dW, dZ / 4)), "db")


def test_zeros_whole_numbers_shift_order_other_quantity_and_input():
    rng = np.random.RandomState(4)
    params = {"W1": rng.randn(3, 4) * 3, "b1": rng.randn(3, 1) * 3}
    grads = {"dW1": rng.randn(3, 4), "db1": rng.randn(3, 1)}
    new = {k: params[k] - 0.1 * grads["d" + k] for k in params}
    args = (params, grads, 0.1)

    def kinds(**changed):
        return _kinds(diagnosis.findings(UPDATE, args, new, {**new, **changed}), 'parameters["W1"] (W of layer 1)')

    assert "zeros" in kinds(W1=np.zeros((3, 4)))
    assert "whole_numbers" in kinds(W1=np.trunc(new["W1"]))
    assert "shifted_example" in kinds(W1=np.roll(new["W1"], 1, axis=1))
    assert "reordered" in kinds(W1=new["W1"][::-1, ::-1].copy())
    assert "equals_input" in kinds(W1=params["W1"].copy())
    other = {"W1": rng.randn(3, 3), "W2": rng.randn(3, 3)}
    found = diagnosis.findings(Spec("f", 1, 1.0, "parameters", TOL, ("x",)), (0,), other,
                               {"W1": other["W2"], "W2": other["W1"]})
    assert _kinds(found, 'parameters["W1"] (W of layer 1)')[0] == "holds_other"


def test_a_right_answer_has_no_findings_and_an_odd_output_none():
    args, expected = _backward_case(np.random.RandomState(5))
    assert diagnosis.findings(BACKWARD, args, expected, tuple(e.copy() for e in expected)) == {}
    assert diagnosis.findings(BACKWARD, args, expected, ("not", "arrays", "here")) == {}   # nothing numeric
    assert diagnosis.findings(BACKWARD, args, expected, ("too", "short")) is None
    assert diagnosis.case_findings(BACKWARD, args, expected, (1, 2)) is None


def _hidden_sentences(seed):
    """{kind: hidden sentence without the quantity} of six typical wrong outputs on a random case."""
    rng = np.random.RandomState(seed)
    n_prev, n, m = (int(v) for v in rng.randint(2, 9, size=3))
    args, (dA, dW, db) = _backward_case(rng, n_prev, n, m)
    c = float(rng.choice([m, 1 / m, -1, 2, 0.5, rng.uniform(1.1, 9)]))
    wrongs = [(dA * c, dW, db), (dA, dW.T, db), (dA, dW, db.ravel()), (dA, dW, args[0].sum(axis=0)),
              (dA, np.zeros_like(dW), db), (dA, dW, args[0] / m)]
    said = {}
    for wrong in wrongs:
        for quantity, found in diagnosis.findings(BACKWARD, args, (dA, dW, db), wrong).items():
            for finding in found:
                said[finding.kind, quantity] = finding.hidden
    return said


@pytest.mark.parametrize("seed", range(1, 21))
def test_hidden_sentences_do_not_depend_on_the_case(seed):
    """Property: a hidden case's sentence for a kind of finding is the same whatever the sizes and
    the factor, so it cannot tell anything of the case but its kind."""
    reference, other = _hidden_sentences(0), _hidden_sentences(seed)
    common = set(reference) & set(other)
    assert common
    for key in common:
        assert reference[key] == other[key], key


def test_explain_needs_every_failing_case_and_a_common_kind():
    def case(factor, m):
        args, (dA, dW, db) = _backward_case(np.random.RandomState(m), m=m)
        return diagnosis.findings(BACKWARD, args, (dA, dW, db), (dA, dW * factor, db))

    both_m = diagnosis.explain([(False, case(2, 2)), (True, case(3, 3))])
    assert "2 is m" in both_m[0] and "m times the expected value (m: the number" in both_m[1]
    assert diagnosis.explain([(False, case(2, 2)), (False, {})]) is None
    mixed = diagnosis.explain([(False, case(2, 3)), (False, case(3, 3))])   # 2 then m: only "a factor"
    assert all("constant factor" in s for s in mixed) and not any("is m" in s for s in mixed)


def _results(spec, cases_and_outputs):
    cases, observations, results = [], [], []
    for hidden, args, expected, output in cases_and_outputs:
        case = types.SimpleNamespace(label="hidden case 1 of 1" if hidden else "the example printed above",
                                     args=args, hidden=hidden)
        observation = Observation(output=output, repeat_output=output, inputs_after=args)
        cases.append(case)
        observations.append(observation)
        results.append(judge(spec, case, observation, expected))
    return cases, observations, results


def test_diagnose_states_a_shape_only_when_it_explains_every_failing_case():
    rng = np.random.RandomState(7)
    runs = []
    for m in (3, 5):
        args, (dA, dW, db) = _backward_case(rng, m=m)
        runs.append((m == 5, args, (dA, dW, db), (dA, dW * m, db)))
    cases, observations, results = _results(BACKWARD, runs)
    told = diagnose(BACKWARD, [], cases, observations, results, lambda mistake, i: (False, None))
    assert all(r.diagnosis for r in told)
    assert "dW is 3 times the expected value" in told[0].message
    assert "dW is m times the expected value" in told[1].message and "5" not in told[1].diagnosis
    args, (dA, dW, db) = _backward_case(rng, m=4)
    odd = runs + [(False, args, (dA, dW, db), (dA, dW + rng.randn(*dW.shape), db))]
    cases, observations, results = _results(BACKWARD, odd)
    told = diagnose(BACKWARD, [], cases, observations, results, lambda mistake, i: (False, None))
    assert not any(r.diagnosis for r in told)


def test_a_catalogued_mistake_contradicted_by_a_passed_case_is_not_named():
    """The student passes case 0; the mistake would have failed it: it is not theirs, even though
    it gives the student's output on case 1."""
    rng = np.random.RandomState(8)
    args0, expected0 = _backward_case(rng)
    args1, expected1 = _backward_case(rng)
    wrong1 = (expected1[0], expected1[1] * 2, expected1[2])
    cases, observations, results = _results(BACKWARD, [(False, args0, expected0, expected0),
                                                        (False, args1, expected1, wrong1)])
    mistake = types.SimpleNamespace(name="doubles", message="doubles dW")
    outputs = {0: (expected0[0], expected0[1] * 2, expected0[2]), 1: wrong1}
    told = diagnose(BACKWARD, [mistake], cases, observations, results, lambda m, i: (True, outputs[i]))
    assert not told[1].mistake and "Likely mistake" not in told[1].message
    assert "dW is twice the expected value" in told[1].message


FRESH = list(ANSWERS)


@pytest.fixture(scope="module")
def fresh_reports():
    reports = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV, TEST_SALT)
        for answer in FRESH:
            named = types.FunctionType(answer.answer.__code__, answer.answer.__globals__, answer.function,
                                       answer.answer.__defaults__)
            reports[answer.answer.__name__] = run_check(named)
    return reports


def test_fresh_wrong_answers_lose_points_and_are_named(fresh_reports):
    """The naming rate on answers no catalogue entry describes (``tests/wrong_answers.py``; of
    the first 26, 1 was named before diagnosis from outputs: see tests/naming_rate.py)."""
    from autograder.assignments import exercises
    named = right = 0
    for answer in FRESH:
        points, report = fresh_reports[answer.answer.__name__]
        assert points < exercises(answer.assignment)[answer.function].points, report
        assert "hard-coded" not in report, report
        is_named = "Likely mistake:" in report or "What your output looks like:" in report
        named += is_named
        right += bool(answer.names) and answer.names in report
        if answer.names:
            assert answer.names in report, (answer.answer.__name__, report)
    assert named >= len(FRESH) - 1 and right >= len(FRESH) - 3


@pytest.mark.parametrize("name", ["linear_backward", "compute_cost", "update_parameters"])
def test_right_answers_get_no_diagnosis(name):
    from autograder.examples import alternative_style
    points, report = run_check(getattr(alternative_style, name))
    assert "What your output looks like" not in report and "Likely mistake" not in report


def test_the_kit_says_what_the_instructor_says_on_fresh_answers():
    """The kit's check (stored expected outputs) prints the instructor's visible report, diagnosis
    included, for every fresh step_by_step answer."""
    from autograder import student_check
    from autograder.kit import record
    checks = json.loads(json.dumps(record.checks("step_by_step")))
    for answer in [a for a in FRESH if a.assignment == "step_by_step"]:
        named = types.FunctionType(answer.answer.__code__, answer.answer.__globals__, answer.function,
                                   answer.answer.__defaults__)
        want = run_check(named, hidden=False)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            points = student_check.check(named, checks=checks)
        assert (float(points), out.getvalue()) == want


def test_hard_coded_only_when_every_wrong_quantity_is_a_documented_value():
    """'hard-coded' is said when the wrong quantities are all a documented example's values; a
    documented Z beside a cache that is wrong in another way is not enough."""
    from autograder.assignments import exercises
    from autograder.trusted import answers_a_documented_example, cases_for, expected_output
    exercise = exercises("step_by_step")["linear_forward"]
    example, *_ = exercise.visible()
    documented_Z = expected_output(exercise, example)[0]
    hidden = next(c for c in cases_for("step_by_step", exercise, TEST_SALT) if c.hidden)
    A, W, b = hidden.args
    assert answers_a_documented_example(exercise, hidden, (documented_Z, (A, W, b)))
    assert not answers_a_documented_example(exercise, hidden, (documented_Z, (W, A, b)))
    assert not answers_a_documented_example(exercise, hidden, (np.dot(W, A) + b, (W, A, b)))


# -- cases that cover the contract: an answer right only on the common path loses points ---------

def _hidden_failures(report):
    return re.findall(r"FAILED  (hidden case[^\[]*)\[", report)


def test_update_parameters_meets_grads_with_dA_keys_and_another_key_order():
    def update_parameters(params, grads, learning_rate):
        return {key[1:]: params[key[1:]] - learning_rate * grad for key, grad in grads.items()}

    points, report = run_check(update_parameters)
    assert 0 < points < 10, report
    assert "grads as L_model_backward returns them (with the dA keys)" in report, report


def test_momentum_meets_parameters_in_another_key_order():
    def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
        new_parameters, new_v = {}, {}
        for (key, value), (name, grad) in zip(parameters.items(), grads.items()):
            new_v[name] = beta * v[name] + (1 - beta) * grad
            new_parameters[key] = value - learning_rate * new_v[name]
        return new_parameters, new_v

    points, report = run_check(update_parameters_with_momentum)
    assert 0 < points < 7, report
    assert any("listed last layer first" in failed or "dA keys" in failed for failed in _hidden_failures(report))


def test_dropout_meets_keep_prob_one():
    from dnn_utils.optimization import L_model_forward_with_dropout as reference
    from dnn_utils.step_by_step import L_model_forward
    given = own_copy(reference)   # the same code written by the student: not a call of the reference

    def L_model_forward_with_dropout(X, parameters, keep_prob=0.5, seed=0):
        if keep_prob == 1:   # "no dropout": but the contract still asks for the masks
            AL, caches = L_model_forward(X, parameters)
            return AL, caches, []
        return given(X, parameters, keep_prob, seed)

    points, report = run_check(L_model_forward_with_dropout)
    failed = _hidden_failures(report)
    assert failed == ["hidden case 4 of 4: three hidden layers, keep_prob = 1 (no dropout) "], report
