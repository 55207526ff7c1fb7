"""Reference implementation of assignment 2, ``application``: training on the cat images.

The two graded models compute what the notebook's solutions compute by
composing assignment 1's building blocks (``dnn_utils.step_by_step``): the
forward pass, the cost, the backward pass and the update, at every iteration.
They run it on ``dnn_utils.fast_path.gradient_descent``, which does the same
arithmetic without the work training never uses (the gradient with respect to
the images, ``dA0``, above all); ``tests/test_training_path.py`` proves the two
agree to 1e-10. The autograder computes expected outputs with these models, and
``tests/test_reference_matches_source.py`` proves they agree with the
solutions in ``source/application/application.ipynb``.

Conventions (as in assignment 1): ``X`` is (n_x, m) with one example per
column, ``Y`` is (1, m) with labels 0 or 1, ``W{l}`` is (n_l, n_{l-1}) and
``b{l}`` is (n_l, 1).

Cost recording, pinned for both models: ``costs`` is a list of Python floats;
``costs[k]`` is the cost of iteration ``100 * k``, computed by that
iteration's forward pass, before its update. Iterations 0, 100, 200, ... are
recorded and no others: the last iteration is not added when it is not a
multiple of 100, so ``len(costs) == ceil(num_iterations / 100)``.
"""
import numpy as np

from dnn_utils.step_by_step import initialize_parameters
from dnn_utils.evaluation import accuracy, predict  # noqa: F401  (given helpers, re-exported for the instructor's side)
from dnn_utils.fast_path import RECORD_EVERY, gradient_descent  # noqa: F401  (RECORD_EVERY: the pinned rule)
from dnn_utils.initialization import initialize_parameters_deep_scaled
from dnn_utils.training import print_progress


def _progress(num_iterations, print_cost):
    """The ``on_record`` of ``gradient_descent``: a progress line, or nothing."""
    if not print_cost:
        return None
    return lambda i, cost: print_progress(i, num_iterations, cost)


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """Train LINEAR->RELU->LINEAR->SIGMOID with batch gradient descent.

    Seeds NumPy with 1, then starts from assignment 1's
    ``initialize_parameters(n_x, n_h, n_y)``. Each iteration: forward pass,
    cost, backward pass (starting from ``dA2 = -(Y / A2 - (1 - Y) / (1 - A2))``),
    one ``update_parameters`` step.

    Args:
        X: inputs, shape (n_x, m).
        Y: labels 0 or 1, shape (1, m).
        layers_dims: (n_x, n_h, n_y).
        learning_rate: gradient descent step size.
        num_iterations: number of gradient descent steps.
        print_cost: print a progress line at every recorded iteration.

    Returns:
        parameters: dict W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1)
            after the last update.
        costs: list of floats, the costs of iterations 0, 100, 200, ... (computed
            before that iteration's update; the last iteration is not added).
    """
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    return gradient_descent(X, Y, parameters, learning_rate, num_iterations,
                            _progress(num_iterations, print_cost))


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """Train [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID with batch gradient descent.

    Starts from ``initialize_parameters_deep_scaled(layers_dims)`` (seed 1,
    weights divided by sqrt(n_prev)). Each iteration: ``L_model_forward``,
    ``compute_cost``, ``L_model_backward``, ``update_parameters``.

    Args:
        X: inputs, shape (n_x, m).
        Y: labels 0 or 1, shape (1, m).
        layers_dims: [n_x, n_1, ..., n_L], at least two entries.
        learning_rate: gradient descent step size.
        num_iterations: number of gradient descent steps.
        print_cost: print a progress line at every recorded iteration.

    Returns:
        parameters: dict W{l} (n_l, n_{l-1}), b{l} (n_l, 1) after the last update.
        costs: list of floats, the costs of iterations 0, 100, 200, ... (computed
            before that iteration's update; the last iteration is not added).
    """
    parameters = initialize_parameters_deep_scaled(layers_dims)
    return gradient_descent(X, Y, parameters, learning_rate, num_iterations,
                            _progress(num_iterations, print_cost))
