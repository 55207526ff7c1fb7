"""Assignment 3, ``optimization``: the fourteen graded functions, their cases and points.

Visible cases are the documented examples of ``testcases.optimization``.
Hidden cases are drawn from the grading salt: other layer sizes and depths,
other seeds, keep probabilities, learning rates, step numbers and epsilons, so
a hard-coded answer, a loop written for one depth, or a convention that only
shows on some inputs (a last mini-batch that is smaller, Adam's first steps,
epsilon next to a tiny average) fails them.
"""

import dnn_utils.optimization as ref
from autograder.compare import Tolerance
from autograder.assignments.labels import hidden_describer, visible_label
from autograder.exercise import Case, Exercise
from autograder.mistakes import mistakes_of
from autograder.mistakes import optimization as _catalogue  # noqa: F401  (registers the mistakes)
from dnn_utils.step_by_step import L_model_backward, L_model_forward
from dnn_utils.toy_data import moons
from testcases import optimization as cases

ASSIGNMENT = "optimization"


# The examples whose results the notebook prints right above their check, and what tells apart
# two printed examples of one function.
PRINTED_IN_NOTEBOOK = {
    "initialize_parameters_with_zeros": "zeros", "initialize_parameters_with_random": "random",
    "initialize_parameters_with_he": "he", "initialize_parameters_with_xavier": "xavier",
    "random_mini_batches": "", "compute_cost_with_regularization": "",
    "L_model_backward_with_regularization": "", "L_model_forward_with_dropout": "",
    "L_model_backward_with_dropout": "", "initialize_velocity": "", "update_parameters_with_momentum": "",
    "initialize_adam": "", "update_parameters_with_adam_first": "the first step, t = 1",
    "update_parameters_with_adam": "the third step, t = 3", "parameters_to_vector": "",
    "vector_to_parameters": "", "gradient_check": "", "model_adam": "",
}


def _distinguish(example):
    return PRINTED_IN_NOTEBOOK[example.id]


def _visible(function):
    """The documented examples of ``function``, in notebook order, labelled in the student's terms."""
    def build():
        found = [example for example in cases.EXAMPLES if example.function == function]
        printed = [example for example in found if example.id in PRINTED_IN_NOTEBOOK]
        return [Case(visible_label(example in printed, function, (), (),
                                   _distinguish(example) if len(printed) > 1 else "",
                                   example.args.__doc__.strip().rstrip(".")), example.args("2023"))
                for example in found]
    return build


# -- random inputs ------------------------------------------------------------------------------

def _layer_dims(rng, hidden, low=1, high=6, n_y=1):
    """[n_x, n_1, ..., n_hidden, n_y] with sizes drawn in [low, high]."""
    return [int(n) for n in rng.randint(low, high + 1, size=hidden + 1)] + [n_y]


def _network(rng, layer_dims, scale=0.8):
    """Weights and biases drawn from the normal distribution (biases not zero, so that a
    mistake that touches them shows)."""
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = rng.randn(layer_dims[l], layer_dims[l - 1]) * scale
        parameters[f"b{l}"] = rng.randn(layer_dims[l], 1) * scale
    return parameters


def _labels(rng, m, index):
    """Y (1, m) with both labels, integers on even case numbers and floats on odd ones."""
    Y = (rng.uniform(size=(1, m)) < 0.5)
    Y[0, index % m], Y[0, (index + 1) % m] = True, False
    return Y.astype(int if index % 2 == 0 else float)


def _like(rng, parameters, scale=1.0, key=lambda name: "d" + name):
    return {key(name): rng.randn(*value.shape) * scale for name, value in parameters.items()}


def _seed(rng):
    return int(rng.randint(0, 1000))


# -- hidden cases, one generator per exercise: (rng, index) -> args -----------------------------

@hidden_describer('zeros, other layer sizes and seed', 'random, a deeper network, another seed', 'he, other layer sizes and seed', 'xavier, a deeper network, another seed')
def _hidden_initialize_parameters_with(rng, index):
    layer_dims = _layer_dims(rng, 2 + index % 2, low=2, high=7)
    return layer_dims, ref.INITIALIZATIONS[index % 4], _seed(rng)


