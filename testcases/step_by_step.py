"""Documented examples of assignment 1, ``step_by_step``, in both editions.

Each ``*_case`` function rebuilds the inputs of one example exactly as the
seed notebooks drew them (``np.random.seed`` then ``np.random.randn`` in the
order listed in COURSE.md). ``EXAMPLES`` names every documented call and which
printed quantities it yields; the printed values themselves are stored in
``data/step_by_step.json``.

Editions: ``"2023"`` (seed 000) and ``"v8"`` (seed 001). They differ only in
``compute_cost`` (Y) and ``linear_backward`` (shapes).
"""
import functools

import numpy as np

from testcases.example import Example as _Example
from testcases.example import select

EDITIONS = ("2023", "v8")
Example = functools.partial(_Example, editions=EDITIONS)


def _draw(seed, *shapes):
    np.random.seed(seed)
    return [np.random.randn(*shape) for shape in shapes]


def linear_forward_case(edition="2023"):
    """A (3, 2), W (1, 3), b (1, 1), seed 1."""
    return tuple(_draw(1, (3, 2), (1, 3), (1, 1)))


def linear_activation_forward_case(edition="2023"):
    """A_prev (3, 2), W (1, 3), b (1, 1), seed 2."""
    return tuple(_draw(2, (3, 2), (1, 3), (1, 1)))


def L_model_forward_case(edition="2023"):
    """X (5, 4) and a [5, 4, 3, 1] network (two hidden layers), seed 6."""
    X, W1, b1, W2, b2, W3, b3 = _draw(6, (5, 4), (4, 5), (4, 1), (3, 4), (3, 1), (1, 3), (1, 1))
    return X, {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}


def compute_cost_case(edition="2023"):
    """AL = [[.8, .9, .4]]; Y = [[1, 1, 0]] (2023) or [[1, 1, 1]] (v8). Returns (AL, Y)."""
    Y = np.array([[1, 1, 0]]) if edition == "2023" else np.array([[1, 1, 1]])
    return np.array([[0.8, 0.9, 0.4]]), Y


def linear_backward_case(edition="2023"):
    """(dZ, (A_prev, W, b)), seed 1: dZ (3, 4), A (5, 4), W (3, 5), b (3, 1) in 2023;
    dZ (1, 2), A (3, 2), W (1, 3), b (1, 1) in v8."""
    if edition == "2023":
        dZ, A, W, b = _draw(1, (3, 4), (5, 4), (3, 5), (3, 1))
    else:
        dZ, A, W, b = _draw(1, (1, 2), (3, 2), (1, 3), (1, 1))
    return dZ, (A, W, b)


def linear_activation_backward_case(edition="2023"):
    """(dA, ((A_prev, W, b), Z)), seed 2: dA (1, 2), A (3, 2), W (1, 3), b (1, 1), Z (1, 2)."""
    dA, A, W, b, Z = _draw(2, (1, 2), (3, 2), (1, 3), (1, 1), (1, 2))
    return dA, ((A, W, b), Z)


def L_model_backward_case(edition="2023"):
    """(AL, Y, caches) of a [4, 3, 1] network, seed 3. AL is a raw draw, not a probability."""
    AL, A1, W1, b1, Z1, A2, W2, b2, Z2 = _draw(
        3, (1, 2), (4, 2), (3, 4), (3, 1), (3, 2), (3, 2), (1, 3), (1, 1), (1, 2))
    Y = np.array([[1, 0]])
    return AL, Y, [((A1, W1, b1), Z1), ((A2, W2, b2), Z2)]


def update_parameters_case(edition="2023"):
    """(params, grads, 0.1): parameters drawn with seed 2, gradients with seed 3."""
    shapes = [(3, 4), (3, 1), (1, 3), (1, 1)]
    W1, b1, W2, b2 = _draw(2, *shapes)
    dW1, db1, dW2, db2 = _draw(3, *shapes)
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return params, grads, 0.1


def _named(*names):
    return lambda result: dict(zip(names, result))


def _same(result):
    return dict(result)


EXAMPLES = (
    Example("initialize_parameters", "initialize_parameters", lambda e: (3, 2, 1), _same),
    Example("initialize_parameters_4_3_2", "initialize_parameters", lambda e: (4, 3, 2), _same,
            editions=("2023",), note="checked but not printed in the 2023 edition"),
    Example("initialize_parameters_deep", "initialize_parameters_deep", lambda e: ([5, 4, 3],), _same),
    Example("initialize_parameters_deep_4_3_2", "initialize_parameters_deep", lambda e: ([4, 3, 2],),
            _same, editions=("2023",), note="checked but not printed in the 2023 edition"),
    Example("linear_forward", "linear_forward", linear_forward_case, lambda r: {"Z": r[0]}),
    Example("linear_activation_forward_sigmoid", "linear_activation_forward",
            lambda e: linear_activation_forward_case(e) + ("sigmoid",), lambda r: {"A": r[0]}),
    Example("linear_activation_forward_relu", "linear_activation_forward",
            lambda e: linear_activation_forward_case(e) + ("relu",), lambda r: {"A": r[0]}),
    Example("L_model_forward", "L_model_forward", L_model_forward_case,
            lambda r: {"AL": r[0], "len(caches)": len(r[1])}),
    Example("compute_cost", "compute_cost", compute_cost_case, lambda r: {"cost": r}),
    Example("linear_backward", "linear_backward", linear_backward_case,
            _named("dA_prev", "dW", "db")),
    Example("linear_activation_backward_sigmoid", "linear_activation_backward",
            lambda e: linear_activation_backward_case(e) + ("sigmoid",),
            _named("dA_prev", "dW", "db"),
            note="the 2023 edition prints no expected output; the case is the v8 one, so are the values"),
    Example("linear_activation_backward_relu", "linear_activation_backward",
            lambda e: linear_activation_backward_case(e) + ("relu",),
            _named("dA_prev", "dW", "db"),
            note="the 2023 edition prints no expected output; the case is the v8 one, so are the values"),
    Example("L_model_backward", "L_model_backward", L_model_backward_case, _same,
            note="v8 prints dA1 under the 2023 key scheme (gradient with respect to A1), "
                 "although its own code would store that array as dA2"),
    Example("update_parameters", "update_parameters", update_parameters_case, _same),
)


def examples(edition="2023"):
    """The documented examples of one edition, in notebook order."""
    return select(EXAMPLES, EDITIONS, edition)
