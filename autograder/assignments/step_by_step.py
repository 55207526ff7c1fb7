"""Assignment 1, ``step_by_step``: the ten graded functions, their cases and points.

Visible cases are the documented examples from ``testcases.step_by_step``
(both editions where they differ). Hidden cases are drawn from the grading
salt with other shapes, deeper networks and other seeds, so a hard-coded
answer or a loop that only works for one hidden layer fails them.
"""
import inspect

import numpy as np

import dnn_utils.step_by_step as ref
from autograder.assignments.labels import hidden_describer, visible_label
from autograder.compare import Tolerance
from autograder.exercise import Case, Exercise
from autograder.mistakes import mistakes_of
from autograder.mistakes import step_by_step as _catalogue  # noqa: F401  (registers the mistakes)
from testcases import step_by_step as cases

ASSIGNMENT = "step_by_step"


# Documented examples the notebook checks without printing their result.
NOT_PRINTED = frozenset({"initialize_parameters_4_3_2", "initialize_parameters_deep_4_3_2"})


def _visible(function):
    """Documented examples of ``function`` in both editions, without repeats."""
    def build():
        found, seen = [], set()
        for example in cases.EXAMPLES:
            if example.function != function:
                continue
            for edition in example.editions:
                args = example.args(edition)
                key = repr([np.asarray(a).tolist() if isinstance(a, np.ndarray) else a for a in args])
                if key in seen:
                    continue
                seen.add(key)
                printed = edition == "2023" and example.id not in NOT_PRINTED
                names = list(inspect.signature(getattr(ref, function)).parameters)
                activation = args[-1] if names[-1] == "activation" else ""
                label = visible_label(printed, function, names, args, activation)
                if edition != "2023":
                    label += " (from the course's older edition)"
                found.append(Case(label, args))
        return found
    return build


def _dims(rng, count, low=1, high=7):
    return [int(n) for n in rng.randint(low, high + 1, size=count)]


def _network(rng, layer_dims, scale=0.5):
    params = {}
    for l in range(1, len(layer_dims)):
        params["W" + str(l)] = rng.randn(layer_dims[l], layer_dims[l - 1]) * scale
        params["b" + str(l)] = rng.randn(layer_dims[l], 1) * scale
    return params


def _activation(index):
    return ("sigmoid", "relu")[index % 2]


@hidden_describer('other layer sizes than the examples')
def _hidden_initialize_parameters(rng, index):
    return tuple(_dims(rng, 3))


@hidden_describer('other layer sizes than the examples', 'a deeper network than the examples', 'a deeper network than the examples')
def _hidden_initialize_parameters_deep(rng, index):
    return (_dims(rng, 3 + index % 3),)


@hidden_describer('other sizes than the examples')
def _hidden_linear_forward(rng, index):
    n_prev, n, m = _dims(rng, 3)
    return rng.randn(n_prev, m), rng.randn(n, n_prev), rng.randn(n, 1)


@hidden_describer('other sizes than the examples, sigmoid', 'other sizes than the examples, relu')
def _hidden_linear_activation_forward(rng, index):
    return _hidden_linear_forward(rng, index) + (_activation(index),)


@hidden_describer('a deeper network than the example')
def _hidden_L_model_forward(rng, index):
    layer_dims = _dims(rng, 4 + index % 2) + [1]  # three or four layers: loops must generalise
    m = int(rng.randint(2, 7))
    return rng.randn(layer_dims[0], m), _network(rng, layer_dims)


@hidden_describer('other predictions and labels')
def _hidden_compute_cost(rng, index):
    m = int(rng.randint(2, 9))
    AL = rng.uniform(0.05, 0.95, size=(1, m))
    Y = (rng.uniform(size=(1, m)) < 0.5).astype(float)
    Y[0, index % m] = 1 - Y[0, (index + 1) % m]  # both labels present
    return AL, Y