@hidden_describer('other sizes, batch size and seed', 'other sizes, batch size and seed',
                  'a batch size equal to or larger than the number of examples (one batch)',
                  'a batch size that makes two batches, the second smaller')
def _hidden_random_mini_batches(rng, index):
    m = int(rng.randint(5, 31))
    mini_batch_size = int(rng.choice([2, 3, 4, 5, 7, 8, 16]))
    if index == 3:
        mini_batch_size = m // 2 + 1   # two batches, the second smaller
    if index == 2:
        mini_batch_size = m + int(rng.randint(0, 3))   # one batch of all the examples
    X = rng.randn(int(rng.randint(1, 5)), m)
    return X, _labels(rng, m, index), mini_batch_size, _seed(rng)


@hidden_describer('a network of one hidden layer, another lambd', 'a network of two hidden layers, another lambd', 'a network of three hidden layers, another lambd')
def _hidden_compute_cost_with_regularization(rng, index):
    layer_dims = _layer_dims(rng, 1 + index % 3)
    m = int(rng.randint(2, 9))
    AL = rng.uniform(0.05, 0.95, size=(1, m))
    return AL, _labels(rng, m, index), _network(rng, layer_dims), float(rng.choice([0.05, 0.1, 0.5, 1.0, 3.0]))


@hidden_describer('a network of one hidden layer, another lambd', 'a network of two hidden layers, another lambd', 'a network of three hidden layers, another lambd')
def _hidden_L_model_backward_with_regularization(rng, index):
    layer_dims = _layer_dims(rng, 1 + index % 3, low=2)
    m = int(rng.randint(2, 7))
    AL, caches = L_model_forward(rng.randn(layer_dims[0], m), _network(rng, layer_dims))
    return AL, _labels(rng, m, index), caches, float(rng.choice([0.1, 0.5, 0.7, 2.0]))


def _keep_prob(rng):
    return float(rng.choice([0.5, 0.6, 0.75, 0.8, 0.9]))


@hidden_describer('two hidden layers, another keep_prob and seed', 'three hidden layers, another keep_prob and seed',
                  'two hidden layers, another keep_prob and seed', 'three hidden layers, keep_prob = 1 (no dropout)')
def _hidden_L_model_forward_with_dropout(rng, index):
    layer_dims = _layer_dims(rng, 2 + index % 2, low=2)   # two or three hidden layers
    m = int(rng.randint(3, 8))
    X, parameters, keep_prob = rng.randn(layer_dims[0], m), _network(rng, layer_dims, scale=0.5), _keep_prob(rng)
    if index == 3:   # keep_prob = 1 is allowed: no unit dropped, nothing scaled
        keep_prob = 1.0
    return X, parameters, keep_prob, _seed(rng)


@hidden_describer('two hidden layers, another keep_prob', 'three hidden layers, another keep_prob',
                  'two hidden layers, another keep_prob', 'three hidden layers, keep_prob = 1 (no dropout)')
def _hidden_L_model_backward_with_dropout(rng, index):
    X, parameters, keep_prob, seed = _hidden_L_model_forward_with_dropout(rng, index)
    AL, caches, masks = ref.L_model_forward_with_dropout(X, parameters, keep_prob, seed)
    return AL, _labels(rng, X.shape[1], index), caches, masks, keep_prob


@hidden_describer('a network of one hidden layer', 'a network of two hidden layers', 'a network of three hidden layers')
def _hidden_initialize_velocity(rng, index):
    return (_network(rng, _layer_dims(rng, 1 + index % 3)),)


_hidden_initialize_adam = _hidden_initialize_velocity


@hidden_describer('other sizes, beta and learning rate',
                  'other sizes, beta and learning rate, grads as L_model_backward returns them (with the dA keys)',
                  'other sizes, beta and learning rate, the parameters listed last layer first',
                  'other sizes, beta and learning rate, grads as L_model_backward returns them (with the dA keys)')
