"""Assignment 2, ``application``: the two graded models, their cases and points.

A model is checked by training it on tiny synthetic data for a few hundred
iterations (``testcases.application``), which takes a fraction of a second,
and comparing the trained parameters and the recorded costs with the
reference's. Visible cases are the documented examples; hidden cases draw
other data, other layer sizes (deeper networks for the L-layer model),
learning rates and numbers of iterations from the grading salt, so a model
that ignores an argument, or records costs at the wrong iterations, fails them.
"""
import dnn_utils.application as ref
from autograder.compare import Tolerance
from autograder.assignments.labels import hidden_describer, visible_label
from autograder.exercise import Case, Exercise
from autograder.mistakes import application as _catalogue  # noqa: F401  (registers the mistakes)
from autograder.mistakes import mistakes_of
from testcases import application as cases

ASSIGNMENT = "application"


# The examples whose results the notebook prints right above their check.
PRINTED_IN_NOTEBOOK = frozenset({"two_layer_model", "L_layer_model"})


def _distinguish(example):
    return example.id


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


def _toy_data(rng, n_x, m, index):
    """X (n_x, m) and labels by the rule of ``testcases.application.toy_data``, both labels present."""
    X = rng.randn(n_x, m)
    score = X[0] + X[1] * X[2] if n_x >= 3 else X[0]
    Y = (score > 0).reshape(1, m)
    Y[0, index % m], Y[0, (index + 1) % m] = True, False
    return X, Y.astype(int if index % 2 == 0 else float)


def _run_settings(rng):
    """(learning_rate, num_iterations): iteration counts on both sides of a multiple of 100."""
    learning_rate = float(rng.choice([0.02, 0.05, 0.1, 0.2]))
    num_iterations = int(rng.choice([101, 150, 199, 200, 260, 301]))
    return learning_rate, num_iterations


@hidden_describer('other data, layer sizes, learning rate and number of iterations')
def _hidden_two_layer_model(rng, index):
    n_x, n_h = (int(n) for n in rng.randint(2, 8, size=2))
    m = int(rng.randint(6, 21))
    X, Y = _toy_data(rng, n_x, m, index)
    return (X, Y, (n_x, n_h, 1)) + _run_settings(rng)


@hidden_describer('other data, a network with two hidden layers, another learning rate and number of iterations', 'other data, a network with three hidden layers, another learning rate and number of iterations', 'other data, a network with four hidden layers, another learning rate and number of iterations')
def _hidden_L_layer_model(rng, index):
    hidden = [int(n) for n in rng.randint(2, 7, size=2 + index % 3)]   # two to four hidden layers
    n_x, m = int(rng.randint(2, 8)), int(rng.randint(6, 21))
    X, Y = _toy_data(rng, n_x, m, index)
    return (X, Y, [n_x, *hidden, 1]) + _run_settings(rng)


# Hundreds of gradient steps, each a handful of matrix products: the same maths written with
# np.dot or @, sum/m or mean, drifts apart by far less than this.
_TRAINING = Tolerance(rtol=1e-6, atol=1e-8)

_SPEC = [
    # name, points, other graded functions it may call
    ("two_layer_model", 50, ("initialize_parameters", "linear_activation_forward", "compute_cost",
                             "linear_activation_backward", "update_parameters")),
    ("L_layer_model", 50, ("L_model_forward", "compute_cost", "L_model_backward",
                           "update_parameters")),
]

EXERCISES = tuple(
    Exercise(name=name, number=number, points=points, reference=getattr(ref, name),
             outputs=("parameters", "costs"), visible=_visible(name),
             hidden=globals()[f"_hidden_{name}"], tolerance=_TRAINING, uses=uses,
             mistakes=mistakes_of(name))
    for number, (name, points, uses) in enumerate(_SPEC, start=1))
