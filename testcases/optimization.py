"""Documented examples of assignment 3, ``optimization``.

Each ``*_case`` function builds the inputs of one example: small arrays drawn
with ``np.random.seed`` then ``np.random.randn`` (in the order its docstring
lists), or written out so that the answer can be followed by eye. Inputs that
come out of another step (caches, masks, gradients) are produced by the
reference of that step. ``EXAMPLES`` names every documented call and the
quantities it prints; the values the reference gives on them are stored in
``data/optimization.json`` (generated once by the reference, then kept as data
so that a change in the reference shows up as a failing test).

There is one edition, ``"2023"``.

``LESSON`` holds the protocols of the notebook's experiments (part 9), and
``run_lesson`` runs them with the reference; their results are stored in the
"lesson" section of ``data/optimization.json``, from which the notebook quotes
its numbers.
"""
import functools

import numpy as np

from dnn_utils.evaluation import accuracy, predict
from dnn_utils.optimization import L_model_forward_with_dropout, model
from dnn_utils.step_by_step import L_model_backward, L_model_forward
from dnn_utils.toy_data import moons
from testcases.example import Example as _Example
from testcases.example import select

EDITIONS = ("2023",)
Example = functools.partial(_Example, editions=EDITIONS)


def _draw(seed, *shapes):
    np.random.seed(seed)
    return [np.random.randn(*shape) for shape in shapes]


def _network(seed, layer_dims):
    """W1, b1, W2, b2, ... drawn in that order with randn after ``np.random.seed(seed)``; biases are not zero."""
    shapes = [shape for l in range(1, len(layer_dims))
              for shape in ((layer_dims[l], layer_dims[l - 1]), (layer_dims[l], 1))]
    arrays = _draw(seed, *shapes)
    return {letter + str(l): arrays[2 * (l - 1) + i]
            for l in range(1, len(layer_dims)) for i, letter in enumerate("Wb")}


def _labels(m):
    """Y (1, m): 1, 0, 1, 1, 0, 1, 1, 0, ... (every third example is 0), as floats."""
    return (np.arange(m) % 3 != 1).astype(float).reshape(1, m)


def initialize_parameters_with_case(initialization):
    """The case of one method: layer_dims [3, 2, 1], that initialization, seed 3."""
    def case(edition="2023"):
        return [3, 2, 1], initialization, 3
    case.__doc__ = f"layer_dims [3, 2, 1], initialization {initialization!r}, seed 3."
    return case


def random_mini_batches_case(edition="2023"):
    """Ten examples you can follow by eye: column i of X is (i, 100 + i), Y[0, i] = i % 2.
    mini_batch_size 4, seed 1: two batches of 4 and a last one of 2."""
    i = np.arange(10)
    X = np.stack([i, 100 + i]).astype(float)
    return X, (i % 2).reshape(1, 10), 4, 1


def random_mini_batches_even_case(edition="2023"):
    """X (3, 12) drawn with seed 5, Y = 1, 0, 1, 1, 0, ...; mini_batch_size 4, seed 2: three full batches."""
    X, = _draw(5, (3, 12))
    return X, _labels(12), 4, 2


def compute_cost_with_regularization_case(edition="2023"):
    """A [4, 3, 2, 1] network drawn with seed 1 (W1, b1, W2, b2, W3, b3); AL (1, 5) =
    [[0.8, 0.3, 0.6, 0.9, 0.2]]; Y = 1, 0, 1, 1, 0; lambd 0.1."""
    AL = np.array([[0.8, 0.3, 0.6, 0.9, 0.2]])
    return AL, _labels(5), _network(1, [4, 3, 2, 1]), 0.1


def L_model_backward_with_regularization_case(edition="2023"):
    """X (4, 5) drawn with seed 2 after a [4, 3, 2, 1] network drawn with seed 1; Y = 1, 0, 1, 1, 0;
    (AL, caches) from L_model_forward; lambd 0.7."""
    parameters = _network(1, [4, 3, 2, 1])
    X, = _draw(2, (4, 5))
    AL, caches = L_model_forward(X, parameters)
    return AL, _labels(5), caches, 0.7


def L_model_forward_with_dropout_case(edition="2023"):
    """X (3, 5) drawn with seed 4 after a [3, 4, 3, 1] network drawn with seed 6; keep_prob 0.7, seed 8."""
    parameters = _network(6, [3, 4, 3, 1])
    X, = _draw(4, (3, 5))
    return X, parameters, 0.7, 8