@hidden_describer('other sizes than the examples')
def _hidden_linear_backward(rng, index):
    n_prev, n, m = _dims(rng, 3, low=2)
    return rng.randn(n, m), (rng.randn(n_prev, m), rng.randn(n, n_prev), rng.randn(n, 1))


@hidden_describer('other sizes than the examples, sigmoid', 'other sizes than the examples, relu')
def _hidden_linear_activation_backward(rng, index):
    n_prev, n, m = _dims(rng, 3, low=2)
    linear_cache = (rng.randn(n_prev, m), rng.randn(n, n_prev), rng.randn(n, 1))
    return rng.randn(n, m), (linear_cache, rng.randn(n, m)), _activation(index)


@hidden_describer('a deeper network than the example')
def _hidden_L_model_backward(rng, index):
    layer_dims = _dims(rng, 3 + index % 2, low=2) + [1]
    m = int(rng.randint(2, 7))
    AL, caches = ref.L_model_forward(rng.randn(layer_dims[0], m), _network(rng, layer_dims))
    Y = (rng.uniform(size=(1, m)) < 0.5).astype(float)
    return AL, Y, caches


@hidden_describer("a network of other sizes, another learning rate",
                  "a deeper network than the example, another learning rate, grads as L_model_backward "
                  "returns them (with the dA keys)",
                  "a network of other sizes, another learning rate, the parameters listed last layer first",
                  "a deeper network than the example, another learning rate, grads as L_model_backward "
                  "returns them (with the dA keys)")
def _hidden_update_parameters(rng, index):
    layer_dims = _dims(rng, 3 + index % 2)
    params = _network(rng, layer_dims, scale=1.0)
    grads = {"d" + key: rng.randn(*value.shape) for key, value in params.items()}
    if index % 2 == 1:   # the dict L_model_backward returns also holds dA0 .. dA(L-1)
        for l in range(len(layer_dims) - 1):
            grads["dA" + str(l)] = rng.randn(layer_dims[l], 3)
    if index == 2:       # nothing in the contract fixes the order of the keys
        params = dict(reversed(list(params.items())))
    return params, grads, float(rng.choice([0.01, 0.1, 0.5, 1.2]))


_EXACT_DRAWS = Tolerance(rtol=1e-7, atol=1e-10)   # same draws, same arithmetic
_ARITHMETIC = Tolerance(rtol=1e-6, atol=1e-8)     # np.dot vs @ vs loops differ in the last bits
_COST = Tolerance(rtol=1e-7, atol=1e-9)           # -(1/m)*sum and mean round differently

_SPEC = [
    # name, points, outputs, tolerance, other graded functions it may call
    ("initialize_parameters", 5, "parameters", _EXACT_DRAWS, ()),
    ("initialize_parameters_deep", 5, "parameters", _EXACT_DRAWS, ()),
    ("linear_forward", 5, ("Z", "cache"), _ARITHMETIC, ()),
    ("linear_activation_forward", 10, ("A", "cache"), _ARITHMETIC, ("linear_forward",)),
    ("L_model_forward", 15, ("AL", "caches"), _ARITHMETIC,
     ("linear_forward", "linear_activation_forward")),
    ("compute_cost", 10, "cost", _COST, ()),
    ("linear_backward", 10, ("dA_prev", "dW", "db"), _ARITHMETIC, ()),
    ("linear_activation_backward", 10, ("dA_prev", "dW", "db"), _ARITHMETIC, ("linear_backward",)),
    ("L_model_backward", 20, "grads", _ARITHMETIC,
     ("linear_backward", "linear_activation_backward")),
    ("update_parameters", 10, "parameters", _ARITHMETIC, ()),
]

EXERCISES = tuple(
    Exercise(name=name, number=number, points=points, reference=getattr(ref, name), outputs=outputs,
             visible=_visible(name), hidden=globals()[f"_hidden_{name}"], tolerance=tolerance, uses=uses,
             mistakes=mistakes_of(name))
    for number, (name, points, outputs, tolerance, uses) in enumerate(_SPEC, start=1))
