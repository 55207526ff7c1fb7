"""Diagnosis of recorded lists (the costs a training returns) and of single numbers.

A training model returns (parameters, costs); a costs list of another length than expected has
no leaf to compare, so before these findings nothing was said about it. Each kind is built by
hand from an expected list; hidden-case sentences must not depend on the case (lengths, step).
"""
import numpy as np
import pytest

from autograder import diagnosis
from autograder.compare import Tolerance
from autograder.exercise import Spec

TOL = Tolerance(1e-7, 1e-9)
MODEL = Spec("two_layer_model", 1, 50.0, ("parameters", "costs"), TOL,
             ("X", "Y", "layers_dims", "learning_rate", "num_iterations", "print_cost"))


def _model_case(rng, iterations):
    """(args, expected output, every cost of the run) of a fake training of ``iterations`` steps."""
    X, Y = rng.randn(3, 10), (rng.rand(1, 10) > 0.5).astype(float)
    parameters = {"W1": rng.randn(4, 3), "b1": rng.randn(4, 1), "W2": rng.randn(1, 4), "b2": rng.randn(1, 1)}
    every = list(np.cumsum(-rng.rand(iterations) * 0.01) + 0.7)
    return (X, Y, (3, 4, 1), 0.1, iterations, False), (parameters, every[::100]), every


def _kinds(found):
    return [f.kind for f in found["costs"]]


@pytest.mark.parametrize("seed", range(5))
def test_each_way_of_recording_the_wrong_entries_is_recognised(seed):
    rng = np.random.RandomState(seed)
    args, (parameters, costs), every = _model_case(rng, 301 + 100 * seed)
    wrong = {"every cost": (every, "list_every_kth"),
             "every tenth": (every[::10], "list_every_kth"),
             "no first": (costs[1:], "list_missing_first"),
             "no last": (costs[:-1], "list_missing_last"),
             "one more at the end": (costs + [every[-1]], "list_extra_last"),
             "one more at the start": ([every[0]] + costs, "list_extra_first")}
    for label, (actual, kind) in wrong.items():
        found = diagnosis.findings(MODEL, args, (parameters, costs), (parameters, list(actual)))
        assert list(found) == ["costs"] and _kinds(found)[:1] == [kind], (label, found)
    # costs as 0-d arrays (np.squeeze of the cost) are numbers too
    found = diagnosis.findings(MODEL, args, (parameters, costs), (parameters, [np.array(c) for c in costs[1:]]))
    assert _kinds(found) == ["list_missing_first"]


def test_a_list_of_other_numbers_gets_no_list_finding():
    rng = np.random.RandomState(7)
    args, (parameters, costs), every = _model_case(rng, 401)
    unrelated = list(rng.rand(len(costs) + 1))
    found = diagnosis.findings(MODEL, args, (parameters, costs), (parameters, unrelated))
    assert found == {"costs": []}
    assert diagnosis.explain([(False, found)]) is None


def test_the_step_is_told_on_a_visible_case_and_not_on_a_hidden_one():
    sentences = {}
    for seed, every_k in ((0, 1), (1, 10), (2, 20)):
        rng = np.random.RandomState(seed)
        args, (parameters, costs), every = _model_case(rng, 301 + 200 * seed)
        found = diagnosis.findings(MODEL, args, (parameters, costs), (parameters, every[::every_k]))
        visible, hidden = diagnosis.explain([(False, found), (True, found)])
        assert f"taking every {100 // every_k}th of them gives the expected list" in visible, visible
        sentences[seed] = hidden
    assert len(set(sentences.values())) == 1   # a hidden case's sentence tells nothing of its sizes
    assert not any(ch.isdigit() for ch in sentences[0]), sentences[0]


def test_a_single_wrong_number_is_not_said_to_differ_by_a_constant_factor():
    """Any two numbers differ by a factor: 'times a constant factor everywhere' says nothing of one."""
    rng = np.random.RandomState(3)
    args, (parameters, costs), _ = _model_case(rng, 301)
    wrong = dict(parameters, b2=parameters["b2"] * 1.37)
    found = diagnosis.findings(MODEL, args, (parameters, costs), (wrong, costs))
    assert "factor_constant" not in [f.kind for f in found['parameters["b2"] (b of layer 2)']], found
    assert diagnosis.explain([(False, found)]) is None
    # an array of several numbers still is
    wrong = dict(parameters, W1=parameters["W1"] * 1.37)
    found = diagnosis.findings(MODEL, args, (parameters, costs), (wrong, costs))
    assert "factor_constant" in [f.kind for f in found['parameters["W1"] (W of layer 1)']]