def L_model_backward_with_dropout_case(edition="2023"):
    """(AL, caches, masks) of the L_model_forward_with_dropout example, Y = 1, 0, 1, 1, 0, keep_prob 0.7."""
    X, parameters, keep_prob, seed = L_model_forward_with_dropout_case()
    AL, caches, masks = L_model_forward_with_dropout(X, parameters, keep_prob, seed)
    return AL, _labels(5), caches, masks, keep_prob


def initialize_velocity_case(edition="2023"):
    """A [3, 2, 1] network drawn with seed 1."""
    return (_network(1, [3, 2, 1]),)


def update_parameters_with_momentum_case(edition="2023"):
    """A [3, 2, 1] network drawn with seed 1; gradients dW1, db1, dW2, db2 drawn with seed 2;
    a velocity (same keys) drawn with seed 3 and scaled by 0.1; beta 0.9, learning_rate 0.01."""
    parameters = _network(1, [3, 2, 1])
    grads = {"d" + key: value for key, value in _network(2, [3, 2, 1]).items()}
    v = {"d" + key: 0.1 * value for key, value in _network(3, [3, 2, 1]).items()}
    return parameters, grads, v, 0.9, 0.01


def initialize_adam_case(edition="2023"):
    """A [3, 2, 1] network drawn with seed 1."""
    return (_network(1, [3, 2, 1]),)


def update_parameters_with_adam_first_case(edition="2023"):
    """The first update (t = 1) from zero v and s: a [3, 2, 1] network drawn with seed 1,
    gradients drawn with seed 2; learning_rate 0.01 and Adam's usual beta1, beta2, epsilon."""
    parameters = _network(1, [3, 2, 1])
    grads = {"d" + key: value for key, value in _network(2, [3, 2, 1]).items()}
    v = {key: np.zeros_like(value) for key, value in grads.items()}
    s = {key: np.zeros_like(value) for key, value in grads.items()}
    return parameters, grads, v, s, 1, 0.01, 0.9, 0.999, 1e-8


def update_parameters_with_adam_case(edition="2023"):
    """The third update (t = 3) with small gradients: a [3, 2, 1] network drawn with seed 1;
    gradients drawn with seed 2 and scaled by 0.001; v drawn with seed 3 and scaled by 0.001;
    s the squares of draws with seed 4, scaled by 1e-6; learning_rate 0.01, beta1 0.9,
    beta2 0.999, epsilon 1e-8."""
    parameters = _network(1, [3, 2, 1])
    grads = {"d" + key: 1e-3 * value for key, value in _network(2, [3, 2, 1]).items()}
    v = {"d" + key: 1e-3 * value for key, value in _network(3, [3, 2, 1]).items()}
    s = {"d" + key: 1e-6 * value ** 2 for key, value in _network(4, [3, 2, 1]).items()}
    return parameters, grads, v, s, 3, 0.01, 0.9, 0.999, 1e-8


def _counting_parameters():
    """W1 = [[1, 2, 3], [4, 5, 6]], b1 = [[7], [8]], W2 = [[9, 10]], b2 = [[11]]."""
    return {"W1": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), "b1": np.array([[7.0], [8.0]]),
            "W2": np.array([[9.0, 10.0]]), "b2": np.array([[11.0]])}


def parameters_to_vector_case(edition="2023"):
    """A [3, 2, 1] network whose entries count from 1 to 11 in the vector's order:
    W1 = [[1, 2, 3], [4, 5, 6]], b1 = [[7], [8]], W2 = [[9, 10]], b2 = [[11]]."""
    return (_counting_parameters(),)


def vector_to_parameters_case(edition="2023"):
    """theta = 1, 2, ..., 11 as a column (11, 1); layer_dims [3, 2, 1]."""
    return np.arange(1.0, 12.0).reshape(11, 1), [3, 2, 1]


def gradient_check_case(edition="2023"):
    """A [3, 3, 1] network drawn with seed 1, then X (3, 4) drawn with seed 2, Y = 1, 0, 1, 1;
    grads from L_model_backward (right); epsilon 1e-7."""
    parameters = _network(1, [3, 3, 1])
    X, = _draw(2, (3, 4))
    Y = _labels(4)
    AL, caches = L_model_forward(X, parameters)
    return parameters, L_model_backward(AL, Y, caches), X, Y, 1e-7


def gradient_check_bug_case(edition="2023"):
    """The gradient_check example with a planted bug: db1 of L_model_backward doubled; epsilon 1e-4."""
    parameters, grads, X, Y, _ = gradient_check_case()
    return parameters, dict(grads, db1=2 * grads["db1"]), X, Y, 1e-4


