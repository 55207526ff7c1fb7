"""The documented examples of ``optimization``: stored values, determinism, what each one shows, the command."""
import json
import subprocess
import sys

import numpy as np
import pytest

from dnn_utils.optimization import GRADIENT_CHECK_THRESHOLD
from notebook_tools import ROOT
from testcases import documented, run_examples
from testcases.optimization import EXAMPLES, LESSON, lesson_moons, run_lesson

STORED = json.loads((ROOT / "testcases" / "data" / "optimization.json").read_text())
COMPUTED = {example.id: outputs for example, outputs in run_examples("optimization", "2023")}


def test_every_stored_value_is_reproduced():
    """Same code, same machine arithmetic: the stored values agree to 1e-9 relative."""
    stored = documented("optimization", "2023")
    assert set(stored) == {example.id for example in EXAMPLES} == set(COMPUTED)
    for example_id, quantities in stored.items():
        assert set(quantities) == set(COMPUTED[example_id]), example_id
        for name, value in quantities.items():
            np.testing.assert_allclose(np.asarray(COMPUTED[example_id][name], dtype=float), value,
                                       rtol=1e-9, atol=1e-12, err_msg=f"{example_id} {name}")


def test_every_exercise_has_a_documented_example():
    from autograder.assignments import exercises
    assert {example.function for example in EXAMPLES} == set(exercises("optimization"))


def test_examples_are_deterministic_and_documented():
    for example in EXAMPLES:
        first, second = example.args("2023"), example.args("2023")
        assert repr(first) == repr(second), example.id
        assert example.args.__doc__ and example.args.__doc__.strip(), example.id


def test_the_mini_batch_example_keeps_every_example_once_with_its_label():
    batches = [COMPUTED["random_mini_batches"][f"mini_batch_X {k}"] for k in (1, 2, 3)]
    labels = [COMPUTED["random_mini_batches"][f"mini_batch_Y {k}"] for k in (1, 2, 3)]
    assert [b.shape[1] for b in batches] == [4, 4, 2]
    columns = np.concatenate(batches, axis=1)
    assert sorted(columns[0]) == list(range(10)) and np.array_equal(columns[1], columns[0] + 100)
    assert np.array_equal(np.concatenate(labels, axis=1)[0], columns[0] % 2)
    even = COMPUTED["random_mini_batches_even"]
    assert [even[f"mini_batch_X {k}"].shape for k in (1, 2, 3)] == [(3, 4)] * 3 and len(even) == 6


def test_the_dropout_example_drops_some_units_in_every_hidden_layer():
    masks = [COMPUTED["L_model_forward_with_dropout"][f"D{l}"] for l in (1, 2)]
    assert all(0 < (~m).sum() < m.size for m in masks)
    grads = COMPUTED["L_model_backward_with_dropout"]
    assert np.all(grads["dA1"][~masks[0]] == 0) and np.all(grads["dA2"][~masks[1]] == 0)


def test_the_adam_examples_show_the_first_step_and_the_place_of_epsilon():
    parameters = EXAMPLES[[e.id for e in EXAMPLES].index("update_parameters_with_adam_first")].args("2023")[0]
    step = COMPUTED["update_parameters_with_adam_first"]["W1"] - parameters["W1"]
    np.testing.assert_allclose(np.abs(step), 0.01, rtol=1e-5)   # |dP| >> epsilon: a step of learning_rate
    later = EXAMPLES[[e.id for e in EXAMPLES].index("update_parameters_with_adam")].args("2023")
    s = later[3]["dW1"]
    assert np.max(s) < 1e-5, "averages small enough for sqrt(s + epsilon) to differ from sqrt(s) + epsilon"


def test_the_gradient_check_examples_pass_and_fail():
    assert COMPUTED["gradient_check"]["difference"] < GRADIENT_CHECK_THRESHOLD / 10
    assert COMPUTED["gradient_check_bug"]["difference"] > 1e-2
    np.testing.assert_allclose(COMPUTED["gradient_check_bug"]["gradapprox"], COMPUTED["gradient_check"]["gradapprox"],
                               atol=1e-6)   # the bug is in grads, not in the cost


def test_the_model_examples_train():
    for example_id in ("model_adam", "model_momentum_l2", "model_gd_dropout"):
        costs = COMPUTED[example_id]["costs"]
        assert all(type(c) is float for c in costs) and costs[-1] < costs[0], example_id


@pytest.mark.parametrize("argv, edition", [(["--assignment", "optimization"], "2023"),
                                           (["--assignment", "application"], "2023"),
                                           (["--assignment", "step_by_step", "--edition", "v8"], "v8")])
def test_command_prints_the_examples_of_each_assignment_as_json(argv, edition):
    done = subprocess.run([sys.executable, "-m", "testcases", *argv, "--json"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    report = json.loads(done.stdout)
    assert report["edition"] == edition and report["examples"]
    if argv[1] == "optimization":
        assert [row["example"] for row in report["examples"]] == [e.id for e in EXAMPLES]
        assert report["examples"][-1]["outputs"]["costs"] == pytest.approx(STORED["2023"]["model_gd_dropout"]["costs"],
                                                                          rel=1e-9)


def test_command_refuses_an_edition_the_assignment_does_not_have():
    done = subprocess.run([sys.executable, "-m", "testcases", "--assignment", "application", "--edition", "v8"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "application has the edition(s) 2023, not 'v8'" in done.stderr


# -- the lesson's documented runs (part 9 of the notebook) --------------------------------------

def test_the_moons_are_the_documented_ones():
    train_X, train_Y, test_X, test_Y = lesson_moons()
    assert train_X.shape == (2, LESSON["moons"]["m_train"]) and test_Y.shape == (1, LESSON["moons"]["m_test"])
    assert set(np.unique(train_Y)) == {0, 1} and not np.array_equal(train_X, test_X)
    assert STORED["lesson"]["moons"] == LESSON["moons"]


@pytest.mark.parametrize("part", ["initialization", "optimizers"])
def test_the_lesson_runs_on_the_moons_are_reproduced(part):
    """Final costs to 1e-9 relative and accuracies exactly, as stored and quoted by the notebook."""
    stored, computed = STORED["lesson"][part], run_lesson(part)
    assert stored["protocol"] == json.loads(json.dumps(computed["protocol"]))
    assert stored["runs"].keys() == computed["runs"].keys()
    for name, run in computed["runs"].items():
        for key, value in run.items():
            expected = stored["runs"][name][key]
            if value is None or expected is None:
                assert value is expected, (part, name, key)
            else:
                assert value == pytest.approx(expected, rel=1e-9, abs=1e-12, nan_ok=True), (part, name, key)
