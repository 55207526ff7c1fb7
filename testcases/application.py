"""Documented examples of assignment 2, ``application``, on small synthetic data.

The cat images are too big to train on in a check, so the graded models are
checked on tiny made-up data sets: ``X`` drawn with ``np.random.randn`` from a
fixed seed, and labels given by a simple rule on ``X`` so that there is
something to learn. ``EXAMPLES`` names every documented call; the values the
reference gives on them are stored in ``data/application.json`` (generated
once by the reference, then kept as data so that a change in the reference
shows up as a failing test).

There is one edition, ``"2023"``.
"""
import functools

import numpy as np

from testcases.example import Example as _Example
from testcases.example import select

EDITIONS = ("2023",)
Example = functools.partial(_Example, editions=EDITIONS)


def toy_data(seed, n_x, m, integer_labels=False):
    """X (n_x, m) from ``np.random.seed(seed); randn``; Y (1, m) is 1 where x_1 + x_2 * x_3 > 0.

    With fewer than three features the rule is x_1 > 0. Labels are floats,
    or int64 (like the cat data's) when ``integer_labels`` is set.
    """
    np.random.seed(seed)
    X = np.random.randn(n_x, m)
    score = X[0] + X[1] * X[2] if n_x >= 3 else X[0]
    Y = (score > 0).reshape(1, m)
    return X, Y.astype(np.int64 if integer_labels else float)


def two_layer_model_case(edition="2023"):
    """Seed 2: X (5, 12), integer Y (1, 12); layers (5, 4, 1); learning rate 0.1; 250 iterations."""
    X, Y = toy_data(2, 5, 12, integer_labels=True)
    return X, Y, (5, 4, 1), 0.1, 250


def two_layer_model_wide_case(edition="2023"):
    """Seed 4: X (3, 20), float Y (1, 20); layers (3, 6, 1); learning rate 0.5; 301 iterations."""
    X, Y = toy_data(4, 3, 20)
    return X, Y, (3, 6, 1), 0.5, 301


def L_layer_model_case(edition="2023"):
    """Seed 3: X (6, 15), integer Y (1, 15); layers [6, 5, 3, 1]; learning rate 0.05; 250 iterations."""
    X, Y = toy_data(3, 6, 15, integer_labels=True)
    return X, Y, [6, 5, 3, 1], 0.05, 250


def L_layer_model_deeper_case(edition="2023"):
    """Seed 5: X (4, 10), float Y (1, 10); layers [4, 6, 5, 3, 1]; learning rate 0.2; 201 iterations."""
    X, Y = toy_data(5, 4, 10)
    return X, Y, [4, 6, 5, 3, 1], 0.2, 201


def initialize_parameters_deep_scaled_case(edition="2023"):
    """layer_dims [5, 4, 3]."""
    return ([5, 4, 3],)


def predict_case(edition="2023"):
    """Seed 6: X (3, 8), then a [3, 2, 1] network drawn with randn; no labels (nothing printed)."""
    X, _ = toy_data(6, 3, 8)
    W1, b1, W2, b2 = (np.random.randn(*shape) for shape in ((2, 3), (2, 1), (1, 2), (1, 1)))
    return X, None, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def _model(result):
    parameters, costs = result
    return {**parameters, "costs": costs}


EXAMPLES = (
    Example("initialize_parameters_deep_scaled", "initialize_parameters_deep_scaled",
            initialize_parameters_deep_scaled_case, dict, note="provided, not graded"),
    Example("two_layer_model", "two_layer_model", two_layer_model_case, _model),
    Example("two_layer_model_wide", "two_layer_model", two_layer_model_wide_case, _model,
            note="301 iterations: the cost of the last one (300) is a multiple of 100"),
    Example("L_layer_model", "L_layer_model", L_layer_model_case, _model),
    Example("L_layer_model_deeper", "L_layer_model", L_layer_model_deeper_case, _model,
            note="three hidden layers: the loops must not assume two"),
    Example("predict", "predict", predict_case, lambda p: {"p": p}, note="provided, not graded"),
)


def examples(edition="2023"):
    """The documented examples, in notebook order."""
    return select(EXAMPLES, EDITIONS, edition)