def model_adam_case(edition="2023"):
    """moons(m=20, noise=0.2, seed=3); layer_dims [2, 4, 3, 1]; Adam, He, learning_rate 0.01,
    mini_batch_size 8, 30 epochs, seed 1."""
    X, Y = moons(20, 0.2, 3)
    return X, Y, [2, 4, 3, 1], "adam", "he", 0.01, 8, 30, 0.0, 1.0, 0.9, 0.9, 0.999, 1e-8, 1


def model_momentum_l2_case(edition="2023"):
    """moons(m=20, noise=0.2, seed=3); layer_dims [2, 4, 3, 1]; momentum (beta 0.8), Xavier,
    learning_rate 0.1, mini_batch_size 6, 25 epochs, lambd 0.5, seed 2."""
    X, Y = moons(20, 0.2, 3)
    return X, Y, [2, 4, 3, 1], "momentum", "xavier", 0.1, 6, 25, 0.5, 1.0, 0.8, 0.9, 0.999, 1e-8, 2


def model_gd_dropout_case(edition="2023"):
    """moons(m=20, noise=0.2, seed=3); layer_dims [2, 5, 4, 1]; gradient descent, He,
    learning_rate 0.2, one batch of all examples (mini_batch_size None), 40 epochs,
    keep_prob 0.8, seed 3."""
    X, Y = moons(20, 0.2, 3)
    return X, Y, [2, 5, 4, 1], "gd", "he", 0.2, None, 40, 0.0, 0.8, 0.9, 0.9, 0.999, 1e-8, 3


def _named(*names):
    return lambda result: dict(zip(names, result))


def _mini_batches(batches):
    found = {}
    for k, (mini_batch_X, mini_batch_Y) in enumerate(batches, start=1):
        found[f"mini_batch_X {k}"] = mini_batch_X
        found[f"mini_batch_Y {k}"] = mini_batch_Y
    return found


def _dropout_forward(result):
    AL, caches, masks = result
    return {"AL": AL, "len(caches)": len(caches), **{f"D{l}": D for l, D in enumerate(masks, start=1)}}


def _states(*names):
    """{'W1': .., 'v["dW1"]': ..} from a tuple of dicts (parameters, then optimizer states)."""
    def quantities(result):
        found = {}
        for name, values in zip(names, result):
            for key, value in values.items():
                found[key if name == "parameters" else f'{name}["{key}"]'] = value
        return found
    return quantities


def _model(result):
    parameters, costs = result
    return {**parameters, "costs": costs}


EXAMPLES = (
    Example("initialize_parameters_with_zeros", "initialize_parameters_with",
            initialize_parameters_with_case("zeros"), dict),
    Example("initialize_parameters_with_random", "initialize_parameters_with",
            initialize_parameters_with_case("random"), dict),
    Example("initialize_parameters_with_he", "initialize_parameters_with",
            initialize_parameters_with_case("he"), dict),
    Example("initialize_parameters_with_xavier", "initialize_parameters_with",
            initialize_parameters_with_case("xavier"), dict),
    Example("random_mini_batches", "random_mini_batches", random_mini_batches_case, _mini_batches),
    Example("random_mini_batches_even", "random_mini_batches", random_mini_batches_even_case,
            _mini_batches, note="m is a multiple of mini_batch_size: no smaller last batch"),
    Example("compute_cost_with_regularization", "compute_cost_with_regularization",
            compute_cost_with_regularization_case, lambda cost: {"cost": cost}),
    Example("L_model_backward_with_regularization", "L_model_backward_with_regularization",
            L_model_backward_with_regularization_case, dict),
    Example("L_model_forward_with_dropout", "L_model_forward_with_dropout",
            L_model_forward_with_dropout_case, _dropout_forward),
    Example("L_model_backward_with_dropout", "L_model_backward_with_dropout",
            L_model_backward_with_dropout_case, dict),
    Example("initialize_velocity", "initialize_velocity", initialize_velocity_case, dict),
    Example("update_parameters_with_momentum", "update_parameters_with_momentum",
            update_parameters_with_momentum_case, _states("parameters", "v")),
    Example("initialize_adam", "initialize_adam", initialize_adam_case, _states("v", "s")),
    Example("update_parameters_with_adam_first", "update_parameters_with_adam",
            update_parameters_with_adam_first_case, _states("parameters", "v", "s"),
            note="t = 1 from zero averages: every entry moves by almost exactly learning_rate"),
    Example("update_parameters_with_adam", "update_parameters_with_adam",
            update_parameters_with_adam_case, _states("parameters", "v", "s"),
            note="gradients small enough for the place of epsilon to show"),
    Example("parameters_to_vector", "parameters_to_vector", parameters_to_vector_case,
            lambda theta: {"theta": theta}),
    Example("vector_to_parameters", "vector_to_parameters", vector_to_parameters_case, dict),
    Example("gradient_check", "gradient_check", gradient_check_case, _named("difference", "gradapprox")),
    Example("gradient_check_bug", "gradient_check", gradient_check_bug_case,
            _named("difference", "gradapprox"), note="a planted bug: db1 doubled"),
    Example("model_adam", "model", model_adam_case, _model),
    Example("model_momentum_l2", "model", model_momentum_l2_case, _model),
    Example("model_gd_dropout", "model", model_gd_dropout_case, _model),
)


