"""check() on the fourteen graded functions of ``optimization``: the required mistakes, wrappers, fast
checks and sound hidden cases.

What holds for every graded function of every assignment is in ``test_every_check.py``."""
import time

import numpy as np
import pytest

import dnn_utils.optimization as ref
from autograder.assignments import exercises
from autograder.examples import alternative_optimization
from autograder.trusted import cases_for
from conftest import TEST_SALT, as_student, run_check

EXERCISES = exercises("optimization")
# The mistakes the assignment is built to catch (tracker issue 5), by exercise.
REQUIRED = {
    "random_mini_batches": {"random_mini_batches_drops_one_per_batch", "random_mini_batches_X_and_Y_shuffled_apart"},
    "update_parameters_with_adam": {"update_parameters_with_adam_no_bias_correction",
                                    "update_parameters_with_adam_corrected_state",
                                    "update_parameters_with_adam_epsilon_inside_sqrt"},
    "L_model_backward_with_dropout": {"L_model_backward_with_dropout_mask_not_reused",
                                      "L_model_backward_with_dropout_not_rescaled"},
    "L_model_forward_with_dropout": {"L_model_forward_with_dropout_not_rescaled"},
    "compute_cost_with_regularization": {"compute_cost_with_regularization_no_2", "compute_cost_with_regularization_no_m",
                                         "compute_cost_with_regularization_biases"},
    "L_model_backward_with_regularization": {"L_model_backward_with_regularization_no_m",
                                             "L_model_backward_with_regularization_2m",
                                             "L_model_backward_with_regularization_biases"},
    "gradient_check": {"gradient_check_one_sided"},
}


def test_fourteen_graded_functions_worth_100_points():
    assert len(EXERCISES) == 14 and sum(e.points for e in EXERCISES.values()) == 100
    assert [e.number for e in EXERCISES.values()] == list(range(1, 15))
    assert all(len(e.mistakes) >= 2 for e in EXERCISES.values())
    for name, required in REQUIRED.items():
        assert required <= {m.name for m in EXERCISES[name].mistakes}, name


def test_a_wrapper_around_the_reference_earns_nothing():
    def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
        return list(ref.random_mini_batches(X, Y, mini_batch_size, seed))
    points, report = run_check(random_mini_batches)
    assert points == 0 and "the library's reference" in report


def test_a_model_built_on_the_library_building_blocks_earns_full_marks():
    """The model may call the library's other graded functions: only its own reference is off limits."""
    def model(X, Y, layer_dims, optimizer="adam", initialization="he", learning_rate=0.0075,
              mini_batch_size=64, num_epochs=1000, lambd=0.0, keep_prob=1.0, beta=0.9,
              beta1=0.9, beta2=0.999, epsilon=1e-8, seed=0, print_cost=False):
        return alternative_optimization.model(X, Y, layer_dims, optimizer, initialization, learning_rate,
                                              mini_batch_size, num_epochs, lambd, keep_prob, beta, beta1,
                                              beta2, epsilon, seed)
    assert run_check(model)[0] == EXERCISES["model"].points


def test_mini_batches_as_lists_instead_of_tuples_are_accepted():
    def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
        return [list(batch) for batch in alternative_optimization.random_mini_batches(X, Y, mini_batch_size, seed)]
    assert run_check(random_mini_batches)[0] == EXERCISES["random_mini_batches"].points


def test_a_shuffle_in_place_is_caught_as_a_changed_input():
    def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
        np.random.seed(seed)
        permutation = np.random.permutation(X.shape[1])
        X[:], Y[:] = X[:, permutation], Y[:, permutation]
        return [(X[:, k:k + mini_batch_size].copy(), Y[:, k:k + mini_batch_size].copy())
                for k in range(0, X.shape[1], mini_batch_size)]
    points, report = run_check(random_mini_batches, hidden=False)
    assert points == 0 and "X was changed by the call" in report