def _hidden_update_parameters_with_momentum(rng, index):
    parameters = _network(rng, _layer_dims(rng, 1 + index % 3))
    grads, v = _like(rng, parameters), _like(rng, parameters, 0.3)
    if index % 2 == 1:
        grads = _with_dA_keys(rng, parameters, grads)
    if index == 2:
        parameters = dict(reversed(list(parameters.items())))
    return parameters, grads, v, float(rng.choice([0.5, 0.8, 0.9, 0.95])), float(rng.choice([0.01, 0.05, 0.1]))


def _with_dA_keys(rng, parameters, grads):
    """``grads`` plus dA0 .. dA(L-1), as L_model_backward returns them (the update ignores them)."""
    grads = dict(grads)
    for l in range(1, len(parameters) // 2 + 1):
        grads[f"dA{l - 1}"] = rng.randn(parameters[f"W{l}"].shape[1], 3)
    return grads


@hidden_describer('the first step from zero averages, other hyper-parameters',
                  'a later step, other hyper-parameters and epsilon', 'a later step, other hyper-parameters and epsilon',
                  'a later step, other hyper-parameters and epsilon, grads as L_model_backward returns them '
                  '(with the dA keys)')
def _hidden_update_parameters_with_adam(rng, index):
    parameters = _network(rng, _layer_dims(rng, 1 + index % 3))
    scale = float(rng.choice([1e-3, 1e-2, 1.0]))
    grads = _like(rng, parameters, scale)
    if index == 0:   # the first step, from zero averages
        v, s, t = _like(rng, parameters, 0.0), _like(rng, parameters, 0.0), 1
    else:
        v = _like(rng, parameters, 0.3 * scale)
        s = {key: value ** 2 for key, value in _like(rng, parameters, scale).items()}
        t = int(rng.randint(2, 11))
    if index == 3:
        grads = _with_dA_keys(rng, parameters, grads)
    return (parameters, grads, v, s, t, float(rng.choice([0.001, 0.01, 0.1])),
            float(rng.choice([0.8, 0.9])), float(rng.choice([0.99, 0.999])),
            float(rng.choice([1e-8, 1e-6, 1e-4])))


@hidden_describer('a network of one hidden layer', 'a network of two hidden layers', 'a network of three hidden layers')
def _hidden_parameters_to_vector(rng, index):
    return (_network(rng, _layer_dims(rng, 1 + index % 3, low=2)),)


@hidden_describer('a network of one hidden layer', 'a network of two hidden layers', 'a network of three hidden layers')
def _hidden_vector_to_parameters(rng, index):
    layer_dims = _layer_dims(rng, 1 + index % 3, low=2)
    n = sum(layer_dims[l] * (layer_dims[l - 1] + 1) for l in range(1, len(layer_dims)))
    return rng.randn(n, 1), layer_dims


@hidden_describer('right gradients, another network and epsilon', 'a planted bug in one gradient, another network and epsilon')
def _hidden_gradient_check(rng, index):
    layer_dims = _layer_dims(rng, 1 + index % 2, low=2, high=4)
    m = int(rng.randint(3, 7))
    parameters = _network(rng, layer_dims)
    X, Y = rng.randn(layer_dims[0], m), _labels(rng, m, index)
    AL, caches = L_model_forward(X, parameters)
    grads = L_model_backward(AL, Y, caches)
    if index % 2 == 1:   # a planted bug in one gradient
        key = str(rng.choice(sorted(k for k in grads if k[:2] in ("dW", "db"))))
        grads[key] = grads[key] * float(rng.choice([0.5, 2.0, -1.0]))
    return parameters, grads, X, Y, float(rng.choice([1e-3, 1e-4, 1e-5]))


# Each hidden model case combines the options differently; index 0..3 in order.
_MODEL_OPTIONS = (
    dict(optimizer="adam", keep_prob=0.8, lambd=0.0),
    dict(optimizer="momentum", keep_prob=1.0, lambd=0.3),
    dict(optimizer="gd", keep_prob=1.0, lambd=0.0),
    dict(optimizer="adam", keep_prob=1.0, lambd=0.2),
)


@hidden_describer('Adam with dropout', 'momentum with L2 regularisation', 'gradient descent, one batch of all examples', 'Adam with L2 regularisation')
def _hidden_model(rng, index):
    options = _MODEL_OPTIONS[index % len(_MODEL_OPTIONS)]
    m = int(rng.randint(12, 25))
    X, Y = moons(m, 0.2, _seed(rng))
    layer_dims = [2] + [int(n) for n in rng.randint(2, 6, size=2 + index % 2)] + [1]
    learning_rate = {"gd": 0.2, "momentum": 0.1, "adam": 0.01}[options["optimizer"]]
    mini_batch_size = int(rng.choice([5, 7, 8])) if index != 2 else None
    return (X, Y, layer_dims, options["optimizer"], str(rng.choice(["he", "xavier"])), learning_rate,
            mini_batch_size, int(rng.randint(8, 21)), options["lambd"], options["keep_prob"],
            float(rng.choice([0.8, 0.9])), 0.9, 0.999, 1e-8, _seed(rng))


# -- tolerances ---------------------------------------------------------------------------------

_EXACT = Tolerance(rtol=0.0, atol=0.0)                # copies and reshapes of the inputs: equal bit for bit
_EXACT_DRAWS = Tolerance(rtol=1e-7, atol=1e-10)       # the same draws times the same scale
_COST = Tolerance(rtol=1e-7, atol=1e-9)               # -(1/m)*sum and mean round differently
_ARITHMETIC = Tolerance(rtol=1e-6, atol=1e-8)         # np.dot vs @ vs loops differ in the last bits
_ADAM = Tolerance(rtol=1e-6, atol=1e-12)              # element-wise steps; averages of tiny gradients
_GRADIENT_CHECK = Tolerance(rtol=1e-6, atol=1e-8)     # differences of costs divided by 2 epsilon
_TRAINING = Tolerance(rtol=1e-6, atol=1e-8)           # tens of updates of tiny networks

_FORWARD = ("linear_forward", "linear_activation_forward")
_BACKWARD = ("linear_backward", "linear_activation_backward")

_SPEC = [
    # name, points, outputs, tolerance, other graded functions it may call
    ("initialize_parameters_with", 8, "parameters", _EXACT_DRAWS, ()),
    ("random_mini_batches", 10, "mini_batches", _EXACT, ()),
    ("compute_cost_with_regularization", 6, "cost", _COST, ("compute_cost",)),
    ("L_model_backward_with_regularization", 8, "grads", _ARITHMETIC, ("L_model_backward",) + _BACKWARD),
    ("L_model_forward_with_dropout", 8, ("AL", "caches", "masks"), _ARITHMETIC, _FORWARD),
    ("L_model_backward_with_dropout", 8, "grads", _ARITHMETIC, _BACKWARD),
    ("initialize_velocity", 3, "v", _EXACT, ()),
    ("update_parameters_with_momentum", 7, ("parameters", "v"), _ARITHMETIC, ()),
    ("initialize_adam", 3, ("v", "s"), _EXACT, ()),
    ("update_parameters_with_adam", 10, ("parameters", "v", "s"), _ADAM, ()),
    ("parameters_to_vector", 4, "theta", _EXACT, ()),
    ("vector_to_parameters", 4, "parameters", _EXACT, ()),
    ("gradient_check", 9, ("difference", "gradapprox"), _GRADIENT_CHECK,
     ("parameters_to_vector", "vector_to_parameters", "L_model_forward", "compute_cost") + _FORWARD),
    ("model", 12, ("parameters", "costs"), _TRAINING,
     ("initialize_parameters_with", "random_mini_batches", "compute_cost_with_regularization",
      "L_model_backward_with_regularization", "L_model_forward_with_dropout", "L_model_backward_with_dropout",
      "initialize_velocity", "update_parameters_with_momentum", "initialize_adam", "update_parameters_with_adam",
      "L_model_forward", "compute_cost", "L_model_backward", "update_parameters") + _FORWARD + _BACKWARD),
]

EXERCISES = tuple(
    Exercise(name=name, number=number, points=points, reference=getattr(ref, name), outputs=outputs,
             visible=_visible(name), hidden=globals()[f"_hidden_{name}"], tolerance=tolerance, uses=uses,
             mistakes=mistakes_of(name))
    for number, (name, points, outputs, tolerance, uses) in enumerate(_SPEC, start=1))