def examples(edition="2023"):
    """The documented examples, in notebook order."""
    return select(EXAMPLES, EDITIONS, edition)


# -- the lesson's experiments ------------------------------------------------------------------

LESSON = {
    "moons": {"m_train": 300, "m_test": 300, "noise": 0.2, "train_seed": 0, "test_seed": 1},
    "initialization": {"layer_dims": [2, 10, 5, 1], "optimizer": "gd", "learning_rate": 0.1,
                       "mini_batch_size": None, "num_epochs": 1500, "seed": 1,
                       "methods": ["zeros", "random", "he", "xavier"]},
    "optimizers": {"layer_dims": [2, 10, 5, 1], "initialization": "he", "learning_rate": 0.0075,
                   "mini_batch_size": 64, "num_epochs": 1000, "seed": 1,
                   "optimizers": ["gd", "momentum", "adam"]},
    "regularization": {"layer_dims": [12288, 32, 16, 1], "optimizer": "adam", "initialization": "he",
                       "learning_rate": 0.0003, "mini_batch_size": 64, "num_epochs": 150, "seed": 0,
                       "settings": {"none": {"lambd": 0.0, "keep_prob": 1.0},
                                    "L2": {"lambd": 3.0, "keep_prob": 1.0},
                                    "dropout": {"lambd": 0.0, "keep_prob": 0.8}}},
}


def lesson_moons():
    """(train_X, train_Y, test_X, test_Y) of the lesson's moons."""
    p = LESSON["moons"]
    return moons(p["m_train"], p["noise"], p["train_seed"]) + moons(p["m_test"], p["noise"], p["test_seed"])


def _finite(cost):
    return float(cost) if np.isfinite(cost) else None


def _measure(parameters, costs, train, test=None, keep_costs=False):
    with np.errstate(invalid="ignore"):
        found = {"final_cost": _finite(costs[-1]), "train_accuracy": accuracy(predict(train[0], None, parameters), train[1])}
        if test is not None:
            found["test_accuracy"] = accuracy(predict(test[0], None, parameters), test[1])
    if keep_costs:
        found["costs"] = [_finite(c) for c in costs]
    return found


def run_lesson(part, cat_data=None):
    """Run one experiment of the lesson with the reference: part is "initialization",
    "optimizers" (both on the moons) or "regularization" (needs ``cat_data`` = (train_x, train_y,
    test_x, test_y), inputs already flattened and scaled). Returns {"protocol": ..., "runs": {...}}."""
    p = LESSON[part]
    if part == "regularization":
        train, test = cat_data[:2], cat_data[2:]
        runs = {name: dict(setting, **_measure(*model(*train, p["layer_dims"], p["optimizer"], p["initialization"],
                                                      p["learning_rate"], p["mini_batch_size"], p["num_epochs"],
                                                      setting["lambd"], setting["keep_prob"], seed=p["seed"]),
                                               train, test))
                for name, setting in p["settings"].items()}
        return {"protocol": p, "runs": runs}
    train_X, train_Y, test_X, test_Y = lesson_moons()
    runs = {}
    if part == "initialization":
        for method in p["methods"]:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                trained = model(train_X, train_Y, p["layer_dims"], p["optimizer"], method, p["learning_rate"],
                                p["mini_batch_size"], p["num_epochs"], seed=p["seed"])
                runs[method] = _measure(*trained, (train_X, train_Y))
    else:
        for optimizer in p["optimizers"]:
            trained = model(train_X, train_Y, p["layer_dims"], optimizer, p["initialization"], p["learning_rate"],
                            p["mini_batch_size"], p["num_epochs"], seed=p["seed"])
            runs[optimizer] = _measure(*trained, (train_X, train_Y), (test_X, test_Y),
                                       keep_costs=optimizer == "adam")
    return {"protocol": p, "runs": runs}