def test_the_adam_state_must_not_be_bias_corrected_even_when_the_step_is_right():
    """Applying the correction to the stored state is named even though the parameters are right."""
    wrong = next(m for m in EXERCISES["update_parameters_with_adam"].mistakes if m.name.endswith("corrected_state"))
    points, report = run_check(as_student(wrong.variant, "update_parameters_with_adam"), hidden=False)
    assert points == 0 and "v[" in report and "value differs" in report
    assert 'matched: parameters["W1"]' in report


@pytest.mark.parametrize("name", ["model", "gradient_check"])
def test_one_check_is_fast(name):
    """The slow path (a failing function, so every mistake is tried) stays well under a few seconds."""
    started = time.perf_counter()
    run_check(as_student(EXERCISES[name].mistakes[0].variant, name))
    assert time.perf_counter() - started < 5.0


# -- the cases ---------------------------------------------------------------------------------


def _finite(value):
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value)
    if isinstance(value, (np.ndarray, float)) and np.asarray(value).dtype != bool:
        return bool(np.isfinite(value).all())
    return True


@pytest.mark.parametrize("name", list(EXERCISES))
def test_hidden_cases_are_sound_for_many_salts(name):
    """Finite results without warnings (no output saturated at exactly 0 or 1), for 25 salts."""
    exercise = EXERCISES[name]
    with np.errstate(divide="raise", over="raise", invalid="raise"):   # underflow to 0 is harmless
        for salt in [f"soundness-{i}" for i in range(25)]:
            for case in cases_for("optimization", exercise, salt):
                assert _finite(exercise.reference(*case.args)), (name, salt, case.label)


def test_hidden_cases_vary_what_the_mistakes_depend_on():
    settings = {"mini": set(), "init": set(), "t": set(), "optimizer": set(), "bug": set()}
    for salt in [f"variety-{i}" for i in range(10)]:
        for case in cases_for("optimization", EXERCISES["random_mini_batches"], salt):
            X, _, size, _ = case.args
            settings["mini"].add(X.shape[1] % size == 0)
        for case in cases_for("optimization", EXERCISES["initialize_parameters_with"], salt):
            settings["init"].add(case.args[1])
        for case in cases_for("optimization", EXERCISES["update_parameters_with_adam"], salt):
            settings["t"].add(case.args[4])
        for case in cases_for("optimization", EXERCISES["model"], salt):
            settings["optimizer"].add((case.args[3], case.args[8] > 0, case.args[9] < 1, case.args[6] is None))
        for case in cases_for("optimization", EXERCISES["gradient_check"], salt):
            parameters, grads, X, Y, _ = case.args
            AL, caches = ref.L_model_forward(X, parameters)
            right = ref.L_model_backward(AL, Y, caches)
            settings["bug"].add(all(np.array_equal(right[k], grads[k]) for k in right))
    assert settings["mini"] == {True, False}
    assert settings["init"] == set(ref.INITIALIZATIONS)
    assert 1 in settings["t"] and max(settings["t"]) > 3
    assert {o for o, *_ in settings["optimizer"]} == set(ref.OPTIMIZERS)
    assert any(dropout for _, _, dropout, _ in settings["optimizer"])
    assert any(l2 for _, l2, _, _ in settings["optimizer"]) and any(full for *_, full in settings["optimizer"])
    assert settings["bug"] == {True, False}


def test_hidden_cases_depend_on_the_salt():
    exercise = EXERCISES["model"]
    first, again = cases_for("optimization", exercise, "a"), cases_for("optimization", exercise, "a")
    other = cases_for("optimization", exercise, "b")
    assert repr([c.args for c in first]) == repr([c.args for c in again])
    assert repr([c.args for c in first]) != repr([c.args for c in other])


def test_visible_labels_say_which_example():
    labels = [case.label for case in cases_for("optimization", EXERCISES["model"], TEST_SALT)]
    assert labels[0] == "the example printed above"
    assert labels[1].startswith("another example, not printed: moons(m=20, noise=0.2, seed=3); layer_dims [2, 4, 3, 1]; momentum")
    assert labels[3:] == ["hidden case 1 of 4: Adam with dropout", "hidden case 2 of 4: momentum with L2 regularisation",
                          "hidden case 3 of 4: gradient descent, one batch of all examples",
                          "hidden case 4 of 4: Adam with L2 regularisation"]
